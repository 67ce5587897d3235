/** Model card export on the local endpoint: a real PDF written to (moto's) S3. */
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelCardCommand,
  CreateModelCardExportJobCommand,
  DescribeModelCardCommand,
  DescribeModelCardExportJobCommand,
  ListModelCardExportJobsCommand,
  type SageMakerClient,
  UpdateModelCardCommand,
} from '@aws-sdk/client-sagemaker';
import { eventually, uniqueName } from '../harness/local-aws';
import { startLocalSageMaker } from '../harness/local-sagemaker';

let local: Awaited<ReturnType<typeof startLocalSageMaker>>;
let sagemaker: SageMakerClient;
let s3: S3Client;
beforeAll(async () => {
  local = await startLocalSageMaker();
  sagemaker = local.sagemaker();
  s3 = new S3Client({ ...local.clientConfig(), forcePathStyle: true });
});
afterAll(() => local.stop());

it('exports a card as a PDF into the S3 location given', async () => {
  const card = uniqueName('card');
  const bucket = uniqueName('audit');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await sagemaker.send(
    new CreateModelCardCommand({
      ModelCardName: card,
      ModelCardStatus: 'Approved',
      Content: JSON.stringify({ model_overview: { model_description: 'Predicts churn (30 days)' } }),
    }),
  );
  // Long enough that the first Describe sees the job still running on a loaded machine.
  local.server.configure({ exportMs: 3000 });
  const { ModelCardExportJobArn } = await sagemaker.send(
    new CreateModelCardExportJobCommand({
      ModelCardName: card,
      ModelCardExportJobName: 'v1-export',
      OutputConfig: { S3OutputPath: `s3://${bucket}/cards` },
    }),
  );
  const first = await sagemaker.send(new DescribeModelCardExportJobCommand({ ModelCardExportJobArn }));
  expect(first.Status).toBe('InProgress');
  const done = await eventually(async () => {
    const d = await sagemaker.send(new DescribeModelCardExportJobCommand({ ModelCardExportJobArn }));
    return d.Status === 'Completed' ? d : undefined;
  }, 'the export to complete');
  expect(done.ExportArtifacts?.S3ExportArtifacts).toBe(`s3://${bucket}/cards/${card}/export/v1-export.pdf`);
  const pdf = Buffer.from(
    (await (
      await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `cards/${card}/export/v1-export.pdf` }))
    ).Body?.transformToByteArray()) ?? [],
  ).toString('latin1');
  expect(pdf.startsWith('%PDF-1.4')).toBe(true);
  expect(pdf.trimEnd().endsWith('%%EOF')).toBe(true);
  expect(pdf).toContain('Predicts churn \\(30 days\\)');
  const { ModelCardExportJobSummaries } = await sagemaker.send(
    new ListModelCardExportJobsCommand({ ModelCardName: card }),
  );
  expect(ModelCardExportJobSummaries?.map((j) => j.Status)).toEqual(['Completed']);
});

it('keeps a card’s content and version when an update sends only the status, as the service does', async () => {
  const card = uniqueName('keep');
  await sagemaker.send(
    new CreateModelCardCommand({
      ModelCardName: card,
      ModelCardStatus: 'Draft',
      Content: '{"model_overview":{}}',
    }),
  );
  await sagemaker.send(new UpdateModelCardCommand({ ModelCardName: card, ModelCardStatus: 'PendingReview' }));
  const described = await sagemaker.send(new DescribeModelCardCommand({ ModelCardName: card }));
  expect(described).toMatchObject({
    Content: '{"model_overview":{}}',
    ModelCardStatus: 'PendingReview',
    // Developer guide, Model card FAQs: a version is immutable except for its status.
    ModelCardVersion: 1,
  });
});

it('refuses an export of an unknown card or to a location that is not S3', async () => {
  await expect(
    sagemaker.send(
      new CreateModelCardExportJobCommand({
        ModelCardName: 'no-such-card',
        ModelCardExportJobName: 'x',
        OutputConfig: { S3OutputPath: 's3://b' },
      }),
    ),
  ).rejects.toBeDefined();
  await expect(
    sagemaker.send(
      new CreateModelCardExportJobCommand({
        ModelCardName: 'x',
        ModelCardExportJobName: 'x',
        OutputConfig: { S3OutputPath: '/tmp' },
      }),
    ),
  ).rejects.toMatchObject({ name: 'ValidationException' });
});

it('fails the job, with the reason, when the bucket does not exist', async () => {
  const card = uniqueName('card');
  await sagemaker.send(
    new CreateModelCardCommand({ ModelCardName: card, ModelCardStatus: 'Draft', Content: '{}' }),
  );
  const { ModelCardExportJobArn } = await sagemaker.send(
    new CreateModelCardExportJobCommand({
      ModelCardName: card,
      ModelCardExportJobName: 'e',
      OutputConfig: { S3OutputPath: `s3://${uniqueName('missing')}` },
    }),
  );
  const failed = await eventually(async () => {
    const d = await sagemaker.send(new DescribeModelCardExportJobCommand({ ModelCardExportJobArn }));
    return d.Status === 'Failed' ? d : undefined;
  }, 'the export to fail');
  expect(failed.FailureReason).toMatch(/Could not write s3:\/\//);
});
