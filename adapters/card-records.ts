import type { S3Client } from '@aws-sdk/client-s3';
import { parseS3Uri, readJsonRecord, writeJsonRecord } from './s3-records';

/**
 * The fingerprint of the content the model-cards handler generated for each card, kept in the audit
 * bucket under a prefix only that handler may write (bucket policy): the card gate takes a card as
 * reviewed only when its content is this content, and only such a card is exported for auditors.
 */
export interface CardContentRecord {
  readonly cardName: string;
  readonly sha256: string;
  readonly recordedAt: string;
}

function key(prefix: string, cardName: string): string {
  return `${prefix.replace(/\/$/, '')}/${cardName}.json`;
}

export async function readCardContentRecord(
  s3: S3Client,
  uri: string,
  cardName: string,
): Promise<CardContentRecord | undefined> {
  const { bucket, prefix } = parseS3Uri(uri);
  return readJsonRecord<CardContentRecord>(
    s3,
    bucket,
    key(prefix, cardName),
    (parsed) => parsed.cardName === cardName && !!parsed.sha256,
  );
}

export async function writeCardContentRecord(
  s3: S3Client,
  uri: string,
  record: CardContentRecord,
): Promise<void> {
  const { bucket, prefix } = parseS3Uri(uri);
  await writeJsonRecord(s3, bucket, key(prefix, record.cardName), record);
}
