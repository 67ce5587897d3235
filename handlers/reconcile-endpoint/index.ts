/**
 * The endpoint reconciler: keeps every deployment target's endpoint serving its desired version.
 *
 * Triggers: the governed groups' model package state changes, the managed endpoints' own state
 * changes, the card-gated groups' model card state changes, and its own stack settling after a
 * deployment (which can change any target's configuration without a SageMaker event). Each run re-reads the registry and the endpoint and closes the difference; an event
 * only says which targets to look at.
 */
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECRClient } from '@aws-sdk/client-ecr';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';
import { readCardContentRecord } from '../../adapters/card-records';
import { readRecordEntries } from '../../adapters/governance-record';
import { createActionOnce } from '../../adapters/lineage';
import { publishNotification } from '../../adapters/notifications';
import { describeModelVersion } from '../../adapters/sagemaker';
import { findGroup, type GovernanceManifest, groupReference } from '../../core/manifest';
import { groupOfCard, modelCardPrefix } from '../../core/model-card-naming';
import { approvalToServingSeconds } from '../../domain/approval-to-serving';
import {
  deploymentNotification,
  type TargetOutcome,
  type TargetReport,
} from '../../domain/deployment-report';
import { parseReconcileTrigger, type ReconcileTrigger } from '../../domain/events';
import { recordedVersion } from '../../domain/governance-record';
import { reconcileFailureAction } from '../../domain/lineage-plan';
import { principalOf } from '../../domain/principal';
import { requiredEnv } from '../runtime/env';
import { governedHandler, type Ignored, ignored } from '../runtime/handler';
import { logger } from '../runtime/logger';
import { loadManifest } from '../runtime/manifest';
import { countDeployment, countMonitoringExecution, recordApprovalToServing } from '../runtime/metrics';
import { reconcileTarget } from './reconcile';

const topicArn = requiredEnv('NOTIFICATION_TOPIC_ARN');
const executionRoleArn = requiredEnv('MODEL_EXECUTION_ROLE_ARN');
const dataCaptureS3Uri = process.env.DATA_CAPTURE_S3_URI || undefined;
/** The policy handler's role (separation of duties): unset, no such group's version deploys (fail closed). */
const approvalChecker = principalOf({
  IamIdentity: { Arn: process.env.APPROVAL_CHECKER_ROLE_ARN || undefined },
});
/**
 * The quality gate's verdicts (the policy handler's store in the audit bucket): a gated group's
 * version deploys only with its verdict, and only while its model data matches the verdict's pins.
 * Unset in a deployment account's stack, which cannot read the registry account's audit bucket.
 */
const verdictStore = process.env.VERDICT_S3_URI || undefined;
/** The governance record (docs/governance-record.md): unset where the stack cannot read it. */
const recordStore = process.env.GOVERNANCE_RECORD_S3_URI || undefined;
/** Where the model-cards handler keeps the content it generated (card gate); unset: no card is taken as reviewed. */
const cardContentStore = process.env.CARD_CONTENT_S3_URI || undefined;
const manifest = loadManifest();
const sagemaker = new SageMakerClient({ maxAttempts: 6, retryMode: 'adaptive' });
const s3 = new S3Client({ maxAttempts: 3 });
const recordedCardContent = cardContentStore
  ? async (cardName: string) => (await readCardContentRecord(s3, cardContentStore, cardName))?.sha256
  : undefined;
const sns = new SNSClient({ maxAttempts: 5 });
const autoscaling = new ApplicationAutoScalingClient({ maxAttempts: 6, retryMode: 'adaptive' });
const verdicts = verdictStore ? { s3, ecr: new ECRClient({ maxAttempts: 3 }), uri: verdictStore } : undefined;
const cloudwatch = new CloudWatchClient({ maxAttempts: 5 });
/** The role SageMaker runs shadow tests with; set when a target has `shadow`. */
const shadowRoleArn = process.env.SHADOW_TEST_ROLE_ARN || undefined;
/** The role SageMaker runs monitoring jobs with, and where they report; set when a target has `monitoring`. */
const monitoringRoleArn = process.env.MONITORING_ROLE_ARN || undefined;
const monitoringReports = process.env.MONITORING_REPORTS_S3_URI || undefined;
const monitoring =
  monitoringRoleArn && monitoringReports
    ? { roleArn: monitoringRoleArn, reportsS3Uri: monitoringReports, s3 }
    : undefined;

function accountOf(arn: string): string {
  const account = arn.split(':')[4];
  if (!account) throw new Error(`MODEL_EXECUTION_ROLE_ARN "${arn}" is not an IAM role ARN`);
  return account;
}

export type ReconcileResult =
  | { readonly outcome: 'reconciled'; readonly targets: readonly TargetReport[] }
  | Ignored;

/** What every target's run shares. */
const context = {
  sagemaker,
  autoscaling,
  executionRoleArn,
  dataCaptureS3Uri,
  ...(approvalChecker ? { approvalChecker } : {}),
  ...(verdicts ? { verdicts } : {}),
  // The endpoints' account is the execution role's: the reconciler's requests are recorded under it.
  ...(recordStore ? { record: { s3, uri: recordStore, account: accountOf(executionRoleArn) } } : {}),
  cloudwatch,
  ...(shadowRoleArn ? { shadowRoleArn } : {}),
  ...(monitoring ? { monitoring } : {}),
  ...(recordedCardContent ? { recordedCardContent } : {}),
  // A ModelDeployment's (a deployment account's, or one beside the registry): the card gate reads the
  // reviews the registry's model-cards handler recorded (it cannot read the cards of another account,
  // nor that handler's generated-content store).
  ...(recordStore && !cardContentStore ? { cards: 'record' as const } : {}),
  groupReference: (name: string) => groupReference(manifest, name),
};

export const handler = governedHandler(handle);

/** How long a card's approval may wait for its review to reach the record (awaitCardReview). */
const CARD_REVIEW_WAIT = { attempts: 10, everyMs: 1_000 };

/**
 * A ModelDeployment hears of a card's approval (the event the registry forwards) at the moment the
 * registry's model-cards handler does, and decides from the review that handler records: the record
 * gets a few seconds to catch up with a card the event says is Approved. A card the handler does not
 * take as reviewed (content it did not generate) gets no review, and is held after the wait.
 */
async function awaitCardReview(trigger: ReconcileTrigger): Promise<void> {
  if (trigger.kind !== 'model-card' || trigger.change.status !== 'Approved') return;
  if (context.cards !== 'record' || !recordStore) return;
  const name = trigger.change.cardName;
  const group = groupOfCard(manifest.groups, name);
  if (!group) return;
  const version = Number(name.slice(`${modelCardPrefix(group.name)}-v`.length));
  // The record is kept by group and version (governance-record.ts versionOfArn reads the ARN's tail).
  const arn = `model-package/${group.name}/${version}`;
  for (let attempt = 1; attempt <= CARD_REVIEW_WAIT.attempts; attempt++) {
    const review = recordedVersion(await readRecordEntries(s3, recordStore, arn)).card;
    if (review?.cardName === name && review.reviewed) return;
    await new Promise((resolve) => setTimeout(resolve, CARD_REVIEW_WAIT.everyMs));
  }
  logger.info('card approved, but no review of it recorded', { cardName: name });
}

async function handle(event: unknown): Promise<ReconcileResult> {
  const parsed = parseReconcileTrigger(event);
  if (!parsed.ok) return ignored('unrecognised-event', parsed.reason);
  const trigger = parsed.value;
  const targets = targetsFor(manifest, trigger);
  if (targets.length === 0) return ignored('not-governed', `no deployment target for ${describe(trigger)}`);
  await awaitCardReview(trigger);

  const reports: TargetReport[] = [];
  const failures: string[] = [];
  for (const { group, target } of targets) {
    try {
      const notify = async (result: TargetOutcome) => {
        const report = { groupName: group.name, endpointName: target.endpointName, result };
        await publishNotification(sns, topicArn, deploymentNotification(report));
      };
      const result = await reconcileTarget({ ...context, notify }, group, target, trigger);
      const report = { groupName: group.name, endpointName: target.endpointName, result };
      reports.push(report);
      logger.info('target reconciled', { outcome: result.outcome, deployment: report });
      await measure(group.name, target.endpointName, result);
    } catch (error) {
      const message = `${target.endpointName}: ${(error as Error).name}: ${(error as Error).message}`;
      logger.error('reconcile failed', {
        endpointName: target.endpointName,
        groupName: group.name,
        error: error as Error,
      });
      failures.push(message);
      await recordFailure(event, group.name, target.endpointName, error as Error);
    }
  }
  // Failing the invocation makes Lambda retry it (every target again: reconciling is idempotent),
  // then dead-letter the event with this message.
  if (failures.length > 0) throw new Error(`Reconciling failed for ${failures.join('; ')}`);
  return { outcome: 'reconciled', targets: reports };
}

/**
 * Keeps the failure where the person waiting looks (`mgov status`, `mgov approve --wait`): a
 * lineage action on the target's name. Recording it must not hide the failure itself, so its own
 * error is only logged.
 */
async function recordFailure(event: unknown, groupName: string, endpointName: string, error: Error) {
  const id = (event as { id?: unknown } | null)?.id;
  const at = new Date().toISOString();
  try {
    await createActionOnce(
      sagemaker,
      reconcileFailureAction({
        endpointName,
        groupName,
        eventId: typeof id === 'string' ? id : at,
        errorName: error.name,
        errorMessage: error.message,
        at,
      }),
    );
  } catch (recording) {
    logger.warn('could not record the failure for mgov', { endpointName, error: recording as Error });
  }
}

/** The deployment metrics of one target's outcome (names: core/operations.ts). */
async function measure(groupName: string, endpointName: string, result: TargetOutcome): Promise<void> {
  switch (result.outcome) {
    case 'deploy-started':
      return countDeployment('deploymentStarted', groupName, endpointName);
    case 'rolled-back':
      return countDeployment('deploymentRolledBack', groupName, endpointName);
    case 'held':
      return countDeployment('deploymentHeld', groupName, endpointName);
    case 'monitoring-violation':
      return countMonitoringExecution(true, groupName, endpointName);
    case 'skipped':
      // A clean execution; a replayed one (violation-recorded) was counted when first seen.
      if (result.code === 'monitoring-clean') countMonitoringExecution(false, groupName, endpointName);
      return;
    case 'deploy-completed': {
      countDeployment('deploymentCompleted', groupName, endpointName);
      // Settled now: this run is the endpoint's InService event (see approvalToServingSeconds).
      const settledAt = new Date();
      try {
        const version = await describeModelVersion(sagemaker, result.modelPackageArn);
        const seconds = approvalToServingSeconds(version, settledAt);
        if (seconds === undefined) logger.info('approval to serving not measured', { endpointName });
        else recordApprovalToServing(seconds, groupName, endpointName);
      } catch (error) {
        // A measurement is not worth a retry of a deployment that succeeded.
        logger.warn('approval to serving not measured', { endpointName, error: error as Error });
      }
      return;
    }
  }
}

function targetsFor(m: GovernanceManifest, trigger: ReconcileTrigger) {
  if (trigger.kind === 'shadow-check') {
    return m.groups.flatMap((group) =>
      group.deployments
        .filter(
          (t) =>
            t.shadow ||
            t.monitoring?.onViolation === 'hold' ||
            (t.requireApprovedModelCard && context.cards === 'record'),
        )
        .map((target) => ({ group, target })),
    );
  }
  if (trigger.kind === 'model-package') {
    const group = findGroup(m, trigger.change.groupName);
    return (group?.deployments ?? []).map((target) => ({
      group: group as NonNullable<typeof group>,
      target,
    }));
  }
  if (trigger.kind === 'stack-deployed') {
    return m.groups.flatMap((group) => group.deployments.map((target) => ({ group, target })));
  }
  if (trigger.kind === 'model-card') {
    // A reviewed card can release a held version: look again at the card-gated targets of its group.
    const group = groupOfCard(m.groups, trigger.change.cardName);
    return (group?.deployments ?? [])
      .filter((t) => t.requireApprovedModelCard)
      .map((target) => ({ group: group as NonNullable<typeof group>, target }));
  }
  const endpointName = trigger.change.endpointName;
  return m.groups.flatMap((group) =>
    group.deployments
      .filter((t) => t.endpointName === endpointName && (trigger.kind !== 'monitoring' || t.monitoring))
      .map((target) => ({ group, target })),
  );
}

function describe(trigger: ReconcileTrigger): string {
  switch (trigger.kind) {
    case 'shadow-check':
      return 'the periodic shadow-test check';
    case 'model-package':
      return `group "${trigger.change.groupName}"`;
    case 'model-card':
      return `model card "${trigger.change.cardName}"`;
    case 'endpoint':
      return `endpoint "${trigger.change.endpointName}"`;
    case 'stack-deployed':
      return `stack ${trigger.change.stackId} (${trigger.change.status})`;
    case 'monitoring':
      return `monitoring schedule "${trigger.change.scheduleName}"`;
  }
}
