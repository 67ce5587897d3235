import type { S3Client } from '@aws-sdk/client-s3';
import { parseS3Uri, readJsonRecord, writeJsonRecord } from './s3-records';
import { verdictKey } from './verdicts';

/**
 * What the policy handler records of a version besides its gate verdict and registration, next to
 * them under the prefix only the policy handler may write (the audit bucket's bucket policy; the
 * bucket is versioned, so an overwritten record stays in its history): `<group>/<version>.<kind>.json`.
 */
export type RecordKind = 'approval' | 'stage';

export function recordKey(prefix: string, arn: string, kind: RecordKind): string {
  return verdictKey(prefix, arn).replace(/\.json$/, `.${kind}.json`);
}

/** The record, or undefined when there is none (or it is not this version's). */
export async function readRecord<T extends { readonly arn: string }>(
  s3: S3Client,
  uri: string,
  arn: string,
  kind: RecordKind,
): Promise<T | undefined> {
  const { bucket, prefix } = parseS3Uri(uri);
  return readJsonRecord<T>(s3, bucket, recordKey(prefix, arn, kind), (parsed) => parsed.arn === arn);
}

export async function writeRecord<T extends { readonly arn: string }>(
  s3: S3Client,
  uri: string,
  kind: RecordKind,
  record: T,
): Promise<void> {
  const { bucket, prefix } = parseS3Uri(uri);
  await writeJsonRecord(s3, bucket, recordKey(prefix, record.arn, kind), record);
}
