/**
 * Carries out endpoint actions the reconciler and mgov both take. No decisions here: what to do is
 * decided by the pure planner (domain/); this only makes the calls, in the order that keeps a crash
 * between them safe.
 */
import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { DeploymentTarget } from '../core/config/types';
import { scalingAroundUpdate } from '../domain/autoscaling-plan';
import { deploymentConfig, type ObservedEndpoint } from '../domain/endpoint-plan';
import { deregisterScaling, describeScaling } from './autoscaling';
import { describeConfigVariant, recordRequest, updateEndpoint } from './endpoints';

export interface EndpointClients {
  readonly sagemaker: SageMakerClient;
  /** Application Auto Scaling, for targets with `autoscaling`. */
  readonly autoscaling?: ApplicationAutoScalingClient;
}

/**
 * Asks an existing endpoint to move to `configName`, the one way this app does (the reconciler and
 * `mgov retry-deploy`): the request recorded on the endpoint first, so that a rollback is recognised
 * by the config the endpoint settles on (rolledBackFrom) and a crash before the request is no false
 * rollback; the variant's scaling made ready (an instance-type change deregisters it, a model-only
 * change keeps the scaled-out count); then UpdateEndpoint with the target's blue/green config.
 */
export async function requestUpdate(
  clients: EndpointClients,
  target: DeploymentTarget,
  endpoint: ObservedEndpoint,
  configName: string,
): Promise<'started' | 'busy'> {
  if (endpoint.arn)
    await recordRequest(
      clients.sagemaker,
      endpoint.arn,
      configName,
      endpoint.lastModifiedTime,
      endpoint.configName,
    );
  const retainInstanceCount = await prepareScalingForUpdate(clients, target, endpoint);
  return updateEndpoint(clients.sagemaker, {
    name: target.endpointName,
    configName,
    deploymentConfig: deploymentConfig(target),
    retainInstanceCount,
  });
}

/**
 * Before an UpdateEndpoint of an autoscaled target (domain/autoscaling-plan.ts): deregisters the
 * variant's scalable target when the update changes its instance type (SageMaker refuses that
 * update otherwise); says whether the update keeps the current instance count (model-only update).
 */
async function prepareScalingForUpdate(
  clients: EndpointClients,
  target: DeploymentTarget,
  endpoint: ObservedEndpoint,
): Promise<boolean> {
  if (!clients.autoscaling || !target.autoscaling) return false;
  const scaling = await describeScaling(clients.autoscaling, target.endpointName);
  if (!scaling.target) return false;
  const current = await describeConfigVariant(clients.sagemaker, endpoint.configName);
  const around = scalingAroundUpdate(target, current, scaling);
  if (around.deregisterFirst)
    await deregisterScaling(clients.autoscaling, target.endpointName, around.deregisterFirst.policies);
  return around.retainInstanceCount;
}
