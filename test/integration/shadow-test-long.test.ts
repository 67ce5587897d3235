/**
 * A 20-day shadow test on an autoscaled target, its minutes scaled so it lasts seconds here: the
 * live variant keeps the count Application Auto Scaling gave it, and the figures are read back
 * from CloudWatch under the period rules for a StartTime 20 days back (a Period in whole 5
 * minutes), so the version is judged on what it served, not failed as "received no requests".
 */
import {
  DescribeEndpointCommand,
  DescribeInferenceExperimentCommand,
  ListInferenceExperimentsCommand,
  SageMakerClient,
  UpdateEndpointWeightsAndCapacitiesCommand,
} from '@aws-sdk/client-sagemaker';
import { versionOfName } from '../../core/naming';
import type { LocalApp } from '../../local/runner/local-app';
import { reconcileOutcomes, serving } from '../harness/deployments';
import { startLocalApp } from '../harness/local-app';
import { eventually } from '../harness/local-aws';
import { registerVersion, setApproval } from '../harness/registry';

const ENDPOINT = 'churn-long';
const DAY = 86_400_000;
const raw = {
  groups: [
    {
      name: 'churnlong',
      deployments: [
        {
          endpointName: ENDPOINT,
          instances: { type: 'ml.m5.large', count: 1 },
          autoscaling: { minInstances: 1, maxInstances: 6, targetInvocationsPerInstance: 70 },
          shadow: {
            minutes: 20 * 24 * 60,
            samplingPercent: 50,
            maxLatencyIncreasePercent: 20,
            maxErrorRatePercent: 1,
          },
        },
      ],
    },
  ],
};
let app: LocalApp;
let sagemaker: SageMakerClient;

beforeAll(async () => {
  app = await startLocalApp(raw, { scheduleEveryMs: 500 });
  // Twenty days last about three seconds here.
  app.sagemaker.configure({ experimentMinuteMs: 0.1 });
  sagemaker = new SageMakerClient({
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'approver', secretAccessKey: 'local' },
  });
}, 360_000);
afterAll(async () => {
  await app?.stop();
});

async function approvedVersion(): Promise<void> {
  const arn = await registerVersion(sagemaker, 'churnlong');
  await setApproval(sagemaker, arn, 'Approved', 'good');
}

it('judges a 20-day shadow test on the figures it recorded across the 20 days, and promotes the version', async () => {
  await approvedVersion();
  await serving(app, sagemaker, ENDPOINT, 1);
  // Application Auto Scaling scales the live variant out, as it does on AWS.
  await sagemaker.send(
    new UpdateEndpointWeightsAndCapacitiesCommand({
      EndpointName: ENDPOINT,
      DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredInstanceCount: 3 }],
    }),
  );
  await eventually(async () => {
    const e = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: ENDPOINT }));
    return e.EndpointStatus === 'InService' ? true : undefined;
  }, 'the endpoint scaled out');
  await approvedVersion();
  const experiment = await eventually(async () => {
    const list = await sagemaker.send(new ListInferenceExperimentsCommand({ NameContains: `${ENDPOINT}-v` }));
    const e = list.InferenceExperiments?.find((x) => x.Status === 'Running');
    return e ? sagemaker.send(new DescribeInferenceExperimentCommand({ Name: e.Name })) : undefined;
  }, 'the 20-day shadow test running');
  const start = experiment.Schedule?.StartTime?.getTime() ?? 0;
  expect((experiment.Schedule?.EndTime?.getTime() ?? 0) - start).toBe(20 * DAY);
  expect(
    versionOfName(
      ENDPOINT,
      experiment.ModelVariants?.find((v) => v.VariantName === 'Shadow')?.ModelName ?? '',
    ),
  ).toBe(2);
  // What SageMaker publishes on days 3 and 17 of the test (ModelLatency in microseconds).
  const latencies = (ms: number) => Array.from({ length: 50 }, (_, i) => (ms - 5 + (i % 10)) * 1000);
  const day = (d: number, variantName: string, invocations: number, ms: number) => ({
    endpointName: ENDPOINT,
    variantName,
    invocations,
    invocation5xxErrors: 0,
    modelLatencyMicros: latencies(ms),
    at: new Date(start + d * DAY + 123_000).toISOString(),
  });
  const res = await fetch(`${app.sagemaker.url}/_local/variant-metrics`, {
    method: 'POST',
    body: JSON.stringify([
      day(3, 'AllTraffic', 300, 100),
      day(17, 'AllTraffic', 300, 100),
      day(3, 'Shadow', 150, 105),
      day(17, 'Shadow', 150, 105),
    ]),
  });
  expect(res.status).toBe(200);
  await serving(app, sagemaker, ENDPOINT, 2, 30_000);
  const passed = app.invocations
    .filter((i) => i.functionName === 'reconcile-endpoint' && i.outcome.ok)
    .flatMap(
      (i) =>
        (
          (i.outcome.ok ? i.outcome.result : undefined) as {
            targets?: { result: { shadowPassed?: string } }[];
          }
        )?.targets ?? [],
    )
    .map((t) => t.result.shadowPassed)
    .find((s) => s !== undefined);
  // Both days' requests counted: 300 of the shadow's, 600 of live's.
  expect(passed).toMatch(
    /^p99 ModelLatency 109 ms vs live 104 ms, 5XX 0% \(0 of 300\) vs live 0% \(0 of 600\), from /,
  );
  const completed = await sagemaker.send(new DescribeInferenceExperimentCommand({ Name: experiment.Name }));
  expect(completed.Status).toBe('Completed');
  expect((completed.CompletionTime?.getTime() ?? 0) - start).toBeGreaterThanOrEqual(20 * DAY);
  expect(reconcileOutcomes(app, ENDPOINT)).toContain('shadow-started');
});
