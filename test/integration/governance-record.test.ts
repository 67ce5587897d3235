/**
 * The governance record against the attacks it answers, over HTTP against local mode (the synthesized
 * app, its bundled handlers and template environment), each with distinct callers
 * (`role=<Role>@<session>`, local/sagemaker/protocol.ts). Each test makes the attempt as a person
 * with that role would and fails if it works.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  AddTagsCommand,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateModelPackageCommand,
  DescribeEndpointCommand,
  DescribeModelCardCommand,
  DescribeModelPackageCommand,
  SageMakerClient,
  UpdateEndpointCommand,
  UpdateModelCardCommand,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { modelCardName } from '../../core/model-card-naming';
import { type RecordEntry, recordedVersion, verifyChain } from '../../domain/governance-record';
import type { LocalApp } from '../../local/runner/local-app';
import { lifecycleCalls, reconcileOutcomes, serving } from '../harness/deployments';
import { startLocalApp } from '../harness/local-app';
import { eventually } from '../harness/local-aws';
import { setApproval } from '../harness/registry';

const CONFIG = {
  modelArtifactBuckets: ['metrics', 'example-models'],
  // Write-once storage: every handler's write to the audit bucket below happens under Object Lock.
  governanceRecord: { objectLock: { mode: 'GOVERNANCE', retentionDays: 1 } },
  groups: [
    // No gate, no separation of duties: the sample configuration's shape.
    { name: 'plain', deployments: [{ endpointName: 'plain-prod' }] },
    {
      name: 'gated',
      qualityGate: { thresholds: [{ metric: 'mse', atMost: 6 }] },
      deployments: [{ endpointName: 'gated-prod' }],
    },
    // Nothing approved yet: an endpoint under its target's name is someone else's.
    { name: 'unreleased', deployments: [{ endpointName: 'unreleased-prod' }] },
    {
      name: 'carded',
      modelCard: { owner: 'ml@example.com', riskRating: 'Low' },
      deployments: [{ endpointName: 'carded-prod', requireApprovedModelCard: true }],
    },
  ],
};
const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';

let app: LocalApp;
let s3: S3Client;
const as = (accessKeyId: string) =>
  new SageMakerClient({
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'local' },
  });
let pipeline: SageMakerClient;
let ana: SageMakerClient; // an approver
let rita: SageMakerClient; // a release manager, who edits versions after their approval
let bob: SageMakerClient; // another reviewer

beforeAll(async () => {
  app = await startLocalApp(CONFIG);
  pipeline = as('role=Trainer@pipeline-run-1');
  ana = as('role=Approver@ana');
  rita = as('role=Release@rita');
  bob = as('role=Reviewer@bob');
  s3 = new S3Client({
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'setup', secretAccessKey: 'local' },
    forcePathStyle: true,
  });
  await s3.send(new CreateBucketCommand({ Bucket: 'metrics' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'example-models' }));
  await s3.send(
    new PutObjectCommand({
      Bucket: 'metrics',
      Key: 'poor.json',
      Body: JSON.stringify({ regression_metrics: { mse: { value: 7.2 } } }),
    }),
  );
  await s3.send(new PutObjectCommand({ Bucket: 'example-models', Key: 'model.tar.gz', Body: 'weights' }));
}, 300_000);
afterAll(async () => app?.stop());

async function register(group: string, extra: Record<string, unknown> = {}): Promise<string> {
  const out = await pipeline.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: group,
      ModelApprovalStatus: 'PendingManualApproval',
      InferenceSpecification: {
        Containers: [{ Image: IMAGE, ModelDataUrl: 's3://example-models/model.tar.gz' }],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
      ...extra,
    }),
  );
  await app.idle();
  return String(out.ModelPackageArn);
}

/** The version's entries as the app stored them, read as an auditor would. */
async function entriesOf(arn: string): Promise<RecordEntry[]> {
  const bucket = app.physicalId('ModelCardsAuditBucket');
  const [group, version] = arn.split('/').slice(-2);
  const listed = await s3.send(
    new ListObjectsV2Command({ Bucket: bucket, Prefix: `governance-record/${group}/${version}/` }),
  );
  const entries: RecordEntry[] = [];
  for (const o of listed.Contents ?? []) {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
    entries.push(JSON.parse(await (out.Body?.transformToString() ?? '{}')) as RecordEntry);
  }
  expect(verifyChain(entries.map((entry) => ({ seq: entry.seq, entry })))).toEqual([]);
  return entries;
}

const versionOf = (arn: string) => Number(arn.split('/').pop());

describe('content rewritten after registration, outside separation of duties', () => {
  it('records the rewrite and never deploys it: an image-only rewrite by an approver', async () => {
    const arn = await register('plain');
    await ana.send(
      new UpdateModelPackageCommand({
        ModelPackageArn: arn,
        InferenceSpecification: {
          Containers: [
            {
              Image: '999999999999.dkr.ecr.us-east-1.amazonaws.com/mine:latest',
              ModelDataUrl: 's3://example-models/model.tar.gz',
            },
          ],
          SupportedContentTypes: ['text/csv'],
          SupportedResponseMIMETypes: ['text/csv'],
        },
      }),
    );
    await setApproval(ana, arn, 'Approved', 'approving what I rewrote');
    await app.idle();
    const record = recordedVersion(await entriesOf(arn));
    expect(record.contentChanged?.by?.iam).toMatch(/:role\/Approver$/);
    expect(lifecycleCalls(app, 'plain-prod').map((c) => c.version)).not.toContain(versionOf(arn));
  });

  it('deploys a version nobody rewrote (the record does not hold a clean version)', async () => {
    const arn = await register('plain');
    await setApproval(ana, arn, 'Approved', 'reviewed');
    await serving(app, ana, 'plain-prod', versionOf(arn));
  });
});

describe('a gate rejection that never reaches the registry', () => {
  it('is recorded, and the version is never deployed when someone approves it anyway', async () => {
    // 50 metadata entries, the most a version may have: the gate's own entry can never be added, so
    // its UpdateModelPackage(Rejected) fails every time.
    const metadata = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    const arn = await register('gated', {
      CustomerMetadataProperties: metadata,
      ModelMetrics: {
        ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: 's3://metrics/poor.json' } },
      },
    });
    const verdict = await eventually(async () => {
      const v = recordedVersion(await entriesOf(arn)).verdict;
      return v?.applied === false ? v : undefined;
    }, 'the record to say the verdict did not reach the registry');
    expect(verdict.outcome).toBe('failed');
    const d = await ana.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    expect(d.ModelApprovalStatus).toBe('PendingManualApproval');
    await setApproval(ana, arn, 'Approved', 'nothing says it failed');
    await app.idle();
    expect(lifecycleCalls(app, 'gated-prod').map((c) => c.version)).not.toContain(versionOf(arn));
  });
});

describe('the approver is the one who approved, not who touched the version last', () => {
  it("refuses the approver's own card review after a release manager edited the version", async () => {
    const arn = await register('carded');
    const version = versionOf(arn);
    await setApproval(ana, arn, 'Approved', 'reviewed by ana');
    await app.idle();
    // A routine edit by someone else afterwards.
    await rita.send(
      new UpdateModelPackageCommand({ ModelPackageArn: arn, ApprovalDescription: 'release notes: v1' }),
    );
    await app.idle();
    const name = modelCardName('carded', version);
    // The card as generated for the approved version; ana approves it herself.
    await eventually(async () => {
      const c = await ana.send(new DescribeModelCardCommand({ ModelCardName: name })).catch(() => undefined);
      return c && JSON.parse(c.Content ?? '{}').model_package_details?.model_approval_status === 'Approved'
        ? c
        : undefined;
    }, `${name} generated for the approved version`);
    await ana.send(new UpdateModelCardCommand({ ModelCardName: name, ModelCardStatus: 'Approved' }));
    await app.idle();
    expect(recordedVersion(await entriesOf(arn)).approval?.by?.iam).toMatch(/:role\/Approver$/);
    expect(lifecycleCalls(app, 'carded-prod').map((c) => c.version)).not.toContain(version);
    // Another person's review deploys it.
    await bob.send(new UpdateModelCardCommand({ ModelCardName: name, ModelCardStatus: 'PendingReview' }));
    await bob.send(new UpdateModelCardCommand({ ModelCardName: name, ModelCardStatus: 'Approved' }));
    await serving(app, bob, 'carded-prod', version);
  });
});

/** The reconciler's results for an endpoint, in order (outcome, code, drift). */
function results(endpointName: string): Record<string, unknown>[] {
  return app.invocations
    .filter((i) => i.functionName === 'reconcile-endpoint' && i.outcome.ok)
    .flatMap(
      (i) =>
        (
          (i.outcome.ok ? i.outcome.result : undefined) as {
            targets?: { endpointName: string; result: Record<string, unknown> }[];
          }
        )?.targets ?? [],
    )
    .filter((t) => t.endpointName === endpointName)
    .map((t) => t.result);
}

/** Someone with CreateModel and CreateEndpointConfig in the account makes a config serving their own container. */
async function attackersConfig(attacker: SageMakerClient, name: string): Promise<string> {
  await attacker.send(
    new CreateModelCommand({
      ModelName: `${name}-model`,
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/mallory',
      PrimaryContainer: { Image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/evil:latest' },
    }),
  );
  await attacker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: [
        {
          VariantName: 'AllTraffic',
          ModelName: `${name}-model`,
          InstanceType: 'ml.m5.large',
          InitialInstanceCount: 1,
        },
      ],
    }),
  );
  return name;
}

describe('rollback and drift, decided from the record (never from the endpoint tags)', () => {
  it('puts the approved version back and says so when someone forges the rollback tags and serves their own config', async () => {
    const arn = await register('plain');
    await setApproval(ana, arn, 'Approved', 'reviewed');
    await serving(app, ana, 'plain-prod', versionOf(arn));
    const mallory = as('role=Operator@mallory');
    const theirs = await attackersConfig(mallory, 'mallory-rollback');
    const endpoint = await mallory.send(new DescribeEndpointCommand({ EndpointName: 'plain-prod' }));
    const desired = String(endpoint.EndpointConfigName);
    const after = new Date(Date.parse(String(endpoint.LastModifiedTime)) - 1000).toISOString();
    // The tags exactly as the reconciler writes them for a request of the approved config made while
    // the endpoint served hers, and the rollback of that request as already notified.
    await mallory.send(
      new AddTagsCommand({
        ResourceArn: endpoint.EndpointArn,
        Tags: [
          { Key: 'model-governance:requested-config', Value: desired },
          { Key: 'model-governance:requested-after', Value: after },
          { Key: 'model-governance:requested-from', Value: theirs },
          { Key: 'model-governance:rollback-notified', Value: `${desired}@${after}` },
        ],
      }),
    );
    const before = results('plain-prod').length;
    await mallory.send(new UpdateEndpointCommand({ EndpointName: 'plain-prod', EndpointConfigName: theirs }));
    await eventually(
      async () => (lifecycleCalls(app, 'plain-prod').at(-1)?.version === versionOf(arn) ? true : undefined),
      'the reconciler putting the approved version back',
    );
    await serving(app, ana, 'plain-prod', versionOf(arn));
    const since = results('plain-prod').slice(before);
    expect(since.map((r) => r.code)).not.toContain('rollback-notified');
    expect(since).toContainEqual(
      expect.objectContaining({ outcome: 'deploy-started', drift: true, fromConfig: theirs }),
    );
  });

  it('tells of a squatted endpoint while no version may deploy (nothing approved yet)', async () => {
    const mallory = as('role=Operator@mallory');
    const theirs = await attackersConfig(mallory, 'mallory-squat');
    const before = results('unreleased-prod').length;
    await mallory.send(
      new CreateEndpointCommand({ EndpointName: 'unreleased-prod', EndpointConfigName: theirs }),
    );
    await eventually(
      async () => (reconcileOutcomes(app, 'unreleased-prod').length > before ? true : undefined),
      "the reconciler's run on the squatted endpoint",
    );
    await app.idle();
    expect(results('unreleased-prod').slice(before)).toContainEqual(
      expect.objectContaining({
        outcome: 'drift-found',
        code: 'served-config-not-ours',
        servingConfig: theirs,
      }),
    );
  });
});

describe('write-once storage (governanceRecord.objectLock)', () => {
  it("refuses to delete any version of a record entry, whoever asks, and the version's chain still verifies", async () => {
    const arn = await register('plain');
    const [first] = await entriesOf(arn);
    if (!first) throw new Error('the registration was not recorded');
    const bucket = app.physicalId('ModelCardsAuditBucket');
    const key = `governance-record/plain/${versionOf(arn)}/00000000.json`;
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ObjectLockMode).toBe('GOVERNANCE');
    expect(head.ObjectLockRetainUntilDate?.getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    // Removing the entry's version (the only way to erase it from a versioned bucket) is refused.
    await expect(
      s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: head.VersionId })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    expect((await entriesOf(arn))[0]).toEqual(first);
  });
});
