import { createHash } from 'node:crypto';

/**
 * Deterministic names for what the reconciler creates, so a rerun finds what it made instead of
 * duplicating it, and the stack can scope IAM to them. All fit SageMaker's 63-character names.
 */

/** The first 40 characters of the endpoint name: the prefix of every model and config of its target. */
export function resourcePrefix(endpointName: string): string {
  return endpointName.slice(0, 40).replace(/-+$/, '');
}

/** `<prefix>-v<version>-<hash>`: one per version and per everything the resource depends on. */
export function versionedName(
  endpointName: string,
  version: number,
  ...dependsOn: readonly unknown[]
): string {
  const hash = createHash('sha256').update(JSON.stringify(dependsOn)).digest('hex').slice(0, 8);
  return `${resourcePrefix(endpointName)}-v${version}-${hash}`;
}

/** The version a name made by versionedName carries, if it is one of ours for this endpoint. */
export function versionOfName(endpointName: string, name: string): number | undefined {
  const prefix = `${resourcePrefix(endpointName)}-v`;
  if (!name.startsWith(prefix)) return undefined;
  const match = /^(\d+)-[0-9a-f]{8}$/.exec(name.slice(prefix.length));
  return match ? Number(match[1]) : undefined;
}

/** The CloudWatch alarms that roll a blue/green deployment of the endpoint back. */
export function rollbackAlarmNames(endpointName: string): { errors: string; latency: string } {
  return {
    errors: `model-governance-${endpointName}-invocation-5xx`,
    latency: `model-governance-${endpointName}-model-latency`,
  };
}

/** The production variant every managed endpoint config has. */
export const VARIANT_NAME = 'AllTraffic';
