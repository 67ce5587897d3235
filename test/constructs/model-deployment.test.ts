/** ModelDeployment alone in a bare Stack of a deployment account, with cdk-nag on the app. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { applyComplianceChecks } from '../../bin/compliance-checks';
import { ModelDeployment, type ModelDeploymentProps } from '../../constructs/model-deployment';

const REGISTRY = { account: '111111111111', region: 'eu-west-1' };
const groups = [
  {
    name: 'churn',
    deployments: [
      { endpointName: 'churn-dev', production: false },
      { endpointName: 'churn-prod', account: '333333333333' },
    ],
  },
];

function bare(props: ModelDeploymentProps, env?: { account: string; region: string }) {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'mgov-construct-')) });
  const stack = new Stack(app, 'Bare', env ? { env } : {});
  const deployment = new ModelDeployment(stack, 'Deployment', props);
  applyComplianceChecks(app);
  return { app, stack, deployment };
}

describe('ModelDeployment in a bare stack', () => {
  it('deploys only its account’s targets, accepts the registry’s events, and passes cdk-nag', () => {
    const { app, stack, deployment } = bare(
      { registry: REGISTRY, groups },
      { account: '333333333333', region: 'eu-west-1' },
    );
    expect(deployment.deployedGroups.map((g) => g.deployments.map((d) => d.endpointName))).toEqual([
      ['churn-prod'],
    ]);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: {
        Principal: {
          AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] },
        },
        Condition: {
          StringEquals: {
            'events:source': 'aws.sagemaker',
            'events:detail-type': 'SageMaker Model Package State Change',
          },
        },
      },
    });
    expect(deployment.reconciler).toBeDefined();
    expect(() => app.synth()).not.toThrow();
  });

  it('in the registry’s own account: no bus policy, and the targets without an account', () => {
    const { stack, deployment } = bare({ registry: REGISTRY, groups, account: '111111111111' });
    Template.fromStack(stack).resourceCountIs('AWS::Events::EventBusPolicy', 0);
    expect(deployment.deployedGroups[0]?.deployments.map((d) => d.endpointName)).toEqual(['churn-dev']);
  });

  it('asks which account it deploys in when the stack is environment-agnostic', () => {
    expect(() => bare({ registry: REGISTRY, groups })).toThrow(
      'ModelDeployment Bare/Deployment: which account does it deploy in? Set "account", or give the stack a concrete env.account.',
    );
  });

  it('refuses an account none of its groups deploys in', () => {
    const { stack, deployment } = bare({ registry: REGISTRY, groups, account: '444444444444' });
    expect(() => deployment.reconciler).toThrow(/no target of its groups is in account 444444444444/);
    expect(() => Template.fromStack(stack)).toThrow(/no target of its groups is in account 444444444444/);
  });

  it('builds in its constructor, and again with a group added after a resource was read', () => {
    const { app, stack, deployment } = bare({ registry: REGISTRY, groups, account: '333333333333' });
    const first = deployment.reconciler;
    expect(first.node.path).toBe('Bare/Deployment/EndpointReconciler');
    deployment.addGroup({
      name: 'fraud',
      deployments: [{ endpointName: 'fraud-prod', account: '333333333333' }],
    });
    expect(deployment.deployedGroups.map((g) => g.name)).toEqual(['churn', 'fraud']);
    expect(JSON.stringify(Template.fromStack(stack).findResources('AWS::Events::Rule'))).toContain(
      'fraud-prod',
    );
    expect(() => app.synth()).not.toThrow();
  });

  it('waits for a group with a target here, and builds when addGroup() brings one', () => {
    const { stack, deployment } = bare({
      registry: REGISTRY,
      groups: [{ name: 'churn', deployments: [{ endpointName: 'churn-dev' }] }],
      account: '333333333333',
    });
    expect(stack.node.findAll().some((c) => c.node.id === 'EndpointReconciler')).toBe(false);
    deployment.addGroup({
      name: 'fraud',
      deployments: [{ endpointName: 'fraud-prod', account: '333333333333' }],
    });
    expect(deployment.deployedGroups.map((g) => g.name)).toEqual(['fraud']);
  });
});
