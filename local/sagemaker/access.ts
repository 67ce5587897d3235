/**
 * Resource-based policies, evaluated as AWS evaluates them for a caller from another account: the
 * model package groups' (PutModelPackageGroupPolicy, which moto lacks) and the event buses' (kept by
 * moto, enforced by neither moto's PutEvents nor its cross-account targets).
 *
 * Sources:
 * - IAM User Guide, "Policy evaluation logic" and "Cross-account policy evaluation logic": a request
 *   from another account is allowed only when the resource's policy allows it (the caller's own
 *   identity policies are its account's business, not checked here); an explicit Deny wins.
 * - IAM User Guide, "AWS JSON policy elements: Principal": `arn:aws:iam::ACCOUNT:root` and a bare
 *   account id stand for every principal of the account; a role ARN for its sessions.
 * - IAM User Guide, "AWS global condition context keys": `aws:PrincipalArn` of a role session is the
 *   role's ARN; `aws:PrincipalAccount` is the caller's account.
 * - IAM User Guide, "Troubleshoot access denied error messages": the wording of the refusal.
 * - SageMaker developer guide, "Deploy a Model Version from a Different Account" (model registry):
 *   the group's policy grants `sagemaker:DescribeModelPackageGroup` on the group and
 *   `sagemaker:DescribeModelPackage`, `ListModelPackages`, `UpdateModelPackage`, `CreateModel` on
 *   `model-package/<group>/*`.
 */
import { type CallContext, callerIdentity, ServiceError } from './protocol';

type Json = Record<string, unknown>;

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Principal?: unknown;
  readonly Action?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement?: PolicyStatement | readonly PolicyStatement[];
}

/** Who asks, as IAM sees them. */
export interface RequestPrincipal {
  /** The caller's ARN (a role session's `assumed-role/...` ARN). */
  readonly arn: string;
  /** `aws:PrincipalArn`: for a role session, the role's ARN. */
  readonly principalArn: string;
  readonly account: string;
}

export function requestPrincipal(ctx: CallContext): RequestPrincipal {
  const arn = String(callerIdentity(ctx).IamIdentity.Arn);
  const session = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return {
    arn,
    principalArn: session ? `arn:aws:iam::${session[1]}:role/${session[2]}` : arn,
    account: ctx.account,
  };
}

export type Decision = 'allow' | 'deny' | 'no-statement';

/** Whether `policy` allows `action` on `resource` for `principal`, with these condition keys. */
export function evaluate(
  policy: PolicyDocument | undefined,
  principal: RequestPrincipal,
  action: string,
  resource: string,
  context: Readonly<Record<string, string>> = {},
): Decision {
  const statements = ([] as PolicyStatement[]).concat((policy?.Statement as PolicyStatement[]) ?? []);
  const keys: Record<string, string> = {
    'aws:PrincipalArn': principal.principalArn,
    'aws:PrincipalAccount': principal.account,
    ...context,
  };
  const applies = (s: PolicyStatement) =>
    principalMatches(s.Principal, principal) &&
    list(s.Action).some((a) => glob(a.toLowerCase(), action.toLowerCase())) &&
    list(s.Resource).some((r) => glob(r, resource)) &&
    conditionsHold(s.Condition, keys);
  if (statements.some((s) => s.Effect === 'Deny' && applies(s))) return 'deny';
  if (statements.some((s) => s.Effect === 'Allow' && applies(s))) return 'allow';
  return 'no-statement';
}

/** The service's refusal, in IAM's words. */
export function accessDenied(
  principal: RequestPrincipal,
  action: string,
  resource: string,
  decision: Decision,
) {
  const why =
    decision === 'deny'
      ? `with an explicit deny in a resource-based policy`
      : `because no resource-based policy allows the ${action} action`;
  return new ServiceError(
    'AccessDeniedException',
    `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource} ${why}`,
  );
}

function list(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** IAM's `*` and `?` wildcards, over the whole string. */
function glob(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(value);
}

function principalMatches(principal: unknown, who: RequestPrincipal): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  return list((principal as Json).AWS).some((p) => {
    if (p === '*') return true;
    if (/^\d{12}$/.test(p)) return p === who.account;
    const root = /^arn:aws:iam::(\d{12}):root$/.exec(p);
    if (root) return root[1] === who.account;
    return p === who.principalArn || p === who.arn;
  });
}

/**
 * The condition operators the app's policies use. Any other operator or key does not hold (fails
 * closed): a policy that relies on one is refused here, never granted by mistake.
 */
function conditionsHold(
  condition: PolicyStatement['Condition'],
  keys: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(condition ?? {}).every(([operator, entries]) =>
    Object.entries(entries).every(([key, expected]) => {
      const actual = keys[key];
      if (actual === undefined) return false;
      const values = list(expected);
      switch (operator) {
        case 'StringEquals':
        case 'ArnEquals':
          return values.includes(actual);
        case 'StringLike':
        case 'ArnLike':
          return values.some((v) => glob(v, actual));
        default:
          return false;
      }
    }),
  );
}

/** arn:partition:service:region:account:resource */
export function parseArn(
  arn: string,
): { service: string; region: string; account: string; resource: string } | undefined {
  const m = /^arn:aws[a-z-]*:([^:]+):([^:]*):(\d{12}):(.+)$/.exec(arn);
  return m
    ? { service: m[1] as string, region: m[2] as string, account: m[3] as string, resource: m[4] as string }
    : undefined;
}
