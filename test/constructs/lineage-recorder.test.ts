import type { Template } from 'aws-cdk-lib/assertions';
import { synthGovernance } from '../harness/synth';

let template: Template;
beforeAll(() => {
  template = synthGovernance({
    groups: [{ name: 'churn', deployments: [{ endpointName: 'churn-prod' }] }],
  }).template;
});

type Statement = { Action: string | string[]; Resource: unknown };
const statements = (): Statement[] =>
  Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith('LineageHandler'))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

it('creates and links lineage entities, and never deletes them', () => {
  const all = statements().flatMap(actionsOf);
  expect(all).toEqual(
    expect.arrayContaining([
      'sagemaker:CreateAction',
      'sagemaker:AddAssociation',
      'sagemaker:CreateArtifact',
      'sagemaker:CreateContext',
    ]),
  );
  expect(all.filter((a) => /Delete|Update/.test(a))).toEqual([]);
});

it('reads only its own endpoints and the governed groups’ versions', () => {
  const resources = (action: string) =>
    JSON.stringify(
      statements()
        .filter((s) => actionsOf(s).includes(action))
        .map((s) => s.Resource),
    );
  expect(resources('sagemaker:DescribeEndpoint')).toContain(':endpoint/churn-prod"');
  expect(resources('sagemaker:ListTags')).toContain(':endpoint/churn-prod"');
  expect(resources('sagemaker:DescribeModel')).toContain(':model/churn-prod-v*"');
  expect(resources('sagemaker:DescribeModelPackage')).toContain(':model-package/churn/*"');
  expect(
    statements()
      .filter((s) => s.Resource === '*')
      .flatMap(actionsOf)
      .sort(),
  ).toEqual(['sagemaker:ListActions', 'sagemaker:ListArtifacts', 'sagemaker:ListContexts']);
});

it('hears approvals and settled endpoints, with its own dead-letter queue', () => {
  const rules = Object.values(template.findResources('AWS::Events::Rule'));
  for (const detailType of ['SageMaker Model Package State Change', 'SageMaker Endpoint State Change']) {
    const rule = rules.find((r) => JSON.stringify(r.Properties.EventPattern).includes(detailType));
    const targets = (rule?.Properties.Targets ?? []) as { Arn: unknown; DeadLetterConfig: unknown }[];
    const target = targets.find((t) => JSON.stringify(t.Arn).includes('LineageHandler'));
    expect(JSON.stringify(target?.DeadLetterConfig)).toContain('LineageHandlerDeadLetters');
  }
});
