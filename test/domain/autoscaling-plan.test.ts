import { parseGovernanceConfig } from '../../core/config/parse';
import type { DeploymentTarget } from '../../core/config/types';
import {
  type ObservedScaling,
  scalingAroundUpdate,
  scalingPolicyName,
  scalingWhenSettled,
} from '../../domain/autoscaling-plan';

function target(raw: Record<string, unknown> = {}): DeploymentTarget {
  const t = parseGovernanceConfig({
    groups: [
      {
        name: 'churn',
        deployments: [
          {
            endpointName: 'churn-prod',
            instances: { type: 'ml.m5.large', count: 2 },
            autoscaling: { minInstances: 1, maxInstances: 6, targetInvocationsPerInstance: 70 },
            ...raw,
          },
        ],
      },
    ],
  }).groups[0]?.deployments[0];
  if (!t) throw new Error('no target');
  return t;
}

const registered: ObservedScaling = {
  target: { minCapacity: 1, maxCapacity: 6 },
  policies: [
    {
      name: scalingPolicyName('churn-prod'),
      metric: 'SageMakerVariantInvocationsPerInstance',
      targetValue: 70,
      scaleInCooldown: 300,
      scaleOutCooldown: 60,
    },
  ],
};
const current = { variantName: 'AllTraffic', instanceType: 'ml.m5.large' };

describe('scalingAroundUpdate', () => {
  it('keeps the scalable target and the scaled-out count through a model-only update', () => {
    expect(scalingAroundUpdate(target(), current, registered)).toEqual({ retainInstanceCount: true });
  });

  it('deregisters the target (deleting its policies) before an update that changes the instance type', () => {
    expect(
      scalingAroundUpdate(target({ instances: { type: 'ml.c5.xlarge', count: 2 } }), current, registered),
    ).toEqual({
      deregisterFirst: { policies: ['model-governance-churn-prod-invocations'] },
      retainInstanceCount: false,
    });
  });

  it('deregisters before an update that changes the variant, or whose current variant is unknown', () => {
    const expected = {
      deregisterFirst: { policies: ['model-governance-churn-prod-invocations'] },
      retainInstanceCount: false,
    };
    expect(scalingAroundUpdate(target(), { ...current, variantName: 'Blue' }, registered)).toEqual(expected);
    expect(scalingAroundUpdate(target(), undefined, registered)).toEqual(expected);
  });

  it('does nothing and uses the config count when no target is registered', () => {
    expect(scalingAroundUpdate(target(), current, { policies: [] })).toEqual({ retainInstanceCount: false });
  });
});

describe('scalingWhenSettled', () => {
  it('registers the bounds and the target-tracking policy when nothing is registered (again)', () => {
    expect(scalingWhenSettled(target(), { policies: [] })).toEqual({
      kind: 'register',
      target: {
        ServiceNamespace: 'sagemaker',
        ResourceId: 'endpoint/churn-prod/variant/AllTraffic',
        ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        MinCapacity: 1,
        MaxCapacity: 6,
      },
      policy: {
        PolicyName: 'model-governance-churn-prod-invocations',
        ServiceNamespace: 'sagemaker',
        ResourceId: 'endpoint/churn-prod/variant/AllTraffic',
        ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 70,
          PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
          ScaleInCooldown: 300,
          ScaleOutCooldown: 60,
        },
      },
    });
  });

  it('is in sync when bounds and policy match, and registers again when either drifts', () => {
    expect(scalingWhenSettled(target(), registered)).toEqual({ kind: 'in-sync' });
    expect(
      scalingWhenSettled(target(), { ...registered, target: { minCapacity: 1, maxCapacity: 3 } }).kind,
    ).toBe('register');
    const [policy] = registered.policies;
    if (!policy) throw new Error('no policy');
    expect(
      scalingWhenSettled(target(), { ...registered, policies: [{ ...policy, targetValue: 5 }] }).kind,
    ).toBe('register');
    expect(scalingWhenSettled(target(), { ...registered, policies: [] }).kind).toBe('register');
  });

  it("removes its own scaling when the configuration drops autoscaling, and leaves someone else's alone", () => {
    const plain = target({ autoscaling: undefined });
    expect(scalingWhenSettled(plain, registered)).toEqual({
      kind: 'deregister',
      policies: ['model-governance-churn-prod-invocations'],
    });
    expect(
      scalingWhenSettled(plain, {
        target: { minCapacity: 1, maxCapacity: 2 },
        policies: [{ name: 'theirs' }],
      }),
    ).toEqual({ kind: 'in-sync' });
  });
});
