/**
 * Multi-account: one registry account, deployments in a staging and a production account (and a
 * development target in the registry account itself). Four coherent stacks, checked from both sides.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildGovernanceApp } from '../../bin/governance-app';
import { type ConfigurationError, parseGovernanceConfig } from '../../core/config/parse';
import { withBundling } from '../harness/synth-setup';

// This file reads the handlers' bundles (the manifest beside each one): bundle for real.
withBundling();

const REGISTRY = '111111111111';
const STAGING = '222222222222';
const PRODUCTION = '333333333333';

const raw = {
  registry: { account: REGISTRY, region: 'eu-west-1' },
  modelArtifactBuckets: ['ml-models-111111111111'],
  modelArtifactKeyArns: ['arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
  groups: [
    {
      name: 'churn',
      shareWithAccounts: ['444444444444'],
      deployments: [
        { endpointName: 'churn-dev', production: false },
        { endpointName: 'churn-staging', account: STAGING, serve: { stage: 'Staging' } },
        {
          endpointName: 'churn-prod',
          account: PRODUCTION,
          serve: { stage: 'Production' },
          rollbackAlarms: true,
        },
      ],
    },
    {
      name: 'fraud',
      qualityGate: { thresholds: [{ metric: 'auc', atLeast: 0.8 }] },
      deployments: [{ endpointName: 'fraud-prod', account: PRODUCTION }],
    },
    { name: 'archive-only' },
  ],
};

const outdir = mkdtempSync(join(tmpdir(), 'mgov-multi-'));
const { app, stack, deploymentStacks } = buildGovernanceApp({
  config: parseGovernanceConfig(raw),
  appProps: { outdir },
});
const assembly = app.synth();
const registry = Template.fromStack(stack);
const byAccount = new Map(deploymentStacks.map((s) => [s.account, Template.fromStack(s)]));
const deployment = (account: string) => {
  const t = byAccount.get(account);
  if (!t) throw new Error(`no deployment stack for ${account}`);
  return t;
};

it('synthesizes four stacks, each in its account and the registry region', () => {
  expect(
    assembly.stacks.map((s) => [s.stackName, s.environment.account, s.environment.region]).sort(),
  ).toEqual([
    ['ModelGovernance', REGISTRY, 'eu-west-1'],
    [`ModelGovernance-Deploy-${REGISTRY}`, REGISTRY, 'eu-west-1'],
    [`ModelGovernance-Deploy-${STAGING}`, STAGING, 'eu-west-1'],
    [`ModelGovernance-Deploy-${PRODUCTION}`, PRODUCTION, 'eu-west-1'],
  ]);
});

it('shares each group with exactly the listed accounts and its deployment accounts, for reading and deploying only', () => {
  const policy = (name: string) => {
    const group = Object.values(registry.findResources('AWS::SageMaker::ModelPackageGroup')).find(
      (g) => (g.Properties as { ModelPackageGroupName: string }).ModelPackageGroupName === name,
    );
    return (
      group?.Properties as
        | { ModelPackageGroupPolicy?: { Statement: { Principal: unknown; Action: unknown }[] } }
        | undefined
    )?.ModelPackageGroupPolicy;
  };
  const accountsIn = (principal: unknown) =>
    [...JSON.stringify(principal).matchAll(/:iam::(\d{12}):root/g)].map((m) => m[1]);
  const churn = policy('churn');
  expect(churn?.Statement.map((s) => accountsIn(s.Principal))).toEqual([
    ['444444444444', STAGING, PRODUCTION],
    ['444444444444', STAGING, PRODUCTION],
    ['444444444444', STAGING, PRODUCTION],
  ]);
  expect(churn?.Statement.map((s) => s.Action)).toEqual([
    ['sagemaker:DescribeModelPackageGroup'],
    ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages'],
    ['sagemaker:CreateModel', 'sagemaker:DescribeModelPackage'],
  ]);
  expect(policy('fraud')?.Statement.map((s) => accountsIn(s.Principal))).toEqual([
    [PRODUCTION],
    [PRODUCTION],
    [PRODUCTION],
  ]);
  // Only the deployment stacks' reconciler roles may make models of the versions, and those
  // stacks give their reconciler exactly that name.
  const deployCondition = JSON.stringify((churn?.Statement[2] as { Condition?: unknown })?.Condition);
  for (const account of [STAGING, PRODUCTION]) {
    expect(deployCondition).toContain(`:iam::${account}:role/model-governance-reconciler-eu-west-1`);
    const roles = Object.values(byAccount.get(account)?.findResources('AWS::IAM::Role') ?? {});
    expect(roles.map((r) => r.Properties.RoleName)).toContain('model-governance-reconciler-eu-west-1');
  }
  expect(policy('archive-only')).toBeUndefined();
});

it("forwards the groups' approval events to each other account's default bus, only the groups deployed there", () => {
  const forwards = Object.values(registry.findResources('AWS::Events::Rule'))
    .map(
      (r) =>
        r.Properties as {
          EventPattern: { detail: { ModelPackageGroupName: string[] } };
          Targets: { Arn: unknown; RoleArn: unknown }[];
        },
    )
    .filter((p) => JSON.stringify(p.Targets).includes(':event-bus/default'));
  const summary = forwards.map((f) => [
    JSON.stringify(f.Targets[0]?.Arn),
    f.EventPattern.detail.ModelPackageGroupName,
  ]);
  expect(summary).toEqual([
    [expect.stringContaining(`:${STAGING}:event-bus/default`), ['churn']],
    [expect.stringContaining(`:${PRODUCTION}:event-bus/default`), ['churn', 'fraud']],
  ]);
  for (const f of forwards) expect(f.Targets[0]?.RoleArn).toBeDefined();
  // Each forwarding role may only put events on its one bus.
  const roles = Object.values(registry.findResources('AWS::IAM::Policy')).filter((p) =>
    JSON.stringify(p).includes('events:PutEvents'),
  );
  expect(roles).toHaveLength(2);
  for (const r of roles) {
    const statements = (
      r.Properties as { PolicyDocument: { Statement: { Action: string; Resource: unknown }[] } }
    ).PolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Action).toBe('events:PutEvents');
    expect(JSON.stringify(statements[0]?.Resource)).toMatch(
      /:(222222222222|333333333333):event-bus\/default/,
    );
  }
  // The registry deploys nothing itself.
  expect(JSON.stringify(registry.toJSON())).not.toContain('reconcile-endpoint');
});

it("lets the registry account, and only it, put SageMaker model package events on a deployment account's bus", () => {
  for (const account of [STAGING, PRODUCTION]) {
    deployment(account).resourceCountIs('AWS::Events::EventBusPolicy', 1);
    deployment(account).hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: 'default',
      Statement: {
        Effect: 'Allow',
        Principal: {
          AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${REGISTRY}:root`]] },
        },
        Action: 'events:PutEvents',
        Condition: {
          StringEquals: {
            'events:source': 'aws.sagemaker',
            'events:detail-type': 'SageMaker Model Package State Change',
          },
        },
      },
    });
  }
  deployment(REGISTRY).resourceCountIs('AWS::Events::EventBusPolicy', 0);
});

it('reconciles in each deployment account only its own targets, from registry-account events only', () => {
  const endpointsIn = (account: string) =>
    Object.values(deployment(account).findResources('AWS::Events::Rule'))
      .map((r) => (r.Properties as { EventPattern: Record<string, unknown> }).EventPattern)
      .filter((p) => (p['detail-type'] as string[])[0] === 'SageMaker Endpoint State Change')
      .flatMap((p) => (p.detail as { EndpointName: string[] }).EndpointName);
  expect(endpointsIn(STAGING)).toEqual(['churn-staging']);
  expect(endpointsIn(PRODUCTION)).toEqual(['churn-prod', 'fraud-prod']);
  expect(endpointsIn(REGISTRY)).toEqual(['churn-dev']);
  const modelPackageRule = Object.values(deployment(PRODUCTION).findResources('AWS::Events::Rule'))
    .map((r) => (r.Properties as { EventPattern: Record<string, unknown> }).EventPattern)
    .find((p) => (p['detail-type'] as string[])[0] === 'SageMaker Model Package State Change');
  expect(modelPackageRule).toEqual({
    account: [REGISTRY],
    source: ['aws.sagemaker'],
    'detail-type': ['SageMaker Model Package State Change'],
    detail: { ModelPackageGroupName: ['churn', 'fraud'] },
  });
  deployment(PRODUCTION).resourceCountIs('AWS::Events::Archive', 0);
  // Rollback alarms live beside the endpoint they watch.
  expect(JSON.stringify(deployment(PRODUCTION).toJSON())).toContain(
    'model-governance-churn-prod-invocation-5xx',
  );
  expect(JSON.stringify(deployment(STAGING).toJSON())).not.toContain('churn-prod');
});

it("grants the reconciler the registry account's versions, and the execution role its artifacts and key", () => {
  const json = JSON.stringify(deployment(PRODUCTION).toJSON());
  expect(json).toContain(`:sagemaker:eu-west-1:${REGISTRY}:model-package/churn/*`);
  expect(json).toContain(`:sagemaker:eu-west-1:${REGISTRY}:model-package/fraud/*`);
  deployment(PRODUCTION).hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Action: 'kms:Decrypt',
          Resource: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        }),
      ]),
    },
  });
});

it('tells the reconciler in another account to name groups by their registry ARN', () => {
  const manifest = require(
    join(outdir, 'manifests', `ModelGovernance-Deploy-${STAGING}`, 'governance-manifest.json'),
  );
  expect(manifest.registry).toEqual({ account: REGISTRY, region: 'eu-west-1' });
  expect(
    manifest.groups.map((g: { name: string; deployments: { endpointName: string }[] }) => [
      g.name,
      g.deployments.map((d) => d.endpointName),
    ]),
  ).toEqual([['churn', ['churn-staging']]]);
  const own = require(
    join(outdir, 'manifests', `ModelGovernance-Deploy-${REGISTRY}`, 'governance-manifest.json'),
  );
  expect(own.registry).toBeUndefined();
});

it("bundles each deployment account's own manifest with its handlers (not the first stack's)", () => {
  // CDK stages one bundle per source and bundling options: the manifest's hash keeps them apart.
  const bundledTargets = (account: string) => {
    const stackName = `ModelGovernance-Deploy-${account}`;
    const assets = require(join(outdir, `${stackName}.assets.json`)) as {
      files: Record<string, { source: { path: string } }>;
    };
    const fn = Object.values(deployment(account).findResources('AWS::Lambda::Function')).find((f) =>
      JSON.stringify(f.Properties).includes('reconcile-endpoint'),
    );
    const code = (fn?.Properties as { Code?: { S3Key?: string } } | undefined)?.Code;
    const hash = String(code?.S3Key).replace(/\.zip$/, '');
    const dir = assets.files[hash]?.source.path;
    if (!dir) throw new Error(`no bundle ${hash} for ${stackName}`);
    const manifest = require(join(outdir, dir, 'governance-manifest.json')) as {
      groups: { deployments: { endpointName: string }[] }[];
    };
    return manifest.groups.flatMap((g) => g.deployments.map((d) => d.endpointName));
  };
  expect(bundledTargets(STAGING)).toEqual(['churn-staging']);
  expect(bundledTargets(PRODUCTION)).toEqual(['churn-prod', 'fraud-prod']);
  expect(bundledTargets(REGISTRY)).toEqual(['churn-dev']);
});

it('refuses what cannot work across accounts, saying why', () => {
  const problems = (config: unknown) => {
    try {
      parseGovernanceConfig(config);
    } catch (e) {
      return (e as ConfigurationError).problems;
    }
    return [];
  };
  expect(
    problems({ groups: [{ name: 'g', deployments: [{ endpointName: 'e', account: STAGING }] }] }),
  ).toEqual([
    'groups[0].deployments[0].account: a target in another account needs the registry\'s own account and region: add "registry": { "account": "…", "region": "…" } at the top level.',
  ]);
  expect(
    problems({
      registry: { account: REGISTRY, region: 'eu-west-1' },
      groups: [
        {
          name: 'g',
          qualityGate: { thresholds: [{ metric: 'mse', notWorseThanLive: { better: 'lower' } }] },
          deployments: [{ endpointName: 'e', account: STAGING, requireApprovedModelCard: true }],
        },
      ],
    }),
  ).toEqual([
    'groups[0].qualityGate.liveEndpoint: "e" is in account 222222222222, where the quality gate (in the registry account) cannot read it; name a target in the registry account as liveEndpoint, or drop "notWorseThanLive".',
  ]);
  expect(problems({ registry: { account: '12', region: 'moon-1' }, groups: [{ name: 'g' }] })).toEqual([
    'registry.account: is "12"; an AWS account id is 12 digits, as a string.',
    'registry.region: is "moon-1"; use a region code such as "eu-west-1".',
  ]);
});

it("tells every deployment account's reconciler the registry's policy-handler role, whose change is the approval check", () => {
  const sod = {
    ...raw,
    groups: [{ ...raw.groups[0], separationOfDuties: true }, raw.groups[1], raw.groups[2]],
  };
  const built = buildGovernanceApp({
    config: parseGovernanceConfig(sod),
    appProps: { outdir: mkdtempSync(join(tmpdir(), 'mgov-multi-sod-')) },
  });
  const roleName = 'model-governance-policy-gate-eu-west-1';
  const policyRoles = Template.fromStack(built.stack).findResources('AWS::IAM::Role', {
    Properties: { RoleName: roleName },
  });
  expect(Object.keys(policyRoles)).toHaveLength(1);
  for (const s of built.deploymentStacks) {
    const env = Template.fromStack(s).findResources('AWS::Lambda::Function', {
      Properties: {
        Environment: { Variables: { APPROVAL_CHECKER_ROLE_ARN: Match.anyValue() } },
      },
    });
    expect(JSON.stringify(Object.values(env))).toContain(`:iam::${REGISTRY}:role/${roleName}`);
  }
});

describe('the governance record across accounts', () => {
  const bucket = 'model-governance-audit-111111111111-eu-west-1';
  const reconcilerRoles = [REGISTRY, PRODUCTION, STAGING].map((a) => ({
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, `:iam::${a}:role/model-governance-reconciler-eu-west-1`],
    ],
  }));
  const statements = (t: Template, type: string) =>
    Object.values(t.findResources(type)).flatMap(
      (p) =>
        (
          (
            p.Properties as {
              PolicyDocument?: { Statement: Record<string, unknown>[] };
              KeyPolicy?: { Statement: Record<string, unknown>[] };
            }
          ).PolicyDocument ??
          (p.Properties as { KeyPolicy: { Statement: Record<string, unknown>[] } }).KeyPolicy
        ).Statement,
    );

  it('names the audit bucket so that the deployment accounts find the record', () => {
    registry.hasResourceProperties('AWS::S3::Bucket', { BucketName: bucket });
  });

  it("lets every deployment account's reconciler read the record and append to its own account's endpoint records", () => {
    const bucketPolicy = statements(registry, 'AWS::S3::BucketPolicy');
    const allow = bucketPolicy.find((s) => s.Sid === 'DeploymentReconcilersReadAndAppendTheRecord');
    expect(allow).toMatchObject({
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:ListBucket', 's3:PutObject'],
      Condition: { ArnEquals: { 'aws:PrincipalArn': expect.arrayContaining(reconcilerRoles) } },
    });
    const own = bucketPolicy.find((s) => s.Sid === 'ReconcilersAppendOnlyTheirEndpointsRecords');
    expect(JSON.stringify(own?.NotResource)).toContain(
      `/governance-record/_endpoints/${'$'}{aws:PrincipalAccount}/*`,
    );
    expect(bucketPolicy.find((s) => s.Sid === 'ReconcilersNeverRemoveARecord')).toBeDefined();
    const key = statements(registry, 'AWS::KMS::Key').find(
      (s) => s.Sid === 'DeploymentReconcilersUseTheGovernanceRecord',
    );
    expect(key).toMatchObject({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Condition: {
        ArnEquals: { 'aws:PrincipalArn': expect.arrayContaining(reconcilerRoles) },
        StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
      },
    });
  });

  it("gives each deployment account's reconciler the record: read everywhere, append only to its endpoints", () => {
    const t = deployment(PRODUCTION);
    const fns = t.findResources('AWS::Lambda::Function', {
      Properties: {
        Environment: { Variables: { GOVERNANCE_RECORD_S3_URI: `s3://${bucket}/governance-record` } },
      },
    });
    expect(Object.keys(fns)).toHaveLength(1);
    const puts = statements(t, 'AWS::IAM::Policy').filter((s) =>
      ([s.Action].flat() as string[]).includes('s3:PutObject'),
    );
    expect(puts).toHaveLength(1);
    expect(JSON.stringify(puts[0]?.Resource)).toContain(
      `${bucket}/governance-record/_endpoints/${PRODUCTION}/churn-prod/*`,
    );
    expect(JSON.stringify(puts[0]?.Resource)).toContain(
      `${bucket}/governance-record/_endpoints/${PRODUCTION}/fraud-prod/*`,
    );
    expect(JSON.stringify(puts[0]?.Resource)).not.toContain('churn-staging');
  });

  it("lets a deployment account's reconciler read the gate's verdicts (and their pins), never write them", () => {
    const allow = statements(registry, 'AWS::S3::BucketPolicy').find(
      (s) => s.Sid === 'DeploymentReconcilersReadTheVerdicts',
    );
    expect(allow).toMatchObject({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Condition: { ArnEquals: { 'aws:PrincipalArn': expect.arrayContaining(reconcilerRoles) } },
    });
    expect(JSON.stringify(allow?.Resource)).toContain('/quality-gate-verdicts/*');
    // Production deploys the gated group: its reconciler reads the verdicts; staging's does not.
    const withVerdicts = (account: string) =>
      Object.keys(
        deployment(account).findResources('AWS::Lambda::Function', {
          Properties: {
            Environment: {
              Variables: {
                VERDICT_S3_URI: `s3://${bucket}/quality-gate-verdicts`,
              },
            },
          },
        }),
      ).length;
    expect(withVerdicts(PRODUCTION)).toBe(1);
    expect(withVerdicts(STAGING)).toBe(0);
    const reads = statements(deployment(PRODUCTION), 'AWS::IAM::Policy').filter((s) =>
      JSON.stringify(s.Resource).includes('quality-gate-verdicts'),
    );
    expect(reads.length).toBeGreaterThan(0);
    for (const r of reads)
      expect(
        ([r.Action].flat() as string[]).filter((a) => !/^s3:(GetObject\*|GetBucket\*|List\*)$/.test(a)),
      ).toEqual([]);
    // It resolves a pinned image's tag in its own account and region, as its models pull it.
    const imageReads = (account: string) =>
      statements(deployment(account), 'AWS::IAM::Policy').filter(
        (s) => JSON.stringify(s.Action) === '"ecr:BatchGetImage"' && !JSON.stringify(s).includes('ecr:Get'),
      );
    expect(imageReads(PRODUCTION).length).toBeGreaterThan(0);
    expect(imageReads(STAGING)).toEqual([]);
  });
});
