/**
 * Shadow test before promotion, played by the local runner on the local SageMaker over
 * HTTP: a new version runs as a shadow variant beside the live one (an inference experiment), and is
 * promoted only when its figures are good enough.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeInferenceExperimentCommand,
  ListActionsCommand,
  ListInferenceExperimentsCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { main as mgov } from '../../cli/main';
import { versionOfName } from '../../core/naming';
import type { LocalApp } from '../../local/runner/local-app';
import type { VariantMetrics } from '../../local/sagemaker/inference-experiments';
import {
  isHeld,
  lifecycleCalls,
  reconcileOutcomes,
  reconcileReports,
  replay,
  serving,
} from '../harness/deployments';
import { startLocalApp } from '../harness/local-app';
import { eventually } from '../harness/local-aws';
import { registerVersion, setApproval } from '../harness/registry';

const ENDPOINT = 'churn-prod';
const raw = {
  groups: [
    {
      name: 'churn',
      deployments: [
        {
          endpointName: ENDPOINT,
          instances: { type: 'ml.m5.large', count: 1 },
          shadow: { minutes: 60, samplingPercent: 50, maxLatencyIncreasePercent: 20, maxErrorRatePercent: 1 },
        },
      ],
    },
  ],
};
const CONFIG = join(mkdtempSync(join(tmpdir(), 'mgov-shadow-')), 'config.json');
writeFileSync(CONFIG, JSON.stringify(raw));
let app: LocalApp;
let sagemaker: SageMakerClient;
let savedEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  savedEnv = { ...process.env };
  app = await startLocalApp(raw, { scheduleEveryMs: 500 });
  // The hour-long test lasts two seconds here.
  app.sagemaker.configure({ experimentMinuteMs: 33 });
  sagemaker = new SageMakerClient({
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'approver', secretAccessKey: 'local' },
  });
}, 360_000);
afterAll(async () => {
  process.env = savedEnv;
  await app?.stop();
});

async function status(): Promise<string> {
  Object.assign(process.env, app.clientEnv('auditor'));
  let out = '';
  const code = await mgov(['status', '--config', CONFIG], {
    out: (t) => {
      out += `${t}\n`;
    },
    err: () => undefined,
    isTTY: false,
    env: process.env,
  });
  expect(code).toBe(0);
  return out;
}

async function approvedVersion(): Promise<string> {
  const arn = await registerVersion(sagemaker, 'churn', { createGroup: false });
  await setApproval(sagemaker, arn, 'Approved', 'good');
  return arn;
}

async function experiments() {
  const out = await sagemaker.send(new ListInferenceExperimentsCommand({ NameContains: `${ENDPOINT}-v` }));
  return out.InferenceExperiments ?? [];
}

/** The experiment of `version`, once it runs. */
async function running(version: number) {
  return eventually(async () => {
    for (const e of await experiments()) {
      if (e.Status !== 'Running') continue;
      const d = await sagemaker.send(new DescribeInferenceExperimentCommand({ Name: e.Name }));
      const shadow = d.ModelVariants?.find((v) => v.VariantName === 'Shadow');
      if (versionOfName(ENDPOINT, shadow?.ModelName ?? '') === version) return d;
    }
    return undefined;
  }, `the shadow test of v${version} running`);
}

/** The figures SageMaker would publish for this test only (the earlier tests' are forgotten). */
async function putMetrics(metrics: VariantMetrics[]) {
  await fetch(`${app.sagemaker.url}/_local/variant-metrics`, { method: 'DELETE' });
  const res = await fetch(`${app.sagemaker.url}/_local/variant-metrics`, {
    method: 'POST',
    body: JSON.stringify(metrics),
  });
  expect(res.status).toBe(200);
}

/** Live traffic's figures; `shadow` the new version's on the copy of it. */
function figures(shadow: { latencyMs: number; errors: number }): VariantMetrics[] {
  const latencies = (ms: number) => Array.from({ length: 100 }, (_, i) => (ms - 5 + (i % 10)) * 1000);
  return [
    {
      endpointName: ENDPOINT,
      variantName: 'AllTraffic',
      invocations: 400,
      invocation5xxErrors: 0,
      modelLatencyMicros: latencies(100),
    },
    {
      endpointName: ENDPOINT,
      variantName: 'Shadow',
      invocations: 200,
      invocation5xxErrors: shadow.errors,
      modelLatencyMicros: latencies(shadow.latencyMs),
    },
  ];
}

/** The model of the endpoint's production variant (what callers are served). */
async function liveModel(): Promise<string | undefined> {
  const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: ENDPOINT }));
  const config = await sagemaker.send(
    new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }),
  );
  return config.ProductionVariants?.[0]?.ModelName;
}

const reports = () => reconcileReports(app, ENDPOINT);

describe('in order', () => {
  it('deploys the first version without a test: there is nothing live to compare it with', async () => {
    await approvedVersion();
    await serving(app, sagemaker, ENDPOINT, 1);
    expect(await experiments()).toEqual([]);
  });

  it('a passing shadow test is promoted with the usual blue/green update, and serves', async () => {
    await approvedVersion();
    const experiment = await running(2);
    // While it runs, callers are served by v1 (the production variant); v2 only gets a copy.
    expect(versionOfName(ENDPOINT, (await liveModel()) ?? '')).toBe(1);
    expect(experiment.ShadowModeConfig?.ShadowModelVariants).toEqual([
      { ShadowModelVariantName: 'Shadow', SamplingPercentage: 50 },
    ]);
    expect(lifecycleCalls(app, ENDPOINT).map((c) => [c.operation, c.version])).toEqual([
      ['CreateEndpoint', 1],
    ]);
    await putMetrics(figures({ latencyMs: 110, errors: 1 }));
    await serving(app, sagemaker, ENDPOINT, 2);
    expect(lifecycleCalls(app, ENDPOINT).map((c) => [c.operation, c.version])).toEqual([
      ['CreateEndpoint', 1],
      ['UpdateEndpoint', 2],
    ]);
    const outcomes = reconcileOutcomes(app, ENDPOINT);
    expect(outcomes.indexOf('shadow-started')).toBeLessThan(outcomes.lastIndexOf('deploy-started'));
    const promoted = reports().find((r) => r.outcome === 'deploy-started' && r.shadowPassed !== undefined);
    expect(promoted?.outcome === 'deploy-started' && promoted.shadowPassed).toMatch(
      /^p99 ModelLatency 114 ms vs live 104 ms, 5XX 0.5% \(1 of 200\) vs live 0% \(0 of 400\), from /,
    );
    // The result is on the version, in lineage, and the figures on the experiment.
    const actions = await sagemaker.send(new ListActionsCommand({ ActionType: 'GovernedShadowTest' }));
    expect(actions.ActionSummaries?.map((a) => a.Status)).toEqual(['Completed']);
    const tags = await sagemaker.send(new ListTagsCommand({ ResourceArn: experiment.Arn }));
    expect(Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key, t.Value]))).toMatchObject({
      'model-governance:shadow-p99-ms': '114',
      'model-governance:live-p99-ms': '104',
      'model-governance:shadow-5xx': '1',
    });
  });

  it('a failing shadow test is held with its figures, and live is unchanged', async () => {
    await approvedVersion();
    await running(3);
    await putMetrics(figures({ latencyMs: 180, errors: 9 }));
    const held = await eventually(
      async () =>
        reports()
          .filter(isHeld)
          .find((r) => r.version === 3),
      'v3 held by its shadow test',
    );
    expect(held.code).toBe('shadow-failed');
    expect(held.shadowFailed).toMatch(/^p99 ModelLatency 184 ms vs live 104 ms/);
    await app.idle();
    // Live is untouched: v2 serves; v3 was never deployed; later runs stay quiet about it.
    await eventually(
      async () =>
        (await sagemaker.send(new DescribeEndpointCommand({ EndpointName: ENDPOINT }))).EndpointStatus ===
        'InService'
          ? true
          : undefined,
      'the endpoint settled after the test',
    );
    expect(versionOfName(ENDPOINT, (await liveModel()) ?? '')).toBe(2);
    expect(lifecycleCalls(app, ENDPOINT).some((c) => c.version === 3)).toBe(false);
    // Later runs (the periodic check) judge the recorded figures again and stay quiet: no new notice.
    await eventually(
      async () =>
        reports().some(
          (r) => r.outcome === 'skipped' && r.code === 'shadow-failed-notified' && r.version === 3,
        )
          ? true
          : undefined,
      'a quiet later run for v3',
    );
    const actions = await sagemaker.send(new ListActionsCommand({ ActionType: 'GovernedShadowTest' }));
    expect(actions.ActionSummaries?.map((a) => a.Status).sort()).toEqual(['Completed', 'Failed']);
    // mgov status says what serves, and why v3 does not, with the figures.
    const shown = await status();
    expect(shown).toMatch(/churn-prod\s+churn\s+InService\s+v2\s/);
    expect(shown).toMatch(
      /^churn-prod shadow test: v3 held: failed its shadow test: its p99 ModelLatency 184 ms is 76\.9% above the live version's 104 ms \(at most 20% allowed\); .*\(p99 ModelLatency 184 ms vs live 104 ms, 5XX 4\.5% \(9 of 200\) vs live 0% \(0 of 400\), from /m,
    );
  });

  it('a duplicate event during the experiment adds no second experiment; a newer approval stops it and starts over', async () => {
    const before = (await experiments()).length;
    app.sagemaker.configure({ experimentMinuteMs: 5000 }); // v4's test (300 s) outlasts what follows, even under load
    await approvedVersion(); // v4
    const v4 = await running(4);
    app.sagemaker.configure({ experimentMinuteMs: 33 });
    const approvals = app.sagemaker.events.emitted.filter((e) =>
      JSON.stringify(e.detail).includes('model-package/churn/4'),
    );
    await replay(app, [...approvals, ...approvals]);
    await app.idle();
    expect((await experiments()).length).toBe(before + 1);

    await approvedVersion(); // v5 while v4's test runs
    await running(5);
    const stopped = await sagemaker.send(new DescribeInferenceExperimentCommand({ Name: v4.Name }));
    expect(stopped.Status).toBe('Cancelled');
    expect((await experiments()).length).toBe(before + 2);
    await putMetrics(figures({ latencyMs: 100, errors: 0 }));
    await serving(app, sagemaker, ENDPOINT, 5);
    expect(lifecycleCalls(app, ENDPOINT).some((c) => c.version === 4)).toBe(false);
  });
});
