import { contentFingerprint, registrationRecord } from '../../domain/approval-check';

describe('registrationRecord', () => {
  const trainer = { iam: 'arn:aws:iam::111111111111:role/Trainer' };
  const approver = { iam: 'arn:aws:iam::111111111111:role/Approver' };
  const gate = { iam: 'arn:aws:iam::111111111111:role/policy-gate' };
  const now = new Date(5000);
  const base = {
    arn: 'arn:aws:sagemaker:us-east-1:111111111111:model-package/g/1',
    contentFingerprint: contentFingerprint({ InferenceSpecification: { Containers: [{ Image: 'a' }] } }),
    createdByPrincipal: trainer,
  };

  it('records the content as registered while only the registrant (or the policy handler) changed the version', () => {
    expect(registrationRecord(base, gate, now)).toEqual({
      arn: base.arn,
      fingerprint: base.contentFingerprint,
      recordedAt: now.toISOString(),
    });
    expect(registrationRecord({ ...base, lastModifiedByPrincipal: trainer }, gate, now).fingerprint).toBe(
      base.contentFingerprint,
    );
    expect(registrationRecord({ ...base, lastModifiedByPrincipal: gate }, gate, now).fingerprint).toBe(
      base.contentFingerprint,
    );
  });

  it('records the content as unknown once someone else changed the version first (a rewrite cannot be ruled out)', () => {
    const record = registrationRecord(
      {
        ...base,
        lastModifiedByPrincipal: approver,
        lastModifiedBy: 'arn:aws:sts::111111111111:assumed-role/Approver/ana',
      },
      gate,
      now,
    );
    expect(record.fingerprint).toBeUndefined();
    expect(record.reason).toBe(
      'it was changed by arn:aws:sts::111111111111:assumed-role/Approver/ana before its registered content could be recorded',
    );
  });

  it('fingerprints what a model is made of: containers and source, not metadata', () => {
    const spec = { Containers: [{ Image: 'a', ModelDataUrl: 's3://m/model.tar.gz' }] };
    expect(contentFingerprint({ InferenceSpecification: spec })).not.toBe(
      contentFingerprint({
        InferenceSpecification: { Containers: [{ Image: 'a', ModelDataUrl: 's3://m/other.tar.gz' }] },
      }),
    );
    expect(contentFingerprint({ InferenceSpecification: spec })).not.toBe(
      contentFingerprint({ InferenceSpecification: spec, SourceUri: 's3://m/src' }),
    );
    expect(
      contentFingerprint({ InferenceSpecification: spec, CustomerMetadataProperties: { a: 'b' } } as never),
    ).toBe(contentFingerprint({ InferenceSpecification: spec }));
  });
});
