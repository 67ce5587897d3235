/**
 * Property-style: random sequences of registrations, approvals, rejections, duplicate and reordered
 * event deliveries across groups, with random endpoint delays, always end with every endpoint
 * serving its desired version and no models or configs leaked beyond the retention count.
 * Seeded, so a failure reproduces.
 */
import {
  DescribeEndpointCommand,
  ListEndpointConfigsCommand,
  ListModelsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { versionOfName } from '../../core/naming';
import type { LocalApp } from '../../local/runner/local-app';
import { replay } from '../harness/deployments';
import { startLocalApp } from '../harness/local-app';
import { eventually } from '../harness/local-aws';
import { registerVersion, setApproval } from '../harness/registry';

const GROUPS = ['prop-a', 'prop-b', 'prop-c'];
const KEEP = 1;
let app: LocalApp;
let sagemaker: SageMakerClient;

beforeAll(async () => {
  app = await startLocalApp({
    groups: GROUPS.map((name) => ({
      name,
      deployments: [{ endpointName: `${name}-ep`, keepPreviousVersions: KEEP }],
    })),
  });
  sagemaker = new SageMakerClient({
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'p', secretAccessKey: 'x' },
  });
}, 360_000);
afterAll(async () => app?.stop());

/** mulberry32: a small seeded PRNG. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Status = 'Approved' | 'Rejected' | 'PendingManualApproval';
const registry = new Map<string, { arn: string; version: number; status: Status }[]>(
  GROUPS.map((g) => [g, []]),
);
const everApproved = new Set<string>();

async function play(seed: number, steps: number) {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(next() * items.length)];
  for (let step = 0; step < steps; step++) {
    const group = pick(GROUPS) as string;
    const versions = registry.get(group) ?? [];
    const roll = next();
    if (roll < 0.1) {
      app.sagemaker.configure({
        timing: { createMs: 50 + Math.floor(next() * 500), updateMs: 50 + Math.floor(next() * 500) },
      });
    } else if (roll < 0.35 || versions.length === 0) {
      const arn = await registerVersion(sagemaker, group, { createGroup: false });
      versions.push({ arn, version: versions.length + 1, status: 'PendingManualApproval' });
    } else if (roll < 0.65) {
      const v = pick(versions.filter((x) => x.status !== 'Approved'));
      if (v) {
        await setApproval(sagemaker, v.arn, 'Approved', `step ${step}`);
        v.status = 'Approved';
        everApproved.add(group);
      }
    } else if (roll < 0.85) {
      const v = pick(versions.filter((x) => x.status === 'Approved'));
      if (v) {
        await setApproval(sagemaker, v.arn, 'Rejected', `step ${step}`);
        v.status = 'Rejected';
      }
    } else {
      const emitted = app.sagemaker.events.emitted;
      const sample = Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(emitted)).filter(
        (e) => e !== undefined,
      );
      await replay(app, sample);
    }
    await new Promise((r) => setTimeout(r, Math.floor(next() * 120)));
  }
}

async function converged(): Promise<void> {
  for (const group of GROUPS) {
    const endpointName = `${group}-ep`;
    const approved = (registry.get(group) ?? []).filter((v) => v.status === 'Approved').map((v) => v.version);
    const desired = approved.length > 0 ? Math.max(...approved) : undefined;
    await eventually(
      async () => {
        const out = await sagemaker
          .send(new DescribeEndpointCommand({ EndpointName: endpointName }))
          .catch(() => undefined);
        if (out && out.EndpointStatus !== 'InService') return undefined;
        const served = out ? versionOfName(endpointName, out.EndpointConfigName ?? '') : undefined;
        if (!everApproved.has(group)) return out === undefined ? true : undefined; // never approved: no endpoint
        if (desired === undefined) return out ? true : undefined; // all rejected since: keeps serving
        return served === desired ? true : undefined;
      },
      `${endpointName} to serve v${desired}`,
      30_000,
    );
  }
  await app.idle(500, 60_000);
  for (const group of GROUPS) {
    const prefix = `${group}-ep-v`;
    const configs =
      (await sagemaker.send(new ListEndpointConfigsCommand({ NameContains: prefix }))).EndpointConfigs ?? [];
    const models = (await sagemaker.send(new ListModelsCommand({ NameContains: prefix }))).Models ?? [];
    expect(configs.length).toBeLessThanOrEqual(1 + KEEP);
    expect(models.length).toBeLessThanOrEqual(1 + KEEP);
  }
  expect(app.invocations.filter((i) => !i.outcome.ok)).toEqual([]);
}

it.each([
  [20261127, 45],
  [7, 45],
])(
  'converges after random sequence %i (%i steps)',
  async (seed, steps) => {
    await play(seed, steps);
    try {
      await converged();
    } catch (error) {
      const { lifecycleCalls, reconcileOutcomes } = await import('../harness/deployments');
      for (const g of GROUPS) {
        process.stderr.write(
          `\n${g}: ${JSON.stringify(registry.get(g)?.map((v) => [v.version, v.status]))}\n`,
        );
        process.stderr.write(
          `calls ${JSON.stringify(lifecycleCalls(app, `${g}-ep`).map((c) => [c.operation, c.version]))}\n`,
        );
        process.stderr.write(`outcomes ${JSON.stringify(reconcileOutcomes(app, `${g}-ep`))}\n`);
        const out = await sagemaker
          .send(new DescribeEndpointCommand({ EndpointName: `${g}-ep` }))
          .catch(() => undefined);
        process.stderr.write(
          `endpoint ${out?.EndpointStatus} ${out?.EndpointConfigName} ${out?.FailureReason}\n`,
        );
      }
      const failed = app.invocations.filter((i) => !i.outcome.ok).map((i) => i.outcome);
      process.stderr.write(`failed ${JSON.stringify(failed.slice(0, 3))}\n`);
      throw error;
    }
  },
  180_000,
);
