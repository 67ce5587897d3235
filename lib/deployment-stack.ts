import { CfnOutput, CfnResource, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { cardReviewRequired, modelCardPrefix } from '../lambda/core/model-card';
import { groupsDeployedIn } from './config/accounts';
import type { AwsEnvironment, GovernanceConfig } from './config/types';
import { ApprovalEvents } from './constructs/approval-events';
import { EndpointReconciler } from './constructs/endpoint-reconciler';
import type { SharedHandlerProps } from './constructs/handler-props';
import { LineageRecorder } from './constructs/lineage-recorder';
import { reconcilerRoleName } from './constructs/model-package-groups';
import { Notifications } from './constructs/notifications';
import { writeManifest } from './manifest-file';

export interface DeploymentStackProps extends StackProps {
  readonly config: GovernanceConfig;
  /** Where the Model Registry is. */
  readonly registry: AwsEnvironment;
  /** The account this stack deploys endpoints in (same region as the registry). */
  readonly targetAccount: string;
}

/**
 * What a multi-account app provisions in one deployment account: a bus policy accepting the
 * registry account's forwarded approval events (and nothing else), the rules that hand them and the
 * endpoints' own state changes to the reconciler, the reconciler with its model execution role and
 * rollback alarms, deployment lineage, and a notification topic for this account's people.
 */
export class DeploymentStack extends Stack {
  readonly encryptionKey: kms.Key;
  readonly notifications: Notifications;
  readonly approvalEvents: ApprovalEvents;
  readonly reconciler: EndpointReconciler;
  readonly lineage: LineageRecorder;
  readonly busPolicy?: CfnResource;

  constructor(scope: Construct, id: string, props: DeploymentStackProps) {
    super(scope, id, props);
    const { config, registry, targetAccount } = props;
    const crossAccount = targetAccount !== registry.account;
    const groups = groupsDeployedIn(config, registry.account, targetAccount);
    const manifestPath = writeManifest(this, {
      manifestVersion: 1,
      groups,
      ...(crossAccount ? { registry } : {}),
    });
    this.encryptionKey = new kms.Key(this, 'Key', {
      description: 'model-governance (deployments): notifications, dead-letter queues, handler environment',
      enableKeyRotation: true,
    });
    this.notifications = new Notifications(this, 'Notifications', {
      encryptionKey: this.encryptionKey,
      emails: config.notificationEmails,
    });
    this.approvalEvents = new ApprovalEvents(this, 'ApprovalEvents', {
      groupNames: groups.map((g) => g.name),
      endpointNames: groups.flatMap((g) => g.deployments.map((d) => d.endpointName)),
      cardGatePrefixes: groups
        .filter((g) => cardReviewRequired(g))
        .map((g) => `${modelCardPrefix(g.name)}-v`),
      archiveRetentionDays: 0,
      archive: false,
      registryAccount: registry.account,
      encryptionKey: this.encryptionKey,
    });
    if (crossAccount) {
      // Only the registry account may put events on this bus, and only SageMaker's model package
      // state changes (the source and detail-type of the events it forwards).
      // A plain CfnResource: CfnEventBusPolicy reads its deprecated `principal` while synthesizing and
      // prints a deprecation warning on every synth, though the property is never set.
      this.busPolicy = new CfnResource(this, 'AcceptRegistryEvents', {
        type: 'AWS::Events::EventBusPolicy',
        properties: {
          EventBusName: 'default',
          StatementId: `model-governance-from-${registry.account}`,
          Statement: new iam.PolicyStatement({
            sid: `model-governance-from-${registry.account}`,
            principals: [new iam.AccountPrincipal(registry.account)],
            actions: ['events:PutEvents'],
            resources: [
              this.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' }),
            ],
            conditions: {
              StringEquals: {
                'events:source': 'aws.sagemaker',
                'events:detail-type': 'SageMaker Model Package State Change',
              },
            },
          }).toStatementJson(),
        },
      });
    }
    const shared: SharedHandlerProps = {
      approvalEvents: this.approvalEvents,
      topic: this.notifications.topic,
      encryptionKey: this.encryptionKey,
      manifestPath,
    };
    this.reconciler = new EndpointReconciler(this, 'EndpointReconciler', {
      groups,
      modelArtifactBuckets: config.modelArtifactBuckets,
      modelArtifactKeyArns: config.modelArtifactKeyArns,
      ...(crossAccount
        ? { registryAccount: registry.account, handlerRoleName: reconcilerRoleName(registry.region) }
        : {}),
      ...shared,
    });
    new CfnOutput(this, 'ModelExecutionRoleArn', {
      description:
        'Grant this role read access to the model artifacts (bucket policy, KMS key policy) in the registry account',
      value: this.reconciler.executionRole.roleArn,
    });
    this.lineage = new LineageRecorder(this, 'Lineage', {
      groups,
      records: 'deployments',
      ...(crossAccount ? { registryAccount: registry.account } : {}),
      ...shared,
    });
  }
}
