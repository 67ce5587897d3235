import { App, type AppProps } from 'aws-cdk-lib';
import { deploymentAccounts, isMultiAccount } from '../core/config/accounts';
import { groupsByStack } from '../core/config/sharding';
import type { GovernanceConfig } from '../core/config/types';
import { acknowledgeStackWide, applyComplianceChecks } from './compliance';
import { DeploymentStack } from './deployment-stack';
import { GovernanceStack } from './governance-stack';

export const DEFAULT_STACK_NAME = 'ModelGovernance';

/**
 * CDK feature flags the app is built with, set in code (not only cdk.json) so that `cdk synth`,
 * the tests and local mode build the same template.
 */
export const FEATURE_FLAGS: Readonly<Record<string, boolean>> = {
  // Grant S3 log delivery through a bucket policy, not the legacy AccessControl (cfn-lint W3045).
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  '@aws-cdk/aws-iam:minimizePolicies': true,
  '@aws-cdk/core:checkSecretUsage': true,
  '@aws-cdk/aws-sns:restrictSqsDescryption': true,
};

export interface GovernanceAppOptions {
  readonly config: GovernanceConfig;
  readonly stackName?: string;
  /** The app to build into (bin/app.ts passes the one whose context it read); else a new one. */
  readonly app?: App;
  /** For a new app. */
  readonly appProps?: AppProps;
}

/**
 * Builds the whole app (stacks and compliance checks): used by bin/app.ts, the tests and local mode.
 *
 * One account (no target names another account): one environment-agnostic stack. Targets in other
 * accounts: the registry stack in the registry's environment, and one deployment stack per account
 * that has targets (the registry's own included), all in the registry's region.
 */
export function buildGovernanceApp(options: GovernanceAppOptions): {
  app: App;
  /** The first (or only) governance stack. */
  stack: GovernanceStack;
  /** Every governance stack: the groups split over `config.stacks`. */
  stacks: GovernanceStack[];
  deploymentStacks: DeploymentStack[];
} {
  const app = options.app ?? new App(options.appProps);
  for (const [flag, value] of Object.entries(FEATURE_FLAGS)) {
    if (app.node.tryGetContext(flag) === undefined) app.node.setContext(flag, value);
  }
  const { config } = options;
  const name = options.stackName ?? DEFAULT_STACK_NAME;
  const registry = isMultiAccount(config) ? config.registry : undefined;
  // Environment-agnostic in one account: ARNs use the AWS::AccountId/AWS::Region pseudo parameters,
  // so the same template deploys to whichever account and region `cdk deploy` targets.
  const shards = groupsByStack(config);
  const stacks = shards.map((groups, i) => {
    const part = shards.length > 1 ? ` (groups ${i + 1} of ${shards.length})` : '';
    const s = new GovernanceStack(app, i === 0 ? name : `${name}-${i + 1}`, {
      config: { ...config, groups },
      ...(registry ? { env: registry, role: 'registry' as const } : {}),
      description: registry
        ? `model-governance registry (account ${registry.account})${part}: Model Registry as code, approval events, audit, model cards, policies`
        : `model-governance${part}: SageMaker Model Registry as code, approval events, audit and notifications`,
    });
    acknowledgeStackWide(s);
    return s;
  });
  const stack = stacks[0] as GovernanceStack;
  const deploymentStacks = registry
    ? deploymentAccounts(config).map((account) => {
        const d = new DeploymentStack(app, `${name}-Deploy-${account}`, {
          config,
          registry,
          targetAccount: account,
          env: { account, region: registry.region },
          description: `model-governance deployments in account ${account}: endpoint reconciler, alarms, lineage`,
        });
        acknowledgeStackWide(d);
        return d;
      })
    : [];
  applyComplianceChecks(app);
  return { app, stack, stacks, deploymentStacks };
}
