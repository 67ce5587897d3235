import { comparesToLive, liveEndpointOf } from '../live-endpoint';
import { DEFAULT_APPROVAL_TO_SERVING_MINUTES } from '../operations';
import { didYouMean, nearest } from '../suggest';
import { INPUT_KEYS } from './input-keys';
import { ProcessingInstanceType, ProductionVariantInstanceType } from './service-enums.generated';
import { groupsByStack, MAX_GROUPS_PER_STACK, stacksNeeded } from './sharding';
import {
  type Autoscaling,
  type AwsEnvironment,
  type ChatChannels,
  type Compute,
  type DataQualityMonitor,
  type DeploymentStrategy,
  type DeploymentTarget,
  type GovernanceConfig,
  type MetricThreshold,
  MONITORING_PROBLEM_TYPES,
  type ModelCardDefaults,
  type ModelPackageGroupConfig,
  type ModelQualityMonitor,
  type Monitoring,
  type MonitoringJobResources,
  NONE_APPROVED_BEHAVIOURS,
  OBJECT_LOCK_MODES,
  PENDING_CARD_STATUSES,
  type QualityGate,
  RISK_RATINGS,
  type RollbackAlarms,
  type ShadowTest,
  STRATEGY_TYPES,
  type VersionSelector,
  VIOLATION_RESPONSES,
  type VpcPlacement,
} from './types';

/** SageMaker's EntityName pattern, shared by model package groups and endpoints (at most 63 characters). */
export const SAGEMAKER_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** EC2 ids: the prefix and 8 or 17 hex digits (the API reference's VpcConfig asks for "sg-xxxxxxxx"). */
const SUBNET_ID = /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/;
const SECURITY_GROUP_ID = /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/;

/** Thrown with every problem found, one per line, so a user fixes them all in one pass. */
export class ConfigurationError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid governance configuration (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

type Json = Record<string, unknown>;

/**
 * Walks the raw JSON and records problems with the path of the field they concern.
 * Every reader returns a usable value (the default) even on error, so one pass finds every problem.
 */
class Reader {
  readonly problems: string[] = [];

  problem(path: string, message: string): void {
    this.problems.push(`${path}: ${message}`);
  }

  object(value: unknown, path: string, allowed: readonly string[]): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.problem(path, `must be an object, got ${describe(value)}.`);
      return {};
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        const hint = didYouMean(key, allowed);
        this.problem(
          `${path}.${key}`,
          `unknown key.${hint ? ` Did you mean "${hint}"?` : ''} Allowed keys: ${allowed.join(', ')}.`,
        );
      }
    }
    return value as Json;
  }

  string(obj: Json, key: string, path: string, opts: { default?: string; max?: number } = {}): string {
    const value = obj[key];
    if (value === undefined) {
      if (opts.default === undefined) this.problem(`${path}.${key}`, 'is required: add it as a string.');
      return opts.default ?? '';
    }
    if (typeof value !== 'string') {
      this.problem(`${path}.${key}`, `must be a string, got ${describe(value)}.`);
      return opts.default ?? '';
    }
    if (opts.max !== undefined && value.length > opts.max) {
      this.problem(`${path}.${key}`, `is ${value.length} characters; shorten it to at most ${opts.max}.`);
    }
    return value;
  }

  optionalString(obj: Json, key: string, path: string, max = 4096): string | undefined {
    if (obj[key] === undefined) return undefined;
    return this.string(obj, key, path, { default: '', max });
  }

  integer(
    obj: Json,
    key: string,
    path: string,
    range: { default: number; min: number; max: number },
  ): number {
    const value = obj[key];
    if (value === undefined) return range.default;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.problem(`${path}.${key}`, `must be a whole number, got ${describe(value)}.`);
      return range.default;
    }
    if (value < range.min || value > range.max) {
      this.problem(`${path}.${key}`, `is ${value}; use a whole number from ${range.min} to ${range.max}.`);
    }
    return value;
  }

  boolean(obj: Json, key: string, path: string, fallback: boolean): boolean {
    const value = obj[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') {
      this.problem(`${path}.${key}`, `must be true or false, got ${describe(value)}.`);
      return fallback;
    }
    return value;
  }

  oneOf<T extends string>(obj: Json, key: string, path: string, allowed: readonly T[], fallback: T): T {
    const value = obj[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      const hint = typeof value === 'string' ? didYouMean(value, allowed) : undefined;
      this.problem(
        `${path}.${key}`,
        `is ${describe(value)};${hint ? ` did you mean "${hint}"?` : ''} use one of ${allowed.map((a) => `"${a}"`).join(', ')}.`,
      );
      return fallback;
    }
    return value as T;
  }

  array(obj: Json, key: string, path: string): unknown[] {
    const value = obj[key];
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.problem(`${path}.${key}`, `must be a list, got ${describe(value)}.`);
      return [];
    }
    return value;
  }
}

/**
 * Validates raw configuration JSON and resolves every default.
 * @param source where the JSON came from, named in the error message.
 * @throws ConfigurationError listing every problem found.
 */
export function parseGovernanceConfig(raw: unknown, source = 'configuration'): GovernanceConfig {
  const r = new Reader();
  const root = r.object(raw, '(root)', INPUT_KEYS.root);

  const notificationEmails = r.array(root, 'notificationEmails', 'notificationEmails').flatMap((e, i) => {
    if (typeof e === 'string' && EMAIL.test(e)) return [e];
    r.problem(
      `notificationEmails[${i}]`,
      `is ${describe(e)}; use an email address such as "ml-ops@example.com".`,
    );
    return [];
  });

  const modelArtifactBuckets = r
    .array(root, 'modelArtifactBuckets', 'modelArtifactBuckets')
    .flatMap((b, i) => {
      if (typeof b === 'string' && BUCKET_NAME.test(b)) return [b];
      r.problem(
        `modelArtifactBuckets[${i}]`,
        `is ${describe(b)}; use an S3 bucket name such as "ml-models-123456789012".`,
      );
      return [];
    });

  const modelArtifactKeyArns = r
    .array(root, 'modelArtifactKeyArns', 'modelArtifactKeyArns')
    .flatMap((k, i) => {
      if (typeof k === 'string' && KMS_KEY_ARN.test(k)) return [k];
      r.problem(
        `modelArtifactKeyArns[${i}]`,
        `is ${describe(k)}; use a KMS key ARN such as "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab".`,
      );
      return [];
    });
  const registry = root.registry === undefined ? undefined : readRegistry(r, root.registry, 'registry');

  const rawGroups = root.groups;
  if (!Array.isArray(rawGroups) || rawGroups.length === 0) {
    r.problem('groups', 'must list at least one model package group, e.g. [{ "name": "my-model" }].');
  }
  const groups = (Array.isArray(rawGroups) ? rawGroups : []).map((g, i) => readGroup(r, g, `groups[${i}]`));

  checkUnique(
    r,
    groups.map((g, i) => ({ key: g.name, path: `groups[${i}].name` })),
    (name) => `model package group "${name}" is declared twice; merge the two entries.`,
  );
  checkUnique(
    r,
    groups.flatMap((g, i) =>
      g.deployments.map((d, j) => ({
        key: d.endpointName,
        path: `groups[${i}].deployments[${j}].endpointName`,
      })),
    ),
    (name) =>
      `endpoint "${name}" is already the target of another deployment; each endpoint serves exactly one group and selector, so give this target its own endpoint name.`,
  );

  const config: GovernanceConfig = {
    archiveRetentionDays: r.integer(root, 'archiveRetentionDays', '(root)', {
      default: 365,
      min: 0,
      max: 36500,
    }),
    notificationEmails,
    modelArtifactBuckets,
    modelArtifactKeyArns,
    ...(registry ? { registry } : {}),
    stacks: r.integer(root, 'stacks', '(root)', { default: 1, min: 1, max: 50 }),
    slo: readSlo(r, root.slo),
    tracing: r.boolean(root, 'tracing', '(root)', false),
    notifications: readChatChannels(r, root.notifications),
    dataCapture: readDataCapture(r, root.dataCapture),
    governanceRecord: readGovernanceRecord(r, root.governanceRecord),
    groups,
  };
  checkAccounts(r, config);
  checkKeyRegions(r, config);
  checkStackSizes(r, config);
  if (r.problems.length > 0) throw new ConfigurationError(source, r.problems);
  return config;
}

export const DATA_CAPTURE_DEFAULTS = { prefix: 'data-capture', retentionDays: 90 } as const;
/** S3 key characters safe in a URI without encoding (S3 user guide, "Naming Amazon S3 objects"). */
const KEY_PREFIX = /^[a-zA-Z0-9_.-]+(\/[a-zA-Z0-9_.-]+)*$/;

/**
 * The capture destination. DestinationS3Uri is at most 512 characters (API reference,
 * DataCaptureConfig) and the reconciler appends "/<endpointName>" (at most 63 more), so the prefix
 * stays well short of it.
 */
function readDataCapture(r: Reader, raw: unknown): GovernanceConfig['dataCapture'] {
  const path = 'dataCapture';
  const o = raw === undefined ? {} : r.object(raw, path, INPUT_KEYS.dataCapture);
  const bucket = r.optionalString(o, 'bucket', path);
  if (bucket !== undefined && !BUCKET_NAME.test(bucket))
    r.problem(`${path}.bucket`, `is "${bucket}"; use an S3 bucket name such as "ml-capture-123456789012".`);
  const prefix = r.string(o, 'prefix', path, { default: DATA_CAPTURE_DEFAULTS.prefix, max: 256 });
  if (!KEY_PREFIX.test(prefix))
    r.problem(
      `${path}.prefix`,
      `is "${prefix}"; use letters, digits, "_", "." and "-" in segments separated by "/", with no leading or trailing "/", such as "data-capture".`,
    );
  const retentionDays = r.integer(o, 'retentionDays', path, {
    default: DATA_CAPTURE_DEFAULTS.retentionDays,
    min: 0,
    max: 36500,
  });
  if (bucket !== undefined && o.retentionDays !== undefined)
    r.problem(
      `${path}.retentionDays`,
      `sets the expiry of the bucket the app provisions, but "bucket" names your own (${bucket}), whose lifecycle rules are yours; remove retentionDays or bucket.`,
    );
  return { ...(bucket !== undefined ? { bucket } : {}), prefix, retentionDays };
}

function readGovernanceRecord(r: Reader, raw: unknown): GovernanceConfig['governanceRecord'] {
  const path = 'governanceRecord';
  const o = raw === undefined ? {} : r.object(raw, path, INPUT_KEYS.governanceRecord);
  if (o.objectLock === undefined) return {};
  const lockPath = `${path}.objectLock`;
  const lock = r.object(o.objectLock, lockPath, INPUT_KEYS.objectLock);
  const mode = r.oneOf(lock, 'mode', lockPath, OBJECT_LOCK_MODES, 'GOVERNANCE');
  if (lock.retentionDays === undefined) {
    r.problem(
      `${lockPath}.retentionDays`,
      'is required: say how many days each object version is retained, such as 2555 (seven years).',
    );
    return {};
  }
  const retentionDays = r.integer(lock, 'retentionDays', lockPath, { default: 1, min: 1, max: 36500 });
  return { objectLock: { mode, retentionDays } };
}

function readSlo(r: Reader, raw: unknown): GovernanceConfig['slo'] {
  const slo = raw === undefined ? {} : r.object(raw, 'slo', INPUT_KEYS.slo);
  return {
    approvalToServingMinutes: r.integer(slo, 'approvalToServingMinutes', 'slo', {
      default: DEFAULT_APPROVAL_TO_SERVING_MINUTES,
      min: 1,
      max: 10080,
    }),
  };
}

/**
 * Chat channels. Each id is held to the pattern of its property in the CloudFormation resource schema
 * (AWS::Chatbot::SlackChannelConfiguration SlackWorkspaceId and SlackChannelId;
 * AWS::Chatbot::MicrosoftTeamsChannelConfiguration TeamId, TeamsTenantId and TeamsChannelId), so a
 * typo fails at synth, not halfway through a deployment.
 */
function readChatChannels(r: Reader, raw: unknown): ChatChannels {
  if (raw === undefined) return {};
  const o = r.object(raw, 'notifications', INPUT_KEYS.notifications);
  const id = (obj: Json, key: string, path: string, pattern: RegExp, example: string): string => {
    const value = r.string(obj, key, path);
    if (value && !pattern.test(value)) r.problem(`${path}.${key}`, `is "${value}"; ${example}`);
    return value;
  };
  const uuid = /^[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$/;
  let slack: ChatChannels['slack'];
  if (o.slack !== undefined) {
    const s = r.object(o.slack, 'notifications.slack', INPUT_KEYS.slack);
    const path = 'notifications.slack';
    slack = {
      workspaceId: id(
        s,
        'workspaceId',
        path,
        /^[0-9A-Z]{1,255}$/,
        'use the workspace id the AWS Chatbot console shows: capital letters and digits, such as "T07EA123LEP".',
      ),
      channelId: id(
        s,
        'channelId',
        path,
        /^[A-Za-z0-9]{1,256}$/,
        'use the channel id (Slack: channel details, at the bottom), letters and digits, such as "C07EZ1ABC23".',
      ),
    };
  }
  let teams: ChatChannels['teams'];
  if (o.teams !== undefined) {
    const t = r.object(o.teams, 'notifications.teams', INPUT_KEYS.teams);
    const path = 'notifications.teams';
    teams = {
      teamId: id(
        t,
        'teamId',
        path,
        uuid,
        'use the team id the AWS Chatbot console shows, a UUID such as "74361522-da01-538d-aa2e-ac7918c6bb92".',
      ),
      tenantId: id(
        t,
        'tenantId',
        path,
        uuid,
        'use the tenant id the AWS Chatbot console shows, a UUID such as "a1b2c3d4-0000-4000-8000-123456789abc".',
      ),
      channelId: id(
        t,
        'channelId',
        path,
        /^([a-zA-Z0-9-_=+/.,])*%3[aA]([a-zA-Z0-9-_=+/.,])*%40([a-zA-Z0-9-_=+/.,])*$/,
        'use the channel id as it appears, URL-encoded, in the channel\'s link, such as "19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2".',
      ),
    };
    if (teams.channelId.length > 256)
      r.problem(
        `${path}.channelId`,
        `is ${teams.channelId.length} characters; a Teams channel id is at most 256.`,
      );
  }
  return { ...(slack ? { slack } : {}), ...(teams ? { teams } : {}) };
}

function readRegistry(r: Reader, raw: unknown, path: string): AwsEnvironment {
  const o = r.object(raw, path, INPUT_KEYS.environment);
  const account = r.string(o, 'account', path);
  if (account && !ACCOUNT_ID.test(account))
    r.problem(`${path}.account`, `is "${account}"; an AWS account id is 12 digits, as a string.`);
  const region = r.string(o, 'region', path);
  if (region && !REGION.test(region))
    r.problem(`${path}.region`, `is "${region}"; use a region code such as "eu-west-1".`);
  return { account, region };
}

/** Refuses a split that would put more groups in one stack than CloudFormation's limits allow. */
function checkStackSizes(r: Reader, config: GovernanceConfig): void {
  const counts = groupsByStack(config).map((g) => g.length);
  const fullest = Math.max(...counts);
  if (fullest <= MAX_GROUPS_PER_STACK) return;
  const needed = stacksNeeded(config.groups.map((g) => g.name));
  r.problem(
    'stacks',
    `${config.stacks === 1 ? 'is 1 (the default), so' : `is ${config.stacks}, so`} one stack would hold ${fullest} groups; CloudFormation allows 500 resources and 1 MB per stack, which about ${MAX_GROUPS_PER_STACK} groups fill. Set "stacks": ${needed} to split the ${config.groups.length} groups over ${needed} stacks.`,
  );
}

/**
 * A KMS key encrypts only in its own region, and the endpoints live in the registry's region: a key
 * elsewhere fails CreateEndpointConfig (or the first capture) long after deploy time, so refuse it here.
 * Without `registry` the stack is environment-agnostic and the region is not known until deploy.
 */
function checkKeyRegions(r: Reader, config: GovernanceConfig): void {
  const region = config.registry?.region;
  if (!region) return;
  config.groups.forEach((g, i) => {
    g.deployments.forEach((d, j) => {
      for (const key of ['volumeKmsKeyArn', 'dataCaptureKmsKeyArn'] as const) {
        const arn = d[key];
        const keyRegion = arn?.split(':')[3];
        if (arn && keyRegion !== region) {
          r.problem(
            `groups[${i}].deployments[${j}].${key}`,
            `is a key in ${keyRegion}, but the endpoint is in the registry's region ${region}; KMS keys cannot be used across regions, so use a key in ${region}.`,
          );
        }
      }
    });
  });
}

/** Targets in other accounts need the registry's account, and what cannot cross accounts is refused. */
function checkAccounts(r: Reader, config: GovernanceConfig): void {
  config.groups.forEach((g, i) => {
    const liveName = liveEndpointOf(g);
    const live = g.deployments.find((d) => d.endpointName === liveName);
    if (live?.account && live.account !== config.registry?.account) {
      r.problem(
        `groups[${i}].qualityGate.liveEndpoint`,
        `"${liveName}" is in account ${live.account}, where the quality gate (in the registry account) cannot read it; name a target in the registry account as liveEndpoint, or drop "notWorseThanLive".`,
      );
    }
    g.deployments.forEach((d, j) => {
      if (d.account === undefined) return;
      const path = `groups[${i}].deployments[${j}]`;
      if (!config.registry) {
        r.problem(
          `${path}.account`,
          'a target in another account needs the registry\'s own account and region: add "registry": { "account": "…", "region": "…" } at the top level.',
        );
        return;
      }
    });
  });
}

function readGroup(r: Reader, raw: unknown, path: string): ModelPackageGroupConfig {
  const g = r.object(raw, path, INPUT_KEYS.group);
  const name = r.string(g, 'name', path);
  if (name && !SAGEMAKER_NAME_PATTERN.test(name)) {
    r.problem(
      `${path}.name`,
      `"${name}" is not a valid SageMaker name; use 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit.`,
    );
  }
  const shareWithAccounts = r.array(g, 'shareWithAccounts', path).flatMap((a, i) => {
    if (typeof a === 'string' && ACCOUNT_ID.test(a)) return [a];
    r.problem(
      `${path}.shareWithAccounts[${i}]`,
      `is ${describe(a)}; an AWS account id is 12 digits, as a string.`,
    );
    return [];
  });
  checkUnique(
    r,
    shareWithAccounts.map((a, i) => ({ key: a, path: `${path}.shareWithAccounts[${i}]` })),
    (a) => `account ${a} is listed twice; remove the duplicate.`,
  );
  const deployments = r
    .array(g, 'deployments', path)
    .map((d, j) => readDeployment(r, d, `${path}.deployments[${j}]`));
  return {
    name,
    description: r.string(g, 'description', path, {
      default: `Governed by model-governance: ${name}`,
      max: 1024,
    }),
    tags: readTags(r, g.tags, `${path}.tags`),
    shareWithAccounts,
    modelCard: readModelCard(r, g.modelCard ?? {}, `${path}.modelCard`),
    deployments,
    ...(g.qualityGate === undefined
      ? {}
      : { qualityGate: readQualityGate(r, g.qualityGate, `${path}.qualityGate`, deployments) }),
    separationOfDuties: r.boolean(g, 'separationOfDuties', path, false),
    cardReviewerMustDiffer: r.boolean(
      g,
      'cardReviewerMustDiffer',
      path,
      deployments.some((d) => d.requireApprovedModelCard),
    ),
  };
}

const RULE_KEYS = ['atMost', 'atLeast', 'absAtMost', 'notWorseThanLive'] as const;

function readQualityGate(
  r: Reader,
  raw: unknown,
  path: string,
  deployments: readonly DeploymentTarget[],
): QualityGate {
  const q = r.object(raw, path, INPUT_KEYS.qualityGate);
  const thresholds = r
    .array(q, 'thresholds', path)
    .map((t, i) => readThreshold(r, t, `${path}.thresholds[${i}]`));
  if (thresholds.length === 0) {
    r.problem(
      `${path}.thresholds`,
      'must list at least one threshold, e.g. [{ "metric": "mse", "atMost": 6.0 }]; remove qualityGate to have no gate.',
    );
  }
  const liveEndpoint = r.optionalString(q, 'liveEndpoint', path, 63);
  if (liveEndpoint !== undefined && !deployments.some((d) => d.endpointName === liveEndpoint)) {
    r.problem(
      `${path}.liveEndpoint`,
      `"${liveEndpoint}" is not one of this group's deployment targets (${deployments.map((d) => d.endpointName).join(', ') || 'none'}); name one of them.`,
    );
  }
  if (comparesToLive({ thresholds }) && deployments.length === 0) {
    r.problem(
      `${path}.thresholds`,
      'a "notWorseThanLive" threshold compares with the version an endpoint serves, but this group has no deployment targets; add one or remove the threshold.',
    );
  }
  const autoApprove = r.boolean(q, 'autoApprove', path, false);
  if (autoApprove) {
    const production = deployments.filter((d) => d.production).map((d) => d.endpointName);
    if (production.length > 0) {
      r.problem(
        `${path}.autoApprove`,
        `automatic approval is for non-production targets only, and ${production.map((e) => `"${e}"`).join(', ')} ${production.length === 1 ? 'is' : 'are'} production (the default); set "production": false on ${production.length === 1 ? 'that target' : 'those targets'} or turn autoApprove off.`,
      );
    }
  }
  return {
    thresholds,
    ...(liveEndpoint !== undefined ? { liveEndpoint } : {}),
    autoApprove,
  };
}

function readThreshold(r: Reader, raw: unknown, path: string): MetricThreshold {
  const t = r.object(raw, path, INPUT_KEYS.threshold);
  const metric = r.string(t, 'metric', path, { max: 256 });
  const group = r.optionalString(t, 'group', path, 256);
  const given = RULE_KEYS.filter((k) => t[k] !== undefined);
  if (given.length !== 1) {
    r.problem(
      path,
      `give exactly one of ${RULE_KEYS.map((k) => `"${k}"`).join(', ')}${given.length > 1 ? ` (found ${given.join(' and ')})` : ''}, e.g. { "metric": "auc", "atLeast": 0.8 }.`,
    );
    return { metric, ...(group ? { group } : {}), rule: { kind: 'at-most', value: 0 } };
  }
  const key = given[0] as (typeof RULE_KEYS)[number];
  if (key === 'notWorseThanLive') {
    const n = r.object(t.notWorseThanLive, `${path}.notWorseThanLive`, INPUT_KEYS.notWorseThanLive);
    const better = r.oneOf(n, 'better', `${path}.notWorseThanLive`, ['lower', 'higher'] as const, 'lower');
    if (n.better === undefined) {
      r.problem(
        `${path}.notWorseThanLive.better`,
        'is required: say whether "lower" (errors such as mse) or "higher" (scores such as auc) is better.',
      );
    }
    const margin = readNumber(r, n, 'margin', `${path}.notWorseThanLive`, 0);
    if (margin < 0) r.problem(`${path}.notWorseThanLive.margin`, `is ${margin}; use 0 or a positive number.`);
    return { metric, ...(group ? { group } : {}), rule: { kind: 'not-worse-than-live', better, margin } };
  }
  const value = readNumber(r, t, key, path, undefined);
  if (key === 'absAtMost' && value < 0)
    r.problem(`${path}.absAtMost`, `is ${value}; an absolute bound is 0 or more.`);
  const kind = key === 'atMost' ? 'at-most' : key === 'atLeast' ? 'at-least' : 'abs-at-most';
  return { metric, ...(group ? { group } : {}), rule: { kind, value } };
}

function readNumber(r: Reader, obj: Json, key: string, path: string, fallback: number | undefined): number {
  const value = obj[key];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    r.problem(`${path}.${key}`, `must be a number, got ${describe(value)}.`);
    return fallback ?? 0;
  }
  return value;
}

function readTags(r: Reader, raw: unknown, path: string): Record<string, string> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    r.problem(path, `must be an object of key/value strings, got ${describe(raw)}.`);
    return {};
  }
  const entries = Object.entries(raw);
  if (entries.length > 50) r.problem(path, `has ${entries.length} tags; SageMaker allows at most 50.`);
  const tags: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 128 || key.toLowerCase().startsWith('aws:')) {
      r.problem(`${path}.${key}`, 'tag keys are 1 to 128 characters and cannot start with "aws:".');
    }
    if (typeof value !== 'string' || value.length > 256) {
      r.problem(
        `${path}.${key}`,
        `tag values are strings of at most 256 characters, got ${describe(value)}.`,
      );
      continue;
    }
    tags[key] = value;
  }
  return tags;
}

function readModelCard(r: Reader, raw: unknown, path: string): ModelCardDefaults {
  const c = r.object(raw, path, INPUT_KEYS.modelCard);
  return {
    owner: r.optionalString(c, 'owner', path, 1024),
    riskRating: r.oneOf(c, 'riskRating', path, RISK_RATINGS, 'Unknown'),
    purpose: r.optionalString(c, 'purpose', path, 2048),
    intendedUses: r.optionalString(c, 'intendedUses', path, 2048),
    factorsAffectingEfficiency: r.optionalString(c, 'factorsAffectingEfficiency', path, 2048),
    riskRatingExplanation: r.optionalString(c, 'riskRatingExplanation', path, 4096),
    businessProblem: r.optionalString(c, 'businessProblem', path, 2048),
    businessStakeholders: r.optionalString(c, 'businessStakeholders', path, 2048),
    lineOfBusiness: r.optionalString(c, 'lineOfBusiness', path, 2048),
    pendingStatus: r.oneOf(c, 'pendingStatus', path, PENDING_CARD_STATUSES, 'Draft'),
  };
}

function readDeployment(r: Reader, raw: unknown, path: string): DeploymentTarget {
  const d = r.object(raw, path, INPUT_KEYS.deployment);
  const endpointName = r.string(d, 'endpointName', path);
  if (endpointName && !SAGEMAKER_NAME_PATTERN.test(endpointName)) {
    r.problem(
      `${path}.endpointName`,
      `"${endpointName}" is not a valid SageMaker endpoint name; use 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit.`,
    );
  }
  const compute = readCompute(r, d, path);
  const strategy = readStrategy(r, d.strategy, `${path}.strategy`);
  if (compute.kind === 'serverless' && strategy.kind !== 'all-at-once') {
    r.problem(
      `${path}.strategy.type`,
      `"${strategy.kind}" traffic shifting needs instances; serverless endpoints update all at once. Use "all-at-once" or give the target "instances".`,
    );
  }
  const rollbackAlarms = readRollbackAlarms(r, d.rollbackAlarms, `${path}.rollbackAlarms`);
  if (compute.kind === 'serverless' && rollbackAlarms.enabled) {
    r.problem(
      `${path}.rollbackAlarms.enabled`,
      'alarm-driven rollback needs a blue/green deployment on instances; serverless endpoints do not support it. Set it to false.',
    );
  }
  const dataCapturePercent = r.integer(d, 'dataCapturePercent', path, { default: 0, min: 0, max: 100 });
  const volumeKmsKeyArn = readKeyArn(r, d, 'volumeKmsKeyArn', path);
  const dataCaptureKmsKeyArn = readKeyArn(r, d, 'dataCaptureKmsKeyArn', path);
  if (dataCaptureKmsKeyArn && dataCapturePercent === 0) {
    r.problem(
      `${path}.dataCaptureKmsKeyArn`,
      'encrypts captured data, but dataCapturePercent is 0 (no capture); set dataCapturePercent above 0 or remove the key.',
    );
  }
  // SageMaker developer guide, Serverless Inference, "Feature exclusions": VPC configuration and
  // network isolation are not supported on serverless endpoints.
  for (const key of ['vpc', 'networkIsolation'] as const) {
    if (compute.kind === 'serverless' && d[key] !== undefined && d[key] !== false) {
      r.problem(
        `${path}.${key}`,
        'serverless endpoints support neither VPC configuration nor network isolation (SageMaker Serverless Inference, feature exclusions); remove it or give the target "instances".',
      );
    }
  }
  const autoscaling =
    d.autoscaling === undefined
      ? undefined
      : readAutoscaling(r, d.autoscaling, `${path}.autoscaling`, compute);
  const shadow = d.shadow === undefined ? undefined : readShadow(r, d.shadow, `${path}.shadow`, compute);
  const monitoring =
    d.monitoring === undefined
      ? undefined
      : readMonitoring(r, d.monitoring, `${path}.monitoring`, { compute, dataCapturePercent, path });
  return {
    endpointName,
    serve: readSelector(r, d.serve, `${path}.serve`),
    compute,
    strategy,
    rollbackAlarms,
    whenNoneApproved: r.oneOf(d, 'whenNoneApproved', path, NONE_APPROVED_BEHAVIOURS, 'keep-serving'),
    keepPreviousVersions: r.integer(d, 'keepPreviousVersions', path, { default: 2, min: 0, max: 50 }),
    dataCapturePercent,
    requireApprovedModelCard: r.boolean(d, 'requireApprovedModelCard', path, false),
    production: r.boolean(d, 'production', path, true),
    ...readTargetAccount(r, d, path),
    ...(d.vpc === undefined ? {} : { vpc: readVpc(r, d.vpc, `${path}.vpc`) }),
    networkIsolation: r.boolean(d, 'networkIsolation', path, false),
    ...(volumeKmsKeyArn ? { volumeKmsKeyArn } : {}),
    ...(dataCaptureKmsKeyArn ? { dataCaptureKmsKeyArn } : {}),
    ...(autoscaling ? { autoscaling } : {}),
    ...(shadow ? { shadow } : {}),
    ...(monitoring ? { monitoring } : {}),
  };
}

/**
 * SageMaker's monitoring schedules take only these cron forms (API reference, ScheduleConfig;
 * developer guide, "The cron expression for monitoring schedule"): hourly `cron(0 * ? * * *)`, daily
 * `cron(0 [00-23] ? * * *)`, and every N hours from an hour `cron(0 [00-23]/[01-24] ? * * *)`. The
 * `NOW` keyword runs once, over a window given with the schedule, which a monitor that follows every
 * new version has no use for; rate() expressions are EventBridge's, not Model Monitor's.
 */
const MONITORING_CRON = /^cron\(0 (\*|([01]?\d|2[0-3])(\/(0?[1-9]|1\d|2[0-4]))?) \? \* \* \*\)$/;
const S3_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/;

function readMonitoring(
  r: Reader,
  raw: unknown,
  path: string,
  target: { compute: Compute; dataCapturePercent: number; path: string },
): Monitoring {
  const m = r.object(raw, path, INPUT_KEYS.monitoring);
  if (m.dataQuality === undefined && m.modelQuality === undefined) {
    r.problem(path, 'monitors nothing: add "dataQuality", "modelQuality" or both, or remove monitoring.');
  }
  // SageMaker developer guide, Serverless Inference, "Feature exclusions": data capture and Model
  // Monitor are not supported on serverless endpoints.
  if (target.compute.kind === 'serverless') {
    r.problem(
      path,
      'SageMaker Model Monitor does not support serverless endpoints (Serverless Inference, feature exclusions); remove monitoring or give the target "instances".',
    );
  } else if (target.dataCapturePercent === 0) {
    // A monitor reads what the endpoint captures: without capture it has nothing to look at.
    r.problem(
      path,
      `monitors the requests the endpoint captures, but ${target.path}.dataCapturePercent is 0 (no capture); set "dataCapturePercent" (1 to 100, such as 100) on the target.`,
    );
  }
  const dataQuality =
    m.dataQuality === undefined ? undefined : readDataQuality(r, m.dataQuality, `${path}.dataQuality`);
  const modelQuality =
    m.modelQuality === undefined ? undefined : readModelQuality(r, m.modelQuality, `${path}.modelQuality`);
  return {
    ...(dataQuality ? { dataQuality } : {}),
    ...(modelQuality ? { modelQuality } : {}),
    onViolation: r.oneOf(m, 'onViolation', path, VIOLATION_RESPONSES, 'notify'),
    deployUnmonitored: r.boolean(m, 'deployUnmonitored', path, false),
  };
}

function readSchedule(r: Reader, o: Json, path: string): string {
  if (o.scheduleExpression === undefined) {
    r.problem(
      `${path}.scheduleExpression`,
      'is required: when the monitor runs, such as "cron(0 * ? * * *)" (hourly).',
    );
    return '';
  }
  const expression = r.string(o, 'scheduleExpression', path);
  if (expression && !MONITORING_CRON.test(expression)) {
    r.problem(
      `${path}.scheduleExpression`,
      `is "${expression}", which SageMaker monitoring schedules do not take; use "cron(0 * ? * * *)" (hourly), "cron(0 H ? * * *)" (daily at hour H UTC, such as "cron(0 0 ? * * *)") or "cron(0 H/N ? * * *)" (every N hours from hour H, such as "cron(0 0/6 ? * * *)").`,
    );
  }
  return expression;
}

function readJobResources(r: Reader, o: Json, path: string): MonitoringJobResources {
  const instanceType = r.string(o, 'instanceType', path, { default: 'ml.m5.xlarge' });
  // The service model's ProcessingInstanceType: what a monitoring job's cluster accepts.
  if (!(ProcessingInstanceType as readonly string[]).includes(instanceType)) {
    const near = nearest(instanceType, ProcessingInstanceType, 2).map((t) => `"${t}"`);
    r.problem(
      `${path}.instanceType`,
      `"${instanceType}" is not an instance type SageMaker monitoring jobs offer; did you mean ${near.join(' or ')}? (SageMaker API reference, MonitoringClusterConfig InstanceType.)`,
    );
  }
  return {
    instanceType,
    // MonitoringClusterConfig and StoppingCondition ranges (botocore service model).
    instanceCount: r.integer(o, 'instanceCount', path, { default: 1, min: 1, max: 100 }),
    volumeSizeInGB: r.integer(o, 'volumeSizeInGB', path, { default: 20, min: 1, max: 16384 }),
    maxRuntimeInSeconds: r.integer(o, 'maxRuntimeInSeconds', path, { default: 3600, min: 1, max: 86400 }),
  };
}

function readDataQuality(r: Reader, raw: unknown, path: string): DataQualityMonitor {
  const o = r.object(raw, path, INPUT_KEYS.dataQuality);
  return { scheduleExpression: readSchedule(r, o, path), ...readJobResources(r, o, path) };
}

function readModelQuality(r: Reader, raw: unknown, path: string): ModelQualityMonitor {
  const o = r.object(raw, path, INPUT_KEYS.modelQuality);
  const scheduleExpression = readSchedule(r, o, path);
  let groundTruthS3Uri = '';
  if (o.groundTruthS3Uri === undefined) {
    r.problem(
      `${path}.groundTruthS3Uri`,
      'is required: a model quality monitor compares predictions with ground-truth labels; give the S3 URI your labelling process uploads them to, such as "s3://labels/churn-prod".',
    );
  } else {
    groundTruthS3Uri = r.string(o, 'groundTruthS3Uri', path);
    if (groundTruthS3Uri && !S3_URI.test(groundTruthS3Uri)) {
      r.problem(
        `${path}.groundTruthS3Uri`,
        `is "${groundTruthS3Uri}"; use an S3 URI such as "s3://labels/churn-prod".`,
      );
    }
  }
  if (o.problemType === undefined) {
    r.problem(
      `${path}.problemType`,
      `is required: use one of ${MONITORING_PROBLEM_TYPES.map((t) => `"${t}"`).join(', ')}.`,
    );
  }
  const problemType = r.oneOf(o, 'problemType', path, MONITORING_PROBLEM_TYPES, 'BinaryClassification');
  if (o.inferenceAttribute === undefined) {
    r.problem(
      `${path}.inferenceAttribute`,
      'is required: the attribute of the model\'s output holding the prediction (for CSV output, the column index such as "0").',
    );
  }
  const inferenceAttribute =
    o.inferenceAttribute === undefined ? '' : r.string(o, 'inferenceAttribute', path);
  const probabilityAttribute = r.optionalString(o, 'probabilityAttribute', path, 256);
  let probabilityThresholdAttribute: number | undefined;
  const threshold = o.probabilityThresholdAttribute;
  if (threshold !== undefined) {
    if (typeof threshold !== 'number' || threshold < 0 || threshold > 1) {
      r.problem(
        `${path}.probabilityThresholdAttribute`,
        `is ${describe(threshold)}; use a probability from 0 to 1, such as 0.5.`,
      );
    } else probabilityThresholdAttribute = threshold;
  }
  if (problemType === 'Regression') {
    for (const key of ['probabilityAttribute', 'probabilityThresholdAttribute']) {
      if (o[key] !== undefined)
        r.problem(
          `${path}.${key}`,
          'applies to classification; a Regression model has no probability. Remove it.',
        );
    }
  } else if (problemType === 'MulticlassClassification' && threshold !== undefined) {
    r.problem(
      `${path}.probabilityThresholdAttribute`,
      'applies to BinaryClassification only: a multiclass prediction is its most probable class. Remove it.',
    );
  }
  return {
    scheduleExpression,
    groundTruthS3Uri,
    problemType,
    inferenceAttribute,
    ...(probabilityAttribute !== undefined ? { probabilityAttribute } : {}),
    ...(probabilityThresholdAttribute !== undefined ? { probabilityThresholdAttribute } : {}),
    ...readJobResources(r, o, path),
  };
}

/**
 * A shadow test runs as a SageMaker inference experiment, whose variants are real-time instances
 * (CreateInferenceExperiment ModelVariants[].InfrastructureConfig: RealTimeInference with
 * InstanceType and InstanceCount), for at most 30 days (developer guide, "Create a shadow test":
 * "The default duration is 7 days and the maximum is 30 days"; API reference,
 * InferenceExperimentSchedule: "The maximum duration that you can set for an inference experiment
 * is 30 days"). The developer guide gives an hour as the least; the API reference states no
 * minimum, so an hour is required here, which is valid whichever of them the service enforces
 * (docs/fidelity.md). SamplingPercentage is at most 100 (API reference,
 * ShadowModelVariantConfig), and 0 would copy nothing to test.
 */
function readShadow(r: Reader, raw: unknown, path: string, compute: Compute): ShadowTest {
  const s = r.object(raw, path, INPUT_KEYS.shadow);
  if (s.minutes === undefined)
    r.problem(
      `${path}.minutes`,
      'is required: how many minutes the shadow test runs (60 to 43200: an hour to 30 days).',
    );
  if (compute.kind === 'serverless') {
    r.problem(
      path,
      'a shadow test runs the new version on real-time instances beside the live one (SageMaker inference experiments); serverless endpoints cannot take one. Remove shadow or give the target "instances".',
    );
  }
  return {
    samplingPercent: r.integer(s, 'samplingPercent', path, { default: 100, min: 1, max: 100 }),
    minutes: r.integer(s, 'minutes', path, { default: 60, min: 60, max: 43_200 }),
    maxLatencyIncreasePercent: r.integer(s, 'maxLatencyIncreasePercent', path, {
      default: 10,
      min: 0,
      max: 1000,
    }),
    maxErrorRatePercent: r.integer(s, 'maxErrorRatePercent', path, { default: 1, min: 0, max: 100 }),
  };
}

function readKeyArn(r: Reader, d: Json, key: string, path: string): string | undefined {
  if (d[key] === undefined) return undefined;
  const arn = d[key];
  if (typeof arn !== 'string' || !KMS_KEY_ARN.test(arn)) {
    r.problem(
      `${path}.${key}`,
      `is ${describe(arn)}; use a KMS key ARN such as "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab" (not a key id or alias: IAM grants the model's role the key by its ARN).`,
    );
    return undefined;
  }
  return arn;
}

/** VpcConfig: 1 to 16 subnets, 1 to 5 security groups (SageMaker API reference, VpcConfig). */
function readVpc(r: Reader, raw: unknown, path: string): VpcPlacement {
  const v = r.object(raw, path, INPUT_KEYS.vpc);
  const ids = (key: 'subnetIds' | 'securityGroupIds', shape: RegExp, example: string, max: number) => {
    if (v[key] === undefined)
      r.problem(`${path}.${key}`, `is required: list 1 to ${max} ids such as "${example}".`);
    const list = r.array(v, key, path);
    if (v[key] !== undefined && (list.length < 1 || list.length > max)) {
      r.problem(`${path}.${key}`, `has ${list.length} ids; SageMaker takes 1 to ${max}.`);
    }
    const valid = list.flatMap((id, i) => {
      if (typeof id === 'string' && shape.test(id)) return [id];
      r.problem(`${path}.${key}[${i}]`, `is ${describe(id)}; use an id such as "${example}".`);
      return [];
    });
    checkUnique(
      r,
      valid.map((id, i) => ({ key: id, path: `${path}.${key}[${i}]` })),
      (id) => `${id} is listed twice; remove the duplicate.`,
    );
    return valid;
  };
  return {
    subnetIds: ids('subnetIds', SUBNET_ID, 'subnet-0123456789abcdef0', 16),
    securityGroupIds: ids('securityGroupIds', SECURITY_GROUP_ID, 'sg-0123456789abcdef0', 5),
  };
}

function readAutoscaling(r: Reader, raw: unknown, path: string, compute: Compute): Autoscaling {
  const a = r.object(raw, path, INPUT_KEYS.autoscaling);
  const required = (key: string) => {
    if (a[key] === undefined) r.problem(`${path}.${key}`, 'is required: add it as a whole number.');
  };
  required('minInstances');
  required('maxInstances');
  required('targetInvocationsPerInstance');
  const minInstances = r.integer(a, 'minInstances', path, { default: 1, min: 1, max: 100 });
  const maxInstances = r.integer(a, 'maxInstances', path, { default: 1, min: 1, max: 100 });
  if (compute.kind === 'serverless') {
    r.problem(
      path,
      'autoscaling scales the instance count of an instance-backed variant; serverless endpoints scale by themselves (maxConcurrency). Remove autoscaling or give the target "instances".',
    );
  } else if (
    a.minInstances !== undefined &&
    a.maxInstances !== undefined &&
    !(minInstances <= compute.instanceCount && compute.instanceCount <= maxInstances)
  ) {
    r.problem(
      path,
      `needs minInstances <= instances.count <= maxInstances, but it is ${minInstances} <= ${compute.instanceCount} <= ${maxInstances}; the endpoint starts at instances.count, so set them to hold.`,
    );
  }
  return {
    minInstances,
    maxInstances,
    targetInvocationsPerInstance: r.integer(a, 'targetInvocationsPerInstance', path, {
      default: 1,
      min: 1,
      max: 1_000_000,
    }),
    scaleInCooldownSeconds: r.integer(a, 'scaleInCooldownSeconds', path, { default: 300, min: 0, max: 3600 }),
    scaleOutCooldownSeconds: r.integer(a, 'scaleOutCooldownSeconds', path, {
      default: 60,
      min: 0,
      max: 3600,
    }),
  };
}

function readTargetAccount(r: Reader, d: Json, path: string): { account?: string } {
  if (d.account === undefined) return {};
  const account = r.string(d, 'account', path);
  if (!ACCOUNT_ID.test(account)) {
    r.problem(`${path}.account`, `is "${account}"; an AWS account id is 12 digits, as a string.`);
    return {};
  }
  return { account };
}

function readSelector(r: Reader, raw: unknown, path: string): VersionSelector {
  if (raw === undefined || raw === 'newest-approved') return { kind: 'newest-approved' };
  const s = r.object(raw, path, INPUT_KEYS.lifecycleStage);
  return {
    kind: 'lifecycle-stage',
    stage: r.string(s, 'stage', path, { max: 63 }),
    stageStatus: r.string(s, 'stageStatus', path, { default: 'Approved', max: 63 }),
  };
}

function readCompute(r: Reader, d: Json, path: string): Compute {
  if (d.instances !== undefined && d.serverless !== undefined) {
    r.problem(path, 'has both "instances" and "serverless"; keep exactly one.');
  }
  if (d.serverless !== undefined) {
    const s = r.object(d.serverless, `${path}.serverless`, INPUT_KEYS.serverless);
    const memorySizeMb = r.integer(s, 'memorySizeMb', `${path}.serverless`, {
      default: 2048,
      min: 1024,
      max: 6144,
    });
    if (memorySizeMb % 1024 !== 0) {
      r.problem(
        `${path}.serverless.memorySizeMb`,
        `is ${memorySizeMb}; use 1024, 2048, 3072, 4096, 5120 or 6144.`,
      );
    }
    return {
      kind: 'serverless',
      memorySizeMb,
      maxConcurrency: r.integer(s, 'maxConcurrency', `${path}.serverless`, { default: 5, min: 1, max: 200 }),
    };
  }
  const i = r.object(d.instances ?? {}, `${path}.instances`, INPUT_KEYS.instances);
  const instanceType = r.string(i, 'type', `${path}.instances`, { default: 'ml.m5.large' });
  // The service model's ProductionVariantInstanceType: what CreateEndpointConfig (and, for a shadow
  // test, CreateInferenceExperiment) accepts; SageMaker refuses anything else with a validation error.
  if (!(ProductionVariantInstanceType as readonly string[]).includes(instanceType)) {
    const near = nearest(instanceType, ProductionVariantInstanceType, 2).map((t) => `"${t}"`);
    r.problem(
      `${path}.instances.type`,
      `"${instanceType}" is not an instance type SageMaker endpoints offer; did you mean ${near.join(' or ')}? (SageMaker API reference, ProductionVariant InstanceType.)`,
    );
  }
  return {
    kind: 'instances',
    instanceType,
    instanceCount: r.integer(i, 'count', `${path}.instances`, { default: 1, min: 1, max: 100 }),
  };
}

function readStrategy(r: Reader, raw: unknown, path: string): DeploymentStrategy {
  const s = r.object(raw ?? {}, path, INPUT_KEYS.strategy);
  const type = r.oneOf(s, 'type', path, STRATEGY_TYPES, 'all-at-once');
  const terminationWaitMinutes = r.integer(s, 'terminationWaitMinutes', path, {
    default: 5,
    min: 0,
    max: 60,
  });
  const misplaced = (key: string, owner: string) => {
    if (s[key] !== undefined)
      r.problem(`${path}.${key}`, `only applies to "${owner}" strategies; remove it.`);
  };
  switch (type) {
    case 'canary':
      misplaced('stepPercent', 'linear');
      return {
        kind: 'canary',
        canaryPercent: r.integer(s, 'canaryPercent', path, { default: 10, min: 1, max: 50 }),
        waitMinutes: r.integer(s, 'waitMinutes', path, { default: 10, min: 0, max: 60 }),
        terminationWaitMinutes,
      };
    case 'linear':
      misplaced('canaryPercent', 'canary');
      return {
        kind: 'linear',
        stepPercent: r.integer(s, 'stepPercent', path, { default: 20, min: 10, max: 50 }),
        waitMinutes: r.integer(s, 'waitMinutes', path, { default: 5, min: 0, max: 60 }),
        terminationWaitMinutes,
      };
    default:
      misplaced('canaryPercent', 'canary');
      misplaced('stepPercent', 'linear');
      misplaced('waitMinutes', 'canary" or "linear');
      return { kind: 'all-at-once', terminationWaitMinutes };
  }
}

function readRollbackAlarms(r: Reader, raw: unknown, path: string): RollbackAlarms {
  const defaults: RollbackAlarms = { enabled: false, max5xxErrorsPerMinute: 5, maxModelLatencyMs: 2000 };
  if (raw === undefined) return defaults;
  if (typeof raw === 'boolean') return { ...defaults, enabled: raw };
  const a = r.object(raw, path, INPUT_KEYS.rollbackAlarms);
  return {
    enabled: r.boolean(a, 'enabled', path, true),
    max5xxErrorsPerMinute: r.integer(a, 'max5xxErrorsPerMinute', path, {
      default: 5,
      min: 1,
      max: 1_000_000,
    }),
    maxModelLatencyMs: r.integer(a, 'maxModelLatencyMs', path, { default: 2000, min: 1, max: 3_600_000 }),
  };
}

function checkUnique(
  r: Reader,
  items: readonly { key: string; path: string }[],
  message: (key: string) => string,
): void {
  const seen = new Set<string>();
  for (const { key, path } of items) {
    if (!key) continue;
    if (seen.has(key)) r.problem(path, message(key));
    seen.add(key);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}
