/**
 * The bundled handlers' EMF lines are read as CloudWatch would read them and
 * shown as metric lines. Approving a version deploys it; once the endpoint settles, the reconciler's
 * output carries ApprovalToServingSeconds for that endpoint (and the deployment counts).
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { readStatus } from '../../cli/registry';
import { renderStatus } from '../../cli/render';
import { parseGovernanceConfig } from '../../core/config/parse';
import type { ModelPackageGroupConfig } from '../../core/config/types';
import type { MetricRecord } from '../../local/runner/emf';
import type { LocalApp, LocalLogEntry } from '../../local/runner/local-app';
import { startLocalApp } from '../harness/local-app';
import { eventually, uniqueName } from '../harness/local-aws';
import { registerVersion, setApproval } from '../harness/registry';

const group = uniqueName('ops');
const gated = uniqueName('opsgated');
const carded = uniqueName('opscarded');
const endpointName = `${group}-prod`;
const entries: LocalLogEntry[] = [];
let app: LocalApp;
let sagemaker: SageMakerClient;
let trainer: SageMakerClient;
beforeAll(async () => {
  app = await startLocalApp(
    {
      modelArtifactBuckets: ['ops-metrics'],
      groups: [
        { name: group, deployments: [{ endpointName }] },
        {
          name: gated,
          separationOfDuties: true,
          qualityGate: { thresholds: [{ metric: 'mse', atMost: 5 }] },
          deployments: [{ endpointName: `${gated}-prod` }],
        },
        { name: carded, deployments: [{ endpointName: `${carded}-prod`, requireApprovedModelCard: true }] },
      ],
    },
    { log: (e) => entries.push(e) },
  );
  const client = (accessKeyId: string) => ({
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'local' },
  });
  sagemaker = new SageMakerClient(client('alice'));
  trainer = new SageMakerClient(client('trainer'));
  const s3 = new S3Client({ ...client('trainer'), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'ops-metrics' }));
  for (const [key, mse] of [
    ['good.json', 4.2],
    ['poor.json', 7.2],
  ] as const) {
    await s3.send(
      new PutObjectCommand({
        Bucket: 'ops-metrics',
        Key: key,
        Body: JSON.stringify({ regression_metrics: { mse: { value: mse } } }),
      }),
    );
  }
}, 360_000);
afterAll(async () => app?.stop());

const metrics = (name: string) =>
  entries.filter((e) => e.kind === 'metric' && (e.data as MetricRecord).name === name);

it('approving a version ends in ApprovalToServingSeconds in the reconciler’s output', async () => {
  const arn = await registerVersion(sagemaker, group, { createGroup: false });
  const approvedAt = Date.now();
  await setApproval(sagemaker, arn, 'Approved', 'ship it');
  const [measured] = await eventually(async () => {
    const found = metrics('ApprovalToServingSeconds');
    return found.length > 0 ? found : undefined;
  }, 'ApprovalToServingSeconds from the reconciler');
  const record = measured?.data as MetricRecord;
  expect(measured?.functionName).toBe('reconcile-endpoint');
  expect(record).toMatchObject({
    namespace: 'ModelGovernance',
    unit: 'Seconds',
    dimensions: { Group: group, Endpoint: endpointName, service: 'model-governance-reconcile-endpoint' },
  });
  // From the approval to now, at most: the version was approved after approvedAt.
  expect(record.value).toBeGreaterThan(0);
  expect(record.value).toBeLessThanOrEqual((Date.now() - approvedAt) / 1000 + 1);
  expect(measured?.text).toMatch(
    new RegExp(
      `^ApprovalToServingSeconds \\d+(\\.\\d)? Seconds \\(Group=${group}, Endpoint=${endpointName}\\)$`,
    ),
  );
  // The deployment was counted as it started and as it completed.
  expect(metrics('DeploymentStarted').map((e) => (e.data as MetricRecord).dimensions.Endpoint)).toContain(
    endpointName,
  );
  expect(metrics('DeploymentCompleted').map((e) => (e.data as MetricRecord).dimensions.Endpoint)).toContain(
    endpointName,
  );
  expect(metrics('ApprovalRecorded').map((e) => e.functionName)).toContain('audit-notify');
  // mgov status shows the same figure per served version: approval to the endpoint's settling.
  const status = await readStatus(
    sagemaker,
    [
      parseGovernanceConfig({ groups: [{ name: group, deployments: [{ endpointName }] }] })
        .groups[0] as ModelPackageGroupConfig,
    ],
    { limit: 5 },
  );
  const row = status.endpoints.find((e) => e.endpoint === endpointName);
  expect(row).toMatchObject({
    status: 'InService',
    version: 1,
    approvalToServingSeconds: expect.any(Number),
  });
  expect(row?.approvalToServingSeconds).toBeLessThanOrEqual(record.value + 1);
  expect(renderStatus(status)).toMatch(new RegExp(`^${endpointName} .* (\\d+s|\\d+m \\d+s)$`, 'm'));
});

const withDims = (name: string, dims: Record<string, string>) => () => {
  const found = metrics(name).filter((e) =>
    Object.entries(dims).every(([k, v]) => (e.data as MetricRecord).dimensions[k] === v),
  );
  return Promise.resolve(found.length > 0 ? found : undefined);
};

it.each([
  ['failed', 's3://ops-metrics/poor.json'],
  ['passed', 's3://ops-metrics/good.json'],
  ['undetermined', 's3://ops-metrics/missing.json'],
])('the quality gate counts a %s decision as GateDecision by outcome', async (outcome, uri) => {
  await registerVersion(trainer, gated, { createGroup: false, metrics: { 'ModelQuality.Statistics': uri } });
  const [found] = await eventually(
    withDims('GateDecision', { Outcome: outcome, Group: gated }),
    `GateDecision ${outcome}`,
  );
  expect(found).toMatchObject({ functionName: 'policy-gate', data: { unit: 'Count', value: 1 } });
  // Every registration writes the version's model card.
  await eventually(withDims('CardWritten', { Group: gated }), 'CardWritten');
});

it('a self-approval reverted is counted as SelfApprovalReverted', async () => {
  const arn = await registerVersion(trainer, gated, {
    createGroup: false,
    metrics: { 'ModelQuality.Statistics': 's3://ops-metrics/good.json' },
  });
  await eventually(
    async () => (metrics('GateDecision').length >= 4 ? true : undefined),
    'the gate to decide the new version',
  );
  await setApproval(trainer, arn, 'Approved', 'my own');
  const [found] = await eventually(
    withDims('SelfApprovalReverted', { Group: gated }),
    'SelfApprovalReverted',
  );
  expect(found).toMatchObject({ functionName: 'policy-gate', data: { unit: 'Count', value: 1 } });
});

it('a version held back by the card gate is counted as DeploymentHeld', async () => {
  const arn = await registerVersion(trainer, carded, { createGroup: false });
  await setApproval(sagemaker, arn, 'Approved', 'ship it');
  const [found] = await eventually(
    withDims('DeploymentHeld', { Group: carded, Endpoint: `${carded}-prod` }),
    'DeploymentHeld',
  );
  expect(found).toMatchObject({ functionName: 'reconcile-endpoint', data: { unit: 'Count', value: 1 } });
});
