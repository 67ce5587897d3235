/**
 * Failures, holds and reverts reach the person waiting, over HTTP against local mode: `mgov approve
 * --wait` and `mgov stage --wait` exit 1 with the reconciler's error, the gate's hold or the policy's
 * revert, within seconds, and `mgov status` shows the same; `mgov stage` promotes a version to the
 * stage a target serves, and the target deploys it. Outcomes are asserted by code (--json).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { main as mgov } from '../../cli/main';
import type { LocalApp } from '../../local/runner/local-app';
import { serving } from '../harness/deployments';
import { startLocalApp } from '../harness/local-app';
import { registerVersion } from '../harness/registry';

const raw = {
  groups: [
    {
      name: 'quota-group',
      deployments: [{ endpointName: 'quota-prod', instances: { type: 'ml.m5.xlarge' } }],
    },
    { name: 'sod-group', separationOfDuties: true, deployments: [{ endpointName: 'sod-prod' }] },
    {
      name: 'stage-group',
      deployments: [{ endpointName: 'stage-prod', serve: { stage: 'Production', stageStatus: 'Approved' } }],
    },
  ],
};
const dir = mkdtempSync(join(tmpdir(), 'mgov-follow-'));
const CONFIG = join(dir, 'config.json');
writeFileSync(CONFIG, JSON.stringify(raw));

let app: LocalApp;
let savedEnv: NodeJS.ProcessEnv;
beforeAll(async () => {
  app = await startLocalApp(raw);
  savedEnv = { ...process.env };
}, 300_000);
afterAll(async () => {
  process.env = savedEnv;
  await app?.stop();
});

function client(as: string): SageMakerClient {
  const env = app.clientEnv(as);
  return new SageMakerClient({
    endpoint: env.AWS_ENDPOINT_URL,
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID as string, secretAccessKey: 'local' },
  });
}

async function run(args: string[], as: string) {
  Object.assign(process.env, app.clientEnv(as));
  let out = '';
  let err = '';
  const started = Date.now();
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
  return { code, out, err, seconds: (Date.now() - started) / 1000 };
}

interface Followed {
  code?: string;
  targets: { endpoint: string; outcome: string; detail?: string }[];
}
const followed = (out: string) => JSON.parse(out) as Followed;

async function statusOf(group: string, as = 'approver') {
  const r = await run(['status', group, '--json'], as);
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as {
    groups: { total: number; versions: unknown[] }[];
    endpoints: {
      endpoint: string;
      held?: { version: number; reason: string };
      lastFailure?: { error: string };
    }[];
  };
}

it('an approval whose deployment fails: --wait exits 1 within seconds with the reconciler’s error; status shows it', async () => {
  // A new account's quota for the type is 0: SageMaker refuses CreateEndpoint.
  app.sagemaker.configure({ instanceQuotas: { 'ml.m5.xlarge': 0 } });
  await registerVersion(client('trainer'), 'quota-group');
  const r = await run(
    ['approve', 'quota-group', '1', '--reason', 'looks good', '--wait', '--json'],
    'approver',
  );
  expect(r.code).toBe(1);
  // Seconds on an idle machine; the bound leaves room for a loaded CI runner.
  expect(r.seconds).toBeLessThan(120);
  const result = followed(r.out);
  expect(result.code).toBe('reconcile-failed');
  expect(result.targets).toEqual([
    expect.objectContaining({ endpoint: 'quota-prod', outcome: 'reconcile-failed' }),
  ]);
  expect(result.targets[0]?.detail).toMatch(/^ResourceLimitExceeded: /);
  expect(r.err).toContain("'ml.m5.xlarge for endpoint usage' is 0 Instances");

  const status = await statusOf('quota-group');
  expect(status.endpoints[0]?.lastFailure?.error).toMatch(/^ResourceLimitExceeded: /);
  const text = await run(['status', 'quota-group'], 'approver');
  expect(text.out).toContain('quota-prod reconciler failed at');
}, 240_000);

it('a self-approval under separation of duties: --wait exits 1 with the policy’s revert and its reason', async () => {
  await registerVersion(client('trainer'), 'sod-group');
  const r = await run(['approve', 'sod-group', '1', '--reason', 'mine', '--wait', '--json'], 'trainer');
  expect(r.code).toBe(1);
  // mgov sees the gate's hold or the policy's revert, whichever comes first; both name the cause.
  expect(['held', 'reverted']).toContain(followed(r.out).code);
  expect(r.err).toMatch(/own registrant/);
  const status = await statusOf('sod-group');
  expect(status.endpoints[0]).not.toHaveProperty('lastFailure');
});

it('mgov stage promotes an approved version to the stage its target serves, and the target deploys it', async () => {
  await registerVersion(client('trainer'), 'stage-group');
  expect((await run(['approve', 'stage-group', '1', '--reason', 'reviewed'], 'approver')).code).toBe(0);
  const r = await run(
    ['stage', 'stage-group', '1', 'Production', '--reason', 'promoted after review', '--wait', '--json'],
    'approver',
  );
  expect(r.code).toBe(0);
  expect(followed(r.out).targets).toEqual([
    expect.objectContaining({ endpoint: 'stage-prod', outcome: 'serving', serves: 1 }),
  ]);
  await serving(app, client('approver'), 'stage-prod', 1);
}, 240_000);

it('a stage its registrant set is held: mgov stage --wait exits 1 with the hold’s reason; status shows it', async () => {
  await registerVersion(client('trainer'), 'stage-group', { createGroup: false });
  expect((await run(['approve', 'stage-group', '2', '--reason', 'reviewed'], 'approver')).code).toBe(0);
  const r = await run(['stage', 'stage-group', '2', 'Production', '--wait', '--json'], 'trainer');
  expect(r.code).toBe(1);
  // Seconds on an idle machine; the bound leaves room for a loaded CI runner.
  expect(r.seconds).toBeLessThan(120);
  const result = followed(r.out);
  expect(result.code).toBe('held');
  expect(result.targets[0]).toMatchObject({ outcome: 'held', holdCode: 'stage-not-honoured' });
  // The reason is for people: it names the cause, the registrant.
  expect(result.targets[0]?.detail).toMatch(/registrant/);
  const status = await statusOf('stage-group');
  expect(status.endpoints[0]?.held).toMatchObject({ version: 2, code: 'stage-not-honoured' });
  // Two versions, one shown: the header counts all of them.
  const limited = await run(['status', 'stage-group', '--limit', '1'], 'approver');
  expect(limited.out).toContain('stage-group: 2 versions (the newest 1 shown)');
}, 240_000);

it('refuses a stage status that is not one, naming the near one', async () => {
  const r = await run(['stage', 'stage-group', '1', 'Production', '--status', 'Aproved'], 'approver');
  expect(r.code).toBe(2);
  expect(r.err).toContain('Did you mean Approved?');
});
