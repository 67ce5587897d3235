/**
 * Governance policies in local mode, over HTTP: the quality gate decides registered versions from
 * their metrics files in (moto's) S3, separation of duties reverts a self-approval, and the card
 * gate holds a deployment until a reviewer approves the version's model card.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeModelCardCommand,
  DescribeModelPackageCommand,
  ListModelCardExportJobsCommand,
  SageMakerClient,
  UpdateModelCardCommand,
} from '@aws-sdk/client-sagemaker';
import type { HoldCode } from '../../domain/hold';
import type { LocalApp } from '../../local/runner/local-app';
import {
  lifecycleCalls,
  policyResults,
  reconcileOutcomes,
  reconcileReports,
  serving,
} from '../harness/deployments';
import { startLocalApp } from '../harness/local-app';
import { eventually } from '../harness/local-aws';
import { readReference } from '../harness/reference';
import { registerVersion, setApproval } from '../harness/registry';

let app: LocalApp;
let trainer: SageMakerClient;
let approver: SageMakerClient;
let reviewer: SageMakerClient;

const REGRESSION = 's3://metrics/model-quality.json'; // mse 5.0305
const EVALUATION = 's3://metrics/evaluation.json'; // mse 4.9254
const POOR = 's3://metrics/poor.json'; // mse 7.2

beforeAll(async () => {
  app = await startLocalApp({
    modelArtifactBuckets: ['metrics'],
    groups: [
      {
        name: 'gated',
        separationOfDuties: true,
        qualityGate: {
          thresholds: [
            { metric: 'mse', atMost: 5.1 },
            { metric: 'mse', notWorseThanLive: { better: 'lower', margin: 0 } },
          ],
        },
        deployments: [{ endpointName: 'gated-prod' }],
      },
      {
        name: 'auto',
        qualityGate: { thresholds: [{ metric: 'mse', atMost: 6 }], autoApprove: true },
        deployments: [{ endpointName: 'auto-dev', production: false }],
      },
      { name: 'carded', deployments: [{ endpointName: 'carded-prod', requireApprovedModelCard: true }] },
    ],
  });
  const client = (accessKeyId: string) => ({
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'local' },
  });
  trainer = new SageMakerClient(client('trainer'));
  approver = new SageMakerClient(client('approver'));
  reviewer = new SageMakerClient(client('reviewer'));
  const s3 = new S3Client({ ...client('trainer'), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'metrics' }));
  const put = (key: string, file: string) =>
    s3.send(
      new PutObjectCommand({
        Bucket: 'metrics',
        Key: key,
        Body: JSON.stringify(readReference(`metrics/${file}`)),
      }),
    );
  // The model data the versions name (registerVersion): the gate pins it, the reconciler checks it.
  await s3.send(new CreateBucketCommand({ Bucket: 'example-models' }));
  for (const group of ['gated', 'auto'])
    await s3.send(
      new PutObjectCommand({
        Bucket: 'example-models',
        Key: `${group}/model.tar.gz`,
        Body: `${group} weights`,
      }),
    );
  await put('model-quality.json', 'model-monitor-model-quality.regression.sdk-test.json');
  await put('evaluation.json', 'evaluation.regression.sdk-integ-test.json');
  // A pipelines evaluation report as SageMaker Pipelines writes it, with a poor mse.
  await s3.send(
    new PutObjectCommand({
      Bucket: 'metrics',
      Key: 'poor.json',
      Body: JSON.stringify({ regression_metrics: { mse: { value: 7.2, standard_deviation: 0.4 } } }),
    }),
  );
}, 360_000);
afterAll(async () => app?.stop());

async function describe_(arn: string) {
  return trainer.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
}

async function settled(arn: string, status: string) {
  return eventually(async () => {
    const d = await describe_(arn);
    return d.ModelApprovalStatus === status && d.CustomerMetadataProperties?.['model-governance:quality-gate']
      ? d
      : undefined;
  }, `${arn} to be ${status} with a gate decision`);
}

const register = (group: string, metrics?: string) =>
  registerVersion(trainer, group, {
    createGroup: false,
    ...(metrics ? { metrics: { 'ModelQuality.Statistics': metrics } } : {}),
  });

describe('quality gate', () => {
  it('rejects a version over a threshold, saying which and by how much, and never deploys it', async () => {
    const arn = await register('gated', POOR);
    const d = await settled(arn, 'Rejected');
    expect(d.ApprovalDescription).toBe('Quality gate failed: mse <= 5.1: 7.2 > 5.1');
    expect(d.CustomerMetadataProperties?.['model-governance:quality-gate']).toBe('failed');
    expect(lifecycleCalls(app, 'gated-prod')).toEqual([]);
  });

  it('leaves a version whose metrics cannot be read pending, with a note, and never approves it', async () => {
    const arn = await register('gated', 's3://metrics/not-there.json');
    const d = await settled(arn, 'PendingManualApproval');
    expect(d.ApprovalDescription).toMatch(
      /^Quality gate could not decide, so a person must review: mse <= 5\.1: no numeric metric "mse" in v2's metrics \(no readable metrics registered\); unreadable: ModelQuality\.Statistics s3:\/\/metrics\/not-there\.json/,
    );
    expect(d.CustomerMetadataProperties?.['model-governance:quality-gate']).toBe('undetermined');
  });

  it('keeps a passing version pending for a person, who then approves and deploys it', async () => {
    const arn = await register('gated', EVALUATION);
    const d = await settled(arn, 'PendingManualApproval');
    expect(d.ApprovalDescription).toBe(
      'Quality gate passed: mse <= 5.1: 4.92535 <= 5.1; mse <= live + 0: nothing to compare with: endpoint gated-prod does not exist yet; awaiting approval',
    );
    await setApproval(approver, arn, 'Approved', 'metrics reviewed');
    await serving(app, approver, 'gated-prod', 3);
  });

  it('compares with the live version: worse than what is served is rejected', async () => {
    // mse 5.03 is within the absolute bound, but worse than the 4.93 of the version live on gated-prod.
    const arn = await register('gated', REGRESSION);
    expect((await settled(arn, 'Rejected')).ApprovalDescription).toBe(
      'Quality gate failed: mse <= live + 0: 5.03046 > 4.92535 (live v3: 4.92535)',
    );
  });

  it('approves a passing version by itself where every target is non-production', async () => {
    const arn = await register('auto', EVALUATION);
    const d = await settled(arn, 'Approved');
    expect(d.ApprovalDescription).toBe('Approved automatically: Quality gate passed: mse <= 6: 4.92535 <= 6');
    await serving(app, approver, 'auto-dev', 1);
  });
});

describe('separation of duties', () => {
  it('reverts an approval by the registrant, and keeps that version off the endpoint', async () => {
    const arn = await register('gated', EVALUATION); // v5, passes the gate (mse equals live v3's)
    await settled(arn, 'PendingManualApproval');
    await setApproval(trainer, arn, 'Approved', 'my own model looks fine');
    await eventually(
      async () => policyResults(app, arn).some((r) => r.outcome === 'self-approval-reverted') || undefined,
      'the self-approval to be reverted',
    );
    const reverted = await describe_(arn);
    expect(reverted.ModelApprovalStatus).toBe('PendingManualApproval');
    expect(reverted.ApprovalDescription).toBe(
      'Approval reverted: arn:aws:iam::123456789012:user/trainer registered this version and cannot also approve it (separation of duties); another approver must approve it.',
    );
    expect(lifecycleCalls(app, 'gated-prod').map((c) => c.version)).toEqual([3]);
    // Another person's approval goes through.
    await setApproval(approver, arn, 'Approved', 'second pair of eyes');
    await serving(app, approver, 'gated-prod', 5);
  });
});

describe('card gate', () => {
  it('holds an approved version until a reviewer approves its model card', async () => {
    const arn = await register('carded');
    await setApproval(approver, arn, 'Approved', 'ship it');
    await eventually(
      async () => (reconcileOutcomes(app, 'carded-prod').includes('held') ? true : undefined),
      'the reconciler to hold the version',
    );
    const card = await eventually(async () => {
      const c = await approver
        .send(new DescribeModelCardCommand({ ModelCardName: 'carded-v1' }))
        .catch(() => undefined);
      return c?.ModelCardStatus === 'PendingReview' ? c : undefined;
    }, 'the card to await review');
    expect(card.ModelCardStatus).toBe('PendingReview');
    expect(lifecycleCalls(app, 'carded-prod')).toEqual([]);

    await reviewer.send(
      new UpdateModelCardCommand({ ModelCardName: 'carded-v1', ModelCardStatus: 'Approved' }),
    );
    await serving(app, approver, 'carded-prod', 1);
    // The reviewer's approval stands: a redelivered version event does not reset the card.
    const after = await approver.send(new DescribeModelCardCommand({ ModelCardName: 'carded-v1' }));
    expect(after.ModelCardStatus).toBe('Approved');
  });
});

describe('card gate: who reviews, and what', () => {
  const cardOf = (name: string) =>
    eventually(async () => {
      const c = await approver
        .send(new DescribeModelCardCommand({ ModelCardName: name }))
        .catch(() => undefined);
      return c?.ModelCardStatus === 'PendingReview' ? c : undefined;
    }, `${name} to await review`);
  const heldFor = (version: number, ...codes: HoldCode[]) =>
    eventually(
      async () =>
        reconcileReports(app, 'carded-prod').some(
          (r) => r.outcome === 'held' && r.version === version && codes.includes(r.code),
        ) || undefined,
      `the reconciler to hold carded-prod v${version} (${codes.join(' or ')})`,
    );

  it('never takes a card whose content someone wrote themselves as reviewed, nor exports it', async () => {
    const arn = await register('carded'); // v2
    await setApproval(approver, arn, 'Approved', 'ship it');
    const card = await cardOf('carded-v2');
    // The version's later events (the policy handler's check) may still rebuild the card; forging
    // before they are done would have the rebuild restore the content before the approval below,
    // which would then be a true review of the generated content.
    await app.idle();
    // The reviewer rewrites the card (risk rating, intended uses) and approves what they wrote.
    const forged = JSON.parse(card.Content ?? '{}');
    forged.intended_uses = { ...forged.intended_uses, risk_rating: 'Low', intended_uses: 'anything at all' };
    await reviewer.send(
      new UpdateModelCardCommand({ ModelCardName: 'carded-v2', Content: JSON.stringify(forged) }),
    );
    await reviewer.send(
      new UpdateModelCardCommand({ ModelCardName: 'carded-v2', ModelCardStatus: 'Approved' }),
    );
    await app.idle();
    // Held for the forged content, or, when the model-cards handler has already taken the card back
    // to review by the time the reconciler reads it, for a card not approved: never deployed either way.
    await heldFor(2, 'card-content-not-generated', 'card-not-approved');
    expect(lifecycleCalls(app, 'carded-prod').map((c) => c.version)).not.toContain(2);
    // Not exported for the auditors, and taken back to review.
    const jobs = await reviewer.send(new ListModelCardExportJobsCommand({ ModelCardName: 'carded-v2' }));
    expect(jobs.ModelCardExportJobSummaries ?? []).toEqual([]);
    await eventually(async () => {
      const c = await reviewer.send(new DescribeModelCardCommand({ ModelCardName: 'carded-v2' }));
      return c.ModelCardStatus === 'PendingReview' ? true : undefined;
    }, 'the forged card to be taken back to review');
  });

  it("never takes the version's own approver as its card reviewer", async () => {
    const arn = await register('carded'); // v3
    await setApproval(approver, arn, 'Approved', 'ship it');
    await cardOf('carded-v3');
    await approver.send(
      new UpdateModelCardCommand({ ModelCardName: 'carded-v3', ModelCardStatus: 'Approved' }),
    );
    await app.idle();
    await heldFor(3, 'card-reviewer-is-approver');
    expect(lifecycleCalls(app, 'carded-prod').map((c) => c.version)).not.toContain(3);
    // Another principal's review releases it.
    await reviewer.send(
      new UpdateModelCardCommand({ ModelCardName: 'carded-v3', ModelCardStatus: 'Approved' }),
    );
    await serving(app, approver, 'carded-prod', 3);
  });
});
