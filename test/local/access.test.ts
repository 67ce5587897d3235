/**
 * Resource-policy evaluation of the local endpoint (local/sagemaker/access.ts), the part of a
 * cross-account call that differs between accounts: pure, no moto. The integration test
 * (test/integration/multi-account.test.ts) checks the same rules over HTTP.
 */
import {
  evaluate,
  type PolicyDocument,
  type PolicyStatement,
  requestPrincipal,
} from '../../local/sagemaker/access';
import { callContext } from '../../local/sagemaker/protocol';

const GROUP = 'arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/churn';
const VERSIONS = 'arn:aws:sagemaker:eu-west-1:111111111111:model-package/churn/*';
const V1 = 'arn:aws:sagemaker:eu-west-1:111111111111:model-package/churn/1';
const as = (key: string) =>
  requestPrincipal(
    callContext(`AWS4-HMAC-SHA256 Credential=${key}/20260101/eu-west-1/sagemaker/aws4_request`, 'eu-west-1'),
  );

const policy: PolicyDocument = {
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::222222222222:root'] },
      Action: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages'],
      Resource: VERSIONS,
    },
    {
      Effect: 'Allow',
      Principal: { AWS: ['arn:aws:iam::222222222222:root'] },
      Action: ['sagemaker:CreateModel'],
      Resource: VERSIONS,
      Condition: { ArnEquals: { 'aws:PrincipalArn': ['arn:aws:iam::222222222222:role/reconciler'] } },
    },
  ],
};

it('names the caller as IAM does: a role session by its role for aws:PrincipalArn', () => {
  expect(as('222222222222:role=reconciler@fn')).toEqual({
    arn: 'arn:aws:sts::222222222222:assumed-role/reconciler/fn',
    principalArn: 'arn:aws:iam::222222222222:role/reconciler',
    account: '222222222222',
  });
  expect(as('alice')).toMatchObject({
    account: '123456789012',
    principalArn: 'arn:aws:iam::123456789012:user/alice',
  });
});

it('allows what a statement grants the account, on the resources it names', () => {
  expect(evaluate(policy, as('222222222222:alice'), 'sagemaker:DescribeModelPackage', V1)).toBe('allow');
  expect(evaluate(policy, as('222222222222:alice'), 'sagemaker:ListModelPackages', VERSIONS)).toBe('allow');
  expect(evaluate(policy, as('222222222222:alice'), 'sagemaker:DescribeModelPackageGroup', GROUP)).toBe(
    'no-statement',
  );
  expect(evaluate(policy, as('222222222222:alice'), 'sagemaker:UpdateModelPackage', V1)).toBe('no-statement');
});

it('refuses another account, and a look-alike account id', () => {
  expect(evaluate(policy, as('333333333333:alice'), 'sagemaker:DescribeModelPackage', V1)).toBe(
    'no-statement',
  );
  expect(evaluate(policy, as('2222222222220:alice'), 'sagemaker:DescribeModelPackage', V1)).toBe(
    'no-statement',
  );
  expect(
    evaluate(
      policy,
      as('222222222222:alice'),
      'sagemaker:DescribeModelPackage',
      'arn:aws:sagemaker:eu-west-1:111111111111:model-package/churn-other/1',
    ),
  ).toBe('no-statement');
});

it('grants a condition on aws:PrincipalArn to that role’s sessions only', () => {
  expect(evaluate(policy, as('222222222222:role=reconciler@fn'), 'sagemaker:CreateModel', V1)).toBe('allow');
  expect(evaluate(policy, as('222222222222:role=reconciler-2@fn'), 'sagemaker:CreateModel', V1)).toBe(
    'no-statement',
  );
  expect(evaluate(policy, as('222222222222:reconciler'), 'sagemaker:CreateModel', V1)).toBe('no-statement');
});

it('lets an explicit Deny win, and fails closed on a condition it does not know', () => {
  const denying: PolicyDocument = {
    Statement: [
      { Effect: 'Allow', Principal: '*', Action: 'sagemaker:*', Resource: '*' },
      { Effect: 'Deny', Principal: { AWS: '333333333333' }, Action: 'sagemaker:Describe*', Resource: '*' },
      {
        Effect: 'Allow',
        Principal: { AWS: '444444444444' },
        Action: 'sagemaker:CreateModel',
        Resource: '*',
        Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      },
    ],
  };
  expect(evaluate(denying, as('333333333333:alice'), 'sagemaker:DescribeModelPackage', V1)).toBe('deny');
  expect(evaluate(denying, as('333333333333:alice'), 'sagemaker:ListModelPackages', VERSIONS)).toBe('allow');
  const strict: PolicyDocument = { Statement: (denying.Statement as PolicyStatement[]).slice(2) };
  expect(evaluate(strict, as('444444444444:alice'), 'sagemaker:CreateModel', V1)).toBe('no-statement');
  expect(evaluate(undefined, as('444444444444:alice'), 'sagemaker:CreateModel', V1)).toBe('no-statement');
});
