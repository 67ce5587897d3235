import { App, type AppProps } from 'aws-cdk-lib';
import { type GovernanceStacks, governanceStacks } from '../constructs/app';
import type { GovernanceConfig } from '../core/config/types';
import { applyComplianceChecks } from './compliance-checks';

/**
 * CDK feature flags this repository's app is built with, set in code (not only cdk.json) so that
 * `cdk synth`, the tests and local mode build the same template. An app embedding the constructs
 * keeps its own flags.
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
 * This repository's whole app: feature flags, the stacks of the JSON front end (lib/app.ts) and
 * cdk-nag. Used by bin/app.ts, the tests, the bench and local mode.
 */
export function buildGovernanceApp(options: GovernanceAppOptions): GovernanceStacks & { app: App } {
  const app = options.app ?? new App(options.appProps);
  for (const [flag, value] of Object.entries(FEATURE_FLAGS)) {
    if (app.node.tryGetContext(flag) === undefined) app.node.setContext(flag, value);
  }
  const stacks = governanceStacks(
    app,
    options.config,
    options.stackName ? { stackName: options.stackName } : {},
  );
  applyComplianceChecks(app);
  return { app, ...stacks };
}
