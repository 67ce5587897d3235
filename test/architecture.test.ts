/**
 * Which way dependencies point, checked on every import of every source file:
 *
 *   bin → lib → core ← lambda        cli, local → lambda, core
 *
 * - core/ (the kernel: configuration types and validation, naming, card naming, event detail types,
 *   the handlers' manifest) imports nothing of ours outside core/, and no AWS SDK or CDK.
 * - lib/ (the constructs) and lambda/ (the handlers) never import each other, nor cli/, local/ or bin/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';

const ROOT = join(__dirname, '..');

interface Rule {
  /** Top-level folder the rule applies to. */
  readonly from: string;
  /** Top-level folders of ours it may not import. */
  readonly forbidden: readonly string[];
  /** Packages it may not import (prefix match). */
  readonly forbiddenPackages?: readonly string[];
  readonly why: string;
}

const OURS = ['bin', 'core', 'lib', 'lambda', 'cli', 'local', 'test', 'bench', 'demo', 'scripts', 'examples'];

const RULES: readonly Rule[] = [
  {
    from: 'core',
    forbidden: OURS.filter((f) => f !== 'core'),
    forbiddenPackages: ['aws-cdk-lib', 'constructs', '@aws-sdk/', 'cdk-nag'],
    why: 'the kernel depends on nothing: move what it needs into core/',
  },
  {
    from: 'lib',
    forbidden: ['lambda', 'cli', 'local', 'bin', 'test'],
    why: 'constructs share only the kernel with the handlers: move the shared function into core/',
  },
  {
    from: 'lambda',
    forbidden: ['lib', 'cli', 'local', 'bin', 'test'],
    forbiddenPackages: ['aws-cdk-lib', 'constructs', 'cdk-nag'],
    why: 'handlers share only the kernel with the constructs: move the shared type or function into core/',
  },
  {
    from: 'cli',
    forbidden: ['lib', 'local', 'bin', 'test'],
    why: 'mgov reads the configuration through core/ and talks to SageMaker through lambda/adapters',
  },
];

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|\brequire\(\s*['"]([^'"]+)['"]\s*\)|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every module specifier a source file imports, re-exports or requires. */
function importsOf(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3] ?? '').filter(Boolean);
}

/** The rule violations of one file (path relative to the repository root, with '/'). */
function violations(file: string, source: string): string[] {
  const top = file.split('/')[0] ?? '';
  const rule = RULES.find((r) => r.from === top);
  if (!rule) return [];
  return importsOf(source).flatMap((spec) => {
    if (spec.startsWith('.')) {
      const target = normalize(join(dirname(file), spec))
        .split(sep)
        .join('/');
      const targetTop = target.split('/')[0] ?? '';
      return rule.forbidden.includes(targetTop) || target.startsWith('..')
        ? [
            `${file} imports ${spec} (${targetTop}/): ${rule.from}/ may not import ${targetTop}/; ${rule.why}.`,
          ]
        : [];
    }
    const pkg = rule.forbiddenPackages?.find(
      (p) => spec === p || spec.startsWith(p.endsWith('/') ? p : `${p}/`),
    );
    return pkg ? [`${file} imports ${spec}: ${rule.from}/ may not use ${pkg}; ${rule.why}.`] : [];
  });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|cts|mts|js|cjs)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

describe('dependency direction', () => {
  it.each(RULES.map((r) => r.from))('%s/ imports only what it may', (folder) => {
    const files = sourceFiles(folder);
    expect(files.length).toBeGreaterThan(0);
    const found = files.flatMap((f) => violations(f, readFileSync(join(ROOT, f), 'utf8')));
    expect(found).toEqual([]);
  });

  it('lib/ and lambda/ are scanned through every kind of import', () => {
    const files = [...sourceFiles('lib'), ...sourceFiles('lambda')];
    expect(files).toContain('lib/constructs/governed-function.ts');
    expect(files).toContain('lambda/reconcile-endpoint/index.ts');
  });

  // The check itself, tried against the ways round it.
  it.each([
    [
      'lib/constructs/x.ts',
      "import { f } from '../../lambda/core/model-card';",
      'lib/ may not import lambda/',
    ],
    ['lib/x.ts', "import type { T } from '../lambda/core/events';", 'lib/ may not import lambda/'],
    ['lib/x.ts', "export { f } from '../lambda/core/events';", 'lib/ may not import lambda/'],
    ['lib/x.ts', "const m = require('../lambda/core/events');", 'lib/ may not import lambda/'],
    ['lib/x.ts', "const m = await import('../lambda/core/events');", 'lib/ may not import lambda/'],
    [
      'lambda/core/x.ts',
      "import type {\n  GovernanceConfig,\n} from '../../lib/app';",
      'lambda/ may not import lib/',
    ],
    ['lambda/x/index.ts', "import { Stack } from 'aws-cdk-lib';", 'lambda/ may not use aws-cdk-lib'],
    ['core/x.ts', "import { f } from '../lambda/core/quality-gate';", 'core/ may not import lambda/'],
    ['core/config/x.ts', "import { S } from '../../lib/app';", 'core/ may not import lib/'],
    [
      'core/x.ts',
      "import { SageMakerClient } from '@aws-sdk/client-sagemaker';",
      'core/ may not use @aws-sdk/',
    ],
    ['core/x.ts', "import { Stack } from 'aws-cdk-lib/core';", 'core/ may not use aws-cdk-lib'],
    ['cli/x.ts', "import { buildGovernanceApp } from '../lib/app';", 'cli/ may not import lib/'],
  ])('refuses %s: %s', (file, source, message) => {
    const found = violations(file, source);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(message);
  });

  it('allows the kernel from every side, and packages outside the rules', () => {
    expect(violations('lib/x.ts', "import { f } from '../core/model-card-naming';")).toEqual([]);
    expect(violations('lambda/core/x.ts', "import type { T } from '../../core/config/types';")).toEqual([]);
    expect(
      violations('core/config/x.ts', "import { f } from '../naming';\nimport { h } from 'node:crypto';"),
    ).toEqual([]);
    expect(violations('lib/x.ts', "import { Stack } from 'aws-cdk-lib';")).toEqual([]);
    expect(violations('lambda/x.ts', "import { SageMakerClient } from '@aws-sdk/client-sagemaker';")).toEqual(
      [],
    );
  });
});
