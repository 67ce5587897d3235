/**
 * The dashboard, the alarms and the outputs, read from synthesized templates. Each alarm
 * is checked for the metric it watches (namespace, name, the dimension set the handlers write:
 * core/operations.ts) and that it notifies the topic; a renamed metric or dimension fails here.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildGovernanceApp } from '../../bin/governance-app';
import { ModelDeployment } from '../../constructs/model-deployment';
import { parseGovernanceConfig } from '../../core/config/parse';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation templates are untyped JSON; the assertions give them shape.
type Json = Record<string, any>;

const group = {
  name: 'churn',
  separationOfDuties: true,
  qualityGate: { thresholds: [{ metric: 'mse', atMost: 6 }] },
  deployments: [{ endpointName: 'churn-prod' }],
};

function governance(raw: Json = {}) {
  const { stack } = buildGovernanceApp({
    config: parseGovernanceConfig({ groups: [group], ...raw }),
    app: new App({ outdir: mkdtempSync(join(tmpdir(), 'mgov-ops-')) }),
  });
  return { stack, template: Template.fromStack(stack) };
}

const { stack, template } = governance({ slo: { approvalToServingMinutes: 20 } });
const alarms = template.findResources('AWS::CloudWatch::Alarm');
const topicRef = () => {
  const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
  expect(topics).toHaveLength(1);
  return { Ref: topics[0] };
};
const ours = (metricName: string) =>
  Object.values(alarms).find((a) => a.Properties.MetricName === metricName)?.Properties as Json | undefined;
const dims = (p: Json) => Object.fromEntries((p.Dimensions as Json[]).map((d) => [d.Name, d.Value]));

it('alarms on any rolled-back deployment, from the reconciler, per stack, to the topic', () => {
  const p = ours('DeploymentRolledBack');
  expect(p).toMatchObject({
    Namespace: 'ModelGovernance',
    Statistic: 'Sum',
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
    AlarmActions: [topicRef()],
  });
  expect(dims(p as Json)).toEqual({ service: 'model-governance-reconcile-endpoint', Stack: stack.stackName });
});

it('alarms when approval to serving exceeds slo.approvalToServingMinutes', () => {
  const p = ours('ApprovalToServingSeconds');
  expect(p).toMatchObject({
    Statistic: 'Maximum',
    Threshold: 20 * 60,
    ComparisonOperator: 'GreaterThanThreshold',
    AlarmActions: [topicRef()],
  });
  // The default objective is an hour.
  expect(
    Object.values(governance().template.findResources('AWS::CloudWatch::Alarm')).find(
      (a) => a.Properties.MetricName === 'ApprovalToServingSeconds',
    )?.Properties.Threshold,
  ).toBe(3600);
});

it('alarms on unrecognised events (format drift), summed over every handler', () => {
  const [alarm] = Object.values(alarms).filter((a) => a.Properties.Metrics);
  const metrics = alarm?.Properties.Metrics as Json[];
  expect(metrics.find((m) => m.ReturnData !== false)?.Expression).toBe('SUM(FILL(METRICS(), 0))');
  const watched = metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric);
  expect(watched.map((m) => m.MetricName)).toEqual(Array(5).fill('EventIgnored'));
  expect(watched.map((m) => dims(m).service).sort()).toEqual(
    ['audit-notify', 'lineage', 'model-cards', 'policy-gate', 'reconcile-endpoint'].map(
      (h) => `model-governance-${h}`,
    ),
  );
  for (const m of watched)
    expect(dims(m)).toMatchObject({ Reason: 'unrecognised-event', Stack: stack.stackName });
  expect(alarm?.Properties).toMatchObject({ Threshold: 1, AlarmActions: [topicRef()] });
});

it.each(['Errors', 'Throttles'])('alarms on each handler’s %s, to the topic', (metricName) => {
  const fns = template.findResources('AWS::Lambda::Function');
  const handlers = Object.keys(fns).filter(
    (id) => fns[id]?.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME,
  );
  expect(handlers).toHaveLength(5);
  for (const id of handlers) {
    const alarm = Object.values(alarms).find(
      (a) =>
        a.Properties.Namespace === 'AWS/Lambda' &&
        a.Properties.MetricName === metricName &&
        a.Properties.Dimensions?.[0]?.Value?.Ref === id,
    );
    expect(alarm?.Properties).toMatchObject({ Threshold: 1, Statistic: 'Sum', AlarmActions: [topicRef()] });
  }
});

it('keeps an alarm on every dead-letter queue', () => {
  const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
  expect(queues.length).toBe(5);
  for (const q of queues) {
    const alarm = Object.values(alarms).find((a) =>
      (a.Properties.Dimensions as Json[] | undefined)?.some((d) => d.Value?.['Fn::GetAtt']?.[0] === q),
    );
    expect(alarm?.Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      AlarmActions: [topicRef()],
    });
  }
});

describe('the dashboard', () => {
  const dashboards = template.findResources('AWS::CloudWatch::Dashboard');
  const body = JSON.stringify(Object.values(dashboards)[0]?.Properties.DashboardBody);
  it('is one per stack', () => expect(Object.keys(dashboards)).toHaveLength(1));
  it.each([
    'Approvals',
    'Deployments by outcome',
    'Approval to serving (seconds)',
    'Gate decisions',
    'Governance actions',
    'Unrecognised events (format drift)',
    'Handler errors and throttles',
    'Dead-letter queue depth',
    'Alarms',
  ])('has the widget "%s"', (title) => expect(body).toContain(`\\"title\\":\\"${title}\\"`));
  it('charts approval to serving at p50 and p90 against the objective', () => {
    expect(body).toContain('\\"stat\\":\\"p50\\"');
    expect(body).toContain('\\"stat\\":\\"p90\\"');
    expect(body).toContain(`\\"value\\":1200,\\"label\\":\\"objective 20 min\\"`);
  });
  it('charts every gate outcome and every deployment outcome, for this stack only', () => {
    for (const outcome of ['passed', 'failed', 'undetermined'])
      expect(body).toContain(`\\"Outcome\\",\\"${outcome}\\"`);
    for (const name of ['DeploymentStarted', 'DeploymentCompleted', 'DeploymentRolledBack', 'DeploymentHeld'])
      expect(body).toContain(`\\"ModelGovernance\\",\\"${name}\\",\\"Stack\\",\\"${stack.stackName}\\"`);
  });
});

it('outputs the topic ARN and the dashboard’s console URL', () => {
  const outputs = template.findOutputs('*');
  const topic = Object.values(outputs).find((o) => o.Description?.startsWith('The notification topic'));
  expect(topic?.Value).toEqual(topicRef());
  const url = Object.values(outputs).find((o) => o.Description?.includes('dashboard'));
  const dashboardId = Object.keys(template.findResources('AWS::CloudWatch::Dashboard'))[0];
  expect(url?.Value).toEqual({
    'Fn::Join': [
      '',
      [
        'https://console.aws.amazon.com/cloudwatch/home?region=',
        { Ref: 'AWS::Region' },
        '#dashboards:name=',
        { Ref: dashboardId },
      ],
    ],
  });
});

it('ModelDeployment has its own dashboard, rollback and objective alarms, and outputs', () => {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'mgov-ops-')) });
  const deploymentStack = new Stack(app, 'Prod', { env: { account: '222222222222', region: 'eu-west-1' } });
  new ModelDeployment(deploymentStack, 'Deployment', {
    registry: { account: '111111111111', region: 'eu-west-1' },
    slo: { approvalToServingMinutes: 45 },
    groups: [{ name: 'churn', deployments: [{ endpointName: 'churn-prod', account: '222222222222' }] }],
  });
  const t = Template.fromStack(deploymentStack);
  t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  t.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'ApprovalToServingSeconds',
    Threshold: 45 * 60,
    Dimensions: Match.arrayWith([{ Name: 'Stack', Value: 'Prod' }]),
  });
  t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DeploymentRolledBack' });
  const descriptions = Object.values(t.findOutputs('*')).map((o) => o.Description);
  expect(descriptions).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^The notification topic/),
      expect.stringMatching(/dashboard/),
    ]),
  );
});

describe('X-Ray tracing (config tracing)', () => {
  const functionsOf = (t: Template) => Object.values(t.findResources('AWS::Lambda::Function'));
  const xrayStatements = (t: Template) =>
    Object.values(t.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Json[])
      .filter((s) => JSON.stringify(s.Action).includes('xray:'));

  it('is off by default: no function traced, no X-Ray permission', () => {
    expect(functionsOf(template).length).toBeGreaterThan(3);
    expect(functionsOf(template).filter((f) => f.Properties.TracingConfig)).toEqual([]);
    expect(xrayStatements(template)).toEqual([]);
  });

  it('traces every handler, each allowed to send segments and nothing else on X-Ray', () => {
    const traced = governance({ tracing: true }).template;
    const functions = functionsOf(traced);
    expect(functions.map((f) => f.Properties.TracingConfig)).toEqual(
      functions.map(() => ({ Mode: 'Active' })),
    );
    const statements = xrayStatements(traced);
    expect(statements).toHaveLength(functions.length);
    for (const s of statements) {
      expect(s).toEqual({
        Sid: 'SendTraceSegments',
        Effect: 'Allow',
        Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
        Resource: '*',
      });
    }
  });
});

describe('chat notifications (AWS Chatbot)', () => {
  const slack = { workspaceId: 'T07EA123LEP', channelId: 'C07EZ1ABC23' };
  const teams = {
    teamId: '74361522-da01-538d-aa2e-ac7918c6bb92',
    tenantId: 'a1b2c3d4-0000-4000-8000-123456789abc',
    channelId: '19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2',
  };

  it('creates none unless configured', () => {
    template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    template.resourceCountIs('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', 0);
  });

  it('subscribes a Slack and a Teams channel to the topic, for notifications only', () => {
    const chat = governance({ notifications: { slack, teams } }).template;
    const topic = { Ref: Object.keys(chat.findResources('AWS::SNS::Topic'))[0] };
    const [slackConfig] = Object.values(chat.findResources('AWS::Chatbot::SlackChannelConfiguration'));
    const [teamsConfig] = Object.values(
      chat.findResources('AWS::Chatbot::MicrosoftTeamsChannelConfiguration'),
    );
    const common = {
      SnsTopicArns: [topic],
      GuardrailPolicies: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AWSDenyAll']] },
      ],
      LoggingLevel: 'ERROR',
      UserRoleRequired: false,
    };
    expect(slackConfig?.Properties).toMatchObject({
      ...common,
      SlackWorkspaceId: slack.workspaceId,
      SlackChannelId: slack.channelId,
    });
    expect(teamsConfig?.Properties).toMatchObject({
      ...common,
      TeamId: teams.teamId,
      TeamsTenantId: teams.tenantId,
      TeamsChannelId: teams.channelId,
    });
    for (const c of [slackConfig, teamsConfig]) {
      expect(c?.Properties.ConfigurationName).toMatch(/^[A-Za-z0-9-_]{1,128}$/);
    }
    // The channel role: assumed by Chatbot only, with no permissions at all.
    const roleArn = slackConfig?.Properties.IamRoleArn as { 'Fn::GetAtt': string[] } | undefined;
    const roleId = String(roleArn?.['Fn::GetAtt'][0]);
    expect(teamsConfig?.Properties.IamRoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    const role = chat.findResources('AWS::IAM::Role')[roleId];
    expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'chatbot.amazonaws.com' } },
    ]);
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
    const attached = Object.values(chat.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes(roleId),
    );
    expect(attached).toEqual([]);
  });

  it('ModelDeployment takes the same channels and tracing switch', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'mgov-ops-')) });
    const deploymentStack = new Stack(app, 'Prod', { env: { account: '222222222222', region: 'eu-west-1' } });
    new ModelDeployment(deploymentStack, 'Deployment', {
      registry: { account: '111111111111', region: 'eu-west-1' },
      tracing: true,
      notifications: { slack },
      groups: [{ name: 'churn', deployments: [{ endpointName: 'churn-prod', account: '222222222222' }] }],
    });
    const t = Template.fromStack(deploymentStack);
    t.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 1);
    const functions = Object.values(t.findResources('AWS::Lambda::Function'));
    expect(functions.map((f) => f.Properties.TracingConfig)).toEqual(
      functions.map(() => ({ Mode: 'Active' })),
    );
  });
});

describe('model monitoring', () => {
  const monitoredGroup = {
    name: 'fraud',
    deployments: [
      {
        endpointName: 'fraud-prod',
        dataCapturePercent: 100,
        monitoring: { dataQuality: { scheduleExpression: 'cron(0 * ? * * *)' }, onViolation: 'hold' },
      },
    ],
  };
  const monitored = governance({ groups: [group, monitoredGroup] }).template;
  const violationAlarms = (t: Template) =>
    Object.values(t.findResources('AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties as Json)
      .filter((p) => p.MetricName === 'MonitoringViolations');

  it('alarms on any violation, from the reconciler, per stack, to the topic', () => {
    const [p] = violationAlarms(monitored);
    expect(violationAlarms(monitored)).toHaveLength(1);
    expect(p).toMatchObject({
      Namespace: 'ModelGovernance',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(Object.keys(dims(p as Json)).sort()).toEqual(['Stack', 'service']);
    expect(dims(p as Json).service).toBe('model-governance-reconcile-endpoint');
    expect(p?.AlarmActions).toHaveLength(1);
  });

  it('charts executions and violations, and violations by target', () => {
    const dashboards = monitored.findResources('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(Object.values(dashboards)[0]?.Properties.DashboardBody);
    expect(body).toContain('Monitoring executions and violations');
    expect(body).toContain('MonitoringExecutions');
    expect(body).toContain('Monitoring violations by target');
    // The dimension set the handler writes per target (handlers/runtime/metrics.ts): Group and Endpoint.
    expect(body).toMatch(/MonitoringViolations[^\]]*Endpoint[^\]]*fraud-prod[^\]]*Group[^\]]*fraud/);
  });

  it('has neither without a monitored target', () => {
    expect(violationAlarms(template)).toHaveLength(0);
    const dashboards = template.findResources('AWS::CloudWatch::Dashboard');
    expect(JSON.stringify(Object.values(dashboards)[0]?.Properties.DashboardBody)).not.toContain(
      'Monitoring',
    );
  });
});
