import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { ModelPackageGroupConfig } from '../../core/config/types';
import { modelCardPrefix } from '../../core/model-card-naming';
import { compactArn } from '../arn';
import { acknowledge, nagArn } from '../compliance';
import { GovernedFunction } from './governed-function';
import type { SharedHandlerProps } from './handler-props';

export interface ModelCardsProps extends SharedHandlerProps {
  readonly groups: readonly ModelPackageGroupConfig[];
  /** Where the versions' metrics files (and model artifacts) live: the handler may read them. */
  readonly metricsBuckets: readonly string[];
}

/**
 * Model cards for every version of the governed groups, and the audit bucket their approved
 * versions are exported to as PDFs (KMS-encrypted, versioned, retained, access-logged).
 */
export class ModelCards extends Construct {
  readonly handler: GovernedFunction;
  readonly auditBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ModelCardsProps) {
    super(scope, id);
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED, // S3 server access logging cannot write to KMS-encrypted buckets
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(400) }],
    });
    acknowledge(accessLogs, {
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the audit bucket; logging it to itself would loop.',
    });
    this.auditBucket = new s3.Bucket(this, 'AuditBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
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
      environment: { AUDIT_EXPORT_S3_URI: this.auditBucket.s3UrlForObject('model-cards') },
    });
    this.auditBucket.grantPut(this.handler, 'model-cards/*');
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
}
