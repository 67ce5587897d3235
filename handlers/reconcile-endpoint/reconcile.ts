/**
 * One target's reconcile run: gather the facts the planner asks for, then carry out what it decides.
 * No decisions here (domain/target-planner.ts makes them, docs/planner.md).
 */
import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { carryOut } from '../../adapters/endpoint-actions';
import {
  decideTarget,
  type FactSources,
  observeTarget,
  type RecordSource,
} from '../../adapters/target-facts';
import type { DeploymentTarget, ModelPackageGroupConfig } from '../../core/config/types';
import type { TargetOutcome } from '../../domain/deployment-report';
import type { ReconcileTrigger } from '../../domain/events';
import type { Principal } from '../../domain/principal';
import { afterSetback, plannerTrigger } from '../../domain/target-planner';

export interface ReconcileContext {
  readonly sagemaker: SageMakerClient;
  /** Application Auto Scaling, for targets with `autoscaling`. */
  readonly autoscaling?: ApplicationAutoScalingClient;
  readonly executionRoleArn: string;
  readonly dataCaptureS3Uri?: string;
  /** How to name a group to ListModelPackages (its ARN when the registry is another account's). */
  readonly groupReference?: (groupName: string) => string;
  /** The policy handler's principal: its change to a version is its check of the approval (approval-check.ts). */
  readonly approvalChecker?: Principal;
  /**
   * The quality gate's verdicts (the policy handler's store, verdicts.ts) and S3 to check the pinned
   * model data with (artifact-pins.ts). Without it (a deployment account, which cannot read the
   * registry account's audit bucket), versions of gated groups are not held for their verdict.
   */
  readonly verdicts?: { readonly s3: S3Client; readonly ecr: ECRClient; readonly uri: string };
  /**
   * The governance record (domain/governance-record.ts): with it, every candidate of every group is
   * checked against what the app recorded (registered content, failed verdicts, who approved), and
   * each deployment asked of an endpoint is recorded there first (`account`: the endpoints' account).
   */
  readonly record?: RecordSource;
  /** The clock, for the gate's catch-up window and shadow tests. @default new Date() */
  readonly now?: () => Date;
  /** CloudWatch, for the figures of shadow tests. */
  readonly cloudwatch?: CloudWatchClient;
  /** The role SageMaker runs shadow tests with (CreateInferenceExperiment RoleArn). */
  readonly shadowRoleArn?: string;
  /**
   * The SHA-256 of the content the model-cards handler generated for a card (card-review.ts);
   * without it no card is taken as reviewed (fail closed).
   */
  readonly recordedCardContent?: (cardName: string) => Promise<string | undefined>;
  /** `record`: a deployment account's reconciler, whose card gate reads the reviews in the record (target-facts.ts). */
  readonly cards?: 'record';
  /** Tells people of an outcome the planner says they should hear about. */
  readonly notify?: (outcome: TargetOutcome) => Promise<void>;
  /**
   * Model monitoring: the role SageMaker runs monitoring jobs with and where they write reports.
   * Without it a target with `monitoring` fails its run (the stack sets both when one has it).
   */
  readonly monitoring?: {
    readonly roleArn: string;
    readonly reportsS3Uri: string;
    /** S3, to read the violations an execution reports. */
    readonly s3: S3Client;
  };
}

/** Where the reconciler reads its facts from (adapters/target-facts.ts). */
export function factSources(ctx: ReconcileContext): FactSources {
  return {
    sagemaker: ctx.sagemaker,
    ...(ctx.groupReference ? { groupReference: ctx.groupReference } : {}),
    ...(ctx.approvalChecker ? { checker: ctx.approvalChecker } : {}),
    ...(ctx.verdicts ? { verdicts: ctx.verdicts } : {}),
    ...(ctx.record ? { record: ctx.record } : {}),
    ...(ctx.recordedCardContent ? { recordedCardContent: ctx.recordedCardContent } : {}),
    ...(ctx.cards ? { cards: ctx.cards } : {}),
    ...(ctx.cloudwatch ? { cloudwatch: ctx.cloudwatch } : {}),
    ...(ctx.monitoring ? { monitoringReports: ctx.monitoring.s3 } : {}),
    ...(ctx.now ? { now: ctx.now } : {}),
  };
}

/**
 * Brings one target to its desired state: observe, plan (pure) until the planner needs nothing more,
 * act. Safe to run any number of times, in any order, concurrently with itself.
 */
export async function reconcileTarget(
  ctx: ReconcileContext,
  group: ModelPackageGroupConfig,
  target: DeploymentTarget,
  reconcileTrigger: ReconcileTrigger,
): Promise<TargetOutcome> {
  const trigger = plannerTrigger(reconcileTrigger);
  const sources = factSources(ctx);
  const observed = await observeTarget(sources, group, target, {
    executionRoleArn: ctx.executionRoleArn,
    ...(ctx.dataCaptureS3Uri ? { dataCaptureS3Uri: ctx.dataCaptureS3Uri } : {}),
    ...(ctx.shadowRoleArn ? { shadowRoleArn: ctx.shadowRoleArn } : {}),
    ...(ctx.monitoring
      ? {
          monitoringSetup: {
            roleArn: ctx.monitoring.roleArn,
            reportsS3Uri: ctx.monitoring.reportsS3Uri,
          },
        }
      : {}),
  });
  let { decision } = await decideTarget(sources, observed, trigger);
  const actions = { ...ctx, target, groupName: group.name, endpoint: observed.endpoint };
  const setback = await carryOut(actions, decision.actions);
  if (setback) decision = afterSetback(decision, setback, trigger);
  if (!decision.notify) return decision.outcome;
  try {
    await ctx.notify?.(decision.outcome);
  } catch (error) {
    // Nothing claimed stays claimed by a notice that never went out: the retried run tells.
    await carryOut(actions, decision.notifyFailed ?? []);
    throw error;
  }
  await carryOut(actions, decision.afterNotify);
  return decision.outcome;
}
