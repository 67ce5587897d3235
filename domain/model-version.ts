/** The registry's view of one model package version, as the core reasons about it (no SDK types). */
import type { ArtifactLocation } from './artifact-pins';
import type { VersionBaselines } from './monitoring-plan';
import type { Principal } from './principal';

export const APPROVAL_STATUSES = ['Approved', 'Rejected', 'PendingManualApproval'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export function isApprovalStatus(value: unknown): value is ApprovalStatus {
  return typeof value === 'string' && (APPROVAL_STATUSES as readonly string[]).includes(value);
}

/**
 * A status as the registry reports it, failing closed: a status this code does not
 * know is taken as Rejected, neither deployable nor pending (a pending version is one the quality
 * gate evaluates, and may approve).
 */
export function toApprovalStatus(value: unknown): ApprovalStatus {
  return isApprovalStatus(value) ? value : 'Rejected';
}

export interface ModelLifeCycle {
  readonly stage: string;
  readonly stageStatus: string;
  readonly stageDescription?: string;
}

export interface ModelVersion {
  readonly arn: string;
  readonly groupName: string;
  readonly version: number;
  readonly approvalStatus: ApprovalStatus;
  readonly approvalDescription?: string;
  /** Readable identity of whoever registered the version (Studio user profile or IAM ARN). */
  readonly createdBy?: string;
  /** Readable identity of whoever last changed it (for an approval change: the approver). */
  readonly lastModifiedBy?: string;
  /** The same identities as principals, for comparing (see principal.ts). */
  readonly createdByPrincipal?: Principal;
  readonly lastModifiedByPrincipal?: Principal;
  readonly creationTime: Date;
  readonly lastModifiedTime?: Date;
  readonly lifeCycle?: ModelLifeCycle;
  readonly description?: string;
  /** CustomerMetadataProperties: where the quality gate records that it has decided. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** SHA-256 of what a model is made of (approval-check.ts contentFingerprint). */
  readonly contentFingerprint?: string;
  /** The model data its containers load (artifact-pins.ts modelDataLocations). */
  readonly modelData?: readonly ArtifactLocation[];
  /** The drift-check baselines it was registered with (DriftCheckBaselines). */
  readonly baselines?: VersionBaselines;
}

/** SageMaker's UserContext, as DescribeModelPackage returns it. */
export interface UserContextLike {
  readonly UserProfileName?: string;
  readonly UserProfileArn?: string;
  readonly DomainId?: string;
  readonly IamIdentity?: {
    readonly Arn?: string;
    readonly PrincipalId?: string;
    readonly SourceIdentity?: string;
  };
}

/**
 * A readable name for a SageMaker UserContext: the Studio user profile when there is one
 * (that is who clicked Approve), else the IAM identity, else undefined.
 */
export function describeIdentity(user: UserContextLike | undefined): string | undefined {
  if (!user) return undefined;
  if (user.UserProfileName) {
    return user.DomainId ? `${user.UserProfileName} (Studio domain ${user.DomainId})` : user.UserProfileName;
  }
  const iam = user.IamIdentity;
  if (iam?.Arn) return iam.SourceIdentity ? `${iam.Arn} (source identity ${iam.SourceIdentity})` : iam.Arn;
  return user.UserProfileArn ?? iam?.PrincipalId;
}
