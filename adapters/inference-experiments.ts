/**
 * SageMaker inference experiments (shadow tests) and the live variant they compare with: thin
 * calls, no decisions (domain/shadow-plan.ts decides).
 */
import { type CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  AddTagsCommand,
  CreateInferenceExperimentCommand,
  type CreateInferenceExperimentCommandInput,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeInferenceExperimentCommand,
  ListInferenceExperimentsCommand,
  type SageMakerClient,
  StopInferenceExperimentCommand,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import { figuresFromMetricData, shadowMetricQueries } from '../domain/shadow-metrics';
import {
  type ExperimentRequest,
  type ExperimentStatus,
  isShadowExperimentOf,
  type LiveVariant,
  liveInstanceCount,
  type ObservedExperiment,
  type StopRequest,
  shadowExperimentPrefix,
} from '../domain/shadow-plan';
import { figuresFromTags, figuresTags } from '../domain/shadow-tags';
import type { ShadowFigures } from '../domain/shadow-verdict';
import { isAlreadyExists, isNotFound, tagsOf } from './sagemaker';

/** A summary of each of the target's experiments (name and status), newest first. */
export async function listShadowExperiments(
  client: SageMakerClient,
  endpointName: string,
): Promise<{ name: string; status: ExperimentStatus }[]> {
  const found: { name: string; status: ExperimentStatus }[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(
      new ListInferenceExperimentsCommand({
        NameContains: shadowExperimentPrefix(endpointName),
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: 100,
        NextToken,
      }),
    );
    for (const e of page.InferenceExperiments ?? []) {
      if (e.Name && e.Status && isShadowExperimentOf(endpointName, e.Name))
        found.push({ name: e.Name, status: e.Status as ExperimentStatus });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return found;
}

/** One experiment with the figures recorded in its tags; undefined when it does not exist. */
export async function describeExperiment(
  client: SageMakerClient,
  name: string,
): Promise<ObservedExperiment | undefined> {
  try {
    const out = await client.send(new DescribeInferenceExperimentCommand({ Name: name }));
    const tags = out.Arn ? await tagsOf(client, out.Arn) : {};
    const recorded = figuresFromTags(tags);
    const shadow = out.ShadowModeConfig?.ShadowModelVariants?.[0];
    return {
      name: out.Name ?? name,
      ...(out.Arn ? { arn: out.Arn } : {}),
      status: (out.Status ?? 'Cancelled') as ExperimentStatus,
      ...(out.StatusReason ? { statusReason: out.StatusReason } : {}),
      endpointName: out.EndpointMetadata?.EndpointName ?? '',
      ...(out.ShadowModeConfig?.SourceModelVariantName
        ? { sourceVariantName: out.ShadowModeConfig.SourceModelVariantName }
        : {}),
      ...(shadow?.ShadowModelVariantName ? { shadowVariantName: shadow.ShadowModelVariantName } : {}),
      ...(shadow?.SamplingPercentage !== undefined ? { samplingPercent: shadow.SamplingPercentage } : {}),
      ...(out.RoleArn ? { roleArn: out.RoleArn } : {}),
      variants: (out.ModelVariants ?? []).map((v) => ({
        variantName: v.VariantName ?? '',
        modelName: v.ModelName ?? '',
      })),
      ...(out.Schedule?.StartTime ? { start: out.Schedule.StartTime } : {}),
      ...(out.Schedule?.EndTime ? { end: out.Schedule.EndTime } : {}),
      ...(out.CompletionTime ? { completionTime: out.CompletionTime } : {}),
      ...(recorded ? { recorded } : {}),
    };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Starts the experiment; 'existed' when SageMaker refused it as in use: the name is taken (by a run
 * that got there first, or by someone else), or the endpoint has another experiment. The caller
 * describes the name to tell which (domain/shadow-plan.ts createRefused).
 */
export async function createExperiment(
  client: SageMakerClient,
  request: ExperimentRequest,
  tags: Tag[],
): Promise<'created' | 'existed'> {
  try {
    await client.send(
      new CreateInferenceExperimentCommand({
        ...request,
        Tags: tags,
      } as CreateInferenceExperimentCommandInput),
    );
    return 'created';
  } catch (error) {
    const e = error as { name?: string };
    if (e?.name === 'ResourceInUse' || isAlreadyExists(error)) return 'existed';
    throw error;
  }
}

/** Stops the experiment; an experiment already stopping or over is left as it is. */
export async function stopExperiment(client: SageMakerClient, request: StopRequest): Promise<void> {
  try {
    await client.send(new StopInferenceExperimentCommand({ ...request }));
  } catch (error) {
    const e = error as { name?: string };
    if (e?.name === 'ConflictException' || isNotFound(error)) return;
    throw error;
  }
}

/** Records the measured figures on the experiment (the verdict is judged from them on every later run). */
export async function recordFigures(
  client: SageMakerClient,
  experimentArn: string,
  figures: ShadowFigures,
): Promise<void> {
  await client.send(new AddTagsCommand({ ResourceArn: experimentArn, Tags: figuresTags(figures) }));
}

/**
 * The production variant of an endpoint config (the live one), if the config exists and has one,
 * with the instance count the endpoint runs it on now when `endpointName` is given (DescribeEndpoint;
 * domain/shadow-plan.ts liveInstanceCount).
 */
export async function describeLiveVariant(
  client: SageMakerClient,
  configName: string,
  endpointName?: string,
): Promise<LiveVariant | undefined> {
  try {
    const out = await client.send(new DescribeEndpointConfigCommand({ EndpointConfigName: configName }));
    const v = out.ProductionVariants?.[0];
    if (!v?.VariantName || !v.ModelName || !v.InstanceType) return undefined;
    const inService = endpointName
      ? (
          await client.send(new DescribeEndpointCommand({ EndpointName: endpointName }))
        ).ProductionVariants?.find((p) => p.VariantName === v.VariantName)
      : undefined;
    return {
      variantName: v.VariantName,
      modelName: v.ModelName,
      instanceType: v.InstanceType,
      instanceCount: liveInstanceCount(v.InitialInstanceCount ?? 1, {
        ...(inService?.CurrentInstanceCount !== undefined ? { current: inService.CurrentInstanceCount } : {}),
        ...(inService?.DesiredInstanceCount !== undefined ? { desired: inService.DesiredInstanceCount } : {}),
      }),
    };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The variants' figures over the window, from CloudWatch (AWS/SageMaker). */
export async function measureVariants(
  client: CloudWatchClient,
  endpointName: string,
  variants: { live: string; shadow: string },
  window: { start: Date; end: Date },
  now: Date,
): Promise<ShadowFigures> {
  const input = shadowMetricQueries(endpointName, variants, window, now);
  const results: { Id?: string; Values?: number[] }[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new GetMetricDataCommand({ ...input, NextToken }));
    for (const r of page.MetricDataResults ?? []) {
      const same = results.find((x) => x.Id === r.Id);
      if (same) same.Values = [...(same.Values ?? []), ...(r.Values ?? [])];
      else results.push({ Id: r.Id, Values: [...(r.Values ?? [])] });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return figuresFromMetricData(results, window);
}
