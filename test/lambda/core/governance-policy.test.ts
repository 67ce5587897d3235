/**
 * The ways around the governance gates a red-team review found (round 3), at the level of the pure
 * decisions: each test makes the attempt and fails if it works. The same attempts over HTTP are in
 * test/integration/bypass.test.ts.
 */
import { parseGovernanceConfig } from '../../../core/config/parse';
import { deploymentHold } from '../../../lambda/core/endpoint-plan';
import {
  nextPolicyStep,
  policyNotification,
  unidentifiedRegistrantUpdate,
} from '../../../lambda/core/governance-policy';
import type { ModelVersion } from '../../../lambda/core/model-version';

const SELF = { iam: 'arn:aws:iam::111111111111:role/policy-gate' };
const TRAINER = { iam: 'arn:aws:iam::111111111111:role/Trainer' };
const APPROVER = { iam: 'arn:aws:iam::111111111111:role/Approver' };

const sod = parseGovernanceConfig({
  groups: [{ name: 'g', separationOfDuties: true, deployments: [{ endpointName: 'ep' }] }],
}).groups[0];

function version(v: Partial<ModelVersion>): ModelVersion {
  return {
    arn: 'arn:aws:sagemaker:us-east-1:111111111111:model-package/g/1',
    groupName: 'g',
    version: 1,
    approvalStatus: 'Approved',
    creationTime: new Date(0),
    contentFingerprint: 'as-registered',
    createdBy: 'arn:aws:sts::111111111111:assumed-role/Trainer/run-1',
    createdByPrincipal: TRAINER,
    lastModifiedBy: 'arn:aws:sts::111111111111:assumed-role/Approver/ana',
    lastModifiedByPrincipal: APPROVER,
    lastModifiedTime: new Date(1000),
    ...v,
  };
}

describe('a registrant nobody can identify (separation of duties, fail closed)', () => {
  if (!sod) throw new Error('no group');
  const anonymous = version({ createdBy: undefined, createdByPrincipal: undefined });
  const registration = { arn: anonymous.arn, fingerprint: 'as-registered', recordedAt: 'x' };

  it('reverts an approval of a version whose CreatedBy names nobody, with what to do', () => {
    const step = nextPolicyStep(sod, anonymous, { now: new Date(2000), self: SELF, registration });
    expect(step).toEqual({
      kind: 'revert-unidentified-registrant',
      reason: expect.stringMatching(/^its registrant cannot be identified/),
    });
    const update = unidentifiedRegistrantUpdate(
      step.kind === 'revert-unidentified-registrant' ? step.reason : '',
    );
    expect(update.status).toBe('PendingManualApproval');
    expect(update.description).toMatch(/register the version again with credentials SageMaker records/);
    const note = policyNotification(anonymous, 'unidentified-registrant-reverted', update, undefined);
    expect(note.subject).toMatch(/approval reverted: registrant unknown/);
    expect(note.message).toMatch(/What to do: {2}register the version again/);
  });

  it('never deploys it meanwhile, even once the policy handler has checked it', () => {
    const facts = {
      cardName: 'g-v1',
      lastModifiedByPrincipal: SELF,
      checker: SELF,
      contentFingerprint: 'as-registered',
      metadata: { 'model-governance:registered-content-sha256': 'as-registered' },
    };
    expect(deploymentHold(sod, { requireApprovedModelCard: false }, facts)).toMatch(
      /^its registrant cannot be identified.*register the version again/,
    );
    // With a registrant on record, the same facts deploy.
    expect(
      deploymentHold(sod, { requireApprovedModelCard: false }, { ...facts, createdByPrincipal: TRAINER }),
    ).toBeUndefined();
  });

  it('leaves groups without separation of duties alone', () => {
    const open = parseGovernanceConfig({ groups: [{ name: 'g', deployments: [{ endpointName: 'ep' }] }] })
      .groups[0];
    if (!open) throw new Error('no group');
    expect(nextPolicyStep(open, anonymous, { now: new Date(2000), self: SELF }).kind).toBe('none');
  });
});
