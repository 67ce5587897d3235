/**
 * Issue #17 in local mode: the bundled handlers' EMF lines are read as CloudWatch would read them and
 * shown as metric lines. Approving a version deploys it; once the endpoint settles, the reconciler's
 * output carries ApprovalToServingSeconds for that endpoint (and the deployment counts).
 */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { MetricRecord } from '../../local/runner/emf';
import type { LocalApp, LocalLogEntry } from '../../local/runner/local-app';
import { startLocalApp } from '../harness/local-app';
import { eventually, uniqueName } from '../harness/local-aws';
import { registerVersion, setApproval } from '../harness/registry';

const group = uniqueName('ops');
const endpointName = `${group}-prod`;
const entries: LocalLogEntry[] = [];
let app: LocalApp;
let sagemaker: SageMakerClient;
beforeAll(async () => {
  app = await startLocalApp(
    { groups: [{ name: group, deployments: [{ endpointName }] }] },
    { log: (e) => entries.push(e) },
  );
  const env = app.clientEnv('alice');
  sagemaker = new SageMakerClient({
    endpoint: env.AWS_ENDPOINT_URL,
    region: env.AWS_REGION,
    credentials: { accessKeyId: 'alice', secretAccessKey: 'local' },
  });
}, 120_000);
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
});
