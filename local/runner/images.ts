/**
 * The container images local mode provides as AWS does: SageMaker's built-in algorithm images.
 *
 * AWS owns the repositories of SageMaker's built-in algorithms (XGBoost in us-east-1 is
 * `683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost`: developer guide, "Docker Registry
 * Paths and Example Code") and every account may pull from them. The app resolves a version's image
 * tag to its digest (ECR BatchGetImage) to pin it, so in local mode those images must exist in every
 * account that plays a stack, as they do on AWS. moto keeps repositories per account and accepts the
 * owning registry's id at creation, so each account gets the same repository under AWS's registry id,
 * holding the same manifest (hence the same digest everywhere). A team's own images are pushed as on
 * AWS (CreateRepository, PutImage against the local endpoint). One difference stays: on AWS nobody
 * but AWS may push to the built-in repositories; locally a caller of the account could.
 */
import { createHash } from 'node:crypto';
import {
  CreateRepositoryCommand,
  ECRClient,
  ImageAlreadyExistsException,
  PutImageCommand,
  RepositoryAlreadyExistsException,
} from '@aws-sdk/client-ecr';
import { manifestDigest } from '../sagemaker/ecr';
import { clientConfig, inMotoAccount } from './support';

export interface BuiltInImage {
  readonly registryId: string;
  readonly repository: string;
  readonly tag: string;
}

/** The built-in images the README, the demo and `mgov register` name. */
export const BUILT_IN_IMAGES: readonly BuiltInImage[] = [
  { registryId: '683313688378', repository: 'sagemaker-xgboost', tag: '1.7-1' },
];

/** A Docker image manifest (schema 2) standing for the image: its digest is the image's digest. */
export function builtInManifest(image: BuiltInImage): string {
  const layer = (n: number) => ({
    mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
    size: 1000 + n,
    digest: `sha256:${createHash('sha256').update(`${image.repository}:${image.tag} layer ${n}`).digest('hex')}`,
  });
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 100,
      digest: layer(0).digest,
    },
    layers: [layer(1)],
  });
}

/** Puts the built-in images into `account` (idempotent: a repository or image already there is kept). */
export async function provideBuiltInImages(motoUrl: string, account: string, region: string): Promise<void> {
  const ecr = inMotoAccount(new ECRClient(clientConfig(motoUrl, 'local-runner', region)), account);
  try {
    for (const image of BUILT_IN_IMAGES) {
      try {
        await ecr.send(
          new CreateRepositoryCommand({ registryId: image.registryId, repositoryName: image.repository }),
        );
      } catch (error) {
        if (!(error instanceof RepositoryAlreadyExistsException)) throw error;
      }
      try {
        await ecr.send(
          new PutImageCommand({
            registryId: image.registryId,
            repositoryName: image.repository,
            imageTag: image.tag,
            imageManifest: builtInManifest(image),
            // Straight to moto, past the local endpoint's ECR correction (ecr.ts): the digest ECR gives it.
            imageDigest: manifestDigest(builtInManifest(image)),
          }),
        );
      } catch (error) {
        if (!(error instanceof ImageAlreadyExistsException)) throw error;
      }
    }
  } finally {
    ecr.destroy();
  }
}
