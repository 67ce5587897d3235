/**
 * Which endpoint a group's quality gate compares with: asked by the configuration check, the
 * constructs' IAM and the policy-gate handler alike. Pure.
 */
import type { ModelPackageGroupConfig, QualityGate } from './config/types';

/** Whether any threshold compares with the version the live endpoint serves. */
export function comparesToLive(gate: Pick<QualityGate, 'thresholds'> | undefined): boolean {
  return gate?.thresholds.some((t) => t.rule.kind === 'not-worse-than-live') ?? false;
}

/** The endpoint a group's gate compares with: `liveEndpoint`, else its first target; none when it never compares. */
export function liveEndpointOf(
  group: Pick<ModelPackageGroupConfig, 'qualityGate' | 'deployments'>,
): string | undefined {
  if (!comparesToLive(group.qualityGate)) return undefined;
  return group.qualityGate?.liveEndpoint ?? group.deployments[0]?.endpointName;
}
