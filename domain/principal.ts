/**
 * Who did something, as a principal rather than a string. Pure.
 *
 * SageMaker records CreatedBy/LastModifiedBy as a UserContext: a Studio user profile, and/or the IAM
 * identity that made the call. Two identities are the same party when:
 * - their IAM principals are the same: a role session counts as its role, whatever the session
 *   name (`arn:aws:sts::A:assumed-role/Role/any-session` → role `Role` in account `A`), an IAM user
 *   as itself (path ignored: names are unique per account);
 * - or both carry the same STS SourceIdentity (set once by the identity provider or by SageMaker
 *   Studio, and kept through role chaining): the person behind different roles;
 * - or both name the same Studio user profile of the same domain.
 *
 * Two identities are the same *person* (comparePersons, what separation of duties asks) by a
 * different rule, because a standard SageMaker Studio domain runs every user profile as one shared
 * execution role (docs/studio-users.md has the sources):
 * - when both carry a SourceIdentity, persons are told apart by it and by their Studio user profile,
 *   not by the role they share: SageMaker sets the SourceIdentity to the user profile's name when the
 *   domain's `ExecutionRoleIdentityConfig` is `USER_PROFILE_NAME`, and STS lets no session change a
 *   SourceIdentity once set (STS API reference, AssumeRole `SourceIdentity`; IAM User Guide,
 *   "Monitor and control actions taken with assumed roles"; SageMaker developer guide, "Monitoring
 *   user resource access from Amazon SageMaker AI Studio");
 * - when they share a role and either lacks a SourceIdentity, nothing SageMaker records tells the
 *   people apart: anyone who can act as the role can act for any profile. That is `indistinct`,
 *   neither the same person nor another one (fail closed, without blaming anyone);
 * - otherwise, as samePrincipal: a shared IAM principal, SourceIdentity or Studio user profile is the
 *   same person; none of them shared is another person.
 *
 * What cannot be known here: an IAM user and a Studio user profile of the same person, unless both
 * sessions carry the same SourceIdentity.
 */
import type { UserContextLike } from './model-version';

export interface Principal {
  /** The IAM principal: `arn:<partition>:iam::<account>:role/<name>`, `…:user/<name>`, `…:root`, or the ARN as given. */
  readonly iam?: string;
  readonly sourceIdentity?: string;
  /** `<domain>/<user profile>` */
  readonly userProfile?: string;
}

const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/;
/** `arn:<partition>:sagemaker:<region>:<account>:user-profile/<domain>/<profile>` */
const USER_PROFILE_ARN = /^arn:aws[a-z-]*:sagemaker:[^:]*:\d{12}:user-profile\/([^/]+)\/([^/]+)$/;
const IAM_ENTITY = /^arn:(aws[a-z-]*):iam::(\d{12}):(user|role)\/(?:.*\/)?([^/]+)$/;

/** The IAM principal an ARN acts as: a role session as its role, a user or role without its path. */
export function iamPrincipal(arn: string): string {
  const session = ASSUMED_ROLE.exec(arn);
  if (session) return `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`;
  const entity = IAM_ENTITY.exec(arn);
  if (entity) return `arn:${entity[1]}:iam::${entity[2]}:${entity[3]}/${entity[4]}`;
  return arn;
}

export function principalOf(user: UserContextLike | undefined): Principal | undefined {
  if (!user) return undefined;
  const arn = user.IamIdentity?.Arn;
  const fromArn = USER_PROFILE_ARN.exec(user.UserProfileArn ?? '');
  const profile = user.UserProfileName
    ? `${user.DomainId ?? fromArn?.[1] ?? ''}/${user.UserProfileName}`
    : fromArn
      ? `${fromArn[1]}/${fromArn[2]}`
      : user.UserProfileArn;
  const principal: Principal = {
    ...(arn ? { iam: iamPrincipal(arn) } : {}),
    ...(user.IamIdentity?.SourceIdentity ? { sourceIdentity: user.IamIdentity.SourceIdentity } : {}),
    ...(profile ? { userProfile: profile } : {}),
  };
  return principal.iam || principal.sourceIdentity || principal.userProfile ? principal : undefined;
}

/** Whether two identities are the same party (see the module comment). Unknown is never the same. */
export function samePrincipal(a: Principal | undefined, b: Principal | undefined): boolean {
  if (!a || !b) return false;
  return (
    (a.iam !== undefined && a.iam === b.iam) ||
    (a.sourceIdentity !== undefined && a.sourceIdentity === b.sourceIdentity) ||
    (a.userProfile !== undefined && a.userProfile === b.userProfile)
  );
}

/** How two identities compare as persons (see the module comment). */
export type PersonComparison = 'same' | 'different' | 'indistinct';

/**
 * Whether `a` and `b` are the same person, another person, or cannot be told apart. Unknown identities
 * are `indistinct`: never taken as the same, never as another person.
 */
export function comparePersons(a: Principal | undefined, b: Principal | undefined): PersonComparison {
  if (!a || !b) return 'indistinct';
  if (a.sourceIdentity !== undefined && b.sourceIdentity !== undefined) {
    // The same Studio user profile is the same person whatever the SourceIdentity says (fail closed).
    if (a.sourceIdentity === b.sourceIdentity) return 'same';
    return a.userProfile !== undefined && a.userProfile === b.userProfile ? 'same' : 'different';
  }
  if (a.userProfile !== undefined && a.userProfile === b.userProfile) return 'same';
  // One IAM user (or root) is one person; one role may be many (a Studio domain's execution role).
  if (a.iam !== undefined && a.iam === b.iam) return /:role\//.test(a.iam) ? 'indistinct' : 'same';
  return samePrincipal(a, b) ? 'same' : 'different';
}

/** The IAM role two identities share, when they share one (a Studio domain's execution role). */
export function sharedRole(a: Principal | undefined, b: Principal | undefined): string | undefined {
  return a?.iam !== undefined && a.iam === b?.iam && /:role\//.test(a.iam) ? a.iam : undefined;
}

/** The Studio domain of an identity's user profile (`<domain>/<profile>`), when it names one. */
export function studioDomainOf(p: Principal | undefined): string | undefined {
  const domain = p?.userProfile?.split('/')[0];
  return domain ? domain : undefined;
}

/** A principal for a person to read. */
export function describePrincipal(p: Principal): string {
  const parts = [
    p.userProfile ? `user profile ${p.userProfile}` : undefined,
    p.iam,
    p.sourceIdentity ? `source identity ${p.sourceIdentity}` : undefined,
  ].filter((x): x is string => x !== undefined);
  return parts.join(', ');
}
