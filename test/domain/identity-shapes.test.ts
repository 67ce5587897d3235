/**
 * Every identity shape SageMaker records (UserContext: an IAM user, a role session, a session with a
 * SourceIdentity, a Studio user profile, and names beyond ASCII), through what the policy handler
 * writes (CustomerMetadataProperties, ApprovalDescription), the audit record and the notification:
 * each value is valid by the service's own patterns (service-values.ts), and people are named as
 * people (the Studio user and domain, not the execution role's session).
 */
import { APPROVED_BY_KEY, APPROVED_BY_PRINCIPAL_KEY, decodePrincipal } from '../../domain/approval-check';
import { approvalNotification, buildApprovalAuditRecord } from '../../domain/audit';
import {
  checkMetadata,
  indistinctApproval,
  indistinctApprovalUpdate,
  selfApprovalUpdate,
} from '../../domain/governance-policy';
import { describeIdentity, type UserContextLike } from '../../domain/model-version';
import { principalOf } from '../../domain/principal';
import { isApprovalDescription, isMetadataValue } from '../../domain/service-values';

const ACCOUNT = '111122223333';
const STUDIO_ROLE = `arn:aws:sts::${ACCOUNT}:assumed-role/AmazonSageMaker-ExecutionRole/SageMaker`;
const profile = (domain: string, name: string, sourceIdentity?: string): UserContextLike => ({
  UserProfileArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:user-profile/${domain}/${name}`,
  UserProfileName: name,
  DomainId: domain,
  IamIdentity: { Arn: STUDIO_ROLE, ...(sourceIdentity ? { SourceIdentity: sourceIdentity } : {}) },
});

/** [shape, UserContext, what people must read of it] */
const SHAPES: readonly [string, UserContextLike, string][] = [
  [
    'IAM user',
    { IamIdentity: { Arn: `arn:aws:iam::${ACCOUNT}:user/ana`, PrincipalId: 'AIDAEXAMPLE' } },
    'user/ana',
  ],
  [
    'role session',
    {
      IamIdentity: {
        Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Approver/bob-session`,
        PrincipalId: 'AROAX:bob',
      },
    },
    'assumed-role/Approver/bob-session',
  ],
  [
    'SourceIdentity',
    {
      IamIdentity: {
        Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Approver_1234/bob@example.com`,
        SourceIdentity: 'bob@example.com',
      },
    },
    'bob@example.com (as role AWSReservedSSO_Approver_1234)',
  ],
  ['Studio profile with SourceIdentity', profile('d-abc123', 'bob', 'bob'), 'bob (Studio domain d-abc123)'],
  ['Studio profile without SourceIdentity', profile('d-abc123', 'alice'), 'alice (Studio domain d-abc123)'],
  [
    'names beyond ASCII (an identity provider passing them on)',
    {
      UserProfileName: 'zoë-łukasz',
      DomainId: 'd-ünïcode',
      IamIdentity: {
        Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Rôle/Łukasz`,
        SourceIdentity: 'łukasz@exämple.com',
      },
    },
    'zoë-łukasz (Studio domain d-ünïcode)',
  ],
  [
    'a name with every character the metadata pattern refuses',
    {
      IamIdentity: {
        Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/R/s`,
        SourceIdentity: "o'brien,(qa);#1\n\u2028",
      },
    },
    "o'brien,(qa);#1",
  ],
];

describe.each(SHAPES)('%s', (_shape, user, readable) => {
  const name = describeIdentity(user) ?? '';
  const principal = principalOf(user);

  it('is named for people', () => {
    expect(name).toContain(readable);
    expect(principal).toBeDefined();
  });

  it('the metadata the policy handler writes is valid CustomerMetadataProperties, and decodes to the same principal', () => {
    const metadata = checkMetadata({ fingerprint: 'a'.repeat(64) } as never, name, principal);
    for (const [key, value] of Object.entries(metadata)) {
      expect(isMetadataValue(key)).toBe(true);
      expect(isMetadataValue(value)).toBe(true);
    }
    expect(metadata[APPROVED_BY_KEY]).toBeDefined();
    const encoded = metadata[APPROVED_BY_PRINCIPAL_KEY];
    // Recorded whole, or not at all: a cut encoding would decode to someone else.
    const decoded = decodePrincipal(encoded);
    if (decoded) expect(decoded).toEqual(principal);
  });

  it('every ApprovalDescription the policy handler writes about it is valid', () => {
    expect(isApprovalDescription(selfApprovalUpdate(name).description ?? '')).toBe(true);
    const held = indistinctApproval({
      createdBy: name,
      lastModifiedBy: name,
      createdByPrincipal: { iam: `arn:aws:iam::${ACCOUNT}:role/Shared` },
      lastModifiedByPrincipal: { iam: `arn:aws:iam::${ACCOUNT}:role/Shared` },
    });
    expect(held).toBeDefined();
    const description = held ? (indistinctApprovalUpdate(held).description ?? '') : '';
    expect(isApprovalDescription(description)).toBe(true);
    expect(description).toContain('ExecutionRoleIdentityConfig');
  });

  it('the audit record and the notification name the person; the subject is what SNS takes', () => {
    const version = {
      arn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model-package/churn/3`,
      groupName: 'churn',
      version: 3,
      approvalStatus: 'Approved' as const,
      approvalDescription: `approved by ${name}`,
      createdBy: 'alice (Studio domain d-abc123)',
      lastModifiedBy: name,
      creationTime: new Date('2026-12-05T08:00:00Z'),
      lastModifiedTime: new Date('2026-12-05T08:10:00Z'),
    };
    const record = buildApprovalAuditRecord(
      {
        eventId: 'e-1',
        time: '2026-12-05T08:10:01Z',
        groupName: 'churn',
        modelPackageArn: version.arn,
        reportedApprovalStatus: 'Approved',
      },
      version,
    );
    expect(record.changedBy).toBe(name);
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
    const note = approvalNotification(record);
    expect(note.message).toContain(`Changed by:  ${name}`);
    expect(note.message).not.toMatch(/assumed-role\/AmazonSageMaker-ExecutionRole\/SageMaker/);
    expect(note.subject.length).toBeLessThanOrEqual(100);
    expect(note.subject).toMatch(/^[\x20-\x7e]+$/);
  });
});
