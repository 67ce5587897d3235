import { createHash } from 'node:crypto';
import { type ApprovalStatus, isApprovalStatus } from './model-version';

/**
 * What the project records in SageMaker ML Lineage Tracking, decided here (pure); the adapters
 * only look up and write. Within the service's limits on manually created entities: one action per
 * approval change and per deployment, never a context per version; SageMaker's own model package
 * artifacts and endpoint contexts are reused and created only when missing.
 */

export const APPROVAL_ACTION_TYPE = 'ModelApproval';
/** Not SageMaker's own `ModelDeployment`, so the two never mix when reading the latest one back. */
export const DEPLOYMENT_ACTION_TYPE = 'GovernedDeployment';

const hash = (...parts: readonly unknown[]) =>
  createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);

export interface ApprovalFacts {
  readonly modelPackageArn: string;
  readonly groupName: string;
  readonly version: number;
  readonly status: ApprovalStatus;
  readonly previousStatus?: ApprovalStatus;
  readonly approvedBy?: string;
  readonly description?: string;
  /** When the registry says the change was made (LastModifiedTime), ISO 8601. */
  readonly at: string;
  /** For a change that set the ModelLifeCycle stage: the stage (`<Stage>/<StageStatus>`). */
  readonly stage?: string;
}

/**
 * One action per approval change: its name is derived from the version, the status and the time
 * of the change, so a redelivered event finds the action it already made.
 */
export function approvalAction(f: ApprovalFacts) {
  return {
    ActionName: `approval-${f.stage ? hash(f.modelPackageArn, f.status, f.at, f.stage) : hash(f.modelPackageArn, f.status, f.at)}`,
    ActionType: APPROVAL_ACTION_TYPE,
    Source: { SourceUri: f.modelPackageArn, SourceType: 'ModelPackage' },
    Status: 'Completed' as const,
    Description:
      `${f.groupName} v${f.version} ${f.status}${f.stage ? `, stage ${f.stage},` : ''}${f.approvedBy ? ` by ${f.approvedBy}` : ''}`.slice(
        0,
        3072,
      ),
    Properties: compactStrings({
      status: f.status,
      stage: f.stage,
      previousStatus: f.previousStatus,
      approvedBy: f.approvedBy,
      reason: f.description,
      at: f.at,
      group: f.groupName,
      version: String(f.version),
      modelPackageArn: f.modelPackageArn,
    }),
  };
}

export type DeploymentKind = 'deployment' | 'rollback' | 'rolled-back';

/**
 * How a version went live, as recorded: the target's strategy, except on an endpoint with no
 * deployment recorded before, which CreateEndpoint brought up with no traffic to shift.
 */
export function deploymentStrategy(previousVersion: number | undefined, configured: string): string {
  return previousVersion === undefined ? 'new endpoint' : configured;
}

export interface DeploymentFacts {
  readonly endpointName: string;
  readonly endpointArn: string;
  readonly configName: string;
  readonly modelPackageArn: string;
  readonly groupName: string;
  readonly version: number;
  readonly strategy: string;
  readonly kind: DeploymentKind;
  /** The endpoint's LastModifiedTime when it settled, ISO 8601: one deployment per settle. */
  readonly at: string;
  readonly failureReason?: string;
  readonly previousVersion?: number;
}

export function deploymentAction(f: DeploymentFacts) {
  const what =
    f.kind === 'rolled-back'
      ? `rolled back: v${f.version} did not go live on ${f.endpointName}`
      : f.kind === 'rollback'
        ? `${f.endpointName} rolled back to v${f.version}${f.previousVersion ? ` from v${f.previousVersion}` : ''}`
        : `${f.endpointName} serves v${f.version}`;
  return {
    // Identity: the endpoint settling on a config at a time. Not the kind, which depends on what was
    // recorded before (a redelivered event must find this action, not classify afresh).
    ActionName: `deploy-${hash(f.endpointArn, f.configName, f.at)}`,
    ActionType: DEPLOYMENT_ACTION_TYPE,
    Source: { SourceUri: f.endpointArn, SourceType: 'Endpoint' },
    Status: f.kind === 'rolled-back' ? ('Failed' as const) : ('Completed' as const),
    Description: `${f.groupName}: ${what}`.slice(0, 3072),
    Properties: compactStrings({
      kind: f.kind,
      endpoint: f.endpointName,
      endpointConfig: f.configName,
      strategy: f.strategy,
      version: String(f.version),
      previousVersion: f.previousVersion === undefined ? undefined : String(f.previousVersion),
      group: f.groupName,
      modelPackageArn: f.modelPackageArn,
      failureReason: f.failureReason,
      at: f.at,
    }),
  };
}

/**
 * What an endpoint settling on a version means, given the version last recorded on it: settling
 * after SageMaker rolled the requested deployment back on its own (`rolledBack`: the endpoint
 * settled on another config than requested, endpoint-plan's rolledBackFrom; FailureReason may be
 * empty) is 'rolled-back'; an older version is a rollback; anything else a deployment.
 */
export function classifyDeployment(
  version: number,
  previousVersion: number | undefined,
  rolledBack = false,
): DeploymentKind {
  if (rolledBack) return 'rolled-back';
  return previousVersion !== undefined && version < previousVersion ? 'rollback' : 'deployment';
}

/** What the event reported about an approval change. */
export interface ReportedChange {
  readonly status?: ApprovalStatus;
  readonly at?: string;
  readonly by?: string;
  readonly description?: string;
}

/** What the registry shows now. */
export interface RegistryNow {
  readonly status: ApprovalStatus;
  readonly lastModifiedAt?: string;
  readonly createdAt: string;
  readonly lastModifiedBy?: string;
  readonly createdBy?: string;
  readonly description?: string;
}

/**
 * The facts of one approval change. An approval record is history: the event's word wins, and the
 * registry fills only what the event lacks, and then only while the registry still shows this very
 * change (else a later change's approver would be credited with this one). The previous status is
 * the last recorded one when that was recorded for an earlier time (not this change redelivered,
 * nor a later change recorded first).
 */
export function approvalChange(
  reported: ReportedChange,
  registry: RegistryNow,
  lastRecorded: { readonly status?: string; readonly at?: string } | undefined,
): {
  status: ApprovalStatus;
  at: string;
  approvedBy?: string;
  description?: string;
  previousStatus?: ApprovalStatus;
} {
  const status = reported.status ?? registry.status;
  const at = reported.at ?? registry.lastModifiedAt ?? registry.createdAt;
  const stillThisChange = registry.status === status && (!reported.at || registry.lastModifiedAt === at);
  const previous = lastRecorded?.status;
  return {
    status,
    at,
    // The registry (DescribeModelPackage) wins while it still describes this change: the documented
    // event carries no identity or reason. A late event, whose change the registry no longer
    // shows, has only what it carries itself, if anything; but a registration's author is always
    // the registry's CreatedBy.
    approvedBy: stillThisChange
      ? (registry.lastModifiedBy ?? registry.createdBy ?? reported.by)
      : sameInstant(at, registry.createdAt)
        ? (registry.createdBy ?? reported.by)
        : reported.by,
    description: stillThisChange ? (registry.description ?? reported.description) : reported.description,
    // Only a change recorded before this one is its predecessor: a late event (a registration
    // delivered after the approval) has none that we know of.
    previousStatus:
      isApprovalStatus(previous) && lastRecorded?.at !== undefined && lastRecorded.at < at
        ? previous
        : undefined,
  };
}

/** The same time, give or take the millisecond that epoch-seconds floats lose in transit. */
function sameInstant(a: string, b: string): boolean {
  return Math.abs(Date.parse(a) - Date.parse(b)) <= 1;
}

/** Lineage properties are strings of at most 2,500 characters, 30 of them. */
function compactStrings(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(o)
      .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '')
      .map(([k, v]) => [k, v.slice(0, 2500)]),
  );
}

/** Shadow tests: one action per experiment judged, on the version it tested. */
export const SHADOW_TEST_ACTION_TYPE = 'GovernedShadowTest';

export interface ShadowTestFacts {
  readonly experimentName: string;
  readonly experimentArn: string;
  readonly modelPackageArn: string;
  readonly groupName: string;
  readonly version: number;
  readonly endpointName: string;
  readonly passed: boolean;
  /** The measured figures, one line (shadow-verdict.ts figuresSummary). */
  readonly figures: string;
  /** Why it failed, when it did. */
  readonly failures: readonly string[];
  readonly windowStart: string;
  readonly windowEnd: string;
}

/**
 * The shadow test's result on the version: passed or failed, the figures, the window. Named after
 * the experiment (deterministic), so a rerun finds the action instead of adding another.
 */
export function shadowTestAction(f: ShadowTestFacts) {
  return {
    ActionName: `shadow-${hash(f.experimentArn)}`,
    ActionType: SHADOW_TEST_ACTION_TYPE,
    Source: { SourceUri: f.experimentArn, SourceType: 'InferenceExperiment' },
    Status: f.passed ? ('Completed' as const) : ('Failed' as const),
    Description:
      `${f.groupName} v${f.version} shadow test on ${f.endpointName} ${f.passed ? 'passed' : 'failed'}: ${f.figures}`.slice(
        0,
        3072,
      ),
    Properties: compactStrings({
      result: f.passed ? 'passed' : 'failed',
      figures: f.figures,
      failures: f.failures.length > 0 ? f.failures.join('; ') : undefined,
      windowStart: f.windowStart,
      windowEnd: f.windowEnd,
      experiment: f.experimentName,
      endpoint: f.endpointName,
      group: f.groupName,
      version: String(f.version),
      modelPackageArn: f.modelPackageArn,
    }),
  };
}

/** Lineage action type of a monitoring execution that found violations on a version. */
export const MONITORING_VIOLATION_ACTION_TYPE = 'GovernedMonitoringViolation';

export interface MonitoringViolationFacts {
  readonly processingJobArn: string;
  readonly processingJobName: string;
  readonly scheduleName: string;
  readonly monitorType: string;
  readonly modelPackageArn: string;
  readonly groupName: string;
  readonly version: number;
  readonly endpointName: string;
  readonly checks: readonly string[];
  readonly report?: string;
  readonly response: string;
}

/** The name of an execution's violation action: a replayed event finds it by this name. */
export function monitoringViolationActionName(processingJobArn: string): string {
  return `monitoring-${hash(processingJobArn)}`;
}

/** One action per execution (named after its processing job): a replayed event finds it. */
export function monitoringViolationAction(f: MonitoringViolationFacts) {
  return {
    ActionName: monitoringViolationActionName(f.processingJobArn),
    ActionType: MONITORING_VIOLATION_ACTION_TYPE,
    Source: { SourceUri: f.processingJobArn, SourceType: 'ProcessingJob' },
    Status: 'Failed' as const,
    Description:
      `${f.groupName} v${f.version} on ${f.endpointName}: ${f.monitorType} monitoring found ${f.checks.length} violation(s)`.slice(
        0,
        3072,
      ),
    Properties: compactStrings({
      result: 'violations',
      monitorType: f.monitorType,
      checks: f.checks.join('; ').slice(0, 256),
      report: f.report,
      schedule: f.scheduleName,
      processingJob: f.processingJobName,
      onViolation: f.response,
      endpoint: f.endpointName,
      group: f.groupName,
      version: String(f.version),
      modelPackageArn: f.modelPackageArn,
    }),
  };
}

/**
 * A target's violation hold (onViolation: hold): recorded by the reconciler on the target's endpoint
 * name, next to the violation on the version, and in force until a person clears it with
 * `mgov clear-violation` (violationClearAction). Both are read by the target's name
 * (adapters/monitoring.ts readViolationHolds); who can write them: docs/monitoring.md.
 */
export const VIOLATION_HOLD_ACTION_TYPE = 'GovernedViolationHold';
/** A person's clearing of a target's violation hold, recorded by mgov. */
export const VIOLATION_CLEAR_ACTION_TYPE = 'GovernedViolationCleared';

export function violationHoldAction(
  f: Pick<
    MonitoringViolationFacts,
    'processingJobArn' | 'processingJobName' | 'monitorType' | 'groupName' | 'version' | 'endpointName'
  >,
) {
  return {
    ActionName: `violation-hold-${hash(f.endpointName, f.processingJobArn)}`,
    ActionType: VIOLATION_HOLD_ACTION_TYPE,
    Source: { SourceUri: f.endpointName, SourceType: 'EndpointName' },
    Status: 'InProgress' as const,
    Description:
      `${f.groupName} on ${f.endpointName}: versions newer than v${f.version} are held until a person runs mgov clear-violation ${f.endpointName}`.slice(
        0,
        3072,
      ),
    Properties: compactStrings({
      endpoint: f.endpointName,
      group: f.groupName,
      version: String(f.version),
      monitorType: f.monitorType,
      processingJob: f.processingJobName,
    }),
  };
}

export interface ViolationClearFacts {
  readonly endpointName: string;
  /** The hold action cleared (its name). */
  readonly holdAction: string;
  /** Why the person clears it, in their words. */
  readonly reason: string;
  /** When mgov recorded it (ISO 8601): each clear is its own action. */
  readonly at: string;
}

/** A person's clear of a violation hold; SageMaker records who created it (CreatedBy). */
export function violationClearAction(f: ViolationClearFacts) {
  return {
    ActionName: `violation-cleared-${hash(f.endpointName, f.holdAction, f.at)}`,
    ActionType: VIOLATION_CLEAR_ACTION_TYPE,
    Source: { SourceUri: f.endpointName, SourceType: 'EndpointName' },
    Status: 'Completed' as const,
    Description: `violation hold on ${f.endpointName} cleared: ${f.reason}`.slice(0, 3072),
    Properties: compactStrings({ endpoint: f.endpointName, hold: f.holdAction, reason: f.reason }),
  };
}

/** A reconciler run that failed on a target (and that Lambda retries, then dead-letters). */
export const RECONCILE_FAILURE_ACTION_TYPE = 'GovernedReconcileFailure';

export interface ReconcileFailureFacts {
  readonly endpointName: string;
  readonly groupName: string;
  /** The event the run was for (EventBridge's id): its retries record one failure, a new event another. */
  readonly eventId: string;
  readonly errorName: string;
  readonly errorMessage: string;
  /** When the run failed, ISO 8601. */
  readonly at: string;
}

/**
 * The reconciler's failure on a target, where `mgov status` and `mgov approve --wait` find it by
 * the target's endpoint name: the endpoint itself may never have been created (a request SageMaker
 * refuses), so the action's source is the name, not an ARN. Named after the event and the error, so
 * the retries of one event that fail the same way keep the first failure's time.
 */
export function reconcileFailureAction(f: ReconcileFailureFacts) {
  return {
    ActionName: `reconcile-failed-${hash(f.endpointName, f.eventId, f.errorName, f.errorMessage)}`,
    ActionType: RECONCILE_FAILURE_ACTION_TYPE,
    Source: { SourceUri: f.endpointName, SourceType: 'EndpointName' },
    Status: 'Failed' as const,
    Description:
      `${f.groupName}: reconciling ${f.endpointName} failed: ${f.errorName}: ${f.errorMessage}`.slice(
        0,
        3072,
      ),
    Properties: compactStrings({
      endpoint: f.endpointName,
      group: f.groupName,
      event: f.eventId,
      error: `${f.errorName}: ${f.errorMessage}`,
      at: f.at,
    }),
  };
}
