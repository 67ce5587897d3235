import {
  cardReviewDraft,
  entryKey,
  nextEntry,
  observedEntries,
  REGISTRATION_EVENT_GRACE_MS,
  type RecordEntry,
  ROLLBACK_NOTICE_CLAIM_MS,
  recordedRequest,
  recordedVersion,
  recordedViolationHold,
  recordHold,
  requestEntry,
  rollbackNoticeClaim,
  rollbackNoticeRelease,
  rollbackNotifiedEntry,
  seqOfKey,
  verifyChain,
  violationEntry,
  violationRecorded,
} from '../../domain/governance-record';
import { isQuietWait } from '../../domain/hold';

const approver = { iam: 'arn:aws:iam::111111111111:role/Approver' };
const releaser = { iam: 'arn:aws:iam::111111111111:role/Releaser' };

function chain(): RecordEntry[] {
  const a = nextEntry(undefined, {
    kind: 'registration',
    at: '2026-01-01T00:00:00.000Z',
    data: { fingerprint: 'f1' },
  });
  const b = nextEntry(a, {
    kind: 'verdict',
    at: '2026-01-01T00:00:01.000Z',
    data: { outcome: 'failed', decidedAt: '2026-01-01T00:00:01.000Z' },
  });
  const c = nextEntry(b, {
    kind: 'verdict-applied',
    at: '2026-01-01T00:00:02.000Z',
    data: { applied: false },
  });
  const d = nextEntry(c, {
    kind: 'approval',
    at: '2026-01-01T00:00:03.000Z',
    by: approver,
    data: { status: 'Approved' },
  });
  return [a, b, c, d];
}

describe('the governance record chain', () => {
  it('links each entry to the one before it, and verifies clean', () => {
    const entries = chain();
    expect(entries.map((e) => e.seq)).toEqual([0, 1, 2, 3]);
    expect(entries[0]?.prev).toBeNull();
    expect(entries[1]?.prev).toBe(entries[0]?.hash);
    expect(verifyChain(entries.map((entry) => ({ seq: entry.seq, entry })))).toEqual([]);
  });

  it('flags an edited entry, a removed one and an entry replaced with a re-hashed forgery', () => {
    const entries = chain();
    const edited = { ...(entries[3] as RecordEntry), by: releaser };
    expect(
      verifyChain(entries.map((entry, seq) => ({ seq, entry: seq === 3 ? edited : entry }))).map(
        (p) => p.code,
      ),
    ).toEqual(['edited']);
    expect(
      verifyChain(entries.filter((e) => e.seq !== 1).map((entry) => ({ seq: entry.seq, entry }))).map(
        (p) => p.code,
      ),
    ).toEqual(['gap']);
    // A forger who recomputes the hash of their entry still breaks the next entry's link.
    const forged = nextEntry(entries[0], {
      kind: 'verdict',
      at: '2026-01-01T00:00:01.000Z',
      data: { outcome: 'passed', decidedAt: '2026-01-01T00:00:01.000Z' },
    });
    expect(
      verifyChain(entries.map((entry, seq) => ({ seq, entry: seq === 1 ? forged : entry }))).map(
        (p) => p.code,
      ),
    ).toEqual(['broken-link']);
    expect(verifyChain([{ seq: 0, entry: undefined }]).map((p) => p.code)).toEqual(['unreadable']);
  });

  it('keys entries so that they list in order', () => {
    expect(entryKey('governance-record', 'churn', 3, 12)).toBe('governance-record/churn/3/00000012.json');
    expect(seqOfKey('governance-record/churn/3/00000012.json')).toBe(12);
    expect(seqOfKey('governance-record/churn/3/notes.txt')).toBeUndefined();
  });
});

describe('what the record says of a version', () => {
  it('keeps the approver of the approval, and the verdict with whether it reached the registry', () => {
    const state = recordedVersion(chain());
    expect(state.approval?.by).toEqual(approver);
    expect(state.verdict).toMatchObject({ outcome: 'failed', applied: false });
    expect(state.registration?.fingerprint).toBe('f1');
  });

  it('holds a failed verdict whether or not it reached the registry, and changed or unrecorded content', () => {
    const state = recordedVersion(chain());
    const failed = recordHold(state, { contentFingerprint: 'f1', gated: true });
    expect(failed?.code).toBe('verdict-failed');
    expect(failed?.detail).toContain('did not reach the registry');
    expect(recordHold(state, { contentFingerprint: 'f1', gated: false })).toBeUndefined();
    expect(recordHold(state, { contentFingerprint: 'f2', gated: false })?.code).toBe('content-changed');
    const waiting = recordHold({}, { contentFingerprint: 'f1', gated: false });
    expect(waiting?.code).toBe('registration-unrecorded');
    expect(waiting && isQuietWait(waiting)).toBe(true);
  });
});

describe('what the policy handler records of what it observes', () => {
  const registrant = { iam: 'arn:aws:iam::111111111111:role/Trainer' };
  const created = new Date('2026-01-01T00:00:00.000Z');
  const approvedAt = new Date('2026-01-01T00:00:05.000Z');
  const approved = {
    arn: 'arn:aws:sagemaker:us-east-1:111111111111:model-package/churn/1',
    approvalStatus: 'Approved' as const,
    contentFingerprint: 'f1',
    createdByPrincipal: registrant,
    lastModifiedByPrincipal: approver,
    lastModifiedBy: 'Approver',
    creationTime: created,
    lastModifiedTime: approvedAt,
  };
  const registrationEvent = {
    reportedApprovalStatus: 'PendingManualApproval' as const,
    reportedAt: created.toISOString(),
  };
  const approvalEvent = {
    reportedApprovalStatus: 'Approved' as const,
    reportedAt: approvedAt.toISOString(),
    updatedFields: ['ModelApprovalStatus'],
  };
  const soon = new Date(approvedAt.getTime() + 2_000);
  const late = new Date(approvedAt.getTime() + REGISTRATION_EVENT_GRACE_MS + 1);

  it('attributes an approval from its own event, to the principal of that change', () => {
    const drafts = observedEntries(approved, {}, approvalEvent, { fingerprint: 'f1' }, soon);
    expect(drafts.map((d) => d.kind)).toEqual(['registration', 'approval']);
    expect(drafts[1]).toMatchObject({ by: approver, data: { status: 'Approved', attributed: true } });
  });

  it("leaves an approval seen first by another event's run to its own event, while that can still come", () => {
    const drafts = observedEntries(approved, {}, registrationEvent, { fingerprint: 'f1' }, soon);
    expect(drafts.map((d) => d.kind)).toEqual(['registration']);
    // Once its event is overdue, it is recorded without an approver: the card gate then fails closed.
    const overdue = observedEntries(approved, {}, registrationEvent, { fingerprint: 'f1' }, late);
    expect(overdue.at(-1)).toMatchObject({ kind: 'approval', data: { attributed: false } });
    expect(overdue.at(-1)).not.toHaveProperty('by');
  });

  it('records no registration the caller leaves to the registration event', () => {
    expect(observedEntries(approved, {}, approvalEvent, undefined, soon).map((d) => d.kind)).toEqual([
      'approval',
    ]);
  });
});

describe('telling people of a rollback once', () => {
  const t0 = new Date('2026-01-01T00:00:00.000Z');
  const request = { configName: 'churn-prod-v2-abc', after: t0 };
  const asked = nextEntry(
    undefined,
    requestEntry(
      {
        endpointName: 'churn-prod',
        configName: request.configName,
        after: t0,
        version: 2,
        modelPackageArn: 'arn:aws:sagemaker:us-east-1:111111111111:model-package/churn/2',
      },
      t0,
    ),
  );
  const at = (ms: number) => new Date(t0.getTime() + ms);
  const append = (entries: RecordEntry[], draft: ReturnType<typeof rollbackNoticeClaim>) =>
    draft ? [...entries, nextEntry(entries.at(-1), draft)] : entries;

  it('lets the first run claim it, and no other while the claim is fresh', () => {
    const claimed = append([asked], rollbackNoticeClaim([asked], request, at(1_000)));
    expect(claimed.at(-1)?.kind).toBe('rollback-notice-claimed');
    expect(rollbackNoticeClaim(claimed, request, at(2_000))).toBeUndefined();
    expect(rollbackNoticeClaim(claimed, request, at(ROLLBACK_NOTICE_CLAIM_MS))).toBeUndefined();
    // Not yet told: the planner still sees it as untold, so a later run claims once the claim is stale.
    expect(recordedRequest(claimed)?.rollbackNotified).toBe(false);
    expect(rollbackNoticeClaim(claimed, request, at(ROLLBACK_NOTICE_CLAIM_MS + 1_001))?.kind).toBe(
      'rollback-notice-claimed',
    );
  });

  it('lets the next run claim it at once when the claiming run released it (its notice failed)', () => {
    const claimed = append([asked], rollbackNoticeClaim([asked], request, at(1_000)));
    const released = append(claimed, rollbackNoticeRelease(request, at(1_500)));
    expect(rollbackNoticeClaim(released, request, at(2_000))?.kind).toBe('rollback-notice-claimed');
  });

  it('lets no run claim it once people were told, and reads claims of another request as no claim', () => {
    const claimed = append([asked], rollbackNoticeClaim([asked], request, at(1_000)));
    const told = append(claimed, rollbackNotifiedEntry(request, at(1_500)));
    expect(rollbackNoticeClaim(told, request, at(ROLLBACK_NOTICE_CLAIM_MS * 2))).toBeUndefined();
    expect(recordedRequest(told)?.rollbackNotified).toBe(true);
    const other = { configName: 'churn-prod-v3-def', after: at(60_000) };
    expect(rollbackNoticeClaim(claimed, other, at(2_000))?.kind).toBe('rollback-notice-claimed');
  });
});

describe('model monitoring violations in the endpoint record', () => {
  const found = (job: string, version: number, holdAction?: string) => ({
    processingJobArn: `arn:aws:sagemaker:eu-west-1:111111111111:processing-job/${job}`,
    processingJobName: job,
    version,
    modelPackageArn: `arn:aws:sagemaker:eu-west-1:111111111111:model-package/churn/${version}`,
    monitorType: 'DataQuality',
    checks: ['data_type_check on age'],
    response: holdAction ? 'hold' : 'notify',
    ...(holdAction ? { holdAction } : {}),
  });
  const append = (entries: RecordEntry[], draft: ReturnType<typeof violationEntry>) => [
    ...entries,
    nextEntry(entries.at(-1), draft),
  ];
  const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

  it('knows an execution it recorded, and no other', () => {
    const entries = append([], violationEntry(found('job-1', 3), at(0)));
    expect(violationRecorded(entries, found('job-1', 3).processingJobArn)).toBe(true);
    expect(violationRecorded(entries, found('job-2', 3).processingJobArn)).toBe(false);
  });

  it('holds on its newest violation with a hold, from the time it was recorded', () => {
    let entries = append([], violationEntry(found('job-1', 2, 'violation-hold-a'), at(0)));
    entries = append(entries, violationEntry(found('job-2', 3, 'violation-hold-b'), at(1_000)));
    entries = append(entries, violationEntry(found('job-3', 4), at(2_000))); // notify only: no hold
    expect(recordedViolationHold(entries)).toEqual({
      name: 'violation-hold-b',
      version: 3,
      monitorType: 'DataQuality',
      processingJob: 'job-2',
      at: at(1_000),
    });
  });

  it('has no hold without a violation that holds', () => {
    expect(recordedViolationHold([])).toBeUndefined();
    expect(recordedViolationHold(append([], violationEntry(found('job-1', 2), at(0))))).toBeUndefined();
  });
});

describe("a version's card review in its record", () => {
  const reviewer = { iam: 'arn:aws:iam::111111111111:role/Reviewer' };
  const append = (entries: RecordEntry[], draft: ReturnType<typeof cardReviewDraft>) =>
    draft ? [...entries, nextEntry(entries.at(-1), draft)] : entries;
  const now = new Date(Date.UTC(2026, 0, 1));
  const approved = {
    cardName: 'churn-v3',
    reviewed: true,
    status: 'Approved',
    contentSha256: 'aa',
    by: reviewer,
  };

  it('records a review once, withdraws it when the card leaves Approved, and records a new one', () => {
    let entries = append([], cardReviewDraft([], approved, now));
    expect(recordedVersion(entries).card).toEqual({
      cardName: 'churn-v3',
      reviewed: true,
      contentSha256: 'aa',
      by: reviewer,
    });
    expect(cardReviewDraft(entries, approved, now)).toBeUndefined(); // a replayed event
    entries = append(
      entries,
      cardReviewDraft(entries, { ...approved, reviewed: false, status: 'PendingReview' }, now),
    );
    expect(recordedVersion(entries).card).toEqual({
      cardName: 'churn-v3',
      reviewed: false,
      status: 'PendingReview',
    });
    expect(cardReviewDraft(entries, { ...approved, reviewed: false, status: 'Draft' }, now)).toBeUndefined();
    entries = append(entries, cardReviewDraft(entries, { ...approved, contentSha256: 'bb' }, now));
    expect(recordedVersion(entries).card?.contentSha256).toBe('bb');
    expect(entries.map((e) => e.kind)).toEqual(['card-reviewed', 'card-review-withdrawn', 'card-reviewed']);
  });

  it('records nothing for a card never reviewed, and a new review by another reviewer', () => {
    expect(
      cardReviewDraft([], { ...approved, reviewed: false, status: 'PendingReview' }, now),
    ).toBeUndefined();
    const entries = append([], cardReviewDraft([], approved, now));
    const other = { iam: 'arn:aws:iam::111111111111:role/Other' };
    expect(cardReviewDraft(entries, { ...approved, by: other }, now)?.by).toEqual(other);
  });
});
