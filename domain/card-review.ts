/**
 * The card gate's review, made hard to get around. Pure.
 *
 * - The content reviewed must be the content the model-cards handler generated: UpdateModelCard
 *   takes Content from anyone allowed to call it, and its only IAM resource is the card (the
 *   Service Authorization Reference lists no condition key for UpdateModelCard), so an approver
 *   could write the card's content themselves and approve it. The handler keeps the SHA-256 of what
 *   it wrote where only it writes; a card whose content differs is not taken as reviewed.
 * - The reviewer must not be the version's approver (per group, `cardReviewerMustDiffer`, on by
 *   default with the card gate), compared as separation of duties compares persons (principal.ts
 *   comparePersons): two Studio users of one execution role are two persons when SageMaker recorded
 *   a SourceIdentity for each; without one, they cannot be told apart, and the card is held.
 *   The reviewer is the card's LastModifiedBy (setting Approved is its latest change, and any later
 *   content change moves it off the recorded content). The approver is the one the policy handler
 *   recorded with its check (separation-of-duties groups: APPROVED_BY_PRINCIPAL_KEY, trusted only
 *   while its check is the version's latest change), else the version's LastModifiedBy.
 */

import { APPROVED_BY_PRINCIPAL_KEY, decodePrincipal } from './approval-check';
import { STUDIO_SOURCE_IDENTITY_SETTING } from './governance-policy';
import type { RecordedVersion } from './governance-record';
import { type Hold, hold } from './hold';
import type { ModelVersion } from './model-version';
import {
  comparePersons,
  describePrincipal,
  type Principal,
  samePrincipal,
  sharedRole,
  studioDomainOf,
} from './principal';

export interface CardReviewFacts {
  readonly cardName: string;
  readonly cardStatus?: string;
  /** SHA-256 of the card's content as it is now (approval-check.ts jsonFingerprint). */
  readonly cardContentSha256?: string;
  /** SHA-256 of the content the model-cards handler generated; undefined when none is recorded or readable. */
  readonly cardRecordedSha256?: string;
  readonly cardReviewedBy?: string;
  readonly cardReviewerPrincipal?: Principal;
  readonly approvedBy?: string;
  readonly approverPrincipal?: Principal;
}

/** Why the card gate holds the version, or undefined when its card is reviewed as it must be. */
export function cardReviewHold(
  group: { readonly cardReviewerMustDiffer?: boolean },
  facts: CardReviewFacts,
): Hold | undefined {
  if (facts.cardStatus !== 'Approved')
    return hold(
      'card-not-approved',
      `model card ${facts.cardName} is ${facts.cardStatus ?? 'missing'}; a reviewer must set it to Approved before it deploys`,
    );
  if (!facts.cardRecordedSha256 || facts.cardContentSha256 !== facts.cardRecordedSha256)
    return hold(
      'card-content-not-generated',
      `model card ${facts.cardName}'s content is not what model-governance generated for it (last changed by ${facts.cardReviewedBy ?? 'an unknown identity'}), so it is not taken as reviewed; it is rebuilt on the version's next change, then a reviewer must approve it`,
    );
  if (group.cardReviewerMustDiffer) {
    if (!facts.cardReviewerPrincipal || !facts.approverPrincipal)
      return hold(
        'card-reviewer-unidentified',
        `model card ${facts.cardName}'s reviewer or the version's approver cannot be identified, so the review cannot be shown to be another person's; review the card again`,
      );
    const reviewer = facts.cardReviewedBy ?? describePrincipal(facts.cardReviewerPrincipal);
    const persons = comparePersons(facts.cardReviewerPrincipal, facts.approverPrincipal);
    if (persons === 'same')
      return hold(
        'card-reviewer-is-approver',
        `model card ${facts.cardName} was reviewed by ${reviewer}, who approved the version; another person must review it`,
      );
    if (persons === 'indistinct') {
      const role = sharedRole(facts.cardReviewerPrincipal, facts.approverPrincipal);
      const domain = studioDomainOf(facts.cardReviewerPrincipal) ?? studioDomainOf(facts.approverPrincipal);
      return hold(
        'card-reviewer-indistinct-shared-role',
        `model card ${facts.cardName} was reviewed by ${reviewer} and the version approved by ${facts.approvedBy ?? describePrincipal(facts.approverPrincipal)}, both as the same execution role${role ? ` (${role.split('/').pop()})` : ''} with no source identity to tell them apart, so the review cannot be shown to be another person's. Ask your administrator to set ${STUDIO_SOURCE_IDENTITY_SETTING} to USER_PROFILE_NAME on ${domain ? `Studio domain ${domain}` : 'the Studio domain'}, then ask ${reviewer} to review the card again`,
      );
    }
  }
  return undefined;
}

/**
 * Who approved the version, as far as the reconciler can tell (see the module comment). With the
 * governance record, only the record says: the principal of the change that approved it, read when
 * that change was made; an approval the record could not attribute has no approver (fail closed).
 */
export function versionApprover(
  v: Pick<ModelVersion, 'lastModifiedBy' | 'lastModifiedByPrincipal' | 'metadata'> | undefined,
  checker: Principal | undefined,
  record?: RecordedVersion,
): { readonly approvedBy?: string; readonly approverPrincipal?: Principal } {
  if (record) {
    const a = record.approval;
    if (a?.status !== 'Approved' || !a.by) return {};
    return { approvedBy: a.byName ?? describePrincipal(a.by), approverPrincipal: a.by };
  }
  if (!v) return {};
  if (checker && samePrincipal(v.lastModifiedByPrincipal, checker)) {
    const recorded = decodePrincipal(v.metadata?.[APPROVED_BY_PRINCIPAL_KEY]);
    return recorded ? { approvedBy: describePrincipal(recorded), approverPrincipal: recorded } : {};
  }
  return {
    ...(v.lastModifiedBy ? { approvedBy: v.lastModifiedBy } : {}),
    ...(v.lastModifiedByPrincipal ? { approverPrincipal: v.lastModifiedByPrincipal } : {}),
  };
}
