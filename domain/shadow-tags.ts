/**
 * The measured figures of a shadow test, recorded on its experiment as tags and read back from them,
 * so a later run judges the same figures without measuring again. Pure.
 */
import type { ShadowFigures } from './shadow-verdict';

/** The tags that record measured figures on the experiment (values fit SageMaker's tag value pattern). */
export const FIGURE_TAGS = {
  start: 'model-governance:shadow-window-start',
  end: 'model-governance:shadow-window-end',
  liveInvocations: 'model-governance:live-invocations',
  live5xx: 'model-governance:live-5xx',
  liveP99: 'model-governance:live-p99-ms',
  shadowInvocations: 'model-governance:shadow-invocations',
  shadow5xx: 'model-governance:shadow-5xx',
  shadowP99: 'model-governance:shadow-p99-ms',
} as const;

export function figuresTags(f: ShadowFigures): { Key: string; Value: string }[] {
  const n = (v: number | undefined) => (v === undefined ? 'none' : String(v));
  return [
    { Key: FIGURE_TAGS.start, Value: f.start.toISOString() },
    { Key: FIGURE_TAGS.end, Value: f.end.toISOString() },
    { Key: FIGURE_TAGS.liveInvocations, Value: n(f.live.invocations) },
    { Key: FIGURE_TAGS.live5xx, Value: n(f.live.errors5xx) },
    { Key: FIGURE_TAGS.liveP99, Value: n(f.live.latencyP99Ms) },
    { Key: FIGURE_TAGS.shadowInvocations, Value: n(f.shadow.invocations) },
    { Key: FIGURE_TAGS.shadow5xx, Value: n(f.shadow.errors5xx) },
    { Key: FIGURE_TAGS.shadowP99, Value: n(f.shadow.latencyP99Ms) },
  ];
}

/** The figures recorded in an experiment's tags, if all are there and readable. */
export function figuresFromTags(tags: Readonly<Record<string, string>>): ShadowFigures | undefined {
  const start = new Date(tags[FIGURE_TAGS.start] ?? '');
  const end = new Date(tags[FIGURE_TAGS.end] ?? '');
  const count = (key: string) => {
    const v = Number(tags[key]);
    return tags[key] !== undefined && Number.isFinite(v) && v >= 0 ? v : undefined;
  };
  const latency = (key: string) => (tags[key] === 'none' ? undefined : count(key));
  const li = count(FIGURE_TAGS.liveInvocations);
  const le = count(FIGURE_TAGS.live5xx);
  const si = count(FIGURE_TAGS.shadowInvocations);
  const se = count(FIGURE_TAGS.shadow5xx);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return undefined;
  if (li === undefined || le === undefined || si === undefined || se === undefined) return undefined;
  const lp = latency(FIGURE_TAGS.liveP99);
  const sp = latency(FIGURE_TAGS.shadowP99);
  return {
    start,
    end,
    live: { invocations: li, errors5xx: le, ...(lp !== undefined ? { latencyP99Ms: lp } : {}) },
    shadow: { invocations: si, errors5xx: se, ...(sp !== undefined ? { latencyP99Ms: sp } : {}) },
  };
}
