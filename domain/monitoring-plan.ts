/**
 * Model monitoring that follows the live version (pure): which SageMaker Model Monitor job
 * definitions and schedules a target needs once its endpoint serves a version, given the baselines
 * that version was registered with (DescribeModelPackage DriftCheckBaselines), and what to remove.
 *
 * Job definitions cannot be updated (the API has no Update*JobDefinition), so a definition's name
 * carries the version and a hash of everything in it: new baselines make a new definition, and the
 * target's one schedule per monitor type is pointed at it (UpdateMonitoringSchedule). Definitions of
 * replaced versions are deleted once no schedule uses them.
 */
import { createHash } from 'node:crypto';
import type {
  CreateDataQualityJobDefinitionRequest,
  CreateModelQualityJobDefinitionRequest,
  CreateMonitoringScheduleRequest,
} from '@aws-sdk/client-sagemaker';
import type {
  DataQualityMonitor,
  DeploymentTarget,
  ModelQualityMonitor,
  Monitoring,
  MonitoringJobResources,
  ViolationResponse,
} from '../core/config/types';
import { resourcePrefix } from '../core/naming';

export const MONITOR_TYPES = ['DataQuality', 'ModelQuality'] as const;
/** SageMaker's MonitoringType values this app schedules. */
export type MonitorType = (typeof MONITOR_TYPES)[number];

/** One DriftCheckBaselines entry: S3 URIs of the baseline's constraints and statistics. */
export interface BaselineFiles {
  readonly constraints?: string;
  readonly statistics?: string;
}

/** The baselines a version was registered with (DriftCheckBaselines.ModelDataQuality / ModelQuality). */
export interface VersionBaselines {
  readonly dataQuality?: BaselineFiles;
  readonly modelQuality?: BaselineFiles;
}

/** The live version: what the endpoint is InService on. */
export interface LiveVersion {
  readonly version: number;
  readonly arn: string;
  readonly baselines: VersionBaselines;
}

export interface ObservedSchedule {
  readonly name: string;
  readonly type: MonitorType;
  readonly jobDefinitionName: string;
  readonly scheduleExpression: string;
}

export interface ObservedJobDefinition {
  readonly name: string;
  readonly type: MonitorType;
}

export interface MonitoringInputs {
  readonly target: DeploymentTarget;
  /** Undefined: the endpoint serves nothing (deleted); every schedule of the target goes. */
  readonly live?: LiveVersion;
  /** The role SageMaker runs monitoring jobs with. */
  readonly roleArn: string;
  /** Where monitoring jobs write their reports; the target's reports go under `<uri>/<endpoint>`. */
  readonly reportsS3Uri: string;
  /** The target's schedules and job definitions as SageMaker lists them (names with its prefix). */
  readonly schedules: readonly ObservedSchedule[];
  readonly definitions: readonly ObservedJobDefinition[];
  /** SageMaker's Model Monitor analyzer image in the endpoint's region. @default MODEL_MONITOR_IMAGE */
  readonly imageUri?: string;
}

export type JobDefinitionRequest =
  | { readonly type: 'DataQuality'; readonly request: CreateDataQualityJobDefinitionRequest }
  | { readonly type: 'ModelQuality'; readonly request: CreateModelQualityJobDefinitionRequest };

export type MonitoringAction =
  | ({ readonly kind: 'create-job-definition' } & JobDefinitionRequest)
  | { readonly kind: 'create-schedule'; readonly request: CreateMonitoringScheduleRequest }
  | { readonly kind: 'update-schedule'; readonly request: CreateMonitoringScheduleRequest }
  | { readonly kind: 'delete-schedule'; readonly name: string }
  | { readonly kind: 'delete-job-definition'; readonly type: MonitorType; readonly name: string };

/** Why a version cannot be monitored as its target asks. */
export const MISSING_BASELINES = 'missing-monitoring-baselines';

export interface MonitoringPlan {
  /** In order: definitions first, then schedules, then what they no longer use. */
  readonly actions: readonly MonitoringAction[];
  /** Each monitor that runs on the live version, with the baseline it checks against. */
  readonly monitors: readonly {
    readonly type: MonitorType;
    readonly jobDefinitionName: string;
    readonly constraints: string;
  }[];
  /** The live version runs unmonitored (deployUnmonitored), and why. */
  readonly unmonitored?: { readonly code: typeof MISSING_BASELINES; readonly reason: string };
}

const TYPE_SLUG: Record<MonitorType, string> = { DataQuality: 'dq', ModelQuality: 'mq' };
const SCHEDULE_SLUG: Record<MonitorType, string> = {
  DataQuality: 'data-quality',
  ModelQuality: 'model-quality',
};

/** The target's one schedule of a monitor type. */
export function scheduleName(endpointName: string, type: MonitorType): string {
  return `${resourcePrefix(endpointName)}-${SCHEDULE_SLUG[type]}`;
}

/** Prefix of every job definition of the target's monitor type. */
export function jobDefinitionPrefix(endpointName: string, type: MonitorType): string {
  return `${resourcePrefix(endpointName)}-${TYPE_SLUG[type]}-v`;
}

/** The version a job definition of this target was made for, if the name is one of ours. */
export function versionOfJobDefinition(
  endpointName: string,
  type: MonitorType,
  name: string,
): number | undefined {
  const prefix = jobDefinitionPrefix(endpointName, type);
  if (!name.startsWith(prefix)) return undefined;
  const match = /^(\d+)-[0-9a-f]{8}$/.exec(name.slice(prefix.length));
  return match ? Number(match[1]) : undefined;
}

/**
 * The reason a version cannot be deployed under its target's monitoring: a baseline a configured
 * monitor needs is missing from its DriftCheckBaselines. Undefined when it can (or when the target
 * deploys such versions unmonitored, or has no monitoring).
 */
export function monitoringHold(target: DeploymentTarget, baselines: VersionBaselines): string | undefined {
  const m = target.monitoring;
  if (!m || m.deployUnmonitored) return undefined;
  const missing = missingBaselines(m, baselines);
  if (missing.length === 0) return undefined;
  return `the version was registered without ${missing.join(' and ')}, which ${target.endpointName}'s monitoring checks against; register a version with DriftCheckBaselines (a pipeline's QualityCheck step records them), or set monitoring.deployUnmonitored`;
}

function missingBaselines(m: Monitoring, baselines: VersionBaselines): string[] {
  const missing: string[] = [];
  if (m.dataQuality) {
    if (!baselines.dataQuality?.constraints) missing.push('DriftCheckBaselines.ModelDataQuality.Constraints');
    if (!baselines.dataQuality?.statistics) missing.push('DriftCheckBaselines.ModelDataQuality.Statistics');
  }
  if (m.modelQuality && !baselines.modelQuality?.constraints)
    missing.push('DriftCheckBaselines.ModelQuality.Constraints');
  return missing;
}

/** What the target's monitoring needs now, from what SageMaker has. */
export function planMonitoring(inputs: MonitoringInputs): MonitoringPlan {
  const { target, live } = inputs;
  const m = target.monitoring;
  const missing = m && live ? missingBaselines(m, live.baselines) : [];
  const desired = m && live && missing.length === 0 ? desiredDefinitions(inputs, m, live) : [];
  const actions: MonitoringAction[] = [];
  const existing = new Set(inputs.definitions.map((d) => `${d.type}/${d.name}`));
  for (const d of desired) {
    if (!existing.has(`${d.type}/${d.request.JobDefinitionName}`))
      actions.push({ kind: 'create-job-definition', ...d } as MonitoringAction);
  }
  const scheduled = new Set<string>();
  for (const d of desired) {
    const request = scheduleRequest(target, d);
    scheduled.add(request.MonitoringScheduleName ?? '');
    const found = inputs.schedules.find((s) => s.name === request.MonitoringScheduleName);
    if (!found) actions.push({ kind: 'create-schedule', request });
    else if (
      found.jobDefinitionName !== d.request.JobDefinitionName ||
      found.scheduleExpression !== request.MonitoringScheduleConfig?.ScheduleConfig?.ScheduleExpression
    )
      actions.push({ kind: 'update-schedule', request });
  }
  for (const s of inputs.schedules) {
    if (!scheduled.has(s.name)) actions.push({ kind: 'delete-schedule', name: s.name });
  }
  const wanted = new Set(desired.map((d) => d.request.JobDefinitionName));
  for (const d of inputs.definitions) {
    if (!wanted.has(d.name)) actions.push({ kind: 'delete-job-definition', type: d.type, name: d.name });
  }
  return {
    actions,
    monitors: desired.map((d) => ({
      type: d.type,
      jobDefinitionName: d.request.JobDefinitionName ?? '',
      constraints:
        (d.type === 'DataQuality'
          ? d.request.DataQualityBaselineConfig?.ConstraintsResource?.S3Uri
          : d.request.ModelQualityBaselineConfig?.ConstraintsResource?.S3Uri) ?? '',
    })),
    ...(m && live && missing.length > 0
      ? {
          unmonitored: {
            code: MISSING_BASELINES,
            reason: `v${live.version} serves unmonitored (deployUnmonitored): it has no ${missing.join(' and ')}`,
          },
        }
      : {}),
  };
}

function desiredDefinitions(
  inputs: MonitoringInputs,
  m: Monitoring,
  live: LiveVersion,
): JobDefinitionRequest[] {
  const out: JobDefinitionRequest[] = [];
  if (m.dataQuality) out.push(dataQualityDefinition(inputs, m.dataQuality, live));
  if (m.modelQuality) out.push(modelQualityDefinition(inputs, m.modelQuality, live));
  return out;
}

function named<T extends { JobDefinitionName: string | undefined }>(
  endpointName: string,
  type: MonitorType,
  version: number,
  request: Omit<T, 'JobDefinitionName'>,
): T {
  const hash = createHash('sha256').update(JSON.stringify(request)).digest('hex').slice(0, 8);
  return {
    JobDefinitionName: `${jobDefinitionPrefix(endpointName, type)}${version}-${hash}`,
    ...request,
  } as T;
}

function jobCommon(inputs: MonitoringInputs, type: MonitorType, resources: MonitoringJobResources) {
  const endpointName = inputs.target.endpointName;
  return {
    JobResources: {
      ClusterConfig: {
        InstanceType: resources.instanceType as never,
        InstanceCount: resources.instanceCount,
        VolumeSizeInGB: resources.volumeSizeInGB,
      },
    },
    outputConfig: {
      MonitoringOutputs: [
        {
          S3Output: {
            S3Uri: `${inputs.reportsS3Uri.replace(/\/$/, '')}/${endpointName}/${SCHEDULE_SLUG[type]}`,
            LocalPath: '/opt/ml/processing/output',
            S3UploadMode: 'EndOfJob' as const,
          },
        },
      ],
    },
    RoleArn: inputs.roleArn,
    StoppingCondition: { MaxRuntimeInSeconds: resources.maxRuntimeInSeconds },
  };
}

function withOutput<K extends string>(key: K, common: ReturnType<typeof jobCommon>) {
  const { outputConfig, ...rest } = common;
  return { ...rest, ...({ [key]: outputConfig } as Record<K, typeof outputConfig>) };
}

function dataQualityDefinition(
  inputs: MonitoringInputs,
  monitor: DataQualityMonitor,
  live: LiveVersion,
): JobDefinitionRequest {
  const endpointName = inputs.target.endpointName;
  const baseline = live.baselines.dataQuality ?? {};
  return {
    type: 'DataQuality',
    request: named<CreateDataQualityJobDefinitionRequest>(endpointName, 'DataQuality', live.version, {
      DataQualityBaselineConfig: {
        ConstraintsResource: { S3Uri: baseline.constraints },
        StatisticsResource: { S3Uri: baseline.statistics },
      },
      DataQualityAppSpecification: { ImageUri: inputs.imageUri ?? MODEL_MONITOR_IMAGE },
      DataQualityJobInput: {
        EndpointInput: { EndpointName: endpointName, LocalPath: '/opt/ml/processing/input/endpoint' },
      },
      ...withOutput('DataQualityJobOutputConfig', jobCommon(inputs, 'DataQuality', monitor)),
    }),
  };
}

function modelQualityDefinition(
  inputs: MonitoringInputs,
  monitor: ModelQualityMonitor,
  live: LiveVersion,
): JobDefinitionRequest {
  const endpointName = inputs.target.endpointName;
  return {
    type: 'ModelQuality',
    request: named<CreateModelQualityJobDefinitionRequest>(endpointName, 'ModelQuality', live.version, {
      ModelQualityBaselineConfig: {
        ConstraintsResource: { S3Uri: live.baselines.modelQuality?.constraints },
      },
      ModelQualityAppSpecification: {
        ImageUri: inputs.imageUri ?? MODEL_MONITOR_IMAGE,
        ProblemType: monitor.problemType,
      },
      ModelQualityJobInput: {
        EndpointInput: {
          EndpointName: endpointName,
          LocalPath: '/opt/ml/processing/input/endpoint',
          InferenceAttribute: monitor.inferenceAttribute,
          ...(monitor.probabilityAttribute !== undefined
            ? { ProbabilityAttribute: monitor.probabilityAttribute }
            : {}),
          ...(monitor.probabilityThresholdAttribute !== undefined
            ? { ProbabilityThresholdAttribute: monitor.probabilityThresholdAttribute }
            : {}),
        },
        GroundTruthS3Input: { S3Uri: monitor.groundTruthS3Uri },
      },
      ...withOutput('ModelQualityJobOutputConfig', jobCommon(inputs, 'ModelQuality', monitor)),
    }),
  };
}

/**
 * SageMaker's prebuilt Model Monitor container (developer guide, "Amazon SageMaker Model Monitor
 * prebuilt container": sagemaker-model-monitor-analyzer in each region's registry account), as
 * us-east-1 serves it.
 */
export const MODEL_MONITOR_IMAGE =
  '156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer';

function scheduleRequest(target: DeploymentTarget, d: JobDefinitionRequest): CreateMonitoringScheduleRequest {
  const monitor = d.type === 'DataQuality' ? target.monitoring?.dataQuality : target.monitoring?.modelQuality;
  return {
    MonitoringScheduleName: scheduleName(target.endpointName, d.type),
    MonitoringScheduleConfig: {
      ScheduleConfig: { ScheduleExpression: monitor?.scheduleExpression },
      MonitoringJobDefinitionName: d.request.JobDefinitionName,
      MonitoringType: d.type,
    },
  };
}

/** What a monitoring execution found, as the reconciler reads it back. */
export interface MonitoringResult {
  readonly endpointName: string;
  readonly type: MonitorType;
  readonly scheduleName: string;
  readonly jobDefinitionName: string;
  /** The version the job definition was made for (its name says it). */
  readonly version?: number;
  readonly status: string;
  readonly scheduledTime?: Date;
  /** S3 URI of constraint_violations.json, when the execution wrote one. */
  readonly violationReport?: string;
  readonly processingJobArn?: string;
  readonly violations: readonly {
    readonly featureName: string;
    readonly checkType: string;
    readonly description: string;
  }[];
}

/** What governance does about a completed execution. */
export type ViolationStep =
  | { readonly kind: 'record'; readonly code: 'monitoring-violation' }
  | { readonly kind: 'notify' }
  | { readonly kind: 'hold-newer' }
  | { readonly kind: 'reject-live'; readonly reason: string };

/**
 * An execution that completed with violations is recorded (audit and lineage) and told; `hold`
 * also holds newer versions until cleared; `rollback` also rejects the version the violations were
 * found on, which the reconciler answers by serving the previous approved version. Nothing for an
 * execution without violations.
 */
export function violationSteps(response: ViolationResponse, result: MonitoringResult): ViolationStep[] {
  if (result.status !== 'CompletedWithViolations') return [];
  const steps: ViolationStep[] = [{ kind: 'record', code: 'monitoring-violation' }, { kind: 'notify' }];
  if (response === 'hold') steps.push({ kind: 'hold-newer' });
  if (response === 'rollback' && result.version !== undefined) {
    const checks = [...new Set(result.violations.map((v) => `${v.checkType} on ${v.featureName}`))];
    steps.push({
      kind: 'reject-live',
      reason: `Rejected by model monitoring: the ${result.type} monitor of ${result.endpointName} found ${result.violations.length} violation(s) (${checks.slice(0, 5).join(', ')}${checks.length > 5 ? ', …' : ''}); report ${result.violationReport ?? 'not written'}`,
    });
  }
  return steps;
}

/**
 * A violation hold the reconciler recorded on a target: in the governance record where the reader has
 * it (governance-record.ts recordedViolationHold), else its copy in lineage (lineage-plan.ts
 * violationHoldAction), which only mgov reads.
 */
export interface RecordedViolationHold {
  /** The hold action's name: what a clear names. */
  readonly name: string;
  /** The version the violations were found on: newer versions are held. */
  readonly version: number;
  readonly monitorType?: string;
  readonly processingJob?: string;
  /** When it was recorded: the record entry's time, or SageMaker's CreationTime of the lineage copy. */
  readonly at: Date;
}

/** A person's clear of a target's violation hold (lineage-plan.ts violationClearAction). */
export interface RecordedViolationClear {
  readonly hold?: string;
  /** SageMaker's CreationTime of the clear action. */
  readonly at: Date;
  /** Who created it, as SageMaker records it (CreatedBy), for people. */
  readonly by?: string;
}

/** The target's newest violation hold (see RecordedViolationHold) and newest clear (lineage). */
export interface ViolationHolds {
  readonly hold?: RecordedViolationHold;
  readonly clear?: RecordedViolationClear;
}

/**
 * The violation hold in force on a target: its newest hold, unless a person's clear was made after
 * it. The clear's time is SageMaker's (its CreationTime, which no caller sets); the hold's is the
 * record entry's (the reconciler's clock, which Lambda keeps in step with AWS's), so a clear made
 * before the violation was recorded never clears it. A clear covers every hold recorded before it;
 * a violation found after a clear holds again.
 */
export function openViolationHold(holds: ViolationHolds): RecordedViolationHold | undefined {
  const { hold, clear } = holds;
  if (!hold) return undefined;
  if (clear && clear.at.getTime() >= hold.at.getTime()) return undefined;
  return hold;
}

/** The sentence a held version carries while a violation hold is in force. */
export function violationHoldDetail(endpointName: string, hold: RecordedViolationHold): string {
  return `model monitoring found violations on v${hold.version} at ${endpointName} (${hold.monitorType ?? 'monitor'}${hold.processingJob ? `, execution ${hold.processingJob}` : ''}), and onViolation is hold: newer versions wait until a person looks at the report and runs mgov clear-violation ${endpointName}`;
}

/** The target's monitoring as SageMaker has it now, with the version its endpoint serves. */
export interface ObservedMonitoring {
  readonly schedules: readonly ObservedSchedule[];
  readonly definitions: readonly ObservedJobDefinition[];
  /** The version the endpoint serves, with its approval status and baselines (absent: none). */
  readonly served?: LiveVersion & { readonly approvalStatus: string };
}
