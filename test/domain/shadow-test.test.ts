import { parseGovernanceConfig } from '../../core/config/parse';
import type { DeploymentTarget } from '../../core/config/types';
import { VARIANT_NAME } from '../../core/naming';
import { planEndpoint } from '../../domain/endpoint-plan';
import { deploymentFor } from '../../domain/endpoint-resources';
import { figuresFromMetricData, metricStepMs, shadowMetricQueries } from '../../domain/shadow-metrics';
import {
  createRefused,
  EXPERIMENT_IN_PROGRESS,
  type ExperimentStatus,
  isShadowExperimentOf,
  type LiveVariant,
  liveInstanceCount,
  type ObservedExperiment,
  planShadowTest,
  SHADOW_VARIANT_NAME,
  type ShadowInputs,
  shadowExperimentName,
} from '../../domain/shadow-plan';
import { figuresFromTags, figuresTags } from '../../domain/shadow-tags';
import { type ShadowFigures, shadowVerdict } from '../../domain/shadow-verdict';
import type { VersionSummary } from '../../domain/version-selection';

// The shadow step of an update, pure.

function target(shadow: Record<string, unknown> | null = { minutes: 90 }): DeploymentTarget {
  const config = parseGovernanceConfig({
    groups: [
      {
        name: 'churn',
        deployments: [
          {
            endpointName: 'churn-prod',
            instances: { type: 'ml.m5.large', count: 2 },
            ...(shadow ? { shadow } : {}),
          },
        ],
      },
    ],
  });
  const t = config.groups[0]?.deployments[0];
  if (!t) throw new Error('no target');
  return t;
}

const role = 'arn:aws:iam::123456789012:role/exec';
const experimentRole = 'arn:aws:iam::123456789012:role/shadow';
const v = (version: number): VersionSummary => ({
  arn: `arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/${version}`,
  version,
  approvalStatus: 'Approved',
  creationTime: new Date('2026-11-27T00:00:00Z'),
});
const deployment = (t: DeploymentTarget, version: number) =>
  deploymentFor({ target: t, executionRoleArn: role }, v(version));
const liveOf = (t: DeploymentTarget, version: number): LiveVariant => ({
  variantName: VARIANT_NAME,
  modelName: deployment(t, version).modelName,
  instanceType: 'ml.m5.large',
  instanceCount: 2,
});
const now = new Date('2026-12-02T02:00:00Z');

function inputs(t: DeploymentTarget, version: number, more: Partial<ShadowInputs> = {}): ShadowInputs {
  return {
    target: t,
    deployment: deployment(t, version),
    live: liveOf(t, 1),
    experiments: [],
    roleArn: experimentRole,
    now,
    ...more,
  };
}

/** The experiment this app would have started for `version` against v1, in `status`. */
function experimentFor(
  t: DeploymentTarget,
  version: number,
  status: ExperimentStatus,
  more: Partial<ObservedExperiment> = {},
): ObservedExperiment {
  const d = deployment(t, version);
  const live = liveOf(t, 1);
  return {
    name: shadowExperimentName('churn-prod', d, live.modelName, { samplingPercent: 100, minutes: 90 }),
    status,
    endpointName: 'churn-prod',
    sourceVariantName: VARIANT_NAME,
    shadowVariantName: SHADOW_VARIANT_NAME,
    samplingPercent: 100,
    variants: [
      { variantName: VARIANT_NAME, modelName: live.modelName },
      { variantName: SHADOW_VARIANT_NAME, modelName: d.modelName },
    ],
    start: new Date('2026-12-02T01:00:00Z'),
    end: new Date('2026-12-02T01:30:00Z'),
    ...(status === 'Completed' ? { completionTime: new Date('2026-12-02T01:30:00Z') } : {}),
    ...more,
  };
}

const figures = (shadow: Partial<ShadowFigures['shadow']> = {}): ShadowFigures => ({
  start: new Date('2026-12-02T01:00:00Z'),
  end: new Date('2026-12-02T01:30:00Z'),
  live: { invocations: 1000, errors5xx: 0, latencyP99Ms: 100 },
  shadow: { invocations: 1000, errors5xx: 2, latencyP99Ms: 105, ...shadow },
});

describe('planShadowTest', () => {
  it('start shadow: a new version on a live endpoint starts a deterministic experiment against the live variant', () => {
    const t = target({ minutes: 90, samplingPercent: 40 });
    const step = planShadowTest(inputs(t, 2));
    expect(step.kind).toBe('start');
    if (step.kind !== 'start') return;
    const d = deployment(t, 2);
    expect(step.request).toEqual({
      Name: shadowExperimentName('churn-prod', d, liveOf(t, 1).modelName, {
        samplingPercent: 40,
        minutes: 90,
      }),
      Type: 'ShadowMode',
      RoleArn: experimentRole,
      EndpointName: 'churn-prod',
      Description: 'model-governance: v2 shadow-tested against v1 for 90 min',
      Schedule: { StartTime: now, EndTime: new Date('2026-12-02T03:30:00Z') },
      ModelVariants: [
        {
          ModelName: liveOf(t, 1).modelName,
          VariantName: VARIANT_NAME,
          InfrastructureConfig: {
            InfrastructureType: 'RealTimeInference',
            RealTimeInferenceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 2 },
          },
        },
        {
          ModelName: d.modelName,
          VariantName: SHADOW_VARIANT_NAME,
          InfrastructureConfig: {
            InfrastructureType: 'RealTimeInference',
            RealTimeInferenceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 2 },
          },
        },
      ],
      ShadowModeConfig: {
        SourceModelVariantName: VARIANT_NAME,
        ShadowModelVariants: [{ ShadowModelVariantName: SHADOW_VARIANT_NAME, SamplingPercentage: 40 }],
      },
    });
    // The name is the same on every run (a duplicate event finds it), fits SageMaker's 120
    // characters, and is recognised as this target's.
    expect(planShadowTest(inputs(t, 2))).toEqual(step);
    expect(step.request.Name.length).toBeLessThanOrEqual(120);
    expect(step.request.Name).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}$/);
    expect(isShadowExperimentOf('churn-prod', step.request.Name)).toBe(true);
    expect(isShadowExperimentOf('churn-prod-2', step.request.Name)).toBe(false);
  });

  it('wait: while the experiment is in progress, in any of its in-progress states', () => {
    const t = target();
    for (const status of EXPERIMENT_IN_PROGRESS) {
      const step = planShadowTest(inputs(t, 2, { experiments: [experimentFor(t, 2, status)] }));
      expect(step).toMatchObject({ kind: 'wait', experiment: { status } });
    }
  });

  it('a completed experiment with no recorded figures is measured over its window first', () => {
    const t = target();
    const step = planShadowTest(inputs(t, 2, { experiments: [experimentFor(t, 2, 'Completed')] }));
    expect(step).toMatchObject({
      kind: 'measure',
      window: { start: new Date('2026-12-02T01:00:00Z'), end: new Date('2026-12-02T01:30:00Z') },
    });
  });

  it('pass → promote: figures within the pass mark let the update go ahead', () => {
    const t = target();
    const experiments = [experimentFor(t, 2, 'Completed')];
    const step = planShadowTest(inputs(t, 2, { experiments, measured: figures() }));
    expect(step).toMatchObject({ kind: 'passed', firstSeen: true, verdict: { passed: true, failures: [] } });
    // Recorded on the experiment, the same figures give the same verdict on later runs, not first seen.
    const later = planShadowTest(
      inputs(t, 2, { experiments: [experimentFor(t, 2, 'Completed', { recorded: figures() })] }),
    );
    expect(later).toMatchObject({ kind: 'passed', firstSeen: false });
  });

  it('fail → held: latency above the pass mark holds the version with the measured figures as the reason', () => {
    const t = target();
    const experiments = [experimentFor(t, 2, 'Completed')];
    const step = planShadowTest(inputs(t, 2, { experiments, measured: figures({ latencyP99Ms: 130 }) }));
    expect(step.kind).toBe('failed');
    if (step.kind !== 'failed') return;
    expect(step.reason).toBe(
      `shadow test ${experiments[0]?.name} failed: its p99 ModelLatency 130 ms is 30% above the live version's 100 ms (at most 10% allowed) (p99 ModelLatency 130 ms vs live 100 ms, 5XX 0.2% (2 of 1000) vs live 0% (0 of 1000), from 2026-12-02T01:00:00.000Z to 2026-12-02T01:30:00.000Z); live is unchanged; approve a newer version to test again`,
    );
  });

  it('fail → held: a 5XX rate above the pass mark, and no traffic at all, fail too', () => {
    const t = target();
    const experiments = [experimentFor(t, 2, 'Completed')];
    const errors = planShadowTest(inputs(t, 2, { experiments, measured: figures({ errors5xx: 50 }) }));
    expect(errors).toMatchObject({
      kind: 'failed',
      verdict: {
        failures: ['5% of its requests ended in 5XX errors (50 of 1000; at most 1% allowed)'],
      },
    });
    const silent = planShadowTest(
      inputs(t, 2, { experiments, measured: figures({ invocations: 0, errors5xx: 0 }) }),
    );
    expect(silent).toMatchObject({
      kind: 'failed',
      verdict: { failures: ['the new version received no requests during the test, so nothing proves it'] },
    });
  });

  it('newer approval during shadow: the older version’s running test is stopped, the live variant kept', () => {
    const t = target();
    const running = experimentFor(t, 2, 'Running');
    const step = planShadowTest(inputs(t, 3, { experiments: [running] }));
    expect(step).toEqual({
      kind: 'stop',
      experiment: running,
      request: {
        Name: running.name,
        ModelVariantActions: { [VARIANT_NAME]: 'Retain', [SHADOW_VARIANT_NAME]: 'Remove' },
        DesiredState: 'Cancelled',
        Reason: 'model-governance: v3 is now the version to deploy; this test no longer decides anything',
      },
    });
    // Once it is cancelled, the newer version's test starts.
    const next = planShadowTest(inputs(t, 3, { experiments: [{ ...running, status: 'Cancelled' }] }));
    expect(next).toMatchObject({
      kind: 'start',
      request: { ModelVariants: [{}, { ModelName: deployment(t, 3).modelName }] },
    });
  });

  it('a revert during shadow stops the running test before the live version is put back', () => {
    const t = target();
    const running = experimentFor(t, 2, 'Running');
    expect(planShadowTest(inputs(t, 1, { experiments: [running] }))).toMatchObject({
      kind: 'stop',
      experiment: running,
    });
    expect(planShadowTest(inputs(t, 1, { experiments: [{ ...running, status: 'Cancelled' }] })).kind).toBe(
      'not-needed',
    );
  });

  it('a cancelled test of the desired version proves nothing: held', () => {
    const t = target();
    const cancelled = experimentFor(t, 2, 'Cancelled', { statusReason: 'stopped by an operator' });
    expect(planShadowTest(inputs(t, 2, { experiments: [cancelled] }))).toEqual({
      kind: 'refused',
      reason: `the shadow test ${cancelled.name} of v2 was cancelled before it completed (stopped by an operator), so nothing proves v2; approve a newer version to test again`,
    });
  });

  it('adversarial: an experiment of our name that shadows someone else’s model is refused, whatever its figures', () => {
    const t = target();
    const squatted = experimentFor(t, 2, 'Completed', {
      recorded: figures(),
      variants: [
        { variantName: VARIANT_NAME, modelName: liveOf(t, 1).modelName },
        { variantName: SHADOW_VARIANT_NAME, modelName: 'mallorys-model' },
      ],
    });
    const step = planShadowTest(inputs(t, 2, { experiments: [squatted] }));
    expect(step.kind).toBe('refused');
    expect(step.kind === 'refused' && step.reason).toBe(
      `inference experiment ${squatted.name} exists but is not the shadow test this app starts: it shadows mallorys-model (variant Shadow), not ${deployment(t, 2).modelName}. Its figures prove nothing about this version; stop and investigate it (someone may be copying live traffic to their own model), then approve a newer version.`,
    );
  });

  it('needs no test without shadow, for the live model itself, or for a return to an older version', () => {
    expect(planShadowTest(inputs(target(null), 2)).kind).toBe('not-needed');
    const t = target();
    expect(planShadowTest(inputs(t, 1)).kind).toBe('not-needed');
    expect(planShadowTest(inputs(t, 2, { live: liveOf(t, 3) }))).toEqual({
      kind: 'not-needed',
      why: 'v2 served before v3; going back to it is not shadow-tested',
    });
  });

  it('refuses when the live variant cannot be read (fail closed: no test, no promotion)', () => {
    const { live: _, ...without } = inputs(target(), 2);
    expect(planShadowTest(without).kind).toBe('refused');
  });

  it('follows the endpoint plan: only an update of a live endpoint gets a shadow step', () => {
    const t = target();
    const create = planEndpoint({ target: t, versions: [v(1)], endpoint: undefined, executionRoleArn: role });
    expect(create.kind).toBe('create');
    const update = planEndpoint({
      target: t,
      versions: [v(1), v(2)],
      endpoint: { status: 'InService', configName: deployment(t, 1).configName },
      executionRoleArn: role,
    });
    expect(update.kind).toBe('update');
  });
});

describe('createRefused (CreateInferenceExperiment refused as in use)', () => {
  const t = target({ minutes: 90 });
  const request = () => {
    const step = planShadowTest(inputs(t, 2));
    if (step.kind !== 'start') throw new Error('expected a start');
    return step.request;
  };
  const ours = (more: Partial<ObservedExperiment> = {}) =>
    experimentFor(t, 2, 'Creating', { roleArn: experimentRole, ...more });

  it('is "started by another run" only when the experiment of that name is the test this app starts', () => {
    expect(createRefused(request(), ours())).toEqual({ kind: 'started-by-another-run' });
  });

  it('adversarial: a name taken first with another shadow model, or run as another role, holds the version', () => {
    const other = ours({
      variants: [
        { variantName: VARIANT_NAME, modelName: liveOf(t, 1).modelName },
        { variantName: SHADOW_VARIANT_NAME, modelName: 'attacker-model' },
      ],
    });
    const refused = createRefused(request(), other);
    expect(refused.kind).toBe('refused');
    expect(refused.kind === 'refused' && refused.reason).toMatch(
      /not the shadow test this app starts: it shadows attacker-model/,
    );
    const role = createRefused(request(), ours({ roleArn: 'arn:aws:iam::123456789012:role/someone-else' }));
    expect(role.kind).toBe('refused');
  });

  it('with no experiment of that name, another experiment holds the endpoint: held with the reason', () => {
    const refused = createRefused(request(), undefined);
    expect(refused.kind === 'refused' && refused.reason).toMatch(
      /another inference experiment holds churn-prod/,
    );
  });
});

describe('liveInstanceCount', () => {
  it('is what the endpoint runs now: a scaled-out variant keeps its count through the test', () => {
    // Application Auto Scaling took the variant from the config's 2 to 5.
    expect(liveInstanceCount(2, { current: 5, desired: 5 })).toBe(5);
    // A scale-out under way: the larger, so the test shrinks nothing.
    expect(liveInstanceCount(2, { current: 3, desired: 6 })).toBe(6);
    // Scaled in below the config's count: the count in service.
    expect(liveInstanceCount(4, { current: 1, desired: 1 })).toBe(1);
    // The endpoint shows no count: the config's.
    expect(liveInstanceCount(2, {})).toBe(2);
    expect(liveInstanceCount(2)).toBe(2);
  });

  it("is the experiment's production variant count", () => {
    const t = target({ minutes: 90 });
    const step = planShadowTest(
      inputs(t, 2, {
        live: { ...liveOf(t, 1), instanceCount: liveInstanceCount(2, { current: 5, desired: 5 }) },
      }),
    );
    expect(
      step.kind === 'start' &&
        step.request.ModelVariants.map((v) => v.InfrastructureConfig.RealTimeInferenceConfig.InstanceCount),
    ).toEqual([5, 2]);
  });
});

describe('shadowVerdict', () => {
  it('passes at exactly the pass mark and fails just above it', () => {
    const mark = { maxLatencyIncreasePercent: 10, maxErrorRatePercent: 1 };
    expect(shadowVerdict(mark, figures({ latencyP99Ms: 110, errors5xx: 10 })).passed).toBe(true);
    expect(shadowVerdict(mark, figures({ latencyP99Ms: 110.2 })).passed).toBe(false);
    expect(shadowVerdict(mark, figures({ errors5xx: 11 })).passed).toBe(false);
  });

  it('fails when no latency was recorded for either variant', () => {
    const mark = { maxLatencyIncreasePercent: 10, maxErrorRatePercent: 1 };
    const { latencyP99Ms: _, ...noLatency } = figures().shadow;
    expect(shadowVerdict(mark, { ...figures(), shadow: noLatency }).failures).toEqual([
      'no p99 ModelLatency was recorded for the new version',
    ]);
  });
});

describe('figures', () => {
  it('round-trip through the experiment tags, whose values fit SageMaker tag values', () => {
    const f = figures({ latencyP99Ms: 123.4 });
    const tags = figuresTags(f);
    for (const tag of tags) expect(tag.Value).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u);
    expect(figuresFromTags(Object.fromEntries(tags.map((t) => [t.Key, t.Value])))).toEqual(f);
    expect(figuresFromTags({})).toBeUndefined();
  });

  it('are asked of CloudWatch per variant for the whole window, and read back in milliseconds', () => {
    const window = { start: new Date('2026-12-02T01:00:20Z'), end: new Date('2026-12-02T01:30:20Z') };
    const q = shadowMetricQueries(
      'churn-prod',
      { live: VARIANT_NAME, shadow: SHADOW_VARIANT_NAME },
      window,
      new Date('2026-12-02T02:00:00Z'),
    );
    expect(q.StartTime).toEqual(new Date('2026-12-02T01:00:00Z'));
    expect(q.EndTime).toEqual(new Date('2026-12-02T01:31:00Z'));
    expect(q.MetricDataQueries.map((m) => [m.Id, m.MetricStat.Metric.MetricName, m.MetricStat.Stat])).toEqual(
      [
        ['liveLatency', 'ModelLatency', 'p99'],
        ['liveInvocations', 'Invocations', 'Sum'],
        ['live5xx', 'Invocation5XXErrors', 'Sum'],
        ['shadowLatency', 'ModelLatency', 'p99'],
        ['shadowInvocations', 'Invocations', 'Sum'],
        ['shadow5xx', 'Invocation5XXErrors', 'Sum'],
      ],
    );
    expect(q.MetricDataQueries[3]?.MetricStat.Metric.Dimensions).toEqual([
      { Name: 'EndpointName', Value: 'churn-prod' },
      { Name: 'VariantName', Value: 'Shadow' },
    ]);
    expect(q.MetricDataQueries.every((m) => m.MetricStat.Period === 1860)).toBe(true);
    const f = figuresFromMetricData(
      [
        { Id: 'liveLatency', Values: [100_000] },
        { Id: 'liveInvocations', Values: [600, 400] },
        { Id: 'live5xx', Values: [] },
        { Id: 'shadowLatency', Values: [] },
        { Id: 'shadowInvocations', Values: [0] },
        { Id: 'shadow5xx', Values: [] },
      ],
      window,
    );
    expect(f).toEqual({
      ...window,
      live: { invocations: 1000, errors5xx: 0, latencyP99Ms: 100 },
      shadow: { invocations: 0, errors5xx: 0 },
    });
  });

  describe("choose a period CloudWatch answers for the window's age (GetMetricData StartTime, MetricStat Period)", () => {
    const DAY = 86_400_000;
    const variants = { live: VARIANT_NAME, shadow: SHADOW_VARIANT_NAME };
    const queries = (start: string, days: number, measuredDaysLater: number) => {
      const window = { start: new Date(start), end: new Date(Date.parse(start) + days * DAY + 20_000) };
      const q = shadowMetricQueries(
        'churn-prod',
        variants,
        window,
        new Date(window.end.getTime() + measuredDaysLater * DAY),
      );
      const period = q.MetricDataQueries[0]?.MetricStat.Period ?? 0;
      expect(q.MetricDataQueries.every((m) => m.MetricStat.Period === period)).toBe(true);
      // One period covers the whole window.
      expect(q.StartTime.getTime()).toBeLessThanOrEqual(window.start.getTime());
      expect(q.StartTime.getTime() + period * 1000).toBeGreaterThanOrEqual(window.end.getTime());
      expect(q.EndTime.getTime()).toBe(q.StartTime.getTime() + period * 1000);
      return { start: q.StartTime, period };
    };

    it('under 15 days back: whole minutes, from the minute', () => {
      const q = queries('2026-11-20T01:02:20Z', 7, 0);
      expect(q.start).toEqual(new Date('2026-11-20T01:02:00Z'));
      expect(q.period % 60).toBe(0);
      expect(q.period).toBe(7 * 86_400 + 60);
    });

    it('15 to 63 days back: whole 5 minutes, from the 5 minutes (a 20-day test, or a 7-day one read 10 days late)', () => {
      for (const [days, late] of [
        [20, 0],
        [7, 10],
      ] as const) {
        const q = queries('2026-10-01T01:07:20Z', days, late);
        expect(q.start).toEqual(new Date('2026-10-01T01:05:00Z'));
        expect(q.period % 300).toBe(0);
        expect(q.period).toBe(days * 86_400 + 300);
      }
    });

    it('over 63 days back: whole hours, from the hour', () => {
      const q = queries('2026-06-01T01:07:20Z', 30, 40);
      expect(q.start).toEqual(new Date('2026-06-01T01:00:00Z'));
      expect(q.period % 3600).toBe(0);
      expect(q.period).toBe(30 * 86_400 + 3600);
    });

    it('within an hour of a boundary, the coarser step (valid on both sides)', () => {
      expect(metricStepMs(new Date(0), new Date(15 * DAY - 30 * 60_000))).toBe(300_000);
      expect(metricStepMs(new Date(0), new Date(15 * DAY - 2 * 3_600_000))).toBe(60_000);
      expect(metricStepMs(new Date(0), new Date(63 * DAY - 30 * 60_000))).toBe(3_600_000);
    });
  });
});
