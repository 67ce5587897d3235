/**
 * The keys of every object of the configuration, as the parser allows them, taken from the types of
 * ./input.ts (the one definition the JSON Schema is also generated from). Each list is written as a
 * record of every key of its type: the compiler refuses a key the type lacks and a record that
 * misses one of the type's keys, so a field added to input.ts cannot be forgotten here, and the
 * parser cannot allow a key the schema does not have.
 */
import type {
  AutoscalingInput,
  AwsEnvironmentInput,
  DataQualityMonitorInput,
  DeploymentInput,
  GovernanceConfigInput,
  LifecycleStageInput,
  ModelCardInput,
  ModelPackageGroupInput,
  ModelQualityMonitorInput,
  MonitoringInput,
  NotificationsInput,
  QualityGateInput,
  RollbackAlarmsInput,
  ShadowInput,
  SlackChannelInput,
  SloInput,
  StrategyInput,
  TeamsChannelInput,
  ThresholdInput,
  VpcInput,
} from './input';

/** Every key of T, in the order written. */
function keysOf<T>(every: { readonly [K in keyof Required<T>]: true }): readonly (keyof T & string)[] {
  return Object.keys(every) as (keyof T & string)[];
}

type NotWorseThanLiveInput = NonNullable<ThresholdInput['notWorseThanLive']>;
type InstancesInput = NonNullable<DeploymentInput['instances']>;
type ServerlessInput = NonNullable<DeploymentInput['serverless']>;

export const INPUT_KEYS = {
  root: keysOf<GovernanceConfigInput>({
    $schema: true,
    archiveRetentionDays: true,
    notificationEmails: true,
    modelArtifactBuckets: true,
    modelArtifactKeyArns: true,
    registry: true,
    stacks: true,
    slo: true,
    tracing: true,
    notifications: true,
    groups: true,
  }),
  slo: keysOf<SloInput>({ approvalToServingMinutes: true }),
  notifications: keysOf<NotificationsInput>({ slack: true, teams: true }),
  slack: keysOf<SlackChannelInput>({ workspaceId: true, channelId: true }),
  teams: keysOf<TeamsChannelInput>({ teamId: true, tenantId: true, channelId: true }),
  environment: keysOf<AwsEnvironmentInput>({ account: true, region: true }),
  group: keysOf<ModelPackageGroupInput>({
    name: true,
    description: true,
    tags: true,
    shareWithAccounts: true,
    modelCard: true,
    deployments: true,
    qualityGate: true,
    separationOfDuties: true,
    cardReviewerMustDiffer: true,
  }),
  modelCard: keysOf<ModelCardInput>({
    owner: true,
    riskRating: true,
    purpose: true,
    intendedUses: true,
    factorsAffectingEfficiency: true,
    riskRatingExplanation: true,
    businessProblem: true,
    businessStakeholders: true,
    lineOfBusiness: true,
    pendingStatus: true,
  }),
  qualityGate: keysOf<QualityGateInput>({ thresholds: true, liveEndpoint: true, autoApprove: true }),
  threshold: keysOf<ThresholdInput>({
    metric: true,
    group: true,
    atMost: true,
    atLeast: true,
    absAtMost: true,
    notWorseThanLive: true,
  }),
  notWorseThanLive: keysOf<NotWorseThanLiveInput>({ better: true, margin: true }),
  deployment: keysOf<DeploymentInput>({
    endpointName: true,
    serve: true,
    instances: true,
    serverless: true,
    strategy: true,
    rollbackAlarms: true,
    whenNoneApproved: true,
    keepPreviousVersions: true,
    dataCapturePercent: true,
    requireApprovedModelCard: true,
    production: true,
    account: true,
    vpc: true,
    networkIsolation: true,
    volumeKmsKeyArn: true,
    dataCaptureKmsKeyArn: true,
    autoscaling: true,
    shadow: true,
    monitoring: true,
  }),
  lifecycleStage: keysOf<LifecycleStageInput>({ stage: true, stageStatus: true }),
  instances: keysOf<InstancesInput>({ type: true, count: true }),
  serverless: keysOf<ServerlessInput>({ memorySizeMb: true, maxConcurrency: true }),
  strategy: keysOf<StrategyInput>({
    type: true,
    canaryPercent: true,
    stepPercent: true,
    waitMinutes: true,
    terminationWaitMinutes: true,
  }),
  rollbackAlarms: keysOf<RollbackAlarmsInput>({
    enabled: true,
    max5xxErrorsPerMinute: true,
    maxModelLatencyMs: true,
  }),
  vpc: keysOf<VpcInput>({ subnetIds: true, securityGroupIds: true }),
  autoscaling: keysOf<AutoscalingInput>({
    minInstances: true,
    maxInstances: true,
    targetInvocationsPerInstance: true,
    scaleInCooldownSeconds: true,
    scaleOutCooldownSeconds: true,
  }),
  shadow: keysOf<ShadowInput>({
    samplingPercent: true,
    minutes: true,
    maxLatencyIncreasePercent: true,
    maxErrorRatePercent: true,
  }),
  monitoring: keysOf<MonitoringInput>({
    dataQuality: true,
    modelQuality: true,
    onViolation: true,
    deployUnmonitored: true,
  }),
  dataQuality: keysOf<DataQualityMonitorInput>({
    scheduleExpression: true,
    instanceType: true,
    instanceCount: true,
    volumeSizeInGB: true,
    maxRuntimeInSeconds: true,
  }),
  modelQuality: keysOf<ModelQualityMonitorInput>({
    scheduleExpression: true,
    groundTruthS3Uri: true,
    problemType: true,
    inferenceAttribute: true,
    probabilityAttribute: true,
    probabilityThresholdAttribute: true,
    instanceType: true,
    instanceCount: true,
    volumeSizeInGB: true,
    maxRuntimeInSeconds: true,
  }),
} as const;
