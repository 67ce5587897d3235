/**
 * The one planner: what to do for one deployment target, from what was observed and what woke us.
 * Pure. The reconciler and mgov both call it; they only gather the facts it asks for and carry out
 * the actions it returns (docs/planner.md).
 *
 *   trigger + observed state → planTarget → { need: facts for candidate N }   (gather, plan again)
 *                                         → { actions, outcome, notify, afterNotify }
 *
 * Like ACK's sagemaker-controller, a reason to wait or hold is a typed code, never a sentence.
 */
import type { ModelPackageGroupConfig } from '../core/config/types';
import { VARIANT_NAME, versionOfName } from '../core/naming';
import { deploymentHold, type GateFacts } from './deployment-gates';
import type { DriftCode, SkipCode, TargetOutcome } from './deployment-report';
import { type Plan, planEndpoint } from './endpoint-plan';
import { type DeploymentRequest, driftedTo, type ObservedEndpoint, requestTags } from './endpoint-request';
import {
  type Deployment,
  deploymentTags,
  endpointConfigRequest,
  modelRequest,
  type ResourceInputs,
} from './endpoint-resources';
import type { ReconcileTrigger } from './events';
import type { RequestDraft, ViolationDraft } from './governance-record';
import { type Hold, hold, isQuietWait } from './hold';
import { monitoringViolationAction, violationHoldAction } from './lineage-plan';
import {
  type MonitoringAction,
  type MonitoringResult,
  type ObservedMonitoring,
  openViolationHold,
  planMonitoring,
  type ViolationHolds,
  violationHoldDetail,
  violationSteps,
} from './monitoring-plan';
import {
  createRefused,
  type ExperimentRequest,
  type LiveVariant,
  type ObservedExperiment,
  planShadowTest,
  SHADOW_VARIANT_NAME,
  type StopRequest,
} from './shadow-plan';
import type { ShadowFigures, ShadowVerdict } from './shadow-verdict';
import { candidateVersions, type VersionSummary } from './version-selection';

/**
 * What woke the planner: the reconciler's triggers, and `retry` (an operator asks for a rolled-back
 * deployment again, as mgov retry-deploy does).
 */
export type PlannerTrigger =
  | { readonly kind: Exclude<ReconcileTrigger['kind'], 'endpoint' | 'monitoring'> }
  /** `settled`: the endpoint's own event says it is InService (its change has finished). */
  | { readonly kind: 'endpoint'; readonly settled: boolean }
  /** A monitoring execution of the target ended: which schedule ran which processing job. */
  | { readonly kind: 'monitoring'; readonly scheduleName: string; readonly processingJobName: string }
  | { readonly kind: 'retry' };

export function plannerTrigger(trigger: ReconcileTrigger): PlannerTrigger {
  switch (trigger.kind) {
    case 'endpoint':
      return { kind: 'endpoint', settled: trigger.change.status === 'InService' };
    case 'monitoring':
      return {
        kind: 'monitoring',
        scheduleName: trigger.change.scheduleName,
        processingJobName: trigger.change.processingJobName,
      };
    default:
      return { kind: trigger.kind };
  }
}

/** Where the stack's monitoring jobs run and report; without it no target's monitoring is planned. */
export interface MonitoringSetup {
  readonly roleArn: string;
  readonly reportsS3Uri: string;
}

/** A monitoring execution the trigger names, read back (absent `result`: no such execution). */
export interface ObservedExecution {
  readonly result?: MonitoringResult;
  /** Whether its violations are recorded already (its lineage action exists: a replayed event). */
  readonly recorded: boolean;
}

/** The shadow step's facts: the live variant, the target's experiments, and figures measured now. */
export interface ShadowObservation {
  readonly live?: LiveVariant;
  readonly experiments: readonly ObservedExperiment[];
  readonly measured?: ShadowFigures;
}

/** Everything the planner knows of one target. Facts it lacks, it asks for (`Need`). */
export interface TargetObservation extends ResourceInputs {
  readonly group: Pick<ModelPackageGroupConfig, 'name' | 'separationOfDuties' | 'qualityGate'> &
    Partial<Pick<ModelPackageGroupConfig, 'cardReviewerMustDiffer'>>;
  readonly versions: readonly VersionSummary[];
  readonly endpoint: ObservedEndpoint | undefined;
  /** Whether the quality gate's verdicts can be read here (a deployment account's reconciler cannot). */
  readonly verdictsReadable: boolean;
  /**
   * Whether the governance record can be read here: with it every candidate of every group is gated
   * (registered content, failed verdicts, who approved; governance-record.ts).
   */
  readonly recordReadable?: boolean;
  /** The gate facts gathered so far, by version ARN. */
  readonly gates: ReadonlyMap<string, GateFacts>;
  /** Whether the config the endpoint serves is ours, once asked for (the `served-config` need). */
  readonly served?: ServedCheck;
  /** The shadow step's facts, once asked for. */
  readonly shadow?: ShadowObservation;
  /** The role SageMaker runs shadow tests with. */
  readonly shadowRoleArn?: string;
  /** The stack's monitoring setup: with it, schedules of every target are read (and removed when unwanted). */
  readonly monitoringSetup?: MonitoringSetup;
  /** The target's schedules and the version its endpoint serves, once asked for. */
  readonly monitoring?: ObservedMonitoring;
  /** The monitoring execution a monitoring trigger names, once asked for. */
  readonly execution?: ObservedExecution;
  /** The target's violation hold and its clear (onViolation: hold), once asked for. */
  readonly violations?: ViolationHolds;
  readonly now: Date;
}

/** What the served-config check found of the config an endpoint serves (ownership.ts servedConfigMismatch). */
export interface ServedCheck {
  readonly configName: string;
  /** Why it is not a config this app made; undefined when it is. */
  readonly mismatch?: string;
}

/** A fact the planner needs before it can decide. */
export type Need =
  | { readonly kind: 'gate-facts'; readonly version: VersionSummary }
  /**
   * Whether the served config, named as ours for version `version`, is what this app made for it
   * (`arn`: the version's ARN; undefined when the registry no longer lists it).
   */
  | {
      readonly kind: 'served-config';
      readonly configName: string;
      readonly version: number;
      readonly arn?: string;
    }
  | { readonly kind: 'shadow-facts'; readonly deployment: Deployment }
  | {
      readonly kind: 'shadow-figures';
      readonly experiment: ObservedExperiment;
      readonly variants: { readonly live: string; readonly shadow: string };
      readonly window: { readonly start: Date; readonly end: Date };
    }
  /** The target's schedules and job definitions, and the version its endpoint serves. */
  | { readonly kind: 'monitoring-state' }
  /** The execution a monitoring trigger names: its result, and whether it is recorded already. */
  | {
      readonly kind: 'monitoring-execution';
      readonly scheduleName: string;
      readonly processingJobName: string;
    }
  /** The target's newest violation hold and newest clear. */
  | { readonly kind: 'violation-holds' };

type Tags = readonly { readonly Key: string; readonly Value: string }[];

/** What to do, typed; adapters/endpoint-actions.ts carries each out without deciding anything. */
export type Action =
  | { readonly kind: 'remove-old-versions'; readonly liveConfig: string; readonly liveModel: string }
  | { readonly kind: 'ensure-scaling' }
  | { readonly kind: 'delete-endpoint' }
  | { readonly kind: 'ensure-model'; readonly request: ReturnType<typeof modelRequest>; readonly tags: Tags }
  | {
      readonly kind: 'ensure-endpoint-config';
      readonly request: ReturnType<typeof endpointConfigRequest>;
      readonly tags: Tags;
    }
  /**
   * The request, in the endpoint's governance record, once SageMaker accepted it (endpoint-request.ts):
   * a request refused as busy is never recorded, so it cannot pass for one tried; a crash before the
   * record leaves the previous request, which the endpoint's new config never matches as a rollback.
   */
  | { readonly kind: 'record-request'; readonly request: RequestDraft }
  | { readonly kind: 'create-endpoint'; readonly configName: string; readonly tags: Tags }
  | { readonly kind: 'update-endpoint'; readonly configName: string }
  | {
      readonly kind: 'record-shadow-result';
      readonly deployment: Deployment;
      readonly experiment: ObservedExperiment;
      readonly verdict: ShadowVerdict;
      readonly figures: ShadowFigures;
    }
  | { readonly kind: 'stop-experiment'; readonly request: StopRequest }
  | { readonly kind: 'create-experiment'; readonly request: ExperimentRequest; readonly tags: Tags }
  /**
   * Claims the telling of a rollback in the endpoint's record before people are told: of concurrent
   * runs, one claims; the others are set back (`told-elsewhere`). Released if the notice fails.
   */
  | {
      readonly kind: 'claim-rollback-notice';
      readonly request: Pick<DeploymentRequest, 'configName' | 'after'>;
    }
  | {
      readonly kind: 'release-rollback-notice';
      readonly request: Pick<DeploymentRequest, 'configName' | 'after'>;
    }
  | {
      readonly kind: 'record-rollback-notified';
      readonly endpointArn: string;
      readonly request: Pick<DeploymentRequest, 'configName' | 'after'>;
    }
  /** Brings the target's monitoring schedules and job definitions to the plan (monitoring-plan.ts). */
  | { readonly kind: 'apply-monitoring'; readonly actions: readonly MonitoringAction[] }
  /** Rejects a version, with the reason Studio shows (ApprovalDescription). */
  | { readonly kind: 'reject-version'; readonly modelPackageArn: string; readonly reason: string }
  /**
   * Records a monitoring execution's violations in lineage, on the version they were found on, and
   * then in the endpoint's governance record.
   */
  | {
      readonly kind: 'record-violation';
      readonly modelPackageArn: string;
      readonly action: ReturnType<typeof monitoringViolationAction>;
      /** The governance record's entry, appended last (once per execution): what later runs decide from. */
      readonly entry: ViolationDraft;
    }
  /** The hold's copy in lineage, for people (onViolation: hold); the record's entry is the hold. */
  | { readonly kind: 'record-violation-hold'; readonly action: ReturnType<typeof violationHoldAction> };

/** What an action can run into that changes the outcome (the service's answer, not an error). */
export type Setback =
  /** Another change holds the endpoint (SageMaker refused the call as busy). */
  | { readonly kind: 'busy' }
  /** Someone else's model or config already has our name (ownership.ts). */
  | { readonly kind: 'name-taken'; readonly detail: string }
  /**
   * SageMaker refused the experiment as in use; `found` is the experiment of the requested name as
   * DescribeInferenceExperiment shows it (absent: none has that name). Whether another run started
   * the same test, or something else holds the endpoint, is decided here (shadow-plan.ts createRefused).
   */
  | { readonly kind: 'existed'; readonly found?: ObservedExperiment }
  /** Another run claimed the notice this decision would send (claim-rollback-notice). */
  | { readonly kind: 'told-elsewhere' };

export interface Decision {
  readonly kind: 'decided';
  /** Carried out in order; the first setback stops them (see afterSetback). */
  readonly actions: readonly Action[];
  readonly outcome: TargetOutcome;
  /** Whether people hear about it (deployment-report.ts words it). */
  readonly notify: boolean;
  /** Carried out after the notification went out (a failure in between tells again). */
  readonly afterNotify: readonly Action[];
  /** Carried out when the notification fails, before the run fails (releases a claim). */
  readonly notifyFailed?: readonly Action[];
}

export type PlannerStep = { readonly kind: 'need'; readonly need: Need } | Decision;

const decided = (
  outcome: TargetOutcome,
  trigger: PlannerTrigger,
  actions: readonly Action[] = [],
  afterNotify: readonly Action[] = [],
  notifyFailed: readonly Action[] = [],
): Decision => ({
  kind: 'decided',
  actions,
  outcome,
  notify: shouldNotify(outcome, trigger),
  afterNotify,
  ...(notifyFailed.length > 0 ? { notifyFailed } : {}),
});

/**
 * Whether people hear about an outcome: not skips and waits (logged); not what the periodic shadow
 * check finds held again (events told it already), unless it has just measured the failure.
 */
export function shouldNotify(outcome: TargetOutcome, trigger: PlannerTrigger): boolean {
  if (outcome.outcome === 'skipped' || outcome.outcome === 'waiting') return false;
  if (trigger.kind === 'shadow-check' && outcome.outcome === 'held' && outcome.shadowFailed === undefined)
    return false;
  return true;
}

/** Whether any deployment gate applies to the target (no gate facts are read otherwise). */
function gated(
  o: Pick<TargetObservation, 'group' | 'target' | 'verdictsReadable' | 'recordReadable'>,
): boolean {
  return (
    o.recordReadable === true ||
    o.target.requireApprovedModelCard ||
    o.group.separationOfDuties ||
    (o.group.qualityGate && o.verdictsReadable) ||
    o.target.serve.kind === 'lifecycle-stage' ||
    (o.target.monitoring !== undefined && !o.target.monitoring.deployUnmonitored)
  );
}

export interface Gated {
  readonly versions: readonly VersionSummary[];
  readonly held?: { readonly version: VersionSummary; readonly hold: Hold };
  readonly all: readonly { readonly version: VersionSummary; readonly hold: Hold }[];
}

/**
 * The gate loop: every candidate, best first, until one may deploy. A candidate whose facts are not
 * gathered yet is a need; the caller gathers them and plans again. mgov asks this too.
 */
export function applyGates(
  o: Pick<
    TargetObservation,
    'group' | 'target' | 'versions' | 'verdictsReadable' | 'recordReadable' | 'gates' | 'violations'
  >,
): Gated | Need {
  // A violation hold (onViolation: hold) keeps every version newer than the one it was found on.
  const holdsOnViolation = o.target.monitoring?.onViolation === 'hold';
  if (holdsOnViolation && !o.violations) return { kind: 'violation-holds' };
  const violation = holdsOnViolation && o.violations ? openViolationHold(o.violations) : undefined;
  if (!gated(o) && !violation) return { versions: o.versions, all: [] };
  const all: { version: VersionSummary; hold: Hold }[] = [];
  for (const candidate of candidateVersions(o.versions, o.target)) {
    if (violation && candidate.version > violation.version) {
      all.push({
        version: candidate,
        hold: hold('monitoring-violation-hold', violationHoldDetail(o.target.endpointName, violation)),
      });
      continue;
    }
    if (!gated(o)) break;
    const facts = o.gates.get(candidate.arn);
    if (!facts) return { kind: 'gate-facts', version: candidate };
    const h = deploymentHold(o.group, o.target, facts);
    if (!h) break;
    all.push({ version: candidate, hold: h });
  }
  const heldArns = new Set(all.map((h) => h.version.arn));
  return {
    versions: o.versions.filter((v) => !heldArns.has(v.arn)),
    ...(all[0] ? { held: all[0] } : {}),
    all,
  };
}

/** Decides what to do for one target, or names the fact it needs first. */
export function planTarget(o: TargetObservation, trigger: PlannerTrigger): PlannerStep {
  if (trigger.kind === 'monitoring') return planExecution(o, trigger);
  const gates = applyGates(o);
  if ('kind' in gates) return { kind: 'need', need: gates };
  const served = servedConfig(o);
  if (served && 'kind' in served) return { kind: 'need', need: served };
  const plan = planEndpoint({
    target: o.target,
    executionRoleArn: o.executionRoleArn,
    ...(o.dataCaptureS3Uri ? { dataCaptureS3Uri: o.dataCaptureS3Uri } : {}),
    versions: gates.versions,
    endpoint: o.endpoint,
    ...(gates.held ? { held: gates.held } : {}),
    ...(served ? { served: { ours: served.ours } } : {}),
  });
  // The periodic check only carries shadow tests forward (an update waiting on one), and deploys what a
  // person's clear of a violation hold released, or a card review that reached the record after its
  // card's event (no event says either); events do the rest.
  const released =
    (o.target.monitoring?.onViolation === 'hold' || o.target.requireApprovedModelCard) &&
    (plan.kind === 'update' || plan.kind === 'create');
  if (trigger.kind === 'shadow-check' && !(plan.kind === 'update' && o.target.shadow) && !released)
    return decided(skipped('no-shadow-step', 'no shadow test to carry forward'), trigger);
  const drift = driftFound(o, served, plan);
  if (drift) return decided(drift, trigger);
  return withMonitoring(o, trigger, fromPlan(o, trigger, plan, gates));
}

/**
 * The monitoring that follows the live version (monitoring-plan.ts), added to a decision that leaves
 * the endpoint as it is: once the endpoint has settled (or the stack deployed a new configuration)
 * and is InService, its schedules run with the baselines of the version it serves, if that version
 * is still Approved; none stays for a rejected version, a target
 * whose monitoring was removed, or an endpoint about to be deleted (removed before it).
 */
function withMonitoring(o: TargetObservation, trigger: PlannerTrigger, step: PlannerStep): PlannerStep {
  if (step.kind !== 'decided') return step;
  const deletes = step.actions.some((a) => a.kind === 'delete-endpoint');
  const changes = step.actions.some((a) => a.kind === 'create-endpoint' || a.kind === 'update-endpoint');
  // The endpoint's settling, and a new configuration (the stack deployed), bring monitoring in line;
  // an endpoint that is changing again is left to its next settling.
  const looks = settled(trigger) || trigger.kind === 'stack-deployed';
  if (changes || !(deletes || (looks && o.endpoint?.status === 'InService'))) return step;
  // Without monitoring anywhere in the stack, a new configuration still looks once: it may have
  // removed the last monitored target, whose schedules must not stay behind.
  if (!o.target.monitoring && !o.monitoringSetup && trigger.kind !== 'stack-deployed') return step;
  if (!o.monitoring) return { kind: 'need', need: { kind: 'monitoring-state' } };
  if (o.target.monitoring && !o.monitoringSetup)
    throw new Error(
      `${o.target.endpointName} has monitoring, but the reconciler was given no monitoring role or report location (MONITORING_ROLE_ARN, MONITORING_REPORTS_S3_URI); deploy the stack again`,
    );
  const served = o.monitoring.served;
  const live =
    !deletes && served?.approvalStatus === 'Approved'
      ? { version: served.version, arn: served.arn, baselines: served.baselines }
      : undefined;
  const plan = planMonitoring({
    target: o.target,
    ...(live ? { live } : {}),
    roleArn: o.monitoringSetup?.roleArn ?? '',
    reportsS3Uri: o.monitoringSetup?.reportsS3Uri ?? '',
    schedules: o.monitoring.schedules,
    definitions: o.monitoring.definitions,
  });
  if (plan.actions.length === 0) return step;
  const apply: Action = { kind: 'apply-monitoring', actions: plan.actions };
  return { ...step, actions: deletes ? [apply, ...step.actions] : [...step.actions, apply] };
}

/**
 * A monitoring execution of the target ended (monitoring-plan.ts violationSteps): its violations are
 * recorded on the version they were found on (lineage, once per execution: a replayed event finds the
 * record and says nothing more), told, with onViolation: hold recorded as the target's violation hold,
 * and with onViolation: rollback the version rejected, whose model package event rolls the endpoint
 * back by the usual path. The rejection comes first and the record last: a run that fails in between
 * is retried and finds the version rejected already and the record missing.
 */
function planExecution(
  o: TargetObservation,
  trigger: Extract<PlannerTrigger, { kind: 'monitoring' }>,
): PlannerStep {
  const monitoring = o.target.monitoring;
  const { endpointName } = o.target;
  if (!monitoring || !o.monitoringSetup)
    return decided(skipped('not-monitored', `${endpointName} is not monitored by this app`), trigger);
  if (!o.execution)
    return {
      kind: 'need',
      need: {
        kind: 'monitoring-execution',
        scheduleName: trigger.scheduleName,
        processingJobName: trigger.processingJobName,
      },
    };
  const { result, recorded } = o.execution;
  if (!result)
    return decided(skipped('not-monitored', `no monitoring execution ${trigger.processingJobName}`), trigger);
  const steps = violationSteps(monitoring.onViolation, result);
  if (steps.length === 0 || result.version === undefined)
    return decided(
      skipped('monitoring-clean', `monitoring execution ${trigger.processingJobName} is ${result.status}`),
      trigger,
    );
  const version = o.versions.find((v) => v.version === result.version);
  if (!version)
    return decided(
      skipped('monitoring-clean', `v${result.version} is no longer in the registry`, result.version),
      trigger,
    );
  if (recorded)
    return decided(
      skipped(
        'violation-recorded',
        `the violations of ${trigger.processingJobName} are recorded already`,
        version.version,
      ),
      trigger,
    );
  const facts = {
    processingJobArn: result.processingJobArn ?? trigger.processingJobName,
    processingJobName: trigger.processingJobName,
    monitorType: result.type,
    groupName: o.group.name,
    version: version.version,
    endpointName,
  };
  const reject = steps.find((s) => s.kind === 'reject-live');
  const rejecting = reject?.kind === 'reject-live' && version.approvalStatus === 'Approved';
  const holding = steps.some((s) => s.kind === 'hold-newer');
  const holdAction = holding ? violationHoldAction(facts) : undefined;
  const checks = result.violations.map((v) => `${v.checkType} on ${v.featureName}`);
  const actions: Action[] = [
    ...(rejecting
      ? [{ kind: 'reject-version' as const, modelPackageArn: version.arn, reason: reject.reason }]
      : []),
    ...(holdAction ? [{ kind: 'record-violation-hold' as const, action: holdAction }] : []),
    {
      kind: 'record-violation',
      modelPackageArn: version.arn,
      action: monitoringViolationAction({
        ...facts,
        scheduleName: result.scheduleName,
        modelPackageArn: version.arn,
        checks,
        ...(result.violationReport ? { report: result.violationReport } : {}),
        response: monitoring.onViolation,
      }),
      entry: {
        processingJobArn: facts.processingJobArn,
        processingJobName: facts.processingJobName,
        version: version.version,
        modelPackageArn: version.arn,
        monitorType: result.type,
        checks,
        ...(result.violationReport ? { report: result.violationReport } : {}),
        response: monitoring.onViolation,
        ...(holdAction ? { holdAction: holdAction.ActionName } : {}),
      },
    },
  ];
  return decided(
    {
      outcome: 'monitoring-violation',
      version: version.version,
      modelPackageArn: version.arn,
      monitorType: result.type,
      response: monitoring.onViolation,
      violations: result.violations,
      ...(result.violationReport ? { report: result.violationReport } : {}),
      rejected: rejecting,
      held: holding,
    },
    trigger,
    actions,
  );
}

/** What the served-config check says of the config the endpoint serves: ours, or not and why. */
interface Served {
  readonly ours: boolean;
  readonly detail?: string;
}

/**
 * The served-config check, on every path (also when nothing may deploy): the config an InService
 * endpoint serves is ours only when its name is one of ours for a version of the group and it is
 * what this app made for that version (ownership.ts servedConfigMismatch). Undefined: not checked
 * (no endpoint, not InService, or a shadow target's config SageMaker made for an experiment, which
 * the shadow step tells apart).
 */
function servedConfig(o: TargetObservation): Served | Need | undefined {
  const e = o.endpoint;
  if (e?.status !== 'InService') return undefined;
  const number = versionOfName(o.target.endpointName, e.configName);
  if (number === undefined) {
    if (o.target.shadow) return undefined;
    return {
      ours: false,
      detail: `the endpoint serves ${e.configName}, which is no config this app makes for a version of ${o.group.name}`,
    };
  }
  const version = o.versions.find((v) => v.version === number);
  if (o.served?.configName !== e.configName)
    return {
      kind: 'served-config',
      configName: e.configName,
      version: number,
      ...(version ? { arn: version.arn } : {}),
    };
  return o.served.mismatch ? { ours: false, detail: o.served.mismatch } : { ours: true };
}

/**
 * Drift where nothing puts it back: the plan does not update the endpoint (nothing may deploy, every
 * version is held, or the endpoint is on the desired config's name), yet it serves a config that is
 * not ours, or one this app never asked for (the governance record's last request settled
 * elsewhere, and not on the config it came from). Told every time it is found; an update puts it
 * back instead (deploy-started with `drift`), and deleting the endpoint ends it.
 */
function driftFound(o: TargetObservation, served: Served | undefined, plan: Plan): TargetOutcome | undefined {
  const e = o.endpoint;
  if (!e || plan.kind === 'update' || plan.kind === 'create' || plan.kind === 'busy') return undefined;
  if (plan.kind === 'none-approved' && plan.action === 'delete-endpoint') return undefined;
  if (plan.kind === 'needs-operator' || plan.kind === 'rolled-back') return undefined;
  let code: DriftCode;
  let reason: string;
  if (served && !served.ours) {
    code = 'served-config-not-ours';
    reason = served.detail ?? `the endpoint serves ${e.configName}, which this app did not make`;
  } else if (served && driftedTo(e)) {
    code = 'served-config-not-requested';
    reason = `the endpoint serves ${e.configName}, but the governance record says this app last asked for ${e.request?.configName} (from ${e.request?.fromConfig ?? 'no config'})`;
  } else return undefined;
  const number = versionOfName(o.target.endpointName, e.configName);
  return {
    outcome: 'drift-found',
    code,
    servingConfig: e.configName,
    reason,
    ...(number !== undefined ? { servedVersion: number } : {}),
    ...(plan.kind === 'held'
      ? { held: { version: plan.held.version.version, code: plan.held.hold.code } }
      : {}),
  };
}

const settled = (t: PlannerTrigger) => t.kind === 'endpoint' && t.settled;

function skipped(
  code: SkipCode,
  reason: string,
  version?: number,
): Extract<TargetOutcome, { outcome: 'skipped' }> {
  return { outcome: 'skipped', code, reason, ...(version !== undefined ? { version } : {}) };
}

function heldOutcome(
  version: VersionSummary,
  h: Hold,
  servingConfig: string | undefined,
  extra: { servingHeld?: { version: VersionSummary; hold: Hold }; shadowFailed?: string } = {},
): TargetOutcome {
  if (isQuietWait(h))
    return {
      outcome: 'waiting',
      code: h.code,
      version: version.version,
      reason: h.detail,
    };
  return {
    outcome: 'held',
    code: h.code,
    version: version.version,
    modelPackageArn: version.arn,
    reason: h.detail,
    ...(servingConfig ? { servingConfig } : {}),
    ...(extra.servingHeld
      ? {
          servingHeld: {
            version: extra.servingHeld.version.version,
            code: extra.servingHeld.hold.code,
            reason: extra.servingHeld.hold.detail,
          },
        }
      : {}),
    ...(extra.shadowFailed ? { shadowFailed: extra.shadowFailed } : {}),
  };
}

function fromPlan(o: TargetObservation, trigger: PlannerTrigger, plan: Plan, gates: Gated): PlannerStep {
  const { endpoint, target } = o;
  switch (plan.kind) {
    case 'held': {
      // The version the endpoint serves may be held too (its weights swapped under it): said apart.
      const served = endpoint ? versionOfName(target.endpointName, endpoint.configName) : undefined;
      const servingHeld = gates.all.find((h) => h.version.version === served);
      return decided(
        heldOutcome(plan.held.version, plan.held.hold, endpoint?.configName, {
          ...(servingHeld ? { servingHeld } : {}),
        }),
        trigger,
        plan.inSync && settled(trigger) ? [removeOld(plan.inSync)] : [],
      );
    }
    case 'busy':
      return decided(
        skipped(
          'endpoint-busy',
          `endpoint is ${plan.status}; its next state-change event reconciles it again`,
        ),
        trigger,
      );
    case 'none-approved':
      if (plan.action === 'nothing-to-serve' || !endpoint)
        return decided(skipped('nothing-to-serve', 'no approved version to deploy yet'), trigger);
      if (plan.action === 'keep-serving' && trigger.kind === 'endpoint')
        return decided(
          skipped('keep-serving', 'no approved version; keeping the endpoint as it is'),
          trigger,
        );
      return decided(
        { outcome: 'no-approved-version', action: plan.action, servingConfig: endpoint.configName },
        trigger,
        plan.action === 'delete-endpoint' ? [{ kind: 'delete-endpoint' }] : [],
      );
    case 'in-sync': {
      const { deployment } = plan;
      if (!settled(trigger))
        return decided(
          skipped('in-sync', `already serving v${deployment.version.version}`, deployment.version.version),
          trigger,
        );
      return decided(
        {
          outcome: 'deploy-completed',
          version: deployment.version.version,
          modelPackageArn: deployment.version.arn,
          configName: deployment.configName,
        },
        trigger,
        [removeOld(deployment), { kind: 'ensure-scaling' }],
      );
    }
    case 'rolled-back': {
      const { deployment, request } = plan;
      // An update that deregistered the scalable target (instance type change) and was rolled back
      // leaves the endpoint on its previous config: its scaling is restored all the same.
      const scaling: Action[] = settled(trigger) ? [{ kind: 'ensure-scaling' }] : [];
      // An operator's retry asks SageMaker for the same config again, and nothing else.
      if (trigger.kind === 'retry' && endpoint) {
        const retried = deploy(o, trigger, deployment, endpoint, gates);
        return { ...retried, actions: retried.actions.filter((a) => a.kind === 'update-endpoint') };
      }
      if (request.rollbackNotified || !endpoint?.arn)
        return decided(
          skipped(
            'rollback-notified',
            `v${deployment.version.version} was rolled back on this endpoint; not retrying it (approve a newer version, or mgov retry-deploy ${target.endpointName})`,
            deployment.version.version,
          ),
          trigger,
          scaling,
        );
      return decided(
        {
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
        },
        trigger,
        // Told once: claimed before telling (one of concurrent runs tells), recorded after it.
        [...scaling, { kind: 'claim-rollback-notice', request }],
        [{ kind: 'record-rollback-notified', endpointArn: endpoint.arn, request }],
        [{ kind: 'release-rollback-notice', request }],
      );
    }
    case 'needs-operator':
      return decided(
        {
          outcome: 'needs-operator',
          status: plan.status,
          version: plan.deployment.version.version,
          modelPackageArn: plan.deployment.version.arn,
          reason: endpoint?.failureReason ?? 'no FailureReason given',
        },
        trigger,
      );
    case 'create':
      return deploy(o, trigger, plan.deployment, undefined, gates);
    case 'update': {
      if (!target.shadow || !endpoint)
        return deploy(o, trigger, plan.deployment, endpoint, gates, plan.drift);
      return shadowStep(o, trigger, plan.deployment, endpoint, gates, plan.drift);
    }
  }
}

function removeOld(deployment: Deployment): Action {
  return { kind: 'remove-old-versions', liveConfig: deployment.configName, liveModel: deployment.modelName };
}

function deploy(
  o: TargetObservation,
  trigger: PlannerTrigger,
  deployment: Deployment,
  endpoint: ObservedEndpoint | undefined,
  gates: Gated,
  drift?: true,
  shadow?: { readonly actions: readonly Action[]; readonly passed?: ShadowVerdict },
): Decision {
  const tags = deploymentTags(o.group.name, deployment.version, o.target.endpointName);
  const fromConfig = endpoint?.configName;
  const passedOver = gates.held;
  return decided(
    {
      outcome: 'deploy-started',
      action: fromConfig === undefined ? 'create' : 'update',
      version: deployment.version.version,
      modelPackageArn: deployment.version.arn,
      configName: deployment.configName,
      ...(fromConfig ? { fromConfig } : {}),
      ...(drift ? { drift } : {}),
      ...(passedOver
        ? {
            passedOver: {
              version: passedOver.version.version,
              code: passedOver.hold.code,
              reason: passedOver.hold.detail,
            },
          }
        : {}),
      ...(shadow?.passed ? { shadowPassed: shadow.passed.summary } : {}),
    },
    trigger,
    [
      ...(shadow?.actions ?? []),
      { kind: 'ensure-model', request: modelRequest(o, deployment), tags },
      { kind: 'ensure-endpoint-config', request: endpointConfigRequest(o, deployment), tags },
      endpoint === undefined
        ? {
            kind: 'create-endpoint',
            configName: deployment.configName,
            tags: [...tags, ...requestTags(deployment.configName, undefined)],
          }
        : { kind: 'update-endpoint', configName: deployment.configName },
      ...(o.recordReadable
        ? [
            {
              kind: 'record-request' as const,
              request: {
                endpointName: o.target.endpointName,
                configName: deployment.configName,
                after: endpoint?.lastModifiedTime ?? new Date(0),
                ...(fromConfig ? { fromConfig } : {}),
                version: deployment.version.version,
                modelPackageArn: deployment.version.arn,
              },
            },
          ]
        : []),
    ],
  );
}

/** The shadow step of an update (shadow-plan.ts): start, wait, stop, measure, then deploy or hold. */
function shadowStep(
  o: TargetObservation,
  trigger: PlannerTrigger,
  deployment: Deployment,
  endpoint: ObservedEndpoint,
  gates: Gated,
  drift?: true,
): PlannerStep {
  if (!o.shadow) return { kind: 'need', need: { kind: 'shadow-facts', deployment } };
  const version = deployment.version;
  if (!o.shadowRoleArn) {
    throw new Error(
      `${o.target.endpointName} has a shadow test, but the reconciler was given no role to run it with (SHADOW_TEST_ROLE_ARN); deploy the stack again`,
    );
  }
  const step = planShadowTest({
    target: o.target,
    deployment,
    ...(o.shadow.live ? { live: o.shadow.live } : {}),
    experiments: o.shadow.experiments,
    roleArn: o.shadowRoleArn,
    now: o.now,
    ...(o.shadow.measured ? { measured: o.shadow.measured } : {}),
  });
  const held = (h: Hold, shadowFailed?: string) =>
    decided(heldOutcome(version, h, endpoint.configName, shadowFailed ? { shadowFailed } : {}), trigger);
  // The figures go on the version first (lineage), then on the experiment: a crash in between
  // measures again (the same figures) and finds the lineage action it made.
  const record = (experiment: ObservedExperiment, verdict: ShadowVerdict): Action[] =>
    o.shadow?.measured && experiment.arn
      ? [{ kind: 'record-shadow-result', deployment, experiment, verdict, figures: o.shadow.measured }]
      : [];
  switch (step.kind) {
    case 'measure':
      return {
        kind: 'need',
        need: {
          kind: 'shadow-figures',
          experiment: step.experiment,
          variants: {
            live: step.experiment.sourceVariantName ?? VARIANT_NAME,
            shadow: step.experiment.shadowVariantName ?? SHADOW_VARIANT_NAME,
          },
          window: step.window,
        },
      };
    case 'not-needed':
      // The endpoint's config was changed by this app's own shadow test (SageMaker runs an experiment
      // on a config it makes), not by someone else: no drift to report.
      return deploy(
        o,
        trigger,
        deployment,
        endpoint,
        gates,
        o.shadow.experiments.length > 0 ? undefined : drift,
      );
    case 'passed':
      // Always carried to the update: only one run's UpdateEndpoint starts (the others find the
      // endpoint busy), and it may not be the run that measured the test first.
      return deploy(o, trigger, deployment, endpoint, gates, undefined, {
        actions: record(step.experiment, step.verdict),
        passed: step.verdict,
      });
    case 'failed': {
      const failed = held({ code: 'shadow-failed', detail: step.reason }, step.verdict.summary);
      // Told once, when measured; later runs stay quiet with the same reason.
      if (step.firstSeen) return { ...failed, actions: record(step.experiment, step.verdict) };
      return decided(
        skipped('shadow-failed-notified', `v${version.version} held: ${step.reason}`, version.version),
        trigger,
      );
    }
    case 'refused':
      return held({ code: 'shadow-refused', detail: step.reason });
    case 'wait':
      return decided(
        {
          outcome: 'waiting',
          code: 'shadow-running',
          version: version.version,
          reason: `shadow test ${step.experiment.name} of v${version.version} is ${step.experiment.status}${step.experiment.end ? ` until ${step.experiment.end.toISOString()}` : ''}`,
        },
        trigger,
      );
    case 'stop':
      return decided(
        skipped(
          'shadow-stopped',
          `stopped shadow test ${step.experiment.name}: v${version.version} is newer and is tested next`,
          version.version,
        ),
        trigger,
        [{ kind: 'stop-experiment', request: step.request }],
      );
    case 'start': {
      const tags = deploymentTags(o.group.name, version, o.target.endpointName);
      return decided(
        {
          outcome: 'shadow-started',
          version: version.version,
          modelPackageArn: version.arn,
          experimentName: step.request.Name,
          endsAt: step.request.Schedule.EndTime.toISOString(),
          servingConfig: endpoint.configName,
        },
        trigger,
        [
          // The shadow variant runs the version's model: made (or found, and checked as ours) first.
          { kind: 'ensure-model', request: modelRequest(o, deployment), tags },
          { kind: 'create-experiment', request: step.request, tags },
        ],
      );
    }
  }
}

/** The outcome when an action runs into a setback: the run ends there with this outcome instead. */
export function afterSetback(decision: Decision, setback: Setback, trigger: PlannerTrigger): Decision {
  const { outcome } = decision;
  const version = 'version' in outcome ? outcome.version : undefined;
  const servingConfig =
    'servingConfig' in outcome
      ? outcome.servingConfig
      : 'fromConfig' in outcome
        ? outcome.fromConfig
        : undefined;
  let next: TargetOutcome;
  switch (setback.kind) {
    case 'name-taken':
      // Someone else's model or config under our name: never served; held and notified.
      next = {
        outcome: 'held',
        code: 'name-taken',
        version: version ?? 0,
        modelPackageArn: 'modelPackageArn' in outcome ? outcome.modelPackageArn : '',
        reason: setback.detail,
        ...(servingConfig ? { servingConfig } : {}),
      };
      break;
    case 'existed': {
      const create = decision.actions.find((a) => a.kind === 'create-experiment');
      const refused = create ? createRefused(create.request, setback.found) : undefined;
      next =
        refused?.kind === 'refused'
          ? {
              outcome: 'held',
              code: 'shadow-refused',
              version: version ?? 0,
              modelPackageArn: 'modelPackageArn' in outcome ? outcome.modelPackageArn : '',
              reason: refused.reason,
              ...(servingConfig ? { servingConfig } : {}),
            }
          : skipped(
              'shadow-started-elsewhere',
              `shadow test ${outcome.outcome === 'shadow-started' ? outcome.experimentName : ''} of v${version} was started by another run`,
              version,
            );
      break;
    }
    case 'told-elsewhere': {
      const rolledBack = outcome.outcome === 'rolled-back' ? outcome.intendedVersion : version;
      next = skipped(
        'rollback-notified',
        `v${rolledBack} was rolled back on this endpoint; another run is telling people (not retrying it)`,
        rolledBack,
      );
      break;
    }
    case 'busy':
      next =
        outcome.outcome === 'no-approved-version'
          ? skipped('endpoint-busy', 'endpoint is busy; deleting it on its next event')
          : skipped(
              'lost-race',
              'another run changed the endpoint first; its next event reconciles it again',
            );
      break;
  }
  return decided(next, trigger);
}
