import { createHash } from 'node:crypto';
import { BatchGetImageCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import {
  type ArtifactLocation,
  type ArtifactState,
  externalState,
  hashWanted,
  type ImageState,
  imageDigestOf,
  type ListedObject,
  type ObjectState,
  parseImage,
  pinnedRead,
  prefixState,
} from '../domain/artifact-pins';
import { translateMetrics } from '../domain/metrics';
import type { Evaluation } from '../domain/model-card';
import type { MetricsLocation } from './model-card-inputs';

/** The clients an artifact's state is read with: S3 for data and code, ECR for images. */
export interface ArtifactClients {
  readonly s3: S3Client;
  readonly ecr: ECRClient;
}

/**
 * How the states are read. `pin` (the gate, deciding): an object in an unversioned bucket is hashed
 * (SHA-256, up to HASH_LIMIT_BYTES). `pinned` (the reconciler, checking): such an object is hashed
 * only when it was rewritten since its pin with the same ETag and size (domain needsHash).
 */
export interface StateReading {
  readonly pin?: boolean;
  readonly pinned?: readonly ArtifactState[];
  /** Bytes one call may hash. @default HASH_BUDGET_BYTES */
  readonly hashBudgetBytes?: number;
}

/** What one reading hashes at most: 1 GiB, well inside the handlers' timeouts. */
export const HASH_BUDGET_BYTES = 1024 * 1024 * 1024;

/**
 * The state of a version's artifacts now: HeadObject for an object, a full listing for a prefix, the
 * digest a tag names for an image.
 */
export async function artifactStates(
  clients: ArtifactClients,
  locations: readonly ArtifactLocation[],
  reading: StateReading = {},
): Promise<Map<string, ArtifactState>> {
  const states = new Map<string, ArtifactState>();
  // Bytes hashed in this run: past the budget an object is left unhashed (a rewrite of it then
  // holds its version) rather than the run timing out on objects rewritten to make it hash.
  let budget = reading.hashBudgetBytes ?? HASH_BUDGET_BYTES;
  for (const location of locations) {
    let state = await artifactState(clients, location);
    const pinned = reading.pinned?.find((p) => p.uri === location.uri);
    if (state.kind === 'object' && hashWanted({ pin: reading.pin, pinned }, state, budget)) {
      budget -= state.size ?? 0;
      state = await withHash(clients.s3, state);
    }
    states.set(location.uri, state);
  }
  return states;
}

/**
 * The object's SHA-256, read from the bytes of exactly the state described (GetObject IfMatch its
 * ETag, and its state taken from that response); when it changed in between, or cannot be read, the
 * state is left without a hash (a rewrite is then not taken for the pinned bytes).
 */
async function withHash(s3: S3Client, state: ObjectState): Promise<ObjectState> {
  const { bucket, key } = splitUri(state.uri);
  try {
    const out = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, ...(state.etag ? { IfMatch: state.etag } : {}) }),
    );
    const hash = createHash('sha256');
    for await (const chunk of out.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
    return { ...objectState(state.uri, out), sha256: hash.digest('hex') };
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (
      isDenied(error) ||
      isMissing(error) ||
      e.name === 'PreconditionFailed' ||
      e.$metadata?.httpStatusCode === 412
    )
      return state;
    throw error;
  }
}

/**
 * One artifact's state. Access denied (its bucket not among modelArtifactBuckets) is recorded as
 * unreadable, never thrown: the version is then held with that reason instead of a handler failing.
 */
export async function artifactState(
  clients: ArtifactClients,
  location: ArtifactLocation,
): Promise<ArtifactState> {
  if (location.kind === 'image') return imageState(clients.ecr, location.uri);
  if (location.kind === 'external') return externalState(location.uri);
  try {
    return await readState(clients.s3, location);
  } catch (error) {
    if (!isDenied(error)) throw error;
    const e = error as Error;
    return { kind: 'object', uri: location.uri, unreadable: `${e.name}: ${e.message}` };
  }
}

/**
 * The digest an image reference names now. A reference by digest names itself (it cannot move, in
 * any registry). An ECR tag is resolved with BatchGetImage, the call an image pull makes (ECR API
 * reference; SageMaker's execution role needs it to pull, and SageMaker's own algorithm repositories
 * grant it to every account), whose `imageId.imageDigest` is the manifest's digest; a failure
 * `ImageNotFound`, or RepositoryNotFoundException, is a missing image. Any other registry cannot be
 * asked: unreadable, with what to do.
 */
export async function imageState(ecr: ECRClient, uri: string): Promise<ImageState> {
  const named = imageDigestOf(uri);
  if (named) return { kind: 'image', uri, digest: named };
  const ref = parseImage(uri);
  if (!ref?.tag)
    return {
      kind: 'image',
      uri,
      unreadable: 'not an Amazon ECR image, so its tag cannot be resolved; name it by digest (…@sha256:…)',
    };
  // Asked in the handler's region: the model execution role pulls only from this region's
  // repositories, so an image named in another region cannot be deployed at all (its pull fails).
  try {
    const out = await ecr.send(
      new BatchGetImageCommand({
        registryId: ref.registryId,
        repositoryName: ref.repository,
        imageIds: [{ imageTag: ref.tag }],
      }),
    );
    const digest = out.images?.find((i) => i.imageId?.imageDigest)?.imageId?.imageDigest;
    if (digest) return { kind: 'image', uri, digest };
    const failure = out.failures?.[0];
    if (
      !failure ||
      failure.failureCode === 'ImageNotFound' ||
      failure.failureCode === 'ImageTagDoesNotMatchDigest'
    )
      return { kind: 'image', uri, missing: true };
    return {
      kind: 'image',
      uri,
      unreadable: `${failure.failureCode}: ${failure.failureReason ?? ''}`.trim(),
    };
  } catch (error) {
    const e = error as Error;
    if (e.name === 'RepositoryNotFoundException') return { kind: 'image', uri, missing: true };
    if (isDenied(error) || e.name === 'AccessDeniedException')
      return { kind: 'image', uri, unreadable: `${e.name}: ${e.message}` };
    throw error;
  }
}

async function readState(s3: S3Client, location: ArtifactLocation): Promise<ArtifactState> {
  const { bucket, key } = splitUri(location.uri);
  if (location.kind === 'prefix') {
    const objects: ListedObject[] = [];
    let token: string | undefined;
    do {
      const out = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: key,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const o of out.Contents ?? [])
        if (o.Key)
          objects.push({
            key: o.Key,
            etag: o.ETag ?? '',
            size: o.Size ?? 0,
            ...(o.LastModified ? { lastModified: o.LastModified.toISOString() } : {}),
          });
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return prefixState(location.uri, objects);
  }
  try {
    const out = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return objectState(location.uri, out);
  } catch (error) {
    if (isMissing(error)) return { kind: 'object', uri: location.uri, missing: true };
    throw error;
  }
}

/** A metrics file as read: the JSON (or why not) and the state of exactly what was read. */
interface MetricsRead {
  readonly evaluations: Evaluation[];
  readonly unreadable: string[];
  readonly states: ObjectState[];
}

/**
 * Reads and translates every metrics file, recording the state (ETag, size, VersionId) of exactly
 * the bytes read, so the pin is what the gate evaluated. With `pinned`, each file is read as pinned:
 * by its pinned VersionId where there is one, else checked against its pinned ETag (fail closed:
 * a changed or unpinned file is unreadable).
 */
export async function readMetrics(
  s3: S3Client,
  locations: readonly MetricsLocation[],
  pinned?: readonly ObjectState[],
  maxBytes = 5 * 1024 * 1024,
): Promise<MetricsRead> {
  const evaluations: Evaluation[] = [];
  const unreadable: string[] = [];
  const states: ObjectState[] = [];
  for (const location of locations) {
    const fail = (reason: string) => unreadable.push(`${location.slot} ${location.s3Uri} (${reason})`);
    const pin = pinned?.find((p) => p.uri === location.s3Uri);
    if (pinned && (!pin || pin.missing)) {
      fail(pinnedRead(pin, {}) ?? 'not pinned');
      continue;
    }
    let text: string;
    try {
      const { bucket, key } = splitUri(location.s3Uri);
      const out = await s3.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ...(pin?.versionId ? { VersionId: pin.versionId } : {}),
        }),
      );
      const state = objectState(location.s3Uri, out);
      states.push(state);
      const changed = pinned ? pinnedRead(pin, state) : undefined;
      if (changed) {
        fail(changed);
        continue;
      }
      if ((out.ContentLength ?? 0) > maxBytes) {
        fail(`larger than ${maxBytes} bytes`);
        continue;
      }
      text = (await out.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      if (isMissing(error)) states.push({ kind: 'object', uri: location.s3Uri, missing: true });
      fail(`${(error as Error).name}: ${(error as Error).message}`);
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      fail('not valid JSON');
      continue;
    }
    const translated = translateMetrics(json);
    if (translated.ok)
      evaluations.push({ slot: location.slot, s3Uri: location.s3Uri, groups: translated.groups });
    else fail(translated.reason);
  }
  return { evaluations, unreadable, states };
}

function objectState(
  uri: string,
  out: { ETag?: string; ContentLength?: number; VersionId?: string; LastModified?: Date },
): ObjectState {
  return {
    kind: 'object',
    uri,
    ...(out.ETag ? { etag: out.ETag } : {}),
    ...(out.ContentLength !== undefined ? { size: out.ContentLength } : {}),
    ...(out.LastModified ? { lastModified: out.LastModified.toISOString() } : {}),
    // "null" is the version of an object written before versioning was enabled: no pin by it.
    ...(out.VersionId && out.VersionId !== 'null' ? { versionId: out.VersionId } : {}),
  };
}

function splitUri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new Error(`"${uri}" is not an s3:// URI`);
  return { bucket: m[1] as string, key: m[2] ?? '' };
}

function isDenied(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'AccessDenied' || e.name === 'Forbidden' || e.$metadata?.httpStatusCode === 403;
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e.name === 'NoSuchKey' ||
    e.name === 'NotFound' ||
    e.name === 'NoSuchVersion' ||
    e.$metadata?.httpStatusCode === 404
  );
}
