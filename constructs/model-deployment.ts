import { Aws, CfnOutput, CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { groupsDeployedIn } from '../core/config/accounts';
import type {
  AwsEnvironmentInput,
  GovernanceConfigInput,
  ModelPackageGroupInput,
} from '../core/config/input';
import { parseGovernanceConfig } from '../core/config/parse';
import type { ChatChannels, DataCaptureStorage, ModelPackageGroupConfig } from '../core/config/types';
import { MODEL_CARD_STATE_CHANGE, MODEL_PACKAGE_STATE_CHANGE, SAGEMAKER_EVENT_SOURCE } from '../core/events';
import { cardReviewRequired, modelCardPrefix } from '../core/model-card-naming';
import { auditBucketName, endpointRecordPrefix, RECORD_PREFIX } from '../core/record-naming';
import { ApprovalEvents } from './approval-events';
import { BuiltChildren } from './built-children';
import { ACKNOWLEDGEMENTS, acknowledge } from './compliance';
import { EndpointReconciler } from './endpoint-reconciler';
import { VERDICT_PREFIX } from './governance-policies';
import type { SharedHandlerProps } from './handler-props';
import { LineageRecorder } from './lineage-recorder';
import { writeManifest } from './manifest-file';
import { policyGateRoleName, reconcilerRoleName } from './model-package-groups';
import { Notifications } from './notifications';
import { Operations } from './operations';

/**
 * Props of ModelDeployment: the fields of governance.config.json that concern one deployment account
 * (same names; see core/config/input.ts), and which account this is.
 */
export interface ModelDeploymentProps
  extends Pick<
    GovernanceConfigInput,
    | 'notificationEmails'
    | 'modelArtifactBuckets'
    | 'modelArtifactKeyArns'
    | 'slo'
    | 'tracing'
    | 'notifications'
    | 'dataCapture'
  > {
  /** Where the Model Registry (and its ModelGovernance) is. */
  readonly registry: AwsEnvironmentInput;
  /**
   * The account this construct deploys endpoints in: it manages the targets whose `account` is this
   * one (targets without `account` are the registry account's).
   * @default the stack's account (which must then be concrete, not environment-agnostic)
   */
  readonly account?: string;
  /**
   * The groups (as in ModelGovernance); only their targets in `account` are managed here.
   * @default [] (add with addGroup())
   */
  readonly groups?: readonly ModelPackageGroupInput[];
}

/**
 * Model governance in one deployment account of a multi-account setup: a bus policy accepting the
 * registry account's forwarded approval events (and nothing else), the rules that hand them and the
 * endpoints' own state changes to the reconciler, the reconciler with its model execution role and
 * rollback alarms, deployment lineage, and a notification topic for this account's people.
 */
export class ModelDeployment extends Construct {
  private readonly props: ModelDeploymentProps;
  private readonly groupInputs: ModelPackageGroupInput[] = [];
  private readonly built = new BuiltChildren(this);
  private resources?: DeploymentResources;
  /** Why nothing is built yet: no groups, or none with a target in this account. */
  private pending: string;

  /**
   * Builds its resources here, from the groups given (validated first, every problem at once);
   * `addGroup()` builds them again with the new group. Until some group has a target in this
   * account there is nothing to build, and synthesis refuses the construct.
   */
  constructor(scope: Construct, id: string, props: ModelDeploymentProps) {
    super(scope, id);
    this.props = props;
    this.pending = `ModelDeployment ${this.node.path}: groups: must list at least one model package group; pass "groups" or call addGroup().`;
    acknowledge(this, ACKNOWLEDGEMENTS.queueIsDeadLetterQueue);
    this.node.addValidation({ validate: () => (this.resources ? [] : [this.pending]) });
    this.groupInputs.push(...(props.groups ?? []));
    if (this.groupInputs.length > 0) this.build();
  }

  /**
   * Adds a group; its targets in this account are deployed here. Throws a ConfigurationError, and
   * keeps the groups it had, when the configuration with it is invalid.
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

  /** The groups deployed here, each with only its targets in this account. */
  get deployedGroups(): readonly ModelPackageGroupConfig[] {
    return this.current().groups;
  }
  get encryptionKey(): kms.Key {
    return this.current().encryptionKey;
  }
  get notifications(): Notifications {
    return this.current().notifications;
  }
  get approvalEvents(): ApprovalEvents {
    return this.current().approvalEvents;
  }
  get reconciler(): EndpointReconciler {
    return this.current().reconciler;
  }
  get lineage(): LineageRecorder {
    return this.current().lineage;
  }
  /** The dashboard and alarms of this account's part of the flow. */
  get operations(): Operations {
    return this.current().operations;
  }
  /** The bus policy accepting the registry's forwarded events (in accounts other than the registry's). */
  get busPolicy(): CfnResource | undefined {
    return this.current().busPolicy;
  }

  private current(): DeploymentResources {
    if (!this.resources) throw new Error(this.pending);
    return this.resources;
  }

  /** Validates the configuration as it is now, then (re)builds every resource from it. */
  private build(): void {
    const { registry, groups: _groups, account, ...settings } = this.props;
    const config = parseGovernanceConfig(
      { ...settings, registry, groups: this.groupInputs },
      `ModelDeployment ${this.node.path}`,
    );
    const stackAccount = Stack.of(this).account;
    const targetAccount = account ?? (Token.isUnresolved(stackAccount) ? undefined : stackAccount);
    if (!targetAccount) {
      throw new Error(
        `ModelDeployment ${this.node.path}: which account does it deploy in? Set "account", or give the stack a concrete env.account.`,
      );
    }
    const groups = groupsDeployedIn(config, registry.account, targetAccount);
    if (groups.length === 0) {
      this.pending = `ModelDeployment ${this.node.path}: no target of its groups is in account ${targetAccount}; give targets "account": "${targetAccount}" (targets without one are the registry's, ${registry.account}).`;
      return;
    }
    this.resources = this.built.replace(() =>
      buildDeployment(this, {
        groups,
        registry: config.registry ?? registry,
        targetAccount,
        notificationEmails: config.notificationEmails,
        modelArtifactBuckets: config.modelArtifactBuckets,
        modelArtifactKeyArns: config.modelArtifactKeyArns,
        approvalToServingMinutes: config.slo.approvalToServingMinutes,
        tracing: config.tracing,
        chat: config.notifications,
        dataCapture: config.dataCapture,
      }),
    );
  }
}

interface DeploymentResources {
  readonly groups: readonly ModelPackageGroupConfig[];
  readonly encryptionKey: kms.Key;
  readonly notifications: Notifications;
  readonly operations: Operations;
  readonly approvalEvents: ApprovalEvents;
  readonly reconciler: EndpointReconciler;
  readonly lineage: LineageRecorder;
  readonly busPolicy?: CfnResource;
}

function buildDeployment(
  scope: Construct,
  c: {
    groups: readonly ModelPackageGroupConfig[];
    registry: AwsEnvironmentInput;
    targetAccount: string;
    notificationEmails: readonly string[];
    modelArtifactBuckets: readonly string[];
    modelArtifactKeyArns: readonly string[];
    approvalToServingMinutes: number;
    tracing: boolean;
    chat: ChatChannels;
    dataCapture: DataCaptureStorage;
  },
): DeploymentResources {
  const { groups, registry, targetAccount } = c;
  const crossAccount = targetAccount !== registry.account;
  const manifestPath = writeManifest(scope, {
    manifestVersion: 1,
    groups,
    ...(crossAccount ? { registry } : {}),
  });
  const encryptionKey = new kms.Key(scope, 'Key', {
    description: 'model-governance (deployments): notifications, dead-letter queues, handler environment',
    enableKeyRotation: true,
  });
  const notifications = new Notifications(scope, 'Notifications', {
    encryptionKey,
    emails: c.notificationEmails,
    chat: c.chat,
  });
  const approvalEvents = new ApprovalEvents(scope, 'ApprovalEvents', {
    groupNames: groups.map((g) => g.name),
    endpointNames: groups.flatMap((g) => g.deployments.map((d) => d.endpointName)),
    cardGatePrefixes: groups.filter((g) => cardReviewRequired(g)).map((g) => `${modelCardPrefix(g.name)}-v`),
    archiveRetentionDays: 0,
    archive: false,
    registryAccount: registry.account,
    encryptionKey,
  });
  let busPolicy: CfnResource | undefined;
  if (crossAccount) {
    // Only the registry account may put events on this bus, and only SageMaker's model package
    // state changes (the source and detail-type of the events it forwards).
    // A plain CfnResource: CfnEventBusPolicy reads its deprecated `principal` while synthesizing and
    // prints a deprecation warning on every synth, though the property is never set.
    busPolicy = new CfnResource(scope, 'AcceptRegistryEvents', {
      type: 'AWS::Events::EventBusPolicy',
      properties: {
        EventBusName: 'default',
        StatementId: `model-governance-from-${registry.account}`,
        Statement: new iam.PolicyStatement({
          sid: `model-governance-from-${registry.account}`,
          principals: [new iam.AccountPrincipal(registry.account)],
          actions: ['events:PutEvents'],
          resources: [
            Stack.of(scope).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' }),
          ],
          conditions: {
            StringEquals: {
              'events:source': SAGEMAKER_EVENT_SOURCE,
              // Model card state changes too where a target is card-gated: the hint of a review.
              'events:detail-type': groups.some((g) => cardReviewRequired(g))
                ? [MODEL_PACKAGE_STATE_CHANGE, MODEL_CARD_STATE_CHANGE]
                : MODEL_PACKAGE_STATE_CHANGE,
            },
          },
        }).toStatementJson(),
      },
    });
  }
  const shared: SharedHandlerProps = {
    approvalEvents,
    topic: notifications.topic,
    encryptionKey,
    manifestPath,
  };
  const reconciler = new EndpointReconciler(scope, 'EndpointReconciler', {
    groups,
    modelArtifactBuckets: c.modelArtifactBuckets,
    modelArtifactKeyArns: c.modelArtifactKeyArns,
    dataCapture: c.dataCapture,
    ...(crossAccount ? { registryAccount: registry.account } : {}),
    cardReviewsFromRecord: true,
    // A fixed name: the registry's group and record policies name this role.
    handlerRoleName: reconcilerRoleName(registry.region),
    // A gated group's version deploys only with its verdict, and its model data as pinned: the
    // verdicts are read from the registry account's audit bucket, as in the registry's own stack.
    ...(groups.some((g) => g.qualityGate && g.deployments.length > 0)
      ? {
          verdictStore: {
            bucket: s3.Bucket.fromBucketName(
              scope,
              'RegistryAuditBucket',
              auditBucketName(registry.account, registry.region),
            ),
            prefix: VERDICT_PREFIX,
          },
        }
      : {}),
    ...shared,
  });
  bindGovernanceRecord(reconciler, registry, targetAccount, groups);
  // The registry's policy handler (fixed name): its change to a version is its check of the approval.
  reconciler.handler.addEnvironment(
    'APPROVAL_CHECKER_ROLE_ARN',
    `arn:${Aws.PARTITION}:iam::${registry.account}:role/${policyGateRoleName(registry.region)}`,
  );
  new CfnOutput(scope, 'ModelExecutionRoleArn', {
    description:
      'Grant this role read access to the model artifacts (bucket policy, KMS key policy) in the registry account',
    value: reconciler.executionRole.roleArn,
  });
  const lineage = new LineageRecorder(scope, 'Lineage', {
    groups,
    records: 'deployments',
    ...(crossAccount ? { registryAccount: registry.account } : {}),
    ...shared,
  });
  if (c.tracing) for (const f of [reconciler.handler, lineage.handler]) f.enableTracing();
  const operations = new Operations(scope, 'Operations', {
    topic: notifications.topic,
    functions: [reconciler.handler, lineage.handler],
    approvalToServingMinutes: c.approvalToServingMinutes,
    monitored: groups.flatMap((g) =>
      g.deployments.filter((t) => t.monitoring).map((t) => ({ group: g.name, endpoint: t.endpointName })),
    ),
  });
  return {
    groups,
    encryptionKey,
    notifications,
    approvalEvents,
    reconciler,
    lineage,
    operations,
    ...(busPolicy ? { busPolicy } : {}),
  };
}

/**
 * The registry account's governance record, read by this account's reconciler (every gate: verdicts,
 * registered content, who approved) and appended to with the deployments it asks of its endpoints.
 * The registry stack's bucket policy and key policy allow this role by its fixed name; this is the
 * identity side. The bucket is found by its name (core/record-naming.ts auditBucketName).
 */
function bindGovernanceRecord(
  reconciler: EndpointReconciler,
  registry: AwsEnvironmentInput,
  account: string,
  groups: readonly ModelPackageGroupConfig[],
): void {
  const fn = reconciler.handler;
  const bucket = auditBucketName(registry.account, registry.region);
  const bucketArn = `arn:${Aws.PARTITION}:s3:::${bucket}`;
  fn.addEnvironment('GOVERNANCE_RECORD_S3_URI', `s3://${bucket}/${RECORD_PREFIX}`);
  fn.allow(['s3:ListBucket'], [bucketArn], { StringLike: { 's3:prefix': [`${RECORD_PREFIX}/*`] } });
  fn.allow(['s3:GetObject'], [`${bucketArn}/${RECORD_PREFIX}/*`]);
  const endpoints = groups.flatMap((g) => g.deployments.map((t) => t.endpointName));
  fn.allow(
    ['s3:PutObject'],
    endpoints.map((e) => `${bucketArn}/${endpointRecordPrefix(RECORD_PREFIX, account, e)}*`),
  );
  // The registry's key encrypts the bucket; its key policy names this role (via S3 only).
  fn.allow(
    ['kms:Decrypt', 'kms:GenerateDataKey'],
    [`arn:${Aws.PARTITION}:kms:${registry.region}:${registry.account}:key/*`],
    { StringEquals: { 'kms:ViaService': `s3.${registry.region}.amazonaws.com` } },
  );
  acknowledge(fn, {
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${bucket}/${RECORD_PREFIX}/*]`,
    reason:
      "Reads the registry account's governance record, one object per entry (its bucket policy lets only the app's roles write).",
  });
  for (const e of endpoints)
    acknowledge(fn, {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${bucket}/${endpointRecordPrefix(RECORD_PREFIX, account, e)}*]`,
      reason:
        "Appends the deployments it asks of this endpoint to the endpoint's governance record (conditional writes; the bucket policy denies every other key and any delete).",
    });
  acknowledge(fn, {
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:${registry.region}:${registry.account}:key/*]`,
    reason:
      "The registry stack's key, whose id this stack cannot know: only through S3 (kms:ViaService), and the key policy names this role.",
  });
}
