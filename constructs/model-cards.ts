import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { GovernanceRecordStorage, ModelPackageGroupConfig } from '../core/config/types';
import { modelCardPrefix } from '../core/model-card-naming';
import { accessLogsBucket } from './access-logs';
import { compactArn } from './arn';
import { acknowledge, nagArn } from './compliance';
import { GovernedFunction } from './governed-function';
import type { SharedHandlerProps } from './handler-props';

export interface ModelCardsProps extends SharedHandlerProps {
  readonly groups: readonly ModelPackageGroupConfig[];
  /** Where the versions' metrics files (and model artifacts) live: the handler may read them. */
  readonly metricsBuckets: readonly string[];
  /** The audit bucket's name, when the deployment accounts must find it (core/record-naming.ts). */
  readonly auditBucketName?: string;
  /**
   * S3 Object Lock's default retention on the audit bucket (the governance record's write-once
   * storage); undefined: none.
   */
  readonly objectLock?: GovernanceRecordStorage['objectLock'];
}

/**
 * Model cards for every version of the governed groups, and the audit bucket their approved
 * versions are exported to as PDFs (KMS-encrypted, versioned, retained, access-logged).
 */
/** Where in the audit bucket the model-cards handler keeps the fingerprint of the content it generated. */
export const CARD_CONTENT_PREFIX = 'model-card-content';

export class ModelCards extends Construct {
  readonly handler: GovernedFunction;
  readonly auditBucket: s3.Bucket;
  private readonly metricsBuckets: readonly string[];

  constructor(scope: Construct, id: string, props: ModelCardsProps) {
    super(scope, id);
    this.metricsBuckets = props.metricsBuckets;
    const accessLogs = accessLogsBucket(this, 'AccessLogs', 'audit bucket');
    this.auditBucket = new s3.Bucket(this, 'AuditBucket', {
      ...(props.auditBucketName ? { bucketName: props.auditBucketName } : {}),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      // Write-once storage, when asked for. ObjectLockEnabled is no create-only property of
      // AWS::S3::Bucket (CloudFormation's resource schema), and S3 enables Object Lock on an existing
      // versioned bucket, so turning it on later updates this bucket in place.
      ...(props.objectLock
        ? {
            objectLockEnabled: true,
            objectLockDefaultRetention:
              props.objectLock.mode === 'COMPLIANCE'
                ? s3.ObjectLockRetention.compliance(Duration.days(props.objectLock.retentionDays))
                : s3.ObjectLockRetention.governance(Duration.days(props.objectLock.retentionDays)),
          }
        : {}),
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'audit-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.handler = new GovernedFunction(this, 'Handler', {
      handlerName: 'model-cards',
      description:
        'model-governance: a model card per version, in step with its approval, exported when approved',
      manifestPath: props.manifestPath,
      encryptionKey: props.encryptionKey,
      alarmTopic: props.topic,
      timeout: Duration.minutes(2),
      memorySize: 512,
      environment: {
        AUDIT_EXPORT_S3_URI: this.auditBucket.s3UrlForObject('model-cards'),
        CARD_CONTENT_S3_URI: this.auditBucket.s3UrlForObject(CARD_CONTENT_PREFIX),
      },
    });
    this.auditBucket.grantPut(this.handler, 'model-cards/*');
    // The fingerprint of the content it generated per card (card-review.ts): only this handler writes it.
    this.auditBucket.grantRead(this.handler, `${CARD_CONTENT_PREFIX}/*`);
    this.auditBucket.grantPut(this.handler, `${CARD_CONTENT_PREFIX}/*`);
    this.auditBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheModelCardsHandlerWritesCardContentRecords',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: [this.auditBucket.arnForObjects(`${CARD_CONTENT_PREFIX}/*`)],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': (this.handler.role as iam.IRole).roleArn } },
      }),
    );
    const stack = Stack.of(this);
    const cards = props.groups.map((g) => `${modelCardPrefix(g.name).toLowerCase()}-v*`);
    this.handler.allow(
      [
        'sagemaker:CreateModelCard',
        'sagemaker:UpdateModelCard',
        'sagemaker:DescribeModelCard',
        'sagemaker:CreateModelCardExportJob',
        'sagemaker:ListModelCardExportJobs',
        'sagemaker:DescribeModelCardExportJob',
      ],
      cards.flatMap((c) => [
        compactArn(this, 'sagemaker', `model-card/${c}`),
        compactArn(this, 'sagemaker', `model-card/${c}/export-job/*`),
      ]),
    );
    this.handler.allowOnVersionsOf(
      ['sagemaker:DescribeModelPackage'],
      props.groups.map((g) => g.name),
    );
    this.handler.allow(
      ['sagemaker:DescribeTrainingJob'],
      [stack.formatArn({ service: 'sagemaker', resource: 'training-job', resourceName: '*' })],
    );
    if (props.metricsBuckets.length > 0) {
      this.handler.allow(
        ['s3:GetObject'],
        props.metricsBuckets.map((b) => `arn:${stack.partition}:s3:::${b}/*`),
      );
    }
    props.approvalEvents.onModelPackageStateChange(this.handler, this.handler.deadLetters.queue);
    props.approvalEvents.onModelCardStateChange(this.handler, this.handler.deadLetters.queue);

    for (const c of cards) {
      for (const resource of [`model-card/${c}`, `model-card/${c}/export-job/*`]) {
        acknowledge(this.handler, {
          id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'sagemaker', resource)}]`,
          reason:
            'Cards are named per version (<group>-v<version>) and export jobs per card version; the wildcard covers one group.',
        });
      }
    }
    acknowledge(this.handler, {
      id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'sagemaker', 'training-job/*')}]`,
      reason:
        'The training job that produced a version is only known from the version itself; DescribeTrainingJob only reads.',
    });
    acknowledge(this.handler, {
      id: 'AwsSolutions-IAM5[Action::s3:Abort*]',
      reason:
        "CDK's grantPut includes s3:Abort* (aborting the handler's own multipart uploads), on model-cards/* of the audit bucket only.",
    });
    const bucketLogicalId = stack.resolve(
      stack.getLogicalId(this.auditBucket.node.defaultChild as s3.CfnBucket),
    );
    acknowledge(this.handler, {
      id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/model-cards/*]`,
      reason: 'Exports are written under model-cards/ in the audit bucket, one object per card version.',
    });
    acknowledge(this.handler, {
      id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${CARD_CONTENT_PREFIX}/*]`,
      reason:
        'The fingerprint of the content generated for each card, one object per card, under this prefix only.',
    });
    for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 'kms:GenerateDataKey*']) {
      acknowledge(this.handler, {
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason:
          "CDK's grantRead/grantPut on the audit bucket: reading and writing the handler's own card content records, with the stack's one key.",
      });
    }
    acknowledge(this.handler, {
      id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      reason:
        "CDK's grantPut on a KMS-encrypted bucket allows kms:ReEncrypt* on the stack's one key, which the bucket uses.",
    });
    for (const b of props.metricsBuckets) {
      acknowledge(this.handler, {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${b}/*]`,
        reason: `Metrics files in ${b} are keyed by pipeline execution; read-only.`,
      });
    }
  }

  /**
   * Cards of quality-gated groups show the metrics the gate evaluated (artifact-pins.ts): the
   * handler reads each version's verdict (read only) and its metrics files by their pinned
   * VersionId, or checks them against their pinned ETag.
   */
  readPinnedMetrics(verdictPrefix: string): void {
    const stack = Stack.of(this);
    this.handler.addEnvironment('VERDICT_S3_URI', this.auditBucket.s3UrlForObject(verdictPrefix));
    this.auditBucket.grantRead(this.handler, `${verdictPrefix}/*`);
    const bucketLogicalId = stack.resolve(
      stack.getLogicalId(this.auditBucket.node.defaultChild as s3.CfnBucket),
    );
    acknowledge(this.handler, {
      id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${verdictPrefix}/*]`,
      reason:
        "Reads the quality gate's verdicts (their metrics pins), one object per version under this prefix (written by the policy handler only).",
    });
    if (this.metricsBuckets.length > 0)
      this.handler.allow(
        ['s3:GetObjectVersion'],
        this.metricsBuckets.map((b) => `arn:${stack.partition}:s3:::${b}/*`),
      );
  }
}
