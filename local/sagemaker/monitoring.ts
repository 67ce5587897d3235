import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Endpoints } from './endpoints';
import type { EventEmitter } from './events';
import { arn, type CallContext, epochSeconds, notFound, ServiceError, validation } from './protocol';

type Json = Record<string, unknown>;
type MonitorType = 'DataQuality' | 'ModelQuality';

/**
 * SageMaker Model Monitor as the local SageMaker serves it: data- and model-quality job definitions,
 * monitoring schedules and their executions. Requests are first held to the API model (server.ts);
 * what is checked here is what the service checks against its state:
 * - names are unique per account and kind (the Create* operations list ResourceInUse);
 * - a job definition cannot be updated (there is no Update*JobDefinition), and the endpoint it
 *   monitors must exist;
 * - a schedule names an existing job definition of its MonitoringType, and its ScheduleExpression is
 *   one of the forms ScheduleConfig documents (hourly, daily, every N hours, or NOW);
 * - a data-quality job reads what the endpoint captures: an endpoint without DataCaptureConfig is
 *   refused ("Model Monitor requires data capture", developer guide, "Capture data").
 *
 * Local time: one scheduled hour lasts `timing.hourMs` (POST /_local/config { monitoringHourMs });
 * POST /_local/monitoring/run { MonitoringScheduleName } starts an execution at once, so tests do
 * not wait on a clock. An execution reads the capture files the endpoint's DataCaptureConfig
 * destination holds (SageMaker's JSON Lines capture format) written since the previous execution,
 * compares them with the baseline's constraints and statistics, writes constraint_violations.json
 * to the job's output, and emits the processing job's `SageMaker Processing Job State Change`.
 */
export class Monitoring {
  readonly timing = { hourMs: 3_600_000 };
  private readonly definitions = new Map<string, Definition>();
  private readonly schedules = new Map<string, Schedule>();

  constructor(
    private readonly endpoints: Endpoints,
    private readonly events: EventEmitter,
    private readonly motoUrl: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  reset(): void {
    this.stop();
    this.definitions.clear();
    this.schedules.clear();
  }

  stop(): void {
    for (const s of this.schedules.values()) clearInterval(s.timer);
  }

  createDefinition(ctx: CallContext, type: MonitorType, body: Json): Json {
    const name = String(body.JobDefinitionName);
    const key = `${ctx.account}/${type}/${name}`;
    const kind = type === 'DataQuality' ? 'data-quality-job-definition' : 'model-quality-job-definition';
    const definitionArn = arn(ctx, `${kind}/${name.toLowerCase()}`);
    if (this.definitions.has(key))
      throw new ServiceError('ResourceInUse', `Job definition ${definitionArn} already exists.`);
    const input = body[`${type}JobInput`] as Json | undefined;
    const endpointName = String((input?.EndpointInput as Json | undefined)?.EndpointName ?? '');
    const endpoint = this.endpoints.describe(ctx, { EndpointName: endpointName });
    if (!endpoint.DataCaptureConfig)
      throw validation(
        `Endpoint ${String(endpoint.EndpointArn)} does not have data capture enabled; monitoring reads the requests it captures.`,
      );
    this.definitions.set(key, {
      name,
      type,
      arn: definitionArn,
      body,
      account: ctx.account,
      created: new Date(),
    });
    return { JobDefinitionArn: definitionArn };
  }

  describeDefinition(ctx: CallContext, type: MonitorType, body: Json): Json {
    const d = this.definition(ctx, type, String(body.JobDefinitionName));
    return { ...d.body, JobDefinitionArn: d.arn, CreationTime: epochSeconds(d.created) };
  }

  deleteDefinition(ctx: CallContext, type: MonitorType, body: Json): Json {
    const d = this.definition(ctx, type, String(body.JobDefinitionName));
    this.definitions.delete(`${ctx.account}/${type}/${d.name}`);
    return {};
  }

  listDefinitions(ctx: CallContext, type: MonitorType, body: Json): Json {
    const contains = typeof body.NameContains === 'string' ? body.NameContains : '';
    const endpoint = typeof body.EndpointName === 'string' ? body.EndpointName : undefined;
    return {
      JobDefinitionSummaries: [...this.definitions.values()]
        .filter((d) => d.account === ctx.account && d.type === type && d.name.includes(contains))
        .filter((d) => !endpoint || endpointOf(d) === endpoint)
        .map((d) => ({
          MonitoringJobDefinitionName: d.name,
          MonitoringJobDefinitionArn: d.arn,
          CreationTime: epochSeconds(d.created),
          EndpointName: endpointOf(d),
        })),
    };
  }

  createSchedule(ctx: CallContext, body: Json): Json {
    const name = String(body.MonitoringScheduleName);
    const scheduleArn = arn(ctx, `monitoring-schedule/${name.toLowerCase()}`);
    if (this.schedules.has(`${ctx.account}/${name}`))
      throw new ServiceError('ResourceInUse', `Monitoring schedule ${scheduleArn} already exists.`);
    const config = this.scheduleConfig(ctx, body);
    const now = new Date();
    const schedule: Schedule = {
      name,
      arn: scheduleArn,
      account: ctx.account,
      ctx,
      config,
      created: now,
      modified: now,
      executions: [],
    };
    this.schedules.set(`${ctx.account}/${name}`, schedule);
    this.startClock(schedule);
    return { MonitoringScheduleArn: scheduleArn };
  }

  updateSchedule(ctx: CallContext, body: Json): Json {
    const schedule = this.schedule(ctx, String(body.MonitoringScheduleName));
    schedule.config = this.scheduleConfig(ctx, body);
    schedule.modified = new Date();
    this.startClock(schedule);
    return { MonitoringScheduleArn: schedule.arn };
  }

  describeSchedule(ctx: CallContext, body: Json): Json {
    const s = this.schedule(ctx, String(body.MonitoringScheduleName));
    const last = s.executions.at(-1);
    return {
      MonitoringScheduleArn: s.arn,
      MonitoringScheduleName: s.name,
      MonitoringScheduleStatus: 'Scheduled',
      MonitoringType: s.config.type,
      CreationTime: epochSeconds(s.created),
      LastModifiedTime: epochSeconds(s.modified),
      MonitoringScheduleConfig: s.config.raw,
      EndpointName: s.config.endpointName,
      ...(last ? { LastMonitoringExecutionSummary: summary(s, last) } : {}),
    };
  }

  deleteSchedule(ctx: CallContext, body: Json): Json {
    const s = this.schedule(ctx, String(body.MonitoringScheduleName));
    clearInterval(s.timer);
    this.schedules.delete(`${ctx.account}/${s.name}`);
    return {};
  }

  listSchedules(ctx: CallContext, body: Json): Json {
    const contains = typeof body.NameContains === 'string' ? body.NameContains : '';
    const endpoint = typeof body.EndpointName === 'string' ? body.EndpointName : undefined;
    return {
      MonitoringScheduleSummaries: [...this.schedules.values()]
        .filter((s) => s.account === ctx.account && s.name.includes(contains))
        .filter((s) => !endpoint || s.config.endpointName === endpoint)
        .map((s) => ({
          MonitoringScheduleName: s.name,
          MonitoringScheduleArn: s.arn,
          CreationTime: epochSeconds(s.created),
          LastModifiedTime: epochSeconds(s.modified),
          MonitoringScheduleStatus: 'Scheduled',
          EndpointName: s.config.endpointName,
          MonitoringJobDefinitionName: s.config.definitionName,
          MonitoringType: s.config.type,
        })),
    };
  }

  listExecutions(ctx: CallContext, body: Json): Json {
    const name = typeof body.MonitoringScheduleName === 'string' ? body.MonitoringScheduleName : undefined;
    const endpoint = typeof body.EndpointName === 'string' ? body.EndpointName : undefined;
    const all = [...this.schedules.values()]
      .filter((s) => s.account === ctx.account && (!name || s.name === name))
      .filter((s) => !endpoint || s.config.endpointName === endpoint)
      .flatMap((s) => s.executions.map((e) => ({ s, e })))
      .sort((a, b) => a.e.scheduled.getTime() - b.e.scheduled.getTime());
    if (body.SortOrder !== 'Ascending') all.reverse();
    return { MonitoringExecutionSummaries: all.map(({ s, e }) => summary(s, e)) };
  }

  /** DescribeProcessingJob of a monitoring execution's job; undefined for any other job (moto's). */
  describeProcessingJob(ctx: CallContext, body: Json): Json | undefined {
    for (const s of this.schedules.values()) {
      const e = s.executions.find((x) => x.jobName === body.ProcessingJobName && s.account === ctx.account);
      if (e) return processingJob(s, e);
    }
    return undefined;
  }

  /**
   * Runs one execution of the schedule now (POST /_local/monitoring/run). With `hold`, the execution
   * starts and stays InProgress, as a real one does while its processing job runs, until
   * `release` ends it (POST /_local/monitoring/release { ProcessingJobName }).
   */
  async run(ctx: CallContext, scheduleName: string, hold = false): Promise<Json> {
    const s = this.schedule(ctx, scheduleName);
    const e = this.start(s);
    if (!hold) await this.finish(s, e);
    return summary(s, e);
  }

  /** Ends a held execution (see run). */
  async release(ctx: CallContext, processingJobName: string): Promise<Json> {
    for (const s of this.schedules.values()) {
      if (s.account !== ctx.account) continue;
      const e = s.executions.find((x) => x.jobName.toLowerCase() === processingJobName.toLowerCase());
      if (!e) continue;
      if (e.status !== 'InProgress')
        throw validation(`Processing job ${processingJobName} has ended already.`);
      await this.finish(s, e);
      return summary(s, e);
    }
    throw notFound(`Processing job ${processingJobName} does not exist.`);
  }

  private startClock(s: Schedule): void {
    clearInterval(s.timer);
    if (s.config.periodHours === undefined) return;
    s.timer = setInterval(() => {
      this.finish(s, this.start(s)).catch(this.onError);
    }, s.config.periodHours * this.timing.hourMs);
    s.timer.unref();
  }

  private start(s: Schedule): Execution {
    const scheduled = new Date();
    const jobName = `model-monitoring-${scheduled.getTime().toString(36)}-${s.name}`.slice(0, 63);
    const execution: Execution = {
      jobName,
      jobArn: arn(s.ctx, `processing-job/${jobName.toLowerCase()}`),
      scheduled,
      definitionName: s.config.definitionName,
      status: 'InProgress',
    };
    s.executions.push(execution);
    return execution;
  }

  private async finish(s: Schedule, execution: Execution): Promise<Execution> {
    const { scheduled } = execution;
    const definition = this.definitions.get(`${s.account}/${s.config.type}/${execution.definitionName}`);
    try {
      if (!definition) throw new Error(`job definition ${execution.definitionName} no longer exists`);
      const previous = s.executions.at(-2)?.scheduled;
      const outcome =
        s.config.type === 'DataQuality'
          ? await this.checkDataQuality(s, definition, previous)
          : { violations: [] as Violation[] };
      const output = outputUri(definition, s.config.type);
      const reportUri = `${output}/${s.config.endpointName}/${s.name}/${datePath(scheduled)}`;
      await this.put(s.ctx, `${reportUri}/constraint_violations.json`, { violations: outcome.violations });
      execution.reportUri = reportUri;
      execution.violations = outcome.violations.length;
      execution.status = outcome.violations.length > 0 ? 'CompletedWithViolations' : 'Completed';
    } catch (error) {
      execution.status = 'Failed';
      execution.failureReason = (error as Error).message;
    }
    execution.ended = new Date();
    const job = processingJob(s, execution);
    await this.events.emit(s.ctx, 'SageMaker Processing Job State Change', [execution.jobArn], job);
    return execution;
  }

  /**
   * The data-quality checks Model Monitor documents ("Schema for violations"), on the captured
   * requests' CSV features (named _c0, _c1, … as the analyzer names headerless columns):
   * extra_column_check and missing_column_check against the baseline's features,
   * data_type_check (a numeric feature with non-numeric values), completeness_check (fewer
   * non-empty values than the constraint's completeness), and baseline_drift_check: the largest
   * distance between the baseline's distribution (statistics' KLL buckets) and the captured
   * values' cumulative distributions, against monitoring_config's comparison_threshold.
   */
  private async checkDataQuality(s: Schedule, d: Definition, since: Date | undefined) {
    const baseline = d.body.DataQualityBaselineConfig as Json | undefined;
    const constraintsUri = String((baseline?.ConstraintsResource as Json | undefined)?.S3Uri ?? '');
    const statisticsUri = String((baseline?.StatisticsResource as Json | undefined)?.S3Uri ?? '');
    const constraints = (await this.getJson(s.ctx, constraintsUri)) as Constraints;
    const statistics = statisticsUri ? ((await this.getJson(s.ctx, statisticsUri)) as Statistics) : undefined;
    const endpoint = this.endpoints.describe(s.ctx, { EndpointName: s.config.endpointName });
    const capture = endpoint.DataCaptureConfig as Json | undefined;
    const destination = String(capture?.DestinationS3Uri ?? '');
    const rows = await this.capturedRows(
      s.ctx,
      `${destination.replace(/\/$/, '')}/${s.config.endpointName}/`,
      since,
    );
    const violations: Violation[] = [];
    if (rows.length === 0) return { violations };
    const features = constraints.features ?? [];
    const width = Math.max(...rows.map((r) => r.length));
    if (width > features.length)
      violations.push({
        feature_name: `_c${features.length}`,
        constraint_check_type: 'extra_column_check',
        description: `There are ${width - features.length} extra columns in the captured data than in the baseline.`,
      });
    if (width < features.length)
      violations.push({
        feature_name: `_c${width}`,
        constraint_check_type: 'missing_column_check',
        description: `There are ${features.length - width} missing columns in the captured data compared with the baseline.`,
      });
    const threshold = constraints.monitoring_config?.distribution_constraints?.comparison_threshold ?? 0.1;
    const compare =
      constraints.monitoring_config?.distribution_constraints?.perform_comparison !== 'Disabled';
    features.forEach((f, i) => {
      const values = rows.map((r) => r[i]).filter((v): v is string => v !== undefined && v !== '');
      const completeness = values.length / rows.length;
      if (f.completeness !== undefined && completeness < f.completeness)
        violations.push({
          feature_name: f.name,
          constraint_check_type: 'completeness_check',
          description: `Data completeness is ${completeness.toFixed(4)}, below the baseline's ${f.completeness}.`,
        });
      if (f.inferred_type !== 'Integral' && f.inferred_type !== 'Fractional') return;
      const numbers = values.map(Number);
      const bad = numbers.filter((n) => Number.isNaN(n)).length;
      if (bad > 0) {
        violations.push({
          feature_name: f.name,
          constraint_check_type: 'data_type_check',
          description: `Data type match requirement is not met: ${bad} of ${values.length} values are not ${f.inferred_type}.`,
        });
        return;
      }
      const buckets = statistics?.features?.find((x) => x.name === f.name)?.numerical_statistics?.distribution
        ?.kll?.buckets;
      if (!compare || !buckets || buckets.length === 0) return;
      const distance = cdfDistance(buckets, numbers);
      if (distance > threshold)
        violations.push({
          feature_name: f.name,
          constraint_check_type: 'baseline_drift_check',
          description: `Baseline drift distance: ${distance.toFixed(4)} exceeds threshold: ${threshold}`,
        });
    });
    return { violations };
  }

  /** CSV rows of the endpoint inputs captured under `prefix` since `since`. */
  private async capturedRows(ctx: CallContext, prefix: string, since: Date | undefined): Promise<string[][]> {
    const [, bucket, key] = /^s3:\/\/([^/]+)\/(.*)$/.exec(prefix) ?? [];
    if (!bucket) return [];
    const s3 = this.s3(ctx);
    try {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key }));
      const rows: string[][] = [];
      for (const o of listed.Contents ?? []) {
        if (!o.Key?.endsWith('.jsonl') || (since && o.LastModified && o.LastModified <= since)) continue;
        const text = await (
          await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }))
        ).Body?.transformToString();
        for (const line of (text ?? '').split('\n').filter((l) => l.trim())) {
          const input = (JSON.parse(line) as CaptureRecord).captureData?.endpointInput;
          if (!input?.data) continue;
          const data =
            input.encoding === 'BASE64' ? Buffer.from(input.data, 'base64').toString('utf8') : input.data;
          for (const row of data.split('\n').filter((r) => r.trim()))
            rows.push(row.split(',').map((v) => v.trim()));
        }
      }
      return rows;
    } finally {
      s3.destroy();
    }
  }

  private async getJson(ctx: CallContext, uri: string): Promise<unknown> {
    const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri) ?? [];
    if (!bucket || !key) throw new Error(`baseline ${uri || '(none)'} is not an S3 object`);
    const s3 = this.s3(ctx);
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return JSON.parse((await out.Body?.transformToString()) ?? '{}');
    } catch (error) {
      throw new Error(`could not read the baseline ${uri}: ${(error as Error).message}`);
    } finally {
      s3.destroy();
    }
  }

  private async put(ctx: CallContext, uri: string, body: unknown): Promise<void> {
    const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri) ?? [];
    const s3 = this.s3(ctx);
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: JSON.stringify(body, null, 2),
          ContentType: 'application/json',
        }),
      );
    } finally {
      s3.destroy();
    }
  }

  private s3(ctx: CallContext): S3Client {
    return new S3Client({
      endpoint: this.motoUrl,
      region: ctx.region,
      forcePathStyle: true,
      credentials: { accessKeyId: ctx.accessKeyId, secretAccessKey: 'local' },
    });
  }

  private scheduleConfig(ctx: CallContext, body: Json): ScheduleConfig {
    const raw = body.MonitoringScheduleConfig as Json;
    const type = (raw.MonitoringType ?? 'DataQuality') as MonitorType;
    if (type !== 'DataQuality' && type !== 'ModelQuality')
      throw validation(
        `The local SageMaker runs DataQuality and ModelQuality schedules, not ${String(type)}.`,
      );
    const definitionName = String(raw.MonitoringJobDefinitionName ?? '');
    if (!definitionName)
      throw validation(
        'MonitoringJobDefinitionName is required with a MonitoringType (MonitoringScheduleConfig).',
      );
    const definition = this.definitions.get(`${ctx.account}/${type}/${definitionName}`);
    if (!definition) throw notFound(`Could not find ${type} job definition "${definitionName}".`);
    const expression = String((raw.ScheduleConfig as Json | undefined)?.ScheduleExpression ?? '');
    return {
      raw,
      type,
      definitionName,
      endpointName: endpointOf(definition),
      periodHours: periodHours(expression),
    };
  }

  private definition(ctx: CallContext, type: MonitorType, name: string): Definition {
    const d = this.definitions.get(`${ctx.account}/${type}/${name}`);
    if (!d) throw notFound(`Could not find job definition "${name}".`);
    return d;
  }

  private schedule(ctx: CallContext, name: string): Schedule {
    const s = this.schedules.get(`${ctx.account}/${name}`);
    if (!s)
      throw notFound(
        `Could not find monitoring schedule "${arn(ctx, `monitoring-schedule/${name.toLowerCase()}`)}".`,
      );
    return s;
  }
}

/**
 * Hours between runs of a ScheduleExpression (API reference, ScheduleConfig): `cron(0 * ? * * *)`
 * hourly, `cron(0 H ? * * *)` daily, `cron(0 H/N ? * * *)` every N hours; NOW runs once (undefined).
 */
function periodHours(expression: string): number | undefined {
  if (expression === 'NOW') return undefined;
  const match = /^cron\(0 (\*|([01]?\d|2[0-3])(\/(0?[1-9]|1\d|2[0-4]))?) \? \* \* \*\)$/.exec(expression);
  if (!match)
    throw validation(
      `Invalid ScheduleExpression "${expression}": use cron(0 * ? * * *), cron(0 [00-23] ? * * *), cron(0 [00-23]/[01-24] ? * * *) or NOW.`,
    );
  if (match[1] === '*') return 1;
  return match[4] ? Number(match[4]) : 24;
}

/** Largest gap between the baseline's cumulative distribution (KLL buckets) and the captured values'. */
function cdfDistance(buckets: readonly Bucket[], values: readonly number[]): number {
  const total = buckets.reduce((n, b) => n + b.count, 0);
  if (total === 0 || values.length === 0) return 0;
  let cumulative = 0;
  let distance = 0;
  for (const b of buckets) {
    cumulative += b.count;
    const captured = values.filter((v) => v <= b.upper_bound).length / values.length;
    distance = Math.max(distance, Math.abs(cumulative / total - captured));
  }
  return distance;
}

function endpointOf(d: Definition): string {
  const input = d.body[`${d.type}JobInput`] as Json | undefined;
  return String((input?.EndpointInput as Json | undefined)?.EndpointName ?? '');
}

function outputUri(d: Definition, type: MonitorType): string {
  const config = d.body[`${type}JobOutputConfig`] as {
    MonitoringOutputs?: { S3Output?: { S3Uri?: string } }[];
  };
  return String(config?.MonitoringOutputs?.[0]?.S3Output?.S3Uri ?? '').replace(/\/$/, '');
}

function datePath(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${p(d.getUTCHours())}`;
}

function summary(s: Schedule, e: Execution): Json {
  return {
    MonitoringScheduleName: s.name,
    ScheduledTime: epochSeconds(e.scheduled),
    CreationTime: epochSeconds(e.scheduled),
    LastModifiedTime: epochSeconds(e.ended ?? e.scheduled),
    MonitoringExecutionStatus: e.status,
    ProcessingJobArn: e.jobArn,
    EndpointName: s.config.endpointName,
    MonitoringJobDefinitionName: e.definitionName,
    MonitoringType: s.config.type,
    ...(e.failureReason ? { FailureReason: e.failureReason } : {}),
  };
}

/** The processing job of an execution, as DescribeProcessingJob and its state-change event show it. */
function processingJob(s: Schedule, e: Execution): Json {
  const done = e.status !== 'InProgress';
  return {
    ProcessingJobName: e.jobName,
    ProcessingJobArn: e.jobArn,
    ProcessingJobStatus: e.status === 'Failed' ? 'Failed' : done ? 'Completed' : 'InProgress',
    ...(e.status === 'CompletedWithViolations'
      ? {
          ExitMessage: `CompletedWithViolations: Job completed successfully with ${e.violations} violations.`,
        }
      : {}),
    ...(e.failureReason ? { FailureReason: e.failureReason } : {}),
    MonitoringScheduleArn: s.arn,
    ProcessingOutputConfig: {
      Outputs: e.reportUri
        ? [
            {
              OutputName: 'result',
              S3Output: {
                S3Uri: e.reportUri,
                LocalPath: '/opt/ml/processing/output',
                S3UploadMode: 'EndOfJob',
              },
            },
          ]
        : [],
    },
    Environment: {
      sagemaker_endpoint_name: s.config.endpointName,
      sagemaker_monitoring_schedule_name: s.name,
    },
    CreationTime: epochSeconds(e.scheduled),
    ...(e.ended ? { ProcessingEndTime: epochSeconds(e.ended) } : {}),
  };
}

interface Definition {
  name: string;
  type: MonitorType;
  arn: string;
  body: Json;
  account: string;
  created: Date;
}

interface ScheduleConfig {
  raw: Json;
  type: MonitorType;
  definitionName: string;
  endpointName: string;
  periodHours: number | undefined;
}

interface Schedule {
  name: string;
  arn: string;
  account: string;
  ctx: CallContext;
  config: ScheduleConfig;
  created: Date;
  modified: Date;
  executions: Execution[];
  timer?: NodeJS.Timeout;
}

interface Execution {
  jobName: string;
  jobArn: string;
  scheduled: Date;
  ended?: Date;
  definitionName: string;
  status: 'InProgress' | 'Completed' | 'CompletedWithViolations' | 'Failed';
  failureReason?: string;
  reportUri?: string;
  violations?: number;
}

interface Violation {
  feature_name: string;
  constraint_check_type: string;
  description: string;
}

interface Bucket {
  lower_bound: number;
  upper_bound: number;
  count: number;
}

interface Constraints {
  features?: { name: string; inferred_type?: string; completeness?: number }[];
  monitoring_config?: {
    distribution_constraints?: { perform_comparison?: string; comparison_threshold?: number };
  };
}

interface Statistics {
  features?: { name: string; numerical_statistics?: { distribution?: { kll?: { buckets?: Bucket[] } } } }[];
}

interface CaptureRecord {
  captureData?: { endpointInput?: { data?: string; encoding?: string } };
}
