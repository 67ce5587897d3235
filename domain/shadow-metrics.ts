/**
 * The CloudWatch side of a shadow test: the GetMetricData request for the test window and the
 * figures read from its answer. Pure.
 */
import type { ShadowFigures, VariantFigures } from './shadow-verdict';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * The step GetMetricData's Period must be a multiple of, and StartTime is rounded down to, for a
 * window that starts this long before CloudWatch answers: 1 minute when StartTime is under 15 days
 * back, 5 minutes from 15 to 63 days, 1 hour beyond; a Period off that step returns no data points
 * (CloudWatch API reference, GetMetricData StartTime and MetricStat Period). The query is made a
 * little after `now` is read, so a window within an hour of a boundary takes the coarser step
 * (a multiple of it is valid on both sides).
 */
export function metricStepMs(start: Date, now: Date): number {
  const age = now.getTime() - start.getTime() + 60 * MINUTE_MS;
  if (age > 63 * DAY_MS) return 60 * MINUTE_MS;
  if (age > 15 * DAY_MS) return 5 * MINUTE_MS;
  return MINUTE_MS;
}

/**
 * CloudWatch GetMetricData for the window: per variant, AWS/SageMaker ModelLatency p99 (reported in
 * microseconds), Invocations and Invocation5XXErrors summed, with the dimensions EndpointName and
 * VariantName (SageMaker developer guide, "Amazon SageMaker AI metrics in Amazon CloudWatch"). One
 * period spans the whole window, its start rounded down and its end up to the step CloudWatch
 * keeps the data at by then (metricStepMs), so the p99 is the window's. The age is taken from the
 * later of `now` and the window's end: CloudWatch answers after the test ended, whatever the
 * caller's clock says.
 */
export function shadowMetricQueries(
  endpointName: string,
  variants: { readonly live: string; readonly shadow: string },
  window: { readonly start: Date; readonly end: Date },
  now: Date,
) {
  const step = metricStepMs(window.start, new Date(Math.max(now.getTime(), window.end.getTime())));
  const start = new Date(Math.floor(window.start.getTime() / step) * step);
  const end = new Date(Math.max(start.getTime() + step, Math.ceil(window.end.getTime() / step) * step));
  const seconds = (end.getTime() - start.getTime()) / 1000;
  const query = (id: string, variant: string, metric: string, stat: string) => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/SageMaker',
        MetricName: metric,
        Dimensions: [
          { Name: 'EndpointName', Value: endpointName },
          { Name: 'VariantName', Value: variant },
        ],
      },
      Period: seconds,
      Stat: stat,
    },
    ReturnData: true,
  });
  return {
    StartTime: start,
    EndTime: new Date(start.getTime() + seconds * 1000),
    ScanBy: 'TimestampAscending' as const,
    MetricDataQueries: [
      query('liveLatency', variants.live, 'ModelLatency', 'p99'),
      query('liveInvocations', variants.live, 'Invocations', 'Sum'),
      query('live5xx', variants.live, 'Invocation5XXErrors', 'Sum'),
      query('shadowLatency', variants.shadow, 'ModelLatency', 'p99'),
      query('shadowInvocations', variants.shadow, 'Invocations', 'Sum'),
      query('shadow5xx', variants.shadow, 'Invocation5XXErrors', 'Sum'),
    ],
  };
}

/**
 * The figures from GetMetricData's MetricDataResults: counts summed over the datapoints, the p99 the
 * highest one (one datapoint when the period spans the window; with more, the highest bounds the
 * window's p99 from above), microseconds to milliseconds.
 */
export function figuresFromMetricData(
  results: readonly { readonly Id?: string; readonly Values?: readonly number[] }[],
  window: { readonly start: Date; readonly end: Date },
): ShadowFigures {
  const values = (id: string) => results.find((r) => r.Id === id)?.Values ?? [];
  const sum = (id: string) => values(id).reduce((a, b) => a + b, 0);
  const p99 = (id: string) => (values(id).length > 0 ? Math.max(...values(id)) / 1000 : undefined);
  const variant = (prefix: 'live' | 'shadow'): VariantFigures => {
    const latency = p99(`${prefix}Latency`);
    return {
      invocations: sum(`${prefix}Invocations`),
      errors5xx: sum(`${prefix}5xx`),
      ...(latency !== undefined ? { latencyP99Ms: latency } : {}),
    };
  };
  return { live: variant('live'), shadow: variant('shadow'), start: window.start, end: window.end };
}
