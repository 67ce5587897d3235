/** The endpoint's half of the decision: which deployment a target needs, given its gated versions. Pure. */
import type { DeploymentTarget } from '../core/config/types';
import {
  type DeploymentRequest,
  driftedTo,
  type EndpointStatus,
  type ObservedEndpoint,
  rolledBackFrom,
} from './endpoint-request';
import { type Deployment, deploymentFor } from './endpoint-resources';
import type { Hold } from './hold';
import { desiredVersion, type VersionSummary } from './version-selection';

export interface PlanInputs {
  readonly target: DeploymentTarget;
  readonly versions: readonly VersionSummary[];
  readonly endpoint: ObservedEndpoint | undefined;
  /** The execution role the models run with (part of the model's identity). */
  readonly executionRoleArn: string;
  /** S3 prefix for data capture, when the target captures. */
  readonly dataCaptureS3Uri?: string;
  /**
   * The newest approved version a deployment gate holds back (left out of `versions`), if any.
   * When nothing newer than what the endpoint has may deploy, the plan says so instead of
   * in-sync or none-approved (and never deletes an endpoint because its version is only held).
   */
  readonly held?: Held;
  /**
   * Whether the config the endpoint serves is one this app made (target-planner.ts servedConfig);
   * undefined when not checked. Only a config that is ours can be SageMaker's rollback; one that
   * is not is drift.
   */
  readonly served?: { readonly ours: boolean };
}

export interface Held {
  readonly version: VersionSummary;
  readonly hold: Hold;
}

export type Plan =
  | { readonly kind: 'create'; readonly deployment: Deployment }
  | {
      readonly kind: 'update';
      readonly deployment: Deployment;
      readonly fromConfig: string;
      /** The endpoint was on a config nobody here asked for (see driftedTo). */
      readonly drift?: true;
    }
  | { readonly kind: 'in-sync'; readonly deployment: Deployment }
  | { readonly kind: 'busy'; readonly status: EndpointStatus }
  /**
   * SageMaker rolled the desired config back: not retried until a newer version is desired or an
   * operator asks (`mgov retry-deploy`). `request.rollbackNotified`: people were told already.
   */
  | {
      readonly kind: 'rolled-back';
      readonly deployment: Deployment;
      readonly request: DeploymentRequest;
      readonly failureReason?: string;
    }
  /**
   * The endpoint is Failed (SageMaker allows only DeleteEndpoint on it) or UpdateRollbackFailed (in
   * service on a mix of configs until someone restores it): nothing the reconciler may do; people must.
   */
  | { readonly kind: 'needs-operator'; readonly status: EndpointStatus; readonly deployment: Deployment }
  /** A gate holds the newest version; `inSync`: the endpoint already serves the newest one it may. */
  | { readonly kind: 'held'; readonly held: Held; readonly inSync?: Deployment }
  | {
      readonly kind: 'none-approved';
      readonly action: 'keep-serving' | 'delete-endpoint' | 'nothing-to-serve';
    };

const BUSY: readonly EndpointStatus[] = ['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting'];
/**
 * DescribeEndpoint's EndpointStatus (API reference): "Failed: ... DeleteEndpoint is the only operation
 * that can be performed on a failed endpoint"; "UpdateRollbackFailed: Both the rolling deployment and
 * auto-rollback failed", to be remedied by hand. An update sent to either is refused, retried and
 * dead-lettered, so the plan asks for an operator instead.
 */
const NEEDS_OPERATOR: readonly EndpointStatus[] = ['Failed', 'UpdateRollbackFailed'];

/** Decides what to do for one target. Pure: the handler reads, calls this, and carries it out. */
export function planEndpoint(inputs: PlanInputs): Plan {
  const { target, endpoint } = inputs;
  if (endpoint && BUSY.includes(endpoint.status)) return { kind: 'busy', status: endpoint.status };
  const version = desiredVersion(inputs.versions, target);
  if (!version) {
    if (inputs.held) return { kind: 'held', held: inputs.held };
    if (!endpoint) return { kind: 'none-approved', action: 'nothing-to-serve' };
    return { kind: 'none-approved', action: target.whenNoneApproved };
  }
  const deployment = deploymentFor(inputs, version);
  if (!endpoint) return { kind: 'create', deployment };
  if (NEEDS_OPERATOR.includes(endpoint.status))
    return { kind: 'needs-operator', status: endpoint.status, deployment };
  if (endpoint.configName === deployment.configName) {
    return inputs.held
      ? { kind: 'held', held: inputs.held, inSync: deployment }
      : { kind: 'in-sync', deployment };
  }
  if (
    endpoint.request &&
    inputs.served?.ours === true &&
    rolledBackFrom(endpoint) === deployment.configName
  ) {
    return {
      kind: 'rolled-back',
      deployment,
      request: endpoint.request,
      ...(endpoint.failureReason ? { failureReason: endpoint.failureReason } : {}),
    };
  }
  return {
    kind: 'update',
    deployment,
    fromConfig: endpoint.configName,
    ...(driftedTo(endpoint) || inputs.served?.ours === false ? { drift: true as const } : {}),
  };
}
