#!/usr/bin/env node
/**
 * npm run bench: measurements, not tests. Prints a table and writes bench/results/latest.json.
 *
 * 1. Handler cold start: each bundled handler's size and load time in a fresh node process over a
 *    bare node start (median of 10), beside the same handler bundled the CDK default way (SDK external).
 * 2. Approval to deployment call in local mode: p50/p95 over 100 approvals across 5 groups, and the
 *    SageMaker calls the reconciler makes per deployment.
 * 3. Scale in groups: synth time, template size and resource count for 1, 50, 200 and 500 groups,
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
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? Number.NaN;

function timeNode(args: string[], env: Record<string, string>, cwd: string): number {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    cwd,
    stdio: 'ignore',
  });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function synth(groups: number, withDeployments = true) {
  const outdir = mkdtempSync(join(tmpdir(), 'mgov-bench-'));
  const raw = {
    groups: Array.from({ length: groups }, (_, i) => ({
      name: `bench-group-${String(i).padStart(3, '0')}`,
      ...(withDeployments
        ? { deployments: [{ endpointName: `bench-endpoint-${String(i).padStart(3, '0')}` }] }
        : {}),
    })),
  };
  const start = Date.now();
  const { app, stack } = buildGovernanceApp({ config: parseGovernanceConfig(raw), appProps: { outdir } });
  app.synth();
  const ms = Date.now() - start;
  const templatePath = join(outdir, `${stack.stackName}.template.json`);
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as {
    Resources: Record<string, { Type: string; Properties?: { EventPattern?: unknown } }>;
  };
  const patterns = Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::Events::Rule')
    .map((r) => JSON.stringify(r.Properties?.EventPattern).length);
  // Each function's bundle (asset.<hash>) and handler name (its POWERTOOLS_SERVICE_NAME).
  const bundles = Object.values(template.Resources)
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
    outdir,
    bundles,
    ms,
    bytes: statSync(templatePath).size,
    resources: Object.keys(template.Resources).length,
    maxPattern: Math.max(...patterns),
    rules: patterns.length,
  };
}

function coldStart() {
  const { bundles } = synth(2);
  const env = {
    NOTIFICATION_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t',
    MODEL_EXECUTION_ROLE_ARN: 'arn:aws:iam::123456789012:role/r',
    AUDIT_EXPORT_S3_URI: 's3://b/p',
    AWS_REGION: 'us-east-1',
  };
  const bare = median(Array.from({ length: 10 }, () => timeNode(['-e', '0'], {}, ROOT)));
  const rows = [];
  for (const { handler, dir } of bundles) {
    const manifest = join(dir, 'governance-manifest.json');
    const ours =
      median(
        Array.from({ length: 10 }, () =>
          timeNode(
            ['-e', `require(${JSON.stringify(join(dir, 'index.js'))})`],
            { ...env, GOVERNANCE_MANIFEST_PATH: manifest },
            ROOT,
          ),
        ),
      ) - bare;
    // The CDK default: SDK left external (resolved from node_modules at load), no minification.
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
    const theirs =
      median(
        Array.from({ length: 10 }, () =>
          timeNode(
            ['-e', `require(${JSON.stringify(external)})`],
            { ...env, GOVERNANCE_MANIFEST_PATH: manifest, NODE_PATH: join(ROOT, 'node_modules') },
            ROOT,
          ),
        ),
      ) - bare;
    rows.push({
      handler,
      bytes: statSync(join(dir, 'index.js')).size,
      loadMs: round(ours),
      sdkExternalMs: round(theirs),
      ratio: round(ours / theirs, 2),
    });
  }
  return { bareNodeMs: round(bare), handlers: rows };
}

async function latency() {
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
  const latencies: number[] = [];
  let callsPerDeployment: string[] = [];
  try {
    await Promise.all(
      groups.map(async (group, g) => {
        for (let i = 0; i < 20; i++) {
          const arn = await registerVersion(sm, group, { createGroup: false });
          await new Promise((r) => setTimeout(r, 150));
          const mark = app.sagemaker.callLog.length;
          const start = Date.now();
          await setApproval(sm, arn, 'Approved', 'bench');
          const endpoint = `${group}-ep`;
          for (;;) {
            const call = app.sagemaker.endpoints.calls.find(
              (c) => c.endpointName === endpoint && c.at >= start,
            );
            if (call) {
              latencies.push(call.at - start);
              break;
            }
            if (Date.now() - start > 15_000) break;
            await new Promise((r) => setTimeout(r, 5));
          }
          // Let the endpoint settle before the next approval of this group.
          await new Promise((r) => setTimeout(r, 400));
          if (g === 0 && i === 1) {
            callsPerDeployment = app.sagemaker.callLog
              .slice(mark)
              .filter(
                (c) =>
                  c.caller === 'lambda-reconcile-endpoint' &&
                  c.at <=
                    (app.sagemaker.endpoints.calls.find((x) => x.endpointName === endpoint && x.at >= start)
                      ?.at ?? 0),
              )
              .map((c) => c.operation);
          }
        }
      }),
    );
  } finally {
    await app.stop();
  }
  return {
    approvals: latencies.length,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    callsPerDeployment,
  };
}

function round(n: number, digits = 0) {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
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
  console.log('\nApproval → Create/UpdateEndpoint in local mode (100 approvals, 5 groups)');
  const lat = await latency();
  results.approvalToDeployment = lat;
  console.log(`  p50 ${lat.p50Ms} ms, p95 ${lat.p95Ms} ms over ${lat.approvals} approvals`);
  console.log(
    `  SageMaker calls per deployment (reconciler, approval path): ${lat.callsPerDeployment.length}: ${lat.callsPerDeployment.join(', ')}`,
  );
  console.log('\nScale in groups (one deployment target each)');
  const scale = [];
  for (const n of [1, 50, 200, 500]) {
    const s = synth(n);
    const row = {
      groups: n,
      synthMs: s.ms,
      templateBytes: s.bytes,
      resources: s.resources,
      rules: s.rules,
      maxPatternChars: s.maxPattern,
      withinLimits: s.resources <= 500 && s.bytes <= 1_000_000 && s.maxPattern <= EVENT_PATTERN_MAX_CHARS,
    };
    scale.push(row);
    console.log(
      `  ${String(n).padStart(3)} groups: synth ${row.synthMs} ms, ${row.templateBytes} bytes, ${row.resources} resources, ${row.rules} rules (largest pattern ${row.maxPatternChars} chars) ${row.withinLimits ? 'within limits' : 'EXCEEDS a limit'}`,
    );
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
