import { CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { cardReviewRequired, modelCardPrefix } from '../lambda/core/model-card';
import { accountsSharedWith, deploymentAccounts, groupsDeployedIn } from './config/accounts';
import type { GovernanceConfig } from './config/types';
import { ApprovalEvents } from './constructs/approval-events';
import { AuditNotifier } from './constructs/audit-notifier';
import { EndpointReconciler } from './constructs/endpoint-reconciler';
import { EventForwarding } from './constructs/event-forwarding';
import { GovernancePolicies } from './constructs/governance-policies';
import type { SharedHandlerProps } from './constructs/handler-props';
import { LineageRecorder } from './constructs/lineage-recorder';
import { ModelCards } from './constructs/model-cards';
import { ModelPackageGroups } from './constructs/model-package-groups';
import { Notifications } from './constructs/notifications';
import { writeManifest } from './manifest-file';

export interface GovernanceStackProps extends StackProps {
  /** The validated configuration (see lib/config). */
  readonly config: GovernanceConfig;
  /**
   * `single` (one account): everything, endpoints included. `registry` (multi-account): everything
   * but the endpoints, which deployment stacks manage; their groups' events are forwarded there.
   * @default 'single'
   */
  readonly role?: 'single' | 'registry';
}

/** Everything model-governance provisions in the registry account. */
export class GovernanceStack extends Stack {
  readonly encryptionKey: kms.Key;
  readonly notifications: Notifications;
  readonly groups: ModelPackageGroups;
  readonly approvalEvents: ApprovalEvents;
  readonly auditNotifier: AuditNotifier;
  readonly reconciler?: EndpointReconciler;
  readonly modelCards: ModelCards;
  readonly lineage: LineageRecorder;
  readonly policies: GovernancePolicies;
  readonly forwarding?: EventForwarding;

  constructor(scope: Construct, id: string, props: GovernanceStackProps) {
    super(scope, id, props);
    const { config } = props;
    const registryRole = props.role === 'registry';
    const registryAccount = config.registry?.account;
    const groupNames = config.groups.map((g) => g.name);
    const manifestPath = writeManifest(this, { manifestVersion: 1, groups: config.groups });
    const foreignAccounts = registryRole
      ? deploymentAccounts(config).filter((a) => a !== registryAccount)
      : [];

    this.encryptionKey = new kms.Key(this, 'Key', {
      description: 'model-governance: notifications, dead-letter queues, event archive, handler environment',
      enableKeyRotation: true,
    });
    this.notifications = new Notifications(this, 'Notifications', {
      encryptionKey: this.encryptionKey,
      emails: config.notificationEmails,
    });
    this.groups = new ModelPackageGroups(this, 'ModelPackageGroups', {
      groups: config.groups.map((g) => ({ ...g, shareWithAccounts: accountsSharedWith(g, registryAccount) })),
    });
    this.approvalEvents = new ApprovalEvents(this, 'ApprovalEvents', {
      groupNames,
      endpointNames: registryRole
        ? []
        : config.groups.flatMap((g) => g.deployments.map((d) => d.endpointName)),
      cardGatePrefixes: config.groups
        .filter((g) => cardReviewRequired(g))
        .map((g) => `${modelCardPrefix(g.name)}-v`),
      archiveRetentionDays: config.archiveRetentionDays,
      encryptionKey: this.encryptionKey,
    });
    const shared: SharedHandlerProps = {
      approvalEvents: this.approvalEvents,
      topic: this.notifications.topic,
      encryptionKey: this.encryptionKey,
      manifestPath,
    };
    this.auditNotifier = new AuditNotifier(this, 'AuditNotifier', {
      groupNames,
      ...shared,
    });
    this.modelCards = new ModelCards(this, 'ModelCards', {
      groups: config.groups,
      metricsBuckets: config.modelArtifactBuckets,
      ...shared,
    });
    this.lineage = new LineageRecorder(this, 'Lineage', {
      groups: config.groups,
      records: registryRole ? 'approvals' : 'both',
      ...shared,
    });
    if (foreignAccounts.length > 0) {
      this.forwarding = new EventForwarding(this, 'Forwarding', {
        targets: foreignAccounts.map((account) => ({
          account,
          groupNames: groupsDeployedIn(config, registryAccount ?? account, account).map((g) => g.name),
        })),
        encryptionKey: this.encryptionKey,
        alarmTopic: this.notifications.topic,
      });
    }
    this.policies = new GovernancePolicies(this, 'Policies', {
      groups: config.groups,
      metricsBuckets: config.modelArtifactBuckets,
      verdictBucket: this.modelCards.auditBucket,
      ...shared,
    });
    new CfnOutput(this, 'RegistrarPolicyArns', {
      description:
        'Attach to training pipelines: register versions (pending approval only), never approve. Comma-separated: one policy per about 25 groups.',
      value: Fn.join(
        ',',
        this.policies.registrarPolicies.map((p) => p.managedPolicyArn),
      ),
    });
    new CfnOutput(this, 'ApproverPolicyArns', {
      description:
        "Attach to approvers' roles (Studio execution roles): approve, reject, stage, review cards; never register. Comma-separated.",
      value: Fn.join(
        ',',
        this.policies.approverPolicies.map((p) => p.managedPolicyArn),
      ),
    });
    if (!registryRole && config.groups.some((g) => g.deployments.length > 0)) {
      this.reconciler = new EndpointReconciler(this, 'EndpointReconciler', {
        groups: config.groups,
        modelArtifactBuckets: config.modelArtifactBuckets,
        ...shared,
      });
    }
  }
}
