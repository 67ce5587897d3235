/**
 * `npm run local`'s engine: the synthesized app's rules and bundled handlers, played on moto and the
 * local endpoint. Events come from the local endpoint, as SageMaker would send them.
 */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { DeleteTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalApp } from '../../local/runner/local-app';
import { startLocalApp } from '../harness/local-app';
import { eventually, uniqueName } from '../harness/local-aws';
import { registerVersion, setApproval } from '../harness/registry';

const governed = uniqueName('governed');
let app: LocalApp;
let sagemaker: SageMakerClient;
beforeAll(async () => {
  app = await startLocalApp({ groups: [{ name: governed }, { name: 'second-group' }] });
  const env = app.clientEnv('alice');
  sagemaker = new SageMakerClient({
    endpoint: env.AWS_ENDPOINT_URL,
    region: env.AWS_REGION,
    credentials: { accessKeyId: 'alice', secretAccessKey: 'local' },
  });
}, 360_000);
afterAll(async () => app?.stop());

it('delivers a registered-then-approved version’s events to the handler the synthesized rule names', async () => {
  const arn = await registerVersion(sagemaker, governed, { createGroup: false });
  await setApproval(sagemaker, arn, 'Approved', 'ship it');
  const forArn = (name: string) =>
    app.invocations.filter(
      (i) => i.functionName === name && (i.event.detail as Record<string, unknown>).ModelPackageArn === arn,
    );
  const recorded = await eventually(async () => {
    const done = forArn('audit-notify');
    return done.length >= 2 ? done : undefined;
  }, 'two audit-notify invocations');
  // The same rule fans out to the model-cards handler too: each event reaches both, once.
  await eventually(
    async () => (forArn('model-cards').length >= 2 ? true : undefined),
    'two model-cards invocations',
  );
  await app.idle();
  expect(forArn('audit-notify')).toHaveLength(2);
  expect(forArn('model-cards')).toHaveLength(2);
  expect(recorded.map((i) => i.ruleLogicalId)).toEqual([
    expect.stringMatching(/^ApprovalEventsModelPackageStateChange0/),
    expect.stringMatching(/^ApprovalEventsModelPackageStateChange0/),
  ]);
  expect(
    recorded.map((i) => (i.outcome.ok ? (i.outcome.result as { outcome: string }).outcome : i.outcome.error)),
  ).toEqual(['recorded', 'recorded']);
  expect(recorded[1]?.event).toMatchObject({ account: '123456789012', source: 'aws.sagemaker' });
});

it('delivers nothing for a group the app does not govern', async () => {
  const before = app.invocations.length;
  const other = uniqueName('ungoverned');
  const arn = await registerVersion(sagemaker, other);
  await setApproval(sagemaker, arn, 'Approved', 'not ours');
  await app.idle();
  expect(app.invocations.slice(before).filter((i) => JSON.stringify(i.event).includes(other))).toEqual([]);
});

it('retries a failing invocation as configured, then dead-letters the event', async () => {
  const moto = {
    endpoint: app.moto.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  };
  await new SNSClient(moto).send(new DeleteTopicCommand({ TopicArn: app.physicalId('NotificationsTopic') }));
  const arn = await registerVersion(sagemaker, 'second-group', { createGroup: false });
  const attempts = await eventually(async () => {
    const mine = app.invocations.filter(
      (i) =>
        i.functionName === 'audit-notify' &&
        (i.event.detail as Record<string, unknown>).ModelPackageArn === arn,
    );
    return mine.length >= 3 ? mine : undefined;
  }, 'three attempts');
  expect(attempts.map((a) => [a.attempt, a.outcome.ok])).toEqual([
    [0, false],
    [1, false],
    [2, false],
  ]);
  const dlq = app.physicalId('AuditNotifierHandlerDeadLetters');
  const dead = await eventually(async () => {
    const out = await new SQSClient(moto).send(
      new ReceiveMessageCommand({ QueueUrl: dlq, MessageAttributeNames: ['All'], WaitTimeSeconds: 1 }),
    );
    return out.Messages?.[0];
  }, 'the dead letter');
  expect(JSON.parse(dead.Body ?? '{}').detail.ModelPackageArn).toBe(arn);
  expect(dead.MessageAttributes?.ErrorMessage?.StringValue).toMatch(/topic|not exist|not found/i);
});

it('stops everything it started', async () => {
  const local = await startLocalApp({ groups: [{ name: 'stop-check' }] });
  await registerVersion(
    new SageMakerClient({
      endpoint: local.sagemaker.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    }),
    'stop-check',
    { createGroup: false },
  );
  await local.idle();
  const pids = local.processIds();
  expect(pids.length).toBeGreaterThanOrEqual(2); // moto and at least one handler instance
  for (const pid of pids) expect(() => process.kill(pid, 0)).not.toThrow();
  await local.stop();
  for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  await expect(fetch(local.sagemaker.moto.url)).rejects.toThrow();
}, 360_000);
