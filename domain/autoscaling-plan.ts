import type { DeploymentTarget } from '../core/config/types';
import { VARIANT_NAME } from '../core/naming';

/**
 * Application Auto Scaling of a target's variant: target tracking on
 * SageMakerVariantInvocationsPerInstance between minInstances and maxInstances. Pure.
 *
 * SageMaker developer guide, "Update endpoints that use auto scaling": UpdateEndpoint fails when it
 * would change the instance type of a variant that is a scaling target, or remove such a variant;
 * changing only the model is allowed. So the scalable target is deregistered (its policies deleted)
 * before such an update and registered again once the endpoint settles InService on the new config
 * (level-triggered: the endpoint's state-change event reconciles it); a model-only update keeps it,
 * and keeps the variant's current instance count (UpdateEndpoint RetainAllVariantProperties), so a
 * deployment never scales a busy endpoint down to instances.count.
 */

export const SCALABLE_DIMENSION = 'sagemaker:variant:DesiredInstanceCount';
export const INVOCATIONS_METRIC = 'SageMakerVariantInvocationsPerInstance';

/** Application Auto Scaling's ResourceId of the target's variant. */
export function scalingResourceId(endpointName: string): string {
  return `endpoint/${endpointName}/variant/${VARIANT_NAME}`;
}

/** The target-tracking policy this app puts on the variant. */
export function scalingPolicyName(endpointName: string): string {
  return `model-governance-${endpointName}-invocations`;
}

/** The variant's scaling as DescribeScalableTargets and DescribeScalingPolicies show it. */
export interface ObservedScaling {
  /** The variant's scalable target, when one is registered. */
  readonly target?: { readonly minCapacity: number; readonly maxCapacity: number };
  readonly policies: readonly ObservedPolicy[];
}

export interface ObservedPolicy {
  readonly name: string;
  readonly targetValue?: number;
  readonly metric?: string;
  readonly scaleInCooldown?: number;
  readonly scaleOutCooldown?: number;
}

/** The variant the endpoint serves now (its current config's first production variant). */
export interface CurrentVariant {
  readonly variantName?: string;
  readonly instanceType?: string;
}

export interface UpdateScaling {
  /** Deregister the scalable target (deleting these policies first) before UpdateEndpoint. */
  readonly deregisterFirst?: { readonly policies: readonly string[] };
  /** Keep the variant's current instance count through the update (RetainAllVariantProperties). */
  readonly retainInstanceCount: boolean;
}

/**
 * What to do with the variant's scaling around an UpdateEndpoint to the target's config. An update
 * that changes the instance type (or the variant, or moves to serverless) of a registered scaling
 * target would fail, so the target is deregistered first; otherwise the update changes only the
 * model and keeps the scaled count.
 */
export function scalingAroundUpdate(
  target: Pick<DeploymentTarget, 'compute'>,
  current: CurrentVariant | undefined,
  scaling: ObservedScaling,
): UpdateScaling {
  if (!scaling.target) return { retainInstanceCount: false };
  const compute = target.compute;
  const changesVariant =
    compute.kind !== 'instances' ||
    current?.variantName !== VARIANT_NAME ||
    current.instanceType !== compute.instanceType;
  return changesVariant
    ? { deregisterFirst: { policies: scaling.policies.map((p) => p.name) }, retainInstanceCount: false }
    : { retainInstanceCount: true };
}

export type ScalingAction =
  | { readonly kind: 'in-sync' }
  | {
      readonly kind: 'register';
      readonly target: ReturnType<typeof registerScalableTargetRequest>;
      readonly policy: ReturnType<typeof scalingPolicyRequest>;
    }
  /** Autoscaling was removed from the configuration: remove this app's policy and the target. */
  | { readonly kind: 'deregister'; readonly policies: readonly string[] };

/**
 * The scaling a settled endpoint (InService on the target's desired config) should have: registered
 * with the configured bounds and this app's target-tracking policy, or, when the configuration no
 * longer asks for autoscaling, none of this app's (a target without this app's policy is someone
 * else's and left alone).
 */
export function scalingWhenSettled(
  target: Pick<DeploymentTarget, 'endpointName' | 'autoscaling'>,
  scaling: ObservedScaling,
): ScalingAction {
  const name = scalingPolicyName(target.endpointName);
  const ours = scaling.policies.find((p) => p.name === name);
  const a = target.autoscaling;
  if (!a) {
    return scaling.target && ours
      ? { kind: 'deregister', policies: scaling.policies.map((p) => p.name) }
      : { kind: 'in-sync' };
  }
  const inSync =
    scaling.target?.minCapacity === a.minInstances &&
    scaling.target.maxCapacity === a.maxInstances &&
    ours?.metric === INVOCATIONS_METRIC &&
    ours.targetValue === a.targetInvocationsPerInstance &&
    ours.scaleInCooldown === a.scaleInCooldownSeconds &&
    ours.scaleOutCooldown === a.scaleOutCooldownSeconds;
  if (inSync) return { kind: 'in-sync' };
  return {
    kind: 'register',
    target: registerScalableTargetRequest(target.endpointName, a),
    policy: scalingPolicyRequest(target.endpointName, a),
  };
}

type Bounds = NonNullable<DeploymentTarget['autoscaling']>;

export function registerScalableTargetRequest(endpointName: string, a: Bounds) {
  return {
    ServiceNamespace: 'sagemaker' as const,
    ResourceId: scalingResourceId(endpointName),
    ScalableDimension: SCALABLE_DIMENSION,
    MinCapacity: a.minInstances,
    MaxCapacity: a.maxInstances,
  };
}

export function scalingPolicyRequest(endpointName: string, a: Bounds) {
  return {
    PolicyName: scalingPolicyName(endpointName),
    ServiceNamespace: 'sagemaker' as const,
    ResourceId: scalingResourceId(endpointName),
    ScalableDimension: SCALABLE_DIMENSION,
    PolicyType: 'TargetTrackingScaling' as const,
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: a.targetInvocationsPerInstance,
      PredefinedMetricSpecification: { PredefinedMetricType: INVOCATIONS_METRIC },
      ScaleInCooldown: a.scaleInCooldownSeconds,
      ScaleOutCooldown: a.scaleOutCooldownSeconds,
    },
  };
}
