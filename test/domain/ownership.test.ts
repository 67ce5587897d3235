import { configExtrasMismatch, configKeysMismatch, modelMismatch } from '../../domain/ownership';

// VPC placement, isolation and keys are part of what the reconciler's model and config
// are, so one found under its name with other placement or keys is refused.

const PKG = 'arn:aws:sagemaker:eu-west-1:111111111111:model-package/churn/3';
const ROLE = 'arn:aws:iam::111111111111:role/exec';
const vpc = { subnetIds: ['subnet-01234567'], securityGroupIds: ['sg-01234567'] };
const wanted = { modelPackageArn: PKG, executionRoleArn: ROLE, vpc, networkIsolation: true };
const containers = [{ modelPackageName: PKG }];

describe('modelMismatch with VPC placement and isolation', () => {
  it('accepts the model asked for (subnet order does not matter)', () => {
    expect(
      modelMismatch('m', { executionRoleArn: ROLE, containers, vpc, networkIsolation: true }, wanted),
    ).toBeUndefined();
    const two = { subnetIds: ['subnet-89abcdef', 'subnet-01234567'], securityGroupIds: ['sg-01234567'] };
    expect(
      modelMismatch(
        'm',
        { executionRoleArn: ROLE, containers, vpc: { ...two, subnetIds: [...two.subnetIds].reverse() } },
        { ...wanted, vpc: two, networkIsolation: false },
      ),
    ).toBeUndefined();
  });

  it('refuses the same container outside the VPC, in another subnet, or not isolated', () => {
    expect(modelMismatch('m', { executionRoleArn: ROLE, containers, networkIsolation: true }, wanted)).toBe(
      "model m exists but is not the one this app makes: it is placed in no VPC, not subnets [subnet-01234567] with security groups [sg-01234567]. Delete it (it may be someone's attempt to serve their own container under this name), then approve again or wait for the next reconcile.",
    );
    expect(
      modelMismatch(
        'm',
        { executionRoleArn: ROLE, containers, vpc: { ...vpc, subnetIds: ['subnet-89abcdef'] } },
        wanted,
      ),
    ).toContain(
      'it is placed in subnets [subnet-89abcdef] with security groups [sg-01234567], not subnets [subnet-01234567] with security groups [sg-01234567]; has network isolation off, not on.',
    );
  });
});

describe('configKeysMismatch', () => {
  const KEY = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  it('accepts the keys asked for, and no keys when none are asked for', () => {
    expect(configKeysMismatch('c', { volumeKmsKeyId: KEY }, { volumeKmsKeyId: KEY })).toBeUndefined();
    expect(configKeysMismatch('c', {}, {})).toBeUndefined();
  });

  it("refuses a config without the key, or with someone else's", () => {
    expect(configKeysMismatch('c', {}, { volumeKmsKeyId: KEY, dataCaptureKmsKeyId: KEY })).toBe(
      `endpoint config c exists but is not the one this app makes: its volumes are encrypted with no key of yours, not ${KEY}; its captured data is encrypted with no key of yours, not ${KEY}. Delete it, then approve again or wait for the next reconcile.`,
    );
    expect(configKeysMismatch('c', { dataCaptureKmsKeyId: 'other' }, {})).toContain(
      'its captured data is encrypted with other, not no key of yours',
    );
  });
});

describe('configExtrasMismatch: what a squatted config could carry beside the right variant', () => {
  const ours = { shadowVariants: 0, asyncInference: false, explainer: false };
  const capture = { enabled: true, percent: 20, destination: 's3://audit/capture' };
  it('accepts the config this app makes, with or without capture', () => {
    expect(configExtrasMismatch('c', ours, ours)).toBeUndefined();
    expect(
      configExtrasMismatch('c', { ...ours, dataCapture: capture }, { ...ours, dataCapture: capture }),
    ).toBeUndefined();
  });
  it('refuses a shadow variant copying live traffic to someone else’s model', () => {
    expect(configExtrasMismatch('c', { ...ours, shadowVariants: 1 }, ours)).toMatch(
      /endpoint config c exists but is not the one this app makes: it has 1 shadow variant\(s\), not 0/,
    );
  });
  it('refuses capture to another bucket, or capture where the target captures nothing', () => {
    expect(
      configExtrasMismatch(
        'c',
        { ...ours, dataCapture: { ...capture, destination: 's3://theirs/x' } },
        { ...ours, dataCapture: capture },
      ),
    ).toMatch(
      /its data capture is enabled 20% to s3:\/\/theirs\/x, not enabled 20% to s3:\/\/audit\/capture/,
    );
    expect(configExtrasMismatch('c', { ...ours, dataCapture: capture }, ours)).toMatch(/not none/);
    expect(configExtrasMismatch('c', { ...ours, asyncInference: true }, ours)).toMatch(/async inference/);
  });
});
