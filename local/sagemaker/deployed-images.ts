/**
 * `DeployedImages` of an endpoint's variants, as SageMaker reports them once the endpoint is
 * InService: for the variant's primary container, the image as specified, the image by the digest
 * its tag named when SageMaker resolved it (`ResolvedImage`, `registry/repository@digest`), and when
 * (API reference, ProductionVariantSummary `DeployedImages`, DeployedImage: "If you used the
 * registry/repository[:tag] form to specify the image path of the primary container when you
 * created the model hosted in this ProductionVariant, the path resolves to a path of the form
 * registry/repository[@digest]"). A model made from a model package runs the package's image.
 * Resolved here from the local ECR (moto, in the endpoint's account), so a tag pushed while the
 * endpoint was Creating or Updating is what it runs, as on AWS. An image that cannot be resolved is
 * left with its SpecifiedImage only (on AWS the endpoint would fail to start).
 */
import { imageDigestOf, parseImage } from '../../domain/artifact-pins';
import type { MotoClient } from './moto-client';
import { type CallContext, ServiceError } from './protocol';

type Json = Record<string, unknown>;

export async function withDeployedImages(
  moto: MotoClient,
  ctx: CallContext,
  config: Json,
  variants: readonly Json[],
  at: Date,
): Promise<Json[]> {
  const out: Json[] = [];
  for (const variant of variants) {
    const configured = ((config.ProductionVariants as Json[] | undefined) ?? []).find(
      (v) => v.VariantName === variant.VariantName,
    );
    const specified = configured ? await primaryImage(moto, ctx, String(configured.ModelName)) : undefined;
    if (!specified) {
      out.push(variant);
      continue;
    }
    const resolved = await resolve(moto, ctx, specified);
    out.push({
      ...variant,
      DeployedImages: [
        {
          SpecifiedImage: specified,
          ...(resolved ? { ResolvedImage: resolved, ResolutionTime: at.getTime() / 1000 } : {}),
        },
      ],
    });
  }
  return out;
}

/** The model's primary container's image, or its model package's. */
async function primaryImage(
  moto: MotoClient,
  ctx: CallContext,
  modelName: string,
): Promise<string | undefined> {
  const model = await moto
    .sagemaker(ctx, 'DescribeModel', { ModelName: modelName })
    .catch((e: unknown) => (e instanceof ServiceError ? undefined : Promise.reject(e)));
  // moto answers an empty PrimaryContainer for a model made with Containers.
  const container = [model?.PrimaryContainer, ...((model?.Containers as Json[] | undefined) ?? [])].find(
    (c): c is Json =>
      typeof c === 'object' && c !== null && ('Image' in (c as Json) || 'ModelPackageName' in (c as Json)),
  );
  if (!container) return undefined;
  if (typeof container.Image === 'string') return container.Image;
  const packageArn = typeof container.ModelPackageName === 'string' ? container.ModelPackageName : undefined;
  if (!packageArn?.startsWith('arn:')) return undefined;
  // The package is described in the account that holds it (the registry's, in a multi-account app).
  const owner = packageArn.split(':')[4] || ctx.account;
  const described = await moto
    .sagemaker({ ...ctx, account: owner }, 'DescribeModelPackage', { ModelPackageName: packageArn })
    .catch((e: unknown) => (e instanceof ServiceError ? undefined : Promise.reject(e)));
  const containers = (described?.InferenceSpecification as Json | undefined)?.Containers as
    | Json[]
    | undefined;
  const image = containers?.[0]?.Image;
  return typeof image === 'string' ? image : undefined;
}

/** `registry/repository@digest` for an image reference, as ECR resolves its tag now. */
async function resolve(moto: MotoClient, ctx: CallContext, image: string): Promise<string | undefined> {
  const [registry] = image.split('/');
  const repositoryPath = image.slice((registry?.length ?? 0) + 1).replace(/[:@].*$/, '');
  const named = imageDigestOf(image);
  if (named) return `${registry}/${repositoryPath}@${named}`;
  const ref = parseImage(image);
  if (!ref?.tag) return undefined;
  const out = await moto
    .ecr<{ images?: { imageId?: { imageDigest?: string } }[] }>(ctx, 'BatchGetImage', {
      registryId: ref.registryId,
      repositoryName: ref.repository,
      imageIds: [{ imageTag: ref.tag }],
    })
    .catch((e: unknown) => (e instanceof ServiceError ? undefined : Promise.reject(e)));
  const digest = out?.images?.[0]?.imageId?.imageDigest;
  return digest ? `${registry}/${ref.repository}@${digest}` : undefined;
}
