/**
 * Two deliveries of a version's events racing to create its model card (EventBridge delivers at
 * least once, and two events of one version can arrive together): both succeed, one card.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ListModelCardVersionsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { loadHandler, writeManifest } from '../harness/handlers';
import { clientConfig, uniqueName } from '../harness/local-aws';
import { modelPackageEvent, registerVersion } from '../harness/registry';

type Handler = typeof import('../../handlers/model-cards');

it('creates the card once when two runs race, and neither fails', async () => {
  const group = uniqueName('race');
  const audit = uniqueName('audit');
  await new S3Client({ ...clientConfig(), forcePathStyle: true }).send(
    new CreateBucketCommand({ Bucket: audit }),
  );
  const { handler } = loadHandler<Handler>('../../handlers/model-cards', {
    AUDIT_EXPORT_S3_URI: `s3://${audit}/model-cards`,
    CARD_CONTENT_S3_URI: `s3://${audit}/model-card-content`,
    GOVERNANCE_MANIFEST_PATH: writeManifest({ groups: [{ name: group }] }),
  });
  const sagemaker = new SageMakerClient(clientConfig());
  const arn = await registerVersion(sagemaker, group);
  const event = modelPackageEvent(arn, 'PendingManualApproval');
  const results = await Promise.all([handler(event), handler({ ...event, id: 'redelivered' })]);
  expect(results.map((r) => r.outcome).sort()).toEqual(['created', 'unchanged']);
  const versions = await sagemaker.send(new ListModelCardVersionsCommand({ ModelCardName: `${group}-v1` }));
  expect(versions.ModelCardVersionSummaryList).toHaveLength(1);
});
