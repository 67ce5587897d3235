/**
 * Governance policies on the registry: the quality gate on newly registered versions, and
 * separation of duties on approvals. Pure: decides what to change; the policy handler reads and writes.
 */
import type { ModelPackageGroupConfig } from '../../core/config/types';
import { type Notification, toSubject } from './audit';
import type { ApprovalStatus, ModelVersion } from './model-version';
import type { GateDecision } from './quality-gate';
import { APPROVAL_DESCRIPTION_LIMIT, truncate } from './quality-gate';

/** CustomerMetadataProperties key under which the gate records its outcome: decided once per version. */
export const GATE_METADATA_KEY = 'model-governance:quality-gate';

export type PolicyStep =
  | { readonly kind: 'evaluate-gate' }
  | { readonly kind: 'revert-self-approval'; readonly identity: string }
  | { readonly kind: 'none'; readonly reason: string };

/**
 * How long after registration an approved version the gate has not decided is still checked: long
 * enough for a version registered as Approved, or approved before the gate's first run; short
 * enough that adding a gate to a group never rejects the versions approved (and live) before it.
 */
export const GATE_CATCH_UP_MS = 60 * 60 * 1000;

/**
 * What the policies ask of this version now. The gate runs once per version: on a pending version,
 * or on one approved within GATE_CATCH_UP_MS of its registration (registered as Approved, or
 * approved before the gate could run). A version the gate has decided is not evaluated again, so a
 * person can still overrule it, and that overruling is on record.
 */
export function nextPolicyStep(group: ModelPackageGroupConfig, v: ModelVersion, now: Date): PolicyStep {
  if (group.qualityGate && v.metadata?.[GATE_METADATA_KEY] === undefined) {
    if (v.approvalStatus === 'PendingManualApproval') return { kind: 'evaluate-gate' };
    if (v.approvalStatus === 'Approved' && now.getTime() - v.creationTime.getTime() <= GATE_CATCH_UP_MS) {
      return { kind: 'evaluate-gate' };
    }
  }
  if (group.separationOfDuties && v.approvalStatus === 'Approved') {
    const identity = selfApprover(v);
    if (identity) return { kind: 'revert-self-approval', identity };
    return { kind: 'none', reason: 'approved by someone other than the registrant' };
  }
  return { kind: 'none', reason: `no policy applies to a ${v.approvalStatus} version here` };
}

/**
 * The identity that both registered and approved the version, if it is one and the same. The
 * approver is whoever last modified the version (for a version registered as Approved and not
 * changed since, the registrant). Unknown identities are never taken as equal.
 */
export function selfApprover(v: Pick<ModelVersion, 'createdBy' | 'lastModifiedBy'>): string | undefined {
  const approver = v.lastModifiedBy ?? v.createdBy;
  return v.createdBy !== undefined && approver === v.createdBy ? v.createdBy : undefined;
}

/** The registry update a gate decision leads to. */
export interface RegistryUpdate {
  readonly status: ApprovalStatus;
  /** Undefined: keep the ApprovalDescription the version has. */
  readonly description?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * The registry update a gate decision leads to, for a version now in `current` status. A person's
 * approval that beat the gate to it stands when the gate passes (only the decision is recorded).
 */
export function gateUpdate(
  group: ModelPackageGroupConfig,
  decision: GateDecision,
  current: ApprovalStatus,
): RegistryUpdate {
  const metadata = { [GATE_METADATA_KEY]: decision.outcome };
  if (current === 'Approved' && decision.outcome === 'passed') return { status: 'Approved', metadata };
  switch (decision.outcome) {
    case 'failed':
      return { status: 'Rejected', description: decision.summary, metadata };
    case 'undetermined':
      return { status: 'PendingManualApproval', description: decision.summary, metadata };
    case 'passed':
      return group.qualityGate?.autoApprove
        ? {
            status: 'Approved',
            description: truncate(`Approved automatically: ${decision.summary}`, APPROVAL_DESCRIPTION_LIMIT),
            metadata,
          }
        : {
            status: 'PendingManualApproval',
            description: truncate(`${decision.summary}; awaiting approval`, APPROVAL_DESCRIPTION_LIMIT),
            metadata,
          };
  }
}

export function selfApprovalUpdate(identity: string): RegistryUpdate {
  return {
    status: 'PendingManualApproval',
    description: truncate(
      `Approval reverted: ${identity} registered this version and cannot also approve it (separation of duties); another approver must approve it.`,
      APPROVAL_DESCRIPTION_LIMIT,
    ),
    metadata: {},
  };
}

/** What people are told of a policy decision: every check, not only the 1,024 characters the registry keeps. */
export function policyNotification(
  v: Pick<ModelVersion, 'groupName' | 'version' | 'arn' | 'createdBy'>,
  outcome: 'gate-decided' | 'self-approval-reverted',
  update: RegistryUpdate,
  decision: GateDecision | undefined,
): Notification {
  const what =
    outcome === 'self-approval-reverted'
      ? 'self-approval reverted'
      : decision?.outcome === 'failed'
        ? 'rejected by the quality gate'
        : decision?.outcome === 'undetermined'
          ? 'needs review: quality gate undecided'
          : update.status === 'Approved'
            ? 'passed the quality gate and was approved'
            : 'passed the quality gate';
  const lines = [
    `Model package ${v.groupName} version ${v.version}: ${what}.`,
    '',
    `Status now:  ${update.status}`,
    ...(update.description ? [`Reason:      ${update.description}`] : []),
    ...(v.createdBy ? [`Registered by: ${v.createdBy}`] : []),
    `ARN:         ${v.arn}`,
  ];
  if (decision) {
    lines.push('', 'Checks:');
    for (const c of decision.checks) lines.push(`  [${CHECK_MARK[c.outcome]}] ${c.threshold}: ${c.note}`);
  }
  return {
    subject: toSubject(`[model-governance] ${v.groupName} v${v.version} ${what}`),
    message: lines.join('\n'),
    attributes: {
      group: v.groupName,
      approvalStatus: update.status,
      kind: outcome === 'gate-decided' ? `quality-gate-${decision?.outcome ?? 'decided'}` : outcome,
    },
  };
}

const CHECK_MARK = { met: 'ok', 'not-met': 'FAILED', undetermined: '??' } as const;
