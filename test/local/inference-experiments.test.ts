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
      KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/local',
      DataCaptureConfig: {
        InitialSamplingPercentage: 10,
        DestinationS3Uri: 's3://capture/churn',
        CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
      },
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
  return { endpoint, live, candidate, config };
}

function request(
  e: { endpoint: string; live: string; candidate: string; config: string },
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

it('runs Creating → Created → Running (the endpoint carries the shadow variant) → Completed (back on its pre-test config)', async () => {
  const e = await liveEndpoint();
  // Starts two seconds from now: Created until then.
  const start = Date.now() + 2000;
  const r = request(e, { Schedule: { StartTime: new Date(start), EndTime: new Date(start + 60_000) } });
  await sagemaker.send(new CreateInferenceExperimentCommand(r));
  expect(await statusOf(r.Name as string)).toBe('Creating');
  await eventually(
    async () => ((await statusOf(r.Name as string)) === 'Created' ? true : undefined),
    'Created',
  );
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
  // "The endpoint reverts to the state it was in prior to starting the test": its own config, with
  // its data capture and KMS key, not one rebuilt from the experiment.
  const after = await eventually(async () => {
    const d = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: e.endpoint }));
    return d.EndpointStatus === 'InService' ? d : undefined;
  }, 'the endpoint InService after the test');
  expect(after.EndpointConfigName).toBe(e.config);
  expect(after.DataCaptureConfig?.DestinationS3Uri).toBe('s3://capture/churn');
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
  // Two days back, 30 seconds into a minute.
  const minute = Math.floor((Date.now() - 2 * 86_400_000) / 60_000) * 60_000;
  const at = new Date(minute + 30_000);
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
      StartTime: new Date(minute),
      EndTime: new Date(minute + 60_000),
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

describe("GetMetricData keeps CloudWatch's period rules by the age of StartTime", () => {
  const DAY = 86_400_000;
  const HOUR = 3_600_000;
  /** Ten invocations recorded `days` ago, 10 minutes 30 seconds past an hour. */
  async function recordedDaysAgo(days: number) {
    const hour = Math.floor((Date.now() - days * DAY) / HOUR) * HOUR;
    const at = hour + 630_000;
    await fetch(`${local.url}/_local/variant-metrics`, {
      method: 'POST',
      body: JSON.stringify([
        { endpointName: 'ep', variantName: 'AllTraffic', invocations: 10, at: new Date(at).toISOString() },
      ]),
    });
    return at;
  }
  /** The Invocations Sum over [start, start + 2 h) in periods of `period` seconds. */
  async function sum(start: number, period: number) {
    const cloudwatch = new CloudWatchClient(local.clientConfig());
    const out = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(start),
        EndTime: new Date(start + 2 * HOUR),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [
          {
            Id: 'n',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/SageMaker',
                MetricName: 'Invocations',
                Dimensions: [
                  { Name: 'EndpointName', Value: 'ep' },
                  { Name: 'VariantName', Value: 'AllTraffic' },
                ],
              },
              Period: period,
              Stat: 'Sum',
            },
          },
        ],
      }),
    );
    const r = out.MetricDataResults?.[0];
    return { timestamps: r?.Timestamps?.map((t) => t.getTime()), values: r?.Values };
  }

  it('under 15 days: any multiple of 60 seconds, from StartTime rounded down to the minute', async () => {
    const at = await recordedDaysAgo(2);
    const start = at - 90_000;
    expect(await sum(start, 120)).toEqual({
      timestamps: [Math.floor(start / 60_000) * 60_000],
      values: [10],
    });
    expect(await sum(start, 90)).toEqual({ timestamps: [], values: [] });
  });

  it('15 to 63 days: a multiple of 300 seconds, from StartTime rounded down to 5 minutes; else no data points', async () => {
    const at = await recordedDaysAgo(20);
    const start = at - 90_000;
    expect(await sum(start, 60)).toEqual({ timestamps: [], values: [] });
    expect(await sum(start, 600)).toEqual({
      timestamps: [Math.floor(start / 300_000) * 300_000],
      values: [10],
    });
  });

  it('over 63 days: a multiple of 3600 seconds, from StartTime rounded down to the hour; else no data points', async () => {
    const at = await recordedDaysAgo(70);
    expect(await sum(at - 90_000, 300)).toEqual({ timestamps: [], values: [] });
    expect(await sum(at - 90_000, 3600)).toEqual({
      timestamps: [Math.floor(at / HOUR) * HOUR],
      values: [10],
    });
  });
});
