/**
 * Lineage: records every approval change and every deployment of the governed groups in SageMaker
 * ML Lineage Tracking, attached to the entities SageMaker creates itself.
 *
 * Triggers: the governed groups' model package state changes (approvals) and the managed endpoints'
 * settled state changes (deployments). A separate function from the reconciler, so a lineage
 * failure never holds up a deployment: it retries and dead-letters on its own.
 *
 * Approvals are history: each is recorded as the event reports it (status, time, reason), so a late
 * event still records its change; the registry is read only for what the event does not carry.
 */
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { describeEndpoint as describeEndpointWithRequest } from '../../adapters/endpoints';
import {
  associateOnce,
  createActionOnce,
  ensureEndpointContext,
  ensureModelPackageArtifact,
  latestActionProperties,
} from '../../adapters/lineage';
import { describeModelVersion } from '../../adapters/sagemaker';
import { findGroup } from '../../core/manifest';
import { versionOfName } from '../../core/naming';
import { rolledBackFrom } from '../../domain/endpoint-request';
import {
  concernsApproval,
  concernsStage,
  type EndpointStateChange,
  type ModelPackageStateChange,
  parseReconcileTrigger,
} from '../../domain/events';
import {
  APPROVAL_ACTION_TYPE,
  approvalAction,
  approvalChange,
  classifyDeployment,
  DEPLOYMENT_ACTION_TYPE,
  deploymentAction,
  deploymentStrategy,
} from '../../domain/lineage-plan';
import { governedHandler, type Ignored, ignored } from '../runtime/handler';
import { logger } from '../runtime/logger';
import { loadManifest } from '../runtime/manifest';

const manifest = loadManifest();
const sagemaker = new SageMakerClient({ maxAttempts: 6, retryMode: 'adaptive' });

export type LineageResult =
  | { readonly outcome: 'recorded' | 'already-recorded'; readonly actionArn: string; readonly kind: string }
  | Ignored;

export const handler = governedHandler(handle);

async function handle(event: unknown): Promise<LineageResult> {
  const parsed = parseReconcileTrigger(event);
  if (!parsed.ok) return ignored('unrecognised-event', parsed.reason);
  const trigger = parsed.value;
  if (trigger.kind === 'model-card')
    return ignored('not-applicable', 'model card changes are not lineage events');
  if (trigger.kind === 'stack-deployed' || trigger.kind === 'shadow-check')
    return ignored('not-applicable', `${trigger.kind} is not a lineage event`);
  const result =
    trigger.kind === 'model-package'
      ? await recordApproval(trigger.change)
      : await recordDeployment(trigger.change);
  if (result.outcome !== 'ignored')
    logger.info('lineage recorded', { kind: result.kind, outcome: result.outcome, lineage: result });
  return result;
}

async function recordApproval(change: ModelPackageStateChange): Promise<LineageResult> {
  const group = findGroup(manifest, change.groupName);
  if (!group)
    return ignored('not-governed', `model package group "${change.groupName}" is not governed by this stack`);
  if (!concernsApproval(change))
    return ignored('not-applicable', 'the change did not touch the approval status');
  const current = await describeModelVersion(sagemaker, change.modelPackageArn);
  if (!current)
    return ignored('gone', 'the model package version no longer exists (deleted since the event)');
  const artifact = await ensureModelPackageArtifact(sagemaker, current.arn);
  const lastRecorded = await latestActionProperties(sagemaker, current.arn, APPROVAL_ACTION_TYPE);
  const facts = approvalChange(
    {
      status: change.reportedApprovalStatus,
      at: change.reportedAt,
      by: change.reportedBy,
      description: change.reportedDescription,
    },
    {
      status: current.approvalStatus,
      lastModifiedAt: current.lastModifiedTime?.toISOString(),
      createdAt: current.creationTime.toISOString(),
      lastModifiedBy: current.lastModifiedBy,
      createdBy: current.createdBy,
      description: current.approvalDescription,
    },
    lastRecorded,
  );
  // A stage change (a promotion) is recorded like an approval, with the stage it set.
  const stage = concernsStage(change)
    ? (change.reportedStage ??
      (current.lifeCycle ? `${current.lifeCycle.stage}/${current.lifeCycle.stageStatus}` : undefined))
    : undefined;
  const action = approvalAction({
    modelPackageArn: current.arn,
    groupName: group.name,
    version: current.version,
    ...facts,
    ...(stage ? { stage } : {}),
  });
  const { arn, created } = await createActionOnce(sagemaker, action);
  await associateOnce(sagemaker, artifact, arn, 'AssociatedWith');
  return {
    outcome: created ? 'recorded' : 'already-recorded',
    actionArn: arn,
    kind: stage ? `stage (${stage})` : `approval (${facts.status})`,
  };
}

async function recordDeployment(change: EndpointStateChange): Promise<LineageResult> {
  const found = manifest.groups.flatMap((g) =>
    g.deployments.filter((t) => t.endpointName === change.endpointName).map((t) => ({ g, t })),
  )[0];
  if (!found)
    return ignored('not-governed', `endpoint "${change.endpointName}" is not managed by this stack`);
  const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: change.endpointName }));
  if (endpoint.EndpointStatus !== 'InService' || !endpoint.EndpointConfigName || !endpoint.EndpointArn) {
    return ignored(
      'not-applicable',
      `endpoint is ${endpoint.EndpointStatus}; deployments are recorded when it is InService`,
    );
  }
  const version = versionOfName(change.endpointName, endpoint.EndpointConfigName);
  if (version === undefined)
    return ignored(
      'not-applicable',
      `endpoint config ${endpoint.EndpointConfigName} was not made by model-governance`,
    );
  const config = await sagemaker.send(
    new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }),
  );
  const modelName = config.ProductionVariants?.[0]?.ModelName;
  const model = modelName
    ? await sagemaker.send(new DescribeModelCommand({ ModelName: modelName }))
    : undefined;
  const modelPackageArn = [model?.PrimaryContainer, ...(model?.Containers ?? [])].find(
    (c) => c?.ModelPackageName,
  )?.ModelPackageName;
  if (!modelPackageArn) return ignored('not-applicable', `model ${modelName} names no model package`);

  const previous = await latestActionProperties(sagemaker, endpoint.EndpointArn, DEPLOYMENT_ACTION_TYPE);
  const previousVersion = previous?.version ? Number(previous.version) : undefined;
  const failureReason = endpoint.FailureReason || undefined;
  // A rollback is recognised by the config the endpoint settled on, not by FailureReason (which
  // SageMaker may leave empty): the reconciler records each request on the endpoint's tags.
  const observed = await describeEndpointWithRequest(sagemaker, change.endpointName);
  const kind = classifyDeployment(
    version,
    previousVersion,
    !!observed && rolledBackFrom(observed) !== undefined,
  );
  const at = (endpoint.LastModifiedTime ?? new Date()).toISOString();
  const action = deploymentAction({
    endpointName: change.endpointName,
    endpointArn: endpoint.EndpointArn,
    configName: endpoint.EndpointConfigName,
    modelPackageArn,
    groupName: found.g.name,
    version,
    strategy: deploymentStrategy(previousVersion, found.t.strategy.kind),
    kind,
    at,
    failureReason,
    previousVersion: previousVersion !== version ? previousVersion : undefined,
  });
  const [artifact, context] = await Promise.all([
    ensureModelPackageArtifact(sagemaker, modelPackageArn),
    ensureEndpointContext(sagemaker, endpoint.EndpointArn, change.endpointName),
  ]);
  const { arn, created } = await createActionOnce(sagemaker, action);
  await associateOnce(sagemaker, artifact, arn, 'ContributedTo');
  await associateOnce(sagemaker, arn, context, 'AssociatedWith');
  return { outcome: created ? 'recorded' : 'already-recorded', actionArn: arn, kind };
}
