/**
 * Who set a version's ModelLifeCycle stage, and whether a deployment target may honour it (a
 * registrar who sets the stage at CreateModelPackage would otherwise skip promotion). Pure.
 *
 * SageMaker's staging construct ("Staging Construct for your Model Lifecycle", "Set up Staging
 * Construct Examples" in the developer guide) lets anyone allowed to call CreateModelPackage or
 * UpdateModelPackage set `ModelLifeCycle` (Stage, StageStatus), gated only by the condition keys
 * `sagemaker:ModelLifeCycle:Stage`/`:StageStatus` (Service Authorization Reference). A target that
 * serves "the newest approved version at a stage" would otherwise serve a stage its own registrant
 * gave it. So a stage is honoured only when the policy handler has recorded that a principal other
 * than the registrant set it:
 *
 * - the setter is the LastModifiedBy of the UpdateModelPackage that set it. DescribeModelPackage
 *   keeps only the last modifier and events name nobody, so the policy handler attributes a stage
 *   only from the event of the change that set it, while that change is still the version's latest
 *   (its `UpdatedModelPackageFields` lists ModelLifeCycle, its LastModifiedTime is the registry's);
 * - a stage a version was registered with is its registrant's;
 * - anything else (another change buried the stage change before the handler read it, an event
 *   without UpdatedModelPackageFields) cannot be attributed: not honoured (fail closed), and the
 *   notification says to set the stage again.
 *
 * The record is kept in the audit bucket where only the policy handler writes; the verdict travels
 * with the version as metadata the policy handler writes (`STAGE_CHECK_KEY`), trusted by the
 * reconciler only while the version's latest change is the policy handler's own (as the approval
 * check, approval-check.ts), so it reaches deployment accounts without a shared store.
 */

import type { DeploymentTarget } from '../core/config/types';
import type { ModelPackageStateChange } from './events';
import { type Hold, hold } from './hold';
import type { ModelLifeCycle, ModelVersion } from './model-version';
import { describePrincipal, type Principal, samePrincipal } from './principal';
import { metadataValue } from './service-values';

/** Metadata the policy handler writes: `honoured:<Stage>/<StageStatus>`, or why the stage is not honoured. */
export const STAGE_CHECK_KEY = 'model-governance:stage-check';
/** Metadata the policy handler writes: who set the stage (shown only). */
export const STAGE_SET_BY_KEY = 'model-governance:stage-set-by';

/** What the policy handler keeps of the version's current stage (its own store). */
export interface StageRecord {
  readonly arn: string;
  readonly stage: string;
  readonly stageStatus: string;
  /** When the change that set it was made (the registry's LastModifiedTime, or the registration). */
  readonly setAt?: string;
  readonly setBy?: string;
  readonly setByPrincipal?: Principal;
  /** Whether a deployment target may serve the version at this stage. */
  readonly honoured: boolean;
  /** Why not, as a code (CustomerMetadataProperties values allow no punctuation) and for people. */
  readonly code?: NotHonoured;
  readonly reason?: string;
  readonly recordedAt: string;
}

/** Why a stage is not honoured. */
export type NotHonoured = 'set-at-registration' | 'set-by-registrant' | 'registrant-unknown' | 'unattributed';

/** What each code means, for people (the reconciler's hold, the notification). */
export const NOT_HONOURED: Record<NotHonoured | 'not-recorded', string> = {
  'set-at-registration':
    'it was set with the registration, by its registrant; a principal other than the registrant must set the stage',
  'set-by-registrant':
    'its registrant set it, and a registrant cannot also promote their version; a principal other than the registrant must set the stage',
  'registrant-unknown':
    'its registrant cannot be identified, so the stage setter cannot be shown to be someone else',
  unattributed:
    'who set it cannot be established (another change came after it before it was recorded); set the stage again',
  'not-recorded': 'the policy handler has not recorded who set it yet',
};

export function stageName(l: Pick<ModelLifeCycle, 'stage' | 'stageStatus'>): string {
  return `${l.stage}/${l.stageStatus}`;
}

/** The same instant, give or take the millisecond that epoch-seconds floats lose in transit. */
function sameInstant(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1;
}

/**
 * The record of a stage transition, when the version's stage is not the one recorded; undefined when
 * nothing changed, or when this event is not the change that set it (that change's own event decides).
 */
export function stageTransition(
  v: Pick<
    ModelVersion,
    | 'arn'
    | 'lifeCycle'
    | 'creationTime'
    | 'lastModifiedTime'
    | 'createdBy'
    | 'createdByPrincipal'
    | 'lastModifiedBy'
    | 'lastModifiedByPrincipal'
  >,
  kept: StageRecord | undefined,
  event:
    | Pick<ModelPackageStateChange, 'reportedAt' | 'updatedFields' | 'reportedStage' | 'reportedCreationTime'>
    | undefined,
  self: Principal | undefined,
  now: Date,
): StageRecord | undefined {
  const l = v.lifeCycle;
  if (!l) return undefined;
  const reportedAt = event?.reportedAt ? Date.parse(event.reportedAt) : Number.NaN;
  const modifiedAt = v.lastModifiedTime?.getTime();
  const latest = !Number.isNaN(reportedAt) && modifiedAt !== undefined && sameInstant(reportedAt, modifiedAt);
  // The stage set again (the same stage, by someone else) is a transition of its own.
  const setAgain =
    latest &&
    event?.updatedFields?.includes('ModelLifeCycle') &&
    !(kept?.setAt && modifiedAt !== undefined && sameInstant(Date.parse(kept.setAt), modifiedAt));
  if (kept && kept.stage === l.stage && kept.stageStatus === l.stageStatus && !setAgain) return undefined;
  const base = { arn: v.arn, stage: l.stage, stageStatus: l.stageStatus, recordedAt: now.toISOString() };
  const changed = modifiedAt !== undefined && !sameInstant(modifiedAt, v.creationTime.getTime());
  // The registration's own event, reporting this stage: CreateModelPackage set it (whatever came since).
  const registeredAt = event?.reportedCreationTime ? Date.parse(event.reportedCreationTime) : Number.NaN;
  const registration =
    !event?.updatedFields &&
    !Number.isNaN(reportedAt) &&
    sameInstant(reportedAt, v.creationTime.getTime()) &&
    !Number.isNaN(registeredAt) &&
    sameInstant(registeredAt, v.creationTime.getTime()) &&
    event?.reportedStage === stageName(l);
  if (!changed || !v.lastModifiedByPrincipal || (registration && !setAgain)) {
    // Never changed since registration, or the registration's event reports it: CreateModelPackage set the stage.
    return {
      ...base,
      setAt: v.creationTime.toISOString(),
      ...(v.createdBy ? { setBy: v.createdBy } : {}),
      ...(v.createdByPrincipal ? { setByPrincipal: v.createdByPrincipal } : {}),
      honoured: false,
      code: 'set-at-registration',
      reason: NOT_HONOURED['set-at-registration'],
    };
  }
  if (!latest && !Number.isNaN(reportedAt) && reportedAt < (modifiedAt ?? 0)) {
    // An older change's event: the latest change's own event attributes the stage.
    return undefined;
  }
  const setter = v.lastModifiedByPrincipal;
  if (!latest || !event?.updatedFields?.includes('ModelLifeCycle') || samePrincipal(setter, self)) {
    return { ...base, honoured: false, code: 'unattributed', reason: NOT_HONOURED.unattributed };
  }
  const setBy = v.lastModifiedBy ?? describePrincipal(setter);
  const attributed = { ...base, setAt: v.lastModifiedTime?.toISOString(), setBy, setByPrincipal: setter };
  if (!v.createdByPrincipal)
    return {
      ...attributed,
      honoured: false,
      code: 'registrant-unknown',
      reason: NOT_HONOURED['registrant-unknown'],
    };
  if (samePrincipal(setter, v.createdByPrincipal))
    return {
      ...attributed,
      honoured: false,
      code: 'set-by-registrant',
      reason: `${setBy} registered this version and cannot also promote it; a principal other than the registrant must set the stage`,
    };
  return { ...attributed, honoured: true };
}

/** The metadata value the policy handler writes for the version's current stage. */
export function stageCheckValue(v: Pick<ModelVersion, 'lifeCycle'>, record: StageRecord | undefined): string {
  const l = v.lifeCycle;
  if (!l) return 'none';
  if (!record || record.stage !== l.stage || record.stageStatus !== l.stageStatus)
    return 'not-honoured:not-recorded';
  return record.honoured ? `honoured:${stageName(l)}` : `not-honoured:${record.code ?? 'unattributed'}`;
}

/** The metadata the policy handler writes with every change it makes to a version of a staged group. */
export function stageMetadata(
  v: Pick<ModelVersion, 'lifeCycle'>,
  record: StageRecord | undefined,
): Record<string, string> {
  return {
    [STAGE_CHECK_KEY]: stageCheckValue(v, record),
    ...(record?.setBy ? { [STAGE_SET_BY_KEY]: metadataValue(record.setBy) } : {}),
  };
}

/** Whether the policy handler must (re)write its stage check: the version is Approved and the check is not its latest change. */
export function stageCheckNeeded(
  v: Pick<ModelVersion, 'lifeCycle' | 'approvalStatus' | 'lastModifiedByPrincipal' | 'metadata'>,
  record: StageRecord | undefined,
  self: Principal | undefined,
): boolean {
  if (!v.lifeCycle || v.approvalStatus !== 'Approved') return false;
  // Not recorded yet, and this run is not the one to attribute it (stageTransition left it to the
  // stage change's own event): a check written now would become the latest change, and that event
  // could no longer attribute the stage.
  if (!record && !samePrincipal(v.lastModifiedByPrincipal, self)) return false;
  return (
    !samePrincipal(v.lastModifiedByPrincipal, self) ||
    v.metadata?.[STAGE_CHECK_KEY] !== stageCheckValue(v, record)
  );
}

/** Whether a group has a target that serves a ModelLifeCycle stage. */
export function servesStages(group: {
  readonly deployments: readonly Pick<DeploymentTarget, 'serve'>[];
}): boolean {
  return group.deployments.some((d) => d.serve.kind === 'lifecycle-stage');
}

/**
 * Why a stage-following target must not serve this version at its stage, or undefined when it may:
 * only while the version's latest change is the policy handler's own check, and the check says a
 * principal other than the registrant set the stage the target follows.
 */
export function stageHold(
  target: Pick<DeploymentTarget, 'serve'>,
  facts: {
    readonly lastModifiedBy?: string;
    readonly lastModifiedByPrincipal?: Principal;
    readonly checker?: Principal;
    readonly metadata?: Readonly<Record<string, string>>;
  },
): Hold | undefined {
  const serve = target.serve;
  if (serve.kind !== 'lifecycle-stage') return undefined;
  const wanted = stageName(serve);
  if (!facts.checker || !samePrincipal(facts.lastModifiedByPrincipal, facts.checker))
    return hold(
      'stage-unchecked',
      `stage not yet checked: ${wanted} (latest change by ${facts.lastModifiedBy ?? 'an unknown identity'}); the policy handler's check deploys it`,
    );
  const check = facts.metadata?.[STAGE_CHECK_KEY];
  if (check === `honoured:${wanted}`) return undefined;
  const code = check?.replace(/^not-honoured:/, '') as keyof typeof NOT_HONOURED | undefined;
  return hold(
    'stage-not-honoured',
    `stage ${wanted} is not honoured: ${(code && NOT_HONOURED[code]) ?? NOT_HONOURED['not-recorded']}`,
  );
}
