/**
 * Autoscaled endpoints, played by the local runner: the reconciler registers the
 * variant with Application Auto Scaling (moto, behind the local endpoint) once the endpoint is
 * InService, and a model-only deployment keeps the scaled-out instance count and the scalable
 * target. The local SageMaker refuses what SageMaker refuses: an UpdateEndpoint that changes the
 * instance type of a registered scaling target (developer guide, "Update endpoints that use auto
 * scaling").
 */
import {
  ApplicationAutoScalingClient,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CreateEndpointConfigCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  SageMakerClient,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
} from '@aws-sdk/client-sagemaker';
import type { LocalApp } from '../../local/runner/local-app';
import { lifecycleCalls, reconcileOutcomes, serving } from '../harness/deployments';
import { startLocalApp } from '../harness/local-app';
import { eventually } from '../harness/local-aws';
import { registerVersion, setApproval } from '../harness/registry';

const ENDPOINT = 'scaled-prod';
const RESOURCE_ID = `endpoint/${ENDPOINT}/variant/AllTraffic`;
const DIMENSION = 'sagemaker:variant:DesiredInstanceCount';

let app: LocalApp;
let sagemaker: SageMakerClient;
let autoscaling: ApplicationAutoScalingClient;
beforeAll(async () => {
  app = await startLocalApp({
    groups: [
      {
        name: 'scaled',
        deployments: [
          {
            endpointName: ENDPOINT,
            instances: { type: 'ml.m5.large', count: 2 },
            autoscaling: { minInstances: 1, maxInstances: 6, targetInvocationsPerInstance: 70 },
          },
        ],
      },
    ],
  });
  const client = {
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'approver', secretAccessKey: 'local' },
  };
  sagemaker = new SageMakerClient(client);
  autoscaling = new ApplicationAutoScalingClient(client);
}, 360_000);
afterAll(async () => app?.stop());

async function approvedVersion(): Promise<void> {
  const arn = await registerVersion(sagemaker, 'scaled', { createGroup: false });
  await setApproval(sagemaker, arn, 'Approved', 'good');
}

async function scalableTarget() {
  const out = await autoscaling.send(
    new DescribeScalableTargetsCommand({
      ServiceNamespace: 'sagemaker',
      ResourceIds: [RESOURCE_ID],
      ScalableDimension: DIMENSION,
    }),
  );
  return out.ScalableTargets?.[0];
}

async function desiredCount(): Promise<number | undefined> {
  const out = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: ENDPOINT }));
  return out.ProductionVariants?.[0]?.DesiredInstanceCount;
}

describe('in order', () => {
  it('registers the variant with the configured bounds and target tracking once v1 is InService', async () => {
    await approvedVersion();
    await serving(app, sagemaker, ENDPOINT, 1);
    const target = await eventually(scalableTarget, 'the scalable target');
    expect([target.MinCapacity, target.MaxCapacity]).toEqual([1, 6]);
    // The policy is put after the target is registered (two calls): wait for it too.
    const policies = await eventually(async () => {
      const out = await autoscaling.send(
        new DescribeScalingPoliciesCommand({
          ServiceNamespace: 'sagemaker',
          ResourceId: RESOURCE_ID,
          ScalableDimension: DIMENSION,
        }),
      );
      return (out.ScalingPolicies ?? []).length > 0 ? out : undefined;
    }, 'the target-tracking policy');
    expect(
      policies.ScalingPolicies?.map((p) => [p.PolicyName, p.TargetTrackingScalingPolicyConfiguration]),
    ).toEqual([
      [
        'model-governance-scaled-prod-invocations',
        {
          TargetValue: 70,
          PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
          ScaleInCooldown: 300,
          ScaleOutCooldown: 60,
        },
      ],
    ]);
    expect(await desiredCount()).toBe(2);
  });

  it('keeps the scaled-out count and the scalable target through a model-only deployment of v2', async () => {
    // Application Auto Scaling scales out the way it does on AWS: UpdateEndpointWeightsAndCapacities.
    await sagemaker.send(
      new UpdateEndpointWeightsAndCapacitiesCommand({
        EndpointName: ENDPOINT,
        DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredInstanceCount: 5 }],
      }),
    );
    expect(await desiredCount()).toBe(5);
    await approvedVersion();
    await serving(app, sagemaker, ENDPOINT, 2);
    expect(lifecycleCalls(app, ENDPOINT).map((c) => [c.operation, c.version])).toEqual([
      ['CreateEndpoint', 1],
      ['UpdateEndpoint', 2],
    ]);
    // Not scaled down to instances.count (2): the deployment kept what the endpoint had.
    expect(await desiredCount()).toBe(5);
    const target = await scalableTarget();
    expect([target?.MinCapacity, target?.MaxCapacity]).toEqual([1, 6]);
    await eventually(
      async () =>
        reconcileOutcomes(app, ENDPOINT).filter((o) => o === 'deploy-completed').length >= 2
          ? true
          : undefined,
      'the deploy-completed report of v2',
    );
  });

  it('refuses an UpdateEndpoint that changes the instance type of the registered variant, as SageMaker does', async () => {
    const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: ENDPOINT }));
    const current = await sagemaker.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }),
    );
    const model = current.ProductionVariants?.[0]?.ModelName;
    await sagemaker.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'scaled-prod-bigger',
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: model,
            InstanceType: 'ml.c5.xlarge',
            InitialInstanceCount: 2,
          },
        ],
      }),
    );
    const update = () =>
      sagemaker.send(
        new UpdateEndpointCommand({ EndpointName: ENDPOINT, EndpointConfigName: 'scaled-prod-bigger' }),
      );
    await expect(update()).rejects.toThrow(
      'The variant "AllTraffic" of endpoint "scaled-prod" is registered as an Application Auto Scaling target; an update that changes its instance type (ml.m5.large to ml.c5.xlarge) is not allowed. Deregister the scalable target first.',
    );
    // Deregistered first, the same update is allowed.
    await autoscaling.send(
      new DeregisterScalableTargetCommand({
        ServiceNamespace: 'sagemaker',
        ResourceId: RESOURCE_ID,
        ScalableDimension: DIMENSION,
      }),
    );
    await expect(update()).resolves.toBeDefined();
  });
});
