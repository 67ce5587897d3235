/**
 * The synthesized templates, interpreted as CloudFormation would create them in moto and the local
 * SageMaker: the resources handlers need (keys, roles, topics, queues, buckets, model package groups
 * with their policies, bus policies), each function as a pool of processes running its bundle with
 * the template's environment, and each rule with a queue per target for delivery.ts. A redeploy
 * updates functions and rules in place and says so as CloudFormation does (UPDATE_COMPLETE).
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  type EventBridgeClient,
  PutEventsCommand,
  PutPermissionCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateBucketCommand,
  type ObjectLockConfiguration,
  PutObjectLockConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateModelPackageGroupCommand,
  PutModelPackageGroupPolicyCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { buildGovernanceApp } from '../../bin/governance-app';
import type { GovernanceConfig } from '../../core/config/types';
import { CLOUDFORMATION_EVENT_SOURCE, STACK_STATUS_CHANGE } from '../../core/events';
import { ACCOUNT_ID } from '../sagemaker/protocol';
import { type PhysicalResource, resolve } from './cfn';
import type { Delivery, InstalledRule, LocalFunction } from './delivery';
import { FunctionPool } from './function-pool';
import {
  clientConfig,
  clientConfigEnv,
  handlerLogEntry,
  inMotoAccount,
  type Json,
  LOCAL_REGION,
  type LocalLogEntry,
} from './support';

export type Resource = { Type: string; Properties?: Json };
export type Template = { Resources: Record<string, Resource> };
export type AssetFiles = Record<string, { source: { path: string } }>;
export type Assembly = ReturnType<ReturnType<typeof buildGovernanceApp>['app']['synth']>;

/** One stack of the assembly, played in its own account. */
export interface StackPlay {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly resources: Map<string, PhysicalResource>;
  readonly rules: InstalledRule[];
  /** What Ref AWS::StackId gives, shaped as CloudFormation's (arn:…:stack/<name>/<id>). */
  readonly stackId: string;
  /** The template last deployed (redeploy compares the next one with it). */
  template: Template;
}

/** What provisioning needs from the app it provisions. */
export interface ProvisionHost {
  readonly motoUrl: string;
  readonly sagemakerUrl: string;
  readonly multiAccount: boolean;
  /** Processes per function. */
  readonly concurrency: number;
  clients(account: string): { sqs: SQSClient; events: EventBridgeClient };
  /** The access key id that calls the local endpoint as `key` of `account`. */
  accessKey(key: string, account: string): string;
  readonly log: (entry: LocalLogEntry) => void;
}

/**
 * Synthesizes the app for local mode into outdir (emptied first): the registry's groups in one
 * stack (a few hundred groups fit one stack's worth of local resources; CloudFormation's limits do
 * not apply); a multi-account app adds one stack per deployment account, each played in its account.
 */
export function synthesize(config: GovernanceConfig, outdir: string): Assembly {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  // Loaded here only: playing another app's assembly (mgov local --app) needs none of our app's
  // synthesis, nor its cdk-nag checks (a development dependency the installed package may lack).
  const { buildGovernanceApp: build } = require('../../bin/governance-app') as {
    buildGovernanceApp: typeof buildGovernanceApp;
  };
  return build({ config: { ...config, stacks: 1 }, appProps: { outdir } }).app.synth();
}

/** A cloud assembly from somewhere other than the configuration: a CDK app's command, or a folder. */
export interface AssemblySource {
  /** What it is, for the log ("the app `npx tsx app.ts`"). */
  readonly describe: string;
  synth(outdir: string): Promise<Assembly>;
}

/** The assembly to play: the configuration's app, or the other app's (its source synthesizes it). */
export async function synthesizeFrom(
  options: { readonly config?: GovernanceConfig; readonly assembly?: AssemblySource },
  outdir: string,
): Promise<Assembly> {
  if (options.config) return synthesize(options.config, outdir);
  if (options.assembly) {
    rmSync(outdir, { recursive: true, force: true });
    mkdirSync(outdir, { recursive: true });
    return options.assembly.synth(outdir);
  }
  throw new Error('Nothing to play: give the local app a governance configuration or a CDK app.');
}

/**
 * Where another app plays: the region and account of its first stack with a concrete environment
 * (the registry's, in an app laid out as ours), else the local defaults.
 */
export function assemblyHome(assembly: Assembly): { region: string; account: string } {
  const concrete = (v: string) => Boolean(v) && !v.startsWith('unknown-');
  const stack = assembly.stacks.find((s) => concrete(s.environment.account));
  return {
    region: stack && concrete(stack.environment.region) ? stack.environment.region : LOCAL_REGION,
    account: stack ? stack.environment.account : ACCOUNT_ID,
  };
}

export function assetFilesOf(outdir: string, stack: { stackName: string }): AssetFiles {
  return (
    JSON.parse(readFileSync(join(outdir, `${stack.stackName}.assets.json`), 'utf8')) as { files: AssetFiles }
  ).files;
}

/** A local stack id, shaped as CloudFormation's (arn:…:stack/<name>/<id>). */
export function localStackId(stack: { name: string; account: string; region: string }): string {
  return `arn:aws:cloudformation:${stack.region}:${stack.account}:stack/${stack.name}/local`;
}

/**
 * Creates a stack's resources, functions and rules. Rule targets' deliveries are returned for
 * delivery.ts to start; functions go into `functions` under `<stack>/<logical id>`.
 */
export async function provisionStack(
  host: ProvisionHost,
  stack: StackPlay,
  functions: Map<string, LocalFunction>,
  outdir: string,
  assetFiles: AssetFiles,
): Promise<{ readonly delivery: Delivery; readonly scheduled: boolean }[]> {
  const entries = Object.entries(stack.template.Resources);
  await createResources(host, stack, entries);
  for (const [id, r] of entries) {
    if (r.Type === 'AWS::Lambda::Function')
      functions.set(`${stack.name}/${id}`, localFunction(host, stack, id, r, entries, outdir, assetFiles));
  }
  const deliveries: { delivery: Delivery; scheduled: boolean }[] = [];
  for (const [id, r] of entries) {
    if (r.Type !== 'AWS::Events::Rule') continue;
    const rule = await installRule(host, stack, id, r);
    for (const delivery of await ruleTargets(host, stack, rule, r, functions))
      deliveries.push({ delivery, scheduled: rule.pattern === undefined });
  }
  return deliveries;
}

/**
 * Applies a changed template to a running stack, as `cdk deploy` does: each function gets its new
 * bundle and environment (the old one's processes stop), each rule its new pattern; then the
 * stack's UPDATE_COMPLETE on its account's default bus. The caller has checked that no resource
 * the runner provisions was added or removed (changedResources).
 */
export async function updateStack(
  host: ProvisionHost,
  stack: StackPlay,
  template: Template,
  functions: Map<string, LocalFunction>,
  outdir: string,
  assetFiles: AssetFiles,
): Promise<void> {
  const entries = Object.entries(template.Resources);
  for (const [id, r] of entries) {
    if (r.Type === 'AWS::Lambda::Function') {
      const key = `${stack.name}/${id}`;
      const previous = functions.get(key);
      functions.set(key, localFunction(host, stack, id, r, entries, outdir, assetFiles));
      await previous?.pool.stop();
    } else if (r.Type === 'AWS::Events::Rule') {
      await installRule(host, stack, id, r);
    }
  }
  stack.template = template;
  await host.clients(stack.account).events.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: CLOUDFORMATION_EVENT_SOURCE,
          DetailType: STACK_STATUS_CHANGE,
          Resources: [stack.stackId],
          Detail: JSON.stringify({
            'stack-id': stack.stackId,
            'status-details': { status: 'UPDATE_COMPLETE', 'status-reason': '' },
          }),
        },
      ],
    }),
  );
}

/** Logical ids of the resources the runner provisions that one template has and the other lacks. */
export function changedResources(before: Template, after: Template): string[] {
  const provisioned = (t: Template) =>
    new Set(
      Object.entries(t.Resources)
        .filter(([, r]) => PROVISIONED_TYPES.includes(r.Type))
        .map(([id]) => id),
    );
  const [a, b] = [provisioned(before), provisioned(after)];
  return [
    ...[...b].filter((id) => !a.has(id)).map((id) => `${id} (added)`),
    ...[...a].filter((id) => !b.has(id)).map((id) => `${id} (removed)`),
  ];
}

const PROVISIONED_TYPES = [
  'AWS::KMS::Key',
  'AWS::IAM::Role',
  'AWS::Logs::LogGroup',
  'AWS::SNS::Topic',
  'AWS::SQS::Queue',
  'AWS::S3::Bucket',
  'AWS::SageMaker::ModelPackageGroup',
  'AWS::Events::EventBusPolicy',
  'AWS::Lambda::Function',
  'AWS::Events::Rule',
];

function contextOf(stack: StackPlay) {
  return { region: stack.region, account: stack.account, resources: stack.resources, stackId: stack.stackId };
}

/** The resources other resources refer to, then the registry's groups, bus policies and function ARNs. */
async function createResources(
  host: ProvisionHost,
  stack: StackPlay,
  entries: readonly [string, Resource][],
): Promise<void> {
  const { account, region } = stack;
  const clients = host.clients(account);
  const sm = new SageMakerClient(
    clientConfig(host.sagemakerUrl, host.accessKey('local-runner', account), region),
  );
  const sns = inMotoAccount(new SNSClient(clientConfig(host.motoUrl, 'local-runner', region)), account);
  const s3 = inMotoAccount(
    new S3Client({ ...clientConfig(host.motoUrl, 'local-runner', region), forcePathStyle: true }),
    account,
  );
  const arnOf = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;
  const set = (id: string, ref: string, attributes: Record<string, string> = {}) =>
    stack.resources.set(id, { ref, attributes: { Arn: ref, ...attributes } });
  const ctx = contextOf(stack);

  // Resources that other resources refer to, in dependency-free order.
  for (const [id, r] of entries) {
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::KMS::Key':
        set(id, `${id}-local-key`, { Arn: arnOf('kms', `key/${id}`) });
        break;
      case 'AWS::IAM::Role': {
        // Named as the template names it (RoleName: resource policies name such roles), else by logical id.
        const name = typeof p.RoleName === 'string' ? p.RoleName : id;
        set(id, name, { Arn: `arn:aws:iam::${account}:role/${name}` });
        break;
      }
      case 'AWS::Logs::LogGroup':
        set(id, `/local/${id}`);
        break;
      case 'AWS::SNS::Topic': {
        const out = await sns.send(new CreateTopicCommand({ Name: id }));
        set(id, String(out.TopicArn), { TopicName: id });
        break;
      }
      case 'AWS::SQS::Queue': {
        const out = await clients.sqs.send(new CreateQueueCommand({ QueueName: id }));
        set(id, String(out.QueueUrl), { Arn: arnOf('sqs', id), QueueName: id });
        break;
      }
      case 'AWS::S3::Bucket': {
        const name =
          typeof p.BucketName === 'string' ? p.BucketName : `local-${id.toLowerCase()}`.slice(0, 63);
        // Object Lock as CloudFormation sets it: enabled at creation, then the default retention.
        const lock = p.ObjectLockConfiguration as ObjectLockConfiguration | undefined;
        await s3.send(
          new CreateBucketCommand({
            Bucket: name,
            ...(p.ObjectLockEnabled === true ? { ObjectLockEnabledForBucket: true } : {}),
          }),
        );
        if (p.ObjectLockEnabled === true && lock)
          await s3.send(
            new PutObjectLockConfigurationCommand({ Bucket: name, ObjectLockConfiguration: lock }),
          );
        set(id, name, { Arn: `arn:aws:s3:::${name}` });
        break;
      }
      default:
        break;
    }
  }
  for (const [id, r] of entries) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::SageMaker::ModelPackageGroup') {
      const name = String(p.ModelPackageGroupName);
      const out = await sm.send(
        new CreateModelPackageGroupCommand({
          ModelPackageGroupName: name,
          ModelPackageGroupDescription: p.ModelPackageGroupDescription as string | undefined,
        }),
      );
      // CloudFormation sets the group's resource policy with PutModelPackageGroupPolicy.
      if (p.ModelPackageGroupPolicy !== undefined) {
        const policy = resolve(p.ModelPackageGroupPolicy, ctx);
        await sm.send(
          new PutModelPackageGroupPolicyCommand({
            ModelPackageGroupName: name,
            ResourcePolicy: typeof policy === 'string' ? policy : JSON.stringify(policy),
          }),
        );
      }
      set(id, name, { ModelPackageGroupArn: String(out.ModelPackageGroupArn) });
    }
    if (r.Type === 'AWS::Events::EventBusPolicy') {
      // CloudFormation's EventBusPolicy with a Statement is PutPermission with a policy of that statement.
      const statement = resolve(p.Statement, ctx);
      await clients.events.send(
        new PutPermissionCommand({
          EventBusName: typeof p.EventBusName === 'string' ? p.EventBusName : 'default',
          Policy: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }),
        }),
      );
      set(id, String(p.StatementId ?? id));
    }
    if (r.Type === 'AWS::Lambda::Function') {
      set(id, id, { Arn: arnOf('lambda', `function:${id}`) });
    }
  }
  sm.destroy();
  sns.destroy();
  s3.destroy();
}

/**
 * Puts a template's rule on its account's default bus (PutRule) and records its pattern for the
 * routing of events from other accounts: the one place rules are installed, at start and on
 * redeploy. A scheduled rule (the shadow check) has a ScheduleExpression and no pattern; moto keeps
 * it but never fires it, so delivery.ts does.
 */
async function installRule(
  host: ProvisionHost,
  stack: StackPlay,
  id: string,
  r: Resource,
): Promise<InstalledRule> {
  const p = r.Properties ?? {};
  const schedule = typeof p.ScheduleExpression === 'string' ? p.ScheduleExpression : undefined;
  const pattern = schedule ? undefined : resolve(p.EventPattern, contextOf(stack));
  await host.clients(stack.account).events.send(
    new PutRuleCommand({
      Name: id,
      ...(schedule ? { ScheduleExpression: schedule } : { EventPattern: JSON.stringify(pattern) }),
      State: 'ENABLED',
    }),
  );
  const installed = stack.rules.find((x) => x.logicalId === id);
  if (installed) {
    installed.pattern = pattern;
    return installed;
  }
  const rule: InstalledRule = { logicalId: id, pattern, queueUrls: [] };
  stack.rules.push(rule);
  return rule;
}

/**
 * A queue per target of the rule, as the rule's target in moto (PutTargets): a function of the
 * stack, or another account's bus (forwarded with the target's role). Targets that are neither
 * (a function this app does not play) get no queue.
 */
async function ruleTargets(
  host: ProvisionHost,
  stack: StackPlay,
  rule: InstalledRule,
  r: Resource,
  functions: ReadonlyMap<string, LocalFunction>,
): Promise<Delivery[]> {
  const { account, region } = stack;
  const clients = host.clients(account);
  const ctx = contextOf(stack);
  const id = rule.logicalId;
  const arnOf = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;
  const deliveries: Delivery[] = [];
  for (const target of (r.Properties?.Targets as Json[] | undefined) ?? []) {
    const targetArn = String(resolve(target.Arn, ctx));
    const functionLogicalId = findByArn(stack.resources, targetArn);
    const functionKey = `${stack.name}/${functionLogicalId}`;
    const bus = /^arn:aws:events:[^:]+:(\d{12}):event-bus\//.exec(targetArn);
    const foreignBus = bus && bus[1] !== account;
    if (!foreignBus && (!functionLogicalId || !functions.has(functionKey))) continue;
    const queueName = `delivery-${id}-${String(target.Id)}`.slice(0, 80);
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: queueName }));
    await clients.events.send(
      new PutTargetsCommand({
        Rule: id,
        Targets: [{ Id: String(target.Id), Arn: arnOf('sqs', queueName) }],
      }),
    );
    const dlqArn = (target.DeadLetterConfig as Json | undefined)?.Arn;
    const dlqId = dlqArn ? findByArn(stack.resources, String(resolve(dlqArn, ctx))) : undefined;
    const delivery: Delivery = {
      ruleLogicalId: id,
      account,
      queueUrl: String(QueueUrl),
      target: foreignBus
        ? {
            kind: 'bus',
            busArn: targetArn,
            ruleArn: arnOf('events', `rule/${id}`),
            roleName: String(resolve(target.RoleArn, ctx)).split('/').at(-1) ?? 'events',
            deadLetterQueueUrl: dlqId ? stack.resources.get(dlqId)?.ref : undefined,
          }
        : { kind: 'function', key: functionKey },
    };
    if (!foreignBus) rule.queueUrls.push(delivery.queueUrl);
    deliveries.push(delivery);
  }
  return deliveries;
}

/** A template's function, played by a pool of node processes running its bundle with its environment. */
function localFunction(
  host: ProvisionHost,
  stack: StackPlay,
  id: string,
  r: Resource,
  entries: readonly [string, Resource][],
  outdir: string,
  assetFiles: AssetFiles,
): LocalFunction {
  const { account, region } = stack;
  const ctx = contextOf(stack);
  const p = r.Properties ?? {};
  const code = p.Code as { S3Key?: unknown };
  const hash = String(resolve(code.S3Key, ctx)).replace(/\.zip$/, '');
  const asset = assetFiles[hash];
  if (!asset) throw new Error(`function ${id}: no bundled asset ${hash} in the cloud assembly`);
  const templateEnv = resolve(
    ((p.Environment as Json | undefined)?.Variables as Json | undefined) ?? {},
    ctx,
  ) as Record<string, string>;
  const name = String(templateEnv.POWERTOOLS_SERVICE_NAME ?? id).replace(/^model-governance-/, '');
  const invokeConfig = entries.find(
    ([, c]) =>
      c.Type === 'AWS::Lambda::EventInvokeConfig' && JSON.stringify(c.Properties?.FunctionName).includes(id),
  )?.[1];
  const dlqArn = (p.DeadLetterConfig as Json | undefined)?.TargetArn;
  const dlqId = dlqArn ? findByArn(stack.resources, String(resolve(dlqArn, ctx))) : undefined;
  const shownAccount = () => (host.multiAccount ? account : undefined);
  return {
    account,
    pool: new FunctionPool(
      {
        logicalId: id,
        name,
        bundleDir: join(outdir, asset.source.path),
        handler: String(p.Handler ?? 'index.handler'),
        environment: {
          ...templateEnv,
          // The function calls as its role's session in its stack's account, as on Lambda:
          // assumed-role/<role>/<function> (see callerIdentity in local/sagemaker/protocol.ts).
          ...clientConfigEnv(
            host.sagemakerUrl,
            host.accessKey(`role=${roleNameOf(p.Role, stack.resources, ctx)}@${name}`, account),
            region,
          ),
          AWS_LAMBDA_FUNCTION_NAME: name,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
        timeoutMs: Number(p.Timeout ?? 3) * 1000,
      },
      host.concurrency,
      (line) => host.log({ ...handlerLogEntry(name, line), account: shownAccount() }),
    ),
    maxRetries: Number(invokeConfig?.Properties?.MaximumRetryAttempts ?? 2),
    deadLetterQueueUrl: dlqId ? stack.resources.get(dlqId)?.ref : undefined,
  };
}

/** The name of a function's role, as its ARN's last part (locally roles are named by logical id). */
function roleNameOf(
  role: unknown,
  resources: ReadonlyMap<string, PhysicalResource>,
  ctx: Parameters<typeof resolve>[1],
): string {
  const arn = String(resolve(role, ctx));
  const name = arn.split('/').at(-1);
  if (!name || !resources.size) throw new Error(`cannot tell the role name from ${arn}`);
  return name;
}

function findByArn(resources: ReadonlyMap<string, PhysicalResource>, arn: string): string | undefined {
  for (const [id, r] of resources) if (r.attributes.Arn === arn || r.ref === arn) return id;
  return undefined;
}
