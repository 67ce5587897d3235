import {
  DescribeModelPackageCommand,
  type DescribeModelPackageCommandOutput,
  ListTagsCommand,
  type SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { contentFingerprint } from '../domain/approval-check';
import { modelDataLocations } from '../domain/artifact-pins';
import {
  type ApprovalStatus,
  describeIdentity,
  type ModelVersion,
  toApprovalStatus,
} from '../domain/model-version';
import type { BaselineFiles } from '../domain/monitoring-plan';
import { principalOf } from '../domain/principal';
import { approvalDescription, isMetadataValue, metadataValue } from '../domain/service-values';

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Whether an SDK error says the resource does not exist (SageMaker mostly says so in a ValidationException). */
export function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return (
    e?.name === 'ResourceNotFound' ||
    e?.name === 'ResourceNotFoundException' ||
    (e?.name === 'ValidationException' && /does not exist|not found|could not find/i.test(e.message ?? ''))
  );
}

/**
 * A SageMaker resource's tags as a record: the one tag reader (an endpoint's request record, an
 * experiment's figures). The tags this app reads are a handful, so one page of ListTags holds them.
 */
export async function tagsOf(client: SageMakerClient, arn: string): Promise<Record<string, string>> {
  const out = await client.send(new ListTagsCommand({ ResourceArn: arn, MaxResults: 100 }));
  return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

/**
 * Whether an SDK error says the resource exists already: a create that another run (a redelivered
 * or concurrent event) made first. SageMaker says so with a ConflictException, a ResourceInUse or a
 * ValidationException, always in the message.
 */
export function isAlreadyExists(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e?.name === 'ConflictException' || /already exist/i.test(e?.message ?? '');
}

/**
 * Finds a resource, or creates it; when the create loses a race (another run created it first),
 * finds the one that run created. For resources that must exist once: SageMaker's own lineage
 * entities, export jobs of a card version.
 */
export async function findOrCreate<T>(
  find: () => Promise<T | undefined>,
  create: () => Promise<T>,
): Promise<T> {
  const found = await find();
  if (found !== undefined) return found;
  try {
    return await create();
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    const made = await find();
    if (made === undefined) throw error;
    return made;
  }
}

/** Reads one model package version; undefined when it no longer exists. */
export async function describeModelVersion(
  client: SageMakerClient,
  arn: string,
): Promise<ModelVersion | undefined> {
  try {
    return toModelVersion(await client.send(new DescribeModelPackageCommand({ ModelPackageName: arn })));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export function toModelVersion(out: DescribeModelPackageCommandOutput): ModelVersion {
  const arn = out.ModelPackageArn ?? '';
  const status = out.ModelApprovalStatus;
  return {
    arn,
    groupName: out.ModelPackageGroupName ?? '',
    version: out.ModelPackageVersion ?? 0,
    approvalStatus: toApprovalStatus(status),
    approvalDescription: out.ApprovalDescription || undefined,
    createdBy: describeIdentity(out.CreatedBy),
    lastModifiedBy: describeIdentity(out.LastModifiedBy),
    ...optional('createdByPrincipal', principalOf(out.CreatedBy)),
    ...optional('lastModifiedByPrincipal', principalOf(out.LastModifiedBy)),
    creationTime: out.CreationTime ?? new Date(0),
    lastModifiedTime: out.LastModifiedTime,
    lifeCycle: out.ModelLifeCycle?.Stage
      ? {
          stage: out.ModelLifeCycle.Stage,
          stageStatus: out.ModelLifeCycle.StageStatus ?? '',
          stageDescription: out.ModelLifeCycle.StageDescription,
        }
      : undefined,
    description: out.ModelPackageDescription,
    ...(out.CustomerMetadataProperties ? { metadata: out.CustomerMetadataProperties } : {}),
    contentFingerprint: contentFingerprint(out),
    modelData: modelDataLocations(out.InferenceSpecification?.Containers),
    baselines: {
      ...optional('dataQuality', baselineFiles(out.DriftCheckBaselines?.ModelDataQuality)),
      ...optional('modelQuality', baselineFiles(out.DriftCheckBaselines?.ModelQuality)),
    },
  };
}

function baselineFiles(
  b: { Constraints?: { S3Uri?: string }; Statistics?: { S3Uri?: string } } | undefined,
): BaselineFiles | undefined {
  if (!b?.Constraints?.S3Uri && !b?.Statistics?.S3Uri) return undefined;
  return {
    ...optional('constraints', b.Constraints?.S3Uri),
    ...optional('statistics', b.Statistics?.S3Uri),
  };
}

/** Sets a version's approval status (and description and metadata, when given): the Studio button's call. */
export async function updateApproval(
  client: SageMakerClient,
  arn: string,
  update: {
    readonly status?: ApprovalStatus;
    readonly description?: string;
    readonly metadata?: Readonly<Record<string, string>>;
  },
): Promise<void> {
  await client.send(
    new UpdateModelPackageCommand({
      ModelPackageArn: arn,
      // Undefined keeps the status: the gate never re-sends a person's approval.
      ...(update.status !== undefined ? { ModelApprovalStatus: update.status } : {}),
      // What the service accepts (service-values.ts): the decisions make their values valid; this
      // guards the write, so a name nobody foresaw never fails it with a ValidationException.
      ...(update.description !== undefined
        ? { ApprovalDescription: approvalDescription(update.description) }
        : {}),
      ...(update.metadata && Object.keys(update.metadata).length > 0
        ? {
            CustomerMetadataProperties: Object.fromEntries(
              Object.entries(update.metadata).map(([k, v]) => [k, isMetadataValue(v) ? v : metadataValue(v)]),
            ),
          }
        : {}),
    }),
  );
}

/**
 * Sets the version's ModelLifeCycle (UpdateModelPackage: Stage and StageStatus are EntityNames, at
 * most 63 characters; StageDescription at most 1024), as SageMaker's staging construct does.
 */
export async function updateStage(
  client: SageMakerClient,
  arn: string,
  lifeCycle: { readonly stage: string; readonly stageStatus: string; readonly description?: string },
): Promise<void> {
  await client.send(
    new UpdateModelPackageCommand({
      ModelPackageArn: arn,
      ModelLifeCycle: {
        Stage: lifeCycle.stage,
        StageStatus: lifeCycle.stageStatus,
        ...(lifeCycle.description !== undefined ? { StageDescription: lifeCycle.description } : {}),
      },
    }),
  );
}
