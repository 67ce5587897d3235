import { Match, type Template } from 'aws-cdk-lib/assertions';
import { modelCardPrefix } from '../../core/model-card-naming';
import { synthGovernance } from '../harness/synth';

const LONG = `${'a'.repeat(60)}-x`;
let template: Template;
beforeAll(() => {
  template = synthGovernance({
    modelArtifactBuckets: ['ml-metrics'],
    groups: [{ name: 'Churn' }, { name: LONG }],
  }).template;
});

type Statement = { Action: string | string[]; Resource: unknown };
const statements = (): Statement[] =>
  Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith('ModelCardsHandler'))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

it('writes only the governed groups’ cards (named <group>-v<version>) and their exports', () => {
  const cards = statements().find((s) => actions(s).includes('sagemaker:CreateModelCard'));
  const resources = JSON.stringify(cards?.Resource);
  expect(resources).toContain(':model-card/churn-v*"');
  expect(resources).toContain(':model-card/churn-v*/export-job/*"');
  expect(resources).toContain(`:model-card/${modelCardPrefix(LONG)}-v*"`);
  expect(cards?.Resource).toHaveLength(4);
});

it('reads metrics only from the configured buckets, and writes exports only under model-cards/', () => {
  const reads = statements().filter((s) => actions(s).includes('s3:GetObject'));
  expect(JSON.stringify(reads.map((s) => s.Resource))).toBe(
    JSON.stringify([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::ml-metrics/*']] }]),
  );
  const puts = statements().filter((s) => actions(s).includes('s3:PutObject'));
  expect(JSON.stringify(puts.map((s) => s.Resource))).toMatch(
    /ModelCardsAuditBucket[0-9A-F]+","Arn"\]\},"\/model-cards\/\*"/,
  );
});

it('keeps the exports in a KMS-encrypted, versioned, private, access-logged bucket that outlives the stack', () => {
  template.hasResource('AWS::S3::Bucket', {
    Properties: {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
            BucketKeyEnabled: true,
          },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: {
        DestinationBucketName: { Ref: Match.stringLikeRegexp('^ModelCardsAccessLogs') },
        LogFilePrefix: 'audit-bucket/',
      },
    },
    DeletionPolicy: 'Retain',
  });
});

it('is told where to export, and is triggered by the governed groups’ model package events', () => {
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: {
      Variables: Match.objectLike({
        AUDIT_EXPORT_S3_URI: Match.anyValue(),
        POWERTOOLS_SERVICE_NAME: 'model-governance-model-cards',
      }),
    },
  });
  const rule = Object.values(template.findResources('AWS::Events::Rule')).find((r) =>
    JSON.stringify(r.Properties.EventPattern).includes('Model Package'),
  );
  expect(JSON.stringify(rule?.Properties.Targets)).toMatch(/ModelCardsHandler/);
});

it('reads the gate’s verdicts (their metrics pins) and pinned metrics versions only when a group is gated', () => {
  const env = (t: Template) =>
    Object.values(t.findResources('AWS::Lambda::Function')).find((f) =>
      JSON.stringify(f.Properties.Environment ?? {}).includes('CARD_CONTENT_S3_URI'),
    )?.Properties.Environment.Variables as Record<string, unknown>;
  expect(env(template).VERDICT_S3_URI).toBeUndefined();
  expect(statements().filter((s) => actions(s).includes('s3:GetObjectVersion'))).toEqual([]);

  const gated = synthGovernance({
    modelArtifactBuckets: ['ml-metrics'],
    groups: [{ name: 'Churn', qualityGate: { thresholds: [{ metric: 'mse', atMost: 6 }] } }],
  }).template;
  expect(JSON.stringify(env(gated).VERDICT_S3_URI)).toContain('/quality-gate-verdicts');
  const gatedStatements = Object.entries(gated.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith('ModelCardsHandler'))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  const versions = gatedStatements.filter((s) => actions(s).includes('s3:GetObjectVersion'));
  expect(JSON.stringify(versions.map((s) => s.Resource))).toBe(
    JSON.stringify([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::ml-metrics/*']] }]),
  );
  // The verdicts are read, never written, by this handler.
  const verdictWrites = gatedStatements.filter(
    (s) =>
      actions(s).includes('s3:PutObject') && JSON.stringify(s.Resource).includes('quality-gate-verdicts'),
  );
  expect(verdictWrites).toEqual([]);
  expect(
    gatedStatements.some(
      (s) =>
        actions(s).some((a) => a.startsWith('s3:GetObject')) &&
        JSON.stringify(s.Resource).includes('/quality-gate-verdicts/*'),
    ),
  ).toBe(true);
});
