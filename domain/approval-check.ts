/**
 * The app's own check of an approval, for groups with separation of duties. Pure.
 *
 * SageMaker keeps only a version's last modifier, and its events name no one, so who approved can
 * only be established by the policy handler reading the registry. The reconciler deploys a version
 * of such a group only once the policy handler has done that: the version's latest change must be
 * the policy handler's own (LastModifiedBy is set by SageMaker from the caller's credentials, and
 * only the policy handler's role acts as that principal). Any later change by anyone else, an edit
 * of the description included, takes the version off the endpoint's candidates until the policy
 * handler has checked it again. The policy handler's check is itself an UpdateModelPackage, so its
 * state-change event runs the reconciler again: nobody has to act twice.
 *
 * With the check, the policy handler writes the fingerprint of the version's deployable content as
 * registered (kept in its own store when it first saw the version). The reconciler refuses a version
 * whose content no longer has that fingerprint: UpdateModelPackage accepts InferenceSpecification,
 * SourceUri and AdditionalInferenceSpecificationsToAdd (botocore's UpdateModelPackageInput) from
 * anyone allowed to update the version, and the condition keys AWS documents for UpdateModelPackage
 * concern the approval status and the lifecycle stage (sagemaker:ModelApprovalStatus,
 * sagemaker:ModelLifeCycle:stage/stageStatus: developer guide, "Set up Staging Construct Examples"),
 * none the containers or the source; so an approver could otherwise rewrite what they approve.
 */

import { createHash } from 'node:crypto';
import { type Hold, hold } from './hold';
import { describePrincipal, type Principal, samePrincipal } from './principal';
import { escapeField, METADATA_VALUE_MAX, unescapeField } from './service-values';

/** Metadata the policy handler writes with its check: who approved (shown only). */
export const APPROVED_BY_KEY = 'model-governance:approved-by';
/**
 * Metadata the policy handler writes with its check: who approved, as a principal to compare
 * (`iam=<ARN> sid=<SourceIdentity> profile=<domain>/<name>`, each field escaped into what
 * CustomerMetadataValue allows: service-values.ts escapeField); trusted only while the version's
 * latest change is the policy handler's (the card reviewer check).
 */
export const APPROVED_BY_PRINCIPAL_KEY = 'model-governance:approved-by-principal';

/** What stands for a principal too long to record: decodes to nobody (a check that needs it fails closed). */
const UNRECORDED_PRINCIPAL = '-';

export function encodePrincipal(p: Principal): string {
  const encoded = [
    p.iam ? `iam=${escapeField(p.iam)}` : undefined,
    p.sourceIdentity ? `sid=${escapeField(p.sourceIdentity)}` : undefined,
    p.userProfile ? `profile=${escapeField(p.userProfile)}` : undefined,
  ]
    .filter((x) => x !== undefined)
    .join(' ');
  // Cut, it would decode to another principal.
  return encoded.length <= METADATA_VALUE_MAX && encoded ? encoded : UNRECORDED_PRINCIPAL;
}

export function decodePrincipal(value: string | undefined): Principal | undefined {
  if (!value) return undefined;
  const fields = Object.fromEntries(
    value.split(' ').flatMap((part) => {
      const i = part.indexOf('=');
      const field = i > 0 ? unescapeField(part.slice(i + 1)) : undefined;
      return field ? [[part.slice(0, i), field]] : [];
    }),
  );
  const p: Principal = {
    ...(fields.iam ? { iam: fields.iam } : {}),
    ...(fields.sid ? { sourceIdentity: fields.sid } : {}),
    ...(fields.profile ? { userProfile: fields.profile } : {}),
  };
  return p.iam || p.sourceIdentity || p.userProfile ? p : undefined;
}

/** Metadata the policy handler writes with its check: the registered content's fingerprint. */
export const CONTENT_KEY = 'model-governance:registered-content-sha256';
/** The CONTENT_KEY value when the registered content could not be recorded: never deployable. */
export const CONTENT_UNRECORDED = 'unrecorded';

/** What a version deploys: the DescribeModelPackage fields UpdateModelPackage can change that a model is made of. */
export interface DeployableContent {
  readonly InferenceSpecification?: unknown;
  readonly AdditionalInferenceSpecifications?: unknown;
  readonly SourceUri?: unknown;
}

/** SHA-256 (hex) of the deployable content, independent of key order. */
export function contentFingerprint(content: DeployableContent): string {
  const canonical = canonicalJson({
    InferenceSpecification: content.InferenceSpecification ?? null,
    AdditionalInferenceSpecifications: content.AdditionalInferenceSpecifications ?? null,
    SourceUri: content.SourceUri ?? null,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

/** SHA-256 (hex) of any JSON value, independent of key order (a model card's content). */
export function jsonFingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** JSON with object keys sorted and undefined members left out: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** What the policy handler keeps of a version when it first sees it (its own store, nobody else writes). */
export interface RegistrationRecord {
  readonly arn: string;
  /** The deployable content's fingerprint as registered; undefined when it could not be recorded. */
  readonly fingerprint?: string;
  /** Why it could not be recorded. */
  readonly reason?: string;
  readonly recordedAt: string;
}

/**
 * The registration record for a version the policy handler sees for the first time: its content is
 * the registrant's while nobody else has changed the version (the policy handler never changes
 * content). Otherwise it cannot be told apart from a rewrite: recorded as unknown (fail closed).
 */
export function registrationRecord(
  v: {
    readonly arn: string;
    readonly contentFingerprint?: string;
    readonly createdByPrincipal?: Principal;
    readonly lastModifiedByPrincipal?: Principal;
    readonly lastModifiedBy?: string;
  },
  self: Principal | undefined,
  now: Date,
): RegistrationRecord {
  const changedBy = v.lastModifiedByPrincipal;
  const registrants =
    !changedBy || samePrincipal(changedBy, v.createdByPrincipal) || samePrincipal(changedBy, self);
  if (registrants && v.contentFingerprint)
    return { arn: v.arn, fingerprint: v.contentFingerprint, recordedAt: now.toISOString() };
  return {
    arn: v.arn,
    reason: `it was changed by ${v.lastModifiedBy ?? (changedBy ? describePrincipal(changedBy) : 'an unknown identity')} before its registered content could be recorded`,
    recordedAt: now.toISOString(),
  };
}

/** Why the reconciler must not deploy this version of a separation-of-duties group yet, or undefined. */
export function approvalCheckHold(facts: {
  readonly lastModifiedBy?: string;
  readonly lastModifiedByPrincipal?: Principal;
  /** The policy handler's principal; undefined when the reconciler was not told it (fail closed). */
  readonly checker?: Principal;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly contentFingerprint?: string;
}): Hold | undefined {
  if (!facts.checker || !samePrincipal(facts.lastModifiedByPrincipal, facts.checker)) {
    const by = facts.lastModifiedBy ?? 'an unknown identity';
    return hold(
      'approval-unchecked',
      `approval not yet checked for separation of duties (latest change by ${by}); the policy handler's check deploys it`,
    );
  }
  const registered = facts.metadata?.[CONTENT_KEY];
  if (!registered || registered === CONTENT_UNRECORDED)
    return hold(
      'content-unrecorded',
      'its registered content was never recorded, so a rewrite cannot be ruled out; register a new version',
    );
  if (registered !== facts.contentFingerprint)
    return hold(
      'content-changed',
      'its deployable content (containers, model data, SourceUri) changed after registration; register a new version',
    );
  return undefined;
}
