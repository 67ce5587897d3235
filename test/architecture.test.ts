/**
 * Which way dependencies point, checked on every import of every source file:
 *
 *   bin → constructs → core          handlers → adapters → domain → core
 *   cli, local → adapters, domain, core (mgov shares the reconciler's actions through adapters/)
 *   cli/commands/local.ts → local (mgov local starts local mode's runner; no other command may)
 *
 * - core/ (the kernel: configuration types and validation, naming, card naming, event detail types,
 *   the handlers' manifest) imports nothing of ours outside core/, and no AWS SDK or CDK.
 * - domain/ (pure decisions) imports only core/, node: and types: no SDK client, no I/O of ours.
 * - adapters/ (AWS calls) import domain/ and core/, never a handler, a construct or the CLI.
 * - constructs/ and handlers/ never import each other: what both need lives in core/.
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
  /** Packages it may import only with `import type` (erased at compile time). */
  readonly typeOnlyPackages?: boolean;
  /** Packages it may import all the same (prefix match): pure code, no I/O. */
  readonly allowedPackages?: readonly string[];
  /** One file that may import one otherwise forbidden folder, and why. */
  readonly entries?: readonly { readonly file: string; readonly may: string }[];
  readonly why: string;
}

const OURS = [
  'bin',
  'core',
  'domain',
  'adapters',
  'handlers',
  'constructs',
  'cli',
  'local',
  'test',
  'bench',
  'demo',
  'scripts',
  'examples',
];

const RULES: readonly Rule[] = [
  {
    from: 'core',
    forbidden: OURS.filter((f) => f !== 'core'),
    forbiddenPackages: ['aws-cdk-lib', 'constructs', '@aws-sdk/', 'cdk-nag'],
    why: 'the kernel depends on nothing: move what it needs into core/',
  },
  {
    from: 'domain',
    forbidden: OURS.filter((f) => f !== 'core' && f !== 'domain'),
    typeOnlyPackages: true,
    // The generated card validator calls Ajv's runtime helpers (string length by code point).
    allowedPackages: ['ajv/dist/runtime/'],
    why: 'decisions are pure: read through adapters/ in a handler and pass the facts in',
  },
  {
    from: 'adapters',
    forbidden: ['handlers', 'constructs', 'cli', 'local', 'bin', 'test'],
    forbiddenPackages: ['aws-cdk-lib', 'constructs', 'cdk-nag'],
    why: 'adapters are the AWS edge the handlers and mgov share: no handler, construct or CLI code',
  },
  {
    from: 'constructs',
    forbidden: ['handlers', 'domain', 'adapters', 'cli', 'local', 'bin', 'test'],
    why: 'constructs share only the kernel with the handlers: move the shared function into core/',
  },
  {
    from: 'handlers',
    forbidden: ['constructs', 'cli', 'local', 'bin', 'test'],
    forbiddenPackages: ['aws-cdk-lib', 'constructs', 'cdk-nag'],
    why: 'handlers share only the kernel with the constructs: move the shared type or function into core/',
  },
  {
    from: 'cli',
    forbidden: ['constructs', 'handlers', 'local', 'bin', 'test'],
    // `mgov local` is local mode's entry, as `npm run local` is: it loads the runner when it runs.
    entries: [{ file: 'cli/commands/local.ts', may: 'local' }],
    why: 'mgov reads the configuration through core/, decides through domain/ and calls AWS through adapters/',
  },
];

const IMPORT =
  /(?:^|\n)\s*((?:import|export)\s[^;]*?)from\s+['"]([^'"]+)['"]|\brequire\(\s*['"]([^'"]+)['"]\s*\)|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

interface Import {
  readonly spec: string;
  readonly typeOnly: boolean;
}

/** Every module specifier a source file imports, re-exports or requires. */
function importsOf(source: string): Import[] {
  return [...source.matchAll(IMPORT)]
    .map((m) => ({
      spec: m[2] ?? m[3] ?? m[4] ?? '',
      typeOnly: /^(?:import|export)\s+type\s/.test(m[1] ?? ''),
    }))
    .filter((i) => i.spec);
}

/** The rule violations of one file (path relative to the repository root, with '/'). */
function violations(file: string, source: string): string[] {
  const top = file.split('/')[0] ?? '';
  const rule = RULES.find((r) => r.from === top);
  if (!rule) return [];
  return importsOf(source).flatMap(({ spec, typeOnly }) => {
    if (spec.startsWith('.')) {
      const target = normalize(join(dirname(file), spec))
        .split(sep)
        .join('/');
      const targetTop = target.split('/')[0] ?? '';
      const entry = rule.entries?.some((e) => e.file === file && e.may === targetTop);
      return (rule.forbidden.includes(targetTop) && !entry) || target.startsWith('..')
        ? [
            `${file} imports ${spec} (${targetTop}/): ${rule.from}/ may not import ${targetTop}/; ${rule.why}.`,
          ]
        : [];
    }
    const allowed = rule.allowedPackages?.some((p) => spec.startsWith(p));
    if (rule.typeOnlyPackages && !spec.startsWith('node:') && !typeOnly && !allowed)
      return [`${file} imports ${spec}: ${rule.from}/ may use packages only as types; ${rule.why}.`];
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

  it('every layer is scanned through every kind of import', () => {
    const files = RULES.flatMap((r) => sourceFiles(r.from));
    expect(files).toContain('constructs/governed-function.ts');
    expect(files).toContain('handlers/reconcile-endpoint/index.ts');
    expect(files).toContain('domain/endpoint-plan.ts');
    expect(files).toContain('adapters/endpoints.ts');
  });

  // The check itself, tried against the ways round it.
  it.each([
    ['constructs/x.ts', "import { f } from '../domain/model-card';", 'constructs/ may not import domain/'],
    [
      'constructs/x.ts',
      "import type { T } from '../handlers/runtime/env';",
      'constructs/ may not import handlers/',
    ],
    ['constructs/x.ts', "export { f } from '../adapters/endpoints';", 'constructs/ may not import adapters/'],
    ['constructs/x.ts', "const m = require('../domain/events');", 'constructs/ may not import domain/'],
    ['constructs/x.ts', "const m = await import('../domain/events');", 'constructs/ may not import domain/'],
    [
      'handlers/x/index.ts',
      "import type {\n  GovernanceConfig,\n} from '../../constructs/app';",
      'handlers/ may not import constructs/',
    ],
    ['handlers/x/index.ts', "import { Stack } from 'aws-cdk-lib';", 'handlers/ may not use aws-cdk-lib'],
    [
      'domain/x.ts',
      "import { describeEndpoint } from '../adapters/endpoints';",
      'domain/ may not import adapters/',
    ],
    [
      'domain/x.ts',
      "import { SageMakerClient } from '@aws-sdk/client-sagemaker';",
      'domain/ may use packages only as types',
    ],
    [
      'adapters/x.ts',
      "import { reconcile } from '../handlers/reconcile-endpoint/reconcile';",
      'adapters/ may not import handlers/',
    ],
    ['core/x.ts', "import { f } from '../domain/quality-gate';", 'core/ may not import domain/'],
    ['core/config/x.ts', "import { S } from '../../constructs/app';", 'core/ may not import constructs/'],
    [
      'core/x.ts',
      "import { SageMakerClient } from '@aws-sdk/client-sagemaker';",
      'core/ may not use @aws-sdk/',
    ],
    ['core/x.ts', "import { Stack } from 'aws-cdk-lib/core';", 'core/ may not use aws-cdk-lib'],
    [
      'cli/x.ts',
      "import { buildGovernanceApp } from '../constructs/app';",
      'cli/ may not import constructs/',
    ],
  ])('refuses %s: %s', (file, source, message) => {
    const found = violations(file, source);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(message);
  });

  it('allows the kernel from every side, type-only packages in domain/, and packages outside the rules', () => {
    expect(violations('constructs/x.ts', "import { f } from '../core/model-card-naming';")).toEqual([]);
    expect(violations('domain/x.ts', "import type { T } from '../core/config/types';")).toEqual([]);
    expect(violations('domain/x.ts', "import type { S } from '@aws-sdk/client-sagemaker';")).toEqual([]);
    expect(violations('domain/x.ts', "import { createHash } from 'node:crypto';")).toEqual([]);
    expect(
      violations('core/config/x.ts', "import { f } from '../naming';\nimport { h } from 'node:crypto';"),
    ).toEqual([]);
    expect(violations('constructs/x.ts', "import { Stack } from 'aws-cdk-lib';")).toEqual([]);
    expect(
      violations('adapters/x.ts', "import { SageMakerClient } from '@aws-sdk/client-sagemaker';"),
    ).toEqual([]);
  });
});
