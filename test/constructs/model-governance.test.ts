/**
 * ModelGovernance alone in a bare Stack, as a team embeds it: no GovernanceStack, no front end,
 * with cdk-nag's AwsSolutions checks on the app.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
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
    let error: unknown;
    try {
      bare({
        archiveRetentionDays: -1,
        groups: [{ name: 'bad name', deployments: [{ endpointName: 'ok', keepPreviousVersions: 99 }] }],
      });
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

  it('reading a resource before addGroup() freezes nothing: the group is governed', () => {
    const { app, stack, governance } = bare({ groups: [churn] });
    expect(governance.groups.node.path).toBe('Bare/Governance/ModelPackageGroups');
    // Every governed group's record is written by the policy handler, so it exists from the first group.
    expect(governance.policies.handler).toBeDefined();
    governance.addGroup({
      name: 'fraud',
      qualityGate: { thresholds: [{ metric: 'auc', atLeast: 0.9 }] },
      deployments: [{ endpointName: 'fraud-prod' }],
    });
    expect(governance.config.groups.map((g) => g.name)).toEqual(['churn', 'fraud']);
    expect(governance.policies.handler).toBeDefined();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 2);
    expect(JSON.stringify(template.findResources('AWS::Events::Rule'))).toContain('fraud-prod');
    // The gate's handler may change the added group's versions: its policy was built with the group.
    const updates = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap(
        (p) =>
          (p.Properties as { PolicyDocument: { Statement: { Action: unknown }[] } }).PolicyDocument.Statement,
      )
      .filter((st) => st.Action === 'sagemaker:UpdateModelPackage');
    expect(JSON.stringify(updates)).toContain('model-package/fraud/*');
    expect(() => app.synth()).not.toThrow();
  });

  it('makes with addGroup() the very template the same groups make as props', () => {
    const fraud = { name: 'fraud', separationOfDuties: true, deployments: [{ endpointName: 'fraud-prod' }] };
    const added = bare({ groups: [churn], notificationEmails: ['ml@example.com'] });
    expect(added.governance.reconciler).toBeDefined();
    added.governance.addGroup(fraud);
    const given = bare({ groups: [churn, fraud], notificationEmails: ['ml@example.com'] });
    expect(Template.fromStack(added.stack).toJSON()).toEqual(Template.fromStack(given.stack).toJSON());
  });

  it('keeps the groups it had when an added group is invalid, and children others added', () => {
    const { stack, governance } = bare({ groups: [churn] });
    new sqs.Queue(governance, 'TeamQueue', { enforceSSL: true });
    expect(() => governance.addGroup({ name: 'bad name' })).toThrow(ConfigurationError);
    governance.addGroup({ name: 'fraud' });
    expect(governance.config.groups.map((g) => g.name)).toEqual(['churn', 'fraud']);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 2);
    expect(Object.keys(template.findResources('AWS::SQS::Queue'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^GovernanceTeamQueue/)]),
    );
  });

  it('says what to do when a resource is read before any group', () => {
    const { governance } = bare();
    expect(() => governance.reconciler).toThrow(
      'ModelGovernance Bare/Governance: groups: must list at least one model package group; pass "groups" or call addGroup().',
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

describe('ModelGovernance is built in its constructor, so whatever inspects the tree sees all of it', () => {
  const fraud = {
    name: 'fraud',
    qualityGate: { thresholds: [{ metric: 'auc', atLeast: 0.9 }] },
    deployments: [{ endpointName: 'fraud-prod' }],
  };

  it('cdk-nag checks every resource it builds without waiting for synthesis, and finds nothing unacknowledged', () => {
    class RecordingChecks extends AwsSolutionsChecks {
      readonly checked: string[] = [];
      protected override checkResource(node: CfnResource): void {
        this.checked.push(node.node.path);
        super.checkResource(node);
      }
    }
    const { stack, governance } = bare({ groups: [churn] });
    governance.addGroup(fraud);
    const nag = new RecordingChecks();
    const report = nag.validateScope(stack);
    expect(report.violations).toEqual([]);
    for (const child of [
      'EndpointReconciler',
      'Policies',
      'ModelCards',
      'AuditNotifier',
      'Lineage',
      'Operations',
    ]) {
      expect(nag.checked.some((path) => path.startsWith(`Bare/Governance/${child}/`))).toBe(true);
    }
  });
});
