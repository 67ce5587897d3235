/**
 * Quality gates: a version's evaluation metrics (as the model card translates them) checked against
 * the group's thresholds. Pure.
 *
 * Three outcomes, and the registry action each leads to:
 * - failed: at least one threshold is measured and not met → the version is Rejected, with every
 *   failed threshold and its measured value in the ApprovalDescription;
 * - undetermined: nothing failed, but a threshold could not be evaluated (metric missing, metrics file
 *   unreadable, live version's metrics unreadable) → left PendingManualApproval with a note; never approved;
 * - passed: every threshold met → stays pending for a person, or is approved where configured.
 */
import type { MetricThreshold, QualityGate } from '../core/config/types';
import { versionOfName } from '../core/naming';
import type { MetricGroup } from './metrics';

/** What could be read of one version's metrics. */
export interface VersionMetrics {
  readonly version: number;
  /** Every translated metric group of every readable metrics file. */
  readonly groups: readonly MetricGroup[];
  /** Metrics files that could not be read or translated, described for a person. */
  readonly unreadable: readonly string[];
}

export type CheckOutcome = 'met' | 'not-met' | 'undetermined';

export interface CheckResult {
  readonly threshold: string;
  readonly outcome: CheckOutcome;
  readonly measured?: number;
  readonly live?: number;
  /** Why a check is undetermined, or what it compared. */
  readonly note: string;
}

export type GateOutcome = 'passed' | 'failed' | 'undetermined';

export interface GateDecision {
  readonly outcome: GateOutcome;
  readonly checks: readonly CheckResult[];
  /** One line for the ApprovalDescription (at most 1,024 characters). */
  readonly summary: string;
}

/** The version the live endpoint serves, when there is one. */
export type LiveVersion =
  | { readonly kind: 'none'; readonly reason: string }
  | { readonly kind: 'version'; readonly metrics: VersionMetrics };

export const APPROVAL_DESCRIPTION_LIMIT = 1024;

/** Which version the live endpoint serves, as far as a comparison goes. */
export type LiveLookup =
  | { readonly kind: 'none'; readonly reason: string }
  | { readonly kind: 'version'; readonly version: number; readonly arn: string };

/**
 * The version to compare `candidate` with: the one the endpoint serves, known by the versioned
 * config name the reconciler gave it; nothing when there is no endpoint, when it serves a config
 * this app did not make, or when it serves the candidate itself.
 */
export function liveVersionServed(
  endpointName: string | undefined,
  endpoint: { readonly configName: string } | undefined,
  candidate: { readonly arn: string; readonly version: number },
): LiveLookup {
  if (!endpointName) return { kind: 'none', reason: 'the group has no deployment target' };
  if (!endpoint) return { kind: 'none', reason: `endpoint ${endpointName} does not exist yet` };
  const live = versionOfName(endpointName, endpoint.configName);
  if (live === undefined) {
    return {
      kind: 'none',
      reason: `endpoint ${endpointName} serves ${endpoint.configName}, which this app did not make`,
    };
  }
  if (live === candidate.version)
    return { kind: 'none', reason: `endpoint ${endpointName} already serves this version` };
  // Versions of a group differ only in the last part of their ARN: model-package/<group>/<version>.
  return { kind: 'version', version: live, arn: candidate.arn.replace(/\/\d+$/, `/${live}`) };
}

export function describeThreshold(t: MetricThreshold): string {
  const name = t.group ? `${t.group} / ${t.metric}` : t.metric;
  switch (t.rule.kind) {
    case 'at-most':
      return `${name} <= ${t.rule.value}`;
    case 'at-least':
      return `${name} >= ${t.rule.value}`;
    case 'abs-at-most':
      return `|${name}| <= ${t.rule.value}`;
    case 'not-worse-than-live':
      return t.rule.better === 'lower'
        ? `${name} <= live + ${t.rule.margin}`
        : `${name} >= live - ${t.rule.margin}`;
  }
}

type Lookup = { ok: true; value: number } | { ok: false; reason: string };

/**
 * A numeric metric by name (and group, when given). A name found in several groups with different
 * values is ambiguous: the threshold must name its group.
 */
export function findMetric(metrics: VersionMetrics, metric: string, group?: string): Lookup {
  const found: { group: string; value: number }[] = [];
  for (const g of metrics.groups) {
    if (group !== undefined && g.name !== group) continue;
    for (const d of g.metric_data) {
      if (d.name === metric && d.type === 'number') found.push({ group: g.name, value: d.value });
    }
  }
  const values = [...new Set(found.map((f) => f.value))];
  if (values.length === 1) return { ok: true, value: values[0] as number };
  if (values.length > 1) {
    return {
      ok: false,
      reason: `"${metric}" appears in ${found.map((f) => `"${f.group}"`).join(', ')} with different values; name its "group" in the threshold`,
    };
  }
  const where = group === undefined ? '' : ` in group "${group}"`;
  const unreadable = metrics.unreadable.length > 0 ? `; unreadable: ${metrics.unreadable.join('; ')}` : '';
  const none = metrics.groups.length === 0 ? ' (no readable metrics registered)' : '';
  return {
    ok: false,
    reason: `no numeric metric "${metric}"${where} in v${metrics.version}'s metrics${none}${unreadable}`,
  };
}

export function checkThreshold(t: MetricThreshold, current: VersionMetrics, live: LiveVersion): CheckResult {
  const threshold = describeThreshold(t);
  const measured = findMetric(current, t.metric, t.group);
  if (!measured.ok) return { threshold, outcome: 'undetermined', note: measured.reason };
  const m = measured.value;
  const rule = t.rule;
  switch (rule.kind) {
    case 'at-most':
      return result(threshold, m <= rule.value, m, `${fmt(m)} ${m <= rule.value ? '<=' : '>'} ${rule.value}`);
    case 'at-least':
      return result(threshold, m >= rule.value, m, `${fmt(m)} ${m >= rule.value ? '>=' : '<'} ${rule.value}`);
    case 'abs-at-most': {
      const ok = Math.abs(m) <= rule.value;
      return result(threshold, ok, m, `|${fmt(m)}| ${ok ? '<=' : '>'} ${rule.value}`);
    }
    case 'not-worse-than-live': {
      if (live.kind === 'none') {
        return { threshold, outcome: 'met', measured: m, note: `nothing to compare with: ${live.reason}` };
      }
      const liveValue = findMetric(live.metrics, t.metric, t.group);
      if (!liveValue.ok) {
        return {
          threshold,
          outcome: 'undetermined',
          measured: m,
          note: `live v${live.metrics.version}: ${liveValue.reason}`,
        };
      }
      const l = liveValue.value;
      const ok = rule.better === 'lower' ? m <= l + rule.margin : m >= l - rule.margin;
      const bound = rule.better === 'lower' ? l + rule.margin : l - rule.margin;
      const op = rule.better === 'lower' ? (ok ? '<=' : '>') : ok ? '>=' : '<';
      return {
        threshold,
        outcome: ok ? 'met' : 'not-met',
        measured: m,
        live: l,
        note: `${fmt(m)} ${op} ${fmt(bound)} (live v${live.metrics.version}: ${fmt(l)})`,
      };
    }
  }
}

export function evaluateGate(gate: QualityGate, current: VersionMetrics, live: LiveVersion): GateDecision {
  const checks = gate.thresholds.map((t) => checkThreshold(t, current, live));
  const failed = checks.filter((c) => c.outcome === 'not-met');
  const undetermined = checks.filter((c) => c.outcome === 'undetermined');
  const outcome: GateOutcome =
    failed.length > 0 ? 'failed' : undetermined.length > 0 ? 'undetermined' : 'passed';
  const list = (cs: readonly CheckResult[]) => cs.map((c) => `${c.threshold}: ${c.note}`).join('; ');
  const summary =
    outcome === 'failed'
      ? `Quality gate failed: ${list(failed)}`
      : outcome === 'undetermined'
        ? `Quality gate could not decide, so a person must review: ${list(undetermined)}`
        : `Quality gate passed: ${list(checks)}`;
  return { outcome, checks, summary: truncate(summary, APPROVAL_DESCRIPTION_LIMIT) };
}

/** Shortens to `limit` characters, saying so. */
export function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const marker = ' … (cut; full list in the audit log)';
  return text.slice(0, limit - marker.length) + marker;
}

function result(threshold: string, ok: boolean, measured: number, note: string): CheckResult {
  return { threshold, outcome: ok ? 'met' : 'not-met', measured, note };
}

/** Numbers as a person reads them: at most 6 significant digits. */
export function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}
