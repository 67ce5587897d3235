import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  type GateOutcome,
  type IgnoredReason,
  METRIC,
  METRICS_NAMESPACE,
  METRICS_STACK_ENV,
  type MetricName,
} from '../../core/operations';

/**
 * The handlers' CloudWatch metrics, as Embedded Metric Format lines on stdout (Powertools Metrics):
 * Lambda ships them to CloudWatch Logs, which extracts the metrics; no PutMetricData call, no IAM.
 * Each metric is written at once (singleMetric) with its own dimension sets, so a failed invocation
 * still reports what it did before failing. Names and dimensions: core/operations.ts.
 */
const stack = process.env[METRICS_STACK_ENV] || 'local';

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/**
 * Writes one metric at once under two dimension sets: `base` (with Powertools' `service`, which
 * names the handler, and `Stack`), which the alarms and the dashboard watch, and `base` + `detail`,
 * for a look at one group or endpoint.
 */
function emit(
  name: MetricName,
  unit: Unit,
  value: number,
  base: Record<string, string>,
  detail?: Record<string, string>,
): void {
  const single = new Metrics({
    namespace: METRICS_NAMESPACE,
    singleMetric: true,
    defaultDimensions: { Stack: stack, ...base },
  });
  single.addDimensions({});
  if (detail) single.addDimensions(detail);
  single.addMetric(name, unit, value);
}

type DeploymentMetric =
  | 'deploymentStarted'
  | 'deploymentCompleted'
  | 'deploymentRolledBack'
  | 'deploymentHeld';

export function countDeployment(which: DeploymentMetric, group: string, endpoint: string): void {
  emit(METRIC[which], MetricUnit.Count, 1, {}, { Group: group, Endpoint: endpoint });
}

export function recordApprovalToServing(seconds: number, group: string, endpoint: string): void {
  emit(METRIC.approvalToServing, MetricUnit.Seconds, seconds, {}, { Group: group, Endpoint: endpoint });
}

/** One monitoring execution of a target ended; `violated`: it found violations. */
export function countMonitoringExecution(violated: boolean, group: string, endpoint: string): void {
  emit(METRIC.monitoringExecution, MetricUnit.Count, 1, {}, { Group: group, Endpoint: endpoint });
  if (violated)
    emit(METRIC.monitoringViolation, MetricUnit.Count, 1, {}, { Group: group, Endpoint: endpoint });
}

export function countApproval(group: string): void {
  emit(METRIC.approvalRecorded, MetricUnit.Count, 1, {}, { Group: group });
}

export function countGateDecision(outcome: GateOutcome, group: string): void {
  emit(METRIC.gateDecision, MetricUnit.Count, 1, { Outcome: outcome }, { Group: group });
}

export function countSelfApprovalReverted(group: string): void {
  emit(METRIC.selfApprovalReverted, MetricUnit.Count, 1, {}, { Group: group });
}

export function countApprovalReverted(group: string): void {
  emit(METRIC.approvalReverted, MetricUnit.Count, 1, {}, { Group: group });
}

export function countCardWritten(group: string): void {
  emit(METRIC.cardWritten, MetricUnit.Count, 1, {}, { Group: group });
}

/** Per handler already: Powertools' `service` dimension is the handler's service name. */
export function countIgnored(reason: IgnoredReason): void {
  emit(METRIC.eventIgnored, MetricUnit.Count, 1, { Reason: reason });
}
