/**
 * The audit-and-notify handler against moto over HTTP: versions registered and approved in moto's
 * registry; the notification read back from an SQS queue subscribed to the SNS topic.
 */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { AuditOutcome } from '../../handlers/audit-notify';
import documentedSample from '../fixtures/events/model-package-state-change.json';
import { captureLogs, loadHandler, writeManifest } from '../harness/handlers';
import { clientConfig, uniqueName } from '../harness/local-aws';
import { modelPackageEvent, registerVersion, setApproval } from '../harness/registry';

type Handler = { handler: (event: unknown) => Promise<AuditOutcome> };

const sagemaker = new SageMakerClient(clientConfig());
const sns = new SNSClient(clientConfig());
const sqs = new SQSClient(clientConfig());

const group = uniqueName('churn');
let handler: Handler['handler'];
let queueUrl: string;

beforeAll(async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: uniqueName('notifications') }));
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('subscriber') }));
  queueUrl = queue.QueueUrl as string;
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }));
  ({ handler } = loadHandler<Handler>('../../handlers/audit-notify', {
    NOTIFICATION_TOPIC_ARN: TopicArn as string,
    GOVERNANCE_MANIFEST_PATH: writeManifest({ groups: [{ name: group }] }),
  }));
});

async function notifications(): Promise<
  { Subject: string; Message: string; MessageAttributes: Record<string, { Value: string }> }[]
> {
  const out = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  return (out.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}'));
}

it('records an approval with who, why and when, and notifies the topic', async () => {
  const arn = await registerVersion(sagemaker, group);
  await setApproval(sagemaker, arn, 'Approved', 'AUC 0.91 on the holdout set');

  const { result, logs } = await captureLogs(() => handler(modelPackageEvent(arn, 'Approved')));

  expect(result).toEqual({ outcome: 'recorded', modelPackageArn: arn, messageId: expect.any(String) });
  expect(logs.filter((l) => 'ApprovalRecorded' in l)).toEqual([
    expect.objectContaining({ ApprovalRecorded: 1, Group: group }),
  ]);
  const audit = logs.find((l) => l.message === 'model package approval state')?.audit;
  expect(audit).toMatchObject({
    kind: 'model-package-approval',
    groupName: group,
    version: 1,
    modelPackageArn: arn,
    approvalStatus: 'Approved',
    approvalDescription: 'AUC 0.91 on the holdout set',
    changedBy: expect.stringContaining('fake-user-profile-name'),
    changedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
  });
  const [note, ...others] = await notifications();
  expect(others).toEqual([]);
  expect(note?.Subject).toBe(`[model-governance] ${group} v1 approved`);
  expect(note?.Message).toContain('Reason:      AUC 0.91 on the holdout set');
  expect(note?.MessageAttributes.approvalStatus?.Value).toBe('Approved');
});

it('takes who and why from the registry: the documented event carries neither', async () => {
  const arn = await registerVersion(sagemaker, group);
  await setApproval(sagemaker, arn, 'Approved', 'passed the review board');
  // The documented sample's detail as it is, field for field; only its names point at this version.
  const [, , version] = /model-package\/([^/]+)\/(\d+)$/.exec(arn) ?? [];
  const event = {
    ...documentedSample,
    resources: [arn],
    detail: {
      ...documentedSample.detail,
      ModelPackageGroupName: group,
      ModelPackageVersion: Number(version),
      ModelPackageArn: arn,
    },
  };
  for (const field of ['CreatedBy', 'LastModifiedBy', 'ApprovalDescription'])
    expect(event.detail).not.toHaveProperty(field);
  const { result, logs } = await captureLogs(() => handler(event));
  expect(result.outcome).toBe('recorded');
  expect(logs.find((l) => l.message === 'model package approval state')?.audit).toMatchObject({
    approvalStatus: 'Approved',
    approvalDescription: 'passed the review board',
    changedBy: expect.stringContaining('fake-user-profile-name'),
    registeredBy: expect.any(String),
  });
  const [note] = await notifications();
  expect(note?.Message).toContain('Reason:      passed the review board');
});

it('reports the registry’s status when a late event says otherwise', async () => {
  const arn = await registerVersion(sagemaker, group);
  await setApproval(sagemaker, arn, 'Rejected', 'latency regression');
  const { result, logs } = await captureLogs(() => handler(modelPackageEvent(arn, 'Approved')));
  expect(result.outcome).toBe('recorded');
  expect(logs.find((l) => l.message === 'model package approval state')?.audit).toMatchObject({
    approvalStatus: 'Rejected',
    reportedApprovalStatus: 'Approved',
  });
  const [note] = await notifications();
  expect(note?.Subject).toBe(`[model-governance] ${group} v${arn.split('/').pop()} rejected`);
});

it.each([
  [
    'a malformed event',
    () => ({ 'detail-type': 'SageMaker Model Package State Change', detail: {} }),
    /ModelPackageArn is missing/,
    'unrecognised-event',
  ],
  [
    'an ungoverned group',
    () => modelPackageEvent('arn:aws:sagemaker:us-east-1:123456789012:model-package/someone-else/1'),
    /"someone-else" is not governed/,
    'not-governed',
  ],
  [
    'a version deleted since the event',
    () => modelPackageEvent(`arn:aws:sagemaker:us-east-1:123456789012:model-package/${group}/999`),
    /no longer exists/,
    'gone',
  ],
  [
    'a change that did not touch the approval',
    () =>
      modelPackageEvent(`arn:aws:sagemaker:us-east-1:123456789012:model-package/${group}/1`, 'Approved', {
        UpdatedModelPackageFields: ['CustomerMetadataProperties'],
      }),
    /touched CustomerMetadataProperties, not the approval status/,
    'not-applicable',
  ],
])(
  'ignores %s with a logged reason, counted by reason, and no notification',
  async (_, event, reason, code) => {
    const { result, logs } = await captureLogs(() => handler(event()));
    expect(result).toEqual({ outcome: 'ignored', reason: expect.any(String), reasonCode: code });
    // The logged reason is for people reading the logs: its wording is checked once, there.
    expect(logs.find((l) => l.message === 'event ignored')?.reason).toMatch(reason);
    // The EMF line: EventIgnored, a count, under the reason code (the format-drift alarm watches unrecognised-event).
    const emf = logs.find((l) => 'EventIgnored' in l) as Record<string, unknown> & { _aws: unknown };
    expect(emf).toMatchObject({ EventIgnored: 1, Reason: code });
    expect(emf._aws).toMatchObject({
      CloudWatchMetrics: [
        {
          Namespace: 'ModelGovernance',
          Metrics: [{ Name: 'EventIgnored', Unit: 'Count' }],
          Dimensions: [['service', 'Stack', 'Reason']],
        },
      ],
    });
    expect(await notifications()).toEqual([]);
  },
);

it('fails the invocation on an error retrying can fix, so Lambda retries and then dead-letters it', async () => {
  const arn = await registerVersion(sagemaker, group);
  const broken = loadHandler<Handler>('../../handlers/audit-notify', {
    NOTIFICATION_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:no-such-topic',
    GOVERNANCE_MANIFEST_PATH: writeManifest({ groups: [{ name: group }] }),
  });
  await expect(captureLogs(() => broken.handler(modelPackageEvent(arn)))).rejects.toThrow(
    /not exist|not found/i,
  );
});

it('refuses to start without its configuration, naming what is missing', () => {
  delete process.env.NOTIFICATION_TOPIC_ARN;
  expect(() => loadHandler('../../handlers/audit-notify', {})).toThrow(
    'Environment variable NOTIFICATION_TOPIC_ARN is not set.',
  );
  expect(() =>
    loadHandler('../../handlers/audit-notify', {
      NOTIFICATION_TOPIC_ARN: 'x',
      GOVERNANCE_MANIFEST_PATH: '/nonexistent.json',
    }),
  ).toThrow('Cannot read the governance manifest at /nonexistent.json (ENOENT)');
});
