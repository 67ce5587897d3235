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
 * What cannot be known here (documented in the README): an IAM user and a Studio user profile of the
 * same person, unless both sessions carry the same SourceIdentity (Studio domains set it to the user
 * profile name with `ExecutionRoleIdentityConfig: USER_PROFILE_NAME`). Studio profiles that share an
 * execution role count as one party: fail closed.
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
  const profile = user.UserProfileName
    ? `${user.DomainId ?? ''}/${user.UserProfileName}`
    : user.UserProfileArn
      ? user.UserProfileArn
      : undefined;
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

/** A principal for a person to read. */
export function describePrincipal(p: Principal): string {
  const parts = [
    p.userProfile ? `user profile ${p.userProfile}` : undefined,
    p.iam,
    p.sourceIdentity ? `source identity ${p.sourceIdentity}` : undefined,
  ].filter((x): x is string => x !== undefined);
  return parts.join(', ');
}
