/**
 * onViolation: hold, over HTTP against local mode: a drift found on the live version holds every
 * newer version (hold code monitoring-violation-hold) until a person runs mgov clear-violation, which
 * mgov refuses without a hold in force; the periodic check then deploys the newer version.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateActionCommand,
  CreateModelPackageGroupCommand,
  DescribeActionCommand,
  DescribeModelPackageCommand,
  DescribeMonitoringScheduleCommand,
  ListActionsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { main as mgov } from '../../cli/main';
import { monitoringViolationAction, VIOLATION_HOLD_ACTION_TYPE } from '../../domain/lineage-plan';
import type { LocalApp } from '../../local/runner/local-app';
import { serving } from '../harness/deployments';
import { startLocalApp } from '../harness/local-app';
import { eventually } from '../harness/local-aws';
import { capture, registerApproved, releaseMonitoring, runMonitoring } from '../harness/monitoring';

const ENDPOINT = 'fraud-prod';
const SCHEDULE = 'fraud-prod-data-quality';
const raw = {
  groups: [
    {
      name: 'fraud',
      deployments: [
        {
          endpointName: ENDPOINT,
          dataCapturePercent: 100,
          monitoring: { dataQuality: { scheduleExpression: 'cron(0 * ? * * *)' }, onViolation: 'hold' },
        },
      ],
    },
  ],
};
const CONFIG = join(mkdtempSync(join(tmpdir(), 'mgov-monitoring-hold-')), 'config.json');
writeFileSync(CONFIG, JSON.stringify(raw));
let app: LocalApp;
let sagemaker: SageMakerClient;
let s3: S3Client;
let savedEnv: NodeJS.ProcessEnv;
let v2Arn = '';

beforeAll(async () => {
  // The periodic check runs for a hold target: spaced so the app is quiet between its runs.
  app = await startLocalApp(raw, { scheduleEveryMs: 5_000 });
  savedEnv = { ...process.env };
  const client = {
    region: 'us-east-1',
    credentials: { accessKeyId: 'approver', secretAccessKey: 'local' },
  };
  sagemaker = new SageMakerClient({ ...client, endpoint: app.sagemaker.url });
  s3 = new S3Client({ ...client, endpoint: app.moto.url, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'baselines' }));
  await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'fraud' }));
}, 300_000);
afterAll(async () => {
  process.env = savedEnv;
  await app?.stop();
});

async function run(accessKeyId: string, args: string[]) {
  Object.assign(process.env, app.clientEnv(accessKeyId));
  let out = '';
  let err = '';
  const code = await mgov([...args, '--config', CONFIG], {
    out: (t) => {
      out += `${t}\n`;
    },
    err: (t) => {
      err += `${t}\n`;
    },
    isTTY: false,
    env: process.env,
    pollMs: 100,
  });
  return { code, out, err };
}

/** The held outcomes of the target's reconcile runs (from the from-th invocation on), with their codes. */
function held(from = 0): { code: string; version?: number }[] {
  return app.invocations
    .slice(from)
    .filter((i) => i.functionName === 'reconcile-endpoint' && i.outcome.ok)
    .flatMap(
      (i) =>
        (
          (i.outcome.ok ? i.outcome.result : undefined) as {
            targets?: {
              endpointName: string;
              result: { outcome: string; code?: string; version?: number };
            }[];
          }
        )?.targets ?? [],
    )
    .filter((t) => t.endpointName === ENDPOINT && t.result.outcome === 'held')
    .map((t) => ({ code: t.result.code ?? '', ...(t.result.version ? { version: t.result.version } : {}) }));
}
const heldCodes = () => held().map((h) => h.code);
const heldOnViolation = (version: number, from: number) =>
  held(from).some((h) => h.version === version && h.code === 'monitoring-violation-hold') || undefined;

it('a violation holds newer versions until a person clears it with mgov', async () => {
  await registerApproved(sagemaker, s3, 'fraud', 1, 0);
  await serving(app, sagemaker, ENDPOINT, 1, 60_000);

  // Nothing to clear yet: refused, and nothing recorded.
  const early = await run('role=Operator@olly', ['clear-violation', ENDPOINT, '--reason', 'looked']);
  expect(early.code).toBe(1);
  expect(early.err).toMatch(/has no violation hold in force/);

  await eventually(
    async () =>
      await sagemaker
        .send(new DescribeMonitoringScheduleCommand({ MonitoringScheduleName: SCHEDULE }))
        .then(() => true)
        .catch(() => undefined),
    `${SCHEDULE} scheduled`,
    60_000,
  );
  await capture(
    sagemaker,
    s3,
    ENDPOINT,
    'drifted',
    Array.from({ length: 50 }, (_, i) => 7 + (i % 3)),
  );
  expect((await runMonitoring(app, SCHEDULE)).MonitoringExecutionStatus).toBe('CompletedWithViolations');
  await app.idle();
  const holds = await sagemaker.send(
    new ListActionsCommand({ SourceUri: ENDPOINT, ActionType: 'GovernedViolationHold' }),
  );
  expect(holds.ActionSummaries).toHaveLength(1);

  // v2 is approved, and held: the endpoint keeps serving v1.
  const v2 = await registerApproved(sagemaker, s3, 'fraud', 2, 0);
  v2Arn = v2;
  await eventually(
    async () => (heldCodes().includes('monitoring-violation-hold') ? true : undefined),
    'v2 held for the violation',
    60_000,
  );
  await serving(app, sagemaker, ENDPOINT, 1);
  expect(
    (await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: v2 }))).ModelApprovalStatus,
  ).toBe('Approved');

  // mgov status names the hold; a clear without a reason is refused.
  const status = await run('role=Operator@olly', ['status', '--json']);
  expect(status.code).toBe(0);
  expect(status.out).toContain('monitoring-violation-hold');
  const text = await run('role=Operator@olly', ['status']);
  expect(text.out).toContain(`${ENDPOINT} DataQuality monitor: CompletedWithViolations`);
  expect(text.out).toMatch(new RegExp(`${ENDPOINT} holds v2: .*\\(monitoring-violation-hold\\)`));
  expect((await run('role=Operator@olly', ['clear-violation', ENDPOINT])).code).toBe(2);
  // The audit trail has the violation on v1.
  const audit = await run('role=Operator@olly', ['audit', 'fraud']);
  expect(audit.out).toMatch(
    /monitoring-violation fraud-prod: DataQuality monitor found violations on fraud v1/,
  );

  // A person clears it: recorded with who did it, and the periodic check deploys v2.
  const cleared = await run('role=Operator@olly', [
    'clear-violation',
    ENDPOINT,
    '--reason',
    'the drift was a holiday; report read',
  ]);
  expect(cleared).toMatchObject({ code: 0 });
  const clears = await sagemaker.send(
    new ListActionsCommand({ SourceUri: ENDPOINT, ActionType: 'GovernedViolationCleared' }),
  );
  expect(clears.ActionSummaries).toHaveLength(1);
  const clear = await sagemaker.send(
    new DescribeActionCommand({ ActionName: clears.ActionSummaries?.[0]?.ActionName }),
  );
  expect(clear.CreatedBy?.UserProfileName ?? clear.CreatedBy?.IamIdentity?.Arn).toMatch(/Operator/);
  await serving(app, sagemaker, ENDPOINT, 2, 60_000);

  // Cleared: nothing left to clear.
  expect((await run('role=Operator@olly', ['clear-violation', ENDPOINT, '--reason', 'again'])).code).toBe(1);
}, 400_000);

it('decides the violation and its hold from the record only the app writes: a lineage record made first, or a forged hold, changes nothing', async () => {
  // Someone with sagemaker:CreateAction, which lineage work needs, but not the app's role.
  const mallory = new SageMakerClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'role=DataScientist@mallory', secretAccessKey: 'local' },
    endpoint: app.sagemaker.url,
  });
  await serving(app, sagemaker, ENDPOINT, 2);
  await capture(
    sagemaker,
    s3,
    ENDPOINT,
    'drifted-on-v2',
    Array.from({ length: 50 }, (_, i) => 7 + (i % 3)),
  );
  // An execution runs (as a real one does for minutes); ListMonitoringExecutions shows its job.
  const started = await runMonitoring(app, SCHEDULE, { hold: true });
  expect(started.MonitoringExecutionStatus).toBe('InProgress');
  // The lineage action the app would make for it, made first: the app used to take it as "recorded
  // already" (a replayed event) and say and hold nothing.
  const jobName = started.ProcessingJobArn.split('/').pop() ?? '';
  await mallory.send(
    new CreateActionCommand(
      monitoringViolationAction({
        processingJobArn: started.ProcessingJobArn,
        processingJobName: jobName,
        scheduleName: SCHEDULE,
        monitorType: 'DataQuality',
        modelPackageArn: v2Arn,
        groupName: 'fraud',
        version: 2,
        endpointName: ENDPOINT,
        checks: [],
        response: 'hold',
      }),
    ),
  );
  expect((await releaseMonitoring(app, started.ProcessingJobArn)).MonitoringExecutionStatus).toBe(
    'CompletedWithViolations',
  );
  await app.idle();

  // Recorded and held all the same: v3 waits, v2 serves.
  let from = app.invocations.length;
  await registerApproved(sagemaker, s3, 'fraud', 3, 0);
  await eventually(async () => heldOnViolation(3, from), 'v3 held for the violation found on v2', 60_000);

  // A hold forged in lineage on a version above v3, so that v3 would not be newer than the hold.
  await mallory.send(
    new CreateActionCommand({
      ActionName: 'violation-hold-forged',
      ActionType: VIOLATION_HOLD_ACTION_TYPE,
      Source: { SourceUri: ENDPOINT, SourceType: 'EndpointName' },
      Status: 'InProgress',
      Properties: { endpoint: ENDPOINT, group: 'fraud', version: '999' },
    }),
  );
  from = app.invocations.length;
  await eventually(async () => heldOnViolation(3, from), 'v3 still held after the forged hold', 60_000);
  await serving(app, sagemaker, ENDPOINT, 2);

  // mgov status --record reads the hold as the reconciler does, from the record: v3 held, the forged
  // lineage hold ignored. Without --record it reads the lineage copy, which the forgery fooled.
  const record = `s3://${app.physicalId('ModelCardsAuditBucket')}/governance-record`;
  const fromRecord = await run('role=Auditor@ada', ['status', '--record', record]);
  expect(fromRecord.code).toBe(0);
  expect(fromRecord.out).toMatch(new RegExp(`${ENDPOINT} holds v3: .*\\(monitoring-violation-hold\\)`));
  const fromLineage = await run('role=Auditor@ada', ['status']);
  expect(fromLineage.out).not.toMatch(new RegExp(`${ENDPOINT} holds v3`));
  expect((await run('role=Auditor@ada', ['status', '--record', 'governance-record'])).err).toMatch(
    /--record "governance-record" is not an s3:\/\/ URI/,
  );
}, 300_000);
