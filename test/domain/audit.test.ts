import { approvalNotification, buildApprovalAuditRecord, toSubject } from '../../domain/audit';
import type { ModelPackageStateChange } from '../../domain/events';
import { describeIdentity, type ModelVersion } from '../../domain/model-version';

const change: ModelPackageStateChange = {
  eventId: 'evt-1',
  time: '2026-11-27T10:00:14Z',
  groupName: 'customer-churn',
  modelPackageArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/customer-churn/2',
  version: 2,
  reportedApprovalStatus: 'Approved',
};

const version: ModelVersion = {
  arn: change.modelPackageArn,
  groupName: 'customer-churn',
  version: 2,
  approvalStatus: 'Approved',
  approvalDescription: 'Beats v1 on AUC',
  createdBy: 'pipeline-role',
  lastModifiedBy: 'alice (Studio domain d-123)',
  creationTime: new Date('2026-11-27T09:00:00Z'),
  lastModifiedTime: new Date('2026-11-27T10:00:00Z'),
};

describe('buildApprovalAuditRecord', () => {
  it('records who, why and when from the registry', () => {
    expect(buildApprovalAuditRecord(change, version, 'PendingManualApproval')).toEqual({
      kind: 'model-package-approval',
      eventId: 'evt-1',
      eventTime: '2026-11-27T10:00:14Z',
      groupName: 'customer-churn',
      version: 2,
      modelPackageArn: change.modelPackageArn,
      approvalStatus: 'Approved',
      previousApprovalStatus: 'PendingManualApproval',
      approvalDescription: 'Beats v1 on AUC',
      changedBy: 'alice (Studio domain d-123)',
      registeredBy: 'pipeline-role',
      changedAt: '2026-11-27T10:00:00.000Z',
      registeredAt: '2026-11-27T09:00:00.000Z',
    });
  });

  it('trusts the registry over a stale event, and keeps what the event said', () => {
    const record = buildApprovalAuditRecord(change, { ...version, approvalStatus: 'Rejected' });
    expect(record.approvalStatus).toBe('Rejected');
    expect(record.reportedApprovalStatus).toBe('Approved');
    expect(approvalNotification(record).message).toContain(
      'Note: the event reported Approved; the registry now says Rejected',
    );
  });
});

describe('approvalNotification', () => {
  it('writes a readable message and filterable attributes', () => {
    const n = approvalNotification(buildApprovalAuditRecord(change, version));
    expect(n.subject).toBe('[model-governance] customer-churn v2 approved');
    expect(n.message.split('\n')).toEqual([
      'Model package customer-churn version 2 is approved.',
      '',
      'Status:      Approved',
      'Changed by:  alice (Studio domain d-123)',
      'Changed at:  2026-11-27T10:00:00.000Z',
      'Reason:      Beats v1 on AUC',
      'Registered:  2026-11-27T09:00:00.000Z by pipeline-role',
      `ARN:         ${change.modelPackageArn}`,
    ]);
    expect(n.attributes).toEqual({
      group: 'customer-churn',
      approvalStatus: 'Approved',
      kind: 'model-package-approval',
    });
  });

  it('keeps subjects within SNS limits', () => {
    expect(toSubject(`x${'y'.repeat(200)}`)).toHaveLength(100);
    expect(toSubject('caf\u00e9\nline')).toBe('caf??line');
  });
});

describe('describeIdentity', () => {
  it('prefers the Studio user profile, then the IAM identity', () => {
    expect(describeIdentity({ UserProfileName: 'alice', DomainId: 'd-1' })).toBe('alice (Studio domain d-1)');
    expect(
      describeIdentity({ IamIdentity: { Arn: 'arn:aws:sts::1:assumed-role/r/s', SourceIdentity: 'bob' } }),
    ).toBe('bob (as role r)');
    expect(describeIdentity({})).toBeUndefined();
    expect(describeIdentity(undefined)).toBeUndefined();
  });
});

describe('a stage change', () => {
  it('records and notifies the stage, and who set it', () => {
    const staged = { ...version, lifeCycle: { stage: 'Production', stageStatus: 'Approved' } };
    const record = buildApprovalAuditRecord({ ...change, updatedFields: ['ModelLifeCycle'] }, staged);
    expect(record).toMatchObject({ stage: 'Production/Approved', changedBy: 'alice (Studio domain d-123)' });
    const n = approvalNotification(record);
    expect(n.subject).toBe('[model-governance] customer-churn v2 at stage Production/Approved');
    expect(n.message).toContain('Stage:       Production/Approved');
  });
});
