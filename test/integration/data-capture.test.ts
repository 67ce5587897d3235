/**
 * Data capture as deployed: the synthesized app, played by the local runner with the bundled
 * handlers and the environment its template gives them, captures to the bucket it provisions. The
 * reconciler learns the place from the template alone (no variable set by hand), so a
 * configuration's dataCapturePercent and dataCaptureKmsKeyArn reach CreateEndpointConfig.
 */
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { LocalApp } from '../../local/runner/local-app';
import { serving } from '../harness/deployments';
import { startLocalApp } from '../harness/local-app';
import { registerVersion, setApproval } from '../harness/registry';

const CAPTURE_KEY = 'arn:aws:kms:us-east-1:111111111111:key/abcd1234-12ab-34cd-56ef-1234567890ab';

let app: LocalApp;
let sagemaker: SageMakerClient;
beforeAll(async () => {
  app = await startLocalApp({
    groups: [
      {
        name: 'captured',
        deployments: [
          { endpointName: 'captured-prod', dataCapturePercent: 20, dataCaptureKmsKeyArn: CAPTURE_KEY },
          { endpointName: 'captured-plain', dataCapturePercent: 100 },
          { endpointName: 'captured-off' },
        ],
      },
    ],
  });
  sagemaker = new SageMakerClient({
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'approver', secretAccessKey: 'local' },
  });
}, 360_000);
afterAll(async () => app?.stop());

async function liveConfig(endpointName: string) {
  const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
  return sagemaker.send(
    new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }),
  );
}

it('approving a version creates endpoint configs that capture to the provisioned bucket, under each target, with its key', async () => {
  const arn = await registerVersion(sagemaker, 'captured', { createGroup: false });
  await setApproval(sagemaker, arn, 'Approved', 'good');
  for (const endpoint of ['captured-prod', 'captured-plain', 'captured-off'])
    await serving(app, sagemaker, endpoint, 1);

  const bucket = app.physicalId('EndpointReconcilerDataCaptureBucket');
  // The bucket exists: the runner made it from the template, as CloudFormation would.
  const s3 = new S3Client({
    endpoint: app.moto.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).resolves.toBeDefined();
  s3.destroy();

  expect((await liveConfig('captured-prod')).DataCaptureConfig).toMatchObject({
    InitialSamplingPercentage: 20,
    DestinationS3Uri: `s3://${bucket}/data-capture/captured-prod`,
    KmsKeyId: CAPTURE_KEY,
  });
  const plain = (await liveConfig('captured-plain')).DataCaptureConfig;
  expect(plain).toMatchObject({
    InitialSamplingPercentage: 100,
    DestinationS3Uri: `s3://${bucket}/data-capture/captured-plain`,
  });
  expect(plain).not.toHaveProperty('KmsKeyId');
  // No capture: no destination (moto answers an empty DataCaptureConfig where SageMaker leaves it out).
  expect((await liveConfig('captured-off')).DataCaptureConfig?.DestinationS3Uri).toBeUndefined();
});
