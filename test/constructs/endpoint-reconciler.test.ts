import { Match, type Template } from 'aws-cdk-lib/assertions';
import { synthGovernance } from '../harness/synth';

let template: Template;
beforeAll(() => {
  template = synthGovernance({
    modelArtifactBuckets: ['ml-models-123'],
    groups: [
      {
        name: 'Churn',
        deployments: [
          {
            endpointName: 'churn-prod',
            rollbackAlarms: { enabled: true, max5xxErrorsPerMinute: 3, maxModelLatencyMs: 800 },
          },
          { endpointName: 'churn-staging', serverless: {} },
        ],
      },
      { name: 'no-targets' },
    ],
  }).template;
});

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
function reconcilerStatements(): Statement[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith('EndpointReconcilerHandler'))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const statementFor = (action: string) => reconcilerStatements().filter((s) => actionsOf(s).includes(action));

it('passes the model execution role to SageMaker only', () => {
  const [passRole, ...others] = statementFor('iam:PassRole');
  expect(others).toEqual([]);
  expect(passRole?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
  expect(passRole?.Resource).toEqual({
    'Fn::GetAtt': [expect.stringMatching(/^EndpointReconcilerModelExecutionRole/), 'Arn'],
  });
});

it('changes only its own endpoints, and models and configs named after them', () => {
  const resources = (action: string) => JSON.stringify(statementFor(action).map((s) => s.Resource));
  for (const action of [
    'sagemaker:UpdateEndpoint',
    'sagemaker:DeleteEndpoint',
    'sagemaker:DescribeEndpoint',
    // The deployment requests recorded on the endpoint (rollback detection).
    'sagemaker:ListTags',
    'sagemaker:AddTags',
  ]) {
    expect(resources(action)).toContain(':endpoint/churn-prod"');
    expect(resources(action)).toContain(':endpoint/churn-staging"');
    expect(resources(action)).not.toMatch(/:endpoint\/\*/);
  }
  expect(resources('sagemaker:CreateEndpointConfig')).toContain(':endpoint-config/churn-prod-v*');
  expect(resources('sagemaker:DeleteModel')).toContain(':model/churn-staging-v*');
  expect(resources('sagemaker:CreateModel')).toContain(':model-package/churn/*');
  const wildcards = reconcilerStatements().filter((s) => s.Resource === '*');
  // Only lists (no resource-level permissions); the monitoring ones find schedules left behind by a
  // configuration that dropped monitoring.
  expect(wildcards.flatMap(actionsOf).sort()).toEqual([
    'sagemaker:ListDataQualityJobDefinitions',
    'sagemaker:ListEndpointConfigs',
    'sagemaker:ListModelPackages',
    'sagemaker:ListModelQualityJobDefinitions',
    'sagemaker:ListModels',
    'sagemaker:ListMonitoringSchedules',
  ]);
});

it('lets the models read the configured artifact bucket only', () => {
  const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) =>
    id.startsWith('EndpointReconcilerModelExecutionRole'),
  );
  const statements = policies.flatMap(
    ([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
  const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
  expect(s3).toEqual([
    expect.objectContaining({
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::ml-models-123/*']] },
    }),
  ]);
  template.hasResourceProperties('AWS::IAM::Role', {
    AssumeRolePolicyDocument: {
      Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' } })],
    },
  });
});

it('creates the rollback alarms the DeploymentConfig names, for targets that enable them', () => {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    AlarmName: 'model-governance-churn-prod-invocation-5xx',
    MetricName: 'Invocation5XXErrors',
    Namespace: 'AWS/SageMaker',
    Dimensions: Match.arrayWith([{ Name: 'EndpointName', Value: 'churn-prod' }]),
    Threshold: 3,
  });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    AlarmName: 'model-governance-churn-prod-model-latency',
    MetricName: 'ModelLatency',
    ExtendedStatistic: 'p99',
    Threshold: 800_000, // microseconds
  });
  expect(JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'))).not.toContain('churn-staging');
});

it('is triggered by the groups’ model package events and the endpoints’ own events', () => {
  const rules = Object.values(template.findResources('AWS::Events::Rule'));
  const targetsOf = (detailType: string) =>
    JSON.stringify(
      rules
        .filter((r) => JSON.stringify(r.Properties.EventPattern).includes(detailType))
        .map((r) => r.Properties.Targets),
    );
  expect(targetsOf('SageMaker Model Package State Change')).toMatch(/EndpointReconcilerHandler/);
  expect(targetsOf('SageMaker Endpoint State Change')).toMatch(/EndpointReconcilerHandler/);
  expect(targetsOf('SageMaker Endpoint State Change')).not.toMatch(/AuditNotifierHandler/);
});

it('is triggered by its own stack settling after a deployment, and by no other stack', () => {
  const rules = Object.values(template.findResources('AWS::Events::Rule')).filter((r) =>
    JSON.stringify(r.Properties.EventPattern).includes('CloudFormation Stack Status Change'),
  );
  expect(rules).toHaveLength(1);
  expect(rules[0]?.Properties.EventPattern).toEqual({
    source: ['aws.cloudformation'],
    'detail-type': ['CloudFormation Stack Status Change'],
    detail: {
      'stack-id': [{ Ref: 'AWS::StackId' }],
      'status-details': { status: ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'] },
    },
  });
  const targets = rules[0]?.Properties.Targets as { Arn: unknown; DeadLetterConfig?: unknown }[];
  expect(targets).toHaveLength(1);
  expect(JSON.stringify(targets[0]?.Arn)).toMatch(/EndpointReconcilerHandler/);
  expect(targets[0]?.DeadLetterConfig).toBeDefined();
});

it('is not created when no group has a deployment target', () => {
  const bare = synthGovernance({ groups: [{ name: 'x' }] }).template;
  const functions = Object.keys(bare.findResources('AWS::Lambda::Function'));
  expect(functions.filter((id) => id.startsWith('EndpointReconciler'))).toEqual([]);
  expect(functions.length).toBeGreaterThan(0);
  expect(JSON.stringify(bare.findResources('AWS::Events::Rule'))).not.toContain('CloudFormation');
});
