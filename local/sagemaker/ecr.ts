/**
 * Amazon ECR as the app relies on it, where moto differs: moto serves ECR, and the local endpoint
 * proxies callers' requests there, after these corrections.
 *
 * - **An image's digest is the SHA-256 of its manifest.** ECR: the image digest is "the sha256 digest
 *   of the image manifest" (ECR API reference, ImageIdentifier `imageDigest`; the OCI distribution
 *   spec content-addresses a manifest by its bytes), and PutImage's `imageDigest`, when given, must
 *   match it. moto 5.2.1 hashes the concatenated layer digests instead (and a random number for an
 *   index), so two builds with the same layers but another image config would share a digest, and
 *   the app's image pins could not tell them apart. PutImage is given the manifest's digest here.
 * - **`registryId` names whose registry is asked.** ECR's BatchGetImage answers from the registry
 *   `registryId` names (the caller's by default); moto ignores it and looks in the caller's own
 *   repositories. A repository of another registry id is not found here, as on ECR.
 */
import { createHash } from 'node:crypto';
import type { MotoClient } from './moto-client';
import { type CallContext, ServiceError } from './protocol';

export const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';

type Json = Record<string, unknown>;

/** The digest ECR gives a manifest: `sha256:` and the SHA-256 of its bytes as sent. */
export function manifestDigest(manifest: string): string {
  return `sha256:${createHash('sha256').update(manifest, 'utf8').digest('hex')}`;
}

/**
 * Checks an ECR request before moto answers it: returns the body to send instead (PutImage with its
 * digest), or undefined to send it as it is; throws the ServiceError ECR would answer with.
 */
export async function beforeEcr(
  moto: MotoClient,
  ctx: CallContext,
  operation: string,
  body: Json,
): Promise<Json | undefined> {
  if (operation === 'PutImage' && typeof body.imageManifest === 'string') {
    const digest = manifestDigest(body.imageManifest);
    if (typeof body.imageDigest === 'string' && body.imageDigest !== digest)
      throw new ServiceError(
        'InvalidParameterException',
        `Invalid parameter at 'imageDigest' failed to satisfy constraint: '${body.imageDigest}' is not the digest of the manifest (${digest})`,
      );
    return { ...body, imageDigest: digest };
  }
  if (
    (operation === 'BatchGetImage' || operation === 'DescribeImages') &&
    typeof body.registryId === 'string' &&
    typeof body.repositoryName === 'string'
  ) {
    // moto's DescribeRepositories leaves out a repository of another registry id.
    const notFound = new ServiceError(
      'RepositoryNotFoundException',
      `The repository with name '${body.repositoryName}' does not exist in the registry with id '${body.registryId}'`,
    );
    const out = await moto
      .ecr<{ repositories?: { registryId?: string }[] }>(ctx, 'DescribeRepositories', {
        registryId: body.registryId,
        repositoryNames: [body.repositoryName],
      })
      .catch((error: unknown) => {
        throw error instanceof ServiceError ? notFound : error;
      });
    if (!out.repositories?.some((r) => r.registryId === body.registryId)) throw notFound;
  }
  return undefined;
}
