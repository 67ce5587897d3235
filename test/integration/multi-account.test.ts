/**
 * Multi-account, end to end in local mode: the registry stack in account 111111111111,
 * the deployment stacks in 222222222222 (staging) and 333333333333 (production), each played in its
 * account on one moto; approvals forwarded by the registry's rule to the other accounts' buses, whose
 * policies are enforced; the reconcilers there reading the registry through the group's policy.
 * Every call over HTTP, each caller identified by its credentials (`<account>:<key>`).
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand, RemovePermissionCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackagesCommand,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { main as mgov } from '../../cli/main';
import type { LocalApp } from '../../local/runner/local-app';
import { startLocalApp } from '../harness/local-app';
import { eventually, uniqueName } from '../harness/local-aws';
import { registerVersion, setApproval } from '../harness/registry';

const REGISTRY = '111111111111';
const STAGING = '222222222222';
const PRODUCTION = '333333333333';
const OUTSIDER = '444444444444';
const REGION = 'eu-west-1';
const group = uniqueName('churn');
const staging = `${group}-staging`;
const production = `${group}-prod`;

let app: LocalApp;
const client = <C>(Client: new (config: object) => C, account: string, key = 'alice'): C =>
  new Client({
    endpoint: app.sagemaker.url,
    region: REGION,
    credentials: { accessKeyId: `${account}:${key}`, secretAccessKey: 'local' },
  });
const sagemaker = (account: string, key?: string) => client(SageMakerClient, account, key);

const raw = {
  registry: { account: REGISTRY, region: REGION },
  groups: [
    {
      name: group,
      deployments: [
        { endpointName: staging, account: STAGING },
        { endpointName: production, account: PRODUCTION },
      ],
    },
  ],
};

beforeAll(async () => {
  app = await startLocalApp(raw);
}, 240_000);
afterAll(async () => app?.stop());

const served = async (account: string, endpointName: string) => {
  const e = await sagemaker(account).send(new DescribeEndpointCommand({ EndpointName: endpointName }));
  return e.EndpointStatus === 'InService' ? e.EndpointConfigName : undefined;
};
const servesVersion = (account: string, endpointName: string, version: number) =>
  eventually(
    async () =>
      (await served(account, endpointName).catch(() => undefined))?.startsWith(`${endpointName}-v${version}-`)
        ? true
        : undefined,
    `${endpointName} in ${account} serving v${version}`,
    30_000,
  );

let v1: string;

it('deploys a version approved in the registry account to the staging account’s endpoint', async () => {
  const registry = sagemaker(REGISTRY);
  v1 = await registerVersion(registry, group, { createGroup: false });
  expect(v1).toBe(`arn:aws:sagemaker:${REGION}:${REGISTRY}:model-package/${group}/1`);
  await setApproval(registry, v1, 'Approved', 'AUC 0.91 on holdout');
  await servesVersion(STAGING, staging, 1);

  // The staging account's own reconciler made it, in its account, from the registry's version.
  const runs = app.invocations.filter(
    (i) =>
      i.functionName === 'reconcile-endpoint' &&
      i.outcome.ok &&
      JSON.stringify(i.outcome.result).includes(staging),
  );
  expect(runs.length).toBeGreaterThan(0);
  expect(new Set(runs.map((i) => i.account))).toEqual(new Set([STAGING]));
  expect(runs[0]?.event).toMatchObject({ account: REGISTRY, source: 'aws.sagemaker' });
  // The endpoint is the staging account's, not the registry's.
  await expect(served(REGISTRY, staging)).rejects.toThrow(/Could not find endpoint/);
  expect(app.forwardings.filter((f) => f.refused)).toEqual([]);
}, 360_000);

it('rolls the production account’s endpoint back when the newer version is rejected', async () => {
  await servesVersion(PRODUCTION, production, 1);
  const registry = sagemaker(REGISTRY);
  const v2 = await registerVersion(registry, group, { createGroup: false });
  await setApproval(registry, v2, 'Approved', 'better recall');
  await servesVersion(PRODUCTION, production, 2);
  await setApproval(registry, v2, 'Rejected', 'complaints about false positives');
  await servesVersion(PRODUCTION, production, 1);
  await servesVersion(STAGING, staging, 1);
}, 360_000);

it('refuses another account’s PutEvents to a deployment account’s bus', async () => {
  const bus = `arn:aws:events:${REGION}:${STAGING}:event-bus/default`;
  const forged = (account: string, detailType = 'SageMaker Model Package State Change') =>
    client(EventBridgeClient, account).send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: bus,
            Source: 'aws.sagemaker',
            DetailType: detailType,
            Detail: JSON.stringify({
              ModelPackageGroupName: group,
              ModelPackageArn: v1,
              ModelPackageVersion: 1,
              ModelApprovalStatus: 'Rejected',
            }),
          },
        ],
      }),
    );
  await app.idle();
  const before = app.invocations.length;
  const outsider = await forged(OUTSIDER);
  expect(outsider.FailedEntryCount).toBe(1);
  expect(outsider.Entries?.[0]).toEqual({
    ErrorCode: 'AccessDeniedException',
    ErrorMessage: `User: arn:aws:iam::${OUTSIDER}:user/alice is not authorized to perform: events:PutEvents on resource: ${bus} because no resource-based policy allows the events:PutEvents action`,
  });
  // Production may not write to staging's bus either; the registry only what the policy names.
  expect((await forged(PRODUCTION)).Entries?.[0]?.ErrorCode).toBe('AccessDeniedException');
  expect((await forged(REGISTRY, 'SageMaker Endpoint State Change')).Entries?.[0]?.ErrorCode).toBe(
    'AccessDeniedException',
  );
  await app.idle();
  // Nothing reached staging's reconciler (the forged rejection would have taken its endpoint down).
  expect(app.invocations.slice(before).filter((i) => i.account === STAGING)).toEqual([]);
  expect(app.sagemaker.buses.delivered.filter((d) => d.event.account !== REGISTRY)).toEqual([]);
  await servesVersion(STAGING, staging, 1);
}, 360_000);

it('refuses to list or describe versions to an account the group’s policy does not name', async () => {
  const groupArn = `arn:aws:sagemaker:${REGION}:${REGISTRY}:model-package-group/${group}`;
  const outsider = sagemaker(OUTSIDER);
  const denied = (action: string, resource: string) =>
    `User: arn:aws:iam::${OUTSIDER}:user/alice is not authorized to perform: sagemaker:${action} on resource: ${resource} because no resource-based policy allows the sagemaker:${action} action`;
  await expect(
    outsider.send(new ListModelPackagesCommand({ ModelPackageGroupName: groupArn })),
  ).rejects.toThrow(
    denied('ListModelPackages', `arn:aws:sagemaker:${REGION}:${REGISTRY}:model-package/${group}/*`),
  );
  await expect(
    outsider.send(new DescribeModelPackageCommand({ ModelPackageName: v1 })),
  ).rejects.toMatchObject({
    name: 'AccessDeniedException',
    message: denied('DescribeModelPackage', v1),
  });
  await expect(
    outsider.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: groupArn })),
  ).rejects.toThrow(denied('DescribeModelPackageGroup', groupArn));
  await expect(
    outsider.send(new UpdateModelPackageCommand({ ModelPackageArn: v1, ModelApprovalStatus: 'Rejected' })),
  ).rejects.toThrow(denied('UpdateModelPackage', v1));

  // The accounts the policy names can read; only their reconciler role may make a model of a version,
  // and nobody there may approve or reject it.
  const inStaging = sagemaker(STAGING);
  const listed = await inStaging.send(new ListModelPackagesCommand({ ModelPackageGroupName: groupArn }));
  expect(listed.ModelPackageSummaryList?.map((s) => s.ModelPackageArn)).toContain(v1);
  expect(
    (await inStaging.send(new DescribeModelPackageCommand({ ModelPackageName: v1 }))).ModelApprovalStatus,
  ).toBe('Approved');
  const model = (name: string) =>
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: `arn:aws:iam::${STAGING}:role/anything`,
      Containers: [{ ModelPackageName: v1 }],
    });
  await expect(inStaging.send(model(uniqueName('squat')))).rejects.toMatchObject({
    name: 'AccessDeniedException',
  });
  const reconcilerRole = sagemaker(STAGING, `role=model-governance-reconciler-${REGION}@by-hand`);
  await expect(reconcilerRole.send(model(uniqueName('by-reconciler-role')))).resolves.toBeDefined();
  await expect(
    inStaging.send(new UpdateModelPackageCommand({ ModelPackageArn: v1, ModelApprovalStatus: 'Rejected' })),
  ).rejects.toMatchObject({ name: 'AccessDeniedException' });
}, 360_000);

it('shows the endpoints of every account in mgov status, given a named profile per account', async () => {
  // Profiles as people keep them, one per account (locally, access key `<account>:<key>` is that
  // account's credentials); mgov itself runs with the registry account's.
  const dir = mkdtempSync(join(tmpdir(), 'mgov-profiles-'));
  const credentials = join(dir, 'credentials');
  writeFileSync(
    credentials,
    [STAGING, PRODUCTION]
      .map(
        (a, i) =>
          `[${i ? 'production' : 'staging'}]\naws_access_key_id = ${a}:operator\naws_secret_access_key = local\n`,
      )
      .join('\n'),
  );
  const config = join(dir, 'governance.json');
  writeFileSync(config, JSON.stringify(raw));
  const saved = { ...process.env };
  Object.assign(process.env, app.clientEnv('operator'), {
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_CONFIG_FILE: join(dir, 'config'),
  });
  const status = async (...profiles: string[]) => {
    let out = '';
    const code = await mgov(
      ['status', '--json', '--config', config, ...profiles.flatMap((p) => ['--account-profile', p])],
      { out: (t) => (out += t), err: () => undefined, isTTY: false, env: process.env },
    );
    expect(code).toBe(0);
    return (
      JSON.parse(out) as {
        endpoints: { endpoint: string; account?: string; status: string; version?: number }[];
      }
    ).endpoints;
  };
  try {
    expect(await status()).toEqual([
      { group, endpoint: staging, status: `in account ${STAGING}` },
      { group, endpoint: production, status: `in account ${PRODUCTION}` },
    ]);
    expect(await status(`${STAGING}=staging`, `${PRODUCTION}=production`)).toMatchObject([
      { endpoint: staging, account: STAGING, status: 'InService', version: 1 },
      { endpoint: production, account: PRODUCTION, status: 'InService', version: 1 },
    ]);
    // The wrong account's credentials do not see the endpoint: each account's own are needed.
    expect(await status(`${PRODUCTION}=staging`)).toContainEqual(
      expect.objectContaining({ endpoint: production, account: PRODUCTION, status: 'not created' }),
    );
  } finally {
    process.env = saved;
  }
}, 360_000);

it('sends an event the deployment account’s bus refuses to the registry’s forwarding dead-letter queue', async () => {
  // Production's bus no longer accepts the registry's events (its policy statement removed).
  await client(EventBridgeClient, PRODUCTION).send(
    new RemovePermissionCommand({ StatementId: `model-governance-from-${REGISTRY}` }),
  );
  const registry = sagemaker(REGISTRY);
  const v3 = await registerVersion(registry, group, { createGroup: false });
  const [dlqId] = [...app.resources.keys()].filter(
    (id) => id.includes(`DeadLetters${PRODUCTION}`) && !id.includes('Alarm'),
  );
  if (!dlqId) throw new Error('no forwarding dead-letter queue for the production account');
  const sqs = new SQSClient({
    endpoint: app.moto.url,
    region: REGION,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  sqs.middlewareStack.add(
    (next) => (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = REGISTRY;
      return next(args);
    },
    { step: 'build' },
  );
  const message = await eventually(async () => {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: app.physicalId(dlqId, REGISTRY),
        MessageAttributeNames: ['All'],
        WaitTimeSeconds: 1,
      }),
    );
    return out.Messages?.[0];
  }, 'the refused event in the forwarding dead-letter queue');
  expect(JSON.parse(String(message.Body))).toMatchObject({
    account: REGISTRY,
    'detail-type': 'SageMaker Model Package State Change',
    detail: { ModelPackageArn: v3 },
  });
  const attribute = (name: string) => message.MessageAttributes?.[name]?.StringValue;
  expect(attribute('ERROR_CODE')).toBe('CROSS_ACCOUNT_INGESTION_FAILED');
  expect(attribute('TARGET_ARN')).toBe(`arn:aws:events:${REGION}:${PRODUCTION}:event-bus/default`);
  expect(attribute('RULE_ARN')).toMatch(new RegExp(`^arn:aws:events:${REGION}:${REGISTRY}:rule/`));
  expect(attribute('ERROR_MESSAGE')).toMatch(/is not authorized to perform: events:PutEvents/);
  // Staging's bus still takes them: only the refused target's event is dead-lettered.
  expect(app.forwardings.filter((f) => f.refused).map((f) => f.busArn)).toEqual([
    `arn:aws:events:${REGION}:${PRODUCTION}:event-bus/default`,
  ]);
  sqs.destroy();
}, 360_000);
