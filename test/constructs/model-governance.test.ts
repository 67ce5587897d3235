/**
 * ModelGovernance alone in a bare Stack, as a team embeds it: no GovernanceStack, no front end,
 * with cdk-nag's AwsSolutions checks on the app.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { applyComplianceChecks } from '../../bin/compliance-checks';
import { ModelGovernance, type ModelGovernanceProps } from '../../constructs/model-governance';
import { ConfigurationError } from '../../core/config/parse';

function bare(props: ModelGovernanceProps = {}) {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'mgov-construct-')) });
  const stack = new Stack(app, 'Bare');
  const governance = new ModelGovernance(stack, 'Governance', props);
  applyComplianceChecks(app);
  return { app, stack, governance };
}

const churn = { name: 'churn', deployments: [{ endpointName: 'churn-staging', production: false }] };

describe('ModelGovernance in a bare stack', () => {
  it('synthesizes with every cdk-nag finding acknowledged', () => {
    const { app } = bare({ groups: [churn] });
    expect(() => app.synth()).not.toThrow();
  });

  it('beside resources of the stack’s own: their findings are theirs, and not hidden', () => {
    const { app, stack } = bare({ groups: [churn] });
    new s3.Bucket(stack, 'TeamBucket', { enforceSSL: true });
    let report = '';
    try {
      app.synth();
    } catch (error) {
      report = (error as Error).message;
    }
    expect(report).toContain('Bare/TeamBucket/Resource');
    expect(report).toContain('AwsSolutions-S1');
    expect(report).not.toContain('Bare/Governance');
  });

  it('the canary: cdk-nag still fires inside the construct (its acknowledgements hide nothing else)', () => {
    const { app, governance } = bare({ groups: [churn] });
    new sqs.Queue(governance, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });

  it('provisions the groups, their approval rules and the reconciler', () => {
    const { stack, governance } = bare({ groups: [churn] });
    governance.addGroup({ name: 'fraud', deployments: [{ endpointName: 'fraud-prod' }] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 2);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        'detail-type': ['SageMaker Model Package State Change'],
        detail: Match.objectLike({ ModelPackageGroupName: Match.arrayWith(['churn', 'fraud']) }),
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Environment: Match.objectLike({
        Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'model-governance-reconcile-endpoint' }),
      }),
    });
    expect(governance.reconciler).toBeDefined();
  });

  it('resolves the defaults of the JSON configuration', () => {
    const { governance } = bare({
      groups: [{ name: 'churn', deployments: [{ endpointName: 'churn-prod' }] }],
    });
    const group = governance.config.groups[0];
    expect(governance.config.archiveRetentionDays).toBe(365);
    expect(group?.description).toBe('Governed by model-governance: churn');
    expect(group?.modelCard).toMatchObject({ riskRating: 'Unknown', pendingStatus: 'Draft' });
    expect(group?.deployments[0]).toMatchObject({
      serve: { kind: 'newest-approved' },
      compute: { kind: 'instances', instanceType: 'ml.m5.large', instanceCount: 1 },
      strategy: { kind: 'all-at-once', terminationWaitMinutes: 5 },
      production: true,
      keepPreviousVersions: 2,
    });
  });

  it('reports every problem of its props at once, each with its path and fix', () => {
    const { stack } = bare({
      archiveRetentionDays: -1,
      groups: [{ name: 'bad name', deployments: [{ endpointName: 'ok', keepPreviousVersions: 99 }] }],
    });
    let error: unknown;
    try {
      Template.fromStack(stack);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).message).toContain('ModelGovernance Bare/Governance');
    expect((error as ConfigurationError).problems).toEqual([
      'groups[0].name: "bad name" is not a valid SageMaker name; use 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit.',
      'groups[0].deployments[0].keepPreviousVersions: is 99; use a whole number from 0 to 50.',
      '(root).archiveRetentionDays: is -1; use a whole number from 0 to 36500.',
    ]);
  });

  it('needs at least one group by synthesis', () => {
    const { stack } = bare();
    expect(() => Template.fromStack(stack)).toThrow(/groups: must list at least one model package group/);
  });

  it('refuses addGroup() once built, instead of silently leaving the group out', () => {
    const { governance } = bare({ groups: [churn] });
    expect(governance.groups).toBeDefined();
    expect(() => governance.addGroup({ name: 'late' })).toThrow(
      'ModelGovernance Bare/Governance: cannot add group "late" after the construct was built (a resource was read, or synthesis began); call addGroup() before reading its resources.',
    );
  });

  it('leaves endpoints to ModelDeployment constructs when targets are in other accounts', () => {
    const { stack, governance } = bare({
      registry: { account: '111111111111', region: 'eu-west-1' },
      groups: [{ name: 'churn', deployments: [{ endpointName: 'churn-prod', account: '333333333333' }] }],
    });
    const template = Template.fromStack(stack);
    expect(governance.reconciler).toBeUndefined();
    expect(governance.forwarding).toBeDefined();
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      {
        Environment: Match.objectLike({
          Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'model-governance-reconcile-endpoint' }),
        }),
      },
      0,
    );
  });
});
