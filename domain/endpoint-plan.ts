import type { DeploymentStrategy, DeploymentTarget, ModelPackageGroupConfig } from '../core/config/types';
import { rollbackAlarmNames, VARIANT_NAME, versionedName } from '../core/naming';
import { approvalCheckHold } from './approval-check';
import { type ArtifactLocation, type ArtifactPins, type ArtifactState, verdictHold } from './artifact-pins';
import { type CardReviewFacts, cardReviewHold } from './card-review';
import { selfApprover, UNIDENTIFIED_REGISTRANT_REMEDY, unidentifiedRegistrant } from './governance-policy';
import { type RecordedVersion, recordHold } from './governance-record';
import type { ApprovalStatus, ModelLifeCycle, ModelVersion } from './model-version';
import type { Principal } from './principal';
import { stageHold } from './stage-check';

/** One version as ListModelPackages summarizes it. */
export interface VersionSummary {
  readonly arn: string;
  readonly version: number;
  readonly approvalStatus: ApprovalStatus;
  readonly lifeCycle?: ModelLifeCycle;
  readonly creationTime: Date;
}

export type EndpointStatus =
  | 'OutOfService'
  | 'Creating'
  | 'Updating'
  | 'SystemUpdating'
  | 'RollingBack'
  | 'InService'
  | 'Deleting'
  | 'Failed'
  | 'UpdateRollbackFailed';

/** The endpoint as DescribeEndpoint (and ListTags) shows it; undefined when it does not exist. */
export interface ObservedEndpoint {
  readonly status: EndpointStatus;
  readonly configName: string;
  readonly failureReason?: string;
  readonly lastModifiedTime?: Date;
  readonly arn?: string;
  /** The deployment this app last asked of the endpoint, from the endpoint's tags. */
  readonly request?: DeploymentRequest;
}

/**
 * A deployment this app asked of an endpoint, recorded on the endpoint (tags) just before asking:
 * the config requested, and the endpoint's own LastModifiedTime when it was asked (SageMaker's
 * clock, so no clock skew). Once the endpoint has changed since, the request was tried.
 */
export interface DeploymentRequest {
  readonly configName: string;
  /** The endpoint's LastModifiedTime when the request was made (epoch 0 for a CreateEndpoint). */
  readonly after: Date;
  /**
   * The config the endpoint served when the request was made (none for a CreateEndpoint): the one
   * SageMaker rolls back to. An endpoint found on any other config was changed by someone else.
   */
  readonly fromConfig?: string;
  /** Whether the rollback of this very request has been notified already. */
  readonly rollbackNotified: boolean;
}

/** The tags that record the last request (values fit SageMaker's tag value pattern and 256 characters). */
export const REQUEST_TAGS = {
  config: 'model-governance:requested-config',
  after: 'model-governance:requested-after',
  from: 'model-governance:requested-from',
  rollbackNotified: 'model-governance:rollback-notified',
} as const;

/**
 * The tags recording a request for `configName` made when the endpoint was last modified at `after`,
 * serving `fromConfig` (none for a CreateEndpoint; an empty tag value then, so an older request's
 * tag does not linger).
 */
export function requestTags(configName: string, after: Date | undefined, fromConfig?: string) {
  return [
    { Key: REQUEST_TAGS.config, Value: configName },
    { Key: REQUEST_TAGS.after, Value: (after ?? new Date(0)).toISOString() },
    { Key: REQUEST_TAGS.from, Value: fromConfig ?? '' },
  ];
}

/** The tag saying the rollback of this request was notified (a newer request makes it stale). */
export function rollbackNotifiedTag(request: Pick<DeploymentRequest, 'configName' | 'after'>) {
  return {
    Key: REQUEST_TAGS.rollbackNotified,
    Value: `${request.configName}@${request.after.toISOString()}`,
  };
}

/** The request recorded in an endpoint's tags, if any (unreadable tags count as none). */
export function requestFromTags(tags: Readonly<Record<string, string>>): DeploymentRequest | undefined {
  const configName = tags[REQUEST_TAGS.config];
  const after = new Date(tags[REQUEST_TAGS.after] ?? '');
  if (!configName || Number.isNaN(after.getTime())) return undefined;
  const fromConfig = tags[REQUEST_TAGS.from];
  return {
    configName,
    after,
    ...(fromConfig ? { fromConfig } : {}),
    rollbackNotified:
      tags[REQUEST_TAGS.rollbackNotified] === rollbackNotifiedTag({ configName, after }).Value,
  };
}

/** The last request was tried and the endpoint settled InService on another config than it asked for. */
function settledElsewhere(endpoint: ObservedEndpoint): DeploymentRequest | undefined {
  const request = endpoint.request;
  if (!request || endpoint.status !== 'InService' || request.configName === endpoint.configName)
    return undefined;
  const tried = endpoint.lastModifiedTime !== undefined && endpoint.lastModifiedTime > request.after;
  return tried ? request : undefined;
}

/**
 * The config SageMaker rolled back from, if it did: the endpoint has changed since this app asked
 * for a config (so the request was tried) and settled InService back on the config it served when
 * asked. This needs no FailureReason, which SageMaker may leave empty after a rollback
 * (terraform-provider-aws #48997, #39099). A request never tried (a crash between recording and
 * UpdateEndpoint) is no rollback, and neither is a config nobody here asked for (`driftedTo`).
 */
export function rolledBackFrom(endpoint: ObservedEndpoint): string | undefined {
  const request = settledElsewhere(endpoint);
  return request?.fromConfig !== undefined && request.fromConfig === endpoint.configName
    ? request.configName
    : undefined;
}

/**
 * The config the endpoint serves although this app neither asked for it nor served it before its
 * last request: someone else's UpdateEndpoint (drift). Never taken for a rollback, so the reconciler
 * puts the desired version back and says so.
 */
export function driftedTo(endpoint: ObservedEndpoint): string | undefined {
  const request = settledElsewhere(endpoint);
  return request && request.fromConfig !== endpoint.configName ? endpoint.configName : undefined;
}

/**
 * The version a target should serve: the newest Approved version (by version number, which
 * SageMaker assigns in registration order), restricted to a lifecycle stage when the target follows one.
 */
export function desiredVersion(
  versions: readonly VersionSummary[],
  target: Pick<DeploymentTarget, 'serve'>,
): VersionSummary | undefined {
  return candidateVersions(versions, target)[0];
}

/** The versions a target could serve, best first: Approved (and in its stage), newest first. */
export function candidateVersions(
  versions: readonly VersionSummary[],
  target: Pick<DeploymentTarget, 'serve'>,
): VersionSummary[] {
  const serve = target.serve;
  return versions
    .filter(
      (v) =>
        v.approvalStatus === 'Approved' &&
        (serve.kind === 'newest-approved' ||
          (v.lifeCycle?.stage === serve.stage && v.lifeCycle.stageStatus === serve.stageStatus)),
    )
    .sort((a, b) => b.version - a.version);
}

/** What the deployment gates know of one candidate version. */
export interface GateFacts extends CardReviewFacts {
  readonly cardName: string;
  /** The card's status; undefined when the card does not exist (yet). */
  readonly cardStatus?: string;
  /** Who registered and who last changed the version (read only when separation of duties is on). */
  readonly createdBy?: string;
  readonly createdByPrincipal?: Principal;
  readonly lastModifiedBy?: string;
  readonly lastModifiedByPrincipal?: Principal;
  /** The policy handler's principal, whose change is its check of the approval (approval-check.ts). */
  readonly checker?: Principal;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly contentFingerprint?: string;
  /** The model data the version names now. */
  readonly modelData?: readonly ArtifactLocation[];
  /**
   * The quality gate's verdict on the version as the policy handler keeps it, and its pinned model
   * data as S3 shows it now (artifact-pins.ts); absent when the caller cannot read the verdicts.
   */
  /**
   * What the governance record says of the version (governance-record.ts); absent when the caller
   * cannot read the record. With it, every governed group's version deploys only with its registered
   * content, and a gated one never with a failed verdict.
   */
  readonly record?: RecordedVersion;
  readonly gate?: {
    readonly verdict?: { readonly decidedAt: string; readonly artifacts?: ArtifactPins };
    readonly observed: ReadonlyMap<string, ArtifactState>;
    readonly registeredAt: Date;
    readonly now: Date;
  };
}

/** The gate facts a described version gives (the reconciler and mgov read the same ones). */
export function versionGateFacts(
  described:
    | Pick<
        ModelVersion,
        | 'createdBy'
        | 'createdByPrincipal'
        | 'lastModifiedBy'
        | 'lastModifiedByPrincipal'
        | 'metadata'
        | 'contentFingerprint'
        | 'modelData'
      >
    | undefined,
): Omit<GateFacts, 'cardName' | 'cardStatus' | 'checker' | 'gate'> {
  if (!described) return {};
  return {
    createdBy: described.createdBy,
    createdByPrincipal: described.createdByPrincipal,
    lastModifiedBy: described.lastModifiedBy,
    lastModifiedByPrincipal: described.lastModifiedByPrincipal,
    metadata: described.metadata,
    contentFingerprint: described.contentFingerprint,
    ...(described.modelData ? { modelData: described.modelData } : {}),
  };
}

/**
 * Why a target must not deploy this approved version yet, or undefined when it may: the card gate
 * wants a reviewed (Approved) model card; separation of duties refuses a version its registrant
 * approved (the policy handler reverts that approval; this keeps it off the endpoint meanwhile), and
 * any version whose approval the policy handler has not yet checked, or whose deployable content is
 * not the registered one (approval-check.ts); a quality
 * gate wants its verdict kept, and the model data still as the gate pinned it (artifact-pins.ts).
 */
export function deploymentHold(
  group: Pick<ModelPackageGroupConfig, 'separationOfDuties' | 'qualityGate'> &
    Partial<Pick<ModelPackageGroupConfig, 'cardReviewerMustDiffer'>>,
  target: Pick<DeploymentTarget, 'requireApprovedModelCard'> & Partial<Pick<DeploymentTarget, 'serve'>>,
  facts: GateFacts,
): string | undefined {
  if (group.separationOfDuties) {
    const unidentified = unidentifiedRegistrant(facts);
    if (unidentified) return `${unidentified}; ${UNIDENTIFIED_REGISTRANT_REMEDY}`;
    const self = selfApprover(facts);
    if (self) return `approved by its own registrant (${self}); separation of duties needs another approver`;
    const unchecked = approvalCheckHold(facts);
    if (unchecked) return unchecked;
  }
  if (facts.record) {
    const unrecorded = recordHold(facts.record, {
      ...(facts.contentFingerprint ? { contentFingerprint: facts.contentFingerprint } : {}),
      gated: group.qualityGate !== undefined,
    });
    if (unrecorded) return unrecorded;
  }
  if (group.qualityGate && facts.gate) {
    const unverified = verdictHold({ ...facts.gate, locations: facts.modelData ?? [] });
    if (unverified) return unverified;
  }
  if (target.serve) {
    // A stage is served only when someone other than the registrant set it (stage-check.ts).
    const unstaged = stageHold({ serve: target.serve }, facts);
    if (unstaged) return unstaged;
  }
  if (target.requireApprovedModelCard) return cardReviewHold(group, facts);
  return undefined;
}

/** What the reconciler creates for a version on a target. */
export interface Deployment {
  readonly version: VersionSummary;
  readonly modelName: string;
  readonly configName: string;
}

export interface PlanInputs {
  readonly target: DeploymentTarget;
  readonly versions: readonly VersionSummary[];
  readonly endpoint: ObservedEndpoint | undefined;
  /** The execution role the models run with (part of the model's identity). */
  readonly executionRoleArn: string;
  /** S3 prefix for data capture, when the target captures. */
  readonly dataCaptureS3Uri?: string;
  /**
   * The newest approved version a deployment gate holds back (left out of `versions`), if any.
   * When nothing newer than what the endpoint has may deploy, the plan says so instead of
   * in-sync or none-approved (and never deletes an endpoint because its version is only held).
   */
  readonly held?: Held;
}

export interface Held {
  readonly version: VersionSummary;
  readonly reason: string;
}

export type Plan =
  | { readonly kind: 'create'; readonly deployment: Deployment }
  | {
      readonly kind: 'update';
      readonly deployment: Deployment;
      readonly fromConfig: string;
      /** The endpoint was on a config nobody here asked for (see driftedTo). */
      readonly drift?: true;
    }
  | { readonly kind: 'in-sync'; readonly deployment: Deployment }
  | { readonly kind: 'busy'; readonly status: EndpointStatus }
  /**
   * SageMaker rolled the desired config back: not retried until a newer version is desired or an
   * operator asks (`mgov retry-deploy`). `request.rollbackNotified`: people were told already.
   */
  | {
      readonly kind: 'rolled-back';
      readonly deployment: Deployment;
      readonly request: DeploymentRequest;
      readonly failureReason?: string;
    }
  /**
   * The endpoint is Failed (SageMaker allows only DeleteEndpoint on it) or UpdateRollbackFailed (in
   * service on a mix of configs until someone restores it): nothing the reconciler may do; people must.
   */
  | { readonly kind: 'needs-operator'; readonly status: EndpointStatus; readonly deployment: Deployment }
  /** A gate holds the newest version; `inSync`: the endpoint already serves the newest one it may. */
  | { readonly kind: 'held'; readonly held: Held; readonly inSync?: Deployment }
  | {
      readonly kind: 'none-approved';
      readonly action: 'keep-serving' | 'delete-endpoint' | 'nothing-to-serve';
    };

const BUSY: readonly EndpointStatus[] = ['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting'];
/**
 * DescribeEndpoint's EndpointStatus (API reference): "Failed: ... DeleteEndpoint is the only operation
 * that can be performed on a failed endpoint"; "UpdateRollbackFailed: Both the rolling deployment and
 * auto-rollback failed", to be remedied by hand. An update sent to either is refused, retried and
 * dead-lettered, so the plan asks for an operator instead.
 */
const NEEDS_OPERATOR: readonly EndpointStatus[] = ['Failed', 'UpdateRollbackFailed'];

/** Decides what to do for one target. Pure: the handler reads, calls this, and carries it out. */
export function planEndpoint(inputs: PlanInputs): Plan {
  const { target, endpoint } = inputs;
  if (endpoint && BUSY.includes(endpoint.status)) return { kind: 'busy', status: endpoint.status };
  const version = desiredVersion(inputs.versions, target);
  if (!version) {
    if (inputs.held) return { kind: 'held', held: inputs.held };
    if (!endpoint) return { kind: 'none-approved', action: 'nothing-to-serve' };
    return { kind: 'none-approved', action: target.whenNoneApproved };
  }
  const deployment = deploymentFor(inputs, version);
  if (!endpoint) return { kind: 'create', deployment };
  if (NEEDS_OPERATOR.includes(endpoint.status))
    return { kind: 'needs-operator', status: endpoint.status, deployment };
  if (endpoint.configName === deployment.configName) {
    return inputs.held
      ? { kind: 'held', held: inputs.held, inSync: deployment }
      : { kind: 'in-sync', deployment };
  }
  if (endpoint.request && rolledBackFrom(endpoint) === deployment.configName) {
    return {
      kind: 'rolled-back',
      deployment,
      request: endpoint.request,
      ...(endpoint.failureReason ? { failureReason: endpoint.failureReason } : {}),
    };
  }
  return {
    kind: 'update',
    deployment,
    fromConfig: endpoint.configName,
    ...(driftedTo(endpoint) ? { drift: true as const } : {}),
  };
}

export function deploymentFor(
  inputs: Omit<PlanInputs, 'versions' | 'endpoint'>,
  version: VersionSummary,
): Deployment {
  const { target } = inputs;
  // The network placement and keys are part of the names (only when set, so targets without them
  // keep the names they had): changing one makes a new model or config, never reuses the old one.
  const modelName = versionedName(
    target.endpointName,
    version.version,
    'model',
    version.arn,
    inputs.executionRoleArn,
    ...(target.vpc || target.networkIsolation
      ? [{ vpc: target.vpc ?? null, networkIsolation: target.networkIsolation }]
      : []),
  );
  const configName = versionedName(
    target.endpointName,
    version.version,
    'config',
    modelName,
    target.compute,
    target.dataCapturePercent,
    inputs.dataCaptureS3Uri,
    ...(target.volumeKmsKeyArn || target.dataCaptureKmsKeyArn
      ? [{ volume: target.volumeKmsKeyArn ?? null, dataCapture: target.dataCaptureKmsKeyArn ?? null }]
      : []),
  );
  return { version, modelName, configName };
}

/** SageMaker's CreateModel request for a deployment (without its tags). */
export function modelRequest(
  inputs: Pick<PlanInputs, 'target' | 'executionRoleArn'>,
  deployment: Deployment,
) {
  const { target } = inputs;
  return {
    ModelName: deployment.modelName,
    ExecutionRoleArn: inputs.executionRoleArn,
    Containers: [{ ModelPackageName: deployment.version.arn }],
    ...(target.vpc
      ? {
          VpcConfig: {
            Subnets: [...target.vpc.subnetIds],
            SecurityGroupIds: [...target.vpc.securityGroupIds],
          },
        }
      : {}),
    ...(target.networkIsolation ? { EnableNetworkIsolation: true } : {}),
  };
}

/** SageMaker's CreateEndpointConfig request for a deployment (without its tags). */
export function endpointConfigRequest(
  inputs: Omit<PlanInputs, 'versions' | 'endpoint'>,
  deployment: Deployment,
) {
  const { target } = inputs;
  const compute = target.compute;
  return {
    EndpointConfigName: deployment.configName,
    ProductionVariants: [
      compute.kind === 'instances'
        ? {
            VariantName: VARIANT_NAME,
            ModelName: deployment.modelName,
            InstanceType: compute.instanceType,
            InitialInstanceCount: compute.instanceCount,
            InitialVariantWeight: 1,
          }
        : {
            VariantName: VARIANT_NAME,
            ModelName: deployment.modelName,
            ServerlessConfig: {
              MemorySizeInMB: compute.memorySizeMb,
              MaxConcurrency: compute.maxConcurrency,
            },
          },
    ],
    ...(target.dataCapturePercent > 0 && inputs.dataCaptureS3Uri
      ? {
          DataCaptureConfig: {
            EnableCapture: true,
            InitialSamplingPercentage: target.dataCapturePercent,
            DestinationS3Uri: `${inputs.dataCaptureS3Uri.replace(/\/$/, '')}/${target.endpointName}`,
            CaptureOptions: [{ CaptureMode: 'Input' as const }, { CaptureMode: 'Output' as const }],
            ...(target.dataCaptureKmsKeyArn ? { KmsKeyId: target.dataCaptureKmsKeyArn } : {}),
          },
        }
      : {}),
    ...(target.volumeKmsKeyArn ? { KmsKeyId: target.volumeKmsKeyArn } : {}),
  };
}

/**
 * UpdateEndpoint's DeploymentConfig: blue/green with the configured traffic shifting, and the
 * stack's alarms as auto-rollback triggers when enabled. Serverless targets update all at once
 * without one.
 */
export function deploymentConfig(target: DeploymentTarget) {
  if (target.compute.kind === 'serverless') return undefined;
  const s: DeploymentStrategy = target.strategy;
  const routing =
    s.kind === 'canary'
      ? {
          Type: 'CANARY' as const,
          WaitIntervalInSeconds: s.waitMinutes * 60,
          CanarySize: { Type: 'CAPACITY_PERCENT' as const, Value: s.canaryPercent },
        }
      : s.kind === 'linear'
        ? {
            Type: 'LINEAR' as const,
            WaitIntervalInSeconds: s.waitMinutes * 60,
            LinearStepSize: { Type: 'CAPACITY_PERCENT' as const, Value: s.stepPercent },
          }
        : { Type: 'ALL_AT_ONCE' as const, WaitIntervalInSeconds: 0 };
  const alarms = rollbackAlarmNames(target.endpointName);
  return {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: routing,
      TerminationWaitInSeconds: s.terminationWaitMinutes * 60,
    },
    ...(target.rollbackAlarms.enabled
      ? {
          AutoRollbackConfiguration: {
            Alarms: [{ AlarmName: alarms.errors }, { AlarmName: alarms.latency }],
          },
        }
      : {}),
  };
}

/** Tags on everything the reconciler creates. */
export function deploymentTags(groupName: string, version: VersionSummary, endpointName: string) {
  return [
    { Key: 'model-governance:group', Value: groupName },
    { Key: 'model-governance:version', Value: String(version.version) },
    { Key: 'model-governance:model-package-arn', Value: version.arn },
    { Key: 'model-governance:endpoint', Value: endpointName },
  ];
}

/**
 * Housekeeping: which of the target's configs (or models), by name, may go. Keeps the one in use,
 * the one being deployed, and the newest `keep` other versions; never touches names that are not ours.
 */
export function namesToDelete(
  names: readonly string[],
  versionOf: (name: string) => number | undefined,
  protectedNames: readonly string[],
  keep: number,
): string[] {
  const protectedVersions = new Set(
    protectedNames.map(versionOf).filter((v): v is number => v !== undefined),
  );
  const others = [
    ...new Set(names.map(versionOf).filter((v): v is number => v !== undefined && !protectedVersions.has(v))),
  ].sort((a, b) => b - a);
  const kept = new Set([...protectedVersions, ...others.slice(0, keep)]);
  return names.filter((n) => {
    const v = versionOf(n);
    return v !== undefined && !kept.has(v) && !protectedNames.includes(n);
  });
}
