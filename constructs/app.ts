import type { StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { deploymentAccounts, isMultiAccount } from '../core/config/accounts';
import { groupsByStack } from '../core/config/sharding';
import type { GovernanceConfig } from '../core/config/types';
import { DeploymentStack } from './deployment-stack';
import { GovernanceStack } from './governance-stack';

export const DEFAULT_STACK_NAME = 'ModelGovernance';

export interface GovernanceStacks {
  /** The first (or only) governance stack. */
  readonly stack: GovernanceStack;
  /** Every governance stack: the groups split over `config.stacks`. */
  readonly stacks: GovernanceStack[];
  readonly deploymentStacks: DeploymentStack[];
}

/**
 * The JSON front end: the stacks a governance configuration describes, added to `scope` (an App or
 * a Stage). Feature flags and compliance checks are the app's business (bin/governance-app.ts).
 *
 * One account (no target names another account): environment-agnostic stacks of ModelGovernance.
 * Targets in other accounts: the registry stacks in the registry's environment, and one
 * ModelDeployment stack per account that has targets (the registry's own included), all in the
 * registry's region.
 */
export function governanceStacks(
  scope: Construct,
  config: GovernanceConfig,
  options: { readonly stackName?: string; readonly stackProps?: StackProps } = {},
): GovernanceStacks {
  const name = options.stackName ?? DEFAULT_STACK_NAME;
  const registry = isMultiAccount(config) ? config.registry : undefined;
  const shards = groupsByStack(config);
  const stacks = shards.map((groups, i) => {
    const part = shards.length > 1 ? ` (groups ${i + 1} of ${shards.length})` : '';
    return new GovernanceStack(scope, i === 0 ? name : `${name}-${i + 1}`, {
      ...options.stackProps,
      config: { ...config, groups },
      ...(registry ? { env: registry, role: 'registry' as const } : {}),
      description: registry
        ? `model-governance registry (account ${registry.account})${part}: Model Registry as code, approval events, audit, model cards, policies`
        : `model-governance${part}: SageMaker Model Registry as code, approval events, audit and notifications`,
    });
  });
  const stack = stacks[0] as GovernanceStack;
  const deploymentStacks = registry
    ? deploymentAccounts(config).map(
        (account) =>
          new DeploymentStack(scope, `${name}-Deploy-${account}`, {
            ...options.stackProps,
            config,
            registry,
            targetAccount: account,
            env: { account, region: registry.region },
            description: `model-governance deployments in account ${account}: endpoint reconciler, alarms, lineage`,
          }),
      )
    : [];
  return { stack, stacks, deploymentStacks };
}
