/**
 * Following a change to the endpoints it moves (mgov approve/reject/retry-deploy --wait), and the
 * gates that hold a version back.
 */
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { describeEndpoint, listVersions } from '../adapters/endpoints';
import { latestReconcileFailure } from '../adapters/lineage';
import { describeModelVersion } from '../adapters/sagemaker';
import { decideGates, type FactSources } from '../adapters/target-facts';
import type { DeploymentTarget, ModelPackageGroupConfig } from '../core/config/types';
import { versionOfName } from '../core/naming';
import { rolledBackFrom } from '../domain/endpoint-request';
import { type HoldCode, isQuietWait } from '../domain/hold';
import type { Gated } from '../domain/target-planner';
import { desiredVersion, type VersionSummary } from '../domain/version-selection';
import type { CommandContext } from './command';
import { newestShadowTest, servedVersion } from './shadow';

/**
 * How following one target ended. Settled: it serves what it should, or has nothing approved to
 * serve, or is in an account mgov was given no profile for. The rest did not take the change.
 */
export type FollowOutcome =
  | 'serving'
  | 'nothing-approved'
  | 'not-followed'
  | 'held'
  | 'rolled-back'
  | 'failed'
  | 'reconcile-failed';

/** How far mgov's clock may be behind the service's when it dates a change it makes. */
export const CLOCK_SKEW_MS = 5000;

const SETTLED: ReadonlySet<FollowOutcome> = new Set(['serving', 'nothing-approved', 'not-followed']);

export interface FollowedTarget {
  readonly endpoint: string;
  readonly outcome: FollowOutcome;
  /** For people: the hold's reason, SageMaker's FailureReason, the reconciler's error. */
  readonly detail?: string;
  /** Held by a deployment gate: the gate's code, what tools branch on. */
  readonly holdCode?: HoldCode;
  readonly serves?: number;
}

export interface WaitResult {
  readonly ok: boolean;
  /** Why not ok: a target's outcome, the version changed back (reverted) or the time ran out. */
  readonly code?: FollowOutcome | 'reverted' | 'timed-out';
  readonly problem?: string;
  readonly targets: readonly FollowedTarget[];
  readonly lines: readonly string[];
}

const OUTCOME_TEXT: Record<FollowOutcome, string> = {
  serving: 'serving',
  'nothing-approved': 'nothing approved to serve',
  'not-followed': 'not followed',
  held: 'held',
  'rolled-back': 'rolled back by SageMaker',
  failed: 'failed',
  'reconcile-failed': 'the reconciler failed',
};

/** Time to allow before a target's deployment is overdue: creation, traffic shifting, shadow test. */
export function expectedMinutes(target: DeploymentTarget): number {
  // An endpoint takes minutes to create or update on instances (SageMaker's own estimate in the
  // console is "several minutes"); 15 covers that with room.
  const base = 15;
  const s = target.strategy;
  const shifting =
    s.kind === 'canary'
      ? s.waitMinutes
      : s.kind === 'linear'
        ? Math.ceil(100 / s.stepPercent) * s.waitMinutes
        : 0;
  return base + shifting + s.terminationWaitMinutes + (target.shadow?.minutes ?? 0);
}

/** The default --timeout for following `targets`: the slowest one's expected time. */
export function followTimeoutMinutes(targets: readonly DeploymentTarget[]): number {
  return Math.max(15, ...targets.map(expectedMinutes));
}

/**
 * Follows the group's targets until each serves what the reconciler should give it now (pure
 * `desiredVersion`), or is held by a gate, or rolled back by SageMaker, or the reconciler records a
 * failure for it after `since`, or the version's approval is changed back, or the time is up.
 */
export async function followTargets(
  ctx: Pick<CommandContext, 'sagemaker' | 'io' | 'clientFor'>,
  group: ModelPackageGroupConfig,
  n: number,
  wanted: 'Approved' | 'Rejected',
  timeoutMs: number,
  registryAccount: string | undefined,
  since: Date = new Date(),
): Promise<WaitResult> {
  const { sagemaker, io, clientFor } = ctx;
  const started = Date.now();
  const pollMs = io.pollMs ?? 2000;
  const last = new Map<string, string>();
  const finished = new Map<string, FollowedTarget>();
  for (;;) {
    const versions = await listVersions(sagemaker, group.name);
    const now = versions.find((v) => v.version === n);
    if (now && now.approvalStatus !== wanted) {
      const described = await describeModelVersion(sagemaker, now.arn);
      return {
        ok: false,
        code: 'reverted',
        problem: `${group.name} v${n} was set ${now.approvalStatus} again${described?.lastModifiedBy ? ` by ${described.lastModifiedBy}` : ''}: ${described?.approvalDescription ?? 'no reason given'}`,
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
          outcome: 'not-followed',
          detail: `in account ${target.account}`,
        });
        continue;
      }
      const step = await targetState(sagemaker, group, target, versions, endpointClient, since);
      const elapsed = ((Date.now() - started) / 1000).toFixed(1);
      if (last.get(target.endpointName) !== step.text) {
        last.set(target.endpointName, step.text);
        io.err(`  ${elapsed.padStart(5)} s  ${target.endpointName}: ${step.text}`);
      }
      if (step.done)
        finished.set(target.endpointName, {
          endpoint: target.endpointName,
          outcome: step.done,
          ...(step.detail ? { detail: step.detail } : {}),
          ...(step.holdCode ? { holdCode: step.holdCode } : {}),
          ...(step.serves !== undefined ? { serves: step.serves } : {}),
        });
    }
    if (finished.size === group.deployments.length) break;
    if (Date.now() - started > timeoutMs) {
      return {
        ok: false,
        code: 'timed-out',
        problem: `timed out after ${Math.round(timeoutMs / 60_000)} min waiting for ${group.deployments
          .filter((t) => !finished.has(t.endpointName))
          .map((t) => t.endpointName)
          .join(', ')}; --timeout MINUTES waits longer, and mgov status shows where each target is`,
        targets: [...finished.values()],
        lines: [],
      };
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  const targets = [...finished.values()];
  const lines = targets.map(
    (t) =>
      `${t.endpoint}: ${OUTCOME_TEXT[t.outcome]}${t.detail ? `: ${t.detail}` : ''}${t.serves !== undefined ? ` (serves v${t.serves})` : ''}`,
  );
  const bad = targets.find((t) => !SETTLED.has(t.outcome));
  return bad
    ? {
        ok: false,
        code: bad.outcome,
        problem: targets
          .filter((t) => !SETTLED.has(t.outcome))
          .map((t) => `${t.endpoint}: ${OUTCOME_TEXT[t.outcome]}${t.detail ? `: ${t.detail}` : ''}`)
          .join('; '),
        targets,
        lines,
      }
    : { ok: true, targets, lines };
}

interface TargetStep {
  readonly text: string;
  readonly done?: FollowOutcome;
  readonly detail?: string;
  readonly holdCode?: HoldCode;
  readonly serves?: number;
}

async function targetState(
  sagemaker: SageMakerClient,
  group: ModelPackageGroupConfig,
  target: DeploymentTarget,
  versions: Awaited<ReturnType<typeof listVersions>>,
  endpointClient: SageMakerClient = sagemaker,
  since: Date = new Date(0),
): Promise<TargetStep> {
  const gated = await gatesOf(sagemaker, group, target, versions);
  const desired = desiredVersion(gated.versions, target);
  const endpoint = await describeEndpoint(endpointClient, target.endpointName);
  const serves = endpoint
    ? await servedVersion(endpointClient, target.endpointName, endpoint.configName)
    : undefined;
  const serving = serves ? { serves } : {};
  if (gated.held) {
    const { version, hold } = gated.held;
    const text = `v${version.version} ${isQuietWait(hold) ? 'waiting' : 'held'}: ${hold.detail} (${hold.code})`;
    if (isQuietWait(hold)) return { text };
    return { text, done: 'held', detail: `${hold.code}: ${hold.detail}`, holdCode: hold.code, ...serving };
  }
  if (!desired) {
    return endpoint
      ? {
          text: `no approved version; keeps ${serves ? `v${serves}` : endpoint.configName}`,
          done: 'nothing-approved',
          ...serving,
        }
      : { text: 'no approved version to serve', done: 'nothing-approved' };
  }
  if (endpoint?.status === 'InService' && serves === desired.version)
    return { text: `InService, serving v${serves}`, done: 'serving', serves };
  // The reconciler's own failure on this target since the change (a dead-lettered run records one):
  // SageMaker refused its request, so nothing on the endpoint will move.
  const failure = await latestReconcileFailure(endpointClient, target.endpointName);
  if (failure && failure.at.getTime() >= since.getTime())
    return {
      text: `the reconciler failed: ${failure.error}`,
      done: 'reconcile-failed',
      detail: failure.error,
      ...serving,
    };
  if (!endpoint) return { text: `waiting for v${desired.version} (endpoint not created yet)` };
  // A shadow test of the version: running, or failed and held with its figures.
  const shadow = serves === desired.version ? undefined : await newestShadowTest(sagemaker, target);
  if (shadow?.version === desired.version) {
    if (shadow.state === 'failed' || shadow.state === 'cancelled')
      return { text: shadow.text, done: 'held', detail: shadow.text, ...serving };
    if (shadow.state !== 'passed') return { text: `${shadow.text}${serves ? `; serving v${serves}` : ''}` };
  }
  const rolledBack = rolledBackFrom(endpoint);
  if (rolledBack && versionOfName(target.endpointName, rolledBack) === desired.version) {
    const reason = endpoint.failureReason ?? 'no FailureReason given';
    return {
      text: `rolled back by SageMaker: ${reason}; when the cause is fixed: mgov retry-deploy ${target.endpointName}`,
      done: 'rolled-back',
      detail: reason,
      ...serving,
    };
  }
  if (endpoint.status === 'Failed')
    return {
      text: `Failed: ${endpoint.failureReason ?? ''}`,
      done: 'failed',
      detail: endpoint.failureReason ?? 'no FailureReason given',
    };
  return { text: `${endpoint.status}${serves ? `, serving v${serves}` : ''}, moving to v${desired.version}` };
}

/**
 * What mgov may read besides the registry: the target endpoint's own account, and the governance
 * record (mgov --record), whose violation holds then replace their lineage copy.
 */
export type MgovReach = Pick<FactSources, 'endpointSageMaker' | 'record'>;

/**
 * What mgov can read of the facts the reconciler decides from: the registry and the endpoints, not
 * the policy handler's role (the version's latest change is taken for its check), the audit bucket's
 * record of generated card content (the card's content is taken as generated), nor the quality
 * gate's verdict store; the governance record only when it is given (--record), else a violation
 * hold is read from its lineage copy. The reconciler still checks those; mgov reports every other
 * hold.
 */
export function mgovSources(sagemaker: SageMakerClient, reach: MgovReach = {}): FactSources {
  return {
    sagemaker,
    checker: 'latest-change',
    recordedCardContent: 'as-written',
    ...reach,
  };
}

/** The deployment gates' answer for a target, as the reconciler's planner gives it. */
export function gatesOf(
  sagemaker: SageMakerClient,
  group: ModelPackageGroupConfig,
  target: DeploymentTarget,
  versions: readonly VersionSummary[],
  reach: MgovReach = {},
): Promise<Gated> {
  return decideGates(mgovSources(sagemaker, reach), group, target, versions);
}
