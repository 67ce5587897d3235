/**
 * Translation of the metrics files a model package registers under ModelMetrics into model card
 * metric groups (the `evaluation_details[].metric_groups` of AWS's model card schema). Pure.
 *
 * Formats, recognised by content: Model Monitor model-quality statistics and constraints, data-
 * quality statistics and constraints, SageMaker Clarify bias and explainability reports, and the
 * `evaluation.json` a SageMaker Pipelines evaluation step writes.
 */

export type MetricDatum =
  | { name: string; type: 'number'; value: number; notes?: string }
  | { name: string; type: 'string'; value: string; notes?: string }
  | { name: string; type: 'boolean'; value: boolean; notes?: string }
  | {
      name: string;
      type: 'linear_graph';
      value: [number, number][];
      x_axis_name?: string;
      y_axis_name?: string;
      notes?: string;
    }
  | {
      name: string;
      type: 'bar_chart';
      value: number[];
      x_axis_name?: string[];
      y_axis_name?: string;
      notes?: string;
    }
  | {
      name: string;
      type: 'matrix';
      value: number[][];
      x_axis_name?: string[];
      y_axis_name?: string[];
      notes?: string;
    };

export interface MetricGroup {
  name: string;
  metric_data: MetricDatum[];
}

export type MetricsFormat =
  | 'model-quality-statistics'
  | 'pipelines-evaluation'
  | 'model-quality-constraints'
  | 'data-quality-statistics'
  | 'data-quality-constraints'
  | 'clarify-bias'
  | 'clarify-explainability';

export type Translation =
  | { readonly ok: true; readonly format: MetricsFormat; readonly groups: MetricGroup[] }
  | { readonly ok: false; readonly reason: string };

type Json = Record<string, unknown>;
const PROBLEM_TYPES = ['regression', 'binary_classification', 'multiclass_classification'] as const;

export function detectFormat(doc: unknown): MetricsFormat | undefined {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const d = doc as Json;
  if (PROBLEM_TYPES.some((p) => typeof d[`${p}_metrics`] === 'object')) {
    return 'version' in d || 'dataset' in d ? 'model-quality-statistics' : 'pipelines-evaluation';
  }
  if (PROBLEM_TYPES.some((p) => typeof d[`${p}_constraints`] === 'object'))
    return 'model-quality-constraints';
  if (Array.isArray(d.features)) {
    const first = d.features[0] as Json | undefined;
    if (first && ('numerical_statistics' in first || 'string_statistics' in first))
      return 'data-quality-statistics';
    return 'data-quality-constraints';
  }
  if (typeof d.pre_training_bias_metrics === 'object' || typeof d.post_training_bias_metrics === 'object')
    return 'clarify-bias';
  if (typeof d.explanations === 'object') return 'clarify-explainability';
  return undefined;
}

/** Translates one metrics document; never throws. */
export function translateMetrics(doc: unknown): Translation {
  const format = detectFormat(doc);
  if (!format)
    return {
      ok: false,
      reason: 'not a metrics format model-governance knows (Model Monitor, Clarify or Pipelines evaluation)',
    };
  const d = doc as Json;
  const groups = TRANSLATORS[format](d).filter((g) => g.metric_data.length > 0);
  return { ok: true, format, groups };
}

const TRANSLATORS: Record<MetricsFormat, (d: Json) => MetricGroup[]> = {
  'model-quality-statistics': (d) => qualityMetrics(d, 'Model quality'),
  'pipelines-evaluation': (d) => qualityMetrics(d, 'Evaluation'),
  'model-quality-constraints': modelQualityConstraints,
  'data-quality-statistics': dataQualityStatistics,
  'data-quality-constraints': dataQualityConstraints,
  'clarify-bias': clarifyBias,
  'clarify-explainability': clarifyExplainability,
};

function qualityMetrics(d: Json, label: string): MetricGroup[] {
  const groups: MetricGroup[] = [];
  for (const problem of PROBLEM_TYPES) {
    const metrics = d[`${problem}_metrics`] as Json | undefined;
    if (!metrics) continue;
    const data: MetricDatum[] = [];
    for (const [name, raw] of Object.entries(metrics)) {
      const m = raw as Json;
      if (name === 'confusion_matrix') {
        const matrix = confusionMatrix(m);
        if (matrix) data.push(matrix);
      } else if (name === 'precision_recall_curve') {
        const curve = graph('precision-recall curve', m.recalls, m.precisions, 'recall', 'precision');
        if (curve) data.push(curve);
      } else if (name === 'receiver_operating_characteristic_curve') {
        const curve = graph(
          'ROC curve',
          m.false_positive_rates,
          m.true_positive_rates,
          'false positive rate',
          'true positive rate',
        );
        if (curve) data.push(curve);
      } else if (m && typeof m === 'object' && 'value' in m) {
        // As the SageMaker Python SDK's ModelMonitorModelQualityParserBase._parse_basic_metric
        // (sagemaker/model_card/evaluation_metric_parsers.py): the value, and a numeric standard
        // deviation as a metric of its own named "<metric> - standard_deviation".
        data.push(simple(name, m.value));
        if (finite(m.standard_deviation)) {
          data.push({ name: `${name} - standard_deviation`, type: 'number', value: m.standard_deviation });
        }
      }
    }
    const dataset = d.dataset as Json | undefined;
    if (dataset && typeof dataset.item_count === 'number')
      data.push(simple('item_count', dataset.item_count, 'items evaluated'));
    groups.push({ name: groupName(`${label}: ${problem.replace(/_/g, ' ')}`), metric_data: data });
  }
  return groups;
}

function modelQualityConstraints(d: Json): MetricGroup[] {
  return PROBLEM_TYPES.flatMap((problem) => {
    const constraints = d[`${problem}_constraints`] as Json | undefined;
    if (!constraints) return [];
    const data = Object.entries(constraints).flatMap(([name, raw]) => {
      const c = raw as Json;
      return finite(c.threshold)
        ? [simple(`${name} threshold`, c.threshold, `alarm when ${String(c.comparison_operator)}`)]
        : [];
    });
    return [
      { name: groupName(`Model quality constraints: ${problem.replace(/_/g, ' ')}`), metric_data: data },
    ];
  });
}

function dataQualityStatistics(d: Json): MetricGroup[] {
  const data: MetricDatum[] = [];
  for (const raw of d.features as Json[]) {
    const feature = String(raw.name);
    const numeric = raw.numerical_statistics as Json | undefined;
    const text = raw.string_statistics as Json | undefined;
    const stats = numeric ?? text ?? {};
    const common = (stats.common as Json | undefined) ?? {};
    if (finite(common.num_present)) data.push(simple(`${feature} present`, common.num_present));
    if (finite(common.num_missing)) data.push(simple(`${feature} missing`, common.num_missing));
    for (const key of ['mean', 'std_dev', 'min', 'max', 'distinct_count']) {
      if (finite(stats[key])) data.push(simple(`${feature} ${key}`, stats[key]));
    }
    const buckets = ((stats.distribution as Json | undefined)?.kll as Json | undefined)?.buckets as
      | Json[]
      | undefined;
    if (Array.isArray(buckets) && buckets.length > 0 && buckets.length <= 20) {
      data.push({
        name: `${feature} distribution`,
        type: 'bar_chart',
        value: buckets.map((b) => Number(b.count)),
        x_axis_name: buckets.map((b) => `${b.lower_bound}-${b.upper_bound}`.slice(0, 63)),
        y_axis_name: 'count',
      });
    }
  }
  if (d.dataset && finite((d.dataset as Json).item_count))
    data.push(simple('item_count', (d.dataset as Json).item_count, 'items profiled'));
  return [{ name: 'Data quality statistics', metric_data: data }];
}

function dataQualityConstraints(d: Json): MetricGroup[] {
  const data: MetricDatum[] = [];
  for (const raw of d.features as Json[]) {
    const feature = String(raw.name);
    if (typeof raw.inferred_type === 'string')
      data.push(simple(`${feature} inferred type`, raw.inferred_type));
    if (finite(raw.completeness))
      data.push(simple(`${feature} completeness`, raw.completeness, 'minimum share of non-missing values'));
    const numeric = (raw.num_constraints as Json | undefined) ?? {};
    if (typeof numeric.is_non_negative === 'boolean')
      data.push(simple(`${feature} non-negative`, numeric.is_non_negative));
  }
  return [{ name: 'Data quality constraints', metric_data: data }];
}

function clarifyBias(d: Json): MetricGroup[] {
  const sections: [string, string][] = [
    ['pre_training_bias_metrics', 'Bias: pre-training'],
    ['post_training_bias_metrics', 'Bias: post-training'],
  ];
  return sections.flatMap(([key, title]) => {
    const section = d[key] as Json | undefined;
    if (!section) return [];
    const label =
      section.label !== undefined
        ? `label ${section.label} = ${section.label_value_or_threshold}`
        : undefined;
    const data: MetricDatum[] = [];
    for (const [facet, values] of Object.entries((section.facets as Json | undefined) ?? {})) {
      for (const entry of (values as Json[]) ?? []) {
        for (const m of (entry.metrics as Json[]) ?? []) {
          const notes = [m.description, label].filter(Boolean).join('; ');
          data.push(
            simple(
              `${String(m.name)} ${facet}=${String(entry.value_or_threshold)}`,
              m.value,
              notes || undefined,
            ),
          );
        }
      }
    }
    return [{ name: title, metric_data: data }];
  });
}

function clarifyExplainability(d: Json): MetricGroup[] {
  const explanations = d.explanations as Json;
  const groups: MetricGroup[] = [];
  for (const [method, byLabel] of Object.entries(explanations)) {
    const labels = byLabel as Json;
    // Single-label reports put global_shap_values directly under the method.
    const entries: [string, Json][] =
      'global_shap_values' in labels ? [['', labels]] : (Object.entries(labels) as [string, Json][]);
    for (const [label, report] of entries) {
      const shap = (report.global_shap_values as Record<string, number> | undefined) ?? {};
      const features = Object.entries(shap)
        .filter(([, v]) => finite(v))
        .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
      const data: MetricDatum[] = [];
      if (features.length > 0) {
        data.push({
          name: 'global SHAP values',
          type: 'bar_chart',
          value: features.map(([, v]) => v),
          x_axis_name: features.map(([f]) => f.slice(0, 63)),
          y_axis_name: 'mean |SHAP|',
        });
      }
      if (finite(report.expected_value)) data.push(simple('expected value', report.expected_value));
      groups.push({
        name: groupName(`Explainability: ${method}${label ? ` ${label}` : ''}`),
        metric_data: data,
      });
    }
  }
  return groups;
}

function confusionMatrix(m: Json): MetricDatum | undefined {
  const actual = Object.keys(m).sort();
  const predicted = [...new Set(actual.flatMap((a) => Object.keys((m[a] as Json) ?? {})))].sort();
  if (actual.length === 0 || actual.length > 20 || predicted.length > 20) return undefined;
  return {
    name: 'confusion matrix',
    type: 'matrix',
    value: actual.map((a) => predicted.map((p) => Number((m[a] as Json)?.[p] ?? 0))),
    x_axis_name: predicted.map((p) => `predicted ${p}`.slice(0, 63)),
    y_axis_name: actual.map((a) => `actual ${a}`.slice(0, 63)),
  };
}

function graph(name: string, xs: unknown, ys: unknown, x: string, y: string): MetricDatum | undefined {
  if (!Array.isArray(xs) || !Array.isArray(ys) || xs.length === 0 || xs.length !== ys.length)
    return undefined;
  const points = xs
    .map((xv, i) => [Number(xv), Number(ys[i])] as [number, number])
    .filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
  return points.length > 0
    ? { name, type: 'linear_graph', value: points, x_axis_name: x, y_axis_name: y }
    : undefined;
}

/** A simple metric; a value that is not a finite number (Model Monitor writes "NaN") becomes a string. */
function simple(name: string, value: unknown, notes?: string): MetricDatum {
  const n = name.slice(0, 255);
  const extra = notes ? { notes: notes.slice(0, 1024) } : {};
  if (typeof value === 'boolean') return { name: n, type: 'boolean', value, ...extra };
  if (finite(value)) return { name: n, type: 'number', value, ...extra };
  return { name: n, type: 'string', value: String(value).slice(0, 63), ...extra };
}

function finite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function groupName(name: string): string {
  return name.slice(0, 63);
}
