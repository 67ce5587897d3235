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
   * S3 buckets holding model artifacts (`model.tar.gz`) and metrics files: the model execution role may read
   * them, and only them; the model-cards and policy-gate handlers read metrics only from them.
   * @default []
   */
  readonly modelArtifactBuckets?: readonly string[];
  /**
   * KMS keys (ARNs) that encrypt the model artifacts: the model execution role may decrypt with them, through S3 only.
   * @default []
   */
  readonly modelArtifactKeyArns?: readonly string[];
  /**
   * Where the Model Registry lives, when some deployment targets are in other accounts.
   * @default one account: one environment-agnostic stack
   */
  readonly registry?: AwsEnvironmentInput;
  /**
   * How many stacks the groups are split over. A stack holds at most 60 groups (CloudFormation allows
   * 500 resources and 1 MB per stack); the configuration says how many stacks you need. A group's stack
   * follows from a hash of its name, so adding or removing groups never moves another; changing
   * `stacks` moves groups between stacks, which CloudFormation cannot do in place (groups are
   * retained): choose it with room to grow.
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
  /**
   * Where targets with dataCapturePercent above 0 capture requests to: a bucket the app provisions (KMS-encrypted, versioned, access-logged, expiring after retentionDays), or one you name. Each target captures under "<prefix>/<endpointName>/", and the model execution role may write only there.
   * @default { "prefix": "data-capture", "retentionDays": 90 }
   */
  readonly dataCapture?: DataCaptureInput;
  /**
   * Where the governance record is kept: the audit bucket (with the quality gate's verdicts, the card records and the exported cards). See docs/governance-record.md.
   * @default the audit bucket without Object Lock
   */
  readonly governanceRecord?: GovernanceRecordInput;
  /** The model package groups to govern (at least one). */
  readonly groups: readonly ModelPackageGroupInput[];
}

/** How the governance record is stored. */
export interface GovernanceRecordInput {
  /**
   * S3 Object Lock on the audit bucket, for auditors who require write-once storage: every object version the app writes there (record entries, verdicts, card records, exported cards) is retained for retentionDays, and no one can delete or overwrite a retained version: in GOVERNANCE mode no one without s3:BypassGovernanceRetention, in COMPLIANCE mode no one at all, the account's root user included. Object Lock cannot be turned off once on (S3); a COMPLIANCE retention cannot be shortened.
   * @default no Object Lock
   */
  readonly objectLock?: ObjectLockInput;
}

/** S3 Object Lock's default retention for the audit bucket (DefaultRetention). */
export interface ObjectLockInput {
  /**
   * GOVERNANCE: principals with s3:BypassGovernanceRetention may still remove a retained version (a break-glass role); COMPLIANCE: no one may, until the retention ends.
   * @default "GOVERNANCE"
   */
  readonly mode?: 'GOVERNANCE' | 'COMPLIANCE';
  /**
   * Days each object version is retained from when it was written.
   * @minimum 1
   * @maximum 36500
   */
  readonly retentionDays: Integer;
}

/** Where captured requests are stored. */
export interface DataCaptureInput {
  /**
   * An S3 bucket of your own, in the endpoints' account and region, to capture to; its encryption, versioning and lifecycle are yours (see docs/data-capture.md).
   * @pattern ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$
   * @default a bucket the app provisions
   */
  readonly bucket?: string;
  /**
   * Key prefix under which each target captures ("<prefix>/<endpointName>/").
   * @pattern ^[a-zA-Z0-9_.-]+(/[a-zA-Z0-9_.-]+)*$
   * @default "data-capture"
   */
  readonly prefix?: string;
  /**
   * Days the provisioned bucket keeps captured data (and replaced versions of it); 0 keeps it forever. Not with `bucket`: your bucket's lifecycle is yours.
   * @minimum 0
   * @maximum 36500
   * @default 90
   */
  readonly retentionDays?: Integer;
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
   * Model Package Group name: 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit.
   * @pattern ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$
   */
  readonly name: string;
  /**
   * The group's description in the registry (at most 1,024 characters).
   * @default Governed by model-governance: <name>
   */
  readonly description?: string;
  /**
   * Tags on the group (at most 50; keys may not start with `aws:`). The stack adds `model-governance:group`.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * 12-digit AWS account ids the group's resource policy grants DescribeModelPackageGroup on the group and
   * DescribeModelPackage, ListModelPackages and CreateModel on its versions. No policy when empty.
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
   * Refuse (revert to PendingManualApproval) an approval made by the identity that registered the version,
   * and never deploy it meanwhile. An approval of a version whose registrant cannot be identified is
   * reverted too.
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
  /**
   * The model owner the card shows.
   * @default none
   */
  readonly owner?: string;
  /**
   * The card's risk rating.
   * @default "Unknown"
   */
  readonly riskRating?: 'High' | 'Medium' | 'Low' | 'Unknown';
  /**
   * Intended uses: the purpose of the model (a version's `purpose_of_model` metadata wins).
   * @default none
   */
  readonly purpose?: string;
  /**
   * Intended uses: how the model is meant to be used (a version's `intended_uses` metadata wins).
   * @default none
   */
  readonly intendedUses?: string;
  /**
   * Intended uses: factors affecting the model's efficiency.
   * @default none
   */
  readonly factorsAffectingEfficiency?: string;
  /**
   * Intended uses: why the risk rating is what it is.
   * @default none
   */
  readonly riskRatingExplanation?: string;
  /**
   * Business details: the business problem the model addresses.
   * @default none
   */
  readonly businessProblem?: string;
  /**
   * Business details: the model's business stakeholders.
   * @default none
   */
  readonly businessStakeholders?: string;
  /**
   * Business details: the line of business the model serves.
   * @default none
   */
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
   * Approve a version that passes every threshold. Allowed only when every target of the group has
   * `"production": false`.
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
   * SageMaker endpoint name: 1 to 63 letters, digits and hyphens. One endpoint belongs to exactly one target.
   * @pattern ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$
   */
  readonly endpointName: string;
  /**
   * Which versions it serves: the newest approved, or the newest approved whose ModelLifeCycle stage and
   * stage status match, so staging and production can be two targets of one group. A stage counts only
   * when a principal other than the version's registrant set it.
   * @default "newest-approved"
   */
  readonly serve?: 'newest-approved' | LifecycleStageInput;
  /**
   * Instance-backed compute (give this or `serverless`).
   * @default { "type": "ml.m5.large", "count": 1 }
   */
  readonly instances?: {
    /**
     * The instance type.
     * @default "ml.m5.large"
     */
    readonly type?: string;
    /**
     * How many instances (autoscaling starts from this).
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
     * The most concurrent invocations.
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
   * Alarms on the endpoint that roll a deployment back on 5XX errors or latency: true, false, or the
   * thresholds. Needs `instances`.
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
   * Subnets and security groups the model's containers attach to (CreateModel.VpcConfig). Needs
   * `instances` (serverless endpoints support no VPC); the model execution role gets the
   * network-interface permissions.
   * @default no VPC: SageMaker's own network
   */
  readonly vpc?: VpcInput;
  /**
   * Isolate the model container: no inbound or outbound network calls (CreateModel.EnableNetworkIsolation). Needs `instances`.
   * @default false
   */
  readonly networkIsolation?: boolean;
  /**
   * KMS key ARN (not an id or alias; in the registry's region) encrypting the instances' storage volumes (CreateEndpointConfig.KmsKeyId).
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
  /**
   * SageMaker Model Monitor schedules that follow the live version: each runs with the baselines the
   * version was registered with (DriftCheckBaselines). Needs dataCapturePercent above 0.
   * @default no monitoring
   */
  readonly monitoring?: MonitoringInput;
}

/** Model monitoring of a target (at least one of dataQuality and modelQuality). */
export interface MonitoringInput {
  /**
   * Data quality: captured requests against DriftCheckBaselines.ModelDataQuality.
   * @default no data quality monitor
   */
  readonly dataQuality?: DataQualityMonitorInput;
  /**
   * Model quality: predictions merged with ground truth against DriftCheckBaselines.ModelQuality.
   * @default no model quality monitor
   */
  readonly modelQuality?: ModelQualityMonitorInput;
  /**
   * What an execution that finds violations does: "notify" tells people; "hold" also keeps newer
   * versions from deploying until a person runs `mgov clear-violation`; "rollback" also rejects the
   * live version, which rolls the endpoint back to the previous approved one.
   * @default "notify"
   */
  readonly onViolation?: 'notify' | 'hold' | 'rollback';
  /**
   * Deploy a version that was registered without the baselines the monitors need, unmonitored.
   * @default false: such a version is held, with the reason
   */
  readonly deployUnmonitored?: boolean;
}

/** A data quality monitor. */
export interface DataQualityMonitorInput {
  /**
   * When it runs, as SageMaker's monitoring schedules take it: "cron(0 * ? * * *)" (hourly),
   * "cron(0 H ? * * *)" (daily at hour H, UTC) or "cron(0 H/N ? * * *)" (every N hours from H).
   */
  readonly scheduleExpression: string;
  /**
   * The monitoring job's instance type (SageMaker's ProcessingInstanceType).
   * @default "ml.m5.xlarge"
   */
  readonly instanceType?: string;
  /**
   * How many instances each monitoring job runs on.
   * @minimum 1
   * @maximum 100
   * @default 1
   */
  readonly instanceCount?: Integer;
  /**
   * The size of each instance's storage volume, in GB.
   * @minimum 1
   * @maximum 16384
   * @default 20
   */
  readonly volumeSizeInGB?: Integer;
  /**
   * How long one monitoring job may run before SageMaker stops it.
   * @minimum 1
   * @maximum 86400
   * @default 3600
   */
  readonly maxRuntimeInSeconds?: Integer;
}

/** A model quality monitor. */
export interface ModelQualityMonitorInput {
  /**
   * When it runs: "cron(0 * ? * * *)", "cron(0 H ? * * *)" or "cron(0 H/N ? * * *)".
   */
  readonly scheduleExpression: string;
  /**
   * S3 URI where ground-truth labels are uploaded, such as "s3://labels/churn-prod".
   * @pattern ^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$
   */
  readonly groundTruthS3Uri: string;
  /** The kind of model, which decides the quality metrics SageMaker computes. */
  readonly problemType: 'BinaryClassification' | 'MulticlassClassification' | 'Regression';
  /** The attribute (or CSV column index) of the model's output holding the prediction. */
  readonly inferenceAttribute: string;
  /**
   * Classification: the attribute holding the prediction's probability.
   * @default none
   */
  readonly probabilityAttribute?: string;
  /**
   * Binary classification: the probability above which a prediction counts as positive.
   * @minimum 0
   * @maximum 1
   * @default none
   */
  readonly probabilityThresholdAttribute?: number;
  /**
   * The monitoring job's instance type (SageMaker's ProcessingInstanceType).
   * @default "ml.m5.xlarge"
   */
  readonly instanceType?: string;
  /**
   * How many instances each monitoring job runs on.
   * @minimum 1
   * @maximum 100
   * @default 1
   */
  readonly instanceCount?: Integer;
  /**
   * The size of each instance's storage volume, in GB.
   * @minimum 1
   * @maximum 16384
   * @default 20
   */
  readonly volumeSizeInGB?: Integer;
  /**
   * How long one monitoring job may run before SageMaker stops it.
   * @minimum 1
   * @maximum 86400
   * @default 3600
   */
  readonly maxRuntimeInSeconds?: Integer;
}

/** A SageMaker shadow test (inference experiment) of the new version against the live one; needs `instances`. */
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
  /** 1 to 16 subnet ids such as "subnet-0123456789abcdef0" (`subnet-` and 8 or 17 hex digits), no duplicates. */
  readonly subnetIds: readonly string[];
  /** 1 to 5 security group ids such as "sg-0123456789abcdef0", no duplicates. */
  readonly securityGroupIds: readonly string[];
}

/** Target tracking on invocations per instance; minInstances <= instances.count <= maxInstances. */
export interface AutoscalingInput {
  /**
   * The fewest instances; at most `instances.count`.
   * @minimum 1
   * @maximum 100
   */
  readonly minInstances: Integer;
  /**
   * The most instances; at least `instances.count`.
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
  /** The ModelLifeCycle Stage, such as "Staging" or "Production". */
  readonly stage: string;
  /**
   * The ModelLifeCycle StageStatus.
   * @default "Approved"
   */
  readonly stageStatus?: string;
}

/** How traffic shifts to a new version. */
export interface StrategyInput {
  /**
   * All traffic at once, a canary first, or linear steps; canary and linear need `instances`.
   * @default "all-at-once"
   */
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
  /**
   * Whether the alarms are on.
   * @default true
   */
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
