/**
 * Amazon ECR through the local endpoint, where moto differs from ECR (local/sagemaker/ecr.ts): an
 * image's digest is the SHA-256 of its manifest, and BatchGetImage answers from the registry its
 * registryId names. Over HTTP with the real SDK client.
 */
import { createHash } from 'node:crypto';
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  ECRClient,
  PutImageCommand,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { imageManifest } from '../harness/images';
import { uniqueName } from '../harness/local-aws';
import { startLocalSageMaker } from '../harness/local-sagemaker';

let local: Awaited<ReturnType<typeof startLocalSageMaker>>;
let ecr: ECRClient;
beforeAll(async () => {
  local = await startLocalSageMaker();
  ecr = new ECRClient(local.clientConfig('ml-engineer'));
});
afterAll(() => local.stop());

/** One build of an image: the same layer, and a config that differs by build (ENTRYPOINT, ENV…). */
const manifest = (build: string) => imageManifest(build, 'the same layer');
const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

it("gives an image the SHA-256 of its manifest as its digest, so builds that share their layers differ (moto hashes the layers' digests)", async () => {
  const repositoryName = uniqueName('serving');
  await ecr.send(new CreateRepositoryCommand({ repositoryName }));
  const first = await ecr.send(
    new PutImageCommand({ repositoryName, imageTag: 'v1', imageManifest: manifest('build 1') }),
  );
  expect(first.image?.imageId?.imageDigest).toBe(sha256(manifest('build 1')));
  const second = await ecr.send(
    new PutImageCommand({ repositoryName, imageTag: 'v1', imageManifest: manifest('build 2') }),
  );
  expect(second.image?.imageId?.imageDigest).toBe(sha256(manifest('build 2')));
  const got = await ecr.send(new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag: 'v1' }] }));
  expect(got.images?.map((i) => i.imageId?.imageDigest)).toEqual([sha256(manifest('build 2'))]);
  // A digest that is not the manifest's is refused, as ECR refuses it.
  await expect(
    ecr.send(
      new PutImageCommand({
        repositoryName,
        imageTag: 'v2',
        imageManifest: manifest('build 3'),
        imageDigest: sha256('something else'),
      }),
    ),
  ).rejects.toMatchObject({ name: 'InvalidParameterException' });
});

it('answers BatchGetImage from the registry registryId names: the caller’s own repository of that name is not another registry’s', async () => {
  const repositoryName = uniqueName('serving');
  await ecr.send(new CreateRepositoryCommand({ repositoryName }));
  await ecr.send(new PutImageCommand({ repositoryName, imageTag: 'v1', imageManifest: manifest('mine') }));
  const own = await ecr.send(
    new BatchGetImageCommand({ registryId: '123456789012', repositoryName, imageIds: [{ imageTag: 'v1' }] }),
  );
  expect(own.images).toHaveLength(1);
  await expect(
    ecr.send(
      new BatchGetImageCommand({
        registryId: '999999999999',
        repositoryName,
        imageIds: [{ imageTag: 'v1' }],
      }),
    ),
  ).rejects.toBeInstanceOf(RepositoryNotFoundException);
});
