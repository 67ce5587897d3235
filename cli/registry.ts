/** What the CLI reads from and writes to SageMaker and S3: small adapters over the SDK. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateModelPackageCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { describeEndpoint, listVersions } from '../adapters/endpoints';
import { latestReconcileFailure } from '../adapters/lineage';
import { describeModelCard } from '../adapters/model-cards';
import { lastMonitorResults } from '../adapters/monitoring';
import { describeModelVersion } from '../adapters/sagemaker';
import type { GovernanceConfig, ModelPackageGroupConfig } from '../core/config/types';
import { modelCardName } from '../core/model-card-naming';
import { approvalToServingSeconds } from '../domain/approval-to-serving';
import { GATE_METADATA_KEY } from '../domain/governance-policy';
import { isQuietWait } from '../domain/hold';
import type { VersionSummary } from '../domain/version-selection';
import { gatesOf } from './follow';
import type { EndpointRow, Status, VersionRow } from './render';
import { newestShadowTest, servedVersion } from './shadow';

export class CliError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function findGroupConfig(config: GovernanceConfig, name: string): ModelPackageGroupConfig {
  const group = config.groups.find((g) => g.name === name);
  if (!group) {
    throw new CliError(
      `"${name}" is not a governed group in this configuration.`,
      `governed groups: ${config.groups.map((g) => g.name).join(', ')} (or pass --config FILE)`,
    );
  }
  return group;
}

/** The version `n` of a group, or an error listing the versions there are. */
export async function findVersion(
  client: SageMakerClient,
  group: string,
  n: number,
): Promise<VersionSummary> {
  const versions = await listVersions(client, group);
  const found = versions.find((v) => v.version === n);
  if (!found) {
    const known = versions.map((v) => `v${v.version}`).join(', ');
    throw new CliError(
      `${group} has no version ${n}.`,
      known ? `its versions: ${known}` : `${group} has no versions yet; register one with mgov register`,
    );
  }
  return found;
}

export async function readStatus(
  client: SageMakerClient,
  groups: readonly ModelPackageGroupConfig[],
  options: {
    limit: number;
    registryAccount?: string;
    /** A client with another account's credentials (mgov --account-profile), if mgov has them. */
    clientFor?: (account: string) => SageMakerClient | undefined;
    /** The governance record (mgov --record): holds are read from it, as the reconciler reads them. */
    record?: { readonly s3: S3Client; readonly uri: string };
  },
): Promise<Status> {
  const endpoints: EndpointRow[] = [];
  const out: Status['groups'][number][] = [];
  for (const g of groups) {
    const served = new Map<number, string[]>();
    const all = await listVersions(client, g.name).catch(notFoundAsEmpty);
    for (const t of g.deployments) {
      const elsewhere = t.account && t.account !== options.registryAccount ? t.account : undefined;
      const endpointClient = elsewhere ? options.clientFor?.(elsewhere) : client;
      if (elsewhere && !endpointClient) {
        // mgov runs with the registry account's credentials; another account's endpoint is not visible.
        endpoints.push({ group: g.name, endpoint: t.endpointName, status: `in account ${elsewhere}` });
        continue;
      }
      const ec = endpointClient ?? client;
      const e = await describeEndpoint(ec, t.endpointName);
      const version = e ? await servedVersion(ec, t.endpointName, e.configName) : undefined;
      const shadow = await newestShadowTest(ec, t);
      // The gates' answer as the reconciler's planner gives it: the best candidate held back, if any.
      // The account whose reconciler decides this target: its record of the endpoint is keyed by it.
      const account = elsewhere ?? accountOf(all[0]?.arn);
      const held = (
        await gatesOf(client, g, t, all, {
          ...(endpointClient && endpointClient !== client ? { endpointSageMaker: endpointClient } : {}),
          ...(options.record ? { record: { ...options.record, ...(account ? { account } : {}) } } : {}),
        })
      ).held;
      const shown = held && held.version.version !== version && !isQuietWait(held.hold) ? held : undefined;
      // A failure the reconciler recorded after the endpoint last changed is still the news.
      const failure = await latestReconcileFailure(ec, t.endpointName);
      const current = failure && (!e?.lastModifiedTime || failure.at > e.lastModifiedTime);
      const monitors = t.monitoring
        ? await lastMonitorResults(ec, t.endpointName, [
            ...(t.monitoring.dataQuality ? (['DataQuality'] as const) : []),
            ...(t.monitoring.modelQuality ? (['ModelQuality'] as const) : []),
          ])
        : [];
      endpoints.push({
        group: g.name,
        endpoint: t.endpointName,
        ...(elsewhere ? { account: elsewhere } : {}),
        status: e?.status ?? 'not created',
        ...(version !== undefined ? { version } : {}),
        ...(e ? { config: e.configName } : {}),
        ...(e?.status === 'InService' && e.lastModifiedTime ? { settledAt: e.lastModifiedTime } : {}),
        ...(shadow ? { shadowTest: shadow.text } : {}),
        ...(shown
          ? {
              held: {
                version: shown.version.version,
                code: shown.hold.code,
                reason: `${shown.hold.detail} (${shown.hold.code})`,
              },
            }
          : {}),
        ...(failure && current ? { lastFailure: failure } : {}),
        ...(monitors.length > 0 ? { monitors } : {}),
      });
      if (version !== undefined) served.set(version, [...(served.get(version) ?? []), t.endpointName]);
    }
    // Approval to serving of each version an endpoint serves: from its approval (LastModifiedTime, as
    // the reconciler measures it: domain/approval-to-serving.ts) to the endpoint's last settling.
    for (const [i, row] of endpoints.entries()) {
      const arn = all.find((v) => v.version === row.version)?.arn;
      if (row.group !== g.name || !row.settledAt || !arn) continue;
      const seconds = approvalToServingSeconds(await describeModelVersion(client, arn), row.settledAt);
      if (seconds !== undefined) endpoints[i] = { ...row, approvalToServingSeconds: seconds };
    }
    const versions = all.sort((a, b) => b.version - a.version).slice(0, options.limit);
    const rows: VersionRow[] = [];
    for (const v of versions) {
      const [described, card] = await Promise.all([
        describeModelVersion(client, v.arn),
        describeModelCard(client, modelCardName(g.name, v.version)),
      ]);
      rows.push({
        group: g.name,
        version: v.version,
        approvalStatus: v.approvalStatus,
        ...(v.lifeCycle ? { stage: `${v.lifeCycle.stage}/${v.lifeCycle.stageStatus}` } : {}),
        ...(card ? { cardStatus: card.status } : {}),
        ...(described?.metadata?.[GATE_METADATA_KEY] ? { gate: described.metadata[GATE_METADATA_KEY] } : {}),
        servedBy: served.get(v.version) ?? [],
        ...(described?.approvalDescription ? { approvalDescription: described.approvalDescription } : {}),
        registeredAt: v.creationTime.toISOString(),
      });
    }
    out.push({ name: g.name, total: all.length, versions: rows });
  }
  return { groups: out, endpoints };
}

function notFoundAsEmpty(error: unknown): VersionSummary[] {
  if (/does not exist|not found/i.test((error as Error).message ?? '')) return [];
  throw error;
}

/** The small manifest `mgov register` takes. */
export interface RegisterManifest {
  readonly image: string;
  readonly modelDataUrl: string;
  readonly description?: string;
  /** ModelMetrics slot ("ModelQuality.Statistics") → s3:// URI, or a local file uploaded to `metricsBucket`. */
  readonly metrics?: Readonly<Record<string, string>>;
  readonly metricsBucket?: string;
}

const SLOTS: Record<string, readonly string[]> = {
  ModelQuality: ['Statistics', 'Constraints'],
  ModelDataQuality: ['Statistics', 'Constraints'],
  Bias: ['Report', 'PreTrainingReport', 'PostTrainingReport'],
  Explainability: ['Report'],
};

export function parseRegisterManifest(raw: unknown, source: string): RegisterManifest {
  const problems: string[] = [];
  const m = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<
    string,
    unknown
  >;
  if (m !== raw) problems.push('must be a JSON object');
  const allowed = ['image', 'modelDataUrl', 'description', 'metrics', 'metricsBucket'];
  for (const k of Object.keys(m))
    if (!allowed.includes(k)) problems.push(`unknown key "${k}" (allowed: ${allowed.join(', ')})`);
  if (typeof m.image !== 'string' || m.image === '')
    problems.push('"image" is required: the inference image URI');
  if (typeof m.modelDataUrl !== 'string' || !m.modelDataUrl.startsWith('s3://'))
    problems.push('"modelDataUrl" is required: the s3:// URI of model.tar.gz');
  const metrics = m.metrics === undefined ? {} : m.metrics;
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics))
    problems.push('"metrics" must be an object');
  else {
    for (const [slot, where] of Object.entries(metrics)) {
      const [section, name] = slot.split('.');
      if (!section || !name || !SLOTS[section]?.includes(name)) {
        problems.push(
          `metrics slot "${slot}" is not a ModelMetrics slot; use one of ${Object.entries(SLOTS)
            .flatMap(([s, ns]) => ns.map((n) => `${s}.${n}`))
            .join(', ')}`,
        );
      }
      if (typeof where !== 'string') problems.push(`metrics "${slot}" must be an s3:// URI or a file path`);
      else if (!where.startsWith('s3://') && typeof m.metricsBucket !== 'string')
        problems.push(`metrics "${slot}" is a local file; add "metricsBucket" to upload it to`);
    }
  }
  if (problems.length > 0) {
    throw new CliError(
      `${source} is not a valid register manifest: ${problems.join('; ')}.`,
      'see mgov register --help for an example',
    );
  }
  return m as unknown as RegisterManifest;
}

/** Uploads local metrics files, then registers the version as PendingManualApproval. Returns its ARN. */
export async function registerFromManifest(
  sagemaker: SageMakerClient,
  s3: S3Client,
  group: string,
  manifest: RegisterManifest,
  baseDir: string,
): Promise<string> {
  const metrics: Record<string, Record<string, { ContentType: string; S3Uri: string }>> = {};
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (const [slot, where] of Object.entries(manifest.metrics ?? {})) {
    let uri = where;
    if (!where.startsWith('s3://')) {
      const path = where.startsWith('/') ? where : `${baseDir}/${where}`;
      let body: string;
      try {
        body = readFileSync(path, 'utf8');
      } catch (error) {
        throw new CliError(
          `cannot read metrics file ${path} (${(error as NodeJS.ErrnoException).code}).`,
          'paths are relative to the manifest',
        );
      }
      const key = `mgov/${group}/${stamp}/${basename(path)}`;
      await s3.send(
        new PutObjectCommand({
          Bucket: manifest.metricsBucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
        }),
      );
      uri = `s3://${manifest.metricsBucket}/${key}`;
    }
    const [section, name] = slot.split('.') as [string, string];
    metrics[section] = { ...metrics[section], [name]: { ContentType: 'application/json', S3Uri: uri } };
  }
  const out = await sagemaker.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: group,
      ModelPackageDescription: manifest.description ?? 'registered with mgov',
      ModelApprovalStatus: 'PendingManualApproval',
      ...(Object.keys(metrics).length > 0 ? { ModelMetrics: metrics } : {}),
      InferenceSpecification: {
        Containers: [{ Image: manifest.image, ModelDataUrl: manifest.modelDataUrl }],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
    }),
  );
  if (!out.ModelPackageArn) throw new CliError('SageMaker returned no model package ARN.');
  return out.ModelPackageArn;
}

/** The account in a SageMaker ARN (arn:partition:sagemaker:region:ACCOUNT:…). */
function accountOf(arn: string | undefined): string | undefined {
  return arn?.split(':')[4] || undefined;
}
