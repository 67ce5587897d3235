#!/usr/bin/env node
/**
 * npm run demo: a scripted scenario in local mode, played with mgov exactly as a person would type
 * it. Registers two versions, approves the first (deployed), approves the second (a shadow test on
 * a copy of live traffic, passed, then a canary update), rejects it (rollback), registers a third with poor metrics (rejected by the quality gate), then
 * prints status, a model card, the audit timeline and the provenance diagram. Exits 0 only if every
 * step had the expected outcome.
 *
 * npm run demo -- --multi-account: the same story across accounts (demo/multi-account.ts): the
 * registry in 111111111111, staging in 222222222222, production in 333333333333.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListInferenceExperimentsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { main as mgov } from '../cli/main';
import { loadGovernanceConfig } from '../core/config/load';
import { versionOfName } from '../core/naming';
import { PrerequisiteError } from '../local/prerequisites';
import { LocalApp } from '../local/runner/local-app';
import { MULTI_ACCOUNT_CONFIG, multiAccountStory, PROFILES } from './multi-account';

const MULTI = process.argv.includes('--multi-account');
const CONFIG = MULTI ? MULTI_ACCOUNT_CONFIG : join(__dirname, 'governance.demo.json');
const GROUP = 'demo-churn';
/**
 * Two SageMaker Studio users of one domain, both working as the domain's execution role; the domain
 * sets each session's SourceIdentity to the user profile (ExecutionRoleIdentityConfig:
 * USER_PROFILE_NAME), so separation of duties tells them apart (docs/studio-users.md).
 */
const ALICE = 'studio=d-demo@alice';
const BOB = 'studio=d-demo@bob';
const ENDPOINT = 'demo-churn-prod';
// The AWS SDK's Node.js-version warning (see bin/mgov.ts), once per run, is not for the user here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const colour = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (t: string) => (colour ? `\u001b[1m${t}\u001b[0m` : t);
const mark = (ok: boolean) =>
  ok ? (colour ? '\u001b[32m✔\u001b[0m' : 'OK') : colour ? '\u001b[31m✘\u001b[0m' : 'FAILED';

export interface Run {
  code: number;
  out: string;
  err: string;
}

async function main(): Promise<number> {
  const started = Date.now();
  const failures: string[] = [];
  process.stdout.write(
    bold(
      `Starting model-governance in local mode${MULTI ? ', across three accounts' : ''} (synth, moto, local SageMaker)…\n`,
    ),
  );
  const app = await LocalApp.start({
    config: loadGovernanceConfig(CONFIG),
    outdir: mkdtempSync(join(tmpdir(), 'mgov-demo-')),
    timing: { createMs: 1500, updateMs: 2000, deleteMs: 200 },
    retryDelaysMs: [200, 400],
    motoUrl: process.env.MOTO_URL || undefined,
    // The shadow check runs every 5 minutes in AWS; here every second.
    scheduleEveryMs: 1000,
  });
  // The hour-long shadow test lasts three seconds here.
  app.sagemaker.configure({ experimentMinuteMs: 50 });
  try {
    process.stdout.write(
      `ready in ${((Date.now() - started) / 1000).toFixed(1)} s; AWS_ENDPOINT_URL=${app.sagemaker.url}\n`,
    );
    const as = (who: string) => Object.assign(process.env, app.clientEnv(who));
    // Multi-account: a named profile per deployment account, as people keep them (locally an access
    // key id <account>:<name> is that account's), handed to mgov with --account-profile.
    const profileArgs: string[] = [];
    if (MULTI) {
      const dir = mkdtempSync(join(tmpdir(), 'mgov-demo-profiles-'));
      writeFileSync(
        join(dir, 'credentials'),
        PROFILES.map(
          (p) => `[${p.profile}]\naws_access_key_id = ${p.account}:operator\naws_secret_access_key = local\n`,
        ).join('\n'),
      );
      process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
      process.env.AWS_CONFIG_FILE = join(dir, 'config');
      for (const p of PROFILES) profileArgs.push('--account-profile', `${p.account}=${p.profile}`);
    }
    as(ALICE);
    const s3 = new S3Client({ forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'demo-models' }));
    // The training jobs' output: the quality gate pins it, and the reconciler deploys only what matches.
    for (const run of ['v1', 'v2', 'v3'])
      await s3.send(
        new PutObjectCommand({
          Bucket: 'demo-models',
          Key: `demo-churn/${run}/model.tar.gz`,
          Body: `model weights of training run ${run}`,
        }),
      );

    const step = async (
      title: string,
      who: string,
      args: string[],
      expect: (r: Run) => string | undefined,
    ) => {
      const scoped = /^(\d{12}):(.+)$/.exec(who);
      Object.assign(process.env, scoped ? app.clientEnv(scoped[2], scoped[1]) : app.clientEnv(who));
      const withProfiles = ['status', 'approve', 'reject'].includes(args[0] ?? '') ? profileArgs : [];
      process.stdout.write(
        `\n${bold(`▶ ${title}`)}\n  $ AWS_ACCESS_KEY_ID=${who} mgov ${[...args, ...withProfiles].map(shellQuote).join(' ')}\n`,
      );
      const r: Run = { code: 0, out: '', err: '' };
      r.code = await mgov([...args, '--config', CONFIG, ...withProfiles], {
        // Both streams as they come, in the order mgov writes them (as a terminal shows them).
        out: (t) => {
          r.out += `${t}\n`;
          process.stdout.write(`${t.replace(/^/gm, '  ')}\n`);
        },
        err: (t) => {
          r.err += `${t}\n`;
          process.stdout.write(`  ${t}\n`);
        },
        isTTY: false,
        env: process.env,
        pollMs: 250,
      });
      const problem = r.code !== 0 ? `exited ${r.code}` : expect(r);
      process.stdout.write(`  ${mark(!problem)} ${problem ?? 'as expected'}\n`);
      if (problem) failures.push(`${title}: ${problem}`);
      return r;
    };
    const served = () => app.sagemaker.endpoints.calls.filter((c) => c.endpointName === ENDPOINT);
    const gateOf = async (version: number) => {
      for (let i = 0; i < 100; i++) {
        as(ALICE);
        const r: Run = { code: 0, out: '', err: '' };
        await mgov(['status', GROUP, '--json', '--config', CONFIG], {
          out: (t) => {
            r.out += t;
          },
          err: () => undefined,
          isTTY: false,
          env: process.env,
        });
        const v = (JSON.parse(r.out).groups[0].versions as { version: number; gate?: string }[]).find(
          (x) => x.version === version,
        );
        if (v?.gate) return v.gate;
        await new Promise((res) => setTimeout(res, 100));
      }
      return undefined;
    };

    if (MULTI) {
      await multiAccountStory({ app, step, gateOf, failures });
      return summary();
    }
    await step(
      'Alice, a data scientist in SageMaker Studio, registers v1 (metrics: a SageMaker Pipelines evaluation)',
      ALICE,
      ['register', GROUP, '--manifest', join(__dirname, 'v1.json')],
      (r) => (/v1 registered/.test(r.out) ? undefined : 'no v1'),
    );
    await step(
      '…and v2 (model-quality statistics and a Clarify bias report)',
      ALICE,
      ['register', GROUP, '--manifest', join(__dirname, 'v2.json')],
      (r) => (/v2 registered/.test(r.out) ? undefined : 'no v2'),
    );
    const gates = [await gateOf(1), await gateOf(2)];
    process.stdout.write(`\n  quality gate (mse <= 6): v1 ${gates[0]}, v2 ${gates[1]}\n`);
    if (gates.some((g) => g !== 'passed'))
      failures.push(`quality gate: expected both versions to pass, got ${gates.join(', ')}`);

    await step(
      'Bob, another Studio user of the same domain and execution role, approves v1 and waits for the deployment',
      BOB,
      ['approve', GROUP, '1', '--reason', 'mse 4.9 on holdout; reviewed the card', '--wait'],
      () => {
        const c = served();
        return c.length === 1 &&
          c[0]?.operation === 'CreateEndpoint' &&
          versionOfName(ENDPOINT, c[0].endpointConfigName ?? '') === 1
          ? undefined
          : `expected CreateEndpoint on v1, saw ${JSON.stringify(c.map((x) => x.operation))}`;
      },
    );
    // While v2's shadow test runs, live traffic is copied to it; SageMaker publishes both variants'
    // latency and errors to CloudWatch. Locally, the figures are set: v2 is as fast and as reliable.
    const figuresFed = feedShadowFigures(app, ENDPOINT, 2);
    await step(
      'Bob approves v2: first a shadow test on a copy of live traffic, then a canary update',
      BOB,
      ['approve', GROUP, '2', '--reason', 'weekly retrain, bias within bounds', '--wait'],
      () => {
        const passed = app.invocations.some((i) =>
          JSON.stringify(i.outcome.ok ? i.outcome.result : {}).includes('"shadowPassed"'),
        );
        if (!passed) return 'v2 deployed without passing a shadow test';
        const c = served().at(-1);
        const canary = (
          c?.deploymentConfig as
            | { BlueGreenUpdatePolicy?: { TrafficRoutingConfiguration?: { Type?: string } } }
            | undefined
        )?.BlueGreenUpdatePolicy?.TrafficRoutingConfiguration?.Type;
        return c?.operation === 'UpdateEndpoint' &&
          versionOfName(ENDPOINT, c.endpointConfigName ?? '') === 2 &&
          canary === 'CANARY'
          ? undefined
          : `expected a CANARY UpdateEndpoint to v2, saw ${c?.operation} ${canary}`;
      },
    );
    await figuresFed;
    await step(
      'v2 misbehaves: Bob rejects it, and the endpoint goes back to v1',
      BOB,
      ['reject', GROUP, '2', '--reason', 'complaints about false positives', '--wait'],
      (r) =>
        /serves v1/.test(r.out) && versionOfName(ENDPOINT, served().at(-1)?.endpointConfigName ?? '') === 1
          ? undefined
          : 'endpoint is not back on v1',
    );
    await step(
      'Alice registers v3, trained on a truncated dataset',
      ALICE,
      ['register', GROUP, '--manifest', join(__dirname, 'v3-poor.json')],
      (r) => (/v3 registered/.test(r.out) ? undefined : 'no v3'),
    );
    const gate3 = await gateOf(3);
    if (gate3 !== 'failed') failures.push(`quality gate on v3: expected failed, got ${gate3}`);

    await step(
      'Status: versions, approvals, gate decisions, cards, and what the endpoint serves',
      'auditor',
      ['status'],
      (r) => {
        const lines = r.out.split('\n');
        const row = (v: number) => lines.find((l) => l.startsWith(`v${v} `)) ?? '';
        if (!/Approved/.test(row(1)) || !/demo-churn-prod/.test(row(1)))
          return 'v1 is not shown Approved and served';
        if (!/Rejected/.test(row(2))) return 'v2 is not shown Rejected';
        if (!/Rejected\s.*failed.*Quality gate failed: mse <= 6: 9\.4 > 6/.test(row(3)))
          return "v3 is not shown Rejected with the gate's reason";
        return /demo-churn-prod\s+demo-churn\s+InService\s+v1/.test(r.out)
          ? undefined
          : 'the endpoint table does not show v1 InService';
      },
    );
    await step("v1's model card, as an auditor reads it", 'auditor', ['card', GROUP, '1'], (r) =>
      /^# Model card demo-churn-v1/.test(r.out) &&
      /Status: \*\*Approved\*\*/.test(r.out) &&
      /\| mse \| 4\.92535 \|/.test(r.out)
        ? undefined
        : 'the card is not the approved v1 card with its mse',
    );
    await step('The audit timeline', 'auditor', ['audit', GROUP], (r) => {
      const expected = [
        /demo-churn v1 Approved .*mse 4\.9 on holdout/,
        /demo-churn-prod serves demo-churn v1/,
        /demo-churn v2 Rejected .*false positives/,
        /demo-churn-prod rolled back to demo-churn v1 from v2/,
        /demo-churn v3 Rejected .*Quality gate failed: mse <= 6: 9\.4 > 6/,
      ];
      const missing = expected.filter((e) => !e.test(r.out));
      return missing.length === 0 ? undefined : `missing ${missing.map(String).join(', ')}`;
    });
    await step(
      'Provenance of the endpoint, as a Mermaid diagram',
      'auditor',
      ['lineage', '--endpoint', ENDPOINT, '--format', 'mermaid'],
      (r) => (/^flowchart/m.test(r.out) && /v1/.test(r.out) ? undefined : 'no diagram of v1'),
    );
  } finally {
    await app.stop();
  }
  return summary();

  function summary(): number {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (failures.length > 0) {
      process.stdout.write(
        `\n${mark(false)} demo failed after ${seconds} s:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`,
      );
      return 1;
    }
    process.stdout.write(`\n${mark(true)} every step had the expected outcome (${seconds} s)\n`);
    return 0;
  }
}

/**
 * Once the shadow test of `version` runs, sets both variants' figures as SageMaker would publish
 * them (POST /_local/variant-metrics): ModelLatency samples in microseconds, invocations, 5XX errors.
 */
async function feedShadowFigures(app: LocalApp, endpointName: string, version: number): Promise<void> {
  const sagemaker = new SageMakerClient({ endpoint: app.sagemaker.url, region: 'us-east-1' });
  for (let i = 0; i < 600; i++) {
    const list = await sagemaker.send(
      new ListInferenceExperimentsCommand({ NameContains: `${endpointName}-v${version}-` }),
    );
    if (list.InferenceExperiments?.some((e) => e.Status === 'Running')) {
      const latencies = (ms: number) => Array.from({ length: 200 }, (_, n) => (ms - 10 + (n % 20)) * 1000);
      await fetch(`${app.sagemaker.url}/_local/variant-metrics`, {
        method: 'POST',
        body: JSON.stringify([
          {
            endpointName,
            variantName: 'AllTraffic',
            invocations: 1000,
            invocation5xxErrors: 1,
            modelLatencyMicros: latencies(40),
          },
          {
            endpointName,
            variantName: 'Shadow',
            invocations: 200,
            invocation5xxErrors: 0,
            modelLatencyMicros: latencies(42),
          },
        ]),
      });
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A missing prerequisite is one line saying what to run; anything else is a bug: its stack.
    const e = error as Error;
    process.stderr.write(`demo: ${e instanceof PrerequisiteError ? e.message : (e.stack ?? String(e))}\n`);
    process.exitCode = 1;
  },
);

/** An argument as a shell reads it back: quoted when it holds anything but safe characters. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}
