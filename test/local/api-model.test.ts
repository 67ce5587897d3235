/**
 * The local SageMaker refuses what SageMaker refuses, in its words: every rule of botocore's
 * service model (required, enum, length, range, pattern; nested structures, lists, maps), for the
 * operations it serves and those it passes to moto, and the rules the API reference states in prose.
 * Each request goes over HTTP as an AWS SDK would send it (AWS JSON 1.1).
 */
import { readFileSync } from 'node:fs';
import {
  botocoreSageMakerModelPath,
  CACHED_MODEL,
  javaPattern,
  SageMakerApiModel,
} from '../../local/sagemaker/api-model';
import { uniqueName } from '../harness/local-aws';
import { startLocalSageMaker } from '../harness/local-sagemaker';

let local: Awaited<ReturnType<typeof startLocalSageMaker>>;
beforeAll(async () => {
  local = await startLocalSageMaker();
});
afterAll(() => local.stop());

/** One SageMaker call over HTTP, exactly as sent: `{ status, body }`. */
async function call(operation: string, body: Record<string, unknown>) {
  const res = await fetch(local.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `SageMaker.${operation}`,
      authorization:
        'AWS4-HMAC-SHA256 Credential=alice/20260101/us-east-1/sagemaker/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { __type?: string; message?: string } };
}

async function refused(operation: string, body: Record<string, unknown>, message: string) {
  const out = await call(operation, body);
  expect(out).toEqual({ status: 400, body: { __type: 'ValidationException', message } });
}

const NAME = '[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}';
const TAG = '([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)';

describe('the API model, for operations served here', () => {
  it('required members', async () => {
    await refused(
      'CreateEndpoint',
      { EndpointName: 'ep' },
      "1 validation error detected: Value null at 'endpointConfigName' failed to satisfy constraint: Member must not be null",
    );
  });

  it('patterns, matching the whole string', async () => {
    await refused(
      'CreateEndpoint',
      { EndpointName: 'churn_prod', EndpointConfigName: 'c' },
      `1 validation error detected: Value 'churn_prod' at 'endpointName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${NAME}`,
    );
    // A valid prefix does not make a valid name.
    await refused(
      'DescribeEndpoint',
      { EndpointName: 'churn-' },
      `1 validation error detected: Value 'churn-' at 'endpointName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${NAME}`,
    );
  });

  it('enum values', async () => {
    await refused(
      'UpdateModelPackage',
      {
        ModelPackageArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/g/1',
        ModelApprovalStatus: 'Approve',
      },
      "1 validation error detected: Value 'Approve' at 'modelApprovalStatus' failed to satisfy constraint: Member must satisfy enum value set: [Approved, Rejected, PendingManualApproval]",
    );
  });

  it('numeric ranges, both ends', async () => {
    await refused(
      'ListModelPackages',
      { MaxResults: 0 },
      "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    await refused(
      'ListModelPackages',
      { MaxResults: 101 },
      "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
    );
  });

  it('string length, with every violation of a member listed (length before pattern)', async () => {
    const long = `a${'-'.repeat(63)}`;
    await refused(
      'CreateModelPackageGroup',
      { ModelPackageGroupName: long },
      `2 validation errors detected: Value '${long}' at 'modelPackageGroupName' failed to satisfy constraint: Member must have length less than or equal to 63; Value '${long}' at 'modelPackageGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${NAME}`,
    );
  });

  it('maps: keys and values against their own constraints', async () => {
    await refused(
      'CreateModelPackage',
      { ModelPackageGroupName: 'g', CustomerMetadataProperties: { 'risk,rating': 'low' } },
      "1 validation error detected: Value '{risk,rating=low}' at 'customerMetadataProperties' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: ([\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@]*)${1,128}]",
    );
  });

  it('nested structures, by their member path', async () => {
    await refused(
      'UpdateEndpoint',
      {
        EndpointName: 'ep',
        EndpointConfigName: 'c',
        DeploymentConfig: {
          BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'FAST', WaitIntervalInSeconds: 0 } },
        },
      },
      "1 validation error detected: Value 'FAST' at 'deploymentConfig.blueGreenUpdatePolicy.trafficRoutingConfiguration.type' failed to satisfy constraint: Member must satisfy enum value set: [ALL_AT_ONCE, CANARY, LINEAR]",
    );
  });

  it('lists: element paths as N.member, and the tags of an endpoint', async () => {
    await refused(
      'AddTags',
      {
        ResourceArn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/ep',
        Tags: [
          { Key: 'ok', Value: 'fine' },
          { Key: 'model-governance:requested-after', Value: '2026-12-01 10:00, UTC' },
        ],
      },
      `1 validation error detected: Value '2026-12-01 10:00, UTC' at 'tags.2.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: ${TAG}`,
    );
  });

  it('sensitive members: the value is not repeated', async () => {
    await refused(
      'UpdateModelCard',
      { ModelCardName: 'card', Content: 'x'.repeat(100_001) },
      "1 validation error detected: Value at 'content' failed to satisfy constraint: Member must have length less than or equal to 100000",
    );
  });
});

describe('the API model, for operations passed to moto', () => {
  it('refuses before moto sees the request', async () => {
    const model = uniqueName('m');
    await refused(
      'CreateEndpointConfig',
      { EndpointConfigName: 'churn_v1', ProductionVariants: [{ ModelName: model, InitialInstanceCount: 0 }] },
      `3 validation errors detected: Value 'churn_v1' at 'endpointConfigName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${NAME}; Value null at 'productionVariants.1.member.variantName' failed to satisfy constraint: Member must not be null; Value '0' at 'productionVariants.1.member.initialInstanceCount' failed to satisfy constraint: Member must have value greater than or equal to 1`,
    );
    // A valid name with an invalid variant: refused here, so moto never made the config.
    const config = uniqueName('cfg');
    await refused(
      'CreateEndpointConfig',
      {
        EndpointConfigName: config,
        ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'bad name' }],
      },
      "1 validation error detected: Value 'bad name' at 'productionVariants.1.member.modelName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?",
    );
    const described = await call('DescribeEndpointConfig', { EndpointConfigName: config });
    expect(described.status).toBe(400);
    expect(JSON.stringify(described.body)).toMatch(/Could not find/);
  });

  it('lists: length bounds', async () => {
    await refused(
      'CreateEndpointConfig',
      { EndpointConfigName: 'c', ProductionVariants: [] },
      "1 validation error detected: Value '[]' at 'productionVariants' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it('lets a valid request through', async () => {
    const name = uniqueName('group');
    const out = await call('CreateModelPackageGroup', { ModelPackageGroupName: name });
    expect(out.status).toBe(200);
    const found = await call('DescribeModelPackageGroup', { ModelPackageGroupName: name });
    expect(found.status).toBe(200);
  });
});

describe('the API reference’s prose rules', () => {
  it('UpdateModelCard: never content and status in one call; no content for an Archived card', async () => {
    const name = uniqueName('card');
    const content = JSON.stringify({ model_overview: { model_description: 'x' } });
    expect(
      (await call('CreateModelCard', { ModelCardName: name, Content: content, ModelCardStatus: 'Draft' }))
        .status,
    ).toBe(200);
    await refused(
      'UpdateModelCard',
      { ModelCardName: name, Content: content, ModelCardStatus: 'Approved' },
      'You cannot update both model card content and model card status in a single call.',
    );
    expect((await call('UpdateModelCard', { ModelCardName: name, ModelCardStatus: 'Archived' })).status).toBe(
      200,
    );
    await refused(
      'UpdateModelCard',
      { ModelCardName: name, Content: content },
      'Model Card is in Archived state.',
    );
    // The status of an Archived card may still change; then its content may too.
    expect((await call('UpdateModelCard', { ModelCardName: name, ModelCardStatus: 'Draft' })).status).toBe(
      200,
    );
    expect((await call('UpdateModelCard', { ModelCardName: name, Content: content })).status).toBe(200);
  });
  // UpdateEndpoint/DeleteEndpoint while Creating, Updating, SystemUpdating, RollingBack, Deleting:
  // test/local/endpoints.test.ts.
});

describe('Java patterns in JavaScript', () => {
  it('translates every pattern of the model, with Unicode properties', () => {
    const model = SageMakerApiModel.load();
    const patterns = model.allPatterns();
    expect(patterns.length).toBeGreaterThan(100);
    for (const p of patterns) expect(javaPattern(p).flags).toContain('u');
  });

  it.each([
    [NAME, 'churn-prod-v2', true],
    [NAME, 'churn_prod', false],
    [TAG, 'model-governance:group', true],
    [TAG, 'é ü 9', true],
    [TAG, 'a,b', false],
    [
      'arn:[\\p{Alnum}\\-]+:lambda:[\\p{Alnum}\\-]+:[0-9]{12}:function:.*',
      'arn:aws:lambda:us-east-1:123456789012:function:f',
      true,
    ],
    [
      'arn:[\\p{Alnum}\\-]+:lambda:[\\p{Alnum}\\-]+:[0-9]{12}:function:.*',
      'arn:aws:lambda:us_east_1:123456789012:function:f',
      false,
    ],
    ['([\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@]*)${1,128}', 'intended_uses', true],
    [
      '(arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:[a-z\\-]*/)?([a-zA-Z0-9]([a-zA-Z0-9\\-]){0,62})(?<!-)',
      'name-',
      false,
    ],
    [
      '(arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:[a-z\\-]*/)?([a-zA-Z0-9]([a-zA-Z0-9\\-]){0,62})(?<!-)',
      'name-1',
      true,
    ],
  ])('/%s/ on %j: %s', (pattern, value, matches) => {
    expect(javaPattern(pattern).test(value)).toBe(matches);
  });
});

describe('where the model comes from', () => {
  it('is botocore’s, asked of the Python local mode uses, and a copy kept for runs without Python', () => {
    const found = botocoreSageMakerModelPath();
    expect(found).toMatch(/botocore\/data\/sagemaker\/2017-07-24\/service-2\.json\.gz$/);
    expect(readFileSync(CACHED_MODEL)).toEqual(readFileSync(found));
    // A machine with no Python at all (moto elsewhere, MOTO_URL): the kept copy.
    const withoutPython = {
      PATH: '/nonexistent',
      MGOV_PYTHON: '/nonexistent/python3',
      MGOV_VENV: '/nonexistent',
    };
    expect(botocoreSageMakerModelPath(withoutPython)).toBe(CACHED_MODEL);
  });
});
