/**
 * Following a change to the endpoints it moves (mgov approve/reject/retry-deploy --wait), and the
 * gates that hold a version back.
 */
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { describeEndpoint, listVersions } from '../adapters/endpoints';
import { describeModelVersion } from '../adapters/sagemaker';
import { decideGates, type FactSources } from '../adapters/target-facts';
import type { DeploymentTarget, ModelPackageGroupConfig } from '../core/config/types';
import { versionOfName } from '../core/naming';
import { rolledBackFrom } from '../domain/endpoint-request';
import { isQuietWait } from '../domain/hold';
import type { Gated } from '../domain/target-planner';
import { desiredVersion, type VersionSummary } from '../domain/version-selection';
import type { CommandContext } from './command';
import { newestShadowTest, servedVersion } from './shadow';

export interface WaitResult {
  readonly ok: boolean;
  readonly problem?: string;
  readonly targets: readonly { endpoint: string; outcome: string; serves?: number }[];
  readonly lines: readonly string[];
}

/**
 * Follows the group's targets until each serves what the reconciler should give it now (pure
 * `desiredVersion`), or is held by a gate, or rolled back by SageMaker, or the time is up.
 */
export async function followTargets(
  ctx: Pick<CommandContext, 'sagemaker' | 'io' | 'clientFor'>,
  group: ModelPackageGroupConfig,
  n: number,
  wanted: 'Approved' | 'Rejected',
  timeoutMs: number,
  registryAccount: string | undefined,
): Promise<WaitResult> {
  const { sagemaker, io, clientFor } = ctx;
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
  const gated = await gatesOf(sagemaker, group, target, versions);
  const desired = desiredVersion(gated.versions, target);
  const endpoint = await describeEndpoint(endpointClient, target.endpointName);
  const serves = endpoint
    ? await servedVersion(endpointClient, target.endpointName, endpoint.configName)
    : undefined;
  if (gated.held) {
    const { version, hold } = gated.held;
    const text = `v${version.version} ${isQuietWait(hold) ? 'waiting' : 'held'}: ${hold.detail} (${hold.code})`;
    if (isQuietWait(hold)) return { text };
    return { text, done: `held (${hold.code}: ${hold.detail})`, ...(serves ? { serves } : {}) };
  }
  if (!desired) {
    return endpoint
      ? {
          text: `no approved version; keeps ${serves ? `v${serves}` : endpoint.configName}`,
          done: 'nothing approved to serve',
          ...(serves ? { serves } : {}),
        }
      : { text: 'no approved version to serve', done: 'nothing approved to serve' };
  }
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

/**
 * What mgov can read of the facts the reconciler decides from: the registry and the endpoints, not
 * the policy handler's role (the version's latest change is taken for its check), the audit bucket's
 * record of generated card content (the card's content is taken as generated), nor the quality
 * gate's verdict store. The reconciler still checks those; mgov reports every other hold.
 */
export function mgovSources(sagemaker: SageMakerClient): FactSources {
  return { sagemaker, checker: 'latest-change', recordedCardContent: 'as-written' };
}

/** The deployment gates' answer for a target, as the reconciler's planner gives it. */
export function gatesOf(
  sagemaker: SageMakerClient,
  group: ModelPackageGroupConfig,
  target: DeploymentTarget,
  versions: readonly VersionSummary[],
): Promise<Gated> {
  return decideGates(mgovSources(sagemaker), group, target, versions);
}
