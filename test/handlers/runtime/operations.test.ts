import type { Context } from 'aws-lambda';
import { approvalToServingSeconds } from '../../../domain/approval-to-serving';
import { captureLogs } from '../../harness/handlers';

type Emf = Record<string, unknown> & {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
};

/** Fresh modules, with the stack name the construct sets, so the `Stack` dimension is known. */
function load() {
  process.env.GOVERNANCE_STACK_NAME = 'Prod';
  process.env.POWERTOOLS_SERVICE_NAME = 'model-governance-reconcile-endpoint';
  let modules:
    | {
        metrics: typeof import('../../../handlers/runtime/metrics');
        handler: typeof import('../../../handlers/runtime/handler');
        logger: typeof import('../../../handlers/runtime/logger');
      }
    | undefined;
  jest.isolateModules(() => {
    modules = {
      metrics: require('../../../handlers/runtime/metrics'),
      handler: require('../../../handlers/runtime/handler'),
      logger: require('../../../handlers/runtime/logger'),
    };
  });
  if (!modules) throw new Error('not loaded');
  return modules;
}

const emfOf = (logs: Record<string, unknown>[]) => logs.filter((l) => '_aws' in l) as Emf[];

function only(logs: Record<string, unknown>[], name: string) {
  const found = emfOf(logs).filter((l) => l._aws.CloudWatchMetrics[0]?.Metrics.some((m) => m.Name === name));
  expect(found).toHaveLength(1);
  const line = found[0] as Emf;
  const directive = line._aws.CloudWatchMetrics[0] as Emf['_aws']['CloudWatchMetrics'][number];
  return { line, directive, unit: directive.Metrics.find((m) => m.Name === name)?.Unit };
}

test.each([
  ['deploymentStarted', 'DeploymentStarted'],
  ['deploymentCompleted', 'DeploymentCompleted'],
  ['deploymentRolledBack', 'DeploymentRolledBack'],
  ['deploymentHeld', 'DeploymentHeld'],
] as const)('%s is an EMF count per stack and per group and endpoint', async (which, name) => {
  const { metrics } = load();
  const { logs } = await captureLogs(async () => metrics.countDeployment(which, 'churn', 'churn-prod'));
  const { line, directive, unit } = only(logs, name);
  expect(directive.Namespace).toBe('ModelGovernance');
  expect(unit).toBe('Count');
  expect(directive.Dimensions).toEqual([
    ['service', 'Stack'],
    ['service', 'Stack', 'Group', 'Endpoint'],
  ]);
  expect(line).toMatchObject({
    [name]: 1,
    Stack: 'Prod',
    service: 'model-governance-reconcile-endpoint',
    Group: 'churn',
    Endpoint: 'churn-prod',
  });
});

test('ApprovalToServingSeconds is in seconds, per stack and per endpoint', async () => {
  const { metrics } = load();
  const { logs } = await captureLogs(async () =>
    metrics.recordApprovalToServing(312.5, 'churn', 'churn-prod'),
  );
  const { line, directive, unit } = only(logs, 'ApprovalToServingSeconds');
  expect(unit).toBe('Seconds');
  expect(directive.Dimensions).toEqual([
    ['service', 'Stack'],
    ['service', 'Stack', 'Group', 'Endpoint'],
  ]);
  expect(line).toMatchObject({ ApprovalToServingSeconds: 312.5, Endpoint: 'churn-prod' });
});

test.each(['passed', 'failed', 'undetermined'] as const)(
  'GateDecision %s carries its outcome',
  async (outcome) => {
    const { metrics } = load();
    const { logs } = await captureLogs(async () => metrics.countGateDecision(outcome, 'churn'));
    const { line, directive, unit } = only(logs, 'GateDecision');
    expect(unit).toBe('Count');
    expect(directive.Dimensions).toEqual([
      ['service', 'Stack', 'Outcome'],
      ['service', 'Stack', 'Outcome', 'Group'],
    ]);
    expect(line).toMatchObject({ GateDecision: 1, Outcome: outcome, Group: 'churn' });
  },
);

test.each([
  ['countSelfApprovalReverted', 'SelfApprovalReverted'],
  ['countApprovalReverted', 'ApprovalReverted'],
  ['countCardWritten', 'CardWritten'],
  ['countApproval', 'ApprovalRecorded'],
] as const)('%s emits %s per stack and per group', async (fn, name) => {
  const { metrics } = load();
  const { logs } = await captureLogs(async () => metrics[fn]('churn'));
  const { line, directive, unit } = only(logs, name);
  expect(unit).toBe('Count');
  expect(directive.Dimensions).toEqual([
    ['service', 'Stack'],
    ['service', 'Stack', 'Group'],
  ]);
  expect(line).toMatchObject({ [name]: 1, Group: 'churn' });
});

const context = {
  awsRequestId: 'req-1',
  functionName: 'fn',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
  memoryLimitInMB: '256',
} as unknown as Context;

describe('the handler wrapper', () => {
  test('an ignored event is logged with its reason and counted as EventIgnored by reason code', async () => {
    const { handler } = load();
    const wrapped = handler.governedHandler(async (_: unknown) =>
      handler.ignored('unrecognised-event', 'detail-type is 1'),
    );
    const { result, logs } = await captureLogs(() => wrapped({ weird: true }, context));
    expect(result).toEqual({
      outcome: 'ignored',
      reason: 'detail-type is 1',
      reasonCode: 'unrecognised-event',
    });
    const warning = logs.find((l) => l.message === 'event ignored');
    expect(warning).toMatchObject({
      level: 'WARN',
      reason: 'detail-type is 1',
      reasonCode: 'unrecognised-event',
      event: { weird: true },
      function_request_id: 'req-1',
    });
    const { line, directive } = only(logs, 'EventIgnored');
    expect(directive.Dimensions).toEqual([['service', 'Stack', 'Reason']]);
    expect(line).toMatchObject({ EventIgnored: 1, Reason: 'unrecognised-event' });
  });

  test('a routine ignore does not log the event', async () => {
    const { handler } = load();
    const wrapped = handler.governedHandler(async (_: unknown) =>
      handler.ignored('not-governed', 'not ours'),
    );
    const { logs } = await captureLogs(() => wrapped({ secret: 'x' }, context));
    const routine = logs.find((l) => l.message === 'event ignored');
    expect(routine).not.toHaveProperty('event');
    expect(routine).toMatchObject({ level: 'INFO' });
    expect(only(logs, 'EventIgnored').line).toMatchObject({ Reason: 'not-governed' });
  });

  test('adds the Lambda context (request id, cold start) and clears keys between invocations', async () => {
    const {
      handler,
      logger: { logger },
    } = load();
    let call = 0;
    const wrapped = handler.governedHandler(async (_: unknown) => {
      call += 1;
      if (call === 1) logger.appendKeys({ modelPackageArn: 'arn:first' });
      logger.info('working');
      return { outcome: 'done' };
    });
    const first = await captureLogs(() => wrapped({}, context));
    const second = await captureLogs(() => wrapped({}, { ...context, awsRequestId: 'req-2' } as Context));
    const one = first.logs.find((l) => l.message === 'working');
    const two = second.logs.find((l) => l.message === 'working');
    expect(one).toMatchObject({
      function_request_id: 'req-1',
      cold_start: expect.any(Boolean),
      modelPackageArn: 'arn:first',
    });
    expect(two).toMatchObject({ function_request_id: 'req-2', cold_start: false });
    expect(two).not.toHaveProperty('modelPackageArn');
    // Nothing was ignored: no EventIgnored.
    expect(emfOf([...first.logs, ...second.logs])).toHaveLength(0);
  });

  test('a failure is logged once with a fixed message and rethrown (Lambda retries, then dead-letters)', async () => {
    const { handler } = load();
    const wrapped = handler.governedHandler(async (_: unknown): Promise<{ outcome: string }> => {
      throw new Error('boom');
    });
    const captured = await captureLogs(() => wrapped({}, context).catch((e: Error) => e.message));
    expect(captured.result).toBe('boom');
    expect(captured.logs.filter((l) => l.message === 'invocation failed')).toHaveLength(1);
  });
});

describe('approval to serving', () => {
  const approvedAt = new Date('2026-01-01T00:00:00Z');
  test('seconds from the approved version’s last modification to the settle time', () => {
    expect(
      approvalToServingSeconds(
        { approvalStatus: 'Approved', lastModifiedTime: approvedAt },
        new Date('2026-01-01T00:05:30Z'),
      ),
    ).toBe(330);
  });
  test.each([
    ['not approved any more', { approvalStatus: 'Rejected' as const, lastModifiedTime: approvedAt }],
    ['no time', { approvalStatus: 'Approved' as const }],
    [
      'modified after the settle time',
      { approvalStatus: 'Approved' as const, lastModifiedTime: new Date('2026-02-01') },
    ],
    ['gone', undefined],
  ])('no figure when %s', (_, version) => {
    expect(approvalToServingSeconds(version, new Date('2026-01-01T01:00:00Z'))).toBeUndefined();
  });
});
