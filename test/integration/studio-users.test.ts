/**
 * Separation of duties for SageMaker Studio users, over HTTP against local mode: every user profile
 * of a domain runs as the domain's one execution role. With the domain's ExecutionRoleIdentityConfig
 * set to USER_PROFILE_NAME (access keys `studio=<domain>@<profile>`), each session carries its
 * profile's SourceIdentity, and persons are told apart by it: a colleague's approval deploys, the
 * registrant's own never serves. Without it (`studio-nosi=`), the approval is held, with what to do.
 * Throughout, no handler fails and the local SageMaker refuses nothing the app sends.
 */

import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeModelPackageCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { LocalApp } from '../../local/runner/local-app';
import { lifecycleCalls, serving } from '../harness/deployments';
import { startLocalApp } from '../harness/local-app';
import { eventually } from '../harness/local-aws';
import { registerVersion, setApproval } from '../harness/registry';

let app: LocalApp;
const client = (accessKeyId: string) =>
  new SageMakerClient({
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'local' },
  });

beforeAll(async () => {
  app = await startLocalApp({
    groups: [
      { name: 'team', separationOfDuties: true, deployments: [{ endpointName: 'team-prod' }] },
      { name: 'legacy', separationOfDuties: true, deployments: [{ endpointName: 'legacy-prod' }] },
    ],
  });
  const s3 = new S3Client({
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'setup', secretAccessKey: 'local' },
    forcePathStyle: true,
  });
  await s3.send(new CreateBucketCommand({ Bucket: 'example-models' }));
  for (const group of ['team', 'legacy'])
    await s3.send(
      new PutObjectCommand({
        Bucket: 'example-models',
        Key: `${group}/model.tar.gz`,
        Body: `${group} weights`,
      }),
    );
}, 360_000);
afterAll(async () => app?.stop());

afterEach(() => {
  // No handler failed (nothing went to a dead-letter queue), and every request was valid.
  expect(app.invocations.filter((i) => !i.outcome.ok).map((i) => i.functionName)).toEqual([]);
  expect(app.sagemaker.refusedLog).toEqual([]);
});

function policyOutcomes(arn: string): string[] {
  return app.invocations
    .filter((i) => i.functionName === 'policy-gate' && i.outcome.ok)
    .map((i) => (i.outcome.ok ? (i.outcome.result as { outcome?: string; modelPackageArn?: string }) : {}))
    .filter((r) => r.modelPackageArn === arn)
    .map((r) => r.outcome ?? '');
}

describe('a Studio domain with ExecutionRoleIdentityConfig USER_PROFILE_NAME', () => {
  const alice = () => client('studio=d-team@alice');
  const bob = () => client('studio=d-team@bob');

  it("deploys a colleague's approval, recorded as Studio users sharing one execution role", async () => {
    const arn = await registerVersion(alice(), 'team');
    await setApproval(bob(), arn, 'Approved', 'reviewed the evaluation');
    await serving(app, bob(), 'team-prod', 1);
    const d = await bob().send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    expect(d.CreatedBy).toEqual({
      UserProfileArn: 'arn:aws:sagemaker:us-east-1:123456789012:user-profile/d-team/alice',
      UserProfileName: 'alice',
      DomainId: 'd-team',
      IamIdentity: {
        Arn: 'arn:aws:sts::123456789012:assumed-role/StudioExecution-d-team/SageMaker',
        PrincipalId: expect.stringMatching(/^AROA[A-Z0-9]+:SageMaker$/),
        SourceIdentity: 'alice',
      },
    });
    // Who approved, as a person, where Studio shows it.
    expect(d.CustomerMetadataProperties?.['model-governance:approved-by']).toBe('bob Studio domain d-team');
    expect(policyOutcomes(arn)).toContain('approval-recorded');
  });

  it("never serves the registrant's own approval, and names her as the registrant", async () => {
    const arn = await registerVersion(alice(), 'team');
    await setApproval(alice(), arn, 'Approved', 'my own model looks fine');
    await eventually(
      async () => policyOutcomes(arn).includes('self-approval-reverted') || undefined,
      'the policy handler to report the self-approval',
    );
    const reverted = await alice().send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    expect(reverted.ModelApprovalStatus).toBe('PendingManualApproval');
    // The registrant is named as Studio shows her (user profile and domain), not as a role session.
    expect(reverted.ApprovalDescription).toMatch(
      /^Approval reverted: alice \(Studio domain d-team\) registered/,
    );
    expect(lifecycleCalls(app, 'team-prod').map((c) => c.version)).not.toContain(2);
  });
});

describe('a Studio domain without SourceIdentity (ExecutionRoleIdentityConfig DISABLED)', () => {
  const carol = () => client('studio-nosi=d-legacy@carol');
  const dave = () => client('studio-nosi=d-legacy@dave');

  it('holds the approval, saying which domain setting to turn on and whom to ask', async () => {
    const arn = await registerVersion(carol(), 'legacy');
    await setApproval(dave(), arn, 'Approved', 'looks good');
    await eventually(
      async () => policyOutcomes(arn).includes('approval-held') || undefined,
      'the policy handler to report the hold',
    );
    expect(policyOutcomes(arn)).not.toContain('self-approval-reverted');
    const held = await dave().send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    expect(held.ModelApprovalStatus).toBe('PendingManualApproval');
    // What the data scientist reads in Studio is the feature here: the setting, the domain, whom to ask.
    expect(held.ApprovalDescription).toMatch(
      /set ExecutionRoleIdentityConfig to USER_PROFILE_NAME on Studio domain d-legacy, then ask dave \(Studio domain d-legacy\) to approve it again/,
    );
    expect(lifecycleCalls(app, 'legacy-prod')).toEqual([]);
  });
});
