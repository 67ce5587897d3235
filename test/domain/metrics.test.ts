/** Every metrics sample in ../shared/reference/metrics/, translated and checked value by value. */
import { detectFormat, type MetricDatum, type MetricGroup, translateMetrics } from '../../domain/metrics';
import { readReference } from '../harness/reference';

// biome-ignore lint/suspicious/noExplicitAny: the reference files are read as untyped JSON and compared value by value.
type Json = Record<string, any>;

function groups(file: string): MetricGroup[] {
  const t = translateMetrics(readReference(`metrics/${file}`));
  if (!t.ok) throw new Error(t.reason);
  return t.groups;
}
const datum = (g: MetricGroup | undefined, name: string): MetricDatum | undefined =>
  g?.metric_data.find((m) => m.name === name);

it.each([
  ['evaluation.regression.sdk-integ-test.json', 'pipelines-evaluation'],
  ['model-monitor-model-quality.regression.sdk-test.json', 'model-quality-statistics'],
  ['model-monitor-model-quality.statistics.regression.sdk-test.json', 'model-quality-statistics'],
  ['model-monitor-model-quality.binary-classification.sdk-test.json', 'pipelines-evaluation'],
  ['model-monitor-model-quality.constraints.regression.good.sdk-test.json', 'model-quality-constraints'],
  ['model-monitor-model-quality.constraints.regression.bad.sdk-test.json', 'model-quality-constraints'],
  ['model-monitor-data-quality.statistics.sdk-test.json', 'data-quality-statistics'],
  ['model-monitor-data-quality.constraints.good.sdk-test.json', 'data-quality-constraints'],
  ['clarify-bias-report.sdk-test.json', 'clarify-bias'],
  ['clarify-explainability-report.sdk-test.json', 'clarify-explainability'],
])('recognises %s as %s', (file, format) => {
  expect(detectFormat(readReference(`metrics/${file}`))).toBe(format);
});

it('translates the Pipelines evaluation.json', () => {
  expect(groups('evaluation.regression.sdk-integ-test.json')).toEqual([
    {
      name: 'Evaluation: regression',
      metric_data: [
        { name: 'mse', type: 'number', value: 4.925353410353891 },
        { name: 'mse - standard_deviation', type: 'number', value: 2.219186917819692 },
      ],
    },
  ]);
});

it('translates Model Monitor model-quality statistics (regression), every metric', () => {
  const source = readReference<Json>('metrics/model-monitor-model-quality.regression.sdk-test.json');
  const [group, ...rest] = groups('model-monitor-model-quality.regression.sdk-test.json');
  expect(rest).toEqual([]);
  expect(group?.name).toBe('Model quality: regression');
  // As the SageMaker Python SDK translates them: each value, and each numeric standard deviation
  // as a number metric of its own, "<metric> - standard_deviation".
  for (const [name, m] of Object.entries(source.regression_metrics as Json)) {
    expect(datum(group, name)).toEqual({ name, type: 'number', value: m.value });
    expect(typeof m.standard_deviation).toBe('number');
    expect(datum(group, `${name} - standard_deviation`)).toEqual({
      name: `${name} - standard_deviation`,
      type: 'number',
      value: m.standard_deviation,
    });
  }
  expect(datum(group, 'mae - standard_deviation')).toBeDefined();
  expect(datum(group, 'item_count')).toMatchObject({ value: 627 });
  // "NaN" standard deviations (strings in the file) are not numbers: no metric for them.
  const nan = groups('model-monitor-model-quality.statistics.regression.sdk-test.json')[0];
  expect(datum(nan, 'mae')).toEqual({ name: 'mae', type: 'number', value: 0.5040653554420981 });
  expect(datum(nan, 'mae - standard_deviation')).toBeUndefined();
});

it('translates binary classification metrics, the confusion matrix and both curves', () => {
  const source = readReference<Json>(
    'metrics/model-monitor-model-quality.binary-classification.sdk-test.json',
  ).binary_classification_metrics;
  const [group] = groups('model-monitor-model-quality.binary-classification.sdk-test.json');
  expect(group?.name).toBe('Evaluation: binary classification');
  for (const [name, m] of Object.entries(source as Json)) {
    if (typeof m.value === 'number')
      expect(datum(group, name)).toMatchObject({ type: 'number', value: m.value });
  }
  expect(datum(group, 'confusion matrix')).toEqual({
    name: 'confusion matrix',
    type: 'matrix',
    value: [
      [source.confusion_matrix['0']['0'], source.confusion_matrix['0']['1']],
      [source.confusion_matrix['1']['0'], source.confusion_matrix['1']['1']],
    ],
    x_axis_name: ['predicted 0', 'predicted 1'],
    y_axis_name: ['actual 0', 'actual 1'],
  });
  const pr = source.precision_recall_curve;
  expect(datum(group, 'precision-recall curve')).toMatchObject({
    type: 'linear_graph',
    value: pr.recalls.map((r: number, i: number) => [r, pr.precisions[i]]),
  });
  const roc = source.receiver_operating_characteristic_curve;
  expect(datum(group, 'ROC curve')).toMatchObject({
    type: 'linear_graph',
    value: roc.false_positive_rates.map((f: number, i: number) => [f, roc.true_positive_rates[i]]),
  });
});

it('translates model-quality constraints', () => {
  const source = readReference<Json>(
    'metrics/model-monitor-model-quality.constraints.regression.bad.sdk-test.json',
  ).regression_constraints;
  const [group] = groups('model-monitor-model-quality.constraints.regression.bad.sdk-test.json');
  for (const [name, c] of Object.entries(source as Json)) {
    expect(datum(group, `${name} threshold`)).toEqual({
      name: `${name} threshold`,
      type: 'number',
      value: c.threshold,
      notes: `alarm when ${c.comparison_operator}`,
    });
  }
});

it('translates data-quality statistics, feature by feature, with distributions', () => {
  const source = readReference<Json>('metrics/model-monitor-data-quality.statistics.sdk-test.json');
  const [group] = groups('model-monitor-data-quality.statistics.sdk-test.json');
  for (const f of source.features as Json[]) {
    const stats = f.numerical_statistics ?? f.string_statistics;
    expect(datum(group, `${f.name} present`)).toMatchObject({ value: stats.common.num_present });
    expect(datum(group, `${f.name} missing`)).toMatchObject({ value: stats.common.num_missing });
    if (f.numerical_statistics) {
      for (const k of ['mean', 'std_dev', 'min', 'max'])
        expect(datum(group, `${f.name} ${k}`)).toMatchObject({ value: stats[k] });
      expect(datum(group, `${f.name} distribution`)).toMatchObject({
        type: 'bar_chart',
        value: stats.distribution.kll.buckets.map((b: Json) => b.count),
      });
    }
  }
});

it('translates data-quality constraints', () => {
  const source = readReference<Json>('metrics/model-monitor-data-quality.constraints.good.sdk-test.json');
  const [group] = groups('model-monitor-data-quality.constraints.good.sdk-test.json');
  for (const f of source.features as Json[]) {
    expect(datum(group, `${f.name} completeness`)).toMatchObject({ value: f.completeness });
    expect(datum(group, `${f.name} inferred type`)).toMatchObject({ type: 'string', value: f.inferred_type });
    expect(datum(group, `${f.name} non-negative`)).toMatchObject({
      type: 'boolean',
      value: f.num_constraints.is_non_negative,
    });
  }
});

it('translates a Clarify bias report, pre- and post-training, per facet value', () => {
  const [pre, post] = groups('clarify-bias-report.sdk-test.json');
  expect(pre?.name).toBe('Bias: pre-training');
  expect(datum(pre, 'CDDL Gender=0')).toEqual({
    name: 'CDDL Gender=0',
    type: 'number',
    value: 0.21491590864936,
    notes: 'Conditional Demographic Disparity in Labels (CDDL); label Target = 1',
  });
  expect(datum(post, 'AD Gender=0')).toMatchObject({ value: -0.11415724421435 });
  expect(datum(post, 'AD Gender=1')).toMatchObject({ value: -0.1141572442143538 });
});

it('translates a Clarify explainability report: SHAP values per label, largest first', () => {
  const source = readReference<Json>('metrics/clarify-explainability-report.sdk-test.json').explanations
    .kernel_shap;
  const translated = groups('clarify-explainability-report.sdk-test.json');
  expect(translated.map((g) => g.name)).toEqual(
    Object.keys(source).map((label) => `Explainability: kernel_shap ${label}`),
  );
  for (const [label, report] of Object.entries(source as Json)) {
    const group = translated.find((g) => g.name.endsWith(label));
    const chart = datum(group, 'global SHAP values') as Extract<MetricDatum, { type: 'bar_chart' }>;
    const expected = Object.entries(report.global_shap_values as Record<string, number>).sort(
      (a, b) => Math.abs(b[1]) - Math.abs(a[1]),
    );
    expect(chart.x_axis_name).toEqual(expected.map(([f]) => f));
    expect(chart.value).toEqual(expected.map(([, v]) => v));
    expect(datum(group, 'expected value')).toMatchObject({ value: report.expected_value });
  }
});

it('answers an unknown format with a reason instead of throwing', () => {
  expect(translateMetrics({ accuracy: 0.9 })).toEqual({
    ok: false,
    reason: 'not a metrics format model-governance knows (Model Monitor, Clarify or Pipelines evaluation)',
  });
  expect(translateMetrics('text')).toMatchObject({ ok: false });
});
