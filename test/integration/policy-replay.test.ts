/**
 * An EventBridge archive replay re-delivers old events (they carry `replay-name`): the policy
 * handler must decide from the registry and what it recorded, so a replayed approval event never
 * reverts an approval it has already checked. The policy handler runs from
 * source with its role's credentials against a local SageMaker in front of the run's moto.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  type SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import type { EmittedEvent } from '../../local/sagemaker/events';
import { loadHandler, writeManifest } from '../harness/handlers';
import { TEST_ACCOUNT, TEST_REGION, uniqueName } from '../harness/local-aws';
import { startLocalSageMaker } from '../harness/local-sagemaker';
import { registerVersion, setApproval } from '../harness/registry';

type Handler = typeof import('../../handlers/policy-gate');

let local: Awaited<ReturnType<typeof startLocalSageMaker>>;
let handler: Handler['handler'];
let trainer: SageMakerClient;
let approver: SageMakerClient;
const group = uniqueName('replayed');
const POLICY_ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/PolicyGate`;

beforeAll(async () => {
  local = await startLocalSageMaker();
  trainer = local.sagemaker('role=Trainer@run-1');
  approver = local.sagemaker('role=Approver@ana');
  const setup = local.clientConfig('setup');
  const bucket = uniqueName('audit');
  await new S3Client({ ...setup, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: bucket }));
  const topic = await new SNSClient(setup).send(new CreateTopicCommand({ Name: uniqueName('topic') }));
  ({ handler } = loadHandler<Handler>('../../handlers/policy-gate', {
    NOTIFICATION_TOPIC_ARN: topic.TopicArn as string,
    VERDICT_S3_URI: `s3://${bucket}/quality-gate-verdicts`,
    GOVERNANCE_RECORD_S3_URI: `s3://${bucket}/governance-record`,
    POLICY_ROLE_ARN: POLICY_ROLE,
    GOVERNANCE_MANIFEST_PATH: writeManifest({
      groups: [{ name: group, separationOfDuties: true, deployments: [{ endpointName: `${group}-prod` }] }],
    }),
    // The handler calls as its role, as on Lambda (callerIdentity in local/sagemaker/protocol.ts).
    AWS_ENDPOINT_URL: local.url,
    AWS_ACCESS_KEY_ID: 'role=PolicyGate@policy-gate',
    AWS_SECRET_ACCESS_KEY: 'local',
  }));
});
afterAll(async () => local?.stop());

/** The event the local SageMaker put on the bus for the version's change at `status`, as EventBridge delivers it. */
function delivered(e: EmittedEvent, replayName?: string) {
  return {
    version: '0',
    id: uniqueName('evt'),
    'detail-type': e.detailType,
    source: 'aws.sagemaker',
    account: TEST_ACCOUNT,
    time: new Date(e.at).toISOString(),
    region: TEST_REGION,
    resources: [...e.resources],
    detail: e.detail,
    ...(replayName ? { 'replay-name': replayName } : {}),
  };
}

const eventsOf = (arn: string) => local.server.events.emitted.filter((e) => e.detail.ModelPackageArn === arn);

it('never reverts a checked approval when an archive replay re-delivers its event', async () => {
  const arn = await registerVersion(trainer, group, { createGroup: true });
  await handler(delivered(eventsOf(arn)[0] as EmittedEvent));
  await setApproval(approver, arn, 'Approved', 'reviewed by ana');
  const approval = eventsOf(arn).at(-1) as EmittedEvent;
  expect(approval.detail.ModelApprovalStatus).toBe('Approved');
  // The approval is checked (the handler's own change records it).
  expect(await handler(delivered(approval))).toMatchObject({ outcome: 'approval-recorded' });
  // The approver then edits the description, as people do; before the handler has seen that edit,
  // an operator replays the archive and the approval's event arrives again.
  await approver.send(
    new UpdateModelPackageCommand({ ModelPackageArn: arn, ApprovalDescription: 'reviewed by ana (typo)' }),
  );
  const replayed = await handler(delivered(approval, 'after-the-outage'));
  expect(replayed.outcome).not.toMatch(/reverted/);
  const now = await approver.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
  expect(now.ModelApprovalStatus).toBe('Approved');
  // The edit's own event re-checks the approval, as it would have without the replay.
  expect(await handler(delivered(eventsOf(arn).at(-2) as EmittedEvent))).toMatchObject({
    outcome: expect.stringMatching(/approval-recorded|superseded|no-action/),
  });
});

it('still reverts an approval nobody checked that another change buried, replayed or not', async () => {
  // The registrant approves, and someone else touches the version before the handler saw the
  // approval: who approved can no longer be read, so the approval is reverted (fail closed).
  const arn = await registerVersion(trainer, group, { createGroup: false });
  await handler(delivered(eventsOf(arn)[0] as EmittedEvent));
  await setApproval(local.sagemaker('role=Trainer@approve-it-myself'), arn, 'Approved', 'mine');
  const approval = eventsOf(arn).at(-1) as EmittedEvent;
  await approver.send(
    new UpdateModelPackageCommand({ ModelPackageArn: arn, ApprovalDescription: 'looks fine' }),
  );
  expect(await handler(delivered(approval, 'after-the-outage'))).toMatchObject({
    outcome: 'unattributed-approval-reverted',
  });
  const now = await approver.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
  expect(now.ModelApprovalStatus).toBe('PendingManualApproval');
});
