import {
  ENDPOINT_STATE_CHANGE,
  MODEL_CARD_STATE_CHANGE,
  MODEL_PACKAGE_STATE_CHANGE,
  PROCESSING_JOB_STATE_CHANGE,
  STACK_SETTLED_STATUSES,
  STACK_STATUS_CHANGE,
} from '../core/events';
import { contentFingerprint } from './approval-check';
import {
  type ApprovalStatus,
  describeIdentity,
  isApprovalStatus,
  type UserContextLike,
} from './model-version';

/** What the handlers take from a `SageMaker Model Package State Change` event. */
export interface ModelPackageStateChange {
  readonly eventId: string;
  readonly time: string;
  readonly groupName: string;
  readonly modelPackageArn: string;
  readonly version?: number;
  /** The status the event reported; the registry, read afterwards, is the truth. */
  readonly reportedApprovalStatus?: ApprovalStatus;
  /** Present on newer events: which fields this change touched. */
  readonly updatedFields?: readonly string[];
  /** When the change was made, as the event reports it (LastModifiedTime, else CreationTime), ISO 8601. */
  readonly reportedAt?: string;
  readonly reportedDescription?: string;
  /** Who made the change, as the event reports it (LastModifiedBy, else CreatedBy). */
  readonly reportedBy?: string;
  /** The ModelLifeCycle stage the event reported (`<Stage>/<StageStatus>`), when it has one. */
  readonly reportedStage?: string;
  /** When the version was registered, as the event reports it, ISO 8601. */
  readonly reportedCreationTime?: string;
  /**
   * The deployable content's fingerprint as the registration's own event carries it: present only on
   * the event of the CreateModelPackage call (no later change, no updated fields), whose detail is the
   * version as registered. Only AWS puts `aws.sagemaker` events on the bus, so this is the service's
   * own fact, whatever the version shows by the time the event is handled.
   */
  readonly registeredContentFingerprint?: string;
}

/** Event times come as epoch milliseconds (documented samples) or ISO 8601 strings. */
export function eventTime(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value))
    return new Date(value > 1e11 ? value : value * 1000).toISOString();
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  return undefined;
}

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

const MODEL_PACKAGE_ARN = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package\/([^/]+)\/(\d+)$/;

/**
 * Validates an EventBridge event as a model package state change. Never throws: a malformed event is
 * answered with the reason, which the handler logs and drops (retrying cannot repair it).
 */
export function parseModelPackageStateChange(event: unknown): Parsed<ModelPackageStateChange> {
  if (typeof event !== 'object' || event === null) return fail('the event is not a JSON object');
  const e = event as Record<string, unknown>;
  if (e['detail-type'] !== MODEL_PACKAGE_STATE_CHANGE) {
    return fail(
      `detail-type is ${JSON.stringify(e['detail-type'])}, expected "${MODEL_PACKAGE_STATE_CHANGE}"`,
    );
  }
  const detail = e.detail;
  if (typeof detail !== 'object' || detail === null) return fail('the event has no detail object');
  const d = detail as Record<string, unknown>;
  const firstResource = Array.isArray(e.resources) ? e.resources[0] : undefined;
  const arn = typeof d.ModelPackageArn === 'string' ? d.ModelPackageArn : firstResource;
  if (typeof arn !== 'string') return fail('detail.ModelPackageArn is missing');
  const arnParts = MODEL_PACKAGE_ARN.exec(arn);
  if (!arnParts) return fail(`"${arn}" is not a versioned model package ARN`);
  const groupName = typeof d.ModelPackageGroupName === 'string' ? d.ModelPackageGroupName : arnParts[1];
  if (!groupName) return fail('detail.ModelPackageGroupName is missing');
  const status = d.ModelApprovalStatus;
  const updated = d.UpdatedModelPackageFields;
  return {
    ok: true,
    value: {
      eventId: typeof e.id === 'string' ? e.id : 'unknown',
      time: typeof e.time === 'string' ? e.time : new Date(0).toISOString(),
      groupName,
      modelPackageArn: arn,
      version: typeof d.ModelPackageVersion === 'number' ? d.ModelPackageVersion : Number(arnParts[2]),
      reportedApprovalStatus: isApprovalStatus(status) ? status : undefined,
      updatedFields: Array.isArray(updated)
        ? updated.filter((f): f is string => typeof f === 'string')
        : undefined,
      reportedAt: eventTime(d.LastModifiedTime) ?? eventTime(d.CreationTime),
      reportedDescription:
        typeof d.ApprovalDescription === 'string' && d.ApprovalDescription
          ? d.ApprovalDescription
          : undefined,
      reportedBy: describeIdentity((d.LastModifiedBy ?? d.CreatedBy) as UserContextLike | undefined),
      reportedStage: reportedStage(d.ModelLifeCycle),
      reportedCreationTime: eventTime(d.CreationTime),
      ...registrationContent(d),
    },
  };
}

/** The registration event's content fingerprint (see ModelPackageStateChange), when this is that event. */
function registrationContent(d: Record<string, unknown>): { registeredContentFingerprint?: string } {
  const created = eventTime(d.CreationTime);
  const modified = eventTime(d.LastModifiedTime);
  const registration =
    created !== undefined &&
    (modified === undefined || modified === created) &&
    d.UpdatedModelPackageFields === undefined;
  if (!registration || (d.InferenceSpecification === undefined && d.SourceUri === undefined)) return {};
  return {
    registeredContentFingerprint: contentFingerprint(d as Parameters<typeof contentFingerprint>[0]),
  };
}

function reportedStage(value: unknown): string | undefined {
  const l = value as { Stage?: unknown; StageStatus?: unknown } | undefined;
  return typeof l?.Stage === 'string' && typeof l.StageStatus === 'string'
    ? `${l.Stage}/${l.StageStatus}`
    : undefined;
}

/**
 * Whether a model package event can concern its approval: registrations, approval changes and
 * lifecycle stage changes do (a stage decides what a stage-following target serves, so it is audited
 * like an approval); a newer event that lists its updated fields without either (a metadata edit) does not.
 */
export function concernsApproval(change: ModelPackageStateChange): boolean {
  return (
    change.updatedFields === undefined ||
    change.updatedFields.includes('ModelApprovalStatus') ||
    concernsStage(change)
  );
}

/** Whether the change set the version's ModelLifeCycle stage. */
export function concernsStage(change: Pick<ModelPackageStateChange, 'updatedFields'>): boolean {
  return change.updatedFields?.includes('ModelLifeCycle') ?? false;
}

function fail(reason: string): Parsed<never> {
  return { ok: false, reason };
}

/** What the reconciler takes from a `SageMaker Endpoint State Change` event. */
export interface EndpointStateChange {
  readonly eventId: string;
  readonly endpointName: string;
  /** DescribeEndpoint's spelling (InService), whatever the event's (IN_SERVICE). */
  readonly status?: string;
}

/** The documented event spells statuses IN_SERVICE; the API spells them InService. */
export function normalizeEndpointStatus(status: string): string {
  if (!status.includes('_') && status !== status.toUpperCase()) return status;
  return status
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

export function parseEndpointStateChange(event: unknown): Parsed<EndpointStateChange> {
  if (typeof event !== 'object' || event === null) return fail('the event is not a JSON object');
  const e = event as Record<string, unknown>;
  if (e['detail-type'] !== ENDPOINT_STATE_CHANGE) {
    return fail(`detail-type is ${JSON.stringify(e['detail-type'])}, expected "${ENDPOINT_STATE_CHANGE}"`);
  }
  const d = (e.detail ?? {}) as Record<string, unknown>;
  if (typeof d.EndpointName !== 'string' || d.EndpointName === '')
    return fail('detail.EndpointName is missing');
  return {
    ok: true,
    value: {
      eventId: typeof e.id === 'string' ? e.id : 'unknown',
      endpointName: d.EndpointName,
      status: typeof d.EndpointStatus === 'string' ? normalizeEndpointStatus(d.EndpointStatus) : undefined,
    },
  };
}

/** What the card gate takes from a `SageMaker Model Card State Change` event: which card. */
export interface ModelCardStateChange {
  readonly eventId: string;
  readonly cardName: string;
  readonly status?: string;
}

/** The card's name from the detail, or else from the event's resource ARN (`…:model-card/<name>`). */
export function parseModelCardStateChange(event: unknown): Parsed<ModelCardStateChange> {
  if (typeof event !== 'object' || event === null) return fail('the event is not a JSON object');
  const e = event as Record<string, unknown>;
  if (e['detail-type'] !== MODEL_CARD_STATE_CHANGE) {
    return fail(`detail-type is ${JSON.stringify(e['detail-type'])}, expected "${MODEL_CARD_STATE_CHANGE}"`);
  }
  const d = (e.detail ?? {}) as Record<string, unknown>;
  const fromArn = Array.isArray(e.resources)
    ? e.resources
        .map((r) => (typeof r === 'string' ? /:model-card\/([^/]+)$/.exec(r)?.[1] : undefined))
        .find((n) => n !== undefined)
    : undefined;
  const cardName = typeof d.ModelCardName === 'string' && d.ModelCardName !== '' ? d.ModelCardName : fromArn;
  if (!cardName) return fail('neither detail.ModelCardName nor a model-card resource ARN names the card');
  return {
    ok: true,
    value: {
      eventId: typeof e.id === 'string' ? e.id : 'unknown',
      cardName,
      status: typeof d.ModelCardStatus === 'string' ? d.ModelCardStatus : undefined,
    },
  };
}

/** Any trigger of the reconciler. */
/** What the reconciler takes from a `CloudFormation Stack Status Change` event of its own stack. */
export interface StackDeployed {
  readonly eventId: string;
  readonly stackId: string;
  readonly status: string;
}

/** A settled status of a stack (the rule matches only its own stack's id and these statuses). */
export function parseStackDeployed(event: unknown): Parsed<StackDeployed> {
  if (typeof event !== 'object' || event === null) return fail('the event is not a JSON object');
  const e = event as Record<string, unknown>;
  if (e['detail-type'] !== STACK_STATUS_CHANGE) {
    return fail(`detail-type is ${JSON.stringify(e['detail-type'])}, expected "${STACK_STATUS_CHANGE}"`);
  }
  const d = (e.detail ?? {}) as Record<string, unknown>;
  const stackId = d['stack-id'];
  if (typeof stackId !== 'string' || stackId === '') return fail('detail.stack-id is missing');
  const status = (d['status-details'] as Record<string, unknown> | undefined)?.status;
  if (typeof status !== 'string' || !STACK_SETTLED_STATUSES.includes(status)) {
    return fail(
      `detail.status-details.status is ${JSON.stringify(status)}, expected one of ${STACK_SETTLED_STATUSES.join(', ')}`,
    );
  }
  return { ok: true, value: { eventId: typeof e.id === 'string' ? e.id : 'unknown', stackId, status } };
}

export type ReconcileTrigger =
  | { readonly kind: 'model-package'; readonly change: ModelPackageStateChange }
  | { readonly kind: 'endpoint'; readonly change: EndpointStateChange }
  | { readonly kind: 'model-card'; readonly change: ModelCardStateChange }
  /** The reconciler's stack was deployed: every target it manages may have a new configuration. */
  | { readonly kind: 'stack-deployed'; readonly change: StackDeployed }
  /** The periodic check of shadow tests (no event is documented for an inference experiment's end). */
  | { readonly kind: 'shadow-check' }
  /** A monitoring execution of a managed endpoint ended. */
  | { readonly kind: 'monitoring'; readonly change: MonitoringExecutionChange };

/** What the reconciler takes from a monitoring execution's processing job event: which schedule and job. */
export interface MonitoringExecutionChange {
  readonly eventId: string;
  readonly endpointName: string;
  readonly scheduleName: string;
  readonly processingJobName: string;
}

export function parseMonitoringExecution(event: unknown): Parsed<MonitoringExecutionChange> {
  if (typeof event !== 'object' || event === null) return fail('the event is not a JSON object');
  const e = event as Record<string, unknown>;
  if (e['detail-type'] !== PROCESSING_JOB_STATE_CHANGE)
    return fail(
      `detail-type is ${JSON.stringify(e['detail-type'])}, expected "${PROCESSING_JOB_STATE_CHANGE}"`,
    );
  const d = (e.detail ?? {}) as Record<string, unknown>;
  const env = (d.Environment ?? {}) as Record<string, unknown>;
  if (typeof d.MonitoringScheduleArn !== 'string')
    return fail('detail.MonitoringScheduleArn is missing: not a monitoring job');
  if (
    typeof env.sagemaker_endpoint_name !== 'string' ||
    typeof env.sagemaker_monitoring_schedule_name !== 'string'
  )
    return fail('detail.Environment names no endpoint or monitoring schedule');
  if (typeof d.ProcessingJobName !== 'string') return fail('detail.ProcessingJobName is missing');
  return {
    ok: true,
    value: {
      eventId: typeof e.id === 'string' ? e.id : 'unknown',
      endpointName: env.sagemaker_endpoint_name,
      scheduleName: env.sagemaker_monitoring_schedule_name,
      processingJobName: d.ProcessingJobName,
    },
  };
}

export function parseReconcileTrigger(event: unknown): Parsed<ReconcileTrigger> {
  const detailType = (event as Record<string, unknown> | null)?.['detail-type'];
  if (isShadowCheck(event)) return { ok: true, value: { kind: 'shadow-check' } };
  if (detailType === MODEL_CARD_STATE_CHANGE) {
    const parsed = parseModelCardStateChange(event);
    return parsed.ok ? { ok: true, value: { kind: 'model-card', change: parsed.value } } : parsed;
  }
  if (detailType === STACK_STATUS_CHANGE) {
    const parsed = parseStackDeployed(event);
    return parsed.ok ? { ok: true, value: { kind: 'stack-deployed', change: parsed.value } } : parsed;
  }
  if (detailType === PROCESSING_JOB_STATE_CHANGE) {
    const parsed = parseMonitoringExecution(event);
    return parsed.ok ? { ok: true, value: { kind: 'monitoring', change: parsed.value } } : parsed;
  }
  if (detailType === ENDPOINT_STATE_CHANGE) {
    const parsed = parseEndpointStateChange(event);
    return parsed.ok ? { ok: true, value: { kind: 'endpoint', change: parsed.value } } : parsed;
  }
  const parsed = parseModelPackageStateChange(event);
  return parsed.ok ? { ok: true, value: { kind: 'model-package', change: parsed.value } } : parsed;
}

/**
 * The periodic check of shadow tests: the schedule rule's event (EventBridge scheduled
 * events have source "aws.events" and detail-type "Scheduled Event"). SageMaker sends no event when
 * an inference experiment ends (EventBridge's list of SageMaker events has none for experiments),
 * so the reconciler looks on a schedule.
 */
export function isShadowCheck(event: unknown): boolean {
  const e = event as Record<string, unknown> | null;
  return e?.source === 'aws.events' && e?.['detail-type'] === 'Scheduled Event';
}
