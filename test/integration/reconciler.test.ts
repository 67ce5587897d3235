/**
 * The endpoint reconciler, played by the local runner on the local SageMaker endpoint: approvals
 * and rejections in the registry turn into endpoint deployments, over HTTP.
 */
import { ListEndpointConfigsCommand, ListModelsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { LocalApp } from '../../local/runner/local-app';
import { lifecycleCalls, reconcileOutcomes, replay, serving } from '../harness/deployments';
import { startLocalApp } from '../harness/local-app';
import { eventually } from '../harness/local-aws';
import { registerVersion, setApproval } from '../harness/registry';

let app: LocalApp;
let sagemaker: SageMakerClient;
beforeAll(async () => {
  app = await startLocalApp({
    groups: [
      {
        name: 'churn',
        deployments: [
          {
            endpointName: 'churn-prod',
            strategy: { type: 'canary', canaryPercent: 10, waitMinutes: 5 },
            rollbackAlarms: true,
            keepPreviousVersions: 1,
          },
        ],
      },
      { name: 'fraud', deployments: [{ endpointName: 'fraud-prod', serverless: {} }] },
      { name: 'staged', deployments: [{ endpointName: 'staged-prod', serve: { stage: 'Production' } }] },
    ],
  });
  sagemaker = new SageMakerClient({
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'approver', secretAccessKey: 'local' },
  });
}, 120_000);
afterAll(async () => app?.stop());

async function approvedVersion(group: string): Promise<string> {
  const arn = await registerVersion(sagemaker, group, { createGroup: false });
  await setApproval(sagemaker, arn, 'Approved', 'good');
  return arn;
}

describe('in order', () => {
  it('deploys the first approved version, then reports it live', async () => {
    await approvedVersion('churn');
    await serving(app, sagemaker, 'churn-prod', 1);
    expect(lifecycleCalls(app, 'churn-prod').map((c) => [c.operation, c.version])).toEqual([
      ['CreateEndpoint', 1],
    ]);
    // The endpoint's IN_SERVICE event runs the reconciler, which reports the version live.
    await eventually(
      async () => (reconcileOutcomes(app, 'churn-prod').includes('deploy-completed') ? true : undefined),
      'the deploy-completed report',
    );
    expect(reconcileOutcomes(app, 'churn-prod')).toContain('deploy-started');
  });

  it('updates to a second approval with the canary DeploymentConfig and the rollback alarms', async () => {
    await approvedVersion('churn');
    await serving(app, sagemaker, 'churn-prod', 2);
    const update = lifecycleCalls(app, 'churn-prod').at(-1);
    expect(update).toEqual({
      operation: 'UpdateEndpoint',
      version: 2,
      deploymentConfig: {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: {
            Type: 'CANARY',
            WaitIntervalInSeconds: 300,
            CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 },
          },
          TerminationWaitInSeconds: 300,
        },
        AutoRollbackConfiguration: {
          Alarms: [
            { AlarmName: 'model-governance-churn-prod-invocation-5xx' },
            { AlarmName: 'model-governance-churn-prod-model-latency' },
          ],
        },
      },
    });
  });

  it('converges when approvals arrive while the endpoint is Updating', async () => {
    app.sagemaker.configure({ timing: { updateMs: 800 } });
    await approvedVersion('churn'); // v3: update starts
    await eventually(
      async () => (lifecycleCalls(app, 'churn-prod').some((c) => c.version === 3) ? true : undefined),
      'the v3 update',
    );
    await approvedVersion('churn'); // v4 while Updating: skipped, then reconciled on the endpoint's event
    await serving(app, sagemaker, 'churn-prod', 4);
    app.sagemaker.configure({ timing: { updateMs: 200 } });
    expect(lifecycleCalls(app, 'churn-prod').map((c) => c.version)).toEqual([1, 2, 3, 4]);
    expect(reconcileOutcomes(app, 'churn-prod')).toContain('skipped');
  });

  it('rolls back to the newest remaining approved version when the live version is rejected', async () => {
    await setApproval(
      sagemaker,
      'arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/4',
      'Rejected',
      'bias found',
    );
    await serving(app, sagemaker, 'churn-prod', 3);
  });

  it('ignores duplicate, late and out-of-order events: the registry decides', async () => {
    const before = lifecycleCalls(app, 'churn-prod').length;
    const old = app.sagemaker.events.emitted.filter((e) =>
      JSON.stringify(e.detail).includes('model-package/churn/'),
    );
    await replay(app, [...old].reverse()); // every churn event again, newest first
    await replay(app, old.slice(0, 3)); // and the first ones once more
    await app.idle();
    await serving(app, sagemaker, 'churn-prod', 3);
    expect(lifecycleCalls(app, 'churn-prod')).toHaveLength(before);
  });

  it('keeps only the configured number of previous versions’ models and configs', async () => {
    const configs =
      (await sagemaker.send(new ListEndpointConfigsCommand({ NameContains: 'churn-prod-v' })))
        .EndpointConfigs ?? [];
    const models =
      (await sagemaker.send(new ListModelsCommand({ NameContains: 'churn-prod-v' }))).Models ?? [];
    // live v3, plus one previous version (v4, the newest other); v1 and v2 are gone.
    expect(configs.map((c) => c.EndpointConfigName?.split('-')[2]).sort()).toEqual(['v3', 'v4']);
    expect(models.map((m) => m.ModelName?.split('-')[2]).sort()).toEqual(['v3', 'v4']);
  });

  it('reports a silent rollback and does not retry the version', async () => {
    app.sagemaker.configure({ outcomes: { 'churn-prod': ['rollback'] } });
    await approvedVersion('churn'); // v5: deployed, then rolled back by "an alarm"
    await eventually(
      async () => (reconcileOutcomes(app, 'churn-prod').includes('rolled-back') ? true : undefined),
      'the rollback report',
    );
    await app.idle();
    await serving(app, sagemaker, 'churn-prod', 3);
    expect(lifecycleCalls(app, 'churn-prod').filter((c) => c.version === 5)).toHaveLength(1);
    const notice = app.invocations.find(
      (i) => i.functionName === 'reconcile-endpoint' && JSON.stringify(i.outcome).includes('rolled-back'),
    );
    expect(JSON.stringify(notice?.outcome)).toContain('an auto-rollback alarm went into ALARM');
  });
});

it('deploys two groups at once, serverless without a blue/green config', async () => {
  await Promise.all([approvedVersion('fraud'), approvedVersion('fraud')]);
  await serving(app, sagemaker, 'fraud-prod', 2);
  expect(lifecycleCalls(app, 'fraud-prod').every((c) => c.deploymentConfig === undefined)).toBe(true);
});

it('serves only versions in the target’s lifecycle stage', async () => {
  const arn = await approvedVersion('staged');
  await app.idle();
  expect(lifecycleCalls(app, 'staged-prod')).toEqual([]);
  const { UpdateModelPackageCommand } = await import('@aws-sdk/client-sagemaker');
  await sagemaker.send(
    new UpdateModelPackageCommand({
      ModelPackageArn: arn,
      ModelLifeCycle: { Stage: 'Production', StageStatus: 'Approved' },
    }),
  );
  await serving(app, sagemaker, 'staged-prod', 1);
});
