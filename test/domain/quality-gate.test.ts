/**
 * Threshold evaluation against AWS's own metrics files (test/fixtures/reference/metrics, byte-exact
 * copies of ../shared/reference/metrics), translated exactly as the model card translates them.
 */

import { parseGovernanceConfig } from '../../core/config/parse';
import type { QualityGate } from '../../core/config/types';
import { liveEndpointOf } from '../../core/live-endpoint';
import { gateUpdate, nextPolicyStep, selfApprover, versionBasis } from '../../domain/governance-policy';
import { translateMetrics } from '../../domain/metrics';
import type { ModelVersion } from '../../domain/model-version';
import { principalOf, samePrincipal } from '../../domain/principal';
import {
  evaluateGate,
  type LiveVersion,
  liveVersionServed,
  type VersionMetrics,
} from '../../domain/quality-gate';
import { readReference } from '../harness/reference';

function metricsOf(version: number, ...files: string[]): VersionMetrics {
  const groups = files.flatMap((f) => {
    const t = translateMetrics(readReference(`metrics/${f}`));
    if (!t.ok) throw new Error(`${f}: ${t.reason}`);
    return t.groups;
  });
  return { version, groups, unreadable: [] };
}

function gateOf(qualityGate: unknown, deployments: unknown[] = [{ endpointName: 'ep', production: false }]) {
  const config = parseGovernanceConfig({ groups: [{ name: 'g', qualityGate, deployments }] });
  return { group: config.groups[0], gate: config.groups[0]?.qualityGate as QualityGate };
}

const NO_LIVE: LiveVersion = { kind: 'none', reason: 'endpoint ep does not exist yet' };
const REGRESSION = 'model-monitor-model-quality.regression.sdk-test.json'; // mse 5.0305, r2 0.2367
const BINARY = 'model-monitor-model-quality.binary-classification.sdk-test.json'; // auc 1, accuracy 0.5
const EVALUATION = 'evaluation.regression.sdk-integ-test.json'; // mse 4.9254
const BIAS = 'clarify-bias-report.sdk-test.json'; // CDDL Gender=0 0.2149, AD Gender=0 -0.1142

describe('evaluateGate', () => {
  it('passes when every threshold is met, listing each with its measured value', () => {
    const { gate } = gateOf({
      thresholds: [
        { metric: 'mse', atMost: 6 },
        { metric: 'r2', atLeast: 0.2 },
      ],
    });
    const d = evaluateGate(gate, metricsOf(2, REGRESSION), NO_LIVE);
    expect(d.outcome).toBe('passed');
    expect(d.summary).toBe('Quality gate passed: mse <= 6: 5.03046 <= 6; r2 >= 0.2: 0.236712 >= 0.2');
  });

  it('fails with every failed threshold and its measured value, and only those', () => {
    const { gate } = gateOf({
      thresholds: [
        { metric: 'mse', atMost: 5 },
        { metric: 'r2', atLeast: 0.2 },
        { metric: 'rmse', atMost: 2 },
      ],
    });
    const d = evaluateGate(gate, metricsOf(2, REGRESSION), NO_LIVE);
    expect(d.outcome).toBe('failed');
    expect(d.summary).toBe('Quality gate failed: mse <= 5: 5.03046 > 5; rmse <= 2: 2.24287 > 2');
    expect(d.checks.map((c) => c.outcome)).toEqual(['not-met', 'met', 'not-met']);
  });

  it('bounds a bias metric by its absolute value, whatever its sign', () => {
    const { gate } = gateOf({
      thresholds: [
        { metric: 'AD Gender=0', absAtMost: 0.1 },
        { metric: 'CDDL Gender=0', absAtMost: 0.3 },
      ],
    });
    const d = evaluateGate(gate, metricsOf(1, BIAS), NO_LIVE);
    expect(d.outcome).toBe('failed');
    expect(d.summary).toBe('Quality gate failed: |AD Gender=0| <= 0.1: |-0.114157| > 0.1');
  });

  it('reads metrics from several files at once (classification and bias)', () => {
    const { gate } = gateOf({
      thresholds: [
        { metric: 'auc', atLeast: 0.8 },
        { metric: 'accuracy', atLeast: 0.5 },
        { metric: 'CDDL Gender=0', absAtMost: 0.3 },
      ],
    });
    expect(evaluateGate(gate, metricsOf(1, BINARY, BIAS), NO_LIVE).outcome).toBe('passed');
  });

  it('is undetermined, naming the metric, when a metric is missing; a failure elsewhere still fails', () => {
    const { gate } = gateOf({ thresholds: [{ metric: 'auc', atLeast: 0.8 }] });
    const d = evaluateGate(gate, metricsOf(3, REGRESSION), NO_LIVE);
    expect(d.outcome).toBe('undetermined');
    expect(d.summary).toBe(
      `Quality gate could not decide, so a person must review: auc >= 0.8: no numeric metric "auc" in v3's metrics`,
    );
    const both = gateOf({
      thresholds: [
        { metric: 'auc', atLeast: 0.8 },
        { metric: 'mse', atMost: 1 },
      ],
    }).gate;
    expect(evaluateGate(both, metricsOf(3, REGRESSION), NO_LIVE).outcome).toBe('failed');
  });

  it('is undetermined when the metrics file cannot be read, and says which', () => {
    const { gate } = gateOf({ thresholds: [{ metric: 'mse', atMost: 6 }] });
    const unreadable = {
      version: 4,
      groups: [],
      unreadable: ['ModelQuality.Statistics s3://bucket/missing.json (NoSuchKey)'],
    };
    const d = evaluateGate(gate, unreadable, NO_LIVE);
    expect(d.outcome).toBe('undetermined');
    expect(d.summary).toContain(
      'no numeric metric "mse" in v4\'s metrics (no readable metrics registered); unreadable: ModelQuality.Statistics s3://bucket/missing.json (NoSuchKey)',
    );
  });

  it('asks for the group when a name is ambiguous across metric groups', () => {
    // mse is 5.03 in the model-quality statistics and 4.93 in the pipelines evaluation.
    const ambiguous = gateOf({ thresholds: [{ metric: 'mse', atMost: 6 }] }).gate;
    const d = evaluateGate(ambiguous, metricsOf(1, REGRESSION, EVALUATION), NO_LIVE);
    expect(d.outcome).toBe('undetermined');
    expect(d.checks[0]?.note).toBe(
      '"mse" appears in "Model quality: regression", "Evaluation: regression" with different values; name its "group" in the threshold',
    );
    const named = gateOf({
      thresholds: [{ metric: 'mse', group: 'Evaluation: regression', atMost: 4.95 }],
    }).gate;
    expect(evaluateGate(named, metricsOf(1, REGRESSION, EVALUATION), NO_LIVE).outcome).toBe('passed');
  });

  describe('compared with the live version', () => {
    const lowerIsBetter = { metric: 'mse', notWorseThanLive: { better: 'lower', margin: 0.05 } };

    it('passes within the margin and fails beyond it, showing both values', () => {
      const { gate } = gateOf({ thresholds: [lowerIsBetter] });
      const live = { kind: 'version' as const, metrics: metricsOf(1, EVALUATION) }; // 4.9254
      const within = evaluateGate(gate, metricsOf(2, REGRESSION), live); // 5.0305 > 4.9754
      expect(within.outcome).toBe('failed');
      expect(within.summary).toBe(
        'Quality gate failed: mse <= live + 0.05: 5.03046 > 4.97535 (live v1: 4.92535)',
      );
      const looser = gateOf({
        thresholds: [{ metric: 'mse', notWorseThanLive: { better: 'lower', margin: 0.2 } }],
      });
      expect(evaluateGate(looser.gate, metricsOf(2, REGRESSION), live).outcome).toBe('passed');
    });

    it('compares higher-is-better metrics the other way', () => {
      const { gate } = gateOf({
        thresholds: [{ metric: 'mse', notWorseThanLive: { better: 'higher', margin: 0 } }],
      });
      const live = { kind: 'version' as const, metrics: metricsOf(1, EVALUATION) };
      expect(evaluateGate(gate, metricsOf(2, REGRESSION), live).outcome).toBe('passed');
    });

    it('passes with a note when nothing is live yet', () => {
      const { gate } = gateOf({ thresholds: [lowerIsBetter] });
      const d = evaluateGate(gate, metricsOf(1, REGRESSION), NO_LIVE);
      expect(d.outcome).toBe('passed');
      expect(d.checks[0]?.note).toBe('nothing to compare with: endpoint ep does not exist yet');
    });

    it("is undetermined when the live version's metric cannot be read", () => {
      const { gate } = gateOf({ thresholds: [lowerIsBetter] });
      const live = { kind: 'version' as const, metrics: metricsOf(1, BIAS) };
      const d = evaluateGate(gate, metricsOf(2, REGRESSION), live);
      expect(d.outcome).toBe('undetermined');
      expect(d.checks[0]?.note).toBe(`live v1: no numeric metric "mse" in v1's metrics`);
    });
  });

  it('keeps the summary within the 1,024 characters of an ApprovalDescription', () => {
    const thresholds = Array.from({ length: 40 }, (_, i) => ({
      metric: `missing metric number ${i}`,
      atMost: 1,
    }));
    const d = evaluateGate(gateOf({ thresholds }).gate, metricsOf(1, REGRESSION), NO_LIVE);
    expect(d.summary.length).toBe(1024);
    expect(d.summary.endsWith('(cut; full list in the audit log)')).toBe(true);
  });
});

const registered = (v: { arn: string; contentFingerprint?: string }) => ({
  arn: v.arn,
  fingerprint: v.contentFingerprint ?? 'as-registered',
  recordedAt: new Date(0).toISOString(),
});

describe('policy decisions', () => {
  const version = (v: Partial<ModelVersion>): ModelVersion => ({
    arn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/g/1',
    groupName: 'g',
    version: 1,
    approvalStatus: 'PendingManualApproval',
    creationTime: new Date(0),
    contentFingerprint: 'as-registered',
    ...v,
  });
  const withGate = gateOf({ thresholds: [{ metric: 'mse', atMost: 6 }] }).group;
  const passed = evaluateGate(withGate?.qualityGate as QualityGate, metricsOf(1, REGRESSION), NO_LIVE);

  it('evaluates a version the gate has not decided, pending or approved before the gate ran, never twice', () => {
    if (!withGate) throw new Error('no group');
    const soon = { now: new Date(10 * 60 * 1000) }; // versions here were registered at epoch 0
    expect(nextPolicyStep(withGate, version({}), soon).kind).toBe('evaluate-gate');
    expect(nextPolicyStep(withGate, version({ approvalStatus: 'Approved' }), soon).kind).toBe(
      'evaluate-gate',
    );
    expect(nextPolicyStep(withGate, version({ approvalStatus: 'Rejected' }), soon).kind).toBe('none');
    // A gate added to a group later never rejects what was approved (and may be live) before it.
    const later = { now: new Date(2 * 60 * 60 * 1000) };
    expect(nextPolicyStep(withGate, version({ approvalStatus: 'Approved' }), later).kind).toBe('none');
    expect(nextPolicyStep(withGate, version({}), later).kind).toBe('evaluate-gate');
    const overruled = version({ approvalStatus: 'Approved' });
    const verdict = { arn: overruled.arn, outcome: 'failed' as const, decidedAt: '1970-01-01T00:00:01Z' };
    // a person overruled the gate: on record, not undone
    expect(nextPolicyStep(withGate, overruled, { ...soon, verdict }).kind).toBe('none');
  });

  it('applies a kept verdict whose registry update never landed, and only then', () => {
    if (!withGate) throw new Error('no group');
    const decidedOn = version({ lastModifiedTime: new Date(5000) });
    const verdict = {
      arn: decidedOn.arn,
      outcome: 'passed' as const,
      decidedAt: '1970-01-01T00:00:06Z',
      basedOn: versionBasis(decidedOn),
      decision: passed,
    };
    // The version has not changed since the verdict: its update never landed (a failure in between).
    expect(nextPolicyStep(withGate, decidedOn, { now: new Date(6000), verdict })).toEqual({
      kind: 'apply-verdict',
      decision: passed,
    });
    // It changed since (the handler's own update landed, or someone else's change): decided, done.
    const changed = version({ lastModifiedTime: new Date(7000) });
    expect(nextPolicyStep(withGate, changed, { now: new Date(8000), verdict }).kind).toBe('none');
    // A verdict kept before this (no basis): never re-applied.
    const { basedOn: _b, ...older } = verdict;
    expect(nextPolicyStep(withGate, decidedOn, { now: new Date(6000), verdict: older }).kind).toBe('none');
  });

  it('ignores a verdict that came in the metadata (with the registration or from an approver)', () => {
    if (!withGate) throw new Error('no group');
    const forged = version({ metadata: { 'model-governance:quality-gate': 'passed' } });
    expect(nextPolicyStep(withGate, forged, { now: new Date(1000) }).kind).toBe('evaluate-gate');
    // Another version's verdict does not count for this one.
    const other = { arn: `${forged.arn}0`, outcome: 'passed' as const, decidedAt: '1970-01-01T00:00:01Z' };
    expect(nextPolicyStep(withGate, forged, { now: new Date(1000), verdict: other }).kind).toBe(
      'evaluate-gate',
    );
  });

  it('rejects a failing version, keeps an undecided one pending, and approves only where configured', () => {
    if (!withGate) throw new Error('no group');
    const failed = { ...passed, outcome: 'failed' as const, summary: 'Quality gate failed: x' };
    expect(gateUpdate(withGate, failed, 'PendingManualApproval')).toEqual({
      status: 'Rejected',
      description: 'Quality gate failed: x',
      metadata: { 'model-governance:quality-gate': 'failed' },
    });
    expect(gateUpdate(withGate, { ...passed, outcome: 'undetermined' }, 'Approved').status).toBe(
      'PendingManualApproval',
    );
    expect(gateUpdate(withGate, passed, 'PendingManualApproval')).toMatchObject({
      status: 'PendingManualApproval',
      description: `${passed.summary}; awaiting approval`,
    });
    // A person's approval is kept by not sending a status at all: the gate never approves it itself.
    expect(gateUpdate(withGate, passed, 'Approved')).toEqual({
      metadata: { 'model-governance:quality-gate': 'passed' },
    });
    const auto = gateOf({ thresholds: [{ metric: 'mse', atMost: 6 }], autoApprove: true }).group;
    if (!auto) throw new Error('no group');
    expect(gateUpdate(auto, passed, 'PendingManualApproval')).toMatchObject({
      status: 'Approved',
      description: `Approved automatically: ${passed.summary}`,
    });
  });

  const p = (arn: string, sourceIdentity?: string) =>
    principalOf({ IamIdentity: { Arn: arn, ...(sourceIdentity ? { SourceIdentity: sourceIdentity } : {}) } });
  const ANA = 'arn:aws:iam::111111111111:user/ana';

  it('compares principals, not strings: a role under another session is the same role', () => {
    const s1 = p('arn:aws:sts::111111111111:assumed-role/Trainer/ana-session');
    const s2 = p('arn:aws:sts::111111111111:assumed-role/Trainer/other-session');
    expect(samePrincipal(s1, s2)).toBe(true);
    expect(s1?.iam).toBe('arn:aws:iam::111111111111:role/Trainer');
    // The same role name in another account is another principal.
    expect(samePrincipal(s1, p('arn:aws:sts::222222222222:assumed-role/Trainer/ana-session'))).toBe(false);
    // Different roles of one person, told by the SourceIdentity both sessions carry.
    expect(
      samePrincipal(
        p('arn:aws:sts::111111111111:assumed-role/Trainer/x', 'ana'),
        p('arn:aws:sts::111111111111:assumed-role/Approver/y', 'ana'),
      ),
    ).toBe(true);
    expect(
      samePrincipal(
        p('arn:aws:sts::111111111111:assumed-role/Trainer/x', 'ana'),
        p('arn:aws:sts::111111111111:assumed-role/Approver/y', 'bo'),
      ),
    ).toBe(false);
    // A user's path does not make another user; a Studio profile is compared by domain and name.
    expect(samePrincipal(p('arn:aws:iam::111111111111:user/team/ana'), p(ANA))).toBe(true);
    expect(
      samePrincipal(
        principalOf({ UserProfileName: 'ana', DomainId: 'd-1' }),
        principalOf({ UserProfileName: 'ana', DomainId: 'd-1' }),
      ),
    ).toBe(true);
    expect(samePrincipal(undefined, p(ANA))).toBe(false);
  });

  it('finds a self-approval by person, whatever the session or role, and decides it before the gate', () => {
    // The same SourceIdentity is the same person, whatever role or session carries it.
    const trainer = p('arn:aws:sts::111111111111:assumed-role/Trainer/pipeline-run-7', 'ana');
    const sameRoleOtherSession = p('arn:aws:sts::111111111111:assumed-role/Approver/approve-now', 'ana');
    expect(
      selfApprover({
        createdBy: 'x',
        createdByPrincipal: trainer,
        lastModifiedByPrincipal: sameRoleOtherSession,
      }),
    ).toBe('x');
    expect(
      selfApprover({
        createdByPrincipal: trainer,
        lastModifiedByPrincipal: p('arn:aws:iam::111111111111:user/bo'),
      }),
    ).toBeUndefined();
    // Registered as Approved and never changed: the registrant approved it.
    expect(selfApprover({ createdBy: ANA, createdByPrincipal: p(ANA) })).toBe(ANA);
    expect(selfApprover({ lastModifiedByPrincipal: p(ANA) })).toBeUndefined();
    // A group with both a gate and separation of duties: a self-approved version the gate has not
    // decided is reverted, never evaluated (the gate's write would hide who approved).
    const both = parseGovernanceConfig({
      groups: [
        { name: 'g', separationOfDuties: true, qualityGate: { thresholds: [{ metric: 'mse', atMost: 6 }] } },
      ],
    }).groups[0];
    if (!both) throw new Error('no group');
    const self = version({
      approvalStatus: 'Approved',
      createdBy: 'ana',
      createdByPrincipal: trainer,
      lastModifiedByPrincipal: sameRoleOtherSession,
    });
    expect(nextPolicyStep(both, self, { now: new Date(1000) })).toEqual({
      kind: 'revert-self-approval',
      identity: 'ana',
    });
    expect(
      nextPolicyStep(
        both,
        { ...self, lastModifiedByPrincipal: p('arn:aws:iam::111111111111:user/bo') },
        { now: new Date(1000), registration: registered(self) },
      ).kind,
    ).toBe('evaluate-gate');
  });

  it('reverts an approval whose maker can no longer be read: another change came after it', () => {
    const sod = parseGovernanceConfig({ groups: [{ name: 'g', separationOfDuties: true }] }).groups[0];
    if (!sod) throw new Error('no group');
    // The registrant approved at t=10s; someone else changed the stage at t=11s, before the check read it.
    const touched = version({
      approvalStatus: 'Approved',
      createdByPrincipal: p(ANA),
      lastModifiedByPrincipal: p('arn:aws:iam::111111111111:user/bo'),
      lastModifiedTime: new Date(11_000),
    });
    const approvalEvent = {
      reportedApprovalStatus: 'Approved' as const,
      reportedAt: new Date(10_000).toISOString(),
    };
    expect(nextPolicyStep(sod, touched, { now: new Date(12_000), event: approvalEvent }).kind).toBe(
      'revert-unattributed-approval',
    );
    // The event of the latest change itself: its maker is known.
    const latest = { ...approvalEvent, reportedAt: new Date(11_000).toISOString() };
    expect(
      nextPolicyStep(sod, touched, {
        now: new Date(12_000),
        event: latest,
        registration: registered(touched),
      }),
    ).toEqual({ kind: 'record-approval', approver: 'another principal' });
    // Its content is not what was registered: reverted, whoever approved.
    expect(
      nextPolicyStep(
        sod,
        { ...touched, contentFingerprint: 'rewritten' },
        { now: new Date(12_000), event: latest, registration: registered(touched) },
      ).kind,
    ).toBe('revert-changed-content');
    expect(nextPolicyStep(sod, touched, { now: new Date(12_000), event: latest }).kind).toBe(
      'revert-changed-content',
    );
    // The latest change is the policy handler's own: not another person's.
    const gateRole = p('arn:aws:sts::111111111111:assumed-role/PolicyGateRole/policy-gate');
    expect(
      nextPolicyStep(
        sod,
        { ...touched, lastModifiedByPrincipal: gateRole },
        {
          now: new Date(12_000),
          event: approvalEvent,
          registration: registered(touched),
          ...(gateRole ? { self: gateRole } : {}),
        },
      ).kind,
    ).toBe('none');
  });
});

describe('the live version a gate compares with', () => {
  const candidate = { arn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/g/7', version: 7 };
  const config = (qualityGate: unknown, deployments: unknown[]) =>
    parseGovernanceConfig({ groups: [{ name: 'g', qualityGate, deployments }] }).groups[0] as never;

  it('is the named live endpoint, else the first target, and none when no threshold compares', () => {
    const live = { metric: 'mse', notWorseThanLive: { better: 'lower' } };
    const targets = [{ endpointName: 'g-staging' }, { endpointName: 'g-prod' }];
    expect(liveEndpointOf(config({ thresholds: [live] }, targets))).toBe('g-staging');
    expect(liveEndpointOf(config({ thresholds: [live], liveEndpoint: 'g-prod' }, targets))).toBe('g-prod');
    expect(liveEndpointOf(config({ thresholds: [{ metric: 'mse', atMost: 1 }] }, targets))).toBeUndefined();
  });

  it('is the version the endpoint serves, by its versioned config name', () => {
    expect(liveVersionServed('g-prod', { configName: 'g-prod-v3-0123abcd' }, candidate)).toEqual({
      kind: 'version',
      version: 3,
      arn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/g/3',
    });
  });

  it('is nothing, with the reason, when there is nothing fair to compare with', () => {
    expect(liveVersionServed(undefined, undefined, candidate)).toEqual({
      kind: 'none',
      reason: 'the group has no deployment target',
    });
    expect(liveVersionServed('g-prod', undefined, candidate)).toEqual({
      kind: 'none',
      reason: 'endpoint g-prod does not exist yet',
    });
    expect(liveVersionServed('g-prod', { configName: 'hand-made-config' }, candidate)).toEqual({
      kind: 'none',
      reason: 'endpoint g-prod serves hand-made-config, which this app did not make',
    });
    expect(liveVersionServed('g-prod', { configName: 'g-prod-v7-0123abcd' }, candidate)).toEqual({
      kind: 'none',
      reason: 'endpoint g-prod already serves this version',
    });
  });
});
