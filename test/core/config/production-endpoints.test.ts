import { ConfigurationError, parseGovernanceConfig } from '../../../core/config/parse';
import { toInput } from '../../../core/config/to-input';

// VPC placement, network isolation, customer keys and autoscaling per deployment target.

const KEY = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const REGISTRY = { account: '111111111111', region: 'eu-west-1' };

function configWith(deployment: Record<string, unknown>, registry = true) {
  return {
    ...(registry ? { registry: REGISTRY } : {}),
    groups: [{ name: 'churn', deployments: [{ endpointName: 'churn-prod', ...deployment }] }],
  };
}

function problemsOf(raw: unknown): string[] {
  try {
    parseGovernanceConfig(raw);
  } catch (error) {
    if (error instanceof ConfigurationError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

const P = 'groups[0].deployments[0]';

describe('production endpoint options', () => {
  it('resolves every option, with the cooldown defaults, and writes them back unchanged', () => {
    const config = parseGovernanceConfig(
      configWith({
        instances: { count: 2 },
        vpc: {
          subnetIds: ['subnet-0123456789abcdef0', 'subnet-89abcdef'],
          securityGroupIds: ['sg-01234567'],
        },
        networkIsolation: true,
        volumeKmsKeyArn: KEY,
        dataCapturePercent: 10,
        dataCaptureKmsKeyArn: KEY,
        autoscaling: { minInstances: 1, maxInstances: 4, targetInvocationsPerInstance: 100 },
      }),
    );
    const t = config.groups[0]?.deployments[0];
    expect(t).toMatchObject({
      vpc: { subnetIds: ['subnet-0123456789abcdef0', 'subnet-89abcdef'], securityGroupIds: ['sg-01234567'] },
      networkIsolation: true,
      volumeKmsKeyArn: KEY,
      dataCaptureKmsKeyArn: KEY,
      autoscaling: {
        minInstances: 1,
        maxInstances: 4,
        targetInvocationsPerInstance: 100,
        scaleInCooldownSeconds: 300,
        scaleOutCooldownSeconds: 60,
      },
    });
    expect(parseGovernanceConfig(toInput(config))).toEqual(config);
  });

  it('leaves everything off by default', () => {
    const t = parseGovernanceConfig(configWith({})).groups[0]?.deployments[0];
    expect(t?.networkIsolation).toBe(false);
    expect(t).not.toHaveProperty('vpc');
    expect(t).not.toHaveProperty('volumeKmsKeyArn');
    expect(t).not.toHaveProperty('dataCaptureKmsKeyArn');
    expect(t).not.toHaveProperty('autoscaling');
  });

  it('refuses subnet and security group ids of the wrong shape, and counts outside the API limits', () => {
    expect(
      problemsOf(configWith({ vpc: { subnetIds: ['sg-01234567', 'subnet-xyz'], securityGroupIds: [] } })),
    ).toEqual([
      `${P}.vpc.subnetIds[0]: is "sg-01234567"; use an id such as "subnet-0123456789abcdef0".`,
      `${P}.vpc.subnetIds[1]: is "subnet-xyz"; use an id such as "subnet-0123456789abcdef0".`,
      `${P}.vpc.securityGroupIds: has 0 ids; SageMaker takes 1 to 5.`,
    ]);
    const six = Array.from({ length: 6 }, (_, i) => `sg-0000000${i}`);
    expect(
      problemsOf(
        configWith({ vpc: { subnetIds: ['subnet-01234567', 'subnet-01234567'], securityGroupIds: six } }),
      ),
    ).toEqual([
      `${P}.vpc.subnetIds[1]: subnet-01234567 is listed twice; remove the duplicate.`,
      `${P}.vpc.securityGroupIds: has 6 ids; SageMaker takes 1 to 5.`,
    ]);
    expect(problemsOf(configWith({ vpc: { subnetIds: ['subnet-01234567'] } }))).toEqual([
      `${P}.vpc.securityGroupIds: is required: list 1 to 5 ids such as "sg-0123456789abcdef0".`,
    ]);
  });

  it('refuses a key that is no key ARN, or in another region than the registry', () => {
    expect(problemsOf(configWith({ volumeKmsKeyArn: 'alias/mine' }))).toEqual([
      `${P}.volumeKmsKeyArn: is "alias/mine"; use a KMS key ARN such as "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab" (not a key id or alias: IAM grants the model's role the key by its ARN).`,
    ]);
    const elsewhere = KEY.replace('eu-west-1', 'us-east-1');
    expect(
      problemsOf(
        configWith({ volumeKmsKeyArn: elsewhere, dataCapturePercent: 5, dataCaptureKmsKeyArn: elsewhere }),
      ),
    ).toEqual([
      `${P}.volumeKmsKeyArn: is a key in us-east-1, but the endpoint is in the registry's region eu-west-1; KMS keys cannot be used across regions, so use a key in eu-west-1.`,
      `${P}.dataCaptureKmsKeyArn: is a key in us-east-1, but the endpoint is in the registry's region eu-west-1; KMS keys cannot be used across regions, so use a key in eu-west-1.`,
    ]);
    // Without a registry the stack is environment-agnostic: the region is not known yet.
    expect(() => parseGovernanceConfig(configWith({ volumeKmsKeyArn: elsewhere }, false))).not.toThrow();
  });

  it('refuses a capture key without capture', () => {
    expect(problemsOf(configWith({ dataCaptureKmsKeyArn: KEY }))).toEqual([
      `${P}.dataCaptureKmsKeyArn: encrypts captured data, but dataCapturePercent is 0 (no capture); set dataCapturePercent above 0 or remove the key.`,
    ]);
  });

  it('refuses autoscaling on serverless, and VPC or isolation there', () => {
    expect(
      problemsOf(
        configWith({
          serverless: {},
          vpc: { subnetIds: ['subnet-01234567'], securityGroupIds: ['sg-01234567'] },
          networkIsolation: true,
          autoscaling: { minInstances: 1, maxInstances: 2, targetInvocationsPerInstance: 10 },
        }),
      ),
    ).toEqual([
      `${P}.vpc: serverless endpoints support neither VPC configuration nor network isolation (SageMaker Serverless Inference, feature exclusions); remove it or give the target "instances".`,
      `${P}.networkIsolation: serverless endpoints support neither VPC configuration nor network isolation (SageMaker Serverless Inference, feature exclusions); remove it or give the target "instances".`,
      `${P}.autoscaling: autoscaling scales the instance count of an instance-backed variant; serverless endpoints scale by themselves (maxConcurrency). Remove autoscaling or give the target "instances".`,
    ]);
  });

  it('needs minInstances <= instances.count <= maxInstances, and the three required numbers', () => {
    expect(
      problemsOf(
        configWith({
          instances: { count: 5 },
          autoscaling: { minInstances: 1, maxInstances: 4, targetInvocationsPerInstance: 10 },
        }),
      ),
    ).toEqual([
      `${P}.autoscaling: needs minInstances <= instances.count <= maxInstances, but it is 1 <= 5 <= 4; the endpoint starts at instances.count, so set them to hold.`,
    ]);
    expect(
      problemsOf(
        configWith({
          instances: { count: 1 },
          autoscaling: { minInstances: 2, maxInstances: 4, targetInvocationsPerInstance: 10 },
        }),
      ),
    ).toEqual([
      `${P}.autoscaling: needs minInstances <= instances.count <= maxInstances, but it is 2 <= 1 <= 4; the endpoint starts at instances.count, so set them to hold.`,
    ]);
    expect(problemsOf(configWith({ autoscaling: { scaleInCooldownSeconds: 4000 } }))).toEqual([
      `${P}.autoscaling.minInstances: is required: add it as a whole number.`,
      `${P}.autoscaling.maxInstances: is required: add it as a whole number.`,
      `${P}.autoscaling.targetInvocationsPerInstance: is required: add it as a whole number.`,
      `${P}.autoscaling.scaleInCooldownSeconds: is 4000; use a whole number from 0 to 3600.`,
    ]);
  });
});
