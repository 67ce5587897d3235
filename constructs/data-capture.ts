import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { DataCaptureStorage, DeploymentTarget } from '../core/config/types';
import { accessLogsBucket } from './access-logs';
import { acknowledge } from './compliance';

export interface DataCaptureProps {
  readonly storage: DataCaptureStorage;
  /** The targets that capture (dataCapturePercent above 0). */
  readonly targets: readonly DeploymentTarget[];
  /** The role the models run with: SageMaker writes captured requests as this role. */
  readonly executionRole: iam.Role;
}

/**
 * Where the endpoints' captured requests go, and the grant that lets SageMaker put them there.
 *
 * SageMaker writes captured data with the model's execution role (the ExecutionRoleArn of
 * CreateModel), as it does everything it does for the endpoint's containers; the role may put
 * objects under each capturing target's own prefix (`<prefix>/<endpointName>/`) and nowhere else.
 * The reconciler names the same place in DataCaptureConfig.DestinationS3Uri
 * (domain/endpoint-plan.ts), from `s3Uri`.
 *
 * Without `storage.bucket` the construct provisions the bucket: SSE-KMS with a key of its own,
 * versioned, public access blocked, TLS only, access-logged, expiring after `retentionDays`; and only
 * the execution role may write under the capture prefix.
 */
export class DataCapture extends Construct {
  readonly bucket: s3.IBucket;
  /** The key of the provisioned bucket (none when the configuration names its own bucket). */
  readonly key?: kms.Key;
  /** `s3://<bucket>/<prefix>`: the reconciler appends `/<endpointName>`. */
  readonly s3Uri: string;
  readonly prefix: string;

  constructor(scope: Construct, id: string, props: DataCaptureProps) {
    super(scope, id);
    const { storage, targets, executionRole } = props;
    this.prefix = storage.prefix;
    if (storage.bucket) {
      this.bucket = s3.Bucket.fromBucketName(this, 'Bucket', storage.bucket);
    } else {
      this.key = new kms.Key(this, 'Key', {
        description: "model-governance: the endpoints' captured requests",
        enableKeyRotation: true,
      });
      const bucket = new s3.Bucket(this, 'Bucket', {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: this.key,
        bucketKeyEnabled: true,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        versioned: true,
        serverAccessLogsBucket: accessLogsBucket(this, 'AccessLogs', 'data capture bucket'),
        serverAccessLogsPrefix: 'data-capture-bucket/',
        removalPolicy: RemovalPolicy.RETAIN,
        // Captured requests may hold personal data: retentionDays bounds how long they exist. A
        // version replaced or deleted earlier is kept one more day (versioning's undo), no longer.
        lifecycleRules:
          storage.retentionDays > 0
            ? [
                {
                  expiration: Duration.days(storage.retentionDays),
                  noncurrentVersionExpiration: Duration.days(1),
                },
              ]
            : [{ noncurrentVersionExpiration: Duration.days(1) }],
      });
      bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OnlyTheModelExecutionRoleWritesCapturedData',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:PutObject'],
          resources: [bucket.arnForObjects(`${storage.prefix}/*`)],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': executionRole.roleArn } },
        }),
      );
      this.bucket = bucket;
    }
    this.s3Uri = `s3://${this.bucket.bucketName}/${storage.prefix}`;
    this.grantCapture(executionRole, targets);
  }

  /**
   * PutObject under each target's prefix; with SSE-KMS (the bucket's key, or the target's
   * dataCaptureKmsKeyArn, which SageMaker passes to S3) the writer also needs kms:GenerateDataKey on
   * the key, through S3 only.
   */
  private grantCapture(role: iam.Role, targets: readonly DeploymentTarget[]): void {
    const stack = Stack.of(this);
    const prefixes = targets.map((t) => `${this.prefix}/${t.endpointName}/*`);
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PutCapturedData',
        actions: ['s3:PutObject'],
        resources: prefixes.map((p) => this.bucket.arnForObjects(p)),
      }),
    );
    const keys = [
      ...(this.key ? [this.key.keyArn] : []),
      ...[
        ...new Set(targets.flatMap((t) => (t.dataCaptureKmsKeyArn ? [t.dataCaptureKmsKeyArn] : []))),
      ].sort(),
    ];
    if (keys.length > 0) {
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'EncryptCapturedData',
          actions: ['kms:GenerateDataKey'],
          resources: keys,
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.${stack.urlSuffix}` } },
        }),
      );
    }
    const bucketArn = this.key
      ? `<${stack.resolve(stack.getLogicalId((this.bucket as s3.Bucket).node.defaultChild as s3.CfnBucket))}.Arn>`
      : `arn:<AWS::Partition>:s3:::${this.bucket.bucketName}`;
    for (const p of prefixes) {
      acknowledge(role, {
        id: `AwsSolutions-IAM5[Resource::${bucketArn}/${p}]`,
        reason:
          'SageMaker names the captured data files by variant, date, hour and a unique id under the target prefix; the role may only put objects there, for its own endpoint.',
      });
    }
  }

  /** Read access to the captured data (for whatever analyses it: monitoring jobs, people). */
  grantRead(grantee: iam.IGrantable): void {
    this.bucket.grantRead(grantee, `${this.prefix}/*`);
  }
}
