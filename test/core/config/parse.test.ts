import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGovernanceConfig } from '../../../core/config/load';
import { ConfigurationError, parseGovernanceConfig } from '../../../core/config/parse';

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
      modelArtifactKeyArns: [],
      stacks: 1,
      slo: { approvalToServingMinutes: 60 },
      tracing: false,
      notifications: {},
      dataCapture: { prefix: 'data-capture', retentionDays: 90 },
      governanceRecord: {},
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
          separationOfDuties: false,
          cardReviewerMustDiffer: false,
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
      requireApprovedModelCard: false,
      production: true,
      networkIsolation: false,
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
      'groups[0].desciption: unknown key. Did you mean "description"? Allowed keys: name, description, tags, shareWithAccounts, modelCard, deployments, qualityGate, separationOfDuties, cardReviewerMustDiffer.',
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
    const [problem, ...others] = problemsOf(withDeployment({ instances: { type: 'm5.large' } }));
    expect(others).toEqual([]);
    expect(problem).toMatch(
      /^groups\[0\]\.deployments\[0\]\.instances\.type: "m5\.large" .*did you mean "ml\.m5\.large"/,
    );
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

  it('reads quality gates, separation of duties and the card gate', () => {
    const config = parseGovernanceConfig({
      groups: [
        {
          name: 'churn',
          separationOfDuties: true,
          qualityGate: {
            thresholds: [
              { metric: 'mse', atMost: 6 },
              { metric: 'auc', group: 'Evaluation: binary classification', atLeast: 0.8 },
              { metric: 'DPL Gender=0', absAtMost: 0.1 },
              { metric: 'mse', notWorseThanLive: { better: 'lower', margin: 0.5 } },
            ],
            liveEndpoint: 'churn-staging',
            autoApprove: true,
          },
          deployments: [{ endpointName: 'churn-staging', production: false, requireApprovedModelCard: true }],
        },
      ],
    });
    const group = config.groups[0];
    expect(group?.separationOfDuties).toBe(true);
    expect(group?.qualityGate).toEqual({
      thresholds: [
        { metric: 'mse', rule: { kind: 'at-most', value: 6 } },
        { metric: 'auc', group: 'Evaluation: binary classification', rule: { kind: 'at-least', value: 0.8 } },
        { metric: 'DPL Gender=0', rule: { kind: 'abs-at-most', value: 0.1 } },
        { metric: 'mse', rule: { kind: 'not-worse-than-live', better: 'lower', margin: 0.5 } },
      ],
      liveEndpoint: 'churn-staging',
      autoApprove: true,
    });
    expect(group?.deployments[0]).toMatchObject({ requireApprovedModelCard: true, production: false });
  });

  it('says what is wrong with a quality gate and how to fix it', () => {
    expect(
      problemsOf({
        groups: [
          {
            name: 'churn',
            qualityGate: {
              thresholds: [
                { metric: 'mse', atMost: 6, atLeast: 1 },
                { metric: 'auc' },
                { metric: 'r2', atLeast: 'high' },
                { metric: 'bias', absAtMost: -1 },
                { metric: 'mse', notWorseThanLive: { margin: -1 } },
              ],
              liveEndpoint: 'nowhere',
              autoApprove: true,
            },
            deployments: [{ endpointName: 'churn-prod' }],
          },
        ],
      }),
    ).toEqual([
      'groups[0].qualityGate.thresholds[0]: give exactly one of "atMost", "atLeast", "absAtMost", "notWorseThanLive" (found atMost and atLeast), e.g. { "metric": "auc", "atLeast": 0.8 }.',
      'groups[0].qualityGate.thresholds[1]: give exactly one of "atMost", "atLeast", "absAtMost", "notWorseThanLive", e.g. { "metric": "auc", "atLeast": 0.8 }.',
      'groups[0].qualityGate.thresholds[2].atLeast: must be a number, got "high".',
      'groups[0].qualityGate.thresholds[3].absAtMost: is -1; an absolute bound is 0 or more.',
      'groups[0].qualityGate.thresholds[4].notWorseThanLive.better: is required: say whether "lower" (errors such as mse) or "higher" (scores such as auc) is better.',
      'groups[0].qualityGate.thresholds[4].notWorseThanLive.margin: is -1; use 0 or a positive number.',
      'groups[0].qualityGate.liveEndpoint: "nowhere" is not one of this group\'s deployment targets (churn-prod); name one of them.',
      'groups[0].qualityGate.autoApprove: automatic approval is for non-production targets only, and "churn-prod" is production (the default); set "production": false on that target or turn autoApprove off.',
    ]);
    expect(problemsOf({ groups: [{ name: 'g', qualityGate: { thresholds: [] } }] })).toEqual([
      'groups[0].qualityGate.thresholds: must list at least one threshold, e.g. [{ "metric": "mse", "atMost": 6.0 }]; remove qualityGate to have no gate.',
    ]);
    expect(
      problemsOf({
        groups: [
          {
            name: 'g',
            qualityGate: { thresholds: [{ metric: 'mse', notWorseThanLive: { better: 'lower' } }] },
          },
        ],
      }),
    ).toEqual([
      'groups[0].qualityGate.thresholds: a "notWorseThanLive" threshold compares with the version an endpoint serves, but this group has no deployment targets; add one or remove the threshold.',
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

describe('slo', () => {
  it('takes the approval-to-serving objective in minutes', () => {
    expect(parseGovernanceConfig({ ...minimal, slo: { approvalToServingMinutes: 15 } }).slo).toEqual({
      approvalToServingMinutes: 15,
    });
  });
  it.each([
    [{ approvalToServingMinutes: 0 }, /slo.*approvalToServingMinutes/],
    [{ approvalToServingMinutes: 1.5 }, /slo.*approvalToServingMinutes/],
    [{ approvalToServingMinute: 30 }, /Did you mean "approvalToServingMinutes"/],
  ])('refuses %j, naming the field', (slo, message) => {
    expect(() => parseGovernanceConfig({ ...minimal, slo })).toThrow(message);
  });
});

describe('dataCapture', () => {
  it('takes a bucket of your own with a prefix, or the provisioned bucket with a retention', () => {
    expect(
      parseGovernanceConfig({ ...minimal, dataCapture: { bucket: 'ml-capture', prefix: 'c/q' } }).dataCapture,
    ).toEqual({
      bucket: 'ml-capture',
      prefix: 'c/q',
      retentionDays: 90,
    });
    expect(parseGovernanceConfig({ ...minimal, dataCapture: { retentionDays: 0 } }).dataCapture).toEqual({
      prefix: 'data-capture',
      retentionDays: 0,
    });
  });
  it.each([
    [{ bucket: 'Not_A_Bucket' }, 'dataCapture.bucket'],
    [{ prefix: '/leading' }, 'dataCapture.prefix'],
    [{ prefix: 'trailing/' }, 'dataCapture.prefix'],
    [{ prefix: 'a b' }, 'dataCapture.prefix'],
    [{ retentionDays: -1 }, 'dataCapture.retentionDays'],
    // The lifecycle of a bucket the configuration names is its owner's.
    [{ bucket: 'ml-capture', retentionDays: 30 }, 'dataCapture.retentionDays'],
    [{ bukket: 'ml-capture' }, 'dataCapture.bukket'],
  ])('refuses %j, naming %s', (dataCapture, path) => {
    expect(problemsOf({ ...minimal, dataCapture }).map((p) => p.split(':')[0])).toEqual([path]);
  });
});

describe('governanceRecord', () => {
  it('keeps the audit bucket without Object Lock unless asked; GOVERNANCE mode unless COMPLIANCE is named', () => {
    expect(parseGovernanceConfig(minimal).governanceRecord).toEqual({});
    expect(
      parseGovernanceConfig({ ...minimal, governanceRecord: { objectLock: { retentionDays: 2555 } } })
        .governanceRecord,
    ).toEqual({ objectLock: { mode: 'GOVERNANCE', retentionDays: 2555 } });
    expect(
      parseGovernanceConfig({
        ...minimal,
        governanceRecord: { objectLock: { mode: 'COMPLIANCE', retentionDays: 30 } },
      }).governanceRecord,
    ).toEqual({ objectLock: { mode: 'COMPLIANCE', retentionDays: 30 } });
  });
  it.each([
    [{ objectLock: {} }, 'governanceRecord.objectLock.retentionDays', 'is required'],
    [{ objectLock: { retentionDays: 0 } }, 'governanceRecord.objectLock.retentionDays', 'from 1 to 36500'],
    [{ objectLock: { retentionDays: 1.5 } }, 'governanceRecord.objectLock.retentionDays', 'whole number'],
    [
      { objectLock: { mode: 'governance', retentionDays: 7 } },
      'governanceRecord.objectLock.mode',
      'GOVERNANCE',
    ],
    [{ objectLock: { retentionDays: 7, years: 1 } }, 'governanceRecord.objectLock.years', ''],
    [{ objectLok: { retentionDays: 7 } }, 'governanceRecord.objectLok', ''],
  ])('refuses %j, naming %s', (governanceRecord, path, says) => {
    const problems = problemsOf({ ...minimal, governanceRecord });
    expect(problems.map((p) => p.split(':')[0])).toEqual([path]);
    expect(problems[0]).toContain(says);
  });
});

describe('tracing and chat notifications', () => {
  const slack = { workspaceId: 'T07EA123LEP', channelId: 'C07EZ1ABC23' };
  const teams = {
    teamId: '74361522-da01-538d-aa2e-ac7918c6bb92',
    tenantId: 'a1b2c3d4-0000-4000-8000-123456789abc',
    channelId: '19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2',
  };
  it('takes the tracing switch and a Slack and a Teams channel', () => {
    const config = parseGovernanceConfig({ ...minimal, tracing: true, notifications: { slack, teams } });
    expect(config.tracing).toBe(true);
    expect(config.notifications).toEqual({ slack, teams });
  });
  it('refuses each malformed id with the CloudFormation pattern it breaks, all at once', () => {
    expect(() =>
      parseGovernanceConfig({
        ...minimal,
        tracing: 'yes',
        notifications: {
          slack: { workspaceId: 't07ea123lep', channelId: '#ml-ops' },
          teams: { teamId: 'my-team', tenantId: teams.tenantId, channelId: 'General' },
        },
      }),
    ).toThrow(
      [
        'tracing: must be true or false, got "yes".',
        'notifications.slack.workspaceId: is "t07ea123lep"; use the workspace id the AWS Chatbot console shows: capital letters and digits, such as "T07EA123LEP".',
        'notifications.slack.channelId: is "#ml-ops"; use the channel id (Slack: channel details, at the bottom), letters and digits, such as "C07EZ1ABC23".',
        'notifications.teams.teamId: is "my-team"; use the team id the AWS Chatbot console shows, a UUID such as "74361522-da01-538d-aa2e-ac7918c6bb92".',
        'notifications.teams.channelId: is "General"; use the channel id as it appears, URL-encoded, in the channel\'s link, such as "19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2".',
      ].join('\n  - '),
    );
  });
  it('names a missing id and an unknown channel kind', () => {
    expect(() =>
      parseGovernanceConfig({ ...minimal, notifications: { slack: { workspaceId: 'T1' }, chime: {} } }),
    ).toThrow(
      /notifications\.chime: unknown key\..*Allowed keys: slack, teams\.[\s\S]*notifications\.slack\.channelId: is required/,
    );
  });
});
