import type { ModelPackageGroupConfig } from './config/types';

/**
 * What the handlers know of the configuration: the governed groups, resolved at synth.
 *
 * It travels as a JSON file inside each handler's bundle rather than in environment variables, whose
 * 4 KB limit a few dozen groups would exceed. The stack writes it; handlers read it once at cold start.
 */
export interface GovernanceManifest {
  readonly manifestVersion: 1;
  readonly groups: readonly ModelPackageGroupConfig[];
  /** Set in a deployment stack of a multi-account app: the groups live in this account and region. */
  readonly registry?: { readonly account: string; readonly region: string };
}

/**
 * How a handler names a group to SageMaker: its name in the registry's own account, its ARN from
 * another account (ListModelPackages and DescribeModelPackageGroup take either).
 */
export function groupReference(manifest: GovernanceManifest, groupName: string): string {
  if (!manifest.registry) return groupName;
  const { account, region } = manifest.registry;
  const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return `arn:${partition}:sagemaker:${region}:${account}:model-package-group/${groupName.toLowerCase()}`;
}

export const MANIFEST_FILE_NAME = 'governance-manifest.json';

export function parseManifest(text: string, source: string): GovernanceManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `The governance manifest at ${source} is not valid JSON (${(error as Error).message}); re-run cdk synth.`,
    );
  }
  const manifest = value as Partial<GovernanceManifest>;
  if (manifest.manifestVersion !== 1 || !Array.isArray(manifest.groups)) {
    throw new Error(
      `The governance manifest at ${source} is not a version 1 manifest; re-run cdk synth and redeploy.`,
    );
  }
  return manifest as GovernanceManifest;
}

export function findGroup(manifest: GovernanceManifest, name: string): ModelPackageGroupConfig | undefined {
  return manifest.groups.find((g) => g.name === name);
}
