/**
 * The governance configuration as a person writes it: the shape of governance.config.json, and the
 * props of the ModelGovernance and ModelDeployment constructs (same fields, same names), so a team
 * moves from the file to code without relearning anything.
 *
 * Every optional field says its default. `parseGovernanceConfig` validates this shape (every problem
 * at once, each with its path and fix) and resolves the defaults into a `GovernanceConfig`
 * (./types.ts). The JSON Schema (governance.config.schema.json) is generated from this file by
 * scripts/generate-config-schema.ts, and a test fails when the two differ (test/core/config/schema.test.ts
 * also checks the parser against the schema: the same keys, required fields, defaults and ranges).
 * `@default` is JSON where it is a value, prose otherwise.
 */

/** A whole number (the JSON Schema says "integer"). */
export type Integer = number;

/** A model governance configuration: `governance.config.json`. */
export interface GovernanceConfigInput {
  /** The JSON Schema this file follows (editors use it to complete and check the file); ignored otherwise. */
  readonly $schema?: string;
  /**
   * Days the EventBridge archive keeps model package state changes; 0 keeps them forever.
   * @minimum 0
   * @maximum 36500
   * @default 365
   */
  readonly archiveRetentionDays?: Integer;
  /**
   * Email addresses subscribed to the notification topic (SNS asks each to confirm).
   * @default []
   */
  readonly notificationEmails?: readonly string[];
  /**
   * S3 buckets holding model artifacts and metrics: the model execution role may read them, and only them.
   * @default []
   */
  readonly modelArtifactBuckets?: readonly string[];
  /**
   * KMS keys (ARNs) that encrypt the model artifacts: the model execution role may decrypt with them.
   * @default []
   */
  readonly modelArtifactKeyArns?: readonly string[];
  /**
   * Where the Model Registry lives, when some deployment targets are in other accounts.
   * @default one account: one environment-agnostic stack
   */
  readonly registry?: AwsEnvironmentInput;
  /**
   * How many stacks the groups are split over (a group's stack follows from a hash of its name).
   * @minimum 1
   * @maximum 50
   * @default 1
   */
  readonly stacks?: Integer;
  /**
   * Service level objectives: the alarms that watch them go to the notification topic.
   * @default { "approvalToServingMinutes": 60 }
   */
  readonly slo?: SloInput;
  /**
   * AWS X-Ray active tracing on every handler: Lambda records each invocation, with its initialization on a cold start, as a trace.
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * Chat channels that receive what the notification topic says, through AWS Chatbot (Amazon Q Developer in chat applications). Authorize the Slack workspace or Microsoft Teams team in its console first.
   * @default no chat channels
   */
  readonly notifications?: NotificationsInput;
  /** The model package groups to govern (at least one). */
  readonly groups: readonly ModelPackageGroupInput[];
}

/** Service level objectives of the governance flow. */
export interface SloInput {
  /**
   * Minutes from a version's approval to its endpoint serving it; a deployment that takes longer raises the ApprovalToServing alarm.
   * @minimum 1
   * @maximum 10080
   * @default 60
   */
  readonly approvalToServingMinutes?: Integer;
}

/** Chat channels for the notification topic (AWS Chatbot); notifications only: no commands can be run from them. */
export interface NotificationsInput {
  /** A Slack channel. */
  readonly slack?: SlackChannelInput;
  /** A Microsoft Teams channel. */
  readonly teams?: TeamsChannelInput;
}

/** A Slack channel of a workspace authorized in the AWS Chatbot console. */
export interface SlackChannelInput {
  /**
   * The workspace (team) id the AWS Chatbot console shows, such as "T07EA123LEP".
   * @pattern ^[0-9A-Z]{1,255}$
   */
  readonly workspaceId: string;
  /**
   * The channel id (Slack: channel details, at the bottom), such as "C07EZ1ABC23".
   * @pattern ^[A-Za-z0-9]{1,256}$
   */
  readonly channelId: string;
}

/** A Microsoft Teams channel of a team authorized in the AWS Chatbot console. */
export interface TeamsChannelInput {
  /**
   * The team id the AWS Chatbot console shows (a UUID).
   * @pattern ^[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$
   */
  readonly teamId: string;
  /**
   * The tenant id the AWS Chatbot console shows (a UUID).
   * @pattern ^[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$
   */
  readonly tenantId: string;
  /**
   * The channel id, URL-encoded as in the channel's link, such as "19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2".
   * @pattern ^([a-zA-Z0-9-_=+/.,])*%3[aA]([a-zA-Z0-9-_=+/.,])*%40([a-zA-Z0-9-_=+/.,])*$
   */
  readonly channelId: string;
}

/** An AWS account and region. */
export interface AwsEnvironmentInput {
  /**
   * A 12-digit AWS account id, as a string.
   * @pattern ^\d{12}$
   */
  readonly account: string;
  /** A region code such as "eu-west-1". */
  readonly region: string;
}

/** One model package group, and where and how its approved versions are deployed. */
export interface ModelPackageGroupInput {
  /**
   * Model Package Group name: 1 to 63 letters, digits and hyphens.
   * @pattern ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$
   */
  readonly name: string;
  /**
   * The group's description in the registry (at most 1,024 characters).
   * @default Governed by model-governance: <name>
   */
  readonly description?: string;
  /**
   * Tags on the group (at most 50).
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * AWS accounts allowed to read the group's versions and create models from them.
   * @default []
   */
  readonly shareWithAccounts?: readonly string[];
  /**
   * What every version's model card says besides what the registry knows.
   * @default { "riskRating": "Unknown", "pendingStatus": "Draft" }
   */
  readonly modelCard?: ModelCardInput;
  /**
   * Endpoints serving the group's approved versions.
   * @default []
   */
  readonly deployments?: readonly DeploymentInput[];
  /**
   * Metric thresholds every newly registered version is checked against.
   * @default no gate
   */
  readonly qualityGate?: QualityGateInput;
  /**
   * Refuse (revert to PendingManualApproval) an approval made by the identity that registered the version.
   * @default false
   */
  readonly separationOfDuties?: boolean;
  /**
   * Card gate: the principal who reviews (approves) a version's model card must not be the one who
   * approved the version (compared as separation of duties compares principals).
   * @default true when a target of the group has requireApprovedModelCard, else false
   */
  readonly cardReviewerMustDiffer?: boolean;
}

/** Model card fields a person supplies; the rest comes from the registry. */
export interface ModelCardInput {
  /** @default none */
  readonly owner?: string;
  /** @default "Unknown" */
  readonly riskRating?: 'High' | 'Medium' | 'Low' | 'Unknown';
  /** @default none */
  readonly purpose?: string;
  /** @default none */
  readonly intendedUses?: string;
  /** @default none */
  readonly factorsAffectingEfficiency?: string;
  /** @default none */
  readonly riskRatingExplanation?: string;
  /** @default none */
  readonly businessProblem?: string;
  /** @default none */
  readonly businessStakeholders?: string;
  /** @default none */
  readonly lineOfBusiness?: string;
  /**
   * Card status while the version waits for approval.
   * @default "Draft"
   */
  readonly pendingStatus?: 'Draft' | 'PendingReview';
}

/** A quality gate: thresholds a version's evaluation metrics must meet. */
export interface QualityGateInput {
  /** At least one threshold. */
  readonly thresholds: readonly ThresholdInput[];
  /**
   * The target whose serving version `notWorseThanLive` compares with.
   * @default the group's first deployment target
   */
  readonly liveEndpoint?: string;
  /**
   * Approve a version that passes every threshold (only when no target is production).
   * @default false
   */
  readonly autoApprove?: boolean;
}

/** One threshold: the metric and exactly one of atMost, atLeast, absAtMost, notWorseThanLive. */
export interface ThresholdInput {
  /** The metric's name as the model card shows it (e.g. "mse", "auc"). */
  readonly metric: string;
  /**
   * The card's metric group (e.g. "Evaluation: regression"), when the name alone is ambiguous.
   * @default any group
   */
  readonly group?: string;
  /** Met when the measured value is at most this. */
  readonly atMost?: number;
  /** Met when the measured value is at least this. */
  readonly atLeast?: number;
  /** Met when the measured value's magnitude is at most this (bias metrics). */
  readonly absAtMost?: number;
  /** Met when the version is no worse than the live version by more than `margin`. */
  readonly notWorseThanLive?: {
    /** Whether "lower" (errors such as mse) or "higher" (scores such as auc) is better. */
    readonly better: 'lower' | 'higher';
    /**
     * How much worse than live is still met.
     * @default 0
     */
    readonly margin?: number;
  };
}

/** One endpoint serving the group's approved versions. */
export interface DeploymentInput {
  /**
   * SageMaker endpoint name: 1 to 63 letters, digits and hyphens.
   * @pattern ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$
   */
  readonly endpointName: string;
  /**
   * Which versions it serves: the newest approved, or the newest approved at a ModelLifeCycle stage.
   * @default "newest-approved"
   */
  readonly serve?: 'newest-approved' | LifecycleStageInput;
  /**
   * Instance-backed compute (give this or `serverless`).
   * @default { "type": "ml.m5.large", "count": 1 }
   */
  readonly instances?: {
    /**
     * @default "ml.m5.large"
     */
    readonly type?: string;
    /**
     * @minimum 1
     * @maximum 100
     * @default 1
     */
    readonly count?: Integer;
  };
  /**
   * Serverless compute instead of instances.
   * @default instances
   */
  readonly serverless?: {
    /**
     * 1024 to 6144, in steps of 1024.
     * @minimum 1024
     * @maximum 6144
     * @default 2048
     */
    readonly memorySizeMb?: Integer;
    /**
     * @minimum 1
     * @maximum 200
     * @default 5
     */
    readonly maxConcurrency?: Integer;
  };
  /**
   * How traffic moves to a new version (blue/green).
   * @default { "type": "all-at-once" }
   */
  readonly strategy?: StrategyInput;
  /**
   * Roll a deployment back on 5XX errors or latency: true, false, or the thresholds.
   * @default false
   */
  readonly rollbackAlarms?: boolean | RollbackAlarmsInput;
  /**
   * What the endpoint does when no version qualifies any more.
   * @default "keep-serving"
   */
  readonly whenNoneApproved?: 'keep-serving' | 'delete-endpoint';
  /**
   * Models and endpoint configs of older versions kept for rollback, besides the live one.
   * @minimum 0
   * @maximum 50
   * @default 2
   */
  readonly keepPreviousVersions?: Integer;
  /**
   * Percentage of requests captured to S3 (0 disables data capture).
   * @minimum 0
   * @maximum 100
   * @default 0
   */
  readonly dataCapturePercent?: Integer;
  /**
   * Deploy only versions whose model card a reviewer has set to Approved.
   * @default false
   */
  readonly requireApprovedModelCard?: boolean;
  /**
   * Production targets forbid automatic approval of the group's versions.
   * @default true
   */
  readonly production?: boolean;
  /**
   * The account the endpoint lives in, when not the registry's (needs `registry`).
   * @default the registry's account
   */
  readonly account?: string;
  /**
   * Subnets and security groups the model's containers attach to (CreateModel.VpcConfig).
   * @default no VPC: SageMaker's own network
   */
  readonly vpc?: VpcInput;
  /**
   * Isolate the model container: no inbound or outbound network calls (CreateModel.EnableNetworkIsolation).
   * @default false
   */
  readonly networkIsolation?: boolean;
  /**
   * KMS key ARN (in the registry's region) encrypting the instances' storage volumes (CreateEndpointConfig.KmsKeyId).
   * @default an AWS managed key
   */
  readonly volumeKmsKeyArn?: string;
  /**
   * KMS key ARN (in the registry's region) encrypting captured requests in S3 (DataCaptureConfig.KmsKeyId); needs dataCapturePercent above 0.
   * @default the bucket's default encryption
   */
  readonly dataCaptureKmsKeyArn?: string;
  /**
   * Scale the instance count with Application Auto Scaling (instances only, not serverless).
   * @default no autoscaling: instances.count instances
   */
  readonly autoscaling?: AutoscalingInput;
  /**
   * Shadow-test every new version on a copy of live traffic before it takes any (instances only; the
   * endpoint's first version deploys without one, having nothing to be compared with).
   * @default no shadow test: an approved version deploys at once with the strategy
   */
  readonly shadow?: ShadowInput;
}

/** A SageMaker shadow test (inference experiment) of the new version against the live one. */
export interface ShadowInput {
  /**
   * Percentage of live requests copied to the new version.
   * @minimum 1
   * @maximum 100
   * @default 100
   */
  readonly samplingPercent?: Integer;
  /**
   * How long the test runs: at least an hour and at most 30 days, as SageMaker's developer guide
   * gives it.
   * @minimum 60
   * @maximum 43200
   */
  readonly minutes: Integer;
  /**
   * The new version fails when its p99 ModelLatency exceeds the live version's by more than this percentage.
   * @minimum 0
   * @maximum 1000
   * @default 10
   */
  readonly maxLatencyIncreasePercent?: Integer;
  /**
   * The new version fails when more than this percentage of its requests end in a 5XX error.
   * @minimum 0
   * @maximum 100
   * @default 1
   */
  readonly maxErrorRatePercent?: Integer;
}

/** VPC placement: where the model's network interfaces go. */
export interface VpcInput {
  /** 1 to 16 subnet ids such as "subnet-0123456789abcdef0". */
  readonly subnetIds: readonly string[];
  /** 1 to 5 security group ids such as "sg-0123456789abcdef0". */
  readonly securityGroupIds: readonly string[];
}

/** Target tracking on invocations per instance; minInstances <= instances.count <= maxInstances. */
export interface AutoscalingInput {
  /**
   * @minimum 1
   * @maximum 100
   */
  readonly minInstances: Integer;
  /**
   * @minimum 1
   * @maximum 100
   */
  readonly maxInstances: Integer;
  /**
   * SageMakerVariantInvocationsPerInstance (per minute) the scaling policy keeps the variant at.
   * @minimum 1
   * @maximum 1000000
   */
  readonly targetInvocationsPerInstance: Integer;
  /**
   * Seconds after a scale-in before another scale-in.
   * @minimum 0
   * @maximum 3600
   * @default 300
   */
  readonly scaleInCooldownSeconds?: Integer;
  /**
   * Seconds after a scale-out before another scale-out.
   * @minimum 0
   * @maximum 3600
   * @default 60
   */
  readonly scaleOutCooldownSeconds?: Integer;
}

/** Serve the newest Approved version whose ModelLifeCycle Stage and StageStatus match. */
export interface LifecycleStageInput {
  readonly stage: string;
  /** @default "Approved" */
  readonly stageStatus?: string;
}

/** How traffic shifts to a new version. */
export interface StrategyInput {
  /** @default "all-at-once" */
  readonly type?: 'all-at-once' | 'canary' | 'linear';
  /**
   * Canary only: percentage of capacity that takes traffic first.
   * @minimum 1
   * @maximum 50
   * @default 10
   */
  readonly canaryPercent?: Integer;
  /**
   * Linear only: percentage of capacity per step.
   * @minimum 10
   * @maximum 50
   * @default 20
   */
  readonly stepPercent?: Integer;
  /**
   * Canary and linear: minutes between steps.
   * @minimum 0
   * @maximum 60
   * @default 10 (canary), 5 (linear)
   */
  readonly waitMinutes?: Integer;
  /**
   * Minutes the old fleet is kept after the shift.
   * @minimum 0
   * @maximum 60
   * @default 5
   */
  readonly terminationWaitMinutes?: Integer;
}

/** Alarms that roll a deployment back. */
export interface RollbackAlarmsInput {
  /** @default true */
  readonly enabled?: boolean;
  /**
   * Invocation5XXErrors in one minute at or above which the deployment rolls back.
   * @minimum 1
   * @maximum 1000000
   * @default 5
   */
  readonly max5xxErrorsPerMinute?: Integer;
  /**
   * ModelLatency p99 (milliseconds) at or above which the deployment rolls back.
   * @minimum 1
   * @maximum 3600000
   * @default 2000
   */
  readonly maxModelLatencyMs?: Integer;
}
