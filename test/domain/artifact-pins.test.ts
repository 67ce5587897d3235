import {
  type ArtifactPins,
  type ArtifactState,
  artifactChange,
  deployedImageStates,
  externalState,
  GATE_CATCH_UP_MS,
  HASH_LIMIT_BYTES,
  hashWanted,
  type ImageState,
  imageDigestOf,
  listingDigest,
  modelDataLocations,
  needsHash,
  type ObjectState,
  parseImage,
  pinnedRead,
  prefixState,
  verdictHold,
} from '../../domain/artifact-pins';

const weights: ObjectState = {
  kind: 'object',
  uri: 's3://models/churn/model.tar.gz',
  etag: '"aaa"',
  size: 100,
  versionId: 'v-1',
};
const now = new Date('2026-12-02T10:00:00Z');
const pins = (modelData: ArtifactState[] = [weights]): ArtifactPins => ({ modelData, metrics: [] });
const facts = (over: Partial<Parameters<typeof verdictHold>[0]> = {}) => ({
  verdict: { decidedAt: '2026-12-02T09:59:00Z', artifacts: pins() },
  locations: [{ uri: weights.uri, kind: 'object' as const }],
  observed: new Map([[weights.uri, weights]]),
  registeredAt: new Date(now.getTime() - 60_000),
  now,
  ...over,
});

describe('modelDataLocations', () => {
  it('finds ModelDataUrl and ModelDataSource (an object, or every object under a prefix)', () => {
    expect(
      modelDataLocations([
        { ModelDataUrl: 's3://m/a.tar.gz' },
        { ModelDataSource: { S3DataSource: { S3Uri: 's3://m/llm/', S3DataType: 'S3Prefix' } } },
        { ModelDataSource: { S3DataSource: { S3Uri: 's3://m/b.tar.gz', S3DataType: 'S3Object' } } },
        { ModelDataUrl: 's3://m/a.tar.gz' },
        {},
      ]),
    ).toEqual([
      { uri: 's3://m/a.tar.gz', kind: 'object' },
      { uri: 's3://m/llm/', kind: 'prefix' },
      { uri: 's3://m/b.tar.gz', kind: 'object' },
    ]);
  });

  it('finds everything else the container loads: additional model data, additional S3 data, and its code', () => {
    expect(
      modelDataLocations([
        {
          ModelDataUrl: 's3://m/a.tar.gz',
          AdditionalModelDataSources: [
            { S3DataSource: { S3Uri: 's3://m/adapters/', S3DataType: 'S3Prefix' } },
            { S3DataSource: { S3Uri: 's3://m/draft.tar.gz', S3DataType: 'S3Object' } },
          ],
          AdditionalS3DataSource: { S3Uri: 's3://m/lookup.csv', S3DataType: 'S3Object' },
          Environment: { SAGEMAKER_SUBMIT_DIRECTORY: 's3://code/run-1/sourcedir.tar.gz', OTHER: 's3://x/y' },
        },
        // Code already in the image (a path, not S3) is the image's, not an S3 artifact.
        { Environment: { SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code' } },
      ]),
    ).toEqual([
      { uri: 's3://m/a.tar.gz', kind: 'object' },
      { uri: 's3://m/adapters/', kind: 'prefix' },
      { uri: 's3://m/draft.tar.gz', kind: 'object' },
      { uri: 's3://m/lookup.csv', kind: 'object' },
      { uri: 's3://code/run-1/sourcedir.tar.gz', kind: 'object' },
      // Any other S3 URI in the environment may be loaded (LMI's OPTION_MODEL_ID=s3://…): a prefix.
      { uri: 's3://x/y', kind: 'prefix' },
    ]);
  });

  it('finds weights a container downloads from the Hugging Face Hub, pinned only by a commit revision', () => {
    const commit = '0123456789abcdef0123456789abcdef01234567';
    expect(
      modelDataLocations([
        { Environment: { HF_MODEL_ID: 'org/model' } },
        { Environment: { HF_MODEL_ID: 'org/model', HF_MODEL_REVISION: commit } },
        { Environment: { OPTION_MODEL_ID: 'org/llm', OPTION_REVISION: 'main' } },
        { Environment: { HF_MODEL_ID: '/opt/ml/model' } },
        { Environment: { OPTION_MODEL_ID: 's3://m/llm/' } },
      ]),
    ).toEqual([
      { uri: 'hub:org/model@unpinned', kind: 'external' },
      { uri: `hub:org/model@${commit}`, kind: 'external' },
      { uri: 'hub:org/llm@main', kind: 'external' },
      { uri: 's3://m/llm/', kind: 'prefix' },
    ]);
    expect(externalState(`hub:org/model@${commit}`)).toEqual({
      kind: 'external',
      uri: `hub:org/model@${commit}`,
    });
    expect(externalState('hub:org/model@unpinned').unreadable).toMatch(/at whatever its main branch holds/);
    expect(externalState('hub:org/llm@main').unreadable).toMatch(/revision "main" is a branch or tag/);
    const unpinned = externalState('hub:org/model@unpinned');
    expect(
      verdictHold(
        facts({
          verdict: { decidedAt: '2026-12-02T09:59:00Z', artifacts: pins([unpinned]) },
          locations: [{ uri: unpinned.uri, kind: 'external' }],
          observed: new Map<string, ArtifactState>([[unpinned.uri, unpinned]]),
        }),
      ),
    ).toMatchObject({ code: 'artifact-changed', detail: expect.stringContaining('cannot be pinned') });
  });

  it('holds a version that names no containers (built from an algorithm): nothing it loads is pinned', () => {
    expect(verdictHold(facts({ locations: [] }))).toMatchObject({
      code: 'model-data-not-pinned',
      detail: expect.stringContaining('SourceAlgorithmSpecification'),
    });
  });
});

describe('listingDigest', () => {
  it('does not depend on listing order, and changes with any key, ETag or size', () => {
    const a = { key: 'llm/a', etag: '"1"', size: 1 };
    const b = { key: 'llm/b', etag: '"2"', size: 2 };
    expect(listingDigest([a, b])).toBe(listingDigest([b, a]));
    for (const changed of [
      { ...b, etag: '"3"' },
      { ...b, size: 3 },
      { ...b, key: 'llm/c' },
    ])
      expect(listingDigest([a, changed])).not.toBe(listingDigest([a, b]));
    expect(listingDigest([a])).not.toBe(listingDigest([a, b]));
  });
});

describe('artifactChange', () => {
  it('names the object and what changed: VersionId, ETag, size, or that it is gone', () => {
    expect(artifactChange(weights, weights)).toBeUndefined();
    expect(artifactChange(weights, { ...weights, versionId: 'v-2', etag: '"bbb"' })).toBe(
      's3://models/churn/model.tar.gz was overwritten after the quality gate decided (VersionId v-1 → v-2, ETag "aaa" → "bbb")',
    );
    // An unversioned bucket: the ETag and size alone.
    const { versionId: _v, ...unversioned } = weights;
    expect(artifactChange(unversioned, { ...unversioned, size: 101 })).toMatch(/size 100 → 101 bytes/);
    expect(artifactChange(weights, { kind: 'object', uri: weights.uri, missing: true })).toMatch(
      /no longer exists/,
    );
    // Nothing there when the gate decided: nothing pinned, never deployable (an upload later would be unchecked).
    expect(artifactChange({ kind: 'object', uri: weights.uri, missing: true }, weights)).toMatch(
      /did not exist when the quality gate decided/,
    );
  });

  it('never takes an artifact that could not be read (access denied) for pinned', () => {
    const denied = { kind: 'object' as const, uri: weights.uri, unreadable: 'AccessDenied: Access Denied' };
    expect(artifactChange(denied, denied)).toMatch(
      /could not be read when the quality gate decided \(AccessDenied: Access Denied\), so nothing was pinned; list its bucket in modelArtifactBuckets/,
    );
    expect(artifactChange(weights, denied)).toMatch(/cannot be read now \(AccessDenied/);
  });

  it('compares a prefix by its listing digest', () => {
    const before = prefixState('s3://m/llm/', [{ key: 'llm/a', etag: '"1"', size: 1 }]);
    const after = prefixState('s3://m/llm/', [
      { key: 'llm/a', etag: '"1"', size: 1 },
      { key: 'llm/extra.safetensors', etag: '"9"', size: 9 },
    ]);
    expect(artifactChange(before, before)).toBeUndefined();
    expect(artifactChange(before, after)).toMatch(
      /^model data under s3:\/\/m\/llm\/ changed after the quality gate decided: 1 object\(s\).*; 2 object\(s\)/,
    );
  });
});

describe('verdictHold', () => {
  it('deploys a version whose verdict is kept and whose model data is as pinned', () => {
    expect(verdictHold(facts())).toBeUndefined();
  });

  it('waits (quietly) for a verdict the gate is about to write, and says why when it never will', () => {
    expect(verdictHold(facts({ verdict: undefined }))?.code).toBe('verdict-pending');
    const old = new Date(now.getTime() - GATE_CATCH_UP_MS - 1);
    expect(verdictHold(facts({ verdict: undefined, registeredAt: old }))?.code).toBe('verdict-missing');
  });

  it('holds a version whose model data was swapped after the verdict, naming the object', () => {
    const swapped = { ...weights, etag: '"evil"', versionId: 'v-2' };
    expect(verdictHold(facts({ observed: new Map([[weights.uri, swapped]]) }))?.code).toBe(
      'artifact-changed',
    );
    expect(verdictHold(facts({ observed: new Map([[weights.uri, swapped]]) }))?.detail).toMatch(
      /^s3:\/\/models\/churn\/model.tar.gz was overwritten after the quality gate decided \(VersionId v-1 → v-2, ETag "aaa" → "evil"\); the approved version would serve other weights/,
    );
  });

  it('holds a version that now names model data the gate never saw', () => {
    expect(
      verdictHold(facts({ locations: [{ uri: 's3://models/other/model.tar.gz', kind: 'object' }] })),
    ).toMatchObject({ code: 'model-data-not-pinned' });
  });

  it('holds a version decided before pins existed (fail closed: its weights cannot be verified)', () => {
    expect(verdictHold(facts({ verdict: { decidedAt: '2026-01-01T00:00:00Z' } }))?.code).toBe(
      'verdict-unpinned',
    );
  });
});

describe('pinnedRead', () => {
  it('accepts the pinned VersionId, else only the pinned ETag; an unpinned file is never taken', () => {
    expect(pinnedRead(weights, { versionId: 'v-1', etag: '"aaa"', size: 100 })).toBeUndefined();
    const { versionId: _v, ...unversioned } = weights;
    expect(pinnedRead(unversioned, { etag: '"aaa"', size: 100 })).toBeUndefined();
    expect(pinnedRead(unversioned, { etag: '"bbb"', size: 100 })).toMatch(/changed since its verdict/);
    expect(pinnedRead(undefined, { etag: '"aaa"' })).toMatch(/not pinned/);
  });
});

describe('images, pinned by digest', () => {
  const ecr = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
  const digest = (c: string) => `sha256:${c.repeat(64)}`;
  const image = (over: Partial<ImageState> = {}): ImageState => ({
    kind: 'image',
    uri: `${ecr}/churn:v3`,
    digest: digest('a'),
    ...over,
  });

  it("reads an ECR reference as ECR's API takes it; a tagless one means latest; any other registry is not ECR", () => {
    expect(parseImage(`${ecr}/team/churn:v3`)).toEqual({
      registryId: '123456789012',
      region: 'us-east-1',
      repository: 'team/churn',
      tag: 'v3',
    });
    expect(parseImage(`${ecr}/churn`)).toMatchObject({ repository: 'churn', tag: 'latest' });
    expect(parseImage(`${ecr}/churn@${digest('b')}`)).toEqual({
      registryId: '123456789012',
      region: 'us-east-1',
      repository: 'churn',
      digest: digest('b'),
    });
    expect(
      parseImage('683313688378.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-xgboost:1.7-1'),
    ).toMatchObject({
      region: 'cn-north-1',
      repository: 'sagemaker-xgboost',
    });
    expect(parseImage('registry.example.com:5000/churn:v3')).toBeUndefined();
    expect(imageDigestOf(`registry.example.com/churn@${digest('c')}`)).toBe(digest('c'));
    expect(imageDigestOf(`${ecr}/churn:v3`)).toBeUndefined();
  });

  it("counts each container's image among what the version loads", () => {
    expect(modelDataLocations([{ Image: `${ecr}/churn:v3`, ModelDataUrl: 's3://m/a.tar.gz' }])).toEqual([
      { uri: `${ecr}/churn:v3`, kind: 'image' },
      { uri: 's3://m/a.tar.gz', kind: 'object' },
    ]);
  });

  it('names a moved tag with both digests, a deleted image, and an image that could not be pinned', () => {
    expect(artifactChange(image(), image())).toBeUndefined();
    expect(artifactChange(image(), image({ digest: digest('b') }))).toBe(
      `image ${ecr}/churn:v3 was moved to other code after the quality gate decided (its tag resolved to sha256:aaaaaaaaaaaa when pinned; to sha256:bbbbbbbbbbbb now)`,
    );
    expect(artifactChange(image(), image({ digest: undefined, missing: true }))).toContain(
      'no longer exists in its repository',
    );
    expect(artifactChange(image({ digest: undefined, missing: true }), image())).toContain(
      'did not exist in its repository when the quality gate decided',
    );
    expect(
      artifactChange(image({ digest: undefined, unreadable: 'not an Amazon ECR image' }), image()),
    ).toContain('name the image by digest');
  });

  it('holds a version whose image tag moved, or that names an image the gate never saw', () => {
    const pinnedImage = image();
    const withImage = (
      observed: ImageState,
      locations = [{ uri: pinnedImage.uri, kind: 'image' as const }],
    ) =>
      verdictHold(
        facts({
          verdict: { decidedAt: '2026-12-02T09:59:00Z', artifacts: pins([weights, pinnedImage]) },
          locations: [{ uri: weights.uri, kind: 'object' as const }, ...locations],
          observed: new Map<string, ArtifactState>([
            [weights.uri, weights],
            [pinnedImage.uri, observed],
          ]),
        }),
      );
    expect(withImage(image())).toBeUndefined();
    expect(withImage(image({ digest: digest('b') }))).toMatchObject({
      code: 'artifact-changed',
      detail: expect.stringContaining('would serve other code than was decided'),
    });
    expect(withImage(image(), [{ uri: `${ecr}/churn:v4`, kind: 'image' }])).toMatchObject({
      code: 'model-data-not-pinned',
      detail: expect.stringContaining(`its image ${ecr}/churn:v4 is not what the quality gate saw`),
    });
  });

  it('keeps checking the S3 pins of a verdict decided before images were pinned', () => {
    expect(
      verdictHold(
        facts({
          locations: [
            { uri: weights.uri, kind: 'object' },
            { uri: `${ecr}/churn:v3`, kind: 'image' },
          ],
        }),
      ),
    ).toBeUndefined();
  });
});

describe('an unversioned object rewritten with the same ETag and size (an MD5 is not a checksum an attacker cannot match)', () => {
  const pinned: ObjectState = {
    kind: 'object',
    uri: 's3://plain/churn/model.tar.gz',
    etag: '"5d41402abc4b2a76b9719d911017c592"',
    size: 100,
    lastModified: '2026-12-02T09:58:00.000Z',
    sha256: 'a'.repeat(64),
  };
  const rewritten = { ...pinned, lastModified: '2026-12-02T10:05:00.000Z' };

  it('asks for the bytes to be hashed only when a rewrite keeps the ETag and size', () => {
    const { sha256: _, ...headed } = rewritten;
    expect(needsHash(pinned, headed)).toBe(true);
    expect(needsHash(pinned, { ...headed, lastModified: pinned.lastModified })).toBe(false);
    expect(needsHash(pinned, { ...headed, etag: '"other"' })).toBe(false);
    expect(needsHash({ ...pinned, versionId: 'v-1' }, headed)).toBe(false);
    expect(needsHash({ ...pinned, sha256: undefined }, headed)).toBe(false);
  });

  it('takes the same bytes written again for unchanged, and other bytes of the same MD5 for overwritten', () => {
    expect(artifactChange(pinned, rewritten)).toBeUndefined();
    expect(artifactChange(pinned, { ...rewritten, sha256: 'b'.repeat(64) })).toBe(
      's3://plain/churn/model.tar.gz was overwritten after the quality gate decided with other bytes of the same ETag (MD5) and size (SHA-256 aaaaaaaaaaaa → bbbbbbbbbbbb)',
    );
  });

  it('fails closed on a rewrite it cannot hash: too large to hash when pinned, or unreadable now', () => {
    expect(artifactChange({ ...pinned, sha256: undefined }, { ...rewritten, sha256: undefined })).toMatch(
      /was rewritten after the quality gate decided \(LastModified .* → .*, the same ETag and size\), and was not hashed when pinned/,
    );
    expect(artifactChange(pinned, { ...rewritten, sha256: undefined })).toMatch(/could not be hashed now/);
  });

  it('trusts a pinned VersionId, and pins from before LastModified was kept compare as before', () => {
    expect(
      artifactChange({ ...pinned, versionId: 'v-1' }, { ...rewritten, versionId: 'v-1', sha256: undefined }),
    ).toBeUndefined();
    const { lastModified: _, ...old } = pinned;
    expect(artifactChange(old, { ...rewritten, sha256: undefined })).toBeUndefined();
  });

  it('holds a prefix whose objects were rewritten with the same ETags and sizes', () => {
    const listed = (lastModified: string) => [{ key: 'llm/a', etag: '"1"', size: 1, lastModified }];
    const before = prefixState('s3://m/llm/', listed('2026-12-02T09:58:00.000Z'));
    expect(
      artifactChange(before, prefixState('s3://m/llm/', listed('2026-12-02T09:58:00.000Z'))),
    ).toBeUndefined();
    expect(artifactChange(before, prefixState('s3://m/llm/', listed('2026-12-02T10:05:00.000Z')))).toMatch(
      /was rewritten after the quality gate decided: the same keys, ETags and sizes, but objects with a later LastModified/,
    );
  });
});

describe('hashWanted', () => {
  const unversioned: ObjectState = { kind: 'object', uri: 's3://plain/m.tar.gz', etag: '"e"', size: 10 };
  it('hashes, when pinning, an unversioned object within the limit and the run’s budget only', () => {
    expect(hashWanted({ pin: true }, unversioned, 100)).toBe(true);
    expect(hashWanted({ pin: true }, { ...unversioned, versionId: 'v-1' }, 100)).toBe(false);
    expect(
      hashWanted({ pin: true }, { ...unversioned, size: HASH_LIMIT_BYTES + 1 }, Number.MAX_SAFE_INTEGER),
    ).toBe(false);
    expect(hashWanted({ pin: true }, unversioned, 9)).toBe(false);
    expect(hashWanted({ pin: true }, { ...unversioned, missing: true }, 100)).toBe(false);
  });
  it('hashes, when checking, only a rewrite that kept the ETag and size', () => {
    const pinned = { ...unversioned, lastModified: '2026-12-02T09:58:00.000Z', sha256: 'a'.repeat(64) };
    expect(hashWanted({ pinned }, { ...unversioned, lastModified: '2026-12-02T10:05:00.000Z' }, 100)).toBe(
      true,
    );
    expect(hashWanted({ pinned }, { ...unversioned, lastModified: pinned.lastModified }, 100)).toBe(false);
    expect(hashWanted({}, unversioned, 100)).toBe(false);
  });
});

describe('deployedImageStates', () => {
  const image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:v3';
  const pinned: ImageState = { kind: 'image', uri: image, digest: `sha256:${'a'.repeat(64)}` };
  const resolved = `123456789012.dkr.ecr.us-east-1.amazonaws.com/churn@sha256:${'b'.repeat(64)}`;
  it('takes the digest SageMaker deployed for each pinned image, marked as deployed', () => {
    expect(deployedImageStates([pinned], [{ specified: image, resolved }])).toEqual([
      { kind: 'image', uri: image, digest: `sha256:${'b'.repeat(64)}`, deployed: true },
    ]);
  });
  it('ignores images the verdict did not pin, and a resolution without a digest', () => {
    expect(deployedImageStates([pinned], [{ specified: 'other:v1', resolved }])).toEqual([]);
    expect(deployedImageStates([pinned], [{ specified: image, resolved: image }])).toEqual([]);
    expect(deployedImageStates([weights], [{ specified: image, resolved }])).toEqual([]);
  });
  it('names what SageMaker deployed when it is not the pin', () => {
    const [now] = deployedImageStates([pinned], [{ specified: image, resolved }]);
    expect(now && artifactChange(pinned, now)).toMatch(
      /runs other code than the quality gate decided: SageMaker resolved its tag to sha256:bbbbbbbbbbbb when it deployed the version/,
    );
  });
});
