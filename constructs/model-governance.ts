import { Aws, type CfnElement, CfnOutput, Fn, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
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
import { auditBucketName, endpointRecordPrefix } from '../core/record-naming';
import { ApprovalEvents } from './approval-events';
import { AuditNotifier } from './audit-notifier';
import { BuiltChildren } from './built-children';
import { ACKNOWLEDGEMENTS, acknowledge } from './compliance';
import { EndpointReconciler } from './endpoint-reconciler';
import { EventForwarding } from './event-forwarding';
import { GovernancePolicies, RECORD_PREFIX, VERDICT_PREFIX } from './governance-policies';
import type { SharedHandlerProps } from './handler-props';
import { LineageRecorder } from './lineage-recorder';
import { writeManifest } from './manifest-file';
import { CARD_CONTENT_PREFIX, ModelCards } from './model-cards';
import { ModelPackageGroups, policyGateRoleName, reconcilerRoleName } from './model-package-groups';
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
 * The construct builds its resources in its constructor, validating the configuration first: every
 * problem at once, each with its path and fix. `addGroup()` validates again with the new group and
 * builds the group-dependent resources again under the same ids (so the template is the one the
 * groups would have made as props); a construct given no groups builds on its first `addGroup()`,
 * and synthesis refuses it if none comes. Read a resource after the last `addGroup()` to change it.
 * With `registry` set and targets in other accounts, endpoints are left to ModelDeployment constructs
 * in those accounts, and their groups' events are forwarded there.
 */
export class ModelGovernance extends Construct {
  private readonly settings: Omit<ModelGovernanceProps, 'groups' | 'endpointsManagedBy'>;
  private readonly endpointsManagedBy?: 'this-construct' | 'model-deployments';
  private readonly groupInputs: ModelPackageGroupInput[] = [];
  private readonly built = new BuiltChildren(this);
  private resources?: RegistryResources;

  constructor(scope: Construct, id: string, props: ModelGovernanceProps = {}) {
    super(scope, id);
    const { groups = [], endpointsManagedBy, ...settings } = props;
    this.settings = settings;
    this.endpointsManagedBy = endpointsManagedBy;
    acknowledge(this, ACKNOWLEDGEMENTS.queueIsDeadLetterQueue);
    this.node.addValidation({ validate: () => (this.resources ? [] : [noGroupsYet(this.node.path)]) });
    this.groupInputs.push(...groups);
    if (this.groupInputs.length > 0) this.build();
  }

  /**
   * Governs one more model package group (same fields as an entry of `groups` in the JSON). Throws
   * a ConfigurationError, and keeps the groups it had, when the configuration with it is invalid.
   */
  addGroup(group: ModelPackageGroupInput): this {
    this.groupInputs.push(group);
    try {
      this.build();
    } catch (error) {
      this.groupInputs.pop();
      throw error;
    }
    return this;
  }

  /** The validated configuration, defaults resolved. */
  get config(): GovernanceConfig {
    return this.current().config;
  }
  /** Encrypts notifications, dead-letter queues, the event archive and the handlers' environment. */
  get encryptionKey(): kms.Key {
    return this.current().encryptionKey;
  }
  /** The notification topic: approvals, deployments, alarms. */
  get notifications(): Notifications {
    return this.current().notifications;
  }
  get groups(): ModelPackageGroups {
    return this.current().groups;
  }
  get approvalEvents(): ApprovalEvents {
    return this.current().approvalEvents;
  }
  get auditNotifier(): AuditNotifier {
    return this.current().auditNotifier;
  }
  /** The endpoint reconciler; none when no group has a target here. */
  get reconciler(): EndpointReconciler | undefined {
    return this.current().reconciler;
  }
  get modelCards(): ModelCards {
    return this.current().modelCards;
  }
  get lineage(): LineageRecorder {
    return this.current().lineage;
  }
  /** Registrar and approver managed policies, quality gates, separation of duties. */
  get policies(): GovernancePolicies {
    return this.current().policies;
  }
  /** The dashboard and alarms of the governance flow. */
  get operations(): Operations {
    return this.current().operations;
  }
  /** Forwarding of approval events to deployment accounts (multi-account only). */
  get forwarding(): EventForwarding | undefined {
    return this.current().forwarding;
  }

  private current(): RegistryResources {
    if (!this.resources) throw new Error(noGroupsYet(this.node.path));
    return this.resources;
  }

  /** Validates the configuration as it is now, then (re)builds every resource from it. */
  private build(): void {
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
    this.resources = this.built.replace(() => buildRegistry(this, config, registryRole));
  }
}

const noGroupsYet = (path: string) =>
  `ModelGovernance ${path}: groups: must list at least one model package group; pass "groups" or call addGroup().`;

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
    ...(config.governanceRecord.objectLock ? { objectLock: config.governanceRecord.objectLock } : {}),
    // The deployment accounts' reconcilers find the governance record by its bucket's name.
    ...(registryRole && config.registry
      ? { auditBucketName: auditBucketName(config.registry.account, config.registry.region) }
      : {}),
    ...shared,
  });
  // A gated group's card shows the metrics its verdict pinned (finding: the card and the auditors'
  // PDF must not show numbers the gate never evaluated).
  if (config.groups.some((g) => g.qualityGate)) modelCards.readPinnedMetrics(VERDICT_PREFIX);
  const lineage = new LineageRecorder(scope, 'Lineage', {
    groups: config.groups,
    records: registryRole ? 'approvals' : 'both',
    ...shared,
  });
  const forwarding =
    foreignAccounts.length > 0
      ? new EventForwarding(scope, 'Forwarding', {
          targets: foreignAccounts.map((account) => {
            const deployed = groupsDeployedIn(config, registryAccount ?? account, account);
            const carded = deployed.filter((g) => g.deployments.some((d) => d.requireApprovedModelCard));
            return {
              account,
              groupNames: deployed.map((g) => g.name),
              ...(carded.length > 0
                ? { cardPrefixes: carded.map((g) => `${modelCardPrefix(g.name)}-v`) }
                : {}),
            };
          }),
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
  // The deployment accounts' reconcilers (fixed role names) read the record and append their
  // endpoints' deployment requests: the bucket's policy and the key's allow it, their stacks grant it.
  const deploying = registryRole ? deploymentAccounts(config) : [];
  if (registryRole && config.registry && deploying.length > 0 && policies.handler) {
    const roles = deploying.map(
      (a) => `arn:${Aws.PARTITION}:iam::${a}:role/${reconcilerRoleName(config.registry?.region ?? '')}`,
    );
    policies.allowRecordWriters(roles, roles);
    encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DeploymentReconcilersUseTheGovernanceRecord',
        principals: deploying.map((a) => new iam.AccountPrincipal(a)),
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          ArnEquals: { 'aws:PrincipalArn': roles },
          StringEquals: { 'kms:ViaService': `s3.${config.registry.region}.amazonaws.com` },
        },
      }),
    );
  }
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
          dataCapture: config.dataCapture,
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
    // Its own deployment requests, appended to each of its endpoints' records (and nothing else).
    const stack = Stack.of(scope);
    const bucketId = stack.resolve(
      stack.getLogicalId(modelCards.auditBucket.node.defaultChild as CfnElement),
    ) as string;
    const ownEndpoints = config.groups.flatMap((g) =>
      g.deployments
        .filter((t) => t.account === undefined || t.account === stack.account)
        .map((t) => t.endpointName),
    );
    const recordOf = (account: string, endpointName: string) =>
      `${endpointRecordPrefix(RECORD_PREFIX, account, endpointName)}*`;
    reconciler.handler.allow(
      ['s3:PutObject'],
      ownEndpoints.map((e) => modelCards.auditBucket.arnForObjects(recordOf(stack.account, e))),
    );
    encryptionKey.grant(reconciler.handler, 'kms:GenerateDataKey');
    const nagAccount = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    for (const e of ownEndpoints)
      acknowledge(reconciler.handler, {
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${recordOf(nagAccount, e)}]`,
        reason:
          "Appends the deployments it asks of this endpoint to the endpoint's governance record, one object per entry (conditional writes; the bucket policy denies every other key and any delete).",
      });
    policies.allowRecordWriters([(reconciler.handler.role as iam.IRole).roleArn]);
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
  // Card reviews in the versions' records: the card gate's evidence in every account.
  if (policies.handler && config.groups.some((g) => cardReviewRequired(g)))
    policies.allowCardReviewWriter(modelCards.handler);
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
    monitored: config.groups.flatMap((g) =>
      g.deployments.filter((t) => t.monitoring).map((t) => ({ group: g.name, endpoint: t.endpointName })),
    ),
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
