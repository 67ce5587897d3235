/**
 * The README's "Use it as a library" app is examples/embedded-app/app.ts, word for word, and it
 * synthesizes here against the sources (CI's `npm run example` does the same against the packed
 * tarball in a new project).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';

const ROOT = join(__dirname, '..');
const APP = join(ROOT, 'examples', 'embedded-app', 'app.ts');

jest.mock('model-governance', () => jest.requireActual('../constructs/index'), { virtual: true });

it('the README shows the example app as it is', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Use it as a library'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(block).toBe(readFileSync(APP, 'utf8'));
  expect(block?.split('\n').length).toBeLessThanOrEqual(21);
});

it('the library quick start shows the example app as it is, with versions this repository uses', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'library-quickstart.md'), 'utf8');
  const file = (name: string) =>
    new RegExp(`#### \`${name.replace('.', '\\.')}\`\n[\\s\\S]*?\`\`\`\\w+\n([\\s\\S]*?)^\`\`\``, 'm').exec(
      doc,
    )?.[1];
  expect(file('app.ts')).toBe(readFileSync(APP, 'utf8'));
  const manifest = JSON.parse(file('package.json') ?? '{}') as Record<string, Record<string, string>>;
  const ours = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
    devDependencies: Record<string, string>;
  };
  const wanted = { ...manifest.dependencies, ...manifest.devDependencies };
  expect(wanted['model-governance']).toBe(`^${ours.version}`);
  for (const name of ['aws-cdk-lib', 'constructs', 'aws-cdk', 'typescript']) {
    expect(wanted[name]).toBe(ours.devDependencies[name]);
  }
});

it('the example app synthesizes its bucket beside the governed groups, their rules and the reconciler', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'mgov-example-'));
  const previous = process.env.CDK_OUTDIR;
  process.env.CDK_OUTDIR = outdir;
  try {
    jest.isolateModules(() => {
      require(APP);
    });
  } finally {
    if (previous === undefined) delete process.env.CDK_OUTDIR;
    else process.env.CDK_OUTDIR = previous;
  }
  const template = Template.fromJSON(
    JSON.parse(readFileSync(join(outdir, 'MlPlatform.template.json'), 'utf8')) as Record<string, unknown>,
  );
  template.hasResourceProperties('AWS::S3::Bucket', { BucketName: 'ml-platform-models-example' });
  template.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 2);
  const services = Object.values(template.findResources('AWS::Lambda::Function')).map(
    (f) =>
      (f as { Properties: { Environment: { Variables: Record<string, string> } } }).Properties.Environment
        .Variables.POWERTOOLS_SERVICE_NAME,
  );
  expect(services).toEqual(
    expect.arrayContaining(['model-governance-reconcile-endpoint', 'model-governance-policy-gate']),
  );
  const rules = JSON.stringify(template.findResources('AWS::Events::Rule'));
  expect(rules).toContain('fraud-prod');
});
