/**
 * Whether a model or endpoint config found under one of the reconciler's names is the one it would
 * have made. Names are deterministic, so anyone with CreateModel in the endpoint's
 * account could create the name first with their own container and have it served on the next
 * approval: on "already exists" the reconciler compares what exists with what it asked for, and
 * refuses a mismatch. Pure.
 */

export interface ObservedModel {
  readonly executionRoleArn?: string;
  readonly vpc?: { readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[] };
  readonly networkIsolation?: boolean;
  /** PrimaryContainer and Containers, as DescribeModel returns them. */
  readonly containers: readonly {
    readonly modelPackageName?: string;
    readonly image?: string;
    readonly modelDataUrl?: string;
  }[];
}

/** Why an existing model is not the one wanted, or undefined when it is. */
export function modelMismatch(
  name: string,
  found: ObservedModel,
  wanted: {
    readonly modelPackageArn: string;
    readonly executionRoleArn: string;
    readonly vpc?: ObservedModel['vpc'];
    readonly networkIsolation?: boolean;
  },
): string | undefined {
  const problems: string[] = [];
  if (found.executionRoleArn !== wanted.executionRoleArn)
    problems.push(`runs as ${found.executionRoleArn ?? 'no role'}, not ${wanted.executionRoleArn}`);
  // Placement and isolation are the model's network identity: the same container outside the VPC,
  // or not isolated, is not the model asked for.
  if (vpcKey(found.vpc) !== vpcKey(wanted.vpc))
    problems.push(`is placed in ${vpcKey(found.vpc)}, not ${vpcKey(wanted.vpc)}`);
  if ((found.networkIsolation ?? false) !== (wanted.networkIsolation ?? false))
    problems.push(
      `has network isolation ${found.networkIsolation ? 'on' : 'off'}, not ${wanted.networkIsolation ? 'on' : 'off'}`,
    );
  const [only, ...more] = found.containers;
  if (!only || more.length > 0) problems.push(`has ${found.containers.length} containers, not 1`);
  else {
    if (only.modelPackageName !== wanted.modelPackageArn)
      problems.push(
        `is made from ${only.modelPackageName ?? 'no model package'}, not ${wanted.modelPackageArn}`,
      );
    if (only.image || only.modelDataUrl)
      problems.push('overrides the image or model data of the model package');
  }
  return problems.length > 0
    ? `model ${name} exists but is not the one this app makes: it ${problems.join('; ')}. Delete it (it may be someone's attempt to serve their own container under this name), then approve again or wait for the next reconcile.`
    : undefined;
}

function vpcKey(vpc: ObservedModel['vpc']): string {
  if (!vpc) return 'no VPC';
  const ids = (list: readonly string[]) => [...list].sort().join(',');
  return `subnets [${ids(vpc.subnetIds)}] with security groups [${ids(vpc.securityGroupIds)}]`;
}

/** The keys of an endpoint config: they are part of what the config is. */
export interface ObservedConfigKeys {
  readonly volumeKmsKeyId?: string;
  readonly dataCaptureKmsKeyId?: string;
}

/** Why an existing endpoint config's keys are not the ones wanted, or undefined when they are. */
export function configKeysMismatch(
  name: string,
  found: ObservedConfigKeys,
  wanted: ObservedConfigKeys,
): string | undefined {
  const problems: string[] = [];
  if (found.volumeKmsKeyId !== wanted.volumeKmsKeyId)
    problems.push(
      `its volumes are encrypted with ${found.volumeKmsKeyId ?? 'no key of yours'}, not ${wanted.volumeKmsKeyId ?? 'no key of yours'}`,
    );
  if (found.dataCaptureKmsKeyId !== wanted.dataCaptureKmsKeyId)
    problems.push(
      `its captured data is encrypted with ${found.dataCaptureKmsKeyId ?? 'no key of yours'}, not ${wanted.dataCaptureKmsKeyId ?? 'no key of yours'}`,
    );
  return problems.length > 0
    ? `endpoint config ${name} exists but is not the one this app makes: ${problems.join('; ')}. Delete it, then approve again or wait for the next reconcile.`
    : undefined;
}

/**
 * What an endpoint config carries besides its production variants and keys: a squatter's config of
 * our name with the right variant could still copy live traffic to a shadow variant of theirs, or
 * capture it to their bucket. The reconciler's configs have no shadow variants,
 * no async inference and no explainer, and capture exactly as the target says.
 */
export interface ObservedConfigExtras {
  readonly shadowVariants: number;
  readonly asyncInference: boolean;
  readonly explainer: boolean;
  /** Enable, sampling percentage and destination, when the config captures. */
  readonly dataCapture?: {
    readonly enabled?: boolean;
    readonly percent?: number;
    readonly destination?: string;
  };
}

/** Why an existing endpoint config carries more than this app puts in one, or undefined. */
export function configExtrasMismatch(
  name: string,
  found: ObservedConfigExtras,
  wanted: ObservedConfigExtras,
): string | undefined {
  const problems: string[] = [];
  if (found.shadowVariants !== wanted.shadowVariants)
    problems.push(`it has ${found.shadowVariants} shadow variant(s), not ${wanted.shadowVariants}`);
  if (found.asyncInference !== wanted.asyncInference) problems.push('its async inference config differs');
  if (found.explainer !== wanted.explainer) problems.push('its explainer config differs');
  const capture = (c: ObservedConfigExtras['dataCapture']) =>
    c
      ? `${c.enabled === false ? 'disabled' : 'enabled'} ${c.percent ?? '?'}% to ${c.destination ?? '?'}`
      : 'none';
  if (capture(found.dataCapture) !== capture(wanted.dataCapture))
    problems.push(`its data capture is ${capture(found.dataCapture)}, not ${capture(wanted.dataCapture)}`);
  return problems.length > 0
    ? `endpoint config ${name} exists but is not the one this app makes: ${problems.join('; ')}. Delete it, then approve again or wait for the next reconcile.`
    : undefined;
}

export interface ObservedVariant {
  readonly variantName?: string;
  readonly modelName?: string;
  readonly instanceType?: string;
  readonly initialInstanceCount?: number;
  readonly serverless?: { readonly memorySizeMb?: number; readonly maxConcurrency?: number };
}

/** Why an existing endpoint config is not the one wanted, or undefined when it is. */
export function configMismatch(
  name: string,
  found: readonly ObservedVariant[],
  wanted: readonly ObservedVariant[],
): string | undefined {
  const key = (v: ObservedVariant) =>
    JSON.stringify([
      v.variantName,
      v.modelName,
      v.instanceType,
      v.initialInstanceCount,
      v.serverless?.memorySizeMb,
      v.serverless?.maxConcurrency,
    ]);
  const same =
    found.length === wanted.length && found.every((v, i) => key(v) === key(wanted[i] as ObservedVariant));
  return same
    ? undefined
    : `endpoint config ${name} exists but its production variants are not the ones this app makes (found ${found.map(key).join(', ') || 'none'}; wanted ${wanted.map(key).join(', ')}). Delete it, then approve again or wait for the next reconcile.`;
}

/** A name the reconciler uses is taken by something it did not make: refuse, and tell people. */
export class NameTakenError extends Error {
  override readonly name = 'NameTakenError';
}

/**
 * The config an endpoint serves, as DescribeEndpointConfig and DescribeModel show it: what the
 * served-config check compares (servedConfigMismatch).
 */
export interface ObservedServedConfig {
  readonly variants: readonly ObservedVariant[];
  readonly extras: ObservedConfigExtras;
  /** Each variant's model, by name; absent when it does not exist (or is not one of our names). */
  readonly models: Readonly<Record<string, ObservedModel>>;
}

/**
 * Why the config an endpoint serves is not one this app made for the version its name carries, or
 * undefined when it is. Only what makes it ours is compared, not today's sizing: a config made
 * before the target's instance type or keys changed (their names differ) is still ours. Its
 * variants each run a model of ours for the same version, made from that version's model package
 * with the app's execution role, with nothing overriding the package's image or model data, and it
 * carries nothing that would copy traffic elsewhere (shadow variants, async inference, explainer).
 */
export function servedConfigMismatch(
  name: string,
  found: ObservedServedConfig,
  wanted: {
    readonly endpointName: string;
    readonly version: number;
    /** The version's ARN; undefined when the registry no longer lists it (then its group and number must match). */
    readonly modelPackageArn?: string;
    readonly groupName: string;
    readonly executionRoleArn: string;
    readonly versionOfName: (endpointName: string, name: string) => number | undefined;
  },
): string | undefined {
  const packageOf = (model: ObservedModel) => {
    if (wanted.modelPackageArn) return wanted.modelPackageArn;
    const named = model.containers[0]?.modelPackageName ?? '';
    const suffix = `model-package/${wanted.groupName.toLowerCase()}/${wanted.version}`;
    return named.toLowerCase().endsWith(`:${suffix}`) ? named : `a version ARN ending in ${suffix}`;
  };
  const problems: string[] = [];
  if (found.variants.length === 0) problems.push('it has no production variant');
  for (const v of found.variants) {
    const modelName = v.modelName ?? '';
    if (wanted.versionOfName(wanted.endpointName, modelName) !== wanted.version) {
      problems.push(
        `variant ${v.variantName ?? '?'} runs ${modelName || 'no model'}, not a model of v${wanted.version}`,
      );
      continue;
    }
    const model = found.models[modelName];
    if (!model) {
      problems.push(`its model ${modelName} does not exist`);
      continue;
    }
    const mismatch = modelMismatch(modelName, model, {
      modelPackageArn: packageOf(model),
      executionRoleArn: wanted.executionRoleArn,
      // Placement is part of the model's name: compared there, not against today's target.
      ...(model.vpc ? { vpc: model.vpc } : {}),
      ...(model.networkIsolation !== undefined ? { networkIsolation: model.networkIsolation } : {}),
    });
    if (mismatch) problems.push(mismatch);
  }
  const { shadowVariants, asyncInference, explainer } = found.extras;
  if (shadowVariants > 0) problems.push(`it has ${shadowVariants} shadow variant(s)`);
  if (asyncInference) problems.push('it has an async inference config');
  if (explainer) problems.push('it has an explainer config');
  return problems.length > 0
    ? `the endpoint serves ${name}, which is not a config this app made: ${problems.join('; ')}`
    : undefined;
}
