import { contentFingerprint } from '../../domain/approval-check';
import {
  concernsApproval,
  eventTime,
  parseModelPackageStateChange,
  parseReconcileTrigger,
} from '../../domain/events';
import sample from '../fixtures/events/model-package-state-change.json';

describe('parseModelPackageStateChange', () => {
  it('reads the documented sample', () => {
    expect(parseModelPackageStateChange(sample)).toEqual({
      ok: true,
      value: {
        eventId: '844e2571-85d4-695f-b930-0153b71dcb42',
        time: '2026-11-27T10:00:14Z',
        groupName: 'customer-churn',
        modelPackageArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/customer-churn/2',
        version: 2,
        reportedApprovalStatus: 'Approved',
        updatedFields: undefined,
        reportedAt: '2026-11-27T11:00:14.000Z',
        reportedBy: undefined,
        reportedCreationTime: '2026-11-27T10:00:00.000Z',
        reportedStage: undefined,
      },
    });
  });

  it("carries the registered content's fingerprint on the registration's own event only", () => {
    const { LastModifiedTime: _m, ...registered } = sample.detail;
    const registration = parseModelPackageStateChange({ ...sample, detail: registered });
    if (!registration.ok) throw new Error(registration.reason);
    expect(registration.value.registeredContentFingerprint).toBe(
      contentFingerprint({ InferenceSpecification: sample.detail.InferenceSpecification }),
    );
    // The same version as DescribeModelPackage shows it fingerprints alike (SourceUri absent as null).
    expect(registration.value.registeredContentFingerprint).toBe(
      contentFingerprint({
        InferenceSpecification: sample.detail.InferenceSpecification,
        SourceUri: undefined,
      }),
    );
    // A later change's event (the documented sample: modified after creation) carries none, nor one
    // that lists its updated fields.
    const later = parseModelPackageStateChange(sample);
    expect(later.ok && later.value.registeredContentFingerprint).toBeUndefined();
    const listed = parseModelPackageStateChange({
      ...sample,
      detail: { ...registered, UpdatedModelPackageFields: ['InferenceSpecification'] },
    });
    expect(listed.ok && listed.value.registeredContentFingerprint).toBeUndefined();
  });

  it('falls back to the resources ARN and derives group and version from it', () => {
    const { ModelPackageArn, ModelPackageGroupName, ModelPackageVersion, ...detail } = sample.detail;
    const parsed = parseModelPackageStateChange({ ...sample, detail });
    expect(parsed.ok && parsed.value).toMatchObject({ groupName: 'customer-churn', version: 2 });
  });

  it.each([
    [null, 'the event is not a JSON object'],
    [
      { ...sample, 'detail-type': 'SageMaker Endpoint State Change' },
      'detail-type is "SageMaker Endpoint State Change", expected "SageMaker Model Package State Change"',
    ],
    [{ ...sample, detail: 'x' }, 'the event has no detail object'],
    [
      { ...sample, resources: [], detail: { ModelApprovalStatus: 'Approved' } },
      'detail.ModelPackageArn is missing',
    ],
    [
      {
        ...sample,
        detail: { ModelPackageArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/unversioned' },
      },
      '"arn:aws:sagemaker:us-east-1:123456789012:model-package/unversioned" is not a versioned model package ARN',
    ],
  ])('rejects %j with a reason', (event, reason) => {
    expect(parseModelPackageStateChange(event)).toEqual({ ok: false, reason });
  });

  it('ignores an unknown approval status rather than trusting it', () => {
    const parsed = parseModelPackageStateChange({
      ...sample,
      detail: { ...sample.detail, ModelApprovalStatus: 'Maybe' },
    });
    expect(parsed.ok && parsed.value.reportedApprovalStatus).toBeUndefined();
  });
});

describe('eventTime', () => {
  it('reads epoch milliseconds, epoch seconds and ISO strings', () => {
    expect(eventTime(1795777214000)).toBe('2026-11-27T11:00:14.000Z');
    expect(eventTime(1795777214)).toBe('2026-11-27T11:00:14.000Z');
    expect(eventTime('2026-11-27T11:00:14Z')).toBe('2026-11-27T11:00:14.000Z');
    expect(eventTime('soon')).toBeUndefined();
  });
});

describe('concernsApproval', () => {
  const base = { eventId: 'e', time: 't', groupName: 'g', modelPackageArn: 'a' };
  it('is true for events that do not list their updated fields (registrations, older events)', () => {
    expect(concernsApproval(base)).toBe(true);
  });
  it('is true when ModelApprovalStatus is among the updated fields, false otherwise', () => {
    expect(concernsApproval({ ...base, updatedFields: ['ModelApprovalStatus', 'ApprovalDescription'] })).toBe(
      true,
    );
    expect(concernsApproval({ ...base, updatedFields: ['CustomerMetadataProperties'] })).toBe(false);
  });
});

describe('a stack settling (CloudFormation Stack Status Change)', () => {
  // The user guide's sample event shape ("Stack Status Change event detail").
  const stackEvent = (status: unknown) => ({
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'CloudFormation Stack Status Change',
    source: 'aws.cloudformation',
    account: '111122223333',
    time: '2026-12-02T10:00:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:cloudformation:us-east-1:111122223333:stack/model-governance/1a2b'],
    detail: {
      'stack-id': 'arn:aws:cloudformation:us-east-1:111122223333:stack/model-governance/1a2b',
      'status-details': { status, 'status-reason': '' },
      'client-request-token': 'Console-CreateStack-7d7f',
    },
  });

  it.each(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'])(
    'is a reconcile of every target when the stack is %s',
    (status) => {
      expect(parseReconcileTrigger(stackEvent(status))).toEqual({
        ok: true,
        value: {
          kind: 'stack-deployed',
          change: {
            eventId: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
            stackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/model-governance/1a2b',
            status,
          },
        },
      });
    },
  );

  it('is refused, with the reason, while the stack is still changing or has no status', () => {
    expect(parseReconcileTrigger(stackEvent('UPDATE_IN_PROGRESS'))).toEqual({
      ok: false,
      reason:
        'detail.status-details.status is "UPDATE_IN_PROGRESS", expected one of CREATE_COMPLETE, UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE',
    });
    expect(parseReconcileTrigger({ ...stackEvent('UPDATE_COMPLETE'), detail: {} })).toEqual({
      ok: false,
      reason: 'detail.stack-id is missing',
    });
  });
});

describe('stage changes are audited like approvals', () => {
  const base = { eventId: 'e', time: 't', groupName: 'g', modelPackageArn: 'a' };
  it('takes a ModelLifeCycle change as one that concerns the approval record', () => {
    expect(concernsApproval({ ...base, updatedFields: ['ModelLifeCycle'] })).toBe(true);
  });
});

describe('the periodic shadow-test check (a scheduled rule)', () => {
  it('is a trigger like the others, parsed from EventBridge’s Scheduled Event', () => {
    const scheduled = {
      version: '0',
      id: '89d1a02d-5ec7-412e-82f5-13505f849b41',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2026-12-02T10:00:00Z',
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:123456789012:rule/ShadowCheck'],
      detail: {},
    };
    expect(parseReconcileTrigger(scheduled)).toEqual({ ok: true, value: { kind: 'shadow-check' } });
    // Another source with that detail-type is not the schedule.
    expect(parseReconcileTrigger({ ...scheduled, source: 'custom.app' }).ok).toBe(false);
  });
});
