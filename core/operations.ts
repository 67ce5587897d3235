/**
 * The governance flow's CloudWatch metrics: names, units and dimensions, shared by the handlers that
 * emit them (handlers/runtime/metrics.ts, as EMF) and the constructs that chart and alarm on them
 * (constructs/operations.ts). One place, so a renamed metric cannot leave an alarm watching nothing.
 *
 * Every metric carries the `Stack` dimension (the stack's name), so a stack's dashboard and alarms see
 * only its own handlers; the other dimensions are low-cardinality (group, endpoint, outcome, reason).
 * Each metric is emitted under a stack-wide dimension set too ({Stack} or {Stack, Outcome}/{Stack,
 * Reason}): CloudWatch alarms need an exact dimension set, and these are the ones they watch.
 */
export const METRICS_NAMESPACE = 'ModelGovernance';

/** The handler's Powertools service name: its log lines' `service` and its metrics' `service` dimension. */
export function serviceNameOf(handlerName: string): string {
  return `model-governance-${handlerName}`;
}

/** Environment variable carrying the stack's name into the handlers (the `Stack` dimension). */
export const METRICS_STACK_ENV = 'GOVERNANCE_STACK_NAME';

export const METRIC = {
  deploymentStarted: 'DeploymentStarted',
  deploymentCompleted: 'DeploymentCompleted',
  deploymentRolledBack: 'DeploymentRolledBack',
  deploymentHeld: 'DeploymentHeld',
  approvalToServing: 'ApprovalToServingSeconds',
  approvalRecorded: 'ApprovalRecorded',
  gateDecision: 'GateDecision',
  selfApprovalReverted: 'SelfApprovalReverted',
  /** An approval reverted for another reason: who made it cannot be read, or the content was rewritten. */
  approvalReverted: 'ApprovalReverted',
  cardWritten: 'CardWritten',
  eventIgnored: 'EventIgnored',
  /** A monitoring execution of a governed endpoint ended (each execution once; a replayed event is not counted). */
  monitoringExecution: 'MonitoringExecutions',
  /** A monitoring execution found violations on the version an endpoint serves. */
  monitoringViolation: 'MonitoringViolations',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/**
 * Why an event was ignored, as a metric dimension (the free-text reason stays in the log line).
 * `unrecognised-event` is the format-drift signal: the event matched our rule but not the shape we
 * parse, so audit and deployments silently stop; the alarm watches it. The others are routine.
 */
export const IGNORED_REASONS = ['unrecognised-event', 'not-governed', 'not-applicable', 'gone'] as const;
export type IgnoredReason = (typeof IGNORED_REASONS)[number];

/** The quality gate's own words (domain/quality-gate.ts): undetermined is the "undecided". */
export const GATE_OUTCOMES = ['passed', 'failed', 'undetermined'] as const;
export type GateOutcome = (typeof GATE_OUTCOMES)[number];

/** Alarm thresholds that are not configured (the approval-to-serving objective is: slo.approvalToServingMinutes). */
export const ALARM_THRESHOLDS = {
  /** Unrecognised events in 5 minutes: one already means the rule and the parser disagree. */
  unrecognisedEvents: 1,
  /** Rolled-back deployments in 5 minutes: any. */
  rollbacks: 1,
  /** Handler errors (after which Lambda retries, then dead-letters) in 5 minutes, per handler. */
  handlerErrors: 1,
  /** Throttled invocations in 5 minutes, per handler. */
  handlerThrottles: 1,
  /** Monitoring executions with violations in 5 minutes: any. */
  monitoringViolations: 1,
} as const;

/** @default objective for approval to serving, when the config sets none. */
export const DEFAULT_APPROVAL_TO_SERVING_MINUTES = 60;
