/**
 * An autoscaled endpoint whose instance type changes in the configuration. The new
 * configuration reaches the running app as `cdk deploy` brings it (new function bundles, then
 * CloudFormation's UPDATE_COMPLETE for the stack), and the reconciler moves the endpoint to the new
 * instance type: the variant's scalable target is deregistered before the UpdateEndpoint (SageMaker
 * refuses an instance-type change of a registered target: developer guide, "Update endpoints that
 * use auto scaling"; the local SageMaker refuses it too) and registered again once the endpoint is
 * InService on the new config, with the same bounds and policy.
 */
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { parseGovernanceConfig } from '../../core/config/parse';
import type { LocalApp } from '../../local/runner/local-app';
import { lifecycleCalls, reconcileOutcomes, serving } from '../harness/deployments';
import { startLocalApp } from '../harness/local-app';
import { eventually } from '../harness/local-aws';
import { registerVersion, setApproval } from '../harness/registry';

const ENDPOINT = 'resized-prod';
const RESOURCE_ID = `endpoint/${ENDPOINT}/variant/AllTraffic`;
const DIMENSION = 'sagemaker:variant:DesiredInstanceCount';
const AUTOSCALING = { minInstances: 2, maxInstances: 8, targetInvocationsPerInstance: 90 };
const configWith = (instanceType: string) => ({
  groups: [
    {
      name: 'resized',
      deployments: [
        { endpointName: ENDPOINT, instances: { type: instanceType, count: 2 }, autoscaling: AUTOSCALING },
      ],
    },
  ],
});

let app: LocalApp;
let sagemaker: SageMakerClient;
let autoscaling: ApplicationAutoScalingClient;
beforeAll(async () => {
  app = await startLocalApp(configWith('ml.m5.large'));
  const client = {
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'approver', secretAccessKey: 'local' },
  };
  sagemaker = new SageMakerClient(client);
  autoscaling = new ApplicationAutoScalingClient(client);
}, 360_000);
afterAll(async () => app?.stop());

async function scaling() {
  const [targets, policies] = await Promise.all([
    autoscaling.send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: 'sagemaker',
        ResourceIds: [RESOURCE_ID],
        ScalableDimension: DIMENSION,
      }),
    ),
    autoscaling.send(
      new DescribeScalingPoliciesCommand({
        ServiceNamespace: 'sagemaker',
        ResourceId: RESOURCE_ID,
        ScalableDimension: DIMENSION,
      }),
    ),
  ]);
  const target = targets.ScalableTargets?.[0];
  return target
    ? {
        bounds: [target.MinCapacity, target.MaxCapacity],
        policies: (policies.ScalingPolicies ?? []).map((p) => [
          p.PolicyName,
          p.TargetTrackingScalingPolicyConfiguration?.TargetValue,
        ]),
      }
    : undefined;
}

/** The scaling once both the target and its policy are there (registered in two calls, in that order). */
async function settledScaling() {
  const s = await scaling();
  return s && s.policies.length > 0 ? s : undefined;
}

async function servedInstanceType(): Promise<string | undefined> {
  const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: ENDPOINT }));
  const config = await sagemaker.send(
    new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }),
  );
  return config.ProductionVariants?.[0]?.InstanceType;
}

/** The reconciler's endpoint and scaling calls, in the order the local endpoint received them. */
function reconcilerCalls(from: number): string[] {
  const wanted = new Set([
    'SageMaker.UpdateEndpoint',
    'AnyScaleFrontendService.DeleteScalingPolicy',
    'AnyScaleFrontendService.DeregisterScalableTarget',
    'AnyScaleFrontendService.RegisterScalableTarget',
    'AnyScaleFrontendService.PutScalingPolicy',
  ]);
  return app.sagemaker.requestLog
    .slice(from)
    .filter((r) => r.caller.includes('reconcile-endpoint') && wanted.has(r.target))
    .map((r) => r.target.split('.')[1] as string);
}

it('moves a scaled endpoint to the instance type a new configuration names, deregistering the target around the update and registering it again with the same bounds', async () => {
  const v1 = await registerVersion(sagemaker, 'resized', { createGroup: false });
  await setApproval(sagemaker, v1, 'Approved', 'good');
  await serving(app, sagemaker, ENDPOINT, 1);
  const registered = {
    bounds: [2, 8],
    policies: [[`model-governance-${ENDPOINT}-invocations`, 90]],
  };
  expect(await eventually(settledScaling, 'the scalable target and policy of v1')).toEqual(registered);
  expect(await servedInstanceType()).toBe('ml.m5.large');
  const before = app.sagemaker.requestLog.length;

  await app.redeploy(parseGovernanceConfig(configWith('ml.c5.xlarge')));

  // The stack's UPDATE_COMPLETE alone moves the endpoint: no registry or endpoint event was needed.
  await eventually(
    async () => ((await servedInstanceType()) === 'ml.c5.xlarge' ? true : undefined),
    'the endpoint on ml.c5.xlarge',
  );
  await serving(app, sagemaker, ENDPOINT, 1);
  expect(await eventually(settledScaling, 'the scalable target and policy registered again')).toEqual(
    registered,
  );
  expect(reconcilerCalls(before)).toEqual([
    'DeleteScalingPolicy',
    'DeregisterScalableTarget',
    'UpdateEndpoint',
    'RegisterScalableTarget',
    'PutScalingPolicy',
  ]);
  expect(lifecycleCalls(app, ENDPOINT).map((c) => [c.operation, c.version])).toEqual([
    ['CreateEndpoint', 1],
    ['UpdateEndpoint', 1],
  ]);
  expect(reconcileOutcomes(app, ENDPOINT)).toContain('deploy-started');
});

it('refuses a configuration that would add resources, naming them, and leaves the running app as it was', async () => {
  const grown = {
    groups: [
      ...configWith('ml.c5.xlarge').groups,
      { name: 'another', deployments: [{ endpointName: 'another-ep' }] },
    ],
  };
  await expect(app.redeploy(parseGovernanceConfig(grown))).rejects.toThrow(
    /adds or removes .*\(added\).* the local app applies changes to its functions and rules only\. Stop it and start it again \(npm run local\)\./,
  );
  // Still reconciling with the configuration it had: a newer version deploys on ml.c5.xlarge.
  const v2 = await registerVersion(sagemaker, 'resized', { createGroup: false });
  await setApproval(sagemaker, v2, 'Approved', 'better');
  await serving(app, sagemaker, ENDPOINT, 2);
  expect(await servedInstanceType()).toBe('ml.c5.xlarge');
});
