/**
 * The endpoint reconciler: keeps every deployment target's endpoint serving its desired version.
 *
 * Triggers: the governed groups' model package state changes and the managed endpoints' own state
 * changes. Each run re-reads the registry and the endpoint and closes the difference; an event
 * only says which targets to look at.
 */
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';
import { findGroup, type GovernanceManifest, groupReference } from '../../core/manifest';
import { groupOfCard } from '../../core/model-card-naming';
import { recordRollbackNotified } from '../adapters/endpoints';
import { publishNotification } from '../adapters/notifications';
import { deploymentNotification, isNotable, type TargetReport } from '../core/deployment-report';
import { parseReconcileTrigger, type ReconcileTrigger } from '../core/events';
import { requiredEnv } from '../runtime/env';
import { logger } from '../runtime/logger';
import { loadManifest } from '../runtime/manifest';
import { reconcileTarget } from './reconcile';

const topicArn = requiredEnv('NOTIFICATION_TOPIC_ARN');
const executionRoleArn = requiredEnv('MODEL_EXECUTION_ROLE_ARN');
const dataCaptureS3Uri = process.env.DATA_CAPTURE_S3_URI || undefined;
const manifest = loadManifest();
const sagemaker = new SageMakerClient({ maxAttempts: 6, retryMode: 'adaptive' });
const sns = new SNSClient({ maxAttempts: 5 });
const autoscaling = new ApplicationAutoScalingClient({ maxAttempts: 6, retryMode: 'adaptive' });

export type ReconcileResult =
  | { readonly outcome: 'reconciled'; readonly targets: readonly TargetReport[] }
  | { readonly outcome: 'ignored'; readonly reason: string };

export async function handler(event: unknown): Promise<ReconcileResult> {
  const parsed = parseReconcileTrigger(event);
  if (!parsed.ok) return ignore(parsed.reason);
  const trigger = parsed.value;
  const targets = targetsFor(manifest, trigger);
  if (targets.length === 0) return ignore(`no deployment target for ${describe(trigger)}`);

  const reports: TargetReport[] = [];
  const failures: string[] = [];
  for (const { group, target } of targets) {
    try {
      const result = await reconcileTarget(
        {
          sagemaker,
          autoscaling,
          executionRoleArn,
          dataCaptureS3Uri,
          groupReference: (name) => groupReference(manifest, name),
        },
        group,
        target,
        trigger,
      );
      const report = { groupName: group.name, endpointName: target.endpointName, result };
      reports.push(report);
      logger.info(`reconciled ${target.endpointName}: ${result.outcome}`, { deployment: report });
      if (isNotable(report)) await publishNotification(sns, topicArn, deploymentNotification(report));
      if (result.outcome === 'rolled-back') {
        // Told once: recorded after the notification went out (a failure in between tells again).
        await recordRollbackNotified(sagemaker, result.endpointArn, {
          configName: result.rolledBackConfig,
          after: new Date(result.requestedAfter),
        });
      }
    } catch (error) {
      const message = `${target.endpointName}: ${(error as Error).name}: ${(error as Error).message}`;
      logger.error('reconcile failed', {
        endpointName: target.endpointName,
        groupName: group.name,
        error: error as Error,
      });
      failures.push(message);
    }
  }
  // Failing the invocation makes Lambda retry it (every target again: reconciling is idempotent),
  // then dead-letter the event with this message.
  if (failures.length > 0) throw new Error(`Reconciling failed for ${failures.join('; ')}`);
  return { outcome: 'reconciled', targets: reports };
}

function targetsFor(m: GovernanceManifest, trigger: ReconcileTrigger) {
  if (trigger.kind === 'model-package') {
    const group = findGroup(m, trigger.change.groupName);
    return (group?.deployments ?? []).map((target) => ({
      group: group as NonNullable<typeof group>,
      target,
    }));
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
    group.deployments.filter((t) => t.endpointName === endpointName).map((target) => ({ group, target })),
  );
}

function describe(trigger: ReconcileTrigger): string {
  switch (trigger.kind) {
    case 'model-package':
      return `group "${trigger.change.groupName}"`;
    case 'model-card':
      return `model card "${trigger.change.cardName}"`;
    case 'endpoint':
      return `endpoint "${trigger.change.endpointName}"`;
  }
}

function ignore(reason: string): ReconcileResult {
  logger.warn('event ignored', { reason });
  return { outcome: 'ignored', reason };
}
