import { Match, type Template } from 'aws-cdk-lib/assertions';
import { synthGovernance } from '../harness/synth';

// What a shadow-tested target adds to the stack, and only then.

let template: Template;
beforeAll(() => {
  template = synthGovernance({
    groups: [
      {
        name: 'churn',
        deployments: [
          { endpointName: 'churn-prod', instances: { count: 1 }, shadow: { minutes: 60 } },
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
const reconciler = (action: string) =>
  statements('EndpointReconcilerHandler').filter((s) => actionsOf(s).includes(action));
const resources = (action: string) => JSON.stringify(reconciler(action).map((s) => s.Resource));

it('runs the reconciler every five minutes to notice the end of a shadow test, with its dead-letter queue', () => {
  template.hasResourceProperties('AWS::Events::Rule', {
    ScheduleExpression: 'rate(5 minutes)',
    State: 'ENABLED',
    Targets: [
      Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EndpointReconcilerHandler'), 'Arn'] },
        DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }),
      }),
    ],
  });
});

it('passes the shadow-test role to SageMaker only, and tells the handler its ARN', () => {
  const passRoles = reconciler('iam:PassRole');
  expect(passRoles.length).toBeGreaterThan(0);
  for (const s of passRoles)
    expect(s.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
  expect(JSON.stringify(passRoles.map((s) => s.Resource))).toMatch(/EndpointReconcilerShadowTestRole/);
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: {
      Variables: Match.objectLike({
        SHADOW_TEST_ROLE_ARN: {
          'Fn::GetAtt': [Match.stringLikeRegexp('^EndpointReconcilerShadowTestRole'), 'Arn'],
        },
      }),
    },
  });
});

it('creates, stops and tags only experiments named after the shadow-tested endpoint, on that endpoint', () => {
  for (const action of [
    'sagemaker:CreateInferenceExperiment',
    'sagemaker:DescribeInferenceExperiment',
    'sagemaker:StopInferenceExperiment',
  ]) {
    expect(resources(action)).toContain(':inference-experiment/churn-prod-v*');
    expect(resources(action)).not.toContain('churn-staging');
    expect(resources(action)).not.toMatch(/inference-experiment\/\*/);
  }
  expect(resources('sagemaker:CreateInferenceExperiment')).toContain(':endpoint/churn-prod"');
  expect(resources('sagemaker:CreateInferenceExperiment')).toContain(':model/churn-prod-v*');
  const wildcards = statements('EndpointReconcilerHandler')
    .filter((s) => s.Resource === '*')
    .flatMap(actionsOf);
  expect(wildcards).toEqual(
    expect.arrayContaining(['sagemaker:ListInferenceExperiments', 'cloudwatch:GetMetricData']),
  );
  expect(wildcards).not.toContain('sagemaker:CreateInferenceExperiment');
});

it('lets only SageMaker acting for this account assume the shadow-test role, which manages only that endpoint', () => {
  const roles = template.findResources('AWS::IAM::Role');
  const [id, role] =
    Object.entries(roles).find(([k]) => k.startsWith('EndpointReconcilerShadowTestRole')) ?? [];
  expect(id).toBeDefined();
  expect(JSON.stringify(role?.Properties.AssumeRolePolicyDocument)).toContain('aws:SourceAccount');
  const own = statements('EndpointReconcilerShadowTestRole');
  expect(own.flatMap(actionsOf).sort()).toEqual([
    'sagemaker:CreateEndpointConfig',
    'sagemaker:DescribeEndpoint',
    'sagemaker:DescribeEndpointConfig',
    'sagemaker:DescribeModel',
    'sagemaker:UpdateEndpoint',
  ]);
  const endpointResources = JSON.stringify(
    own.filter((s) => actionsOf(s).includes('sagemaker:UpdateEndpoint')).map((s) => s.Resource),
  );
  expect(endpointResources).toContain(':endpoint/churn-prod"');
  expect(endpointResources).not.toContain('churn-staging');
  expect(own.some((s) => s.Resource === '*')).toBe(false);
});

it('adds none of it without a shadow-tested target', () => {
  const plain = synthGovernance({
    groups: [{ name: 'churn', deployments: [{ endpointName: 'churn-prod' }] }],
  }).template;
  expect(
    Object.keys(
      plain.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: Match.anyValue() } }),
    ),
  ).toEqual([]);
  expect(JSON.stringify(plain.toJSON())).not.toMatch(
    /InferenceExperiment|ShadowTestRole|SHADOW_TEST_ROLE_ARN/,
  );
});
