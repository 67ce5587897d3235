/** The registrar and approver managed policies, the policy handler and the card-gate wiring, as synthesized. */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { synthGovernance } from '../harness/synth';

const VERSIONS = (group: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':sagemaker:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:model-package/${group}/*`,
    ],
  ],
});
const GROUP = (group: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':sagemaker:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:model-package-group/${group}`,
    ],
  ],
});

let template: Template;
beforeAll(() => {
  template = synthGovernance({
    modelArtifactBuckets: ['ml-models-123456789012'],
    groups: [
      {
        name: 'Churn',
        separationOfDuties: true,
        qualityGate: {
          thresholds: [
            { metric: 'mse', atMost: 6 },
            { metric: 'mse', notWorseThanLive: { better: 'lower', margin: 0.5 } },
          ],
        },
        deployments: [{ endpointName: 'churn-prod', requireApprovedModelCard: true }],
      },
      { name: 'fraud' },
    ],
  }).template;
});

function policyStatements(descriptionStart: string): unknown[] {
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).filter((p) =>
    String((p.Properties as { Description?: string }).Description).startsWith(descriptionStart),
  );
  expect(policies).toHaveLength(1);
  const properties = policies[0]?.Properties as { PolicyDocument: { Statement: unknown[] } } | undefined;
  return properties?.PolicyDocument.Statement ?? [];
}

it('gives training pipelines a registrar policy: register pending versions, never approve', () => {
  const all = [GROUP('churn'), GROUP('fraud'), VERSIONS('churn'), VERSIONS('fraud')];
  expect(policyStatements('model-governance registrar')).toEqual([
    {
      Sid: 'RegisterVersions',
      Effect: 'Allow',
      Action: 'sagemaker:CreateModelPackage',
      Resource: all,
      Condition: { StringEqualsIfExists: { 'sagemaker:ModelApprovalStatus': 'PendingManualApproval' } },
    },
    {
      Sid: 'TagNewVersions',
      Effect: 'Allow',
      Action: 'sagemaker:AddTags',
      Resource: [VERSIONS('churn'), VERSIONS('fraud')],
      Condition: { StringEquals: { 'sagemaker:TaggingAction': 'CreateModelPackage' } },
    },
    {
      Sid: 'ReadRegistry',
      Effect: 'Allow',
      Action: ['sagemaker:DescribeModelPackage', 'sagemaker:DescribeModelPackageGroup'],
      Resource: all,
    },
    { Sid: 'ListVersions', Effect: 'Allow', Action: 'sagemaker:ListModelPackages', Resource: '*' },
    {
      Sid: 'NeverRegisterApproved',
      Effect: 'Deny',
      Action: 'sagemaker:CreateModelPackage',
      Resource: all,
      Condition: { StringEquals: { 'sagemaker:ModelApprovalStatus': 'Approved' } },
    },
    {
      Sid: 'NeverApprove',
      Effect: 'Deny',
      Action: 'sagemaker:UpdateModelPackage',
      Resource: [VERSIONS('churn'), VERSIONS('fraud')],
      Condition: { StringEquals: { 'sagemaker:ModelApprovalStatus': 'Approved' } },
    },
  ]);
});

it('gives approvers an approver policy: approve, reject, stage and review cards, never register', () => {
  const statements = policyStatements('model-governance approver');
  expect(statements).toEqual([
    {
      Sid: 'ChangeApprovalAndStage',
      Effect: 'Allow',
      Action: 'sagemaker:UpdateModelPackage',
      Resource: [VERSIONS('churn'), VERSIONS('fraud')],
      Condition: {
        StringEqualsIfExists: {
          'sagemaker:ModelApprovalStatus': ['Approved', 'Rejected', 'PendingManualApproval'],
        },
      },
    },
    {
      Sid: 'ReadRegistry',
      Effect: 'Allow',
      Action: ['sagemaker:DescribeModelPackage', 'sagemaker:DescribeModelPackageGroup'],
      Resource: [GROUP('churn'), GROUP('fraud'), VERSIONS('churn'), VERSIONS('fraud')],
    },
    {
      Sid: 'ListVersionsAndCards',
      Effect: 'Allow',
      Action: ['sagemaker:ListModelCards', 'sagemaker:ListModelPackages'],
      Resource: '*',
    },
    {
      Sid: 'ReviewModelCards',
      Effect: 'Allow',
      Action: ['sagemaker:DescribeModelCard', 'sagemaker:UpdateModelCard'],
      Resource: [
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':sagemaker:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':model-card/churn-v*',
            ],
          ],
        },
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':sagemaker:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':model-card/fraud-v*',
            ],
          ],
        },
      ],
    },
    { Sid: 'NeverRegister', Effect: 'Deny', Action: 'sagemaker:CreateModelPackage', Resource: '*' },
  ]);
});

it('runs the policy handler on the gated groups only, able to change only their versions', () => {
  const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, f]) =>
    String((f.Properties as { Description?: string }).Description).includes('quality gates'),
  );
  expect(fn).toBeDefined();
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        {
          Action: ['sagemaker:DescribeModelPackage', 'sagemaker:UpdateModelPackage'],
          Effect: 'Allow',
          Resource: VERSIONS('churn'),
        },
      ]),
    },
  });
});

it("wakes the reconciler and the card handler when a card-gated group's card changes", () => {
  const rules = Object.values(template.findResources('AWS::Events::Rule')).filter(
    (r) =>
      (r.Properties as { EventPattern: { 'detail-type': string[] } }).EventPattern['detail-type'][0] ===
      'SageMaker Model Card State Change',
  );
  expect(rules).toHaveLength(1);
  const props = rules[0]?.Properties as { EventPattern: unknown; Targets: unknown[] };
  expect(props.EventPattern).toEqual({
    source: ['aws.sagemaker'],
    detail: { ModelCardName: [{ prefix: 'Churn-v' }] },
    'detail-type': ['SageMaker Model Card State Change'],
  });
  expect(props.Targets).toHaveLength(2);
});

it("keeps the model package rule within EventBridge's five targets", () => {
  for (const rule of Object.values(template.findResources('AWS::Events::Rule'))) {
    expect((rule.Properties as { Targets: unknown[] }).Targets.length).toBeLessThanOrEqual(5);
  }
});
