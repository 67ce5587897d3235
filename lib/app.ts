import { App, type AppProps } from 'aws-cdk-lib';
import { acknowledgeStackWide, applyComplianceChecks } from './compliance';
import type { GovernanceConfig } from './config/types';
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

/** Builds the whole app (stacks and compliance checks): used by bin/app.ts, the tests and local mode. */
export function buildGovernanceApp(options: GovernanceAppOptions): { app: App; stack: GovernanceStack } {
  const app = options.app ?? new App(options.appProps);
  for (const [flag, value] of Object.entries(FEATURE_FLAGS)) {
    if (app.node.tryGetContext(flag) === undefined) app.node.setContext(flag, value);
  }
  // Environment-agnostic: ARNs use the AWS::AccountId/AWS::Region pseudo parameters, so the same
  // template deploys to whichever account and region `cdk deploy` targets.
  const stack = new GovernanceStack(app, options.stackName ?? DEFAULT_STACK_NAME, {
    config: options.config,
    description:
      'model-governance: SageMaker Model Registry as code, approval events, audit and notifications',
  });
  acknowledgeStackWide(stack);
  applyComplianceChecks(app);
  return { app, stack };
}
