import { App, type AppProps } from 'aws-cdk-lib';
import { acknowledgeStackWide, applyComplianceChecks } from './compliance';
import type { GovernanceConfig } from './config/types';
import { GovernanceStack } from './governance-stack';

export const DEFAULT_STACK_NAME = 'ModelGovernance';

export interface GovernanceAppOptions {
  readonly config: GovernanceConfig;
  readonly stackName?: string;
  readonly appProps?: AppProps;
}

/** Builds the whole app (stacks and compliance checks): used by bin/app.ts, the tests and local mode. */
export function buildGovernanceApp(options: GovernanceAppOptions): { app: App; stack: GovernanceStack } {
  const app = new App(options.appProps);
  const stack = new GovernanceStack(app, options.stackName ?? DEFAULT_STACK_NAME, {
    config: options.config,
    description:
      'model-governance: SageMaker Model Registry as code, approval events, audit and notifications',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  acknowledgeStackWide(stack);
  applyComplianceChecks(app);
  return { app, stack };
}
