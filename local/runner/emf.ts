/**
 * Reads CloudWatch Embedded Metric Format lines (what Powertools Metrics writes on a handler's stdout)
 * as CloudWatch would, so that local mode can show each metric as a readable line. Pure.
 * Format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export interface MetricRecord {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  /** The most detailed dimension set the line declares (the others are its roll-ups). */
  readonly dimensions: Readonly<Record<string, string>>;
}

interface Directive {
  Namespace?: unknown;
  Dimensions?: unknown;
  Metrics?: { Name?: unknown; Unit?: unknown }[];
}

/** The metrics of one log line; [] for a line that is not EMF. */
export function readEmf(line: Record<string, unknown>): MetricRecord[] {
  const aws = line._aws as { CloudWatchMetrics?: Directive[] } | undefined;
  if (!aws || !Array.isArray(aws.CloudWatchMetrics)) return [];
  return aws.CloudWatchMetrics.flatMap((d) => {
    const sets = Array.isArray(d.Dimensions) ? (d.Dimensions as string[][]) : [];
    const widest = sets.reduce<string[]>((a, b) => (b.length > a.length ? b : a), []);
    const dimensions = Object.fromEntries(widest.map((k) => [k, String(line[k])]));
    return (d.Metrics ?? []).flatMap((m) => {
      const name = String(m.Name);
      const value = line[name];
      if (typeof value !== 'number') return [];
      return [{ namespace: String(d.Namespace), name, unit: String(m.Unit ?? 'None'), value, dimensions }];
    });
  });
}

/** "ApprovalToServingSeconds 42.5 Seconds (Group=churn, Endpoint=churn-prod)": service and Stack left out (local mode has one of each per handler). */
export function describeMetric(m: MetricRecord): string {
  const dims = Object.entries(m.dimensions)
    .filter(([k]) => k !== 'service' && k !== 'Stack')
    .map(([k, v]) => `${k}=${v}`);
  return `${m.name} ${Number.isInteger(m.value) ? m.value : m.value.toFixed(1)} ${m.unit}${dims.length ? ` (${dims.join(', ')})` : ''}`;
}
