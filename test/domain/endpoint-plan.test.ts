import { parseGovernanceConfig } from '../../core/config/parse';
import type { DeploymentTarget } from '../../core/config/types';
import { resourcePrefix, versionedName, versionOfName } from '../../core/naming';
import { CONTENT_KEY, CONTENT_UNRECORDED, contentFingerprint } from '../../domain/approval-check';
import { deploymentHold } from '../../domain/deployment-gates';
import { planEndpoint } from '../../domain/endpoint-plan';
import {
  driftedTo,
  type ObservedEndpoint,
  REQUEST_TAGS,
  requestFromTags,
  requestTags,
  rollbackNotifiedTag,
  rolledBackFrom,
} from '../../domain/endpoint-request';
import {
  deploymentConfig,
  deploymentFor,
  endpointConfigRequest,
  modelRequest,
} from '../../domain/endpoint-resources';
import { namesToDelete } from '../../domain/retention';
import { candidateVersions, desiredVersion, type VersionSummary } from '../../domain/version-selection';

function target(raw: Record<string, unknown> = {}): DeploymentTarget {
  const config = parseGovernanceConfig({
    groups: [{ name: 'churn', deployments: [{ endpointName: 'churn-prod', ...raw }] }],
  });
  const t = config.groups[0]?.deployments[0];
  if (!t) throw new Error('no target');
  return t;
}

const v = (
  version: number,
  approvalStatus: VersionSummary['approvalStatus'],
  stage?: [string, string],
): VersionSummary => ({
  arn: `arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/${version}`,
  version,
  approvalStatus,
  lifeCycle: stage ? { stage: stage[0], stageStatus: stage[1] } : undefined,
  creationTime: new Date('2026-11-27T00:00:00Z'),
});

const role = 'arn:aws:iam::123456789012:role/exec';

describe('desiredVersion', () => {
  it('is the newest approved version', () => {
    expect(
      desiredVersion(
        [v(1, 'Approved'), v(3, 'Approved'), v(4, 'PendingManualApproval'), v(2, 'Rejected')],
        target(),
      )?.version,
    ).toBe(3);
  });

  it('breaks ties in registration time by version number', () => {
    expect(desiredVersion([v(7, 'Approved'), v(5, 'Approved')], target())?.version).toBe(7);
  });

  it('is undefined when none is approved', () => {
    expect(desiredVersion([v(1, 'Rejected'), v(2, 'PendingManualApproval')], target())).toBeUndefined();
    expect(desiredVersion([], target())).toBeUndefined();
  });

  it('follows a lifecycle stage: approved and in the stage with the stage status', () => {
    const prod = target({ serve: { stage: 'Production', stageStatus: 'Approved' } });
    const versions = [
      v(1, 'Approved', ['Production', 'Approved']),
      v(2, 'Approved', ['Staging', 'Approved']),
      v(3, 'Approved', ['Production', 'PendingApproval']),
      v(4, 'Rejected', ['Production', 'Approved']),
      v(5, 'Approved'),
    ];
    expect(desiredVersion(versions, prod)?.version).toBe(1);
    expect(desiredVersion(versions, target({ serve: { stage: 'Staging' } }))?.version).toBe(2);
    expect(desiredVersion(versions, target())?.version).toBe(5);
  });
});

describe('planEndpoint', () => {
  const t = target();
  const live = (configName: string, extra: Partial<ObservedEndpoint> = {}): ObservedEndpoint => ({
    status: 'InService',
    configName,
    ...extra,
  });
  const plan = (versions: VersionSummary[], endpoint?: ObservedEndpoint, tt = t, ours = true) =>
    planEndpoint({ target: tt, versions, endpoint, executionRoleArn: role, served: { ours } });
  const configOf = (version: VersionSummary) =>
    deploymentFor({ target: t, executionRoleArn: role }, version).configName;

  describe('with a version held back by a gate', () => {
    const held = {
      version: v(3, 'Approved'),
      hold: { code: 'card-not-approved' as const, detail: 'model card churn-v3 is PendingReview' },
    };
    const withHeld = (versions: VersionSummary[], endpoint?: ObservedEndpoint) =>
      planEndpoint({ target: t, versions, endpoint, executionRoleArn: role, held });

    it('reports it held while the endpoint serves the newest version that may deploy', () => {
      const p = withHeld([v(1, 'Approved'), v(2, 'Approved')], live(configOf(v(2, 'Approved'))));
      expect(p).toMatchObject({ kind: 'held', held, inSync: { version: { version: 2 } } });
    });

    it('still deploys an older version that may, when the endpoint is behind it', () => {
      const p = withHeld([v(1, 'Approved'), v(2, 'Approved')], live(configOf(v(1, 'Approved'))));
      expect(p).toMatchObject({ kind: 'update', deployment: { version: { version: 2 } } });
    });

    it('reports held, and never deletes, an endpoint whose only approved version is held', () => {
      const deleting = target({ whenNoneApproved: 'delete-endpoint' });
      expect(
        planEndpoint({ target: deleting, versions: [], endpoint: live('x'), executionRoleArn: role, held }),
      ).toEqual({ kind: 'held', held });
      expect(withHeld([], undefined)).toEqual({ kind: 'held', held });
    });

    it('waits for a busy endpoint as always', () => {
      expect(withHeld([], live('x', { status: 'Updating' })).kind).toBe('busy');
    });
  });

  it('creates the endpoint for the first approved version', () => {
    const p = plan([v(1, 'Approved')]);
    expect(p.kind).toBe('create');
    expect(p.kind === 'create' && p.deployment.version.version).toBe(1);
  });

  it('updates to a newer approval, and is in sync once served', () => {
    const p = plan([v(1, 'Approved'), v(2, 'Approved')], live(configOf(v(1, 'Approved'))));
    expect(p).toMatchObject({
      kind: 'update',
      fromConfig: configOf(v(1, 'Approved')),
      deployment: { version: { version: 2 } },
    });
    expect(plan([v(1, 'Approved'), v(2, 'Approved')], live(configOf(v(2, 'Approved')))).kind).toBe('in-sync');
  });

  it('rolls back to the newest remaining approved version when the live one is rejected', () => {
    const p = plan([v(1, 'Approved'), v(2, 'Rejected')], live(configOf(v(2, 'Approved'))));
    expect(p).toMatchObject({ kind: 'update', deployment: { version: { version: 1 } } });
  });

  it('keeps serving (or deletes) when no approved version remains, as configured', () => {
    expect(plan([v(1, 'Rejected')], live('x'))).toEqual({ kind: 'none-approved', action: 'keep-serving' });
    expect(plan([v(1, 'Rejected')], live('x'), target({ whenNoneApproved: 'delete-endpoint' }))).toEqual({
      kind: 'none-approved',
      action: 'delete-endpoint',
    });
    expect(plan([v(1, 'PendingManualApproval')])).toEqual({
      kind: 'none-approved',
      action: 'nothing-to-serve',
    });
  });

  it.each(['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting'] as const)(
    'does nothing while the endpoint is %s',
    (status) => {
      expect(plan([v(2, 'Approved')], live('x', { status }))).toEqual({ kind: 'busy', status });
    },
  );

  it.each(['Failed', 'UpdateRollbackFailed'] as const)(
    'leaves a %s endpoint to an operator, whether or not it is on the desired config',
    (status) => {
      for (const config of ['x', configOf(v(2, 'Approved'))]) {
        expect(plan([v(2, 'Approved')], live(config, { status }))).toMatchObject({
          kind: 'needs-operator',
          status,
          deployment: { version: { version: 2 } },
        });
      }
    },
  );

  describe('rollback, recognised by the config the endpoint settled on, with or without a FailureReason', () => {
    const asked = new Date('2026-11-27T10:00:00Z');
    const request = (configName: string, rollbackNotified = false) => ({
      configName,
      after: asked,
      fromConfig: 'old',
      rollbackNotified,
    });
    const later = new Date('2026-11-27T10:20:00Z');

    it.each([undefined, 'alarm'])(
      'is a rollback once the asked update was tried (FailureReason %s)',
      (reason) => {
        const desired = configOf(v(2, 'Approved'));
        const p = plan(
          [v(2, 'Approved')],
          live('old', {
            request: request(desired),
            lastModifiedTime: later,
            ...(reason ? { failureReason: reason } : {}),
          }),
        );
        expect(p).toMatchObject({ kind: 'rolled-back', request: { configName: desired } });
        expect(p.kind === 'rolled-back' ? p.failureReason : 'not a rollback').toBe(reason);
      },
    );

    it('the config the request came from is no rollback unless it is ours (or unchecked): drift, put back', () => {
      const desired = configOf(v(2, 'Approved'));
      const back = live('old', { request: request(desired), lastModifiedTime: later });
      expect(plan([v(2, 'Approved')], back, t, false)).toMatchObject({ kind: 'update', drift: true });
      expect(
        planEndpoint({ target: t, versions: [v(2, 'Approved')], endpoint: back, executionRoleArn: role }),
      ).toMatchObject({ kind: 'update' });
    });

    it('a request never tried (crash between recording it and UpdateEndpoint) deploys', () => {
      const desired = configOf(v(2, 'Approved'));
      const untried = live('old', { request: request(desired), lastModifiedTime: asked });
      expect(plan([v(2, 'Approved')], untried)).toMatchObject({ kind: 'update', fromConfig: 'old' });
      expect(rolledBackFrom(untried)).toBeUndefined();
    });

    it('a crash after CreateEndpointConfig, before anything was recorded, deploys', () => {
      const endpoint = live('old', { request: request('old'), lastModifiedTime: later });
      expect(plan([v(2, 'Approved')], endpoint)).toMatchObject({ kind: 'update' });
    });

    it('a config nobody here asked for is drift, not a rollback: the desired version is put back', () => {
      const desired = configOf(v(2, 'Approved'));
      // v2 was requested from 'old'; someone else's UpdateEndpoint then put 'theirs' in place.
      const drifted = live('theirs', { request: request(desired), lastModifiedTime: later });
      expect(rolledBackFrom(drifted)).toBeUndefined();
      expect(driftedTo(drifted)).toBe('theirs');
      expect(plan([v(2, 'Approved')], drifted)).toMatchObject({
        kind: 'update',
        fromConfig: 'theirs',
        drift: true,
      });
      // After a CreateEndpoint there is nothing SageMaker could roll back to: any other config is drift.
      const created = live('theirs', {
        request: { configName: desired, after: new Date(0), rollbackNotified: false },
        lastModifiedTime: later,
      });
      expect(plan([v(2, 'Approved')], created)).toMatchObject({ kind: 'update', drift: true });
      // A rollback is no drift.
      expect(driftedTo(live('old', { request: request(desired), lastModifiedTime: later }))).toBeUndefined();
    });

    it('a FailureReason alone is no rollback of the desired version (it may be an older one’s)', () => {
      expect(plan([v(2, 'Approved')], live('old', { failureReason: 'alarm' }))).toMatchObject({
        kind: 'update',
      });
    });

    it('a newer approval deploys again after a rollback', () => {
      const rolledBack = live('old', {
        request: request(configOf(v(2, 'Approved'))),
        lastModifiedTime: later,
      });
      expect(plan([v(2, 'Approved'), v(3, 'Approved')], rolledBack)).toMatchObject({
        kind: 'update',
        deployment: { version: { version: 3 } },
      });
    });

    it('is no rollback while the endpoint is still busy, or once it serves the request', () => {
      const desired = configOf(v(2, 'Approved'));
      expect(
        rolledBackFrom(
          live('old', { status: 'Updating', request: request(desired), lastModifiedTime: later }),
        ),
      ).toBeUndefined();
      expect(
        rolledBackFrom(live(desired, { request: request(desired), lastModifiedTime: later })),
      ).toBeUndefined();
    });

    it('reads the request back from the tags it writes, and knows when its rollback was notified', () => {
      const tags = Object.fromEntries(requestTags('cfg-v2', asked).map((t) => [t.Key, t.Value]));
      expect(requestFromTags(tags)).toEqual({ configName: 'cfg-v2', after: asked, rollbackNotified: false });
      const fromTags = Object.fromEntries(
        requestTags('cfg-v2', asked, 'cfg-v1').map((t) => [t.Key, t.Value]),
      );
      expect(requestFromTags(fromTags)).toMatchObject({ configName: 'cfg-v2', fromConfig: 'cfg-v1' });
      const notified = {
        ...tags,
        [REQUEST_TAGS.rollbackNotified]: rollbackNotifiedTag({ configName: 'cfg-v2', after: asked }).Value,
      };
      expect(requestFromTags(notified)?.rollbackNotified).toBe(true);
      // A newer request makes the old mark stale.
      const newer = { ...notified, [REQUEST_TAGS.after]: later.toISOString() };
      expect(requestFromTags(newer)?.rollbackNotified).toBe(false);
      expect(requestFromTags({})).toBeUndefined();
      expect(requestFromTags({ ...tags, [REQUEST_TAGS.after]: 'yesterday' })).toBeUndefined();
    });

    it('writes tag values SageMaker accepts (≤ 256, its tag value pattern)', () => {
      const name = `${'a'.repeat(62)}9`;
      for (const tag of [
        ...requestTags(name, later),
        rollbackNotifiedTag({ configName: name, after: later }),
      ]) {
        expect(tag.Value.length).toBeLessThanOrEqual(256);
        expect(tag.Value).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u);
        expect(tag.Key).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u);
      }
    });
  });

  it('names models and configs deterministically, per version and per setting', () => {
    const a = deploymentFor({ target: t, executionRoleArn: role }, v(3, 'Approved'));
    expect(deploymentFor({ target: t, executionRoleArn: role }, v(3, 'Approved'))).toEqual(a);
    expect(a.modelName).toMatch(/^churn-prod-v3-[0-9a-f]{8}$/);
    const bigger = deploymentFor(
      { target: target({ instances: { type: 'ml.m5.large', count: 3 } }), executionRoleArn: role },
      v(3, 'Approved'),
    );
    expect(bigger.modelName).toBe(a.modelName);
    expect(bigger.configName).not.toBe(a.configName);
  });
});

describe('deploymentConfig', () => {
  it('is a canary with the stack’s alarms as rollback triggers', () => {
    expect(
      deploymentConfig(
        target({ strategy: { type: 'canary', canaryPercent: 10, waitMinutes: 5 }, rollbackAlarms: true }),
      ),
    ).toEqual({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: {
          Type: 'CANARY',
          WaitIntervalInSeconds: 300,
          CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 },
        },
        TerminationWaitInSeconds: 300,
      },
      AutoRollbackConfiguration: {
        Alarms: [
          { AlarmName: 'model-governance-churn-prod-invocation-5xx' },
          { AlarmName: 'model-governance-churn-prod-model-latency' },
        ],
      },
    });
  });
  it('is linear, or all at once without alarms, or absent for serverless', () => {
    expect(
      deploymentConfig(target({ strategy: { type: 'linear', stepPercent: 20, waitMinutes: 1 } }))
        ?.BlueGreenUpdatePolicy.TrafficRoutingConfiguration,
    ).toEqual({
      Type: 'LINEAR',
      WaitIntervalInSeconds: 60,
      LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 20 },
    });
    expect(deploymentConfig(target())).toEqual({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 },
        TerminationWaitInSeconds: 300,
      },
    });
    expect(deploymentConfig(target({ serverless: {} }))).toBeUndefined();
  });
});

describe('endpointConfigRequest', () => {
  it('describes instances or serverless capacity and optional data capture', () => {
    const d = deploymentFor({ target: target(), executionRoleArn: role }, v(1, 'Approved'));
    expect(
      endpointConfigRequest(
        { target: target({ instances: { type: 'ml.c5.xlarge', count: 2 } }), executionRoleArn: role },
        d,
      ).ProductionVariants,
    ).toEqual([
      {
        VariantName: 'AllTraffic',
        ModelName: d.modelName,
        InstanceType: 'ml.c5.xlarge',
        InitialInstanceCount: 2,
        InitialVariantWeight: 1,
      },
    ]);
    const serverless = endpointConfigRequest(
      { target: target({ serverless: { memorySizeMb: 4096, maxConcurrency: 3 } }), executionRoleArn: role },
      d,
    );
    expect(serverless.ProductionVariants[0]).toMatchObject({
      ServerlessConfig: { MemorySizeInMB: 4096, MaxConcurrency: 3 },
    });
    const capturing = endpointConfigRequest(
      {
        target: target({ dataCapturePercent: 25 }),
        executionRoleArn: role,
        dataCaptureS3Uri: 's3://capture/',
      },
      d,
    );
    expect(capturing.DataCaptureConfig).toMatchObject({
      InitialSamplingPercentage: 25,
      DestinationS3Uri: 's3://capture/churn-prod',
    });
  });
});

describe('names', () => {
  it('fit SageMaker’s 63 characters for the longest endpoint names, and parse back', () => {
    const long = 'e'.repeat(63);
    const name = versionedName(long, 123456, 'x');
    expect(name.length).toBeLessThanOrEqual(63);
    expect(versionOfName(long, name)).toBe(123456);
    expect(versionOfName('churn-prod', 'other-v1-0123abcd')).toBeUndefined();
    expect(resourcePrefix('a-b-----')).toBe('a-b');
  });
});

describe('namesToDelete', () => {
  const versionOf = (n: string) => versionOfName('ep', n);
  const names = [1, 2, 3, 4, 5, 6].map((i) => `ep-v${i}-0000000${i}`);
  it('keeps the live and pending versions and the newest N others', () => {
    expect(namesToDelete(names, versionOf, ['ep-v3-00000003'], 2)).toEqual([
      'ep-v1-00000001',
      'ep-v2-00000002',
      'ep-v4-00000004',
    ]);
    expect(namesToDelete(names, versionOf, ['ep-v6-00000006'], 0)).toEqual(names.slice(0, 5));
  });
  it('never deletes names that are not ours', () => {
    expect(namesToDelete(['someone-else', ...names], versionOf, ['ep-v6-00000006'], 5)).toEqual([]);
  });
});

describe('deploymentHold', () => {
  const ana = { iam: 'arn:aws:iam::111111111111:role/Trainer' };
  const bo = { iam: 'arn:aws:iam::111111111111:role/Approver' };
  const facts = {
    cardName: 'churn-v3',
    cardStatus: 'PendingReview',
    // The card holds the content model-governance generated (card-review.ts).
    cardContentSha256: 'generated',
    cardRecordedSha256: 'generated',
    createdBy: 'ana',
    createdByPrincipal: ana,
    lastModifiedByPrincipal: bo,
  };
  const gated = { requireApprovedModelCard: true };
  const open = { requireApprovedModelCard: false };

  it('holds a version whose card is not Approved, or missing, on a card-gated target only', () => {
    expect(deploymentHold({ separationOfDuties: false }, gated, facts)).toEqual({
      code: 'card-not-approved',
      detail: 'model card churn-v3 is PendingReview; a reviewer must set it to Approved before it deploys',
    });
    expect(deploymentHold({ separationOfDuties: false }, gated, { ...facts, cardStatus: undefined })).toEqual(
      {
        code: 'card-not-approved',
        detail: 'model card churn-v3 is missing; a reviewer must set it to Approved before it deploys',
      },
    );
    expect(
      deploymentHold({ separationOfDuties: false }, gated, { ...facts, cardStatus: 'Approved' }),
    ).toBeUndefined();
    expect(deploymentHold({ separationOfDuties: false }, open, facts)).toBeUndefined();
  });

  it('holds a version its registrant approved when the group separates duties', () => {
    // The registrant's SourceIdentity under another role is still the registrant.
    const self = {
      ...facts,
      createdByPrincipal: { ...ana, sourceIdentity: 'ana' },
      cardStatus: 'Approved',
      lastModifiedByPrincipal: { ...bo, sourceIdentity: 'ana' },
    };
    expect(deploymentHold({ separationOfDuties: true }, open, self)).toEqual({
      code: 'self-approved',
      detail: 'approved by its own registrant (ana); separation of duties needs another approver',
    });
    expect(deploymentHold({ separationOfDuties: false }, open, self)).toBeUndefined();
    // Another approver, but not yet checked by the policy handler: held (the window before its check).
    expect(deploymentHold({ separationOfDuties: true }, open, facts)?.code).toBe('approval-unchecked');
  });

  it('deploys a separation-of-duties version only after the policy handler checked it, with its registered content', () => {
    const checker = { iam: 'arn:aws:iam::111111111111:role/policy-gate' };
    const fingerprint = contentFingerprint({ InferenceSpecification: { Containers: [{ Image: 'a' }] } });
    const checked = {
      ...facts,
      lastModifiedByPrincipal: checker,
      checker,
      contentFingerprint: fingerprint,
      metadata: { [CONTENT_KEY]: fingerprint },
    };
    expect(deploymentHold({ separationOfDuties: true }, open, checked)).toBeUndefined();
    // No checker configured: nothing deploys (fail closed).
    const { checker: _c, ...unconfigured } = checked;
    expect(deploymentHold({ separationOfDuties: true }, open, unconfigured)?.code).toBe('approval-unchecked');
    // Content rewritten after registration (the check recorded the registered fingerprint).
    const rewritten = contentFingerprint({ InferenceSpecification: { Containers: [{ Image: 'mine' }] } });
    expect(
      deploymentHold({ separationOfDuties: true }, open, { ...checked, contentFingerprint: rewritten })?.code,
    ).toBe('content-changed');
    expect(
      deploymentHold({ separationOfDuties: true }, open, {
        ...checked,
        metadata: { [CONTENT_KEY]: CONTENT_UNRECORDED },
      })?.code,
    ).toBe('content-unrecorded');
    // Key order does not change a fingerprint.
    expect(contentFingerprint({ SourceUri: 's', InferenceSpecification: { B: 1, A: 2 } })).toBe(
      contentFingerprint({ InferenceSpecification: { A: 2, B: 1 }, SourceUri: 's' }),
    );
  });

  it('holds a quality-gated version until its verdict is kept, and while its model data differs from the pin', () => {
    const weights = { kind: 'object' as const, uri: 's3://m/model.tar.gz', etag: '"a"', size: 1 };
    const gate = (over: Record<string, unknown> = {}) => ({
      ...facts,
      cardStatus: 'Approved',
      modelData: [{ uri: weights.uri, kind: 'object' as const }],
      gate: {
        verdict: { decidedAt: '2026-12-02T09:00:00Z', artifacts: { modelData: [weights], metrics: [] } },
        observed: new Map([[weights.uri, weights]]),
        registeredAt: new Date('2026-12-02T09:00:00Z'),
        now: new Date('2026-12-02T09:00:05Z'),
        ...over,
      },
    });
    const withGate = { separationOfDuties: false, qualityGate: { thresholds: [] } } as never;
    expect(deploymentHold(withGate, open, gate())).toBeUndefined();
    // The gate has not decided yet (about a second): held, and the verdict's own event deploys it.
    expect(deploymentHold(withGate, open, gate({ verdict: undefined }))?.code).toBe('verdict-pending');
    // Swapped weights under the approved version's ModelDataUrl.
    const swapped = new Map([[weights.uri, { ...weights, etag: '"b"' }]]);
    expect(deploymentHold(withGate, open, gate({ observed: swapped }))?.code).toBe('artifact-changed');
    // A group without a gate, or a caller that cannot read the verdicts (no gate facts): not this hold.
    expect(deploymentHold({ separationOfDuties: false }, open, gate({ verdict: undefined }))).toBeUndefined();
  });

  it('lists candidates newest first, approved and in stage only', () => {
    const versions = [v(1, 'Approved'), v(3, 'Approved'), v(2, 'Rejected'), v(4, 'PendingManualApproval')];
    expect(candidateVersions(versions, { serve: { kind: 'newest-approved' } }).map((c) => c.version)).toEqual(
      [3, 1],
    );
  });
});

describe('production endpoint options reach their request fields ', () => {
  const KEY = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const CAPTURE_KEY = 'arn:aws:kms:us-east-1:111111111111:key/abcd1234-12ab-34cd-56ef-1234567890ab';
  const vpc = { subnetIds: ['subnet-01234567', 'subnet-89abcdef'], securityGroupIds: ['sg-01234567'] };
  const capture = 's3://capture-bucket/prefix';
  const inputsFor = (raw: Record<string, unknown>) => ({
    target: target(raw),
    executionRoleArn: role,
    dataCaptureS3Uri: capture,
  });

  it('vpc goes into CreateModel.VpcConfig and networkIsolation into EnableNetworkIsolation', () => {
    const inputs = inputsFor({ vpc, networkIsolation: true });
    const d = deploymentFor(inputs, v(3, 'Approved'));
    expect(modelRequest(inputs, d)).toEqual({
      ModelName: d.modelName,
      ExecutionRoleArn: role,
      Containers: [{ ModelPackageName: v(3, 'Approved').arn }],
      VpcConfig: { Subnets: vpc.subnetIds, SecurityGroupIds: vpc.securityGroupIds },
      EnableNetworkIsolation: true,
    });
    const plain = inputsFor({});
    expect(modelRequest(plain, deploymentFor(plain, v(3, 'Approved')))).toEqual({
      ModelName: deploymentFor(plain, v(3, 'Approved')).modelName,
      ExecutionRoleArn: role,
      Containers: [{ ModelPackageName: v(3, 'Approved').arn }],
    });
  });

  it('volumeKmsKeyArn goes into CreateEndpointConfig.KmsKeyId, dataCaptureKmsKeyArn into DataCaptureConfig.KmsKeyId', () => {
    const inputs = inputsFor({
      volumeKmsKeyArn: KEY,
      dataCapturePercent: 20,
      dataCaptureKmsKeyArn: CAPTURE_KEY,
    });
    const request = endpointConfigRequest(inputs, deploymentFor(inputs, v(3, 'Approved')));
    expect(request.KmsKeyId).toBe(KEY);
    expect(request.DataCaptureConfig).toEqual({
      EnableCapture: true,
      InitialSamplingPercentage: 20,
      DestinationS3Uri: 's3://capture-bucket/prefix/churn-prod',
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
      KmsKeyId: CAPTURE_KEY,
    });
    const plain = inputsFor({ dataCapturePercent: 20 });
    const plainRequest = endpointConfigRequest(plain, deploymentFor(plain, v(3, 'Approved')));
    expect(plainRequest).not.toHaveProperty('KmsKeyId');
    expect(plainRequest.DataCaptureConfig).not.toHaveProperty('KmsKeyId');
  });

  it('placement and keys are part of the names: changing one makes a new model or config', () => {
    const name = (raw: Record<string, unknown>) => deploymentFor(inputsFor(raw), v(3, 'Approved'));
    const plain = name({ dataCapturePercent: 20 });
    // Targets without the new options keep the names they had before the options existed.
    expect(plain.modelName).toBe(versionedName('churn-prod', 3, 'model', v(3, 'Approved').arn, role));
    const placed = name({ dataCapturePercent: 20, vpc });
    const otherSubnet = name({ dataCapturePercent: 20, vpc: { ...vpc, subnetIds: ['subnet-01234567'] } });
    const isolated = name({ dataCapturePercent: 20, networkIsolation: true });
    const models = new Set([plain, placed, otherSubnet, isolated].map((d) => d.modelName));
    expect(models.size).toBe(4);
    const configs = [
      plain,
      placed,
      name({ dataCapturePercent: 20, volumeKmsKeyArn: KEY }),
      name({ dataCapturePercent: 20, dataCaptureKmsKeyArn: KEY }),
      name({ dataCapturePercent: 20, volumeKmsKeyArn: CAPTURE_KEY }),
    ].map((d) => d.configName);
    expect(new Set(configs).size).toBe(5);
    // The keys do not change the model (only its config).
    expect(name({ dataCapturePercent: 20, volumeKmsKeyArn: KEY }).modelName).toBe(plain.modelName);
  });
});
