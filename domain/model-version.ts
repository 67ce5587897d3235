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
 * A readable name for a SageMaker UserContext, naming the person where SageMaker records one: the
 * Studio user profile (that is who clicked Approve) with its domain; else the SourceIdentity (the
 * person behind a role session, which a Studio domain sets to the user profile's name) with the role
 * it acted as; else the IAM identity; else undefined.
 */
export function describeIdentity(user: UserContextLike | undefined): string | undefined {
  if (!user) return undefined;
  const profile = user.UserProfileName ?? USER_PROFILE_ARN.exec(user.UserProfileArn ?? '')?.[2];
  const domain = user.DomainId ?? USER_PROFILE_ARN.exec(user.UserProfileArn ?? '')?.[1];
  if (profile) return domain ? `${profile} (Studio domain ${domain})` : profile;
  const iam = user.IamIdentity;
  if (iam?.SourceIdentity) {
    const role = ASSUMED_ROLE_NAME.exec(iam.Arn ?? '')?.[1];
    return role ? `${iam.SourceIdentity} (as role ${role})` : iam.SourceIdentity;
  }
  if (iam?.Arn) return iam.Arn;
  return user.UserProfileArn ?? iam?.PrincipalId;
}

const USER_PROFILE_ARN = /^arn:aws[a-z-]*:sagemaker:[^:]*:\d{12}:user-profile\/([^/]+)\/([^/]+)$/;
const ASSUMED_ROLE_NAME = /^arn:aws[a-z-]*:sts::\d+:assumed-role\/([^/]+)\//;
