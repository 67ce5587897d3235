/**
 * mgov against local mode, over HTTP: every command, its refusals and their messages, exit codes,
 * --help everywhere, stable --json, no colour when not a TTY.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { main as mgov } from '../../cli/main';
import type { LocalApp } from '../../local/runner/local-app';
import { lifecycleCalls, serving } from '../harness/deployments';
import { startLocalApp } from '../harness/local-app';
import { eventually } from '../harness/local-aws';
import { registerVersion } from '../harness/registry';

const raw = {
  modelArtifactBuckets: ['cli-models'],
  groups: [
    {
      name: 'cli-group',
      modelCard: { owner: 'owner@example.com', riskRating: 'Low' },
      deployments: [{ endpointName: 'cli-prod' }],
    },
  ],
};
const dir = mkdtempSync(join(tmpdir(), 'mgov-cli-'));
const CONFIG = join(dir, 'config.json');
writeFileSync(CONFIG, JSON.stringify(raw));
const REFERENCE = join(__dirname, '..', 'fixtures', 'reference', 'metrics');

let app: LocalApp;
let savedEnv: NodeJS.ProcessEnv;
beforeAll(async () => {
  app = await startLocalApp(raw);
  savedEnv = { ...process.env };
  Object.assign(process.env, app.clientEnv('trainer'));
  await new S3Client({ forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: 'cli-models' }));
}, 360_000);
afterAll(async () => {
  process.env = savedEnv;
  await app?.stop();
});

async function run(args: string[], opts: { as?: string; tty?: boolean } = {}) {
  Object.assign(process.env, app.clientEnv(opts.as ?? 'trainer'));
  let out = '';
  let err = '';
  const code = await mgov(args.includes('--config') ? args : [...args, '--config', CONFIG], {
    out: (t) => {
      out += `${t}\n`;
    },
    err: (t) => {
      err += `${t}\n`;
    },
    isTTY: opts.tty ?? false,
    env: process.env,
    pollMs: 100,
  });
  return { code, out, err };
}

function manifest(name: string, body: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(body));
  return path;
}

const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';

describe('usage', () => {
  it('prints help for mgov and every command, and exits 0', async () => {
    const top = await run(['--help']);
    expect(top.code).toBe(0);
    for (const command of [
      'status',
      'approve',
      'reject',
      'register',
      'card',
      'lineage',
      'audit',
      'retry-deploy',
    ]) {
      expect(top.out).toContain(`  ${command} `);
      const help = await run([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.out.startsWith(`mgov ${command}`)).toBe(true);
    }
  });

  it('exits 2 with the problem and a hint on stderr for a wrong command line', async () => {
    expect(await run(['deploy'])).toEqual({
      code: 2,
      out: '',
      err: 'mgov: unknown command "deploy".\nhint: mgov --help\n',
    });
    expect(await run(['approve', 'cli-group', '1'])).toEqual({
      code: 2,
      out: '',
      err: 'mgov: approve needs --reason "…": the reason is kept with the version for the audit trail.\nhint: mgov approve --help\n',
    });
    expect((await run(['approve', 'cli-group', 'latest', '--reason', 'x'])).err).toContain(
      '"latest" is not a version number; use e.g. 3 or v3.',
    );
    expect((await run(['status', '--reason', 'x'])).err).toContain('status does not take --reason.');
    expect((await run(['card', 'cli-group', '1', '--format', 'pdf'])).err).toContain(
      '--format pdf is not available here; use one of markdown, html.',
    );
    expect((await run(['lineage'])).code).toBe(2);
    expect((await run(['status', '--bogus'])).err).toContain("Unknown option '--bogus'");
  });

  it('refuses a group the configuration does not govern, naming the ones it does', async () => {
    expect(await run(['status', 'nope'])).toEqual({
      code: 1,
      out: '',
      err: 'mgov: "nope" is not a governed group in this configuration.\nhint: governed groups: cli-group (or pass --config FILE)\n',
    });
  });
});

describe('register, approve, reject, status, card', () => {
  it('refuses a bad manifest, saying what is wrong', async () => {
    const bad = manifest('bad.json', {
      image: IMAGE,
      modelDataUrl: 'model.tar.gz',
      metrics: { 'Quality.Stats': 'x.json' },
    });
    const r = await run(['register', 'cli-group', '--manifest', bad]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('"modelDataUrl" is required: the s3:// URI of model.tar.gz');
    expect(r.err).toContain('metrics slot "Quality.Stats" is not a ModelMetrics slot');
    expect(r.err).toContain('metrics "Quality.Stats" is a local file; add "metricsBucket" to upload it to');
  });

  it('registers from a manifest, uploading local metrics files', async () => {
    const good = manifest('v1.json', {
      image: IMAGE,
      modelDataUrl: 's3://cli-models/m/model.tar.gz',
      metrics: { 'ModelQuality.Statistics': join(REFERENCE, 'evaluation.regression.sdk-integ-test.json') },
      metricsBucket: 'cli-models',
    });
    const r = await run(['register', 'cli-group', '--manifest', good, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      group: 'cli-group',
      version: 1,
      modelPackageArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/cli-group/1',
      approvalStatus: 'PendingManualApproval',
    });
  });

  it('refuses an unknown version, listing the ones there are', async () => {
    expect(await run(['approve', 'cli-group', '7', '--reason', 'x'], { as: 'approver' })).toEqual({
      code: 1,
      out: '',
      err: 'mgov: cli-group has no version 7.\nhint: its versions: v1\n',
    });
  });

  it('approves and follows the deployment with --wait, then refuses approving it again without --force', async () => {
    const r = await run(['approve', 'cli-group', 'v1', '--reason', 'looks good', '--wait'], {
      as: 'approver',
    });
    expect(r.code).toBe(0);
    expect(r.out).toBe('cli-group v1 Approved; following the deployment…\ncli-prod: serving (serves v1)\n');
    expect(r.err).toMatch(/cli-prod: InService, serving v1\n$/);
    const again = await run(['approve', 'cli-group', '1', '--reason', 'again'], { as: 'approver' });
    expect(again).toEqual({
      code: 1,
      out: '',
      err: 'mgov: cli-group v1 is already Approved.\nhint: add --force to set it Approved again with a new reason\n',
    });
    expect(
      (await run(['approve', 'cli-group', '1', '--reason', 'again', '--force'], { as: 'approver' })).code,
    ).toBe(0);
  });

  it('shows status as a table without colour off a terminal, and as stable JSON', async () => {
    await eventually(
      async () =>
        (await run(['status', '--json'])).out.includes('"cardStatus": "Approved"') ? true : undefined,
      'the card',
    );
    const table = await run(['status']);
    expect(table.code).toBe(0);
    expect(table.out).not.toContain('\u001b[');
    expect(table.out).toMatch(/^v1 +Approved +- +Approved +- +cli-prod +again$/m);
    expect(table.out).toMatch(
      /^cli-prod +cli-group +InService +v1 +cli-prod-v1-[0-9a-f]{8} +(-|\d+s|\d+m \d+s)$/m,
    );
    expect((await run(['status'], { tty: true })).out).toContain('\u001b[32mApproved');
    const json = JSON.parse((await run(['status', '--json'])).out);
    expect(json).toEqual({
      groups: [
        {
          name: 'cli-group',
          total: 1,
          versions: [
            {
              group: 'cli-group',
              version: 1,
              approvalStatus: 'Approved',
              cardStatus: 'Approved',
              servedBy: ['cli-prod'],
              approvalDescription: 'again',
              registeredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
            },
          ],
        },
      ],
      endpoints: [
        {
          group: 'cli-group',
          endpoint: 'cli-prod',
          status: 'InService',
          version: 1,
          config: expect.stringMatching(/^cli-prod-v1-/),
          settledAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          // v1 was approved again after it was deployed: its approval time is after the endpoint
          // settled, so no figure (approvalToServingSeconds); a first approval gets one (test/local/operations.test.ts).
        },
      ],
    });
  });

  it('renders the model card as Markdown and as HTML', async () => {
    const md = await run(['card', 'cli-group', '1']);
    expect(md.code).toBe(0);
    expect(md.out).toContain('# Model card cli-group-v1\n\nStatus: **Approved**');
    expect(md.out).toContain('- **Owner**: owner@example.com');
    expect(md.out).toContain('| mse | 4.92535 |');
    const html = await run(['card', 'cli-group', '1', '--format', 'html']);
    expect(html.out).toMatch(/^<!doctype html>/);
    expect(html.out).toContain('<dt>Owner</dt><dd>owner@example.com</dd>');
    expect(html.out).toContain('<tr><td>mse</td><td>4.92535</td></tr>');
  });

  it('rejects with --wait: the endpoint has nothing else approved, so it keeps serving and says so', async () => {
    const r = await run(['reject', 'cli-group', '1', '--reason', 'found a leak', '--wait'], {
      as: 'approver',
    });
    expect(r.code).toBe(0);
    expect(r.out).toContain('cli-prod: nothing approved to serve (serves v1)');
    expect((await run(['reject', 'cli-group', '1', '--reason', 'x'], { as: 'approver' })).err).toContain(
      'cli-group v1 is already Rejected.',
    );
  });

  it('reads the audit trail and provenance through the same binary', async () => {
    const sm = new SageMakerClient({});
    await serving(app, sm, 'cli-prod', 1);
    const audit = await run(['audit', 'cli-group']);
    expect(audit.out).toMatch(
      /cli-group v1 Rejected \(was Approved\) by arn:aws:iam::123456789012:user\/approver: "found a leak"/,
    );
    const json = JSON.parse((await run(['audit', 'cli-group', '--json'])).out) as { what: string }[];
    expect(json.map((e) => e.what)).toEqual(expect.arrayContaining(['registered', 'approval', 'deployment']));
    expect((await run(['lineage', '--endpoint', 'cli-prod', '--format', 'mermaid'])).out).toMatch(
      /^flowchart LR/,
    );
  });

  it('lists a target in another account without following it', async () => {
    const multi = join(dir, 'multi.json');
    writeFileSync(
      multi,
      JSON.stringify({
        ...raw,
        registry: { account: '123456789012', region: 'us-east-1' },
        groups: [
          {
            ...raw.groups[0],
            deployments: [
              { endpointName: 'cli-prod' },
              { endpointName: 'cli-remote', account: '222222222222' },
            ],
          },
        ],
      }),
    );
    const status = await run(['status', '--config', multi]);
    expect(status.out).toMatch(/^cli-remote +cli-group +in account 222222222222 +- +- +-$/m);
    expect(status.out).toMatch(/^cli-prod +cli-group +InService +v1 /m);
  });

  it('fails with a hint when the endpoint cannot be reached', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
    const lines: string[] = [];
    const r = await mgov(['status', '--config', CONFIG], {
      out: () => undefined,
      err: (t) => lines.push(t),
      isTTY: false,
      env: process.env,
    });
    Object.assign(process.env, app.clientEnv('trainer'));
    expect(r).toBe(1);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^mgov: \S+: /);
    expect(lines[1]).toBe(
      'hint: check your credentials and region (--region, --profile); AWS_ENDPOINT_URL is http://127.0.0.1:9: is npm run local running?',
    );
  });
});

describe('retry-deploy', () => {
  it('refuses an endpoint with nothing rolled back, and one the configuration does not name', async () => {
    expect(await run(['retry-deploy', 'cli-prod'])).toMatchObject({
      code: 1,
      err: expect.stringContaining(
        'mgov: cli-prod has no rolled-back deployment to retry: it is InService on cli-prod-v1-',
      ),
    });
    expect(await run(['retry-deploy', 'nope'])).toMatchObject({
      code: 1,
      err: 'mgov: no deployment target of the configuration is named nope.\nhint: the targets are: cli-prod\n',
    });
  });

  it('after a silent rollback the reconciler waits; the operator retries, and it deploys', async () => {
    const sm = new SageMakerClient({});
    await registerVersion(sm, 'cli-group', { createGroup: false }); // v2
    app.sagemaker.configure({ outcomes: { 'cli-prod': ['rollback-without-reason'] } });
    const approve = await run(['approve', 'cli-group', '2', '--reason', 'better', '--wait'], {
      as: 'approver',
    });
    expect(approve.code).toBe(1);
    expect(approve.err).toContain(
      'cli-prod: rolled back by SageMaker: no FailureReason given; when the cause is fixed: mgov retry-deploy cli-prod',
    );
    // The run ends on the target's outcome (rolled-back), named with its reason.
    expect(approve.err).toContain('mgov: cli-prod: rolled back by SageMaker: no FailureReason given');
    await app.idle();
    expect(lifecycleCalls(app, 'cli-prod').filter((c) => c.version === 2)).toHaveLength(1);

    const retry = await run(['retry-deploy', 'cli-prod', '--wait'], { as: 'operator' });
    expect(retry).toMatchObject({
      code: 0,
      out: 'cli-prod: deploying cli-group v2 again; following it…\ncli-prod: serving (serves v2)\n',
    });
    await serving(app, sm, 'cli-prod', 2);
    const calls = lifecycleCalls(app, 'cli-prod').filter((c) => c.version === 2);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.deploymentConfig).toMatchObject({ BlueGreenUpdatePolicy: expect.anything() });
    // Nothing left to retry.
    expect((await run(['retry-deploy', 'cli-prod'])).code).toBe(1);
  });
});
