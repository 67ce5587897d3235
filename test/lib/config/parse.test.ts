import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGovernanceConfig } from '../../../lib/config/load';
import { ConfigurationError, parseGovernanceConfig } from '../../../lib/config/parse';

const minimal = { groups: [{ name: 'churn' }] };

function problemsOf(raw: unknown): string[] {
  try {
    parseGovernanceConfig(raw);
  } catch (error) {
    if (error instanceof ConfigurationError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

function withDeployment(deployment: Record<string, unknown>) {
  return { groups: [{ name: 'churn', deployments: [{ endpointName: 'churn-prod', ...deployment }] }] };
}

describe('parseGovernanceConfig', () => {
  it('resolves every default for a minimal group', () => {
    const config = parseGovernanceConfig(minimal);
    expect(config).toEqual({
      archiveRetentionDays: 365,
      notificationEmails: [],
      modelArtifactBuckets: [],
      groups: [
        {
          name: 'churn',
          description: 'Governed by model-governance: churn',
          tags: {},
          shareWithAccounts: [],
          modelCard: {
            riskRating: 'Unknown',
            pendingStatus: 'Draft',
            owner: undefined,
            purpose: undefined,
            intendedUses: undefined,
            factorsAffectingEfficiency: undefined,
            riskRatingExplanation: undefined,
            businessProblem: undefined,
            businessStakeholders: undefined,
            lineOfBusiness: undefined,
          },
          deployments: [],
        },
      ],
    });
  });

  it('resolves deployment defaults: newest approved, one ml.m5.large, all at once, no alarms', () => {
    const [target] = parseGovernanceConfig(withDeployment({})).groups[0]?.deployments ?? [];
    expect(target).toEqual({
      endpointName: 'churn-prod',
      serve: { kind: 'newest-approved' },
      compute: { kind: 'instances', instanceType: 'ml.m5.large', instanceCount: 1 },
      strategy: { kind: 'all-at-once', terminationWaitMinutes: 5 },
      rollbackAlarms: { enabled: false, max5xxErrorsPerMinute: 5, maxModelLatencyMs: 2000 },
      whenNoneApproved: 'keep-serving',
      keepPreviousVersions: 2,
      dataCapturePercent: 0,
    });
  });

  it('reads lifecycle-stage selectors, serverless compute and canary strategies', () => {
    const config = parseGovernanceConfig({
      groups: [
        {
          name: 'churn',
          deployments: [
            {
              endpointName: 'a',
              serve: { stage: 'Staging' },
              serverless: { memorySizeMb: 3072, maxConcurrency: 10 },
            },
            {
              endpointName: 'b',
              serve: { stage: 'Production', stageStatus: 'Approved' },
              strategy: { type: 'canary', canaryPercent: 25, waitMinutes: 3 },
              rollbackAlarms: true,
            },
          ],
        },
      ],
    });
    const [a, b] = config.groups[0]?.deployments ?? [];
    expect(a?.serve).toEqual({ kind: 'lifecycle-stage', stage: 'Staging', stageStatus: 'Approved' });
    expect(a?.compute).toEqual({ kind: 'serverless', memorySizeMb: 3072, maxConcurrency: 10 });
    expect(b?.strategy).toEqual({
      kind: 'canary',
      canaryPercent: 25,
      waitMinutes: 3,
      terminationWaitMinutes: 5,
    });
    expect(b?.rollbackAlarms.enabled).toBe(true);
  });

  it('names an unknown key, suggests the likely one and lists the allowed keys', () => {
    expect(problemsOf({ groups: [{ name: 'churn', desciption: 'x' }] })).toEqual([
      'groups[0].desciption: unknown key. Did you mean "description"? Allowed keys: name, description, tags, shareWithAccounts, modelCard, deployments.',
    ]);
  });

  it('rejects a group name SageMaker would reject', () => {
    expect(problemsOf({ groups: [{ name: 'churn_model' }] })).toEqual([
      'groups[0].name: "churn_model" is not a valid SageMaker name; use 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit.',
    ]);
    expect(problemsOf({ groups: [{ name: 'a'.repeat(64) }] })).toHaveLength(1);
    expect(problemsOf({ groups: [{ name: '-churn' }] })).toHaveLength(1);
  });

  it('rejects a bad account id', () => {
    expect(problemsOf({ groups: [{ name: 'churn', shareWithAccounts: ['12345', 123456789012] }] })).toEqual([
      'groups[0].shareWithAccounts[0]: is "12345"; an AWS account id is 12 digits, as a string.',
      'groups[0].shareWithAccounts[1]: is 123456789012; an AWS account id is 12 digits, as a string.',
    ]);
  });

  it('rejects a canary over 50%', () => {
    expect(problemsOf(withDeployment({ strategy: { type: 'canary', canaryPercent: 60 } }))).toEqual([
      'groups[0].deployments[0].strategy.canaryPercent: is 60; use a whole number from 1 to 50.',
    ]);
  });

  it('rejects an endpoint shared by two groups', () => {
    const raw = {
      groups: [
        { name: 'churn', deployments: [{ endpointName: 'shared' }] },
        { name: 'fraud', deployments: [{ endpointName: 'shared' }] },
      ],
    };
    expect(problemsOf(raw)).toEqual([
      'groups[1].deployments[0].endpointName: endpoint "shared" is already the target of another deployment; each endpoint serves exactly one group and selector, so give this target its own endpoint name.',
    ]);
  });

  it('rejects a group declared twice', () => {
    expect(problemsOf({ groups: [{ name: 'churn' }, { name: 'churn' }] })).toEqual([
      'groups[1].name: model package group "churn" is declared twice; merge the two entries.',
    ]);
  });

  it('rejects traffic shifting and rollback alarms on serverless endpoints', () => {
    expect(
      problemsOf(withDeployment({ serverless: {}, strategy: { type: 'linear' }, rollbackAlarms: true })),
    ).toEqual([
      'groups[0].deployments[0].strategy.type: "linear" traffic shifting needs instances; serverless endpoints update all at once. Use "all-at-once" or give the target "instances".',
      'groups[0].deployments[0].rollbackAlarms.enabled: alarm-driven rollback needs a blue/green deployment on instances; serverless endpoints do not support it. Set it to false.',
    ]);
  });

  it('rejects parameters that belong to another strategy', () => {
    expect(problemsOf(withDeployment({ strategy: { type: 'linear', canaryPercent: 10 } }))).toEqual([
      'groups[0].deployments[0].strategy.canaryPercent: only applies to "canary" strategies; remove it.',
    ]);
  });

  it('rejects both compute kinds, bad memory sizes and instance types', () => {
    expect(
      problemsOf(withDeployment({ instances: { type: 'm5.large' }, serverless: { memorySizeMb: 1500 } })),
    ).toEqual([
      'groups[0].deployments[0]: has both "instances" and "serverless"; keep exactly one.',
      'groups[0].deployments[0].serverless.memorySizeMb: is 1500; use 1024, 2048, 3072, 4096, 5120 or 6144.',
    ]);
    expect(problemsOf(withDeployment({ instances: { type: 'm5.large' } }))).toEqual([
      'groups[0].deployments[0].instances.type: "m5.large" is not a SageMaker instance type; use one like "ml.m5.large".',
    ]);
  });

  it('rejects reserved tag keys, unknown enums, and a missing group list', () => {
    expect(
      problemsOf({
        groups: [{ name: 'churn', tags: { 'aws:x': 'y' }, modelCard: { riskRating: 'Severe' } }],
      }),
    ).toEqual([
      'groups[0].tags.aws:x: tag keys are 1 to 128 characters and cannot start with "aws:".',
      'groups[0].modelCard.riskRating: is "Severe"; use one of "High", "Medium", "Low", "Unknown".',
    ]);
    expect(problemsOf({})).toEqual([
      'groups: must list at least one model package group, e.g. [{ "name": "my-model" }].',
    ]);
  });

  it('reports every problem at once, in one error naming the source', () => {
    expect(() =>
      parseGovernanceConfig({ groups: [{ name: 'a_b', shareWithAccounts: ['1'] }] }, 'x.json'),
    ).toThrow(
      'Invalid governance configuration (x.json):\n  - groups[0].name: "a_b" is not a valid SageMaker name; use 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit.\n  - groups[0].shareWithAccounts[0]: is "1"; an AWS account id is 12 digits, as a string.',
    );
  });
});

describe('loadGovernanceConfig', () => {
  it('loads the sample configuration that ships with the project', () => {
    const config = loadGovernanceConfig(join(__dirname, '..', '..', '..', 'governance.config.json'));
    expect(config.groups.map((g) => g.name)).toEqual(['customer-churn', 'fraud-scoring']);
  });

  it('says which file is missing and how to point at another', () => {
    expect(() => loadGovernanceConfig('/nonexistent/governance.json')).toThrow(
      'Invalid governance configuration (/nonexistent/governance.json):\n  - cannot be read (ENOENT); create it or pass another path with -c config=PATH.',
    );
  });

  it('says when the file is not JSON', () => {
    const path = join(__dirname, 'not-json.tmp');
    writeFileSync(path, '{ groups: ');
    try {
      expect(() => loadGovernanceConfig(path)).toThrow(/is not valid JSON/);
    } finally {
      unlinkSync(path);
    }
  });
});
