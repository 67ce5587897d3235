/**
 * Carries out endpoint actions the reconciler and mgov both take. No decisions here: what to do is
 * decided by the pure planner (domain/); this only makes the calls, in the order that keeps a crash
 * between them safe.
 */
import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { DescribeEndpointCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { DeploymentTarget } from '../core/config/types';
import { resourcePrefix, versionOfName } from '../core/naming';
import { scalingAroundUpdate, scalingWhenSettled } from '../domain/autoscaling-plan';
import type { ObservedEndpoint } from '../domain/endpoint-request';
import { deploymentConfig } from '../domain/endpoint-resources';
import {
  recordedRequest,
  requestEntry,
  rollbackNoticeClaim,
  rollbackNoticeRelease,
  rollbackNotifiedEntry,
  violationEntry,
  violationRecorded,
} from '../domain/governance-record';
import { shadowTestAction } from '../domain/lineage-plan';
import { NameTakenError } from '../domain/ownership';
import { namesToDelete } from '../domain/retention';
import type { Action, Setback } from '../domain/target-planner';
import { deregisterScaling, describeScaling, registerScaling } from './autoscaling';
import {
  createEndpoint,
  deleteEndpoint,
  deleteEndpointConfig,
  deleteModel,
  describeConfigVariant,
  ensureEndpointConfig,
  ensureModel,
  listOwnResources,
  recordRequest,
  recordRollbackNotified,
  updateEndpoint,
} from './endpoints';
import { appendEndpointEntry } from './governance-record';
import { createExperiment, describeExperiment, recordFigures, stopExperiment } from './inference-experiments';
import { associateOnce, createActionOnce, ensureModelPackageArtifact } from './lineage';
import { applyMonitoring } from './monitoring';
import { updateApproval } from './sagemaker';
import type { RecordSource } from './target-facts';

export interface EndpointClients {
  readonly sagemaker: SageMakerClient;
  /** Application Auto Scaling, for targets with `autoscaling`. */
  readonly autoscaling?: ApplicationAutoScalingClient;
}

/**
 * Asks an existing endpoint to move to `configName`, the one way this app does (the reconciler and
 * `mgov retry-deploy`): the request recorded on the endpoint first, so that a rollback is recognised
 * by the config the endpoint settles on (rolledBackFrom) and a crash before the request is no false
 * rollback; the variant's scaling made ready (an instance-type change deregisters it, a model-only
 * change keeps the scaled-out count); then UpdateEndpoint with the target's blue/green config.
 *
 * SageMaker has no conditional UpdateEndpoint, and a run acts on what it observed seconds before: an
 * endpoint another run has updated since (and that may have settled again, even rolled back) is left
 * to its own next event ('busy'), so a run never repeats an update on a stale observation.
 */
export async function requestUpdate(
  clients: EndpointClients,
  target: DeploymentTarget,
  endpoint: ObservedEndpoint,
  configName: string,
): Promise<'started' | 'busy'> {
  if (await changedSince(clients.sagemaker, target.endpointName, endpoint)) return 'busy';
  if (endpoint.arn)
    await recordRequest(
      clients.sagemaker,
      endpoint.arn,
      configName,
      endpoint.lastModifiedTime,
      endpoint.configName,
    );
  const retainInstanceCount = await prepareScalingForUpdate(clients, target, endpoint);
  return updateEndpoint(clients.sagemaker, {
    name: target.endpointName,
    configName,
    deploymentConfig: deploymentConfig(target),
    retainInstanceCount,
  });
}

/** Whether the endpoint is no longer as observed: another status, config or change since. */
async function changedSince(
  client: SageMakerClient,
  endpointName: string,
  observed: ObservedEndpoint,
): Promise<boolean> {
  const now = await client.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
  return (
    now.EndpointStatus !== observed.status ||
    now.EndpointConfigName !== observed.configName ||
    now.LastModifiedTime?.getTime() !== observed.lastModifiedTime?.getTime()
  );
}

/**
 * Before an UpdateEndpoint of an autoscaled target (domain/autoscaling-plan.ts): deregisters the
 * variant's scalable target when the update changes its instance type (SageMaker refuses that
 * update otherwise); says whether the update keeps the current instance count (model-only update).
 */
async function prepareScalingForUpdate(
  clients: EndpointClients,
  target: DeploymentTarget,
  endpoint: ObservedEndpoint,
): Promise<boolean> {
  if (!clients.autoscaling || !target.autoscaling) return false;
  const scaling = await describeScaling(clients.autoscaling, target.endpointName);
  if (!scaling.target) return false;
  const current = await describeConfigVariant(clients.sagemaker, endpoint.configName);
  const around = scalingAroundUpdate(target, current, scaling);
  if (around.deregisterFirst)
    await deregisterScaling(clients.autoscaling, target.endpointName, around.deregisterFirst.policies);
  return around.retainInstanceCount;
}

/** What carrying out the actions needs besides the clients. */
export interface ActionContext extends EndpointClients {
  readonly target: DeploymentTarget;
  readonly groupName: string;
  readonly endpoint: ObservedEndpoint | undefined;
  /** The governance record, where the reconciler records its requests (unset: mgov, which cannot). */
  readonly record?: RecordSource;
  readonly now?: () => Date;
}

/**
 * Carries out the planner's actions in order, and stops at the first setback the service answers
 * with (busy, a name taken, an experiment already made): the planner says what that means.
 */
export async function carryOut(ctx: ActionContext, actions: readonly Action[]): Promise<Setback | undefined> {
  for (const action of actions) {
    const setback = await carryOutOne(ctx, action);
    if (setback) return setback;
  }
  return undefined;
}

async function carryOutOne(ctx: ActionContext, action: Action): Promise<Setback | undefined> {
  const { sagemaker, target } = ctx;
  switch (action.kind) {
    case 'remove-old-versions':
      return void (await removeOldVersions(sagemaker, target, action.liveConfig, action.liveModel));
    case 'ensure-scaling':
      return void (await ensureScaling(ctx, target));
    case 'delete-endpoint':
      return (await deleteEndpoint(sagemaker, target.endpointName)) === 'busy' ? { kind: 'busy' } : undefined;
    case 'ensure-model':
    case 'ensure-endpoint-config':
      try {
        if (action.kind === 'ensure-model') await ensureModel(sagemaker, action.request, [...action.tags]);
        else await ensureEndpointConfig(sagemaker, action.request, [...action.tags]);
        return undefined;
      } catch (error) {
        if (!(error instanceof NameTakenError)) throw error;
        return { kind: 'name-taken', detail: error.message };
      }
    case 'record-request': {
      const record = ctx.record;
      if (!record?.account)
        throw new Error(
          `${target.endpointName}: a request was to be recorded, but no governance record of the account's endpoints was given (GOVERNANCE_RECORD_S3_URI)`,
        );
      const now = ctx.now?.() ?? new Date();
      await appendEndpointEntry(record.s3, record.uri, record.account, target.endpointName, () =>
        requestEntry(action.request, now),
      );
      return undefined;
    }
    case 'create-endpoint': {
      const started = await createEndpoint(sagemaker, {
        name: target.endpointName,
        configName: action.configName,
        tags: [...action.tags],
      });
      return started === 'busy' ? { kind: 'busy' } : undefined;
    }
    case 'update-endpoint': {
      if (!ctx.endpoint) throw new Error(`${target.endpointName}: an update was planned for no endpoint`);
      const started = await requestUpdate(ctx, target, ctx.endpoint, action.configName);
      return started === 'busy' ? { kind: 'busy' } : undefined;
    }
    case 'record-shadow-result':
      await recordShadowResult(sagemaker, ctx.groupName, target, action);
      if (action.experiment.arn) await recordFigures(sagemaker, action.experiment.arn, action.figures);
      return undefined;
    case 'stop-experiment':
      return void (await stopExperiment(sagemaker, action.request));
    case 'create-experiment':
      if ((await createExperiment(sagemaker, action.request, [...action.tags])) !== 'existed') return;
      {
        const found = await describeExperiment(sagemaker, action.request.Name);
        return { kind: 'existed', ...(found ? { found } : {}) };
      }
    case 'claim-rollback-notice': {
      const record = ctx.record;
      // Without the record (no governance record given) the tag alone says it was told.
      if (!record?.account) return undefined;
      const now = ctx.now?.() ?? new Date();
      const { appended } = await appendEndpointEntry(
        record.s3,
        record.uri,
        record.account,
        target.endpointName,
        (entries) => rollbackNoticeClaim(entries, action.request, now),
      );
      return appended ? undefined : { kind: 'told-elsewhere' };
    }
    case 'release-rollback-notice': {
      const record = ctx.record;
      if (!record?.account) return undefined;
      const now = ctx.now?.() ?? new Date();
      await appendEndpointEntry(record.s3, record.uri, record.account, target.endpointName, () =>
        rollbackNoticeRelease(action.request, now),
      );
      return undefined;
    }
    case 'record-rollback-notified': {
      // The record decides; the tag is its copy for people (mgov status, the console).
      const record = ctx.record;
      if (record?.account) {
        const now = ctx.now?.() ?? new Date();
        await appendEndpointEntry(record.s3, record.uri, record.account, target.endpointName, (entries) =>
          recordedRequest(entries)?.rollbackNotified ? undefined : rollbackNotifiedEntry(action.request, now),
        );
      }
      return void (await recordRollbackNotified(sagemaker, action.endpointArn, action.request));
    }
    case 'apply-monitoring':
      return void (await applyMonitoring(sagemaker, action.actions));
    case 'reject-version':
      return void (await updateApproval(sagemaker, action.modelPackageArn, {
        status: 'Rejected',
        description: action.reason,
      }));
    case 'record-violation-hold':
      return void (await createActionOnce(sagemaker, action.action));
    case 'record-violation': {
      const artifact = await ensureModelPackageArtifact(sagemaker, action.modelPackageArn);
      const { arn } = await createActionOnce(sagemaker, action.action);
      await associateOnce(sagemaker, artifact, arn, 'AssociatedWith');
      // Last: a run that fails before it is retried in full, and the record then says "recorded".
      const record = ctx.record;
      if (!record?.account) return undefined;
      const now = ctx.now?.() ?? new Date();
      await appendEndpointEntry(record.s3, record.uri, record.account, target.endpointName, (entries) =>
        violationRecorded(entries, action.entry.processingJobArn)
          ? undefined
          : violationEntry(action.entry, now),
      );
      return undefined;
    }
  }
}

/** The shadow test's result in lineage, on the version it tested (domain/lineage-plan.ts). */
async function recordShadowResult(
  sagemaker: SageMakerClient,
  groupName: string,
  target: DeploymentTarget,
  action: Extract<Action, { kind: 'record-shadow-result' }>,
): Promise<void> {
  const { deployment, experiment, verdict } = action;
  const lineageAction = shadowTestAction({
    experimentName: experiment.name,
    experimentArn: experiment.arn ?? experiment.name,
    modelPackageArn: deployment.version.arn,
    groupName,
    version: deployment.version.version,
    endpointName: target.endpointName,
    passed: verdict.passed,
    figures: verdict.summary,
    failures: verdict.failures,
    windowStart: verdict.figures.start.toISOString(),
    windowEnd: verdict.figures.end.toISOString(),
  });
  const artifact = await ensureModelPackageArtifact(sagemaker, deployment.version.arn);
  const { arn } = await createActionOnce(sagemaker, lineageAction);
  await associateOnce(sagemaker, artifact, arn, 'AssociatedWith');
}

/** Once the endpoint is InService on its desired config: the variant's scaling matches the configuration. */
async function ensureScaling(clients: EndpointClients, target: DeploymentTarget): Promise<void> {
  if (!clients.autoscaling || !target.autoscaling) return;
  const action = scalingWhenSettled(target, await describeScaling(clients.autoscaling, target.endpointName));
  if (action.kind === 'register') await registerScaling(clients.autoscaling, action.target, action.policy);
  else if (action.kind === 'deregister')
    await deregisterScaling(clients.autoscaling, target.endpointName, action.policies);
}

/** Deletes models and configs of versions beyond the retention count; never the live one. */
async function removeOldVersions(
  sagemaker: SageMakerClient,
  target: DeploymentTarget,
  liveConfig: string,
  liveModel: string,
): Promise<void> {
  const prefix = resourcePrefix(target.endpointName);
  const own = await listOwnResources(sagemaker, `${prefix}-v`);
  const versionOf = (name: string) => versionOfName(target.endpointName, name);
  for (const name of namesToDelete(own.configs, versionOf, [liveConfig], target.keepPreviousVersions)) {
    await deleteEndpointConfig(sagemaker, name);
  }
  for (const name of namesToDelete(own.models, versionOf, [liveModel], target.keepPreviousVersions)) {
    await deleteModel(sagemaker, name);
  }
}
