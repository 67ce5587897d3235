import type { Template } from 'aws-cdk-lib/assertions';
import { synthGovernance } from '../harness/synth';

// The capture bucket a capturing target brings, the model execution role's write to its own
// prefix only, and the place the reconciler is told. synthGovernance applies cdk-nag (AwsSolutions)
// and throws on a finding.

const CAPTURE_KEY = 'arn:aws:kms:eu-west-1:111111111111:key/abcd1234-12ab-34cd-56ef-1234567890ab';
type Json = Record<string, unknown>;
type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
};

const groups = [
  {
    name: 'churn',
    deployments: [
      { endpointName: 'churn-prod', dataCapturePercent: 5, dataCaptureKmsKeyArn: CAPTURE_KEY },
      { endpointName: 'churn-dev', dataCapturePercent: 100 },
      { endpointName: 'churn-quiet' },
    ],
  },
];

function only(template: Template, type: string, prefix: string): [string, Json] {
  const found = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1) throw new Error(`${found.length} ${type} named ${prefix}*`);
  return found[0] as [string, Json];
}
const props = (r: Json) => r.Properties as Json;
const statementsOf = (template: Template, prefix: string): Statement[] =>
  Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(prefix))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
const reconcilerEnv = (template: Template) =>
  (props(only(template, 'AWS::Lambda::Function', 'EndpointReconcilerHandler')[1]).Environment as Json)
    .Variables as Json;
const sorted = (items: unknown) =>
  [...(items as unknown[])].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
const objectsUnder = (bucket: unknown, key: string) => ({ 'Fn::Join': ['', [bucket, `/${key}`]] });

describe('a bucket the app provisions', () => {
  let template: Template;
  let bucketId: string;
  let roleId: string;
  beforeAll(() => {
    template = synthGovernance({ dataCapture: { retentionDays: 30 }, groups }).template;
    bucketId = only(template, 'AWS::S3::Bucket', 'EndpointReconcilerDataCaptureBucket')[0];
    roleId = only(template, 'AWS::IAM::Role', 'EndpointReconcilerModelExecutionRole')[0];
  });

  it('is encrypted with a key of its own, versioned, private, access-logged and expires after retentionDays', () => {
    const [keyId, key] = only(template, 'AWS::KMS::Key', 'EndpointReconcilerDataCaptureKey');
    expect(props(key).EnableKeyRotation).toBe(true);
    const [, bucket] = only(template, 'AWS::S3::Bucket', 'EndpointReconcilerDataCaptureBucket');
    const [logsId] = only(template, 'AWS::S3::Bucket', 'EndpointReconcilerDataCaptureAccessLogs');
    expect(props(bucket)).toEqual({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
              SSEAlgorithm: 'aws:kms',
            },
          },
        ],
      },
      LifecycleConfiguration: {
        Rules: [
          { ExpirationInDays: 30, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Status: 'Enabled' },
        ],
      },
      LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'data-capture-bucket/' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  it('refuses plain HTTP, and writes under the capture prefix by anyone but the model execution role', () => {
    const [, policy] = only(template, 'AWS::S3::BucketPolicy', 'EndpointReconcilerDataCaptureBucketPolicy');
    const arn = { 'Fn::GetAtt': [bucketId, 'Arn'] };
    expect((props(policy).PolicyDocument as { Statement: Statement[] }).Statement).toEqual([
      {
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: [arn, objectsUnder(arn, '*')],
      },
      {
        Sid: 'OnlyTheModelExecutionRoleWritesCapturedData',
        Action: 's3:PutObject',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [roleId, 'Arn'] } } },
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: objectsUnder(arn, 'data-capture/*'),
      },
    ]);
  });

  it("lets the model execution role put objects under each capturing target's prefix, and encrypt them through S3", () => {
    const statements = statementsOf(template, 'EndpointReconcilerModelExecutionRole');
    const arn = { 'Fn::GetAtt': [bucketId, 'Arn'] };
    expect(statements.filter((s) => s.Sid === 'PutCapturedData')).toEqual([
      {
        Sid: 'PutCapturedData',
        Effect: 'Allow',
        Action: 's3:PutObject',
        // In CDK's order: it sorts a statement's resources.
        Resource: [
          objectsUnder(arn, 'data-capture/churn-dev/*'),
          objectsUnder(arn, 'data-capture/churn-prod/*'),
        ],
      },
    ]);
    const [keyId] = only(template, 'AWS::KMS::Key', 'EndpointReconcilerDataCaptureKey');
    expect(statements.filter((s) => s.Sid === 'EncryptCapturedData')).toEqual([
      {
        Sid: 'EncryptCapturedData',
        Effect: 'Allow',
        Action: 'kms:GenerateDataKey',
        Resource: [CAPTURE_KEY, { 'Fn::GetAtt': [keyId, 'Arn'] }],
        Condition: {
          StringEquals: {
            'kms:ViaService': {
              'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]],
            },
          },
        },
      },
    ]);
    // No other S3 write anywhere in the role.
    const writes = statements.filter((s) =>
      (Array.isArray(s.Action) ? s.Action : [s.Action]).some((a) => /^s3:(Put|Delete)/.test(a)),
    );
    expect(writes.map((s) => s.Sid)).toEqual(['PutCapturedData']);
  });

  it('tells the reconciler where to capture', () => {
    expect(reconcilerEnv(template).DATA_CAPTURE_S3_URI).toEqual({
      'Fn::Join': ['', ['s3://', { Ref: bucketId }, '/data-capture']],
    });
  });
});

describe('a bucket the configuration names', () => {
  let template: Template;
  beforeAll(() => {
    template = synthGovernance({
      dataCapture: { bucket: 'ml-capture-111111111111', prefix: 'serving/capture' },
      groups,
    }).template;
  });

  it('provisions no bucket or key, and grants the write under the configured prefix of that bucket', () => {
    expect(
      Object.keys(template.findResources('AWS::S3::Bucket')).filter((id) => id.includes('DataCapture')),
    ).toEqual([]);
    expect(
      Object.keys(template.findResources('AWS::KMS::Key')).filter((id) => id.includes('DataCapture')),
    ).toEqual([]);
    const statements = statementsOf(template, 'EndpointReconcilerModelExecutionRole');
    const object = (key: string) => ({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, `:s3:::ml-capture-111111111111/serving/capture/${key}/*`],
      ],
    });
    expect(sorted(statements.find((s) => s.Sid === 'PutCapturedData')?.Resource)).toEqual(
      sorted([object('churn-dev'), object('churn-prod')]),
    );
    expect(statements.find((s) => s.Sid === 'EncryptCapturedData')?.Resource).toEqual(CAPTURE_KEY);
    expect(reconcilerEnv(template).DATA_CAPTURE_S3_URI).toBe('s3://ml-capture-111111111111/serving/capture');
  });
});
