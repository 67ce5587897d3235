import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack, type StackProps, Stage } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { type GovernanceManifest, MANIFEST_FILE_NAME } from '../lambda/core/manifest';
import { cardReviewRequired, modelCardPrefix } from '../lambda/core/model-card';
import type { GovernanceConfig } from './config/types';
import { ApprovalEvents } from './constructs/approval-events';
import { AuditNotifier } from './constructs/audit-notifier';
import { EndpointReconciler } from './constructs/endpoint-reconciler';
import { GovernancePolicies } from './constructs/governance-policies';
import type { SharedHandlerProps } from './constructs/handler-props';
import { LineageRecorder } from './constructs/lineage-recorder';
import { ModelCards } from './constructs/model-cards';
import { ModelPackageGroups } from './constructs/model-package-groups';
import { Notifications } from './constructs/notifications';

export interface GovernanceStackProps extends StackProps {
  /** The validated configuration (see lib/config). */
  readonly config: GovernanceConfig;
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

  constructor(scope: Construct, id: string, props: GovernanceStackProps) {
    super(scope, id, props);
    const { config } = props;
    const groupNames = config.groups.map((g) => g.name);
    const manifestPath = this.writeManifest({ manifestVersion: 1, groups: config.groups });

    this.encryptionKey = new kms.Key(this, 'Key', {
      description: 'model-governance: notifications, dead-letter queues, event archive, handler environment',
      enableKeyRotation: true,
    });
    this.notifications = new Notifications(this, 'Notifications', {
      encryptionKey: this.encryptionKey,
      emails: config.notificationEmails,
    });
    this.groups = new ModelPackageGroups(this, 'ModelPackageGroups', { groups: config.groups });
    this.approvalEvents = new ApprovalEvents(this, 'ApprovalEvents', {
      groupNames,
      endpointNames: config.groups.flatMap((g) => g.deployments.map((d) => d.endpointName)),
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
      ...shared,
    });
    this.policies = new GovernancePolicies(this, 'Policies', {
      groups: config.groups,
      metricsBuckets: config.modelArtifactBuckets,
      ...shared,
    });
    if (config.groups.some((g) => g.deployments.length > 0)) {
      this.reconciler = new EndpointReconciler(this, 'EndpointReconciler', {
        groups: config.groups,
        modelArtifactBuckets: config.modelArtifactBuckets,
        ...shared,
      });
    }
  }

  /** Writes the handlers' manifest into the cloud assembly; GovernedFunction copies it into each bundle. */
  private writeManifest(manifest: GovernanceManifest): string {
    const dir = join(Stage.of(this)?.outdir ?? '.', 'manifests', this.artifactId);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, MANIFEST_FILE_NAME);
    writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
    return path;
  }
}
