/**
 * The SageMaker wire protocol (AWS JSON 1.1) as the local endpoint speaks it: requests name their
 * operation in X-Amz-Target, errors are `{ "__type", "message" }` with HTTP 400.
 */

export const ACCOUNT_ID = '123456789012';

/** An error the service would return: the SDK turns `name` into the exception class. */
export class ServiceError extends Error {
  constructor(
    readonly code:
      | 'ValidationException'
      | 'ResourceNotFound'
      | 'ResourceLimitExceeded'
      | 'ResourceInUse'
      | 'ConflictException'
      | 'AccessDeniedException'
      | 'InternalFailure'
      | 'RepositoryNotFoundException'
      | 'InvalidParameterException',
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const validation = (message: string) => new ServiceError('ValidationException', message);
export const notFound = (message: string) => new ServiceError('ResourceNotFound', message);

/** Who is calling and where, read from the SigV4 Authorization header. */
export interface CallContext {
  readonly region: string;
  readonly accessKeyId: string;
  /** The caller's account: every call is served from (and moto keeps state in) this account. */
  readonly account: string;
  /** The access key id without its account: what names the caller (see callerIdentity). */
  readonly principal: string;
  /** The Authorization header to forward to moto (moto reads the region from it). */
  readonly authorization: string;
}

/**
 * An access key id `<12 digits>:<rest>` calls from that account as `<rest>` (`222222222222:alice`
 * is the IAM user alice of account 222222222222); any other key calls from `defaultAccount`. Local
 * mode's stand-in for credentials that belong to an account, as STS-issued ones do.
 */
export const ACCOUNT_KEY = /^(\d{12}):(.+)$/;

export function callContext(
  authorization: string | undefined,
  fallbackRegion: string,
  defaultAccount = ACCOUNT_ID,
): CallContext {
  const match = /Credential=([^/]+)\/\d{8}\/([^/]+)\//.exec(authorization ?? '');
  const region = match?.[2] ?? fallbackRegion;
  const accessKeyId = match?.[1] ?? 'local';
  const scoped = ACCOUNT_KEY.exec(accessKeyId);
  return {
    region,
    accessKeyId,
    account: scoped?.[1] ?? defaultAccount,
    principal: scoped?.[2] ?? accessKeyId,
    authorization:
      authorization ??
      `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/${region}/sagemaker/aws4_request, SignedHeaders=host, Signature=0`,
  };
}

/**
 * The identity SageMaker records as CreatedBy/LastModifiedBy for an API caller: an IAM identity.
 * Locally the access key id stands for the caller (after its account, if it names one: ACCOUNT_KEY):
 * - `alice` → the IAM user `arn:aws:iam::<account>:user/alice` (PrincipalId `alice`);
 * - `role=Approver@release-7` → the role session `arn:aws:sts::<account>:assumed-role/Approver/release-7`,
 *   as STS names an AssumeRole caller (PrincipalId `AROA<ROLE>:release-7`);
 * - `role=Approver@release-7~ana` → the same session carrying the SourceIdentity `ana`, which STS
 *   keeps through role chaining and SageMaker reports in `IamIdentity.SourceIdentity`;
 * - `studio=d-abc@alice` → the Studio user profile `alice` of domain `d-abc`, as SageMaker records a
 *   Studio user (UserContext: UserProfileArn, UserProfileName, DomainId, IamIdentity): every profile
 *   of the domain runs as the domain's one execution role (`StudioExecution-<domain>`, session
 *   `SageMaker`, the session name Studio's apps use), and the domain's
 *   `ExecutionRoleIdentityConfig` is `USER_PROFILE_NAME`, so the session carries the SourceIdentity
 *   `alice`;
 * - `studio-nosi=d-abc@alice` → the same user of a domain without that setting (the default,
 *   `DISABLED`): no SourceIdentity, nothing but the profile tells its users apart.
 * (`/` cannot appear in an access key id here: it ends the key in SigV4's credential scope.)
 * Sources: botocore's UserContext and IamIdentity shapes; SageMaker developer guide, "Monitoring user
 * resource access from Amazon SageMaker AI Studio"; API reference, DomainSettings
 * ExecutionRoleIdentityConfig.
 */
export function callerIdentity(ctx: CallContext): LocalUserContext {
  const studio = STUDIO_USER_KEY.exec(ctx.principal);
  if (studio) {
    const [, setting, domain, profile] = studio as unknown as [string, string, string, string];
    const role = studioExecutionRole(domain);
    return {
      UserProfileArn: `arn:aws:sagemaker:${ctx.region}:${ctx.account}:user-profile/${domain}/${profile}`,
      UserProfileName: profile,
      DomainId: domain,
      IamIdentity: {
        Arn: `arn:aws:sts::${ctx.account}:assumed-role/${role}/SageMaker`,
        PrincipalId: `${rolePrincipalId(role)}:SageMaker`,
        ...(setting === 'studio' ? { SourceIdentity: profile } : {}),
      },
    };
  }
  const session = /^role=([\w+=,.@-]{1,64})@([\w+=,.@-]{2,64}?)(?:~([\w+=,.@-]{2,64}))?$/.exec(ctx.principal);
  if (session) {
    const [, role, sessionName, sourceIdentity] = session;
    return {
      IamIdentity: {
        Arn: `arn:aws:sts::${ctx.account}:assumed-role/${role}/${sessionName}`,
        PrincipalId: `${rolePrincipalId(String(role))}:${sessionName}`,
        ...(sourceIdentity ? { SourceIdentity: sourceIdentity } : {}),
      },
    };
  }
  return {
    IamIdentity: {
      Arn: `arn:aws:iam::${ctx.account}:user/${ctx.principal}`,
      PrincipalId: ctx.principal,
    },
  };
}

/** The UserContext the local SageMaker records for a caller (botocore's UserContext shape). */
export type LocalUserContext = {
  readonly UserProfileArn?: string;
  readonly UserProfileName?: string;
  readonly DomainId?: string;
  readonly IamIdentity: {
    readonly Arn: string;
    readonly PrincipalId: string;
    readonly SourceIdentity?: string;
  };
};

/**
 * `studio=<domain>@<profile>` or `studio-nosi=<domain>@<profile>`: DomainId (`d-(-*[a-z0-9]){1,61}`)
 * and UserProfileName (`[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`) as botocore's patterns allow them.
 */
export const STUDIO_USER_KEY =
  /^(studio|studio-nosi)=(d-(?:-*[a-z0-9]){1,61})@([a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62})$/;

/** The execution role every user profile of a local Studio domain runs as. */
export function studioExecutionRole(domain: string): string {
  return `StudioExecution-${domain}`.slice(0, 64);
}

/** A role's unique id as STS shows it (`AROA…`), made up locally from its name. */
function rolePrincipalId(role: string): string {
  return `AROA${role
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')
    .slice(0, 17)}`;
}

export function arn(ctx: CallContext, resource: string): string {
  return `arn:aws:sagemaker:${ctx.region}:${ctx.account}:${resource}`;
}

/** JSON 1.1 timestamps are epoch seconds. */
export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

export function requireString(
  body: Record<string, unknown>,
  key: string,
  pattern?: RegExp,
  max = 2048,
): string {
  const value = body[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw validation(
      `1 validation error detected: Value null at '${lowerFirst(key)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  if (value.length > max) {
    throw validation(
      `1 validation error detected: Value '${value}' at '${lowerFirst(key)}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
    );
  }
  if (pattern && !pattern.test(value)) {
    throw validation(
      `1 validation error detected: Value '${value}' at '${lowerFirst(key)}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern.source}`,
    );
  }
  return value;
}

export function requireOneOf<T extends string>(
  body: Record<string, unknown>,
  key: string,
  allowed: readonly T[],
): T {
  const value = body[key];
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw validation(
      `1 validation error detected: Value '${String(value)}' at '${lowerFirst(key)}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
    );
  }
  return value as T;
}

/** SageMaker's EntityName pattern. */
export const ENTITY_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
/** Lineage entity names allow up to 120 characters. */
export const LINEAGE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}$/;

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** The same caller, calling as another account: how the service reads a resource it shares. */
export function inAccount(ctx: CallContext, account: string, region = ctx.region): CallContext {
  return { ...ctx, account, region };
}
