/** SageMaker Model Monitor calls: what a target's monitoring looks like now, and the plan's actions. */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateDataQualityJobDefinitionCommand,
  CreateModelQualityJobDefinitionCommand,
  CreateMonitoringScheduleCommand,
  DeleteDataQualityJobDefinitionCommand,
  DeleteModelQualityJobDefinitionCommand,
  DeleteMonitoringScheduleCommand,
  DescribeActionCommand,
  DescribeMonitoringScheduleCommand,
  DescribeProcessingJobCommand,
  ListActionsCommand,
  ListDataQualityJobDefinitionsCommand,
  ListModelQualityJobDefinitionsCommand,
  ListMonitoringExecutionsCommand,
  ListMonitoringSchedulesCommand,
  type SageMakerClient,
  UpdateMonitoringScheduleCommand,
} from '@aws-sdk/client-sagemaker';
import { versionOfName } from '../core/naming';
import type { ObservedEndpoint } from '../domain/endpoint-request';
import { type RecordEntry, recordedViolationHold, violationRecorded } from '../domain/governance-record';
import {
  monitoringViolationActionName,
  VIOLATION_CLEAR_ACTION_TYPE,
  VIOLATION_HOLD_ACTION_TYPE,
} from '../domain/lineage-plan';
import { describeIdentity } from '../domain/model-version';
import {
  jobDefinitionPrefix,
  type MonitoringAction,
  type MonitoringResult,
  type ObservedJobDefinition,
  type ObservedMonitoring,
  type ObservedSchedule,
  type RecordedViolationHold,
  scheduleName,
  type ViolationHolds,
  versionOfJobDefinition,
} from '../domain/monitoring-plan';
import type { ObservedExecution } from '../domain/target-planner';
import type { VersionSummary } from '../domain/version-selection';
import { describeModelVersion, isAlreadyExists, isNotFound } from './sagemaker';

/** The target's schedules and job definitions (only names this app gives them). */
export async function observeMonitoring(
  sagemaker: SageMakerClient,
  endpointName: string,
): Promise<{ schedules: ObservedSchedule[]; definitions: ObservedJobDefinition[] }> {
  const ours = new Set([
    scheduleName(endpointName, 'DataQuality'),
    scheduleName(endpointName, 'ModelQuality'),
  ]);
  const listed = await sagemaker.send(
    new ListMonitoringSchedulesCommand({ EndpointName: endpointName, MaxResults: 100 }),
  );
  const schedules: ObservedSchedule[] = [];
  for (const s of listed.MonitoringScheduleSummaries ?? []) {
    if (!s.MonitoringScheduleName || !ours.has(s.MonitoringScheduleName)) continue;
    const d = await sagemaker.send(
      new DescribeMonitoringScheduleCommand({ MonitoringScheduleName: s.MonitoringScheduleName }),
    );
    const config = d.MonitoringScheduleConfig;
    const type = config?.MonitoringType;
    if (type !== 'DataQuality' && type !== 'ModelQuality') continue;
    schedules.push({
      name: s.MonitoringScheduleName,
      type,
      jobDefinitionName: config?.MonitoringJobDefinitionName ?? '',
      scheduleExpression: config?.ScheduleConfig?.ScheduleExpression ?? '',
    });
  }
  const [dq, mq] = await Promise.all([
    sagemaker.send(
      new ListDataQualityJobDefinitionsCommand({
        EndpointName: endpointName,
        NameContains: jobDefinitionPrefix(endpointName, 'DataQuality'),
        MaxResults: 100,
      }),
    ),
    sagemaker.send(
      new ListModelQualityJobDefinitionsCommand({
        EndpointName: endpointName,
        NameContains: jobDefinitionPrefix(endpointName, 'ModelQuality'),
        MaxResults: 100,
      }),
    ),
  ]);
  const definitions: ObservedJobDefinition[] = [
    ...(dq.JobDefinitionSummaries ?? []).map((d) => ({
      name: d.MonitoringJobDefinitionName ?? '',
      type: 'DataQuality' as const,
    })),
    ...(mq.JobDefinitionSummaries ?? []).map((d) => ({
      name: d.MonitoringJobDefinitionName ?? '',
      type: 'ModelQuality' as const,
    })),
  ].filter((d) => d.name.startsWith(jobDefinitionPrefix(endpointName, d.type)));
  return { schedules, definitions };
}

/** Carries the plan's actions out in order; creating what exists and deleting what is gone are no-ops. */
export async function applyMonitoring(
  sagemaker: SageMakerClient,
  actions: readonly MonitoringAction[],
): Promise<void> {
  for (const a of actions) {
    try {
      switch (a.kind) {
        case 'create-job-definition':
          if (a.type === 'DataQuality')
            await sagemaker.send(new CreateDataQualityJobDefinitionCommand(a.request));
          else await sagemaker.send(new CreateModelQualityJobDefinitionCommand(a.request));
          break;
        case 'create-schedule':
          await sagemaker.send(new CreateMonitoringScheduleCommand(a.request));
          break;
        case 'update-schedule':
          await sagemaker.send(
            new UpdateMonitoringScheduleCommand({
              MonitoringScheduleName: a.request.MonitoringScheduleName,
              MonitoringScheduleConfig: a.request.MonitoringScheduleConfig,
            }),
          );
          break;
        case 'delete-schedule':
          await sagemaker.send(new DeleteMonitoringScheduleCommand({ MonitoringScheduleName: a.name }));
          break;
        case 'delete-job-definition':
          if (a.type === 'DataQuality')
            await sagemaker.send(new DeleteDataQualityJobDefinitionCommand({ JobDefinitionName: a.name }));
          else
            await sagemaker.send(new DeleteModelQualityJobDefinitionCommand({ JobDefinitionName: a.name }));
          break;
      }
    } catch (error) {
      // Another run made or removed it first: the state the plan asked for is there.
      const created = a.kind === 'create-job-definition' || a.kind === 'create-schedule';
      if (created && (isAlreadyExists(error) || (error as Error).name === 'ResourceInUse')) continue;
      if (!created && a.kind !== 'update-schedule' && isNotFound(error)) continue;
      throw error;
    }
  }
}

/**
 * What one monitoring execution found, read from SageMaker and S3 (the event only says which job):
 * its summary under the schedule (status, job definition), its processing job (where it wrote the
 * report), and the report's violations.
 */
export async function readMonitoringResult(
  sagemaker: SageMakerClient,
  s3: S3Client,
  endpointName: string,
  scheduleName: string,
  processingJobName: string,
): Promise<MonitoringResult | undefined> {
  const job = await sagemaker
    .send(new DescribeProcessingJobCommand({ ProcessingJobName: processingJobName }))
    .catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
  if (!job?.ProcessingJobArn) return undefined;
  const executions = await sagemaker.send(
    new ListMonitoringExecutionsCommand({ MonitoringScheduleName: scheduleName, MaxResults: 100 }),
  );
  const execution = executions.MonitoringExecutionSummaries?.find(
    (e) => e.ProcessingJobArn === job.ProcessingJobArn,
  );
  const type = execution?.MonitoringType;
  if (!execution || (type !== 'DataQuality' && type !== 'ModelQuality')) return undefined;
  const output = job.ProcessingOutputConfig?.Outputs?.[0]?.S3Output?.S3Uri?.replace(/\/$/, '');
  const report = output ? `${output}/constraint_violations.json` : undefined;
  const status = execution.MonitoringExecutionStatus ?? job.ProcessingJobStatus ?? 'Unknown';
  const violations = status === 'CompletedWithViolations' && report ? await readViolations(s3, report) : [];
  const definition = execution.MonitoringJobDefinitionName ?? '';
  return {
    endpointName,
    type,
    scheduleName,
    jobDefinitionName: definition,
    ...optionalVersion(versionOfJobDefinition(endpointName, type, definition)),
    status,
    ...(execution.ScheduledTime ? { scheduledTime: execution.ScheduledTime } : {}),
    ...(report ? { violationReport: report } : {}),
    processingJobArn: job.ProcessingJobArn,
    violations,
  };
}

function optionalVersion(version: number | undefined): { version?: number } {
  return version === undefined ? {} : { version };
}

async function readViolations(s3: S3Client, uri: string): Promise<MonitoringResult['violations']> {
  const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri) ?? [];
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const parsed = JSON.parse((await out.Body?.transformToString()) ?? '{}') as {
    violations?: { feature_name?: string; constraint_check_type?: string; description?: string }[];
  };
  return (parsed.violations ?? []).map((v) => ({
    featureName: v.feature_name ?? '',
    checkType: v.constraint_check_type ?? '',
    description: v.description ?? '',
  }));
}

/**
 * The version the endpoint serves (its config's name says it), with its approval status and the
 * baselines it was registered with. Absent when there is no endpoint or the version is gone.
 */
export async function servedVersion(
  sagemaker: SageMakerClient,
  endpointName: string,
  endpoint: ObservedEndpoint | undefined,
  versions: readonly VersionSummary[],
): Promise<ObservedMonitoring['served']> {
  const served = endpoint ? versionOfName(endpointName, endpoint.configName) : undefined;
  const summary = versions.find((v) => v.version === served);
  const described = summary ? await describeModelVersion(sagemaker, summary.arn) : undefined;
  if (!described) return undefined;
  return {
    version: described.version,
    arn: described.arn,
    baselines: described.baselines ?? {},
    approvalStatus: described.approvalStatus,
  };
}

/**
 * One monitoring execution read back, and whether its violations are recorded already: by the
 * endpoint's governance record where the reader has it (`record`), since anyone with
 * sagemaker:CreateAction could make the lineage action first and so silence the execution; else by
 * that lineage action.
 */
export async function monitoringExecution(
  sagemaker: SageMakerClient,
  s3: S3Client,
  endpointName: string,
  schedule: string,
  processingJobName: string,
  record?: () => Promise<readonly RecordEntry[]>,
): Promise<ObservedExecution> {
  const result = await readMonitoringResult(sagemaker, s3, endpointName, schedule, processingJobName);
  if (!result) return { recorded: false };
  const processingJob = result.processingJobArn ?? processingJobName;
  if (record) return { result, recorded: violationRecorded(await record(), processingJob) };
  const name = monitoringViolationActionName(processingJob);
  const recorded = await sagemaker
    .send(new DescribeActionCommand({ ActionName: name }))
    .then(() => true)
    .catch((error: unknown) => {
      if (isNotFound(error)) return false;
      throw error;
    });
  return { result, recorded };
}

/**
 * The target's newest violation hold and newest clear. The hold: the endpoint's governance record's
 * where the reader has it (`record`); else its copy in lineage (lineage-plan.ts violationHoldAction),
 * which only mgov reads. The clear: lineage's, by its endpoint name (violationClearAction), with
 * SageMaker's CreationTime and who created it (CreatedBy, which SageMaker records and no caller sets).
 */
export async function readViolationHolds(
  sagemaker: SageMakerClient,
  endpointName: string,
  record?: () => Promise<readonly RecordEntry[]>,
): Promise<ViolationHolds> {
  const newest = async (actionType: string) => {
    const list = await sagemaker.send(
      new ListActionsCommand({
        SourceUri: endpointName,
        ActionType: actionType,
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: 1,
      }),
    );
    const latest = list.ActionSummaries?.[0];
    if (!latest?.ActionArn) return undefined;
    const out = await sagemaker.send(new DescribeActionCommand({ ActionName: latest.ActionArn }));
    return { ...out, CreationTime: out.CreationTime ?? latest.CreationTime ?? new Date(0) };
  };
  const lineageHold = async (): Promise<RecordedViolationHold | undefined> => {
    const found = await newest(VIOLATION_HOLD_ACTION_TYPE);
    const version = Number(found?.Properties?.version);
    if (!found || !Number.isInteger(version)) return undefined;
    return {
      name: found.ActionName ?? '',
      version,
      at: found.CreationTime,
      ...(found.Properties?.monitorType ? { monitorType: found.Properties.monitorType } : {}),
      ...(found.Properties?.processingJob ? { processingJob: found.Properties.processingJob } : {}),
    };
  };
  const [hold, clear] = await Promise.all([
    record ? record().then(recordedViolationHold) : lineageHold(),
    newest(VIOLATION_CLEAR_ACTION_TYPE),
  ]);
  const by = clear ? describeIdentity(clear.CreatedBy) : undefined;
  return {
    ...(hold ? { hold } : {}),
    ...(clear
      ? {
          clear: {
            at: clear.CreationTime,
            ...(clear.Properties?.hold ? { hold: clear.Properties.hold } : {}),
            ...(by ? { by } : {}),
          },
        }
      : {}),
  };
}

/** A monitor's newest execution, as its schedule reports it (LastMonitoringExecutionSummary). */
export interface LastMonitorResult {
  readonly type: 'DataQuality' | 'ModelQuality';
  readonly schedule: string;
  /** The newest execution's status; absent when the schedule has not run yet. */
  readonly status?: string;
  readonly scheduledAt?: Date;
  readonly failureReason?: string;
}

/** The newest execution of each of the target's monitors (mgov status); none when unscheduled. */
export async function lastMonitorResults(
  sagemaker: SageMakerClient,
  endpointName: string,
  types: readonly ('DataQuality' | 'ModelQuality')[],
): Promise<LastMonitorResult[]> {
  const out: LastMonitorResult[] = [];
  for (const type of types) {
    const schedule = scheduleName(endpointName, type);
    const d = await sagemaker
      .send(new DescribeMonitoringScheduleCommand({ MonitoringScheduleName: schedule }))
      .catch((error: unknown) => {
        if (isNotFound(error)) return undefined;
        throw error;
      });
    if (!d) continue;
    const last = d.LastMonitoringExecutionSummary;
    out.push({
      type,
      schedule,
      ...(last?.MonitoringExecutionStatus ? { status: last.MonitoringExecutionStatus } : {}),
      ...(last?.ScheduledTime ? { scheduledAt: last.ScheduledTime } : {}),
      ...(last?.FailureReason ? { failureReason: last.FailureReason } : {}),
    });
  }
  return out;
}
