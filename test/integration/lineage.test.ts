/**
 * Lineage, played by the local runner: approvals and deployments recorded in (the local endpoint's)
 * ML Lineage Tracking, read back as provenance and an audit timeline through mgov, over HTTP.
 */
import {
  ListActionsCommand,
  ListAssociationsCommand,
  ListContextsCommand,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { main as mgov } from '../../cli/main';
import type { LocalApp } from '../../local/runner/local-app';
import { reconcileOutcomes, replay, serving } from '../harness/deployments';
import { startLocalApp } from '../harness/local-app';
import { eventually } from '../harness/local-aws';
import { registerVersion } from '../harness/registry';

let app: LocalApp;
let savedEnv: NodeJS.ProcessEnv;
const client = (who: string) =>
  new SageMakerClient({
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId: who, secretAccessKey: 'x' },
  });
const arnOf = (v: number) => `arn:aws:sagemaker:us-east-1:123456789012:model-package/lin/${v}`;
const ENDPOINT_ARN = 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/lin-prod';

async function decide(who: string, version: number, status: 'Approved' | 'Rejected', reason: string) {
  await client(who).send(
    new UpdateModelPackageCommand({
      ModelPackageArn: arnOf(version),
      ModelApprovalStatus: status,
      ApprovalDescription: reason,
    }),
  );
}

async function run(args: string[]): Promise<string> {
  let text = '';
  let errors = '';
  const code = await mgov(args, {
    out: (t) => {
      text += t;
    },
    err: (t) => {
      errors += `${t}\n`;
    },
    isTTY: false,
    env: process.env,
  });
  if (code !== 0) throw new Error(`mgov ${args.join(' ')} exited ${code}: ${errors}`);
  return text;
}

beforeAll(async () => {
  app = await startLocalApp({
    groups: [{ name: 'lin', deployments: [{ endpointName: 'lin-prod', strategy: { type: 'canary' } }] }],
  });
  savedEnv = { ...process.env };
  Object.assign(process.env, app.clientEnv('auditor'));
  await registerVersion(client('trainer'), 'lin', { createGroup: false });
  await decide('ann', 1, 'Approved', 'AUC 0.91');
  await serving(app, client('x'), 'lin-prod', 1);
  await registerVersion(client('trainer'), 'lin', { createGroup: false });
  await decide('bob', 2, 'Approved', 'AUC 0.93');
  await serving(app, client('x'), 'lin-prod', 2);
  await decide('ann', 2, 'Rejected', 'drift in production');
  await serving(app, client('x'), 'lin-prod', 1);
  await app.idle();
}, 180_000);
afterAll(async () => {
  process.env = savedEnv;
  await app?.stop();
});

const lineageInvocations = () => app.invocations.filter((i) => i.functionName === 'lineage');

it('records every approval change with who, why and when, on SageMaker’s own model package artifact', async () => {
  const actions =
    (await client('x').send(new ListActionsCommand({ ActionType: 'ModelApproval', MaxResults: 100 })))
      .ActionSummaries ?? [];
  expect(actions).toHaveLength(5); // v1: registered, approved; v2: registered, approved, rejected
  const { graph } = await import('../../adapters/provenance').then(async (m) =>
    m.groupHistory(client('x'), 'lin'),
  );
  const { approvalsIn } = await import('../../domain/provenance');
  expect(approvalsIn(graph, arnOf(2)).map((a) => [a.status, a.previousStatus, a.by, a.reason])).toEqual([
    ['PendingManualApproval', undefined, 'arn:aws:iam::123456789012:user/trainer', undefined],
    ['Approved', 'PendingManualApproval', 'arn:aws:iam::123456789012:user/bob', 'AUC 0.93'],
    ['Rejected', 'Approved', 'arn:aws:iam::123456789012:user/ann', 'drift in production'],
  ]);
  // Attached to the artifact SageMaker made when v2 was registered; no second artifact.
  const artifacts = graph.vertices.filter((v) => v.lineageType === 'Artifact' && v.sourceUri === arnOf(2));
  expect(artifacts).toHaveLength(1);
  const links = await client('x').send(
    new ListAssociationsCommand({ SourceArn: artifacts[0]?.arn, DestinationType: 'ModelApproval' }),
  );
  expect(links.AssociationSummaries).toHaveLength(3);
});

it('records deployments and the rollback, linking the version to SageMaker’s endpoint context', async () => {
  const contexts =
    (await client('x').send(new ListContextsCommand({ SourceUri: ENDPOINT_ARN }))).ContextSummaries ?? [];
  expect(contexts).toHaveLength(1); // SageMaker's own, reused
  const deployments = (
    await client('x').send(
      new ListAssociationsCommand({
        DestinationArn: contexts[0]?.ContextArn,
        SourceType: 'GovernedDeployment',
      }),
    )
  ).AssociationSummaries;
  expect(deployments).toHaveLength(3);
  const p = JSON.parse(await run(['lineage', '--endpoint', 'lin-prod', '--format', 'json']));
  expect(
    p.history.map((d: { kind: string; version: number; previousVersion?: number; strategy: string }) => [
      d.kind,
      d.version,
      d.previousVersion,
      d.strategy,
    ]),
  ).toEqual([
    ['deployment', 1, undefined, 'new endpoint'],
    ['deployment', 2, 1, 'canary'],
    ['rollback', 1, 2, 'canary'],
  ]);
  expect(p.serving).toMatchObject({ modelPackageArn: arnOf(1), group: 'lin', version: 1 });
  expect(p.serving.inputs).toEqual(
    expect.arrayContaining([
      { kind: 'Model', uri: 's3://example-models/lin/model.tar.gz' },
      { kind: 'Image', uri: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1' },
    ]),
  );
});

it('adds nothing when events are delivered again', async () => {
  const count = async () =>
    (await client('x').send(new ListActionsCommand({ MaxResults: 100 }))).ActionSummaries?.length;
  const before = await count();
  await replay(app, app.sagemaker.events.emitted);
  await app.idle();
  expect(await count()).toBe(before);
  const redelivered = lineageInvocations()
    .slice(-5)
    .map((i) => (i.outcome.ok ? (i.outcome.result as { outcome: string }).outcome : 'failed'));
  expect(redelivered.every((o) => o === 'already-recorded' || o === 'ignored')).toBe(true);
  // Lineage recognised its own records (not merely ignored everything).
  expect(redelivered).toContain('already-recorded');
});

it('prints the live endpoint’s provenance as text and as a Mermaid diagram', async () => {
  const text = await run(['lineage', '--endpoint', 'lin-prod']);
  expect(text).toContain(`serves lin v1 (${arnOf(1)})`);
  expect(text).toContain('approved by arn:aws:iam::123456789012:user/ann');
  expect(text).toContain('"AUC 0.91"');
  const mermaid = (await run(['lineage', '--endpoint', 'lin-prod', '--format', 'mermaid'])).split('\n');
  expect(mermaid[0]).toBe('flowchart LR');
  const nodes = new Set<string>();
  for (const line of mermaid.slice(1)) {
    const nodeDef = /^ {2}(n\d+)(\["[^"]*"\]|\("[^"]*"\)|\[\("[^"]*"\)\])$/.exec(line);
    const edge = /^ {2}(n\d+) -->(\|[^|]+\|)? (n\d+)$/.exec(line);
    expect(nodeDef || edge).toBeTruthy();
    if (nodeDef) nodes.add(nodeDef[1] as string);
    if (edge) {
      expect(nodes.has(edge[1] as string)).toBe(true);
      expect(nodes.has(edge[3] as string)).toBe(true);
    }
  }
  expect(mermaid.join('\n')).toMatch(/lin v1"\]\n/);
  expect(mermaid.filter((l) => l.includes('-->'))).toHaveLength(4); // model, image → version → approval → endpoint
});

it('prints the group’s audit timeline in time order', async () => {
  const timeline = JSON.parse(await run(['audit', 'lin', '--format', 'json'])) as {
    what: string;
    version: number;
    text: string;
  }[];
  expect(timeline.map((e) => `${e.what} v${e.version}`)).toEqual([
    'registered v1',
    'approval v1',
    'deployment v1',
    'registered v2',
    'approval v2',
    'deployment v2',
    'approval v2',
    'rollback v1',
  ]);
  expect(timeline[6]?.text).toBe(
    'lin v2 Rejected (was Approved) by arn:aws:iam::123456789012:user/ann: "drift in production"',
  );
  expect(timeline[7]?.text).toBe('lin-prod rolled back to lin v1 from v2');
  expect(await run(['audit', 'lin'])).toContain('rollback    lin-prod rolled back to lin v1 from v2');
});

it('prints a version’s approvals and deployments as text', async () => {
  const text = await run(['lineage', '--version', arnOf(2)]);
  expect(text.split('\n')[0]).toBe(`lin v2 (${arnOf(2)})`);
  expect(text).toMatch(
    /Rejected \(was Approved\) by arn:aws:iam::123456789012:user\/ann: "drift in production"/,
  );
  expect(text).toMatch(/deployment on lin-prod, canary/);
  expect(text).not.toMatch(/^\{/);
});

it('refuses bad command lines with a hint', async () => {
  await expect(run(['lineage'])).rejects.toThrow(
    'lineage needs --endpoint NAME or --version MODEL_PACKAGE_ARN.',
  );
  await expect(run(['audit', 'lin', '--format', 'mermaid'])).rejects.toThrow(
    '--format mermaid is not available here; use one of text, json.',
  );
});

it('never lets a lineage failure block a deployment: it is retried, then dead-lettered', async () => {
  app.sagemaker.configure({ lineageLimits: { actions: 0 } });
  await registerVersion(client('trainer'), 'lin', { createGroup: false });
  await decide('ann', 3, 'Approved', 'ok');
  await serving(app, client('x'), 'lin-prod', 3);
  const dlq = app.physicalId('LineageHandlerDeadLetters');
  const moto = {
    endpoint: app.moto.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  };
  const dead = await eventually(async () => {
    const out = await new SQSClient(moto).send(
      new ReceiveMessageCommand({ QueueUrl: dlq, MessageAttributeNames: ['All'], WaitTimeSeconds: 1 }),
    );
    return out.Messages?.[0];
  }, 'a lineage dead letter');
  expect(dead.MessageAttributes?.ErrorCode?.StringValue).toBe('ResourceLimitExceeded');
});

it('records a rollback by SageMaker that left no FailureReason as rolled back', async () => {
  app.sagemaker.configure({
    lineageLimits: { actions: 3000 },
    outcomes: { 'lin-prod': ['rollback-without-reason'] },
  });
  const arn = await registerVersion(client('trainer'), 'lin', { createGroup: false });
  await decide('bob', Number(arn.split('/').pop()), 'Approved', 'ok');
  await eventually(
    async () => (reconcileOutcomes(app, 'lin-prod').includes('rolled-back') ? true : undefined),
    'the rollback report',
  );
  await app.idle();
  const p = JSON.parse(await run(['lineage', '--endpoint', 'lin-prod', '--format', 'json']));
  expect(p.history.at(-1)).toMatchObject({ kind: 'rolled-back', version: 3 });
});
