/**
 * The shadow test before promotion, as a separate step after the endpoint plan: when the
 * plan would update a target that has `shadow`, this decides whether the new version first runs as
 * a shadow variant beside the live one (a SageMaker inference experiment), whether that test is
 * still running, whether an older one must be stopped first, and whether the figures it produced
 * let the update go ahead. Pure: the handler reads the experiments, the live variant and (once a
 * test completed) CloudWatch, calls this, and carries it out.
 *
 * SageMaker's rules it follows (API reference and developer guide, "Shadow tests"):
 * - CreateInferenceExperiment (Type ShadowMode) lists the production variant and the shadow variant
 *   as ModelVariants (1 to 2), each with a RealTimeInference InstanceType and InstanceCount; the
 *   ShadowModeConfig names the source (production) variant and exactly one shadow variant with its
 *   SamplingPercentage (at most 100). "SageMaker AI supports a maximum of one shadow variant per
 *   endpoint" and, with a shadow variant, "a maximum of one production variant".
 * - The experiment's Status: Creating, Created, Updating, Starting, Running, Stopping (in progress),
 *   Completed ("Your experiment has completed"), Cancelled ("When you conclude your experiment early
 *   using the StopInferenceExperiment API, or if any operation fails with an unexpected error").
 * - StopInferenceExperiment maps each variant to Promote, Remove or Retain, with DesiredState
 *   Completed or Cancelled.
 *
 * Promotion goes through the usual blue/green UpdateEndpoint to this app's own deterministic config,
 * not through StopInferenceExperiment's Promote: after a Promote the endpoint would run on a config
 * SageMaker made, which this app neither named nor recorded as requested, so the request tags
 * (rolledBackFrom, driftedTo), the squat checks on its config names and the retention of old
 * configs would not know it; and a Promote has no DeploymentConfig, so the target's canary or
 * linear shifting and its alarm-driven auto-rollback would be skipped on the very deployment they
 * guard. The test proves the version on copied traffic; the update then moves real traffic the way
 * every other update does, and can still be rolled back.
 */
import type { InferenceExperimentStatus } from '@aws-sdk/client-sagemaker';
import type { DeploymentTarget, ShadowTest } from '../core/config/types';
import { resourcePrefix, VARIANT_NAME, versionedName, versionOfName } from '../core/naming';
import type { Deployment } from './endpoint-resources';
import { type ShadowFigures, type ShadowVerdict, shadowVerdict } from './shadow-verdict';

/** The shadow variant's name in every experiment this app starts. */
export const SHADOW_VARIANT_NAME = 'Shadow';

/** DescribeInferenceExperiment's Status, as the service model (and so the SDK) enumerates it. */
export type ExperimentStatus = InferenceExperimentStatus;

/** Every status but Completed and Cancelled: the experiment still holds the endpoint. */
export const EXPERIMENT_IN_PROGRESS: readonly ExperimentStatus[] = [
  'Creating',
  'Created',
  'Updating',
  'Starting',
  'Running',
  'Stopping',
];

/** An inference experiment as DescribeInferenceExperiment (and its tags) show it. */
export interface ObservedExperiment {
  readonly name: string;
  readonly arn?: string;
  readonly status: ExperimentStatus;
  readonly statusReason?: string;
  readonly endpointName: string;
  readonly sourceVariantName?: string;
  readonly shadowVariantName?: string;
  readonly samplingPercent?: number;
  readonly variants: readonly { readonly variantName: string; readonly modelName: string }[];
  /** The role SageMaker runs it as (DescribeInferenceExperiment RoleArn). */
  readonly roleArn?: string;
  readonly start?: Date;
  readonly end?: Date;
  readonly completionTime?: Date;
  /** The figures this app measured and recorded on the experiment (its tags), once it completed. */
  readonly recorded?: ShadowFigures;
}

/** The endpoint's live production variant (from its current endpoint config and DescribeEndpoint). */
export interface LiveVariant {
  readonly variantName: string;
  readonly modelName: string;
  readonly instanceType: string;
  /** The instances it runs on now (liveInstanceCount). */
  readonly instanceCount: number;
}

/**
 * The live variant's instance count for the experiment's production variant: what the endpoint
 * runs now, not what its config started it with. Application Auto Scaling changes a variant's
 * count with UpdateEndpointWeightsAndCapacities, which DescribeEndpoint's CurrentInstanceCount and
 * DesiredInstanceCount show and the endpoint config's InitialInstanceCount never does (API
 * reference, ProductionVariantSummary), so an experiment asking for the config's count would
 * shrink a scaled-out variant. The larger of the two (a scale-out under way counts); the config's
 * count only when the endpoint shows neither.
 */
export function liveInstanceCount(
  configured: number,
  inService?: { readonly current?: number; readonly desired?: number },
): number {
  const counts = [inService?.current, inService?.desired].filter(
    (n): n is number => typeof n === 'number' && n > 0,
  );
  return counts.length > 0 ? Math.max(...counts) : configured;
}
/**
 * The experiment that tests `deployment` against the live model with these settings: deterministic,
 * so a duplicate or late event finds it instead of starting another. The live model and the test's
 * sampling and length are part of it (another live version or test is another experiment); the pass
 * mark is not (it judges the recorded figures).
 */
export function shadowExperimentName(
  endpointName: string,
  deployment: Pick<Deployment, 'version' | 'modelName'>,
  liveModelName: string,
  shadow: Pick<ShadowTest, 'samplingPercent' | 'minutes'>,
): string {
  return `${versionedName(endpointName, deployment.version.version, 'shadow', deployment.modelName, liveModelName, shadow.samplingPercent, shadow.minutes)}-shadow`;
}

/** What the names of a target's experiments start with (ListInferenceExperiments NameContains). */
export function shadowExperimentPrefix(endpointName: string): string {
  return `${resourcePrefix(endpointName)}-v`;
}

/** Whether a name is one of this target's experiments (shadowExperimentName's shape). */
export function isShadowExperimentOf(endpointName: string, name: string): boolean {
  const prefix = shadowExperimentPrefix(endpointName);
  return name.startsWith(prefix) && /^\d+-[0-9a-f]{8}-shadow$/.test(name.slice(prefix.length));
}

export interface ShadowInputs {
  readonly target: Pick<DeploymentTarget, 'endpointName' | 'compute' | 'shadow'>;
  /** The deployment the endpoint plan would update the endpoint to. */
  readonly deployment: Deployment;
  /** The live production variant; undefined when the endpoint's config could not be read. */
  readonly live?: LiveVariant;
  /** This target's experiments (isShadowExperimentOf), as described. */
  readonly experiments: readonly ObservedExperiment[];
  /** The role SageMaker assumes to run the experiment (CreateInferenceExperiment RoleArn). */
  readonly roleArn: string;
  readonly now: Date;
  /** Figures the handler has just measured for the completed experiment this step asked to measure. */
  readonly measured?: ShadowFigures;
}

export type ShadowStep =
  /** No test: the update goes ahead as it would without `shadow`. */
  | { readonly kind: 'not-needed'; readonly why: string }
  /** Start the test (CreateInferenceExperiment); the update waits for it. */
  | { readonly kind: 'start'; readonly request: ExperimentRequest }
  /** The test runs; its scheduled end (or the periodic check after it) reconciles again. */
  | { readonly kind: 'wait'; readonly experiment: ObservedExperiment }
  /** An older version's test still runs: stop it (the newer approval starts over). */
  | { readonly kind: 'stop'; readonly experiment: ObservedExperiment; readonly request: StopRequest }
  /** The test completed and has no recorded figures: measure them, then decide again. */
  | {
      readonly kind: 'measure';
      readonly experiment: ObservedExperiment;
      readonly window: { readonly start: Date; readonly end: Date };
    }
  /** Passed: the update goes ahead. `firstSeen`: the figures were measured in this run. */
  | {
      readonly kind: 'passed';
      readonly experiment: ObservedExperiment;
      readonly verdict: ShadowVerdict;
      readonly firstSeen: boolean;
    }
  /** Failed: the version is held with the figures as the reason; live is untouched. */
  | {
      readonly kind: 'failed';
      readonly experiment: ObservedExperiment;
      readonly verdict: ShadowVerdict;
      readonly firstSeen: boolean;
      readonly reason: string;
    }
  /** The test cannot prove the version (cancelled, not ours, live unknown): held, with the reason. */
  | { readonly kind: 'refused'; readonly reason: string };

/** CreateInferenceExperiment's request (without tags). */
export interface ExperimentRequest {
  readonly Name: string;
  readonly Type: 'ShadowMode';
  readonly RoleArn: string;
  readonly EndpointName: string;
  readonly Description: string;
  readonly Schedule: { readonly StartTime: Date; readonly EndTime: Date };
  readonly ModelVariants: readonly {
    readonly ModelName: string;
    readonly VariantName: string;
    readonly InfrastructureConfig: {
      readonly InfrastructureType: 'RealTimeInference';
      readonly RealTimeInferenceConfig: { readonly InstanceType: string; readonly InstanceCount: number };
    };
  }[];
  readonly ShadowModeConfig: {
    readonly SourceModelVariantName: string;
    readonly ShadowModelVariants: readonly {
      readonly ShadowModelVariantName: string;
      readonly SamplingPercentage: number;
    }[];
  };
}

/** StopInferenceExperiment's request: the shadow variant removed, the live one kept. */
export interface StopRequest {
  readonly Name: string;
  readonly ModelVariantActions: Readonly<Record<string, 'Promote' | 'Remove' | 'Retain'>>;
  readonly DesiredState: 'Cancelled';
  readonly Reason: string;
}

/** Decides the shadow step of an update. Pure. */
export function planShadowTest(inputs: ShadowInputs): ShadowStep {
  const { target, deployment, live } = inputs;
  const shadow = target.shadow;
  if (!shadow) return { kind: 'not-needed', why: 'the target has no shadow test' };
  const version = deployment.version.version;
  const name = live
    ? shadowExperimentName(target.endpointName, deployment, live.modelName, shadow)
    : undefined;
  // Another test still runs (an older version's, after a newer approval or a revert): stop it
  // first (one shadow variant per endpoint); the next run starts over, or updates without one.
  const older = inputs.experiments.find((e) => e.name !== name && EXPERIMENT_IN_PROGRESS.includes(e.status));
  if (older) {
    return {
      kind: 'stop',
      experiment: older,
      request: {
        Name: older.name,
        ModelVariantActions: { [VARIANT_NAME]: 'Retain', [SHADOW_VARIANT_NAME]: 'Remove' },
        DesiredState: 'Cancelled',
        Reason: `model-governance: v${version} is now the version to deploy; this test no longer decides anything`,
      },
    };
  }
  if (!live || name === undefined) {
    return {
      kind: 'refused',
      reason: `cannot shadow-test v${version}: the live variant of ${target.endpointName} could not be read (its endpoint config is gone or has no production variant); restore the endpoint's config, or remove shadow from the target`,
    };
  }
  if (live.modelName === deployment.modelName)
    return { kind: 'not-needed', why: `v${version}'s model is already the live one` };
  const liveVersion = versionOfName(target.endpointName, live.modelName);
  if (liveVersion !== undefined && version < liveVersion) {
    return {
      kind: 'not-needed',
      why: `v${version} served before v${liveVersion}; going back to it is not shadow-tested`,
    };
  }
  const experiment = inputs.experiments.find((e) => e.name === name);
  if (!experiment) return { kind: 'start', request: experimentRequest(inputs, name, live, shadow) };
  const notOurs = experimentMismatch(
    experiment,
    target.endpointName,
    deployment.modelName,
    live.modelName,
    inputs.roleArn,
  );
  if (notOurs) return { kind: 'refused', reason: notOurs };
  if (EXPERIMENT_IN_PROGRESS.includes(experiment.status)) return { kind: 'wait', experiment };
  if (experiment.status === 'Cancelled') {
    return {
      kind: 'refused',
      reason: `the shadow test ${name} of v${version} was cancelled before it completed (${experiment.statusReason || 'no reason given'}), so nothing proves v${version}; approve a newer version to test again`,
    };
  }
  const figures = inputs.measured ?? experiment.recorded;
  if (!figures) return { kind: 'measure', experiment, window: experimentWindow(experiment, shadow) };
  const verdict = shadowVerdict(shadow, figures);
  const firstSeen = inputs.measured !== undefined;
  if (verdict.passed) return { kind: 'passed', experiment, verdict, firstSeen };
  return {
    kind: 'failed',
    experiment,
    verdict,
    firstSeen,
    reason: `shadow test ${name} failed: ${verdict.failures.join('; ')} (${verdict.summary}); live is unchanged; approve a newer version to test again`,
  };
}

function experimentRequest(
  inputs: ShadowInputs,
  name: string,
  live: LiveVariant,
  shadow: ShadowTest,
): ExperimentRequest {
  const { target, deployment, now } = inputs;
  const compute = target.compute;
  // A shadow target always has instances (parse.ts); the live count is the fallback otherwise.
  const instanceType = compute.kind === 'instances' ? compute.instanceType : live.instanceType;
  const instanceCount = compute.kind === 'instances' ? compute.instanceCount : live.instanceCount;
  const liveVersion = versionOfName(target.endpointName, live.modelName);
  return {
    Name: name,
    Type: 'ShadowMode',
    RoleArn: inputs.roleArn,
    EndpointName: target.endpointName,
    Description: `model-governance: v${deployment.version.version} shadow-tested against ${liveVersion !== undefined ? `v${liveVersion}` : live.modelName} for ${shadow.minutes} min`,
    Schedule: { StartTime: now, EndTime: new Date(now.getTime() + shadow.minutes * 60_000) },
    ModelVariants: [
      {
        ModelName: live.modelName,
        VariantName: live.variantName,
        InfrastructureConfig: {
          InfrastructureType: 'RealTimeInference',
          RealTimeInferenceConfig: { InstanceType: live.instanceType, InstanceCount: live.instanceCount },
        },
      },
      {
        ModelName: deployment.modelName,
        VariantName: SHADOW_VARIANT_NAME,
        InfrastructureConfig: {
          InfrastructureType: 'RealTimeInference',
          RealTimeInferenceConfig: { InstanceType: instanceType, InstanceCount: instanceCount },
        },
      },
    ],
    ShadowModeConfig: {
      SourceModelVariantName: live.variantName,
      ShadowModelVariants: [
        { ShadowModelVariantName: SHADOW_VARIANT_NAME, SamplingPercentage: shadow.samplingPercent },
      ],
    },
  };
}

/**
 * Why an experiment found under this app's name is not the test it would have started, or
 * undefined: anyone with CreateInferenceExperiment could create the name first with their own
 * model as the shadow (copying live traffic to it) and have its figures promote our version, or
 * make our version look bad. Its figures prove nothing about our version: held, and people told.
 */
export function experimentMismatch(
  found: ObservedExperiment,
  endpointName: string,
  shadowModelName: string,
  liveModelName: string,
  roleArn?: string,
): string | undefined {
  const problems: string[] = [];
  if (found.endpointName !== endpointName)
    problems.push(`runs on ${found.endpointName}, not ${endpointName}`);
  if (roleArn !== undefined && found.roleArn !== undefined && found.roleArn !== roleArn)
    problems.push(`runs as ${found.roleArn}, not this app's ${roleArn}`);
  const modelOf = (variant: string | undefined) =>
    found.variants.find((v) => v.variantName === variant)?.modelName;
  if (found.shadowVariantName !== SHADOW_VARIANT_NAME || modelOf(found.shadowVariantName) !== shadowModelName)
    problems.push(
      `shadows ${modelOf(found.shadowVariantName) ?? 'no model'} (variant ${found.shadowVariantName ?? 'none'}), not ${shadowModelName}`,
    );
  if (modelOf(found.sourceVariantName) !== liveModelName)
    problems.push(
      `compares with ${modelOf(found.sourceVariantName) ?? 'no model'}, not the live ${liveModelName}`,
    );
  return problems.length > 0
    ? `inference experiment ${found.name} exists but is not the shadow test this app starts: it ${problems.join('; ')}. Its figures prove nothing about this version; stop and investigate it (someone may be copying live traffic to their own model), then approve a newer version.`
    : undefined;
}

/**
 * What a CreateInferenceExperiment refused with ResourceInUse means, from the experiment of the
 * requested name as DescribeInferenceExperiment shows it (undefined: there is none). SageMaker
 * refuses a name that exists and an endpoint that already has a shadow variant (API reference,
 * CreateInferenceExperiment errors; developer guide, "Create a shadow test": "a maximum of one
 * shadow variant per endpoint"). Only an experiment of that name that is the test this app would
 * start was started by another run; anything else holds the version with the reason.
 */
export function createRefused(
  request: ExperimentRequest,
  found: ObservedExperiment | undefined,
): { readonly kind: 'started-by-another-run' } | { readonly kind: 'refused'; readonly reason: string } {
  const shadow = request.ShadowModeConfig.ShadowModelVariants[0]?.ShadowModelVariantName;
  const modelOf = (variant: string | undefined) =>
    request.ModelVariants.find((v) => v.VariantName === variant)?.ModelName ?? '';
  if (!found) {
    return {
      kind: 'refused',
      reason: `SageMaker refused to start shadow test ${request.Name} as in use, and no experiment has that name: another inference experiment holds ${request.EndpointName} (one shadow variant per endpoint). Stop it or let it end; the next run starts the test`,
    };
  }
  const mismatch = experimentMismatch(
    found,
    request.EndpointName,
    modelOf(shadow),
    modelOf(request.ShadowModeConfig.SourceModelVariantName),
    request.RoleArn,
  );
  return mismatch ? { kind: 'refused', reason: mismatch } : { kind: 'started-by-another-run' };
}

/** The window the figures cover: the experiment's start to its completion (or scheduled end). */
export function experimentWindow(
  experiment: ObservedExperiment,
  shadow: Pick<ShadowTest, 'minutes'>,
): { start: Date; end: Date } {
  const end = experiment.completionTime ?? experiment.end ?? new Date(0);
  const start = experiment.start ?? new Date(end.getTime() - shadow.minutes * 60_000);
  return { start, end };
}
