/**
 * Model cards, played by the local runner: metrics files in (moto's) S3, versions registered and
 * approved on the local SageMaker endpoint, cards and their PDF exports read back over HTTP.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  DescribeModelCardCommand,
  ListModelCardVersionsCommand,
  SageMakerClient,
  UpdateModelCardCommand,
} from '@aws-sdk/client-sagemaker';
import type { LocalApp } from '../../local/runner/local-app';
import { startLocalApp } from '../harness/local-app';
import { eventually } from '../harness/local-aws';
import { readReference } from '../harness/reference';
import { setApproval } from '../harness/registry';

let app: LocalApp;
let sagemaker: SageMakerClient;
let s3: S3Client;
const GROUP = 'card-group';

beforeAll(async () => {
  app = await startLocalApp({
    modelArtifactBuckets: ['metrics'],
    groups: [
      {
        name: GROUP,
        modelCard: { owner: 'ml@example.com', riskRating: 'Low', pendingStatus: 'PendingReview' },
      },
    ],
  });
  const config = {
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'trainer', secretAccessKey: 'x' },
  };
  sagemaker = new SageMakerClient(config);
  s3 = new S3Client({ ...config, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'metrics' }));
  for (const file of ['evaluation.regression.sdk-integ-test.json', 'clarify-bias-report.sdk-test.json']) {
    await s3.send(
      new PutObjectCommand({
        Bucket: 'metrics',
        Key: file,
        Body: JSON.stringify(readReference(`metrics/${file}`)),
      }),
    );
  }
  await s3.send(
    new PutObjectCommand({ Bucket: 'metrics', Key: 'broken.json', Body: '{ "regression_metrics": ' }),
  );
  await s3.send(
    new PutObjectCommand({ Bucket: 'metrics', Key: 'unknown.json', Body: '{ "accuracy": 0.9 }' }),
  );
}, 360_000);
afterAll(async () => app?.stop());

async function register(
  modelMetrics: Record<string, unknown>,
  modelDataUrl = 's3://metrics/model.tar.gz',
): Promise<string> {
  const out = await sagemaker.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: GROUP,
      ModelPackageDescription: 'gradient boosted trees',
      ModelApprovalStatus: 'PendingManualApproval',
      InferenceSpecification: {
        Containers: [
          {
            Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
            ModelDataUrl: modelDataUrl,
          },
        ],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
      ModelMetrics: modelMetrics,
    }),
  );
  return out.ModelPackageArn as string;
}

const card = (name: string) => sagemaker.send(new DescribeModelCardCommand({ ModelCardName: name }));

/** Every version of a card, oldest first: its status and its content. */
async function cardHistory(name: string): Promise<{ status?: string; content: string }[]> {
  const summaries =
    (await sagemaker.send(new ListModelCardVersionsCommand({ ModelCardName: name })))
      .ModelCardVersionSummaryList ?? [];
  const versions = summaries.map((v) => v.ModelCardVersion as number).sort((a, b) => a - b);
  const out: { status?: string; content: string }[] = [];
  for (const version of versions) {
    const v = await sagemaker.send(
      new DescribeModelCardCommand({ ModelCardName: name, ModelCardVersion: version }),
    );
    out.push({ status: v.ModelCardStatus, content: v.Content ?? '' });
  }
  return out;
}

/** How long a handler's run may take on a loaded machine (cold starts included). */
const WAIT = 120_000;
jest.setTimeout(4 * WAIT);
const approvalIn = (content: string) => JSON.parse(content).model_package_details?.model_approval_status;
const cardWithStatus = (name: string, status: string) =>
  eventually(
    async () => {
      const c = await card(name).catch(() => undefined);
      return c?.ModelCardStatus === status ? c : undefined;
    },
    `${name} ${status}`,
    WAIT,
  );

it('creates a card on registration, built from the registry and the metrics files', async () => {
  const arn = await register({
    ModelQuality: {
      Statistics: {
        ContentType: 'application/json',
        S3Uri: 's3://metrics/evaluation.regression.sdk-integ-test.json',
      },
    },
    Bias: {
      Report: { ContentType: 'application/json', S3Uri: 's3://metrics/clarify-bias-report.sdk-test.json' },
    },
  });
  const created = await cardWithStatus(`${GROUP}-v1`, 'PendingReview');
  const content = JSON.parse(created.Content ?? '{}');
  expect(content.model_overview).toMatchObject({
    model_description: 'gradient boosted trees',
    model_creator: 'arn:aws:iam::123456789012:user/trainer',
    model_owner: 'ml@example.com',
    algorithm_type: 'sagemaker-xgboost:1.7-1',
  });
  expect(content.intended_uses).toEqual({ risk_rating: 'Low' });
  expect(content.model_package_details).toMatchObject({ model_package_arn: arn, model_package_version: 1 });
  expect(content.evaluation_details.map((e: { name: string }) => e.name)).toEqual([
    'ModelQuality.Statistics',
    'Bias.Report',
  ]);
  expect(content.evaluation_details[0].metric_groups[0].metric_data.slice(0, 2)).toEqual([
    { name: 'mse', type: 'number', value: 4.925353410353891 },
    { name: 'mse - standard_deviation', type: 'number', value: 2.219186917819692 },
  ]);
});

it('approves the card with the version and exports it as a PDF to the audit bucket', async () => {
  await setApproval(
    sagemaker,
    'arn:aws:sagemaker:us-east-1:123456789012:model-package/card-group/1',
    'Approved',
    'ok',
  );
  await cardWithStatus(`${GROUP}-v1`, 'Approved');
  await app.idle();
  // The approval rewrote the content (approval status in model_package_details) and the status, in
  // two UpdateModelCard calls, content first: the content made version 2 (a card version is
  // immutable but for its status: developer guide, Model card FAQs), whose status then became
  // Approved; version 1 stays as it was.
  const history = await cardHistory(`${GROUP}-v1`);
  expect(history.map((v) => [v.status, approvalIn(v.content)])).toEqual([
    ['PendingReview', 'PendingManualApproval'],
    ['Approved', 'Approved'],
  ]);
  const bucket = app.physicalId('ModelCardsAuditBucket');
  const key = await eventually(
    async () => {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'model-cards/' }));
      return out.Contents?.find((o) => o.Key?.endsWith('.pdf'))?.Key;
    },
    'the exported PDF',
    WAIT,
  );
  const pdf = await (
    await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  ).Body?.transformToString('latin1');
  expect(pdf?.startsWith('%PDF')).toBe(true);
  expect(pdf).toContain('Status: Approved');
});

it('writes nothing for a duplicate event, and archives the card on rejection', async () => {
  const name = `${GROUP}-v1`;
  await app.idle();
  const versionsBefore = (await sagemaker.send(new ListModelCardVersionsCommand({ ModelCardName: name })))
    .ModelCardVersionSummaryList?.length;
  const event = app.sagemaker.events.emitted
    .filter((e) => JSON.stringify(e.detail).includes('card-group/1'))
    .at(-1);
  const { replay } = await import('../harness/deployments');
  await replay(app, event ? [event, event] : []);
  await app.idle();
  const versionsAfter = (await sagemaker.send(new ListModelCardVersionsCommand({ ModelCardName: name })))
    .ModelCardVersionSummaryList?.length;
  expect(versionsAfter).toBe(versionsBefore);
  const outcomes = app.invocations
    .filter((i) => i.functionName === 'model-cards')
    .slice(-2)
    .map((i) => (i.outcome.ok ? (i.outcome.result as { outcome: string }).outcome : 'failed'));
  expect(outcomes).toEqual(['unchanged', 'unchanged']);

  await setApproval(
    sagemaker,
    'arn:aws:sagemaker:us-east-1:123456789012:model-package/card-group/1',
    'Rejected',
    'drift',
  );
  const archived = await cardWithStatus(name, 'Archived');
  // The rejection's content went in before the card was archived (an Archived card takes none).
  expect(approvalIn(archived.Content ?? '{}')).toBe('Rejected');
  await app.idle();
  expect((await cardHistory(name)).map((v) => [v.status, approvalIn(v.content)])).toEqual([
    ['PendingReview', 'PendingManualApproval'],
    ['Approved', 'Approved'],
    ['Archived', 'Rejected'],
  ]);
});

it('re-approving a rejected version brings its Archived card back: status first, then content', async () => {
  const name = `${GROUP}-v1`;
  const before = (await cardHistory(name)).length;
  await setApproval(
    sagemaker,
    'arn:aws:sagemaker:us-east-1:123456789012:model-package/card-group/1',
    'Approved',
    'drift was a false alarm',
  );
  const reapproved = await eventually(
    async () => {
      const c = await card(name);
      return c.ModelCardStatus === 'Approved' && approvalIn(c.Content ?? '{}') === 'Approved' ? c : undefined;
    },
    `${name} approved again`,
    WAIT,
  );
  expect(JSON.parse(reapproved.Content ?? '{}').model_package_details.approval_description).toBe(
    'drift was a false alarm',
  );
  await app.idle();
  const history = (await cardHistory(name)).slice(before - 1);
  // The Archived version took the status (no new version), then the content made the next one.
  expect(history.map((v) => [v.status, approvalIn(v.content)])).toEqual([
    ['Approved', 'Rejected'],
    ['Approved', 'Approved'],
  ]);
  const failed = app.invocations.filter((i) => i.functionName === 'model-cards' && !i.outcome.ok);
  expect(failed).toEqual([]);
});

it('the local SageMaker refuses what the service refuses: content and status together, content of an Archived card', async () => {
  const name = `${GROUP}-v1`;
  const content = (await card(name)).Content ?? '{}';
  await expect(
    sagemaker.send(
      new UpdateModelCardCommand({ ModelCardName: name, Content: content, ModelCardStatus: 'Draft' }),
    ),
  ).rejects.toThrow('You cannot update both model card content and model card status in a single call.');
  await sagemaker.send(new UpdateModelCardCommand({ ModelCardName: name, ModelCardStatus: 'Archived' }));
  await expect(
    sagemaker.send(new UpdateModelCardCommand({ ModelCardName: name, Content: content })),
  ).rejects.toMatchObject({ name: 'ValidationException', message: 'Model Card is in Archived state.' });
  // Its status may still change, and what a call does not send is kept.
  await sagemaker.send(new UpdateModelCardCommand({ ModelCardName: name, ModelCardStatus: 'Approved' }));
  expect(await card(name)).toMatchObject({ ModelCardStatus: 'Approved', Content: content });
  await app.idle();
});

it('still makes the card when inputs are missing or broken, and says what could not be read', async () => {
  await register(
    {
      ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: 's3://metrics/missing.json' } },
      ModelDataQuality: {
        Statistics: { ContentType: 'application/json', S3Uri: 's3://metrics/broken.json' },
        Constraints: { ContentType: 'application/json', S3Uri: 's3://metrics/unknown.json' },
      },
    },
    's3://metrics/training/churn-train-2026-11-01/output/model.tar.gz',
  );
  const created = await cardWithStatus(`${GROUP}-v2`, 'PendingReview');
  const caveats: string = JSON.parse(created.Content ?? '{}').additional_information
    .caveats_and_recommendations;
  expect(caveats).toContain('ModelQuality.Statistics s3://metrics/missing.json (NoSuchKey');
  expect(caveats).toContain('ModelDataQuality.Statistics s3://metrics/broken.json (not valid JSON)');
  expect(caveats).toContain(
    'ModelDataQuality.Constraints s3://metrics/unknown.json (not a metrics format model-governance knows',
  );
  expect(caveats).toContain('training job churn-train-2026-11-01 (it no longer exists)');
});
