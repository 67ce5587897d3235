/**
 * npm run demo -- --multi-account: the registry in 111111111111, staging in 222222222222 and
 * production in 333333333333, each stack played in its account. Approve in the registry account and
 * watch both endpoints follow in their own accounts, roll back on rejection, and find each record
 * where the README says it is kept: approvals (audit, cards, gate decisions) in the registry account,
 * deployments (lineage) in the account of the endpoint.
 */
import { join } from 'node:path';
import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { versionOfName } from '../core/naming';
import type { LocalApp } from '../local/runner/local-app';
import type { Run } from './run';

export const MULTI_ACCOUNT_CONFIG = join(__dirname, 'governance.multi-account.json');
export const REGISTRY = '111111111111';
export const PROFILES = [
  { account: '222222222222', profile: 'staging', endpoint: 'demo-churn-staging' },
  { account: '333333333333', profile: 'production', endpoint: 'demo-churn-prod' },
] as const;
const GROUP = 'demo-churn';
const PRODUCTION = PROFILES[1];

export interface Story {
  readonly app: LocalApp;
  readonly step: (
    title: string,
    who: string,
    args: string[],
    expect: (r: Run) => string | undefined,
  ) => Promise<Run>;
  readonly gateOf: (version: number) => Promise<string | undefined>;
  readonly failures: string[];
}

export async function multiAccountStory({ app, step, gateOf, failures }: Story): Promise<void> {
  /** What each endpoint serves, read with its own account's credentials (and where it is not). */
  const servedIn = async (account: string, endpoint: string) => {
    const client = new SageMakerClient({
      endpoint: app.sagemaker.url,
      region: app.region,
      credentials: { accessKeyId: app.accessKey('operator', account), secretAccessKey: 'local' },
    });
    try {
      const e = await client.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
      return e.EndpointStatus === 'InService'
        ? versionOfName(endpoint, e.EndpointConfigName ?? '')
        : undefined;
    } catch {
      return undefined;
    } finally {
      client.destroy();
    }
  };
  const bothServe = async (version: number) => {
    const seen = await Promise.all(PROFILES.map((p) => servedIn(p.account, p.endpoint)));
    const wrong = PROFILES.filter((_, i) => seen[i] !== version).map(
      (p, i) => `${p.endpoint} in ${p.account} serves ${seen[i] ?? 'nothing'}`,
    );
    return wrong.length ? `expected v${version} in both accounts: ${wrong.join('; ')}` : undefined;
  };

  await step(
    'A data scientist registers v1 in the registry account (111111111111)',
    'data-scientist',
    ['register', GROUP, '--manifest', join(__dirname, 'v1.json')],
    (r) =>
      /v1 registered/.test(r.out) && r.out.includes(`:${REGISTRY}:model-package/`) ? undefined : 'no v1',
  );
  await step(
    '…and v2',
    'data-scientist',
    ['register', GROUP, '--manifest', join(__dirname, 'v2.json')],
    (r) => (/v2 registered/.test(r.out) ? undefined : 'no v2'),
  );
  const gates = [await gateOf(1), await gateOf(2)];
  process.stdout.write(
    `\n  quality gate (mse <= 6), decided in the registry account: v1 ${gates[0]}, v2 ${gates[1]}\n`,
  );
  if (gates.some((g) => g !== 'passed'))
    failures.push(`quality gate: expected both versions to pass, got ${gates.join(', ')}`);

  await step(
    'An approver approves v1 in the registry account; staging (222222222222) and production (333333333333) follow',
    'approver',
    ['approve', GROUP, '1', '--reason', 'mse 4.9 on holdout; reviewed the card', '--wait'],
    () => undefined,
  );
  const afterV1 = await bothServe(1);
  if (afterV1) failures.push(afterV1);
  // Each endpoint is its own account's: the registry account has none of them.
  const inRegistry = await Promise.all(PROFILES.map((p) => servedIn(REGISTRY, p.endpoint)));
  if (inRegistry.some((v) => v !== undefined))
    failures.push('an endpoint is visible in the registry account');

  await step(
    'The approver approves v2: staging updates, production takes a canary first',
    'approver',
    ['approve', GROUP, '2', '--reason', 'weekly retrain, bias within bounds', '--wait'],
    () => {
      const last = app.sagemaker.endpoints.calls.filter((c) => c.endpointName === PRODUCTION.endpoint).at(-1);
      const canary = (
        last?.deploymentConfig as
          | { BlueGreenUpdatePolicy?: { TrafficRoutingConfiguration?: { Type?: string } } }
          | undefined
      )?.BlueGreenUpdatePolicy?.TrafficRoutingConfiguration?.Type;
      return last?.operation === 'UpdateEndpoint' && canary === 'CANARY'
        ? undefined
        : `expected a CANARY UpdateEndpoint of ${PRODUCTION.endpoint}, saw ${last?.operation} ${canary}`;
    },
  );
  const afterV2 = await bothServe(2);
  if (afterV2) failures.push(afterV2);

  await step(
    'v2 misbehaves: the approver rejects it in the registry account; both accounts go back to v1',
    'approver',
    ['reject', GROUP, '2', '--reason', 'complaints about false positives', '--wait'],
    (r) => (/serves v1|serving v1/.test(r.out) ? undefined : 'the endpoints are not back on v1'),
  );
  const afterReject = await bothServe(1);
  if (afterReject) failures.push(afterReject);

  await step(
    'A data scientist registers v3, trained on a truncated dataset',
    'data-scientist',
    ['register', GROUP, '--manifest', join(__dirname, 'v3-poor.json')],
    (r) => (/v3 registered/.test(r.out) ? undefined : 'no v3'),
  );
  const gate3 = await gateOf(3);
  if (gate3 !== 'failed') failures.push(`quality gate on v3: expected failed, got ${gate3}`);

  await step(
    'Status, with a profile per deployment account: every account’s endpoint',
    'auditor',
    ['status'],
    (r) =>
      PROFILES.every((p) =>
        new RegExp(`^${p.endpoint}\\s+${p.account}\\s+${GROUP}\\s+InService\\s+v1\\s`, 'm').test(r.out),
      )
        ? undefined
        : 'the endpoint table does not show v1 InService in both accounts',
  );
  await step(
    'The audit timeline, in the registry account (approvals, gate decisions)',
    'auditor',
    ['audit', GROUP],
    (r) => {
      const expected = [
        /demo-churn v1 Approved .*mse 4\.9 on holdout/,
        /demo-churn v2 Rejected .*false positives/,
        /demo-churn v3 Rejected .*Quality gate failed: mse <= 6: 9\.4 > 6/,
      ];
      const missing = expected.filter((e) => !e.test(r.out));
      return missing.length === 0 ? undefined : `missing ${missing.map(String).join(', ')}`;
    },
  );
  await step(
    'Provenance of the production endpoint, read in the production account (where deployments are recorded)',
    `${PRODUCTION.account}:auditor`,
    ['lineage', '--endpoint', PRODUCTION.endpoint],
    (r) => (/v1/.test(r.out) ? undefined : 'no deployment of v1 recorded for the production endpoint'),
  );
  process.stdout.write(
    `\n  handler runs by account: ${[
      ...new Set(app.invocations.map((i) => `${i.functionName} in ${i.account}`)),
    ]
      .sort()
      .join(', ')}\n`,
  );
  const reconcilerAccounts = new Set(
    app.invocations.filter((i) => i.functionName === 'reconcile-endpoint').map((i) => i.account),
  );
  if (reconcilerAccounts.has(REGISTRY) || reconcilerAccounts.size !== 2)
    failures.push(
      `the reconcilers ran in ${[...reconcilerAccounts].join(', ')}, not in the two deployment accounts`,
    );
}
