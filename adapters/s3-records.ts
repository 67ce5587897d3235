import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isNotFound } from './sagemaker';

/**
 * The one reader and writer of the JSON records the handlers keep in the audit bucket (the quality
 * gate's verdicts, registrations, approval and stage records, generated card content): one object
 * per record, read back only when it is the record asked for.
 */

export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new Error(`"${uri}" is not an s3:// URI`);
  return { bucket: m[1] as string, prefix: m[2] ?? '' };
}

/**
 * The record at `key`, if there is one and `isRecord` accepts what it holds (the record of another
 * version or card, or a partial one, is none).
 */
export async function readJsonRecord<T>(
  s3: S3Client,
  bucket: string,
  key: string,
  isRecord: (parsed: Partial<T>) => boolean,
): Promise<T | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const parsed = JSON.parse((await out.Body?.transformToString()) ?? '{}') as Partial<T>;
    return isRecord(parsed) ? (parsed as T) : undefined;
  } catch (error) {
    const e = error as { name?: string };
    if (e.name === 'NoSuchKey' || e.name === 'NotFound' || isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Writes the record at `key`. `once`: only when no object is there yet (If-None-Match: *); S3 refuses
 * the write with 412 Precondition Failed otherwise.
 */
export async function writeJsonRecord(
  s3: S3Client,
  bucket: string,
  key: string,
  record: unknown,
  options: { readonly once?: boolean } = {},
): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: JSON.stringify(record),
      ContentType: 'application/json',
      ...(options.once ? { IfNoneMatch: '*' } : {}),
    }),
  );
}
