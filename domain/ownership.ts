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
