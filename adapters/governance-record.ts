import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  type EntryDraft,
  endpointRecordPrefix,
  nextEntry,
  RECORD_KINDS,
  type RecordEntry,
  seqOfKey,
  versionOfArn,
  versionPrefix,
} from '../domain/governance-record';
import { parseS3Uri } from './s3-records';

/**
 * The governance record in S3 (domain/governance-record.ts): one object per entry at
 * `<prefix>/<group>/<version>/<seq>.json`. Appends use `If-None-Match: *` (S3 conditional writes:
 * "Prevent object overwrites with conditional writes", S3 User Guide), so two runs that append at
 * once cannot replace each other's entry: the loser re-reads the record and appends after it.
 */
export interface StoredEntry {
  readonly seq: number;
  readonly key: string;
  /** Undefined when the object is not an entry (unparseable). */
  readonly entry: RecordEntry | undefined;
}

/** A chain of entries: a version's, or an endpoint's. */
interface Chain {
  readonly bucket: string;
  /** The chain's prefix, ending in `/`. */
  readonly prefix: string;
  /** What the chain is of, for errors. */
  readonly of: string;
}

function versionChain(uri: string, arn: string): Chain {
  const { bucket, prefix } = parseS3Uri(uri);
  const { group, version } = versionOfArn(arn);
  return { bucket, prefix: versionPrefix(prefix, group, version), of: arn };
}

function endpointChain(uri: string, account: string, endpointName: string): Chain {
  const { bucket, prefix } = parseS3Uri(uri);
  return {
    bucket,
    prefix: endpointRecordPrefix(prefix, account, endpointName),
    of: `endpoint ${endpointName} (account ${account})`,
  };
}

/** Every object under a version's prefix, in sequence order. */
export async function readStoredEntries(s3: S3Client, uri: string, arn: string): Promise<StoredEntry[]> {
  return readChain(s3, versionChain(uri, arn));
}

/** Every object of an endpoint's record (the deployments the reconciler asked of it), in order. */
export async function readStoredEndpointEntries(
  s3: S3Client,
  uri: string,
  account: string,
  endpointName: string,
): Promise<StoredEntry[]> {
  return readChain(s3, endpointChain(uri, account, endpointName));
}

export async function readEndpointEntries(
  s3: S3Client,
  uri: string,
  account: string,
  endpointName: string,
): Promise<RecordEntry[]> {
  return parsed(await readStoredEndpointEntries(s3, uri, account, endpointName));
}

/** Appends to an endpoint's record (see appendRecordEntry). */
export async function appendEndpointEntry(
  s3: S3Client,
  uri: string,
  account: string,
  endpointName: string,
  draft: (entries: readonly RecordEntry[]) => EntryDraft | undefined,
): Promise<{ readonly appended?: RecordEntry; readonly entries: readonly RecordEntry[] }> {
  return appendTo(s3, endpointChain(uri, account, endpointName), draft);
}

const parsed = (stored: readonly StoredEntry[]) => stored.flatMap((s) => (s.entry ? [s.entry] : []));

async function readChain(s3: S3Client, chain: Chain): Promise<StoredEntry[]> {
  const { bucket } = chain;
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: chain.prefix,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const stored = await Promise.all(
    keys.flatMap((key) => {
      const seq = seqOfKey(key);
      if (seq === undefined) return [];
      return [
        (async (): Promise<StoredEntry> => {
          const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          return { seq, key, entry: parseEntry(await out.Body?.transformToString()) };
        })(),
      ];
    }),
  );
  return stored.sort((a, b) => a.seq - b.seq);
}

/** The version's entries that parse, in order (what decisions fold; `mgov audit` verifies the rest). */
export async function readRecordEntries(s3: S3Client, uri: string, arn: string): Promise<RecordEntry[]> {
  return parsed(await readStoredEntries(s3, uri, arn));
}

/**
 * Appends the entry `draft(entries)` returns after the version's latest entry, or nothing when it
 * returns undefined (already recorded). A concurrent append takes the same key first (412): read
 * again and decide again on the longer record.
 */
export async function appendRecordEntry(
  s3: S3Client,
  uri: string,
  arn: string,
  draft: (entries: readonly RecordEntry[]) => EntryDraft | undefined,
): Promise<{ readonly appended?: RecordEntry; readonly entries: readonly RecordEntry[] }> {
  return appendTo(s3, versionChain(uri, arn), draft);
}

async function appendTo(
  s3: S3Client,
  chain: Chain,
  draft: (entries: readonly RecordEntry[]) => EntryDraft | undefined,
): Promise<{ readonly appended?: RecordEntry; readonly entries: readonly RecordEntry[] }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const entries = parsed(await readChain(s3, chain));
    const next = draft(entries);
    if (!next) return { entries };
    const entry = nextEntry(entries.at(-1), next);
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: chain.bucket,
          Key: `${chain.prefix}${String(entry.seq).padStart(8, '0')}.json`,
          Body: JSON.stringify(entry),
          ContentType: 'application/json',
          IfNoneMatch: '*',
        }),
      );
      return { appended: entry, entries: [...entries, entry] };
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
    }
  }
  throw new Error(`the governance record of ${chain.of} kept changing while appending; the event is retried`);
}

function isPreconditionFailed(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  // 409 ConditionalRequestConflict: a concurrent conditional write to the same key is in flight.
  return (
    e.name === 'PreconditionFailed' ||
    e.$metadata?.httpStatusCode === 412 ||
    e.$metadata?.httpStatusCode === 409
  );
}

function parseEntry(text: string | undefined): RecordEntry | undefined {
  try {
    const v = JSON.parse(text ?? '') as Partial<RecordEntry>;
    if (
      typeof v.seq === 'number' &&
      typeof v.hash === 'string' &&
      typeof v.at === 'string' &&
      (RECORD_KINDS as readonly string[]).includes(v.kind ?? '') &&
      v.data &&
      typeof v.data === 'object'
    )
      return v as RecordEntry;
  } catch {
    // not an entry
  }
  return undefined;
}
