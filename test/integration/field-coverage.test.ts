/**
 * Every group and deployment-target field of the JSON Schema, proven as deployed: one synthesized
 * app sets them all, the local runner plays it (bundled handlers, environment from the template)
 * against moto, approvals are driven, and each field's row asserts the request field, template
 * property or runtime effect the field promises. A field of the schema with no row fails the test,
 * so a new field cannot land unproven.
 *
 * Built for a loaded machine: one app for every field (one synthesis, one start), the groups' stories
 * played side by side, each step waiting for the app's own facts (the policy handler has recorded a
 * registration, an endpoint is InService on a version) with generous limits, never for a timer.
 */
import { appendFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CreateModelPackageCommand,
  DescribeDataQualityJobDefinitionCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  type DescribeEndpointConfigCommandOutput,
  DescribeModelCardCommand,
  DescribeModelCommand,
  type DescribeModelCommandOutput,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  DescribeMonitoringScheduleCommand,
  GetModelPackageGroupPolicyCommand,
  ListModelsCommand,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { buildGovernanceApp } from '../../bin/governance-app';
import { parseGovernanceConfig } from '../../core/config/parse';
import { modelCardName } from '../../core/model-card-naming';
import { versionOfName } from '../../core/naming';
import type { LocalApp } from '../../local/runner/local-app';
import { configSchema } from '../../scripts/generate-config-schema';
import { lifecycleCalls, reconcileOutcomes } from '../harness/deployments';
import { startLocalApp } from '../harness/local-app';
import { eventually } from '../harness/local-aws';
import { registerVersion, setApproval } from '../harness/registry';

type Json = Record<string, unknown>;
const KEY = (id: string) => `arn:aws:kms:us-east-1:123456789012:key/${id}-12ab-34cd-56ef-1234567890ab`;
const VOLUME_KEY = KEY('aaaa1111');
const CAPTURE_KEY = KEY('bbbb2222');
const VPC = { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] };
/** How long one step may take on a loaded 2-core machine (a handler's cold start alone can take seconds). */
const WAIT = 300_000;
const BASELINE = {
  constraints: 's3://fc-baselines/fc-m/constraints.json',
  statistics: 's3://fc-baselines/fc-m/statistics.json',
};

/**
 * The app: group fc-a (instances, every production option), fc-b (serverless, SoD, delete when
 * none), fc-c (gate), fc-m (monitoring).
 */
const CONFIG = {
  groups: [
    {
      name: 'fc-a',
      description: 'field coverage: instances',
      tags: { team: 'field-coverage' },
      shareWithAccounts: ['210987654321'],
      modelCard: { owner: 'ml@example.com', riskRating: 'Low' },
      deployments: [
        {
          endpointName: 'fc-a-prod',
          instances: { type: 'ml.c5.xlarge', count: 2 },
          strategy: { type: 'canary', canaryPercent: 25, waitMinutes: 3, terminationWaitMinutes: 4 },
          rollbackAlarms: true,
          keepPreviousVersions: 0,
          dataCapturePercent: 30,
          dataCaptureKmsKeyArn: CAPTURE_KEY,
          vpc: VPC,
          networkIsolation: true,
          volumeKmsKeyArn: VOLUME_KEY,
          autoscaling: { minInstances: 1, maxInstances: 5, targetInvocationsPerInstance: 90 },
        },
        { endpointName: 'fc-a-gated', requireApprovedModelCard: true },
        { endpointName: 'fc-a-staged', serve: { stage: 'Production' } },
        { endpointName: 'fc-a-shadow', shadow: { minutes: 60 } },
      ],
      cardReviewerMustDiffer: true,
    },
    {
      name: 'fc-b',
      separationOfDuties: true,
      deployments: [
        {
          endpointName: 'fc-b-ep',
          serverless: { memorySizeMb: 3072, maxConcurrency: 7 },
          whenNoneApproved: 'delete-endpoint',
          production: false,
        },
      ],
    },
    {
      name: 'fc-c',
      qualityGate: { thresholds: [{ metric: 'mse', atMost: 5 }] },
      deployments: [{ endpointName: 'fc-c-ep', production: false }],
    },
    {
      name: 'fc-m',
      deployments: [
        {
          endpointName: 'fc-m-ep',
          dataCapturePercent: 100,
          monitoring: { dataQuality: { scheduleExpression: 'cron(0 * ? * * *)' } },
        },
      ],
    },
  ],
};

interface Ctx {
  readonly app: LocalApp;
  readonly sagemaker: SageMakerClient;
  readonly template: (resourceType: string) => [string, Json][];
  readonly env: (functionPrefix: string) => Json;
  readonly manifest: { groups: Json[] };
}

type Row = (ctx: Ctx) => Promise<void> | void;

const describeConfig = async (ctx: Ctx, endpoint: string): Promise<DescribeEndpointConfigCommandOutput> => {
  const e = await ctx.sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
  return ctx.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: e.EndpointConfigName }));
};
const describeModel = async (ctx: Ctx, endpoint: string): Promise<DescribeModelCommandOutput> => {
  const config = await describeConfig(ctx, endpoint);
  return ctx.sagemaker.send(
    new DescribeModelCommand({ ModelName: config.ProductionVariants?.[0]?.ModelName }),
  );
};
const endpointExists = (ctx: Ctx, name: string) =>
  ctx.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name })).then(
    () => true,
    () => false,
  );
const props = (r: Json) => (r.Properties ?? {}) as Json;
const packageArn = (group: string, version: number) =>
  `arn:aws:sagemaker:us-east-1:123456789012:model-package/${group}/${version}`;

/** Resolves when the endpoint is InService on the version (the app's later work is awaited by idle()). */
const inService = (sagemaker: SageMakerClient, endpoint: string, version: number) =>
  eventually(
    async () => {
      const out = await sagemaker
        .send(new DescribeEndpointCommand({ EndpointName: endpoint }))
        .catch(() => undefined);
      return out?.EndpointStatus === 'InService' &&
        versionOfName(endpoint, out.EndpointConfigName ?? '') === version
        ? true
        : undefined;
    },
    `${endpoint} InService on v${version}`,
    WAIT,
  );

/**
 * Resolves when the policy handler has handled the version's event of that status: for a
 * registration, the governance record has its registered content (an approval landing before that
 * is recorded as a possible rewrite and held, as it would be on AWS).
 */
const handled = (app: LocalApp, arn: string, status: string) =>
  eventually(
    async () =>
      app.invocations.some(
        (i) =>
          i.functionName === 'policy-gate' &&
          i.outcome.ok &&
          (i.event.detail as Json | undefined)?.ModelPackageArn === arn &&
          (i.event.detail as Json | undefined)?.ModelApprovalStatus === status,
      )
        ? true
        : undefined,
    `the policy handler's run for ${arn} (${status})`,
    WAIT,
  );

/** Field → the effect it promises, asserted on what the played app did (or its template). */
const GROUP_ROWS: Record<string, Row> = {
  name: async (c) => {
    const g = await c.sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'fc-a' }));
    expect(g.ModelPackageGroupName).toBe('fc-a');
  },
  description: async (c) => {
    const g = await c.sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'fc-a' }));
    expect(g.ModelPackageGroupDescription).toBe('field coverage: instances');
  },
  tags: (c) => {
    const group = c
      .template('AWS::SageMaker::ModelPackageGroup')
      .find(([, r]) => props(r).ModelPackageGroupName === 'fc-a');
    expect(props(group?.[1] ?? {}).Tags).toEqual(
      expect.arrayContaining([{ Key: 'team', Value: 'field-coverage' }]),
    );
  },
  shareWithAccounts: async (c) => {
    const out = await c.sagemaker.send(
      new GetModelPackageGroupPolicyCommand({ ModelPackageGroupName: 'fc-a' }),
    );
    expect(out.ResourcePolicy).toContain('210987654321');
  },
  modelCard: async (c) => {
    const card = await c.sagemaker.send(
      new DescribeModelCardCommand({ ModelCardName: modelCardName('fc-a', 1) }),
    );
    const content = JSON.parse(card.Content ?? '{}') as { model_overview?: Json; intended_uses?: Json };
    expect(JSON.stringify(content)).toContain('ml@example.com');
    expect(content.intended_uses?.risk_rating).toBe('Low');
  },
  deployments: async (c) => {
    expect(lifecycleCalls(c.app, 'fc-a-prod')[0]?.operation).toBe('CreateEndpoint');
  },
  qualityGate: (c) => {
    // A gated group's versions deploy only with the gate's verdict: the reconciler reads it from here.
    expect(c.env('EndpointReconcilerHandler').VERDICT_S3_URI).toBeDefined();
  },
  separationOfDuties: async (c) => {
    // fc-b v1 was approved by its registrant: reverted, never deployed.
    const v1 = await c.sagemaker.send(
      new DescribeModelPackageCommand({ ModelPackageName: packageArn('fc-b', 1) }),
    );
    expect(v1.ModelApprovalStatus).not.toBe('Approved');
    expect(lifecycleCalls(c.app, 'fc-b-ep').map((x) => x.version)).not.toContain(1);
  },
  cardReviewerMustDiffer: (c) => {
    expect(c.manifest.groups.find((g) => g.name === 'fc-a')?.cardReviewerMustDiffer).toBe(true);
    expect(c.manifest.groups.find((g) => g.name === 'fc-b')?.cardReviewerMustDiffer).toBe(false);
  },
};

const TARGET_ROWS: Record<string, Row> = {
  endpointName: async (c) => {
    expect(await endpointExists(c, 'fc-a-prod')).toBe(true);
  },
  serve: async (c) => {
    // Approved but not in the Production stage: fc-a-staged serves nothing...
    expect(await endpointExists(c, 'fc-a-staged')).toBe(false);
    expect(lifecycleCalls(c.app, 'fc-a-staged')).toEqual([]);
    // ...until a release manager (not the registrant) promotes v2 to the stage.
    const releaseManager = new SageMakerClient({
      endpoint: c.app.sagemaker.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'role=ReleaseManager@rita', secretAccessKey: 'local' },
    });
    await releaseManager.send(
      new UpdateModelPackageCommand({
        ModelPackageArn: packageArn('fc-a', 2),
        ModelLifeCycle: { Stage: 'Production', StageStatus: 'Approved' },
      }),
    );
    await inService(c.sagemaker, 'fc-a-staged', 2);
  },
  instances: async (c) => {
    const variant = (await describeConfig(c, 'fc-a-prod')).ProductionVariants?.[0];
    expect([variant?.InstanceType, variant?.InitialInstanceCount]).toEqual(['ml.c5.xlarge', 2]);
  },
  serverless: async (c) => {
    // fc-b-ep was deleted (whenNoneApproved); its config stays.
    const call = lifecycleCalls(c.app, 'fc-b-ep').find((x) => x.operation === 'CreateEndpoint');
    expect(call).toBeDefined();
    const configs = c.app.sagemaker.endpoints.calls.filter((x) => x.endpointName === 'fc-b-ep');
    const config = await c.sagemaker.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: configs[0]?.endpointConfigName }),
    );
    expect(config.ProductionVariants?.[0]?.ServerlessConfig).toEqual({
      MemorySizeInMB: 3072,
      MaxConcurrency: 7,
    });
  },
  strategy: (c) => {
    const update = lifecycleCalls(c.app, 'fc-a-prod').find((x) => x.operation === 'UpdateEndpoint');
    expect(update?.deploymentConfig).toMatchObject({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: {
          Type: 'CANARY',
          CanarySize: { Type: 'CAPACITY_PERCENT', Value: 25 },
          WaitIntervalInSeconds: 180,
        },
        TerminationWaitInSeconds: 240,
      },
    });
  },
  rollbackAlarms: (c) => {
    const update = lifecycleCalls(c.app, 'fc-a-prod').find((x) => x.operation === 'UpdateEndpoint');
    expect(update?.deploymentConfig).toMatchObject({
      AutoRollbackConfiguration: {
        Alarms: [
          { AlarmName: 'model-governance-fc-a-prod-invocation-5xx' },
          { AlarmName: 'model-governance-fc-a-prod-model-latency' },
        ],
      },
    });
  },
  whenNoneApproved: async (c) => {
    expect(await endpointExists(c, 'fc-b-ep')).toBe(false);
    expect(lifecycleCalls(c.app, 'fc-b-ep').map((x) => x.operation)).toContain('DeleteEndpoint');
  },
  keepPreviousVersions: async (c) => {
    // 0 kept: once v2 serves, v1's model is gone.
    await eventually(
      async () => {
        const models = await c.sagemaker.send(new ListModelsCommand({ NameContains: 'fc-a-prod' }));
        const names = (models.Models ?? []).map((m) => m.ModelName ?? '');
        return names.length === 1 && /v2/.test(names[0] ?? '') ? true : undefined;
      },
      "fc-a-prod's v1 model removed",
      WAIT,
    );
  },
  dataCapturePercent: async (c) => {
    const capture = (await describeConfig(c, 'fc-a-prod')).DataCaptureConfig;
    const bucket = c.app.physicalId('EndpointReconcilerDataCaptureBucket');
    expect(capture).toMatchObject({
      InitialSamplingPercentage: 30,
      DestinationS3Uri: `s3://${bucket}/data-capture/fc-a-prod`,
    });
  },
  dataCaptureKmsKeyArn: async (c) => {
    expect((await describeConfig(c, 'fc-a-prod')).DataCaptureConfig?.KmsKeyId).toBe(CAPTURE_KEY);
  },
  requireApprovedModelCard: async (c) => {
    expect(await endpointExists(c, 'fc-a-gated')).toBe(false);
    expect(reconcileOutcomes(c.app, 'fc-a-gated')).toContain('held');
  },
  production: () => {
    // What production promises: no automatic approval of the group's versions.
    const autoApproved = (production: boolean) => () =>
      parseGovernanceConfig({
        groups: [
          {
            name: 'p',
            qualityGate: { thresholds: [{ metric: 'mse', atMost: 5 }], autoApprove: true },
            deployments: [{ endpointName: 'p-ep', production }],
          },
        ],
      });
    expect(autoApproved(true)).toThrow(/production/);
    expect(autoApproved(false)).not.toThrow();
  },
  account: () => {
    // A target in another account gets a deployment stack there, whose reconciler manages it.
    const { deploymentStacks } = buildGovernanceApp({
      config: parseGovernanceConfig({
        registry: { account: '123456789012', region: 'us-east-1' },
        groups: [{ name: 'acct', deployments: [{ endpointName: 'acct-ep', account: '210987654321' }] }],
      }),
      appProps: {
        outdir: mkdtempSync(join(tmpdir(), 'mgov-fc-account-')),
        context: { 'aws:cdk:bundling-stacks': [] },
      },
    });
    const there = deploymentStacks.find((s) => s.account === '210987654321');
    expect(there?.reconciler.handler).toBeDefined();
  },
  vpc: async (c) => {
    expect((await describeModel(c, 'fc-a-prod')).VpcConfig).toEqual({
      Subnets: VPC.subnetIds,
      SecurityGroupIds: VPC.securityGroupIds,
    });
  },
  networkIsolation: async (c) => {
    expect((await describeModel(c, 'fc-a-prod')).EnableNetworkIsolation).toBe(true);
  },
  volumeKmsKeyArn: async (c) => {
    expect((await describeConfig(c, 'fc-a-prod')).KmsKeyId).toBe(VOLUME_KEY);
  },
  autoscaling: async (c) => {
    const autoscaling = new ApplicationAutoScalingClient({
      endpoint: c.app.sagemaker.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'approver', secretAccessKey: 'local' },
    });
    const target = await eventually(
      async () => {
        const out = await autoscaling.send(
          new DescribeScalableTargetsCommand({
            ServiceNamespace: 'sagemaker',
            ResourceIds: ['endpoint/fc-a-prod/variant/AllTraffic'],
          }),
        );
        return out.ScalableTargets?.[0];
      },
      'the scalable target of fc-a-prod',
      WAIT,
    );
    expect([target.MinCapacity, target.MaxCapacity]).toEqual([1, 5]);
  },
  shadow: async (c) => {
    // The endpoint's second version is shadow-tested before it takes traffic.
    await eventually(
      async () => (reconcileOutcomes(c.app, 'fc-a-shadow').includes('shadow-started') ? true : undefined),
      'the shadow test of fc-a-shadow v2',
      WAIT,
    );
  },
  monitoring: async (c) => {
    // The endpoint's data quality schedule runs with the baselines its live version was registered with.
    const schedule = await eventually(
      () =>
        c.sagemaker
          .send(new DescribeMonitoringScheduleCommand({ MonitoringScheduleName: 'fc-m-ep-data-quality' }))
          .catch(() => undefined),
      "fc-m-ep's data quality schedule",
      60_000,
    );
    const definition = await c.sagemaker.send(
      new DescribeDataQualityJobDefinitionCommand({
        JobDefinitionName: schedule.MonitoringScheduleConfig?.MonitoringJobDefinitionName,
      }),
    );
    expect(schedule.MonitoringScheduleConfig?.MonitoringType).toBe('DataQuality');
    expect(definition.DataQualityJobInput?.EndpointInput?.EndpointName).toBe('fc-m-ep');
    expect(definition.DataQualityBaselineConfig?.ConstraintsResource?.S3Uri).toBe(BASELINE.constraints);
  },
};

type SchemaNode = { properties?: Record<string, unknown>; $ref?: string };
const schema = configSchema() as SchemaNode & { definitions: Record<string, SchemaNode> };
const fieldsOf = (definition: string) => Object.keys(schema.definitions[definition]?.properties ?? {});

it('has a row for every group and deployment-target field of the schema, and none for a field it lacks', () => {
  expect(Object.keys(GROUP_ROWS).sort()).toEqual(fieldsOf('ModelPackageGroupInput').sort());
  expect(Object.keys(TARGET_ROWS).sort()).toEqual(fieldsOf('DeploymentInput').sort());
});

/** FC_LOG=FILE writes the played app's log there (what a failed run did, step by step). */
const debugLog = process.env.FC_LOG
  ? (e: { time: Date; kind: string; text: string }) =>
      appendFileSync(String(process.env.FC_LOG), `${e.time.toISOString()} ${e.kind} ${e.text}\n`)
  : undefined;

describe('as deployed', () => {
  let ctx: Ctx;
  beforeAll(async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'mgov-fc-'));
    // The shadow check's schedule only notices a test's end, which no row waits for: fired rarely,
    // it leaves the app idle between approvals.
    const app = await startLocalApp(CONFIG, {
      outdir,
      scheduleEveryMs: 600_000,
      ...(debugLog ? { log: debugLog } : {}),
    });
    const sagemaker = new SageMakerClient({
      endpoint: app.sagemaker.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'approver', secretAccessKey: 'local' },
    });
    const registrar = new SageMakerClient({
      endpoint: app.sagemaker.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'registrar', secretAccessKey: 'local' },
    });
    const templateFile = readdirSync(outdir).find((f) => f.endsWith('.template.json'));
    const template = JSON.parse(readFileSync(join(outdir, String(templateFile)), 'utf8')) as {
      Resources: Record<string, Json>;
    };
    const of = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
    const reconciler = of('AWS::Lambda::Function').find(([id]) => id.startsWith('EndpointReconcilerHandler'));
    const assetDir = readdirSync(outdir).find(
      (d) => d.startsWith('asset.') && readdirSync(join(outdir, d)).includes('governance-manifest.json'),
    );
    ctx = {
      app,
      sagemaker,
      template: of,
      env: (prefix) =>
        ((
          props(of('AWS::Lambda::Function').find(([id]) => id.startsWith(prefix))?.[1] ?? {})
            .Environment as Json
        )?.Variables ?? {}) as Json,
      manifest: JSON.parse(readFileSync(join(outdir, String(assetDir), 'governance-manifest.json'), 'utf8')),
    };
    expect(reconciler).toBeDefined();

    const registered = async (client: SageMakerClient, group: string) => {
      const arn = await registerVersion(client, group, { createGroup: false });
      await handled(app, arn, 'PendingManualApproval');
      return arn;
    };
    // The groups' stories run side by side; each waits only for its own endpoints.
    const fcA = async () => {
      // v1 then v2, each registered by the registrar and approved by the approver.
      for (const version of [1, 2]) {
        const arn = await registered(registrar, 'fc-a');
        await setApproval(sagemaker, arn, 'Approved', `v${version}`);
        await inService(sagemaker, 'fc-a-prod', version);
        // The shadow target takes v1; v2 is then shadow-tested against it (the shadow row waits for
        // that), and while the test runs SageMaker serves the endpoint from a config of its own, so
        // "InService on v1" holds only until the test starts: waiting for it then races the test.
        if (version === 1) await inService(sagemaker, 'fc-a-shadow', 1);
      }
    };
    const fcB = async () => {
      // v1 approved by its registrant (separation of duties reverts it), v2 by another, then rejected.
      const selfApproved = await registered(sagemaker, 'fc-b');
      await setApproval(sagemaker, selfApproved, 'Approved', 'my own');
      await handled(app, selfApproved, 'Approved');
      const v2 = await registered(registrar, 'fc-b');
      await setApproval(sagemaker, v2, 'Approved', 'reviewed');
      await inService(sagemaker, 'fc-b-ep', 2);
      await setApproval(sagemaker, v2, 'Rejected', 'withdrawn');
      await eventually(
        async () => ((await endpointExists(ctx, 'fc-b-ep')) ? undefined : true),
        'fc-b-ep deleted',
        WAIT,
      );
    };
    const fcM = async () => {
      // Registered with the baselines its monitor runs with.
      const out = await registrar.send(
        new CreateModelPackageCommand({
          ModelPackageGroupName: 'fc-m',
          ModelApprovalStatus: 'PendingManualApproval',
          InferenceSpecification: {
            Containers: [
              {
                Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
                ModelDataUrl: 's3://example-models/fc-m/model.tar.gz',
              },
            ],
            SupportedContentTypes: ['text/csv'],
            SupportedResponseMIMETypes: ['text/csv'],
          },
          DriftCheckBaselines: {
            ModelDataQuality: {
              Constraints: { ContentType: 'application/json', S3Uri: BASELINE.constraints },
              Statistics: { ContentType: 'application/json', S3Uri: BASELINE.statistics },
            },
          },
        }),
      );
      const arn = String(out.ModelPackageArn);
      await handled(app, arn, 'PendingManualApproval');
      await setApproval(sagemaker, arn, 'Approved', 'monitored');
      await inService(sagemaker, 'fc-m-ep', 1);
    };
    await Promise.all([fcA(), fcB(), fcM()]);
    await app.idle(300, WAIT);
  }, 1_200_000);
  afterAll(async () => ctx?.app.stop(), 120_000);

  it.each([
    ...Object.keys(GROUP_ROWS).map((f) => ['group', f] as const),
    ...Object.keys(TARGET_ROWS).map((f) => ['target', f] as const),
  ])(
    '%s field %s',
    async (kind, field) => {
      const row = (kind === 'group' ? GROUP_ROWS : TARGET_ROWS)[field];
      if (!row) throw new Error(`no row for ${field}`);
      await row(ctx);
    },
    WAIT,
  );
});
