/**
 * Governance policies on the registry: the quality gate on newly registered versions, and
 * separation of duties on approvals. Pure: decides what to change; the policy handler reads and writes.
 */
import type { ModelPackageGroupConfig } from '../core/config/types';
import {
  APPROVED_BY_KEY,
  APPROVED_BY_PRINCIPAL_KEY,
  CONTENT_KEY,
  CONTENT_UNRECORDED,
  encodePrincipal,
  type RegistrationRecord,
} from './approval-check';
import { type ArtifactPins, GATE_CATCH_UP_MS } from './artifact-pins';
import { type Notification, toSubject } from './audit';
import type { ApprovalStatus, ModelVersion } from './model-version';
import {
  comparePersons,
  describePrincipal,
  type Principal,
  samePrincipal,
  sharedRole,
  studioDomainOf,
} from './principal';
import type { GateDecision } from './quality-gate';
import { approvalDescription, metadataValue } from './service-values';

/**
 * CustomerMetadataProperties key under which the gate shows its outcome. Shown only: anyone who may
 * register or update a version can write this key, so the gate never trusts it. The verdict that
 * counts is the one the policy handler keeps in its own store (see GateVerdict).
 */
export const GATE_METADATA_KEY = 'model-governance:quality-gate';

/** What the policy handler keeps of a gate decision, where only it can write (the audit bucket, verdicts.ts). */
export interface GateVerdict {
  readonly arn: string;
  readonly outcome: 'passed' | 'failed' | 'undetermined';
  readonly decidedAt: string;
  /**
   * The version's artifacts as the gate read them (artifact-pins.ts): the reconciler deploys only
   * model data that still matches, and a later gate compares with these metrics. Absent from
   * verdicts decided before pins existed.
   */
  readonly artifacts?: ArtifactPins;
  /**
   * The version's LastModifiedTime (SageMaker's clock) when the gate decided, and the decision: the
   * verdict is written before the registry update (whose event wakes the reconciler), so a version
   * still unchanged since then never received the update, and the handler applies it again.
   */
  readonly basedOn?: string;
  readonly decision?: GateDecision;
}

export type PolicyStep =
  | { readonly kind: 'evaluate-gate' }
  /** The verdict was kept but its registry update never landed (a failure in between): apply it. */
  | { readonly kind: 'apply-verdict'; readonly decision: GateDecision }
  | { readonly kind: 'revert-self-approval'; readonly identity: string }
  /**
   * The approver and the registrant act as one shared role (a Studio domain's execution role) and
   * at least one carries no SourceIdentity: they cannot be told apart, so the approval waits.
   */
  | { readonly kind: 'hold-indistinct-approval'; readonly hold: IndistinctApproval }
  /** Separation of duties cannot be checked: the version's CreatedBy names nobody (fail closed). */
  | { readonly kind: 'revert-unidentified-registrant'; readonly reason: string }
  | { readonly kind: 'revert-unattributed-approval'; readonly reason: string }
  /** The deployable content is not the registered one (approval-check.ts). */
  | { readonly kind: 'revert-changed-content'; readonly reason: string }
  /** An approval by someone other than the registrant: the policy handler records its check. */
  | { readonly kind: 'record-approval'; readonly approver: string }
  | { readonly kind: 'none'; readonly reason: string };

/**
 * How long after registration an approved version the gate has not decided is still checked: long
 * enough for a version registered as Approved, or approved before the gate's first run; short
 * enough that adding a gate to a group never rejects the versions approved (and live) before it.
 */
export { GATE_CATCH_UP_MS };

/** What the policy handler knows besides the version. */
export interface PolicyContext {
  readonly now: Date;
  /** The gate's own verdict on this version, from its own store; undefined when it has none. */
  readonly verdict?: GateVerdict;
  /** The policy handler's own principal: its writes are not approvals. */
  readonly self?: Principal;
  /** What the triggering event reported: the status and when that change was made. */
  readonly event?: { readonly reportedApprovalStatus?: ApprovalStatus; readonly reportedAt?: string };
  /** What the policy handler recorded of the version's registration (separation-of-duties groups). */
  readonly registration?: RegistrationRecord;
  /** Through which change the policy handler has decided the version's approvals (its own store). */
  readonly decided?: ApprovalDecisions;
}

/**
 * What the policy handler keeps of the approvals it has decided, where only it writes: every change
 * of the version up to `decidedThrough` (the registry's LastModifiedTime, ISO 8601) has been decided,
 * by a check, a revert, or the handler's own write. An event that reports an older change (a late
 * delivery, an archive replay with `replay-name`) is then no evidence of an approval nobody checked.
 */
export interface ApprovalDecisions {
  readonly arn: string;
  readonly decidedThrough: string;
}

/** The later of a kept record and a newly decided change (records only move forward). */
export function decidedThrough(
  arn: string,
  kept: ApprovalDecisions | undefined,
  through: Date | undefined,
): ApprovalDecisions | undefined {
  if (!through) return undefined;
  if (kept && Date.parse(kept.decidedThrough) >= through.getTime()) return undefined;
  return { arn, decidedThrough: through.toISOString() };
}

/**
 * What the policies ask of this version now.
 *
 * Separation of duties is decided first, before the gate can write anything: the
 * approval's maker is the identity that made the version's latest change, compared as a principal
 * with the registrant. When the event reports an approval made before the version's latest change
 * by someone else, who approved can no longer be read from the registry (SageMaker keeps only the
 * last modifier): the approval is reverted and must be made again (fail closed).
 *
 * The gate runs once per version: on a pending version, or on one approved within GATE_CATCH_UP_MS of
 * its registration. Whether it has decided is read from its own store only, never from the version's
 * metadata, so a verdict that came with the registration is ignored.
 */
export function nextPolicyStep(
  group: ModelPackageGroupConfig,
  v: ModelVersion,
  ctx: PolicyContext,
): PolicyStep {
  if (group.separationOfDuties && v.approvalStatus === 'Approved') {
    const unidentified = unidentifiedRegistrant(v);
    if (unidentified) return { kind: 'revert-unidentified-registrant', reason: unidentified };
    const identity = selfApprover(v);
    if (identity) return { kind: 'revert-self-approval', identity };
    const indistinct = indistinctApproval(v);
    if (indistinct) return { kind: 'hold-indistinct-approval', hold: indistinct };
    const unattributed = unattributedApproval(v, ctx);
    if (unattributed) return { kind: 'revert-unattributed-approval', reason: unattributed };
    const changed = contentChange(v, ctx.registration);
    if (changed) return { kind: 'revert-changed-content', reason: changed };
  }
  const unapplied = group.qualityGate ? unappliedVerdict(v, ctx.verdict) : undefined;
  if (unapplied) return { kind: 'apply-verdict', decision: unapplied };
  if (group.qualityGate && ctx.verdict?.arn !== v.arn) {
    if (v.approvalStatus === 'PendingManualApproval') return { kind: 'evaluate-gate' };
    if (v.approvalStatus === 'Approved' && ctx.now.getTime() - v.creationTime.getTime() <= GATE_CATCH_UP_MS) {
      return { kind: 'evaluate-gate' };
    }
  }
  if (group.separationOfDuties && v.approvalStatus === 'Approved') {
    // The policy handler's own change is its check (or its gate decision, made after these checks).
    if (samePrincipal(v.lastModifiedByPrincipal, ctx.self))
      return { kind: 'none', reason: 'approval already checked' };
    return { kind: 'record-approval', approver: v.lastModifiedBy ?? 'another principal' };
  }
  return { kind: 'none', reason: `no policy applies to this version as it is (${v.approvalStatus})` };
}

/** The kept decision whose registry update never landed: the version has not changed since it was decided. */
export function unappliedVerdict(
  v: Pick<ModelVersion, 'arn' | 'lastModifiedTime' | 'creationTime'>,
  verdict: GateVerdict | undefined,
): GateDecision | undefined {
  if (verdict?.arn !== v.arn || !verdict.basedOn || !verdict.decision) return undefined;
  return versionBasis(v) === verdict.basedOn ? verdict.decision : undefined;
}

/** What a verdict is based on: the version's LastModifiedTime (its CreationTime before any change). */
export function versionBasis(v: Pick<ModelVersion, 'lastModifiedTime' | 'creationTime'>): string {
  return (v.lastModifiedTime ?? v.creationTime).toISOString();
}

/**
 * Why the approval cannot be attributed, if it cannot: the event reports the version Approved by a
 * change older than its latest one, and that latest change is not the policy handler's own.
 */
export function unattributedApproval(
  v: Pick<ModelVersion, 'lastModifiedTime' | 'lastModifiedByPrincipal'>,
  ctx: Pick<PolicyContext, 'event' | 'self' | 'decided'>,
): string | undefined {
  const reportedAt = ctx.event?.reportedAt ? Date.parse(ctx.event.reportedAt) : Number.NaN;
  if (ctx.event?.reportedApprovalStatus !== 'Approved' || Number.isNaN(reportedAt)) return undefined;
  if (!v.lastModifiedTime || reportedAt >= v.lastModifiedTime.getTime()) return undefined;
  if (samePrincipal(v.lastModifiedByPrincipal, ctx.self)) return undefined;
  // A change the handler has already decided (checked, reverted, or written itself) is history: an
  // old event of it, redelivered or replayed from the archive, decides nothing again.
  if (ctx.decided && reportedAt <= Date.parse(ctx.decided.decidedThrough)) return undefined;
  return 'the version changed again before the approval could be checked, so who approved it cannot be established';
}

/** Why the version's deployable content is not the registered one, if it is not. */
export function contentChange(
  v: Pick<ModelVersion, 'contentFingerprint'>,
  registration: RegistrationRecord | undefined,
): string | undefined {
  if (!registration?.fingerprint)
    return `its registered content is unknown (${registration?.reason ?? 'no registration record'}), so a rewrite cannot be ruled out; register a new version`;
  if (registration.fingerprint !== v.contentFingerprint)
    return 'its deployable content (containers, model data, SourceUri) was changed after registration; register a new version';
  return undefined;
}

/** The metadata the policy handler writes with every change it makes to a separation-of-duties version. */
export function checkMetadata(
  registration: RegistrationRecord | undefined,
  approver: string | undefined,
  approverPrincipal?: Principal,
): Record<string, string> {
  return {
    [CONTENT_KEY]: registration?.fingerprint ?? CONTENT_UNRECORDED,
    ...(approver ? { [APPROVED_BY_KEY]: metadataValue(approver) } : {}),
    ...(approverPrincipal ? { [APPROVED_BY_PRINCIPAL_KEY]: encodePrincipal(approverPrincipal) } : {}),
  };
}

export function changedContentUpdate(reason: string): RegistryUpdate {
  return {
    status: 'PendingManualApproval',
    description: approvalDescription(`Approval reverted: ${reason} (separation of duties).`),
    metadata: {},
  };
}

/**
 * Why separation of duties cannot be checked for this version, if it cannot: SageMaker's CreatedBy
 * carries no identity we can compare (no IAM identity, SourceIdentity or Studio user profile), so
 * nobody can be shown not to be its registrant. Fail closed: such a version is never deployed by a
 * separation-of-duties group, and its approval is reverted with this reason.
 */
export function unidentifiedRegistrant(v: Pick<ModelVersion, 'createdByPrincipal'>): string | undefined {
  if (v.createdByPrincipal) return undefined;
  return 'its registrant cannot be identified (CreatedBy names no IAM identity, SourceIdentity or Studio user profile), so separation of duties cannot be checked';
}

/** What an operator must do about a version whose registrant cannot be identified. */
export const UNIDENTIFIED_REGISTRANT_REMEDY =
  'register the version again with credentials SageMaker records (an IAM role or user, or a Studio user profile), and have another principal approve it';

/**
 * The registrant, when the approval's maker is the registrant: the identity of the version's latest
 * change (for a version registered as Approved and not changed since, the registration) compared as
 * a person with the registrant (principal.ts comparePersons: the role, not the session; the same
 * SourceIdentity or Studio user profile). Unknown identities are never taken as equal.
 */
export function selfApprover(
  v: Pick<ModelVersion, 'createdBy' | 'createdByPrincipal' | 'lastModifiedByPrincipal'>,
): string | undefined {
  const registrant = v.createdByPrincipal;
  if (!registrant) return undefined;
  // Registered as Approved and never changed since: the registration's own call approved it.
  const self =
    v.lastModifiedByPrincipal === undefined ||
    comparePersons(registrant, v.lastModifiedByPrincipal) === 'same';
  return self ? (v.createdBy ?? describePrincipal(registrant)) : undefined;
}

/** An approval whose maker cannot be told apart from the registrant (see PolicyStep). */
export interface IndistinctApproval {
  readonly registrant: string;
  readonly approver: string;
  /** The IAM role both act as. */
  readonly role: string;
  /** The Studio domain, when either names one. */
  readonly domain?: string;
}

/**
 * The approval, when its maker and the registrant share a role and SageMaker's record cannot tell
 * them apart (principal.ts comparePersons `indistinct`: a Studio domain without
 * `ExecutionRoleIdentityConfig: USER_PROFILE_NAME`, so its sessions carry no SourceIdentity).
 */
export function indistinctApproval(
  v: Pick<ModelVersion, 'createdBy' | 'lastModifiedBy' | 'createdByPrincipal' | 'lastModifiedByPrincipal'>,
): IndistinctApproval | undefined {
  const registrant = v.createdByPrincipal;
  const approver = v.lastModifiedByPrincipal;
  if (!registrant || !approver || comparePersons(registrant, approver) !== 'indistinct') return undefined;
  const role = sharedRole(registrant, approver);
  if (!role) return undefined;
  const domain = studioDomainOf(approver) ?? studioDomainOf(registrant);
  return {
    registrant: v.createdBy ?? describePrincipal(registrant),
    approver: v.lastModifiedBy ?? describePrincipal(approver),
    role,
    ...(domain ? { domain } : {}),
  };
}

/** What an administrator turns on so Studio users sharing an execution role can approve each other's versions. */
export const STUDIO_SOURCE_IDENTITY_SETTING = 'ExecutionRoleIdentityConfig';

/** The sentence a data scientist reads in Studio (ApprovalDescription) when an approval is held. */
export function indistinctApprovalReason(hold: IndistinctApproval): string {
  const roleName = hold.role.split('/').pop() ?? hold.role;
  const domain = hold.domain ? `Studio domain ${hold.domain}` : 'the Studio domain';
  return (
    `Approval on hold: ${hold.approver} approved a version that ${hold.registrant} registered, but both work as the ` +
    `same execution role (${roleName}) and SageMaker recorded no source identity to tell them apart, so separation ` +
    `of duties cannot be checked. Ask your administrator to set ${STUDIO_SOURCE_IDENTITY_SETTING} to USER_PROFILE_NAME ` +
    `on ${domain}, then ask ${hold.approver} to approve it again (or an approver who signs in with their own IAM role).`
  );
}

export function indistinctApprovalUpdate(hold: IndistinctApproval): RegistryUpdate {
  return {
    status: 'PendingManualApproval',
    description: approvalDescription(indistinctApprovalReason(hold)),
    metadata: {},
  };
}

/** The registry update a gate decision leads to. */
export interface RegistryUpdate {
  /** Undefined: keep the status the version has (the gate never re-sends a person's approval). */
  readonly status?: ApprovalStatus;
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
  if (current === 'Approved' && decision.outcome === 'passed') return { metadata };
  switch (decision.outcome) {
    case 'failed':
      return { status: 'Rejected', description: decision.summary, metadata };
    case 'undetermined':
      return { status: 'PendingManualApproval', description: decision.summary, metadata };
    case 'passed':
      return group.qualityGate?.autoApprove
        ? {
            status: 'Approved',
            description: approvalDescription(`Approved automatically: ${decision.summary}`),
            metadata,
          }
        : {
            status: 'PendingManualApproval',
            description: approvalDescription(`${decision.summary}; awaiting approval`),
            metadata,
          };
  }
}

export function unattributedApprovalUpdate(reason: string): RegistryUpdate {
  return {
    status: 'PendingManualApproval',
    description: approvalDescription(
      `Approval reverted: ${reason} (separation of duties); approve it again.`,
    ),
    metadata: {},
  };
}

export function unidentifiedRegistrantUpdate(reason: string): RegistryUpdate {
  return {
    status: 'PendingManualApproval',
    description: approvalDescription(`Approval reverted: ${reason}; ${UNIDENTIFIED_REGISTRANT_REMEDY}.`),
    metadata: {},
  };
}

export function selfApprovalUpdate(identity: string): RegistryUpdate {
  return {
    status: 'PendingManualApproval',
    description: approvalDescription(
      `Approval reverted: ${identity} registered this version and cannot also approve it (separation of duties); another approver must approve it.`,
    ),
    metadata: {},
  };
}

/** What people are told of a policy decision: every check, not only the 1,024 characters the registry keeps. */
export function policyNotification(
  v: Pick<ModelVersion, 'groupName' | 'version' | 'arn' | 'createdBy' | 'approvalStatus'>,
  outcome:
    | 'gate-decided'
    | 'self-approval-reverted'
    | 'approval-held'
    | 'unidentified-registrant-reverted'
    | 'unattributed-approval-reverted'
    | 'changed-content-reverted'
    | 'approval-recorded',
  update: RegistryUpdate,
  decision: GateDecision | undefined,
): Notification {
  const what =
    outcome === 'self-approval-reverted'
      ? 'self-approval reverted'
      : outcome === 'approval-held'
        ? 'approval on hold: approver and registrant cannot be told apart'
        : outcome === 'unidentified-registrant-reverted'
          ? 'approval reverted: registrant unknown'
          : outcome === 'unattributed-approval-reverted'
            ? 'approval reverted: approver unknown'
            : outcome === 'changed-content-reverted'
              ? 'approval reverted: content changed after registration'
              : outcome === 'approval-recorded'
                ? 'approval checked'
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
    `Status now:  ${update.status ?? v.approvalStatus}`,
    ...(update.description ? [`Reason:      ${update.description}`] : []),
    ...(outcome === 'unidentified-registrant-reverted'
      ? [`What to do:  ${UNIDENTIFIED_REGISTRANT_REMEDY} (or turn separationOfDuties off for the group).`]
      : []),
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
      approvalStatus: update.status ?? v.approvalStatus,
      kind: outcome === 'gate-decided' ? `quality-gate-${decision?.outcome ?? 'decided'}` : outcome,
    },
  };
}

const CHECK_MARK = { met: 'ok', 'not-met': 'FAILED', undetermined: '??' } as const;
