/** ML Lineage Tracking on the local endpoint, over HTTP with the real SDK client. */
import {
  AddAssociationCommand,
  CreateActionCommand,
  CreateArtifactCommand,
  CreateContextCommand,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteAssociationCommand,
  DescribeActionCommand,
  DescribeArtifactCommand,
  DescribeContextCommand,
  ListArtifactsCommand,
  ListAssociationsCommand,
  ListContextsCommand,
  QueryLineageCommand,
  type SageMakerClient,
  UpdateActionCommand,
} from '@aws-sdk/client-sagemaker';
import { eventually, uniqueName } from '../harness/local-aws';
import { startLocalSageMaker } from '../harness/local-sagemaker';
import { registerVersion } from '../harness/registry';

let local: Awaited<ReturnType<typeof startLocalSageMaker>>;
let sagemaker: SageMakerClient;
beforeAll(async () => {
  local = await startLocalSageMaker();
  sagemaker = local.sagemaker('auditor');
});
afterEach(() => local.reset());
afterAll(() => local.stop());

const artifact = async (uri: string, type = 'Dataset') =>
  (await sagemaker.send(new CreateArtifactCommand({ Source: { SourceUri: uri }, ArtifactType: type })))
    .ArtifactArn as string;

it('creates, describes and lists artifacts, contexts and actions', async () => {
  const uri = `s3://data/${uniqueName('train')}`;
  const artifactArn = await artifact(uri);
  expect(artifactArn).toMatch(/^arn:aws:sagemaker:us-east-1:123456789012:artifact\/[0-9a-f]{32}$/);
  expect(await sagemaker.send(new DescribeArtifactCommand({ ArtifactArn: artifactArn }))).toMatchObject({
    ArtifactArn: artifactArn,
    ArtifactType: 'Dataset',
    Source: { SourceUri: uri },
    CreatedBy: { IamIdentity: { PrincipalId: 'auditor' } },
  });
  const { ContextArn } = await sagemaker.send(
    new CreateContextCommand({
      ContextName: 'prod_endpoint-1',
      Source: { SourceUri: 'x' },
      ContextType: 'Endpoint',
      Properties: { a: 'b' },
    }),
  );
  expect(await sagemaker.send(new DescribeContextCommand({ ContextName: 'prod_endpoint-1' }))).toMatchObject({
    ContextArn,
    ContextType: 'Endpoint',
    Properties: { a: 'b' },
  });
  const { ActionArn } = await sagemaker.send(
    new CreateActionCommand({
      ActionName: 'approve-1',
      Source: { SourceUri: 'y' },
      ActionType: 'ModelApproval',
      Status: 'Completed',
    }),
  );
  await sagemaker.send(
    new UpdateActionCommand({ ActionName: 'approve-1', Status: 'Failed', Properties: { why: 'x' } }),
  );
  expect(await sagemaker.send(new DescribeActionCommand({ ActionName: ActionArn }))).toMatchObject({
    Status: 'Failed',
    Properties: { why: 'x' },
  });
  const listed = await sagemaker.send(new ListArtifactsCommand({ SourceUri: uri }));
  expect(listed.ArtifactSummaries?.map((a) => a.ArtifactArn)).toEqual([artifactArn]);
  expect(
    (await sagemaker.send(new ListContextsCommand({ ContextType: 'Endpoint' }))).ContextSummaries,
  ).toHaveLength(1);
});

it('applies the service rules: one artifact per SourceUri, no duplicate entities, patterns, limits', async () => {
  const uri = `s3://data/${uniqueName('dup')}`;
  const first = await artifact(uri);
  await expect(artifact(uri)).rejects.toMatchObject({
    name: 'ValidationException',
    message: expect.stringContaining(first),
  });
  await sagemaker.send(
    new CreateContextCommand({ ContextName: 'ctx', Source: { SourceUri: 'a' }, ContextType: 'T' }),
  );
  await expect(
    sagemaker.send(
      new CreateContextCommand({ ContextName: 'ctx', Source: { SourceUri: 'b' }, ContextType: 'T' }),
    ),
  ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/already exists/) });
  await expect(
    sagemaker.send(
      new CreateActionCommand({ ActionName: 'bad name', Source: { SourceUri: 'a' }, ActionType: 'T' }),
    ),
  ).rejects.toMatchObject({
    name: 'ValidationException',
    message: expect.stringContaining('regular expression pattern'),
  });

  local.server.configure({ lineageLimits: { contexts: 1 } });
  await expect(
    sagemaker.send(
      new CreateContextCommand({ ContextName: 'second', Source: { SourceUri: 'b' }, ContextType: 'T' }),
    ),
  ).rejects.toMatchObject({ name: 'ResourceLimitExceeded' });
});

it('associates entities, refuses unknown or repeated associations, lists and deletes them', async () => {
  const a = await artifact(`s3://a/${uniqueName('x')}`);
  const b = await artifact(`s3://b/${uniqueName('x')}`);
  await sagemaker.send(
    new AddAssociationCommand({ SourceArn: a, DestinationArn: b, AssociationType: 'ContributedTo' }),
  );
  await expect(
    sagemaker.send(new AddAssociationCommand({ SourceArn: a, DestinationArn: b })),
  ).rejects.toMatchObject({
    name: 'ValidationException',
  });
  await expect(
    sagemaker.send(
      new AddAssociationCommand({
        SourceArn: a,
        DestinationArn: 'arn:aws:sagemaker:us-east-1:123456789012:artifact/nope',
      }),
    ),
  ).rejects.toMatchObject({ name: 'ResourceNotFound' });
  const listed = await sagemaker.send(new ListAssociationsCommand({ DestinationArn: b }));
  expect(listed.AssociationSummaries).toEqual([
    expect.objectContaining({
      SourceArn: a,
      DestinationArn: b,
      AssociationType: 'ContributedTo',
      SourceType: 'Dataset',
    }),
  ]);
  await sagemaker.send(new DeleteAssociationCommand({ SourceArn: a, DestinationArn: b }));
  expect(
    (await sagemaker.send(new ListAssociationsCommand({ DestinationArn: b }))).AssociationSummaries,
  ).toEqual([]);
});

it('answers QueryLineage by direction, depth and filters', async () => {
  // data → model → package → deployment
  const data = await artifact(`s3://d/${uniqueName('x')}`, 'DataSet');
  const model = await artifact(`s3://m/${uniqueName('x')}`, 'Model');
  const pkg = await artifact(
    `arn:aws:sagemaker:us-east-1:123456789012:model-package/${uniqueName('g')}/1`,
    'ModelPackage',
  );
  const { ActionArn: deploy } = await sagemaker.send(
    new CreateActionCommand({
      ActionName: uniqueName('deploy'),
      Source: { SourceUri: 'cfg' },
      ActionType: 'ModelDeployment',
    }),
  );
  for (const [s, d] of [
    [data, model],
    [model, pkg],
    [pkg, deploy],
  ]) {
    await sagemaker.send(
      new AddAssociationCommand({ SourceArn: s, DestinationArn: d, AssociationType: 'ContributedTo' }),
    );
  }
  const up = await sagemaker.send(
    new QueryLineageCommand({ StartArns: [deploy as string], Direction: 'Ascendants', IncludeEdges: true }),
  );
  expect(up.Vertices?.map((v) => v.Arn).sort()).toEqual([data, model, pkg, deploy].sort());
  expect(up.Edges).toHaveLength(3);
  const shallow = await sagemaker.send(
    new QueryLineageCommand({ StartArns: [deploy as string], Direction: 'Ascendants', MaxDepth: 1 }),
  );
  expect(shallow.Vertices?.map((v) => v.Arn).sort()).toEqual([pkg, deploy].sort());
  const down = await sagemaker.send(
    new QueryLineageCommand({ StartArns: [model], Direction: 'Descendants' }),
  );
  expect(down.Vertices?.map((v) => v.Arn).sort()).toEqual([model, pkg, deploy].sort());
  const onlyData = await sagemaker.send(
    new QueryLineageCommand({
      StartArns: [deploy as string],
      Direction: 'Ascendants',
      Filters: { Types: ['DataSet'] },
    }),
  );
  expect(onlyData.Vertices).toEqual([{ Arn: data, Type: 'DataSet', LineageType: 'Artifact' }]);
});

it('creates SageMaker’s own entities for groups, versions and endpoints, once each', async () => {
  const group = uniqueName('auto');
  const arn = await registerVersion(sagemaker, group);
  const [pkg] = (await sagemaker.send(new ListArtifactsCommand({ SourceUri: arn }))).ArtifactSummaries ?? [];
  expect(pkg).toMatchObject({ ArtifactType: 'ModelPackage' });
  const contexts =
    (await sagemaker.send(new ListContextsCommand({ ContextType: 'ModelPackageGroup' }))).ContextSummaries ??
    [];
  const groupContext = contexts.find((c) => c.Source?.SourceUri?.endsWith(`model-package-group/${group}`));
  expect(groupContext).toBeDefined();
  const toGroup = await sagemaker.send(
    new ListAssociationsCommand({ SourceArn: pkg?.ArtifactArn, DestinationArn: groupContext?.ContextArn }),
  );
  expect(toGroup.AssociationSummaries).toHaveLength(1);

  const name = uniqueName('ep');
  await sagemaker.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/r',
      Containers: [{ ModelPackageName: arn }],
    }),
  );
  await sagemaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
      ],
    }),
  );
  await sagemaker.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name }));
  const endpointArn = `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${name}`;
  const endpointContext = await eventually(
    async () =>
      (await sagemaker.send(new ListContextsCommand({ SourceUri: endpointArn }))).ContextSummaries?.[0],
    'the endpoint context',
  );
  expect(endpointContext.ContextType).toBe('Endpoint');
  const lineage = await sagemaker.send(
    new QueryLineageCommand({ StartArns: [endpointContext.ContextArn as string], Direction: 'Ascendants' }),
  );
  expect(lineage.Vertices?.map((v) => v.Type).sort()).toEqual([
    'Endpoint',
    'Image',
    'Model',
    'ModelDeployment',
    'ModelPackage',
  ]);
  expect(lineage.Vertices?.map((v) => v.Arn)).toContain(pkg?.ArtifactArn);
});
