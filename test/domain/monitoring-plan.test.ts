import { parseGovernanceConfig } from '../../core/config/parse';
import type { DeploymentTarget } from '../../core/config/types';
import { parseReconcileTrigger } from '../../domain/events';
import {
  type LiveVersion,
  type MonitoringAction,
  type MonitoringInputs,
  monitoringHold,
  planMonitoring,
  scheduleName,
  type VersionBaselines,
  versionOfJobDefinition,
  violationSteps,
} from '../../domain/monitoring-plan';

function target(monitoring: Record<string, unknown>): DeploymentTarget {
  const config = parseGovernanceConfig({
    groups: [
      { name: 'churn', deployments: [{ endpointName: 'churn-prod', dataCapturePercent: 100, monitoring }] },
    ],
  });
  return config.groups[0]?.deployments[0] as DeploymentTarget;
}

const dq = target({ dataQuality: { scheduleExpression: 'cron(0 * ? * * *)' } });
const both = target({
  dataQuality: { scheduleExpression: 'cron(0 * ? * * *)' },
  modelQuality: {
    scheduleExpression: 'cron(0 0 ? * * *)',
    groundTruthS3Uri: 's3://labels/churn',
    problemType: 'BinaryClassification',
    inferenceAttribute: '0',
  },
});
const baselines = (v: number) => ({
  dataQuality: { constraints: `s3://m/v${v}/constraints.json`, statistics: `s3://m/v${v}/statistics.json` },
  modelQuality: { constraints: `s3://m/v${v}/mq-constraints.json` },
});
const live = (v: number, b: VersionBaselines = baselines(v)): LiveVersion => ({
  version: v,
  arn: `arn:v${v}`,
  baselines: b,
});
const inputs = (
  t: DeploymentTarget,
  l: LiveVersion | undefined,
  observed: Partial<MonitoringInputs> = {},
) => ({
  target: t,
  ...(l ? { live: l } : {}),
  roleArn: 'arn:aws:iam::123456789012:role/monitor',
  reportsS3Uri: 's3://reports/monitoring',
  schedules: [],
  definitions: [],
  ...observed,
});
const kinds = (actions: readonly MonitoringAction[]) =>
  actions.map(
    (a) =>
      `${a.kind} ${'name' in a ? a.name : 'request' in a ? ((a.request as { JobDefinitionName?: string; MonitoringScheduleName?: string }).JobDefinitionName ?? (a.request as { MonitoringScheduleName?: string }).MonitoringScheduleName) : ''}`,
  );

/** The state a plan leaves behind, as SageMaker would list it. */
function applied(before: Partial<MonitoringInputs>, actions: readonly MonitoringAction[]) {
  let schedules = [...(before.schedules ?? [])];
  let definitions = [...(before.definitions ?? [])];
  for (const a of actions) {
    if (a.kind === 'create-job-definition')
      definitions.push({ name: a.request.JobDefinitionName ?? '', type: a.type });
    if (a.kind === 'delete-job-definition') definitions = definitions.filter((d) => d.name !== a.name);
    if (a.kind === 'delete-schedule') schedules = schedules.filter((s) => s.name !== a.name);
    if (a.kind === 'create-schedule' || a.kind === 'update-schedule') {
      const c = a.request.MonitoringScheduleConfig;
      schedules = schedules.filter((s) => s.name !== a.request.MonitoringScheduleName);
      schedules.push({
        name: a.request.MonitoringScheduleName ?? '',
        type: c?.MonitoringType as 'DataQuality',
        jobDefinitionName: c?.MonitoringJobDefinitionName ?? '',
        scheduleExpression: c?.ScheduleConfig?.ScheduleExpression ?? '',
      });
    }
  }
  return { schedules, definitions };
}

describe('planMonitoring', () => {
  it('creates a job definition with the live version baselines, then the schedule on it', () => {
    const plan = planMonitoring(inputs(dq, live(1)));
    expect(plan.actions.map((a) => a.kind)).toEqual(['create-job-definition', 'create-schedule']);
    const [def, schedule] = plan.actions;
    if (def?.kind !== 'create-job-definition' || def.type !== 'DataQuality') throw new Error('unexpected');
    expect(def.request.DataQualityBaselineConfig).toEqual({
      ConstraintsResource: { S3Uri: 's3://m/v1/constraints.json' },
      StatisticsResource: { S3Uri: 's3://m/v1/statistics.json' },
    });
    expect(def.request.DataQualityJobInput?.EndpointInput?.EndpointName).toBe('churn-prod');
    expect(def.request.DataQualityJobOutputConfig?.MonitoringOutputs?.[0]?.S3Output?.S3Uri).toBe(
      's3://reports/monitoring/churn-prod/data-quality',
    );
    expect(versionOfJobDefinition('churn-prod', 'DataQuality', def.request.JobDefinitionName ?? '')).toBe(1);
    expect(schedule).toEqual({
      kind: 'create-schedule',
      request: {
        MonitoringScheduleName: 'churn-prod-data-quality',
        MonitoringScheduleConfig: {
          ScheduleConfig: { ScheduleExpression: 'cron(0 * ? * * *)' },
          MonitoringJobDefinitionName: def.request.JobDefinitionName,
          MonitoringType: 'DataQuality',
        },
      },
    });
    expect(plan.monitors).toEqual([
      {
        type: 'DataQuality',
        jobDefinitionName: def.request.JobDefinitionName,
        constraints: 's3://m/v1/constraints.json',
      },
    ]);
  });

  it('converges: once applied, the same inputs plan nothing (replays and duplicates are no-ops)', () => {
    const first = planMonitoring(inputs(both, live(1)));
    const state = applied({}, first.actions);
    expect(state.schedules.map((s) => s.name).sort()).toEqual([
      scheduleName('churn-prod', 'DataQuality'),
      scheduleName('churn-prod', 'ModelQuality'),
    ]);
    expect(planMonitoring(inputs(both, live(1), state)).actions).toEqual([]);
  });

  it('a promotion moves the schedules to the new version baselines and deletes the old definitions', () => {
    const v1 = applied({}, planMonitoring(inputs(both, live(1))).actions);
    const plan = planMonitoring(inputs(both, live(2), v1));
    expect(plan.actions.map((a) => a.kind)).toEqual([
      'create-job-definition',
      'create-job-definition',
      'update-schedule',
      'update-schedule',
      'delete-job-definition',
      'delete-job-definition',
    ]);
    const v2 = applied(v1, plan.actions);
    expect(v2.definitions.map((d) => versionOfJobDefinition('churn-prod', d.type, d.name))).toEqual([2, 2]);
    // And back to v1's when v2 is rejected.
    const back = applied(v2, planMonitoring(inputs(both, live(1), v2)).actions);
    expect(back.definitions.map((d) => versionOfJobDefinition('churn-prod', d.type, d.name))).toEqual([1, 1]);
    expect(back.schedules).toHaveLength(2);
  });

  it('a changed schedule expression updates the schedule only; a changed instance type makes a new definition', () => {
    const state = applied({}, planMonitoring(inputs(dq, live(1))).actions);
    const daily = target({ dataQuality: { scheduleExpression: 'cron(0 0 ? * * *)' } });
    expect(planMonitoring(inputs(daily, live(1), state)).actions.map((a) => a.kind)).toEqual([
      'update-schedule',
    ]);
    const bigger = target({
      dataQuality: { scheduleExpression: 'cron(0 * ? * * *)', instanceType: 'ml.m5.2xlarge' },
    });
    expect(planMonitoring(inputs(bigger, live(1), state)).actions.map((a) => a.kind)).toEqual([
      'create-job-definition',
      'update-schedule',
      'delete-job-definition',
    ]);
  });

  it('no live version, or monitoring removed from the configuration: every schedule and definition goes', () => {
    const state = applied({}, planMonitoring(inputs(both, live(1))).actions);
    for (const plan of [
      planMonitoring(inputs(both, undefined, state)),
      planMonitoring(
        inputs(target({ dataQuality: { scheduleExpression: 'cron(0 * ? * * *)' } }), live(1), state),
      ),
    ]) {
      expect(plan.actions.some((a) => a.kind === 'delete-schedule')).toBe(true);
    }
    expect(
      kinds(planMonitoring(inputs(both, undefined, state)).actions).filter((k) => k.startsWith('delete'))
        .length,
    ).toBe(4);
  });

  it('a version without the baselines runs unmonitored only when the target allows it, with a code', () => {
    const allowed = target({
      dataQuality: { scheduleExpression: 'cron(0 * ? * * *)' },
      deployUnmonitored: true,
    });
    const plan = planMonitoring(inputs(allowed, live(3, {})));
    expect(plan.actions).toEqual([]);
    expect(plan.unmonitored?.code).toBe('missing-monitoring-baselines');
  });
});

describe('monitoringHold', () => {
  it('holds a version without the baselines its monitors need, naming what is missing', () => {
    expect(monitoringHold(both, { dataQuality: { constraints: 's3://c' } })).toBe(
      "the version was registered without DriftCheckBaselines.ModelDataQuality.Statistics and DriftCheckBaselines.ModelQuality.Constraints, which churn-prod's monitoring checks against; register a version with DriftCheckBaselines (a pipeline's QualityCheck step records them), or set monitoring.deployUnmonitored",
    );
    expect(monitoringHold(both, baselines(1))).toBeUndefined();
    expect(
      monitoringHold(
        target({ dataQuality: { scheduleExpression: 'cron(0 * ? * * *)' }, deployUnmonitored: true }),
        {},
      ),
    ).toBeUndefined();
  });
});

describe('violationSteps', () => {
  const result = {
    endpointName: 'churn-prod',
    type: 'DataQuality' as const,
    scheduleName: 'churn-prod-data-quality',
    jobDefinitionName: 'churn-prod-dq-v2-0123abcd',
    version: 2,
    status: 'CompletedWithViolations',
    violationReport: 's3://reports/constraint_violations.json',
    violations: [{ featureName: 'age', checkType: 'baseline_drift_check', description: 'drift' }],
  };
  it.each([
    ['notify', ['record', 'notify']],
    ['hold', ['record', 'notify', 'hold-newer']],
    ['rollback', ['record', 'notify', 'reject-live']],
  ] as const)('%s', (response, steps) => {
    expect(violationSteps(response, result).map((s) => s.kind)).toEqual(steps);
  });
  it('does nothing for an execution without violations', () => {
    expect(violationSteps('rollback', { ...result, status: 'Completed', violations: [] })).toEqual([]);
  });
});

describe('parseReconcileTrigger: a monitoring execution', () => {
  const event = (detail: Record<string, unknown>) => ({
    id: 'e1',
    source: 'aws.sagemaker',
    'detail-type': 'SageMaker Processing Job State Change',
    detail,
  });
  const monitoringJob = {
    ProcessingJobName: 'model-monitoring-abc-churn-prod-data-quality',
    ProcessingJobStatus: 'Completed',
    MonitoringScheduleArn:
      'arn:aws:sagemaker:us-east-1:123456789012:monitoring-schedule/churn-prod-data-quality',
    Environment: {
      sagemaker_endpoint_name: 'churn-prod',
      sagemaker_monitoring_schedule_name: 'churn-prod-data-quality',
    },
  };
  it('names the endpoint, schedule and job', () => {
    expect(parseReconcileTrigger(event(monitoringJob))).toEqual({
      ok: true,
      value: {
        kind: 'monitoring',
        change: {
          eventId: 'e1',
          endpointName: 'churn-prod',
          scheduleName: 'churn-prod-data-quality',
          processingJobName: 'model-monitoring-abc-churn-prod-data-quality',
        },
      },
    });
  });
  it('refuses a processing job that is no monitoring execution', () => {
    const { MonitoringScheduleArn: _, ...plain } = monitoringJob;
    expect(parseReconcileTrigger(event(plain)).ok).toBe(false);
  });
});
