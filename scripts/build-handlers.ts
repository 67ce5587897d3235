/**
 * Bundles every handler (lambda/<name>/index.ts) into dist/handlers/<name>/index.js with the options
 * the constructs use when bundling from source (lib/constructs/handler-code.ts). Part of
 * `npm run build`: the installed package ships these bundles, so a team embedding the constructs
 * compiles none of our sources.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { bundleOptions } from '../lib/constructs/handler-code';

const root = join(__dirname, '..');
const out = join(root, 'dist', 'handlers');
const handlers = readdirSync(join(root, 'lambda'), { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(root, 'lambda', e.name, 'index.ts')))
  .map((e) => e.name);
for (const name of handlers) {
  buildSync(bundleOptions(join(root, 'lambda', name, 'index.ts'), join(out, name, 'index.js')));
}
console.log(`bundled ${handlers.length} handlers into ${out}: ${handlers.join(', ')}`);
