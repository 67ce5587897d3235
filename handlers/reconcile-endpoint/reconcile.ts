import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { artifactStates } from '../../adapters/artifacts';
import { deregisterScaling, describeScaling, registerScaling } from '../../adapters/autoscaling';
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
} from '../../adapters/endpoints';
import {
  createExperiment,
  describeExperiment,
  describeLiveVariant,
  listShadowExperiments,
  measureVariants,
  recordFigures,
  stopExperiment,
} from '../../adapters/inference-experiments';
import { associateOnce, createActionOnce, ensureModelPackageArtifact } from '../../adapters/lineage';
import { describeModelCard } from '../../adapters/model-cards';
import { applyMonitoring, observeMonitoring, readMonitoringResult } from '../../adapters/monitoring';
import { describeModelVersion, updateApproval } from '../../adapters/sagemaker';
import { readVerdict } from '../../adapters/verdicts';
import type { DeploymentTarget, ModelPackageGroupConfig } from '../../core/config/types';
import { modelCardName } from '../../core/model-card-naming';
import { resourcePrefix, VARIANT_NAME, versionOfName } from '../../core/naming';
import { jsonFingerprint } from '../../domain/approval-check';
import { scalingAroundUpdate, scalingWhenSettled } from '../../domain/autoscaling-plan';
import { versionApprover } from '../../domain/card-review';
import type { TargetOutcome } from '../../domain/deployment-report';
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
} from '../../domain/endpoint-plan';
import type { MonitoringExecutionChange, ReconcileTrigger } from '../../domain/events';
import { monitoringViolationAction, shadowTestAction } from '../../domain/lineage-plan';
import { describeIdentity } from '../../domain/model-version';
import { monitoringHold, planMonitoring, violationSteps } from '../../domain/monitoring-plan';
import { NameTakenError } from '../../domain/ownership';
import { type Principal, principalOf } from '../../domain/principal';
import {
  EXPERIMENT_IN_PROGRESS,
  type ObservedExperiment,
  planShadowTest,
  SHADOW_VARIANT_NAME,
  type ShadowVerdict,
  shadowExperimentName,
} from '../../domain/shadow-test';

export interface ReconcileContext {
  readonly sagemaker: SageMakerClient;
  /** Application Auto Scaling, for targets with `autoscaling`. */
  readonly autoscaling?: ApplicationAutoScalingClient;
  readonly executionRoleArn: string;
  readonly dataCaptureS3Uri?: string;
  /** How to name a group to ListModelPackages (its ARN when the registry is another account's). */
  readonly groupReference?: (groupName: string) => string;
  /** The policy handler's principal: its change to a version is its check of the approval (approval-check.ts). */
  readonly approvalChecker?: Principal;
  /**
   * The quality gate's verdicts (the policy handler's store, verdicts.ts) and S3 to check the pinned
   * model data with (artifact-pins.ts). Without it (a deployment account, which cannot read the
   * registry account's audit bucket), versions of gated groups are not held for their verdict.
   */
  readonly verdicts?: { readonly s3: S3Client; readonly uri: string };
  /** The clock, for the gate's catch-up window. @default new Date() */
  readonly now?: () => Date;
  /** CloudWatch, for the figures of shadow tests. */
  readonly cloudwatch?: CloudWatchClient;
  /** The role SageMaker runs shadow tests with (CreateInferenceExperiment RoleArn). */
  readonly shadowRoleArn?: string;
  /**
   * The SHA-256 of the content the model-cards handler generated for a card (card-review.ts);
   * without it no card is taken as reviewed (fail closed).
   */
  readonly recordedCardContent?: (cardName: string) => Promise<string | undefined>;
  /**
   * Model monitoring: the role SageMaker runs monitoring jobs with and where they write reports.
   * Without it a target with `monitoring` fails its run (the stack sets both when one has it).
   */
  readonly monitoring?: {
    readonly roleArn: string;
    readonly reportsS3Uri: string;
    /** S3, to read the violations an execution reports. */
    readonly s3: S3Client;
  };
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
  if (trigger.kind === 'monitoring') return answerMonitoring(ctx, group, target, trigger.change);
  const outcome = await reconcileDeployment(ctx, group, target, trigger);
  if (target.monitoring && trigger.kind === 'endpoint' && trigger.change.status === 'InService')
    await ensureMonitoring(ctx, group, target);
  return outcome;
}

/**
 * Once the endpoint is InService, its monitoring schedules run with the baselines of the version it
 * serves (domain/monitoring-plan.ts), read again here: the endpoint and the version as they are now.
 */
async function ensureMonitoring(
  ctx: ReconcileContext,
  group: ModelPackageGroupConfig,
  target: DeploymentTarget,
): Promise<void> {
  if (!ctx.monitoring)
    throw new Error(
      `${target.endpointName} has monitoring, but the reconciler was given no monitoring role or report location (MONITORING_ROLE_ARN, MONITORING_REPORTS_S3_URI); deploy the stack again`,
    );
  const endpoint = await describeEndpoint(ctx.sagemaker, target.endpointName);
  if (endpoint && endpoint.status !== 'InService') return;
  const served = endpoint ? versionOfName(target.endpointName, endpoint.configName) : undefined;
  const versions =
    served === undefined
      ? []
      : await listVersions(ctx.sagemaker, ctx.groupReference?.(group.name) ?? group.name);
  const summary = versions.find((v) => v.version === served);
  const described = summary ? await describeModelVersion(ctx.sagemaker, summary.arn) : undefined;
  const observed = await observeMonitoring(ctx.sagemaker, target.endpointName);
  const plan = planMonitoring({
    target,
    ...(described
      ? { live: { version: described.version, arn: described.arn, baselines: described.baselines ?? {} } }
      : {}),
    roleArn: ctx.monitoring.roleArn,
    reportsS3Uri: ctx.monitoring.reportsS3Uri,
    ...observed,
  });
  await applyMonitoring(ctx.sagemaker, plan.actions);
}

/**
 * A monitoring execution of the target ended: what it found is read again from SageMaker and S3,
 * and violations come back to governance (domain/monitoring-plan.ts violationSteps): recorded in
 * lineage on the version they were found on (once per execution: a replayed event finds the action
 * and says nothing more), told, and with onViolation: rollback, the version rejected, whose model
 * package event the reconciler answers by serving the previous approved version.
 */
async function answerMonitoring(
  ctx: ReconcileContext,
  group: ModelPackageGroupConfig,
  target: DeploymentTarget,
  change: MonitoringExecutionChange,
): Promise<TargetOutcome> {
  if (!ctx.monitoring || !target.monitoring)
    return { outcome: 'skipped', reason: `${target.endpointName} is not monitored by this app` };
  const result = await readMonitoringResult(
    ctx.sagemaker,
    ctx.monitoring.s3,
    target.endpointName,
    change.scheduleName,
    change.processingJobName,
  );
  if (!result) return { outcome: 'skipped', reason: `no monitoring execution ${change.processingJobName}` };
  const steps = violationSteps(target.monitoring.onViolation, result);
  if (steps.length === 0 || result.version === undefined)
    return {
      outcome: 'skipped',
      reason: `monitoring execution ${change.processingJobName} is ${result.status}`,
    };
  const versions = await listVersions(ctx.sagemaker, ctx.groupReference?.(group.name) ?? group.name);
  const version = versions.find((v) => v.version === result.version);
  if (!version) return { outcome: 'skipped', reason: `v${result.version} is no longer in the registry` };
  const action = monitoringViolationAction({
    processingJobArn: result.processingJobArn ?? change.processingJobName,
    processingJobName: change.processingJobName,
    scheduleName: result.scheduleName,
    monitorType: result.type,
    modelPackageArn: version.arn,
    groupName: group.name,
    version: version.version,
    endpointName: target.endpointName,
    checks: result.violations.map((v) => `${v.checkType} on ${v.featureName}`),
    ...(result.violationReport ? { report: result.violationReport } : {}),
    response: target.monitoring.onViolation,
  });
  const artifact = await ensureModelPackageArtifact(ctx.sagemaker, version.arn);
  const { arn, created } = await createActionOnce(ctx.sagemaker, action);
  await associateOnce(ctx.sagemaker, artifact, arn, 'AssociatedWith');
  let rejected = false;
  for (const step of steps) {
    if (step.kind !== 'reject-live') continue;
    const current = await describeModelVersion(ctx.sagemaker, version.arn);
    if (current?.approvalStatus === 'Approved') {
      await updateApproval(ctx.sagemaker, version.arn, { status: 'Rejected', description: step.reason });
      rejected = true;
    }
  }
  if (!created && !rejected)
    return {
      outcome: 'skipped',
      reason: `the violations of ${change.processingJobName} are recorded already`,
    };
  return {
    outcome: 'monitoring-violation',
    version: version.version,
    modelPackageArn: version.arn,
    monitorType: result.type,
    response: target.monitoring.onViolation,
    violations: result.violations,
    ...(result.violationReport ? { report: result.violationReport } : {}),
    rejected,
  };
}

async function reconcileDeployment(
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
  // The periodic check only carries shadow tests forward (an update waiting on one); events do the rest.
  if (trigger.kind === 'shadow-check' && !(plan.kind === 'update' && target.shadow))
    return { outcome: 'skipped', reason: 'no shadow test to carry forward' };

  switch (plan.kind) {
    case 'held':
      if (plan.inSync && endpointSettled) {
        await removeOldVersions(ctx, target, [plan.inSync.configName], [plan.inSync.modelName]);
      }
      {
        // The version the endpoint serves may be held too (its weights swapped under it): said apart.
        const served = endpoint ? versionOfName(target.endpointName, endpoint.configName) : undefined;
        const servingHeld = gated.all.find((h) => h.version.version === served);
        return {
          outcome: 'held',
          version: plan.held.version.version,
          modelPackageArn: plan.held.version.arn,
          reason: plan.held.reason,
          ...(endpoint ? { servingConfig: endpoint.configName } : {}),
          ...(servingHeld
            ? { servingHeld: { version: servingHeld.version.version, reason: servingHeld.reason } }
            : {}),
        };
      }
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
      return deploy(ctx, group, target, plan.deployment, undefined, undefined, gated.held);
    case 'update': {
      if (!target.shadow || !endpoint)
        return deploy(ctx, group, target, plan.deployment, endpoint, plan.drift, gated.held);
      const gate = await shadowGate(ctx, group, target, plan.deployment, endpoint);
      if ('outcome' in gate) return gate.outcome;
      // The endpoint's config was changed by this app's own shadow test (SageMaker runs an experiment on
      // a config it makes), not by someone else: no drift to report.
      const drift = gate.experimented ? undefined : plan.drift;
      return deploy(ctx, group, target, plan.deployment, endpoint, drift, gated.held, gate.passed);
    }
  }
}

/**
 * The shadow step of an update (domain/shadow-test.ts): reads the live variant and the
 * target's experiments, decides, and carries it out. Either the update may go ahead (`passed`: the
 * verdict it passed, when measured in this run) or the run ends here with an outcome.
 */
async function shadowGate(
  ctx: ReconcileContext,
  group: ModelPackageGroupConfig,
  target: DeploymentTarget,
  deployment: Deployment,
  endpoint: ObservedEndpoint,
): Promise<{ outcome: TargetOutcome } | { passed?: ShadowVerdict; experimented?: true }> {
  const version = deployment.version;
  if (!ctx.shadowRoleArn || !ctx.cloudwatch || !target.shadow) {
    throw new Error(
      `${target.endpointName} has a shadow test, but the reconciler was given no role to run it with (SHADOW_TEST_ROLE_ARN) or no CloudWatch client; deploy the stack again`,
    );
  }
  const live = await describeLiveVariant(ctx.sagemaker, endpoint.configName);
  const desiredName = live
    ? shadowExperimentName(target.endpointName, deployment, live.modelName, target.shadow)
    : undefined;
  const summaries = await listShadowExperiments(ctx.sagemaker, target.endpointName);
  const wanted = summaries.filter((e) => e.name === desiredName || EXPERIMENT_IN_PROGRESS.includes(e.status));
  const experiments = (
    await Promise.all(wanted.map((e) => describeExperiment(ctx.sagemaker, e.name)))
  ).filter((e): e is ObservedExperiment => e !== undefined);
  const inputs = {
    target,
    deployment,
    ...(live ? { live } : {}),
    experiments,
    roleArn: ctx.shadowRoleArn,
    now: new Date(),
  };
  let step = planShadowTest(inputs);
  if (step.kind === 'measure') {
    const measured = await measureVariants(
      ctx.cloudwatch,
      target.endpointName,
      {
        live: step.experiment.sourceVariantName ?? VARIANT_NAME,
        shadow: step.experiment.shadowVariantName ?? SHADOW_VARIANT_NAME,
      },
      step.window,
    );
    step = planShadowTest({ ...inputs, measured });
    if ((step.kind === 'passed' || step.kind === 'failed') && step.experiment.arn) {
      // The result on the version first, then the figures on the experiment: a crash in between
      // measures again (the same figures) and finds the lineage action it made.
      await recordShadowResult(ctx, group, target, deployment, step.experiment, step.verdict);
      await recordFigures(ctx.sagemaker, step.experiment.arn, measured);
    }
  }
  const held = (reason: string, shadowFailed?: string): { outcome: TargetOutcome } => ({
    outcome: {
      outcome: 'held',
      version: version.version,
      modelPackageArn: version.arn,
      reason,
      servingConfig: endpoint.configName,
      ...(shadowFailed ? { shadowFailed } : {}),
    },
  });
  switch (step.kind) {
    case 'not-needed':
      return experiments.length > 0 ? { experimented: true } : {};
    case 'passed':
      // Always carried to the update: only one run's UpdateEndpoint starts (the others find the
      // endpoint busy), and it may not be the run that measured the test first.
      return { experimented: true, passed: step.verdict };
    case 'failed':
      // Told once, when measured; later runs stay quiet with the same reason.
      return step.firstSeen
        ? held(step.reason, step.verdict.summary)
        : {
            outcome: {
              outcome: 'skipped',
              reason: `v${version.version} held: ${step.reason}`,
              version: version.version,
            },
          };
    case 'refused':
      return held(step.reason);
    case 'measure':
      throw new Error(`the figures of ${step.experiment.name} were measured but not judged`);
    case 'wait':
      return {
        outcome: {
          outcome: 'skipped',
          reason: `shadow test ${step.experiment.name} of v${version.version} is ${step.experiment.status}${step.experiment.end ? ` until ${step.experiment.end.toISOString()}` : ''}`,
          version: version.version,
        },
      };
    case 'stop':
      await stopExperiment(ctx.sagemaker, step.request);
      return {
        outcome: {
          outcome: 'skipped',
          reason: `stopped shadow test ${step.experiment.name}: v${version.version} is newer and is tested next`,
          version: version.version,
        },
      };
    case 'start': {
      const tags = deploymentTags(group.name, version, target.endpointName);
      // The shadow variant runs the version's model: made (or found, and checked as ours) first.
      try {
        await ensureModel(
          ctx.sagemaker,
          modelRequest({ target, executionRoleArn: ctx.executionRoleArn }, deployment),
          tags,
        );
      } catch (error) {
        if (!(error instanceof NameTakenError)) throw error;
        return held(error.message);
      }
      const created = await createExperiment(ctx.sagemaker, step.request, tags);
      if (created === 'existed') {
        return {
          outcome: {
            outcome: 'skipped',
            reason: `shadow test ${step.request.Name} of v${version.version} was started by another run`,
            version: version.version,
          },
        };
      }
      return {
        outcome: {
          outcome: 'shadow-started',
          version: version.version,
          modelPackageArn: version.arn,
          experimentName: step.request.Name,
          endsAt: step.request.Schedule.EndTime.toISOString(),
          servingConfig: endpoint.configName,
        },
      };
    }
  }
}

/** The shadow test's result in lineage, on the version it tested (domain/lineage-plan.ts). */
async function recordShadowResult(
  ctx: ReconcileContext,
  group: ModelPackageGroupConfig,
  target: DeploymentTarget,
  deployment: Deployment,
  experiment: ObservedExperiment,
  verdict: ShadowVerdict,
): Promise<void> {
  const action = shadowTestAction({
    experimentName: experiment.name,
    experimentArn: experiment.arn ?? experiment.name,
    modelPackageArn: deployment.version.arn,
    groupName: group.name,
    version: deployment.version.version,
    endpointName: target.endpointName,
    passed: verdict.passed,
    figures: verdict.summary,
    failures: verdict.failures,
    windowStart: verdict.figures.start.toISOString(),
    windowEnd: verdict.figures.end.toISOString(),
  });
  const artifact = await ensureModelPackageArtifact(ctx.sagemaker, deployment.version.arn);
  const { arn } = await createActionOnce(ctx.sagemaker, action);
  await associateOnce(ctx.sagemaker, artifact, arn, 'AssociatedWith');
}

async function deploy(
  ctx: ReconcileContext,
  group: ModelPackageGroupConfig,
  target: DeploymentTarget,
  deployment: Deployment,
  endpoint: ObservedEndpoint | undefined,
  drift?: true,
  passedOver?: Held,
  shadowPassed?: ShadowVerdict,
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
    ...(passedOver ? { passedOver: { version: passedOver.version.version, reason: passedOver.reason } } : {}),
    ...(shadowPassed ? { shadowPassed: shadowPassed.summary } : {}),
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
 * Before an UpdateEndpoint of an autoscaled target (domain/autoscaling-plan.ts): deregisters the
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
): Promise<{ versions: readonly VersionSummary[]; held?: Held; all: Held[] }> {
  const verdicts = group.qualityGate ? ctx.verdicts : undefined;
  const staged = target.serve.kind === 'lifecycle-stage';
  const monitored = target.monitoring !== undefined && !target.monitoring.deployUnmonitored;
  if (!target.requireApprovedModelCard && !group.separationOfDuties && !verdicts && !staged && !monitored)
    return { versions, all: [] };
  const heldArns = new Set<string>();
  const all: Held[] = [];
  let held: Held | undefined;
  // Every candidate until one may deploy: when all are held, none is left to deploy, and the plan is
  // held.
  for (const candidate of candidateVersions(versions, target)) {
    const cardName = modelCardName(group.name, candidate.version);
    const carded = target.requireApprovedModelCard;
    const [card, described, gate, recorded] = await Promise.all([
      carded ? describeModelCard(ctx.sagemaker, cardName) : undefined,
      group.separationOfDuties || staged || carded || verdicts || monitored
        ? describeModelVersion(ctx.sagemaker, candidate.arn)
        : undefined,
      verdicts ? gateFacts(ctx, verdicts, candidate) : undefined,
      carded ? ctx.recordedCardContent?.(cardName) : undefined,
    ]);
    const reviewer = card?.lastModifiedBy;
    const reason =
      deploymentHold(group, target, {
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
        ...(gate ? { gate } : {}),
      }) ?? monitoringHold(target, described?.baselines ?? {});
    if (!reason) break;
    heldArns.add(candidate.arn);
    held ??= { version: candidate, reason };
    all.push({ version: candidate, reason });
  }
  return { versions: versions.filter((v) => !heldArns.has(v.arn)), ...(held ? { held } : {}), all };
}

/** The gate's verdict on a candidate, and its pinned model data as S3 shows it now. */
async function gateFacts(
  ctx: ReconcileContext,
  verdicts: NonNullable<ReconcileContext['verdicts']>,
  candidate: VersionSummary,
) {
  const verdict = await readVerdict(verdicts.s3, verdicts.uri, candidate.arn);
  const observed = await artifactStates(verdicts.s3, verdict?.artifacts?.modelData ?? []);
  return {
    ...(verdict ? { verdict } : {}),
    observed,
    registeredAt: candidate.creationTime,
    now: ctx.now?.() ?? new Date(),
  };
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
