/**
 * The validated, defaults-resolved governance configuration.
 *
 * Everything downstream (stacks, constructs, the handlers' manifest) takes these types, never the raw
 * JSON: `parseGovernanceConfig` is the only way to make one.
 */

import type { ModelCardStatus, TrafficRoutingConfigType } from './service-enums.generated';

export const RISK_RATINGS = ['High', 'Medium', 'Low', 'Unknown'] as const;
export type RiskRating = (typeof RISK_RATINGS)[number];

/** Card status while a version waits for approval (SageMaker's ModelCardStatus values that fit). */
export const PENDING_CARD_STATUSES = ['Draft', 'PendingReview'] as const satisfies readonly ModelCardStatus[];
export type PendingCardStatus = (typeof PENDING_CARD_STATUSES)[number];

/** SageMaker's TrafficRoutingConfigType written as configuration values: ALL_AT_ONCE is "all-at-once". */
type Kebab<T extends string> = T extends `${infer Head}_${infer Tail}`
  ? `${Lowercase<Head>}-${Kebab<Tail>}`
  : Lowercase<T>;

/**
 * A blue/green deployment's traffic shifting, one per TrafficRoutingConfigType of the service model
 * (a unit test checks none is missing).
 */
export const STRATEGY_TYPES = [
  'all-at-once',
  'canary',
  'linear',
] as const satisfies readonly Kebab<TrafficRoutingConfigType>[];

export const NONE_APPROVED_BEHAVIOURS = ['keep-serving', 'delete-endpoint'] as const;
export type NoneApprovedBehaviour = (typeof NONE_APPROVED_BEHAVIOURS)[number];

export interface GovernanceConfig {
  /** Days the EventBridge archive keeps model package state changes; 0 keeps them forever. */
  readonly archiveRetentionDays: number;
  /** Email addresses subscribed to the notification topic (confirmation required by SNS). */
  readonly notificationEmails: readonly string[];
  /** S3 buckets holding model artifacts: the model execution role may read them, and only them. */
  readonly modelArtifactBuckets: readonly string[];
  /** KMS keys (ARNs) that encrypt the model artifacts: the model execution role may decrypt with them. */
  readonly modelArtifactKeyArns: readonly string[];
  /**
   * Where the Model Registry lives, when deployment targets are in other accounts. Undefined: one
   * account, one environment-agnostic stack.
   */
  readonly registry?: AwsEnvironment;
  /**
   * How many stacks the groups are split over (CloudFormation allows 500 resources and 1 MB per
   * stack). A group's stack follows from a hash of its name, so adding or removing groups never
   * moves another group; changing this number does.
   */
  readonly stacks: number;
  /** Service level objectives, watched by alarms (constructs/operations.ts). */
  readonly slo: { readonly approvalToServingMinutes: number };
  /** X-Ray active tracing on every handler. */
  readonly tracing: boolean;
  /** Chat channels subscribed to the notification topic through AWS Chatbot. */
  readonly notifications: ChatChannels;
  /** Where targets with dataCapturePercent above 0 capture to. */
  readonly dataCapture: DataCaptureStorage;
  /** How the governance record (the audit bucket) is stored. */
  readonly governanceRecord: GovernanceRecordStorage;
  readonly groups: readonly ModelPackageGroupConfig[];
}

export const OBJECT_LOCK_MODES = ['GOVERNANCE', 'COMPLIANCE'] as const;
export type ObjectLockMode = (typeof OBJECT_LOCK_MODES)[number];

export interface GovernanceRecordStorage {
  /** S3 Object Lock's default retention on the audit bucket; undefined: none. */
  readonly objectLock?: { readonly mode: ObjectLockMode; readonly retentionDays: number };
}

/**
 * Where captured requests go: a bucket the app provisions (per stack that has capturing targets), or
 * one the configuration names. Each target captures under `<prefix>/<endpointName>/`.
 */
export interface DataCaptureStorage {
  /** A bucket of the team's own; undefined: the app provisions one. */
  readonly bucket?: string;
  readonly prefix: string;
  /** Days the provisioned bucket keeps captured data; 0 keeps it forever. */
  readonly retentionDays: number;
}

export interface ChatChannels {
  readonly slack?: { readonly workspaceId: string; readonly channelId: string };
  readonly teams?: { readonly teamId: string; readonly tenantId: string; readonly channelId: string };
}

export interface AwsEnvironment {
  readonly account: string;
  readonly region: string;
}

export interface ModelPackageGroupConfig {
  /** Model Package Group name, as SageMaker spells it. */
  readonly name: string;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
  /** AWS accounts allowed to read the group's versions and create models from them. */
  readonly shareWithAccounts: readonly string[];
  readonly modelCard: ModelCardDefaults;
  readonly deployments: readonly DeploymentTarget[];
  /** Metric thresholds every newly registered version is checked against; undefined: no gate. */
  readonly qualityGate?: QualityGate;
  /** Refuse (revert to PendingManualApproval) an approval made by the identity that registered the version. */
  readonly separationOfDuties: boolean;
  /** Card gate: the card's reviewer must be another principal than the version's approver. */
  readonly cardReviewerMustDiffer: boolean;
}

/** How a threshold compares the measured value. */
export type ThresholdRule =
  | { readonly kind: 'at-most'; readonly value: number }
  | { readonly kind: 'at-least'; readonly value: number }
  /** |measured| <= value (bias metrics, whose sign only says which facet is favoured). */
  | { readonly kind: 'abs-at-most'; readonly value: number }
  /** Compared with the version the gate's live endpoint serves: worse by at most `margin`. */
  | { readonly kind: 'not-worse-than-live'; readonly better: 'lower' | 'higher'; readonly margin: number };

export interface MetricThreshold {
  /** The metric's name as the model card shows it (e.g. "mse", "auc", "CDDL Gender=0"). */
  readonly metric: string;
  /** The card's metric group (e.g. "Evaluation: regression"), when the name alone is ambiguous. */
  readonly group?: string;
  readonly rule: ThresholdRule;
}

export interface QualityGate {
  readonly thresholds: readonly MetricThreshold[];
  /** Endpoint whose serving version `not-worse-than-live` compares with (default: the group's first target). */
  readonly liveEndpoint?: string;
  /** Approve a version that passes every threshold (allowed only when no target is production). */
  readonly autoApprove: boolean;
}

export interface ModelCardDefaults {
  readonly owner?: string;
  readonly riskRating: RiskRating;
  readonly purpose?: string;
  readonly intendedUses?: string;
  readonly factorsAffectingEfficiency?: string;
  readonly riskRatingExplanation?: string;
  readonly businessProblem?: string;
  readonly businessStakeholders?: string;
  readonly lineOfBusiness?: string;
  /** Status a version's card has while the version is PendingManualApproval. */
  readonly pendingStatus: PendingCardStatus;
}

/** Which versions of the group a target serves. */
export type VersionSelector =
  | { readonly kind: 'newest-approved' }
  /** SageMaker ModelLifeCycle: serve the newest Approved version whose Stage/StageStatus match. */
  | { readonly kind: 'lifecycle-stage'; readonly stage: string; readonly stageStatus: string };

export type Compute =
  | { readonly kind: 'instances'; readonly instanceType: string; readonly instanceCount: number }
  | { readonly kind: 'serverless'; readonly memorySizeMb: number; readonly maxConcurrency: number };

export type DeploymentStrategy =
  | { readonly kind: 'all-at-once'; readonly terminationWaitMinutes: number }
  | {
      readonly kind: 'canary';
      readonly canaryPercent: number;
      readonly waitMinutes: number;
      readonly terminationWaitMinutes: number;
    }
  | {
      readonly kind: 'linear';
      readonly stepPercent: number;
      readonly waitMinutes: number;
      readonly terminationWaitMinutes: number;
    };

export interface RollbackAlarms {
  readonly enabled: boolean;
  /** Invocation5XXErrors summed over one minute at or above which the deployment rolls back. */
  readonly max5xxErrorsPerMinute: number;
  /** ModelLatency p99 (milliseconds) at or above which the deployment rolls back. */
  readonly maxModelLatencyMs: number;
}

export interface DeploymentTarget {
  readonly endpointName: string;
  readonly serve: VersionSelector;
  readonly compute: Compute;
  readonly strategy: DeploymentStrategy;
  readonly rollbackAlarms: RollbackAlarms;
  readonly whenNoneApproved: NoneApprovedBehaviour;
  /** Models and endpoint configs of older versions kept for rollback, besides the live one. */
  readonly keepPreviousVersions: number;
  /** Percentage of requests captured to S3 (0 disables data capture). */
  readonly dataCapturePercent: number;
  /** Deploy only versions whose model card a reviewer has set to Approved. */
  readonly requireApprovedModelCard: boolean;
  /** Production targets forbid automatic approval of the group's versions. */
  readonly production: boolean;
  /** The account the endpoint lives in, when not the registry's (multi-account configurations only). */
  readonly account?: string;
  /** Subnets and security groups the model's containers attach to (CreateModel.VpcConfig). */
  readonly vpc?: VpcPlacement;
  /** No inbound or outbound network calls to or from the container (CreateModel.EnableNetworkIsolation). */
  readonly networkIsolation: boolean;
  /** KMS key encrypting the instances' storage volumes (CreateEndpointConfig.KmsKeyId). */
  readonly volumeKmsKeyArn?: string;
  /** KMS key encrypting captured data in S3 (DataCaptureConfig.KmsKeyId). */
  readonly dataCaptureKmsKeyArn?: string;
  /** Application Auto Scaling of the variant's instance count (instance targets only). */
  readonly autoscaling?: Autoscaling;
  /** Shadow-test a new version on a copy of live traffic before it takes any (instance targets only). */
  readonly shadow?: ShadowTest;
  /** SageMaker Model Monitor schedules that follow the live version's registered baselines. */
  readonly monitoring?: Monitoring;
}

export const MONITORING_PROBLEM_TYPES = [
  'BinaryClassification',
  'MulticlassClassification',
  'Regression',
] as const;
export type MonitoringProblemType = (typeof MONITORING_PROBLEM_TYPES)[number];

export const VIOLATION_RESPONSES = ['notify', 'hold', 'rollback'] as const;
/** What a monitoring execution that finds violations does besides recording them. */
export type ViolationResponse = (typeof VIOLATION_RESPONSES)[number];

/** The processing cluster a monitoring job runs on (MonitoringResources, StoppingCondition). */
export interface MonitoringJobResources {
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly volumeSizeInGB: number;
  readonly maxRuntimeInSeconds: number;
}

export interface DataQualityMonitor extends MonitoringJobResources {
  /** SageMaker's monitoring ScheduleExpression: an hourly, daily or every-N-hours cron. */
  readonly scheduleExpression: string;
}

export interface ModelQualityMonitor extends MonitoringJobResources {
  readonly scheduleExpression: string;
  /** Where ground-truth labels are uploaded (ModelQualityJobInput.GroundTruthS3Input). */
  readonly groundTruthS3Uri: string;
  readonly problemType: MonitoringProblemType;
  /** The model output's attribute holding the prediction (EndpointInput.InferenceAttribute). */
  readonly inferenceAttribute: string;
  /** Classification: the attribute holding the probability (EndpointInput.ProbabilityAttribute). */
  readonly probabilityAttribute?: string;
  /** Binary classification: the probability above which the prediction is positive. */
  readonly probabilityThresholdAttribute?: number;
}

/** Model monitoring of a target: its schedules run with the live version's DriftCheckBaselines. */
export interface Monitoring {
  readonly dataQuality?: DataQualityMonitor;
  readonly modelQuality?: ModelQualityMonitor;
  readonly onViolation: ViolationResponse;
  /** Deploy a version that lacks the baselines the monitors need, unmonitored (else it is held). */
  readonly deployUnmonitored: boolean;
}

/** A shadow test (SageMaker inference experiment) of a new version against the live one, and its pass mark. */
export interface ShadowTest {
  /** Percentage of live requests copied to the new version. */
  readonly samplingPercent: number;
  readonly minutes: number;
  /** Most the new version's p99 ModelLatency may exceed the live version's, in percent. */
  readonly maxLatencyIncreasePercent: number;
  /** Most of the new version's requests that may end in a 5XX error, in percent. */
  readonly maxErrorRatePercent: number;
}

export interface VpcPlacement {
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
}

/** Target tracking on SageMakerVariantInvocationsPerInstance, between minInstances and maxInstances. */
export interface Autoscaling {
  readonly minInstances: number;
  readonly maxInstances: number;
  readonly targetInvocationsPerInstance: number;
  readonly scaleInCooldownSeconds: number;
  readonly scaleOutCooldownSeconds: number;
}
