/**
 * The synthesized rule patterns, installed in moto's EventBridge (real pattern matching), receive
 * exactly the governed groups' and managed endpoints' events: checked over HTTP with an SQS target.
 */
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import endpointSample from '../fixtures/events/endpoint-state-change.json';
import modelPackageSample from '../fixtures/events/model-package-state-change.json';
import { clientConfig, uniqueName } from '../harness/local-aws';
import { synthGovernance } from '../harness/synth';

const eventbridge = new EventBridgeClient(clientConfig());
const sqs = new SQSClient(clientConfig());

type SampleEvent = {
  source: string;
  'detail-type': string;
  resources: string[];
  detail: Record<string, unknown>;
};

/** Installs each synthesized rule of the app in moto with its own queue as target. */
async function installRules(raw: unknown) {
  const { template } = synthGovernance(raw);
  const rules = Object.values(template.findResources('AWS::Events::Rule'));
  return Promise.all(
    rules.map(async (rule) => {
      const pattern = rule.Properties.EventPattern as Record<string, unknown>;
      const name = uniqueName('rule');
      await eventbridge.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern) }));
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
      );
      await eventbridge.send(
        new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'queue', Arn: Attributes?.QueueArn }] }),
      );
      return { detailType: (pattern['detail-type'] as string[])[0], queueUrl: QueueUrl as string };
    }),
  );
}

async function put(event: SampleEvent) {
  const out = await eventbridge.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: event.source,
          DetailType: event['detail-type'],
          Resources: event.resources,
          Detail: JSON.stringify(event.detail),
        },
      ],
    }),
  );
  expect(out.FailedEntryCount).toBe(0);
}

async function drain(queueUrl: string): Promise<Record<string, unknown>[]> {
  const out = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  return (out.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}'));
}

const withGroup = (group: string, version = 1): SampleEvent => ({
  ...modelPackageSample,
  resources: [`arn:aws:sagemaker:us-east-1:123456789012:model-package/${group}/${version}`],
  detail: {
    ...modelPackageSample.detail,
    ModelPackageGroupName: group,
    ModelPackageArn: `arn:aws:sagemaker:us-east-1:123456789012:model-package/${group}/${version}`,
  },
});
const withEndpoint = (name: string): SampleEvent => ({
  ...endpointSample,
  detail: { ...endpointSample.detail, EndpointName: name },
});

it('delivers governed groups’ model package events and managed endpoints’ events, and nothing else', async () => {
  const governed = uniqueName('governed');
  const alsoGoverned = uniqueName('also');
  const endpoint = uniqueName('endpoint');
  const rules = await installRules({
    groups: [{ name: governed, deployments: [{ endpointName: endpoint }] }, { name: alsoGoverned }],
  });
  const modelPackageQueue = rules.find((r) => r.detailType === 'SageMaker Model Package State Change');
  const endpointQueue = rules.find((r) => r.detailType === 'SageMaker Endpoint State Change');
  if (!modelPackageQueue || !endpointQueue)
    throw new Error('the app synthesized no model package or endpoint rule');

  await put(withGroup(governed, 1));
  await put(withGroup(alsoGoverned, 7));
  await put(withGroup(uniqueName('other-group'), 1)); // another group: must not match
  await put(withGroup(`${governed}-suffix`, 1)); // a name that only starts like a governed one
  await put({ ...withGroup(governed), 'detail-type': 'SageMaker Model State Change' }); // another detail-type
  await put({ ...withGroup(governed), source: 'com.example.spoof' }); // another source
  await put(withEndpoint(endpoint));
  await put({
    ...withEndpoint(endpoint),
    detail: { ...withEndpoint(endpoint).detail, EndpointStatus: 'InService' },
  });
  await put({
    ...withEndpoint(endpoint),
    detail: { ...withEndpoint(endpoint).detail, EndpointStatus: 'UPDATING' },
  }); // busy: not delivered
  await put(withEndpoint(uniqueName('unmanaged')));

  const packages = await drain(modelPackageQueue.queueUrl);
  expect(packages.map((e) => (e.detail as Record<string, unknown>).ModelPackageArn).sort()).toEqual(
    [
      `arn:aws:sagemaker:us-east-1:123456789012:model-package/${governed}/1`,
      `arn:aws:sagemaker:us-east-1:123456789012:model-package/${alsoGoverned}/7`,
    ].sort(),
  );
  const endpoints = await drain(endpointQueue.queueUrl);
  expect(endpoints.map((e) => (e.detail as Record<string, unknown>).EndpointStatus)).toEqual([
    'IN_SERVICE',
    'InService',
  ]);
  expect(endpoints.every((e) => (e.detail as Record<string, unknown>).EndpointName === endpoint)).toBe(true);
});

it('splits many groups across rules that together match every governed group exactly once', async () => {
  // As many groups as one stack holds, with long names: their names alone exceed one pattern.
  const groups = Array.from({ length: 60 }, (_, i) => ({
    name: `${uniqueName('g')}-${'long-name-'.repeat(4)}${i}`,
  }));
  const rules = await installRules({ groups });
  expect(rules.filter((r) => r.detailType === 'SageMaker Model Package State Change').length).toBeGreaterThan(
    1,
  );
  const probes = [groups[0]?.name, groups[30]?.name, groups[59]?.name] as string[];
  for (const name of probes) await put(withGroup(name));
  const delivered = (await Promise.all(rules.map((r) => drain(r.queueUrl)))).flat();
  expect(delivered.map((e) => (e.detail as Record<string, unknown>).ModelPackageGroupName).sort()).toEqual(
    [...probes].sort(),
  );
});
