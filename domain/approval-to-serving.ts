import type { ModelVersion } from './model-version';

/**
 * Seconds from a version's approval to its endpoint settling on it, or undefined when the registry
 * cannot tell. Pure.
 *
 * The approval's time is the version's LastModifiedTime (DescribeModelPackage): approving a version is
 * an UpdateModelPackage, which sets it, and the flow makes no later update to an approved version (the
 * policies only write to versions they reject, revert or leave pending). Any later update by someone
 * else moves it forward, so the figure can only under-state the wait, never invent one; a version that
 * is no longer Approved, or a time after the settle time, gives no figure. The lineage's approval
 * record would be exact, but it lives in another handler's store and another account's when the
 * registry is remote; the model package is what the reconciler already reads.
 */
export function approvalToServingSeconds(
  version: Pick<ModelVersion, 'approvalStatus' | 'lastModifiedTime'> | undefined,
  settledAt: Date,
): number | undefined {
  if (!version || version.approvalStatus !== 'Approved' || !version.lastModifiedTime) return undefined;
  const seconds = (settledAt.getTime() - version.lastModifiedTime.getTime()) / 1000;
  return seconds >= 0 ? seconds : undefined;
}
