import { createHash } from 'node:crypto';
import {
  CreateModelCardCommand,
  CreateModelCardExportJobCommand,
  DescribeModelCardCommand,
  ListModelCardExportJobsCommand,
  type ModelCardStatus,
  type SageMakerClient,
  UpdateModelCardCommand,
} from '@aws-sdk/client-sagemaker';
import type { UserContextLike } from '../domain/model-version';
import { findOrCreate, isNotFound } from './sagemaker';

export interface ExistingCard {
  readonly arn?: string;
  readonly content: unknown;
  readonly status: string;
  readonly version: number;
  /** Who made the card's latest version (for an Approved card: its reviewer). */
  readonly lastModifiedBy?: UserContextLike;
}

export async function describeModelCard(
  client: SageMakerClient,
  name: string,
): Promise<ExistingCard | undefined> {
  try {
    const out = await client.send(new DescribeModelCardCommand({ ModelCardName: name }));
    let content: unknown;
    try {
      content = JSON.parse(out.Content ?? '{}');
    } catch {
      content = out.Content;
    }
    return {
      ...(out.ModelCardArn ? { arn: out.ModelCardArn } : {}),
      content,
      status: out.ModelCardStatus ?? '',
      version: out.ModelCardVersion ?? 0,
      ...(out.LastModifiedBy ? { lastModifiedBy: out.LastModifiedBy as UserContextLike } : {}),
    };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Creates the card with its content and status (CreateModelCard takes both). */
export async function createModelCard(
  client: SageMakerClient,
  name: string,
  content: unknown,
  status: string,
): Promise<void> {
  await client.send(
    new CreateModelCardCommand({
      ModelCardName: name,
      Content: JSON.stringify(content),
      ModelCardStatus: status as ModelCardStatus,
    }),
  );
}

/** A new card version with new content (status unchanged). */
export async function updateModelCardContent(client: SageMakerClient, name: string, content: unknown) {
  await client.send(new UpdateModelCardCommand({ ModelCardName: name, Content: JSON.stringify(content) }));
}

/** A new card version with a new status (content unchanged). */
export async function updateModelCardStatus(client: SageMakerClient, name: string, status: string) {
  await client.send(
    new UpdateModelCardCommand({ ModelCardName: name, ModelCardStatus: status as ModelCardStatus }),
  );
}

/**
 * Exports the card version as a PDF to the audit location, once: a job already made for this
 * version (by an earlier delivery of the same event) is not made again.
 */
export async function ensureExport(
  client: SageMakerClient,
  name: string,
  version: number,
  s3OutputPath: string,
): Promise<{ jobArn?: string; created: boolean }> {
  let attempts = 0;
  const findLive = async () => {
    const jobs =
      (
        await client.send(
          new ListModelCardExportJobsCommand({ ModelCardName: name, ModelCardVersion: version }),
        )
      ).ModelCardExportJobSummaries ?? [];
    attempts = jobs.length;
    const live = jobs.find((j) => j.Status !== 'Failed');
    return live ? { jobArn: live.ModelCardExportJobArn, created: false } : undefined;
  };
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  // A failed export is retried under a new name; a delivery that loses the race to create the same
  // job finds the winner's.
  return findOrCreate(findLive, async () => {
    const out = await client.send(
      new CreateModelCardExportJobCommand({
        ModelCardName: name,
        ModelCardVersion: version,
        ModelCardExportJobName: `export-${hash}-v${version}${attempts > 0 ? `-${attempts}` : ''}`,
        OutputConfig: { S3OutputPath: s3OutputPath },
      }),
    );
    return { jobArn: out.ModelCardExportJobArn, created: true };
  });
}
