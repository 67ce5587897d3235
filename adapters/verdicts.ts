import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { RegistrationRecord } from '../domain/approval-check';
import type { GateVerdict } from '../domain/governance-policy';
import { isNotFound } from './sagemaker';

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

export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new Error(`"${uri}" is not an s3:// URI`);
  return { bucket: m[1] as string, prefix: m[2] ?? '' };
}

export async function readVerdict(s3: S3Client, uri: string, arn: string): Promise<GateVerdict | undefined> {
  const { bucket, prefix } = parseS3Uri(uri);
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: verdictKey(prefix, arn) }));
    const parsed = JSON.parse((await out.Body?.transformToString()) ?? '{}') as Partial<GateVerdict>;
    return parsed.arn === arn && parsed.outcome && parsed.decidedAt ? (parsed as GateVerdict) : undefined;
  } catch (error) {
    const e = error as { name?: string };
    if (e.name === 'NoSuchKey' || e.name === 'NotFound' || isNotFound(error)) return undefined;
    throw error;
  }
}

export async function writeVerdict(s3: S3Client, uri: string, verdict: GateVerdict): Promise<void> {
  const { bucket, prefix } = parseS3Uri(uri);
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: verdictKey(prefix, verdict.arn),
      Body: JSON.stringify(verdict),
      ContentType: 'application/json',
    }),
  );
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
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: registrationKey(prefix, arn) }));
    const parsed = JSON.parse((await out.Body?.transformToString()) ?? '{}') as Partial<RegistrationRecord>;
    return parsed.arn === arn && parsed.recordedAt ? (parsed as RegistrationRecord) : undefined;
  } catch (error) {
    const e = error as { name?: string };
    if (e.name === 'NoSuchKey' || e.name === 'NotFound' || isNotFound(error)) return undefined;
    throw error;
  }
}

/** Written once, when the policy handler first sees the version: never overwritten. */
export async function writeRegistration(
  s3: S3Client,
  uri: string,
  record: RegistrationRecord,
): Promise<void> {
  const { bucket, prefix } = parseS3Uri(uri);
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: registrationKey(prefix, record.arn),
      Body: JSON.stringify(record),
      ContentType: 'application/json',
      IfNoneMatch: '*',
    }),
  );
}
