import { Aspects, type CfnElement, CfnOutput, Fn, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, type IConstruct } from 'constructs';
import {
  accountsSharedWith,
  deploymentAccounts,
  groupsDeployedIn,
  isMultiAccount,
} from '../core/config/accounts';
import type { GovernanceConfigInput, ModelPackageGroupInput } from '../core/config/input';
import { parseGovernanceConfig } from '../core/config/parse';
import type { GovernanceConfig } from '../core/config/types';
import { cardReviewRequired, modelCardPrefix } from '../core/model-card-naming';
import { ApprovalEvents } from './approval-events';
import { AuditNotifier } from './audit-notifier';
import { ACKNOWLEDGEMENTS, acknowledge } from './compliance';
import { EndpointReconciler } from './endpoint-reconciler';
import { EventForwarding } from './event-forwarding';
import { GovernancePolicies, RECORD_PREFIX, VERDICT_PREFIX } from './governance-policies';
import type { SharedHandlerProps } from './handler-props';
import { LineageRecorder } from './lineage-recorder';
import { writeManifest } from './manifest-file';
import { CARD_CONTENT_PREFIX, ModelCards } from './model-cards';
import { ModelPackageGroups, policyGateRoleName } from './model-package-groups';
import { Notifications } from './notifications';
import { Operations } from './operations';

/**
 * Props of ModelGovernance: the fields of governance.config.json, with the same names and defaults
 * (see core/config/input.ts for every field). `stacks` is the JSON front end's concern: one
 * ModelGovernance lives in one stack.
 */
export interface ModelGovernanceProps extends Omit<GovernanceConfigInput, '$schema' | 'stacks' | 'groups'> {
  /**
   * The model package groups to govern; more can be added with `addGroup()`.
   * @default [] (add at least one with addGroup() before synthesis)
   */
  readonly groups?: readonly ModelPackageGroupInput[];
  /**
   * Who runs the endpoint reconciler: this construct, or ModelDeployment constructs in every account
   * that has targets (the registry's own included), to which this construct forwards approval events.
   * @default 'model-deployments' when `registry` is set and a target names another account, else 'this-construct'
   */
  readonly endpointsManagedBy?: 'this-construct' | 'model-deployments';
}

/**
 * SageMaker model governance in the registry account, as one construct to add to a stack of your own:
 * the Model Package Groups and their resource policies, the approval event rules with an archive,
 * audit and notifications, model cards, lineage, governance policies (quality gates, separation of
 * duties) and the endpoint reconciler that deploys approved versions.
 *
 * The configuration is validated when the construct is built (at the first read of one of its
 * resources, or at synthesis): every problem at once, each with its path and fix.
 * With `registry` set and targets in other accounts, endpoints are left to ModelDeployment constructs
 * in those accounts, and their groups' events are forwarded there.
 */
export class ModelGovernance extends Construct {
  private readonly settings: Omit<ModelGovernanceProps, 'groups' | 'endpointsManagedBy'>;
  private readonly endpointsManagedBy?: 'this-construct' | 'model-deployments';
  private readonly groupInputs: ModelPackageGroupInput[] = [];
  private resources?: RegistryResources;

  constructor(scope: Construct, id: string, props: ModelGovernanceProps = {}) {
    super(scope, id);
    const { groups = [], endpointsManagedBy, ...settings } = props;
    this.settings = settings;
    this.endpointsManagedBy = endpointsManagedBy;
    for (const group of groups) this.addGroup(group);
    // Built once every group is known: on the first read of a resource, else when synthesis begins.
    Aspects.of(this).add({
      visit: (node: IConstruct) => {
        if (node === this) this.build();
      },
    });
  }

  /** Governs one more model package group (same fields as an entry of `groups` in the JSON). */
  addGroup(group: ModelPackageGroupInput): this {
    if (this.resources) {
      throw new Error(
        `ModelGovernance ${this.node.path}: cannot add group "${group.name}" after the construct was built (a resource was read, or synthesis began); call addGroup() before reading its resources.`,
      );
    }
    this.groupInputs.push(group);
    return this;
  }

  /** The validated configuration, defaults resolved. */
  get config(): GovernanceConfig {
    return this.build().config;
  }
  /** Encrypts notifications, dead-letter queues, the event archive and the handlers' environment. */
  get encryptionKey(): kms.Key {
    return this.build().encryptionKey;
  }
  /** The notification topic: approvals, deployments, alarms. */
  get notifications(): Notifications {
    return this.build().notifications;
  }
  get groups(): ModelPackageGroups {
    return this.build().groups;
  }
  get approvalEvents(): ApprovalEvents {
    return this.build().approvalEvents;
  }
  get auditNotifier(): AuditNotifier {
    return this.build().auditNotifier;
  }
  /** The endpoint reconciler; none when no group has a target here. */
  get reconciler(): EndpointReconciler | undefined {
    return this.build().reconciler;
  }
  get modelCards(): ModelCards {
    return this.build().modelCards;
  }
  get lineage(): LineageRecorder {
    return this.build().lineage;
  }
  /** Registrar and approver managed policies, quality gates, separation of duties. */
  get policies(): GovernancePolicies {
    return this.build().policies;
  }
  /** The dashboard and alarms of the governance flow. */
  get operations(): Operations {
    return this.build().operations;
  }
  /** Forwarding of approval events to deployment accounts (multi-account only). */
  get forwarding(): EventForwarding | undefined {
    return this.build().forwarding;
  }

  private build(): RegistryResources {
    if (!this.resources) {
      const config = parseGovernanceConfig(
        { ...this.settings, groups: this.groupInputs },
        `ModelGovernance ${this.node.path}`,
      );
      const registryRole =
        (this.endpointsManagedBy ?? (isMultiAccount(config) ? 'model-deployments' : 'this-construct')) ===
        'model-deployments';
      if (registryRole && !config.registry) {
        throw new Error(
          `ModelGovernance ${this.node.path}: endpointsManagedBy is 'model-deployments', which needs "registry": { "account", "region" }; set registry or use 'this-construct'.`,
        );
      }
      this.resources = buildRegistry(this, config, registryRole);
    }
    return this.resources;
  }
}

interface RegistryResources {
  readonly config: GovernanceConfig;
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
  readonly operations: Operations;
}

function buildRegistry(scope: Construct, config: GovernanceConfig, registryRole: boolean): RegistryResources {
  const registryAccount = config.registry?.account;
  const groupNames = config.groups.map((g) => g.name);
  const manifestPath = writeManifest(scope, { manifestVersion: 1, groups: config.groups });
  const foreignAccounts = registryRole ? deploymentAccounts(config).filter((a) => a !== registryAccount) : [];
  acknowledge(scope, ACKNOWLEDGEMENTS.queueIsDeadLetterQueue);

  const encryptionKey = new kms.Key(scope, 'Key', {
    description: 'model-governance: notifications, dead-letter queues, event archive, handler environment',
    enableKeyRotation: true,
  });
  const notifications = new Notifications(scope, 'Notifications', {
    encryptionKey,
    emails: config.notificationEmails,
    chat: config.notifications,
  });
  const groups = new ModelPackageGroups(scope, 'ModelPackageGroups', {
    groups: config.groups.map((g) => ({ ...g, shareWithAccounts: accountsSharedWith(g, registryAccount) })),
  });
  const approvalEvents = new ApprovalEvents(scope, 'ApprovalEvents', {
    groupNames,
    endpointNames: registryRole ? [] : config.groups.flatMap((g) => g.deployments.map((d) => d.endpointName)),
    cardGatePrefixes: config.groups
      .filter((g) => cardReviewRequired(g))
      .map((g) => `${modelCardPrefix(g.name)}-v`),
    archiveRetentionDays: config.archiveRetentionDays,
    encryptionKey,
  });
  const shared: SharedHandlerProps = {
    approvalEvents,
    topic: notifications.topic,
    encryptionKey,
    manifestPath,
  };
  const auditNotifier = new AuditNotifier(scope, 'AuditNotifier', { groupNames, ...shared });
  const modelCards = new ModelCards(scope, 'ModelCards', {
    groups: config.groups,
    metricsBuckets: config.modelArtifactBuckets,
    ...shared,
  });
  const lineage = new LineageRecorder(scope, 'Lineage', {
    groups: config.groups,
    records: registryRole ? 'approvals' : 'both',
    ...shared,
  });
  const forwarding =
    foreignAccounts.length > 0
      ? new EventForwarding(scope, 'Forwarding', {
          targets: foreignAccounts.map((account) => ({
            account,
            groupNames: groupsDeployedIn(config, registryAccount ?? account, account).map((g) => g.name),
          })),
          encryptionKey,
          alarmTopic: notifications.topic,
        })
      : undefined;
  const policies = new GovernancePolicies(scope, 'Policies', {
    groups: config.groups,
    metricsBuckets: config.modelArtifactBuckets,
    verdictBucket: modelCards.auditBucket,
    ...(registryRole && config.registry
      ? { handlerRoleName: policyGateRoleName(config.registry.region) }
      : {}),
    ...shared,
  });
  new CfnOutput(scope, 'RegistrarPolicyArns', {
    description:
      'Attach to training pipelines: register versions (pending approval only), never approve. Comma-separated: one policy per about 25 groups.',
    value: Fn.join(
      ',',
      policies.registrarPolicies.map((p) => p.managedPolicyArn),
    ),
  });
  if (policies.handler)
    new CfnOutput(scope, 'GovernanceRecordUri', {
      description:
        "The governance record (docs/governance-record.md): mgov audit GROUP VERSION --record <this> verifies a version's entries.",
      value: modelCards.auditBucket.s3UrlForObject(RECORD_PREFIX),
    });
  new CfnOutput(scope, 'ApproverPolicyArns', {
    description:
      "Attach to approvers' roles (Studio execution roles): approve, reject, stage, review cards; never register. Comma-separated.",
    value: Fn.join(
      ',',
      policies.approverPolicies.map((p) => p.managedPolicyArn),
    ),
  });
  const reconciler =
    !registryRole && config.groups.some((g) => g.deployments.length > 0)
      ? new EndpointReconciler(scope, 'EndpointReconciler', {
          groups: config.groups,
          modelArtifactBuckets: config.modelArtifactBuckets,
          // A gated group's version deploys only with its verdict, and its model data as pinned.
          ...(config.groups.some((g) => g.qualityGate && g.deployments.length > 0)
            ? { verdictStore: { bucket: modelCards.auditBucket, prefix: VERDICT_PREFIX } }
            : {}),
          ...shared,
        })
      : undefined;
  // The card gate takes a card as reviewed only with the content the model-cards handler generated.
  if (reconciler && config.groups.some((g) => cardReviewRequired(g))) {
    reconciler.handler.addEnvironment(
      'CARD_CONTENT_S3_URI',
      modelCards.auditBucket.s3UrlForObject(CARD_CONTENT_PREFIX),
    );
    reconciler.handler.allow(
      ['s3:GetObject'],
      [modelCards.auditBucket.arnForObjects(`${CARD_CONTENT_PREFIX}/*`)],
    );
    encryptionKey.grantDecrypt(reconciler.handler);
    const stack = Stack.of(scope);
    const bucketId = stack.resolve(
      stack.getLogicalId(modelCards.auditBucket.node.defaultChild as CfnElement),
    ) as string;
    acknowledge(reconciler.handler, {
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${CARD_CONTENT_PREFIX}/*]`,
      reason:
        'The card gate reads the fingerprint of the content generated for each card, one object per card (read-only).',
    });
  }
  // Every decision about a version reads the governance record (docs/governance-record.md).
  if (reconciler && policies.handler) {
    reconciler.handler.addEnvironment(
      'GOVERNANCE_RECORD_S3_URI',
      modelCards.auditBucket.s3UrlForObject(RECORD_PREFIX),
    );
    modelCards.auditBucket.grantRead(reconciler.handler, `${RECORD_PREFIX}/*`);
    const stack = Stack.of(scope);
    const bucketId = stack.resolve(
      stack.getLogicalId(modelCards.auditBucket.node.defaultChild as CfnElement),
    ) as string;
    acknowledge(reconciler.handler, {
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${RECORD_PREFIX}/*]`,
      reason:
        "Reads the governance record's entries, one object per entry under <group>/<version>/ (read-only).",
    });
    for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*']) {
      acknowledge(reconciler.handler, {
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason:
          "CDK's grantRead on the audit bucket's governance-record prefix: listing and reading its entries.",
      });
    }
  }
  // Its change to a version is its check of the approval: the reconciler deploys after it (approval-check.ts).
  if (reconciler && policies.handler)
    reconciler.handler.addEnvironment(
      'APPROVAL_CHECKER_ROLE_ARN',
      (policies.handler.role as iam.IRole).roleArn,
    );
  const functions = [
    auditNotifier.handler,
    modelCards.handler,
    lineage.handler,
    ...(policies.handler ? [policies.handler] : []),
    ...(reconciler ? [reconciler.handler] : []),
  ];
  if (config.tracing) for (const f of functions) f.enableTracing();
  const operations = new Operations(scope, 'Operations', {
    topic: notifications.topic,
    functions,
    ...(forwarding ? { deadLetterQueues: forwarding.deadLetterQueues } : {}),
    approvalToServingMinutes: config.slo.approvalToServingMinutes,
  });
  return {
    config,
    operations,
    encryptionKey,
    notifications,
    groups,
    approvalEvents,
    auditNotifier,
    modelCards,
    lineage,
    policies,
    ...(reconciler ? { reconciler } : {}),
    ...(forwarding ? { forwarding } : {}),
  };
}
