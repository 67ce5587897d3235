/**
 * Ways around the governance gates, tried at the level of the pure
 * decisions: each test makes the attempt and fails if it works. The same attempts over HTTP are in
 * test/integration/bypass.test.ts.
 */
import { parseGovernanceConfig } from '../../core/config/parse';
import { decodePrincipal, encodePrincipal } from '../../domain/approval-check';
import { cardReviewHold, versionApprover } from '../../domain/card-review';
import { deploymentHold } from '../../domain/deployment-gates';
import {
  decidedThrough,
  nextPolicyStep,
  policyNotification,
  unattributedApproval,
  unidentifiedRegistrantUpdate,
} from '../../domain/governance-policy';
import type { ModelVersion } from '../../domain/model-version';
import { metadataValue } from '../../domain/service-values';
import {
  stageCheckNeeded,
  stageCheckValue,
  stageHold,
  stageMetadata,
  stageTransition,
} from '../../domain/stage-check';

const SELF = { iam: 'arn:aws:iam::111111111111:role/policy-gate' };
const TRAINER = { iam: 'arn:aws:iam::111111111111:role/Trainer' };
const APPROVER = { iam: 'arn:aws:iam::111111111111:role/Approver' };

const sod = parseGovernanceConfig({
  groups: [{ name: 'g', separationOfDuties: true, deployments: [{ endpointName: 'ep' }] }],
}).groups[0];

function version(v: Partial<ModelVersion>): ModelVersion {
  return {
    arn: 'arn:aws:sagemaker:us-east-1:111111111111:model-package/g/1',
    groupName: 'g',
    version: 1,
    approvalStatus: 'Approved',
    creationTime: new Date(0),
    contentFingerprint: 'as-registered',
    createdBy: 'arn:aws:sts::111111111111:assumed-role/Trainer/run-1',
    createdByPrincipal: TRAINER,
    lastModifiedBy: 'arn:aws:sts::111111111111:assumed-role/Approver/ana',
    lastModifiedByPrincipal: APPROVER,
    lastModifiedTime: new Date(1000),
    ...v,
  };
}

describe('a registrant nobody can identify (separation of duties, fail closed)', () => {
  if (!sod) throw new Error('no group');
  const anonymous = version({ createdBy: undefined, createdByPrincipal: undefined });
  const registration = { arn: anonymous.arn, fingerprint: 'as-registered', recordedAt: 'x' };

  it('reverts an approval of a version whose CreatedBy names nobody, with what to do', () => {
    const step = nextPolicyStep(sod, anonymous, { now: new Date(2000), self: SELF, registration });
    expect(step).toEqual({
      kind: 'revert-unidentified-registrant',
      reason: expect.any(String),
    });
    const update = unidentifiedRegistrantUpdate(
      step.kind === 'revert-unidentified-registrant' ? step.reason : '',
    );
    expect(update.status).toBe('PendingManualApproval');
    // What to do is the feature here, so its wording is checked, once, where people read it.
    const note = policyNotification(anonymous, 'unidentified-registrant-reverted', update, undefined);
    expect(note.message).toMatch(/What to do: {2}register the version again/);
  });

  it('never deploys it meanwhile, even once the policy handler has checked it', () => {
    const facts = {
      cardName: 'g-v1',
      lastModifiedByPrincipal: SELF,
      checker: SELF,
      contentFingerprint: 'as-registered',
      metadata: { 'model-governance:registered-content-sha256': 'as-registered' },
    };
    expect(deploymentHold(sod, { requireApprovedModelCard: false }, facts)?.code).toBe(
      'registrant-unidentified',
    );
    // With a registrant on record, the same facts deploy.
    expect(
      deploymentHold(sod, { requireApprovedModelCard: false }, { ...facts, createdByPrincipal: TRAINER }),
    ).toBeUndefined();
  });

  it('leaves groups without separation of duties alone', () => {
    const open = parseGovernanceConfig({ groups: [{ name: 'g', deployments: [{ endpointName: 'ep' }] }] })
      .groups[0];
    if (!open) throw new Error('no group');
    expect(nextPolicyStep(open, anonymous, { now: new Date(2000), self: SELF }).kind).toBe('none');
  });
});

describe('replayed and late events (an archive replay re-delivers them with replay-name)', () => {
  const approvedAt = '1970-01-01T00:00:00.500Z';
  const event = { reportedApprovalStatus: 'Approved' as const, reportedAt: approvedAt };
  // The approver edited the version after the handler's check (at 0.8 s): the latest change is theirs.
  const edited = version({ lastModifiedTime: new Date(1000) });

  it('decides an approval the handler already decided from its record, not from the old event', () => {
    const decided = { arn: edited.arn, decidedThrough: '1970-01-01T00:00:00.800Z' };
    expect(unattributedApproval(edited, { event, self: SELF, decided })).toBeUndefined();
    if (!sod) throw new Error('no group');
    const registration = { arn: edited.arn, fingerprint: 'as-registered', recordedAt: 'x' };
    expect(
      nextPolicyStep(sod, edited, { now: new Date(2000), self: SELF, registration, decided, event }).kind,
    ).toBe('record-approval');
  });

  it('still reverts an approval it never decided that a later change buried', () => {
    expect(unattributedApproval(edited, { event, self: SELF })).toEqual(expect.any(String));
    // A record of earlier decisions does not cover a later approval.
    const earlier = { arn: edited.arn, decidedThrough: '1970-01-01T00:00:00.400Z' };
    expect(unattributedApproval(edited, { event, self: SELF, decided: earlier })).toEqual(expect.any(String));
  });

  it('only moves its record forward', () => {
    const kept = { arn: edited.arn, decidedThrough: '1970-01-01T00:00:00.800Z' };
    expect(decidedThrough(edited.arn, kept, new Date(700))).toBeUndefined();
    expect(decidedThrough(edited.arn, kept, new Date(900))).toEqual({
      arn: edited.arn,
      decidedThrough: '1970-01-01T00:00:00.900Z',
    });
    expect(decidedThrough(edited.arn, undefined, undefined)).toBeUndefined();
  });
});

describe('lifecycle stages: a stage is served only when someone other than the registrant set it', () => {
  const at = (ms: number) => new Date(ms).toISOString();
  const staged = version({
    lifeCycle: { stage: 'Production', stageStatus: 'Approved' },
    lastModifiedTime: new Date(1000),
  });
  const stageEvent = { reportedAt: at(1000), updatedFields: ['ModelLifeCycle'] };
  const target = {
    serve: { kind: 'lifecycle-stage' as const, stage: 'Production', stageStatus: 'Approved' },
  };

  it('does not honour a stage set with the registration, even when its event arrives after an approval', () => {
    const registered = version({
      lifeCycle: { stage: 'Production', stageStatus: 'Approved' },
      lastModifiedTime: undefined,
      lastModifiedBy: undefined,
      lastModifiedByPrincipal: undefined,
    });
    expect(stageTransition(registered, undefined, undefined, SELF, new Date(5))).toMatchObject({
      honoured: false,
      code: 'set-at-registration',
      setByPrincipal: TRAINER,
    });
    // Approved by another person before the handler read the registration's event.
    const registrationEvent = {
      reportedAt: at(0),
      reportedCreationTime: at(0),
      reportedStage: 'Production/Approved',
    };
    expect(stageTransition(staged, undefined, registrationEvent, SELF, new Date(5))).toMatchObject({
      honoured: false,
      code: 'set-at-registration',
    });
  });

  it("writes no stage check before the stage change's own event has attributed it", () => {
    const approved = { ...staged, approvalStatus: 'Approved' as const };
    // Another event's run: a check written now would bury the stage change, whose event attributes it.
    expect(stageCheckNeeded(approved, undefined, SELF)).toBe(false);
    // Once recorded, the check is written (and rewritten when it is not the latest change's).
    const recorded = stageTransition(staged, undefined, stageEvent, SELF, new Date(5));
    expect(stageCheckNeeded(approved, recorded, SELF)).toBe(true);
  });

  it('honours a stage another principal set, and not one the registrant set under another session', () => {
    expect(stageTransition(staged, undefined, stageEvent, SELF, new Date(5))).toMatchObject({
      honoured: true,
      setByPrincipal: APPROVER,
    });
    const byRegistrant = { ...staged, lastModifiedByPrincipal: { iam: TRAINER.iam } };
    expect(stageTransition(byRegistrant, undefined, stageEvent, SELF, new Date(5))).toMatchObject({
      honoured: false,
      code: 'set-by-registrant',
    });
  });

  it('cannot attribute a stage whose change another change buried (fail closed), and waits for the latest event', () => {
    const approval = { reportedAt: at(1000), updatedFields: ['ModelApprovalStatus'] };
    expect(stageTransition(staged, undefined, approval, SELF, new Date(5))).toMatchObject({
      honoured: false,
      code: 'unattributed',
    });
    // An older change's event decides nothing: the latest change's own event will.
    expect(stageTransition(staged, undefined, { reportedAt: at(500) }, SELF, new Date(5))).toBeUndefined();
  });

  it('records the same stage set again by someone else, once', () => {
    const kept = stageTransition(
      { ...staged, lastModifiedTime: new Date(0), lastModifiedByPrincipal: undefined },
      undefined,
      undefined,
      SELF,
      new Date(5),
    );
    expect(kept?.honoured).toBe(false);
    const again = stageTransition(staged, kept, stageEvent, SELF, new Date(6));
    expect(again).toMatchObject({ honoured: true });
    expect(stageTransition(staged, again, stageEvent, SELF, new Date(7))).toBeUndefined();
  });

  it('deploys a staged version only while the latest change is the policy handler check that honours it', () => {
    const record = stageTransition(staged, undefined, stageEvent, SELF, new Date(5));
    const metadata = stageMetadata(staged, record);
    expect(metadata).toEqual({
      'model-governance:stage-check': 'honoured:Production/Approved',
      'model-governance:stage-set-by': 'arn:aws:sts::111111111111:assumed-role/Approver/ana',
    });
    const checked = { lastModifiedByPrincipal: SELF, checker: SELF, metadata };
    expect(stageHold(target, checked)).toBeUndefined();
    // Written by anyone else (the registrar writing the key themselves): not a check.
    expect(stageHold(target, { ...checked, lastModifiedByPrincipal: TRAINER })?.code).toBe('stage-unchecked');
    // No checker configured: nothing at a stage deploys.
    expect(stageHold(target, { ...checked, checker: undefined })?.code).toBe('stage-unchecked');
    // The check says another stage, or not honoured.
    expect(
      stageHold(target, {
        ...checked,
        metadata: { 'model-governance:stage-check': 'honoured:Staging/Approved' },
      })?.code,
    ).toBe('stage-not-honoured');
    expect(
      stageHold(target, {
        ...checked,
        metadata: { 'model-governance:stage-check': 'not-honoured:set-at-registration' },
      }),
    ).toMatchObject({
      code: 'stage-not-honoured',
      detail: expect.stringContaining('it was set with the registration'),
    });
    // Targets that serve the newest approved version do not look at stages.
    expect(stageHold({ serve: { kind: 'newest-approved' } }, {})).toBeUndefined();
  });

  it('keeps its metadata within what CustomerMetadataProperties accepts', () => {
    expect(metadataValue('ana (Studio domain d-1); x')).toBe('ana Studio domain d-1 x');
    const value = stageCheckValue(staged, { ...staged, honoured: false, code: 'unattributed' } as never);
    expect(value).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u);
  });
});

describe('card review: the generated content, reviewed by someone other than the approver', () => {
  const reviewed = {
    cardName: 'g-v1',
    cardStatus: 'Approved',
    cardContentSha256: 'generated',
    cardRecordedSha256: 'generated',
    cardReviewedBy: 'arn:aws:iam::111111111111:user/rita',
    cardReviewerPrincipal: { iam: 'arn:aws:iam::111111111111:user/rita' },
    approvedBy: 'ana',
    approverPrincipal: APPROVER,
  };
  const group = { cardReviewerMustDiffer: true };

  it('takes a card as reviewed only with the content model-governance generated', () => {
    expect(cardReviewHold(group, reviewed)).toBeUndefined();
    expect(cardReviewHold(group, { ...reviewed, cardContentSha256: 'written by hand' })?.code).toBe(
      'card-content-not-generated',
    );
    // No record (or none readable): fail closed.
    expect(cardReviewHold(group, { ...reviewed, cardRecordedSha256: undefined })?.code).toBe(
      'card-content-not-generated',
    );
  });

  it('refuses the approver as reviewer, by person', () => {
    const ana = { iam: 'arn:aws:iam::111111111111:user/ana' };
    expect(
      cardReviewHold(group, { ...reviewed, cardReviewerPrincipal: ana, approverPrincipal: ana })?.code,
    ).toBe('card-reviewer-is-approver');
    expect(
      cardReviewHold(
        { cardReviewerMustDiffer: false },
        { ...reviewed, cardReviewerPrincipal: ana, approverPrincipal: ana },
      ),
    ).toBeUndefined();
    expect(cardReviewHold(group, { ...reviewed, approverPrincipal: undefined })?.code).toBe(
      'card-reviewer-unidentified',
    );
  });

  describe('Studio users of one execution role', () => {
    const role = 'arn:aws:iam::111111111111:role/StudioExecution';
    const studio = (profile: string, sourceIdentity?: string) => ({
      iam: role,
      userProfile: `d-abc123/${profile}`,
      ...(sourceIdentity ? { sourceIdentity } : {}),
    });
    const review = (reviewer: object, approver: object) =>
      cardReviewHold(group, {
        ...reviewed,
        cardReviewedBy: 'a Studio user',
        cardReviewerPrincipal: reviewer,
        approverPrincipal: approver,
      });

    it('passes a colleague who reviews the card, told apart by SourceIdentity', () => {
      expect(review(studio('rita', 'rita'), studio('bob', 'bob'))).toBeUndefined();
    });

    it('holds the approver reviewing the card as the same person (SourceIdentity, or the same profile)', () => {
      expect(review(studio('bob', 'bob'), studio('bob', 'bob'))?.code).toBe('card-reviewer-is-approver');
      expect(review(studio('bob', 'bob-sso'), studio('bob', 'bob'))?.code).toBe('card-reviewer-is-approver');
    });

    it('holds, never passes, two profiles sharing the role without SourceIdentity, naming the setting', () => {
      const h = review(studio('rita'), studio('bob'));
      expect(h?.code).toBe('card-reviewer-indistinct-shared-role');
      expect(h?.detail).toMatch(/ExecutionRoleIdentityConfig to USER_PROFILE_NAME on Studio domain d-abc123/);
      // One side with a SourceIdentity is not enough either.
      expect(review(studio('rita', 'rita'), studio('bob'))?.code).toBe(
        'card-reviewer-indistinct-shared-role',
      );
      // Two sessions of one role outside Studio: the same.
      expect(review({ iam: role }, { iam: role })?.code).toBe('card-reviewer-indistinct-shared-role');
    });

    it('passes reviewers with roles of their own', () => {
      expect(review({ iam: APPROVER.iam }, TRAINER)).toBeUndefined();
    });
  });

  it('takes the approver the policy handler recorded while its check is the latest change', () => {
    const recorded = version({
      lastModifiedByPrincipal: SELF,
      metadata: { 'model-governance:approved-by-principal': encodePrincipal(APPROVER) },
    });
    expect(versionApprover(recorded, SELF).approverPrincipal).toEqual(APPROVER);
    // Written by anyone else, the metadata is not taken: the latest modifier is.
    expect(
      versionApprover({ ...recorded, lastModifiedByPrincipal: TRAINER }, SELF).approverPrincipal,
    ).toEqual(TRAINER);
    expect(decodePrincipal(encodePrincipal({ iam: 'arn:aws:iam::1:role/R', sourceIdentity: 'ana' }))).toEqual(
      {
        iam: 'arn:aws:iam::1:role/R',
        sourceIdentity: 'ana',
      },
    );
  });
});
