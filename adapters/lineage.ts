import { createHash } from 'node:crypto';
import {
  AddAssociationCommand,
  type AssociationEdgeType,
  CreateActionCommand,
  type CreateActionCommandInput,
  CreateArtifactCommand,
  CreateContextCommand,
  DescribeActionCommand,
  ListActionsCommand,
  ListArtifactsCommand,
  ListContextsCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { RECONCILE_FAILURE_ACTION_TYPE } from '../domain/lineage-plan';
import { findOrCreate, isAlreadyExists } from './sagemaker';

/** SageMaker's artifact for a model package (one per SourceUri), created only when it is missing. */
export async function ensureModelPackageArtifact(
  client: SageMakerClient,
  modelPackageArn: string,
): Promise<string> {
  return findOrCreate(
    async () =>
      (await client.send(new ListArtifactsCommand({ SourceUri: modelPackageArn, MaxResults: 1 })))
        .ArtifactSummaries?.[0]?.ArtifactArn,
    async () =>
      (
        await client.send(
          new CreateArtifactCommand({ Source: { SourceUri: modelPackageArn }, ArtifactType: 'ModelPackage' }),
        )
      ).ArtifactArn as string,
  );
}

/** SageMaker's context for an endpoint, created only when it is missing. */
export async function ensureEndpointContext(
  client: SageMakerClient,
  endpointArn: string,
  endpointName: string,
): Promise<string> {
  const name = `${endpointName.slice(0, 100)}-${createHash('sha256').update(endpointArn).digest('hex').slice(0, 8)}`;
  return findOrCreate(
    async () =>
      (await client.send(new ListContextsCommand({ SourceUri: endpointArn, MaxResults: 1 })))
        .ContextSummaries?.[0]?.ContextArn,
    async () =>
      (
        await client.send(
          new CreateContextCommand({
            ContextName: name,
            Source: { SourceUri: endpointArn, SourceType: 'Endpoint' },
            ContextType: 'Endpoint',
          }),
        )
      ).ContextArn as string,
  );
}

/** Creates the action unless one of that (deterministic) name exists. */
export async function createActionOnce(
  client: SageMakerClient,
  input: CreateActionCommandInput & { ActionName: string },
): Promise<{ arn: string; created: boolean }> {
  try {
    const out = await client.send(new CreateActionCommand(input));
    return { arn: out.ActionArn as string, created: true };
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    const out = await client.send(new DescribeActionCommand({ ActionName: input.ActionName }));
    return { arn: out.ActionArn as string, created: false };
  }
}

export async function associateOnce(
  client: SageMakerClient,
  source: string,
  destination: string,
  type: AssociationEdgeType,
): Promise<void> {
  try {
    await client.send(
      new AddAssociationCommand({ SourceArn: source, DestinationArn: destination, AssociationType: type }),
    );
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
}

/** The properties of the newest action of a type recorded for a source (its SourceUri). */
export async function latestActionProperties(
  client: SageMakerClient,
  sourceUri: string,
  actionType: string,
): Promise<Record<string, string> | undefined> {
  const list = await client.send(
    new ListActionsCommand({
      SourceUri: sourceUri,
      ActionType: actionType,
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 1,
    }),
  );
  const latest = list.ActionSummaries?.[0]?.ActionArn;
  if (!latest) return undefined;
  const out = await client.send(new DescribeActionCommand({ ActionName: latest }));
  return out.Properties ?? {};
}

/** A target's newest recorded reconciler failure: when it first failed that way, and the error. */
export interface ReconcileFailure {
  readonly at: Date;
  readonly error: string;
}

/** The newest failure the reconciler recorded for a target (lineage-plan.ts reconcileFailureAction). */
export async function latestReconcileFailure(
  client: SageMakerClient,
  endpointName: string,
): Promise<ReconcileFailure | undefined> {
  const list = await client.send(
    new ListActionsCommand({
      SourceUri: endpointName,
      ActionType: RECONCILE_FAILURE_ACTION_TYPE,
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 1,
    }),
  );
  const latest = list.ActionSummaries?.[0];
  if (!latest?.ActionArn) return undefined;
  const out = await client.send(new DescribeActionCommand({ ActionName: latest.ActionArn }));
  return {
    at: out.CreationTime ?? latest.CreationTime ?? new Date(0),
    error: out.Properties?.error ?? out.Description ?? 'no error recorded',
  };
}
