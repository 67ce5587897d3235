import { setMaxListeners } from 'node:events';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateModelPackageGroupCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
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
import type { GovernanceConfig } from '../../core/config/types';
import { connectMoto, freePort, type MotoServer, startMoto } from '../moto';
import { ensureMoto } from '../prerequisites';
import type { EndpointTiming } from '../sagemaker/endpoints';
import { ACCOUNT_ID } from '../sagemaker/protocol';
import { LocalSageMaker } from '../sagemaker/server';
import { type PhysicalResource, resolve } from './cfn';
import { describeMetric, readEmf } from './emf';
import { FunctionPool, type InvokeResult } from './function-pool';

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties?: Json };

export const LOCAL_REGION = 'us-east-1';

export interface LocalLogEntry {
  readonly time: Date;
  readonly kind: 'info' | 'event' | 'invoke' | 'result' | 'retry' | 'dead-letter' | 'handler' | 'metric';
  readonly functionName?: string;
  readonly text: string;
  readonly data?: unknown;
}

export interface Invocation {
  readonly functionName: string;
  readonly ruleLogicalId: string;
  readonly event: Json;
  readonly attempt: number;
  readonly outcome: InvokeResult;
  readonly startedAt: number;
}

export interface LocalAppOptions {
  readonly config: GovernanceConfig;
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

interface LocalFunction {
  readonly pool: FunctionPool;
  readonly maxRetries: number;
  readonly deadLetterQueueUrl?: string;
}

interface Delivery {
  readonly ruleLogicalId: string;
  readonly functionLogicalId: string;
  readonly queueUrl: string;
}

/**
 * The synthesized app, played on one machine: moto plus the local SageMaker endpoint, the app's
 * resources that handlers need, its EventBridge rules (installed in moto with a queue per target),
 * and its bundled handlers invoked with the environment the template gives them.
 */
export class LocalApp {
  readonly invocations: Invocation[] = [];
  readonly resources = new Map<string, PhysicalResource>();
  private readonly functions = new Map<string, LocalFunction>();
  private readonly deliveries: Delivery[] = [];
  private readonly abort = new AbortController();
  private readonly pollers: Promise<void>[] = [];
  private readonly deliveriesInFlight = new Set<Promise<void>>();
  private inFlight = 0;
  private readonly clients: { sqs: SQSClient; events: EventBridgeClient };

  private constructor(
    readonly moto: MotoServer,
    readonly sagemaker: LocalSageMaker,
    private readonly options: LocalAppOptions,
  ) {
    // Every poller (one per rule target) and retry wait listens to this one signal: more than Node's
    // default of 10 listeners is expected, not a leak (the demo's app has more than 10 targets).
    setMaxListeners(0, this.abort.signal);
    const config = clientConfig(moto.url, 'local-runner');
    this.clients = { sqs: new SQSClient(config), events: new EventBridgeClient(config) };
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
    let assembly: ReturnType<ReturnType<typeof buildGovernanceApp>['app']['synth']>;
    const outdir = options.outdir ?? join(process.cwd(), '.local', 'cdk.out');
    try {
      rmSync(outdir, { recursive: true, force: true });
      mkdirSync(outdir, { recursive: true });
      // Local mode plays one account and one stack: logical ids are unique within a stack only, and
      // a few hundred groups fit one stack's worth of local resources (CloudFormation's limits do not apply).
      const { app } = buildGovernanceApp({ config: { ...options.config, stacks: 1 }, appProps: { outdir } });
      assembly = app.synth();
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
    const sagemaker = await new LocalSageMaker({
      motoUrl: moto.url,
      port: options.port,
      timing: options.timing,
      onError: (e) => log(entry('info', `local SageMaker background error: ${String(e)}`)),
    })
      .start()
      .catch(async (error: unknown) => {
        await moto.stop();
        throw error;
      });
    const local = new LocalApp(moto, sagemaker, options);
    try {
      for (const stack of assembly.stacks) {
        const assets = JSON.parse(readFileSync(join(outdir, `${stack.stackName}.assets.json`), 'utf8')) as {
          files: Record<string, { source: { path: string } }>;
        };
        await local.provision(
          stack.template as { Resources: Record<string, Resource> },
          outdir,
          assets.files,
        );
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

  /** Environment for an SDK client (or a shell) to reach the local app as a user would. */
  clientEnv(accessKeyId = 'alice'): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: this.sagemaker.url,
      AWS_REGION: LOCAL_REGION,
      // The AWS CLI and boto3 read AWS_DEFAULT_REGION.
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: 'local',
    };
  }

  /** Physical id (Ref) of a template resource, by logical id prefix. */
  physicalId(logicalIdPrefix: string): string {
    for (const [id, r] of this.resources) if (id.startsWith(logicalIdPrefix)) return r.ref;
    throw new Error(`no local resource whose logical id starts with ${logicalIdPrefix}`);
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
    this.clients.sqs.destroy();
    this.clients.events.destroy();
  }

  // ---- provisioning ----------------------------------------------------------------------------

  private async provision(
    template: { Resources: Record<string, Resource> },
    outdir: string,
    assetFiles: Record<string, { source: { path: string } }>,
  ): Promise<void> {
    const sm = new SageMakerClient(clientConfig(this.sagemaker.url, 'local-runner'));
    const sns = new SNSClient(clientConfig(this.moto.url, 'local-runner'));
    const s3 = new S3Client({ ...clientConfig(this.moto.url, 'local-runner'), forcePathStyle: true });
    const entries = Object.entries(template.Resources);
    const arnOf = (service: string, resource: string) =>
      `arn:aws:${service}:${LOCAL_REGION}:${ACCOUNT_ID}:${resource}`;
    const set = (id: string, ref: string, attributes: Record<string, string> = {}) =>
      this.resources.set(id, { ref, attributes: { Arn: ref, ...attributes } });

    // Resources that other resources refer to, in dependency-free order.
    for (const [id, r] of entries) {
      const p = r.Properties ?? {};
      switch (r.Type) {
        case 'AWS::KMS::Key':
          set(id, `${id}-local-key`, { Arn: arnOf('kms', `key/${id}`) });
          break;
        case 'AWS::IAM::Role':
          set(id, id, { Arn: `arn:aws:iam::${ACCOUNT_ID}:role/${id}` });
          break;
        case 'AWS::Logs::LogGroup':
          set(id, `/local/${id}`);
          break;
        case 'AWS::SNS::Topic': {
          const out = await sns.send(new CreateTopicCommand({ Name: id }));
          set(id, String(out.TopicArn), { TopicName: id });
          break;
        }
        case 'AWS::SQS::Queue': {
          const out = await this.clients.sqs.send(new CreateQueueCommand({ QueueName: id }));
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
        case 'AWS::SageMaker::ModelPackageGroup': {
          const name = String(p.ModelPackageGroupName);
          const out = await sm.send(
            new CreateModelPackageGroupCommand({
              ModelPackageGroupName: name,
              ModelPackageGroupDescription: p.ModelPackageGroupDescription as string | undefined,
            }),
          );
          set(id, name, { ModelPackageGroupArn: String(out.ModelPackageGroupArn) });
          break;
        }
        default:
          break;
      }
    }
    for (const [id, r] of entries) {
      if (r.Type === 'AWS::Lambda::Function') {
        set(id, id, { Arn: arnOf('lambda', `function:${id}`) });
      }
    }

    const ctx = { region: LOCAL_REGION, account: ACCOUNT_ID, resources: this.resources };
    for (const [id, r] of entries) {
      if (r.Type !== 'AWS::Lambda::Function') continue;
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
      const dlqId = dlqArn ? findByArn(this.resources, String(resolve(dlqArn, ctx))) : undefined;
      const log = this.options.log ?? (() => undefined);
      this.functions.set(id, {
        pool: new FunctionPool(
          {
            logicalId: id,
            name,
            bundleDir: join(outdir, asset.source.path),
            handler: String(p.Handler ?? 'index.handler'),
            environment: {
              ...templateEnv,
              // The function calls as its role's session, as on Lambda:
              // assumed-role/<role>/<function> (see callerIdentity in local/sagemaker/protocol.ts).
              ...clientConfigEnv(
                this.sagemaker.url,
                `role=${roleNameOf(p.Role, this.resources, ctx)}@${name}`,
              ),
              AWS_LAMBDA_FUNCTION_NAME: name,
              AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            },
            timeoutMs: Number(p.Timeout ?? 3) * 1000,
          },
          this.options.concurrency ?? 2,
          (line) => log(handlerLogEntry(name, line)),
        ),
        maxRetries: Number(invokeConfig?.Properties?.MaximumRetryAttempts ?? 2),
        deadLetterQueueUrl: dlqId ? this.resources.get(dlqId)?.ref : undefined,
      });
    }

    for (const [id, r] of entries) {
      if (r.Type !== 'AWS::Events::Rule') continue;
      const p = r.Properties ?? {};
      // A scheduled rule (the shadow check) has a ScheduleExpression and no pattern; moto keeps it
      // but never fires it, so the runner does (scheduleEvery).
      const schedule = typeof p.ScheduleExpression === 'string' ? p.ScheduleExpression : undefined;
      await this.clients.events.send(
        new PutRuleCommand({
          Name: id,
          ...(schedule ? { ScheduleExpression: schedule } : { EventPattern: JSON.stringify(p.EventPattern) }),
          State: 'ENABLED',
        }),
      );
      for (const target of (p.Targets as Json[] | undefined) ?? []) {
        const targetArn = String(resolve(target.Arn, ctx));
        const functionLogicalId = findByArn(this.resources, targetArn);
        if (!functionLogicalId || !this.functions.has(functionLogicalId)) continue;
        const queueName = `delivery-${id}-${String(target.Id)}`.slice(0, 80);
        const { QueueUrl } = await this.clients.sqs.send(new CreateQueueCommand({ QueueName: queueName }));
        await this.clients.events.send(
          new PutTargetsCommand({
            Rule: id,
            Targets: [{ Id: String(target.Id), Arn: arnOf('sqs', queueName) }],
          }),
        );
        const delivery = { ruleLogicalId: id, functionLogicalId, queueUrl: String(QueueUrl) };
        this.deliveries.push(delivery);
        this.pollers.push(this.poll(delivery));
        if (schedule) this.pollers.push(this.scheduleEvery(delivery));
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
      await sleep(every);
      if (signal.aborted) return;
      const event = {
        version: '0',
        id: `scheduled-${Date.now()}`,
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: ACCOUNT_ID,
        time: new Date().toISOString(),
        region: 'us-east-1',
        resources: [`arn:aws:events:us-east-1:${ACCOUNT_ID}:rule/${delivery.ruleLogicalId}`],
        detail: {},
      };
      await this.clients.sqs
        .send(new SendMessageCommand({ QueueUrl: delivery.queueUrl, MessageBody: JSON.stringify(event) }))
        .catch((error: unknown) => this.log('info', `scheduled event failed: ${(error as Error).message}`));
    }
  }

  private async poll(delivery: Delivery): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      let messages: { Body?: string; ReceiptHandle?: string }[] = [];
      try {
        const out = await this.clients.sqs.send(
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
    const fn = this.functions.get(delivery.functionLogicalId);
    if (!fn) return;
    // moto's bus leaves the envelope's `account` out; EventBridge always sets it.
    const event: Json = { account: ACCOUNT_ID, ...(JSON.parse(message.Body ?? '{}') as Json) };
    await this.clients.sqs.send(
      new DeleteMessageCommand({ QueueUrl: delivery.queueUrl, ReceiptHandle: message.ReceiptHandle }),
    );
    this.log(
      'event',
      `${String(event['detail-type'])} ${describeEvent(event)} → ${fn.pool.spec.name}`,
      fn.pool.spec.name,
      event,
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
        );
        await sleep(delay, this.abort.signal);
        continue;
      }
      if (this.abort.signal.aborted) return;
      if (fn.deadLetterQueueUrl) {
        await this.clients.sqs.send(
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
      );
    }
  }

  private async queuedMessages(): Promise<number> {
    let total = 0;
    for (const d of this.deliveries) {
      const out = await this.clients.sqs.send(
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

  private log(kind: LocalLogEntry['kind'], text: string, functionName?: string, data?: unknown): void {
    this.options.log?.({ time: new Date(), kind, text, functionName, data });
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
  return '';
}

function clientConfig(endpoint: string, accessKeyId: string) {
  return { endpoint, region: LOCAL_REGION, credentials: { accessKeyId, secretAccessKey: 'local' } };
}

function clientConfigEnv(endpoint: string, accessKeyId: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: LOCAL_REGION,
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
