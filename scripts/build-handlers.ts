/**
 * Bundles every handler (handlers/<name>/index.ts) into dist/bundles/<name>/index.js with the options
 * the constructs use when bundling from source (constructs/handler-code.ts). Part of
 * `npm run build`: the installed package ships these bundles, so a team embedding the constructs
 * compiles none of our sources.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { bundleOptions } from '../constructs/handler-code';

const root = join(__dirname, '..');
const out = join(root, 'dist', 'bundles');
const handlers = readdirSync(join(root, 'handlers'), { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(root, 'handlers', e.name, 'index.ts')))
  .map((e) => e.name);
for (const name of handlers) {
  buildSync(bundleOptions(join(root, 'handlers', name, 'index.ts'), join(out, name, 'index.js')));
}
console.log(`bundled ${handlers.length} handlers into ${out}: ${handlers.join(', ')}`);
