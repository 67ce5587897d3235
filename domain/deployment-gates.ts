/** The deployment gates: what they know of a candidate version, and whether they hold it. */

import type { DeploymentTarget, ModelPackageGroupConfig } from '../core/config/types';
import { approvalCheckHold } from './approval-check';
import { type ArtifactLocation, type ArtifactPins, type ArtifactState, verdictHold } from './artifact-pins';
import { type CardReviewFacts, cardReviewHold } from './card-review';
import {
  indistinctApproval,
  indistinctApprovalReason,
  selfApprover,
  UNIDENTIFIED_REGISTRANT_REMEDY,
  unidentifiedRegistrant,
} from './governance-policy';
import { type RecordedVersion, recordHold } from './governance-record';
import { type Hold, hold } from './hold';
import type { ModelVersion } from './model-version';
import { monitoringHold, type VersionBaselines } from './monitoring-plan';
import type { Principal } from './principal';
import { stageHold } from './stage-check';

/** What the deployment gates know of one candidate version. */
export interface GateFacts extends CardReviewFacts {
  readonly cardName: string;
  /** The card's status; undefined when the card does not exist (yet). */
  readonly cardStatus?: string;
  /** Who registered and who last changed the version (read only when separation of duties is on). */
  readonly createdBy?: string;
  readonly createdByPrincipal?: Principal;
  readonly lastModifiedBy?: string;
  readonly lastModifiedByPrincipal?: Principal;
  /** The policy handler's principal, whose change is its check of the approval (approval-check.ts). */
  readonly checker?: Principal;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly contentFingerprint?: string;
  /** The model data the version names now. */
  readonly modelData?: readonly ArtifactLocation[];
  /**
   * What the governance record says of the version (governance-record.ts); absent when the caller
   * cannot read the record. With it, every governed group's version deploys only with its registered
   * content, and a gated one never with a failed verdict.
   */
  readonly record?: RecordedVersion;
  /** The drift-check baselines it was registered with (read when the target is monitored). */
  readonly baselines?: VersionBaselines;
  /**
   * The quality gate's verdict on the version as the policy handler keeps it, and its pinned model
   * data as S3 shows it now (artifact-pins.ts); absent when the caller cannot read the verdicts.
   */
  readonly gate?: {
    readonly verdict?: { readonly decidedAt: string; readonly artifacts?: ArtifactPins };
    readonly observed: ReadonlyMap<string, ArtifactState>;
    readonly registeredAt: Date;
    readonly now: Date;
  };
}

/** The gate facts a described version gives (the reconciler and mgov read the same ones). */
export function versionGateFacts(
  described:
    | Pick<
        ModelVersion,
        | 'createdBy'
        | 'createdByPrincipal'
        | 'lastModifiedBy'
        | 'lastModifiedByPrincipal'
        | 'metadata'
        | 'contentFingerprint'
        | 'modelData'
        | 'baselines'
      >
    | undefined,
): Omit<GateFacts, 'cardName' | 'cardStatus' | 'checker' | 'gate'> {
  if (!described) return {};
  return {
    createdBy: described.createdBy,
    createdByPrincipal: described.createdByPrincipal,
    lastModifiedBy: described.lastModifiedBy,
    lastModifiedByPrincipal: described.lastModifiedByPrincipal,
    metadata: described.metadata,
    contentFingerprint: described.contentFingerprint,
    ...(described.modelData ? { modelData: described.modelData } : {}),
    ...(described.baselines ? { baselines: described.baselines } : {}),
  };
}

/**
 * Why a target must not deploy this approved version yet, or undefined when it may: the card gate
 * wants a reviewed (Approved) model card; separation of duties refuses a version its registrant
 * approved (the policy handler reverts that approval; this keeps it off the endpoint meanwhile), and
 * any version whose approval the policy handler has not yet checked, or whose deployable content is
 * not the registered one (approval-check.ts); a quality
 * gate wants its verdict kept, and the model data still as the gate pinned it (artifact-pins.ts).
 */
export function deploymentHold(
  group: Pick<ModelPackageGroupConfig, 'separationOfDuties' | 'qualityGate'> &
    Partial<Pick<ModelPackageGroupConfig, 'cardReviewerMustDiffer'>>,
  target: Pick<DeploymentTarget, 'requireApprovedModelCard'> &
    Partial<Pick<DeploymentTarget, 'serve' | 'monitoring' | 'endpointName'>>,
  facts: GateFacts,
): Hold | undefined {
  if (group.separationOfDuties) {
    const unidentified = unidentifiedRegistrant(facts);
    if (unidentified)
      return hold('registrant-unidentified', `${unidentified}; ${UNIDENTIFIED_REGISTRANT_REMEDY}`);
    const self = selfApprover(facts);
    if (self)
      return hold(
        'self-approved',
        `approved by its own registrant (${self}); separation of duties needs another approver`,
      );
    // A shared role without SourceIdentity: neither self-approval nor another person's (principal.ts).
    const indistinct = indistinctApproval(facts);
    if (indistinct) return hold('approver-indistinct-shared-role', indistinctApprovalReason(indistinct));
    const unchecked = approvalCheckHold(facts);
    if (unchecked) return unchecked;
  }
  if (facts.record) {
    const unrecorded = recordHold(facts.record, {
      ...(facts.contentFingerprint ? { contentFingerprint: facts.contentFingerprint } : {}),
      gated: group.qualityGate !== undefined,
    });
    if (unrecorded) return unrecorded;
  }
  if (group.qualityGate && facts.gate) {
    const unverified = verdictHold({ ...facts.gate, locations: facts.modelData ?? [] });
    if (unverified) return unverified;
  }
  if (target.serve) {
    // A stage is served only when someone other than the registrant set it (stage-check.ts).
    const unstaged = stageHold({ serve: target.serve }, facts);
    if (unstaged) return unstaged;
  }
  if (target.monitoring) {
    // The monitors check the live version against its own baselines: without them it is held.
    const unmonitored = monitoringHold(target as DeploymentTarget, facts.baselines ?? {});
    if (unmonitored) return hold('missing-monitoring-baselines', unmonitored);
  }
  if (target.requireApprovedModelCard) return cardReviewHold(group, facts);
  return undefined;
}
