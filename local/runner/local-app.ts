/**
 * The local app's façade: starts moto and the local SageMaker, has provisioning.ts create each
 * synthesized stack and delivery.ts carry its events, and gives tests, the demo and `npm run local`
 * one object to drive it (redeploy, idle, stop, the invocations and forwardings seen).
 */
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { isMultiAccount } from '../../core/config/accounts';
import type { GovernanceConfig } from '../../core/config/types';
import { connectMoto, freePort, type MotoServer, startMoto } from '../moto';
import { ensureMoto } from '../prerequisites';
import type { EndpointTiming } from '../sagemaker/endpoints';
import { ACCOUNT_ID } from '../sagemaker/protocol';
import { LocalSageMaker } from '../sagemaker/server';
import type { PhysicalResource } from './cfn';
import {
  type DeliveryHost,
  EventDelivery,
  type Forwarding,
  type Invocation,
  type LocalFunction,
} from './delivery';
import { provideBuiltInImages } from './images';
import {
  type Assembly,
  type AssemblySource,
  assemblyHome,
  assetFilesOf,
  changedResources,
  localStackId,
  type ProvisionHost,
  provisionStack,
  type StackPlay,
  synthesizeFrom,
  type Template,
  updateStack,
} from './provisioning';
import { clientConfig, entry, inMotoAccount, LOCAL_REGION, type LocalLogEntry, sleep } from './support';

export type { Forwarding, Invocation } from './delivery';
export type { Assembly, AssemblySource } from './provisioning';
export { LOCAL_REGION, type LocalLogEntry } from './support';

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

/**
 * The synthesized app, played on one machine: moto plus the local SageMaker endpoint, the app's
 * resources that handlers need, its EventBridge rules (installed in moto with a queue per target),
 * and its bundled handlers invoked with the environment the template gives them.
 */
export class LocalApp {
  /** The first stack's resources (the registry's, or the only stack's). */
  readonly resources = new Map<string, PhysicalResource>();
  /** Where the app runs: the registry's region and account in a multi-account app. */
  readonly region: string;
  readonly account: string;
  private readonly stacks: StackPlay[] = [];
  private readonly accountClients = new Map<string, { sqs: SQSClient; events: EventBridgeClient }>();
  private readonly functions = new Map<string, LocalFunction>();
  private readonly delivery: EventDelivery;
  private redeployments = 0;

  private constructor(
    readonly moto: MotoServer,
    readonly sagemaker: LocalSageMaker,
    private readonly options: LocalAppOptions,
    where: { readonly region: string; readonly account: string },
    private readonly outdir: string,
  ) {
    this.region = where.region;
    this.account = where.account;
    this.delivery = new EventDelivery(this.deliveryHost(), options);
    // Events accepted onto a bus from another account reach that account's rules here (event-buses.ts).
    sagemaker.buses.onEvent((busArn, event) => this.delivery.route(busArn, event));
  }

  /** Every handler invocation, in order, with its outcome. */
  get invocations(): Invocation[] {
    return this.delivery.invocations;
  }

  /** Every event a forwarding rule sent to another account's bus. */
  get forwardings(): Forwarding[] {
    return this.delivery.forwardings;
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

  private deliveryHost(): DeliveryHost {
    const app = this;
    return {
      region: this.region,
      sagemaker: this.sagemaker,
      get multiAccount() {
        return app.multiAccount;
      },
      clients: (account) => this.clients(account),
      fn: (key) => this.functions.get(key),
      rules: (account, region) =>
        this.stacks.filter((s) => s.account === account && s.region === region).flatMap((s) => s.rules),
      log: (kind, text, functionName, data, account) => this.log(kind, text, functionName, data, account),
    };
  }

  private provisionHost(): ProvisionHost {
    const app = this;
    return {
      motoUrl: this.moto.url,
      sagemakerUrl: this.sagemaker.url,
      get multiAccount() {
        return app.multiAccount;
      },
      concurrency: this.options.concurrency ?? 2,
      clients: (account) => this.clients(account),
      accessKey: (key, account) => this.accessKey(key, account),
      log: (e) => this.options.log?.(e),
    };
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
        await local.provision(play, outdir, assets.files);
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
      await updateStack(this.provisionHost(), play, template, this.functions, outdir, assets);
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

  /**
   * Resolves once nothing is queued or running (new events may still come from endpoint transitions).
   * The bound only ends a wait that will never end: a loaded machine takes minutes to drain a burst.
   */
  async idle(quietMs = 300, timeoutMs = 180_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quietSince = Date.now();
    while (Date.now() < deadline) {
      const busy = await this.delivery.busy();
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
    await this.delivery.stop();
    await Promise.all([...this.functions.values()].map((f) => f.pool.stop()));
    await this.sagemaker.stop();
    await this.moto.stop();
    for (const c of this.accountClients.values()) {
      c.sqs.destroy();
      c.events.destroy();
    }
  }

  /** Creates a stack's resources, functions and rules (provisioning.ts), then delivers its rules' events. */
  private async provision(
    stack: StackPlay,
    outdir: string,
    assetFiles: Record<string, { source: { path: string } }>,
  ) {
    // SageMaker's built-in images exist in every account on AWS: the app pins images by digest (images.ts).
    await provideBuiltInImages(this.moto.url, stack.account, stack.region);
    const deliveries = await provisionStack(this.provisionHost(), stack, this.functions, outdir, assetFiles);
    for (const { delivery, scheduled } of deliveries) this.delivery.add(delivery, scheduled);
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
