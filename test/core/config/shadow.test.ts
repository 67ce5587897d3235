import { ConfigurationError, parseGovernanceConfig } from '../../../core/config/parse';
import { toInput } from '../../../core/config/to-input';

// A shadow test before promotion, per deployment target.

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

describe('deployments[].shadow', () => {
  it('resolves the defaults and writes them back unchanged', () => {
    const config = parseGovernanceConfig(configWith({ instances: { count: 1 }, shadow: { minutes: 90 } }));
    expect(config.groups[0]?.deployments[0]?.shadow).toEqual({
      samplingPercent: 100,
      minutes: 90,
      maxLatencyIncreasePercent: 10,
      maxErrorRatePercent: 1,
    });
    expect(parseGovernanceConfig(toInput(config))).toEqual(config);
  });

  it('is absent unless configured', () => {
    expect(parseGovernanceConfig(configWith({})).groups[0]?.deployments[0]).not.toHaveProperty('shadow');
  });

  it('refuses a test without minutes, out-of-range numbers and unknown keys, naming each', () => {
    expect(
      problemsOf(
        configWith({
          shadow: { samplingPercent: 0, maxLatencyIncreasePercent: -1, maxErrorRatePercent: 101, minute: 5 },
        }),
      ),
    ).toEqual([
      `${P}.shadow.minute: unknown key. Did you mean "minutes"? Allowed keys: samplingPercent, minutes, maxLatencyIncreasePercent, maxErrorRatePercent.`,
      `${P}.shadow.minutes: is required: how many minutes the shadow test runs (60 to 43200: an hour to 30 days).`,
      `${P}.shadow.samplingPercent: is 0; use a whole number from 1 to 100.`,
      `${P}.shadow.maxLatencyIncreasePercent: is -1; use a whole number from 0 to 1000.`,
      `${P}.shadow.maxErrorRatePercent: is 101; use a whole number from 0 to 100.`,
    ]);
  });

  it('refuses more than the 30 days SageMaker allows a shadow test, and less than the hour its guide gives', () => {
    expect(problemsOf(configWith({ shadow: { minutes: 43_201 } }))).toEqual([
      `${P}.shadow.minutes: is 43201; use a whole number from 60 to 43200.`,
    ]);
    expect(problemsOf(configWith({ shadow: { minutes: 59 } }))).toEqual([
      `${P}.shadow.minutes: is 59; use a whole number from 60 to 43200.`,
    ]);
  });

  it('refuses a shadow test on a serverless target', () => {
    expect(problemsOf(configWith({ serverless: {}, shadow: { minutes: 60 } }))).toEqual([
      `${P}.shadow: a shadow test runs the new version on real-time instances beside the live one (SageMaker inference experiments); serverless endpoints cannot take one. Remove shadow or give the target "instances".`,
    ]);
  });
});
