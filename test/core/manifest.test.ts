import { groupReference, parseManifest } from '../../core/manifest';

describe('groupReference', () => {
  it('names a group by name in its own account, by its registry ARN from another', () => {
    expect(groupReference({ manifestVersion: 1, groups: [] }, 'Churn')).toBe('Churn');
    expect(
      groupReference(
        { manifestVersion: 1, groups: [], registry: { account: '111111111111', region: 'eu-west-1' } },
        'Churn',
      ),
    ).toBe('arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/churn');
    expect(
      groupReference(
        { manifestVersion: 1, groups: [], registry: { account: '111111111111', region: 'cn-north-1' } },
        'g',
      ),
    ).toBe('arn:aws-cn:sagemaker:cn-north-1:111111111111:model-package-group/g');
  });
});

describe('parseManifest', () => {
  it('says what to do with a manifest it cannot use', () => {
    expect(() => parseManifest('{', 'x.json')).toThrow(
      /^The governance manifest at x.json is not valid JSON .*; re-run cdk synth\.$/,
    );
    expect(() => parseManifest('{"manifestVersion":2}', 'x.json')).toThrow(
      'The governance manifest at x.json is not a version 1 manifest; re-run cdk synth and redeploy.',
    );
  });
});
