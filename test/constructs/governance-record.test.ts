/** The governance record's storage, as synthesized: who may write it, who reads it, where it is. */
import { synthGovernance } from '../harness/synth';

type Fn = {
  Properties: {
    Role: { 'Fn::GetAtt': [string, string] };
    Environment?: { Variables?: Record<string, unknown> };
  };
};

const { template } = synthGovernance({
  groups: [{ name: 'plain', deployments: [{ endpointName: 'plain-prod' }] }],
});
const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Fn[];
const policyHandler = functions.find((f) => f.Properties.Environment?.Variables?.POLICY_ROLE_ARN);
const reconciler = functions.find((f) => f.Properties.Environment?.Variables?.MODEL_EXECUTION_ROLE_ARN);
const recordObjects = {
  'Fn::Join': [
    '',
    [{ 'Fn::GetAtt': [expect.stringMatching(/^ModelCardsAuditBucket/), 'Arn'] }, '/governance-record/*'],
  ],
};

it('records every governed group, even one with no gate, no separation of duties and no stage', () => {
  expect(policyHandler?.Properties.Environment?.Variables?.GOVERNANCE_RECORD_S3_URI).toBeDefined();
  expect(reconciler?.Properties.Environment?.Variables?.GOVERNANCE_RECORD_S3_URI).toEqual(
    policyHandler?.Properties.Environment?.Variables?.GOVERNANCE_RECORD_S3_URI,
  );
  expect(template.findOutputs('GovernanceRecordUri')).not.toEqual({});
});

const bucketStatements = Object.values(template.findResources('AWS::S3::BucketPolicy')).flatMap(
  (p) =>
    (p.Properties as { PolicyDocument: { Statement: Record<string, unknown>[] } }).PolicyDocument.Statement,
);
const roleArn = (f: Fn | undefined) => ({ 'Fn::GetAtt': [f?.Properties.Role['Fn::GetAtt'][0], 'Arn'] });
const WRITES = ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObject', 's3:PutObjectRetention'];

it("denies every write and delete of the record's entries to all but the app's roles", () => {
  expect(bucketStatements).toContainEqual({
    Sid: 'OnlyTheAppWritesTheGovernanceRecord',
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: WRITES,
    Resource: recordObjects,
    Condition: { ArnNotEquals: { 'aws:PrincipalArn': [roleArn(policyHandler), roleArn(reconciler)] } },
  });
});

it("lets the reconciler write only its own account's endpoint records, and never remove an entry", () => {
  expect(bucketStatements).toContainEqual({
    Sid: 'ReconcilersAppendOnlyTheirEndpointsRecords',
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: WRITES,
    NotResource: {
      'Fn::Join': [
        '',
        [
          { 'Fn::GetAtt': [expect.stringMatching(/^ModelCardsAuditBucket/), 'Arn'] },
          `/governance-record/_endpoints/${'$'}{aws:PrincipalAccount}/*`,
        ],
      ],
    },
    Condition: { ArnEquals: { 'aws:PrincipalArn': [roleArn(reconciler)] } },
  });
  expect(bucketStatements).toContainEqual({
    Sid: 'ReconcilersNeverRemoveARecord',
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectRetention'],
    Resource: recordObjects,
    Condition: { ArnEquals: { 'aws:PrincipalArn': [roleArn(reconciler)] } },
  });
});

it("lets the reconciler read the record and append only to its endpoints' records", () => {
  const roleId = reconciler?.Properties.Role['Fn::GetAtt'][0];
  const statements = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify((p.Properties as { Roles: unknown }).Roles).includes(`"${roleId}"`))
    .flatMap(
      (p) =>
        (p.Properties as { PolicyDocument: { Statement: Record<string, unknown>[] } }).PolicyDocument
          .Statement,
    )
    .filter((st) => JSON.stringify(st.Resource).includes('governance-record'));
  expect(statements.length).toBeGreaterThan(0);
  for (const st of statements) {
    const actions = [st.Action].flat() as string[];
    if (actions.includes('s3:PutObject')) {
      expect(actions).toEqual(['s3:PutObject']);
      expect(JSON.stringify(st.Resource)).toMatch(
        /"\/governance-record\/_endpoints\/",\{"Ref":"AWS::AccountId"\},"\/plain-prod\/\*"/,
      );
    } else for (const action of actions) expect(action).toMatch(/^s3:(GetObject|GetBucket|List)/);
  }
});

it('keeps the record in write-once storage when asked: S3 Object Lock with the configured default retention', () => {
  const audit = (t: typeof template) =>
    Object.entries(t.findResources('AWS::S3::Bucket')).find(([id]) =>
      id.startsWith('ModelCardsAuditBucket'),
    )?.[1].Properties as Record<string, unknown>;
  expect(audit(template).ObjectLockEnabled).toBeUndefined();
  expect(audit(template).ObjectLockConfiguration).toBeUndefined();
  for (const mode of ['GOVERNANCE', 'COMPLIANCE'] as const) {
    const locked = synthGovernance({
      governanceRecord: { objectLock: { mode, retentionDays: 2555 } },
      groups: [{ name: 'plain', deployments: [{ endpointName: 'plain-prod' }] }],
    }).template;
    expect(audit(locked)).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: mode, Days: 2555 } },
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  }
});
