import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isNotFound } from './sagemaker';
import { parseS3Uri } from './verdicts';

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
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key(prefix, cardName) }));
    const parsed = JSON.parse((await out.Body?.transformToString()) ?? '{}') as Partial<CardContentRecord>;
    return parsed.cardName === cardName && parsed.sha256 ? (parsed as CardContentRecord) : undefined;
  } catch (error) {
    const e = error as { name?: string };
    if (e.name === 'NoSuchKey' || e.name === 'NotFound' || isNotFound(error)) return undefined;
    throw error;
  }
}

export async function writeCardContentRecord(
  s3: S3Client,
  uri: string,
  record: CardContentRecord,
): Promise<void> {
  const { bucket, prefix } = parseS3Uri(uri);
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key(prefix, record.cardName),
      Body: JSON.stringify(record),
      ContentType: 'application/json',
    }),
  );
}
