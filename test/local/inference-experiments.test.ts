/** The local SageMaker's inference experiments (shadow tests) and variant figures, over HTTP with the real SDK clients. */
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateInferenceExperimentCommand,
  type CreateInferenceExperimentCommandInput,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeInferenceExperimentCommand,
  ListInferenceExperimentsCommand,
  type SageMakerClient,
  StopInferenceExperimentCommand,
} from '@aws-sdk/client-sagemaker';
import { eventually, uniqueName } from '../harness/local-aws';
import { startLocalSageMaker } from '../harness/local-sagemaker';

let local: Awaited<ReturnType<typeof startLocalSageMaker>>;
let sagemaker: SageMakerClient;
beforeAll(async () => {
  local = await startLocalSageMaker({ experimentMinuteMs: 300 });
  sagemaker = local.sagemaker();
});
afterEach(() => local.reset());
afterAll(() => local.stop());

async function model(): Promise<string> {
  const name = uniqueName('model');
  await sagemaker.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/model',
      PrimaryContainer: { Image: 'image:1', ModelDataUrl: 's3://models/model.tar.gz' },
    }),
  );
  return name;
}

/** An InService endpoint serving a new model, and a second model to shadow it with. */
async function liveEndpoint() {
  const [live, candidate] = [await model(), await model()];
  const config = uniqueName('config');
  const endpoint = uniqueName('endpoint');
  await sagemaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: config,
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: live, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
      ],
    }),
  );
  await sagemaker.send(new CreateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: config }));
  await eventually(
    async () =>
      (await sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpoint }))).EndpointStatus ===
      'InService'
        ? true
        : undefined,
    'the endpoint InService',
  );
  return { endpoint, live, candidate };
}

function request(
  e: { endpoint: string; live: string; candidate: string },
  more: Partial<CreateInferenceExperimentCommandInput> = {},
): CreateInferenceExperimentCommandInput {
  const infra = {
    InfrastructureType: 'RealTimeInference' as const,
    RealTimeInferenceConfig: { InstanceType: 'ml.m5.large' as const, InstanceCount: 1 },
  };
  return {
    Name: uniqueName('shadow'),
    Type: 'ShadowMode',
    RoleArn: 'arn:aws:iam::123456789012:role/shadow',
    EndpointName: e.endpoint,
    Schedule: { StartTime: new Date(), EndTime: new Date(Date.now() + 60_000) },
    ModelVariants: [
      { ModelName: e.live, VariantName: 'AllTraffic', InfrastructureConfig: infra },
      { ModelName: e.candidate, VariantName: 'Shadow', InfrastructureConfig: infra },
    ],
    ShadowModeConfig: {
      SourceModelVariantName: 'AllTraffic',
      ShadowModelVariants: [{ ShadowModelVariantName: 'Shadow', SamplingPercentage: 30 }],
    },
    ...more,
  };
}

const statusOf = async (name: string) =>
  (await sagemaker.send(new DescribeInferenceExperimentCommand({ Name: name }))).Status;

it('runs Creating → Running (the endpoint carries the shadow variant) → Completed (back to one variant)', async () => {
  const e = await liveEndpoint();
  const r = request(e);
  await sagemaker.send(new CreateInferenceExperimentCommand(r));
  expect(await statusOf(r.Name as string)).toBe('Creating');
  await eventually(
    async () => ((await statusOf(r.Name as string)) === 'Running' ? true : undefined),
    'Running',
  );
  const during = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: e.endpoint }));
  const config = await sagemaker.send(
    new DescribeEndpointConfigCommand({ EndpointConfigName: during.EndpointConfigName }),
  );
  expect(config.ProductionVariants?.map((v) => v.ModelName)).toEqual([e.live]);
  expect(config.ShadowProductionVariants?.map((v) => v.ModelName)).toEqual([e.candidate]);
  await eventually(
    async () => ((await statusOf(r.Name as string)) === 'Completed' ? true : undefined),
    'Completed',
  );
  const described = await sagemaker.send(new DescribeInferenceExperimentCommand({ Name: r.Name }));
  expect(described.CompletionTime).toBeInstanceOf(Date);
  const listed = await sagemaker.send(new ListInferenceExperimentsCommand({ NameContains: r.Name }));
  expect(listed.InferenceExperiments?.map((x) => [x.Name, x.Status])).toEqual([[r.Name, 'Completed']]);
});

it('refuses what SageMaker refuses: a taken name, a second test on the endpoint, a stop of one that ended', async () => {
  const e = await liveEndpoint();
  const first = request(e);
  await sagemaker.send(new CreateInferenceExperimentCommand(first));
  await expect(sagemaker.send(new CreateInferenceExperimentCommand(first))).rejects.toMatchObject({
    name: 'ResourceInUse',
  });
  await expect(sagemaker.send(new CreateInferenceExperimentCommand(request(e)))).rejects.toThrow(
    /already has inference experiment .* in progress; SageMaker supports one shadow variant per endpoint/,
  );
  await expect(
    sagemaker.send(
      new CreateInferenceExperimentCommand(
        request(e, { Schedule: { StartTime: new Date(), EndTime: new Date(Date.now() + 31 * 86_400_000) } }),
      ),
    ),
  ).rejects.toThrow(/at most 30 days/);
  await sagemaker.send(
    new StopInferenceExperimentCommand({
      Name: first.Name,
      ModelVariantActions: { AllTraffic: 'Retain', Shadow: 'Remove' },
      DesiredState: 'Cancelled',
      Reason: 'newer version',
    }),
  );
  await eventually(
    async () => ((await statusOf(first.Name as string)) === 'Cancelled' ? true : undefined),
    'Cancelled',
  );
  await expect(
    sagemaker.send(
      new StopInferenceExperimentCommand({ Name: first.Name, ModelVariantActions: { Shadow: 'Remove' } }),
    ),
  ).rejects.toMatchObject({ name: 'ConflictException' });
  await expect(
    sagemaker.send(new DescribeInferenceExperimentCommand({ Name: 'no-such-experiment' })),
  ).rejects.toMatchObject({ name: 'ResourceNotFound' });
});

it('holds every request to the API model: the sampling percentage, the actions, the type', async () => {
  const e = await liveEndpoint();
  const r = request(e, {
    ShadowModeConfig: {
      SourceModelVariantName: 'AllTraffic',
      ShadowModelVariants: [{ ShadowModelVariantName: 'Shadow', SamplingPercentage: 101 }],
    },
  });
  await expect(sagemaker.send(new CreateInferenceExperimentCommand(r))).rejects.toThrow(
    "1 validation error detected: Value '101' at 'shadowModeConfig.shadowModelVariants.1.member.samplingPercentage' failed to satisfy constraint: Member must have value less than or equal to 100",
  );
  await expect(
    sagemaker.send(
      new StopInferenceExperimentCommand({
        Name: 'x',
        ModelVariantActions: { Shadow: 'Discard' as 'Remove' },
      }),
    ),
  ).rejects.toThrow(/Member must satisfy enum value set: \[Retain, Remove, Promote\]/);
});

it('answers GetMetricData of AWS/SageMaker per variant, with p99, from the figures set', async () => {
  const at = new Date('2026-12-02T01:00:30Z');
  await fetch(`${local.url}/_local/variant-metrics`, {
    method: 'POST',
    body: JSON.stringify([
      {
        endpointName: 'ep',
        variantName: 'Shadow',
        invocations: 100,
        invocation5xxErrors: 2,
        modelLatencyMicros: Array.from({ length: 100 }, (_, i) => (i + 1) * 1000),
        at: at.toISOString(),
      },
    ]),
  });
  const cloudwatch = new CloudWatchClient(local.clientConfig());
  const query = (id: string, metric: string, stat: string) => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/SageMaker',
        MetricName: metric,
        Dimensions: [
          { Name: 'EndpointName', Value: 'ep' },
          { Name: 'VariantName', Value: 'Shadow' },
        ],
      },
      Period: 60,
      Stat: stat,
    },
  });
  const out = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date('2026-12-02T01:00:00Z'),
      EndTime: new Date('2026-12-02T01:01:00Z'),
      MetricDataQueries: [
        query('p99', 'ModelLatency', 'p99'),
        query('n', 'Invocations', 'Sum'),
        query('e', 'Invocation5XXErrors', 'Sum'),
        query('other', 'Invocations', 'Sum'),
      ].map((q, i) =>
        i === 3
          ? {
              ...q,
              MetricStat: {
                ...q.MetricStat,
                Metric: {
                  ...q.MetricStat.Metric,
                  Dimensions: [
                    { Name: 'EndpointName', Value: 'ep' },
                    { Name: 'VariantName', Value: 'AllTraffic' },
                  ],
                },
              },
            }
          : q,
      ),
    }),
  );
  expect(out.MetricDataResults?.map((r) => [r.Id, r.Values])).toEqual([
    ['p99', [99_000]],
    ['n', [100]],
    ['e', [2]],
    ['other', []],
  ]);
});
