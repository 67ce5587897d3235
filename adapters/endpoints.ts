import {
  AddTagsCommand,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  type CreateEndpointConfigCommandInput,
  CreateModelCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  type DeploymentConfig,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  type DescribeEndpointConfigCommandOutput,
  DescribeModelCommand,
  type DescribeModelCommandOutput,
  ListEndpointConfigsCommand,
  ListModelPackagesCommand,
  ListModelsCommand,
  type SageMakerClient,
  type Tag,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import {
  type DeploymentRequest,
  type EndpointStatus,
  type ObservedEndpoint,
  requestFromTags,
  requestTags,
  rollbackNotifiedTag,
} from '../domain/endpoint-request';
import type { endpointConfigRequest, modelRequest } from '../domain/endpoint-resources';
import { toApprovalStatus } from '../domain/model-version';
import {
  configExtrasMismatch,
  configKeysMismatch,
  configMismatch,
  modelMismatch,
  NameTakenError,
  type ObservedModel,
  type ObservedServedConfig,
} from '../domain/ownership';
import type { VersionSummary } from '../domain/version-selection';
import { isAlreadyExists, isNotFound, tagsOf } from './sagemaker';

const inProgress = (e: unknown) => /in-progress|in progress/i.test((e as Error)?.message ?? '');

/** Every version of a group (one ListModelPackages call per 100 versions). */
export async function listVersions(client: SageMakerClient, groupName: string): Promise<VersionSummary[]> {
  const versions: VersionSummary[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(
      new ListModelPackagesCommand({ ModelPackageGroupName: groupName, MaxResults: 100, NextToken }),
    );
    for (const s of page.ModelPackageSummaryList ?? []) {
      if (!s.ModelPackageArn || s.ModelPackageVersion === undefined) continue;
      versions.push({
        arn: s.ModelPackageArn,
        version: s.ModelPackageVersion,
        approvalStatus: toApprovalStatus(s.ModelApprovalStatus),
        lifeCycle: s.ModelLifeCycle?.Stage
          ? { stage: s.ModelLifeCycle.Stage, stageStatus: s.ModelLifeCycle.StageStatus ?? '' }
          : undefined,
        creationTime: s.CreationTime ?? new Date(0),
      });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return versions;
}

export async function describeEndpoint(
  client: SageMakerClient,
  name: string,
): Promise<ObservedEndpoint | undefined> {
  try {
    const out = await client.send(new DescribeEndpointCommand({ EndpointName: name }));
    const request = out.EndpointArn ? requestFromTags(await tagsOf(client, out.EndpointArn)) : undefined;
    const deployedImages = (out.ProductionVariants ?? []).flatMap((v) =>
      (v.DeployedImages ?? []).flatMap((d) =>
        d.SpecifiedImage && d.ResolvedImage
          ? [{ specified: d.SpecifiedImage, resolved: d.ResolvedImage }]
          : [],
      ),
    );
    return {
      status: (out.EndpointStatus ?? 'Failed') as EndpointStatus,
      configName: out.EndpointConfigName ?? '',
      failureReason: out.FailureReason || undefined,
      lastModifiedTime: out.LastModifiedTime,
      arn: out.EndpointArn,
      ...(deployedImages.length > 0 ? { deployedImages } : {}),
      ...(request ? { request } : {}),
    };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Records on the endpoint that this app asks for `configName` now, from `fromConfig` (see DeploymentRequest). */
export async function recordRequest(
  client: SageMakerClient,
  endpointArn: string,
  configName: string,
  endpointLastModified: Date | undefined,
  fromConfig: string,
): Promise<void> {
  await client.send(
    new AddTagsCommand({
      ResourceArn: endpointArn,
      Tags: requestTags(configName, endpointLastModified, fromConfig),
    }),
  );
}

/** Records on the endpoint that the rollback of this request has been notified. */
export async function recordRollbackNotified(
  client: SageMakerClient,
  endpointArn: string,
  request: Pick<DeploymentRequest, 'configName' | 'after'>,
): Promise<void> {
  await client.send(new AddTagsCommand({ ResourceArn: endpointArn, Tags: [rollbackNotifiedTag(request)] }));
}

/**
 * Creates the model, or finds it made by an earlier run (same deterministic name). A model under that
 * name that is not the one asked for is refused (NameTakenError).
 */
export async function ensureModel(
  client: SageMakerClient,
  request: ReturnType<typeof modelRequest>,
  tags: Tag[],
): Promise<'created' | 'existed'> {
  try {
    await client.send(new CreateModelCommand({ ...request, Tags: tags }));
    return 'created';
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  const input = {
    name: request.ModelName,
    modelPackageArn: request.Containers[0]?.ModelPackageName ?? '',
    executionRoleArn: request.ExecutionRoleArn,
    ...(request.VpcConfig
      ? {
          vpc: {
            subnetIds: request.VpcConfig.Subnets,
            securityGroupIds: request.VpcConfig.SecurityGroupIds,
          },
        }
      : {}),
    networkIsolation: request.EnableNetworkIsolation ?? false,
  };
  const out = await client.send(new DescribeModelCommand({ ModelName: input.name }));
  const mismatch = modelMismatch(input.name, observedModel(out), input);
  if (mismatch) throw new NameTakenError(mismatch);
  return 'existed';
}

/** A model as DescribeModel shows it, in the terms ownership.ts compares. */
function observedModel(out: DescribeModelCommandOutput): ObservedModel {
  // Containers when the model was made with a list, else PrimaryContainer.
  const containers = out.Containers?.length
    ? out.Containers
    : out.PrimaryContainer
      ? [out.PrimaryContainer]
      : [];
  return {
    ...(out.ExecutionRoleArn ? { executionRoleArn: out.ExecutionRoleArn } : {}),
    // A VpcConfig without subnets is no placement (VpcConfig needs 1 to 16 subnets; some
    // emulators answer {} for a model without one).
    ...(out.VpcConfig?.Subnets?.length
      ? {
          vpc: {
            subnetIds: out.VpcConfig.Subnets ?? [],
            securityGroupIds: out.VpcConfig.SecurityGroupIds ?? [],
          },
        }
      : {}),
    networkIsolation: out.EnableNetworkIsolation ?? false,
    containers: containers.map((c) => ({
      ...(c.ModelPackageName ? { modelPackageName: c.ModelPackageName } : {}),
      ...(c.Image ? { image: c.Image } : {}),
      ...(c.ModelDataUrl ? { modelDataUrl: c.ModelDataUrl } : {}),
    })),
  };
}

/**
 * The config an endpoint serves and the models of its variants that carry one of our names for
 * this endpoint (the reconciler may describe only those): what servedConfigMismatch compares.
 * Undefined when the config does not exist (deleted under the endpoint).
 */
export async function describeServedConfig(
  client: SageMakerClient,
  configName: string,
  isOurs: (modelName: string) => boolean,
): Promise<ObservedServedConfig | undefined> {
  let out: DescribeEndpointConfigCommandOutput;
  try {
    out = await client.send(new DescribeEndpointConfigCommand({ EndpointConfigName: configName }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const variants = (out.ProductionVariants ?? []).map((v) => ({
    ...(v.VariantName ? { variantName: v.VariantName } : {}),
    ...(v.ModelName ? { modelName: v.ModelName } : {}),
  }));
  const models: Record<string, ObservedModel> = {};
  for (const name of new Set(
    variants.flatMap((v) => (v.modelName && isOurs(v.modelName) ? [v.modelName] : [])),
  )) {
    try {
      models[name] = observedModel(await client.send(new DescribeModelCommand({ ModelName: name })));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return {
    variants,
    extras: {
      shadowVariants: out.ShadowProductionVariants?.length ?? 0,
      asyncInference: out.AsyncInferenceConfig !== undefined,
      explainer: out.ExplainerConfig !== undefined,
    },
    models,
  };
}

/** `request` is endpointConfigRequest's output; the SDK's enums (instance types) are plain strings to the core. */
export async function ensureEndpointConfig(
  client: SageMakerClient,
  request: ReturnType<typeof endpointConfigRequest>,
  tags: Tag[],
): Promise<'created' | 'existed'> {
  try {
    await client.send(
      new CreateEndpointConfigCommand({ ...request, Tags: tags } as CreateEndpointConfigCommandInput),
    );
    return 'created';
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  const out = await client.send(
    new DescribeEndpointConfigCommand({ EndpointConfigName: request.EndpointConfigName }),
  );
  const variant = (v: {
    VariantName?: string;
    ModelName?: string;
    InstanceType?: string;
    InitialInstanceCount?: number;
    ServerlessConfig?: { MemorySizeInMB?: number; MaxConcurrency?: number };
  }) => ({
    variantName: v.VariantName,
    modelName: v.ModelName,
    instanceType: v.InstanceType,
    initialInstanceCount: v.InitialInstanceCount,
    ...(v.ServerlessConfig
      ? {
          serverless: {
            memorySizeMb: v.ServerlessConfig.MemorySizeInMB,
            maxConcurrency: v.ServerlessConfig.MaxConcurrency,
          },
        }
      : {}),
  });
  const mismatch =
    configMismatch(
      request.EndpointConfigName,
      (out.ProductionVariants ?? []).map(variant),
      request.ProductionVariants.map(variant),
    ) ??
    configKeysMismatch(
      request.EndpointConfigName,
      {
        ...(out.KmsKeyId ? { volumeKmsKeyId: out.KmsKeyId } : {}),
        ...(out.DataCaptureConfig?.KmsKeyId ? { dataCaptureKmsKeyId: out.DataCaptureConfig.KmsKeyId } : {}),
      },
      {
        ...(request.KmsKeyId ? { volumeKmsKeyId: request.KmsKeyId } : {}),
        ...(request.DataCaptureConfig?.KmsKeyId
          ? { dataCaptureKmsKeyId: request.DataCaptureConfig.KmsKeyId }
          : {}),
      },
    ) ??
    configExtrasMismatch(
      request.EndpointConfigName,
      {
        shadowVariants: out.ShadowProductionVariants?.length ?? 0,
        asyncInference: out.AsyncInferenceConfig !== undefined,
        explainer: out.ExplainerConfig !== undefined,
        dataCapture: out.DataCaptureConfig ? captureOf(out.DataCaptureConfig) : undefined,
      },
      {
        shadowVariants: 0,
        asyncInference: false,
        explainer: false,
        dataCapture: request.DataCaptureConfig ? captureOf(request.DataCaptureConfig) : undefined,
      },
    );
  if (mismatch) throw new NameTakenError(mismatch);
  return 'existed';
}

/** What a config captures, or nothing: a DataCaptureConfig with no destination captures nothing. */
function captureOf(c: {
  EnableCapture?: boolean;
  InitialSamplingPercentage?: number;
  DestinationS3Uri?: string;
}) {
  return c.DestinationS3Uri
    ? { enabled: c.EnableCapture, percent: c.InitialSamplingPercentage, destination: c.DestinationS3Uri }
    : undefined;
}

/** The first production variant of an endpoint config (the one the reconciler makes), if it exists. */
export async function describeConfigVariant(
  client: SageMakerClient,
  configName: string,
): Promise<{ variantName?: string; instanceType?: string } | undefined> {
  try {
    const out = await client.send(new DescribeEndpointConfigCommand({ EndpointConfigName: configName }));
    const v = out.ProductionVariants?.[0];
    return v
      ? {
          ...(v.VariantName ? { variantName: v.VariantName } : {}),
          ...(v.InstanceType ? { instanceType: v.InstanceType } : {}),
        }
      : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** 'busy' when another run got there first (the endpoint exists, or is already changing). */
export async function createEndpoint(
  client: SageMakerClient,
  input: { name: string; configName: string; tags: Tag[] },
): Promise<'started' | 'busy'> {
  try {
    await client.send(
      new CreateEndpointCommand({
        EndpointName: input.name,
        EndpointConfigName: input.configName,
        Tags: input.tags,
      }),
    );
    return 'started';
  } catch (error) {
    if (isAlreadyExists(error) || inProgress(error)) return 'busy';
    throw error;
  }
}

/**
 * `retainInstanceCount`: keep the variant's current (autoscaled) instance count instead of the new
 * config's InitialInstanceCount (RetainAllVariantProperties; the new config's data capture still
 * applies). Only for an update that keeps the variant and its instance type (autoscaling-plan.ts).
 */
export async function updateEndpoint(
  client: SageMakerClient,
  input: {
    name: string;
    configName: string;
    deploymentConfig?: DeploymentConfig;
    retainInstanceCount?: boolean;
  },
): Promise<'started' | 'busy'> {
  try {
    await client.send(
      new UpdateEndpointCommand({
        EndpointName: input.name,
        EndpointConfigName: input.configName,
        DeploymentConfig: input.deploymentConfig,
        ...(input.retainInstanceCount
          ? {
              RetainAllVariantProperties: true,
              ExcludeRetainedVariantProperties: [{ VariantPropertyType: 'DataCaptureConfig' }],
            }
          : { RetainAllVariantProperties: false }),
      }),
    );
    return 'started';
  } catch (error) {
    if (inProgress(error)) return 'busy';
    throw error;
  }
}

export async function deleteEndpoint(client: SageMakerClient, name: string): Promise<'started' | 'busy'> {
  try {
    await client.send(new DeleteEndpointCommand({ EndpointName: name }));
    return 'started';
  } catch (error) {
    if (inProgress(error)) return 'busy';
    if (isNotFound(error)) return 'started';
    throw error;
  }
}

/** Names of the endpoint configs and models whose names start with the prefix. */
export async function listOwnResources(
  client: SageMakerClient,
  prefix: string,
): Promise<{ configs: string[]; models: string[] }> {
  const configs: string[] = [];
  const models: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListEndpointConfigsCommand({ NameContains: prefix, MaxResults: 100, NextToken: token }),
    );
    configs.push(
      ...(page.EndpointConfigs ?? [])
        .map((c) => c.EndpointConfigName ?? '')
        .filter((n) => n.startsWith(prefix)),
    );
    token = page.NextToken;
  } while (token);
  do {
    const page = await client.send(
      new ListModelsCommand({ NameContains: prefix, MaxResults: 100, NextToken: token }),
    );
    models.push(...(page.Models ?? []).map((m) => m.ModelName ?? '').filter((n) => n.startsWith(prefix)));
    token = page.NextToken;
  } while (token);
  return { configs, models };
}

export async function deleteEndpointConfig(client: SageMakerClient, name: string): Promise<void> {
  await client.send(new DeleteEndpointConfigCommand({ EndpointConfigName: name })).catch((e: unknown) => {
    if (!isNotFound(e)) throw e;
  });
}

export async function deleteModel(client: SageMakerClient, name: string): Promise<void> {
  await client.send(new DeleteModelCommand({ ModelName: name })).catch((e: unknown) => {
    if (!isNotFound(e)) throw e;
  });
}
