/** Which registered versions a target could serve, best first. */
import type { DeploymentTarget } from '../core/config/types';
import type { ApprovalStatus, ModelLifeCycle } from './model-version';

/** One version as ListModelPackages summarizes it. */
export interface VersionSummary {
  readonly arn: string;
  readonly version: number;
  readonly approvalStatus: ApprovalStatus;
  readonly lifeCycle?: ModelLifeCycle;
  readonly creationTime: Date;
}

/**
 * The version a target should serve: the newest Approved version (by version number, which
 * SageMaker assigns in registration order), restricted to a lifecycle stage when the target follows one.
 */
export function desiredVersion(
  versions: readonly VersionSummary[],
  target: Pick<DeploymentTarget, 'serve'>,
): VersionSummary | undefined {
  return candidateVersions(versions, target)[0];
}

/** The versions a target could serve, best first: Approved (and in its stage), newest first. */
export function candidateVersions(
  versions: readonly VersionSummary[],
  target: Pick<DeploymentTarget, 'serve'>,
): VersionSummary[] {
  const serve = target.serve;
  return versions
    .filter(
      (v) =>
        v.approvalStatus === 'Approved' &&
        (serve.kind === 'newest-approved' ||
          (v.lifeCycle?.stage === serve.stage && v.lifeCycle.stageStatus === serve.stageStatus)),
    )
    .sort((a, b) => b.version - a.version);
}
