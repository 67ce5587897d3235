/**
 * What the published package carries besides dist/: the licence package.json names, in full, and the
 * files a consumer needs. `npm pack --dry-run` lists what `npm publish` would ship; lifecycle scripts are
 * skipped (no build), so the list is the `files` selection over what is on disk.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

it('the package ships the Apache-2.0 LICENSE that package.json declares', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string };
  expect(pkg.license).toBe('Apache-2.0');
  const licence = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
  expect(licence).toContain('Apache License\n                           Version 2.0, January 2004');
  expect(licence).toContain('END OF TERMS AND CONDITIONS');

  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [packed] = JSON.parse(out) as { files: { path: string }[] }[];
  const paths = (packed?.files ?? []).map((f) => f.path);
  expect(paths).toEqual(
    expect.arrayContaining([
      'LICENSE',
      'README.md',
      'package.json',
      'bin/mgov.cjs',
      'governance.config.schema.json',
    ]),
  );
});
