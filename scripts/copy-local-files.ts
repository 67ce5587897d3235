/**
 * Copies the files local mode runs that tsc does not emit into dist/local: moto's launcher and probe
 * (Python) and the Lambda host each handler process starts (CommonJS). Part of `npm run build`, so
 * that `mgov local` runs from the installed package as it does from a checkout. local/requirements.txt
 * ships at the package root (package.json "files"), where local mode looks for it.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(__dirname, '..');
const files = ['local/moto_server.py', 'local/moto_probe.py', 'local/runner/lambda-host.cjs'];
for (const file of files) {
  const to = join(root, 'dist', file);
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(join(root, file), to);
}
console.log(`copied ${files.length} local-mode files into dist/local: ${files.join(', ')}`);
