import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { DeploymentTarget, ModelPackageGroupConfig } from '../../core/config/types';
import { modelCardName } from '../../core/model-card-naming';
import { resourcePrefix, versionOfName } from '../../core/naming';
import { deregisterScaling, describeScaling, registerScaling } from '../adapters/autoscaling';
import {
  createEndpoint,
  deleteEndpoint,
  deleteEndpointConfig,
  deleteModel,
  describeConfigVariant,
  describeEndpoint,
  ensureEndpointConfig,
  ensureModel,
  listOwnResources,
  listVersions,
  recordRequest,
  updateEndpoint,
} from '../adapters/endpoints';
import { describeModelCard } from '../adapters/model-cards';
import { describeModelVersion } from '../adapters/sagemaker';
import { jsonFingerprint } from '../core/approval-check';
import { scalingAroundUpdate, scalingWhenSettled } from '../core/autoscaling-plan';
import { versionApprover } from '../core/card-review';
import type { TargetOutcome } from '../core/deployment-report';
import {
  candidateVersions,
  type Deployment,
  deploymentConfig,
  deploymentHold,
  deploymentTags,
  endpointConfigRequest,
  type Held,
  modelRequest,
  namesToDelete,
  type ObservedEndpoint,
  planEndpoint,
  requestTags,
  type VersionSummary,
  versionGateFacts,
} from '../core/endpoint-plan';
import type { ReconcileTrigger } from '../core/events';
import { describeIdentity } from '../core/model-version';
import { NameTakenError } from '../core/ownership';
import { type Principal, principalOf } from '../core/principal';

export interface ReconcileContext {
  readonly sagemaker: SageMakerClient;
  /** Application Auto Scaling, for targets with `autoscaling` (issue #20). */
  readonly autoscaling?: ApplicationAutoScalingClient;
  readonly executionRoleArn: string;
  readonly dataCaptureS3Uri?: string;
  /** How to name a group to ListModelPackages (its ARN when the registry is another account's). */
  readonly groupReference?: (groupName: string) => string;
  /** The policy handler's principal: its change to a version is its check of the approval (approval-check.ts). */
  readonly approvalChecker?: Principal;
  /**
   * The SHA-256 of the content the model-cards handler generated for a card (card-review.ts);
   * without it no card is taken as reviewed (fail closed).
   */
  readonly recordedCardContent?: (cardName: string) => Promise<string | undefined>;
}

/**
 * Brings one target to its desired state: read the registry and the endpoint, plan (pure), act.
 * Safe to run any number of times, in any order, concurrently with itself.
 */
export async function reconcileTarget(
  ctx: ReconcileContext,
  group: ModelPackageGroupConfig,
  target: DeploymentTarget,
  trigger: ReconcileTrigger,
): Promise<TargetOutcome> {
  const [versions, endpoint] = await Promise.all([
    listVersions(ctx.sagemaker, ctx.groupReference?.(group.name) ?? group.name),
    describeEndpoint(ctx.sagemaker, target.endpointName),
  ]);
  const inputs = { target, executionRoleArn: ctx.executionRoleArn, dataCaptureS3Uri: ctx.dataCaptureS3Uri };
  const gated = await applyDeploymentGates(ctx, group, target, versions);
  const plan = planEndpoint({ ...inputs, versions: gated.versions, endpoint, held: gated.held });
  const endpointSettled = trigger.kind === 'endpoint' && trigger.change.status === 'InService';

  switch (plan.kind) {
    case 'held':
      if (plan.inSync && endpointSettled) {
        await removeOldVersions(ctx, target, [plan.inSync.configName], [plan.inSync.modelName]);
      }
      return {
        outcome: 'held',
        version: plan.held.version.version,
        modelPackageArn: plan.held.version.arn,
        reason: plan.held.reason,
        ...(endpoint ? { servingConfig: endpoint.configName } : {}),
      };
    case 'busy':
      return {
        outcome: 'skipped',
        reason: `endpoint is ${plan.status}; its next state-change event reconciles it again`,
      };
    case 'none-approved':
      if (plan.action === 'nothing-to-serve')
        return { outcome: 'skipped', reason: 'no approved version to deploy yet' };
      if (!endpoint) return { outcome: 'skipped', reason: 'no approved version and no endpoint' };
      if (plan.action === 'delete-endpoint') {
        const started = await deleteEndpoint(ctx.sagemaker, target.endpointName);
        if (started === 'busy')
          return { outcome: 'skipped', reason: 'endpoint is busy; deleting it on its next event' };
      } else if (trigger.kind === 'endpoint') {
        return { outcome: 'skipped', reason: 'no approved version; keeping the endpoint as it is' };
      }
      return { outcome: 'no-approved-version', action: plan.action, servingConfig: endpoint.configName };
    case 'in-sync':
      if (!endpointSettled) {
        return {
          outcome: 'skipped',
          reason: `already serving v${plan.deployment.version.version}`,
          version: plan.deployment.version.version,
        };
      }
      await removeOldVersions(ctx, target, [plan.deployment.configName], [plan.deployment.modelName]);
      await ensureScaling(ctx, target);
      return {
        outcome: 'deploy-completed',
        version: plan.deployment.version.version,
        modelPackageArn: plan.deployment.version.arn,
        configName: plan.deployment.configName,
      };
    case 'rolled-back': {
      const { deployment, request } = plan;
      // An update that deregistered the scalable target (instance type change) and was rolled back
      // leaves the endpoint on its previous config: its scaling is restored all the same.
      if (endpointSettled) await ensureScaling(ctx, target);
      if (request.rollbackNotified || !endpoint?.arn) {
        return {
          outcome: 'skipped',
          reason: `v${deployment.version.version} was rolled back on this endpoint; not retrying it (approve a newer version, or mgov retry-deploy ${target.endpointName})`,
          version: deployment.version.version,
        };
      }
      // Notified by the handler, which then records it on the endpoint (recordRollbackNotified).
      return {
        outcome: 'rolled-back',
        intendedVersion: deployment.version.version,
        modelPackageArn: deployment.version.arn,
        servingConfig: endpoint.configName,
        reason:
          plan.failureReason ??
          'SageMaker gave no FailureReason; the endpoint settled on its previous config.',
        rolledBackConfig: request.configName,
        endpointArn: endpoint.arn,
        requestedAfter: request.after.toISOString(),
      };
    }
    case 'needs-operator':
      return {
        outcome: 'needs-operator',
        status: plan.status,
        version: plan.deployment.version.version,
        modelPackageArn: plan.deployment.version.arn,
        reason: endpoint?.failureReason ?? 'no FailureReason given',
      };
    case 'create':
      return deploy(ctx, group, target, plan.deployment, undefined);
    case 'update':
      return deploy(ctx, group, target, plan.deployment, endpoint, plan.drift);
  }
}

async function deploy(
  ctx: ReconcileContext,
  group: ModelPackageGroupConfig,
  target: DeploymentTarget,
  deployment: Deployment,
  endpoint: ObservedEndpoint | undefined,
  drift?: true,
): Promise<TargetOutcome> {
  const fromConfig = endpoint?.configName;
  const tags = deploymentTags(group.name, deployment.version, target.endpointName);
  const inputs = { target, executionRoleArn: ctx.executionRoleArn, dataCaptureS3Uri: ctx.dataCaptureS3Uri };
  try {
    await ensureModel(ctx.sagemaker, modelRequest(inputs, deployment), tags);
    await ensureEndpointConfig(ctx.sagemaker, endpointConfigRequest(inputs, deployment), tags);
  } catch (error) {
    // Someone else's model or config under our name: never served; held and notified.
    if (!(error instanceof NameTakenError)) throw error;
    return {
      outcome: 'held',
      version: deployment.version.version,
      modelPackageArn: deployment.version.arn,
      reason: error.message,
      ...(fromConfig ? { servingConfig: fromConfig } : {}),
    };
  }
  const started =
    endpoint === undefined
      ? await createEndpoint(ctx.sagemaker, {
          name: target.endpointName,
          configName: deployment.configName,
          tags: [...tags, ...requestTags(deployment.configName, undefined)],
        })
      : await requestUpdate(ctx, target, endpoint, deployment.configName);
  if (started === 'busy') {
    return {
      outcome: 'skipped',
      reason: 'another run changed the endpoint first; its next event reconciles it again',
    };
  }
  return {
    outcome: 'deploy-started',
    action: fromConfig === undefined ? 'create' : 'update',
    version: deployment.version.version,
    modelPackageArn: deployment.version.arn,
    configName: deployment.configName,
    ...(fromConfig ? { fromConfig } : {}),
    ...(drift ? { drift } : {}),
  };
}

/**
 * Asks an existing endpoint to move to `configName`, the one way this app does (the reconciler and
 * `mgov retry-deploy`): the request recorded on the endpoint first, so that a rollback is recognised
 * by the config the endpoint settles on (rolledBackFrom) and a crash before the request is no false
 * rollback; the variant's scaling made ready (an instance-type change deregisters it, a model-only
 * change keeps the scaled-out count); then UpdateEndpoint with the target's blue/green config.
 */
export async function requestUpdate(
  ctx: Pick<ReconcileContext, 'sagemaker' | 'autoscaling'>,
  target: DeploymentTarget,
  endpoint: ObservedEndpoint,
  configName: string,
): Promise<'started' | 'busy'> {
  if (endpoint.arn)
    await recordRequest(
      ctx.sagemaker,
      endpoint.arn,
      configName,
      endpoint.lastModifiedTime,
      endpoint.configName,
    );
  const retainInstanceCount = await prepareScalingForUpdate(ctx, target, endpoint);
  return updateEndpoint(ctx.sagemaker, {
    name: target.endpointName,
    configName,
    deploymentConfig: deploymentConfig(target),
    retainInstanceCount,
  });
}

/**
 * Before an UpdateEndpoint of an autoscaled target (lambda/core/autoscaling-plan.ts): deregisters the
 * variant's scalable target when the update changes its instance type (SageMaker refuses that
 * update otherwise); says whether the update keeps the current instance count (model-only update).
 */
async function prepareScalingForUpdate(
  ctx: Pick<ReconcileContext, 'sagemaker' | 'autoscaling'>,
  target: DeploymentTarget,
  endpoint: ObservedEndpoint,
): Promise<boolean> {
  if (!ctx.autoscaling || !target.autoscaling) return false;
  const scaling = await describeScaling(ctx.autoscaling, target.endpointName);
  if (!scaling.target) return false;
  const current = await describeConfigVariant(ctx.sagemaker, endpoint.configName);
  const around = scalingAroundUpdate(target, current, scaling);
  if (around.deregisterFirst)
    await deregisterScaling(ctx.autoscaling, target.endpointName, around.deregisterFirst.policies);
  return around.retainInstanceCount;
}

/** Once the endpoint is InService on its desired config: the variant's scaling matches the configuration. */
async function ensureScaling(ctx: ReconcileContext, target: DeploymentTarget): Promise<void> {
  if (!ctx.autoscaling || !target.autoscaling) return;
  const action = scalingWhenSettled(target, await describeScaling(ctx.autoscaling, target.endpointName));
  if (action.kind === 'register') await registerScaling(ctx.autoscaling, action.target, action.policy);
  else if (action.kind === 'deregister')
    await deregisterScaling(ctx.autoscaling, target.endpointName, action.policies);
}

/**
 * The versions the target may serve once the deployment gates have spoken: an approved candidate a
 * gate holds back is left out (so the plan falls back to the newest one that may deploy), and the
 * newest held one is reported. No reads at all when the target has no gate.
 */
async function applyDeploymentGates(
  ctx: ReconcileContext,
  group: ModelPackageGroupConfig,
  target: DeploymentTarget,
  versions: readonly VersionSummary[],
): Promise<{ versions: readonly VersionSummary[]; held?: Held }> {
  const staged = target.serve.kind === 'lifecycle-stage';
  if (!target.requireApprovedModelCard && !group.separationOfDuties && !staged) return { versions };
  const heldArns = new Set<string>();
  let held: Held | undefined;
  // Every candidate until one may deploy: when all are held, none is left to deploy, and the plan is
  // held. (A cap here once let the 21st approved version deploy unchecked: issue #15, M2.)
  for (const candidate of candidateVersions(versions, target)) {
    const cardName = modelCardName(group.name, candidate.version);
    const carded = target.requireApprovedModelCard;
    const [card, described, recorded] = await Promise.all([
      carded ? describeModelCard(ctx.sagemaker, cardName) : undefined,
      group.separationOfDuties || staged || carded
        ? describeModelVersion(ctx.sagemaker, candidate.arn)
        : undefined,
      carded ? ctx.recordedCardContent?.(cardName) : undefined,
    ]);
    const reviewer = card?.lastModifiedBy;
    const reason = deploymentHold(group, target, {
      cardName,
      cardStatus: card?.status,
      ...(card ? { cardContentSha256: jsonFingerprint(card.content) } : {}),
      ...(recorded ? { cardRecordedSha256: recorded } : {}),
      ...(reviewer
        ? { cardReviewedBy: describeIdentity(reviewer), cardReviewerPrincipal: principalOf(reviewer) }
        : {}),
      ...(carded ? versionApprover(described, ctx.approvalChecker) : {}),
      ...versionGateFacts(described),
      ...(described ? { checker: ctx.approvalChecker } : {}),
    });
    if (!reason) break;
    heldArns.add(candidate.arn);
    held ??= { version: candidate, reason };
  }
  return { versions: versions.filter((v) => !heldArns.has(v.arn)), ...(held ? { held } : {}) };
}

/** Deletes models and configs of versions beyond the retention count; never the live one. */
async function removeOldVersions(
  ctx: ReconcileContext,
  target: DeploymentTarget,
  liveConfigs: string[],
  liveModels: string[],
): Promise<void> {
  const prefix = resourcePrefix(target.endpointName);
  const own = await listOwnResources(ctx.sagemaker, `${prefix}-v`);
  const versionOf = (name: string) => versionOfName(target.endpointName, name);
  for (const name of namesToDelete(own.configs, versionOf, liveConfigs, target.keepPreviousVersions)) {
    await deleteEndpointConfig(ctx.sagemaker, name);
  }
  for (const name of namesToDelete(own.models, versionOf, liveModels, target.keepPreviousVersions)) {
    await deleteModel(ctx.sagemaker, name);
  }
}
