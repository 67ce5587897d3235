/**
 * The JSON Schema, the configuration types and the parser cannot drift apart:
 * - the schema is what scripts/generate-config-schema.ts makes of core/config/input.ts (the types);
 * - the parser allows exactly the schema's keys at every level, requires its required fields,
 *   resolves its defaults, and accepts and refuses at its bounds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError, parseGovernanceConfig } from '../../../core/config/parse';
import { configSchema, SCHEMA_FILE } from '../../../scripts/generate-config-schema';

type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  $ref?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
};
type Json = Record<string, unknown>;

const schema = configSchema() as Schema & { definitions: Record<string, Schema> };
const resolve = (s: Schema): Schema =>
  s.$ref ? resolve(schema.definitions[s.$ref.replace('#/definitions/', '')] as Schema) : s;

/** A configuration using every object the schema describes (both variants of the unions). */
const full = (): Json => ({
  $schema: './governance.config.schema.json',
  archiveRetentionDays: 30,
  notificationEmails: ['ml@example.com'],
  modelArtifactBuckets: ['ml-models-111111111111'],
  modelArtifactKeyArns: ['arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
  registry: { account: '111111111111', region: 'eu-west-1' },
  stacks: 1,
  slo: { approvalToServingMinutes: 30 },
  tracing: true,
  dataCapture: { prefix: 'capture/requests', retentionDays: 30 },
  governanceRecord: { objectLock: { mode: 'COMPLIANCE', retentionDays: 2555 } },
  notifications: {
    slack: { workspaceId: 'T07EA123LEP', channelId: 'C07EZ1ABC23' },
    teams: {
      teamId: '74361522-da01-538d-aa2e-ac7918c6bb92',
      tenantId: 'a1b2c3d4-0000-4000-8000-123456789abc',
      channelId: '19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2',
    },
  },
  groups: [
    {
      name: 'churn',
      description: 'Churn',
      tags: { team: 'ml' },
      shareWithAccounts: ['222222222222'],
      modelCard: { owner: 'ml@example.com', riskRating: 'Low', pendingStatus: 'PendingReview' },
      separationOfDuties: true,
      qualityGate: {
        thresholds: [
          { metric: 'auc', group: 'Evaluation', notWorseThanLive: { better: 'higher', margin: 0.01 } },
        ],
        liveEndpoint: 'churn-a',
        autoApprove: false,
      },
      deployments: [
        {
          endpointName: 'churn-a',
          serve: { stage: 'Production', stageStatus: 'Approved' },
          instances: { type: 'ml.m5.large', count: 2 },
          strategy: { type: 'canary', canaryPercent: 10, waitMinutes: 5, terminationWaitMinutes: 5 },
          rollbackAlarms: { enabled: true, max5xxErrorsPerMinute: 5, maxModelLatencyMs: 1000 },
          whenNoneApproved: 'keep-serving',
          keepPreviousVersions: 2,
          dataCapturePercent: 10,
          requireApprovedModelCard: false,
          production: true,
          vpc: { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] },
          networkIsolation: true,
          volumeKmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
          dataCaptureKmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
          autoscaling: {
            minInstances: 1,
            maxInstances: 4,
            targetInvocationsPerInstance: 100,
            scaleInCooldownSeconds: 300,
            scaleOutCooldownSeconds: 60,
          },
          shadow: { samplingPercent: 50, minutes: 60, maxLatencyIncreasePercent: 10, maxErrorRatePercent: 1 },
          monitoring: {
            dataQuality: {
              scheduleExpression: 'cron(0 * ? * * *)',
              instanceType: 'ml.m5.xlarge',
              instanceCount: 1,
              volumeSizeInGB: 20,
              maxRuntimeInSeconds: 3600,
            },
            modelQuality: {
              scheduleExpression: 'cron(0 0 ? * * *)',
              groundTruthS3Uri: 's3://labels/churn-a',
              problemType: 'BinaryClassification',
              inferenceAttribute: '0',
              probabilityAttribute: '1',
              probabilityThresholdAttribute: 0.5,
              instanceType: 'ml.m5.xlarge',
              instanceCount: 1,
              volumeSizeInGB: 20,
              maxRuntimeInSeconds: 3600,
            },
            onViolation: 'hold',
            deployUnmonitored: false,
          },
        },
        {
          endpointName: 'churn-b',
          instances: { type: 'ml.m5.large', count: 1 },
          strategy: { type: 'linear', stepPercent: 20, waitMinutes: 5, terminationWaitMinutes: 5 },
          account: '333333333333',
        },
        { endpointName: 'churn-c', serverless: { memorySizeMb: 2048, maxConcurrency: 5 } },
      ],
    },
  ],
});

/** Every object of an instance with the schema that describes it and its path in parser terms. */
function objects(value: unknown, s: Schema, path: string): { obj: Json; schema: Schema; path: string }[] {
  const r = resolve(s);
  if (r.anyOf) {
    const variant = r.anyOf.map(resolve).find((v) => (v.type === 'object') === (typeof value === 'object'));
    return variant ? objects(value, variant, path) : [];
  }
  if (r.type === 'array' && Array.isArray(value) && r.items) {
    return value.flatMap((v, i) => objects(v, r.items as Schema, `${path}[${i}]`));
  }
  if (r.type === 'object' && r.properties && typeof value === 'object' && value !== null) {
    const obj = value as Json;
    const base = path === '(root)' ? '' : `${path}.`;
    return [
      { obj, schema: r, path },
      ...Object.entries(r.properties).flatMap(([k, p]) => objects(obj[k], p, `${base}${k}`)),
    ];
  }
  return [];
}

function problems(raw: unknown): string[] {
  try {
    parseGovernanceConfig(raw);
    return [];
  } catch (error) {
    if (error instanceof ConfigurationError) return [...error.problems];
    throw error;
  }
}

const sites = objects(full(), schema, '(root)');
const sitePaths = sites.map((s) => s.path);

it('governance.config.schema.json is generated from core/config/input.ts (run npm run generate:schema)', () => {
  expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(schema);
});

it('the full configuration is valid and reaches every object of the schema', () => {
  expect(problems(full())).toEqual([]);
  expect(sitePaths).toEqual(
    expect.arrayContaining([
      '(root)',
      'registry',
      'dataCapture',
      'governanceRecord',
      'governanceRecord.objectLock',
      'groups[0]',
      'groups[0].modelCard',
      'groups[0].qualityGate',
      'groups[0].qualityGate.thresholds[0]',
      'groups[0].qualityGate.thresholds[0].notWorseThanLive',
      'groups[0].deployments[0].serve',
      'groups[0].deployments[0].instances',
      'groups[0].deployments[0].strategy',
      'groups[0].deployments[0].rollbackAlarms',
      'groups[0].deployments[0].vpc',
      'groups[0].deployments[0].autoscaling',
      'groups[0].deployments[0].shadow',
      'groups[0].deployments[2].serverless',
    ]),
  );
  expect(new Set(sites.map((s) => s.schema))).toEqual(
    new Set([schema, ...Object.values(schema.definitions)].concat(sites.map((s) => s.schema))),
  );
});

it.each(sitePaths.map((p, i) => [p, i]))('%s: the parser allows exactly the schema keys', (_path, i) => {
  const raw = full();
  const site = objects(raw, schema, '(root)')[i as number];
  if (!site) throw new Error('no site');
  site.obj.zzUnknownKey = 1;
  const found = problems(raw).find((p) => p.includes('zzUnknownKey'));
  const allowed = /Allowed keys: (.*)\.$/.exec(found ?? '')?.[1]?.split(', ');
  expect(new Set(allowed)).toEqual(new Set(Object.keys(site.schema.properties ?? {})));
});

const required = sites.flatMap((s, i) => (s.schema.required ?? []).map((k) => [s.path, k, i] as const));
it.each(required)('%s.%s: required by the schema and by the parser', (path, key, i) => {
  const raw = full();
  const site = objects(raw, schema, '(root)')[i];
  if (!site) throw new Error('no site');
  delete site.obj[key];
  const at = path === '(root)' ? key : `${path}.${key}`;
  expect(problems(raw).some((p) => p.startsWith(`${at}:`) || p.startsWith(`${at}[`))).toBe(true);
});

const bounded = sites.flatMap((s, i) =>
  Object.entries(s.schema.properties ?? {})
    .filter(([k, p]) => s.obj[k] !== undefined && (p.minimum !== undefined || p.maximum !== undefined))
    .map(([k, p]) => [s.path, k, i, p.minimum, p.maximum] as const),
);
it.each(bounded)('%s.%s: the parser accepts and refuses at the schema bounds', (path, key, i, min, max) => {
  const at = path === '(root)' ? key : `${path}.${key}`;
  const attempt = (value: number) => {
    const raw = full();
    const site = objects(raw, schema, '(root)')[i];
    if (!site) throw new Error('no site');
    site.obj[key] = value;
    // Top-level fields are reported as "(root).<key>".
    return problems(raw).filter((p) => p.startsWith(`${at}:`) || p.startsWith(`(root).${at}:`));
  };
  for (const ok of [min, max]) if (ok !== undefined) expect(attempt(ok)).toEqual([]);
  if (min !== undefined) expect(attempt(min - 1)).not.toEqual([]);
  if (max !== undefined) expect(attempt(max + 1)).not.toEqual([]);
});

it('the defaults the schema states are the ones the parser resolves', () => {
  const minimal = (fill: boolean): Json => {
    const raw: Json = { groups: [{ name: 'g', deployments: [{ endpointName: 'g-ep' }] }] };
    if (!fill) return raw;
    for (const site of objects(raw, schema, '(root)')) {
      for (const [k, p] of Object.entries(site.schema.properties ?? {})) {
        if (site.obj[k] === undefined && resolve(p).default !== undefined) site.obj[k] = resolve(p).default;
        else if (site.obj[k] === undefined && p.default !== undefined) site.obj[k] = p.default;
      }
    }
    return raw;
  };
  const filled = minimal(true);
  expect(filled).not.toEqual(minimal(false));
  expect(JSON.stringify(filled)).toContain('"keepPreviousVersions":2');
  expect(parseGovernanceConfig(filled)).toEqual(parseGovernanceConfig(minimal(false)));
});

it('the sample configurations name the schema', () => {
  for (const [file, ref] of [
    ['governance.config.json', './governance.config.schema.json'],
    ['examples/multi-account.config.json', '../governance.config.schema.json'],
  ]) {
    const raw = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', file as string), 'utf8'));
    expect(raw.$schema).toBe(ref);
    expect(problems(raw)).toEqual([]);
  }
});
