import { App, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { applyComplianceChecks } from '../../bin/compliance-checks';
import { acknowledgeStackWide } from '../../constructs/compliance';
import { GovernanceStack } from '../../constructs/governance-stack';
import { parseGovernanceConfig } from '../../core/config/parse';
import { synthGovernance } from '../harness/synth';

describe('cdk-nag AwsSolutions checks', () => {
  it('fire on a deliberately insecure stack (the canary)', () => {
    const app = new App();
    const stack = new Stack(app, 'Insecure');
    new sqs.Queue(stack, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    applyComplianceChecks(app);
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS2/);
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });

  it('pass on the sample configuration and a large one, with every finding acknowledged', () => {
    expect(() => synthGovernance({ groups: [{ name: 'a' }] })).not.toThrow();
    const groups = Array.from({ length: 40 }, (_, i) => ({
      name: `group-${i}`,
      shareWithAccounts: ['111111111111'],
      deployments: [{ endpointName: `endpoint-${i}` }],
    }));
    expect(() => synthGovernance({ groups })).not.toThrow();
  });

  it('pass with X-Ray tracing and chat channels on (their findings acknowledged with reasons)', () => {
    expect(() =>
      synthGovernance({
        tracing: true,
        notifications: {
          slack: { workspaceId: 'T07EA123LEP', channelId: 'C07EZ1ABC23' },
          teams: {
            teamId: '74361522-da01-538d-aa2e-ac7918c6bb92',
            tenantId: 'a1b2c3d4-0000-4000-8000-123456789abc',
            channelId: '19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2',
          },
        },
        groups: [{ name: 'a', separationOfDuties: true, deployments: [{ endpointName: 'a-ep' }] }],
      }),
    ).not.toThrow();
  });
});

describe('acknowledgements', () => {
  it('still match their findings when the stack is bound to an account and region', () => {
    const app = new App();
    const stack = new GovernanceStack(app, 'Bound', {
      config: parseGovernanceConfig({ groups: [{ name: 'Churn' }] }),
      env: { account: '123456789012', region: 'eu-west-1' },
    });
    acknowledgeStackWide(stack);
    applyComplianceChecks(app);
    expect(() => app.synth()).not.toThrow();
  });
});
