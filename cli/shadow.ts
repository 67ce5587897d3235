/** What mgov shows of a target's shadow tests: the newest one, and its verdict. */
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  describeExperiment,
  describeLiveVariant,
  listShadowExperiments,
} from '../adapters/inference-experiments';
import type { DeploymentTarget } from '../core/config/types';
import { versionOfName } from '../core/naming';
import { EXPERIMENT_IN_PROGRESS, type ObservedExperiment, SHADOW_VARIANT_NAME } from '../domain/shadow-plan';
import { shadowVerdict } from '../domain/shadow-verdict';

export interface ShadowState {
  /** The version the newest test shadowed. */
  readonly version?: number;
  readonly state: 'running' | 'passed' | 'failed' | 'judging' | 'cancelled';
  /** One line: what it is, with the figures once measured. */
  readonly text: string;
}

/** The newest shadow test of the target, if it has `shadow` and ran one. */
export async function newestShadowTest(
  client: SageMakerClient,
  target: DeploymentTarget,
): Promise<ShadowState | undefined> {
  if (!target.shadow) return undefined;
  const [newest] = await listShadowExperiments(client, target.endpointName);
  if (!newest) return undefined;
  const experiment = await describeExperiment(client, newest.name);
  return experiment ? shadowState(target, experiment) : undefined;
}

/** A test's state as mgov says it. Pure. */
export function shadowState(target: DeploymentTarget, e: ObservedExperiment): ShadowState {
  const model = e.variants.find(
    (v) => v.variantName === (e.shadowVariantName ?? SHADOW_VARIANT_NAME),
  )?.modelName;
  const version = model ? versionOfName(target.endpointName, model) : undefined;
  const v = version !== undefined ? `v${version}` : (model ?? 'unknown model');
  const base = version !== undefined ? { version } : {};
  if (EXPERIMENT_IN_PROGRESS.includes(e.status))
    return {
      ...base,
      state: 'running',
      text: `${v} shadow test ${e.status}${e.end ? ` until ${e.end.toISOString()}` : ''}`,
    };
  if (e.status === 'Cancelled')
    return {
      ...base,
      state: 'cancelled',
      text: `${v} shadow test cancelled (${e.statusReason || 'no reason given'})`,
    };
  if (!e.recorded || !target.shadow)
    return { ...base, state: 'judging', text: `${v} shadow test completed; being judged` };
  const verdict = shadowVerdict(target.shadow, e.recorded);
  return verdict.passed
    ? { ...base, state: 'passed', text: `${v} passed its shadow test: ${verdict.summary}` }
    : {
        ...base,
        state: 'failed',
        text: `${v} held: failed its shadow test: ${verdict.failures.join('; ')} (${verdict.summary})`,
      };
}

/**
 * The version an endpoint serves: from its config's name when it is one of ours, else from the
 * model of its production variant (after a shadow test the endpoint runs on a config SageMaker named).
 */
export async function servedVersion(
  client: SageMakerClient,
  endpointName: string,
  configName: string,
): Promise<number | undefined> {
  const fromName = versionOfName(endpointName, configName);
  if (fromName !== undefined) return fromName;
  const live = await describeLiveVariant(client, configName).catch(() => undefined);
  return live ? versionOfName(endpointName, live.modelName) : undefined;
}
