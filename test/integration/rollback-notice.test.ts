/**
 * A rollback is told by exactly one of the runs that see it at once (events come in twos and
 * threes, and a replay adds more). The runs' claims race on the endpoint's governance record in the
 * local S3, over HTTP, with its conditional writes; the planner's claim action is what each run does.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { carryOut } from '../../adapters/endpoint-actions';
import { appendEndpointEntry, readEndpointEntries } from '../../adapters/governance-record';
import { parseGovernanceConfig } from '../../core/config/parse';
import {
  ROLLBACK_NOTICE_CLAIM_MS,
  requestEntry,
  rollbackNotifiedEntry,
} from '../../domain/governance-record';
import type { Action } from '../../domain/target-planner';
import { clientConfig, TEST_ACCOUNT, uniqueName } from '../harness/local-aws';

const s3 = new S3Client({ ...clientConfig(), forcePathStyle: true });
const sagemaker = new SageMakerClient(clientConfig());
const bucket = uniqueName('record');
const uri = `s3://${bucket}/governance-record`;
const group = parseGovernanceConfig({
  groups: [{ name: 'churn', deployments: [{ endpointName: 'churn-prod' }] }],
}).groups[0];
const target = group?.deployments[0];
if (!group || !target) throw new Error('no target in the test configuration');

const t0 = new Date('2026-03-01T00:00:00.000Z');
const request = { configName: 'churn-prod-v2-0a1b2c3d', after: t0 };
const claim: Action = { kind: 'claim-rollback-notice', request };
const release: Action = { kind: 'release-rollback-notice', request };

/** One reconcile run carrying out the given actions at `now`, against the record in the local S3. */
function carry(now: Date, actions: readonly Action[]) {
  return carryOut(
    {
      sagemaker,
      target: target as NonNullable<typeof target>,
      groupName: 'churn',
      endpoint: undefined,
      record: { s3, uri, account: TEST_ACCOUNT },
      now: () => now,
    },
    actions,
  );
}
const run = (now: Date) => carry(now, [claim]);

const kinds = async () => (await readEndpointEntries(s3, uri, TEST_ACCOUNT, 'churn-prod')).map((e) => e.kind);

beforeAll(async () => {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await appendEndpointEntry(s3, uri, TEST_ACCOUNT, 'churn-prod', () =>
    requestEntry(
      {
        endpointName: 'churn-prod',
        configName: request.configName,
        after: t0,
        version: 2,
        modelPackageArn: `arn:aws:sagemaker:us-east-1:${TEST_ACCOUNT}:model-package/churn/2`,
      },
      t0,
    ),
  );
});
afterAll(() => {
  s3.destroy();
  sagemaker.destroy();
});

it('lets exactly one of eight concurrent runs tell a rollback', async () => {
  const now = new Date(t0.getTime() + 60_000);
  const setbacks = await Promise.all(Array.from({ length: 8 }, () => run(now)));
  expect(setbacks.filter((s) => s === undefined)).toHaveLength(1);
  expect(setbacks.filter((s) => s?.kind === 'told-elsewhere')).toHaveLength(7);
  expect(await kinds()).toEqual(['deployment-request', 'rollback-notice-claimed']);
});

it('lets the next run tell when the claiming run’s notification failed (released)', async () => {
  const now = new Date(t0.getTime() + 61_000);
  await carry(now, [release]);
  expect(await run(new Date(now.getTime() + 1_000))).toBeUndefined();
  expect(await run(new Date(now.getTime() + 2_000))).toEqual({ kind: 'told-elsewhere' });
});

it('lets a run tell when the claiming run died (the claim is stale), and none once people were told', async () => {
  const stale = new Date(t0.getTime() + 62_000 + ROLLBACK_NOTICE_CLAIM_MS + 1_000);
  expect(await run(stale)).toBeUndefined();
  await appendEndpointEntry(s3, uri, TEST_ACCOUNT, 'churn-prod', () => rollbackNotifiedEntry(request, stale));
  expect(await run(new Date(stale.getTime() + ROLLBACK_NOTICE_CLAIM_MS * 2))).toEqual({
    kind: 'told-elsewhere',
  });
  expect(await kinds()).toEqual([
    'deployment-request',
    'rollback-notice-claimed',
    'rollback-notice-released',
    'rollback-notice-claimed',
    'rollback-notice-claimed',
    'rollback-notified',
  ]);
});
