import type { S3Client } from '@aws-sdk/client-s3';
import type { RegistrationRecord } from '../domain/approval-check';
import type { GateVerdict } from '../domain/governance-policy';
import { parseS3Uri, readJsonRecord, writeJsonRecord } from './s3-records';

/**
 * The quality gate's verdicts, kept where only the policy handler may write: one
 * object per version under the audit bucket's `quality-gate-verdicts/` prefix, which the bucket
 * policy denies to every other principal. A version's metadata shows the outcome, but is never trusted.
 */
export function verdictKey(prefix: string, arn: string): string {
  const parts = /model-package\/([^/]+)\/(\d+)$/.exec(arn);
  if (!parts) throw new Error(`"${arn}" is not a versioned model package ARN`);
  return `${prefix.replace(/\/$/, '')}/${parts[1]}/${parts[2]}.json`;
}

export async function readVerdict(s3: S3Client, uri: string, arn: string): Promise<GateVerdict | undefined> {
  const { bucket, prefix } = parseS3Uri(uri);
  return readJsonRecord<GateVerdict>(
    s3,
    bucket,
    verdictKey(prefix, arn),
    (parsed) => parsed.arn === arn && !!parsed.outcome && !!parsed.decidedAt,
  );
}

export async function writeVerdict(s3: S3Client, uri: string, verdict: GateVerdict): Promise<void> {
  const { bucket, prefix } = parseS3Uri(uri);
  await writeJsonRecord(s3, bucket, verdictKey(prefix, verdict.arn), verdict);
}

/**
 * What the policy handler recorded of a version's registration (approval-check.ts), next to its
 * verdict under the same prefix, which only the policy handler may write.
 */
export function registrationKey(prefix: string, arn: string): string {
  return verdictKey(prefix, arn).replace(/\.json$/, '.registration.json');
}

export async function readRegistration(
  s3: S3Client,
  uri: string,
  arn: string,
): Promise<RegistrationRecord | undefined> {
  const { bucket, prefix } = parseS3Uri(uri);
  return readJsonRecord<RegistrationRecord>(
    s3,
    bucket,
    registrationKey(prefix, arn),
    (parsed) => parsed.arn === arn && !!parsed.recordedAt,
  );
}

/** Written once, when the policy handler first sees the version: never overwritten. */
export async function writeRegistration(
  s3: S3Client,
  uri: string,
  record: RegistrationRecord,
): Promise<void> {
  const { bucket, prefix } = parseS3Uri(uri);
  await writeJsonRecord(s3, bucket, registrationKey(prefix, record.arn), record, { once: true });
}
