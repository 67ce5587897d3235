/**
 * The endpoint reconciler, played by the local runner on the local SageMaker endpoint: approvals
 * and rejections in the registry turn into endpoint deployments, over HTTP.
 */
import { ListEndpointConfigsCommand, ListModelsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { LocalApp } from '../../local/runner/local-app';
import { lifecycleCalls, reconcileOutcomes, reconcileReports, replay, serving } from '../harness/deployments';
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
      { name: 'brittle', deployments: [{ endpointName: 'brittle-prod' }] },
    ],
  });
  sagemaker = new SageMakerClient({
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'approver', secretAccessKey: 'local' },
  });
}, 360_000);
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
    // Held Updating until released: v4 arrives during the update however slow the machine.
    app.sagemaker.endpoints.hold('churn-prod');
    await approvedVersion('churn'); // v3: update starts
    await eventually(
      async () => (lifecycleCalls(app, 'churn-prod').some((c) => c.version === 3) ? true : undefined),
      'the v3 update',
    );
    const skippedBefore = reconcileOutcomes(app, 'churn-prod').filter((o) => o === 'skipped').length;
    await approvedVersion('churn'); // v4 while Updating: skipped, then reconciled on the endpoint's event
    await eventually(
      async () =>
        reconcileOutcomes(app, 'churn-prod').filter((o) => o === 'skipped').length > skippedBefore
          ? true
          : undefined,
      'v4 skipped while the endpoint is Updating',
    );
    await app.sagemaker.endpoints.release('churn-prod');
    await serving(app, sagemaker, 'churn-prod', 4);
    expect(lifecycleCalls(app, 'churn-prod').map((c) => c.version)).toEqual([1, 2, 3, 4]);
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

  /** Endpoint events after a rollback: a maintenance (SYSTEM_UPDATING, IN_SERVICE) and the last IN_SERVICE three times more. */
  async function furtherEndpointEvents(endpointName: string): Promise<number> {
    const before = app.sagemaker.events.emitted.length;
    await app.sagemaker.systemState(endpointName, { status: 'SystemUpdating', ms: 300 });
    await eventually(
      async () =>
        app.sagemaker.events.emitted
          .slice(before)
          .some((e) => e.detail.EndpointName === endpointName && e.detail.EndpointStatus === 'IN_SERVICE')
          ? true
          : undefined,
      'the end of the maintenance',
    );
    const settled = app.sagemaker.events.emitted.filter(
      (e) => e.detail.EndpointName === endpointName && e.detail.EndpointStatus === 'IN_SERVICE',
    );
    await replay(
      app,
      [settled.at(-1), settled.at(-1), settled.at(-1)].filter((e) => e !== undefined),
    );
    await app.idle();
    return app.sagemaker.events.emitted.length - before + 3;
  }

  async function rollbackIsFinal(version: number, outcome: 'rollback' | 'rollback-without-reason') {
    const reportsBefore = reconcileOutcomes(app, 'churn-prod').length;
    app.sagemaker.configure({ outcomes: { 'churn-prod': [outcome] } });
    await approvedVersion('churn'); // deployed, then rolled back by SageMaker
    await eventually(
      async () =>
        reconcileOutcomes(app, 'churn-prod').slice(reportsBefore).includes('rolled-back') ? true : undefined,
      'the rollback report',
    );
    await app.idle();
    const events = await furtherEndpointEvents('churn-prod');
    expect(events).toBeGreaterThanOrEqual(5);
    await serving(app, sagemaker, 'churn-prod', 3);
    // Tried once, never again; told once.
    expect(lifecycleCalls(app, 'churn-prod').filter((c) => c.version === version)).toEqual([
      expect.objectContaining({ operation: 'UpdateEndpoint' }),
    ]);
    const reports = reconcileOutcomes(app, 'churn-prod').slice(reportsBefore);
    expect(reports.filter((r) => r === 'rolled-back')).toHaveLength(1);
    expect(reports.filter((r) => r === 'deploy-started')).toHaveLength(1);
    // SageMaker's FailureReason (or a note that it gave none), carried on the typed outcome.
    const rolledBack = reconcileReports(app, 'churn-prod').find(
      (r) => r.outcome === 'rolled-back' && r.intendedVersion === version,
    );
    return rolledBack?.outcome === 'rolled-back' ? rolledBack.reason : undefined;
  }

  it('a rollback with a FailureReason is notified once and never retried, across further endpoint events', async () => {
    const notice = await rollbackIsFinal(5, 'rollback');
    expect(notice).toContain('an auto-rollback alarm went into ALARM');
  });

  it('a rollback without a FailureReason is recognised all the same (the endpoint settled on another config)', async () => {
    // v6 is newer than the rolled-back v5, so it deploys; then SageMaker rolls it back silently.
    const notice = await rollbackIsFinal(6, 'rollback-without-reason');
    expect(notice).toContain('SageMaker gave no FailureReason');
  });

  it('a crash between CreateEndpointConfig and UpdateEndpoint is no rollback: the next delivery deploys', async () => {
    const reportsBefore = reconcileOutcomes(app, 'churn-prod').length;
    app.sagemaker.configure({ interruptNextUpdate: ['churn-prod'] });
    await approvedVersion('churn'); // v7: model, config and the request recorded; UpdateEndpoint never made
    await serving(app, sagemaker, 'churn-prod', 7);
    const failed = app.invocations.filter(
      (i) =>
        i.functionName === 'reconcile-endpoint' &&
        !i.outcome.ok &&
        JSON.stringify(i.outcome).includes('crashed'),
    );
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(reconcileOutcomes(app, 'churn-prod').slice(reportsBefore)).not.toContain('rolled-back');
  });
});

it('leaves a Failed endpoint to an operator: no update SageMaker would refuse, even for a newer approval', async () => {
  app.sagemaker.configure({ outcomes: { 'brittle-prod': ['fail'] } });
  await approvedVersion('brittle'); // CreateEndpoint, then Failed
  await eventually(
    async () => (reconcileOutcomes(app, 'brittle-prod').includes('needs-operator') ? true : undefined),
    'the needs-operator report for the Failed endpoint',
  );
  await approvedVersion('brittle'); // v2 approved while the endpoint is Failed
  await app.idle();
  expect(
    reconcileOutcomes(app, 'brittle-prod').filter((o) => o === 'needs-operator').length,
  ).toBeGreaterThanOrEqual(2);
  expect(lifecycleCalls(app, 'brittle-prod').map((c) => [c.operation, c.version])).toEqual([
    ['CreateEndpoint', 1],
  ]);
  // What the reconciler no longer tries, the local SageMaker refuses, as SageMaker does.
  const config = (await sagemaker.send(new ListEndpointConfigsCommand({ NameContains: 'brittle-prod' })))
    .EndpointConfigs?.[0]?.EndpointConfigName;
  const { UpdateEndpointCommand } = await import('@aws-sdk/client-sagemaker');
  await expect(
    sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'brittle-prod', EndpointConfigName: config })),
  ).rejects.toThrow(/failed endpoint.*DeleteEndpoint is the only operation allowed/);
});

it('deploys two groups at once, serverless without a blue/green config', async () => {
  await Promise.all([approvedVersion('fraud'), approvedVersion('fraud')]);
  await serving(app, sagemaker, 'fraud-prod', 2);
  expect(lifecycleCalls(app, 'fraud-prod').every((c) => c.deploymentConfig === undefined)).toBe(true);
});

it('puts the approved version back when someone else updates the endpoint to their own config (drift, not a rollback)', async () => {
  // fraud-prod serves v2 (the test above). Mallory, with CreateModel and UpdateEndpoint in the
  // account, serves her own container under her own config.
  const mallory = new SageMakerClient({
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'mallory', secretAccessKey: 'local' },
  });
  const { CreateModelCommand, CreateEndpointConfigCommand, UpdateEndpointCommand } = await import(
    '@aws-sdk/client-sagemaker'
  );
  await mallory.send(
    new CreateModelCommand({
      ModelName: 'mallory-model',
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/mallory',
      PrimaryContainer: { Image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/evil:latest' },
    }),
  );
  await mallory.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: 'mallory-config',
      ProductionVariants: [
        {
          VariantName: 'AllTraffic',
          ModelName: 'mallory-model',
          ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 },
        },
      ],
    }),
  );
  const reportsBefore = reconcileOutcomes(app, 'fraud-prod').length;
  await mallory.send(
    new UpdateEndpointCommand({ EndpointName: 'fraud-prod', EndpointConfigName: 'mallory-config' }),
  );
  // Her config settles; its IN_SERVICE event runs the reconciler, which puts v2 back and says so.
  await eventually(
    async () => (lifecycleCalls(app, 'fraud-prod').at(-1)?.version === 2 ? true : undefined),
    'the reconciler putting v2 back',
  );
  await serving(app, sagemaker, 'fraud-prod', 2);
  expect(reconcileOutcomes(app, 'fraud-prod').slice(reportsBefore)).not.toContain('rolled-back');
  const putBack = reconcileReports(app, 'fraud-prod').find((r) => r.outcome === 'deploy-started' && r.drift);
  expect(putBack).toMatchObject({ outcome: 'deploy-started', drift: true, fromConfig: 'mallory-config' });
});

it('serves only versions in the target’s lifecycle stage', async () => {
  const arn = await approvedVersion('staged');
  await app.idle();
  expect(lifecycleCalls(app, 'staged-prod')).toEqual([]);
  const { UpdateModelPackageCommand } = await import('@aws-sdk/client-sagemaker');
  // Promoted by a release manager, not the version's registrant (a registrant's stage is not served).
  const releaseManager = new SageMakerClient({
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'role=ReleaseManager@rita', secretAccessKey: 'local' },
  });
  await releaseManager.send(
    new UpdateModelPackageCommand({
      ModelPackageArn: arn,
      ModelLifeCycle: { Stage: 'Production', StageStatus: 'Approved' },
    }),
  );
  await serving(app, sagemaker, 'staged-prod', 1);
});
