/**
 * The one planner, table-driven: observed state + trigger → the fact it needs, or the actions, the
 * outcome (with its code) and whether people hear of it. In the style of ACK's recorded scenario
 * suites: each row is a situation a target can be in, named, with what must happen.
 */
import { parseGovernanceConfig } from '../../core/config/parse';
import type { DeploymentTarget, ModelPackageGroupConfig } from '../../core/config/types';
import { VARIANT_NAME } from '../../core/naming';
import { CONTENT_KEY } from '../../domain/approval-check';
import type { GateFacts } from '../../domain/deployment-gates';
import type { DriftCode, SkipCode, WaitCode } from '../../domain/deployment-report';
import type { ObservedEndpoint } from '../../domain/endpoint-request';
import { deploymentFor } from '../../domain/endpoint-resources';
import type { HoldCode } from '../../domain/hold';
import { type ObservedExperiment, SHADOW_VARIANT_NAME, shadowExperimentName } from '../../domain/shadow-plan';
import type { ShadowFigures } from '../../domain/shadow-verdict';
import {
  afterSetback,
  type Decision,
  type PlannerTrigger,
  planTarget,
  type TargetObservation,
} from '../../domain/target-planner';
import type { VersionSummary } from '../../domain/version-selection';

const role = 'arn:aws:iam::123456789012:role/exec';
const shadowRole = 'arn:aws:iam::123456789012:role/shadow';
const now = new Date('2026-12-02T02:00:00Z');
const ANA = { iam: 'arn:aws:iam::123456789012:role/Trainer' };
const ANA_USER = { iam: 'arn:aws:iam::123456789012:user/ana' };
const BO = { iam: 'arn:aws:iam::123456789012:role/Approver' };
const CHECKER = { iam: 'arn:aws:iam::123456789012:role/policy-gate' };

function configOf(group: Record<string, unknown> = {}, deployment: Record<string, unknown> = {}) {
  const config = parseGovernanceConfig({
    groups: [{ name: 'churn', ...group, deployments: [{ endpointName: 'churn-prod', ...deployment }] }],
  });
  const g = config.groups[0] as ModelPackageGroupConfig;
  return { group: g, target: g.deployments[0] as DeploymentTarget };
}

const v = (version: number, stage?: [string, string]): VersionSummary => ({
  arn: `arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/${version}`,
  version,
  approvalStatus: 'Approved',
  ...(stage ? { lifeCycle: { stage: stage[0], stageStatus: stage[1] } } : {}),
  creationTime: new Date('2026-12-02T01:59:00Z'),
});

const namesOf = (t: DeploymentTarget, version: number) =>
  deploymentFor({ target: t, executionRoleArn: role }, v(version));

const endpointOn = (
  t: DeploymentTarget,
  version: number,
  extra: Partial<ObservedEndpoint> = {},
): ObservedEndpoint => ({
  status: 'InService',
  configName: namesOf(t, version).configName,
  arn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/churn-prod',
  lastModifiedTime: new Date('2026-12-02T01:00:00Z'),
  ...extra,
});

/** The endpoint after SageMaker rolled back a request for `version` to `from`. */
const rolledBack = (t: DeploymentTarget, version: number, from: number, notified = false) =>
  endpointOn(t, from, {
    lastModifiedTime: new Date('2026-12-02T01:30:00Z'),
    request: {
      configName: namesOf(t, version).configName,
      after: new Date('2026-12-02T01:00:00Z'),
      fromConfig: namesOf(t, from).configName,
      rollbackNotified: notified,
    },
  });

/** Gate facts that pass every gate (a checked, content-recorded version with a reviewed card). */
const passing = (version: number, over: Partial<GateFacts> = {}): GateFacts => ({
  cardName: `churn-v${version}`,
  cardStatus: 'Approved',
  cardContentSha256: 'generated',
  cardRecordedSha256: 'generated',
  cardReviewerPrincipal: { iam: 'arn:aws:iam::123456789012:user/rita' },
  approverPrincipal: BO,
  createdBy: 'ana',
  createdByPrincipal: ANA,
  lastModifiedByPrincipal: CHECKER,
  checker: CHECKER,
  contentFingerprint: 'registered',
  metadata: { [CONTENT_KEY]: 'registered' },
  ...over,
});

const weights = { kind: 'object' as const, uri: 's3://m/model.tar.gz', etag: '"a"', size: 1 };
const gateFacts = (over: Record<string, unknown> = {}) => ({
  modelData: [{ uri: weights.uri, kind: 'object' as const }],
  gate: {
    verdict: { decidedAt: '2026-12-02T01:59:01Z', artifacts: { modelData: [weights], metrics: [] } },
    observed: new Map([[weights.uri, weights]]),
    registeredAt: v(2).creationTime,
    now,
    ...over,
  },
});

interface Situation {
  readonly group?: Record<string, unknown>;
  readonly deployment?: Record<string, unknown>;
  readonly versions?: readonly VersionSummary[];
  /** The endpoint, made for the target. */
  readonly endpoint?: (t: DeploymentTarget) => ObservedEndpoint | undefined;
  readonly gates?: Readonly<Record<number, GateFacts>>;
  readonly verdictsReadable?: boolean;
  readonly shadow?: (t: DeploymentTarget) => TargetObservation['shadow'];
  /** What the served-config check found; the default: the served config is ours. */
  readonly served?: (e: ObservedEndpoint) => TargetObservation['served'];
}

function observe(s: Situation): TargetObservation {
  const { group, target } = configOf(s.group, s.deployment);
  const endpoint = s.endpoint?.(target);
  const served = endpoint ? (s.served ?? ((e) => ({ configName: e.configName })))(endpoint) : undefined;
  return {
    ...(served ? { served } : {}),
    group,
    target,
    executionRoleArn: role,
    shadowRoleArn: shadowRole,
    versions: s.versions ?? [],
    endpoint: s.endpoint?.(target),
    verdictsReadable: s.verdictsReadable ?? false,
    gates: new Map(Object.entries(s.gates ?? {}).map(([n, f]) => [v(Number(n)).arn, f])),
    ...(s.shadow ? { shadow: s.shadow(target) } : {}),
    now,
  };
}

function decide(s: Situation, trigger: PlannerTrigger): Decision {
  const step = planTarget(observe(s), trigger);
  if (step.kind !== 'decided') throw new Error(`needs ${step.need.kind}`);
  return step;
}

const event: PlannerTrigger = { kind: 'model-package' };
const settled: PlannerTrigger = { kind: 'endpoint', settled: true };
const shadowOn = { instances: { type: 'ml.m5.large', count: 2 }, shadow: { minutes: 60 } };

/** The experiment this app starts for `version` against v1, in `status`. */
function experimentFor(t: DeploymentTarget, version: number, status: ObservedExperiment['status']) {
  const d = namesOf(t, version);
  const live = namesOf(t, 1).modelName;
  return {
    name: shadowExperimentName('churn-prod', d, live, { samplingPercent: 100, minutes: 60 }),
    arn: `arn:aws:sagemaker:us-east-1:123456789012:inference-experiment/x${version}`,
    status,
    endpointName: 'churn-prod',
    sourceVariantName: VARIANT_NAME,
    shadowVariantName: SHADOW_VARIANT_NAME,
    samplingPercent: 100,
    variants: [
      { variantName: VARIANT_NAME, modelName: live },
      { variantName: SHADOW_VARIANT_NAME, modelName: d.modelName },
    ],
    start: new Date('2026-12-02T01:00:00Z'),
    end: new Date('2026-12-02T01:30:00Z'),
    ...(status === 'Completed' ? { completionTime: new Date('2026-12-02T01:30:00Z') } : {}),
  } satisfies ObservedExperiment;
}
const liveOf = (t: DeploymentTarget) => ({
  variantName: VARIANT_NAME,
  modelName: namesOf(t, 1).modelName,
  instanceType: 'ml.m5.large',
  instanceCount: 2,
});
const figures = (shadowErrors: number): ShadowFigures => ({
  start: new Date('2026-12-02T01:00:00Z'),
  end: new Date('2026-12-02T01:30:00Z'),
  live: { invocations: 1000, errors5xx: 0, latencyP99Ms: 100 },
  shadow: { invocations: 1000, errors5xx: shadowErrors, latencyP99Ms: 100 },
});

type Expected = {
  readonly outcome: string;
  readonly code?: HoldCode | SkipCode | WaitCode | DriftCode;
  readonly version?: number;
  /** More of the outcome, matched as a subset. */
  readonly also?: Record<string, unknown>;
  readonly actions?: readonly string[];
  readonly notify: boolean;
  readonly afterNotify?: readonly string[];
};

const SCENARIOS: readonly [string, Situation, PlannerTrigger, Expected][] = [
  // The endpoint's lifecycle.
  [
    'a first approved version creates the endpoint',
    { versions: [v(1)] },
    event,
    {
      outcome: 'deploy-started',
      version: 1,
      actions: ['ensure-model', 'ensure-endpoint-config', 'create-endpoint'],
      notify: true,
    },
  ],
  [
    'a newer approved version updates the endpoint',
    { versions: [v(1), v(2)], endpoint: (t) => endpointOn(t, 1) },
    event,
    {
      outcome: 'deploy-started',
      version: 2,
      actions: ['ensure-model', 'ensure-endpoint-config', 'update-endpoint'],
      notify: true,
    },
  ],
  [
    'the endpoint settles on the version it should serve: completed, old versions removed, scaling made right',
    { versions: [v(1), v(2)], endpoint: (t) => endpointOn(t, 2) },
    settled,
    {
      outcome: 'deploy-completed',
      version: 2,
      actions: ['remove-old-versions', 'ensure-scaling'],
      notify: true,
    },
  ],
  [
    'an event about an endpoint already serving its version does nothing',
    { versions: [v(2)], endpoint: (t) => endpointOn(t, 2) },
    event,
    { outcome: 'skipped', code: 'in-sync', version: 2, actions: [], notify: false },
  ],
  [
    'an endpoint that is changing is left to its next event',
    { versions: [v(2)], endpoint: (t) => endpointOn(t, 1, { status: 'Updating' }) },
    event,
    { outcome: 'skipped', code: 'endpoint-busy', actions: [], notify: false },
  ],
  [
    'nothing approved and no endpoint: nothing to do',
    { versions: [] },
    event,
    { outcome: 'skipped', code: 'nothing-to-serve', notify: false },
  ],
  [
    'the last approved version rejected: the endpoint keeps serving, and people are told',
    { versions: [], endpoint: (t) => endpointOn(t, 1) },
    event,
    { outcome: 'no-approved-version', actions: [], notify: true },
  ],
  [
    "keep-serving is not told again on the endpoint's own events",
    { versions: [], endpoint: (t) => endpointOn(t, 1) },
    settled,
    { outcome: 'skipped', code: 'keep-serving', notify: false },
  ],
  [
    'the last approved version rejected with delete-endpoint: the endpoint is deleted',
    { deployment: { whenNoneApproved: 'delete-endpoint' }, versions: [], endpoint: (t) => endpointOn(t, 1) },
    event,
    { outcome: 'no-approved-version', actions: ['delete-endpoint'], notify: true },
  ],
  [
    'a Failed endpoint needs an operator',
    { versions: [v(2)], endpoint: (t) => endpointOn(t, 1, { status: 'Failed', failureReason: 'boom' }) },
    event,
    { outcome: 'needs-operator', version: 2, notify: true },
  ],
  // Rollbacks: told once, never retried by the reconciler, retried by an operator.
  [
    'SageMaker rolled the update back: claimed, told once, then recorded as told',
    { versions: [v(1), v(2)], endpoint: (t) => rolledBack(t, 2, 1) },
    settled,
    {
      outcome: 'rolled-back',
      actions: ['ensure-scaling', 'claim-rollback-notice'],
      notify: true,
      afterNotify: ['record-rollback-notified'],
    },
  ],
  [
    'a rollback already told is not retried, nor told again',
    { versions: [v(1), v(2)], endpoint: (t) => rolledBack(t, 2, 1, true) },
    event,
    { outcome: 'skipped', code: 'rollback-notified', version: 2, actions: [], notify: false },
  ],
  [
    "an operator's retry of a rolled-back version asks for the same config again, and only that",
    { versions: [v(1), v(2)], endpoint: (t) => rolledBack(t, 2, 1, true) },
    { kind: 'retry' },
    { outcome: 'deploy-started', version: 2, actions: ['update-endpoint'], notify: true },
  ],
  // The served config, checked on every path: only ours can be a rollback; drift is told, and put
  // back when a version may deploy.
  [
    "a rollback whose config is not ours (forged, or someone else's config) is drift: put back",
    {
      versions: [v(1), v(2)],
      endpoint: (t) => rolledBack(t, 2, 1, true),
      served: (e) => ({ configName: e.configName, mismatch: 'its model runs another image' }),
    },
    settled,
    {
      outcome: 'deploy-started',
      version: 2,
      also: { drift: true },
      actions: ['ensure-model', 'ensure-endpoint-config', 'update-endpoint'],
      notify: true,
    },
  ],
  [
    'nothing approved yet, and an endpoint under the target name serves a config that is not ours: told',
    { versions: [], endpoint: (t) => endpointOn(t, 1, { configName: 'theirs' }) },
    settled,
    {
      outcome: 'drift-found',
      code: 'served-config-not-ours',
      also: { servingConfig: 'theirs' },
      actions: [],
      notify: true,
    },
  ],
  [
    'nothing approved: a config under our name that is not what we made is told, not kept quietly',
    {
      versions: [],
      endpoint: (t) => endpointOn(t, 1),
      served: (e) => ({ configName: e.configName, mismatch: 'a shadow variant' }),
    },
    event,
    { outcome: 'drift-found', code: 'served-config-not-ours', also: { servedVersion: 1 }, notify: true },
  ],
  [
    'nothing approved: a config of ours the record never asked for (tried, settled elsewhere) is told',
    {
      versions: [v(1, undefined)].map((x) => ({ ...x, approvalStatus: 'Rejected' as const })),
      endpoint: (t) =>
        endpointOn(t, 1, {
          lastModifiedTime: new Date('2026-12-02T01:30:00Z'),
          request: {
            configName: namesOf(t, 3).configName,
            after: new Date('2026-12-02T01:00:00Z'),
            fromConfig: namesOf(t, 2).configName,
            rollbackNotified: false,
          },
        }),
    },
    event,
    { outcome: 'drift-found', code: 'served-config-not-requested', notify: true },
  ],
  [
    'every version held: a drifted endpoint is told, with the hold (nothing may put it back)',
    {
      deployment: { requireApprovedModelCard: true },
      versions: [v(2)],
      endpoint: (t) => endpointOn(t, 1, { configName: 'theirs' }),
      gates: { 2: passing(2, { cardStatus: 'Draft' }) },
    },
    event,
    {
      outcome: 'drift-found',
      code: 'served-config-not-ours',
      also: { held: { version: 2, code: 'card-not-approved' } },
      actions: [],
      notify: true,
    },
  ],
  [
    'the newest version held, an older one may deploy: the drifted endpoint is put back to it',
    {
      deployment: { requireApprovedModelCard: true },
      versions: [v(1), v(2)],
      endpoint: (t) => endpointOn(t, 1, { configName: 'theirs' }),
      gates: { 2: passing(2, { cardStatus: 'Draft' }), 1: passing(1) },
    },
    event,
    { outcome: 'deploy-started', version: 1, also: { drift: true, fromConfig: 'theirs' }, notify: true },
  ],
  [
    'the endpoint on the desired name, but the config under it is not ours: told (the name is taken)',
    {
      versions: [v(2)],
      endpoint: (t) => endpointOn(t, 2),
      served: (e) => ({ configName: e.configName, mismatch: 'its model runs another image' }),
    },
    settled,
    { outcome: 'drift-found', code: 'served-config-not-ours', actions: [], notify: true },
  ],
  // The gates, each hold by its code; the quiet ones are waits.
  [
    'card gate: a card not Approved holds the version',
    {
      deployment: { requireApprovedModelCard: true },
      versions: [v(1), v(2)],
      endpoint: (t) => endpointOn(t, 1),
      gates: { 2: passing(2, { cardStatus: 'PendingReview' }), 1: passing(1) },
    },
    event,
    { outcome: 'held', code: 'card-not-approved', version: 2, notify: true },
  ],
  [
    'card gate: content not the generated one',
    {
      deployment: { requireApprovedModelCard: true },
      versions: [v(2)],
      gates: { 2: passing(2, { cardContentSha256: 'by hand' }) },
    },
    event,
    { outcome: 'held', code: 'card-content-not-generated', version: 2, notify: true },
  ],
  [
    'card gate: reviewer not identified',
    {
      deployment: { requireApprovedModelCard: true },
      versions: [v(2)],
      gates: { 2: passing(2, { approverPrincipal: undefined }) },
    },
    event,
    { outcome: 'held', code: 'card-reviewer-unidentified', version: 2, notify: true },
  ],
  [
    'card gate: reviewed by the approver',
    {
      deployment: { requireApprovedModelCard: true },
      versions: [v(2)],
      gates: { 2: passing(2, { cardReviewerPrincipal: ANA_USER, approverPrincipal: ANA_USER }) },
    },
    event,
    { outcome: 'held', code: 'card-reviewer-is-approver', version: 2, notify: true },
  ],
  [
    'card gate: reviewer and approver are one role without SourceIdentity (a Studio domain without it)',
    {
      deployment: { requireApprovedModelCard: true },
      versions: [v(2)],
      gates: { 2: passing(2, { cardReviewerPrincipal: BO }) },
    },
    event,
    { outcome: 'held', code: 'card-reviewer-indistinct-shared-role', version: 2, notify: true },
  ],
  [
    'separation of duties: registrant not identified',
    {
      group: { separationOfDuties: true },
      versions: [v(2)],
      gates: { 2: passing(2, { createdByPrincipal: undefined }) },
    },
    event,
    { outcome: 'held', code: 'registrant-unidentified', version: 2, notify: true },
  ],
  [
    'separation of duties: approved by its registrant',
    {
      group: { separationOfDuties: true },
      versions: [v(2)],
      gates: { 2: passing(2, { createdByPrincipal: ANA_USER, lastModifiedByPrincipal: ANA_USER }) },
    },
    event,
    { outcome: 'held', code: 'self-approved', version: 2, notify: true },
  ],
  [
    'separation of duties: registrant and approver share a role without SourceIdentity',
    {
      group: { separationOfDuties: true },
      versions: [v(2)],
      gates: { 2: passing(2, { lastModifiedByPrincipal: ANA }) },
    },
    event,
    { outcome: 'held', code: 'approver-indistinct-shared-role', version: 2, notify: true },
  ],
  [
    "separation of duties: the policy handler's check not made yet is a quiet wait",
    {
      group: { separationOfDuties: true },
      versions: [v(2)],
      gates: { 2: passing(2, { lastModifiedByPrincipal: BO }) },
    },
    event,
    { outcome: 'waiting', code: 'approval-unchecked', version: 2, notify: false },
  ],
  [
    'separation of duties: registered content never recorded',
    { group: { separationOfDuties: true }, versions: [v(2)], gates: { 2: passing(2, { metadata: {} }) } },
    event,
    { outcome: 'held', code: 'content-unrecorded', version: 2, notify: true },
  ],
  [
    'separation of duties: content changed after registration',
    {
      group: { separationOfDuties: true },
      versions: [v(2)],
      gates: { 2: passing(2, { contentFingerprint: 'rewritten' }) },
    },
    event,
    { outcome: 'held', code: 'content-changed', version: 2, notify: true },
  ],
  ...(
    [
      [
        'its verdict about to be written is a quiet wait',
        { verdict: undefined },
        'waiting',
        'verdict-pending',
      ],
      [
        'no verdict long after registration',
        { verdict: undefined, now: new Date('2026-12-03T00:00:00Z') },
        'held',
        'verdict-missing',
      ],
      [
        'a verdict from before pins',
        { verdict: { decidedAt: '2026-01-01T00:00:00Z' } },
        'held',
        'verdict-unpinned',
      ],
      ['pinned object unreadable', { observed: new Map() }, 'held', 'artifact-unreadable'],
      [
        'pinned object overwritten',
        { observed: new Map([[weights.uri, { ...weights, etag: '"b"' }]]) },
        'held',
        'artifact-changed',
      ],
    ] as const
  ).map(([name, over, outcome, code]): [string, Situation, PlannerTrigger, Expected] => [
    `quality gate: ${name}`,
    {
      group: { qualityGate: { thresholds: [{ metric: 'mse', atMost: 6 }] } },
      verdictsReadable: true,
      versions: [v(2)],
      gates: { 2: { cardName: 'churn-v2', ...gateFacts(over) } },
    },
    event,
    { outcome, code, version: 2, notify: outcome === 'held' },
  ]),
  [
    'quality gate: model data the gate never saw',
    {
      group: { qualityGate: { thresholds: [{ metric: 'mse', atMost: 6 }] } },
      verdictsReadable: true,
      versions: [v(2)],
      gates: {
        2: {
          cardName: 'churn-v2',
          ...gateFacts(),
          modelData: [{ uri: 's3://m/other.tar.gz', kind: 'object' }],
        },
      },
    },
    event,
    { outcome: 'held', code: 'model-data-not-pinned', version: 2, notify: true },
  ],
  [
    'stage: not yet checked by the policy handler is a quiet wait',
    {
      deployment: { serve: { stage: 'Production' } },
      versions: [v(2, ['Production', 'Approved'])],
      gates: { 2: passing(2, { lastModifiedByPrincipal: BO }) },
    },
    event,
    { outcome: 'waiting', code: 'stage-unchecked', version: 2, notify: false },
  ],
  [
    'stage: set by the registrant is not honoured',
    {
      deployment: { serve: { stage: 'Production' } },
      versions: [v(2, ['Production', 'Approved'])],
      gates: {
        2: passing(2, { metadata: { 'model-governance:stage-check': 'not-honoured:set-at-registration' } }),
      },
    },
    event,
    { outcome: 'held', code: 'stage-not-honoured', version: 2, notify: true },
  ],
  [
    'a held newer version is passed over for the newest one that may deploy',
    {
      deployment: { requireApprovedModelCard: true },
      versions: [v(1), v(2)],
      gates: { 2: passing(2, { cardStatus: 'Draft' }), 1: passing(1) },
    },
    event,
    { outcome: 'deploy-started', version: 1, notify: true },
  ],
  // The shadow step.
  [
    'shadow: an update starts a shadow test first',
    {
      deployment: shadowOn,
      versions: [v(1), v(2)],
      endpoint: (t) => endpointOn(t, 1),
      shadow: (t) => ({ live: liveOf(t), experiments: [] }),
    },
    event,
    { outcome: 'shadow-started', version: 2, actions: ['ensure-model', 'create-experiment'], notify: true },
  ],
  [
    'shadow: a running test is waited for, quietly',
    {
      deployment: shadowOn,
      versions: [v(1), v(2)],
      endpoint: (t) => endpointOn(t, 1),
      shadow: (t) => ({ live: liveOf(t), experiments: [experimentFor(t, 2, 'Running')] }),
    },
    { kind: 'shadow-check' },
    { outcome: 'waiting', code: 'shadow-running', version: 2, notify: false },
  ],
  [
    "shadow: an older version's running test is stopped",
    {
      deployment: shadowOn,
      versions: [v(1), v(2), v(3)],
      endpoint: (t) => endpointOn(t, 1),
      shadow: (t) => ({ live: liveOf(t), experiments: [experimentFor(t, 2, 'Running')] }),
    },
    event,
    { outcome: 'skipped', code: 'shadow-stopped', version: 3, actions: ['stop-experiment'], notify: false },
  ],
  [
    'shadow: passed figures measured now are recorded, then the update goes',
    {
      deployment: shadowOn,
      versions: [v(1), v(2)],
      endpoint: (t) => endpointOn(t, 1),
      shadow: (t) => ({
        live: liveOf(t),
        experiments: [experimentFor(t, 2, 'Completed')],
        measured: figures(0),
      }),
    },
    { kind: 'shadow-check' },
    {
      outcome: 'deploy-started',
      version: 2,
      actions: ['record-shadow-result', 'ensure-model', 'ensure-endpoint-config', 'update-endpoint'],
      notify: true,
    },
  ],
  [
    'shadow: failed figures measured now hold the version, told by the periodic check too',
    {
      deployment: shadowOn,
      versions: [v(1), v(2)],
      endpoint: (t) => endpointOn(t, 1),
      shadow: (t) => ({
        live: liveOf(t),
        experiments: [experimentFor(t, 2, 'Completed')],
        measured: figures(500),
      }),
    },
    { kind: 'shadow-check' },
    { outcome: 'held', code: 'shadow-failed', version: 2, actions: ['record-shadow-result'], notify: true },
  ],
  [
    'shadow: a failure recorded before is not told again',
    {
      deployment: shadowOn,
      versions: [v(1), v(2)],
      endpoint: (t) => endpointOn(t, 1),
      shadow: (t) => ({
        live: liveOf(t),
        experiments: [{ ...experimentFor(t, 2, 'Completed'), recorded: figures(500) }],
      }),
    },
    event,
    { outcome: 'skipped', code: 'shadow-failed-notified', version: 2, notify: false },
  ],
  [
    'shadow: a cancelled test proves nothing: held',
    {
      deployment: shadowOn,
      versions: [v(1), v(2)],
      endpoint: (t) => endpointOn(t, 1),
      shadow: (t) => ({ live: liveOf(t), experiments: [experimentFor(t, 2, 'Cancelled')] }),
    },
    event,
    { outcome: 'held', code: 'shadow-refused', version: 2, notify: true },
  ],
  [
    'shadow: a refused test found again by the periodic check is not told again',
    {
      deployment: shadowOn,
      versions: [v(1), v(2)],
      endpoint: (t) => endpointOn(t, 1),
      shadow: (t) => ({ live: liveOf(t), experiments: [experimentFor(t, 2, 'Cancelled')] }),
    },
    { kind: 'shadow-check' },
    { outcome: 'held', code: 'shadow-refused', version: 2, notify: false },
  ],
  [
    'the periodic shadow check leaves targets without a pending shadow step alone',
    { versions: [v(1), v(2)], endpoint: (t) => endpointOn(t, 1) },
    { kind: 'shadow-check' },
    { outcome: 'skipped', code: 'no-shadow-step', actions: [], notify: false },
  ],
];

describe('planTarget: observed state + trigger → decision', () => {
  it.each(SCENARIOS)('%s', (_name, situation, trigger, expected) => {
    const d = decide(situation, trigger);
    expect(d.outcome).toMatchObject({
      outcome: expected.outcome,
      ...(expected.code ? { code: expected.code } : {}),
      ...(expected.version !== undefined ? { version: expected.version } : {}),
      ...expected.also,
    });
    expect(d.notify).toBe(expected.notify);
    if (expected.actions) expect(d.actions.map((a) => a.kind)).toEqual(expected.actions);
    expect(d.afterNotify.map((a) => a.kind)).toEqual(expected.afterNotify ?? []);
  });
});

describe('planTarget asks for the facts it lacks, one candidate at a time', () => {
  it('asks for the newest candidate first, then the next while the newer is held', () => {
    const s: Situation = { deployment: { requireApprovedModelCard: true }, versions: [v(1), v(2)] };
    const first = planTarget(observe(s), event);
    expect(first).toMatchObject({ kind: 'need', need: { kind: 'gate-facts', version: { version: 2 } } });
    const second = planTarget(observe({ ...s, gates: { 2: passing(2, { cardStatus: 'Draft' }) } }), event);
    expect(second).toMatchObject({ kind: 'need', need: { kind: 'gate-facts', version: { version: 1 } } });
  });

  it('asks whether the served config is ours, on every path (here: nothing approved)', () => {
    const step = planTarget(
      observe({ versions: [], endpoint: (t) => endpointOn(t, 1), served: () => undefined }),
      event,
    );
    expect(step).toMatchObject({
      kind: 'need',
      need: { kind: 'served-config', configName: expect.stringMatching(/^churn-prod-v1-/), version: 1 },
    });
  });

  it('records the request in the governance record once SageMaker accepted it', () => {
    const o = observe({ versions: [v(1), v(2)], endpoint: (t) => endpointOn(t, 1) });
    const step = planTarget(
      {
        ...o,
        recordReadable: true,
        gates: new Map([[v(2).arn, passing(2, { record: { registration: { fingerprint: 'registered' } } })]]),
      },
      event,
    );
    if (step.kind !== 'decided') throw new Error(`needs ${step.need.kind}`);
    expect(step.actions.map((a) => a.kind)).toEqual([
      'ensure-model',
      'ensure-endpoint-config',
      'update-endpoint',
      'record-request',
    ]);
    expect(step.actions[3]).toMatchObject({
      request: {
        endpointName: 'churn-prod',
        configName: namesOf(o.target, 2).configName,
        fromConfig: namesOf(o.target, 1).configName,
        version: 2,
      },
    });
  });

  it('reads no gate facts for a target without gates', () => {
    expect(planTarget(observe({ versions: [v(1)] }), event).kind).toBe('decided');
  });

  it('asks for the shadow facts, then for the figures of a completed test', () => {
    const s: Situation = { deployment: shadowOn, versions: [v(1), v(2)], endpoint: (t) => endpointOn(t, 1) };
    expect(planTarget(observe(s), event)).toMatchObject({ kind: 'need', need: { kind: 'shadow-facts' } });
    const completed = planTarget(
      observe({
        ...s,
        shadow: (t) => ({ live: liveOf(t), experiments: [experimentFor(t, 2, 'Completed')] }),
      }),
      event,
    );
    expect(completed).toMatchObject({
      kind: 'need',
      need: { kind: 'shadow-figures', variants: { live: VARIANT_NAME, shadow: SHADOW_VARIANT_NAME } },
    });
  });
});

describe('afterSetback: what the service answered changes the outcome', () => {
  const update = decide({ versions: [v(1), v(2)], endpoint: (t) => endpointOn(t, 1) }, event);

  it.each([
    [{ kind: 'busy' } as const, 'skipped', 'lost-race', false],
    [{ kind: 'name-taken', detail: 'churn-prod-v2-model is not ours' } as const, 'held', 'name-taken', true],
  ])('%o → %s %s', (setback, outcome, code, notify) => {
    const d = afterSetback(update, setback, event);
    expect(d.outcome).toMatchObject({ outcome, code });
    expect(d.notify).toBe(notify);
    expect(d.actions).toEqual([]);
  });

  it('a shadow test another run started is left to it', () => {
    const start = decide(
      {
        deployment: shadowOn,
        versions: [v(1), v(2)],
        endpoint: (t) => endpointOn(t, 1),
        shadow: (t) => ({ live: liveOf(t), experiments: [] }),
      },
      event,
    );
    const create = start.actions.find((a) => a.kind === 'create-experiment');
    if (create?.kind !== 'create-experiment') throw new Error('no experiment to create');
    const r = create.request;
    const same = {
      name: r.Name,
      status: 'Running' as const,
      endpointName: r.EndpointName,
      sourceVariantName: r.ShadowModeConfig.SourceModelVariantName,
      shadowVariantName: r.ShadowModeConfig.ShadowModelVariants[0]?.ShadowModelVariantName,
      variants: r.ModelVariants.map((m) => ({ variantName: m.VariantName, modelName: m.ModelName })),
      roleArn: r.RoleArn,
    };
    expect(afterSetback(start, { kind: 'existed', found: same }, event).outcome).toMatchObject({
      outcome: 'skipped',
      code: 'shadow-started-elsewhere',
    });
    // Refused as in use, and no experiment of that name: another one holds the endpoint.
    const none = afterSetback(start, { kind: 'existed' }, event);
    expect(none.outcome).toMatchObject({ outcome: 'held', code: 'shadow-refused', version: 2 });
    expect(none.notify).toBe(true);
    // An experiment of that name that runs as another role is not ours to wait for.
    const other = afterSetback(
      start,
      { kind: 'existed', found: { ...same, roleArn: 'arn:aws:iam::123456789012:role/someone-else' } },
      event,
    );
    expect(other.outcome).toMatchObject({ outcome: 'held', code: 'shadow-refused' });
  });

  it('a rollback another run is telling is not told again, and its notice is released if it fails', () => {
    const told = decide({ versions: [v(1), v(2)], endpoint: (t) => rolledBack(t, 2, 1) }, settled);
    expect(told.notifyFailed?.map((a) => a.kind)).toEqual(['release-rollback-notice']);
    const d = afterSetback(told, { kind: 'told-elsewhere' }, settled);
    expect(d.outcome).toMatchObject({ outcome: 'skipped', code: 'rollback-notified', version: 2 });
    expect(d.notify).toBe(false);
    expect(d.actions).toEqual([]);
    expect(d.afterNotify).toEqual([]);
  });

  it('a delete the endpoint is too busy for waits for its next event', () => {
    const del = decide(
      {
        deployment: { whenNoneApproved: 'delete-endpoint' },
        versions: [],
        endpoint: (t) => endpointOn(t, 1),
      },
      event,
    );
    expect(afterSetback(del, { kind: 'busy' }, event).outcome).toMatchObject({ code: 'endpoint-busy' });
  });
});

describe('monitoring follows the live version, decided by the planner', () => {
  const setup = { roleArn: 'arn:aws:iam::123456789012:role/monitor', reportsS3Uri: 's3://reports/mon' };
  const monitored = (onViolation = 'notify', extra: Record<string, unknown> = {}) => ({
    dataCapturePercent: 100,
    monitoring: {
      dataQuality: { scheduleExpression: 'cron(0 * ? * * *)' },
      onViolation,
      deployUnmonitored: true,
    },
    ...extra,
  });
  const baselines = (version: number) => ({
    dataQuality: { constraints: `s3://b/v${version}/c.json`, statistics: `s3://b/v${version}/s.json` },
  });
  const served = (version: number, approvalStatus = 'Approved') => ({
    version,
    arn: v(version).arn,
    baselines: baselines(version),
    approvalStatus,
  });
  const schedule = (version: number) => ({
    name: 'churn-prod-data-quality',
    type: 'DataQuality' as const,
    jobDefinitionName: `churn-prod-dq-v${version}-0123abcd`,
    scheduleExpression: 'cron(0 * ? * * *)',
  });
  const definition = (version: number) => ({
    name: `churn-prod-dq-v${version}-0123abcd`,
    type: 'DataQuality' as const,
  });
  const rejected = (version: number): VersionSummary => ({ ...v(version), approvalStatus: 'Rejected' });

  function step(s: Situation, trigger: PlannerTrigger, extra: Partial<TargetObservation> = {}) {
    return planTarget({ ...observe(s), monitoringSetup: setup, ...extra }, trigger);
  }
  function monitoringActions(d: ReturnType<typeof step>) {
    if (d.kind !== 'decided') throw new Error(`needs ${d.need.kind}`);
    return d.actions.flatMap((a) => (a.kind === 'apply-monitoring' ? a.actions.map((m) => m.kind) : []));
  }

  it('a settled endpoint asks for the target monitoring, then schedules it on the served version', () => {
    const s: Situation = { deployment: monitored(), versions: [v(1)], endpoint: (t) => endpointOn(t, 1) };
    const first = step(s, settled);
    expect(first).toEqual({ kind: 'need', need: { kind: 'monitoring-state' } });
    const next = step(s, settled, { monitoring: { schedules: [], definitions: [], served: served(1) } });
    expect(next).toMatchObject({ outcome: { outcome: 'deploy-completed', version: 1 } });
    expect(monitoringActions(next)).toEqual(['create-job-definition', 'create-schedule']);
  });

  it('an event that does not settle the endpoint leaves monitoring alone', () => {
    const s: Situation = { deployment: monitored(), versions: [v(1)], endpoint: (t) => endpointOn(t, 1) };
    expect(step(s, event)).toMatchObject({ kind: 'decided', actions: [] });
  });

  it('a decision that changes the endpoint leaves monitoring to its settled event', () => {
    const s: Situation = {
      deployment: monitored(),
      versions: [v(1), v(2)],
      endpoint: (t) => endpointOn(t, 1),
    };
    const d = step(s, settled);
    expect(d).toMatchObject({ kind: 'decided', outcome: { outcome: 'deploy-started', version: 2 } });
    expect(monitoringActions(d)).toEqual([]);
  });

  it('a rejected version that still serves (keep-serving) keeps no schedule', () => {
    const s: Situation = {
      deployment: monitored(),
      versions: [rejected(1)],
      endpoint: (t) => endpointOn(t, 1),
    };
    const d = step(s, settled, {
      monitoring: { schedules: [schedule(1)], definitions: [definition(1)], served: served(1, 'Rejected') },
    });
    expect(monitoringActions(d)).toEqual(['delete-schedule', 'delete-job-definition']);
  });

  it('a target whose monitoring was removed from the configuration keeps no schedule', () => {
    const s: Situation = {
      deployment: { dataCapturePercent: 100 },
      versions: [v(1)],
      endpoint: (t) => endpointOn(t, 1),
    };
    const d = step(s, settled, {
      monitoring: { schedules: [schedule(1)], definitions: [definition(1)], served: served(1) },
    });
    expect(monitoringActions(d)).toEqual(['delete-schedule', 'delete-job-definition']);
  });

  it('an endpoint deleted for want of an approved version loses its schedules first', () => {
    const s: Situation = {
      deployment: monitored('notify', { whenNoneApproved: 'delete-endpoint' }),
      versions: [rejected(1)],
      endpoint: (t) => endpointOn(t, 1),
    };
    expect(step(s, event)).toEqual({ kind: 'need', need: { kind: 'monitoring-state' } });
    const d = step(s, event, {
      monitoring: { schedules: [schedule(1)], definitions: [definition(1)], served: served(1, 'Rejected') },
    });
    if (d.kind !== 'decided') throw new Error('undecided');
    expect(d.actions.map((a) => a.kind)).toEqual(['apply-monitoring', 'delete-endpoint']);
  });

  it('without the stack monitoring setup, a monitored target fails its run with the fix', () => {
    const s: Situation = { deployment: monitored(), versions: [v(1)], endpoint: (t) => endpointOn(t, 1) };
    expect(() =>
      planTarget(
        { ...observe(s), monitoring: { schedules: [], definitions: [], served: served(1) } },
        settled,
      ),
    ).toThrow(/MONITORING_ROLE_ARN/);
  });

  const execution: PlannerTrigger = {
    kind: 'monitoring',
    scheduleName: 'churn-prod-data-quality',
    processingJobName: 'job-1',
  };
  const result = (status: string, version = 1) => ({
    endpointName: 'churn-prod',
    type: 'DataQuality' as const,
    scheduleName: 'churn-prod-data-quality',
    jobDefinitionName: `churn-prod-dq-v${version}-0123abcd`,
    version,
    status,
    violationReport: 's3://reports/mon/churn-prod/data-quality/constraint_violations.json',
    processingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:processing-job/job-1',
    violations:
      status === 'CompletedWithViolations'
        ? [{ featureName: 'age', checkType: 'baseline_drift_check', description: 'drifted' }]
        : [],
  });

  const VIOLATIONS: readonly [string, string, TargetObservation['execution'], VersionSummary[], Expected][] =
    [
      [
        'a violation (notify) is recorded and told',
        'notify',
        { result: result('CompletedWithViolations'), recorded: false },
        [v(1)],
        { outcome: 'monitoring-violation', version: 1, actions: ['record-violation'], notify: true },
      ],
      [
        'a violation (hold) also records the target violation hold',
        'hold',
        { result: result('CompletedWithViolations'), recorded: false },
        [v(1)],
        {
          outcome: 'monitoring-violation',
          version: 1,
          actions: ['record-violation-hold', 'record-violation'],
          notify: true,
        },
      ],
      [
        'a violation (rollback) rejects the live version before recording it',
        'rollback',
        { result: result('CompletedWithViolations'), recorded: false },
        [v(1)],
        {
          outcome: 'monitoring-violation',
          version: 1,
          actions: ['reject-version', 'record-violation'],
          notify: true,
        },
      ],
      [
        'a violation (rollback) on a version rejected already is recorded, not rejected again',
        'rollback',
        { result: result('CompletedWithViolations'), recorded: false },
        [rejected(1)],
        { outcome: 'monitoring-violation', version: 1, actions: ['record-violation'], notify: true },
      ],
      [
        'a replayed violation event finds its record and does nothing',
        'rollback',
        { result: result('CompletedWithViolations'), recorded: true },
        [v(1)],
        { outcome: 'skipped', code: 'violation-recorded', actions: [], notify: false },
      ],
      [
        'a clean execution does nothing',
        'hold',
        { result: result('Completed'), recorded: false },
        [v(1)],
        { outcome: 'skipped', code: 'monitoring-clean', actions: [], notify: false },
      ],
      [
        'a violation on a version no longer in the registry does nothing',
        'rollback',
        { result: result('CompletedWithViolations', 3), recorded: false },
        [v(1)],
        { outcome: 'skipped', code: 'monitoring-clean', actions: [], notify: false },
      ],
      [
        'an execution that cannot be found does nothing',
        'notify',
        { recorded: false },
        [v(1)],
        { outcome: 'skipped', code: 'not-monitored', actions: [], notify: false },
      ],
    ];

  it.each(VIOLATIONS)('%s', (_name, onViolation, observed, versions, expected) => {
    const s: Situation = { deployment: monitored(onViolation), versions, endpoint: (t) => endpointOn(t, 1) };
    expect(step(s, execution)).toEqual({
      kind: 'need',
      need: {
        kind: 'monitoring-execution',
        scheduleName: 'churn-prod-data-quality',
        processingJobName: 'job-1',
      },
    });
    const d = step(s, execution, { execution: observed });
    if (d.kind !== 'decided') throw new Error('undecided');
    expect(d.outcome).toMatchObject({
      outcome: expected.outcome,
      ...(expected.code ? { code: expected.code } : {}),
      ...(expected.version !== undefined ? { version: expected.version } : {}),
    });
    expect(d.actions.map((a) => a.kind)).toEqual(expected.actions);
    expect(d.notify).toBe(expected.notify);
  });

  it('a monitoring event for a target without monitoring is skipped', () => {
    const s: Situation = { deployment: { dataCapturePercent: 100 }, versions: [v(1)] };
    expect(step(s, execution)).toMatchObject({ outcome: { outcome: 'skipped', code: 'not-monitored' } });
  });

  describe('onViolation: hold', () => {
    const holdOn = (version: number) => ({
      hold: {
        name: 'violation-hold-x',
        version,
        monitorType: 'DataQuality',
        processingJob: 'job-1',
        at: new Date('2026-12-02T01:00:00Z'),
      },
    });
    const s: Situation = {
      deployment: monitored('hold'),
      versions: [v(1), v(2)],
      endpoint: (t) => endpointOn(t, 1),
    };

    it('asks for the target violation holds first', () => {
      expect(step(s, event)).toEqual({ kind: 'need', need: { kind: 'violation-holds' } });
    });

    it('holds versions newer than the violated one, with its code', () => {
      const d = step(s, event, { violations: holdOn(1) });
      expect(d).toMatchObject({
        kind: 'decided',
        outcome: { outcome: 'held', code: 'monitoring-violation-hold', version: 2 },
        notify: true,
      });
    });

    it('a person clear after the hold releases the newer version', () => {
      const d = step(s, event, {
        violations: { ...holdOn(1), clear: { at: new Date('2026-12-02T01:30:00Z'), by: 'bo' } },
      });
      expect(d).toMatchObject({ kind: 'decided', outcome: { outcome: 'deploy-started', version: 2 } });
    });

    it('a clear recorded before the hold does not release it', () => {
      const d = step(s, event, {
        violations: { ...holdOn(1), clear: { at: new Date('2026-12-02T00:30:00Z') } },
      });
      expect(d).toMatchObject({ outcome: { outcome: 'held', code: 'monitoring-violation-hold' } });
    });

    it('the violated version itself and older ones may serve (a rollback to them is not held)', () => {
      const d = step({ ...s, versions: [v(1), rejected(2)] }, event, { violations: holdOn(2) });
      expect(d).toMatchObject({ outcome: { outcome: 'skipped', code: 'in-sync' } });
    });
  });
});

describe('monitoring and the endpoint state', () => {
  const setup = { roleArn: 'arn:aws:iam::123456789012:role/monitor', reportsS3Uri: 's3://reports/mon' };
  const deployment = {
    dataCapturePercent: 100,
    monitoring: { dataQuality: { scheduleExpression: 'cron(0 * ? * * *)' }, deployUnmonitored: true },
  };
  const schedule = {
    name: 'churn-prod-data-quality',
    type: 'DataQuality' as const,
    jobDefinitionName: 'churn-prod-dq-v1-0123abcd',
    scheduleExpression: 'cron(0 * ? * * *)',
  };

  it('a new configuration (the stack deployed) brings monitoring in line on an InService endpoint', () => {
    const o = {
      ...observe({
        deployment: { dataCapturePercent: 100 },
        versions: [v(1)],
        endpoint: (t) => endpointOn(t, 1),
      }),
      monitoringSetup: setup,
    };
    expect(planTarget(o, { kind: 'stack-deployed' })).toEqual({
      kind: 'need',
      need: { kind: 'monitoring-state' },
    });
    const d = planTarget(
      { ...o, monitoring: { schedules: [schedule], definitions: [] } },
      { kind: 'stack-deployed' },
    );
    if (d.kind !== 'decided') throw new Error('undecided');
    expect(
      d.actions.flatMap((a) => (a.kind === 'apply-monitoring' ? a.actions.map((m) => m.kind) : [])),
    ).toEqual(['delete-schedule']);
  });

  it('a new configuration without any monitoring left removes the schedules of the last monitored target', () => {
    // No monitoring role nor report location any more (no target of the stack monitors), and the
    // endpoint's own settling looks no further; the stack's deployment does.
    const o = observe({
      deployment: { dataCapturePercent: 100 },
      versions: [v(1)],
      endpoint: (t) => endpointOn(t, 1),
    });
    const settledRun = planTarget(o, { kind: 'endpoint', settled: true });
    expect(settledRun.kind).toBe('decided');
    expect(planTarget(o, { kind: 'stack-deployed' })).toEqual({
      kind: 'need',
      need: { kind: 'monitoring-state' },
    });
    const d = planTarget(
      { ...o, monitoring: { schedules: [schedule], definitions: [] } },
      { kind: 'stack-deployed' },
    );
    if (d.kind !== 'decided') throw new Error('undecided');
    expect(
      d.actions.flatMap((a) => (a.kind === 'apply-monitoring' ? a.actions.map((m) => m.kind) : [])),
    ).toEqual(['delete-schedule']);
  });

  it('an endpoint changing again keeps its schedules until it settles', () => {
    const o = {
      ...observe({ deployment, versions: [v(1)], endpoint: (t) => endpointOn(t, 1, { status: 'Updating' }) }),
      monitoringSetup: setup,
      monitoring: { schedules: [schedule], definitions: [] },
    };
    const d = planTarget(o, { kind: 'endpoint', settled: true });
    expect(d.kind === 'decided' && d.actions.some((a) => a.kind === 'apply-monitoring')).toBe(false);
  });
});
