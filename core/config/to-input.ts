/**
 * A resolved configuration written back in the shape a person writes (./input.ts): what the JSON
 * front end hands the constructs, and `parseGovernanceConfig(toInput(c))` gives `c` back (tested).
 */
import type {
  DeploymentInput,
  GovernanceConfigInput,
  ModelPackageGroupInput,
  StrategyInput,
  ThresholdInput,
} from './input';
import type {
  DeploymentStrategy,
  DeploymentTarget,
  GovernanceConfig,
  MetricThreshold,
  ModelPackageGroupConfig,
} from './types';

export function toInput(config: GovernanceConfig): GovernanceConfigInput {
  return {
    archiveRetentionDays: config.archiveRetentionDays,
    notificationEmails: config.notificationEmails,
    modelArtifactBuckets: config.modelArtifactBuckets,
    modelArtifactKeyArns: config.modelArtifactKeyArns,
    ...(config.registry ? { registry: config.registry } : {}),
    stacks: config.stacks,
    slo: config.slo,
    tracing: config.tracing,
    notifications: config.notifications,
    dataCapture: config.dataCapture.bucket
      ? { bucket: config.dataCapture.bucket, prefix: config.dataCapture.prefix }
      : config.dataCapture,
    ...(config.governanceRecord.objectLock
      ? { governanceRecord: { objectLock: config.governanceRecord.objectLock } }
      : {}),
    groups: config.groups.map(groupInput),
  };
}

export function groupInput(g: ModelPackageGroupConfig): ModelPackageGroupInput {
  return {
    name: g.name,
    description: g.description,
    tags: g.tags,
    shareWithAccounts: g.shareWithAccounts,
    modelCard: Object.fromEntries(Object.entries(g.modelCard).filter(([, v]) => v !== undefined)),
    deployments: g.deployments.map(deploymentInput),
    ...(g.qualityGate
      ? {
          qualityGate: {
            thresholds: g.qualityGate.thresholds.map(thresholdInput),
            ...(g.qualityGate.liveEndpoint !== undefined ? { liveEndpoint: g.qualityGate.liveEndpoint } : {}),
            autoApprove: g.qualityGate.autoApprove,
          },
        }
      : {}),
    separationOfDuties: g.separationOfDuties,
    cardReviewerMustDiffer: g.cardReviewerMustDiffer,
  };
}

function thresholdInput(t: MetricThreshold): ThresholdInput {
  const base = { metric: t.metric, ...(t.group !== undefined ? { group: t.group } : {}) };
  switch (t.rule.kind) {
    case 'at-most':
      return { ...base, atMost: t.rule.value };
    case 'at-least':
      return { ...base, atLeast: t.rule.value };
    case 'abs-at-most':
      return { ...base, absAtMost: t.rule.value };
    case 'not-worse-than-live':
      return { ...base, notWorseThanLive: { better: t.rule.better, margin: t.rule.margin } };
  }
}

function deploymentInput(d: DeploymentTarget): DeploymentInput {
  return {
    endpointName: d.endpointName,
    serve:
      d.serve.kind === 'newest-approved'
        ? 'newest-approved'
        : { stage: d.serve.stage, stageStatus: d.serve.stageStatus },
    ...(d.compute.kind === 'instances'
      ? { instances: { type: d.compute.instanceType, count: d.compute.instanceCount } }
      : { serverless: { memorySizeMb: d.compute.memorySizeMb, maxConcurrency: d.compute.maxConcurrency } }),
    strategy: strategyInput(d.strategy),
    rollbackAlarms: { ...d.rollbackAlarms },
    whenNoneApproved: d.whenNoneApproved,
    keepPreviousVersions: d.keepPreviousVersions,
    dataCapturePercent: d.dataCapturePercent,
    requireApprovedModelCard: d.requireApprovedModelCard,
    production: d.production,
    ...(d.account !== undefined ? { account: d.account } : {}),
    ...(d.vpc
      ? { vpc: { subnetIds: [...d.vpc.subnetIds], securityGroupIds: [...d.vpc.securityGroupIds] } }
      : {}),
    networkIsolation: d.networkIsolation,
    ...(d.volumeKmsKeyArn !== undefined ? { volumeKmsKeyArn: d.volumeKmsKeyArn } : {}),
    ...(d.dataCaptureKmsKeyArn !== undefined ? { dataCaptureKmsKeyArn: d.dataCaptureKmsKeyArn } : {}),
    ...(d.autoscaling ? { autoscaling: { ...d.autoscaling } } : {}),
    ...(d.shadow ? { shadow: { ...d.shadow } } : {}),
    ...(d.monitoring
      ? {
          monitoring: {
            ...(d.monitoring.dataQuality ? { dataQuality: { ...d.monitoring.dataQuality } } : {}),
            ...(d.monitoring.modelQuality ? { modelQuality: { ...d.monitoring.modelQuality } } : {}),
            onViolation: d.monitoring.onViolation,
            deployUnmonitored: d.monitoring.deployUnmonitored,
          },
        }
      : {}),
  };
}

function strategyInput(s: DeploymentStrategy): StrategyInput {
  switch (s.kind) {
    case 'all-at-once':
      return { type: 'all-at-once', terminationWaitMinutes: s.terminationWaitMinutes };
    case 'canary':
      return {
        type: 'canary',
        canaryPercent: s.canaryPercent,
        waitMinutes: s.waitMinutes,
        terminationWaitMinutes: s.terminationWaitMinutes,
      };
    case 'linear':
      return {
        type: 'linear',
        stepPercent: s.stepPercent,
        waitMinutes: s.waitMinutes,
        terminationWaitMinutes: s.terminationWaitMinutes,
      };
  }
}
