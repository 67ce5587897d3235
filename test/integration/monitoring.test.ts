/**
 * Model monitoring that follows the approved version, played by the local runner on the local
 * SageMaker over HTTP: the reconciler points the endpoint's monitoring schedule at the baselines of
 * the version it serves, through promotion and rejection, and a local execution finds drift.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageGroupCommand,
  DescribeDataQualityJobDefinitionCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  DescribeMonitoringScheduleCommand,
  ListActionsCommand,
  ListDataQualityJobDefinitionsCommand,
  ListMonitoringExecutionsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { parseGovernanceConfig } from '../../core/config/parse';
import { reconcileTarget } from '../../handlers/reconcile-endpoint/reconcile';
import type { LocalApp } from '../../local/runner/local-app';
import { reconcileOutcomes, serving } from '../harness/deployments';
import { startLocalApp } from '../harness/local-app';
import { eventually } from '../harness/local-aws';
import {
  capture as captureRequests,
  registerApproved as registerApprovedVersion,
  runMonitoring,
} from '../harness/monitoring';
import { setApproval } from '../harness/registry';

const ENDPOINT = 'churn-prod';
const SCHEDULE = 'churn-prod-data-quality';
const raw = {
  groups: [
    {
      name: 'churn',
      deployments: [
        {
          endpointName: ENDPOINT,
          dataCapturePercent: 100,
          monitoring: { dataQuality: { scheduleExpression: 'cron(0 * ? * * *)' }, onViolation: 'rollback' },
        },
      ],
    },
  ],
};
const CONFIG = join(mkdtempSync(join(tmpdir(), 'mgov-monitoring-')), 'config.json');
writeFileSync(CONFIG, JSON.stringify(raw));
let app: LocalApp;
let sagemaker: SageMakerClient;
let s3: S3Client;

beforeAll(async () => {
  app = await startLocalApp(raw);
  const client = {
    region: 'us-east-1',
    credentials: { accessKeyId: 'approver', secretAccessKey: 'local' },
  };
  sagemaker = new SageMakerClient({ ...client, endpoint: app.sagemaker.url });
  s3 = new S3Client({ ...client, endpoint: app.moto.url, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'baselines' }));
  await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'churn' }));
}, 360_000);
afterAll(async () => {
  await app?.stop();
});

const registerApproved = (version: number, low: number) =>
  registerApprovedVersion(sagemaker, s3, 'churn', version, low);

/** The baseline constraints the endpoint's schedule runs with, once it runs with version's. */
async function scheduledBaseline(version: number): Promise<string | undefined> {
  return eventually(async () => {
    const schedule = await sagemaker
      .send(new DescribeMonitoringScheduleCommand({ MonitoringScheduleName: SCHEDULE }))
      .catch(() => undefined);
    const name = schedule?.MonitoringScheduleConfig?.MonitoringJobDefinitionName;
    if (!name) return undefined;
    const def = await sagemaker.send(
      new DescribeDataQualityJobDefinitionCommand({ JobDefinitionName: name }),
    );
    const uri = def.DataQualityBaselineConfig?.ConstraintsResource?.S3Uri;
    return uri === `s3://baselines/churn/v${version}/constraints.json` ? uri : undefined;
  }, `${SCHEDULE} on v${version}'s baselines`);
}

async function definitions(): Promise<string[]> {
  const out = await sagemaker.send(new ListDataQualityJobDefinitionsCommand({ EndpointName: ENDPOINT }));
  return (out.JobDefinitionSummaries ?? []).map((d) => d.MonitoringJobDefinitionName ?? '');
}

describe('in order', () => {
  // Each step waits for an endpoint transition and a reconcile run: generous on a shared machine.
  jest.setTimeout(180_000);
  let v2: string;

  it('approving v1 creates the schedule with v1 baselines', async () => {
    await registerApproved(1, 0);
    await serving(app, sagemaker, ENDPOINT, 1, 60_000);
    expect(await scheduledBaseline(1)).toBe('s3://baselines/churn/v1/constraints.json');
    expect(await definitions()).toEqual([expect.stringMatching(/^churn-prod-dq-v1-[0-9a-f]{8}$/)]);
  });

  it('promoting v2 moves the schedule to v2 baselines, and v1 definition is gone', async () => {
    v2 = await registerApproved(2, 100);
    await serving(app, sagemaker, ENDPOINT, 2, 60_000);
    await scheduledBaseline(2);
    await app.idle();
    expect(await definitions()).toEqual([expect.stringMatching(/^churn-prod-dq-v2-[0-9a-f]{8}$/)]);
  });

  it('rejecting v2 moves it back to v1 baselines', async () => {
    await setApproval(sagemaker, v2, 'Rejected', 'bad');
    await serving(app, sagemaker, ENDPOINT, 1, 60_000);
    await scheduledBaseline(1);
    await app.idle();
    expect(await definitions()).toEqual([expect.stringMatching(/^churn-prod-dq-v1-[0-9a-f]{8}$/)]);
  });

  it('a drift found on v3 is recorded in lineage, told, and with onViolation: rollback, rejects v3 back to v1', async () => {
    const v3 = await registerApproved(3, 0);
    await serving(app, sagemaker, ENDPOINT, 3, 60_000);
    await scheduledBaseline(3);
    const capture = (file: string, values: number[]) =>
      captureRequests(sagemaker, s3, ENDPOINT, file, values);
    const run = () => runMonitoring(app, SCHEDULE);
    await capture(
      'steady',
      Array.from({ length: 50 }, (_, i) => (i % 10) + 0.5),
    );
    expect((await run()).MonitoringExecutionStatus).toBe('Completed');
    await new Promise((r) => setTimeout(r, 1100));
    await capture(
      'drifted',
      Array.from({ length: 50 }, (_, i) => 7 + (i % 3)),
    );
    expect((await run()).MonitoringExecutionStatus).toBe('CompletedWithViolations');

    const executions = await sagemaker.send(
      new ListMonitoringExecutionsCommand({ MonitoringScheduleName: SCHEDULE }),
    );
    expect(executions.MonitoringExecutionSummaries?.map((e) => e.MonitoringExecutionStatus)).toEqual([
      'CompletedWithViolations',
      'Completed',
    ]);
    const event = app.sagemaker.events.emitted
      .filter((e) => e.detailType === 'SageMaker Processing Job State Change')
      .at(-1);
    expect(event?.detail).toMatchObject({
      ProcessingJobStatus: 'Completed',
      ExitMessage: 'CompletedWithViolations: Job completed successfully with 1 violations.',
      Environment: { sagemaker_endpoint_name: ENDPOINT, sagemaker_monitoring_schedule_name: SCHEDULE },
    });
    const report = (
      event?.detail.ProcessingOutputConfig as { Outputs?: { S3Output?: { S3Uri?: string } }[] } | undefined
    )?.Outputs?.[0]?.S3Output?.S3Uri;
    const [, rb, rk] = /^s3:\/\/([^/]+)\/(.*)$/.exec(report ?? '') ?? [];
    const body = await (
      await s3.send(new GetObjectCommand({ Bucket: rb, Key: `${rk}/constraint_violations.json` }))
    ).Body?.transformToString();
    expect(JSON.parse(body ?? '{}').violations).toEqual([
      expect.objectContaining({ feature_name: '_c0', constraint_check_type: 'baseline_drift_check' }),
    ]);

    // Back to governance: the version is rejected with the reason, and the endpoint serves v1 again.
    await serving(app, sagemaker, ENDPOINT, 1, 40_000);
    const described = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: v3 }));
    expect(described.ModelApprovalStatus).toBe('Rejected');
    expect(described.ApprovalDescription).toMatch(
      /^Rejected by model monitoring: the DataQuality monitor of churn-prod found 1 violation\(s\) \(baseline_drift_check on _c0\); report s3:\/\/.*\/constraint_violations\.json$/,
    );
    expect(reconcileOutcomes(app, ENDPOINT).filter((o) => o === 'monitoring-violation')).toHaveLength(1);
    const actions = await sagemaker.send(
      new ListActionsCommand({ ActionType: 'GovernedMonitoringViolation' }),
    );
    expect(actions.ActionSummaries).toHaveLength(1);
    await scheduledBaseline(1);
  });

  it('a configuration that drops the last monitored target removes its schedule and job definitions when the stack deploys', async () => {
    // The reconciler of that configuration: no monitoring role, no report location, no monitored
    // target; only the stack's own deployment event, and the same SageMaker.
    const group = parseGovernanceConfig({
      groups: [{ name: 'churn', deployments: [{ endpointName: ENDPOINT, dataCapturePercent: 100 }] }],
    }).groups[0];
    const target = group?.deployments[0];
    if (!group || !target) throw new Error('no target');
    expect(await definitions()).not.toEqual([]);
    // Where the stack captures to (the endpoint config says), so the desired config is the served one.
    const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: ENDPOINT }));
    const config = await sagemaker.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }),
    );
    const captured = config.DataCaptureConfig?.DestinationS3Uri ?? '';
    const outcome = await reconcileTarget(
      {
        sagemaker,
        executionRoleArn: String(
          (
            await sagemaker.send(
              new DescribeModelCommand({ ModelName: config.ProductionVariants?.[0]?.ModelName }),
            )
          ).ExecutionRoleArn,
        ),
        dataCaptureS3Uri: captured.slice(0, captured.length - ENDPOINT.length - 1),
      },
      group,
      target,
      {
        kind: 'stack-deployed',
        change: {
          eventId: 'redeployed',
          stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/x/1',
          status: 'UPDATE_COMPLETE',
        },
      },
    );
    expect(outcome).toMatchObject({ outcome: 'skipped', code: 'in-sync' });
    await expect(
      sagemaker.send(new DescribeMonitoringScheduleCommand({ MonitoringScheduleName: SCHEDULE })),
    ).rejects.toMatchObject({ name: expect.stringMatching(/ResourceNotFound|ValidationException/) });
    expect(await definitions()).toEqual([]);
  });
});
