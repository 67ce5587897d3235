/**
 * mgov retry-deploy refuses what the reconciler would hold: it asks the same planner's gates, over
 * the same fact reader. The hold here is a stage gate on a target without a card gate or separation
 * of duties: after SageMaker rolled v2 back, its registrant sets its stage themselves, so the policy
 * handler records the stage as not honoured, and the reconciler holds v2. mgov must not start it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateModelPackageCommand,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { main as mgov } from '../../cli/main';
import type { LocalApp } from '../../local/runner/local-app';
import { lifecycleCalls, serving } from '../harness/deployments';
import { startLocalApp } from '../harness/local-app';
import { eventually } from '../harness/local-aws';
import { setApproval } from '../harness/registry';

const raw = {
  groups: [
    { name: 'staged', deployments: [{ endpointName: 'staged-prod', serve: { stage: 'Production' } }] },
  ],
};
const CONFIG = join(mkdtempSync(join(tmpdir(), 'mgov-retry-held-')), 'config.json');
writeFileSync(CONFIG, JSON.stringify(raw));
const PRODUCTION = { Stage: 'Production', StageStatus: 'Approved' };

let app: LocalApp;
let savedEnv: NodeJS.ProcessEnv;
const as = (accessKeyId: string) =>
  new SageMakerClient({
    endpoint: app.sagemaker.url,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'local' },
  });

beforeAll(async () => {
  app = await startLocalApp(raw);
  savedEnv = { ...process.env };
}, 300_000);
afterAll(async () => {
  process.env = savedEnv;
  await app?.stop();
});

async function run(args: string[]) {
  Object.assign(process.env, app.clientEnv('role=Operator@olly'));
  let err = '';
  const code = await mgov([...args, '--config', CONFIG], {
    out: () => undefined,
    err: (t) => {
      err += `${t}\n`;
    },
    isTTY: false,
    env: process.env,
    pollMs: 100,
  });
  return { code, err };
}

async function register(pipeline: SageMakerClient): Promise<string> {
  const out = await pipeline.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: 'staged',
      ModelApprovalStatus: 'PendingManualApproval',
      InferenceSpecification: {
        Containers: [
          {
            Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
            ModelDataUrl: 's3://example-models/staged/model.tar.gz',
          },
        ],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
    }),
  );
  return String(out.ModelPackageArn);
}

/** The reconciler's outcomes for staged-prod, in order. */
function outcomes(): { outcome: string; code?: string; version?: number }[] {
  return app.invocations
    .filter((i) => i.functionName === 'reconcile-endpoint' && i.outcome.ok)
    .flatMap(
      (i) =>
        ((i.outcome.ok ? i.outcome.result : undefined) as { targets?: { result: { outcome: string } }[] })
          ?.targets ?? [],
    )
    .map((t) => t.result);
}

jest.setTimeout(300_000);

it('refuses to retry a rolled-back version the reconciler now holds, naming the hold by its code', async () => {
  const pipeline = as('role=Trainer@pipeline-run-1');
  const registrant = as('role=Trainer@promote-it-myself');
  const approver = as('role=Approver@ana');
  const promote = async (arn: string) => {
    await setApproval(approver, arn, 'Approved', 'reviewed');
    await approver.send(new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelLifeCycle: PRODUCTION }));
  };
  await promote(await register(pipeline));
  await serving(app, approver, 'staged-prod', 1);

  // v2 deploys and SageMaker rolls it back.
  app.sagemaker.configure({ outcomes: { 'staged-prod': ['rollback-without-reason'] } });
  const v2 = await register(pipeline);
  await promote(v2);
  await eventually(
    async () => (outcomes().some((o) => o.outcome === 'rolled-back') ? true : undefined),
    'the rollback of v2',
  );
  await app.idle();

  // Its registrant sets its stage again: the policy handler records that stage as not honoured.
  await registrant.send(new UpdateModelPackageCommand({ ModelPackageArn: v2, ModelLifeCycle: PRODUCTION }));
  await app.idle();
  await eventually(
    async () =>
      outcomes().some((o) => o.outcome === 'held' && o.code === 'stage-not-honoured' && o.version === 2) ||
      undefined,
    'the reconciler to hold v2 (stage-not-honoured)',
  );

  const retry = await run(['retry-deploy', 'staged-prod']);
  expect(retry.code).toBe(1);
  expect(retry.err).toContain('mgov: staged v2 is held (stage-not-honoured)');
  await app.idle();
  expect(lifecycleCalls(app, 'staged-prod').filter((c) => c.version === 2)).toHaveLength(1);
});
