import { ArnFormat, type CfnElement, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DATA_CAPTURE_DEFAULTS } from '../core/config/parse';
import type { DataCaptureStorage, DeploymentTarget, ModelPackageGroupConfig } from '../core/config/types';
import { PROCESSING_JOB_STATE_CHANGE, SAGEMAKER_EVENT_SOURCE } from '../core/events';
import { cardReviewRequired, modelCardPrefix } from '../core/model-card-naming';
import { resourcePrefix, rollbackAlarmNames, VARIANT_NAME } from '../core/naming';
import { TARGET_RETRY } from './approval-events';
import { compactArn } from './arn';
import { acknowledge, nagArn } from './compliance';
import { DataCapture } from './data-capture';
import { GovernedFunction } from './governed-function';
import type { SharedHandlerProps } from './handler-props';

export interface EndpointReconcilerProps extends SharedHandlerProps {
  readonly groups: readonly ModelPackageGroupConfig[];
  readonly modelArtifactBuckets: readonly string[];
  /** KMS keys encrypting the artifacts: the execution role may decrypt with them (through S3). */
  readonly modelArtifactKeyArns?: readonly string[];
  /** The account holding the groups, when not this stack's (a deployment stack of a multi-account app). */
  readonly registryAccount?: string;
  /**
   * The card gate reads the reviews the registry's model-cards handler records (a ModelDeployment):
   * the periodic check then also deploys a card-gated version whose review reached the record after
   * the card's event. @default false
   */
  readonly cardReviewsFromRecord?: boolean;
  /** A fixed name for the handler's role (the registry's resource policies name it). @default generated */
  readonly handlerRoleName?: string;
  /**
   * The quality gate's verdicts (the audit bucket and the policy handler's prefix), when a group has
   * a gate and the reconciler runs in the same account: it reads them (read only) and checks the
   * pinned model data in `modelArtifactBuckets` before deploying. @default not read
   */
  readonly verdictStore?: { readonly bucket: s3.IBucket; readonly prefix: string };
  /**
   * Where capturing targets (dataCapturePercent above 0) capture to.
   * @default a bucket provisioned here, with the configuration's defaults (prefix data-capture, 90 days)
   */
  readonly dataCapture?: DataCaptureStorage;
}

/** Where monitoring jobs write their reports, in the capture bucket beside what they read. */
export const MONITORING_REPORTS_PREFIX = 'monitoring-reports';

interface MonitoringStore {
  readonly bucket: s3.IBucket;
  readonly capturePrefix: string;
  readonly reportsPrefix: string;
}

/**
 * The endpoint reconciler and what it needs: the role the models run with, the alarms that roll a
 * blue/green deployment back, and IAM scoped to each target's endpoint and to the models and
 * endpoint configs named after it (core/naming.ts).
 */
export class EndpointReconciler extends Construct {
  readonly handler: GovernedFunction;
  readonly executionRole: iam.Role;
  readonly alarms: cloudwatch.Alarm[] = [];
  /** The role SageMaker runs shadow tests with, when a target has `shadow`. */
  readonly shadowTestRole?: iam.Role;
  /** The periodic check that notices a shadow test's end, when a target has `shadow`. */
  readonly shadowCheck?: events.Rule;
  /** The role SageMaker runs monitoring jobs with, when a target has `monitoring`. */
  readonly monitoringRole?: iam.Role;
  /** Where the endpoints' captured requests go, when a target captures. */
  readonly dataCapture?: DataCapture;

  constructor(scope: Construct, id: string, props: EndpointReconcilerProps) {
    super(scope, id);
    const targets = props.groups.flatMap((group) => group.deployments.map((target) => ({ group, target })));
    this.executionRole = this.createExecutionRole(
      props.modelArtifactBuckets,
      props.modelArtifactKeyArns ?? [],
    );
    this.grantNetworkPlacement(targets.map((t) => t.target));
    this.grantEndpointKeys(targets.map((t) => t.target));
    for (const { target } of targets)
      if (target.rollbackAlarms.enabled) this.createRollbackAlarms(target, props.topic);

    this.handler = new GovernedFunction(this, 'Handler', {
      handlerName: 'reconcile-endpoint',
      description: 'model-governance: keeps each deployment target serving its desired approved version',
      manifestPath: props.manifestPath,
      encryptionKey: props.encryptionKey,
      alarmTopic: props.topic,
      timeout: Duration.minutes(2),
      environment: { MODEL_EXECUTION_ROLE_ARN: this.executionRole.roleArn },
      ...(props.handlerRoleName ? { roleName: props.handlerRoleName } : {}),
    }).bindNotificationTopic(props.topic);
    this.grantReconcile(
      targets.map((t) => t.target),
      props.groups.filter((g) => g.deployments.length > 0),
      props.registryAccount,
    );
    this.grantAutoscaling(targets.map((t) => t.target));
    const capturing = targets.map((t) => t.target).filter((t) => t.dataCapturePercent > 0);
    if (capturing.length > 0) {
      this.dataCapture = new DataCapture(this, 'DataCapture', {
        storage: props.dataCapture ?? DATA_CAPTURE_DEFAULTS,
        targets: capturing,
        executionRole: this.executionRole,
      });
      this.handler.addEnvironment('DATA_CAPTURE_S3_URI', this.dataCapture.s3Uri);
    }
    if (props.verdictStore) this.bindVerdictStore(props.verdictStore, props.modelArtifactBuckets);
    const shadowed = targets.map((t) => t.target).filter((t) => t.shadow);
    if (shadowed.length > 0) {
      this.shadowTestRole = this.createShadowTestRole(shadowed);
      this.grantShadowTests(shadowed, this.shadowTestRole);
    }
    // A cleared violation hold sends no event either (mgov clear-violation records it in lineage),
    // nor a card review recorded after its card's event (cardReviewsFromRecord).
    if (
      shadowed.length > 0 ||
      targets.some((t) => t.target.monitoring?.onViolation === 'hold') ||
      (props.cardReviewsFromRecord && targets.some((t) => t.target.requireApprovedModelCard))
    )
      this.shadowCheck = this.scheduleShadowCheck();
    const monitoredTargets = targets.filter((t) => t.target.monitoring);
    const monitored = monitoredTargets.map((t) => t.target);
    // A monitored target captures (the configuration refuses monitoring without capture); its
    // monitoring jobs read the capture bucket and report beside the captures, under their own prefix.
    if (monitored.length > 0 && this.dataCapture) {
      const store = {
        bucket: this.dataCapture.bucket,
        capturePrefix: this.dataCapture.prefix,
        reportsPrefix: MONITORING_REPORTS_PREFIX,
      };
      this.monitoringRole = this.createMonitoringRole(store, props.modelArtifactBuckets);
      this.grantMonitoring(monitored, this.monitoringRole, store);
      this.answerMonitoring(monitoredTargets, store, props.registryAccount);
    }
    // Read and removed for every target this reconciler manages, monitored or not, so a target whose
    // monitoring was removed from the configuration (the stack's last one too) keeps no schedule.
    this.grantMonitoringCleanup(targets.map((t) => t.target));
    props.approvalEvents.onModelPackageStateChange(this.handler, this.handler.deadLetters.queue);
    props.approvalEvents.onEndpointStateChange(this.handler, this.handler.deadLetters.queue);
    props.approvalEvents.onModelCardStateChange(this.handler, this.handler.deadLetters.queue);
    props.approvalEvents.onStackDeployed(this.handler, this.handler.deadLetters.queue);
  }

  /**
   * The gate's verdicts, read only, and what checking a pin takes (artifact-pins.ts): HeadObject
   * (s3:GetObject) on the model artifacts, ListBucket for an S3Prefix model data source, and
   * ecr:BatchGetImage to resolve an image's tag to its digest. The
   * reconciler reads an object's body only to hash an unversioned object rewritten since its pin (the
   * same ETag and size), and never an older version, so no GetObjectVersion.
   */
  private bindVerdictStore(
    store: NonNullable<EndpointReconcilerProps['verdictStore']>,
    buckets: readonly string[],
  ): void {
    const stack = Stack.of(this);
    this.handler.addEnvironment('VERDICT_S3_URI', store.bucket.s3UrlForObject(store.prefix));
    this.handler.allowImageDigests();
    store.bucket.grantRead(this.handler, `${store.prefix}/*`);
    // This stack's audit bucket, or the registry account's (imported by its name, in a deployment
    // account: its bucket policy and key policy let this role read the verdicts).
    const own = store.bucket.node.defaultChild as CfnElement | undefined;
    const bucketArn = own
      ? `<${stack.resolve(stack.getLogicalId(own)) as string}.Arn>`
      : `arn:<AWS::Partition>:s3:::${store.bucket.bucketName}`;
    acknowledge(this.handler, {
      id: `AwsSolutions-IAM5[Resource::${bucketArn}/${store.prefix}/*]`,
      reason:
        "Reads the quality gate's verdicts, one object per version under this prefix (written by the policy handler only).",
    });
    for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*']) {
      acknowledge(this.handler, {
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason:
          "CDK's grantRead on the audit bucket's verdict prefix: reading the gate's verdict objects, with the stack's one key.",
      });
    }
    if (buckets.length === 0) return;
    this.handler.allow(
      ['s3:GetObject'],
      buckets.map((b) => `arn:${stack.partition}:s3:::${b}/*`),
    );
    this.handler.allow(
      ['s3:ListBucket'],
      buckets.map((b) => `arn:${stack.partition}:s3:::${b}`),
    );
    for (const b of buckets) {
      acknowledge(this.handler, {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${b}/*]`,
        reason: `HeadObject on the model artifacts in ${b} (keyed by training job), to compare them with the gate's pins; read-only.`,
      });
    }
  }

  private createExecutionRole(buckets: readonly string[], keyArns: readonly string[]): iam.Role {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'ModelExecutionRole', {
      // Only SageMaker acting for this account's resources in this region may assume it
      // (confused-deputy protection).
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:sagemaker:${stack.region}:${stack.account}:*` },
        },
      }),
      description:
        'model-governance: the role deployed models run with (pull the image, read the model artifacts)',
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    // Image pulls: repositories in this region only. The account stays a wildcard:
    // SageMaker's built-in algorithm images live in AWS-owned accounts that differ by region.
    const repositories = `arn:${stack.partition}:ecr:${stack.region}:*:repository/*`;
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        resources: [repositories],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'logs:CreateLogGroup',
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'logs:DescribeLogStreams',
        ],
        resources: [
          Stack.of(this).formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '/aws/sagemaker/Endpoints/*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'cloudwatch:namespace': ['/aws/sagemaker/Endpoints', 'AWS/SageMaker'] },
        },
      }),
    );
    if (buckets.length > 0) {
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['s3:GetObject'],
          resources: buckets.map((b) => `arn:${Stack.of(this).partition}:s3:::${b}/*`),
        }),
      );
    }
    if (keyArns.length > 0) {
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [...keyArns],
          conditions: { StringLike: { 'kms:ViaService': `s3.*.${Stack.of(this).urlSuffix}` } },
        }),
      );
    }
    acknowledge(role, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken, cloudwatch:PutMetricData and the ec2:Describe calls of VPC placement have no resource-level permissions (PutMetricData is conditioned on the SageMaker namespaces).',
    });
    acknowledge(role, {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:${Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region}:*:repository/*]`,
      reason:
        'Image pulls only, in this region: model images may live in AWS-owned ECR repositories (the built-in algorithms) whose accounts differ by region and cannot be listed in advance.',
    });
    acknowledge(role, {
      id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'logs', 'log-group:/aws/sagemaker/Endpoints/*')}]`,
      reason: 'SageMaker names each endpoint log group after the endpoint, under this prefix.',
    });
    for (const b of buckets) {
      acknowledge(role, {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${b}/*]`,
        reason: `Model artifacts in ${b} are keyed by training job; read-only access to the configured bucket.`,
      });
    }
    return role;
  }

  /**
   * VPC placement: SageMaker creates the endpoint's network interfaces in the configured subnets
   * with the execution role (SageMaker developer guide, "Give SageMaker AI Hosted Endpoints Access
   * to Resources in Your Amazon VPC": the role needs ec2:CreateNetworkInterface,
   * CreateNetworkInterfacePermission, DeleteNetworkInterface, DeleteNetworkInterfacePermission and
   * the Describe calls). Interfaces are created and acted on only in the configured subnets with the
   * configured security groups (ec2:Subnet on the interface; the subnet and group ARNs themselves).
   */
  private grantNetworkPlacement(targets: readonly DeploymentTarget[]): void {
    const placed = targets.flatMap((t) => (t.vpc ? [t.vpc] : []));
    if (placed.length === 0) return;
    const unique = (ids: string[]) => [...new Set(ids)].sort();
    const subnets = unique(placed.flatMap((v) => [...v.subnetIds])).map((id) =>
      compactArn(this, 'ec2', `subnet/${id}`),
    );
    const groups = unique(placed.flatMap((v) => [...v.securityGroupIds])).map((id) =>
      compactArn(this, 'ec2', `security-group/${id}`),
    );
    const interfaces = compactArn(this, 'ec2', 'network-interface/*');
    const role = this.executionRole;
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeVpcs',
          'ec2:DescribeDhcpOptions',
          'ec2:DescribeSubnets',
          'ec2:DescribeSecurityGroups',
        ],
        resources: ['*'],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ec2:CreateNetworkInterface'],
        resources: [...subnets, ...groups],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:CreateNetworkInterfacePermission',
          'ec2:DeleteNetworkInterface',
          'ec2:DeleteNetworkInterfacePermission',
        ],
        resources: [interfaces],
        conditions: { ArnEquals: { 'ec2:Subnet': subnets } },
      }),
    );
    acknowledge(role, {
      id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'ec2', 'network-interface/*')}]`,
      reason:
        'SageMaker creates the endpoint network interfaces, whose ids are not known in advance; the statement is conditioned on ec2:Subnet, the configured subnets only.',
    });
  }

  /**
   * Customer keys: SageMaker encrypts the instances' volumes (volumeKmsKeyArn) and captured data
   * (dataCaptureKmsKeyArn) with the execution role's grants. Only through SageMaker
   * (kms:ViaService), and grants only for AWS resources.
   */
  private grantEndpointKeys(targets: readonly DeploymentTarget[]): void {
    const keys = [
      ...new Set(
        targets.flatMap((t) => [t.volumeKmsKeyArn, t.dataCaptureKmsKeyArn].filter((k): k is string => !!k)),
      ),
    ].sort();
    if (keys.length === 0) return;
    const viaSageMaker = {
      'kms:ViaService': `sagemaker.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`,
    };
    this.executionRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:CreateGrant'],
        resources: keys,
        conditions: { StringEquals: viaSageMaker, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    );
    this.executionRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: keys,
        conditions: { StringEquals: viaSageMaker },
      }),
    );
  }

  /**
   * Application Auto Scaling of the autoscaled targets' variants. Registering a SageMaker variant
   * checks that the caller may describe the endpoint and its config (granted above) and change
   * its capacity (sagemaker:UpdateEndpointWeightsAndCapacities), and target tracking creates CloudWatch alarms
   * named TargetTracking-endpoint/<endpoint>/variant/<variant>-…; those are granted on the
   * autoscaled endpoints only. The application-autoscaling actions themselves take resource '*':
   * a scalable target's ARN is assigned when it is registered (RegisterScalableTarget returns it),
   * so it cannot be named in advance; they are conditioned on the SageMaker namespace and the
   * variant's instance-count dimension. The service-linked role Application Auto Scaling uses for
   * SageMaker is created on first registration: only that role, by its service name.
   */
  private grantAutoscaling(targets: readonly DeploymentTarget[]): void {
    const scaled = targets.filter((t) => t.autoscaling);
    if (scaled.length === 0) return;
    const fn = this.handler;
    const stack = Stack.of(this);
    fn.allow(
      [
        'application-autoscaling:RegisterScalableTarget',
        'application-autoscaling:DeregisterScalableTarget',
        'application-autoscaling:PutScalingPolicy',
        'application-autoscaling:DeleteScalingPolicy',
      ],
      ['*'],
      {
        StringEquals: {
          'application-autoscaling:service-namespace': 'sagemaker',
          'application-autoscaling:scalable-dimension': 'sagemaker:variant:DesiredInstanceCount',
        },
      },
    );
    fn.allow(
      ['application-autoscaling:DescribeScalableTargets', 'application-autoscaling:DescribeScalingPolicies'],
      ['*'],
    );
    fn.allow(
      ['sagemaker:UpdateEndpointWeightsAndCapacities'],
      scaled.map((t) => compactArn(this, 'sagemaker', `endpoint/${t.endpointName.toLowerCase()}`)),
    );
    const alarms = scaled.map((t) =>
      compactArn(
        this,
        'cloudwatch',
        `alarm:TargetTracking-endpoint/${t.endpointName}/variant/${VARIANT_NAME}-*`,
      ),
    );
    fn.allow(['cloudwatch:PutMetricAlarm', 'cloudwatch:DescribeAlarms', 'cloudwatch:DeleteAlarms'], alarms);
    fn.allow(
      ['iam:CreateServiceLinkedRole'],
      [
        `arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint`,
      ],
      { StringEquals: { 'iam:AWSServiceName': 'sagemaker.application-autoscaling.amazonaws.com' } },
    );
    for (const t of scaled) {
      acknowledge(fn, {
        id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'cloudwatch', `alarm:TargetTracking-endpoint/${t.endpointName}/variant/${VARIANT_NAME}-*`)}]`,
        reason: `Application Auto Scaling names the target-tracking alarms of ${t.endpointName} with a generated suffix; the wildcard covers that endpoint's variant only.`,
      });
    }
  }

  /**
   * The role SageMaker runs monitoring jobs with (the job definitions' RoleArn): it reads the captured
   * requests and writes reports under their prefixes, and reads the baselines, which pipelines
   * register next to the model artifacts (`modelArtifactBuckets`). Nothing else.
   */
  private createMonitoringRole(store: MonitoringStore, baselineBuckets: readonly string[]): iam.Role {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'MonitoringRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:sagemaker:${stack.region}:${stack.account}:*` },
        },
      }),
      description: 'model-governance: SageMaker runs the monitoring jobs of the live versions with it',
    });
    store.bucket.grantRead(role, `${store.capturePrefix}/*`);
    store.bucket.grantReadWrite(role, `${store.reportsPrefix}/*`);
    if (baselineBuckets.length > 0)
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['s3:GetObject'],
          resources: baselineBuckets.map((b) => `arn:${stack.partition}:s3:::${b}/*`),
        }),
      );
    // The provisioned bucket is named by its logical id in nag findings, a named one by its name.
    const bucketChild = store.bucket.node.defaultChild as CfnElement | undefined;
    const bucketArn = bucketChild
      ? `<${stack.resolve(stack.getLogicalId(bucketChild)) as string}.Arn>`
      : `arn:<AWS::Partition>:s3:::${store.bucket.bucketName}`;
    for (const prefix of [store.capturePrefix, store.reportsPrefix]) {
      acknowledge(role, {
        id: `AwsSolutions-IAM5[Resource::${bucketArn}/${prefix}/*]`,
        reason: `Monitoring jobs read captured requests and write reports, one object per request batch or execution, under ${prefix}/ only.`,
      });
    }
    for (const b of baselineBuckets) {
      acknowledge(role, {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${b}/*]`,
        reason: `Reads the baselines (constraints and statistics) registered with the versions in ${b}; read-only.`,
      });
    }
    for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*']) {
      acknowledge(role, {
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason:
          "CDK's grantRead/grantReadWrite on the capture and report prefixes, with the stack's one key.",
      });
    }
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      acknowledge(role, {
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: "CDK's grant on the bucket's key: monitoring jobs encrypt the reports they write with it.",
      });
    }
    return role;
  }

  /**
   * What the reconciler needs to keep each monitored target's schedules on its live version: the
   * job definitions and schedules named after the endpoint (domain/monitoring-plan.ts), the monitoring
   * role passed to SageMaker only, and where captures and reports go.
   */
  private grantMonitoring(
    targets: readonly DeploymentTarget[],
    role: iam.Role,
    store: MonitoringStore,
  ): void {
    const fn = this.handler;
    const made = monitoringNames(this, targets);
    fn.allow(
      ['sagemaker:CreateDataQualityJobDefinition', 'sagemaker:CreateModelQualityJobDefinition'],
      made.definitions,
    );
    fn.allow(['sagemaker:CreateMonitoringSchedule', 'sagemaker:UpdateMonitoringSchedule'], made.schedules);
    // A violation hold and its clear are read back by the target's name (adapters/monitoring.ts).
    if (targets.some((t) => t.monitoring?.onViolation === 'hold')) fn.allow(['sagemaker:ListActions'], ['*']);
    fn.allow(['sagemaker:ListMonitoringExecutions'], ['*']);
    fn.allow(['iam:PassRole'], [role.roleArn], {
      StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' },
    });
    fn.addEnvironment('MONITORING_ROLE_ARN', role.roleArn);
    fn.addEnvironment('MONITORING_REPORTS_S3_URI', store.bucket.s3UrlForObject(store.reportsPrefix));
  }

  /**
   * Every managed target's schedules and job definitions (named after its endpoint,
   * domain/monitoring-plan.ts) may be listed, read and removed, whether it is monitored or not: a
   * configuration that drops monitoring, even the stack's last monitored target, leaves none behind.
   */
  private grantMonitoringCleanup(managed: readonly DeploymentTarget[]): void {
    if (managed.length === 0) return;
    const fn = this.handler;
    const kept = monitoringNames(this, managed);
    fn.allow(
      [
        'sagemaker:DeleteDataQualityJobDefinition',
        'sagemaker:DeleteModelQualityJobDefinition',
        'sagemaker:DescribeDataQualityJobDefinition',
        'sagemaker:DescribeModelQualityJobDefinition',
      ],
      kept.definitions,
    );
    fn.allow(['sagemaker:DeleteMonitoringSchedule', 'sagemaker:DescribeMonitoringSchedule'], kept.schedules);
    fn.allow(
      [
        'sagemaker:ListMonitoringSchedules',
        'sagemaker:ListDataQualityJobDefinitions',
        'sagemaker:ListModelQualityJobDefinitions',
      ],
      ['*'],
    );
    for (const p of managed.map((t) => resourcePrefix(t.endpointName).toLowerCase())) {
      for (const [resource, name] of [
        ['data-quality-job-definition', `${p}-dq-v*`],
        ['model-quality-job-definition', `${p}-mq-v*`],
      ] as const) {
        acknowledge(fn, {
          id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'sagemaker', `${resource}/${name}`)}]`,
          reason: `Job definitions cannot be updated: the reconciler makes one per version and baseline of ${p} (${name}), and only those.`,
        });
      }
    }
  }

  /**
   * Monitoring executions come back to governance: their processing jobs' state changes (for the
   * monitored targets' schedules) trigger the reconciler, which reads what they found (the job, its
   * report), records it in lineage on the version, and rejects the version where onViolation says
   * rollback (UpdateModelPackage on those groups' versions only).
   */
  private answerMonitoring(
    monitored: readonly { group: ModelPackageGroupConfig; target: DeploymentTarget }[],
    store: MonitoringStore,
    registryAccount: string | undefined,
  ): void {
    const fn = this.handler;
    const stack = Stack.of(this);
    const arn = (resource: string, name: string) => compactArn(this, 'sagemaker', `${resource}/${name}`);
    const schedules = monitored.flatMap(({ target }) => [
      `${resourcePrefix(target.endpointName)}-data-quality`,
      `${resourcePrefix(target.endpointName)}-model-quality`,
    ]);
    new events.Rule(this, 'MonitoringExecutions', {
      description: "model-governance: monitoring executions of the managed endpoints' schedules",
      eventPattern: {
        source: [SAGEMAKER_EVENT_SOURCE],
        detailType: [PROCESSING_JOB_STATE_CHANGE],
        detail: {
          ProcessingJobStatus: ['Completed'],
          Environment: { sagemaker_monitoring_schedule_name: schedules },
        },
      },
      targets: [
        new eventTargets.LambdaFunction(fn, { deadLetterQueue: fn.deadLetters.queue, ...TARGET_RETRY }),
      ],
    });
    fn.allow(['sagemaker:DescribeProcessingJob'], [arn('processing-job', '*')]);
    store.bucket.grantRead(fn, `${store.reportsPrefix}/*`);
    fn.allow(
      [
        'sagemaker:CreateArtifact',
        'sagemaker:CreateAction',
        'sagemaker:DescribeAction',
        'sagemaker:AddAssociation',
      ],
      [arn('artifact', '*'), arn('action', '*')],
    );
    const rollback = [
      ...new Set(
        monitored.filter((m) => m.target.monitoring?.onViolation === 'rollback').map((m) => m.group.name),
      ),
    ];
    if (rollback.length > 0)
      fn.allowOnVersionsOf(['sagemaker:UpdateModelPackage'], rollback, registryAccount);
    acknowledge(fn, {
      id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'sagemaker', 'processing-job/*')}]`,
      reason:
        'SageMaker names the processing job of each monitoring execution; the reconciler only describes those its monitoring schedules ran (the event names them).',
    });
    for (const r of ['artifact', 'action']) {
      acknowledge(fn, {
        id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'sagemaker', `${r}/*`)}]`,
        reason: `Lineage ${r}s are named by SageMaker (artifacts get random ids) or per monitoring execution; the reconciler creates and links them, never deletes.`,
      });
    }
    const bucketChild = store.bucket.node.defaultChild as CfnElement | undefined;
    const bucketArn = bucketChild
      ? `<${stack.resolve(stack.getLogicalId(bucketChild)) as string}.Arn>`
      : `arn:<AWS::Partition>:s3:::${store.bucket.bucketName}`;
    acknowledge(fn, {
      id: `AwsSolutions-IAM5[Resource::${bucketArn}/${store.reportsPrefix}/*]`,
      reason:
        "Reads the monitoring executions' reports (constraint_violations.json), under the reports prefix only.",
    });
    for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*']) {
      acknowledge(fn, {
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: "CDK's grantRead on the reports prefix: reading the monitoring reports.",
      });
    }
  }

  /**
   * The role SageMaker assumes to run a shadow test: CreateInferenceExperiment's RoleArn is "the IAM
   * role that Amazon SageMaker can assume to access model artifacts and container images, and manage
   * Amazon SageMaker Inference endpoints for model deployment" (API reference). The models already
   * exist and pull with their own execution role; this role manages the shadow targets' endpoints:
   * it updates them to the configs the experiment makes (SageMaker names them, hence
   * endpoint-config/*) and reads the models named after them. Nothing else.
   */
  private createShadowTestRole(targets: readonly DeploymentTarget[]): iam.Role {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'ShadowTestRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:sagemaker:${stack.region}:${stack.account}:*` },
        },
      }),
      description:
        'model-governance: SageMaker runs shadow tests (inference experiments) of new versions with it',
    });
    const arn = (resource: string, name: string) => compactArn(this, 'sagemaker', `${resource}/${name}`);
    const endpoints = targets.map((t) => arn('endpoint', t.endpointName.toLowerCase()));
    const configs = arn('endpoint-config', '*');
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpoint'],
        resources: [...endpoints, configs],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sagemaker:CreateEndpointConfig', 'sagemaker:DescribeEndpointConfig'],
        resources: [configs],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sagemaker:DescribeModel'],
        resources: targets.map((t) => arn('model', `${resourcePrefix(t.endpointName).toLowerCase()}-v*`)),
      }),
    );
    acknowledge(role, {
      id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'sagemaker', 'endpoint-config/*')}]`,
      reason:
        "SageMaker names the endpoint configs an inference experiment runs on (the experiment reports the name only afterwards); the role may update only the shadow targets' endpoints to them.",
    });
    for (const t of targets) {
      acknowledge(role, {
        id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'sagemaker', `model/${resourcePrefix(t.endpointName).toLowerCase()}-v*`)}]`,
        reason: `Reads the models the reconciler names per version after ${t.endpointName}.`,
      });
    }
    return role;
  }

  /**
   * What the reconciler needs for shadow tests: the experiments named after each shadow
   * target (domain/shadow-plan.ts), created on that endpoint with its models; the config an
   * experiment leaves the endpoint on (named by SageMaker); CloudWatch's figures; the result in
   * lineage; and the experiment role, passed to SageMaker only.
   */
  private grantShadowTests(targets: readonly DeploymentTarget[], role: iam.Role): void {
    const fn = this.handler;
    const arn = (resource: string, name: string) => compactArn(this, 'sagemaker', `${resource}/${name}`);
    const prefixes = targets.map((t) => `${resourcePrefix(t.endpointName).toLowerCase()}-v*`);
    const experiments = prefixes.map((p) => arn('inference-experiment', p));
    fn.allow(
      ['sagemaker:CreateInferenceExperiment'],
      [
        ...experiments,
        ...targets.map((t) => arn('endpoint', t.endpointName.toLowerCase())),
        ...prefixes.map((p) => arn('model', p)),
      ],
    );
    fn.allow(
      [
        'sagemaker:DescribeInferenceExperiment',
        'sagemaker:StopInferenceExperiment',
        'sagemaker:AddTags',
        'sagemaker:ListTags',
      ],
      experiments,
    );
    fn.allow(['sagemaker:DescribeEndpointConfig'], [arn('endpoint-config', '*')]);
    fn.allow(
      [
        'sagemaker:CreateArtifact',
        'sagemaker:CreateAction',
        'sagemaker:DescribeAction',
        'sagemaker:AddAssociation',
      ],
      [arn('artifact', '*'), arn('action', '*')],
    );
    fn.allow(
      ['sagemaker:ListInferenceExperiments', 'sagemaker:ListArtifacts', 'cloudwatch:GetMetricData'],
      ['*'],
    );
    fn.allow(['iam:PassRole'], [role.roleArn], {
      StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' },
    });
    fn.addEnvironment('SHADOW_TEST_ROLE_ARN', role.roleArn);
    for (const p of prefixes) {
      acknowledge(fn, {
        id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'sagemaker', `inference-experiment/${p}`)}]`,
        reason: `The reconciler names a shadow test per version after its endpoint (${p}); the wildcard covers that endpoint's tests only.`,
      });
    }
    acknowledge(fn, {
      id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'sagemaker', 'endpoint-config/*')}]`,
      reason:
        'Read only: SageMaker names the endpoint configs a shadow test runs on, and the reconciler reads the live variant from whichever config the endpoint is on.',
    });
    for (const r of ['artifact', 'action']) {
      acknowledge(fn, {
        id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'sagemaker', `${r}/*`)}]`,
        reason: `Lineage ${r}s are named by SageMaker (artifacts get random ids) or per shadow test; the reconciler creates and links them, never deletes.`,
      });
    }
  }

  /**
   * SageMaker sends no event when an inference experiment ends (EventBridge's list of SageMaker
   * events has none for inference experiments), so the reconciler looks every five minutes: a test
   * is judged within five minutes of its scheduled end. Only update-bound shadow targets do work,
   * targets whose violation hold a person cleared (onViolation: hold), and card-gated targets whose
   * review reached the record late: nothing else wakes them.
   */
  private scheduleShadowCheck(): events.Rule {
    const rule = new events.Rule(this, 'ShadowCheck', {
      description:
        'model-governance: notices the end of shadow tests and cleared violation holds (no event is sent for either)',
      schedule: events.Schedule.rate(Duration.minutes(5)),
    });
    rule.addTarget(
      new eventTargets.LambdaFunction(this.handler, {
        deadLetterQueue: this.handler.deadLetters.queue,
        ...TARGET_RETRY,
      }),
    );
    return rule;
  }

  private createRollbackAlarms(target: DeploymentTarget, topic: sns.ITopic): void {
    const names = rollbackAlarmNames(target.endpointName);
    const dimensionsMap = { EndpointName: target.endpointName, VariantName: VARIANT_NAME };
    const errors = new cloudwatch.Alarm(this, `Errors-${target.endpointName}`, {
      alarmName: names.errors,
      alarmDescription: `Rolls a deployment of ${target.endpointName} back when it returns ${target.rollbackAlarms.max5xxErrorsPerMinute} or more 5XX errors in a minute.`,
      metric: new cloudwatch.Metric({
        namespace: 'AWS/SageMaker',
        metricName: 'Invocation5XXErrors',
        dimensionsMap,
        statistic: 'Sum',
        period: Duration.minutes(1),
      }),
      threshold: target.rollbackAlarms.max5xxErrorsPerMinute,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const latency = new cloudwatch.Alarm(this, `Latency-${target.endpointName}`, {
      alarmName: names.latency,
      alarmDescription: `Rolls a deployment of ${target.endpointName} back when its p99 model latency reaches ${target.rollbackAlarms.maxModelLatencyMs} ms.`,
      // ModelLatency is reported in microseconds.
      metric: new cloudwatch.Metric({
        namespace: 'AWS/SageMaker',
        metricName: 'ModelLatency',
        dimensionsMap,
        statistic: 'p99',
        period: Duration.minutes(1),
      }),
      threshold: target.rollbackAlarms.maxModelLatencyMs * 1000,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [errors, latency]) {
      alarm.addAlarmAction(new actions.SnsAction(topic));
      this.alarms.push(alarm);
    }
  }

  private grantReconcile(
    targets: readonly DeploymentTarget[],
    groups: readonly ModelPackageGroupConfig[],
    registryAccount: string | undefined,
  ): void {
    if (targets.length === 0) return;
    const arn = (resource: string, name: string) => compactArn(this, 'sagemaker', `${resource}/${name}`);
    const endpoints = targets.map((t) => arn('endpoint', t.endpointName.toLowerCase()));
    const prefixes = targets.map((t) => `${resourcePrefix(t.endpointName).toLowerCase()}-v*`);
    const configs = prefixes.map((p) => arn('endpoint-config', p));
    const models = prefixes.map((p) => arn('model', p));
    const fn = this.handler;
    fn.allow(['sagemaker:ListModelPackages', 'sagemaker:ListEndpointConfigs', 'sagemaker:ListModels'], ['*']);
    // ListTags and AddTags (below): each deployment request is recorded on the endpoint, so that a
    // rollback is recognised by the config the endpoint settles on (domain/endpoint-plan.ts).
    fn.allow(['sagemaker:DescribeEndpoint', 'sagemaker:DeleteEndpoint', 'sagemaker:ListTags'], endpoints);
    fn.allow(['sagemaker:CreateEndpoint', 'sagemaker:UpdateEndpoint'], [...endpoints, ...configs]);
    fn.allow(
      [
        'sagemaker:CreateEndpointConfig',
        'sagemaker:DescribeEndpointConfig',
        'sagemaker:DeleteEndpointConfig',
      ],
      configs,
    );
    fn.allow(['sagemaker:CreateModel', 'sagemaker:DescribeModel', 'sagemaker:DeleteModel'], models);
    fn.allow(['sagemaker:AddTags'], [...endpoints, ...configs, ...models]);
    fn.allowOnVersionsOf(
      ['sagemaker:CreateModel', 'sagemaker:DescribeModelPackage'],
      groups.map((g) => g.name),
      registryAccount,
    );
    const cardGated = groups.filter((g) => cardReviewRequired(g));
    if (cardGated.length > 0) {
      const cards = cardGated.map((g) => `${modelCardPrefix(g.name).toLowerCase()}-v*`);
      fn.allow(
        ['sagemaker:DescribeModelCard'],
        cards.map((c) => arn('model-card', c)),
      );
      for (const c of cards) {
        acknowledge(fn, {
          id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'sagemaker', `model-card/${c}`)}]`,
          reason:
            'The card gate reads the status of the cards of card-gated groups (<group>-v<version>) only.',
        });
      }
    }
    fn.allow(['iam:PassRole'], [this.executionRole.roleArn], {
      StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' },
    });
    // A failed run is kept as a lineage action for mgov to show (domain/lineage-plan.ts).
    const failures = 'action/reconcile-failed-*';
    fn.allow(
      ['sagemaker:CreateAction', 'sagemaker:DescribeAction'],
      [compactArn(this, 'sagemaker', failures)],
    );
    acknowledge(fn, {
      id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'sagemaker', failures)}]`,
      reason:
        'The reconciler records each failed run as a lineage action named reconcile-failed-<hash of the endpoint, event and error>, where mgov shows it; the wildcard covers those actions only.',
    });
    acknowledge(fn, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: [
        'ListModelPackages, ListEndpointConfigs and ListModels have no resource-level permissions in SageMaker; they only list.',
        ...(targets.some((t) => t.autoscaling)
          ? [
              'Application Auto Scaling assigns a scalable target its ARN when it is registered, so its actions are conditioned on the SageMaker namespace and variant instance-count dimension instead, and its Describe calls only read.',
            ]
          : []),
        ...(targets.some((t) => t.shadow)
          ? [
              'Shadow tests: ListInferenceExperiments, ListArtifacts and cloudwatch:GetMetricData have no resource-level permissions; they only list and read.',
            ]
          : []),
        'Monitoring: ListMonitoringSchedules and the List*JobDefinitions calls (to find and remove the schedules named after its endpoints, monitored or not) have no resource-level permissions; they only list.',
        ...(targets.some((t) => t.monitoring)
          ? [
              'ListMonitoringExecutions and ListActions (violation holds, read by the endpoint name) have no resource-level permissions either; they only list.',
            ]
          : []),
      ].join(' '),
    });
    for (const p of prefixes) {
      for (const resource of ['endpoint-config', 'model']) {
        acknowledge(fn, {
          id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'sagemaker', `${resource}/${p}`)}]`,
          reason: `The reconciler names a ${resource} per version, after its endpoint (${p}); the wildcard covers that endpoint's versions only.`,
        });
      }
    }
  }
}

/** The schedules and job definitions named after the targets' endpoints (domain/monitoring-plan.ts). */
function monitoringNames(
  scope: Construct,
  of: readonly DeploymentTarget[],
): { readonly definitions: string[]; readonly schedules: string[] } {
  const arn = (resource: string, name: string) => compactArn(scope, 'sagemaker', `${resource}/${name}`);
  const prefixes = of.map((t) => resourcePrefix(t.endpointName).toLowerCase());
  return {
    definitions: prefixes.flatMap((p) => [
      arn('data-quality-job-definition', `${p}-dq-v*`),
      arn('model-quality-job-definition', `${p}-mq-v*`),
    ]),
    schedules: prefixes.flatMap((p) => [
      arn('monitoring-schedule', `${p}-data-quality`),
      arn('monitoring-schedule', `${p}-model-quality`),
    ]),
  };
}
