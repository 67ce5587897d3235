import {
  type ApplicationAutoScalingClient,
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  type PutScalingPolicyCommandInput,
  RegisterScalableTargetCommand,
  type RegisterScalableTargetCommandInput,
} from '@aws-sdk/client-application-auto-scaling';
import {
  type ObservedScaling,
  type registerScalableTargetRequest,
  SCALABLE_DIMENSION,
  type scalingPolicyRequest,
  scalingResourceId,
} from '../domain/autoscaling-plan';

/** The variant's scalable target and policies, as Application Auto Scaling has them. */
export async function describeScaling(
  client: ApplicationAutoScalingClient,
  endpointName: string,
): Promise<ObservedScaling> {
  const ResourceId = scalingResourceId(endpointName);
  const [targets, policies] = await Promise.all([
    client.send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: 'sagemaker',
        ResourceIds: [ResourceId],
        ScalableDimension: SCALABLE_DIMENSION,
      }),
    ),
    client.send(
      new DescribeScalingPoliciesCommand({
        ServiceNamespace: 'sagemaker',
        ResourceId,
        ScalableDimension: SCALABLE_DIMENSION,
      }),
    ),
  ]);
  const target = targets.ScalableTargets?.find((t) => t.ResourceId === ResourceId);
  return {
    ...(target
      ? { target: { minCapacity: target.MinCapacity ?? 0, maxCapacity: target.MaxCapacity ?? 0 } }
      : {}),
    policies: (policies.ScalingPolicies ?? [])
      .filter((p) => p.ResourceId === ResourceId && p.PolicyName)
      .map((p) => {
        const c = p.TargetTrackingScalingPolicyConfiguration;
        return {
          name: p.PolicyName as string,
          ...(c?.TargetValue !== undefined ? { targetValue: c.TargetValue } : {}),
          ...(c?.PredefinedMetricSpecification?.PredefinedMetricType
            ? { metric: c.PredefinedMetricSpecification.PredefinedMetricType }
            : {}),
          ...(c?.ScaleInCooldown !== undefined ? { scaleInCooldown: c.ScaleInCooldown } : {}),
          ...(c?.ScaleOutCooldown !== undefined ? { scaleOutCooldown: c.ScaleOutCooldown } : {}),
        };
      }),
  };
}

/** Registers (or updates the bounds of) the scalable target, then puts the target-tracking policy. */
export async function registerScaling(
  client: ApplicationAutoScalingClient,
  target: ReturnType<typeof registerScalableTargetRequest>,
  policy: ReturnType<typeof scalingPolicyRequest>,
): Promise<void> {
  await client.send(new RegisterScalableTargetCommand(target as RegisterScalableTargetCommandInput));
  await client.send(new PutScalingPolicyCommand(policy as PutScalingPolicyCommandInput));
}

/** Deletes the policies, then deregisters the target; what is gone already counts as done. */
export async function deregisterScaling(
  client: ApplicationAutoScalingClient,
  endpointName: string,
  policies: readonly string[],
): Promise<void> {
  const ResourceId = scalingResourceId(endpointName);
  for (const PolicyName of policies) {
    await ignoreNotFound(
      client.send(
        new DeleteScalingPolicyCommand({
          PolicyName,
          ServiceNamespace: 'sagemaker',
          ResourceId,
          ScalableDimension: SCALABLE_DIMENSION,
        }),
      ),
    );
  }
  await ignoreNotFound(
    client.send(
      new DeregisterScalableTargetCommand({
        ServiceNamespace: 'sagemaker',
        ResourceId,
        ScalableDimension: SCALABLE_DIMENSION,
      }),
    ),
  );
}

async function ignoreNotFound(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if ((error as { name?: string }).name !== 'ObjectNotFoundException') throw error;
  }
}
