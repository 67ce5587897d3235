import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  type DescribeModelPackageCommandOutput,
  DescribeTrainingJobCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { translateMetrics } from '../domain/metrics';
import type { CardVersion, Evaluation, TrainingDetails } from '../domain/model-card';
import { describeIdentity, isApprovalStatus } from '../domain/model-version';
import { isNotFound } from './sagemaker';

/** A metrics file the version registered, by ModelMetrics slot ("ModelQuality.Statistics"). */
export interface MetricsLocation {
  readonly slot: string;
  readonly s3Uri: string;
}

export interface DescribedForCard {
  readonly version: CardVersion;
  readonly metrics: readonly MetricsLocation[];
  /** Training job names to try, most likely first. */
  readonly trainingJobCandidates: readonly string[];
}

export async function describeForCard(
  client: SageMakerClient,
  arn: string,
): Promise<DescribedForCard | undefined> {
  let out: DescribeModelPackageCommandOutput;
  try {
    out = await client.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const containers = out.InferenceSpecification?.Containers ?? [];
  return {
    version: {
      arn: out.ModelPackageArn ?? arn,
      groupName: out.ModelPackageGroupName ?? '',
      version: out.ModelPackageVersion ?? 0,
      description: out.ModelPackageDescription || undefined,
      approvalStatus: isApprovalStatus(out.ModelApprovalStatus)
        ? out.ModelApprovalStatus
        : 'PendingManualApproval',
      approvalDescription: out.ApprovalDescription || undefined,
      createdBy: describeIdentity(out.CreatedBy),
      containers: containers.map((c) => ({
        image: c.Image,
        modelDataUrl: c.ModelDataUrl,
        framework: c.Framework,
        frameworkVersion: c.FrameworkVersion,
      })),
      customerMetadata: out.CustomerMetadataProperties ?? {},
      domain: out.Domain,
      task: out.Task,
    },
    metrics: metricsLocations(out.ModelMetrics as Record<string, unknown> | undefined),
    trainingJobCandidates: trainingJobCandidates(out),
  };
}

/** Every `{ S3Uri }` under ModelMetrics, with the slot it sits in. */
export function metricsLocations(modelMetrics: Record<string, unknown> | undefined): MetricsLocation[] {
  const found: MetricsLocation[] = [];
  for (const [section, value] of Object.entries(modelMetrics ?? {})) {
    for (const [slot, file] of Object.entries((value as Record<string, unknown>) ?? {})) {
      const uri = (file as { S3Uri?: unknown } | undefined)?.S3Uri;
      if (typeof uri === 'string') found.push({ slot: `${section}.${slot}`, s3Uri: uri });
    }
  }
  return found;
}

/**
 * Where the training job can be named: MetadataProperties.GeneratedBy (a training-job ARN), or the
 * model artifact's location, which SageMaker writes as s3://bucket/prefix/<job name>/output/model.tar.gz.
 */
export function trainingJobCandidates(out: DescribeModelPackageCommandOutput): string[] {
  const names: string[] = [];
  const generatedBy = out.MetadataProperties?.GeneratedBy;
  const fromArn = generatedBy ? /:training-job\/([^/]+)$/.exec(generatedBy)?.[1] : undefined;
  if (fromArn) names.push(fromArn);
  for (const c of out.InferenceSpecification?.Containers ?? []) {
    const job = c.ModelDataUrl ? /\/([^/]+)\/output\/model\.tar\.gz$/.exec(c.ModelDataUrl)?.[1] : undefined;
    if (job) names.push(job);
  }
  return [...new Set(names)];
}

export type Read<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

/** Reads a JSON file from S3; never throws (a card is made with what can be read). */
export async function readJson(
  s3: S3Client,
  uri: string,
  maxBytes = 5 * 1024 * 1024,
): Promise<Read<unknown>> {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) return { ok: false, reason: `${uri} (not an s3:// URI)` };
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: match[1], Key: match[2] }));
    if ((out.ContentLength ?? 0) > maxBytes)
      return { ok: false, reason: `${uri} (larger than ${maxBytes} bytes)` };
    const text = (await out.Body?.transformToString('utf8')) ?? '';
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch {
      return { ok: false, reason: `${uri} (not valid JSON)` };
    }
  } catch (error) {
    return { ok: false, reason: `${uri} (${(error as Error).name}: ${(error as Error).message})` };
  }
}

/** The first candidate training job that exists, or why none could be read. */
export async function findTrainingJob(
  client: SageMakerClient,
  names: readonly string[],
): Promise<Read<TrainingDetails> | undefined> {
  const misses: string[] = [];
  for (const name of names) {
    try {
      const job = await client.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
      return {
        ok: true,
        value: {
          jobArn: job.TrainingJobArn ?? name,
          datasets: (job.InputDataConfig ?? []).flatMap((c) =>
            c.DataSource?.S3DataSource?.S3Uri ? [c.DataSource.S3DataSource.S3Uri] : [],
          ),
          images: job.AlgorithmSpecification?.TrainingImage ? [job.AlgorithmSpecification.TrainingImage] : [],
          metrics: (job.FinalMetricDataList ?? []).flatMap((m) =>
            m.MetricName && typeof m.Value === 'number' ? [{ name: m.MetricName, value: m.Value }] : [],
          ),
          hyperParameters: job.HyperParameters ?? {},
        },
      };
    } catch (error) {
      if (!isNotFound(error)) throw error;
      misses.push(name);
    }
  }
  return misses.length > 0
    ? { ok: false, reason: `training job ${misses.join(' or ')} (it no longer exists)` }
    : undefined;
}

/** Every metrics file of a version, read and translated; what cannot be read is described, never thrown. */
export async function readEvaluations(
  s3: S3Client,
  locations: readonly MetricsLocation[],
): Promise<{ evaluations: Evaluation[]; unreadable: string[] }> {
  const evaluations: Evaluation[] = [];
  const unreadable: string[] = [];
  for (const location of locations) {
    const read = await readJson(s3, location.s3Uri);
    if (!read.ok) {
      unreadable.push(`${location.slot} ${read.reason}`);
      continue;
    }
    const translated = translateMetrics(read.value);
    if (translated.ok)
      evaluations.push({ slot: location.slot, s3Uri: location.s3Uri, groups: translated.groups });
    else unreadable.push(`${location.slot} ${location.s3Uri} (${translated.reason})`);
  }
  return { evaluations, unreadable };
}
