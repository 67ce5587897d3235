import type { Template } from 'aws-cdk-lib/assertions';
import { synthGovernance } from '../harness/synth';

// The exact IAM that VPC placement, customer keys and autoscaling add, and nothing when
// no target asks for them. synthGovernance applies cdk-nag (AwsSolutions) and throws on a finding.

const KEY = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const CAPTURE_KEY = 'arn:aws:kms:eu-west-1:111111111111:key/abcd1234-12ab-34cd-56ef-1234567890ab';

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
};

function statementsOf(template: Template, prefix: string): Statement[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(prefix))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
/** CDK merges statements and sorts their actions and resources: compared in that order. */
const touching = (statements: Statement[], service: string) =>
  statements.filter((s) => actionsOf(s).some((a) => a.startsWith(`${service}:`)));
const sorted = <T>(items: T[]) => [...items].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
const pseudo = (name: string) => `\${${name}}`;
const sub = (resource: string) => ({
  'Fn::Sub': `arn:${pseudo('AWS::Partition')}:${resource.replace('{region}', pseudo('AWS::Region')).replace('{account}', pseudo('AWS::AccountId'))}`,
});

let template: Template;
beforeAll(() => {
  template = synthGovernance({
    groups: [
      {
        name: 'churn',
        deployments: [
          {
            endpointName: 'churn-prod',
            instances: { count: 2 },
            vpc: {
              subnetIds: ['subnet-0123456789abcdef0', 'subnet-89abcdef'],
              securityGroupIds: ['sg-01234567'],
            },
            networkIsolation: true,
            volumeKmsKeyArn: KEY,
            dataCapturePercent: 5,
            dataCaptureKmsKeyArn: CAPTURE_KEY,
            autoscaling: { minInstances: 1, maxInstances: 4, targetInvocationsPerInstance: 100 },
          },
          { endpointName: 'churn-shadow' },
        ],
      },
    ],
  }).template;
});

it('lets the models create and remove network interfaces in the configured subnets only', () => {
  const ec2 = touching(statementsOf(template, 'EndpointReconcilerModelExecutionRole'), 'ec2');
  const subnets = [
    sub('ec2:{region}:{account}:subnet/subnet-0123456789abcdef0'),
    sub('ec2:{region}:{account}:subnet/subnet-89abcdef'),
  ];
  expect(ec2).toEqual([
    {
      Effect: 'Allow',
      // The Describe calls have no resource-level permissions (merged with the existing ECR token statement).
      Action: [
        'ec2:DescribeDhcpOptions',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSubnets',
        'ec2:DescribeVpcs',
        'ecr:GetAuthorizationToken',
      ],
      Resource: '*',
    },
    {
      Effect: 'Allow',
      Action: 'ec2:CreateNetworkInterface',
      Resource: sorted([...subnets, sub('ec2:{region}:{account}:security-group/sg-01234567')]),
    },
    {
      Effect: 'Allow',
      Action: [
        'ec2:CreateNetworkInterface',
        'ec2:CreateNetworkInterfacePermission',
        'ec2:DeleteNetworkInterface',
        'ec2:DeleteNetworkInterfacePermission',
      ],
      Resource: sub('ec2:{region}:{account}:network-interface/*'),
      Condition: { ArnEquals: { 'ec2:Subnet': subnets } },
    },
  ]);
});

it('lets the models use the configured keys through SageMaker only', () => {
  // The capture key's use through S3 is test/constructs/data-capture.test.ts's.
  const kms = touching(statementsOf(template, 'EndpointReconcilerModelExecutionRole'), 'kms').filter(
    (s) => s.Sid !== 'EncryptCapturedData',
  );
  const viaSageMaker = {
    'kms:ViaService': {
      'Fn::Join': ['', ['sagemaker.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]],
    },
  };
  expect(kms).toEqual([
    {
      Effect: 'Allow',
      Action: 'kms:CreateGrant',
      Resource: [KEY, CAPTURE_KEY],
      Condition: { StringEquals: viaSageMaker, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
    {
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'],
      Resource: [KEY, CAPTURE_KEY],
      Condition: { StringEquals: viaSageMaker },
    },
  ]);
});

it('lets the reconciler scale the autoscaled endpoint variant only', () => {
  const reconciler = statementsOf(template, 'EndpointReconcilerHandler');
  expect(touching(reconciler, 'application-autoscaling')).toEqual([
    {
      Effect: 'Allow',
      // Read-only; merged with the existing list statement.
      Action: [
        'application-autoscaling:DescribeScalableTargets',
        'application-autoscaling:DescribeScalingPolicies',
        'sagemaker:ListDataQualityJobDefinitions',
        'sagemaker:ListEndpointConfigs',
        'sagemaker:ListModelPackages',
        'sagemaker:ListModelQualityJobDefinitions',
        'sagemaker:ListModels',
        'sagemaker:ListMonitoringSchedules',
      ],
      Resource: '*',
    },
    {
      Effect: 'Allow',
      Action: [
        'application-autoscaling:DeleteScalingPolicy',
        'application-autoscaling:DeregisterScalableTarget',
        'application-autoscaling:PutScalingPolicy',
        'application-autoscaling:RegisterScalableTarget',
      ],
      Resource: '*',
      Condition: {
        StringEquals: {
          'application-autoscaling:service-namespace': 'sagemaker',
          'application-autoscaling:scalable-dimension': 'sagemaker:variant:DesiredInstanceCount',
        },
      },
    },
  ]);
  expect(
    reconciler.filter((s) => actionsOf(s).includes('sagemaker:UpdateEndpointWeightsAndCapacities')),
  ).toEqual([
    {
      Effect: 'Allow',
      Action: 'sagemaker:UpdateEndpointWeightsAndCapacities',
      Resource: sub('sagemaker:{region}:{account}:endpoint/churn-prod'),
    },
  ]);
  expect(touching(reconciler, 'cloudwatch')).toEqual([
    {
      Effect: 'Allow',
      Action: ['cloudwatch:DeleteAlarms', 'cloudwatch:DescribeAlarms', 'cloudwatch:PutMetricAlarm'],
      Resource: sub(
        'cloudwatch:{region}:{account}:alarm:TargetTracking-endpoint/churn-prod/variant/AllTraffic-*',
      ),
    },
  ]);
  expect(reconciler.filter((s) => actionsOf(s).includes('iam:CreateServiceLinkedRole'))).toEqual([
    {
      Effect: 'Allow',
      Action: 'iam:CreateServiceLinkedRole',
      Resource: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':iam::',
            { Ref: 'AWS::AccountId' },
            ':role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint',
          ],
        ],
      },
      Condition: {
        StringEquals: { 'iam:AWSServiceName': 'sagemaker.application-autoscaling.amazonaws.com' },
      },
    },
  ]);
});

it('adds none of it when no target asks for it', () => {
  const plain = synthGovernance({
    groups: [{ name: 'churn', deployments: [{ endpointName: 'churn-prod' }] }],
  }).template;
  const all = [
    ...statementsOf(plain, 'EndpointReconcilerModelExecutionRole'),
    ...statementsOf(plain, 'EndpointReconcilerHandler'),
  ];
  expect(touching(all, 'ec2')).toEqual([]);
  expect(touching(all, 'kms').filter((s) => JSON.stringify(s).includes('sagemaker.'))).toEqual([]);
  expect(touching(all, 'application-autoscaling')).toEqual([]);
  expect(all.filter((s) => actionsOf(s).includes('iam:CreateServiceLinkedRole'))).toEqual([]);
  // No capturing target: no capture bucket, and no write to S3 beyond the reconciler's own
  // endpoint entries in the governance record.
  expect(
    Object.keys(plain.findResources('AWS::S3::Bucket')).filter((id) => id.includes('DataCapture')),
  ).toEqual([]);
  expect(
    all.filter(
      (s) =>
        actionsOf(s).includes('s3:PutObject') &&
        !JSON.stringify(s.Resource).includes('/governance-record/_endpoints/'),
    ),
  ).toEqual([]);
});
