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
      | 'InternalFailure',
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
  readonly account: string;
  /** The Authorization header to forward to moto (moto reads the region from it). */
  readonly authorization: string;
}

export function callContext(authorization: string | undefined, fallbackRegion: string): CallContext {
  const match = /Credential=([^/]+)\/\d{8}\/([^/]+)\//.exec(authorization ?? '');
  const region = match?.[2] ?? fallbackRegion;
  const accessKeyId = match?.[1] ?? 'local';
  return {
    region,
    accessKeyId,
    account: ACCOUNT_ID,
    authorization:
      authorization ??
      `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/${region}/sagemaker/aws4_request, SignedHeaders=host, Signature=0`,
  };
}

/**
 * The identity SageMaker records as CreatedBy/LastModifiedBy for an API caller: an IAM identity.
 * Locally the access key id stands for the caller:
 * - `alice` → the IAM user `arn:aws:iam::<account>:user/alice` (PrincipalId `alice`);
 * - `role=Approver@release-7` → the role session `arn:aws:sts::<account>:assumed-role/Approver/release-7`,
 *   as STS names an AssumeRole caller (PrincipalId `AROA<ROLE>:release-7`);
 * - `role=Approver@release-7~ana` → the same session carrying the SourceIdentity `ana`, which STS
 *   keeps through role chaining and SageMaker reports in `IamIdentity.SourceIdentity`.
 */
export function callerIdentity(ctx: CallContext) {
  const session = /^role=([\w+=,.@-]{1,64})@([\w+=,.@-]{2,64}?)(?:~([\w+=,.@-]{2,64}))?$/.exec(
    ctx.accessKeyId,
  );
  if (session) {
    const [, role, sessionName, sourceIdentity] = session;
    return {
      IamIdentity: {
        Arn: `arn:aws:sts::${ctx.account}:assumed-role/${role}/${sessionName}`,
        PrincipalId: `AROA${String(role)
          .toUpperCase()
          .replace(/[^A-Z0-9]/g, '')
          .slice(0, 17)}:${sessionName}`,
        ...(sourceIdentity ? { SourceIdentity: sourceIdentity } : {}),
      },
    };
  }
  return {
    IamIdentity: {
      Arn: `arn:aws:iam::${ctx.account}:user/${ctx.accessKeyId}`,
      PrincipalId: ctx.accessKeyId,
    },
  };
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
