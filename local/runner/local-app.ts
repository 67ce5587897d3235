import { setMaxListeners } from 'node:events';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutPermissionCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageGroupCommand,
  PutModelPackageGroupPolicyCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { buildGovernanceApp } from '../../bin/governance-app';
import { isMultiAccount } from '../../core/config/accounts';
import type { GovernanceConfig } from '../../core/config/types';
import { CLOUDFORMATION_EVENT_SOURCE, STACK_STATUS_CHANGE } from '../../core/events';
import { connectMoto, freePort, type MotoServer, startMoto } from '../moto';
import { ensureMoto } from '../prerequisites';
import type { EndpointTiming } from '../sagemaker/endpoints';
import type { BusEvent } from '../sagemaker/event-buses';
import { ACCOUNT_ID, callContext } from '../sagemaker/protocol';
import { LocalSageMaker } from '../sagemaker/server';
import { type PhysicalResource, resolve } from './cfn';
import { describeMetric, readEmf } from './emf';
import { matchesPattern } from './event-pattern';
import { FunctionPool, type InvokeResult } from './function-pool';

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties?: Json };

export const LOCAL_REGION = 'us-east-1';

export interface LocalLogEntry {
  readonly time: Date;
  readonly kind: 'info' | 'event' | 'invoke' | 'result' | 'retry' | 'dead-letter' | 'handler' | 'metric';
  readonly functionName?: string;
  /** The account the handler runs in (multi-account apps only). */
  readonly account?: string;
  readonly text: string;
  readonly data?: unknown;
}

export interface Invocation {
  readonly functionName: string;
  /** The account the function runs in: its stack's. */
  readonly account: string;
  readonly ruleLogicalId: string;
  readonly event: Json;
  readonly attempt: number;
  readonly outcome: InvokeResult;
  readonly startedAt: number;
}

export interface LocalAppOptions {
  /** The governance configuration, synthesized here as the repository's app (npm run local). */
  readonly config?: GovernanceConfig;
  /**
   * Another CDK app that uses the constructs, played instead of `config` (mgov local --app):
   * writes its cloud assembly into the folder given (see local/app-source.ts).
   */
  readonly assembly?: AssemblySource;
  /** Where the cloud assembly is synthesized. @default .local/cdk.out */
  readonly outdir?: string;
  /** Port of the local endpoint. @default a free port */
  readonly port?: number;
  readonly timing?: Partial<EndpointTiming>;
  /** Delays before Lambda's asynchronous retries. @default [1000, 2000] (Lambda: about 1 and 2 minutes) */
  readonly retryDelaysMs?: readonly number[];
  /** Warm instances per function. @default 2 */
  readonly concurrency?: number;
  readonly log?: (entry: LocalLogEntry) => void;
  /**
   * An already-running moto server (npm run local and the demo pass MOTO_URL): used as is and left
   * running by stop(). @default start one (ensureMoto says with which Python)
   */
  readonly motoUrl?: string;
  /**
   * How often a scheduled rule fires here (the shadow check's rate(5 minutes) would make a local
   * shadow test wait minutes). @default 2000
   */
  readonly scheduleEveryMs?: number;
}

/** A cloud assembly from somewhere other than the configuration: a CDK app's command, or a folder. */
export interface AssemblySource {
  /** What it is, for the log ("the app `npx tsx app.ts`"). */
  readonly describe: string;
  synth(outdir: string): Promise<Assembly>;
}

/** An event a forwarding rule sent to another account's bus, and whether that bus took it. */
export interface Forwarding {
  readonly ruleLogicalId: string;
  readonly busArn: string;
  readonly event: Json;
  /** Why the bus refused it (the event then went to the target's dead-letter queue). */
  readonly refused?: string;
}

/** One stack of the assembly, played in its own account. */
interface StackPlay {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly resources: Map<string, PhysicalResource>;
  readonly rules: { readonly logicalId: string; pattern: unknown; readonly queueUrls: string[] }[];
  /** What Ref AWS::StackId gives, shaped as CloudFormation's (arn:…:stack/<name>/<id>). */
  readonly stackId: string;
  /** The template last deployed (redeploy compares the next one with it). */
  template: Template;
}

interface LocalFunction {
  readonly account: string;
  readonly pool: FunctionPool;
  readonly maxRetries: number;
  readonly deadLetterQueueUrl?: string;
}

interface Delivery {
  readonly ruleLogicalId: string;
  readonly account: string;
  readonly queueUrl: string;
  /** `<stack>/<logical id>` of the function the rule targets, or the other account's bus. */
  readonly target:
    | { readonly kind: 'function'; readonly key: string }
    | {
        readonly kind: 'bus';
        readonly busArn: string;
        readonly ruleArn: string;
        readonly roleName: string;
        readonly deadLetterQueueUrl?: string;
      };
}

/**
 * The synthesized app, played on one machine: moto plus the local SageMaker endpoint, the app's
 * resources that handlers need, its EventBridge rules (installed in moto with a queue per target),
 * and its bundled handlers invoked with the environment the template gives them.
 */
export class LocalApp {
  readonly invocations: Invocation[] = [];
  readonly forwardings: Forwarding[] = [];
  /** The first stack's resources (the registry's, or the only stack's). */
  readonly resources = new Map<string, PhysicalResource>();
  /** Where the app runs: the registry's region and account in a multi-account app. */
  readonly region: string;
  readonly account: string;
  private readonly stacks: StackPlay[] = [];
  private readonly accountClients = new Map<string, { sqs: SQSClient; events: EventBridgeClient }>();
  private readonly functions = new Map<string, LocalFunction>();
  private readonly deliveries: Delivery[] = [];
  private readonly abort = new AbortController();
  private readonly pollers: Promise<void>[] = [];
  private readonly deliveriesInFlight = new Set<Promise<void>>();
  private inFlight = 0;
  private redeployments = 0;

  private constructor(
    readonly moto: MotoServer,
    readonly sagemaker: LocalSageMaker,
    private readonly options: LocalAppOptions,
    where: { readonly region: string; readonly account: string },
    private readonly outdir: string,
  ) {
    // Every poller (one per rule target) and retry wait listens to this one signal: more than Node's
    // default of 10 listeners is expected, not a leak (the demo's app has more than 10 targets).
    setMaxListeners(0, this.abort.signal);
    this.region = where.region;
    this.account = where.account;
    // Events accepted onto a bus from another account reach that account's rules here (event-buses.ts).
    sagemaker.buses.onEvent((busArn, event) => this.route(busArn, event));
  }

  /** Each stack the app plays, and the account it plays in. */
  get stackAccounts(): { readonly stackName: string; readonly account: string }[] {
    return this.stacks.map((s) => ({ stackName: s.name, account: s.account }));
  }

  /** Whether the app spans accounts (then each handler's account is shown). */
  get multiAccount(): boolean {
    return new Set(this.stacks.map((s) => s.account)).size > 1;
  }

  /** moto's SQS and EventBridge as `account` (moto's x-moto-account-id header). */
  private clients(account: string): { sqs: SQSClient; events: EventBridgeClient } {
    let clients = this.accountClients.get(account);
    if (!clients) {
      const config = clientConfig(this.moto.url, 'local-runner', this.region);
      clients = {
        sqs: inMotoAccount(new SQSClient(config), account),
        events: inMotoAccount(new EventBridgeClient(config), account),
      };
      this.accountClients.set(account, clients);
    }
    return clients;
  }

  /** The access key id that calls the local endpoint as `key` of `account` (protocol.ts ACCOUNT_KEY). */
  accessKey(key: string, account = this.account): string {
    return account === this.account ? key : `${account}:${key}`;
  }

  static async start(options: LocalAppOptions): Promise<LocalApp> {
    const log = options.log ?? (() => undefined);
    const started = Date.now();
    // Prerequisites first: when moto cannot run here, nothing is synthesized or started, and the
    // PrerequisiteError says in one line what to run.
    const source = await ensureMoto({ motoUrl: options.motoUrl });
    // moto boots (about a second) while the app synthesizes: startMoto spawns it before its first await.
    const motoPort = source.kind === 'python' ? await freePort() : 0;
    const motoStarting =
      source.kind === 'external'
        ? Promise.resolve(connectMoto(source.url))
        : startMoto({ python: source.python, port: motoPort });
    let assembly: Assembly;
    const outdir = options.outdir ?? join(process.cwd(), '.local', 'cdk.out');
    try {
      assembly = await synthesizeFrom(options, outdir);
    } catch (error) {
      await motoStarting.then(
        (m) => m.stop(),
        () => undefined,
      );
      throw error;
    }
    log(
      entry(
        'info',
        `synthesized ${assembly.stacks.map((s) => s.stackName).join(', ')} in ${Date.now() - started} ms`,
      ),
    );

    const moto = await motoStarting;
    log(
      entry(
        'info',
        source.kind === 'external'
          ? `moto: the server at MOTO_URL ${source.url} (already running; left running on stop)`
          : `moto ${source.motoVersion} (${source.python}) on ${moto.url}`,
      ),
    );
    // A multi-account app runs in the registry's region, and callers whose access key names no
    // account are the registry account's.
    const where =
      options.config && isMultiAccount(options.config)
        ? { region: options.config.registry.region, account: options.config.registry.account }
        : options.config
          ? { region: LOCAL_REGION, account: ACCOUNT_ID }
          : assemblyHome(assembly);
    const sagemaker = await new LocalSageMaker({
      motoUrl: moto.url,
      port: options.port,
      region: where.region,
      defaultAccount: where.account,
      timing: options.timing,
      onError: (e) => log(entry('info', `local SageMaker background error: ${String(e)}`)),
    })
      .start()
      .catch(async (error: unknown) => {
        await moto.stop();
        throw error;
      });
    const local = new LocalApp(moto, sagemaker, options, where, outdir);
    try {
      for (const stack of assembly.stacks) {
        const assets = { files: assetFilesOf(outdir, stack) };
        // Environment-agnostic stacks (one-account apps) play in the app's account and region.
        const concrete = (v: string) => v && !v.startsWith('unknown-');
        const account = concrete(stack.environment.account) ? stack.environment.account : where.account;
        const region = concrete(stack.environment.region) ? stack.environment.region : where.region;
        const play: StackPlay = {
          name: stack.stackName,
          account,
          region,
          resources: local.stacks.length === 0 ? local.resources : new Map(),
          rules: [],
          stackId: localStackId({ name: stack.stackName, account, region }),
          template: stack.template as Template,
        };
        local.stacks.push(play);
        await local.provision(
          play,
          stack.template as { Resources: Record<string, Resource> },
          outdir,
          assets.files,
        );
        if (local.multiAccount || play.account !== where.account)
          log(entry('info', `stack ${play.name} plays in account ${play.account}`));
      }
    } catch (error) {
      await local.stop();
      throw error;
    }
    log(
      entry('info', `local endpoint ${sagemaker.url} (moto ${moto.url}) ready in ${Date.now() - started} ms`),
    );
    return local;
  }

  /**
   * What `cdk deploy` of a changed configuration does to the running app: each function gets its
   * new bundle (with the new manifest) and environment, each rule its new pattern, and then
   * CloudFormation's own event says each stack settled (UPDATE_COMPLETE, on its account's default
   * bus). A configuration that adds or removes stacks or resources needs a fresh start: refused,
   * naming them, with nothing changed.
   */
  async redeploy(config?: GovernanceConfig): Promise<void> {
    this.redeployments += 1;
    const outdir = `${this.outdir}-redeploy-${this.redeployments}`;
    const assembly = await synthesizeFrom({ ...this.options, ...(config ? { config } : {}) }, outdir);
    const plays = assembly.stacks.map((stack) => {
      const play = this.stacks.find((s) => s.name === stack.stackName);
      if (!play) {
        throw new Error(
          `The new configuration adds the stack ${stack.stackName}; stop the local app and start it again (npm run local).`,
        );
      }
      const changed = changedResources(play.template, stack.template as Template);
      if (changed.length > 0) {
        throw new Error(
          `The new configuration adds or removes ${changed.join(', ')} in ${stack.stackName}; the local app applies changes to its functions and rules only. Stop it and start it again (npm run local).`,
        );
      }
      return { play, template: stack.template as Template, assets: assetFilesOf(outdir, stack) };
    });
    await this.idle();
    for (const { play, template, assets } of plays) {
      const entries = Object.entries(template.Resources);
      const ctx = {
        region: play.region,
        account: play.account,
        resources: play.resources,
        stackId: play.stackId,
      };
      const { events } = this.clients(play.account);
      for (const [id, r] of entries) {
        if (r.Type === 'AWS::Lambda::Function') {
          const key = `${play.name}/${id}`;
          const previous = this.functions.get(key);
          this.functions.set(key, this.localFunction(play, id, r, entries, outdir, assets));
          await previous?.pool.stop();
        } else if (r.Type === 'AWS::Events::Rule') {
          const schedule = r.Properties?.ScheduleExpression;
          const pattern = typeof schedule === 'string' ? undefined : resolve(r.Properties?.EventPattern, ctx);
          await events.send(
            new PutRuleCommand({
              Name: id,
              ...(typeof schedule === 'string'
                ? { ScheduleExpression: schedule }
                : { EventPattern: JSON.stringify(pattern) }),
              State: 'ENABLED',
            }),
          );
          const rule = play.rules.find((x) => x.logicalId === id);
          if (rule) rule.pattern = pattern;
        }
      }
      play.template = template;
      await events.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: CLOUDFORMATION_EVENT_SOURCE,
              DetailType: STACK_STATUS_CHANGE,
              Resources: [play.stackId],
              Detail: JSON.stringify({
                'stack-id': play.stackId,
                'status-details': { status: 'UPDATE_COMPLETE', 'status-reason': '' },
              }),
            },
          ],
        }),
      );
      this.log('info', `redeployed ${play.name}: functions and rules updated, UPDATE_COMPLETE sent`);
    }
  }

  /** Environment for an SDK client (or a shell) to reach the local app as a user would. */
  clientEnv(accessKeyId = 'alice', account = this.account): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: this.sagemaker.url,
      AWS_REGION: this.region,
      // The AWS CLI and boto3 read AWS_DEFAULT_REGION.
      AWS_DEFAULT_REGION: this.region,
      AWS_ACCESS_KEY_ID: this.accessKey(accessKeyId, account),
      AWS_SECRET_ACCESS_KEY: 'local',
    };
  }

  /** Physical id (Ref) of a template resource, by logical id prefix (in `account`'s stacks, if given). */
  physicalId(logicalIdPrefix: string, account?: string): string {
    for (const stack of this.stacks) {
      if (account && stack.account !== account) continue;
      for (const [id, r] of stack.resources) if (id.startsWith(logicalIdPrefix)) return r.ref;
    }
    throw new Error(
      `no local resource whose logical id starts with ${logicalIdPrefix}${account ? ` in account ${account}` : ''}`,
    );
  }

  /** Resolves once nothing is queued or running (new events may still come from endpoint transitions). */
  async idle(quietMs = 300, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quietSince = Date.now();
    while (Date.now() < deadline) {
      const busy = this.inFlight > 0 || (await this.queuedMessages()) > 0;
      if (busy) quietSince = Date.now();
      else if (Date.now() - quietSince >= quietMs) return;
      await sleep(50);
    }
    throw new Error(`the local app was still busy after ${timeoutMs} ms`);
  }

  /** PIDs of every process this app started: moto (unless it was already running) and the handlers' instances. */
  processIds(): number[] {
    const handlers = [...this.functions.values()].flatMap((f) => f.pool.pids());
    return this.moto.external ? handlers : [this.moto.pid, ...handlers];
  }

  /** Stops polling, lets running invocations finish (up to 5 s), then stops every process. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.pollers);
    await Promise.race([
      Promise.allSettled([...this.deliveriesInFlight]),
      new Promise((r) => setTimeout(r, 5000).unref()),
    ]);
    await Promise.all([...this.functions.values()].map((f) => f.pool.stop()));
    await this.sagemaker.stop();
    await this.moto.stop();
    for (const c of this.accountClients.values()) {
      c.sqs.destroy();
      c.events.destroy();
    }
  }

  // ---- provisioning ----------------------------------------------------------------------------

  private async provision(
    stack: StackPlay,
    template: { Resources: Record<string, Resource> },
    outdir: string,
    assetFiles: Record<string, { source: { path: string } }>,
  ): Promise<void> {
    const { account, region } = stack;
    const clients = this.clients(account);
    const sm = new SageMakerClient(
      clientConfig(this.sagemaker.url, this.accessKey('local-runner', account), region),
    );
    const sns = inMotoAccount(new SNSClient(clientConfig(this.moto.url, 'local-runner', region)), account);
    const s3 = inMotoAccount(
      new S3Client({ ...clientConfig(this.moto.url, 'local-runner', region), forcePathStyle: true }),
      account,
    );
    const entries = Object.entries(template.Resources);
    const arnOf = (service: string, resource: string) =>
      `arn:aws:${service}:${region}:${account}:${resource}`;
    const set = (id: string, ref: string, attributes: Record<string, string> = {}) =>
      stack.resources.set(id, { ref, attributes: { Arn: ref, ...attributes } });
    const ctx = { region, account, resources: stack.resources, stackId: stack.stackId };

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
          await s3.send(new CreateBucketCommand({ Bucket: name }));
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

    for (const [id, r] of entries) {
      if (r.Type === 'AWS::Lambda::Function')
        this.functions.set(
          `${stack.name}/${id}`,
          this.localFunction(stack, id, r, entries, outdir, assetFiles),
        );
    }

    for (const [id, r] of entries) {
      if (r.Type !== 'AWS::Events::Rule') continue;
      const p = r.Properties ?? {};
      // A scheduled rule (the shadow check) has a ScheduleExpression and no pattern; moto keeps it
      // but never fires it, so the runner does (scheduleEvery).
      const schedule = typeof p.ScheduleExpression === 'string' ? p.ScheduleExpression : undefined;
      const pattern = schedule ? undefined : resolve(p.EventPattern, ctx);
      await clients.events.send(
        new PutRuleCommand({
          Name: id,
          ...(schedule ? { ScheduleExpression: schedule } : { EventPattern: JSON.stringify(pattern) }),
          State: 'ENABLED',
        }),
      );
      const rule = { logicalId: id, pattern, queueUrls: [] as string[] };
      stack.rules.push(rule);
      for (const target of (p.Targets as Json[] | undefined) ?? []) {
        const targetArn = String(resolve(target.Arn, ctx));
        const functionLogicalId = findByArn(stack.resources, targetArn);
        const functionKey = `${stack.name}/${functionLogicalId}`;
        const bus = /^arn:aws:events:[^:]+:(\d{12}):event-bus\//.exec(targetArn);
        const foreignBus = bus && bus[1] !== account;
        if (!foreignBus && (!functionLogicalId || !this.functions.has(functionKey))) continue;
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
        this.deliveries.push(delivery);
        this.pollers.push(this.poll(delivery));
        if (schedule) this.pollers.push(this.scheduleEvery(delivery));
      }
    }
  }

  /** A template's function, played by a pool of node processes running its bundle with its environment. */
  private localFunction(
    stack: StackPlay,
    id: string,
    r: Resource,
    entries: readonly [string, Resource][],
    outdir: string,
    assetFiles: AssetFiles,
  ): LocalFunction {
    const { account, region } = stack;
    const ctx = { region, account, resources: stack.resources, stackId: stack.stackId };
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
        c.Type === 'AWS::Lambda::EventInvokeConfig' &&
        JSON.stringify(c.Properties?.FunctionName).includes(id),
    )?.[1];
    const dlqArn = (p.DeadLetterConfig as Json | undefined)?.TargetArn;
    const dlqId = dlqArn ? findByArn(stack.resources, String(resolve(dlqArn, ctx))) : undefined;
    const log = this.options.log ?? (() => undefined);
    const shownAccount = () => (this.multiAccount ? account : undefined);
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
              this.sagemaker.url,
              this.accessKey(`role=${roleNameOf(p.Role, stack.resources, ctx)}@${name}`, account),
              region,
            ),
            AWS_LAMBDA_FUNCTION_NAME: name,
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          },
          timeoutMs: Number(p.Timeout ?? 3) * 1000,
        },
        this.options.concurrency ?? 2,
        (line) => log({ ...handlerLogEntry(name, line), account: shownAccount() }),
      ),
      maxRetries: Number(invokeConfig?.Properties?.MaximumRetryAttempts ?? 2),
      deadLetterQueueUrl: dlqId ? stack.resources.get(dlqId)?.ref : undefined,
    };
  }

  /**
   * An event accepted onto `busArn` from another account: to the receiving account's rules that
   * match it (their function targets' queues). Rules there that send to yet another account's bus
   * are not followed: EventBridge does not pass an event received from another account on to a
   * third ("Sending and receiving events between AWS accounts in Amazon EventBridge").
   */
  private async route(busArn: string, event: BusEvent): Promise<void> {
    const [, , , region, account] = busArn.split(':');
    if (!busArn.endsWith(':event-bus/default')) return;
    for (const stack of this.stacks) {
      if (stack.account !== account || stack.region !== region) continue;
      for (const rule of stack.rules) {
        if (rule.queueUrls.length === 0 || !matchesPattern(rule.pattern, event)) continue;
        for (const queueUrl of rule.queueUrls) {
          await this.clients(account).sqs.send(
            new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event) }),
          );
        }
      }
    }
  }

  // ---- delivery --------------------------------------------------------------------------------

  /**
   * A scheduled rule's event, as EventBridge sends it (source aws.events, detail-type "Scheduled
   * Event", the rule's ARN as resource), every `scheduleEveryMs` until stop().
   */
  private async scheduleEvery(delivery: Delivery): Promise<void> {
    const signal = this.abort.signal;
    const every = this.options.scheduleEveryMs ?? 2000;
    while (!signal.aborted) {
      await sleep(every, signal);
      if (signal.aborted) return;
      const event = {
        version: '0',
        id: `scheduled-${Date.now()}`,
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: delivery.account,
        time: new Date().toISOString(),
        region: this.region,
        resources: [`arn:aws:events:${this.region}:${delivery.account}:rule/${delivery.ruleLogicalId}`],
        detail: {},
      };
      await this.clients(delivery.account)
        .sqs.send(new SendMessageCommand({ QueueUrl: delivery.queueUrl, MessageBody: JSON.stringify(event) }))
        .catch((error: unknown) => this.log('info', `scheduled event failed: ${(error as Error).message}`));
    }
  }

  private async poll(delivery: Delivery): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      let messages: { Body?: string; ReceiptHandle?: string }[] = [];
      try {
        const out = await this.clients(delivery.account).sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: delivery.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
          }),
          { abortSignal: signal },
        );
        messages = out.Messages ?? [];
      } catch (error) {
        if (signal.aborted) return;
        this.log('info', `polling ${delivery.ruleLogicalId} failed: ${(error as Error).message}`);
        await sleep(200);
        continue;
      }
      this.inFlight += messages.length;
      for (const message of messages) {
        const running: Promise<void> = this.deliver(delivery, message)
          .catch((error: unknown) => this.log('info', `delivery error: ${(error as Error).message}`))
          .finally(() => {
            this.inFlight -= 1;
            this.deliveriesInFlight.delete(running);
          });
        this.deliveriesInFlight.add(running);
      }
    }
  }

  private async deliver(
    delivery: Delivery,
    message: { Body?: string; ReceiptHandle?: string },
  ): Promise<void> {
    // moto's bus leaves the envelope's `account` out; EventBridge always sets it.
    const event: Json = { account: delivery.account, ...(JSON.parse(message.Body ?? '{}') as Json) };
    await this.clients(delivery.account).sqs.send(
      new DeleteMessageCommand({ QueueUrl: delivery.queueUrl, ReceiptHandle: message.ReceiptHandle }),
    );
    if (delivery.target.kind === 'bus') return this.forward(delivery, delivery.target, event);
    const fn = this.functions.get(delivery.target.key);
    if (!fn) return;
    const account = this.multiAccount ? fn.account : undefined;
    this.log(
      'event',
      `${String(event['detail-type'])} ${describeEvent(event)} → ${fn.pool.spec.name}${account ? ` [${account}]` : ''}`,
      fn.pool.spec.name,
      event,
      account,
    );
    const delays = this.options.retryDelaysMs ?? [1000, 2000];
    for (let attempt = 0; attempt <= fn.maxRetries; attempt++) {
      if (this.abort.signal.aborted) return;
      const startedAt = Date.now();
      const outcome = await fn.pool.invoke(event).catch((e: Error) => ({
        ok: false as const,
        error: { name: 'Stopped', message: e.message },
        durationMs: 0,
      }));
      this.invocations.push({
        functionName: fn.pool.spec.name,
        account: fn.account,
        ruleLogicalId: delivery.ruleLogicalId,
        event,
        attempt,
        outcome,
        startedAt,
      });
      if (outcome.ok) {
        this.log(
          'result',
          `${fn.pool.spec.name} ok in ${outcome.durationMs} ms: ${JSON.stringify(outcome.result)}`,
          fn.pool.spec.name,
          outcome.result,
          account,
        );
        return;
      }
      const why = `${outcome.error.name}: ${outcome.error.message}`;
      if (attempt < fn.maxRetries) {
        const delay = delays[Math.min(attempt, delays.length - 1)] ?? 1000;
        this.log(
          'retry',
          `${fn.pool.spec.name} failed (${why}); retry ${attempt + 1}/${fn.maxRetries} in ${delay} ms`,
          fn.pool.spec.name,
          undefined,
          account,
        );
        await sleep(delay, this.abort.signal);
        continue;
      }
      if (this.abort.signal.aborted) return;
      if (fn.deadLetterQueueUrl) {
        await this.clients(fn.account).sqs.send(
          new SendMessageCommand({
            QueueUrl: fn.deadLetterQueueUrl,
            MessageBody: JSON.stringify(event),
            MessageAttributes: {
              ErrorCode: { DataType: 'String', StringValue: outcome.error.name },
              ErrorMessage: { DataType: 'String', StringValue: outcome.error.message.slice(0, 1000) },
            },
          }),
        );
      }
      this.log(
        'dead-letter',
        `${fn.pool.spec.name} failed ${fn.maxRetries + 1} times (${why}); event sent to its dead-letter queue`,
        fn.pool.spec.name,
        undefined,
        account,
      );
    }
  }

  /**
   * A rule's target on another account's bus, delivered as EventBridge does with the target's role:
   * the bus's policy decides (local/sagemaker/event-buses.ts). A refusal is a permissions error,
   * which EventBridge does not retry: the event goes straight to the target's dead-letter queue, with
   * the attributes EventBridge gives it (EventBridge User Guide, "Using dead-letter queues to process
   * undelivered events": RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE; CROSS_ACCOUNT_INGESTION_FAILED
   * is its code for an event another account's bus did not take).
   */
  private async forward(
    delivery: Delivery,
    target: Extract<Delivery['target'], { kind: 'bus' }>,
    event: Json,
  ): Promise<void> {
    const as = callContext(
      `AWS4-HMAC-SHA256 Credential=${delivery.account}:role=${target.roleName}@events/20260101/${this.region}/events/aws4_request, SignedHeaders=host, Signature=0`,
      this.region,
    );
    const refused = await this.sagemaker.buses.forward(as, target.busArn, event as unknown as BusEvent);
    this.forwardings.push({
      ruleLogicalId: delivery.ruleLogicalId,
      busArn: target.busArn,
      event,
      ...(refused ? { refused } : {}),
    });
    const what = `${String(event['detail-type'])} ${describeEvent(event)}`;
    if (!refused) {
      this.log('event', `${what} forwarded from ${delivery.account} to ${target.busArn}`);
      return;
    }
    if (target.deadLetterQueueUrl) {
      const attribute = (value: string) => ({ DataType: 'String', StringValue: value.slice(0, 1000) });
      await this.clients(delivery.account).sqs.send(
        new SendMessageCommand({
          QueueUrl: target.deadLetterQueueUrl,
          MessageBody: JSON.stringify(event),
          MessageAttributes: {
            RULE_ARN: attribute(target.ruleArn),
            TARGET_ARN: attribute(target.busArn),
            ERROR_CODE: attribute('CROSS_ACCOUNT_INGESTION_FAILED'),
            ERROR_MESSAGE: attribute(refused),
          },
        }),
      );
    }
    this.log(
      'dead-letter',
      `${what}: ${target.busArn} refused it (${refused}); event sent to the forwarding rule's dead-letter queue`,
    );
  }

  private async queuedMessages(): Promise<number> {
    let total = 0;
    for (const d of this.deliveries) {
      const out = await this.clients(d.account).sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: d.queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      total +=
        Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
        Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    }
    return total;
  }

  private log(
    kind: LocalLogEntry['kind'],
    text: string,
    functionName?: string,
    data?: unknown,
    account?: string,
  ): void {
    this.options.log?.({ time: new Date(), kind, text, functionName, data, ...(account ? { account } : {}) });
  }
}

function entry(kind: LocalLogEntry['kind'], text: string): LocalLogEntry {
  return { time: new Date(), kind, text };
}

function handlerLogEntry(functionName: string, line: string): LocalLogEntry {
  try {
    const parsed = JSON.parse(line) as Json;
    const [metric] = readEmf(parsed);
    // Powertools Metrics writes one metric per line (singleMetric): shown as the metric, data = MetricRecord.
    if (metric)
      return { time: new Date(), kind: 'metric', functionName, text: describeMetric(metric), data: metric };
    const level = String(parsed.level ?? 'INFO');
    return {
      time: new Date(),
      kind: 'handler',
      functionName,
      text: `${level} ${String(parsed.message ?? line)}`,
      data: parsed,
    };
  } catch {
    return { time: new Date(), kind: 'handler', functionName, text: line };
  }
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

type Template = { Resources: Record<string, Resource> };
type AssetFiles = Record<string, { source: { path: string } }>;
export type Assembly = ReturnType<ReturnType<typeof buildGovernanceApp>['app']['synth']>;

/** The assembly to play: the configuration's app, or the other app's (its source synthesizes it). */
async function synthesizeFrom(
  options: Pick<LocalAppOptions, 'config' | 'assembly'>,
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
function assemblyHome(assembly: Assembly): { region: string; account: string } {
  const concrete = (v: string) => Boolean(v) && !v.startsWith('unknown-');
  const stack = assembly.stacks.find((s) => concrete(s.environment.account));
  return {
    region: stack && concrete(stack.environment.region) ? stack.environment.region : LOCAL_REGION,
    account: stack ? stack.environment.account : ACCOUNT_ID,
  };
}

/**
 * Synthesizes the app for local mode into outdir (emptied first): the registry's groups in one
 * stack (a few hundred groups fit one stack's worth of local resources; CloudFormation's limits do
 * not apply); a multi-account app adds one stack per deployment account, each played in its account.
 */
function synthesize(config: GovernanceConfig, outdir: string): Assembly {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  return buildGovernanceApp({ config: { ...config, stacks: 1 }, appProps: { outdir } }).app.synth();
}

function assetFilesOf(outdir: string, stack: { stackName: string }): AssetFiles {
  return (
    JSON.parse(readFileSync(join(outdir, `${stack.stackName}.assets.json`), 'utf8')) as { files: AssetFiles }
  ).files;
}

/** A local stack id, shaped as CloudFormation's (arn:…:stack/<name>/<id>). */
function localStackId(stack: { name: string; account: string; region: string }): string {
  return `arn:aws:cloudformation:${stack.region}:${stack.account}:stack/${stack.name}/local`;
}

/** Logical ids of the resources the runner provisions that one template has and the other lacks. */
function changedResources(before: Template, after: Template): string[] {
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

function findByArn(resources: ReadonlyMap<string, PhysicalResource>, arn: string): string | undefined {
  for (const [id, r] of resources) if (r.attributes.Arn === arn || r.ref === arn) return id;
  return undefined;
}

function describeEvent(event: Json): string {
  const d = (event.detail as Json | undefined) ?? {};
  if (d.ModelPackageArn) {
    return `${String(d.ModelPackageGroupName)} v${String(d.ModelPackageVersion)} (${String(d.ModelApprovalStatus)})`;
  }
  if (d.EndpointName) return `${String(d.EndpointName)} (${String(d.EndpointStatus)})`;
  if (d.ModelCardName) return `${String(d.ModelCardName)} (${String(d.ModelCardStatus)})`;
  if (d['stack-id'])
    return `${String(d['stack-id'])} (${String((d['status-details'] as Json | undefined)?.status)})`;
  return '';
}

function clientConfig(endpoint: string, accessKeyId: string, region = LOCAL_REGION) {
  return { endpoint, region, credentials: { accessKeyId, secretAccessKey: 'local' } };
}

/**
 * A client of moto itself (not through the local endpoint) acting in `account`: moto takes the
 * account from the x-moto-account-id header (moto/core/responses.py `get_current_account`).
 */
type BuildArgs = { request: { headers: Record<string, string> } };
type WithMiddleware = { middlewareStack: { add(middleware: unknown, options: { step: 'build' }): void } };

function inMotoAccount<C>(client: C, account: string): C {
  const header = (next: (args: BuildArgs) => unknown) => (args: BuildArgs) => {
    args.request.headers['x-moto-account-id'] = account;
    return next(args);
  };
  (client as unknown as WithMiddleware).middlewareStack.add(header, { step: 'build' });
  return client;
}

function clientConfigEnv(endpoint: string, accessKeyId: string, region: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'local',
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
