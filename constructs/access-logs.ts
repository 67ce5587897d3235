import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { acknowledge } from './compliance';

/**
 * The server access log bucket of a bucket the app keeps records in. S3-managed encryption: S3
 * server access logging cannot deliver to a bucket whose default encryption is SSE-KMS (S3 user
 * guide, "Enabling Amazon S3 server access logging").
 */
export function accessLogsBucket(scope: Construct, id: string, logsOf: string): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{ expiration: Duration.days(400) }],
  });
  acknowledge(bucket, {
    id: 'AwsSolutions-S1',
    reason: `This is the access-log bucket of the ${logsOf}; logging it to itself would loop.`,
  });
  return bucket;
}
