/** The local endpoint's endpoint lifecycle, over HTTP with the real SDK client. */
import {
  AddTagsCommand,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DeleteTagsCommand,
  DescribeEndpointCommand,
  ListTagsCommand,
  type SageMakerClient,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
} from '@aws-sdk/client-sagemaker';
import { eventually, uniqueName } from '../harness/local-aws';
import { startLocalSageMaker } from '../harness/local-sagemaker';

let local: Awaited<ReturnType<typeof startLocalSageMaker>>;
let sagemaker: SageMakerClient;
beforeAll(async () => {
  local = await startLocalSageMaker();
  sagemaker = local.sagemaker();
});
afterEach(() => local.reset());
afterAll(() => local.stop());

async function endpointConfig(): Promise<string> {
  const model = uniqueName('model');
  const config = uniqueName('config');
  await sagemaker.send(
    new CreateModelCommand({
      ModelName: model,
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/model',
      PrimaryContainer: { Image: 'image:1', ModelDataUrl: 's3://models/model.tar.gz' },
    }),
  );
  await sagemaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: config,
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: model, InstanceType: 'ml.m5.large', InitialInstanceCount: 2 },
      ],
    }),
  );
  return config;
}

const status = async (name: string) =>
  (await sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }))).EndpointStatus;

async function inService(name: string) {
  await eventually(
    async () => ((await status(name)) === 'InService' ? true : undefined),
    `${name} InService`,
  );
}

it('creates an endpoint Creating, then InService on its config', async () => {
  const name = uniqueName('ep');
  const config = await endpointConfig();
  local.server.endpoints.hold(name);
  const { EndpointArn } = await sagemaker.send(
    new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: config }),
  );
  expect(EndpointArn).toBe(`arn:aws:sagemaker:us-east-1:123456789012:endpoint/${name}`);
  expect(await status(name)).toBe('Creating');
  await local.server.endpoints.release(name);
  expect(await status(name)).toBe('InService');
  const described = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
  expect(described).toMatchObject({
    EndpointName: name,
    EndpointConfigName: config,
    ProductionVariants: [
      { VariantName: 'AllTraffic', CurrentInstanceCount: 2, DesiredInstanceCount: 2, CurrentWeight: 1 },
    ],
  });
  expect(described.CreationTime).toBeInstanceOf(Date);
});

it('holds an endpoint over HTTP too (POST /_local/hold, /_local/release), for tests of a running local app', async () => {
  const name = uniqueName('ep');
  const control = (route: string) =>
    fetch(`${local.url}/_local/${route}`, { method: 'POST', body: JSON.stringify({ endpointName: name }) });
  expect((await control('hold')).status).toBe(200);
  await sagemaker.send(
    new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: await endpointConfig() }),
  );
  expect(await status(name)).toBe('Creating');
  expect((await control('release')).status).toBe(200);
  expect(await status(name)).toBe('InService');
});

it('updates Updating, then InService on the new config, accepting a blue/green DeploymentConfig', async () => {
  const name = uniqueName('ep');
  const first = await endpointConfig();
  await sagemaker.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: first }));
  await inService(name);
  const second = await endpointConfig();
  const deploymentConfig = {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: {
        Type: 'CANARY' as const,
        CanarySize: { Type: 'CAPACITY_PERCENT' as const, Value: 10 },
        WaitIntervalInSeconds: 600,
      },
      TerminationWaitInSeconds: 300,
    },
    AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'errors' }] },
  };
  local.server.endpoints.hold(name);
  await sagemaker.send(
    new UpdateEndpointCommand({
      EndpointName: name,
      EndpointConfigName: second,
      DeploymentConfig: deploymentConfig,
      RetainAllVariantProperties: false,
    }),
  );
  const updating = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
  expect(updating.EndpointStatus).toBe('Updating');
  expect(updating.EndpointConfigName).toBe(first);
  await local.server.endpoints.release(name);
  const done = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
  expect(done.EndpointConfigName).toBe(second);
  expect(done.LastDeploymentConfig).toEqual(deploymentConfig);
  expect(
    local.server.endpoints.calls
      .filter((c) => c.endpointName === name)
      .map((c) => [c.operation, c.endpointConfigName]),
  ).toEqual([
    ['CreateEndpoint', first],
    ['UpdateEndpoint', second],
  ]);
});

it('fails an update whose endpoint config does not exist, and a call on an unknown endpoint', async () => {
  const name = uniqueName('ep');
  await sagemaker.send(
    new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: await endpointConfig() }),
  );
  await inService(name);
  await expect(
    sagemaker.send(new UpdateEndpointCommand({ EndpointName: name, EndpointConfigName: 'missing' })),
  ).rejects.toMatchObject({
    name: 'ValidationException',
    message: 'Could not find endpoint configuration "missing".',
  });
  expect(await status(name)).toBe('InService');
  await expect(sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'nope' }))).rejects.toMatchObject({
    name: 'ValidationException',
    message: 'Could not find endpoint "nope".',
  });
  await expect(
    sagemaker.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: 'x' })),
  ).rejects.toMatchObject({
    message: `Cannot create already existing endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/${name}".`,
  });
});

it('can roll an update back (InService on the old config, with a reason) or fail it, when asked', async () => {
  const name = uniqueName('ep');
  const first = await endpointConfig();
  await sagemaker.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: first }));
  await inService(name);
  local.server.configure({ outcomes: { [name]: ['rollback', 'fail'] } });

  await sagemaker.send(
    new UpdateEndpointCommand({ EndpointName: name, EndpointConfigName: await endpointConfig() }),
  );
  await eventually(async () => ((await status(name)) === 'Updating' ? undefined : true), 'the update to end');
  const rolledBack = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
  expect(rolledBack).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: first });
  expect(rolledBack.FailureReason).toMatch(/rolled back/);

  await sagemaker.send(
    new UpdateEndpointCommand({ EndpointName: name, EndpointConfigName: await endpointConfig() }),
  );
  await eventually(async () => ((await status(name)) === 'Failed' ? true : undefined), 'the update to fail');
});

it('can roll an update back without a FailureReason, as SageMaker may', async () => {
  const name = uniqueName('ep');
  const first = await endpointConfig();
  await sagemaker.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: first }));
  await inService(name);
  local.server.configure({ outcomes: { [name]: ['rollback-without-reason'] } });
  await sagemaker.send(
    new UpdateEndpointCommand({ EndpointName: name, EndpointConfigName: await endpointConfig() }),
  );
  await eventually(async () => ((await status(name)) === 'Updating' ? undefined : true), 'the update to end');
  const rolledBack = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
  expect(rolledBack).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: first });
  expect(rolledBack.FailureReason).toBeUndefined();
});

it('refuses UpdateEndpoint and DeleteEndpoint while the endpoint is Creating, Updating, SystemUpdating, RollingBack or Deleting', async () => {
  const name = uniqueName('ep');
  const config = await endpointConfig();
  const other = await endpointConfig();
  const arn = `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${name}`;
  // Held in each state until released: the checks never race the state's end.
  const endpoints = local.server.endpoints;
  const refused = async (expected: string) => {
    expect(await status(name)).toBe(expected);
    for (const call of [
      new UpdateEndpointCommand({ EndpointName: name, EndpointConfigName: other }),
      new DeleteEndpointCommand({ EndpointName: name }),
    ]) {
      await expect(sagemaker.send(call as UpdateEndpointCommand)).rejects.toMatchObject({
        name: 'ValidationException',
        message: `Cannot update in-progress endpoint "${arn}".`,
      });
    }
    await endpoints.release(name);
    endpoints.hold(name);
  };
  endpoints.hold(name);
  await sagemaker.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: config }));
  await refused('Creating');
  for (const s of ['SystemUpdating', 'RollingBack'] as const) {
    const res = await fetch(`${local.url}/_local/system-state`, {
      method: 'POST',
      body: JSON.stringify({ endpointName: name, status: s, ms: 50 }),
    });
    expect(res.status).toBe(200);
    await refused(s);
    expect(await status(name)).toBe('InService');
  }
  await sagemaker.send(new UpdateEndpointCommand({ EndpointName: name, EndpointConfigName: other }));
  await refused('Updating');
  await sagemaker.send(new DeleteEndpointCommand({ EndpointName: name }));
  expect(await status(name)).toBe('Deleting');
  await expect(
    sagemaker.send(new UpdateEndpointCommand({ EndpointName: name, EndpointConfigName: other })),
  ).rejects.toMatchObject({ message: `Cannot update in-progress endpoint "${arn}".` });
  await endpoints.release(name);
});

it('keeps the tags of its endpoints (AddTags, ListTags, DeleteTags) and sends them with its events', async () => {
  const name = uniqueName('ep');
  await sagemaker.send(
    new CreateEndpointCommand({
      EndpointName: name,
      EndpointConfigName: await endpointConfig(),
      Tags: [{ Key: 'team', Value: 'ml' }],
    }),
  );
  const arn = `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${name}`;
  await sagemaker.send(
    new AddTagsCommand({
      ResourceArn: arn,
      Tags: [
        { Key: 'team', Value: 'risk' },
        { Key: 'x', Value: '1' },
      ],
    }),
  );
  await sagemaker.send(new DeleteTagsCommand({ ResourceArn: arn, TagKeys: ['x'] }));
  expect((await sagemaker.send(new ListTagsCommand({ ResourceArn: arn }))).Tags).toEqual([
    { Key: 'team', Value: 'risk' },
  ]);
  await inService(name);
  const event = local.server.events.emitted.filter((e) => e.detail.EndpointName === name).at(-1);
  expect(event?.detail.Tags).toEqual({ team: 'risk' });
});

it('deletes an endpoint after Deleting', async () => {
  const name = uniqueName('ep');
  await sagemaker.send(
    new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: await endpointConfig() }),
  );
  await inService(name);
  await sagemaker.send(new DeleteEndpointCommand({ EndpointName: name }));
  expect(await status(name)).toBe('Deleting');
  await eventually(
    () =>
      status(name).then(
        () => undefined,
        (e: Error) => (/Could not find/.test(e.message) ? true : undefined),
      ),
    'the endpoint to be gone',
  );
});

it('scales a variant (UpdateEndpointWeightsAndCapacities) Updating, then InService at the new count, with both events', async () => {
  const name = uniqueName('ep');
  await sagemaker.send(
    new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: await endpointConfig() }),
  );
  await inService(name);
  const next = await endpointConfig();
  local.server.configure({ timing: { updateMs: 5000 } });
  await sagemaker.send(
    new UpdateEndpointWeightsAndCapacitiesCommand({
      EndpointName: name,
      DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredInstanceCount: 4 }],
    }),
  );
  const during = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
  expect(during.EndpointStatus).toBe('Updating');
  expect(during.ProductionVariants?.map((v) => [v.DesiredInstanceCount, v.CurrentInstanceCount])).toEqual([
    [4, 2],
  ]);
  await expect(
    sagemaker.send(new UpdateEndpointCommand({ EndpointName: name, EndpointConfigName: next })),
  ).rejects.toThrow(/in-progress/);
  await inService(name);
  const after = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
  expect(after.ProductionVariants?.map((v) => [v.DesiredInstanceCount, v.CurrentInstanceCount])).toEqual([
    [4, 4],
  ]);
  const statuses = local.server.events.emitted
    .filter((e) => e.detail.EndpointName === name)
    .map((e) => e.detail.EndpointStatus);
  expect(statuses.slice(-2)).toEqual(['UPDATING', 'IN_SERVICE']);
});
