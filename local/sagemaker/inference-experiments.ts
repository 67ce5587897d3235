/**
 * Inference experiments (shadow tests), which moto lacks, and the per-variant CloudWatch figures a
 * shadow test is judged by (moto's GetMetricData answers no percentile statistic, and ModelLatency
 * is judged at p99). Every request has already been held to SageMaker's API model (api-model.ts):
 * required members, the ShadowMode type, 1 to 2 ModelVariants, exactly one shadow variant, a
 * SamplingPercentage of at most 100, the Promote/Remove/Retain actions, Completed/Cancelled.
 *
 * What is enforced here beyond the model, and where AWS says so:
 * - Names are unique: CreateInferenceExperiment lists ResourceInUse among its errors.
 * - The endpoint exists and is InService, and the source variant is its production variant: the
 *   experiment runs "on a Amazon SageMaker inference endpoint" beside its "production variant"
 *   (API reference, CreateInferenceExperiment; developer guide, "Create a shadow test").
 * - One experiment in progress per endpoint: "SageMaker AI supports a maximum of one shadow variant
 *   per endpoint" (developer guide, "Create a shadow test").
 * - The schedule ends after it starts, at most 30 days later: "The default duration is 7 days and the
 *   maximum is 30 days" (same page); no Schedule means now to 7 days from now (API reference, Schedule).
 * - The variants' models exist (CreateModel first; the developer guide creates both models before
 *   the test).
 * - Status: Creating, then Created ("The experiment is created but not yet started"), Starting,
 *   Running while the endpoint carries the shadow variant, then Completed at the scheduled end, or
 *   Cancelled when StopInferenceExperiment asks for it (API reference, DescribeInferenceExperiment
 *   Status). StopInferenceExperiment of an experiment that is not in progress is a
 *   ConflictException (one of its listed errors); of an unknown one ResourceNotFound.
 * - SageMaker runs the experiment by updating the endpoint to a config it makes (the experiment's
 *   EndpointMetadata.EndpointConfigName), with the production variant and a ShadowProductionVariant.
 *   When it ends "the endpoint reverts to the state it was in prior to starting the test"
 *   (developer guide, "Complete a shadow test"): back to the config it ran on before, with its data
 *   capture and KMS key, or, on Promote, to a config with the shadow variant's model as the
 *   production variant (that config keeps the pre-test config's other settings). Both updates take
 *   the endpoint through Updating with its state-change events. The names SageMaker gives the
 *   configs it makes are not documented; here they are `ie-<hash>-<n>`, and nothing in the app
 *   depends on them.
 *
 * Local time: an experiment's minutes last `timing.experimentMinuteMs` each (POST /_local/config
 * { "experimentMinuteMs": 500 }), so a 1-minute test ends half a second after it starts. When a
 * test ends on its schedule, the clock the experiments and the AWS/SageMaker figures are kept by
 * moves on to the scheduled end (never back), so what reads them afterwards (CompletionTime,
 * GetMetricData's period rules) sees a test as long as it was scheduled.
 */

import { createHash } from 'node:crypto';
import type { InferenceExperimentStatus } from '@aws-sdk/client-sagemaker';
import type { Endpoints } from './endpoints';
import type { MotoClient } from './moto-client';
import { arn, type CallContext, epochSeconds, notFound, ServiceError, validation } from './protocol';

type Json = Record<string, unknown>;

/** The service model's InferenceExperimentStatus values (the SDK's enum). */
type Status = InferenceExperimentStatus;
const IN_PROGRESS: readonly Status[] = ['Creating', 'Created', 'Updating', 'Starting', 'Running', 'Stopping'];
const MAX_DAYS = 30;
const DEFAULT_DAYS = 7;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

interface Experiment {
  name: string;
  arn: string;
  account: string;
  region: string;
  status: Status;
  statusReason?: string;
  request: Json;
  endpointName: string;
  endpointConfigName?: string;
  /** The config the endpoint ran on before the test (what it reverts to). */
  preTestConfigName?: string;
  start: Date;
  end: Date;
  creationTime: Date;
  lastModifiedTime: Date;
  completionTime?: Date;
  variantStatus: string;
  tags: Json[];
  timer?: NodeJS.Timeout;
}

/** One variant's figures at one time, as SageMaker would publish them to AWS/SageMaker. */
export interface VariantMetrics {
  readonly endpointName: string;
  readonly variantName: string;
  readonly invocations?: number;
  readonly invocation5xxErrors?: number;
  /** ModelLatency samples, in microseconds (the unit SageMaker reports it in). */
  readonly modelLatencyMicros?: readonly number[];
  /** ISO 8601; default the wall clock's now. */
  readonly at?: string;
}

interface Datapoint {
  readonly endpointName: string;
  readonly variantName: string;
  readonly metric: string;
  readonly at: number;
  readonly values: readonly number[];
}

export class InferenceExperiments {
  private readonly experiments = new Map<string, Experiment>();
  private readonly datapoints: Datapoint[] = [];
  private configCounter = 0;
  /** How far the local clock is ahead of the wall clock (see "Local time" above). */
  private clockOffsetMs = 0;
  timing = { experimentMinuteMs: 60_000, startMs: 300 };

  constructor(
    private readonly moto: MotoClient,
    private readonly endpoints: Endpoints,
    private readonly onError: (error: unknown) => void,
  ) {}

  reset(): void {
    for (const e of this.experiments.values()) clearTimeout(e.timer);
    this.experiments.clear();
    this.datapoints.length = 0;
    this.clockOffsetMs = 0;
  }

  /** The local clock: the wall clock, moved on past the scheduled ends of the tests that ran. */
  now(): Date {
    return new Date(Date.now() + this.clockOffsetMs);
  }

  private advanceClockTo(time: Date): void {
    this.clockOffsetMs = Math.max(this.clockOffsetMs, time.getTime() - Date.now());
  }

  stop(): void {
    for (const e of this.experiments.values()) clearTimeout(e.timer);
  }

  async create(ctx: CallContext, body: Json): Promise<Json> {
    const name = String(body.Name);
    const key = `${ctx.account}/${name}`;
    const experimentArn = arn(ctx, `inference-experiment/${name.toLowerCase()}`);
    if (this.experiments.has(key))
      throw new ServiceError('ResourceInUse', `Inference experiment "${experimentArn}" already exists.`);
    const endpointName = String(body.EndpointName);
    const endpoint = this.endpoints.describeIfExists(endpointName);
    if (!endpoint)
      throw validation(`Could not find endpoint "${arn(ctx, `endpoint/${endpointName.toLowerCase()}`)}".`);
    if (endpoint.EndpointStatus !== 'InService')
      throw validation(
        `Endpoint "${endpointName}" is ${String(endpoint.EndpointStatus)}; an inference experiment needs it InService.`,
      );
    const now = this.now();
    const schedule = body.Schedule as { StartTime?: number; EndTime?: number } | undefined;
    const start = schedule?.StartTime !== undefined ? new Date(schedule.StartTime * 1000) : now;
    const end =
      schedule?.EndTime !== undefined
        ? new Date(schedule.EndTime * 1000)
        : new Date(start.getTime() + DEFAULT_DAYS * DAY_MS);
    if (end <= start) throw validation('The schedule EndTime must be after its StartTime.');
    if (end.getTime() - start.getTime() > MAX_DAYS * DAY_MS)
      throw validation(`An inference experiment runs for at most ${MAX_DAYS} days.`);
    const busy = [...this.experiments.values()].find(
      (e) => e.account === ctx.account && e.endpointName === endpointName && IN_PROGRESS.includes(e.status),
    );
    if (busy)
      throw new ServiceError(
        'ResourceInUse',
        `Endpoint "${endpointName}" already has inference experiment "${busy.name}" in progress; SageMaker supports one shadow variant per endpoint.`,
      );
    const shadowMode = body.ShadowModeConfig as Json;
    const source = String(shadowMode.SourceModelVariantName);
    const shadowName = String((shadowMode.ShadowModelVariants as Json[])[0]?.ShadowModelVariantName);
    const variants = body.ModelVariants as Json[];
    const production =
      (endpoint.ProductionVariants as Json[] | undefined)?.map((v) => String(v.VariantName)) ?? [];
    if (!production.includes(source))
      throw validation(
        `SourceModelVariantName "${source}" is not a production variant of endpoint "${endpointName}".`,
      );
    for (const needed of [source, shadowName]) {
      if (!variants.some((v) => v.VariantName === needed))
        throw validation(`ModelVariants has no variant named "${needed}" (named in ShadowModeConfig).`);
    }
    if (source === shadowName) throw validation('The shadow variant must not be the source variant.');
    for (const v of variants) {
      const exists = await this.moto.sagemaker(ctx, 'DescribeModel', { ModelName: v.ModelName }).then(
        () => true,
        () => false,
      );
      if (!exists)
        throw validation(`Could not find model "${arn(ctx, `model/${String(v.ModelName).toLowerCase()}`)}".`);
    }
    const experiment: Experiment = {
      name,
      arn: experimentArn,
      account: ctx.account,
      region: ctx.region,
      status: 'Creating',
      request: body,
      endpointName,
      start,
      end,
      creationTime: now,
      lastModifiedTime: now,
      variantStatus: 'Creating',
      tags: (body.Tags as Json[] | undefined) ?? [],
    };
    this.experiments.set(key, experiment);
    // Creating, then Created until the schedule's start (at once when it starts now).
    this.schedule(experiment, this.timing.startMs, async () => {
      if (experiment.status !== 'Creating') return;
      experiment.status = 'Created';
      experiment.lastModifiedTime = this.now();
      const startIn = Math.max(0, start.getTime() - this.now().getTime()) + this.timing.startMs;
      this.schedule(experiment, startIn, () => this.begin(ctx, experiment));
    });
    return { InferenceExperimentArn: experimentArn };
  }

  describe(ctx: CallContext, body: Json): Json {
    const e = this.get(ctx, String(body.Name));
    const request = e.request;
    const endpoint = this.endpoints.describeIfExists(e.endpointName);
    return {
      Arn: e.arn,
      Name: e.name,
      Type: request.Type,
      Schedule: { StartTime: epochSeconds(e.start), EndTime: epochSeconds(e.end) },
      Status: e.status,
      ...(e.statusReason ? { StatusReason: e.statusReason } : {}),
      ...(request.Description !== undefined ? { Description: request.Description } : {}),
      CreationTime: epochSeconds(e.creationTime),
      LastModifiedTime: epochSeconds(e.lastModifiedTime),
      ...(e.completionTime ? { CompletionTime: epochSeconds(e.completionTime) } : {}),
      RoleArn: request.RoleArn,
      EndpointMetadata: {
        EndpointName: e.endpointName,
        ...(e.endpointConfigName ? { EndpointConfigName: e.endpointConfigName } : {}),
        ...(endpoint ? { EndpointStatus: endpoint.EndpointStatus } : {}),
      },
      ModelVariants: (request.ModelVariants as Json[]).map((v) => ({ ...v, Status: e.variantStatus })),
      ShadowModeConfig: request.ShadowModeConfig,
      ...(request.DataStorageConfig ? { DataStorageConfig: request.DataStorageConfig } : {}),
      ...(request.KmsKey ? { KmsKey: request.KmsKey } : {}),
    };
  }

  list(ctx: CallContext, body: Json): Json {
    const contains = typeof body.NameContains === 'string' ? body.NameContains : '';
    const matching = [...this.experiments.values()].filter(
      (e) =>
        e.account === ctx.account &&
        e.name.includes(contains) &&
        (body.StatusEquals === undefined || e.status === body.StatusEquals) &&
        (body.Type === undefined || e.request.Type === body.Type),
    );
    const by = body.SortBy === 'Name' ? 'name' : body.SortBy === 'Status' ? 'status' : 'creationTime';
    matching.sort((a, b) => {
      const x = by === 'creationTime' ? a.creationTime.getTime() : a[by];
      const y = by === 'creationTime' ? b.creationTime.getTime() : b[by];
      return x < y ? -1 : x > y ? 1 : 0;
    });
    if (body.SortOrder !== 'Ascending') matching.reverse();
    const start = typeof body.NextToken === 'string' ? Number(body.NextToken) || 0 : 0;
    const size = typeof body.MaxResults === 'number' ? body.MaxResults : 10;
    return {
      InferenceExperiments: matching.slice(start, start + size).map((e) => ({
        Name: e.name,
        Type: e.request.Type,
        Status: e.status,
        ...(e.statusReason ? { StatusReason: e.statusReason } : {}),
        CreationTime: epochSeconds(e.creationTime),
        LastModifiedTime: epochSeconds(e.lastModifiedTime),
        ...(e.completionTime ? { CompletionTime: epochSeconds(e.completionTime) } : {}),
        Schedule: { StartTime: epochSeconds(e.start), EndTime: epochSeconds(e.end) },
        RoleArn: e.request.RoleArn,
      })),
      ...(start + size < matching.length ? { NextToken: String(start + size) } : {}),
    };
  }

  async stopExperiment(ctx: CallContext, body: Json): Promise<Json> {
    const e = this.get(ctx, String(body.Name));
    if (!IN_PROGRESS.includes(e.status) || e.status === 'Stopping')
      throw new ServiceError(
        'ConflictException',
        `Inference experiment "${e.name}" is ${e.status}; only one in progress can be stopped.`,
      );
    const actions = body.ModelVariantActions as Record<string, string>;
    const names = (e.request.ModelVariants as Json[]).map((v) => String(v.VariantName));
    for (const variant of Object.keys(actions)) {
      if (!names.includes(variant))
        throw validation(
          `ModelVariantActions names "${variant}", which is not a variant of inference experiment "${e.name}".`,
        );
    }
    const promote = Object.entries(actions)
      .filter(([, a]) => a === 'Promote')
      .map(([v]) => v);
    if (promote.length > 1) throw validation('At most one variant can be promoted.');
    clearTimeout(e.timer);
    e.status = 'Stopping';
    e.lastModifiedTime = this.now();
    if (typeof body.Reason === 'string') e.statusReason = body.Reason;
    const desired = body.DesiredState === 'Cancelled' ? 'Cancelled' : 'Completed';
    this.schedule(e, this.timing.startMs, () => this.finish(ctx, e, desired, promote[0]));
    return { InferenceExperimentArn: e.arn };
  }

  /** The experiment with this ARN, if it is held here (tags of anything else are moto's or the endpoints'). */
  byArn(resourceArn: unknown): Experiment | undefined {
    return [...this.experiments.values()].find((e) => e.arn === resourceArn);
  }

  addTags(e: Experiment, body: Json): Json {
    for (const tag of (body.Tags as Json[] | undefined) ?? [])
      e.tags = [...e.tags.filter((t) => t.Key !== tag.Key), { Key: tag.Key, Value: tag.Value ?? '' }];
    return { Tags: body.Tags ?? [] };
  }

  listTags(e: Experiment): Json {
    return { Tags: e.tags };
  }

  deleteTags(e: Experiment, body: Json): Json {
    const keys = (body.TagKeys as string[] | undefined) ?? [];
    e.tags = e.tags.filter((t) => !keys.includes(String(t.Key)));
    return {};
  }

  /** Records a variant's figures, as SageMaker publishes them (POST /_local/variant-metrics). */
  putVariantMetrics(m: VariantMetrics): void {
    // By default the wall clock's now, which lies in the window of a test running now.
    const at = m.at ? Date.parse(m.at) : Date.now();
    if (Number.isNaN(at)) throw validation(`at is "${m.at}", not an ISO 8601 time`);
    const point = (metric: string, values: readonly number[]) =>
      this.datapoints.push({ endpointName: m.endpointName, variantName: m.variantName, metric, at, values });
    if (m.invocations !== undefined) point('Invocations', [m.invocations]);
    if (m.invocation5xxErrors !== undefined) point('Invocation5XXErrors', [m.invocation5xxErrors]);
    if (m.modelLatencyMicros?.length) point('ModelLatency', m.modelLatencyMicros);
  }

  /** Forgets every recorded figure (DELETE /_local/variant-metrics). */
  clearVariantMetrics(): void {
    this.datapoints.length = 0;
  }

  /** Whether every query of a GetMetricData request is for AWS/SageMaker (answered here). */
  answersMetricData(body: Json): boolean {
    const queries = body.MetricDataQueries as Json[] | undefined;
    return (
      Array.isArray(queries) &&
      queries.length > 0 &&
      queries.every(
        (q) =>
          ((q.MetricStat as Json | undefined)?.Metric as Json | undefined)?.Namespace === 'AWS/SageMaker',
      )
    );
  }

  /**
   * CloudWatch GetMetricData over the recorded figures: per period from StartTime, the statistic
   * (Sum, SampleCount, Average, Minimum, Maximum, or a percentile pNN, by nearest rank), periods
   * without data left out, newest first unless ScanBy is TimestampAscending (CloudWatch API
   * reference, GetMetricData and MetricDataResult). CloudWatch's retention rules hold, by the age
   * of StartTime on the local clock (API reference, GetMetricData StartTime and MetricStat Period):
   * StartTime is rounded down to the minute (under 15 days back), to 5 minutes (15 to 63 days) or
   * to the hour (older), and a Period that is not a multiple of 60, 300 or 3600 seconds
   * respectively returns "no data points" for that query. AWS/SageMaker metrics have regular
   * (1-minute) resolution, so their Period is a multiple of 60 at any age.
   */
  getMetricData(body: Json): Json {
    const granularity = cloudWatchGranularityMs(this.now().getTime() - Number(body.StartTime) * 1000);
    const start = Math.floor((Number(body.StartTime) * 1000) / granularity) * granularity;
    const end = Number(body.EndTime) * 1000;
    const results = (body.MetricDataQueries as Json[]).map((q) => {
      const stat = q.MetricStat as Json;
      const metric = stat.Metric as Json;
      const dims = Object.fromEntries(
        ((metric.Dimensions as Json[] | undefined) ?? []).map((d) => [d.Name, d.Value]),
      );
      const periodMs = Number(stat.Period) * 1000;
      const aligned = periodMs > 0 && periodMs % granularity === 0;
      const matching = this.datapoints.filter(
        (p) =>
          aligned &&
          p.metric === metric.MetricName &&
          p.endpointName === dims.EndpointName &&
          p.variantName === dims.VariantName &&
          p.at >= start &&
          p.at < end,
      );
      const buckets = new Map<number, number[]>();
      for (const p of matching) {
        const bucket = start + Math.floor((p.at - start) / periodMs) * periodMs;
        buckets.set(bucket, [...(buckets.get(bucket) ?? []), ...p.values]);
      }
      let times = [...buckets.keys()].sort((a, b) => a - b);
      if (body.ScanBy !== 'TimestampAscending') times = times.reverse();
      return {
        Id: q.Id,
        Label: q.Label ?? `${String(metric.MetricName)} ${String(stat.Stat)}`,
        Timestamps: times.map((t) => t / 1000),
        Values: times.map((t) => statistic(String(stat.Stat), buckets.get(t) ?? [])),
        StatusCode: 'Complete',
      };
    });
    return { MetricDataResults: results, Messages: [] };
  }

  private get(ctx: CallContext, name: string): Experiment {
    const e = this.experiments.get(`${ctx.account}/${name}`);
    if (!e)
      throw notFound(
        `Inference experiment "${arn(ctx, `inference-experiment/${name.toLowerCase()}`)}" does not exist.`,
      );
    return e;
  }

  /**
   * Running: the endpoint is updated to a config with the shadow variant beside the production one.
   * An endpoint busy with another update is waited for (and one gone cancels the experiment).
   */
  private async begin(ctx: CallContext, e: Experiment): Promise<void> {
    if (e.status !== 'Created') return;
    const endpoint = this.endpoints.describeIfExists(e.endpointName);
    if (!endpoint) {
      return this.finish(ctx, e, 'Cancelled', undefined, `Endpoint "${e.endpointName}" no longer exists.`);
    }
    if (endpoint.EndpointStatus !== 'InService') {
      this.schedule(e, this.timing.startMs, () => this.begin(ctx, e));
      return;
    }
    const shadowMode = e.request.ShadowModeConfig as Json;
    const shadowConfig = (shadowMode.ShadowModelVariants as Json[])[0] as Json;
    const variant = (name: unknown) =>
      (e.request.ModelVariants as Json[]).find((v) => v.VariantName === name) as Json;
    e.preTestConfigName ??= String(endpoint.EndpointConfigName);
    e.endpointConfigName ??= await this.makeConfig(
      ctx,
      e,
      [variant(shadowMode.SourceModelVariantName)],
      [variant(shadowConfig.ShadowModelVariantName)],
      Number(shadowConfig.SamplingPercentage),
    );
    if (!(await this.updateEndpoint(ctx, e, e.endpointConfigName))) {
      this.schedule(e, this.timing.startMs, () => this.begin(ctx, e));
      return;
    }
    // Starting while the endpoint takes the shadow variant; Running once it carries it.
    e.status = 'Starting';
    e.lastModifiedTime = this.now();
    this.schedule(e, this.endpoints.timing.updateMs + 50, async () => {
      e.status = 'Running';
      e.variantStatus = 'InService';
      e.lastModifiedTime = this.now();
      const minutes = (e.end.getTime() - e.start.getTime()) / 60_000;
      this.schedule(e, minutes * this.timing.experimentMinuteMs, () => {
        this.advanceClockTo(e.end);
        return this.finish(ctx, e, 'Completed');
      });
    });
  }

  /** SageMaker's own update of the endpoint; false when the endpoint is busy (try again later). */
  private async updateEndpoint(ctx: CallContext, e: Experiment, configName: string): Promise<boolean> {
    try {
      await this.endpoints.updateBySageMaker(ctx, e.endpointName, configName);
      return true;
    } catch (error) {
      if (error instanceof ServiceError && /in-progress/.test(error.message)) return false;
      throw error;
    }
  }

  /**
   * Ends the experiment: the endpoint back on the config it ran on before the test, or on Promote
   * on a copy of it serving the promoted variant's model.
   */
  private async finish(
    ctx: CallContext,
    e: Experiment,
    status: 'Completed' | 'Cancelled',
    promote?: string,
    reason?: string,
  ): Promise<void> {
    const endpoint = this.endpoints.describeIfExists(e.endpointName);
    if (e.endpointConfigName && endpoint) {
      if (endpoint.EndpointStatus !== 'InService') {
        // The endpoint is busy (another update): SageMaker waits for it; so does this.
        this.schedule(e, this.timing.startMs, () => this.finish(ctx, e, status, promote, reason));
        return;
      }
      const shadowMode = e.request.ShadowModeConfig as Json;
      const source = String(shadowMode.SourceModelVariantName);
      const preTest = await this.preTestConfig(ctx, e);
      let configName: string;
      if (preTest && promote === undefined) {
        configName = String(preTest.EndpointConfigName);
      } else {
        const kept = (e.request.ModelVariants as Json[]).find(
          (v) => v.VariantName === (promote ?? source),
        ) as Json;
        configName = await this.makeConfig(ctx, e, [{ ...kept, VariantName: source }], [], 0);
      }
      if (!(await this.updateEndpoint(ctx, e, configName))) {
        this.schedule(e, this.timing.startMs, () => this.finish(ctx, e, status, promote, reason));
        return;
      }
    }
    e.status = status;
    e.variantStatus = 'Deleted';
    if (reason) e.statusReason = reason;
    e.completionTime = this.now();
    e.lastModifiedTime = e.completionTime;
  }

  /** The config the endpoint ran on before the test, if it still exists. */
  private async preTestConfig(ctx: CallContext, e: Experiment): Promise<Json | undefined> {
    if (!e.preTestConfigName) return undefined;
    return this.endpoints
      .describeEndpointConfig(ctx, { EndpointConfigName: e.preTestConfigName })
      .catch(() => undefined);
  }

  /**
   * A config SageMaker makes for the experiment: the pre-test config's settings (data capture, KMS
   * key), with these production and shadow variants.
   */
  private async makeConfig(
    ctx: CallContext,
    e: Experiment,
    production: Json[],
    shadow: Json[],
    samplingPercent: number,
  ): Promise<string> {
    this.configCounter += 1;
    const name = `ie-${createHash('sha256').update(e.arn).digest('hex').slice(0, 12)}-${this.configCounter}`;
    const preTest = await this.preTestConfig(ctx, e);
    const asVariant = (v: Json, weight: number) => {
      const infra = (v.InfrastructureConfig as Json).RealTimeInferenceConfig as Json;
      return {
        VariantName: v.VariantName,
        ModelName: v.ModelName,
        InstanceType: infra.InstanceType,
        InitialInstanceCount: infra.InstanceCount,
        InitialVariantWeight: weight,
      };
    };
    await this.endpoints.createEndpointConfig(ctx, {
      EndpointConfigName: name,
      ProductionVariants: production.map((v) => asVariant(v, 1)),
      ...(shadow.length > 0
        ? { ShadowProductionVariants: shadow.map((v) => asVariant(v, samplingPercent / 100)) }
        : {}),
      ...(preTest?.DataCaptureConfig ? { DataCaptureConfig: preTest.DataCaptureConfig } : {}),
      ...(preTest?.KmsKeyId ? { KmsKeyId: preTest.KmsKeyId } : {}),
    });
    return name;
  }

  private schedule(e: Experiment, ms: number, then: () => Promise<void>): void {
    clearTimeout(e.timer);
    e.timer = setTimeout(() => {
      then().catch(this.onError);
    }, ms);
  }
}

/**
 * The step CloudWatch keeps regular-resolution data at, for a StartTime this far back: 1 minute up
 * to 15 days, 5 minutes up to 63 days, 1 hour beyond (API reference, MetricStat Period).
 */
function cloudWatchGranularityMs(ageMs: number): number {
  if (ageMs > 63 * DAY_MS) return HOUR_MS;
  if (ageMs > 15 * DAY_MS) return 5 * 60_000;
  return 60_000;
}

/** One CloudWatch statistic of the values; percentiles by nearest rank. */
function statistic(stat: string, values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  switch (stat) {
    case 'Sum':
      return sum;
    case 'SampleCount':
      return sorted.length;
    case 'Average':
      return sorted.length > 0 ? sum / sorted.length : 0;
    case 'Minimum':
      return sorted[0] ?? 0;
    case 'Maximum':
      return sorted[sorted.length - 1] ?? 0;
  }
  const p = /^p(\d+(?:\.\d+)?)$/.exec(stat);
  if (!p)
    throw validation(
      `The statistic "${stat}" is not supported here; use Sum, SampleCount, Average, Minimum, Maximum or pNN.`,
    );
  const rank = Math.max(1, Math.ceil((Number(p[1]) / 100) * sorted.length));
  return sorted[rank - 1] ?? 0;
}
