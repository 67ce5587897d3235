/**
 * Following a change to the endpoints it moves (mgov approve/reject/retry-deploy --wait), and the
 * gates that hold a version back.
 */
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { describeEndpoint, listVersions } from '../adapters/endpoints';
import { describeModelCard } from '../adapters/model-cards';
import { describeModelVersion } from '../adapters/sagemaker';
import type { DeploymentTarget, ModelPackageGroupConfig } from '../core/config/types';
import { modelCardName } from '../core/model-card-naming';
import { versionOfName } from '../core/naming';
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
import { STAGE_AWAITING_CHECK } from '../domain/stage-check';
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
export async function holdOf(
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
