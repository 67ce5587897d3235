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

it("denies every write and delete of the record's entries to all but the policy handler's role", () => {
  const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
  const statements = policies.flatMap(
    (p) =>
      (p.Properties as { PolicyDocument: { Statement: Record<string, unknown>[] } }).PolicyDocument.Statement,
  );
  expect(statements).toContainEqual({
    Sid: 'OnlyTheAppWritesTheGovernanceRecord',
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObject', 's3:PutObjectRetention'],
    Resource: recordObjects,
    Condition: {
      ArnNotEquals: {
        'aws:PrincipalArn': { 'Fn::GetAtt': [policyHandler?.Properties.Role['Fn::GetAtt'][0], 'Arn'] },
      },
    },
  });
});

it('lets the reconciler only read the record', () => {
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
    for (const action of [st.Action].flat() as string[])
      expect(action).toMatch(/^s3:(GetObject|GetBucket|List)/);
  }
});
