/**
 * Where things live in a multi-account configuration: pure questions about the configuration that
 * the app, the stacks and the constructs ask alike.
 */
import type { AwsEnvironment, GovernanceConfig, ModelPackageGroupConfig } from './types';

/** Whether any target is in another account than the registry's. */
export function isMultiAccount(
  config: GovernanceConfig,
): config is GovernanceConfig & { registry: AwsEnvironment } {
  const registry = config.registry?.account;
  return (
    registry !== undefined &&
    config.groups.some((g) => g.deployments.some((d) => d.account !== undefined && d.account !== registry))
  );
}

/** Every account a target deploys in (the registry's own for targets without one), in configuration order. */
export function deploymentAccounts(config: GovernanceConfig): string[] {
  const registry = config.registry?.account;
  return [
    ...new Set(
      config.groups.flatMap((g) =>
        g.deployments.map((d) => d.account ?? registry).filter((a): a is string => !!a),
      ),
    ),
  ];
}

/** The config's groups, each with only its targets in `account`; groups with none there are left out. */
export function groupsDeployedIn(
  config: Pick<GovernanceConfig, 'groups'>,
  registryAccount: string,
  account: string,
): ModelPackageGroupConfig[] {
  return config.groups
    .map((g) => ({
      ...g,
      deployments: g.deployments.filter((d) => (d.account ?? registryAccount) === account),
    }))
    .filter((g) => g.deployments.length > 0);
}

/**
 * The accounts a group's resource policy names: the ones listed, and every other account it is
 * deployed in (a deployment account must read the versions it deploys).
 */
export function accountsSharedWith(
  group: ModelPackageGroupConfig,
  registryAccount: string | undefined,
): string[] {
  return [
    ...new Set([
      ...group.shareWithAccounts,
      ...group.deployments.flatMap((d) => (d.account && d.account !== registryAccount ? [d.account] : [])),
    ]),
  ];
}
