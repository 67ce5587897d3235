import { concernsStage, type ModelPackageStateChange } from './events';
import type { ApprovalStatus, ModelVersion } from './model-version';

/** One audit record per approval-state change: what auditors query in CloudWatch Logs Insights. */
export interface ApprovalAuditRecord {
  readonly kind: 'model-package-approval';
  readonly eventId: string;
  readonly eventTime: string;
  readonly groupName: string;
  readonly version: number;
  readonly modelPackageArn: string;
  /** The status in the registry when the handler read it: the truth. */
  readonly approvalStatus: ApprovalStatus;
  /** The status the event reported, when it differs from the registry's (a late or replayed event). */
  readonly reportedApprovalStatus?: ApprovalStatus;
  /** The previous status, when known (the event stream alone does not carry it). */
  readonly previousApprovalStatus?: ApprovalStatus;
  readonly approvalDescription?: string;
  readonly changedBy?: string;
  readonly registeredBy?: string;
  readonly changedAt?: string;
  readonly registeredAt: string;
  /** The version's ModelLifeCycle stage (`<Stage>/<StageStatus>`), when it has one. */
  readonly stage?: string;
  /** The change set the stage (a promotion): who set it is `changedBy`. */
  readonly stageChange?: true;
}

export function buildApprovalAuditRecord(
  change: ModelPackageStateChange,
  version: ModelVersion,
  previousApprovalStatus?: ApprovalStatus,
): ApprovalAuditRecord {
  const reported = change.reportedApprovalStatus;
  return {
    kind: 'model-package-approval',
    eventId: change.eventId,
    eventTime: change.time,
    groupName: version.groupName,
    version: version.version,
    modelPackageArn: version.arn,
    approvalStatus: version.approvalStatus,
    ...(reported && reported !== version.approvalStatus ? { reportedApprovalStatus: reported } : {}),
    ...(previousApprovalStatus ? { previousApprovalStatus } : {}),
    ...(version.approvalDescription ? { approvalDescription: version.approvalDescription } : {}),
    ...(version.lastModifiedBy ? { changedBy: version.lastModifiedBy } : {}),
    ...(version.createdBy ? { registeredBy: version.createdBy } : {}),
    ...(version.lastModifiedTime ? { changedAt: version.lastModifiedTime.toISOString() } : {}),
    registeredAt: version.creationTime.toISOString(),
    ...(version.lifeCycle ? { stage: `${version.lifeCycle.stage}/${version.lifeCycle.stageStatus}` } : {}),
    ...(concernsStage(change) && !change.updatedFields?.includes('ModelApprovalStatus')
      ? { stageChange: true as const }
      : {}),
  };
}

const STATUS_WORDS: Record<ApprovalStatus, string> = {
  Approved: 'approved',
  Rejected: 'rejected',
  PendingManualApproval: 'waiting for approval',
};

export interface Notification {
  /** SNS subjects are at most 100 printable ASCII characters. */
  readonly subject: string;
  readonly message: string;
  /** Message attributes, so subscribers can filter by group or status. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** A readable notification for people, from the audit record. */
export function approvalNotification(record: ApprovalAuditRecord): Notification {
  const what =
    record.stageChange && record.stage
      ? `${record.groupName} v${record.version} at stage ${record.stage}`
      : `${record.groupName} v${record.version} ${STATUS_WORDS[record.approvalStatus]}`;
  const lines = [
    `Model package ${record.groupName} version ${record.version} is ${STATUS_WORDS[record.approvalStatus]}.`,
    '',
    `Status:      ${record.approvalStatus}${record.previousApprovalStatus ? ` (was ${record.previousApprovalStatus})` : ''}`,
    `Changed by:  ${record.changedBy ?? 'unknown'}`,
    `Changed at:  ${record.changedAt ?? record.eventTime}`,
    `Reason:      ${record.approvalDescription ?? '(none given)'}`,
    ...(record.stage ? [`Stage:       ${record.stage}`] : []),
    `Registered:  ${record.registeredAt}${record.registeredBy ? ` by ${record.registeredBy}` : ''}`,
    `ARN:         ${record.modelPackageArn}`,
  ];
  if (record.reportedApprovalStatus) {
    lines.push(
      '',
      `Note: the event reported ${record.reportedApprovalStatus}; the registry now says ${record.approvalStatus} (a later change superseded it).`,
    );
  }
  return {
    subject: toSubject(`[model-governance] ${what}`),
    message: lines.join('\n'),
    attributes: { group: record.groupName, approvalStatus: record.approvalStatus, kind: record.kind },
  };
}

/** SNS rejects subjects over 100 characters or with control or non-ASCII characters. */
export function toSubject(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= 100 ? ascii : `${ascii.slice(0, 97)}...`;
}
