/**
 * The local endpoint's model registry semantics and the events it puts on the bus, captured through
 * moto's EventBridge (rule → SQS) and compared with the samples AWS documents.
 */
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateModelPackageCommand,
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  type SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { CreateTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import endpointSample from '../fixtures/events/endpoint-state-change.json';
import modelPackageSample from '../fixtures/events/model-package-state-change.json';
import { eventually, uniqueName } from '../harness/local-aws';
import { startLocalSageMaker } from '../harness/local-sagemaker';
import { registerVersion } from '../harness/registry';

let local: Awaited<ReturnType<typeof startLocalSageMaker>>;
let sagemaker: SageMakerClient;
let sqs: SQSClient;
beforeAll(async () => {
  local = await startLocalSageMaker();
  sagemaker = local.sagemaker('registrar');
  sqs = new SQSClient(local.clientConfig());
});
afterAll(() => local.stop());

/** A queue receiving every event of one detail-type for names starting with `prefix`. */
async function capture(detailType: string, field: string, prefix: string) {
  const events = new EventBridgeClient(local.clientConfig());
  const name = uniqueName('capture');
  await events.send(
    new PutRuleCommand({
      Name: name,
      EventPattern: JSON.stringify({
        source: ['aws.sagemaker'],
        'detail-type': [detailType],
        detail: { [field]: [{ prefix }] },
      }),
    }),
  );
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  await events.send(
    new PutTargetsCommand({
      Rule: name,
      Targets: [{ Id: 'q', Arn: `arn:aws:sqs:us-east-1:123456789012:${name}` }],
    }),
  );
  const received: Record<string, unknown>[] = [];
  return async (count: number) =>
    eventually(async () => {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      for (const m of out.Messages ?? []) received.push(JSON.parse(m.Body ?? '{}'));
      return received.length >= count ? received : undefined;
    }, `${count} ${detailType} events`);
}

it('keeps what UpdateModelPackage is not sent, and records who changed what', async () => {
  const group = uniqueName('registry');
  const arn = await registerVersion(sagemaker, group, { description: 'keep this description' });
  await sagemaker.send(
    new UpdateModelPackageCommand({ ModelPackageArn: arn, CustomerMetadataProperties: { team: 'growth' } }),
  );
  const approver = local.sagemaker('approver');
  await approver.send(
    new UpdateModelPackageCommand({
      ModelPackageArn: arn,
      ModelApprovalStatus: 'Approved',
      ApprovalDescription: 'ok',
    }),
  );
  await approver.send(
    new UpdateModelPackageCommand({ ModelPackageArn: arn, CustomerMetadataPropertiesToRemove: ['nothing'] }),
  );
  const described = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
  expect(described).toMatchObject({
    ModelPackageDescription: 'keep this description',
    CustomerMetadataProperties: { team: 'growth' },
    ModelApprovalStatus: 'Approved',
    ApprovalDescription: 'ok',
    CreatedBy: { IamIdentity: { Arn: 'arn:aws:iam::123456789012:user/registrar', PrincipalId: 'registrar' } },
    LastModifiedBy: {
      IamIdentity: { Arn: 'arn:aws:iam::123456789012:user/approver', PrincipalId: 'approver' },
    },
  });
});

it('keeps ModelLifeCycle, which moto does not know, in Describe and List', async () => {
  const group = uniqueName('stages');
  const arn = await registerVersion(sagemaker, group);
  await sagemaker.send(
    new UpdateModelPackageCommand({
      ModelPackageArn: arn,
      ModelLifeCycle: { Stage: 'Staging', StageStatus: 'Approved', StageDescription: 'canary ok' },
    }),
  );
  await sagemaker.send(
    new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: 'Approved' }),
  );
  const described = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
  expect(described.ModelLifeCycle).toEqual({
    Stage: 'Staging',
    StageStatus: 'Approved',
    StageDescription: 'canary ok',
  });
  const listed = await sagemaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: group }));
  expect(listed.ModelPackageSummaryList?.[0]?.ModelLifeCycle).toEqual(described.ModelLifeCycle);
  await expect(
    sagemaker.send(
      new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: 'Maybe' as 'Approved' }),
    ),
  ).rejects.toMatchObject({
    name: 'ValidationException',
    message: expect.stringContaining('enum value set'),
  });
});

it('emits model package state changes shaped as AWS documents them', async () => {
  const group = uniqueName('events');
  const received = await capture('SageMaker Model Package State Change', 'ModelPackageGroupName', group);
  const arn = await registerVersion(sagemaker, group);
  await sagemaker.send(
    new UpdateModelPackageCommand({
      ModelPackageArn: arn,
      ModelApprovalStatus: 'Approved',
      ApprovalDescription: 'ok',
    }),
  );
  const [registered, approved] = await received(2);
  for (const event of [registered, approved]) {
    // moto's bus omits the envelope's `account`; the local runner adds it before delivering to handlers.
    const documentedEnvelope = Object.keys(modelPackageSample).filter((k) => k !== 'account');
    expect(Object.keys(event ?? {}).sort()).toEqual(documentedEnvelope.sort());
    expect(event).toMatchObject({
      source: 'aws.sagemaker',
      'detail-type': 'SageMaker Model Package State Change',
      resources: [arn],
    });
  }
  const documented = Object.keys(modelPackageSample.detail).filter((k) => k !== 'LastModifiedTime');
  const detail = registered?.detail as Record<string, unknown>;
  expect(Object.keys(detail)).toEqual(expect.arrayContaining(documented));
  expect(detail).toMatchObject({
    ModelPackageGroupName: group,
    ModelPackageVersion: 1,
    ModelApprovalStatus: 'PendingManualApproval',
  });
  expect(typeof detail.CreationTime).toBe('number');
  expect(detail.CreationTime).toBeGreaterThan(1_600_000_000_000); // epoch milliseconds, as in the sample
  expect(detail.UpdatedModelPackageFields).toBeUndefined();
  // As the documented sample: no identities, no reason (DescribeModelPackage has them).
  for (const field of ['CreatedBy', 'LastModifiedBy', 'ApprovalDescription'])
    expect(approved?.detail).not.toHaveProperty(field);
  expect(approved?.detail).toMatchObject({
    ModelApprovalStatus: 'Approved',
    UpdatedModelPackageFields: ['ModelApprovalStatus', 'ApprovalDescription'],
  });
});

it('emits endpoint state changes shaped as AWS documents them (EndpointStatus in upper snake case)', async () => {
  const name = uniqueName('evt-ep');
  const received = await capture('SageMaker Endpoint State Change', 'EndpointName', name);
  const model = uniqueName('m');
  await sagemaker.send(
    new CreateModelCommand({
      ModelName: model,
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/r',
      PrimaryContainer: { Image: 'i:1' },
    }),
  );
  await sagemaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: model, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
      ],
    }),
  );
  await sagemaker.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name }));
  const [creating, inService] = (await received(2)).map((e) => e.detail as Record<string, unknown>);
  expect(creating?.EndpointStatus).toBe('CREATING');
  const detail = inService ?? {};
  expect(Object.keys(detail).sort()).toEqual(Object.keys(endpointSample.detail).sort());
  expect(detail.EndpointStatus).toBe('IN_SERVICE');
  expect(Object.keys((detail.ProductionVariants as Record<string, unknown>[])[0] ?? {}).sort()).toEqual(
    Object.keys(endpointSample.detail.ProductionVariants[0] ?? {}).sort(),
  );
});

it('passes every other service through to moto', async () => {
  const sns = new SNSClient(local.clientConfig());
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: uniqueName('through') }));
  const { Topics } = await sns.send(new ListTopicsCommand({}));
  expect(Topics?.map((t) => t.TopicArn)).toContain(TopicArn);
  await expect(
    sagemaker.send(new CreateModelPackageCommand({ ModelPackageGroupName: uniqueName('absent') })),
  ).rejects.toThrow(/does not exist/);
});

it("passes a HEAD answer's Content-Length through: HeadObject tells an object's size", async () => {
  const s3 = new S3Client({ ...local.clientConfig(), forcePathStyle: true });
  const Bucket = uniqueName('head');
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutObjectCommand({ Bucket, Key: 'model.tar.gz', Body: 'sixteen bytes!!!' }));
  const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'model.tar.gz' }));
  expect(head.ContentLength).toBe(16);
});
