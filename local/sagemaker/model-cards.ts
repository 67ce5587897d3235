import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DETAIL_TYPES, type EventEmitter } from './events';
import type { MotoClient } from './moto-client';
import { contentLines, renderPdf } from './pdf';
import {
  arn,
  type CallContext,
  callerIdentity,
  ENTITY_NAME,
  epochSeconds,
  notFound,
  requireString,
  validation,
} from './protocol';

type Json = Record<string, unknown>;

interface ExportJob {
  name: string;
  arn: string;
  status: 'InProgress' | 'Completed' | 'Failed';
  cardName: string;
  cardVersion: number;
  outputPath: string;
  artifact?: string;
  failureReason?: string;
  createdAt: Date;
  lastModifiedAt: Date;
}

/**
 * Model cards: CRUD is moto's; this adds what it lacks. Create, update and delete emit
 * `SageMaker Model Card State Change`, and CreateModelCardExportJob writes a real PDF of the card
 * into the S3 location given, after the job has been InProgress for `exportMs`.
 */
export class ModelCards {
  private readonly jobs = new Map<string, ExportJob>();
  /** Who created and last changed each card (moto answers empty UserContexts). */
  private readonly authors = new Map<string, { createdBy: Json; lastModifiedBy: Json }>();
  /** The status a status-only update gave a card version (by versionKey), which moto cannot hold. */
  private readonly statuses = new Map<string, { status: string; at: Date }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  exportMs = 200;

  constructor(
    private readonly moto: MotoClient,
    private readonly events: EventEmitter,
    private readonly motoUrl: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  reset(): void {
    this.stop();
    this.jobs.clear();
    this.authors.clear();
    this.statuses.clear();
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  async create(ctx: CallContext, body: Json): Promise<Json> {
    const out = await this.moto.sagemaker(ctx, 'CreateModelCard', body);
    const who = callerIdentity(ctx);
    this.authors.set(String(body.ModelCardName), { createdBy: who, lastModifiedBy: who });
    await this.emitState(ctx, String(body.ModelCardName));
    return out;
  }

  /**
   * UpdateModelCard as the service does it, where moto does not:
   * - content and status never change in one call (API reference, UpdateModelCard: "You cannot
   *   update both model card content and model card status in a single call.");
   * - an Archived card takes no content update (API reference, ModelPackageModelCard: "No more
   *   updates can be made to the model card content. If you try to update the model card content,
   *   you will receive the message Model Card is in Archived state."); its status may still change;
   * - a status change stays on the card's current version, and only a content change makes a new
   *   one (developer guide, Model card FAQs, "Can I edit a model card once it is created?": "A given
   *   model version is immutable across all attributes other than the model card status. If you
   *   make any other changes to the model card [...] SageMaker creates a new version"). moto adds a
   *   version on every update and erases what the call leaves out, so a status change is kept here
   *   (`statuses`) and never reaches moto, and a content change carries the current status.
   */
  async update(ctx: CallContext, body: Json): Promise<Json> {
    if (body.Content !== undefined && body.ModelCardStatus !== undefined) {
      throw validation('You cannot update both model card content and model card status in a single call.');
    }
    const current = await this.describe(ctx, { ModelCardName: body.ModelCardName });
    const name = String(current.ModelCardName);
    if (body.Content !== undefined && current.ModelCardStatus === 'Archived') {
      throw validation('Model Card is in Archived state.');
    }
    let out: Json;
    if (body.Content === undefined) {
      if (body.ModelCardStatus !== undefined) {
        this.statuses.set(versionKey(name, current.ModelCardVersion), {
          status: String(body.ModelCardStatus),
          at: new Date(),
        });
      }
      out = { ModelCardArn: current.ModelCardArn };
    } else {
      out = await this.moto.sagemaker(ctx, 'UpdateModelCard', {
        ModelCardName: name,
        Content: body.Content,
        ModelCardStatus: current.ModelCardStatus,
      });
    }
    const who = callerIdentity(ctx);
    this.authors.set(name, { createdBy: this.authors.get(name)?.createdBy ?? who, lastModifiedBy: who });
    await this.emitState(ctx, name);
    return out;
  }

  /**
   * DescribeModelCard with the status a status-only update gave the version, who created the card
   * and who made its latest change (API reference, DescribeModelCard: CreatedBy, LastModifiedBy,
   * UserContext); moto answers them empty.
   */
  async describe(ctx: CallContext, body: Json): Promise<Json> {
    const out = this.withStatus(await this.moto.sagemaker(ctx, 'DescribeModelCard', body));
    const authors = this.authors.get(String(out.ModelCardName));
    // Kept for the latest version only: an older version's author is not known here.
    if (!authors || body.ModelCardVersion !== undefined) return out;
    return { ...out, CreatedBy: authors.createdBy, LastModifiedBy: authors.lastModifiedBy };
  }

  /** ListModelCards, each card's status as its latest version has it (ModelCardStatus filters on that). */
  async list(ctx: CallContext, body: Json): Promise<Json> {
    const { ModelCardStatus: wanted, ...rest } = body;
    const out = await this.moto.sagemaker(ctx, 'ListModelCards', rest);
    const summaries = await Promise.all(
      ((out.ModelCardSummaries as Json[] | undefined) ?? []).map(async (s) => {
        const latest = await this.describe(ctx, { ModelCardName: s.ModelCardName });
        return { ...s, ModelCardStatus: latest.ModelCardStatus, LastModifiedTime: latest.LastModifiedTime };
      }),
    );
    return {
      ...out,
      ModelCardSummaries: summaries.filter((s) => wanted === undefined || s.ModelCardStatus === wanted),
    };
  }

  /** ListModelCardVersions, each version with the status a status-only update gave it. */
  async listVersions(ctx: CallContext, body: Json): Promise<Json> {
    const { ModelCardStatus: wanted, ...rest } = body;
    const out = await this.moto.sagemaker(ctx, 'ListModelCardVersions', rest);
    const summaries = ((out.ModelCardVersionSummaryList as Json[] | undefined) ?? []).map((s) =>
      this.withStatus(s),
    );
    return {
      ...out,
      ModelCardVersionSummaryList: summaries.filter(
        (s) => wanted === undefined || s.ModelCardStatus === wanted,
      ),
    };
  }

  /** A card version as moto has it, with the status (and its time) a status-only update set. */
  private withStatus(version: Json): Json {
    const set = this.statuses.get(versionKey(String(version.ModelCardName), version.ModelCardVersion));
    return set
      ? { ...version, ModelCardStatus: set.status, LastModifiedTime: epochSeconds(set.at) }
      : version;
  }

  async createExportJob(ctx: CallContext, body: Json): Promise<Json> {
    const cardName = requireString(body, 'ModelCardName', undefined, 256);
    const jobName = requireString(body, 'ModelCardExportJobName', ENTITY_NAME, 63);
    const output = (body.OutputConfig as Json | undefined)?.S3OutputPath;
    if (typeof output !== 'string' || !/^s3:\/\/[^/]+/.test(output)) {
      throw validation(
        "1 validation error detected: Value at 'outputConfig.s3OutputPath' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(https|s3)://([^/]+)/?(.*)$",
      );
    }
    const card = await this.describe(ctx, {
      ModelCardName: cardName,
      ...(body.ModelCardVersion !== undefined ? { ModelCardVersion: body.ModelCardVersion } : {}),
    });
    const jobArn = arn(ctx, `model-card/${cardName.toLowerCase()}/export-job/${jobName.toLowerCase()}`);
    if (this.jobs.has(jobArn))
      throw validation(`Model card export job ${jobName} already exists for ${cardName}.`);
    const now = new Date();
    const job: ExportJob = {
      name: jobName,
      arn: jobArn,
      status: 'InProgress',
      cardName,
      cardVersion: Number(card.ModelCardVersion ?? 1),
      outputPath: output.replace(/\/$/, ''),
      createdAt: now,
      lastModifiedAt: now,
    };
    this.jobs.set(jobArn, job);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.finishExport(ctx, job, card).catch(this.onError);
    }, this.exportMs);
    this.timers.add(timer);
    return { ModelCardExportJobArn: jobArn };
  }

  describeExportJob(_ctx: CallContext, body: Json): Json {
    const jobArn = requireString(body, 'ModelCardExportJobArn', undefined, 256);
    const job = this.jobs.get(jobArn);
    if (!job) throw notFound(`Model card export job ${jobArn} does not exist.`);
    return {
      ModelCardExportJobName: job.name,
      ModelCardExportJobArn: job.arn,
      Status: job.status,
      ModelCardName: job.cardName,
      ModelCardVersion: job.cardVersion,
      OutputConfig: { S3OutputPath: job.outputPath },
      CreatedAt: epochSeconds(job.createdAt),
      LastModifiedAt: epochSeconds(job.lastModifiedAt),
      ...(job.failureReason ? { FailureReason: job.failureReason } : {}),
      ...(job.artifact ? { ExportArtifacts: { S3ExportArtifacts: job.artifact } } : {}),
    };
  }

  listExportJobs(_ctx: CallContext, body: Json): Json {
    const cardName = requireString(body, 'ModelCardName', undefined, 256);
    return {
      ModelCardExportJobSummaries: [...this.jobs.values()]
        .filter(
          (j) =>
            j.cardName === cardName &&
            (body.ModelCardVersion === undefined || j.cardVersion === body.ModelCardVersion),
        )
        .filter((j) => body.StatusEquals === undefined || j.status === body.StatusEquals)
        .map((j) => ({
          ModelCardExportJobName: j.name,
          ModelCardExportJobArn: j.arn,
          Status: j.status,
          ModelCardName: j.cardName,
          ModelCardVersion: j.cardVersion,
          CreatedAt: epochSeconds(j.createdAt),
          LastModifiedAt: epochSeconds(j.lastModifiedAt),
        })),
    };
  }

  private async finishExport(ctx: CallContext, job: ExportJob, card: Json): Promise<void> {
    const [, bucket, prefix] = /^s3:\/\/([^/]+)\/?(.*)$/.exec(job.outputPath) ?? [];
    const key = [prefix, job.cardName, 'export', `${job.name}.pdf`].filter(Boolean).join('/');
    let content: unknown = {};
    try {
      content = JSON.parse(String(card.Content ?? '{}'));
    } catch {
      content = { content: String(card.Content) };
    }
    const pdf = renderPdf(`Model card: ${job.cardName} (version ${job.cardVersion})`, [
      `Status: ${String(card.ModelCardStatus)}`,
      `Exported: ${new Date().toISOString()}`,
      '',
      ...contentLines(content),
    ]);
    const s3 = new S3Client({
      endpoint: this.motoUrl,
      region: ctx.region,
      forcePathStyle: true,
      credentials: { accessKeyId: ctx.accessKeyId, secretAccessKey: 'local' },
    });
    try {
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: pdf, ContentType: 'application/pdf' }),
      );
      job.status = 'Completed';
      job.artifact = `s3://${bucket}/${key}`;
    } catch (error) {
      job.status = 'Failed';
      job.failureReason = `Could not write s3://${bucket}/${key}: ${(error as Error).message}`;
    } finally {
      job.lastModifiedAt = new Date();
      s3.destroy();
    }
  }

  private async emitState(ctx: CallContext, name: string): Promise<void> {
    const card = await this.describe(ctx, { ModelCardName: name });
    await this.events.emit(ctx, DETAIL_TYPES.modelCard, [String(card.ModelCardArn)], {
      ModelCardId: String(card.ModelCardArn).split('/').pop(),
      ModelCardName: card.ModelCardName,
      ModelCardVersion: card.ModelCardVersion,
      ModelCardStatus: card.ModelCardStatus,
      CreatedBy: card.CreatedBy ?? callerIdentity(ctx),
      CreationTime: toIso(card.CreationTime),
      LastModifiedBy: card.LastModifiedBy ?? callerIdentity(ctx),
      LastModifiedTime: toIso(card.LastModifiedTime),
    });
  }
}

function versionKey(name: string, version: unknown): string {
  return `${name}#${String(version)}`;
}

function toIso(value: unknown): string | undefined {
  return typeof value === 'number'
    ? new Date(value * 1000).toISOString()
    : typeof value === 'string'
      ? value
      : undefined;
}
