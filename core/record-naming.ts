/**
 * Where the governance record keeps an endpoint's entries (docs/governance-record.md): shared by the
 * reconciler, which appends them, and the stacks, whose policies let it append only there.
 */

/**
 * `_` starts no model package group name (SageMaker's ModelPackageGroupName pattern begins with an
 * alphanumeric), so an endpoint's prefix never meets a version's.
 */
export const ENDPOINTS_SEGMENT = '_endpoints';

/**
 * An endpoint's record, `<prefix>/_endpoints/<account>/<endpoint>/`: the account keeps apart
 * endpoints of one name in several deployment accounts.
 */
export function endpointRecordPrefix(prefix: string, account: string, endpointName: string): string {
  const base = prefix.replace(/\/$/, '');
  return `${base ? `${base}/` : ''}${ENDPOINTS_SEGMENT}/${account}/${endpointName}/`;
}

/**
 * The audit bucket's name when the registry and the endpoints are in different accounts: the
 * deployment accounts' stacks cannot reference the registry stack, so they find the governance
 * record by this name (S3 bucket names: 3 to 63 lower-case characters).
 */
export function auditBucketName(registryAccount: string, region: string): string {
  return `model-governance-audit-${registryAccount}-${region}`;
}

/** Where the governance record lives in the audit bucket. */
export const RECORD_PREFIX = 'governance-record';
