/**
 * model-governance as a construct library: add SageMaker model governance to a stack of your own.
 *
 *   new ModelGovernance(stack, 'Governance', { groups: [{ name: 'churn', deployments: [{ endpointName: 'churn' }] }] });
 *
 * The props are the fields of governance.config.json, with the same names and defaults.
 */

export type {
  AwsEnvironmentInput,
  DeploymentInput,
  GovernanceConfigInput,
  Integer,
  LifecycleStageInput,
  ModelCardInput,
  ModelPackageGroupInput,
  QualityGateInput,
  RollbackAlarmsInput,
  StrategyInput,
  ThresholdInput,
} from '../core/config/input';
export { loadGovernanceConfig } from '../core/config/load';
export { ConfigurationError, parseGovernanceConfig } from '../core/config/parse';
export type { GovernanceConfig } from '../core/config/types';
export { DEFAULT_STACK_NAME, type GovernanceStacks, governanceStacks } from './app';
export { DeploymentStack, type DeploymentStackProps } from './deployment-stack';
export { GovernanceStack, type GovernanceStackProps } from './governance-stack';
export { ModelDeployment, type ModelDeploymentProps } from './model-deployment';
export { ModelGovernance, type ModelGovernanceProps } from './model-governance';
