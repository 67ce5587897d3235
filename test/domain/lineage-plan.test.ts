import {
  approvalAction,
  approvalChange,
  classifyDeployment,
  deploymentAction,
  deploymentStrategy,
  RECONCILE_FAILURE_ACTION_TYPE,
  reconcileFailureAction,
} from '../../domain/lineage-plan';

const deployment = {
  endpointName: 'ep',
  endpointArn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/ep',
  configName: 'ep-v1-00000000',
  modelPackageArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/g/1',
  groupName: 'g',
  version: 1,
  strategy: 'canary',
  kind: 'deployment' as const,
  at: '2026-11-27T10:00:00.000Z',
};

it('names a deployment by endpoint, config and settle time, whatever it is classified as', () => {
  expect(deploymentAction(deployment).ActionName).toBe(
    deploymentAction({ ...deployment, kind: 'rollback', previousVersion: 2 }).ActionName,
  );
  expect(deploymentAction(deployment).ActionName).not.toBe(
    deploymentAction({ ...deployment, at: '2026-11-27T11:00:00.000Z' }).ActionName,
  );
  expect(deploymentAction({ ...deployment, kind: 'rollback', previousVersion: 2 })).toMatchObject({
    ActionType: 'GovernedDeployment',
    Status: 'Completed',
    Description: 'g: ep rolled back to v1 from v2',
    Properties: { kind: 'rollback', version: '1', previousVersion: '2', strategy: 'canary' },
  });
});

it('names an approval by version, status and time, and records who and why', () => {
  const facts = {
    modelPackageArn: deployment.modelPackageArn,
    groupName: 'g',
    version: 1,
    status: 'Approved' as const,
    at: deployment.at,
    approvedBy: 'ann',
    description: 'ok',
  };
  expect(approvalAction(facts).ActionName).toBe(
    approvalAction({ ...facts, previousStatus: 'PendingManualApproval' }).ActionName,
  );
  expect(approvalAction(facts).ActionName).not.toBe(
    approvalAction({ ...facts, status: 'Rejected' }).ActionName,
  );
  expect(approvalAction(facts).Properties).toEqual({
    status: 'Approved',
    approvedBy: 'ann',
    reason: 'ok',
    at: deployment.at,
    group: 'g',
    version: '1',
    modelPackageArn: deployment.modelPackageArn,
  });
});

it('calls a deployment to an older version a rollback', () => {
  expect(classifyDeployment(1, 2)).toBe('rollback');
  expect(classifyDeployment(3, 2)).toBe('deployment');
  expect(classifyDeployment(1, undefined)).toBe('deployment');
});

describe('approvalChange', () => {
  const registry = {
    status: 'Approved' as const,
    lastModifiedAt: '2026-11-27T10:00:00.000Z',
    createdAt: '2026-11-27T09:00:00.000Z',
    lastModifiedBy: 'ann',
    createdBy: 'trainer',
    description: 'AUC 0.91',
  };

  it('takes the registry’s word over the event’s while the registry still shows this change', () => {
    expect(
      approvalChange(
        { status: 'Approved', at: registry.lastModifiedAt, by: 'bob', description: 'event says' },
        registry,
        undefined,
      ),
    ).toEqual({
      status: 'Approved',
      at: registry.lastModifiedAt,
      approvedBy: 'ann',
      description: 'AUC 0.91',
      previousStatus: undefined,
    });
  });

  it('credits a late registration to the registry’s CreatedBy', () => {
    expect(
      approvalChange(
        { status: 'PendingManualApproval', at: '2026-11-27T09:00:00.001Z' },
        registry,
        undefined,
      ),
    ).toMatchObject({ approvedBy: 'trainer', description: undefined });
  });

  it('keeps what a late event carries, when the registry has moved on', () => {
    expect(
      approvalChange(
        { status: 'Approved', at: '2026-11-27T09:30:00.000Z', by: 'bob', description: 'event says' },
        { ...registry, status: 'Rejected' },
        undefined,
      ),
    ).toMatchObject({ approvedBy: 'bob', description: 'event says' });
  });

  it('fills who and why from the registry while it still shows this change', () => {
    expect(
      approvalChange({ status: 'Approved', at: registry.lastModifiedAt }, registry, {
        status: 'PendingManualApproval',
        at: '2026-11-27T09:00:00.000Z',
      }),
    ).toEqual({
      status: 'Approved',
      at: registry.lastModifiedAt,
      approvedBy: 'ann',
      description: 'AUC 0.91',
      previousStatus: 'PendingManualApproval',
    });
  });

  it('credits nobody when the registry has moved on (a late event)', () => {
    const late = approvalChange(
      { status: 'Approved', at: '2026-11-27T09:30:00.000Z' },
      { ...registry, status: 'Rejected' },
      undefined,
    );
    expect(late).toMatchObject({
      status: 'Approved',
      at: '2026-11-27T09:30:00.000Z',
      approvedBy: undefined,
      description: undefined,
    });
  });

  it('gives a late registration no previous status when a later approval was recorded first', () => {
    expect(
      approvalChange({ status: 'PendingManualApproval', at: '2026-11-27T08:00:00.000Z' }, registry, {
        status: 'Approved',
        at: registry.lastModifiedAt,
      }).previousStatus,
    ).toBeUndefined();
  });

  it('does not call a redelivered change its own previous status', () => {
    expect(
      approvalChange({ status: 'Approved', at: registry.lastModifiedAt }, registry, {
        status: 'Approved',
        at: registry.lastModifiedAt,
      }).previousStatus,
    ).toBeUndefined();
  });

  it('falls back to the registry’s times, and to the registrar for a registration', () => {
    const registered = {
      ...registry,
      status: 'PendingManualApproval' as const,
      lastModifiedAt: undefined,
      lastModifiedBy: undefined,
    };
    expect(approvalChange({}, registered, undefined)).toMatchObject({
      status: 'PendingManualApproval',
      at: registry.createdAt,
      approvedBy: 'trainer',
    });
  });
});

it('calls the same version settling again after a rolled-back request a SageMaker rollback', () => {
  expect(classifyDeployment(2, 2, true)).toBe('rolled-back');
  expect(classifyDeployment(3, 1, true)).toBe('rolled-back');
  expect(classifyDeployment(1, 2)).toBe('rollback');
  expect(classifyDeployment(2, 2)).toBe('deployment');
});

it('records a stage change as its own action, with the stage and who set it', () => {
  const facts = {
    modelPackageArn: deployment.modelPackageArn,
    groupName: 'g',
    version: 1,
    status: 'Approved' as const,
    at: deployment.at,
    approvedBy: 'ann',
  };
  const staged = approvalAction({ ...facts, stage: 'Production/Approved' });
  expect(staged.ActionName).not.toBe(approvalAction(facts).ActionName);
  expect(staged.Description).toBe('g v1 Approved, stage Production/Approved, by ann');
  expect(staged.Properties).toMatchObject({ stage: 'Production/Approved', approvedBy: 'ann' });
});

describe('reconcileFailureAction', () => {
  const failure = {
    endpointName: 'churn-prod',
    groupName: 'churn',
    eventId: 'e-1',
    errorName: 'ValidationException',
    errorMessage:
      "1 validation error detected: Value 'ml.c5.huge' at 'productionVariants.1.member.instanceType'",
    at: '2026-12-04T10:00:00.000Z',
  };

  it('is found by the target’s name (the endpoint may not exist) and keeps the error', () => {
    const action = reconcileFailureAction(failure);
    expect(action.ActionType).toBe(RECONCILE_FAILURE_ACTION_TYPE);
    expect(action.Source).toEqual({ SourceUri: 'churn-prod', SourceType: 'EndpointName' });
    expect(action.Status).toBe('Failed');
    expect(action.Properties.error).toBe(`ValidationException: ${failure.errorMessage}`);
    expect(action.ActionName).toMatch(/^reconcile-failed-[0-9a-f]{16}$/);
  });

  it('one action for the retries of an event failing the same way; another for a new event or error', () => {
    const name = (f: Partial<typeof failure>) => reconcileFailureAction({ ...failure, ...f }).ActionName;
    expect(name({ at: '2026-12-04T10:01:00.000Z' })).toBe(name({}));
    expect(name({ eventId: 'e-2' })).not.toBe(name({}));
    expect(name({ errorMessage: 'other' })).not.toBe(name({}));
  });
});

it('records a first create as a new endpoint, not as the target’s traffic shifting', () => {
  expect(deploymentStrategy(undefined, 'canary')).toBe('new endpoint');
  expect(deploymentStrategy(1, 'canary')).toBe('canary');
});
