/**
 * mgov: the command line for approvers and operators. The same calls against a real account (the
 * default credential chain, --region, --profile) and against local mode (AWS_ENDPOINT_URL).
 *
 * Exit codes: 0 done, 1 failed (the message says why, with a hint), 2 the command line is wrong.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { describeEndpoint, listVersions } from '../adapters/endpoints';
import { describeModelCard } from '../adapters/model-cards';
import { endpointGraph, groupHistory, versionGraph } from '../adapters/provenance';
import { describeModelVersion, updateApproval } from '../adapters/sagemaker';
import { loadGovernanceConfig } from '../core/config/load';
import { ConfigurationError } from '../core/config/parse';
import type { DeploymentTarget, ModelPackageGroupConfig } from '../core/config/types';
import { modelCardName } from '../core/model-card-naming';
import { versionOfName } from '../core/naming';
import { packageVersion } from '../core/package-info';
import { AWAITING_CHECK, jsonFingerprint } from '../domain/approval-check';
import { versionApprover } from '../domain/card-review';
import {
  deploymentHold,
  desiredVersion,
  rolledBackFrom,
  type VersionSummary,
  versionGateFacts,
} from '../domain/endpoint-plan';
import { describeIdentity } from '../domain/model-version';
import { principalOf } from '../domain/principal';
import {
  auditTimeline,
  endpointProvenance,
  renderEndpointMermaid,
  renderEndpointText,
  renderTimelineText,
  renderVersionText,
  versionProvenance,
} from '../domain/provenance';
import { STAGE_AWAITING_CHECK } from '../domain/stage-check';
import { requestUpdate } from '../handlers/reconcile-endpoint/reconcile';
import {
  CliError,
  findGroupConfig,
  findVersion,
  parseRegisterManifest,
  readStatus,
  registerFromManifest,
} from './registry';
import { cardHtml, cardMarkdown, renderStatus } from './render';
import { newestShadowTest, servedVersion } from './shadow';
import { didYouMean } from './suggest';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Colour and progress are for people at a terminal. */
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  /** Poll interval for --wait, in ms. */
  readonly pollMs?: number;
}

export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

const COMMON = `Options for every command:
  --config FILE     the governance configuration (default: governance.config.json)
  --region REGION   AWS region (default: the AWS_REGION / profile setting)
  --profile NAME    AWS named profile
  --account-profile ACCOUNT=PROFILE
                    the named profile for a deployment account's endpoints (multi-account; repeat
                    for each account): status shows them, --wait follows them
  --json            machine-readable output (stable fields)
  --help            this command's help
Local mode: export AWS_ENDPOINT_URL=http://127.0.0.1:4599 (what npm run local prints).`;

const HELP: Record<string, string> = {
  '': `mgov: model governance from the command line.

Commands:
  status [GROUP]                                 governed groups, versions, approval, stage, card, gate, what each endpoint serves
  approve GROUP VERSION --reason TEXT [--wait]   approve a version (the Studio button); --wait follows the deployment
  reject GROUP VERSION --reason TEXT [--wait]    reject a version; --wait follows the rollback
  register GROUP --manifest FILE                 register a version from a small manifest (for trying things locally)
  card GROUP VERSION [--format markdown|html]    the version's model card, readable
  lineage --endpoint NAME | --version ARN        provenance: what is served, where it came from, who approved it
  audit GROUP                                    registrations, approvals, gate decisions, deployments and rollbacks in time order
  retry-deploy ENDPOINT [--wait]                 deploy again the version SageMaker rolled back on ENDPOINT (the reconciler never retries it)

Run mgov COMMAND --help for a command's options; mgov --version prints mgov's version.

${COMMON}`,
  status: `mgov status [GROUP] [--limit N] [--json]

The governed groups (all, or GROUP), their newest versions (N, default 10) with approval status,
lifecycle stage, model card status, quality-gate decision and the endpoints serving them, then every
deployment target's endpoint and the version it serves.

${COMMON}`,
  approve: `mgov approve GROUP VERSION --reason TEXT [--force] [--wait] [--timeout MINUTES]

Sets the version Approved with your reason (UpdateModelPackage, as Studio does). Refuses an unknown
version, and a version already Approved unless --force. With --wait, follows the deployment it
triggers on each target of the group until the endpoints serve what they should (default timeout 30).

${COMMON}`,
  reject: `mgov reject GROUP VERSION --reason TEXT [--force] [--wait] [--timeout MINUTES]

Sets the version Rejected with your reason. Refuses an unknown version, and one already Rejected
unless --force. With --wait, follows the rollback on each endpoint that served it.

${COMMON}`,
  register: `mgov register GROUP --manifest FILE [--json]

Registers a version as PendingManualApproval from a JSON manifest:
  {
    "image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
    "modelDataUrl": "s3://my-models/churn/model.tar.gz",
    "description": "weekly retrain",
    "metrics": { "ModelQuality.Statistics": "evaluation.json" },
    "metricsBucket": "my-models"
  }
Metrics are s3:// URIs, or local files (relative to the manifest) uploaded to metricsBucket first.

${COMMON}`,
  card: `mgov card GROUP VERSION [--format markdown|html]

The version's model card (GROUP-vVERSION), rendered readable: Markdown (default) or a standalone HTML page.
--json prints the card's raw content and status.

${COMMON}`,
  lineage: `mgov lineage --endpoint NAME [--format text|json|mermaid]
mgov lineage --version MODEL_PACKAGE_ARN [--format text|json]

What an endpoint serves and where it came from (version, approvals, deployments, rollbacks), or
one version's inputs, approvals and deployments, from SageMaker ML Lineage Tracking.

${COMMON}`,
  audit: `mgov audit GROUP [--format text|json]

The group's registrations, approval changes (including quality-gate and separation-of-duties
decisions, with their reasons), deployments and rollbacks, in time order.

${COMMON}`,
};

HELP['retry-deploy'] = `mgov retry-deploy ENDPOINT [--wait] [--timeout MINUTES]

SageMaker rolled back the last deployment the reconciler asked of ENDPOINT (an auto-rollback alarm,
a failed health check, capacity): the endpoint settled InService on its previous config. The
reconciler notifies that once and never retries the version by itself, until a newer version is
approved. When you have fixed the cause, this asks SageMaker for the same deployment again
(UpdateEndpoint with the target's blue/green DeploymentConfig), recorded on the endpoint as the
reconciler records its own. Refused when ENDPOINT has no rolled-back deployment, when the version
rolled back is no longer the one the target should serve, or when a deployment gate holds it.
With --wait, follows the deployment (exit 1 if SageMaker rolls it back again).
Needs sagemaker:UpdateEndpoint, AddTags and ListTags on the endpoint.

${COMMON}`;

const OPTIONS = {
  config: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'account-profile': { type: 'string', multiple: true },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  reason: { type: 'string' },
  force: { type: 'boolean', default: false },
  wait: { type: 'boolean', default: false },
  timeout: { type: 'string' },
  manifest: { type: 'string' },
  format: { type: 'string' },
  limit: { type: 'string' },
  endpoint: { type: 'string' },
  version: { type: 'string' },
} as const;

/** Which options each command takes (besides the common ones). */
const COMMAND_OPTIONS: Record<string, readonly string[]> = {
  status: ['limit'],
  approve: ['reason', 'force', 'wait', 'timeout'],
  reject: ['reason', 'force', 'wait', 'timeout'],
  register: ['manifest'],
  card: ['format'],
  lineage: ['endpoint', 'version', 'format'],
  audit: ['format'],
  'retry-deploy': ['wait', 'timeout'],
};
const COMMON_OPTIONS = ['config', 'region', 'profile', 'account-profile', 'json', 'help'];

/** The command a command line names, if it is one mgov has. */
function knownCommand(argv: readonly string[]): string | undefined {
  const first = argv.find((a) => !a.startsWith('-'));
  return first && first in COMMAND_OPTIONS ? first : undefined;
}

/** parseArgs's complaint, shortened, with the option that was probably meant. */
function usageProblem(error: Error, argv: readonly string[]): string {
  const message = error.message.replace(/\. To specify.*$/s, '.');
  const unknown = /^Unknown option '(--?[^']+)'/.exec(message)?.[1];
  if (!unknown?.startsWith('--')) return message;
  const command = knownCommand(argv);
  const options = command ? [...COMMON_OPTIONS, ...(COMMAND_OPTIONS[command] ?? [])] : Object.keys(OPTIONS);
  const meant = didYouMean(unknown.slice(2), options);
  return meant ? `${message} Did you mean --${meant}?` : message;
}

/** Runs one command line; returns the exit code. Never exits the process. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    await run(argv, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`mgov: ${error.message}`);
      io.err(`hint: mgov ${error.command ? `${error.command} ` : ''}--help`);
      return 2;
    }
    if (error instanceof CliError) {
      io.err(`mgov: ${error.message}`);
      if (error.hint) io.err(`hint: ${error.hint}`);
      return 1;
    }
    if (error instanceof ConfigurationError) {
      io.err(`mgov: ${error.message}`);
      io.err('hint: pass the configuration the stack was deployed with: --config FILE');
      return 1;
    }
    const e = error as Error;
    io.err(`mgov: ${e.name}: ${e.message}`);
    io.err(
      `hint: check your credentials and region (--region, --profile)${io.env.AWS_ENDPOINT_URL ? `; AWS_ENDPOINT_URL is ${io.env.AWS_ENDPOINT_URL}: is npm run local running?` : ', or set AWS_ENDPOINT_URL for local mode'}`,
    );
    return 1;
  }
}

async function run(argv: readonly string[], io: Io): Promise<void> {
  // `mgov --version` (before any command) is mgov's own version; after a command, --version VALUE
  // is that command's option (lineage --version MODEL_PACKAGE_ARN).
  if (argv[0] === '--version') {
    const version = packageVersion();
    return io.out(argv.includes('--json') ? JSON.stringify({ version }) : `mgov ${version}`);
  }
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(usageProblem(error as Error, argv), knownCommand(argv));
  }
  const { values, positionals } = parsed;
  const [command = '', ...args] = positionals;
  if (command && !(command in COMMAND_OPTIONS)) {
    const meant = didYouMean(command, Object.keys(COMMAND_OPTIONS));
    throw new UsageError(`unknown command "${command}".${meant ? ` Did you mean "${meant}"?` : ''}`);
  }
  if (values.help || !command) return io.out(HELP[command] ?? HELP[''] ?? '');
  const allowed = [...COMMON_OPTIONS, ...(COMMAND_OPTIONS[command] ?? [])];
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== false && !allowed.includes(key)) {
      throw new UsageError(`${command} does not take --${key}.`, command);
    }
  }
  if (values.profile) io.env.AWS_PROFILE = values.profile;
  const clientConfig = values.region ? { region: values.region } : {};
  const sagemaker = new SageMakerClient(clientConfig);
  const clientFor = accountClients(values['account-profile'] ?? [], clientConfig, command);
  const json = values.json === true;
  const print = (value: unknown, text: () => string) =>
    io.out(json ? JSON.stringify(value, null, 2) : text());
  const config = () => loadGovernanceConfig(values.config ?? 'governance.config.json');

  switch (command) {
    case 'status': {
      const [group] = expectArgs(command, args, 0, 1, 'GROUP');
      const cfg = config();
      const groups = group ? [findGroupConfig(cfg, group)] : cfg.groups;
      const limit = positiveInt(values.limit ?? '10', '--limit', command);
      const status = await readStatus(sagemaker, groups, {
        limit,
        registryAccount: cfg.registry?.account,
        clientFor,
      });
      return print(status, () => renderStatus(status, colour(io)));
    }
    case 'approve':
    case 'reject': {
      const [groupName, versionText] = expectArgs(command, args, 2, 2, 'GROUP VERSION') as [string, string];
      const n = versionNumber(versionText, command);
      if (!values.reason?.trim()) {
        throw new UsageError(
          `${command} needs --reason "…": the reason is kept with the version for the audit trail.`,
          command,
        );
      }
      const cfg = config();
      const group = findGroupConfig(cfg, groupName);
      const target = command === 'approve' ? 'Approved' : 'Rejected';
      const version = await findVersion(sagemaker, group.name, n);
      if (version.approvalStatus === target && !values.force) {
        throw new CliError(
          `${group.name} v${n} is already ${target}.`,
          `add --force to set it ${target} again with a new reason`,
        );
      }
      await updateApproval(sagemaker, version.arn, { status: target, description: values.reason.trim() });
      const done = { group: group.name, version: n, approvalStatus: target, modelPackageArn: version.arn };
      if (!values.wait) return print(done, () => `${group.name} v${n} ${target}.`);
      if (!json) io.out(`${group.name} v${n} ${target}; following the deployment…`);
      const timeoutMin = positiveInt(values.timeout ?? '30', '--timeout', command);
      const result = await waitForTargets(
        sagemaker,
        group,
        n,
        target,
        io,
        timeoutMin * 60_000,
        cfg.registry?.account,
        clientFor,
      );
      print({ ...done, ...result }, () => result.lines.join('\n'));
      if (!result.ok) throw new CliError(result.problem ?? 'the deployment did not end as expected.');
      return;
    }
    case 'retry-deploy': {
      const [endpointName] = expectArgs(command, args, 1, 1, 'ENDPOINT') as [string];
      const cfg = config();
      const found = cfg.groups.flatMap((g) =>
        g.deployments.filter((t) => t.endpointName === endpointName).map((t) => ({ group: g, target: t })),
      )[0];
      if (!found) {
        throw new CliError(
          `no deployment target of the configuration is named ${endpointName}.`,
          `the targets are: ${cfg.groups.flatMap((g) => g.deployments.map((t) => t.endpointName)).join(', ') || 'none'}`,
        );
      }
      const { group, target } = found;
      const endpoint = await describeEndpoint(sagemaker, endpointName);
      if (!endpoint?.arn) throw new CliError(`endpoint ${endpointName} does not exist.`);
      const from = rolledBackFrom(endpoint);
      if (!from) {
        throw new CliError(
          `${endpointName} has no rolled-back deployment to retry: it is ${endpoint.status} on ${endpoint.configName}.`,
          'mgov status shows what each endpoint serves',
        );
      }
      const version = versionOfName(endpointName, from);
      const desired = desiredVersion(await listVersions(sagemaker, group.name), target);
      if (!desired || desired.version !== version) {
        throw new CliError(
          `${endpointName} rolled back ${group.name} v${version}, but the version it should serve now is ${desired ? `v${desired.version}` : 'none'}.`,
          'the reconciler deploys the version it should serve on its own',
        );
      }
      const hold = await holdOf(sagemaker, group, target, desired);
      if (hold) throw new CliError(`${group.name} v${version} is held: ${hold}.`);
      // The reconciler's own request (recorded, scaling made ready), not a copy of it.
      const started = await requestUpdate(
        { sagemaker, autoscaling: new ApplicationAutoScalingClient(clientConfig) },
        target,
        endpoint,
        from,
      );
      if (started === 'busy') throw new CliError(`${endpointName} is busy; try again when it is InService.`);
      const done = { endpoint: endpointName, group: group.name, version, configName: from };
      if (!values.wait)
        return print(done, () => `${endpointName}: deploying ${group.name} v${version} again (${from}).`);
      if (!json) io.out(`${endpointName}: deploying ${group.name} v${version} again; following it…`);
      const timeoutMin = positiveInt(values.timeout ?? '30', '--timeout', command);
      const result = await waitForTargets(
        sagemaker,
        { ...group, deployments: [target] },
        version,
        'Approved',
        io,
        timeoutMin * 60_000,
        cfg.registry?.account,
        clientFor,
      );
      print({ ...done, ...result }, () => result.lines.join('\n'));
      if (!result.ok) throw new CliError(result.problem ?? 'the deployment did not end as expected.');
      return;
    }
    case 'register': {
      const [groupName] = expectArgs(command, args, 1, 1, 'GROUP') as [string];
      if (!values.manifest) throw new UsageError('register needs --manifest FILE.', command);
      const path = resolve(values.manifest);
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(path, 'utf8'));
      } catch (error) {
        throw new CliError(
          `cannot read ${path} as JSON: ${(error as Error).message}`,
          'see mgov register --help for an example',
        );
      }
      const manifest = parseRegisterManifest(raw, path);
      const group = findGroupConfig(config(), groupName);
      const s3 = new S3Client({ ...clientConfig, forcePathStyle: !!io.env.AWS_ENDPOINT_URL });
      const arn = await registerFromManifest(sagemaker, s3, group.name, manifest, dirname(path));
      const version = Number(/\/(\d+)$/.exec(arn)?.[1]);
      return print(
        { group: group.name, version, modelPackageArn: arn, approvalStatus: 'PendingManualApproval' },
        () => `${group.name} v${version} registered (PendingManualApproval): ${arn}`,
      );
    }
    case 'card': {
      const [groupName, versionText] = expectArgs(command, args, 2, 2, 'GROUP VERSION') as [string, string];
      const n = versionNumber(versionText, command);
      const format = oneOf(values.format ?? 'markdown', ['markdown', 'html'], command);
      await findVersion(sagemaker, groupName, n);
      const name = modelCardName(groupName, n);
      const card = await describeModelCard(sagemaker, name);
      if (!card) {
        throw new CliError(
          `${groupName} v${n} has no model card (${name}) yet.`,
          'the model-cards handler writes it when the version is registered; is the stack deployed (or npm run local running)?',
        );
      }
      const input = {
        name,
        status: card.status,
        version: card.version,
        content: card.content as Record<string, unknown>,
      };
      return print(input, () => (format === 'html' ? cardHtml(input) : cardMarkdown(input)));
    }
    case 'lineage': {
      expectArgs(command, args, 0, 0, '');
      if (values.endpoint) {
        const format = oneOf(values.format ?? (json ? 'json' : 'text'), ['text', 'json', 'mermaid'], command);
        const p = endpointProvenance(await endpointGraph(sagemaker, values.endpoint), values.endpoint);
        return io.out(
          format === 'json'
            ? JSON.stringify(p, null, 2)
            : format === 'mermaid'
              ? renderEndpointMermaid(p)
              : renderEndpointText(p),
        );
      }
      if (values.version) {
        const format = oneOf(values.format ?? (json ? 'json' : 'text'), ['text', 'json'], command);
        const p = versionProvenance(await versionGraph(sagemaker, values.version), values.version);
        return io.out(format === 'json' ? JSON.stringify(p, null, 2) : renderVersionText(p));
      }
      throw new UsageError('lineage needs --endpoint NAME or --version MODEL_PACKAGE_ARN.', command);
    }
    case 'audit': {
      const [group] = expectArgs(command, args, 1, 1, 'GROUP') as [string];
      const format = oneOf(values.format ?? (json ? 'json' : 'text'), ['text', 'json'], command);
      const { versions, graph } = await groupHistory(sagemaker, group);
      const timeline = auditTimeline(group, versions, graph);
      return io.out(format === 'json' ? JSON.stringify(timeline, null, 2) : renderTimelineText(timeline));
    }
  }
}

interface WaitResult {
  readonly ok: boolean;
  readonly problem?: string;
  readonly targets: readonly { endpoint: string; outcome: string; serves?: number }[];
  readonly lines: readonly string[];
}

/**
 * Follows the group's targets until each serves what the reconciler should give it now (pure
 * `desiredVersion`), or is held by a gate, or rolled back by SageMaker, or the time is up.
 */
async function waitForTargets(
  sagemaker: SageMakerClient,
  group: ModelPackageGroupConfig,
  n: number,
  wanted: 'Approved' | 'Rejected',
  io: Io,
  timeoutMs: number,
  registryAccount: string | undefined,
  clientFor: (account: string) => SageMakerClient | undefined = () => undefined,
): Promise<WaitResult> {
  const started = Date.now();
  const pollMs = io.pollMs ?? 2000;
  const last = new Map<string, string>();
  const finished = new Map<string, { endpoint: string; outcome: string; serves?: number }>();
  for (;;) {
    const versions = await listVersions(sagemaker, group.name);
    const now = versions.find((v) => v.version === n);
    if (now && now.approvalStatus !== wanted) {
      const described = await describeModelVersion(sagemaker, now.arn);
      return {
        ok: false,
        problem: `${group.name} v${n} is ${now.approvalStatus} again: ${described?.approvalDescription ?? 'no reason given'}`,
        targets: [...finished.values()],
        lines: [],
      };
    }
    for (const target of group.deployments) {
      if (finished.has(target.endpointName)) continue;
      const elsewhere = target.account && target.account !== registryAccount ? target.account : undefined;
      const endpointClient = elsewhere ? clientFor(elsewhere) : sagemaker;
      if (elsewhere && !endpointClient) {
        io.err(
          `  ${target.endpointName}: in account ${elsewhere}; to follow it, give that account's profile: --account-profile ${elsewhere}=PROFILE`,
        );
        finished.set(target.endpointName, {
          endpoint: target.endpointName,
          outcome: `in account ${target.account}, not followed`,
        });
        continue;
      }
      const step = await targetState(sagemaker, group, target, versions, endpointClient);
      const elapsed = ((Date.now() - started) / 1000).toFixed(1);
      if (last.get(target.endpointName) !== step.text) {
        last.set(target.endpointName, step.text);
        io.err(`  ${elapsed.padStart(5)} s  ${target.endpointName}: ${step.text}`);
      }
      if (step.done)
        finished.set(target.endpointName, {
          endpoint: target.endpointName,
          outcome: step.done,
          ...(step.serves !== undefined ? { serves: step.serves } : {}),
        });
    }
    if (finished.size === group.deployments.length) break;
    if (Date.now() - started > timeoutMs) {
      return {
        ok: false,
        problem: `timed out after ${Math.round(timeoutMs / 60_000)} min waiting for ${group.deployments
          .filter((t) => !finished.has(t.endpointName))
          .map((t) => t.endpointName)
          .join(', ')}`,
        targets: [...finished.values()],
        lines: [],
      };
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  const targets = [...finished.values()];
  const lines = targets.map(
    (t) => `${t.endpoint}: ${t.outcome}${t.serves !== undefined ? ` (serves v${t.serves})` : ''}`,
  );
  const bad = targets.filter((t) => t.outcome === 'rolled back by SageMaker' || t.outcome === 'failed');
  return bad.length > 0
    ? {
        ok: false,
        problem: `${bad.map((t) => t.endpoint).join(', ')} did not take the change`,
        targets,
        lines,
      }
    : { ok: true, targets, lines };
}

async function targetState(
  sagemaker: SageMakerClient,
  group: ModelPackageGroupConfig,
  target: DeploymentTarget,
  versions: Awaited<ReturnType<typeof listVersions>>,
  endpointClient: SageMakerClient = sagemaker,
): Promise<{ text: string; done?: string; serves?: number }> {
  const desired = desiredVersion(versions, target);
  const endpoint = await describeEndpoint(endpointClient, target.endpointName);
  const serves = endpoint
    ? await servedVersion(endpointClient, target.endpointName, endpoint.configName)
    : undefined;
  if (!desired) {
    return endpoint
      ? {
          text: `no approved version; keeps ${serves ? `v${serves}` : endpoint.configName}`,
          done: 'nothing approved to serve',
          ...(serves ? { serves } : {}),
        }
      : { text: 'no approved version to serve', done: 'nothing approved to serve' };
  }
  const hold = await holdOf(sagemaker, group, target, desired);
  if (hold)
    return {
      text: `v${desired.version} held: ${hold}`,
      done: `held (${hold})`,
      ...(serves ? { serves } : {}),
    };
  if (!endpoint) return { text: `waiting for v${desired.version} (endpoint not created yet)` };
  // A shadow test of the version: running, or failed and held with its figures.
  const shadow = serves === desired.version ? undefined : await newestShadowTest(sagemaker, target);
  if (shadow?.version === desired.version) {
    if (shadow.state === 'failed' || shadow.state === 'cancelled')
      return { text: shadow.text, done: `held (${shadow.text})`, ...(serves ? { serves } : {}) };
    if (shadow.state !== 'passed') return { text: `${shadow.text}${serves ? `; serving v${serves}` : ''}` };
  }
  if (endpoint.status === 'InService' && serves === desired.version)
    return { text: `InService, serving v${serves}`, done: 'serving', serves };
  const rolledBack = rolledBackFrom(endpoint);
  if (rolledBack && versionOfName(target.endpointName, rolledBack) === desired.version)
    return {
      text: `rolled back by SageMaker: ${endpoint.failureReason ?? 'no FailureReason given'}; when the cause is fixed: mgov retry-deploy ${target.endpointName}`,
      done: 'rolled back by SageMaker',
      ...(serves ? { serves } : {}),
    };
  if (endpoint.status === 'Failed')
    return { text: `Failed: ${endpoint.failureReason ?? ''}`, done: 'failed' };
  return { text: `${endpoint.status}${serves ? `, serving v${serves}` : ''}, moving to v${desired.version}` };
}

/** Why a deployment gate holds the version back from the target, or undefined. */
async function holdOf(
  sagemaker: SageMakerClient,
  group: ModelPackageGroupConfig,
  target: DeploymentTarget,
  version: VersionSummary,
): Promise<string | undefined> {
  if (!target.requireApprovedModelCard && !group.separationOfDuties) return undefined;
  const cardName = modelCardName(group.name, version.version);
  const [card, described] = await Promise.all([
    describeModelCard(sagemaker, cardName),
    describeModelVersion(sagemaker, version.arn),
  ]);
  // mgov cannot read the audit bucket's record of the generated card content: the reconciler
  // enforces that the reviewed content is the generated one; mgov reports the other holds.
  const content = card ? jsonFingerprint(card.content) : undefined;
  const reviewer = card?.lastModifiedBy;
  const hold = deploymentHold(group, target, {
    cardName,
    cardStatus: card?.status,
    ...(content ? { cardContentSha256: content, cardRecordedSha256: content } : {}),
    ...(reviewer
      ? { cardReviewedBy: describeIdentity(reviewer), cardReviewerPrincipal: principalOf(reviewer) }
      : {}),
    ...versionApprover(described, undefined),
    ...versionGateFacts(described),
  });
  // mgov does not know the policy handler's role, so it cannot tell its check from anyone's change:
  // the reconciler enforces that hold (it lasts about a second); mgov reports the other ones.
  return hold?.startsWith(AWAITING_CHECK) || hold?.startsWith(STAGE_AWAITING_CHECK) ? undefined : hold;
}

/**
 * SageMaker clients for deployment accounts, from `--account-profile ACCOUNT=PROFILE` (the named
 * profiles people keep per account): undefined for an account without one.
 */
function accountClients(
  specs: readonly string[],
  clientConfig: { region?: string },
  command: string,
): (account: string) => SageMakerClient | undefined {
  const profiles = new Map<string, string>();
  for (const spec of specs) {
    const m = /^(\d{12})=(.+)$/.exec(spec);
    if (!m) {
      throw new UsageError(
        `--account-profile ${spec}: expected ACCOUNT=PROFILE, a 12-digit account id and a named profile (e.g. 222222222222=staging).`,
        command,
      );
    }
    profiles.set(m[1] as string, m[2] as string);
  }
  const clients = new Map<string, SageMakerClient>();
  return (account) => {
    const profile = profiles.get(account);
    if (!profile) return undefined;
    let client = clients.get(account);
    if (!client) {
      client = new SageMakerClient({ ...clientConfig, profile });
      clients.set(account, client);
    }
    return client;
  };
}

function expectArgs(
  command: string,
  args: readonly string[],
  min: number,
  max: number,
  names: string,
): (string | undefined)[] {
  if (args.length < min || args.length > max) {
    throw new UsageError(
      args.length < min
        ? `${command} needs ${names}.`
        : `${command} takes ${max === 0 ? 'no arguments' : names}; unexpected "${args.slice(max).join(' ')}".`,
      command,
    );
  }
  return [...args];
}

function versionNumber(text: string, command: string): number {
  const n = Number(text.replace(/^v/, ''));
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`"${text}" is not a version number; use e.g. 3 or v3.`, command);
  return n;
}

function positiveInt(text: string, option: string, command: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${option} must be a whole number above 0, got "${text}".`, command);
  return n;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], command: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(
      `--format ${value} is not available here; use one of ${allowed.join(', ')}.`,
      command,
    );
  }
  return value as T;
}

function colour(io: Io): boolean {
  return io.isTTY && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
}
