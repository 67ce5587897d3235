/**
 * Why a deployment gate holds a version back, as a code the planner and people's tools branch on, and
 * a sentence for people. Nothing decides by the sentence.
 */

/** Every reason a version that would be served is not. */
export type HoldCode =
  // Separation of duties (governance-policy.ts, approval-check.ts)
  | 'registrant-unidentified'
  | 'self-approved'
  | 'approver-indistinct-shared-role'
  | 'approval-unchecked'
  | 'content-unrecorded'
  | 'content-changed'
  // Governance record (governance-record.ts)
  | 'registration-unrecorded'
  | 'verdict-failed'
  // Quality gate (artifact-pins.ts)
  | 'verdict-pending'
  | 'verdict-missing'
  | 'verdict-unpinned'
  | 'model-data-not-pinned'
  | 'artifact-unreadable'
  | 'artifact-changed'
  // Lifecycle stage (stage-check.ts)
  | 'stage-unchecked'
  | 'stage-not-honoured'
  // Card gate (card-review.ts)
  | 'card-not-approved'
  | 'card-content-not-generated'
  | 'card-reviewer-unidentified'
  | 'card-reviewer-is-approver'
  | 'card-reviewer-indistinct-shared-role'
  // The deployment itself
  | 'name-taken'
  | 'shadow-refused'
  | 'shadow-failed'
  // Monitoring (monitoring-plan.ts): the version lacks the baselines its target's monitors need
  | 'missing-monitoring-baselines'
  // Monitoring: a violation on the live version holds newer ones until a person clears it (onViolation: hold)
  | 'monitoring-violation-hold';

export interface Hold {
  readonly code: HoldCode;
  /** For people: what holds it and what to do. */
  readonly detail: string;
}

/**
 * Holds that last only until the policy handler's own registry update or record (its approval or
 * stage check, its quality gate verdict, the version's registration, about a second), whose event deploys the version: logged, never notified.
 */
export const QUIET_HOLDS = [
  'approval-unchecked',
  'verdict-pending',
  'stage-unchecked',
  'registration-unrecorded',
] as const satisfies readonly HoldCode[];

/** A hold that is a short wait for the policy handler (QUIET_HOLDS). */
export type QuietHoldCode = (typeof QUIET_HOLDS)[number];

export function hold(code: HoldCode, detail: string): Hold {
  return { code, detail };
}

/** A hold that is a short wait for the policy handler, not something people must act on. */
export function isQuietWait<H extends Pick<Hold, 'code'>>(h: H): h is H & { readonly code: QuietHoldCode } {
  return (QUIET_HOLDS as readonly HoldCode[]).includes(h.code);
}
