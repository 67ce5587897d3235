import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SageMakerApiModel } from './api-model';
import { beforeEcr, ECR_TARGET_PREFIX } from './ecr';
import { type DeploymentOutcome, Endpoints, type EndpointTiming, type SystemState } from './endpoints';
import { EventBuses } from './event-buses';
import { EventEmitter } from './events';
import { InferenceExperiments, type VariantMetrics } from './inference-experiments';
import { Lineage, type LineageLimits } from './lineage';
import { ModelCards } from './model-cards';
import { Monitoring } from './monitoring';
import { MotoClient } from './moto-client';
import { ACCOUNT_ID, type CallContext, callContext, ServiceError } from './protocol';
import { Registry } from './registry';

type Json = Record<string, unknown>;
/** CloudWatch's JSON protocol target for GetMetricData (the AWS SDK for JavaScript v3 speaks it). */
const CLOUDWATCH_GET_METRIC_DATA = 'GraniteServiceVersion20100801.GetMetricData';
type Operation = (ctx: CallContext, body: Json) => Json | Promise<Json>;

export interface LocalSageMakerOptions {
  /** The moto server everything else is passed through to. */
  readonly motoUrl: string;
  /** @default a free port */
  readonly port?: number;
  /** @default 'us-east-1' (requests normally carry their region in the Authorization header) */
  readonly region?: string;
  /**
   * The account of callers whose access key names none (`<account>:<key>` names one: ACCOUNT_KEY in
   * protocol.ts). @default '123456789012' (moto's default account)
   */
  readonly defaultAccount?: string;
  readonly timing?: Partial<EndpointTiming>;
  /** Called with errors from background work (endpoint transitions, exports). */
  readonly onError?: (error: unknown) => void;
}

/** The runtime settings tests and local mode change through POST /_local/config. */
export interface LocalSageMakerConfig {
  readonly timing?: Partial<EndpointTiming>;
  readonly exportMs?: number;
  readonly lineageLimits?: Partial<LineageLimits>;
  /** Queue how the next deployments of endpoints end: { "my-endpoint": ["rollback"] }. */
  readonly outcomes?: Readonly<Record<string, DeploymentOutcome[]>>;
  /** Endpoints whose next UpdateEndpoint is refused unapplied, as if the caller crashed just before it. */
  readonly interruptNextUpdate?: readonly string[];
  /** How many milliseconds one minute of an inference experiment lasts here (default 60000). */
  readonly experimentMinuteMs?: number;
  /** How many milliseconds one hour of a monitoring schedule lasts here (default 3600000). */
  readonly monitoringHourMs?: number;
  /** Instances the account may run per instance type for endpoints: { "ml.m5.large": 0 }. */
  readonly instanceQuotas?: Readonly<Record<string, number>>;
}

/**
 * A local SageMaker that an unmodified AWS SDK reaches through AWS_ENDPOINT_URL. It serves the
 * operations moto lacks or gets wrong (endpoint lifecycle, lineage, model card export, the
 * registry's update semantics, events) and passes every other request, of any service, to moto.
 *
 * Control routes for tests and local mode: POST /_local/reset, POST /_local/config,
 * POST and DELETE /_local/variant-metrics (per-variant AWS/SageMaker figures GetMetricData answers),
 * POST /_local/system-state (an endpoint SystemUpdating or RollingBack for a while),
 * POST /_local/monitoring/run (a monitoring execution of a schedule, now; with Hold, it stays
 * InProgress until POST /_local/monitoring/release { ProcessingJobName }),
 * POST /_local/hold and /_local/release { endpointName } (an endpoint's transitions wait for release),
 * GET /_local/calls (endpoint lifecycle calls), GET /_local/events (events emitted).
 *
 * Every SageMaker request, served here or passed to moto, is first held to SageMaker's API model
 * (api-model.ts): what the service refuses is refused here, in its words.
 */
export class LocalSageMaker {
  readonly moto: MotoClient;
  readonly events: EventEmitter;
  readonly lineage: Lineage;
  readonly registry: Registry;
  readonly endpoints: Endpoints;
  readonly modelCards: ModelCards;
  /** Events put on another account's bus: authorized by its policy, delivered to listeners. */
  readonly buses: EventBuses;
  readonly experiments: InferenceExperiments;
  readonly monitoring: Monitoring;
  /** Count of SageMaker API calls received, by operation. */
  readonly operationCounts = new Map<string, number>();
  /** Every SageMaker API call, in order: who (access key id), what, when. */
  readonly callLog: { caller: string; operation: string; at: number }[] = [];
  /**
   * Every request of any JSON-protocol service (X-Amz-Target: `SageMaker.UpdateEndpoint`,
   * `AnyScaleFrontendService.RegisterScalableTarget`, ...), in the order it arrived.
   */
  readonly requestLog: { caller: string; target: string }[] = [];
  /**
   * Every SageMaker request refused by the API model's constraints (a ValidationException before
   * any resource is looked at), so a test can show that every request the app sends is valid.
   */
  readonly refusedLog: { caller: string; operation: string; message: string }[] = [];
  private server?: Server;
  private readonly operations: Record<string, Operation>;
  /** SageMaker's API model (botocore's), held against every SageMaker request, served or proxied. */
  private readonly apiModel = SageMakerApiModel.load();

  private readonly onError: (error: unknown) => void;

  constructor(private readonly options: LocalSageMakerOptions) {
    const onError = options.onError ?? ((e: unknown) => console.error('[local-sagemaker]', e));
    this.onError = onError;
    this.moto = new MotoClient(options.motoUrl);
    this.events = new EventEmitter(this.moto);
    this.lineage = new Lineage(this.moto);
    this.registry = new Registry(this.moto, this.events, this.lineage);
    this.endpoints = new Endpoints(this.moto, this.events, this.lineage, onError);
    this.modelCards = new ModelCards(this.moto, this.events, options.motoUrl, onError);
    this.buses = new EventBuses(this.moto);
    this.experiments = new InferenceExperiments(this.moto, this.endpoints, onError);
    this.monitoring = new Monitoring(this.endpoints, this.events, options.motoUrl, onError);
    if (options.timing) this.endpoints.timing = { ...this.endpoints.timing, ...options.timing };
    const r = this.registry;
    const e = this.endpoints;
    const l = this.lineage;
    const m = this.modelCards;
    const x = this.experiments;
    const mon = this.monitoring;
    this.operations = {
      CreateModelPackageGroup: (c, b) => r.createModelPackageGroup(c, b),
      CreateModelPackage: (c, b) => r.createModelPackage(c, b),
      UpdateModelPackage: (c, b) => r.updateModelPackage(c, b),
      DescribeModelPackage: (c, b) => r.describeModelPackage(c, b),
      ListModelPackages: (c, b) => r.listModelPackages(c, b),
      ListModels: (c, b) => this.listModels(c, b),
      // Cross-account: the group's resource policy decides (registry.ts, access.ts).
      DescribeModelPackageGroup: (c, b) => r.describeModelPackageGroup(c, b),
      PutModelPackageGroupPolicy: (c, b) => r.putModelPackageGroupPolicy(c, b),
      GetModelPackageGroupPolicy: (c, b) => r.getModelPackageGroupPolicy(c, b),
      DeleteModelPackageGroupPolicy: (c, b) => r.deleteModelPackageGroupPolicy(c, b),
      CreateModel: async (c, b) => {
        await r.authorizeCreateModel(c, b);
        return e.createModel(c, b);
      },
      DescribeModel: (c, b) => e.describeModel(c, b),
      DeleteModel: (c, b) => e.deleteModel(c, b),
      CreateEndpointConfig: (c, b) => e.createEndpointConfig(c, b),
      DescribeEndpointConfig: (c, b) => e.describeEndpointConfig(c, b),
      CreateEndpoint: (c, b) => e.create(c, b),
      UpdateEndpoint: (c, b) => e.update(c, b),
      UpdateEndpointWeightsAndCapacities: (c, b) => e.updateWeightsAndCapacities(c, b),
      DeleteEndpoint: (c, b) => e.delete(c, b),
      DescribeEndpoint: (c, b) => e.describe(c, b),
      ListEndpoints: (c, b) => e.list(c, b),
      // Tags of the endpoints and inference experiments held here; moto keeps everyone else's.
      AddTags: (c, b) => {
        const name = e.byArn(b.ResourceArn);
        const experiment = x.byArn(b.ResourceArn);
        if (experiment) return x.addTags(experiment, b);
        return name ? e.addTags(name, b) : this.moto.sagemaker(c, 'AddTags', b);
      },
      ListTags: (c, b) => {
        const name = e.byArn(b.ResourceArn);
        const experiment = x.byArn(b.ResourceArn);
        if (experiment) return x.listTags(experiment);
        return name ? e.listTags(name) : this.moto.sagemaker(c, 'ListTags', b);
      },
      DeleteTags: (c, b) => {
        const name = e.byArn(b.ResourceArn);
        const experiment = x.byArn(b.ResourceArn);
        if (experiment) return x.deleteTags(experiment, b);
        return name ? e.deleteTags(name, b) : this.moto.sagemaker(c, 'DeleteTags', b);
      },
      CreateInferenceExperiment: (c, b) => x.create(c, b),
      DescribeInferenceExperiment: (c, b) => x.describe(c, b),
      ListInferenceExperiments: (c, b) => x.list(c, b),
      StopInferenceExperiment: (c, b) => x.stopExperiment(c, b),
      CreateArtifact: (c, b) => l.createArtifact(c, b),
      CreateContext: (c, b) => l.createContext(c, b),
      CreateAction: (c, b) => l.createAction(c, b),
      UpdateAction: (c, b) => l.updateAction(c, b),
      DescribeArtifact: (c, b) => l.describeArtifact(c, b),
      DescribeContext: (c, b) => l.describeContext(c, b),
      DescribeAction: (c, b) => l.describeAction(c, b),
      ListArtifacts: (c, b) => l.listArtifacts(c, b),
      ListContexts: (c, b) => l.listContexts(c, b),
      ListActions: (c, b) => l.listActions(c, b),
      DeleteArtifact: (c, b) => l.deleteEntity('Artifact', c, b),
      DeleteContext: (c, b) => l.deleteEntity('Context', c, b),
      DeleteAction: (c, b) => l.deleteEntity('Action', c, b),
      AddAssociation: (c, b) => l.addAssociation(c, b),
      DeleteAssociation: (c, b) => l.deleteAssociation(c, b),
      ListAssociations: (c, b) => l.listAssociations(c, b),
      QueryLineage: (c, b) => l.queryLineage(c, b),
      CreateDataQualityJobDefinition: (c, b) => mon.createDefinition(c, 'DataQuality', b),
      DescribeDataQualityJobDefinition: (c, b) => mon.describeDefinition(c, 'DataQuality', b),
      DeleteDataQualityJobDefinition: (c, b) => mon.deleteDefinition(c, 'DataQuality', b),
      ListDataQualityJobDefinitions: (c, b) => mon.listDefinitions(c, 'DataQuality', b),
      CreateModelQualityJobDefinition: (c, b) => mon.createDefinition(c, 'ModelQuality', b),
      DescribeModelQualityJobDefinition: (c, b) => mon.describeDefinition(c, 'ModelQuality', b),
      DeleteModelQualityJobDefinition: (c, b) => mon.deleteDefinition(c, 'ModelQuality', b),
      ListModelQualityJobDefinitions: (c, b) => mon.listDefinitions(c, 'ModelQuality', b),
      CreateMonitoringSchedule: (c, b) => mon.createSchedule(c, b),
      UpdateMonitoringSchedule: (c, b) => mon.updateSchedule(c, b),
      DescribeMonitoringSchedule: (c, b) => mon.describeSchedule(c, b),
      DeleteMonitoringSchedule: (c, b) => mon.deleteSchedule(c, b),
      ListMonitoringSchedules: (c, b) => mon.listSchedules(c, b),
      ListMonitoringExecutions: (c, b) => mon.listExecutions(c, b),
      DescribeProcessingJob: (c, b) =>
        mon.describeProcessingJob(c, b) ?? this.moto.sagemaker(c, 'DescribeProcessingJob', b),
      CreateModelCard: (c, b) => m.create(c, b),
      DescribeModelCard: (c, b) => m.describe(c, b),
      UpdateModelCard: (c, b) => m.update(c, b),
      ListModelCards: (c, b) => m.list(c, b),
      ListModelCardVersions: (c, b) => m.listVersions(c, b),
      CreateModelCardExportJob: (c, b) => m.createExportJob(c, b),
      DescribeModelCardExportJob: (c, b) => m.describeExportJob(c, b),
      ListModelCardExportJobs: (c, b) => m.listExportJobs(c, b),
    };
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('the local SageMaker endpoint is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.onError(error);
        if (!res.headersSent) respondError(res, new ServiceError('InternalFailure', String(error), 500));
      });
    });
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.options.port ?? 0, '127.0.0.1', resolve);
    });
    return this;
  }

  async stop(): Promise<void> {
    this.endpoints.stop();
    this.modelCards.stop();
    this.experiments.stop();
    this.monitoring.stop();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  configure(config: LocalSageMakerConfig): void {
    if (config.timing) this.endpoints.timing = { ...this.endpoints.timing, ...config.timing };
    if (config.exportMs !== undefined) this.modelCards.exportMs = config.exportMs;
    if (config.lineageLimits) this.lineage.limits = { ...this.lineage.limits, ...config.lineageLimits };
    for (const [name, outcomes] of Object.entries(config.outcomes ?? {}))
      this.endpoints.queueOutcomes(name, outcomes);
    for (const name of config.interruptNextUpdate ?? []) this.endpoints.interruptNextUpdate(name);
    if (config.instanceQuotas) this.endpoints.instanceQuotas = { ...config.instanceQuotas };
    if (config.experimentMinuteMs !== undefined)
      this.experiments.timing.experimentMinuteMs = config.experimentMinuteMs;
    if (config.monitoringHourMs !== undefined) this.monitoring.timing.hourMs = config.monitoringHourMs;
  }

  /**
   * Puts an InService endpoint in a state SageMaker enters on its own (SystemUpdating,
   * RollingBack) for `state.ms`, as POST /_local/system-state { endpointName, status, ms } does.
   */
  async systemState(endpointName: string, state: SystemState): Promise<void> {
    const region = this.endpoints.regionOf(endpointName) ?? this.options.region ?? 'us-east-1';
    const account = this.endpoints.accountOf(endpointName) ?? this.options.defaultAccount;
    await this.endpoints.enterSystemState(callContext(undefined, region, account), endpointName, state);
  }

  /** Forgets everything held here (moto's state is reset separately). */
  reset(): void {
    this.registry.reset();
    this.endpoints.reset();
    this.lineage.reset();
    this.modelCards.reset();
    this.experiments.reset();
    this.monitoring.reset();
    this.events.emitted.length = 0;
    this.buses.reset();
    this.operationCounts.clear();
    this.callLog.length = 0;
    this.requestLog.length = 0;
    this.refusedLog.length = 0;
  }

  /** moto's ListModels ignores NameContains; filter (and page) here. */
  private async listModels(ctx: CallContext, body: Json): Promise<Json> {
    const all: Json[] = [];
    let token: unknown;
    do {
      const page = await this.moto.sagemaker<{ Models?: Json[]; NextToken?: string }>(ctx, 'ListModels', {
        ...body,
        NameContains: undefined,
        MaxResults: 100,
        NextToken: token,
      });
      all.push(...(page.Models ?? []));
      token = page.NextToken;
    } while (token);
    const contains = typeof body.NameContains === 'string' ? body.NameContains : '';
    const matching = all.filter((m) => String(m.ModelName).includes(contains));
    const start = typeof body.NextToken === 'string' ? Number(body.NextToken) || 0 : 0;
    const size = typeof body.MaxResults === 'number' ? body.MaxResults : 10;
    return {
      Models: matching.slice(start, start + size),
      ...(start + size < matching.length ? { NextToken: String(start + size) } : {}),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = await readBody(req);
    if (req.url?.startsWith('/_local/')) return this.control(req, res, body);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target === CLOUDWATCH_GET_METRIC_DATA && this.answerMetricData(res, body)) return;
    const operation = target.startsWith('SageMaker.') ? target.slice('SageMaker.'.length) : undefined;
    const ctx = callContext(
      req.headers.authorization,
      this.options.region ?? 'us-east-1',
      this.options.defaultAccount ?? ACCOUNT_ID,
    );
    if (target) this.requestLog.push({ caller: ctx.accessKeyId, target });
    if (target.startsWith(ECR_TARGET_PREFIX)) {
      try {
        const rewritten = await beforeEcr(
          this.moto,
          ctx,
          target.slice(ECR_TARGET_PREFIX.length),
          parseOrEmpty(body),
        );
        if (rewritten) body = Buffer.from(JSON.stringify(rewritten));
      } catch (error) {
        if (error instanceof ServiceError) return respondError(res, error);
        throw error;
      }
    }
    if (target === 'AWSEvents.PutEvents') {
      const crossAccount = await this.buses.putEvents(ctx, parseOrEmpty(body));
      if (crossAccount) return respondJson(res, 200, crossAccount);
    }
    if (operation) {
      this.operationCounts.set(operation, (this.operationCounts.get(operation) ?? 0) + 1);
      this.callLog.push({ caller: ctx.accessKeyId, operation, at: Date.now() });
    }
    const implementation = operation ? this.operations[operation] : undefined;
    if (operation) {
      const invalid = this.requestViolation(operation, body);
      if (invalid) {
        this.refusedLog.push({ caller: ctx.accessKeyId, operation, message: invalid.message });
        return respondError(res, invalid);
      }
    }
    if (!implementation) return proxy(this.options.motoUrl, req, res, body, ctx.account);
    try {
      const parsed = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Json) : {};
      respondJson(res, 200, await implementation(ctx, parsed));
    } catch (error) {
      if (error instanceof ServiceError) return respondError(res, error);
      if (error instanceof SyntaxError)
        return respondError(res, new ServiceError('ValidationException', 'Malformed JSON body'));
      throw error;
    }
  }

  /**
   * What the service would refuse before looking at any resource: the API model's constraints.
   * A body that is not JSON is left to the operation (or to moto) to refuse.
   */
  private requestViolation(operation: string, body: Buffer): ServiceError | undefined {
    let parsed: unknown;
    try {
      parsed = body.length > 0 ? JSON.parse(body.toString('utf8')) : {};
    } catch {
      return undefined;
    }
    const message = this.apiModel.validate(operation, parsed);
    return message ? new ServiceError('ValidationException', message) : undefined;
  }

  /**
   * CloudWatch GetMetricData of AWS/SageMaker figures, answered from the figures tests and local
   * mode set (POST /_local/variant-metrics): moto's GetMetricData has no percentile statistics.
   * Any other request is moto's. True when answered.
   */
  private answerMetricData(res: ServerResponse, body: Buffer): boolean {
    let parsed: Json;
    try {
      parsed = JSON.parse(body.toString('utf8') || '{}') as Json;
    } catch {
      return false;
    }
    if (!this.experiments.answersMetricData(parsed)) return false;
    try {
      respondJson(res, 200, this.experiments.getMetricData(parsed));
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      respondError(res, error);
    }
    return true;
  }

  private async control(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const route = `${req.method} ${req.url?.split('?')[0]}`;
    if (route === 'DELETE /_local/variant-metrics') {
      this.experiments.clearVariantMetrics();
      return respondJson(res, 200, {});
    }
    if (route === 'POST /_local/variant-metrics') {
      const all = JSON.parse(body.toString('utf8') || '[]') as VariantMetrics | VariantMetrics[];
      try {
        for (const m of Array.isArray(all) ? all : [all]) this.experiments.putVariantMetrics(m);
      } catch (error) {
        if (error instanceof ServiceError) return respondJson(res, 400, { message: error.message });
        throw error;
      }
      return respondJson(res, 200, {});
    }
    if (route === 'POST /_local/monitoring/run' || route === 'POST /_local/monitoring/release') {
      const { MonitoringScheduleName, ProcessingJobName, Hold, account } = JSON.parse(
        body.toString('utf8') || '{}',
      ) as {
        MonitoringScheduleName?: string;
        ProcessingJobName?: string;
        Hold?: boolean;
        account?: string;
      };
      const ctx = callContext(
        undefined,
        this.options.region ?? 'us-east-1',
        account ?? this.options.defaultAccount,
      );
      try {
        return respondJson(
          res,
          200,
          route === 'POST /_local/monitoring/run'
            ? await this.monitoring.run(ctx, String(MonitoringScheduleName), Hold === true)
            : await this.monitoring.release(ctx, String(ProcessingJobName)),
        );
      } catch (error) {
        if (error instanceof ServiceError) return respondJson(res, 400, { message: error.message });
        throw error;
      }
    }
    if (route === 'POST /_local/system-state') {
      const { endpointName, ...state } = JSON.parse(body.toString('utf8') || '{}') as SystemState & {
        endpointName: string;
      };
      try {
        await this.systemState(endpointName, state);
      } catch (error) {
        if (error instanceof ServiceError) return respondJson(res, 400, { message: error.message });
        throw error;
      }
      return respondJson(res, 200, {});
    }
    if (route === 'POST /_local/hold' || route === 'POST /_local/release') {
      const { endpointName } = JSON.parse(body.toString('utf8') || '{}') as { endpointName?: unknown };
      if (typeof endpointName !== 'string')
        return respondJson(res, 400, { message: 'endpointName is required' });
      if (route === 'POST /_local/hold') this.endpoints.hold(endpointName);
      else await this.endpoints.release(endpointName);
      return respondJson(res, 200, {});
    }
    const [status, answer] = this.controlAnswer(route, body);
    respondJson(res, status, answer);
  }

  private controlAnswer(route: string, body: Buffer): [number, unknown] {
    switch (route) {
      case 'POST /_local/reset':
        this.reset();
        return [200, {}];
      case 'POST /_local/config':
        this.configure(JSON.parse(body.toString('utf8') || '{}') as LocalSageMakerConfig);
        return [200, {}];
      case 'GET /_local/calls':
        return [
          200,
          {
            endpointCalls: this.endpoints.calls,
            operationCounts: Object.fromEntries(this.operationCounts),
            lineageWrites: this.lineage.writes,
          },
        ];
      case 'GET /_local/events':
        return [200, { events: this.events.emitted, crossAccount: this.buses.delivered }];
      default:
        return [404, { message: `no control route ${route}` }];
    }
  }
}

function parseOrEmpty(body: Buffer): Json {
  try {
    return JSON.parse(body.toString('utf8') || '{}') as Json;
  } catch {
    return {};
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function respondJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v) => (v === undefined ? undefined : v));
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

function respondError(res: ServerResponse, error: ServiceError): void {
  const text = JSON.stringify({ __type: error.code, message: error.message });
  res.writeHead(error.status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-errortype': error.code,
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

/** Passes a request to moto as it came (in the caller's account), and moto's answer back as it went. */
async function proxy(
  motoUrl: string,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  account: string,
): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || k === 'host' || k === 'connection' || k === 'content-length') continue;
    headers[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  // The caller's account, which moto takes from this header before the access key (MotoClient).
  headers['x-moto-account-id'] = account;
  const upstream = await fetch(`${motoUrl}${req.url ?? '/'}`, {
    method: req.method,
    headers,
    body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
    redirect: 'manual',
  });
  const payload = Buffer.from(await upstream.arrayBuffer());
  const out: Record<string, string> = {};
  upstream.headers.forEach((value, key) => {
    if (!['content-encoding', 'transfer-encoding', 'connection', 'content-length'].includes(key))
      out[key] = value;
  });
  // A HEAD answer has no body but the Content-Length of the GET it stands for (RFC 9110 §9.3.2):
  // HeadObject's ContentLength is the object's size, which the gate's artifact pins record.
  const upstreamLength = upstream.headers.get('content-length');
  out['content-length'] =
    req.method === 'HEAD' && upstreamLength !== null ? upstreamLength : String(payload.length);
  res.writeHead(upstream.status, out);
  res.end(payload);
}
