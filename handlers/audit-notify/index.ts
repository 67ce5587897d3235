/**
 * Audit-and-notify: for every approval-state change of a governed model package version, write one
 * structured audit record and tell people on the notification topic.
 *
 * Trigger: the governed groups' `SageMaker Model Package State Change` events (asynchronous invoke).
 * Level-triggered: the registry, read now, is the truth; the event only says where to look.
 */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';
import { publishNotification } from '../../adapters/notifications';
import { describeModelVersion } from '../../adapters/sagemaker';
import { findGroup } from '../../core/manifest';
import { approvalNotification, buildApprovalAuditRecord } from '../../domain/audit';
import { concernsApproval, parseModelPackageStateChange } from '../../domain/events';
import { requiredEnv } from '../runtime/env';
import { governedHandler, type Ignored, ignored } from '../runtime/handler';
import { logger } from '../runtime/logger';
import { loadManifest } from '../runtime/manifest';
import { countApproval } from '../runtime/metrics';

const topicArn = requiredEnv('NOTIFICATION_TOPIC_ARN');
const manifest = loadManifest();
const sagemaker = new SageMakerClient({ maxAttempts: 5 });
const sns = new SNSClient({ maxAttempts: 5 });

export type AuditOutcome =
  | { readonly outcome: 'recorded'; readonly modelPackageArn: string; readonly messageId: string }
  | Ignored;

export const handler = governedHandler(handle);

async function handle(event: unknown): Promise<AuditOutcome> {
  const parsed = parseModelPackageStateChange(event);
  if (!parsed.ok) return ignored('unrecognised-event', parsed.reason);
  const change = parsed.value;
  logger.appendKeys({ modelPackageArn: change.modelPackageArn, eventId: change.eventId });
  try {
    if (!findGroup(manifest, change.groupName)) {
      return ignored(
        'not-governed',
        `model package group "${change.groupName}" is not governed by this stack`,
      );
    }
    if (!concernsApproval(change)) {
      return ignored(
        'not-applicable',
        `the change touched ${change.updatedFields?.join(', ')}, not the approval status`,
      );
    }
    const version = await describeModelVersion(sagemaker, change.modelPackageArn);
    if (!version)
      return ignored('gone', 'the model package version no longer exists (deleted since the event)');

    const record = buildApprovalAuditRecord(change, version);
    logger.info('model package approval state', { audit: record });
    if (record.approvalStatus === 'Approved') countApproval(record.groupName);
    const messageId = await publishNotification(sns, topicArn, approvalNotification(record));
    return { outcome: 'recorded', modelPackageArn: version.arn, messageId };
  } finally {
    logger.removeKeys(['modelPackageArn', 'eventId']);
  }
}
