/**
 * A completed shadow test's verdict: the figures both variants produced over the test window, and
 * whether the new version did well enough against the live one to be promoted. Pure.
 */
import type { ShadowTest } from '../core/config/types';

/** One variant's figures over the test window (AWS/SageMaker metrics). */
export interface VariantFigures {
  readonly invocations: number;
  readonly errors5xx: number;
  /** p99 ModelLatency in milliseconds; undefined when no latency was recorded. */
  readonly latencyP99Ms?: number;
}

export interface ShadowFigures {
  readonly live: VariantFigures;
  readonly shadow: VariantFigures;
  readonly start: Date;
  readonly end: Date;
}

export interface ShadowVerdict {
  readonly passed: boolean;
  /** Why it failed, one sentence per failed check (empty when it passed). */
  readonly failures: readonly string[];
  /** The figures, readable: what notifications, lineage and `mgov status` show. */
  readonly summary: string;
  readonly figures: ShadowFigures;
}
const round = (n: number) => Math.round(n * 10) / 10;
const rate = (f: VariantFigures) => (f.invocations > 0 ? (f.errors5xx / f.invocations) * 100 : 0);

/**
 * Whether the shadow variant did well enough: some requests reached it, its p99 ModelLatency is at
 * most `maxLatencyIncreasePercent` above the live variant's, and at most `maxErrorRatePercent` of
 * its requests ended in a 5XX error. No traffic, or no latency figure, proves nothing: a failure.
 */
export function shadowVerdict(
  shadow: Pick<ShadowTest, 'maxLatencyIncreasePercent' | 'maxErrorRatePercent'>,
  figures: ShadowFigures,
): ShadowVerdict {
  const { live, shadow: candidate } = figures;
  const failures: string[] = [];
  if (candidate.invocations === 0) {
    failures.push('the new version received no requests during the test, so nothing proves it');
  } else {
    const l = live.latencyP99Ms;
    const s = candidate.latencyP99Ms;
    if (l === undefined || s === undefined) {
      failures.push(`no p99 ModelLatency was recorded for the ${s === undefined ? 'new' : 'live'} version`);
    } else {
      const increase = l > 0 ? ((s - l) / l) * 100 : s > 0 ? Number.POSITIVE_INFINITY : 0;
      if (increase > shadow.maxLatencyIncreasePercent)
        failures.push(
          `its p99 ModelLatency ${round(s)} ms is ${round(increase)}% above the live version's ${round(l)} ms (at most ${shadow.maxLatencyIncreasePercent}% allowed)`,
        );
    }
    if (rate(candidate) > shadow.maxErrorRatePercent)
      failures.push(
        `${round(rate(candidate))}% of its requests ended in 5XX errors (${candidate.errors5xx} of ${candidate.invocations}; at most ${shadow.maxErrorRatePercent}% allowed)`,
      );
  }
  return { passed: failures.length === 0, failures, summary: figuresSummary(figures), figures };
}

/** The figures in one line: "p99 ModelLatency 130 ms vs live 100 ms, 5XX 0.5% (1 of 200) vs live 0% (0 of 400), 02:00–03:00 UTC". */
export function figuresSummary(f: ShadowFigures): string {
  const latency = (v: VariantFigures) =>
    v.latencyP99Ms === undefined ? 'none' : `${round(v.latencyP99Ms)} ms`;
  const errors = (v: VariantFigures) => `${round(rate(v))}% (${v.errors5xx} of ${v.invocations})`;
  return `p99 ModelLatency ${latency(f.shadow)} vs live ${latency(f.live)}, 5XX ${errors(f.shadow)} vs live ${errors(f.live)}, from ${f.start.toISOString()} to ${f.end.toISOString()}`;
}
