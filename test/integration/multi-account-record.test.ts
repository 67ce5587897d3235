/**
 * The governance record across accounts, in local mode: the registry stack in 111111111111, a
 * deployment stack in 333333333333 whose reconciler reads the registry account's record (by the
 * audit bucket's name, through its bucket policy) and holds what the record holds: failed verdicts,
 * changed pins, and card reviews (the cards stay in the registry account; their reviews are recorded).
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DescribeModelCardCommand,
  SageMakerClient,
  UpdateModelCardCommand,
} from '@aws-sdk/client-sagemaker';
import type { LocalApp } from '../../local/runner/local-app';
import { startLocalApp } from '../harness/local-app';
import { eventually, uniqueName } from '../harness/local-aws';
import { setApproval } from '../harness/registry';

const REGISTRY = '111111111111';
const PRODUCTION = '333333333333';
const REGION = 'eu-west-1';
const group = uniqueName('gated');
const endpointName = `${group}-prod`;
const carded = uniqueName('carded');
const cardedEndpoint = `${carded}-prod`;
const metrics = uniqueName('metrics');
const models = uniqueName('models');

let app: LocalApp;
const sagemaker = (account: string, key = 'alice') =>
  new SageMakerClient({
    endpoint: app.sagemaker.url,
    region: REGION,
    credentials: { accessKeyId: `${account}:${key}`, secretAccessKey: 'local' },
  });

beforeAll(async () => {
  app = await startLocalApp({
    registry: { account: REGISTRY, region: REGION },
    modelArtifactBuckets: [metrics, models],
    groups: [
      {
        name: group,
        qualityGate: { thresholds: [{ metric: 'mse', atMost: 6 }] },
        deployments: [{ endpointName, account: PRODUCTION }],
      },
      {
        name: carded,
        deployments: [{ endpointName: cardedEndpoint, account: PRODUCTION, requireApprovedModelCard: true }],
      },
    ],
  });
  const s3 = new S3Client({
    endpoint: app.sagemaker.url,
    region: REGION,
    credentials: { accessKeyId: `${REGISTRY}:setup`, secretAccessKey: 'local' },
    forcePathStyle: true,
  });
  for (const Bucket of [metrics, models])
    await s3.send(
      new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }),
    );
  await s3.send(
    new PutObjectCommand({
      Bucket: metrics,
      Key: 'poor.json',
      Body: JSON.stringify({ regression_metrics: { mse: { value: 7.2 } } }),
    }),
  );
  await s3.send(new PutObjectCommand({ Bucket: models, Key: 'model.tar.gz', Body: 'weights' }));
}, 300_000);
afterAll(async () => app?.stop());

/** The production reconciler's results for the endpoint, in order. */
function results(endpoint = endpointName): Record<string, unknown>[] {
  return app.invocations
    .filter((i) => i.functionName === 'reconcile-endpoint' && i.account === PRODUCTION && i.outcome.ok)
    .flatMap(
      (i) =>
        (
          (i.outcome.ok ? i.outcome.result : undefined) as {
            targets?: { endpointName: string; result: Record<string, unknown> }[];
          }
        )?.targets ?? [],
    )
    .filter((t) => t.endpointName === endpoint)
    .map((t) => t.result);
}

it("holds, in the deployment account, a version whose gate verdict failed (read from the registry's record)", async () => {
  const registry = sagemaker(REGISTRY);
  // 50 metadata entries, the most a version may have: the gate's rejection never reaches the
  // registry, so the version stays Pending and only the record says its verdict failed.
  const metadata = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
  const out = await registry.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: group,
      ModelApprovalStatus: 'PendingManualApproval',
      CustomerMetadataProperties: metadata,
      ModelMetrics: {
        ModelQuality: {
          Statistics: { ContentType: 'application/json', S3Uri: `s3://${metrics}/poor.json` },
        },
      },
      InferenceSpecification: {
        Containers: [
          {
            Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
            ModelDataUrl: `s3://${models}/model.tar.gz`,
          },
        ],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
    }),
  );
  const arn = String(out.ModelPackageArn);
  await app.idle(300, 120_000);
  await setApproval(registry, arn, 'Approved', 'nothing in the registry says it failed');
  const held = await eventually(
    async () => results().find((r) => r.outcome === 'held' || r.outcome === 'deploy-started'),
    "the production reconciler's decision",
    60_000,
  );
  expect(held).toMatchObject({ outcome: 'held', code: 'verdict-failed', version: 1 });
  await app.idle(300, 120_000);
  expect(results().map((r) => r.outcome)).not.toContain('deploy-started');
}, 180_000);

it('holds, in the deployment account, a version whose pinned model data changed after its verdict (pins read from the registry)', async () => {
  const registry = sagemaker(REGISTRY);
  const s3 = new S3Client({
    endpoint: app.sagemaker.url,
    region: REGION,
    credentials: { accessKeyId: `${REGISTRY}:pipeline`, secretAccessKey: 'local' },
    forcePathStyle: true,
  });
  await s3.send(
    new PutObjectCommand({
      Bucket: metrics,
      Key: 'good.json',
      Body: JSON.stringify({ regression_metrics: { mse: { value: 3.1 } } }),
    }),
  );
  await s3.send(
    new PutObjectCommand({ Bucket: models, Key: 'run-2/model.tar.gz', Body: 'weights of run 2' }),
  );
  const out = await registry.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: group,
      ModelApprovalStatus: 'PendingManualApproval',
      ModelMetrics: {
        ModelQuality: {
          Statistics: { ContentType: 'application/json', S3Uri: `s3://${metrics}/good.json` },
        },
      },
      InferenceSpecification: {
        Containers: [
          {
            Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
            ModelDataUrl: `s3://${models}/run-2/model.tar.gz`,
          },
        ],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
    }),
  );
  const arn = String(out.ModelPackageArn);
  const version = Number(arn.split('/').pop());
  await app.idle(300, 120_000);
  // Other weights under the decided version's ModelDataUrl, after the gate passed it.
  await s3.send(
    new PutObjectCommand({ Bucket: models, Key: 'run-2/model.tar.gz', Body: 'weights nobody decided on' }),
  );
  const before = results().length;
  await setApproval(registry, arn, 'Approved', 'the gate passed it');
  const decided = await eventually(
    async () =>
      results()
        .slice(before)
        .find(
          (r) =>
            r.version === version &&
            (r.outcome === 'held' || r.outcome === 'deploy-started' || r.outcome === 'deploy-completed'),
        ),
    "the production reconciler's decision on the changed version",
    60_000,
  );
  expect(decided).toMatchObject({ outcome: 'held', code: 'artifact-changed', version });
  expect(String(decided.reason)).toContain(`s3://${models}/run-2/model.tar.gz was overwritten`);
  await app.idle(300, 120_000);
  expect(
    results()
      .slice(before)
      .filter((r) => r.outcome === 'deploy-started')
      .map((r) => r.version),
  ).not.toContain(version);
}, 240_000);

describe('the card gate for a target in a deployment account', () => {
  /** Registers a version of the card-gated group and has bob approve it; its card awaits review. */
  async function approvedAwaitingReview(): Promise<{ version: number; card: string; content: string }> {
    const registry = sagemaker(REGISTRY);
    const out = await registry.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: carded,
        ModelApprovalStatus: 'PendingManualApproval',
        InferenceSpecification: {
          Containers: [
            {
              Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
              ModelDataUrl: `s3://${models}/model.tar.gz`,
            },
          ],
          SupportedContentTypes: ['text/csv'],
          SupportedResponseMIMETypes: ['text/csv'],
        },
      }),
    );
    const arn = String(out.ModelPackageArn);
    const version = Number(arn.split('/').pop());
    await app.idle(300, 120_000);
    await setApproval(sagemaker(REGISTRY, 'bob'), arn, 'Approved', 'ship it');
    const card = `${carded}-v${version}`;
    const described = await eventually(async () => {
      const c = await registry
        .send(new DescribeModelCardCommand({ ModelCardName: card }))
        .catch(() => undefined);
      return c?.ModelCardStatus === 'PendingReview' ? c : undefined;
    }, `${card} to await review`);
    await app.idle(300, 120_000);
    return { version, card, content: described.Content ?? '{}' };
  }
  const deployed = () =>
    results(cardedEndpoint)
      .filter((r) => r.outcome === 'deploy-started')
      .map((r) => r.version);

  beforeAll(async () => {
    await sagemaker(REGISTRY).send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: carded }));
  });

  it('holds a card someone wrote and approved themselves, and a card its approver reviewed', async () => {
    const forged = await approvedAwaitingReview();
    expect(results(cardedEndpoint)).toContainEqual(
      expect.objectContaining({ outcome: 'held', version: forged.version, code: 'card-not-approved' }),
    );
    const content = JSON.parse(forged.content);
    content.intended_uses = { ...content.intended_uses, risk_rating: 'Low' };
    const carol = sagemaker(REGISTRY, 'carol');
    await carol.send(
      new UpdateModelCardCommand({ ModelCardName: forged.card, Content: JSON.stringify(content) }),
    );
    await carol.send(new UpdateModelCardCommand({ ModelCardName: forged.card, ModelCardStatus: 'Approved' }));
    await app.idle(300, 120_000);
    expect(deployed()).toEqual([]);

    // The version's own approver reviews its (generated) card: not another person's review.
    const own = await approvedAwaitingReview();
    const before = results(cardedEndpoint).length;
    await sagemaker(REGISTRY, 'bob').send(
      new UpdateModelCardCommand({ ModelCardName: own.card, ModelCardStatus: 'Approved' }),
    );
    const held = await eventually(
      async () =>
        results(cardedEndpoint)
          .slice(before)
          .find((r) => r.outcome === 'held' && r.version === own.version && r.code !== 'card-not-approved'),
      "the production reconciler's decision on the approver's own review",
      60_000,
    );
    expect(held).toMatchObject({ code: 'card-reviewer-is-approver' });
    await app.idle(300, 120_000);
    expect(deployed()).toEqual([]);
  }, 240_000);

  it('deploys, in the deployment account, once another person reviews the card the app generated', async () => {
    const next = await approvedAwaitingReview();
    await sagemaker(REGISTRY, 'carol').send(
      new UpdateModelCardCommand({ ModelCardName: next.card, ModelCardStatus: 'Approved' }),
    );
    await eventually(
      async () => (deployed().includes(next.version) ? true : undefined),
      `${cardedEndpoint} to deploy v${next.version}`,
      60_000,
    );
    expect(deployed()).toEqual([next.version]);
  }, 240_000);
});
