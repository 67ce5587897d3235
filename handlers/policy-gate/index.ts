/**
 * Governance policies on the registry: the quality gate decides every newly registered version of
 * a gated group (Rejected with the failed thresholds, left pending with a note, or approved where
 * configured), and separation of duties reverts an approval made by the version's own registrant.
 *
 * Trigger: the governed groups' model package state changes. Level-triggered: the version is read
 * from the registry and decided once (the verdict is kept in the audit bucket, where only this handler
 * writes; the version's CustomerMetadataProperties only show it).
 */
import { ECRClient } from '@aws-sdk/client-ecr';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';
import { artifactStates, readMetrics } from '../../adapters/artifacts';
import { describeEndpoint } from '../../adapters/endpoints';
import { appendRecordEntry, readRecordEntries } from '../../adapters/governance-record';
import { describeForCard } from '../../adapters/model-card-inputs';
import { publishNotification } from '../../adapters/notifications';
import { readRecord, writeRecord } from '../../adapters/policy-records';
import { describeModelVersion, updateApproval } from '../../adapters/sagemaker';
import { readVerdict, writeVerdict } from '../../adapters/verdicts';
import type { ModelPackageGroupConfig } from '../../core/config/types';
import { comparesToLive, liveEndpointOf } from '../../core/live-endpoint';
import { findGroup } from '../../core/manifest';
import { APPROVED_BY_KEY, type RegistrationRecord, registrationRecord } from '../../domain/approval-check';
import type { ArtifactPins, ObjectState } from '../../domain/artifact-pins';
import { type ModelPackageStateChange, parseModelPackageStateChange } from '../../domain/events';
import {
  type ApprovalDecisions,
  changedContentUpdate,
  checkMetadata,
  decidedThrough,
  type GateVerdict,
  gateUpdate,
  type IndistinctApproval,
  indistinctApprovalUpdate,
  nextPolicyStep,
  policyNotification,
  type RegistryUpdate,
  selfApprovalUpdate,
  unattributedApprovalUpdate,
  unidentifiedRegistrantUpdate,
  versionBasis,
} from '../../domain/governance-policy';
import {
  type EntryDraft,
  observedEntries,
  REGISTRATION_EVENT_GRACE_MS,
  type RecordEntry,
  type RecordedVersion,
  recordedVersion,
  recordNotification,
} from '../../domain/governance-record';
import type { ModelVersion } from '../../domain/model-version';
import { principalOf, samePrincipal } from '../../domain/principal';
import {
  evaluateGate,
  type GateDecision,
  type LiveVersion,
  liveVersionServed,
  truncate,
  type VersionMetrics,
} from '../../domain/quality-gate';
import {
  type StageRecord,
  servesStages,
  stageCheckNeeded,
  stageCheckValue,
  stageMetadata,
  stageTransition,
} from '../../domain/stage-check';
import { requiredEnv } from '../runtime/env';
import { governedHandler, type Ignored, ignored } from '../runtime/handler';
import { logger } from '../runtime/logger';
import { loadManifest } from '../runtime/manifest';
import { countApprovalReverted, countGateDecision, countSelfApprovalReverted } from '../runtime/metrics';

const topicArn = requiredEnv('NOTIFICATION_TOPIC_ARN');
const verdictStore = requiredEnv('VERDICT_S3_URI');
/** The governance record (adapters/governance-record.ts): only the app's roles write it. */
const recordStore = requiredEnv('GOVERNANCE_RECORD_S3_URI');
/** The handler's own role: its writes are not approvals. */
const self = principalOf({ IamIdentity: { Arn: requiredEnv('POLICY_ROLE_ARN') } });
const manifest = loadManifest();
const sagemaker = new SageMakerClient({ maxAttempts: 5 });
const s3 = new S3Client({ maxAttempts: 3 });
const ecr = new ECRClient({ maxAttempts: 3 });
const sns = new SNSClient({ maxAttempts: 5 });

export type PolicyResult =
  | {
      readonly outcome: 'gate-decided';
      readonly modelPackageArn: string;
      readonly decision: GateDecision;
      readonly update: RegistryUpdate;
    }
  | {
      readonly outcome: 'self-approval-reverted';
      readonly modelPackageArn: string;
      readonly identity: string;
    }
  | {
      /** Set back to pending, with the reason in ApprovalDescription; not a self-approval. */
      readonly outcome: 'approval-held';
      readonly modelPackageArn: string;
      readonly code: 'approver-indistinct-shared-role';
      readonly hold: IndistinctApproval;
    }
  | {
      readonly outcome:
        | 'unattributed-approval-reverted'
        | 'changed-content-reverted'
        | 'unidentified-registrant-reverted';
      readonly modelPackageArn: string;
      readonly reason: string;
    }
  | { readonly outcome: 'approval-recorded'; readonly modelPackageArn: string; readonly approver: string }
  /** No policy applies: what the registry shows is in the governance record. */
  | { readonly outcome: 'recorded'; readonly modelPackageArn: string; readonly appended: readonly string[] }
  | { readonly outcome: 'stage-checked'; readonly modelPackageArn: string; readonly stageCheck: string }
  | { readonly outcome: 'superseded' | 'no-action'; readonly reason: string }
  | Ignored;

export const handler = governedHandler(handle);

async function handle(event: unknown): Promise<PolicyResult> {
  const parsed = parseModelPackageStateChange(event);
  if (!parsed.ok) return ignored('unrecognised-event', parsed.reason);
  const group = findGroup(manifest, parsed.value.groupName);
  if (!group)
    return ignored(
      'not-governed',
      `model package group "${parsed.value.groupName}" is not governed by this stack`,
    );
  const staged = servesStages(group);
  const version = await describeModelVersion(sagemaker, parsed.value.modelPackageArn);
  if (!version)
    return ignored('gone', 'the model package version no longer exists (deleted since the event)');
  // Every governed version: what the registry shows now goes into the governance record first.
  const { record, appended } = await observe(version, parsed.value);
  // An approved version the reconciler may have looked at before its entries were there: a
  // metadata-only change (the approver's name, a copy for people) whose event runs it again.
  const wake =
    version.approvalStatus === 'Approved' &&
    group.deployments.length > 0 &&
    appended.some((k) => k === 'registration' || k === 'approval');
  if (!group.qualityGate && !group.separationOfDuties && !staged)
    return recorded(version, record, appended, wake);

  // Separation of duties compares the version with its registration: until that is recorded (by the
  // registration event's own run, which checks the approval as it finds it), nothing is decided.
  if (group.separationOfDuties && !record.registration)
    return { outcome: 'no-action', reason: 'the registration is not recorded yet; its own event records it' };
  const verdict = group.qualityGate ? await readVerdict(s3, verdictStore, version.arn) : undefined;
  // Before anything is written: what the registrant registered (separation of duties, approval-check.ts).
  const registration = group.separationOfDuties ? registrationOf(version, record) : undefined;
  const decided = group.separationOfDuties
    ? await readRecord<ApprovalDecisions>(s3, verdictStore, version.arn, 'approval')
    : undefined;
  // Before anything is written: who set the version's stage, while the registry still shows it.
  const stage = staged ? await stageRecordOf(version, parsed.value) : undefined;
  const policyStep = nextPolicyStep(group, version, {
    now: new Date(),
    ...(verdict ? { verdict } : {}),
    ...(registration ? { registration } : {}),
    ...(decided ? { decided } : {}),
    ...(self ? { self } : {}),
    event: parsed.value,
  });
  const step =
    policyStep.kind === 'none' && staged && stageCheckNeeded(version, stage, self)
      ? ({ kind: 'record-stage' } as const)
      : policyStep;
  if (step.kind === 'none') {
    // The handler's own change is the latest: everything up to it is decided (kept in case the
    // record after its write was lost).
    if (group.separationOfDuties && samePrincipal(version.lastModifiedByPrincipal, self))
      await recordDecided(version.arn, decided, version.lastModifiedTime);
    // A staged group's stage check writes to the version and so wakes the reconciler itself; a write
    // here would also become the version's latest change, and a stage change made just before it
    // could no longer be attributed by its own event (stage-check.ts stageTransition).
    if (wake && !staged) return recorded(version, record, appended, wake);
    return { outcome: 'no-action', reason: step.reason };
  }

  let result: PolicyResult;
  let update: RegistryUpdate;
  let verdictToKeep: GateVerdict | undefined;
  if (step.kind === 'revert-self-approval') {
    update = selfApprovalUpdate(step.identity);
    result = { outcome: 'self-approval-reverted', modelPackageArn: version.arn, identity: step.identity };
  } else if (step.kind === 'hold-indistinct-approval') {
    update = indistinctApprovalUpdate(step.hold);
    result = {
      outcome: 'approval-held',
      modelPackageArn: version.arn,
      code: 'approver-indistinct-shared-role',
      hold: step.hold,
    };
  } else if (step.kind === 'revert-unidentified-registrant') {
    update = unidentifiedRegistrantUpdate(step.reason);
    result = {
      outcome: 'unidentified-registrant-reverted',
      modelPackageArn: version.arn,
      reason: step.reason,
    };
  } else if (step.kind === 'revert-unattributed-approval') {
    update = unattributedApprovalUpdate(step.reason);
    result = { outcome: 'unattributed-approval-reverted', modelPackageArn: version.arn, reason: step.reason };
  } else if (step.kind === 'revert-changed-content') {
    update = changedContentUpdate(step.reason);
    result = { outcome: 'changed-content-reverted', modelPackageArn: version.arn, reason: step.reason };
  } else if (step.kind === 'record-stage') {
    // A metadata-only change, as the approval check: the stage check the reconciler waits for.
    update = { metadata: {} };
    result = {
      outcome: 'stage-checked',
      modelPackageArn: version.arn,
      stageCheck: stageCheckValue(version, stage),
    };
  } else if (step.kind === 'record-approval') {
    // A metadata-only change: the version's latest change becomes this handler's, which is what the
    // reconciler waits for; its state-change event runs the reconciler again.
    update = { metadata: {} };
    result = { outcome: 'approval-recorded', modelPackageArn: version.arn, approver: step.approver };
  } else if (step.kind === 'apply-verdict') {
    // Decided and kept before, but the registry update never landed: the same decision, applied now.
    update = gateUpdate(group, step.decision, version.approvalStatus);
    result = { outcome: 'gate-decided', modelPackageArn: version.arn, decision: step.decision, update };
  } else {
    const { decision, artifacts } = await decide(group, version);
    update = gateUpdate(group, decision, version.approvalStatus);
    result = { outcome: 'gate-decided', modelPackageArn: version.arn, decision, update };
    verdictToKeep = {
      arn: version.arn,
      outcome: decision.outcome,
      decidedAt: new Date().toISOString(),
      artifacts,
      basedOn: versionBasis(version),
      decision,
    };
  }
  if (group.separationOfDuties) {
    // Every change this handler makes to such a version carries the registered content's fingerprint
    // (what the reconciler compares), and who approved, when the version stays or becomes Approved.
    const approved =
      update.status === 'Approved' || (!update.status && version.approvalStatus === 'Approved');
    const approver =
      result.outcome === 'approval-recorded'
        ? result.approver
        : update.status === 'Approved'
          ? 'the quality gate (autoApprove)'
          : approved && !samePrincipal(version.lastModifiedByPrincipal, self)
            ? version.lastModifiedBy
            : undefined; // its own change approves nothing: the approver on record stays
    const approverPrincipal =
      approver && update.status !== 'Approved' ? version.lastModifiedByPrincipal : undefined;
    update = {
      ...update,
      metadata: { ...update.metadata, ...checkMetadata(registration, approver, approverPrincipal) },
    };
  }

  if (staged) update = { ...update, metadata: { ...update.metadata, ...stageMetadata(version, stage) } };

  // No conditional write exists for model packages: re-read just before writing, and leave a version
  // that someone changed meanwhile to that change's own event, which runs this again.
  // A revert is the safe direction: it still applies while the version is Approved, whatever else
  // changed meanwhile (a change by someone else after a self-approval must not launder it).
  const fresh = await describeModelVersion(sagemaker, version.arn);
  const reverting =
    result.outcome !== 'gate-decided' &&
    result.outcome !== 'approval-recorded' &&
    result.outcome !== 'stage-checked';
  const stillApplies = reverting ? fresh?.approvalStatus === 'Approved' : fresh && sameState(fresh, version);
  if (!fresh || !stillApplies) {
    return {
      outcome: 'superseded',
      reason: 'the version changed while the policy was deciding; its own event decides again',
    };
  }
  // The verdict before the registry update: the update's state-change event is what runs the
  // reconciler again, and it deploys a gated version only once its verdict is there. A failure in
  // between leaves the version unchanged since the verdict's basis: the retry applies it (apply-verdict).
  if (verdictToKeep) await writeVerdict(s3, verdictStore, verdictToKeep);
  // The verdict in the record too (also when an earlier run kept it but failed before recording it).
  const recordedVerdict = verdictToKeep ?? (step.kind === 'apply-verdict' ? verdict : undefined);
  if (recordedVerdict) {
    await append(version.arn, (entries) =>
      recordedVersion(entries).verdict?.decidedAt === recordedVerdict.decidedAt
        ? undefined
        : {
            kind: 'verdict',
            at: recordedVerdict.decidedAt,
            ...(self ? { by: self } : {}),
            data: {
              outcome: recordedVerdict.outcome,
              decidedAt: recordedVerdict.decidedAt,
              ...(recordedVerdict.artifacts ? { artifacts: recordedVerdict.artifacts } : {}),
            },
          },
    );
  }
  const verdictUpdate = result.outcome === 'gate-decided' ? result.decision.outcome : undefined;
  try {
    await updateApproval(sagemaker, version.arn, update);
  } catch (error) {
    // Whether the verdict reached the registry is the record's to say, and people are told once:
    // the reconciler holds a failed verdict whatever the registry shows.
    if (verdictUpdate) await verdictNotApplied(version, verdictUpdate, error as Error);
    throw error;
  }
  if (verdictUpdate)
    await append(version.arn, (entries) =>
      recordedVersion(entries).verdict?.applied === true
        ? undefined
        : { kind: 'verdict-applied', at: new Date().toISOString(), data: { applied: true } },
    );
  if (group.separationOfDuties) {
    // Every change up to this write is decided: the write's own time when the registry still shows
    // it as the latest change, else (someone changed the version at once) the change decided on.
    const written = await describeModelVersion(sagemaker, version.arn);
    const own = written && samePrincipal(written.lastModifiedByPrincipal, self);
    await recordDecided(version.arn, decided, own ? written.lastModifiedTime : version.lastModifiedTime);
  }
  if (result.outcome === 'gate-decided') countGateDecision(result.decision.outcome, group.name);
  else if (result.outcome === 'self-approval-reverted') countSelfApprovalReverted(group.name);
  else if (result.outcome !== 'approval-recorded' && result.outcome !== 'stage-checked')
    countApprovalReverted(group.name);
  logger.info('policy applied', {
    outcome: result.outcome,
    groupName: group.name,
    version: version.version,
    status: update.status ?? 'status kept',
    policy: result,
  });
  // No news for people: the deployment (or its hold) reports it.
  if (result.outcome === 'approval-recorded' || result.outcome === 'stage-checked') return result;
  await publishNotification(
    sns,
    topicArn,
    policyNotification(
      version,
      result.outcome,
      update,
      result.outcome === 'gate-decided' ? result.decision : undefined,
    ),
  );
  return result;
}

/**
 * The record of who set the version's stage (stage-check.ts): kept, or a new one when this event is
 * the change that set a stage other than the recorded one (kept where only this handler writes).
 */
async function stageRecordOf(
  version: ModelVersion,
  change: ModelPackageStateChange,
): Promise<StageRecord | undefined> {
  const kept = await readRecord<StageRecord>(s3, verdictStore, version.arn, 'stage');
  const next = stageTransition(version, kept, change, self, new Date());
  if (!next) return kept;
  await writeRecord(s3, verdictStore, 'stage', next);
  await append(version.arn, () => ({
    kind: 'stage',
    at: new Date().toISOString(),
    ...(next.setByPrincipal ? { by: next.setByPrincipal } : {}),
    data: { ...next },
  }));
  logger.info('stage recorded', { groupName: version.groupName, version: version.version, stage: next });
  return next;
}

async function recordDecided(
  arn: string,
  kept: ApprovalDecisions | undefined,
  through: Date | undefined,
): Promise<void> {
  const record = decidedThrough(arn, kept, through);
  if (record) await writeRecord(s3, verdictStore, 'approval', record);
}

async function recorded(
  version: ModelVersion,
  record: RecordedVersion,
  appended: string[],
  wake: boolean,
): Promise<PolicyResult> {
  if (wake) {
    const by = record.approval?.byName;
    await updateApproval(sagemaker, version.arn, {
      metadata: by ? { [APPROVED_BY_KEY]: truncate(by, 256) } : {},
    });
  }
  return { outcome: 'recorded', modelPackageArn: version.arn, appended };
}

/** The registration as the governance record keeps it (approval-check.ts's RegistrationRecord shape). */
function registrationOf(version: ModelVersion, record: RecordedVersion): RegistrationRecord {
  const r = record.registration;
  return {
    arn: version.arn,
    ...(r?.fingerprint ? { fingerprint: r.fingerprint } : {}),
    ...(r?.reason || !r ? { reason: r?.reason ?? 'no registration in the governance record' } : {}),
    recordedAt: record.last?.at ?? new Date().toISOString(),
  };
}

/**
 * Records what the registry shows that the record lacks (governance-record.ts observedEntries), and
 * tells people of a content change once: its entry is appended once, whichever run appends it.
 */
async function observe(
  version: ModelVersion,
  change: ModelPackageStateChange,
): Promise<{ record: RecordedVersion; appended: string[] }> {
  const now = new Date();
  const registered = registrationToRecord(version, change, now);
  const appended: string[] = [];
  let entries = await readRecordEntries(s3, recordStore, version.arn);
  // Each append re-reads the record: a concurrent run's entry is taken into account, never duplicated.
  for (let i = 0; i < 4; i++) {
    const next = (current: readonly RecordEntry[]) =>
      observedEntries(version, recordedVersion(current), change, registered, now)[0];
    if (!next(entries)) break;
    const out = await appendRecordEntry(s3, recordStore, version.arn, next);
    entries = [...out.entries];
    if (!out.appended) break;
    appended.push(out.appended.kind);
    if (out.appended.kind === 'content-changed') {
      logger.warn('deployable content changed after registration', {
        groupName: version.groupName,
        version: version.version,
        changedBy: version.lastModifiedBy,
      });
      await publishNotification(
        sns,
        topicArn,
        recordNotification(version, {
          kind: 'content-changed',
          ...(version.lastModifiedBy ? { by: version.lastModifiedBy } : {}),
        }),
      );
    }
  }
  return { record: recordedVersion(entries), appended };
}

/**
 * The registration as the record keeps it: the content the registration's own event carries (the
 * service's fact, whatever happened to the version since); else the version as read now, when nobody
 * but its registrant (or this handler) has changed it. A version someone else changed first is
 * recorded as unrecordable only once its registration event is overdue (REGISTRATION_EVENT_GRACE_MS):
 * until then that event may still come, and undefined leaves the registration to its run.
 */
function registrationToRecord(
  version: ModelVersion,
  change: ModelPackageStateChange,
  now: Date,
): { readonly fingerprint?: string; readonly reason?: string } | undefined {
  if (change.registeredContentFingerprint) return { fingerprint: change.registeredContentFingerprint };
  const registration = registrationRecord(version, self, now);
  if (registration.fingerprint) return { fingerprint: registration.fingerprint };
  if (now.getTime() - version.creationTime.getTime() < REGISTRATION_EVENT_GRACE_MS) return undefined;
  return { reason: registration.reason ?? 'its registered content could not be read' };
}

async function append(
  arn: string,
  draft: (entries: readonly RecordEntry[]) => EntryDraft | undefined,
): Promise<boolean> {
  return (await appendRecordEntry(s3, recordStore, arn, draft)).appended !== undefined;
}

/** The verdict's registry update failed: recorded, and told once per failure reason. */
async function verdictNotApplied(version: ModelVersion, outcome: string, error: Error): Promise<void> {
  const failure = `${error.name}: ${error.message}`.slice(0, 500);
  const told = await append(version.arn, (entries) =>
    recordedVersion(entries).verdict?.failure === failure
      ? undefined
      : { kind: 'verdict-applied', at: new Date().toISOString(), data: { applied: false, failure } },
  );
  if (told)
    await publishNotification(
      sns,
      topicArn,
      recordNotification(version, { kind: 'verdict-not-applied', outcome, failure }),
    );
}

/**
 * The gate's decision, and the pins of what it decided on (artifact-pins.ts): the metrics files as
 * read, and what the version's containers load, as S3 and ECR describe it now (images by digest).
 */
async function decide(
  group: ModelPackageGroupConfig,
  version: ModelVersion,
): Promise<{ decision: GateDecision; artifacts: ArtifactPins }> {
  const gate = group.qualityGate;
  if (!gate) throw new Error(`group "${group.name}" has no quality gate`);
  const modelData = await artifactStates({ s3, ecr }, version.modelData ?? [], { pin: true });
  const { metrics: current, states } = await metricsOf(version.arn, version.version);
  const live = comparesToLive(gate)
    ? await liveVersion(group, version)
    : { kind: 'none' as const, reason: 'not compared' };
  const decision = evaluateGate(gate, current, live);
  if (current.unreadable.length > 0)
    logger.warn('metrics that could not be read', { unreadable: current.unreadable });
  return { decision, artifacts: { modelData: [...modelData.values()], metrics: states } };
}

/** A version's metrics; with `pinned`, read as its verdict pinned them (fail closed when changed). */
async function metricsOf(
  arn: string,
  versionNumber: number,
  pinned?: readonly ObjectState[],
): Promise<{ metrics: VersionMetrics; states: ObjectState[] }> {
  const described = await describeForCard(sagemaker, arn);
  if (!described)
    return {
      metrics: { version: versionNumber, groups: [], unreadable: [`v${versionNumber} no longer exists`] },
      states: [],
    };
  const { evaluations, unreadable, states } = await readMetrics(s3, described.metrics, pinned);
  return {
    metrics: { version: versionNumber, groups: evaluations.flatMap((e) => e.groups), unreadable },
    states,
  };
}

/**
 * The version the gate's live endpoint serves now (by the versioned config name the reconciler gave
 * it), with its metrics as its own verdict pinned them: whoever may write the metrics bucket cannot
 * make a worse candidate beat live by overwriting live's numbers. A live version without pinned
 * metrics (decided before pins existed) cannot be compared: the check is undetermined (a person decides).
 */
async function liveVersion(group: ModelPackageGroupConfig, version: ModelVersion): Promise<LiveVersion> {
  const endpointName = liveEndpointOf(group);
  const endpoint = endpointName ? await describeEndpoint(sagemaker, endpointName) : undefined;
  const live = liveVersionServed(endpointName, endpoint, version);
  if (live.kind === 'none') return live;
  const verdict = await readVerdict(s3, verdictStore, live.arn);
  const { metrics } = await metricsOf(live.arn, live.version, verdict?.artifacts?.metrics ?? []);
  return { kind: 'version', metrics };
}

function sameState(a: ModelVersion, b: ModelVersion): boolean {
  return (
    a.approvalStatus === b.approvalStatus && a.lastModifiedTime?.getTime() === b.lastModifiedTime?.getTime()
  );
}
