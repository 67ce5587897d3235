/**
 * Ways around the gates through S3: the weights under an approved version's
 * ModelDataUrl, and the live version's metrics file, are mutable objects. The policy handler pins
 * them with its verdict; the reconciler deploys only what still matches, and the gate compares with
 * live's metrics as pinned. And a gated version is not deployed before its verdict exists. In local
 * mode, over HTTP: moto's S3 (ETags, versioning), the local SageMaker, the synthesized handlers.
 */
import { createHash } from 'node:crypto';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DescribeModelCardCommand,
  DescribeModelPackageCommand,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { artifactStates, readMetrics } from '../../adapters/artifacts';
import { metricsLocations } from '../../adapters/model-card-inputs';
import { writeVerdict } from '../../adapters/verdicts';
import { parseGovernanceConfig } from '../../core/config/parse';
import { modelCardName } from '../../core/model-card-naming';
import { artifactChange, modelDataLocations } from '../../domain/artifact-pins';
import { reconcileTarget } from '../../handlers/reconcile-endpoint/reconcile';
import type { LocalApp } from '../../local/runner/local-app';
import { isHeld, lifecycleCalls, reconcileReports, replay, serving } from '../harness/deployments';
import { imageManifest } from '../harness/images';
import { startLocalApp } from '../harness/local-app';
import { eventually } from '../harness/local-aws';
import { setApproval } from '../harness/registry';

const CONFIG = {
  modelArtifactBuckets: ['models', 'plain-models'],
  groups: [
    {
      name: 'pinned',
      qualityGate: {
        thresholds: [
          { metric: 'mse', atMost: 6 },
          { metric: 'mse', notWorseThanLive: { better: 'lower', margin: 0 } },
        ],
      },
      deployments: [{ endpointName: 'pinned-prod' }],
    },
    {
      name: 'unversioned',
      qualityGate: { thresholds: [{ metric: 'mse', atMost: 6 }] },
      deployments: [{ endpointName: 'unversioned-prod' }],
    },
  ],
};

let app: LocalApp;
let s3: S3Client;
let ecr: ECRClient;
let trainer: SageMakerClient;
let approver: SageMakerClient;
let sqs: SQSClient;
let queueUrl: string;

beforeAll(async () => {
  app = await startLocalApp(CONFIG);
  const client = (accessKeyId: string) => ({
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'local' },
  });
  trainer = new SageMakerClient(client('role=Trainer@pipeline'));
  approver = new SageMakerClient(client('role=Approver@ana'));
  s3 = new S3Client({ ...client('role=Trainer@pipeline'), forcePathStyle: true });
  ecr = new ECRClient(client('role=Trainer@pipeline'));
  // `models` is versioned (pins by VersionId); `plain-models` is not (pins by ETag and size).
  await s3.send(new CreateBucketCommand({ Bucket: 'models' }));
  await s3.send(
    new PutBucketVersioningCommand({ Bucket: 'models', VersioningConfiguration: { Status: 'Enabled' } }),
  );
  await s3.send(new CreateBucketCommand({ Bucket: 'plain-models' }));
  for (const group of ['pinned', 'unversioned'])
    await trainer.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group }));
  // Someone subscribed to the app's notifications.
  sqs = new SQSClient(client('subscriber'));
  queueUrl = String((await sqs.send(new CreateQueueCommand({ QueueName: 'pins-subscriber' }))).QueueUrl);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  await new SNSClient(client('subscriber')).send(
    new SubscribeCommand({
      TopicArn: app.physicalId('NotificationsTopic'),
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
    }),
  );
}, 360_000);

const received: { Subject: string; Message: string }[] = [];
/** Every notification so far (SNS to SQS), accumulated. */
async function notifications() {
  for (;;) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    if (!out.Messages?.length) return received;
    for (const m of out.Messages) received.push(JSON.parse(m.Body ?? '{}'));
  }
}
afterAll(async () => app?.stop());

const put = (uri: string, body: string) => {
  const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri) ?? [];
  return s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
};
const metrics = (mse: number) => JSON.stringify({ regression_metrics: { mse: { value: mse } } });

/** A training pipeline's run: uploads weights and metrics, then registers them. */
async function train(
  group: string,
  run: string,
  mse: number,
  options: { bucket?: string; approved?: boolean } = {},
) {
  const bucket = options.bucket ?? 'models';
  const modelDataUrl = `s3://${bucket}/${group}/${run}/model.tar.gz`;
  const metricsUri = `s3://${bucket}/${group}/${run}/evaluation.json`;
  await put(modelDataUrl, `weights of ${run}`);
  await put(metricsUri, metrics(mse));
  const out = await trainer.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: group,
      ModelApprovalStatus: options.approved ? 'Approved' : 'PendingManualApproval',
      ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: metricsUri } } },
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
    }),
  );
  const arn = String(out.ModelPackageArn);
  return { arn, version: Number(arn.split('/').pop()), modelDataUrl, metricsUri };
}

/** Registers a run of the `unversioned` group with its evaluation.json and one container. */
async function registerRun(run: string, container: { Image: string; ModelDataUrl: string }) {
  const out = await trainer.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: 'unversioned',
      ModelApprovalStatus: 'PendingManualApproval',
      ModelMetrics: {
        ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: `${run}/evaluation.json` } },
      },
      InferenceSpecification: {
        Containers: [container],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
    }),
  );
  const arn = String(out.ModelPackageArn);
  return { arn, version: Number(arn.split('/').pop()) };
}

async function decided(arn: string, status: string) {
  await app.idle();
  return eventually(async () => {
    const d = await approver.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    return d.ModelApprovalStatus === status && d.CustomerMetadataProperties?.['model-governance:quality-gate']
      ? d
      : undefined;
  }, `${arn} decided and ${status}`);
}

/** What the reconciler reported for an endpoint, in order (outcome and reason). */
const reports = (endpointName: string) => reconcileReports(app, endpointName);

/** The reconciler's first held report for a version on an endpoint, once there is one. */
const heldReport = (endpointName: string, version: number, what: string) =>
  eventually(
    async () =>
      reports(endpointName)
        .filter(isHeld)
        .find((r) => r.version === version),
    what,
  );

const deployedVersions = (endpointName: string) => lifecycleCalls(app, endpointName).map((c) => c.version);

describe('a quality-gated version deploys only after its verdict (the gate no longer runs after the deployment)', () => {
  it('deploys a version registered as Approved only once the gate has passed it, with no second action', async () => {
    const v1 = await train('pinned', 'run-1', 4.5, { approved: true });
    await serving(app, approver, 'pinned-prod', v1.version);
    // Whatever ran before the verdict was a quiet wait for the policy handler (its record of the
    // registration, then its verdict), never a deployment.
    const beforeDeploy = reports('pinned-prod').slice(
      0,
      reports('pinned-prod').findIndex((r) => r.outcome === 'deploy-started'),
    );
    for (const r of beforeDeploy)
      expect(
        r.outcome === 'skipped' ||
          (r.outcome === 'waiting' && ['verdict-pending', 'registration-unrecorded'].includes(r.code ?? '')),
      ).toBe(true);
    expect(lifecycleCalls(app, 'pinned-prod')).toEqual([
      expect.objectContaining({ operation: 'CreateEndpoint', version: v1.version }),
    ]);
  });

  it('holds an approved version with no verdict, and deploys it once the verdict is there', async () => {
    // A gated group whose policy handler does not run (not in the app's config): the reconciler
    // alone must hold, as it does in the moment before the policy handler writes its verdict.
    const raw = {
      name: 'waiting',
      qualityGate: { thresholds: [{ metric: 'mse', atMost: 6 }] },
      deployments: [{ endpointName: 'waiting-prod' }],
    };
    const group = parseGovernanceConfig({ groups: [raw] }).groups[0];
    const target = group?.deployments[0];
    if (!group || !target) throw new Error('no target');
    await trainer.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'waiting' }));
    const v = await train('waiting', 'run-1', 9.9);
    await setApproval(approver, v.arn, 'Approved', 'approved before any gate decided');
    const uri = `s3://${app.physicalId('ModelCardsAuditBucket')}/quality-gate-verdicts`;
    const reconcile = () =>
      reconcileTarget(
        {
          sagemaker: approver,
          executionRoleArn: `arn:aws:iam::123456789012:role/${app.physicalId('EndpointReconcilerModelExecutionRole')}`,
          verdicts: { s3, ecr, uri },
        },
        group,
        target,
        {
          kind: 'model-package',
          change: {
            eventId: 't',
            time: new Date().toISOString(),
            groupName: 'waiting',
            modelPackageArn: v.arn,
          },
        },
      );
    const before = await reconcile();
    expect(before).toMatchObject({ outcome: 'waiting', code: 'verdict-pending', version: v.version });
    expect(lifecycleCalls(app, 'waiting-prod')).toEqual([]);

    // The verdict, as the policy handler keeps it (a person overruled a failed gate: documented).
    const described = await approver.send(new DescribeModelPackageCommand({ ModelPackageName: v.arn }));
    const modelData = await artifactStates(
      { s3, ecr },
      modelDataLocations(described.InferenceSpecification?.Containers),
    );
    const read = await readMetrics(s3, metricsLocations(described.ModelMetrics as Record<string, unknown>));
    await writeVerdict(s3, uri, {
      arn: v.arn,
      outcome: 'failed',
      decidedAt: new Date().toISOString(),
      artifacts: { modelData: [...modelData.values()], metrics: read.states },
    });
    expect(await reconcile()).toMatchObject({ outcome: 'deploy-started', version: v.version });
    expect(deployedVersions('waiting-prod')).toEqual([v.version]);
  });
});

describe('swapped weights (ModelDataUrl overwritten after the verdict)', () => {
  it('does not deploy an approved version whose weights were swapped before the reconciler ran: held, named, live untouched', async () => {
    const v2 = await train('pinned', 'run-2', 4.0);
    await decided(v2.arn, 'PendingManualApproval');
    // The registrar (or anyone with write on the bucket) swaps the weights; the approver approves
    // what the gate decided on.
    await put(v2.modelDataUrl, 'other weights');
    await setApproval(approver, v2.arn, 'Approved', 'metrics reviewed');
    await app.idle();
    const held = await eventually(
      async () =>
        reports('pinned-prod')
          .filter(isHeld)
          .find((r) => r.version === v2.version),
      'v2 held',
    );
    expect(held.code).toBe('artifact-changed');
    expect(held.reason).toMatch(
      new RegExp(
        `^${v2.modelDataUrl.replace(/[./]/g, '\\$&')} was overwritten after the quality gate decided \\(VersionId \\S+ → \\S+, ETag "\\w+" → "\\w+", size 16 → 13 bytes\\); the approved version would serve other weights`,
      ),
    );
    // Never deployed; v1 still serves.
    expect(deployedVersions('pinned-prod')).not.toContain(v2.version);
    const d = await approver.send(new DescribeModelPackageCommand({ ModelPackageName: v2.arn }));
    expect(d.ModelApprovalStatus).toBe('Approved');
    // Held like any other hold: notified (not a quiet wait), naming the object.
    const note = (await notifications()).find((n) =>
      n.Subject.endsWith(`pinned v${v2.version} held back from pinned-prod`),
    );
    expect(note).toBeDefined();
  });

  it('on an unversioned bucket, compares the ETag and size instead', async () => {
    const v = await train('unversioned', 'run-1', 4.0, { bucket: 'plain-models' });
    await decided(v.arn, 'PendingManualApproval');
    await put(v.modelDataUrl, 'swapped');
    await setApproval(approver, v.arn, 'Approved', 'ok');
    await app.idle();
    const held = await eventually(
      async () => reports('unversioned-prod').find(isHeld),
      'held on the unversioned bucket',
    );
    expect(held.code).toBe('artifact-changed');
    expect(held.reason).toMatch(
      /^s3:\/\/plain-models\/unversioned\/run-1\/model\.tar\.gz was overwritten after the quality gate decided \(ETag "\w+" → "\w+", size 16 → 7 bytes\); the approved version would serve other weights/,
    );
    expect(deployedVersions('unversioned-prod')).toEqual([]);
  });
});

describe('an unversioned object rewritten with the same ETag and size', () => {
  it('is hashed when rewritten: the same bytes pass, other bytes under the pinned ETag (an MD5 collision) do not', async () => {
    const uri = 's3://plain-models/unversioned/run-5/model.tar.gz';
    await put(uri, 'weights of run-5');
    // The gate's pin of an object in an unversioned bucket: its ETag, size, LastModified and SHA-256.
    const pin = (await artifactStates({ s3, ecr }, [{ uri, kind: 'object' }], { pin: true })).get(uri);
    if (pin?.kind !== 'object') throw new Error('no object pin');
    expect(pin.sha256).toBe(createHash('sha256').update('weights of run-5').digest('hex'));
    expect(pin.versionId).toBeUndefined();
    // S3's LastModified has one-second resolution: the rewrite lands in a later second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await put(uri, 'weights of run-5');
    const again = (await artifactStates({ s3, ecr }, [pin], { pinned: [pin] })).get(uri);
    if (again?.kind !== 'object') throw new Error('no object state');
    expect(again.etag).toBe(pin.etag);
    expect(again.lastModified).not.toBe(pin.lastModified);
    // Rewritten with the same ETag and size: the reconciler hashed it, and the same bytes pass.
    expect(again.sha256).toBe(pin.sha256);
    expect(artifactChange(pin, again)).toBeUndefined();
    // A colliding pair cannot be made in a test: a pin of other bytes with this ETag stands for it.
    const twin = { ...pin, sha256: createHash('sha256').update('the benign twin').digest('hex') };
    const checked = (await artifactStates({ s3, ecr }, [twin], { pinned: [twin] })).get(uri);
    if (!checked) throw new Error('no state');
    expect(artifactChange(twin, checked)).toMatch(
      /was overwritten after the quality gate decided with other bytes of the same ETag \(MD5\) and size/,
    );
  });
});

describe('an S3Prefix model data source (every object under the prefix is loaded)', () => {
  it('holds the version while the listing differs from the pinned one, and deploys it once it matches again', async () => {
    const prefix = 's3://plain-models/unversioned/run-2/model/';
    await put(`${prefix}config.json`, '{}');
    await put(`${prefix}weights.safetensors`, 'weights of run-2');
    await put('s3://plain-models/unversioned/run-2/evaluation.json', metrics(4.0));
    const out = await trainer.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: 'unversioned',
        ModelApprovalStatus: 'PendingManualApproval',
        ModelMetrics: {
          ModelQuality: {
            Statistics: {
              ContentType: 'application/json',
              S3Uri: 's3://plain-models/unversioned/run-2/evaluation.json',
            },
          },
        },
        InferenceSpecification: {
          Containers: [
            {
              Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
              ModelDataSource: {
                S3DataSource: { S3Uri: prefix, S3DataType: 'S3Prefix', CompressionType: 'None' },
              },
            },
          ],
          SupportedContentTypes: ['text/csv'],
          SupportedResponseMIMETypes: ['text/csv'],
        },
      }),
    );
    const arn = String(out.ModelPackageArn);
    const version = Number(arn.split('/').pop());
    await decided(arn, 'PendingManualApproval');
    // One more file under the prefix: SageMaker would load it too.
    await put(`${prefix}adapter.safetensors`, 'not decided on');
    await setApproval(approver, arn, 'Approved', 'ok');
    await app.idle();
    const held = await heldReport('unversioned-prod', version, 'the prefix version held');
    expect(held.code).toBe('artifact-changed');
    expect(held.reason).toMatch(
      /^model data under s3:\/\/plain-models\/unversioned\/run-2\/model\/ changed after the quality gate decided: 2 object\(s\), listing digest \w+ when pinned; 3 object\(s\), digest \w+ now/,
    );
    expect(deployedVersions('unversioned-prod')).toEqual([]);
    // The extra file removed: the listing is the pinned one again, and the next reconcile deploys it.
    await s3.send(
      new DeleteObjectCommand({ Bucket: 'plain-models', Key: 'unversioned/run-2/model/adapter.safetensors' }),
    );
    await approver.send(
      new UpdateModelPackageCommand({ ModelPackageArn: arn, ApprovalDescription: 'extra file removed' }),
    );
    await serving(app, approver, 'unversioned-prod', version);
  });
});

describe('the rest of what the container loads (additional data, and the code SAGEMAKER_SUBMIT_DIRECTORY names)', () => {
  it('holds the version while its inference code differs from the pinned code, and deploys it once it matches again', async () => {
    const run = 's3://plain-models/unversioned/run-3';
    const code = `${run}/code/sourcedir.tar.gz`;
    await put(`${run}/model.tar.gz`, 'weights of run-3');
    await put(`${run}/lookup.csv`, 'id,segment');
    await put(code, 'inference.py of run-3');
    await put(`${run}/evaluation.json`, metrics(4.0));
    const out = await trainer.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: 'unversioned',
        ModelApprovalStatus: 'PendingManualApproval',
        ModelMetrics: {
          ModelQuality: {
            Statistics: { ContentType: 'application/json', S3Uri: `${run}/evaluation.json` },
          },
        },
        InferenceSpecification: {
          Containers: [
            {
              Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
              ModelDataUrl: `${run}/model.tar.gz`,
              AdditionalS3DataSource: { S3DataType: 'S3Object', S3Uri: `${run}/lookup.csv` },
              Environment: { SAGEMAKER_SUBMIT_DIRECTORY: code, SAGEMAKER_PROGRAM: 'inference.py' },
            },
          ],
          SupportedContentTypes: ['text/csv'],
          SupportedResponseMIMETypes: ['text/csv'],
        },
      }),
    );
    const arn = String(out.ModelPackageArn);
    const version = Number(arn.split('/').pop());
    await decided(arn, 'PendingManualApproval');
    // The inference code replaced after the verdict: the same weights would run other code.
    await put(code, 'inference.py that sends every prediction elsewhere');
    await setApproval(approver, arn, 'Approved', 'ok');
    await app.idle();
    const held = await heldReport('unversioned-prod', version, 'the version with replaced code held');
    expect(held.code).toBe('artifact-changed');
    expect(held.reason).toContain(`${code} was overwritten after the quality gate decided (ETag`);
    expect(deployedVersions('unversioned-prod')).not.toContain(version);
    // The decided code put back (same bytes, so the same ETag and size): the next reconcile deploys it.
    await put(code, 'inference.py of run-3');
    await approver.send(
      new UpdateModelPackageCommand({ ModelPackageArn: arn, ApprovalDescription: 'code restored' }),
    );
    await serving(app, approver, 'unversioned-prod', version);
  });
});

describe('an image tag pushed to again after the verdict (the image is pinned by digest)', () => {
  const manifest = (build: string) => imageManifest(build);
  const push = (build: string, imageTag = 'v3') =>
    ecr.send(
      new PutImageCommand({ repositoryName: 'churn-serving', imageTag, imageManifest: manifest(build) }),
    );

  it('holds the version while its tag names other code than the gate pinned, and deploys it once the tag is back', async () => {
    const image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-serving:v3';
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'churn-serving' }));
    const decidedBuild = await push('build 17');
    const pinned = String(decidedBuild.image?.imageId?.imageDigest);
    const run = 's3://plain-models/unversioned/run-4';
    await put(`${run}/model.tar.gz`, 'weights of run-4');
    await put(`${run}/evaluation.json`, metrics(4.0));
    const { arn, version } = await registerRun(run, { Image: image, ModelDataUrl: `${run}/model.tar.gz` });
    await decided(arn, 'PendingManualApproval');
    // Someone with push rights on the repository moves the tag to another build: the package still
    // names `churn-serving:v3`, and its registered content is unchanged.
    const moved = await push('build 18 (sends every prediction elsewhere)');
    const other = String(moved.image?.imageId?.imageDigest);
    expect(other).not.toBe(pinned);
    await setApproval(approver, arn, 'Approved', 'ok');
    await app.idle();
    const held = await heldReport('unversioned-prod', version, 'the version whose image tag moved held');
    expect(held.code).toBe('artifact-changed');
    expect(held.reason).toContain(`image ${image} was moved to other code after the quality gate decided`);
    expect(held.reason).toContain(pinned.slice(0, 19));
    expect(held.reason).toContain(other.slice(0, 19));
    expect(deployedVersions('unversioned-prod')).not.toContain(version);
    // The decided build pushed back under the tag (the same manifest, so the same digest): it deploys.
    await push('build 17');
    await approver.send(
      new UpdateModelPackageCommand({ ModelPackageArn: arn, ApprovalDescription: 'image restored' }),
    );
    await serving(app, approver, 'unversioned-prod', version);
  });
  it('checks the digest SageMaker deployed: a push while the endpoint was updating is held, and the endpoint goes back to the intact version', async () => {
    const image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-serving:v5';
    const pushV5 = (build: string) => push(build, 'v5');
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'churn-serving' })).catch((e: Error) => {
      if (e.name !== 'RepositoryAlreadyExistsException') throw e;
    });
    const decidedDigest = String((await pushV5('build 30')).image?.imageId?.imageDigest);
    const run = 's3://plain-models/unversioned/run-6';
    await put(`${run}/model.tar.gz`, 'weights of run-6');
    await put(`${run}/evaluation.json`, metrics(4.0));
    const { arn, version } = await registerRun(run, { Image: image, ModelDataUrl: `${run}/model.tar.gz` });
    await decided(arn, 'PendingManualApproval');
    const previous = lifecycleCalls(app, 'unversioned-prod').at(-1)?.version;
    expect(previous).toBeDefined();
    // The endpoint's update waits while the test moves the tag: after the reconciler's check, before
    // SageMaker resolves the tag as it starts the new instances.
    app.sagemaker.endpoints.hold('unversioned-prod');
    await setApproval(approver, arn, 'Approved', 'ok');
    await eventually(
      async () => (deployedVersions('unversioned-prod').includes(version) ? true : undefined),
      'the update to the new version asked for',
    );
    const pushed = String((await pushV5('build 31 (pushed during the update)')).image?.imageId?.imageDigest);
    await app.sagemaker.endpoints.release('unversioned-prod');
    await app.idle();
    // Once the endpoint serves the version, the digest SageMaker deployed (DescribeEndpoint
    // DeployedImages) is what is checked: the version is passed over, and the endpoint goes back.
    const back = await eventually(
      async () =>
        reports('unversioned-prod').find(
          (r) =>
            r.outcome === 'deploy-started' &&
            r.passedOver?.version === version &&
            r.passedOver.reason?.includes('runs other code'),
        ),
      'the version running the pushed image passed over',
    );
    expect(back).toMatchObject({
      version: Number(previous),
      passedOver: {
        code: 'artifact-changed',
        reason: expect.stringContaining(`image ${image} runs other code than the quality gate decided`),
      },
    });
    const reason = JSON.stringify(back);
    expect(reason).toContain(`the gate pinned ${decidedDigest.slice(0, 19)}`);
    expect(reason).toContain(`SageMaker resolved its tag to ${pushed.slice(0, 19)}`);
    // The newest approved version with intact pins serves again.
    await serving(app, approver, 'unversioned-prod', Number(previous), 60_000);
  });
});

describe("the live version's metrics overwritten to make a worse candidate beat it", () => {
  it('compares with the metrics pinned in the live version’s verdict, and rejects the worse candidate', async () => {
    // v1 (mse 4.5) is live. Its metrics file is overwritten with a bad number…
    await put('s3://models/pinned/run-1/evaluation.json', metrics(9.9));
    // …so that a worse candidate (5.5, within the absolute bound) would look better than live.
    const v3 = await train('pinned', 'run-3', 5.5);
    const d = await decided(v3.arn, 'Rejected');
    expect(d.ApprovalDescription).toBe('Quality gate failed: mse <= live + 0: 5.5 > 4.5 (live v1: 4.5)');
  });

  it('keeps the live version’s model card on the numbers the gate evaluated, not the overwritten ones', async () => {
    // Any later event of v1 writes its card again: from the metrics its verdict pinned (VersionId).
    const v1 = `arn:aws:sagemaker:us-east-1:${app.account}:model-package/pinned/1`;
    const name = modelCardName('pinned', 1);
    const before = app.invocations.length;
    await approver.send(
      new UpdateModelPackageCommand({ ModelPackageArn: v1, ApprovalDescription: 'reviewed again' }),
    );
    await app.idle();
    await eventually(
      async () =>
        app.invocations
          .slice(before)
          .some(
            (i) =>
              i.functionName === 'model-cards' &&
              i.outcome.ok &&
              (i.outcome.result as { modelCardName?: string }).modelCardName === name,
          )
          ? true
          : undefined,
      `${name} written again after the overwrite`,
    );
    const card = await approver.send(new DescribeModelCardCommand({ ModelCardName: name }));
    const content = JSON.parse(card.Content ?? '{}') as {
      evaluation_details?: { metric_groups?: { metric_data?: { name: string; value: unknown }[] }[] }[];
    };
    const mse = content.evaluation_details
      ?.flatMap((e) => e.metric_groups ?? [])
      .flatMap((g) => g.metric_data ?? [])
      .find((m) => m.name === 'mse')?.value;
    expect(mse).toBe(4.5);
  });
});

describe('weights swapped under the live version', () => {
  it('never redeploys the swapped weights: a re-reconcile holds the live version, notified, and changes nothing', async () => {
    const before = lifecycleCalls(app, 'pinned-prod');
    await put('s3://models/pinned/run-1/model.tar.gz', 'swapped under live');
    // The endpoint's own event (any re-reconcile) runs the reconciler again.
    const inService = app.sagemaker.events.emitted.filter(
      (e) => e.detail.EndpointName === 'pinned-prod' && e.detail.EndpointStatus === 'IN_SERVICE',
    );
    const seen = reports('pinned-prod').length;
    await replay(app, inService.slice(-1));
    await app.idle();
    const after = await eventually(
      async () =>
        reports('pinned-prod')
          .slice(seen)
          .find((r) => r.outcome === 'held'),
      'a re-reconcile',
    );
    // v2 (its own weights swapped) is still the newest held; the warning is about v1, which is live.
    expect(after).toMatchObject({
      outcome: 'held',
      code: 'artifact-changed',
      servingHeld: { version: 1, code: 'artifact-changed' },
    });
    expect(lifecycleCalls(app, 'pinned-prod')).toEqual(before);
    const warning =
      'WARNING: the version it serves, pinned version 1, is held too: s3://models/pinned/run-1/model.tar.gz was overwritten';
    // The warning is what people read, so its wording is checked here, once.
    expect((await notifications()).some((n) => n.Message.includes(warning))).toBe(true);
  });
});
