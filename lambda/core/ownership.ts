/**
 * Whether a model or endpoint config found under one of the reconciler's names is the one it would
 * have made (issue #15, M1). Names are deterministic, so anyone with CreateModel in the endpoint's
 * account could create the name first with their own container and have it served on the next
 * approval: on "already exists" the reconciler compares what exists with what it asked for, and
 * refuses a mismatch. Pure.
 */

export interface ObservedModel {
  readonly executionRoleArn?: string;
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
  wanted: { readonly modelPackageArn: string; readonly executionRoleArn: string },
): string | undefined {
  const problems: string[] = [];
  if (found.executionRoleArn !== wanted.executionRoleArn)
    problems.push(`runs as ${found.executionRoleArn ?? 'no role'}, not ${wanted.executionRoleArn}`);
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
