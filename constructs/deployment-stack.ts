import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { toInput } from '../core/config/to-input';
import type { AwsEnvironment, GovernanceConfig } from '../core/config/types';
import { ModelDeployment } from './model-deployment';

export interface DeploymentStackProps extends StackProps {
  readonly config: GovernanceConfig;
  /** Where the Model Registry is. */
  readonly registry: AwsEnvironment;
  /** The account this stack deploys endpoints in (same region as the registry). */
  readonly targetAccount: string;
}

/** The JSON front end's stack for one deployment account: one ModelDeployment as its `Default` child. */
export class DeploymentStack extends Stack {
  readonly deployment: ModelDeployment;

  constructor(scope: Construct, id: string, props: DeploymentStackProps) {
    super(scope, id, props);
    const {
      notificationEmails,
      modelArtifactBuckets,
      modelArtifactKeyArns,
      slo,
      tracing,
      notifications,
      dataCapture,
      groups,
    } = toInput(props.config);
    this.deployment = new ModelDeployment(this, 'Default', {
      registry: props.registry,
      account: props.targetAccount,
      groups,
      ...(notificationEmails ? { notificationEmails } : {}),
      ...(modelArtifactBuckets ? { modelArtifactBuckets } : {}),
      ...(modelArtifactKeyArns ? { modelArtifactKeyArns } : {}),
      ...(slo ? { slo } : {}),
      ...(tracing !== undefined ? { tracing } : {}),
      ...(notifications ? { notifications } : {}),
      ...(dataCapture ? { dataCapture } : {}),
    });
  }

  get encryptionKey() {
    return this.deployment.encryptionKey;
  }
  get notifications() {
    return this.deployment.notifications;
  }
  get approvalEvents() {
    return this.deployment.approvalEvents;
  }
  get reconciler() {
    return this.deployment.reconciler;
  }
  get lineage() {
    return this.deployment.lineage;
  }
  get busPolicy() {
    return this.deployment.busPolicy;
  }
}
