import { Match, type Template } from 'aws-cdk-lib/assertions';
import { synthGovernance } from '../harness/synth';

const config = {
  archiveRetentionDays: 90,
  notificationEmails: ['ml-ops@example.com'],
  groups: [
    {
      name: 'Customer-Churn',
      description: 'Churn model',
      tags: { team: 'growth' },
      shareWithAccounts: ['111111111111', '222222222222'],
      deployments: [{ endpointName: 'churn-prod' }],
    },
    { name: 'fraud', deployments: [{ endpointName: 'fraud-prod' }, { endpointName: 'fraud-staging' }] },
    { name: 'unshared' },
  ],
};

let template: Template;
beforeAll(() => {
  template = synthGovernance(config).template;
});

function resourcesOf(
  type: string,
): Record<string, { Properties: Record<string, unknown> } & Record<string, unknown>> {
  return template.findResources(type) as Record<string, { Properties: Record<string, unknown> }>;
}

describe('model package groups', () => {
  it('provisions each group with its description and tags, retained on removal', () => {
    template.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 3);
    template.hasResource('AWS::SageMaker::ModelPackageGroup', {
      Properties: {
        ModelPackageGroupName: 'Customer-Churn',
        ModelPackageGroupDescription: 'Churn model',
        Tags: Match.arrayWith([
          { Key: 'model-governance:group', Value: 'Customer-Churn' },
          { Key: 'team', Value: 'growth' },
        ]),
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('grants the listed accounts read access, and deploying (CreateModel) to their reconciler roles only', () => {
    const groups = Object.values(resourcesOf('AWS::SageMaker::ModelPackageGroup'));
    const churn = groups.find((g) => g.Properties.ModelPackageGroupName === 'Customer-Churn');
    const policy = JSON.stringify(churn?.Properties.ModelPackageGroupPolicy);
    if (!churn) throw new Error('no Customer-Churn group in the template');
    const statements = (churn.Properties.ModelPackageGroupPolicy as { Statement: Record<string, unknown>[] })
      .Statement;
    expect(statements.map((s) => s.Action)).toEqual([
      ['sagemaker:DescribeModelPackageGroup'],
      ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages'],
      ['sagemaker:CreateModel', 'sagemaker:DescribeModelPackage'],
    ]);
    // Adversarial: CreateModel is allowed to nobody in those accounts but the reconciler role
    // (anyone else with CreateModel could otherwise serve a Pending or Rejected version).
    const creates = statements.filter((s) => JSON.stringify(s.Action).includes('CreateModel'));
    expect(creates).toHaveLength(1);
    expect(JSON.stringify(creates[0]?.Condition)).toMatch(
      /"ArnEquals":\{"aws:PrincipalArn":\[.*:iam::111111111111:role\/model-governance-reconciler-.*:iam::222222222222:role\/model-governance-reconciler-/,
    );
    for (const s of statements) {
      expect(s.Effect).toBe('Allow');
      expect(JSON.stringify(s.Principal)).toContain(':iam::111111111111:root');
      expect(JSON.stringify(s.Principal)).toContain(':iam::222222222222:root');
      expect((s.Principal as { AWS: unknown[] }).AWS).toHaveLength(2);
    }
    expect(policy).toContain(':model-package-group/customer-churn');
    expect(policy).toContain(':model-package/customer-churn/*');
    expect(policy).not.toContain('Customer-Churn');
  });

  it('attaches no resource policy when no account is listed', () => {
    const unshared = Object.values(resourcesOf('AWS::SageMaker::ModelPackageGroup')).find(
      (g) => g.Properties.ModelPackageGroupName === 'unshared',
    );
    expect(unshared?.Properties.ModelPackageGroupPolicy).toBeUndefined();
  });
});

describe('approval events', () => {
  it('matches model package state changes of exactly the governed groups', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Model Package State Change'],
        detail: { ModelPackageGroupName: ['Customer-Churn', 'fraud', 'unshared'] },
      },
      State: 'ENABLED',
    });
  });

  it('matches settled state changes of exactly the managed endpoints', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Endpoint State Change'],
        detail: {
          EndpointName: ['churn-prod', 'fraud-prod', 'fraud-staging'],
          EndpointStatus: ['IN_SERVICE', 'InService', 'FAILED', 'Failed', 'OUT_OF_SERVICE', 'OutOfService'],
        },
      },
    });
  });

  it('archives the governed groups’ model package events, encrypted, for the configured retention', () => {
    template.hasResourceProperties('AWS::Events::Archive', {
      EventPattern: {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Model Package State Change'],
        detail: { ModelPackageGroupName: ['Customer-Churn', 'fraud', 'unshared'] },
      },
      RetentionDays: 90,
      KmsKeyIdentifier: Match.anyValue(),
    });
  });

  it('delivers to the audit handler with a retry policy and an encrypted dead-letter queue', () => {
    const rule = Object.values(resourcesOf('AWS::Events::Rule')).find((r) =>
      JSON.stringify(r.Properties.EventPattern).includes('Model Package'),
    );
    const [target] = (rule?.Properties.Targets ?? []) as Record<string, unknown>[];
    expect(target).toMatchObject({
      RetryPolicy: { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 21600 },
      DeadLetterConfig: {
        Arn: { 'Fn::GetAtt': [expect.stringMatching(/^AuditNotifierHandlerDeadLetters/), 'Arn'] },
      },
    });
  });
});

describe('audit-and-notify handler', () => {
  it('runs on the newest Node.js runtime, arm64, with its dead-letter queue and two async retries', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      DeadLetterConfig: { TargetArn: Match.anyValue() },
      KmsKeyArn: Match.anyValue(),
      Environment: {
        Variables: Match.objectLike({
          NOTIFICATION_TOPIC_ARN: { Ref: Match.stringLikeRegexp('^NotificationsTopic') },
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
    });
  });

  it('may describe versions of the governed groups only, and publish to the topic', () => {
    const policies = Object.entries(resourcesOf('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('AuditNotifierHandler'))
      .map(([, p]) => p);
    expect(policies).toHaveLength(1);
    const statements = policies.flatMap(
      (p) => (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
    const sagemaker = statements.filter((s) => JSON.stringify(s.Action).includes('sagemaker:'));
    expect(sagemaker).toHaveLength(1);
    expect(sagemaker[0]?.Action).toBe('sagemaker:DescribeModelPackage');
    const resources = JSON.stringify(sagemaker[0]?.Resource);
    for (const name of ['customer-churn', 'fraud', 'unshared'])
      expect(resources).toContain(`:model-package/${name}/*`);
    expect(sagemaker[0]?.Resource).toHaveLength(3);
    expect(statements.some((s) => s.Resource === '*' && JSON.stringify(s.Action).includes('sagemaker'))).toBe(
      false,
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'sns:Publish',
        Resource: { Ref: expect.stringMatching(/^NotificationsTopic/) },
      }),
    );
  });
});

describe('encryption and alarms', () => {
  it('encrypts the topic and every queue with the stack key, which rotates', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    for (const queue of Object.values(resourcesOf('AWS::SQS::Queue'))) {
      expect(queue.Properties.KmsMasterKeyId).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'],
      });
    }
  });

  it('raises an alarm to the topic on the first dead letter', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^NotificationsTopic') }],
    });
  });

  it('subscribes the configured emails', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ml-ops@example.com',
    });
  });
});
