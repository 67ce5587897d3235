/**
 * The governance record: what the app itself witnessed of each model version, append-only and
 * hash-chained. Pure: entries, their hashes, the chain's verification, and what the record says of a
 * version now. The adapter (adapters/governance-record.ts) stores one object per entry, written only by
 * the app's roles (bucket policy) with a conditional write that never replaces an entry.
 *
 * Every decision that needs a fact people could otherwise write (who approved, what was registered,
 * what the gate decided and whether that reached the registry) reads it here. The registry's
 * CustomerMetadataProperties and the endpoints' tags are copies for people to read.
 *
 * Tamper evidence: each entry carries the SHA-256 of the one before it (`prev`) and its own (`hash`,
 * over the canonical JSON of every other member). An entry removed leaves a gap in `seq` or a `prev`
 * that names no entry; an entry edited no longer has its hash. S3 Object Lock, where configured,
 * makes the objects write-once as well (docs/governance-record.md).
 */

import { createHash } from 'node:crypto';
import { canonicalJson } from './approval-check';
import type { ArtifactPins } from './artifact-pins';
import { type Notification, toSubject } from './audit';
import { type Hold, hold } from './hold';
import type { ApprovalStatus } from './model-version';
import type { Principal } from './principal';

export const RECORD_KINDS = [
  /** What the registrant registered: the fingerprint of everything deployable, on first sight. */
  'registration',
  /** An approval status change, and who made that change (read when it happened, never again). */
  'approval',
  /** The quality gate's verdict and its pins. */
  'verdict',
  /** Whether the verdict's registry update landed (or why not). */
  'verdict-applied',
  /** A lifecycle stage change, and who made it. */
  'stage',
  /** The deployable content is no longer the registered content. */
  'content-changed',
  /** A deployment the reconciler asked of an endpoint (the endpoint's record, not a version's). */
  'deployment-request',
  /** People were told that SageMaker rolled that request back. */
  'rollback-notified',
  /**
   * A run is telling people of that rollback: the one run that appends it tells, runs that find it
   * fresh do not (notice-claim.ts). Released when the notification fails; stale after the handler's
   * longest run, so a run that died in between does not silence the notice.
   */
  'rollback-notice-claimed',
  /** The claiming run's notification failed: the next run tells. */
  'rollback-notice-released',
  /**
   * Model monitoring found violations on the version an endpoint served (the endpoint's record): once
   * per execution, and with onViolation: hold the hold newer versions wait on until a person clears it.
   */
  'monitoring-violation',
  /**
   * A reviewer approved the version's model card with the content the model-cards handler generated
   * (a version's record, card-gated groups): what the deployment accounts, which cannot read the
   * registry account's cards, decide the card gate from.
   */
  'card-reviewed',
  /** The card left Approved, or its content changed, after a `card-reviewed`: no longer reviewed. */
  'card-review-withdrawn',
] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export interface RecordEntry {
  /** 0, 1, 2, … with no gap: the object key holds it zero-padded. */
  readonly seq: number;
  readonly kind: RecordKind;
  /** When the app wrote the entry (ISO 8601). */
  readonly at: string;
  /** Who made the change the entry records (the registrant, the approver, the app's own role). */
  readonly by?: Principal;
  readonly data: Readonly<Record<string, unknown>>;
  /** The previous entry's hash; null for the first. */
  readonly prev: string | null;
  /** SHA-256 (hex) of the canonical JSON of every other member. */
  readonly hash: string;
}

export interface EntryDraft {
  readonly kind: RecordKind;
  readonly at: string;
  readonly by?: Principal;
  readonly data: Readonly<Record<string, unknown>>;
}

export function entryHash(entry: Omit<RecordEntry, 'hash'>): string {
  const { seq, kind, at, by, data, prev } = entry;
  return createHash('sha256').update(canonicalJson({ seq, kind, at, by, data, prev })).digest('hex');
}

/** The entry that follows `last` (the first when there is none). */
export function nextEntry(last: RecordEntry | undefined, draft: EntryDraft): RecordEntry {
  const unhashed = {
    seq: last ? last.seq + 1 : 0,
    kind: draft.kind,
    at: draft.at,
    ...(draft.by ? { by: draft.by } : {}),
    data: draft.data,
    prev: last ? last.hash : null,
  };
  return { ...unhashed, hash: entryHash(unhashed) };
}

export type ChainProblemCode = 'unreadable' | 'misplaced' | 'gap' | 'edited' | 'broken-link';

export interface ChainProblem {
  readonly code: ChainProblemCode;
  /** The sequence number (from the key) where the chain breaks. */
  readonly seq: number;
  readonly detail: string;
}

/**
 * The problems of a version's record, each as a code: `stored` is every object under the version's
 * prefix, by the sequence number its key names, in any order.
 */
export function verifyChain(
  stored: readonly { readonly seq: number; readonly entry: RecordEntry | undefined }[],
): ChainProblem[] {
  const problems: ChainProblem[] = [];
  const sorted = [...stored].sort((a, b) => a.seq - b.seq);
  let expected = 0;
  let previous: RecordEntry | undefined;
  for (const { seq, entry } of sorted) {
    if (seq !== expected) {
      problems.push({
        code: 'gap',
        seq: expected,
        detail: `entries ${expected}${seq - 1 > expected ? `–${seq - 1}` : ''} are missing`,
      });
      previous = undefined;
    }
    expected = seq + 1;
    if (!entry) {
      problems.push({ code: 'unreadable', seq, detail: `entry ${seq} is not a governance record entry` });
      previous = undefined;
      continue;
    }
    if (entry.seq !== seq)
      problems.push({ code: 'misplaced', seq, detail: `entry ${seq} says it is entry ${entry.seq}` });
    const { hash, ...unhashed } = entry;
    if (entryHash(unhashed) !== hash)
      problems.push({ code: 'edited', seq, detail: `entry ${seq} does not have its hash: it was changed` });
    const wanted = seq === 0 ? null : previous?.hash;
    if (wanted !== undefined && entry.prev !== wanted)
      problems.push({
        code: 'broken-link',
        seq,
        detail: `entry ${seq} does not follow entry ${seq - 1} (its prev is not that entry's hash)`,
      });
    previous = entry;
  }
  return problems;
}

/** What the app recorded of a version's registration. */
export interface RecordedRegistration {
  /** The deployable content's fingerprint as registered; undefined when it could not be recorded. */
  readonly fingerprint?: string;
  readonly reason?: string;
  readonly by?: Principal;
}

/** The latest approval status change the app saw, and who made it then. */
export interface RecordedApproval {
  readonly status: ApprovalStatus;
  /** The registry's LastModifiedTime of the change (ISO 8601). */
  readonly changedAt?: string;
  /** Who made it; undefined when it could not be established (someone changed the version again first). */
  readonly by?: Principal;
  readonly byName?: string;
}

export interface RecordedVerdict {
  readonly outcome: 'passed' | 'failed' | 'undetermined';
  readonly decidedAt: string;
  readonly artifacts?: ArtifactPins;
  /** Whether its registry update landed: undefined while no entry says so. */
  readonly applied?: boolean;
  readonly failure?: string;
}

/** What the record says of a version now: the fold of its entries (each kind's latest wins). */
export interface RecordedVersion {
  readonly registration?: RecordedRegistration;
  readonly approval?: RecordedApproval;
  readonly verdict?: RecordedVerdict;
  /** The first content change recorded: once changed, a version stays changed. */
  readonly contentChanged?: { readonly fingerprint?: string; readonly by?: Principal; readonly at: string };
  readonly stage?: Readonly<Record<string, unknown>>;
  /** The model card's review, by its latest `card-reviewed` or `card-review-withdrawn`. */
  readonly card?: RecordedCardReview;
  readonly last?: RecordEntry;
}

/** A version's model card review as the model-cards handler recorded it. */
export interface RecordedCardReview {
  readonly cardName: string;
  readonly reviewed: boolean;
  /** SHA-256 of the content reviewed (the content the handler generated), while reviewed. */
  readonly contentSha256?: string;
  /** The reviewer (the card's LastModifiedBy when it was approved), while reviewed. */
  readonly by?: Principal;
  readonly byName?: string;
  /** The card's status when the review was withdrawn. */
  readonly status?: string;
}

/** A card reviewed: approved by `by` with the generated content (`contentSha256`). */
export function cardReviewedEntry(
  card: { readonly cardName: string; readonly contentSha256: string; readonly byName?: string },
  by: Principal | undefined,
  now: Date,
): EntryDraft {
  return {
    kind: 'card-reviewed',
    at: now.toISOString(),
    ...(by ? { by } : {}),
    data: {
      cardName: card.cardName,
      contentSha256: card.contentSha256,
      ...(card.byName ? { byName: card.byName } : {}),
    },
  };
}

/** A review no longer standing: the card is `status` now, or its content is no longer what was reviewed. */
export function cardReviewWithdrawnEntry(cardName: string, status: string, now: Date): EntryDraft {
  return { kind: 'card-review-withdrawn', at: now.toISOString(), data: { cardName, status } };
}

/**
 * What to append so that the record's card review matches the card now: a `card-reviewed` when the
 * card is Approved with the generated content and the record does not say so (by this reviewer, of
 * this content); a `card-review-withdrawn` when it is not and the record says reviewed; else nothing.
 */
export function cardReviewDraft(
  entries: readonly RecordEntry[],
  card: {
    readonly cardName: string;
    /** Approved, with the content the handler generated. */
    readonly reviewed: boolean;
    readonly status: string;
    readonly contentSha256?: string;
    readonly by?: Principal;
    readonly byName?: string;
  },
  now: Date,
): EntryDraft | undefined {
  const recorded = recordedVersion(entries).card;
  const standing = recorded?.cardName === card.cardName && recorded.reviewed ? recorded : undefined;
  if (!card.reviewed || !card.contentSha256)
    return standing ? cardReviewWithdrawnEntry(card.cardName, card.status, now) : undefined;
  if (
    standing &&
    standing.contentSha256 === card.contentSha256 &&
    canonicalJson(standing.by) === canonicalJson(card.by)
  )
    return undefined;
  return cardReviewedEntry(
    {
      cardName: card.cardName,
      contentSha256: card.contentSha256,
      ...(card.byName ? { byName: card.byName } : {}),
    },
    card.by,
    now,
  );
}

export function recordedVersion(entries: readonly RecordEntry[]): RecordedVersion {
  let state: {
    -readonly [K in keyof RecordedVersion]: RecordedVersion[K];
  } = {};
  for (const e of [...entries].sort((a, b) => a.seq - b.seq)) {
    const d = e.data;
    switch (e.kind) {
      case 'registration':
        state.registration ??= {
          ...(typeof d.fingerprint === 'string' ? { fingerprint: d.fingerprint } : {}),
          ...(typeof d.reason === 'string' ? { reason: d.reason } : {}),
          ...(e.by ? { by: e.by } : {}),
        };
        break;
      case 'approval':
        state.approval = {
          status: d.status as ApprovalStatus,
          ...(typeof d.changedAt === 'string' ? { changedAt: d.changedAt } : {}),
          ...(e.by ? { by: e.by } : {}),
          ...(typeof d.byName === 'string' ? { byName: d.byName } : {}),
        };
        break;
      case 'verdict':
        state.verdict = {
          outcome: d.outcome as RecordedVerdict['outcome'],
          decidedAt: String(d.decidedAt ?? e.at),
          ...(d.artifacts ? { artifacts: d.artifacts as ArtifactPins } : {}),
        };
        break;
      case 'verdict-applied':
        if (state.verdict)
          state.verdict = {
            ...state.verdict,
            applied: d.applied === true,
            ...(typeof d.failure === 'string' ? { failure: d.failure } : {}),
          };
        break;
      case 'stage':
        state.stage = d;
        break;
      case 'card-reviewed':
        state.card = {
          cardName: String(d.cardName ?? ''),
          reviewed: true,
          ...(typeof d.contentSha256 === 'string' ? { contentSha256: d.contentSha256 } : {}),
          ...(e.by ? { by: e.by } : {}),
          ...(typeof d.byName === 'string' ? { byName: d.byName } : {}),
        };
        break;
      case 'card-review-withdrawn':
        state.card = {
          cardName: String(d.cardName ?? ''),
          reviewed: false,
          ...(typeof d.status === 'string' ? { status: d.status } : {}),
        };
        break;
      case 'content-changed':
        state.contentChanged ??= {
          ...(typeof d.fingerprint === 'string' ? { fingerprint: d.fingerprint } : {}),
          ...(e.by ? { by: e.by } : {}),
          at: e.at,
        };
        break;
    }
    state = { ...state, last: e };
  }
  return state;
}

/**
 * Why the record does not let this version deploy, or undefined: its content must be the registered
 * content (every governed group), and a gate verdict that failed holds it whether or not its
 * rejection reached the registry.
 */
export function recordHold(
  record: RecordedVersion,
  facts: { readonly contentFingerprint?: string; readonly gated: boolean },
): Hold | undefined {
  const registered = record.registration;
  if (!registered)
    return hold(
      'registration-unrecorded',
      `${AWAITING_REGISTRATION}: the governance record has no registration of this version yet; the policy handler records it`,
    );
  if (!registered.fingerprint)
    return hold(
      'content-unrecorded',
      `its registered content was never recorded (${registered.reason ?? 'unknown reason'}), so a rewrite cannot be ruled out; register a new version`,
    );
  if (record.contentChanged || registered.fingerprint !== facts.contentFingerprint)
    return hold(
      'content-changed',
      'its deployable content (containers, model data, SourceUri) changed after registration (governance record); register a new version',
    );
  if (facts.gated && record.verdict?.outcome === 'failed')
    return hold(
      'verdict-failed',
      `the quality gate's verdict (${record.verdict.decidedAt}) is failed${record.verdict.applied === false ? ', and its rejection did not reach the registry' : ''}; it is never deployed (register a new version)`,
    );
  return undefined;
}

/**
 * How long after a registration its own event may still be on its way (EventBridge delivers within
 * seconds, and retries a failed delivery): until then a version someone else changed first waits for
 * that event, which carries the registered content; after it, the content is recorded as unknown.
 */
export const REGISTRATION_EVENT_GRACE_MS = 15 * 60_000;

/** How a hold lasting only until the policy handler records the version begins (logged, not notified). */
export const AWAITING_REGISTRATION = 'registration not yet recorded';

/** The object key of an entry: `<prefix>/<group>/<version>/<seq, 8 digits>.json`. */
export function entryKey(prefix: string, group: string, version: number, seq: number): string {
  return `${versionPrefix(prefix, group, version)}${String(seq).padStart(8, '0')}.json`;
}

export function versionPrefix(prefix: string, group: string, version: number): string {
  const base = prefix.replace(/\/$/, '');
  return `${base ? `${base}/` : ''}${group}/${version}/`;
}

export { ENDPOINTS_SEGMENT, endpointRecordPrefix } from '../core/record-naming';

/** What the reconciler records just before it asks SageMaker for a config. */
export interface RequestDraft {
  readonly endpointName: string;
  readonly configName: string;
  /** The endpoint's LastModifiedTime when asked (epoch 0 for a CreateEndpoint). */
  readonly after: Date;
  /** The config the endpoint served when asked (none for a CreateEndpoint). */
  readonly fromConfig?: string;
  readonly version: number;
  readonly modelPackageArn: string;
}

export function requestEntry(request: RequestDraft, now: Date): EntryDraft {
  return {
    kind: 'deployment-request',
    at: now.toISOString(),
    data: {
      endpointName: request.endpointName,
      configName: request.configName,
      after: request.after.toISOString(),
      ...(request.fromConfig ? { fromConfig: request.fromConfig } : {}),
      version: request.version,
      modelPackageArn: request.modelPackageArn,
    },
  };
}

/** The request an endpoint entry about a rollback is about: the config asked for, and when. */
type RolledBackRequest = { readonly configName: string; readonly after: Date };

/** An entry about the rollback of `request`, made at `now`. */
const rollbackEntry = (
  kind: 'rollback-notified' | 'rollback-notice-claimed' | 'rollback-notice-released',
  request: RolledBackRequest,
  now: Date,
): EntryDraft => ({
  kind,
  at: now.toISOString(),
  data: { configName: request.configName, after: request.after.toISOString() },
});

export function rollbackNotifiedEntry(request: RolledBackRequest, now: Date): EntryDraft {
  return rollbackEntry('rollback-notified', request, now);
}

/**
 * How long a claim to tell people of a rollback holds: Lambda's longest run (15 minutes). A run that
 * claimed and then died without telling or releasing leaves a claim that stops holding after it.
 */
export const ROLLBACK_NOTICE_CLAIM_MS = 15 * 60_000;

const sameRequest = (d: Readonly<Record<string, unknown>>, r: RolledBackRequest) =>
  d.configName === r.configName && d.after === r.after.toISOString();

/**
 * The claim this run appends to tell people that `request` was rolled back, or undefined when it
 * must not tell: people were told, or another run holds a fresh claim (appended within
 * ROLLBACK_NOTICE_CLAIM_MS before `now`, and not released since). Decided inside the record's
 * conditional append, so of concurrent runs exactly one claims.
 */
export function rollbackNoticeClaim(
  entries: readonly RecordEntry[],
  request: RolledBackRequest,
  now: Date,
): EntryDraft | undefined {
  let claimedAt: number | undefined;
  for (const e of [...entries].sort((a, b) => a.seq - b.seq)) {
    if (!sameRequest(e.data, request)) continue;
    if (e.kind === 'rollback-notified') return undefined;
    if (e.kind === 'rollback-notice-claimed') claimedAt = Date.parse(e.at);
    if (e.kind === 'rollback-notice-released') claimedAt = undefined;
  }
  if (claimedAt !== undefined && now.getTime() - claimedAt < ROLLBACK_NOTICE_CLAIM_MS) return undefined;
  return rollbackEntry('rollback-notice-claimed', request, now);
}

/** Releases this run's claim: its notification failed, so the next run tells. */
export function rollbackNoticeRelease(request: RolledBackRequest, now: Date): EntryDraft {
  return rollbackEntry('rollback-notice-released', request, now);
}

/**
 * The last deployment the reconciler asked of an endpoint, as its record says (the endpoint's tags
 * are a copy for people), and whether its rollback was notified since.
 */
export function recordedRequest(entries: readonly RecordEntry[]):
  | {
      readonly configName: string;
      readonly after: Date;
      readonly fromConfig?: string;
      readonly rollbackNotified: boolean;
    }
  | undefined {
  let last: { configName: string; after: Date; fromConfig?: string; rollbackNotified: boolean } | undefined;
  for (const e of [...entries].sort((a, b) => a.seq - b.seq)) {
    const d = e.data;
    if (e.kind === 'deployment-request' && typeof d.configName === 'string') {
      const after = new Date(String(d.after ?? ''));
      if (Number.isNaN(after.getTime())) continue;
      last = {
        configName: d.configName,
        after,
        ...(typeof d.fromConfig === 'string' && d.fromConfig ? { fromConfig: d.fromConfig } : {}),
        rollbackNotified: false,
      };
    } else if (
      e.kind === 'rollback-notified' &&
      last &&
      d.configName === last.configName &&
      d.after === last.after.toISOString()
    )
      last = { ...last, rollbackNotified: true };
  }
  return last;
}

/** What the reconciler records of a monitoring execution that found violations. */
export interface ViolationDraft {
  readonly processingJobArn: string;
  readonly processingJobName: string;
  readonly version: number;
  readonly modelPackageArn: string;
  readonly monitorType: string;
  readonly checks: readonly string[];
  readonly report?: string;
  /** The target's onViolation. */
  readonly response: string;
  /** With onViolation: hold, the lineage action that is the hold's copy for people: what a clear names. */
  readonly holdAction?: string;
}

export function violationEntry(v: ViolationDraft, now: Date): EntryDraft {
  return {
    kind: 'monitoring-violation',
    at: now.toISOString(),
    data: {
      processingJobArn: v.processingJobArn,
      processingJobName: v.processingJobName,
      version: v.version,
      modelPackageArn: v.modelPackageArn,
      monitorType: v.monitorType,
      checks: [...v.checks],
      ...(v.report ? { report: v.report } : {}),
      response: v.response,
      ...(v.holdAction ? { holdAction: v.holdAction } : {}),
    },
  };
}

/** Whether the record has the violations of this execution already (a replayed event). */
export function violationRecorded(entries: readonly RecordEntry[], processingJobArn: string): boolean {
  return entries.some(
    (e) => e.kind === 'monitoring-violation' && e.data.processingJobArn === processingJobArn,
  );
}

/**
 * The newest violation hold the record has for an endpoint: its newest entry with a hold (onViolation:
 * hold), with the time the app recorded it. Lineage's hold actions are copies for people: anyone with
 * sagemaker:CreateAction can add one, so none decides.
 */
export function recordedViolationHold(entries: readonly RecordEntry[]):
  | {
      readonly name: string;
      readonly version: number;
      readonly monitorType?: string;
      readonly processingJob?: string;
      readonly at: Date;
    }
  | undefined {
  const newest = [...entries]
    .sort((a, b) => b.seq - a.seq)
    .find((e) => e.kind === 'monitoring-violation' && typeof e.data.holdAction === 'string');
  if (!newest) return undefined;
  const d = newest.data;
  const version = Number(d.version);
  const at = new Date(newest.at);
  if (!Number.isInteger(version) || Number.isNaN(at.getTime())) return undefined;
  return {
    name: String(d.holdAction),
    version,
    ...(typeof d.monitorType === 'string' ? { monitorType: d.monitorType } : {}),
    ...(typeof d.processingJobName === 'string' ? { processingJob: d.processingJobName } : {}),
    at,
  };
}

/** The sequence number a key names, or undefined when it is no entry's key. */
export function seqOfKey(key: string): number | undefined {
  const m = /\/(\d{8})\.json$/.exec(key);
  return m ? Number(m[1]) : undefined;
}

/** Group and version of a versioned model package ARN. */
export function versionOfArn(arn: string): { readonly group: string; readonly version: number } {
  const parts = /model-package\/([^/]+)\/(\d+)$/.exec(arn);
  if (!parts) throw new Error(`"${arn}" is not a versioned model package ARN`);
  return { group: parts[1] as string, version: Number(parts[2]) };
}

/** What the policy handler reads of the event that woke it (events.ts ModelPackageStateChange). */
export interface ObservedChange {
  readonly reportedApprovalStatus?: ApprovalStatus;
  readonly reportedAt?: string;
  readonly updatedFields?: readonly string[];
}

/** The version as the policy handler reads it from the registry. */
export interface ObservedVersion {
  readonly arn: string;
  readonly approvalStatus: ApprovalStatus;
  readonly contentFingerprint?: string;
  readonly createdByPrincipal?: Principal;
  readonly lastModifiedByPrincipal?: Principal;
  readonly lastModifiedBy?: string;
  readonly createdBy?: string;
  readonly creationTime: Date;
  readonly lastModifiedTime?: Date;
}

/**
 * The entries the registry's state asks for that the record lacks, in order: the registration on
 * first sight, a content change, an approval status change. Who made an approval change is read only
 * from the event of that change (it is the version's latest, and touched the status): a later edit
 * never becomes the approver, and an approval whose own event came too late is recorded without one
 * (the card gate then cannot show its reviewer is someone else, and holds: fail closed).
 */
export function observedEntries(
  v: ObservedVersion,
  record: RecordedVersion,
  change: ObservedChange | undefined,
  /** What to record as the registration; undefined: not yet (its own event's run records it). */
  registration: { readonly fingerprint?: string; readonly reason?: string } | undefined,
  now: Date,
): EntryDraft[] {
  const at = now.toISOString();
  const drafts: EntryDraft[] = [];
  const registered = record.registration ?? registration ?? {};
  if (!record.registration && registration)
    drafts.push({
      kind: 'registration',
      at,
      ...(v.createdByPrincipal ? { by: v.createdByPrincipal } : {}),
      data: { ...registration },
    });
  if (
    !record.contentChanged &&
    registered.fingerprint &&
    v.contentFingerprint &&
    registered.fingerprint !== v.contentFingerprint
  )
    drafts.push({
      kind: 'content-changed',
      at,
      ...(v.lastModifiedByPrincipal ? { by: v.lastModifiedByPrincipal } : {}),
      data: {
        fingerprint: v.contentFingerprint,
        registered: registered.fingerprint,
        ...(v.lastModifiedBy ? { byName: v.lastModifiedBy } : {}),
      },
    });
  if (
    record.approval?.status !== v.approvalStatus &&
    !(v.approvalStatus === 'PendingManualApproval' && !record.approval)
  ) {
    const changedAt = v.lastModifiedTime ?? v.creationTime;
    const reportedAt = change?.reportedAt ? Date.parse(change.reportedAt) : Number.NaN;
    const latest = !Number.isNaN(reportedAt) && Math.abs(reportedAt - changedAt.getTime()) <= 1;
    const touchedStatus =
      !v.lastModifiedTime || !change?.updatedFields || change.updatedFields.includes('ModelApprovalStatus');
    const attributable = latest && touchedStatus && change?.reportedApprovalStatus === v.approvalStatus;
    const by = v.lastModifiedTime ? v.lastModifiedByPrincipal : v.createdByPrincipal;
    const byName = v.lastModifiedTime ? v.lastModifiedBy : v.createdBy;
    // Another event's run sees the approval first: its own event, still on its way, attributes it.
    // Recorded unattributed only once that event is overdue (the same grace as a registration's).
    const ownEventDue = now.getTime() - changedAt.getTime() < REGISTRATION_EVENT_GRACE_MS;
    if (!attributable && ownEventDue) return drafts;
    drafts.push({
      kind: 'approval',
      at,
      ...(attributable && by ? { by } : {}),
      data: {
        status: v.approvalStatus,
        changedAt: changedAt.toISOString(),
        ...(attributable && byName ? { byName } : {}),
        attributed: attributable && by !== undefined,
      },
    });
  }
  return drafts;
}

/** What people are told of what the record says went wrong: a content change, a verdict that never reached the registry. */
export function recordNotification(
  v: { readonly groupName: string; readonly version: number; readonly arn: string },
  event:
    | { readonly kind: 'content-changed'; readonly by?: string }
    | { readonly kind: 'verdict-not-applied'; readonly outcome: string; readonly failure: string },
): Notification {
  const what =
    event.kind === 'content-changed'
      ? 'deployable content changed after registration'
      : `quality gate verdict (${event.outcome}) did not reach the registry`;
  const lines =
    event.kind === 'content-changed'
      ? [
          `The containers, model data or SourceUri of ${v.groupName} v${v.version} were changed after registration${event.by ? ` by ${event.by}` : ''}.`,
          'The governance record keeps the registered content; this version is never deployed. Register a new version.',
        ]
      : [
          `The quality gate decided ${v.groupName} v${v.version} (${event.outcome}), but writing it to the registry failed: ${event.failure}.`,
          'The governance record keeps the verdict, and the reconciler holds a failed version whatever the registry shows.',
        ];
  const subject = `[model-governance] ${v.groupName} v${v.version}: ${what}`;
  return {
    subject: toSubject(subject),
    message: [...lines, '', `Model package: ${v.arn}`].join('\n'),
    attributes: { groupName: v.groupName, event: event.kind },
  };
}
