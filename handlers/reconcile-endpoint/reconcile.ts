/**
 * One target's reconcile run: gather the facts the planner asks for, then carry out what it decides.
 * No decisions here (domain/target-planner.ts makes them, docs/planner.md).
 */
import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { carryOut } from '../../adapters/endpoint-actions';
import { describeEndpoint, listVersions } from '../../adapters/endpoints';
import { associateOnce, createActionOnce, ensureModelPackageArtifact } from '../../adapters/lineage';
import { applyMonitoring, observeMonitoring, readMonitoringResult } from '../../adapters/monitoring';
import { describeModelVersion, updateApproval } from '../../adapters/sagemaker';
import {
  decideTarget,
  type FactSources,
  observeTarget,
  type RecordSource,
} from '../../adapters/target-facts';
import type { DeploymentTarget, ModelPackageGroupConfig } from '../../core/config/types';
import { versionOfName } from '../../core/naming';
import type { TargetOutcome } from '../../domain/deployment-report';
import type { MonitoringExecutionChange, ReconcileTrigger } from '../../domain/events';
import { monitoringViolationAction } from '../../domain/lineage-plan';
import { planMonitoring, violationSteps } from '../../domain/monitoring-plan';
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
  readonly verdicts?: { readonly s3: S3Client; readonly uri: string };
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
    ...(ctx.cloudwatch ? { cloudwatch: ctx.cloudwatch } : {}),
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
  trigger: ReconcileTrigger,
): Promise<TargetOutcome> {
  if (trigger.kind === 'monitoring') {
    const outcome = await answerMonitoring(ctx, group, target, trigger.change);
    if (outcome.outcome === 'monitoring-violation') await ctx.notify?.(outcome);
    return outcome;
  }
  const outcome = await reconcileDeployment(ctx, group, target, trigger);
  if (target.monitoring && trigger.kind === 'endpoint' && trigger.change.status === 'InService')
    await ensureMonitoring(ctx, group, target);
  return outcome;
}

/**
 * Once the endpoint is InService, its monitoring schedules run with the baselines of the version it
 * serves (domain/monitoring-plan.ts), read again here: the endpoint and the version as they are now.
 */
async function ensureMonitoring(
  ctx: ReconcileContext,
  group: ModelPackageGroupConfig,
  target: DeploymentTarget,
): Promise<void> {
  if (!ctx.monitoring)
    throw new Error(
      `${target.endpointName} has monitoring, but the reconciler was given no monitoring role or report location (MONITORING_ROLE_ARN, MONITORING_REPORTS_S3_URI); deploy the stack again`,
    );
  const endpoint = await describeEndpoint(ctx.sagemaker, target.endpointName);
  if (endpoint && endpoint.status !== 'InService') return;
  const served = endpoint ? versionOfName(target.endpointName, endpoint.configName) : undefined;
  const versions =
    served === undefined
      ? []
      : await listVersions(ctx.sagemaker, ctx.groupReference?.(group.name) ?? group.name);
  const summary = versions.find((v) => v.version === served);
  const described = summary ? await describeModelVersion(ctx.sagemaker, summary.arn) : undefined;
  const observed = await observeMonitoring(ctx.sagemaker, target.endpointName);
  const plan = planMonitoring({
    target,
    ...(described
      ? { live: { version: described.version, arn: described.arn, baselines: described.baselines ?? {} } }
      : {}),
    roleArn: ctx.monitoring.roleArn,
    reportsS3Uri: ctx.monitoring.reportsS3Uri,
    ...observed,
  });
  await applyMonitoring(ctx.sagemaker, plan.actions);
}

/**
 * A monitoring execution of the target ended: what it found is read again from SageMaker and S3,
 * and violations come back to governance (domain/monitoring-plan.ts violationSteps): recorded in
 * lineage on the version they were found on (once per execution: a replayed event finds the action
 * and says nothing more), told, and with onViolation: rollback, the version rejected, whose model
 * package event the reconciler answers by serving the previous approved version.
 */
async function answerMonitoring(
  ctx: ReconcileContext,
  group: ModelPackageGroupConfig,
  target: DeploymentTarget,
  change: MonitoringExecutionChange,
): Promise<TargetOutcome> {
  if (!ctx.monitoring || !target.monitoring)
    return {
      outcome: 'skipped',
      code: 'not-monitored',
      reason: `${target.endpointName} is not monitored by this app`,
    };
  const result = await readMonitoringResult(
    ctx.sagemaker,
    ctx.monitoring.s3,
    target.endpointName,
    change.scheduleName,
    change.processingJobName,
  );
  if (!result)
    return {
      outcome: 'skipped',
      code: 'not-monitored',
      reason: `no monitoring execution ${change.processingJobName}`,
    };
  const steps = violationSteps(target.monitoring.onViolation, result);
  if (steps.length === 0 || result.version === undefined)
    return {
      outcome: 'skipped',
      code: 'monitoring-clean',
      reason: `monitoring execution ${change.processingJobName} is ${result.status}`,
    };
  const versions = await listVersions(ctx.sagemaker, ctx.groupReference?.(group.name) ?? group.name);
  const version = versions.find((v) => v.version === result.version);
  if (!version)
    return {
      outcome: 'skipped',
      code: 'monitoring-clean',
      reason: `v${result.version} is no longer in the registry`,
    };
  const action = monitoringViolationAction({
    processingJobArn: result.processingJobArn ?? change.processingJobName,
    processingJobName: change.processingJobName,
    scheduleName: result.scheduleName,
    monitorType: result.type,
    modelPackageArn: version.arn,
    groupName: group.name,
    version: version.version,
    endpointName: target.endpointName,
    checks: result.violations.map((v) => `${v.checkType} on ${v.featureName}`),
    ...(result.violationReport ? { report: result.violationReport } : {}),
    response: target.monitoring.onViolation,
  });
  const artifact = await ensureModelPackageArtifact(ctx.sagemaker, version.arn);
  const { arn, created } = await createActionOnce(ctx.sagemaker, action);
  await associateOnce(ctx.sagemaker, artifact, arn, 'AssociatedWith');
  let rejected = false;
  for (const step of steps) {
    if (step.kind !== 'reject-live') continue;
    const current = await describeModelVersion(ctx.sagemaker, version.arn);
    if (current?.approvalStatus === 'Approved') {
      await updateApproval(ctx.sagemaker, version.arn, { status: 'Rejected', description: step.reason });
      rejected = true;
    }
  }
  if (!created && !rejected)
    return {
      outcome: 'skipped',
      code: 'violation-recorded',
      reason: `the violations of ${change.processingJobName} are recorded already`,
    };
  return {
    outcome: 'monitoring-violation',
    version: version.version,
    modelPackageArn: version.arn,
    monitorType: result.type,
    response: target.monitoring.onViolation,
    violations: result.violations,
    ...(result.violationReport ? { report: result.violationReport } : {}),
    rejected,
  };
}

async function reconcileDeployment(
  ctx: ReconcileContext,
  group: ModelPackageGroupConfig,
  target: DeploymentTarget,
  reconcileTrigger: Exclude<ReconcileTrigger, { kind: 'monitoring' }>,
): Promise<TargetOutcome> {
  const trigger = plannerTrigger(reconcileTrigger);
  const sources = factSources(ctx);
  const observed = await observeTarget(sources, group, target, {
    executionRoleArn: ctx.executionRoleArn,
    ...(ctx.dataCaptureS3Uri ? { dataCaptureS3Uri: ctx.dataCaptureS3Uri } : {}),
    ...(ctx.shadowRoleArn ? { shadowRoleArn: ctx.shadowRoleArn } : {}),
  });
  let { decision } = await decideTarget(sources, observed, trigger);
  const actions = { ...ctx, target, groupName: group.name, endpoint: observed.endpoint };
  const setback = await carryOut(actions, decision.actions);
  if (setback) decision = afterSetback(decision, setback, trigger);
  if (decision.notify) await ctx.notify?.(decision.outcome);
  else return decision.outcome;
  await carryOut(actions, decision.afterNotify);
  return decision.outcome;
}
