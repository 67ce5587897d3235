#!/usr/bin/env node
/**
 * npm run bench: measurements, not tests. Prints a table and writes bench/results/latest.json.
 *
 * 1. Handler cold start: each bundled handler's size and load time in a fresh node process over a
 *    bare node start (median of 10, interleaved, after warm-up), beside the same handler bundled
 *    the CDK default way (SDK left external).
 * 2. SageMaker calls per deployment on the approval path (one approval, in isolation).
 * 3. Approval to Create/UpdateEndpoint in local mode: p50/p95 over 100 approvals across 5 groups.
 * 4. Scale in groups: synth time, template size and resource count for 1, 50, 200 and 500 groups,
 *    against CloudFormation's limits (500 resources, 1 MB) and EventBridge's pattern limit.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { buildSync } from 'esbuild';
import { buildGovernanceApp } from '../lib/app';
import { parseGovernanceConfig } from '../lib/config/parse';
import { EVENT_PATTERN_MAX_CHARS } from '../lib/constructs/approval-events';
import { LAMBDA_ROOT } from '../lib/constructs/governed-function';
import { LocalApp } from '../local/runner/local-app';
import { registerVersion, setApproval } from '../test/harness/registry';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const ROOT = join(__dirname, '..');
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const percentile = (xs: number[], p: number) =>
  sorted(xs)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? Number.NaN;
const median = (xs: number[]) => percentile(xs, 50);
const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function timeNode(args: string[], env: Record<string, string>): number {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    cwd: ROOT,
    stdio: 'ignore',
  });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

function synth(groups: number) {
  const outdir = mkdtempSync(join(tmpdir(), 'mgov-bench-'));
  const n = (i: number) => String(i).padStart(3, '0');
  const raw = {
    groups: Array.from({ length: groups }, (_, i) => ({
      name: `bench-group-${n(i)}`,
      deployments: [{ endpointName: `bench-endpoint-${n(i)}` }],
    })),
  };
  const start = Date.now();
  const { app, stack } = buildGovernanceApp({ config: parseGovernanceConfig(raw), appProps: { outdir } });
  app.synth();
  const ms = Date.now() - start;
  const templatePath = join(outdir, `${stack.stackName}.template.json`);
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as Template;
  const resources = Object.values(template.Resources);
  const patterns = resources
    .filter((r) => r.Type === 'AWS::Events::Rule')
    .map((r) => JSON.stringify(r.Properties?.EventPattern).length);
  const bundles = resources
    .filter((r) => r.Type === 'AWS::Lambda::Function')
    .map((r) => {
      const p = r.Properties as {
        Code: { S3Key: string };
        Environment: { Variables: Record<string, string> };
      };
      return {
        handler: String(p.Environment.Variables.POWERTOOLS_SERVICE_NAME).replace(/^model-governance-/, ''),
        dir: join(outdir, `asset.${p.Code.S3Key.replace(/\.zip$/, '')}`),
      };
    });
  return {
    bundles,
    ms,
    bytes: statSync(templatePath).size,
    resources: resources.length,
    maxPattern: Math.max(...patterns),
    rules: patterns.length,
  };
}

function coldStart() {
  const env = {
    NOTIFICATION_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t',
    MODEL_EXECUTION_ROLE_ARN: 'arn:aws:iam::123456789012:role/r',
    AUDIT_EXPORT_S3_URI: 's3://b/p',
    AWS_REGION: 'us-east-1',
  };
  const rows = [];
  const bares: number[] = [];
  for (const { handler, dir } of synth(2).bundles) {
    const manifest = join(dir, 'governance-manifest.json');
    // The CDK default for Node.js 18+: the SDK left external (from node_modules here, from the runtime on Lambda).
    const external = join(mkdtempSync(join(tmpdir(), 'mgov-ext-')), 'index.js');
    buildSync({
      entryPoints: [join(LAMBDA_ROOT, handler, 'index.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['@aws-sdk/*'],
      outfile: external,
      logLevel: 'silent',
    });
    const bare = () => timeNode(['-e', '0'], env);
    const ours = () =>
      timeNode(['-e', `require(${JSON.stringify(join(dir, 'index.js'))})`], {
        ...env,
        GOVERNANCE_MANIFEST_PATH: manifest,
      });
    const theirs = () =>
      timeNode(['-e', `require(${JSON.stringify(external)})`], {
        ...env,
        GOVERNANCE_MANIFEST_PATH: manifest,
        NODE_PATH: join(ROOT, 'node_modules'),
      });
    for (let i = 0; i < 3; i++) {
      bare();
      ours();
      theirs();
    }
    const s = { bare: [] as number[], ours: [] as number[], theirs: [] as number[] };
    for (let i = 0; i < 10; i++) {
      s.bare.push(bare());
      s.ours.push(ours());
      s.theirs.push(theirs());
    }
    const b = median(s.bare);
    bares.push(b);
    const o = median(s.ours) - b;
    const t = median(s.theirs) - b;
    rows.push({
      handler,
      bytes: statSync(join(dir, 'index.js')).size,
      loadMs: round(o),
      sdkExternalMs: round(t),
      ratio: round(o / t, 2),
    });
  }
  return { bareNodeMs: round(median(bares)), handlers: rows };
}

async function approvals() {
  const groups = Array.from({ length: 5 }, (_, i) => `lat-${i}`);
  const app = await LocalApp.start({
    config: parseGovernanceConfig({
      groups: groups.map((name) => ({ name, deployments: [{ endpointName: `${name}-ep` }] })),
    }),
    outdir: mkdtempSync(join(tmpdir(), 'mgov-bench-local-')),
    timing: { createMs: 100, updateMs: 100 },
  });
  const sm = new SageMakerClient({
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'x' },
  });
  const firstCall = async (endpoint: string, since: number) => {
    for (;;) {
      const call = app.sagemaker.endpoints.calls.find((c) => c.endpointName === endpoint && c.at >= since);
      if (call) return call.at;
      if (Date.now() - since > 15_000) return undefined;
      await sleep(5);
    }
  };
  try {
    // API economy, in isolation: the reconciler's calls from one approval to its CreateEndpoint.
    const arn = await registerVersion(sm, 'lat-0', { createGroup: false });
    await app.idle(300);
    const mark = app.sagemaker.callLog.length;
    const start = Date.now();
    await setApproval(sm, arn, 'Approved', 'bench');
    const at = (await firstCall('lat-0-ep', start)) ?? 0;
    const calls = app.sagemaker.callLog
      .slice(mark)
      .filter((c) => c.caller === 'lambda-reconcile-endpoint' && c.at <= at);
    await sleep(500);
    await app.idle(300);

    const latencies: number[] = [];
    await Promise.all(
      groups.map(async (group) => {
        for (let i = 0; i < 20; i++) {
          const v = await registerVersion(sm, group, { createGroup: false });
          await sleep(150);
          const t0 = Date.now();
          await setApproval(sm, v, 'Approved', 'bench');
          const t1 = await firstCall(`${group}-ep`, t0);
          if (t1 !== undefined) latencies.push(t1 - t0);
          await sleep(400); // let the endpoint settle before this group's next approval
        }
      }),
    );
    return {
      callsPerDeployment: calls.map((c) => c.operation),
      approvals: latencies.length,
      p50Ms: median(latencies),
      p95Ms: percentile(latencies, 95),
    };
  } finally {
    await app.stop();
  }
}

async function main() {
  const results: Record<string, unknown> = {
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memoryGiB: round(totalmem() / 2 ** 30),
      node: process.version,
    },
    at: new Date().toISOString(),
  };
  console.log('Handler cold start (median of 10 fresh processes, over bare node)');
  const cold = coldStart();
  results.coldStart = cold;
  console.log(`  bare node: ${cold.bareNodeMs} ms`);
  for (const h of cold.handlers) {
    console.log(
      `  ${h.handler.padEnd(20)} ${String(h.bytes).padStart(8)} bytes  ${String(h.loadMs).padStart(4)} ms   SDK external: ${String(h.sdkExternalMs).padStart(4)} ms   ratio ${h.ratio}`,
    );
  }
  console.log('\nApprovals in local mode');
  const a = await approvals();
  results.approvals = a;
  console.log(
    `  SageMaker calls per deployment (approval path): ${a.callsPerDeployment.length}: ${a.callsPerDeployment.join(', ')}`,
  );
  console.log(
    `  approval → Create/UpdateEndpoint: p50 ${a.p50Ms} ms, p95 ${a.p95Ms} ms over ${a.approvals} approvals (5 groups at once)`,
  );
  console.log('\nScale in groups (one deployment target each)');
  const scale: Record<string, unknown>[] = [];
  for (const n of [1, 50, 200, 500]) {
    try {
      const s = synth(n);
      const within = s.resources <= 500 && s.bytes <= 1_000_000 && s.maxPattern <= EVENT_PATTERN_MAX_CHARS;
      scale.push({
        groups: n,
        synthMs: s.ms,
        templateBytes: s.bytes,
        resources: s.resources,
        rules: s.rules,
        maxPatternChars: s.maxPattern,
        withinLimits: within,
      });
      console.log(
        `  ${String(n).padStart(3)} groups: synth ${s.ms} ms, ${s.bytes} bytes, ${s.resources} resources, ${s.rules} rules (largest pattern ${s.maxPattern} chars): ${within ? 'within limits' : 'EXCEEDS a limit'}`,
      );
    } catch (error) {
      const reason = ((error as Error).message.split('\n')[0] ?? String(error)).slice(0, 200);
      scale.push({ groups: n, synthFailed: reason });
      console.log(`  ${String(n).padStart(3)} groups: does not synthesize as one stack: ${reason}`);
    }
  }
  results.scale = scale;
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('\nWritten to bench/results/latest.json');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
