import type { Template } from 'aws-cdk-lib/assertions';
import { synthGovernance } from '../harness/synth';

// What a monitored target adds to the stack (synthesized with cdk-nag, which fails on any finding).

let template: Template;
beforeAll(() => {
  template = synthGovernance({
    modelArtifactBuckets: ['ml-models-111111111111'],
    groups: [
      {
        name: 'churn',
        deployments: [
          {
            endpointName: 'churn-prod',
            dataCapturePercent: 100,
            monitoring: { dataQuality: { scheduleExpression: 'cron(0 * ? * * *)' } },
          },
          { endpointName: 'churn-staging' },
        ],
      },
    ],
  }).template;
});

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };
function statements(prefix: string): Statement[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(prefix))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const granted = (prefix: string, action: string) =>
  JSON.stringify(
    statements(prefix)
      .filter((s) => actionsOf(s).includes(action))
      .map((s) => s.Resource),
  );

it('gives the reconciler the monitoring role, the report and capture locations', () => {
  const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((f) =>
    JSON.stringify(f).includes('MONITORING_ROLE_ARN'),
  );
  const env = JSON.stringify(fn?.Properties.Environment.Variables);
  expect(env).toContain('MONITORING_REPORTS_S3_URI');
  expect(env).toContain('/monitoring-reports');
  expect(env).toContain('/data-capture');
});

it("scopes the reconciler's monitoring calls to the monitored target's definitions and schedules", () => {
  expect(granted('EndpointReconcilerHandler', 'sagemaker:CreateDataQualityJobDefinition')).toContain(
    'data-quality-job-definition/churn-prod-dq-v*',
  );
  expect(granted('EndpointReconcilerHandler', 'sagemaker:CreateDataQualityJobDefinition')).not.toContain(
    'churn-staging',
  );
  expect(granted('EndpointReconcilerHandler', 'sagemaker:UpdateMonitoringSchedule')).toContain(
    'monitoring-schedule/churn-prod-data-quality',
  );
  const passRole = statements('EndpointReconcilerHandler').filter(
    (s) => actionsOf(s).includes('iam:PassRole') && JSON.stringify(s.Resource).includes('MonitoringRole'),
  );
  expect(passRole).toEqual([
    expect.objectContaining({
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }),
  ]);
});

it('lets the monitoring role read captures and baselines and write reports, nothing else', () => {
  const policy = JSON.stringify(statements('EndpointReconcilerMonitoringRole'));
  expect(policy).toContain('/data-capture/*');
  expect(policy).toContain('/monitoring-reports/*');
  expect(granted('EndpointReconcilerMonitoringRole', 's3:GetObject')).toContain('ml-models-111111111111/*');
  expect(
    statements('EndpointReconcilerMonitoringRole')
      .flatMap(actionsOf)
      .filter((a) => a.startsWith('sagemaker:')),
  ).toEqual([]);
});

it('makes nothing for monitoring when no target has it, but may remove the schedules named after its endpoints', () => {
  const plain = synthGovernance({
    groups: [{ name: 'churn', deployments: [{ endpointName: 'churn-prod' }] }],
  }).template;
  const json = JSON.stringify(plain.toJSON());
  expect(json).not.toContain('MONITORING_ROLE_ARN');
  expect(json).not.toContain('sagemaker:CreateMonitoringSchedule');
  expect(json).not.toContain('sagemaker:CreateDataQualityJobDefinition');
  expect(
    Object.keys(plain.findResources('AWS::Events::Rule')).filter((id) => id.includes('Monitoring')),
  ).toEqual([]);
  // A configuration that dropped the last monitored target leaves no schedule behind.
  const removals = Object.entries(plain.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith('EndpointReconcilerHandler'))
    .flatMap(
      ([, p]) =>
        (p.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
    )
    .filter((st) => [st.Action].flat().includes('sagemaker:DeleteMonitoringSchedule'));
  expect(JSON.stringify(removals.map((r) => r.Resource))).toContain(
    'monitoring-schedule/churn-prod-data-quality',
  );
  expect(JSON.stringify(removals.map((r) => r.Resource))).toContain(
    'monitoring-schedule/churn-prod-model-quality',
  );
});

it('monitors into a bucket the configuration names: reports go beside the captures, cdk-nag clean', () => {
  const named = synthGovernance({
    dataCapture: { bucket: 'team-captures' },
    groups: [
      {
        name: 'churn',
        deployments: [
          {
            endpointName: 'churn-prod',
            dataCapturePercent: 10,
            monitoring: { dataQuality: { scheduleExpression: 'cron(0 0 ? * * *)' } },
          },
        ],
      },
    ],
  }).template;
  const role = Object.entries(named.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith('EndpointReconcilerMonitoringRole'))
    .map(([, p]) => JSON.stringify(p));
  expect(role.join()).toContain('team-captures/monitoring-reports/*');
  expect(role.join()).toContain('team-captures/data-capture/*');
});

it("routes the monitored schedules' executions to the reconciler, and lets it reject only for rollback targets", () => {
  const rules = Object.values(template.findResources('AWS::Events::Rule')).filter((r) =>
    JSON.stringify(r.Properties.EventPattern ?? {}).includes('SageMaker Processing Job State Change'),
  );
  expect(rules.map((r) => r.Properties.EventPattern)).toEqual([
    {
      source: ['aws.sagemaker'],
      'detail-type': ['SageMaker Processing Job State Change'],
      detail: {
        ProcessingJobStatus: ['Completed'],
        Environment: {
          sagemaker_monitoring_schedule_name: ['churn-prod-data-quality', 'churn-prod-model-quality'],
        },
      },
    },
  ]);
  // onViolation defaults to notify here: the reconciler may not change any version's approval.
  expect(granted('EndpointReconcilerHandler', 'sagemaker:UpdateModelPackage')).toBe('[]');
});

it("reads and removes every managed target's schedules (a target whose monitoring was removed keeps none), but makes only the monitored ones'", () => {
  expect(granted('EndpointReconcilerHandler', 'sagemaker:DeleteMonitoringSchedule')).toContain(
    'monitoring-schedule/churn-staging-data-quality',
  );
  expect(granted('EndpointReconcilerHandler', 'sagemaker:DeleteDataQualityJobDefinition')).toContain(
    'data-quality-job-definition/churn-staging-dq-v*',
  );
  expect(granted('EndpointReconcilerHandler', 'sagemaker:CreateMonitoringSchedule')).not.toContain(
    'churn-staging',
  );
});

it('onViolation: hold lets the reconciler read violation holds and runs the periodic check, which notify does not', () => {
  const periodic = (t: Template) =>
    Object.values(t.findResources('AWS::Events::Rule')).filter((r) => r.Properties.ScheduleExpression);
  expect(periodic(template)).toHaveLength(0);
  expect(granted('EndpointReconcilerHandler', 'sagemaker:ListActions')).toBe('[]');
  const held = synthGovernance({
    modelArtifactBuckets: ['ml-models-111111111111'],
    groups: [
      {
        name: 'churn',
        deployments: [
          {
            endpointName: 'churn-prod',
            dataCapturePercent: 100,
            monitoring: { dataQuality: { scheduleExpression: 'cron(0 * ? * * *)' }, onViolation: 'hold' },
          },
        ],
      },
    ],
  }).template;
  expect(periodic(held).map((r) => r.Properties.ScheduleExpression)).toEqual(['rate(5 minutes)']);
  const listActions = Object.entries(held.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith('EndpointReconcilerHandler'))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
    .filter((s) => actionsOf(s).includes('sagemaker:ListActions'));
  expect(listActions.map((s) => s.Resource)).toEqual(['*']);
});
