/** SageMaker Model Monitor calls: what a target's monitoring looks like now, and the plan's actions. */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateDataQualityJobDefinitionCommand,
  CreateModelQualityJobDefinitionCommand,
  CreateMonitoringScheduleCommand,
  DeleteDataQualityJobDefinitionCommand,
  DeleteModelQualityJobDefinitionCommand,
  DeleteMonitoringScheduleCommand,
  DescribeMonitoringScheduleCommand,
  DescribeProcessingJobCommand,
  ListDataQualityJobDefinitionsCommand,
  ListModelQualityJobDefinitionsCommand,
  ListMonitoringExecutionsCommand,
  ListMonitoringSchedulesCommand,
  type SageMakerClient,
  UpdateMonitoringScheduleCommand,
} from '@aws-sdk/client-sagemaker';
import {
  jobDefinitionPrefix,
  type MonitoringAction,
  type MonitoringResult,
  type ObservedJobDefinition,
  type ObservedSchedule,
  scheduleName,
  versionOfJobDefinition,
} from '../domain/monitoring-plan';
import { isAlreadyExists, isNotFound } from './sagemaker';

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
