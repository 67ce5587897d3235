/**
 * Attempts to get around the governance controls, in local mode, with distinct callers
 * (IAM users and role sessions, `role=<Role>@<session>`: see callerIdentity in
 * local/sagemaker/protocol.ts). Each test makes the attempt and fails if it works.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointConfigCommand,
  type CreateEndpointConfigCommandInput,
  CreateModelCommand,
  CreateModelPackageCommand,
  DescribeEndpointCommand,
  DescribeModelPackageCommand,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { parseGovernanceConfig } from '../../core/config/parse';
import { deploymentFor, endpointConfigRequest, modelRequest } from '../../domain/endpoint-resources';
import type { PolicyResult } from '../../handlers/policy-gate';
import { reconcileTarget } from '../../handlers/reconcile-endpoint/reconcile';
import type { LocalApp } from '../../local/runner/local-app';
import { isHeld, lifecycleCalls, policyResults, reconcileReports, serving } from '../harness/deployments';
import { startLocalApp } from '../harness/local-app';
import { eventually } from '../harness/local-aws';
import { registerVersion, setApproval } from '../harness/registry';

const CONFIG = {
  modelArtifactBuckets: ['metrics'],
  groups: [
    {
      name: 'guarded',
      separationOfDuties: true,
      qualityGate: { thresholds: [{ metric: 'mse', atMost: 6 }] },
      deployments: [{ endpointName: 'guarded-prod' }],
    },
    { name: 'squatted', deployments: [{ endpointName: 'squatted-prod' }] },
    // Serves the newest approved version at the Production stage (ModelLifeCycle).
    { name: 'staged', deployments: [{ endpointName: 'staged-prod', serve: { stage: 'Production' } }] },
  ],
};
const GOOD = 's3://metrics/good.json'; // mse 4.5
const POOR = 's3://metrics/poor.json'; // mse 7.2

let app: LocalApp;
const as = (accessKeyId: string) =>
  new SageMakerClient({
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'local' },
  });
let pipeline: SageMakerClient; // the training pipeline's role, one session per run
let sameRoleOtherSession: SageMakerClient; // the same role, another session: the same principal
let approver: SageMakerClient; // a release manager's role

beforeAll(async () => {
  app = await startLocalApp(CONFIG);
  pipeline = as('role=Trainer@pipeline-run-1');
  sameRoleOtherSession = as('role=Trainer@approve-it-myself');
  approver = as('role=Approver@ana');
  const s3 = new S3Client({
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'setup', secretAccessKey: 'local' },
    forcePathStyle: true,
  });
  await s3.send(new CreateBucketCommand({ Bucket: 'metrics' }));
  const put = (key: string, mse: number) =>
    s3.send(
      new PutObjectCommand({
        Bucket: 'metrics',
        Key: key,
        Body: JSON.stringify({ regression_metrics: { mse: { value: mse } } }),
      }),
    );
  // The model data the versions name: the gate pins it, the reconciler checks it.
  await s3.send(new CreateBucketCommand({ Bucket: 'example-models' }));
  await s3.send(
    new PutObjectCommand({ Bucket: 'example-models', Key: 'guarded/model.tar.gz', Body: 'guarded weights' }),
  );
  await put('good.json', 4.5);
  await put('poor.json', 7.2);
}, 360_000);
afterAll(async () => app?.stop());

const describe_ = (arn: string) => approver.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));

async function register(options: { metrics: string; approved?: boolean; metadata?: Record<string, string> }) {
  const out = await pipeline.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: 'guarded',
      ModelPackageDescription: 'registered by the pipeline',
      ModelApprovalStatus: options.approved ? 'Approved' : 'PendingManualApproval',
      ModelMetrics: {
        ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: options.metrics } },
      },
      ...(options.metadata ? { CustomerMetadataProperties: options.metadata } : {}),
      InferenceSpecification: {
        Containers: [
          {
            Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
            ModelDataUrl: 's3://example-models/guarded/model.tar.gz',
          },
        ],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
    }),
  );
  return String(out.ModelPackageArn);
}

/** Waits until the policy handler has nothing left to do and the version is in `status`. */
/**
 * Resolves when the version has the status and, if given, the quality gate's verdict in its metadata
 * or the policy handler's result for it: typed facts, never the ApprovalDescription's wording.
 */
async function settles(
  arn: string,
  status: string,
  until: { verdict?: 'passed' | 'failed' | 'undetermined'; policy?: PolicyResult['outcome'] } = {},
) {
  await app.idle();
  return eventually(
    async () => {
      const d = await describe_(arn);
      const verdict = d.CustomerMetadataProperties?.['model-governance:quality-gate'];
      return d.ModelApprovalStatus === status &&
        (until.verdict === undefined || verdict === until.verdict) &&
        (until.policy === undefined || policyResults(app, arn).some((p) => p.outcome === until.policy))
        ? d
        : undefined;
    },
    `${arn} to settle ${status} (${JSON.stringify(until)})`,
  );
}

describe('separation of duties', () => {
  it('reverts a version registered as Approved by its registrant before the gate can decide it', async () => {
    const arn = await register({ metrics: GOOD, approved: true });
    // The gate then decides the pending version: it passes, and waits for a person.
    const d = await settles(arn, 'PendingManualApproval', { verdict: 'passed' });
    expect(d.CustomerMetadataProperties?.['model-governance:quality-gate']).toBe('passed');
    expect(lifecycleCalls(app, 'guarded-prod')).toEqual([]);
  });

  it("holds an approval made under another session name of the registrant's role: one role cannot tell persons apart", async () => {
    const arn = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/guarded/1';
    await setApproval(sameRoleOtherSession, arn, 'Approved', 'another session, the same role');
    // Neither self-approval nor another person's: without a SourceIdentity, the shared role is all
    // SageMaker records, so the approval waits (principal.ts comparePersons).
    const d = await settles(arn, 'PendingManualApproval', { policy: 'approval-held' });
    expect(d.LastModifiedBy?.IamIdentity?.Arn).toMatch(
      /assumed-role\/Trainer\/policy-gate$|PoliciesHandlerRole/,
    );
    expect(lifecycleCalls(app, 'guarded-prod')).toEqual([]);
  });

  it('reverts an approval another person touched before it was checked, then deploys a real approval', async () => {
    const arn = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/guarded/1';
    // The registrant approves; the approver edits the description at once, so the last modifier
    // is no longer the one who approved.
    await setApproval(sameRoleOtherSession, arn, 'Approved', 'self');
    await approver.send(
      new UpdateModelPackageCommand({ ModelPackageArn: arn, ApprovalDescription: 'looks fine' }),
    );
    // Whichever order the changes reach the policy handler in, nothing deploys. When its run for the
    // approval reads the version before the edit, the approval is the registrant's and is reverted.
    // When the edit lands first, the approval's maker can no longer be read (the version's latest
    // change is the edit): nothing is recorded for it within the grace period (recorded unattributed,
    // and so reverted, after it), and the reconciler waits for a check (see 'the approval check').
    await app.idle();
    expect(lifecycleCalls(app, 'guarded-prod')).toEqual([]);
    if ((await describe_(arn)).ModelApprovalStatus === 'Approved')
      expect(reconcileReports(app, 'guarded-prod').at(-1)).toMatchObject({
        outcome: 'waiting',
        code: 'approval-unchecked',
        version: 1,
      });
    else await settles(arn, 'PendingManualApproval');
    // Another principal's approval deploys.
    await setApproval(approver, arn, 'Approved', 'reviewed by ana');
    await serving(app, approver, 'guarded-prod', 1);
    expect((await describe_(arn)).ModelApprovalStatus).toBe('Approved');
  });
});

describe('the approval check', () => {
  it('does not deploy an approval the policy handler has not checked, even when someone else changed the version last', async () => {
    // A group this app does not govern, so no policy handler runs: the reconciler alone must hold
    // (as it must while the policy handler has not yet read the version).
    const raw = { name: 'window', separationOfDuties: true, deployments: [{ endpointName: 'window-prod' }] };
    const group = parseGovernanceConfig({ groups: [raw] }).groups[0];
    const target = group?.deployments[0];
    if (!group || !target) throw new Error('no target');
    const arn = await registerVersion(pipeline, 'window', { createGroup: true });
    await setApproval(sameRoleOtherSession, arn, 'Approved', 'mine');
    // The approver touches the version straight after: the last modifier is no longer the registrant.
    await approver.send(
      new UpdateModelPackageCommand({ ModelPackageArn: arn, ApprovalDescription: 'typo fixed' }),
    );
    const result = await reconcileTarget(
      {
        sagemaker: approver,
        executionRoleArn: 'arn:aws:iam::123456789012:role/models',
        approvalChecker: { iam: 'arn:aws:iam::123456789012:role/policy-gate' },
      },
      group,
      target,
      {
        kind: 'model-package',
        change: {
          eventId: 'test',
          time: new Date().toISOString(),
          groupName: 'window',
          modelPackageArn: arn,
        },
      },
    );
    // A short, quiet wait for the policy handler's check: nothing deploys meanwhile.
    expect(result).toMatchObject({ outcome: 'waiting', code: 'approval-unchecked', version: 1 });
    expect(lifecycleCalls(app, 'window-prod')).toEqual([]);
  });

  it('deploys a checked approval with no second human action (the check itself triggers the reconciler)', async () => {
    const arn = await register({ metrics: GOOD });
    await settles(arn, 'PendingManualApproval', { verdict: 'passed' });
    await setApproval(approver, arn, 'Approved', 'reviewed by ana');
    const version = Number(arn.split('/').pop());
    await serving(app, approver, 'guarded-prod', version);
    const d = await describe_(arn);
    expect(d.CustomerMetadataProperties?.['model-governance:approved-by']).toMatch(
      /assumed-role\/Approver\/ana/,
    );
    expect(d.LastModifiedBy?.IamIdentity?.Arn).not.toMatch(/Approver/);
  });
});

describe('an approver rewriting what they approve', () => {
  it('refuses a version whose containers an approver replaced before approving it', async () => {
    const arn = await register({ metrics: GOOD });
    await settles(arn, 'PendingManualApproval', { verdict: 'passed' });
    const before = (await describe_(arn)).InferenceSpecification;
    await approver.send(
      new UpdateModelPackageCommand({
        ModelPackageArn: arn,
        InferenceSpecification: {
          Containers: [
            {
              Image: '999999999999.dkr.ecr.us-east-1.amazonaws.com/mine:latest',
              ModelDataUrl: 's3://example-models/guarded/other.tar.gz',
            },
          ],
          SupportedContentTypes: ['text/csv'],
          SupportedResponseMIMETypes: ['text/csv'],
        },
        SourceUri: 's3://example-models/guarded/other-source',
      }),
    );
    const rewritten = await describe_(arn);
    expect(rewritten.InferenceSpecification?.Containers?.[0]?.Image).toMatch(/^999999999999/);
    expect(rewritten.InferenceSpecification).not.toEqual(before);
    expect(rewritten.SourceUri).toBe('s3://example-models/guarded/other-source');
    await setApproval(approver, arn, 'Approved', 'approving my own content');
    await settles(arn, 'PendingManualApproval', { policy: 'changed-content-reverted' });
    const version = Number(arn.split('/').pop());
    expect(lifecycleCalls(app, 'guarded-prod').map((c) => c.version)).not.toContain(version);
  });
});

describe('quality gate verdicts', () => {
  it('ignores a "passed" verdict sent with the registration and decides the version itself', async () => {
    const arn = await register({ metrics: POOR, metadata: { 'model-governance:quality-gate': 'passed' } });
    await settles(arn, 'Rejected', { verdict: 'failed' });
  });
});

describe('deterministic names', () => {
  it('never serves a model someone made first under the name the reconciler would use', async () => {
    const arn = await registerVersion(pipeline, 'squatted', { createGroup: false });
    const group = parseGovernanceConfig(CONFIG).groups[1];
    const target = group?.deployments[0];
    if (!target) throw new Error('no target');
    const executionRoleArn = `arn:aws:iam::123456789012:role/${app.physicalId('EndpointReconcilerModelExecutionRole')}`;
    const { modelName } = deploymentFor(
      { target, executionRoleArn },
      { arn, version: 1, approvalStatus: 'Approved', creationTime: new Date() },
    );
    // Mallory, with CreateModel in the account, takes the name with her own container.
    await as('mallory').send(
      new CreateModelCommand({
        ModelName: modelName,
        ExecutionRoleArn: executionRoleArn,
        PrimaryContainer: { Image: '999999999999.dkr.ecr.us-east-1.amazonaws.com/mine:latest' },
      }),
    );
    await setApproval(approver, arn, 'Approved', 'approved');
    await app.idle();
    await eventually(
      async () =>
        reconcileReports(app, 'squatted-prod').some((r) => r.outcome === 'held' && r.code === 'name-taken') ||
        undefined,
      'the reconciler to refuse the squatted name (name-taken)',
    );
    const endpoint = await approver
      .send(new DescribeEndpointCommand({ EndpointName: 'squatted-prod' }))
      .catch(() => undefined);
    expect(endpoint).toBeUndefined();
    expect(lifecycleCalls(app, 'squatted-prod')).toEqual([]);
  });
});

describe('deterministic names: the rest of a config', () => {
  it('never serves a config someone made first with a shadow variant copying live traffic to their model', async () => {
    const arn = await registerVersion(pipeline, 'squatted', { createGroup: false }); // v2
    const target = parseGovernanceConfig(CONFIG).groups[1]?.deployments[0];
    if (!target) throw new Error('no target');
    const inputs = {
      target,
      executionRoleArn: `arn:aws:iam::123456789012:role/${app.physicalId('EndpointReconcilerModelExecutionRole')}`,
    };
    const deployment = deploymentFor(inputs, {
      arn,
      version: 2,
      approvalStatus: 'Approved',
      creationTime: new Date(),
    });
    // Mallory makes the reconciler's model exactly as it would (it passes the model check), her own
    // model, and the reconciler's config name with the right variant plus a shadow variant of hers.
    const mallory = as('mallory');
    await mallory.send(new CreateModelCommand(modelRequest(inputs, deployment)));
    await mallory.send(
      new CreateModelCommand({
        ModelName: 'mallory-listens',
        ExecutionRoleArn: inputs.executionRoleArn,
        PrimaryContainer: { Image: '999999999999.dkr.ecr.us-east-1.amazonaws.com/mine:latest' },
      }),
    );
    const request = endpointConfigRequest(inputs, deployment);
    const wanted = request.ProductionVariants[0];
    if (!wanted) throw new Error('no variant');
    await mallory.send(
      new CreateEndpointConfigCommand({
        ...request,
        ShadowProductionVariants: [{ ...wanted, VariantName: 'Shadow', ModelName: 'mallory-listens' }],
      } as CreateEndpointConfigCommandInput),
    );
    await setApproval(approver, arn, 'Approved', 'approved');
    const held = await eventually(
      async () =>
        reconcileReports(app, 'squatted-prod')
          .filter(isHeld)
          .find((r) => r.version === 2 && r.code === 'name-taken'),
      'the reconciler to refuse the squatted config (name-taken)',
    );
    // The reason names what is wrong with the config, for the person who must remove it.
    expect(held.reason).toContain('shadow variant');
    expect(lifecycleCalls(app, 'squatted-prod')).toEqual([]);
  });
});

describe('every candidate is checked', () => {
  it('holds the target when all 21 approved versions are held, instead of deploying the 21st unchecked', async () => {
    // A group this app does not govern, so no policy handler reverts the self-approvals: the
    // reconciler's own gate must hold every one of them.
    const raw = { name: 'many', separationOfDuties: true, deployments: [{ endpointName: 'many-prod' }] };
    const group = parseGovernanceConfig({ groups: [raw] }).groups[0];
    const target = group?.deployments[0];
    if (!group || !target) throw new Error('no target');
    const registrant = as('role=Trainer@bulk');
    for (let i = 0; i < 21; i++) {
      const arn = await registerVersion(registrant, 'many', { createGroup: i === 0 });
      await setApproval(as(`role=Trainer@approve-${i}`), arn, 'Approved', 'mine');
    }
    const result = await reconcileTarget(
      { sagemaker: approver, executionRoleArn: 'arn:aws:iam::123456789012:role/models' },
      group,
      target,
      {
        kind: 'model-package',
        change: {
          eventId: 'test',
          time: new Date().toISOString(),
          groupName: 'many',
          modelPackageArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/many/21',
        },
      },
    );
    expect(result).toMatchObject({ outcome: 'held', version: 21 });
    expect(lifecycleCalls(app, 'many-prod')).toEqual([]);
  }, 360_000);
});

describe('lifecycle stages', () => {
  const PRODUCTION = { Stage: 'Production', StageStatus: 'Approved' };
  async function registerStaged(modelLifeCycle?: typeof PRODUCTION) {
    const out = await pipeline.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: 'staged',
        ModelApprovalStatus: 'PendingManualApproval',
        ...(modelLifeCycle ? { ModelLifeCycle: modelLifeCycle } : {}),
        InferenceSpecification: {
          Containers: [
            {
              Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
              ModelDataUrl: 's3://example-models/staged/model.tar.gz',
            },
          ],
          SupportedContentTypes: ['text/csv'],
          SupportedResponseMIMETypes: ['text/csv'],
        },
      }),
    );
    return String(out.ModelPackageArn);
  }
  // Held for its stage, and the policy handler's stage check (typed metadata) says why.
  const heldFor = async (arn: string, stageCheck: string) => {
    await eventually(
      async () =>
        reconcileReports(app, 'staged-prod').some(
          (r) => r.outcome === 'held' && r.code === 'stage-not-honoured',
        ) || undefined,
      'the reconciler to hold staged-prod (stage-not-honoured)',
    );
    expect((await describe_(arn)).CustomerMetadataProperties?.['model-governance:stage-check']).toBe(
      stageCheck,
    );
  };

  it('never serves a stage the registrar set at registration, until someone else promotes it', async () => {
    // The registrar registers straight into Production, and another person approves the version.
    const arn = await registerStaged(PRODUCTION);
    await setApproval(approver, arn, 'Approved', 'reviewed by ana');
    await app.idle();
    await heldFor(arn, 'not-honoured:set-at-registration');
    expect(lifecycleCalls(app, 'staged-prod')).toEqual([]);
    // A promotion by someone other than the registrant is honoured.
    await approver.send(new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelLifeCycle: PRODUCTION }));
    await serving(app, approver, 'staged-prod', 1);
    const d = await describe_(arn);
    expect(d.CustomerMetadataProperties?.['model-governance:stage-check']).toBe(
      'honoured:Production/Approved',
    );
    expect(d.CustomerMetadataProperties?.['model-governance:stage-set-by']).toMatch(
      /assumed-role\/Approver\/ana/,
    );
    // The promotion is in the audit trail and the lineage, like an approval.
    await app.idle();
    const results = (fn: string) =>
      app.invocations
        .filter((i) => i.functionName === fn && i.outcome.ok)
        .map((i) => i.outcome.ok && i.outcome.result);
    expect(results('lineage')).toContainEqual(
      expect.objectContaining({ outcome: 'recorded', kind: 'stage (Production/Approved)' }),
    );
    expect(results('audit-notify')).toContainEqual(expect.objectContaining({ modelPackageArn: arn }));
  });

  it('never serves a stage the registrant set on their own version, under any session', async () => {
    const arn = await registerStaged();
    await setApproval(approver, arn, 'Approved', 'reviewed by ana');
    await sameRoleOtherSession.send(
      new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelLifeCycle: PRODUCTION }),
    );
    await app.idle();
    await heldFor(arn, 'not-honoured:set-by-registrant');
    expect(lifecycleCalls(app, 'staged-prod').map((c) => c.version)).not.toContain(2);
  });
});
