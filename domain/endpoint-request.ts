/**
 * What this app asked of an endpoint, recorded on it, and what the endpoint did with it: rolled back
 * by SageMaker, or changed by someone else (drift). The facts the planner reads about the endpoint.
 */
export type EndpointStatus =
  | 'OutOfService'
  | 'Creating'
  | 'Updating'
  | 'SystemUpdating'
  | 'RollingBack'
  | 'InService'
  | 'Deleting'
  | 'Failed'
  | 'UpdateRollbackFailed';

/** The endpoint as DescribeEndpoint (and ListTags) shows it; undefined when it does not exist. */
export interface ObservedEndpoint {
  readonly status: EndpointStatus;
  readonly configName: string;
  readonly failureReason?: string;
  readonly lastModifiedTime?: Date;
  readonly arn?: string;
  /**
   * The images the endpoint runs, by digest: each variant's `DeployedImages` (the image as specified,
   * and as SageMaker resolved it when it deployed, `registry/repository@digest`).
   */
  readonly deployedImages?: readonly { readonly specified: string; readonly resolved: string }[];
  /**
   * The deployment this app last asked of the endpoint. The reconciler reads it from the governance
   * record only (people with AddTags can write the endpoint's tags); mgov, which cannot read the
   * record, shows the tags' copy and leaves the decision to the reconciler.
   */
  readonly request?: DeploymentRequest;
}

/**
 * A deployment this app asked of an endpoint, recorded just before asking (in the governance record,
 * and copied to the endpoint's tags for people):
 * the config requested, and the endpoint's own LastModifiedTime when it was asked (SageMaker's
 * clock, so no clock skew). Once the endpoint has changed since, the request was tried.
 */
export interface DeploymentRequest {
  readonly configName: string;
  /** The endpoint's LastModifiedTime when the request was made (epoch 0 for a CreateEndpoint). */
  readonly after: Date;
  /**
   * The config the endpoint served when the request was made (none for a CreateEndpoint): the one
   * SageMaker rolls back to. An endpoint found on any other config was changed by someone else.
   */
  readonly fromConfig?: string;
  /** Whether the rollback of this very request has been notified already. */
  readonly rollbackNotified: boolean;
}

/** The tags that record the last request (values fit SageMaker's tag value pattern and 256 characters). */
export const REQUEST_TAGS = {
  config: 'model-governance:requested-config',
  after: 'model-governance:requested-after',
  from: 'model-governance:requested-from',
  rollbackNotified: 'model-governance:rollback-notified',
} as const;

/**
 * The tags recording a request for `configName` made when the endpoint was last modified at `after`,
 * serving `fromConfig` (none for a CreateEndpoint; an empty tag value then, so an older request's
 * tag does not linger).
 */
export function requestTags(configName: string, after: Date | undefined, fromConfig?: string) {
  return [
    { Key: REQUEST_TAGS.config, Value: configName },
    { Key: REQUEST_TAGS.after, Value: (after ?? new Date(0)).toISOString() },
    { Key: REQUEST_TAGS.from, Value: fromConfig ?? '' },
  ];
}

/** The tag saying the rollback of this request was notified (a newer request makes it stale). */
export function rollbackNotifiedTag(request: Pick<DeploymentRequest, 'configName' | 'after'>) {
  return {
    Key: REQUEST_TAGS.rollbackNotified,
    Value: `${request.configName}@${request.after.toISOString()}`,
  };
}

/** The request recorded in an endpoint's tags, if any (unreadable tags count as none). */
export function requestFromTags(tags: Readonly<Record<string, string>>): DeploymentRequest | undefined {
  const configName = tags[REQUEST_TAGS.config];
  const after = new Date(tags[REQUEST_TAGS.after] ?? '');
  if (!configName || Number.isNaN(after.getTime())) return undefined;
  const fromConfig = tags[REQUEST_TAGS.from];
  return {
    configName,
    after,
    ...(fromConfig ? { fromConfig } : {}),
    rollbackNotified:
      tags[REQUEST_TAGS.rollbackNotified] === rollbackNotifiedTag({ configName, after }).Value,
  };
}

/** The last request was tried and the endpoint settled InService on another config than it asked for. */
function settledElsewhere(endpoint: ObservedEndpoint): DeploymentRequest | undefined {
  const request = endpoint.request;
  if (!request || endpoint.status !== 'InService' || request.configName === endpoint.configName)
    return undefined;
  const tried = endpoint.lastModifiedTime !== undefined && endpoint.lastModifiedTime > request.after;
  return tried ? request : undefined;
}

/**
 * The config SageMaker rolled back from, if it did: the endpoint has changed since this app asked
 * for a config (so the request was tried) and settled InService back on the config it served when
 * asked. This needs no FailureReason, which SageMaker may leave empty after a rollback
 * (terraform-provider-aws #48997, #39099). A request never tried (a crash between recording and
 * UpdateEndpoint) is no rollback, and neither is a config nobody here asked for (`driftedTo`).
 */
export function rolledBackFrom(endpoint: ObservedEndpoint): string | undefined {
  const request = settledElsewhere(endpoint);
  return request?.fromConfig !== undefined && request.fromConfig === endpoint.configName
    ? request.configName
    : undefined;
}

/**
 * The config the endpoint serves although this app neither asked for it nor served it before its
 * last request: someone else's UpdateEndpoint (drift). Never taken for a rollback, so the reconciler
 * puts the desired version back and says so.
 */
export function driftedTo(endpoint: ObservedEndpoint): string | undefined {
  const request = settledElsewhere(endpoint);
  return request && request.fromConfig !== endpoint.configName ? endpoint.configName : undefined;
}
