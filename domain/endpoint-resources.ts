/** What the reconciler creates for a version on a target, and the requests that create it. Pure. */
import type { DeploymentStrategy, DeploymentTarget } from '../core/config/types';
import { rollbackAlarmNames, VARIANT_NAME, versionedName } from '../core/naming';
import type { VersionSummary } from './version-selection';

/** What the reconciler creates for a version on a target. */
export interface Deployment {
  readonly version: VersionSummary;
  readonly modelName: string;
  readonly configName: string;
}

/** What the names and requests of a deployment depend on besides the version. */
export interface ResourceInputs {
  readonly target: DeploymentTarget;
  /** The execution role the models run with (part of the model's identity). */
  readonly executionRoleArn: string;
  /** S3 prefix for data capture, when the target captures. */
  readonly dataCaptureS3Uri?: string;
}

export function deploymentFor(inputs: ResourceInputs, version: VersionSummary): Deployment {
  const { target } = inputs;
  // The network placement and keys are part of the names (only when set, so targets without them
  // keep the names they had): changing one makes a new model or config, never reuses the old one.
  const modelName = versionedName(
    target.endpointName,
    version.version,
    'model',
    version.arn,
    inputs.executionRoleArn,
    ...(target.vpc || target.networkIsolation
      ? [{ vpc: target.vpc ?? null, networkIsolation: target.networkIsolation }]
      : []),
  );
  const configName = versionedName(
    target.endpointName,
    version.version,
    'config',
    modelName,
    target.compute,
    target.dataCapturePercent,
    inputs.dataCaptureS3Uri,
    ...(target.volumeKmsKeyArn || target.dataCaptureKmsKeyArn
      ? [{ volume: target.volumeKmsKeyArn ?? null, dataCapture: target.dataCaptureKmsKeyArn ?? null }]
      : []),
  );
  return { version, modelName, configName };
}

/** SageMaker's CreateModel request for a deployment (without its tags). */
export function modelRequest(
  inputs: Pick<ResourceInputs, 'target' | 'executionRoleArn'>,
  deployment: Deployment,
) {
  const { target } = inputs;
  return {
    ModelName: deployment.modelName,
    ExecutionRoleArn: inputs.executionRoleArn,
    Containers: [{ ModelPackageName: deployment.version.arn }],
    ...(target.vpc
      ? {
          VpcConfig: {
            Subnets: [...target.vpc.subnetIds],
            SecurityGroupIds: [...target.vpc.securityGroupIds],
          },
        }
      : {}),
    ...(target.networkIsolation ? { EnableNetworkIsolation: true } : {}),
  };
}

/** SageMaker's CreateEndpointConfig request for a deployment (without its tags). */
export function endpointConfigRequest(inputs: ResourceInputs, deployment: Deployment) {
  const { target } = inputs;
  const compute = target.compute;
  return {
    EndpointConfigName: deployment.configName,
    ProductionVariants: [
      compute.kind === 'instances'
        ? {
            VariantName: VARIANT_NAME,
            ModelName: deployment.modelName,
            InstanceType: compute.instanceType,
            InitialInstanceCount: compute.instanceCount,
            InitialVariantWeight: 1,
          }
        : {
            VariantName: VARIANT_NAME,
            ModelName: deployment.modelName,
            ServerlessConfig: {
              MemorySizeInMB: compute.memorySizeMb,
              MaxConcurrency: compute.maxConcurrency,
            },
          },
    ],
    ...(target.dataCapturePercent > 0 && inputs.dataCaptureS3Uri
      ? {
          DataCaptureConfig: {
            EnableCapture: true,
            InitialSamplingPercentage: target.dataCapturePercent,
            DestinationS3Uri: `${inputs.dataCaptureS3Uri.replace(/\/$/, '')}/${target.endpointName}`,
            CaptureOptions: [{ CaptureMode: 'Input' as const }, { CaptureMode: 'Output' as const }],
            ...(target.dataCaptureKmsKeyArn ? { KmsKeyId: target.dataCaptureKmsKeyArn } : {}),
          },
        }
      : {}),
    ...(target.volumeKmsKeyArn ? { KmsKeyId: target.volumeKmsKeyArn } : {}),
  };
}

/**
 * UpdateEndpoint's DeploymentConfig: blue/green with the configured traffic shifting, and the
 * stack's alarms as auto-rollback triggers when enabled. Serverless targets update all at once
 * without one.
 */
export function deploymentConfig(target: DeploymentTarget) {
  if (target.compute.kind === 'serverless') return undefined;
  const s: DeploymentStrategy = target.strategy;
  const routing =
    s.kind === 'canary'
      ? {
          Type: 'CANARY' as const,
          WaitIntervalInSeconds: s.waitMinutes * 60,
          CanarySize: { Type: 'CAPACITY_PERCENT' as const, Value: s.canaryPercent },
        }
      : s.kind === 'linear'
        ? {
            Type: 'LINEAR' as const,
            WaitIntervalInSeconds: s.waitMinutes * 60,
            LinearStepSize: { Type: 'CAPACITY_PERCENT' as const, Value: s.stepPercent },
          }
        : { Type: 'ALL_AT_ONCE' as const, WaitIntervalInSeconds: 0 };
  const alarms = rollbackAlarmNames(target.endpointName);
  return {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: routing,
      TerminationWaitInSeconds: s.terminationWaitMinutes * 60,
    },
    ...(target.rollbackAlarms.enabled
      ? {
          AutoRollbackConfiguration: {
            Alarms: [{ AlarmName: alarms.errors }, { AlarmName: alarms.latency }],
          },
        }
      : {}),
  };
}

/** Tags on everything the reconciler creates. */
export function deploymentTags(groupName: string, version: VersionSummary, endpointName: string) {
  return [
    { Key: 'model-governance:group', Value: groupName },
    { Key: 'model-governance:version', Value: String(version.version) },
    { Key: 'model-governance:model-package-arn', Value: version.arn },
    { Key: 'model-governance:endpoint', Value: endpointName },
  ];
}
