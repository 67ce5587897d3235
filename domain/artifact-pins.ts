/**
 * Artifact pins: what a version's S3 artifacts were when the quality gate decided it. Pure.
 *
 * A model package names its weights, the other data and code its containers load, and its metrics
 * by S3 location only (modelDataLocations; ModelMetrics ... S3Uri), and an S3 object is mutable: whoever may
 * write the artifact bucket can put other weights under an approved version's ModelDataUrl, or other
 * numbers into the live version's metrics file, after the decision. So the policy handler records,
 * with its verdict (kept where only it writes), each artifact as it read it: for a single object its
 * ETag and size, and its VersionId when the bucket is versioned (S3 API reference, HeadObject and
 * GetObject responses: `ETag`, `ContentLength`, `x-amz-version-id`, the last only from a bucket with
 * versioning enabled or suspended); for an `S3Prefix` model data source (SageMaker loads every object
 * under the prefix: S3ModelDataSource, API reference), a SHA-256 over the sorted listing of
 * (key, ETag, size), and one over (key, LastModified); in an unversioned bucket, a single object's
 * LastModified and SHA-256 too, since its ETag is an MD5, which can be made to collide; for each container image, the digest its tag named (ECR BatchGetImage), since a
 * tag can be pushed to again. The reconciler deploys a version only while its model data still matches
 * (`pinHold`); the gate compares with the live version's metrics as pinned (`pinnedRead`).
 */

import { createHash } from 'node:crypto';
import { type Hold, hold } from './hold';

/**
 * How long after registration an approved version the gate has not decided is still decided by it
 * (governance-policy.ts re-exports it as GATE_CATCH_UP_MS): long enough for a version registered as
 * Approved, or approved before the gate's first run.
 */
export const GATE_CATCH_UP_MS = 60 * 60 * 1000;

/**
 * Something a version's containers load: an S3 location (`prefix`: every object under it, S3DataType
 * S3Prefix) or a container image (`image`: the container's `Image`, a registry path with a tag or a
 * digest).
 */
export interface ArtifactLocation {
  readonly uri: string;
  readonly kind: 'object' | 'prefix' | 'image' | 'external';
}

/** A single object as S3 described it, or `missing` when it did not exist. */
export interface ObjectState {
  readonly kind: 'object';
  readonly uri: string;
  readonly missing?: true;
  /** Why it could not be read (access denied: its bucket is not among modelArtifactBuckets). */
  readonly unreadable?: string;
  readonly etag?: string;
  readonly size?: number;
  /** Only from a versioned bucket (`null` versions, of objects written before versioning, are left out). */
  readonly versionId?: string;
  /**
   * When S3 stored it (ISO 8601): S3 sets it on every write and no caller can, so an overwrite that
   * keeps the ETag and size (the same bytes, or other bytes with the same MD5) still shows.
   */
  readonly lastModified?: string;
  /**
   * SHA-256 (hex) of its bytes, taken by the gate for an object in an unversioned bucket (up to
   * HASH_LIMIT_BYTES): an ETag is an MD5 (single-part upload, no SSE-KMS), and MD5 collisions are
   * practical, so a rewrite is judged by this hash.
   */
  readonly sha256?: string;
}

/**
 * The largest object the gate hashes (SHA-256) when pinning: 512 MiB reads in seconds within the
 * policy handler's one-minute timeout. A larger one is pinned without, and a rewrite of it holds
 * the version (fail closed); a versioned bucket pins it exactly by its VersionId instead.
 */
export const HASH_LIMIT_BYTES = 512 * 1024 * 1024;

/** A prefix as a listing showed it: how many objects and the digest of (key, ETag, size), sorted. */
export interface PrefixState {
  readonly kind: 'prefix';
  readonly uri: string;
  readonly objects: number;
  readonly digest: string;
  /** The digest of (key, LastModified), sorted: any object rewritten under the prefix changes it. */
  readonly modifiedDigest?: string;
}

/**
 * A container image as its registry resolved it: the digest its tag named then (ECR BatchGetImage
 * `imageId.imageDigest`), or the digest the reference names itself; `missing` when the registry has
 * no such image; `unreadable` when it could not be asked (access denied, or not an ECR image).
 */
export interface ImageState {
  readonly kind: 'image';
  readonly uri: string;
  readonly digest?: string;
  /** The digest is the one SageMaker resolved when it deployed the version (DeployedImages), not the tag's now. */
  readonly deployed?: true;
  readonly missing?: true;
  readonly unreadable?: string;
}

/**
 * Weights a container downloads from outside AWS when it starts (a Hugging Face Hub model id):
 * pinned only by an immutable revision (a commit hash) named beside it; otherwise `unreadable`.
 */
export interface ExternalState {
  readonly kind: 'external';
  readonly uri: string;
  readonly unreadable?: string;
}

export type ArtifactState = ObjectState | PrefixState | ImageState | ExternalState;

/**
 * The environment variables that make a container download its model by id when it starts, and the
 * one that names the revision: the Hugging Face inference containers (`HF_MODEL_ID`,
 * `HF_MODEL_REVISION`) and the large model inference containers (`OPTION_MODEL_ID`,
 * `OPTION_REVISION`, the environment form of `option.model_id` and `option.revision`).
 */
export const MODEL_ID_ENVS = [
  ['HF_MODEL_ID', 'HF_MODEL_REVISION'],
  ['OPTION_MODEL_ID', 'OPTION_REVISION'],
] as const;

/** A Hub download's location: `hub:<model id>@<revision or "unpinned">`. */
function hubLocation(id: string, revision: string | undefined): ArtifactLocation {
  return { uri: `hub:${id}@${revision ?? 'unpinned'}`, kind: 'external' };
}

/** A Hub download's state: pinned when its revision is a commit hash (40 hex digits), which cannot move. */
export function externalState(uri: string): ExternalState {
  const revision = /@([^@]*)$/.exec(uri)?.[1] ?? '';
  if (/^[0-9a-f]{40}$/.test(revision)) return { kind: 'external', uri };
  return {
    kind: 'external',
    uri,
    unreadable:
      revision === 'unpinned'
        ? 'the container downloads this model from the Hugging Face Hub at whatever its main branch holds when it starts; name a commit hash as its revision (HF_MODEL_REVISION or OPTION_REVISION), or stage the weights in S3'
        : `revision "${revision}" is a branch or tag, which can move; name a commit hash (40 hex digits), or stage the weights in S3`,
  };
}

/**
 * An image reference split into what ECR's API takes. SageMaker accepts `registry/repository[:tag]`
 * and `registry/repository[@digest]` (ContainerDefinition and ModelPackageContainerDefinition `Image`,
 * API reference); an Amazon ECR registry is `<account>.dkr.ecr.<region>.amazonaws.com` (`.com.cn` in
 * China; ECR user guide, "Private registry concepts"). A reference without a tag means `latest`, as
 * Docker resolves it. Undefined for any other registry (a private Docker registry reached through a
 * VPC, ImageConfig RepositoryAccessMode Vpc), whose tags this app cannot resolve.
 */
export interface ImageReference {
  readonly registryId: string;
  readonly region: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const ECR_IMAGE =
  /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9][a-z0-9._/-]*?)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/;

export function parseImage(uri: string): ImageReference | undefined {
  const m = ECR_IMAGE.exec(uri);
  if (!m) return undefined;
  const [, registryId, region, repository, tag, digest] = m as unknown as string[];
  return {
    registryId: registryId as string,
    region: region as string,
    repository: repository as string,
    ...(digest ? { digest } : { tag: tag ?? 'latest' }),
  };
}

/** The digest an image reference names itself (`…@sha256:<hex>`), in any registry: it cannot move. */
export function imageDigestOf(uri: string): string | undefined {
  return /@(sha256:[a-f0-9]{64})$/.exec(uri)?.[1];
}

/** One object of a prefix listing (ListObjectsV2 Contents). */
export interface ListedObject {
  readonly key: string;
  readonly etag: string;
  readonly size: number;
  /** ISO 8601, as the listing gives it. */
  readonly lastModified?: string;
}

/** What the policy handler keeps of a version's artifacts with its verdict. */
export interface ArtifactPins {
  /**
   * What SageMaker loads for the version (InferenceSpecification.Containers: model data, code and
   * images), as the gate saw it.
   */
  readonly modelData: readonly ArtifactState[];
  /** The metrics files the gate evaluated, as it read them. */
  readonly metrics: readonly ObjectState[];
}

/** SHA-256 (hex) over a prefix listing: one `key\tETag\tsize` line per object, sorted by key. */
export function listingDigest(objects: readonly ListedObject[]): string {
  const lines = [...objects]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((o) => `${o.key}\t${o.etag}\t${o.size}`);
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

export function prefixState(uri: string, objects: readonly ListedObject[]): PrefixState {
  const modified = [...objects]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((o) => `${o.key}\t${o.lastModified ?? ''}`);
  return {
    kind: 'prefix',
    uri,
    objects: objects.length,
    digest: listingDigest(objects),
    modifiedDigest: createHash('sha256').update(modified.join('\n')).digest('hex'),
  };
}

/**
 * Whether an object read now is to be hashed. The gate, pinning (`pin`): an object in an unversioned
 * bucket up to HASH_LIMIT_BYTES. The reconciler, checking: only as `needsHash` says. Either way not
 * past what the run may still hash (`budget` bytes).
 */
export function hashWanted(
  reading: { readonly pin?: boolean; readonly pinned?: ArtifactState },
  now: ObjectState,
  budget: number,
): boolean {
  if (now.missing || now.unreadable || (now.size ?? 0) > budget) return false;
  if (reading.pin) return !now.versionId && (now.size ?? 0) <= HASH_LIMIT_BYTES;
  return needsHash(reading.pinned, now);
}

/**
 * The images the version an endpoint serves runs: the digest SageMaker resolved when it deployed it
 * (DescribeEndpoint DeployedImages), whatever its tag names now, for each pinned image. They replace
 * the tag's resolution for that version: a push between the reconciler's check and SageMaker's own
 * resolution then shows against the pin, and a push after the deployment does not unseat it.
 */
export function deployedImageStates(
  pins: readonly ArtifactState[],
  deployed: readonly { readonly specified: string; readonly resolved: string }[],
): ImageState[] {
  return deployed.flatMap((d) => {
    const digest = imageDigestOf(d.resolved);
    const pinned = pins.some((p) => p.kind === 'image' && p.uri === d.specified);
    return pinned && digest
      ? [{ kind: 'image' as const, uri: d.specified, digest, deployed: true as const }]
      : [];
  });
}

/**
 * Whether the bytes of an object read now must be hashed to compare it with its pin: it is in an
 * unversioned bucket, pinned with a SHA-256, and rewritten since (same ETag and size, other
 * LastModified), so only the hash tells the same bytes from other bytes with the same MD5.
 */
export function needsHash(pinned: ArtifactState | undefined, now: ObjectState): boolean {
  return (
    pinned?.kind === 'object' &&
    pinned.sha256 !== undefined &&
    !pinned.versionId &&
    pinned.etag === now.etag &&
    pinned.size === now.size &&
    pinned.lastModified !== undefined &&
    now.lastModified !== undefined &&
    pinned.lastModified !== now.lastModified
  );
}

/** S3 data a container names: `S3Prefix` (every object under the URI) or one object. */
interface S3DataLike {
  readonly S3Uri?: string;
  readonly S3DataType?: string;
}

/** A container as DescribeModelPackage returns it, as far as what it loads from S3 goes. */
export interface ContainerLike {
  readonly Image?: string;
  readonly ModelDataUrl?: string;
  readonly ModelDataSource?: { readonly S3DataSource?: S3DataLike };
  readonly AdditionalModelDataSources?: readonly { readonly S3DataSource?: S3DataLike }[];
  readonly AdditionalS3DataSource?: S3DataLike;
  readonly Environment?: Readonly<Record<string, string>>;
}

/**
 * The environment variable that names a container's inference code in S3: the SageMaker Python
 * SDK's framework containers download and run the `sourcedir.tar.gz` it names (`entry_point` with
 * `source_dir`, uploaded by the SDK; sagemaker-inference-toolkit reads it at start-up).
 */
export const SUBMIT_DIRECTORY_ENV = 'SAGEMAKER_SUBMIT_DIRECTORY';

/**
 * Everything a version's containers load from S3 (ModelPackageContainerDefinition, API reference):
 * `ModelDataUrl` (one object); `ModelDataSource.S3DataSource` and each of
 * `AdditionalModelDataSources[].S3DataSource` (S3ModelDataSource: one object for `S3Object`, every
 * object under the prefix for `S3Prefix`); `AdditionalS3DataSource` ("the additional data source
 * that is used during inference in the Docker container", the same two data types); and the code a
 * framework container runs, named by `Environment.SAGEMAKER_SUBMIT_DIRECTORY` when it is an S3 URI;
 * and its `Image`, which a tag names mutably: whoever may push to the repository can move the tag to
 * other code after the decision, so the image is pinned by the digest the tag resolved to.
 */
export function modelDataLocations(containers: readonly ContainerLike[] | undefined): ArtifactLocation[] {
  const found: ArtifactLocation[] = [];
  const source = (s: S3DataLike | undefined) => {
    if (s?.S3Uri) found.push({ uri: s.S3Uri, kind: s.S3DataType === 'S3Prefix' ? 'prefix' : 'object' });
  };
  for (const c of containers ?? []) {
    if (c.Image) found.push({ uri: c.Image, kind: 'image' });
    if (c.ModelDataUrl) found.push({ uri: c.ModelDataUrl, kind: 'object' });
    source(c.ModelDataSource?.S3DataSource);
    for (const additional of c.AdditionalModelDataSources ?? []) source(additional.S3DataSource);
    source(c.AdditionalS3DataSource);
    const code = c.Environment?.[SUBMIT_DIRECTORY_ENV];
    if (code?.startsWith('s3://')) found.push({ uri: code, kind: 'object' });
    // Any other S3 URI the environment names may be loaded by the container (LMI's
    // OPTION_MODEL_ID=s3://…/llm/): pinned as a prefix, which covers a single object too.
    for (const [name, value] of Object.entries(c.Environment ?? {}))
      if (name !== SUBMIT_DIRECTORY_ENV && value.startsWith('s3://'))
        found.push({ uri: value, kind: 'prefix' });
    for (const [idVar, revisionVar] of MODEL_ID_ENVS) {
      const id = c.Environment?.[idVar];
      if (id && !id.startsWith('s3://') && !id.startsWith('/'))
        found.push(hubLocation(id, c.Environment?.[revisionVar] || undefined));
    }
  }
  const seen = new Set<string>();
  return found.filter((l) => {
    const key = `${l.kind} ${l.uri}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What changed between a pinned state and the state now, for a person; undefined when nothing did. */
export function artifactChange(pinned: ArtifactState, now: ArtifactState): string | undefined {
  if (pinned.kind === 'image' || now.kind === 'image') return imageChange(pinned, now);
  if (pinned.kind === 'external' || now.kind === 'external') {
    if (pinned.kind !== 'external' || now.kind !== 'external') return `${pinned.uri} changed kind`;
    return pinned.unreadable ? `${pinned.uri} cannot be pinned: ${pinned.unreadable}` : undefined;
  }
  const what = pinned.kind === 'prefix' ? `model data under ${pinned.uri}` : pinned.uri;
  if (pinned.kind === 'object' && pinned.unreadable)
    return `${what} could not be read when the quality gate decided (${pinned.unreadable}), so nothing was pinned; list its bucket in modelArtifactBuckets and register the version again`;
  if (now.kind === 'object' && now.unreadable) return `${what} cannot be read now (${now.unreadable})`;
  if (pinned.kind === 'prefix' || now.kind === 'prefix') {
    if (pinned.kind !== 'prefix' || now.kind !== 'prefix') return `${what} changed kind (object/prefix)`;
    if (pinned.digest !== now.digest)
      return `${what} changed after the quality gate decided: ${pinned.objects} object(s), listing digest ${short(pinned.digest)} when pinned; ${now.objects} object(s), digest ${short(now.digest)} now`;
    if (pinned.modifiedDigest && now.modifiedDigest && pinned.modifiedDigest !== now.modifiedDigest)
      return `${what} was rewritten after the quality gate decided: the same keys, ETags and sizes, but objects with a later LastModified, whose bytes cannot be told from other bytes with the same MD5 (register the version again; a versioned bucket pins each object's VersionId)`;
    return undefined;
  }
  if (pinned.missing)
    return `${what} did not exist when the quality gate decided, so nothing was pinned to compare with`;
  if (now.missing) return `${what} no longer exists (pinned ETag ${pinned.etag}, ${pinned.size} bytes)`;
  const changes: string[] = [];
  if (pinned.versionId && pinned.versionId !== now.versionId)
    changes.push(`VersionId ${pinned.versionId} → ${now.versionId ?? 'none'}`);
  if (pinned.etag !== now.etag) changes.push(`ETag ${pinned.etag} → ${now.etag}`);
  if (pinned.size !== now.size) changes.push(`size ${pinned.size} → ${now.size} bytes`);
  if (changes.length > 0)
    return `${what} was overwritten after the quality gate decided (${changes.join(', ')})`;
  // The same VersionId is the same bytes. Without one, a rewrite keeps the ETag (an MD5) and size
  // of the same bytes, and of other bytes crafted to collide: the SHA-256 pinned tells them apart.
  if (
    pinned.versionId ||
    !pinned.lastModified ||
    !now.lastModified ||
    pinned.lastModified === now.lastModified
  )
    return undefined;
  if (pinned.sha256 && now.sha256)
    return pinned.sha256 === now.sha256
      ? undefined
      : `${what} was overwritten after the quality gate decided with other bytes of the same ETag (MD5) and size (SHA-256 ${short(pinned.sha256)} → ${short(now.sha256)})`;
  return `${what} was rewritten after the quality gate decided (LastModified ${pinned.lastModified} → ${now.lastModified}, the same ETag and size), and ${pinned.sha256 ? 'could not be hashed now' : `was not hashed when pinned (larger than ${HASH_LIMIT_BYTES} bytes)`}, so its bytes cannot be told from other bytes with the same MD5 (register the version again; a versioned bucket pins the VersionId)`;
}

function imageChange(pinned: ArtifactState, now: ArtifactState): string | undefined {
  const what = `image ${pinned.uri}`;
  if (pinned.kind !== 'image' || now.kind !== 'image') return `${what} changed kind (image/S3 data)`;
  if (pinned.unreadable)
    return `${what} could not be resolved to a digest when the quality gate decided (${pinned.unreadable}), so nothing was pinned; name the image by digest (…@sha256:…), or let the app read the repository (ecr:BatchGetImage), and register the version again`;
  if (pinned.missing || !pinned.digest)
    return `${what} did not exist in its repository when the quality gate decided, so nothing was pinned to compare with; push it, then register the version again`;
  if (now.unreadable) return `${what} cannot be resolved now (${now.unreadable})`;
  if (now.missing || !now.digest)
    return `${what} no longer exists in its repository (pinned ${short(pinned.digest)})`;
  if (now.digest !== pinned.digest && now.deployed)
    return `${what} runs other code than the quality gate decided: SageMaker resolved its tag to ${short(now.digest)} when it deployed the version (DeployedImages), the gate pinned ${short(pinned.digest)} (the tag was pushed to between the check and the deployment)`;
  if (now.digest !== pinned.digest)
    return `${what} was moved to other code after the quality gate decided (its tag resolved to ${short(pinned.digest)} when pinned; to ${short(now.digest)} now)`;
  return undefined;
}

/** A digest or hash shortened for a message: `sha256:` and 12 hex digits. */
function short(digest: string): string {
  if (digest.startsWith('sha256:')) return digest.slice(0, 19);
  return digest.slice(0, 12);
}

/**
 * Why the reconciler must not deploy a version of a quality-gated group, or undefined when it may:
 * the gate has not decided it (no verdict in the policy handler's store), the verdict predates
 * artifact pins, the version now names model data the gate did not see, or the model data no longer
 * matches its pin. A person may overrule a failed or undecided verdict by approving (README,
 * Governance policies); what they approve is still the pinned artifacts.
 */
export function verdictHold(facts: {
  /** The verdict kept by the policy handler; undefined when there is none. */
  readonly verdict?: { readonly decidedAt: string; readonly artifacts?: ArtifactPins };
  /** The model data the version names now. */
  readonly locations: readonly ArtifactLocation[];
  /** The pinned model data as S3 shows it now (by URI). */
  readonly observed: ReadonlyMap<string, ArtifactState>;
  /** When the version was registered, and now: the gate decides an approved version only within GATE_CATCH_UP_MS. */
  readonly registeredAt: Date;
  readonly now: Date;
}): Hold | undefined {
  const { verdict } = facts;
  if (!verdict) {
    if (facts.now.getTime() - facts.registeredAt.getTime() <= GATE_CATCH_UP_MS)
      return hold(
        'verdict-pending',
        'awaiting the quality gate verdict: the policy handler has not decided this version yet; its verdict deploys it',
      );
    return hold(
      'verdict-missing',
      'it has no quality gate verdict, and the gate will not decide it now (it was approved more than an hour after registration without one: before the gate was added to the group, or the policy handler failed on it, see its dead-letter queue); register it again as a new version',
    );
  }
  const pins = verdict.artifacts;
  if (!pins)
    return hold(
      'verdict-unpinned',
      `its quality gate verdict (${verdict.decidedAt}) predates artifact pins, so its model data cannot be verified; register it again as a new version`,
    );
  // A version with no InferenceSpecification containers (one built from an algorithm,
  // SourceAlgorithmSpecification) loads what nothing here can pin: fail closed.
  if (facts.locations.length === 0)
    return hold(
      'model-data-not-pinned',
      'it names no InferenceSpecification containers (a version built from an algorithm, SourceAlgorithmSpecification), so nothing it loads can be pinned; register it with an InferenceSpecification',
    );
  // A verdict decided before images were pinned has no image entries: its S3 pins still hold.
  const imagesPinned = pins.modelData.some((p) => p.kind === 'image');
  for (const location of facts.locations) {
    if (location.kind === 'image' && !imagesPinned) continue;
    if (!pins.modelData.some((p) => p.uri === location.uri))
      return hold(
        'model-data-not-pinned',
        `its ${location.kind === 'image' ? 'image' : 'model data'} ${location.uri} is not what the quality gate saw (the version was changed after the gate decided); register a new version`,
      );
  }
  for (const pinned of pins.modelData) {
    const now = facts.observed.get(pinned.uri);
    if (!now) return hold('artifact-unreadable', `the state of ${pinned.uri} could not be read`);
    const change = artifactChange(pinned, now);
    if (change)
      return hold(
        'artifact-changed',
        `${change}; the approved version would serve other ${pinned.kind === 'image' ? 'code than was' : 'weights than were'} decided, so it is not deployed (register a new version)`,
      );
  }
  return undefined;
}

/**
 * Whether an object read now is the one pinned: the read asked for the pinned VersionId when there is
 * one (so only a deleted version fails), else its ETag and size must be the pinned ones (fail closed).
 */
export function pinnedRead(
  pinned: ObjectState | undefined,
  read: { readonly etag?: string; readonly size?: number; readonly versionId?: string },
): string | undefined {
  if (!pinned) return 'not pinned by its verdict (decided before artifact pins existed, or not read then)';
  if (pinned.missing) return 'did not exist when its verdict was decided';
  if (pinned.versionId && read.versionId === pinned.versionId) return undefined;
  if (read.etag !== pinned.etag || (read.size !== undefined && read.size !== pinned.size))
    return `changed since its verdict (ETag ${pinned.etag} → ${read.etag ?? 'none'}); its pinned numbers cannot be read`;
  return undefined;
}
