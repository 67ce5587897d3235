import { App, type AppProps } from 'aws-cdk-lib';
import { acknowledgeStackWide, applyComplianceChecks } from './compliance';
import type { GovernanceConfig } from './config/types';
import { GovernanceStack } from './governance-stack';

export const DEFAULT_STACK_NAME = 'ModelGovernance';

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
