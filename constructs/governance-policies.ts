import { type CfnElement, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { ModelPackageGroupConfig } from '../core/config/types';
import { liveEndpointOf } from '../core/live-endpoint';
import { modelCardPrefix } from '../core/model-card-naming';
import { ENDPOINTS_SEGMENT, RECORD_PREFIX } from '../core/record-naming';
import { compactArn } from './arn';
import { acknowledge, nagArn } from './compliance';
import { GovernedFunction } from './governed-function';
import type { SharedHandlerProps } from './handler-props';
import { modelPackageGroupArn, modelPackageVersionsArn } from './model-package-groups';

export interface GovernancePoliciesProps extends SharedHandlerProps {
  readonly groups: readonly ModelPackageGroupConfig[];
  /** Where the versions' metrics files live: the quality gate reads them. */
  readonly metricsBuckets: readonly string[];
  /** The audit bucket: the gate keeps its verdicts under VERDICT_PREFIX, where only it may write. */
  readonly verdictBucket: s3.IBucket;
  /** A fixed name for the policy handler's role (deployment stacks name it). @default generated */
  readonly handlerRoleName?: string;
}

/** Where in the audit bucket the quality gate keeps its verdicts, one object per version. */
export const VERDICT_PREFIX = 'quality-gate-verdicts';
/** Where in the audit bucket the governance record lives (docs/governance-record.md): one object per entry. */
export { RECORD_PREFIX } from '../core/record-naming';

/**
 * Governance policies: the policy handler (quality gates, separation of duties), when a group asks
 * for either, and two IAM managed policies for the people and pipelines around the registry:
 *
 * - registrar (training pipelines): register versions of the governed groups, never as Approved;
 *   may not change a version's approval;
 * - approver (Studio user profiles' execution roles, release managers): approve, reject, move a
 *   version through its lifecycle stages and review its model card; may not register versions.
 *
 * Both rely on SageMaker's `sagemaker:ModelApprovalStatus` condition key (CreateModelPackage and
 * UpdateModelPackage) and on resource-level permissions on the groups' versions.
 */
export class GovernancePolicies extends Construct {
  readonly handler?: GovernedFunction;
  /** Who besides the policy handler appends to the record: reconcilers, to their endpoints' records. */
  private readonly recordWriters: string[] = [];
  private recordBucket?: s3.IBucket;
  /** Whether any group has a quality gate (the deployment accounts then read its verdicts too). */
  private readonly qualityGated: boolean;
  /** One or more: IAM limits a managed policy to 6,144 characters, about 25 groups' ARNs. */
  readonly registrarPolicies: iam.ManagedPolicy[] = [];
  readonly approverPolicies: iam.ManagedPolicy[] = [];

  constructor(scope: Construct, id: string, props: GovernancePoliciesProps) {
    super(scope, id);
    this.qualityGated = props.groups.some((g) => g.qualityGate !== undefined);
    const stack = Stack.of(this);
    const chunks = chunkGroups(props.groups.map((g) => g.name));
    chunks.forEach((names, i) => {
      const suffix = chunks.length > 1 ? ` (groups ${names[0]} to ${names.at(-1)})` : '';
      const groupAndVersions = names.flatMap((n) => [
        modelPackageGroupArn(this, n),
        modelPackageVersionsArn(this, n),
      ]);
      const cards = names.map((n) =>
        compactArn(this, 'sagemaker', `model-card/${modelCardPrefix(n).toLowerCase()}-v*`),
      );
      const registrar = new iam.ManagedPolicy(this, i === 0 ? 'RegistrarPolicy' : `RegistrarPolicy${i + 1}`, {
        description: `model-governance registrar: register versions of the governed model package groups (pending approval only); no approvals${suffix}`,
        statements: [
          // One statement for the group and its versions, so each ARN is written once: the
          // condition applies only to CreateModelPackage (…IfExists: the describes have no such key).
          new iam.PolicyStatement({
            sid: 'RegisterAndRead',
            actions: [
              'sagemaker:CreateModelPackage',
              'sagemaker:DescribeModelPackage',
              'sagemaker:DescribeModelPackageGroup',
            ],
            resources: groupAndVersions,
            conditions: {
              StringEqualsIfExists: { 'sagemaker:ModelApprovalStatus': 'PendingManualApproval' },
            },
          }),
          // Tags only as part of CreateModelPackage. A plain AddTags call carries no
          // sagemaker:TaggingAction key, so the key must be present (Null: false) and equal:
          // StringEqualsIfExists would let a plain AddTags through.
          new iam.PolicyStatement({
            sid: 'TagOnlyWhileRegistering',
            actions: ['sagemaker:AddTags'],
            resources: groupAndVersions,
            conditions: {
              StringEquals: { 'sagemaker:TaggingAction': 'CreateModelPackage' },
              Null: { 'sagemaker:TaggingAction': 'false' },
            },
          }),
          new iam.PolicyStatement({
            sid: 'ListVersions',
            actions: ['sagemaker:ListModelPackages'],
            resources: ['*'],
          }),
          new iam.PolicyStatement({
            sid: 'NeverRegisterOrSetApproved',
            effect: iam.Effect.DENY,
            actions: ['sagemaker:CreateModelPackage', 'sagemaker:UpdateModelPackage'],
            resources: ['*'],
            conditions: { StringEquals: { 'sagemaker:ModelApprovalStatus': 'Approved' } },
          }),
          // Never register a version at a lifecycle stage: a target that serves a stage would serve
          // it without a promotion. Service Authorization Reference: CreateModelPackage
          // takes sagemaker:ModelLifeCycle:Stage and :StageStatus, present when the request sets a
          // stage (both are required members of ModelLifeCycle); Null: false is "present".
          ...(['Stage', 'StageStatus'] as const).map(
            (key) =>
              new iam.PolicyStatement({
                sid: key === 'Stage' ? 'NeverRegisterAtAStage' : 'NeverRegisterAtAStageStatus',
                effect: iam.Effect.DENY,
                actions: ['sagemaker:CreateModelPackage'],
                resources: ['*'],
                conditions: { Null: { [`sagemaker:ModelLifeCycle:${key}`]: 'false' } },
              }),
          ),
        ],
      });
      const approver = new iam.ManagedPolicy(this, i === 0 ? 'ApproverPolicy' : `ApproverPolicy${i + 1}`, {
        description: `model-governance approver: approve, reject and stage versions of the governed groups and review their model cards; no registration${suffix}`,
        statements: [
          new iam.PolicyStatement({
            sid: 'ApproveStageAndRead',
            actions: [
              'sagemaker:UpdateModelPackage',
              'sagemaker:DescribeModelPackage',
              'sagemaker:DescribeModelPackageGroup',
            ],
            resources: groupAndVersions,
            conditions: {
              StringEqualsIfExists: {
                'sagemaker:ModelApprovalStatus': ['Approved', 'Rejected', 'PendingManualApproval'],
              },
            },
          }),
          new iam.PolicyStatement({
            sid: 'ReviewModelCards',
            actions: ['sagemaker:DescribeModelCard', 'sagemaker:UpdateModelCard'],
            resources: cards,
          }),
          new iam.PolicyStatement({
            sid: 'ListVersionsAndCards',
            actions: ['sagemaker:ListModelPackages', 'sagemaker:ListModelCards'],
            resources: ['*'],
          }),
          new iam.PolicyStatement({
            sid: 'NeverRegister',
            effect: iam.Effect.DENY,
            actions: ['sagemaker:CreateModelPackage'],
            resources: ['*'],
          }),
        ],
      });
      this.registrarPolicies.push(registrar);
      this.approverPolicies.push(approver);
      for (const policy of [registrar, approver]) {
        for (const name of names) {
          acknowledge(policy, {
            id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'sagemaker', `model-package/${name.toLowerCase()}/*`)}]`,
            reason: `Versions of ${name} are numbered as they are registered; the wildcard covers that group's versions only.`,
          });
        }
        acknowledge(policy, {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'ListModelPackages and ListModelCards do not support resource-level permissions; the denies apply everywhere on purpose.',
        });
      }
      for (const name of names) {
        acknowledge(approver, {
          id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'sagemaker', `model-card/${modelCardPrefix(name).toLowerCase()}-v*`)}]`,
          reason: `Cards are named per version of ${name} (<group>-v<version>); the wildcard covers that group's cards only.`,
        });
      }
    });

    // Groups with a target that serves a lifecycle stage too: the handler records who set each stage.
    const gated = props.groups.filter(
      (g) =>
        g.qualityGate ||
        g.separationOfDuties ||
        g.deployments.some((d) => d.serve.kind === 'lifecycle-stage'),
    );
    // Every governed group's versions go into the governance record (registration, approvals,
    // content changes); only the gated ones are ever updated by the handler.
    if (props.groups.length === 0) return;
    const handler = new GovernedFunction(this, 'Handler', {
      handlerName: 'policy-gate',
      description: 'model-governance: quality gates on new versions, separation of duties on approvals',
      manifestPath: props.manifestPath,
      encryptionKey: props.encryptionKey,
      alarmTopic: props.topic,
      timeout: Duration.minutes(1),
      memorySize: 512,
      ...(props.handlerRoleName ? { roleName: props.handlerRoleName } : {}),
    })
      .bindNotificationTopic(props.topic)
      .allowOnVersionsOf(
        ['sagemaker:DescribeModelPackage'],
        props.groups.map((g) => g.name),
      );
    // Gated groups' decisions, and on every group a metadata-only change that runs the reconciler
    // again once an approved version's entries are recorded (never Approved but with autoApprove).
    grantPolicyDecisions(handler, props.groups);
    this.bindRecord(handler, props.verdictBucket);
    handler.addEnvironment('VERDICT_S3_URI', props.verdictBucket.s3UrlForObject(VERDICT_PREFIX));
    handler.addEnvironment('POLICY_ROLE_ARN', (handler.role as iam.IRole).roleArn);
    props.verdictBucket.grantRead(handler, `${VERDICT_PREFIX}/*`);
    props.verdictBucket.grantPut(handler, `${VERDICT_PREFIX}/*`);
    // Nobody else writes a verdict, whatever their identity policy says.
    props.verdictBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyThePolicyHandlerWritesVerdicts',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: [props.verdictBucket.arnForObjects(`${VERDICT_PREFIX}/*`)],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': (handler.role as iam.IRole).roleArn } },
      }),
    );
    const bucketId = stack.resolve(
      stack.getLogicalId(props.verdictBucket.node.defaultChild as CfnElement),
    ) as string;
    acknowledge(handler, {
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${VERDICT_PREFIX}/*]`,
      reason: 'The gate keeps one verdict object per version under this prefix of the audit bucket.',
    });
    for (const action of [
      's3:GetObject*',
      's3:GetBucket*',
      's3:List*',
      's3:Abort*',
      'kms:ReEncrypt*',
      'kms:GenerateDataKey*',
    ]) {
      acknowledge(handler, {
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason:
          "CDK's grantRead/grantPut on the audit bucket: reading and writing the gate's own verdict objects, with the stack's one key.",
      });
    }
    const liveEndpoints = gated.flatMap((g) => liveEndpointOf(g) ?? []);
    if (liveEndpoints.length > 0) {
      handler.allow(
        ['sagemaker:DescribeEndpoint'],
        liveEndpoints.map((e) => compactArn(this, 'sagemaker', `endpoint/${e.toLowerCase()}`)),
      );
    }
    // The gate pins each image by the digest its tag names (artifact-pins.ts).
    if (gated.some((g) => g.qualityGate)) handler.allowImageDigests();
    if (props.metricsBuckets.length > 0) {
      // The gate pins what it decides on (artifact-pins.ts): GetObject reads the metrics files and
      // heads the model data; GetObjectVersion reads the live version's metrics by their pinned
      // VersionId; ListBucket lists an S3Prefix model data source (quality-gated groups only).
      const pinning = gated.some((g) => g.qualityGate);
      handler.allow(
        pinning ? ['s3:GetObject', 's3:GetObjectVersion'] : ['s3:GetObject'],
        props.metricsBuckets.map((b) => `arn:${stack.partition}:s3:::${b}/*`),
      );
      if (pinning)
        handler.allow(
          ['s3:ListBucket'],
          props.metricsBuckets.map((b) => `arn:${stack.partition}:s3:::${b}`),
        );
      for (const b of props.metricsBuckets) {
        acknowledge(handler, {
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${b}/*]`,
          reason: `Metrics files and model artifacts in ${b} are keyed by pipeline execution or training job; read-only.`,
        });
      }
    }
    props.approvalEvents.onModelPackageStateChange(handler, handler.deadLetters.queue);
    this.handler = handler;
  }

  /**
   * The governance record: the policy handler appends to it; nobody else may write or delete an
   * entry, whatever their identity policy says (the reconciler roles only read).
   */
  private bindRecord(handler: GovernedFunction, bucket: s3.IBucket): void {
    const stack = Stack.of(this);
    const role = handler.role as iam.IRole;
    handler.addEnvironment('GOVERNANCE_RECORD_S3_URI', bucket.s3UrlForObject(RECORD_PREFIX));
    bucket.grantRead(handler, `${RECORD_PREFIX}/*`);
    bucket.grantPut(handler, `${RECORD_PREFIX}/*`);
    this.recordBucket = bucket;
    const writers = Lazy.list({ produce: () => [role.roleArn, ...this.recordWriters] });
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheAppWritesTheGovernanceRecord',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [...RECORD_WRITES],
        resources: [bucket.arnForObjects(`${RECORD_PREFIX}/*`)],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': writers } },
      }),
    );
    const bucketId = stack.resolve(stack.getLogicalId(bucket.node.defaultChild as CfnElement)) as string;
    acknowledge(handler, {
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${RECORD_PREFIX}/*]`,
      reason:
        'The governance record: one object per entry under <group>/<version>/, appended with conditional writes.',
    });
  }

  /**
   * Lets the model-cards handler append its card reviews to the versions' records (card-gated groups:
   * the deployment accounts decide the card gate from them), and nothing else: no endpoint's record,
   * no delete, no retention change.
   */
  allowCardReviewWriter(handler: GovernedFunction): void {
    const bucket = this.recordBucket;
    if (!bucket) return;
    const stack = Stack.of(this);
    const role = handler.role as iam.IRole;
    this.recordWriters.push(role.roleArn);
    handler.addEnvironment('GOVERNANCE_RECORD_S3_URI', bucket.s3UrlForObject(RECORD_PREFIX));
    bucket.grantRead(handler, `${RECORD_PREFIX}/*`);
    bucket.grantPut(handler, `${RECORD_PREFIX}/*`);
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CardReviewsAppendOnlyToVersionRecords',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [...RECORD_WRITES],
        resources: [bucket.arnForObjects(`${RECORD_PREFIX}/${ENDPOINTS_SEGMENT}/*`)],
        conditions: { ArnEquals: { 'aws:PrincipalArn': [role.roleArn] } },
      }),
    );
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CardReviewsNeverRemoveARecord',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectRetention'],
        resources: [bucket.arnForObjects(`${RECORD_PREFIX}/*`)],
        conditions: { ArnEquals: { 'aws:PrincipalArn': [role.roleArn] } },
      }),
    );
    const bucketId = stack.resolve(stack.getLogicalId(bucket.node.defaultChild as CfnElement)) as string;
    acknowledge(handler, {
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${RECORD_PREFIX}/*]`,
      reason:
        "Reads a version's governance record and appends its card's review, one object per entry under <group>/<version>/ (conditional writes; the bucket policy denies endpoints' records and any delete).",
    });
  }

  /**
   * Lets reconciler roles (this account's, and the deployment accounts' by their fixed names) append
   * the deployments they ask of their endpoints, under `_endpoints/<their account>/`, and nothing
   * else: no version's entries, no other account's endpoints, no delete, no retention change. The
   * deployment accounts' roles are allowed here too (a cross-account write needs the bucket's
   * allow); their own stacks grant the identity side.
   */
  allowRecordWriters(roleArns: readonly string[], crossAccount: readonly string[] = []): void {
    const bucket = this.recordBucket;
    if (!bucket || roleArns.length === 0) return;
    this.recordWriters.push(...roleArns);
    // `${aws:PrincipalAccount}` is a policy variable (IAM User Guide, "IAM policy elements:
    // Variables and tags": global condition keys resolve in the Resource element).
    const own = bucket.arnForObjects(`${RECORD_PREFIX}/${ENDPOINTS_SEGMENT}/\${aws:PrincipalAccount}/*`);
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ReconcilersAppendOnlyTheirEndpointsRecords',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [...RECORD_WRITES],
        notResources: [own],
        conditions: { ArnEquals: { 'aws:PrincipalArn': roleArns } },
      }),
    );
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ReconcilersNeverRemoveARecord',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectRetention'],
        resources: [bucket.arnForObjects(`${RECORD_PREFIX}/*`)],
        conditions: { ArnEquals: { 'aws:PrincipalArn': roleArns } },
      }),
    );
    if (crossAccount.length > 0) {
      bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'DeploymentReconcilersReadAndAppendTheRecord',
          effect: iam.Effect.ALLOW,
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:GetObject', 's3:ListBucket', 's3:PutObject'],
          resources: [bucket.bucketArn, bucket.arnForObjects(`${RECORD_PREFIX}/*`)],
          conditions: { ArnEquals: { 'aws:PrincipalArn': crossAccount } },
        }),
      );
      // The gate's verdicts and their pins, read only: every gate is enforced in every account.
      if (this.qualityGated)
        bucket.addToResourcePolicy(
          new iam.PolicyStatement({
            sid: 'DeploymentReconcilersReadTheVerdicts',
            effect: iam.Effect.ALLOW,
            principals: [new iam.AnyPrincipal()],
            actions: ['s3:GetObject'],
            resources: [bucket.arnForObjects(`${VERDICT_PREFIX}/*`)],
            conditions: { ArnEquals: { 'aws:PrincipalArn': crossAccount } },
          }),
        );
    }
  }
}

/** What writes an entry, replaces it or shortens its retention. */
const RECORD_WRITES = ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectRetention'];

/**
 * What the policy handler may write: Rejected or PendingManualApproval (a failed or
 * undecided gate, a reverted self-approval) and metadata-only updates on every gated group; Approved
 * only on the versions of groups whose gate has `autoApprove`, and an explicit deny everywhere else.
 * The condition key is present only when a request sets a status: …IfExists lets a metadata-only
 * update (the gate keeping a person's approval) through, and nothing else.
 */
function grantPolicyDecisions(handler: GovernedFunction, gated: readonly ModelPackageGroupConfig[]): void {
  const versions = (groups: readonly ModelPackageGroupConfig[]) =>
    groups.map((g) => modelPackageVersionsArn(handler, g.name));
  handler.allow(['sagemaker:UpdateModelPackage'], versions(gated), {
    StringEqualsIfExists: { 'sagemaker:ModelApprovalStatus': ['Rejected', 'PendingManualApproval'] },
  });
  const autoApprove = gated.filter((g) => g.qualityGate?.autoApprove);
  const manual = gated.filter((g) => !g.qualityGate?.autoApprove);
  if (autoApprove.length > 0) {
    handler.allow(['sagemaker:UpdateModelPackage'], versions(autoApprove), {
      StringEquals: { 'sagemaker:ModelApprovalStatus': 'Approved' },
    });
  }
  if (manual.length > 0) {
    handler.addToRolePolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: ['sagemaker:UpdateModelPackage'],
        resources: versions(manual),
        conditions: { StringEquals: { 'sagemaker:ModelApprovalStatus': 'Approved' } },
      }),
    );
  }
}

/** IAM's limit on a managed policy document, in characters (whitespace not counted). */
export const MANAGED_POLICY_MAX_CHARS = 6144;

/**
 * Splits groups into as few chunks as fit one managed policy each. The estimate takes the longest
 * partition, region and account an ARN can have here, and the statements around the ARNs.
 */
export function chunkGroups(names: readonly string[], maxChars = MANAGED_POLICY_MAX_CHARS): string[][] {
  const fixed = 1400; // statements, actions, conditions, the denies
  const arnChars = (resource: string) =>
    `"arn:aws-us-gov:sagemaker:ap-southeast-2:123456789012:${resource}",`.length;
  // The group and its versions appear twice (register, tag), the cards once.
  const perGroup = (n: string) =>
    2 * arnChars(`model-package-group/${n}`) +
    2 * arnChars(`model-package/${n}/*`) +
    arnChars(`model-card/${modelCardPrefix(n)}-v*`);
  const chunks: string[][] = [];
  let current: string[] = [];
  let size = fixed;
  for (const name of names) {
    const cost = perGroup(name.toLowerCase());
    if (current.length > 0 && size + cost > maxChars) {
      chunks.push(current);
      current = [];
      size = fixed;
    }
    current.push(name);
    size += cost;
  }
  if (current.length > 0 || chunks.length === 0) chunks.push(current);
  return chunks;
}
