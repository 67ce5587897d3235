import { ConfigurationError, parseGovernanceConfig } from '../../../core/config/parse';
import { toInput } from '../../../core/config/to-input';

// Model monitoring per deployment target: schedules that follow the live version's baselines.

function configWith(deployment: Record<string, unknown>) {
  return { groups: [{ name: 'churn', deployments: [{ endpointName: 'churn-prod', ...deployment }] }] };
}

function problemsOf(raw: unknown): string[] {
  try {
    parseGovernanceConfig(raw);
  } catch (error) {
    if (error instanceof ConfigurationError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

const P = 'groups[0].deployments[0]';
const hourly = { scheduleExpression: 'cron(0 * ? * * *)' };
const modelQuality = {
  scheduleExpression: 'cron(0 0 ? * * *)',
  groundTruthS3Uri: 's3://labels/churn-prod',
  problemType: 'BinaryClassification',
  inferenceAttribute: '0',
};

describe('deployments[].monitoring', () => {
  it('resolves the defaults and writes them back unchanged', () => {
    const config = parseGovernanceConfig(
      configWith({ dataCapturePercent: 100, monitoring: { dataQuality: hourly, modelQuality } }),
    );
    expect(config.groups[0]?.deployments[0]?.monitoring).toEqual({
      dataQuality: {
        scheduleExpression: 'cron(0 * ? * * *)',
        instanceType: 'ml.m5.xlarge',
        instanceCount: 1,
        volumeSizeInGB: 20,
        maxRuntimeInSeconds: 3600,
      },
      modelQuality: {
        ...modelQuality,
        instanceType: 'ml.m5.xlarge',
        instanceCount: 1,
        volumeSizeInGB: 20,
        maxRuntimeInSeconds: 3600,
      },
      onViolation: 'notify',
      deployUnmonitored: false,
    });
    expect(parseGovernanceConfig(toInput(config))).toEqual(config);
  });

  it('is absent unless configured', () => {
    expect(parseGovernanceConfig(configWith({})).groups[0]?.deployments[0]).not.toHaveProperty('monitoring');
  });

  it('refuses a monitor without data capture, and says how to turn it on', () => {
    expect(problemsOf(configWith({ monitoring: { dataQuality: hourly } }))).toEqual([
      `${P}.monitoring: monitors the requests the endpoint captures, but ${P}.dataCapturePercent is 0 (no capture); set "dataCapturePercent" (1 to 100, such as 100) on the target.`,
    ]);
  });

  it('refuses a model quality monitor without ground truth, problem type or inference attribute', () => {
    expect(
      problemsOf(
        configWith({
          dataCapturePercent: 100,
          monitoring: { modelQuality: { scheduleExpression: 'cron(0 * ? * * *)' } },
        }),
      ),
    ).toEqual([
      `${P}.monitoring.modelQuality.groundTruthS3Uri: is required: a model quality monitor compares predictions with ground-truth labels; give the S3 URI your labelling process uploads them to, such as "s3://labels/churn-prod".`,
      `${P}.monitoring.modelQuality.problemType: is required: use one of "BinaryClassification", "MulticlassClassification", "Regression".`,
      `${P}.monitoring.modelQuality.inferenceAttribute: is required: the attribute of the model's output holding the prediction (for CSV output, the column index such as "0").`,
    ]);
  });

  it.each([
    'cron(0 * ? * * *)',
    'cron(0 12 ? * * *)',
    'cron(0 0 ? * * *)',
    'cron(0 05 ? * * *)',
    'cron(0 17/12 ? * * *)',
    'cron(0 0/2 ? * * *)',
    'cron(0 23/24 ? * * *)',
  ])('takes the monitoring cron %s', (scheduleExpression) => {
    expect(() =>
      parseGovernanceConfig(
        configWith({ dataCapturePercent: 10, monitoring: { dataQuality: { scheduleExpression } } }),
      ),
    ).not.toThrow();
  });

  it.each([
    'rate(1 hour)',
    'NOW',
    'cron(30 * ? * * *)',
    'cron(0 24 ? * * *)',
    'cron(0 0/25 ? * * *)',
    'cron(0 0/0 ? * * *)',
    'cron(0 0 * * ? *)',
    'cron(0 0 ? * MON *)',
    'cron(0 * ? * * *) ',
  ])('refuses %j, which SageMaker monitoring schedules do not take', (scheduleExpression) => {
    expect(
      problemsOf(configWith({ dataCapturePercent: 10, monitoring: { dataQuality: { scheduleExpression } } })),
    ).toEqual([
      `${P}.monitoring.dataQuality.scheduleExpression: is "${scheduleExpression}", which SageMaker monitoring schedules do not take; use "cron(0 * ? * * *)" (hourly), "cron(0 H ? * * *)" (daily at hour H UTC, such as "cron(0 0 ? * * *)") or "cron(0 H/N ? * * *)" (every N hours from hour H, such as "cron(0 0/6 ? * * *)").`,
    ]);
  });

  it('refuses an empty monitoring, a serverless target, unknown keys and a bad onViolation', () => {
    expect(
      problemsOf(
        configWith({
          serverless: {},
          dataCapturePercent: 10,
          monitoring: { onViolaton: 'rollback', onViolation: 'page' },
        }),
      ),
    ).toEqual([
      `${P}.monitoring.onViolaton: unknown key. Did you mean "onViolation"? Allowed keys: dataQuality, modelQuality, onViolation, deployUnmonitored.`,
      `${P}.monitoring: monitors nothing: add "dataQuality", "modelQuality" or both, or remove monitoring.`,
      `${P}.monitoring: SageMaker Model Monitor does not support serverless endpoints (Serverless Inference, feature exclusions); remove monitoring or give the target "instances".`,
      `${P}.monitoring.onViolation: is "page"; use one of "notify", "hold", "rollback".`,
    ]);
  });

  it('refuses probabilities on a regression monitor and a threshold on a multiclass one', () => {
    const mq = (extra: Record<string, unknown>) =>
      configWith({ dataCapturePercent: 10, monitoring: { modelQuality: { ...modelQuality, ...extra } } });
    expect(problemsOf(mq({ problemType: 'Regression', probabilityAttribute: '1' }))).toEqual([
      `${P}.monitoring.modelQuality.probabilityAttribute: applies to classification; a Regression model has no probability. Remove it.`,
    ]);
    expect(
      problemsOf(mq({ problemType: 'MulticlassClassification', probabilityThresholdAttribute: 0.5 })),
    ).toEqual([
      `${P}.monitoring.modelQuality.probabilityThresholdAttribute: applies to BinaryClassification only: a multiclass prediction is its most probable class. Remove it.`,
    ]);
    expect(problemsOf(mq({ probabilityThresholdAttribute: 2, groundTruthS3Uri: 'labels/churn' }))).toEqual([
      `${P}.monitoring.modelQuality.groundTruthS3Uri: is "labels/churn"; use an S3 URI such as "s3://labels/churn-prod".`,
      `${P}.monitoring.modelQuality.probabilityThresholdAttribute: is 2; use a probability from 0 to 1, such as 0.5.`,
    ]);
  });
});
