import { withDeployedImages } from './deployed-images';
import { DETAIL_TYPES, type EventEmitter } from './events';
import type { Lineage } from './lineage';
import type { MotoClient } from './moto-client';
import {
  arn,
  type CallContext,
  ENTITY_NAME,
  epochSeconds,
  requireString,
  ServiceError,
  validation,
} from './protocol';

type Json = Record<string, unknown>;

export type EndpointStatus =
  | 'Creating'
  | 'Updating'
  | 'SystemUpdating'
  | 'InService'
  | 'Failed'
  | 'Deleting'
  | 'RollingBack';

/**
 * Statuses in which UpdateEndpoint and DeleteEndpoint are refused. API reference, DescribeEndpoint
 * EndpointStatus: Creating ("CreateEndpoint is executing"), Updating, SystemUpdating ("cannot be
 * updated or deleted or re-scaled until it has completed"), RollingBack ("in the process of rolling
 * back"), Deleting ("DeleteEndpoint is executing"); UpdateEndpoint: "When SageMaker receives the
 * request, it sets the endpoint status to Updating".
 */
const BUSY: readonly EndpointStatus[] = ['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting'];

/** A state SageMaker puts an endpoint in on its own, for a while (maintenance, an autoscaling rollback). */
export interface SystemState {
  readonly status: 'SystemUpdating' | 'RollingBack';
  readonly ms: number;
}

/** How the next create or update of an endpoint ends. */
export type DeploymentOutcome =
  /** Reaches InService on the new config. */
  | 'succeed'
  /** Blue/green rolls back (an alarm fired): InService again, on the old config, with a FailureReason. */
  | 'rollback'
  /**
   * The same rollback, with no FailureReason: after SageMaker rolls an update back, the endpoint is
   * InService on its previous config and FailureReason may be empty (hashicorp/terraform-provider-aws
   * #48997, PR #49020), so a rollback must be recognised without it. (#39099 reports the other case:
   * a failed update left InService with FailureReason set.)
   */
  | 'rollback-without-reason'
  /** The endpoint ends Failed. */
  | 'fail';

export interface EndpointTiming {
  /** Milliseconds an endpoint stays Creating. */
  createMs: number;
  /** Milliseconds an endpoint stays Updating. */
  updateMs: number;
  /** Milliseconds an endpoint stays Deleting. */
  deleteMs: number;
}

interface Endpoint {
  name: string;
  arn: string;
  status: EndpointStatus;
  configName: string;
  pendingConfigName?: string;
  variants: Json[];
  dataCapture?: Json;
  failureReason?: string;
  creationTime: Date;
  lastModifiedTime: Date;
  lastDeploymentConfig?: Json;
  /** The variant properties the pending UpdateEndpoint retains (RetainAllVariantProperties). */
  retain?: ReadonlySet<string>;
  tags: Json[];
  region: string;
  timer?: NodeJS.Timeout;
}

/** What the tests and the benchmark read: every lifecycle call, in order. */
export interface EndpointCall {
  readonly operation: 'CreateEndpoint' | 'UpdateEndpoint' | 'DeleteEndpoint';
  readonly endpointName: string;
  readonly endpointConfigName?: string;
  readonly deploymentConfig?: Json;
  readonly at: number;
}

/**
 * Endpoints with the service's lifecycle, which moto lacks: CreateEndpoint goes Creating then
 * InService, UpdateEndpoint goes Updating then InService on the new config (or rolls back, or fails),
 * and while an endpoint is Creating or Updating, UpdateEndpoint and DeleteEndpoint are refused.
 * Every transition emits `SageMaker Endpoint State Change`.
 */
export class Endpoints {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly outcomes = new Map<string, DeploymentOutcome[]>();
  readonly calls: EndpointCall[] = [];
  timing: EndpointTiming = { createMs: 1000, updateMs: 1000, deleteMs: 200 };
  /** Endpoints (by name) whose transitions wait for release(), however long that takes. */
  private readonly held = new Set<string>();
  /** Models (`<account>/<name>`) created with EnableNetworkIsolation, which moto drops. */
  private readonly isolated = new Set<string>();
  /** The transition each held endpoint has waiting. */
  private readonly parked = new Map<string, () => Promise<void>>();
  /**
   * Instances an account may run per instance type for endpoints ("<type> for endpoint usage" in
   * Service Quotas); unset, no limit. A new account's quota is 0 for many types, the first-deploy
   * failure teams meet most (awsdocs/amazon-sagemaker-developer-guide#70,
   * aws-samples/sagemaker-custom-project-templates#51).
   */
  instanceQuotas: Readonly<Record<string, number>> = {};

  constructor(
    private readonly moto: MotoClient,
    private readonly events: EventEmitter,
    private readonly lineage: Lineage,
    private readonly onError: (error: unknown) => void,
  ) {}

  reset(): void {
    for (const e of this.endpoints.values()) clearTimeout(e.timer);
    this.isolated.clear();
    this.held.clear();
    this.parked.clear();
    this.endpoints.clear();
    this.outcomes.clear();
    this.interrupted.clear();
    this.calls.length = 0;
    this.shadowVariants.clear();
    this.instanceQuotas = {};
  }

  /**
   * Refuses a CreateEndpoint that would run more instances of a type than the account's quota, in
   * SageMaker's words (ResourceLimitExceeded, as the threads above quote it).
   */
  private async checkQuota(ctx: CallContext, config: Json): Promise<void> {
    const wanted = new Map<string, number>();
    for (const v of (config.ProductionVariants as Json[] | undefined) ?? []) {
      if (typeof v.InstanceType !== 'string') continue;
      wanted.set(v.InstanceType, (wanted.get(v.InstanceType) ?? 0) + Number(v.InitialInstanceCount ?? 1));
    }
    for (const [type, delta] of wanted) {
      const quota = this.instanceQuotas[type];
      if (quota === undefined) continue;
      let used = 0;
      for (const e of this.endpoints.values()) {
        if (!ownedBy(e, ctx) || e.status === 'Failed') continue;
        const running = await this.endpointConfig(ctx, e.configName);
        for (const v of (running.ProductionVariants as Json[] | undefined) ?? [])
          if (v.InstanceType === type) used += Number(v.InitialInstanceCount ?? 1);
      }
      if (used + delta > quota)
        throw new ServiceError(
          'ResourceLimitExceeded',
          `The account-level service limit '${type} for endpoint usage' is ${quota} Instances, with current utilization of ${used} Instances and a request delta of ${delta} Instances. Please use AWS Service Quotas to request an increase for this quota. If AWS Service Quotas is not available, contact AWS support to request an increase for this quota.`,
        );
    }
  }

  /**
   * Shadow variants of endpoint configs, by account and name: moto accepts ShadowProductionVariants
   * on CreateEndpointConfig and drops them, so DescribeEndpointConfig would hide a config that copies
   * live traffic to another model (the squat check compares them, domain/ownership.ts).
   */
  private readonly shadowVariants = new Map<string, unknown>();

  async describeEndpointConfig(ctx: CallContext, body: Json): Promise<Json> {
    const name = requireString(body, 'EndpointConfigName', ENTITY_NAME, 63);
    const out = await this.moto.sagemaker<Json>(ctx, 'DescribeEndpointConfig', body);
    const shadow = this.shadowVariants.get(`${ctx.account}/${name}`);
    return shadow ? { ...out, ShadowProductionVariants: shadow } : out;
  }

  /** Endpoints whose next UpdateEndpoint never arrives: the caller died just before making it. */
  private readonly interrupted = new Set<string>();

  /** The next UpdateEndpoint of the endpoint is refused and changes nothing, as if its caller crashed first. */
  interruptNextUpdate(endpointName: string): void {
    this.interrupted.add(endpointName);
  }

  /** Queues how the next deployments (create or update) of an endpoint end. */
  queueOutcomes(endpointName: string, outcomes: DeploymentOutcome[]): void {
    this.outcomes.set(endpointName, [...(this.outcomes.get(endpointName) ?? []), ...outcomes]);
  }

  /**
   * CreateModel and CreateEndpointConfig refuse a name that exists, as SageMaker does ("Cannot
   * create already existing model …" / "… endpoint configuration …", a ValidationException); moto
   * silently replaces the existing one, which would hide a squatted name.
   */
  async createModel(ctx: CallContext, body: Json): Promise<Json> {
    const name = requireString(body, 'ModelName', ENTITY_NAME, 63);
    const exists = await this.moto.sagemaker(ctx, 'DescribeModel', { ModelName: name }).then(
      () => true,
      () => false,
    );
    if (exists)
      throw validation(`Cannot create already existing model "${arn(ctx, `model/${name.toLowerCase()}`)}".`);
    const out = await this.moto.sagemaker(ctx, 'CreateModel', body);
    if (body.EnableNetworkIsolation === true) this.isolated.add(`${ctx.account}/${name}`);
    return out;
  }

  /**
   * DescribeModel with the model's EnableNetworkIsolation as it was created (API reference,
   * DescribeModel: EnableNetworkIsolation, "If True, no inbound or outbound network calls can be
   * made to or from the model container"); moto keeps it false whatever CreateModel sent.
   */
  async describeModel(ctx: CallContext, body: Json): Promise<Json> {
    const out = await this.moto.sagemaker(ctx, 'DescribeModel', body);
    return { ...out, EnableNetworkIsolation: this.isolated.has(`${ctx.account}/${String(out.ModelName)}`) };
  }

  async deleteModel(ctx: CallContext, body: Json): Promise<Json> {
    const out = await this.moto.sagemaker(ctx, 'DeleteModel', body);
    this.isolated.delete(`${ctx.account}/${String(body.ModelName)}`);
    return out;
  }

  async createEndpointConfig(ctx: CallContext, body: Json): Promise<Json> {
    const name = requireString(body, 'EndpointConfigName', ENTITY_NAME, 63);
    const exists = await this.moto
      .sagemaker(ctx, 'DescribeEndpointConfig', { EndpointConfigName: name })
      .then(
        () => true,
        () => false,
      );
    if (exists) {
      throw validation(
        `Cannot create already existing endpoint configuration "${arn(ctx, `endpoint-config/${name.toLowerCase()}`)}".`,
      );
    }
    const created = await this.moto.sagemaker<Json>(ctx, 'CreateEndpointConfig', body);
    if (Array.isArray(body.ShadowProductionVariants) && body.ShadowProductionVariants.length > 0)
      this.shadowVariants.set(`${ctx.account}/${name}`, body.ShadowProductionVariants);
    return created;
  }

  async create(ctx: CallContext, body: Json): Promise<Json> {
    const name = requireString(body, 'EndpointName', ENTITY_NAME, 63);
    const configName = requireString(body, 'EndpointConfigName', ENTITY_NAME, 63);
    const endpointArn = arn(ctx, `endpoint/${name.toLowerCase()}`);
    if (this.endpoints.has(name))
      throw validation(`Cannot create already existing endpoint "${endpointArn}".`);
    const config = await this.endpointConfig(ctx, configName);
    await this.checkQuota(ctx, config);
    // Checked again after the await: a concurrent CreateEndpoint may have claimed the name meanwhile.
    if (this.endpoints.has(name))
      throw validation(`Cannot create already existing endpoint "${endpointArn}".`);
    this.calls.push({
      operation: 'CreateEndpoint',
      endpointName: name,
      endpointConfigName: configName,
      at: Date.now(),
    });
    const now = new Date();
    const endpoint: Endpoint = {
      name,
      arn: endpointArn,
      status: 'Creating',
      configName,
      variants: variantsOf(config),
      dataCapture: config.DataCaptureConfig as Json | undefined,
      creationTime: now,
      lastModifiedTime: now,
      tags: (body.Tags as Json[] | undefined) ?? [],
      region: ctx.region,
    };
    this.endpoints.set(name, endpoint);
    await this.emit(ctx, endpoint);
    this.schedule(endpoint, this.timing.createMs, () => this.finishCreate(ctx, endpoint));
    return { EndpointArn: endpointArn };
  }

  async update(ctx: CallContext, body: Json): Promise<Json> {
    const name = requireString(body, 'EndpointName', ENTITY_NAME, 63);
    const configName = requireString(body, 'EndpointConfigName', ENTITY_NAME, 63);
    this.get(name, ctx);
    if (this.interrupted.delete(name)) {
      throw validation(
        `The caller crashed before UpdateEndpoint of "${name}" (a crash the local endpoint was asked to simulate).`,
      );
    }
    const config = await this.endpointConfig(ctx, configName);
    await this.refuseScalingTargetChange(ctx, this.get(name), config);
    // Check and claim with no await in between: concurrent calls see each other, as on the service.
    const endpoint = this.get(name);
    if (BUSY.includes(endpoint.status)) {
      throw validation(`Cannot update in-progress endpoint "${endpoint.arn}".`);
    }
    // DescribeEndpoint's EndpointStatus (API reference): "DeleteEndpoint is the only operation that can
    // be performed on a failed endpoint."
    if (endpoint.status === 'Failed') {
      throw validation(
        `Cannot update failed endpoint "${endpoint.arn}"; DeleteEndpoint is the only operation allowed.`,
      );
    }
    this.calls.push({
      operation: 'UpdateEndpoint',
      endpointName: name,
      endpointConfigName: configName,
      deploymentConfig: body.DeploymentConfig as Json | undefined,
      at: Date.now(),
    });
    endpoint.status = 'Updating';
    endpoint.pendingConfigName = configName;
    endpoint.retain = retainedProperties(body);
    endpoint.failureReason = undefined;
    endpoint.lastModifiedTime = new Date();
    if (body.DeploymentConfig) endpoint.lastDeploymentConfig = body.DeploymentConfig as Json;
    await this.emit(ctx, endpoint);
    this.schedule(endpoint, this.timing.updateMs, () => this.finishUpdate(ctx, endpoint, config));
    return { EndpointArn: endpoint.arn };
  }

  /**
   * UpdateEndpointWeightsAndCapacities: what Application Auto Scaling calls to scale a variant (and
   * what a test calls to stand in for it). The named variants take the desired counts and weights
   * at once; the endpoint is Updating ("UpdateEndpoint or UpdateEndpointWeightsAndCapacities is
   * executing", API reference, EndpointStatus) until the current ones reach them, with an event at
   * each transition.
   */
  async updateWeightsAndCapacities(ctx: CallContext, body: Json): Promise<Json> {
    const name = requireString(body, 'EndpointName', ENTITY_NAME, 63);
    const endpoint = this.get(name);
    if (endpoint.status !== 'InService') {
      throw validation(`Cannot update in-progress endpoint "${endpoint.arn}".`);
    }
    const desired = (body.DesiredWeightsAndCapacities as Json[] | undefined) ?? [];
    for (const d of desired) {
      if (!endpoint.variants.some((v) => v.VariantName === d.VariantName)) {
        throw validation(`The variant "${String(d.VariantName)}" does not exist on endpoint "${name}".`);
      }
    }
    for (const d of desired) {
      const variant = endpoint.variants.find((v) => v.VariantName === d.VariantName) as Json;
      if (d.DesiredInstanceCount !== undefined) variant.DesiredInstanceCount = d.DesiredInstanceCount;
      if (d.DesiredWeight !== undefined) variant.DesiredWeight = d.DesiredWeight;
    }
    endpoint.status = 'Updating';
    endpoint.lastModifiedTime = new Date();
    await this.emit(ctx, endpoint);
    this.schedule(endpoint, this.timing.updateMs, async () => {
      for (const variant of endpoint.variants) {
        variant.CurrentInstanceCount = variant.DesiredInstanceCount;
        variant.CurrentWeight = variant.DesiredWeight;
      }
      endpoint.status = 'InService';
      endpoint.lastModifiedTime = new Date();
      await this.emit(ctx, endpoint);
    });
    return { EndpointArn: endpoint.arn };
  }

  async delete(ctx: CallContext, body: Json): Promise<Json> {
    const name = requireString(body, 'EndpointName', ENTITY_NAME, 63);
    const endpoint = this.get(name, ctx);
    if (BUSY.includes(endpoint.status)) {
      throw validation(`Cannot update in-progress endpoint "${endpoint.arn}".`);
    }
    this.calls.push({ operation: 'DeleteEndpoint', endpointName: name, at: Date.now() });
    endpoint.status = 'Deleting';
    await this.emit(ctx, endpoint);
    this.schedule(endpoint, this.timing.deleteMs, async () => {
      this.endpoints.delete(name);
    });
    return {};
  }

  describe(ctx: CallContext, body: Json): Json {
    const endpoint = this.get(requireString(body, 'EndpointName', ENTITY_NAME, 63), ctx);
    return {
      EndpointName: endpoint.name,
      EndpointArn: endpoint.arn,
      EndpointConfigName: endpoint.configName,
      ProductionVariants: endpoint.variants,
      ...(endpoint.dataCapture
        ? { DataCaptureConfig: { ...endpoint.dataCapture, CaptureStatus: 'Started' } }
        : {}),
      EndpointStatus: endpoint.status,
      ...(endpoint.failureReason ? { FailureReason: endpoint.failureReason } : {}),
      CreationTime: epochSeconds(endpoint.creationTime),
      LastModifiedTime: epochSeconds(endpoint.lastModifiedTime),
      ...(endpoint.lastDeploymentConfig ? { LastDeploymentConfig: endpoint.lastDeploymentConfig } : {}),
      ...(endpoint.pendingConfigName
        ? { PendingDeploymentSummary: { EndpointConfigName: endpoint.pendingConfigName } }
        : {}),
    };
  }

  list(ctx: CallContext, body: Json): Json {
    const contains = typeof body.NameContains === 'string' ? body.NameContains : undefined;
    const status = typeof body.StatusEquals === 'string' ? body.StatusEquals : undefined;
    return {
      Endpoints: [...this.endpoints.values()]
        .filter((e) => ownedBy(e, ctx))
        .filter((e) => (!contains || e.name.includes(contains)) && (!status || e.status === status))
        .map((e) => ({
          EndpointName: e.name,
          EndpointArn: e.arn,
          CreationTime: epochSeconds(e.creationTime),
          LastModifiedTime: epochSeconds(e.lastModifiedTime),
          EndpointStatus: e.status,
        })),
    };
  }

  /**
   * Puts an InService endpoint in a state SageMaker enters on its own (SystemUpdating for
   * maintenance, RollingBack after a failed scaling), for `ms`, then back to InService; both
   * transitions emit their event. Refused for an endpoint that is not InService.
   */
  async enterSystemState(ctx: CallContext, name: string, state: SystemState): Promise<void> {
    const endpoint = this.get(name);
    if (endpoint.status !== 'InService')
      throw validation(`endpoint ${name} is ${endpoint.status}, not InService`);
    endpoint.status = state.status;
    endpoint.lastModifiedTime = new Date();
    await this.emit(ctx, endpoint);
    this.schedule(endpoint, state.ms, async () => {
      endpoint.status = 'InService';
      endpoint.lastModifiedTime = new Date();
      await this.emit(ctx, endpoint);
    });
  }

  /** DescribeEndpoint's answer, or undefined when there is no such endpoint (inference-experiments.ts). */
  describeIfExists(name: string): Json | undefined {
    return this.endpoints.has(name)
      ? this.describe(undefined as unknown as CallContext, { EndpointName: name })
      : undefined;
  }

  /**
   * An update SageMaker makes itself, as an inference experiment does when it starts and ends
   * (inference-experiments.ts): Updating, then InService on the config, with both events. Not a
   * caller's UpdateEndpoint, so it is not in `calls` and takes none of the queued outcomes.
   */
  async updateBySageMaker(ctx: CallContext, name: string, configName: string): Promise<void> {
    const endpoint = this.get(name);
    if (endpoint.status !== 'InService')
      throw validation(`Cannot update in-progress endpoint "${endpoint.arn}".`);
    const config = await this.endpointConfig(ctx, configName);
    endpoint.status = 'Updating';
    endpoint.pendingConfigName = configName;
    endpoint.failureReason = undefined;
    endpoint.lastModifiedTime = new Date();
    await this.emit(ctx, endpoint);
    this.schedule(endpoint, this.timing.updateMs, async () => {
      endpoint.pendingConfigName = undefined;
      endpoint.configName = configName;
      endpoint.variants = variantsOf(config);
      endpoint.dataCapture = config.DataCaptureConfig as Json | undefined;
      endpoint.lastModifiedTime = new Date();
      await this.goInService(ctx, endpoint);
      await this.emit(ctx, endpoint);
    });
  }

  regionOf(name: string): string | undefined {
    return this.endpoints.get(name)?.region;
  }

  accountOf(name: string): string | undefined {
    return this.endpoints.get(name)?.arn.split(':')[4];
  }

  /** The local endpoint with this ARN, if there is one (tags of anything else are moto's). */
  byArn(resourceArn: unknown): string | undefined {
    return [...this.endpoints.values()].find((e) => e.arn === resourceArn)?.name;
  }

  /** AddTags on an endpoint: keys already there take the new value. */
  addTags(name: string, body: Json): Json {
    const endpoint = this.get(name);
    for (const tag of (body.Tags as Json[] | undefined) ?? []) {
      endpoint.tags = [
        ...endpoint.tags.filter((t) => t.Key !== tag.Key),
        { Key: tag.Key, Value: tag.Value ?? '' },
      ];
    }
    return { Tags: body.Tags ?? [] };
  }

  listTags(name: string): Json {
    return { Tags: this.get(name).tags };
  }

  deleteTags(name: string, body: Json): Json {
    const endpoint = this.get(name);
    const keys = (body.TagKeys as string[] | undefined) ?? [];
    endpoint.tags = endpoint.tags.filter((t) => !keys.includes(String(t.Key)));
    return {};
  }

  /** Stops every pending transition (the server is shutting down). */
  stop(): void {
    for (const e of this.endpoints.values()) clearTimeout(e.timer);
    this.parked.clear();
  }

  /**
   * Holds an endpoint (existing or not yet created) in whatever state its next call puts it in:
   * Creating, Updating or Deleting last until release(), so a test of what SageMaker refuses in
   * those states never races a timer.
   */
  hold(name: string): void {
    this.held.add(name);
  }

  /** Lets a held endpoint go: the transition it has waiting completes now (its events emitted). */
  async release(name: string): Promise<void> {
    this.held.delete(name);
    const then = this.parked.get(name);
    this.parked.delete(name);
    await then?.();
  }

  /**
   * The endpoint of this name; with `ctx`, only the caller's account's (endpoints are held by name,
   * so two accounts cannot both have one of the same name locally).
   */
  private get(name: string, ctx?: CallContext): Endpoint {
    const endpoint = this.endpoints.get(name);
    if (!endpoint || (ctx && !ownedBy(endpoint, ctx))) throw validation(`Could not find endpoint "${name}".`);
    return endpoint;
  }

  /**
   * SageMaker developer guide, "Update endpoints that use auto scaling": an UpdateEndpoint that
   * would change the instance type of a variant registered as an Application Auto Scaling target,
   * or remove such a variant, fails; deregister the target first. Changing only the model is allowed.
   */
  private async refuseScalingTargetChange(ctx: CallContext, endpoint: Endpoint, config: Json): Promise<void> {
    const current = await this.endpointConfig(ctx, endpoint.configName).catch(() => undefined);
    if (!current) return;
    const out = await this.moto.autoscaling<{ ScalableTargets?: Json[] }>(ctx, 'DescribeScalableTargets', {
      ServiceNamespace: 'sagemaker',
    });
    const registered = new Set(
      (out.ScalableTargets ?? [])
        .map((t) => String(t.ResourceId))
        .filter((id) => id.startsWith(`endpoint/${endpoint.name}/variant/`))
        .map((id) => id.slice(`endpoint/${endpoint.name}/variant/`.length)),
    );
    const next = new Map(
      ((config.ProductionVariants as Json[] | undefined) ?? []).map((v) => [String(v.VariantName), v]),
    );
    for (const v of (current.ProductionVariants as Json[] | undefined) ?? []) {
      const variant = String(v.VariantName);
      if (!registered.has(variant)) continue;
      const after = next.get(variant);
      if (!after || after.InstanceType !== v.InstanceType) {
        throw validation(
          `The variant "${variant}" of endpoint "${endpoint.name}" is registered as an Application Auto Scaling target; an update that ${after ? `changes its instance type (${String(v.InstanceType)} to ${String(after.InstanceType)})` : 'removes it'} is not allowed. Deregister the scalable target first.`,
        );
      }
    }
  }

  private async endpointConfig(ctx: CallContext, name: string): Promise<Json> {
    try {
      return await this.moto.sagemaker(ctx, 'DescribeEndpointConfig', { EndpointConfigName: name });
    } catch (error) {
      if (error instanceof ServiceError) throw validation(`Could not find endpoint configuration "${name}".`);
      throw error;
    }
  }

  private nextOutcome(name: string): DeploymentOutcome {
    return this.outcomes.get(name)?.shift() ?? 'succeed';
  }

  private async finishCreate(ctx: CallContext, endpoint: Endpoint): Promise<void> {
    const outcome = this.nextOutcome(endpoint.name);
    endpoint.lastModifiedTime = new Date();
    if (outcome === 'succeed') {
      await this.goInService(ctx, endpoint);
    } else {
      endpoint.status = 'Failed';
      endpoint.failureReason =
        'The endpoint failed to start (a failure the local endpoint was asked to simulate).';
    }
    await this.emit(ctx, endpoint);
  }

  private async finishUpdate(ctx: CallContext, endpoint: Endpoint, config: Json): Promise<void> {
    const outcome = this.nextOutcome(endpoint.name);
    const pending = endpoint.pendingConfigName;
    endpoint.pendingConfigName = undefined;
    endpoint.lastModifiedTime = new Date();
    if (outcome === 'succeed' && pending) {
      endpoint.configName = pending;
      endpoint.variants = retainVariantProperties(endpoint.variants, variantsOf(config), endpoint.retain);
      endpoint.dataCapture = config.DataCaptureConfig as Json | undefined;
      await this.goInService(ctx, endpoint);
    } else if (outcome === 'rollback') {
      endpoint.status = 'InService';
      endpoint.failureReason = `Deployment of endpoint configuration "${pending}" was rolled back: an auto-rollback alarm went into ALARM.`;
    } else if (outcome === 'rollback-without-reason') {
      endpoint.status = 'InService';
    } else {
      endpoint.status = 'Failed';
      endpoint.failureReason = `Updating to endpoint configuration "${pending}" failed (a failure the local endpoint was asked to simulate).`;
    }
    await this.emit(ctx, endpoint);
  }

  /** SageMaker's own lineage entities exist by the time the endpoint is InService. */
  private async goInService(ctx: CallContext, endpoint: Endpoint): Promise<void> {
    // SageMaker resolves each variant's image tag as it starts the instances (deployed-images.ts).
    const config = await this.endpointConfig(ctx, endpoint.configName).catch(() => undefined);
    if (config)
      endpoint.variants = await withDeployedImages(this.moto, ctx, config, endpoint.variants, new Date());
    await this.lineage.recordDeployment(
      ctx,
      endpoint.arn,
      endpoint.name,
      endpoint.configName,
      endpoint.variants,
    );
    endpoint.status = 'InService';
  }

  private schedule(endpoint: Endpoint, ms: number, then: () => Promise<void>): void {
    clearTimeout(endpoint.timer);
    this.parked.delete(endpoint.name);
    if (this.held.has(endpoint.name)) {
      this.parked.set(endpoint.name, then);
      return;
    }
    endpoint.timer = setTimeout(() => {
      then().catch(this.onError);
    }, ms);
  }

  /** The documented event: EndpointStatus in upper snake case (IN_SERVICE), unlike DescribeEndpoint. */
  private async emit(ctx: CallContext, endpoint: Endpoint): Promise<void> {
    await this.events.emit(ctx, DETAIL_TYPES.endpoint, [endpoint.arn], {
      EndpointName: endpoint.name,
      EndpointArn: endpoint.arn,
      EndpointConfigName: endpoint.configName,
      ProductionVariants: endpoint.variants.map((v) => ({
        DesiredWeight: v.DesiredWeight,
        DesiredInstanceCount: v.DesiredInstanceCount,
        VariantName: v.VariantName,
        CurrentWeight: v.CurrentWeight,
        CurrentInstanceCount: v.CurrentInstanceCount,
      })),
      EndpointStatus: endpoint.status.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase(),
      ...(endpoint.failureReason ? { FailureReason: endpoint.failureReason } : {}),
      Tags: Object.fromEntries(endpoint.tags.map((t) => [t.Key, t.Value])),
    });
  }
}

/** UpdateEndpoint's RetainAllVariantProperties less ExcludeRetainedVariantProperties (API reference). */
function retainedProperties(body: Json): ReadonlySet<string> | undefined {
  if (body.RetainAllVariantProperties !== true) return undefined;
  const excluded = new Set(
    ((body.ExcludeRetainedVariantProperties as Json[] | undefined) ?? []).map((p) =>
      String(p.VariantPropertyType),
    ),
  );
  return new Set(
    ['DesiredInstanceCount', 'DesiredWeight', 'DataCaptureConfig'].filter((p) => !excluded.has(p)),
  );
}

/** The new config's variants, keeping the retained properties of same-named current variants. */
function retainVariantProperties(
  current: Json[],
  next: Json[],
  retain: ReadonlySet<string> | undefined,
): Json[] {
  if (!retain) return next;
  return next.map((v) => {
    const before = current.find((c) => c.VariantName === v.VariantName);
    if (!before) return v;
    return {
      ...v,
      ...(retain.has('DesiredInstanceCount') && before.DesiredInstanceCount !== undefined
        ? {
            DesiredInstanceCount: before.DesiredInstanceCount,
            CurrentInstanceCount: before.DesiredInstanceCount,
          }
        : {}),
      ...(retain.has('DesiredWeight')
        ? { DesiredWeight: before.DesiredWeight, CurrentWeight: before.DesiredWeight }
        : {}),
    };
  });
}

function variantsOf(config: Json): Json[] {
  return ((config.ProductionVariants as Json[] | undefined) ?? []).map((v) => ({
    VariantName: v.VariantName,
    DeployedImages: [],
    CurrentWeight: v.InitialVariantWeight ?? 1,
    DesiredWeight: v.InitialVariantWeight ?? 1,
    CurrentInstanceCount: v.InitialInstanceCount ?? (v.ServerlessConfig ? undefined : 1),
    DesiredInstanceCount: v.InitialInstanceCount ?? (v.ServerlessConfig ? undefined : 1),
    ...(v.ServerlessConfig ? { CurrentServerlessConfig: v.ServerlessConfig } : {}),
  }));
}

/** Whether the endpoint is in the caller's account (its ARN says where it was created). */
function ownedBy(endpoint: { arn: string }, ctx: CallContext): boolean {
  return endpoint.arn.split(':')[4] === ctx.account;
}
