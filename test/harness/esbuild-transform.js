/**
 * Jest transform: TypeScript to CommonJS with esbuild, file by file (type-checking is `tsc --noEmit`'s
 * job). It does what ts-jest does with isolatedModules, several times faster, except hoisting
 * `jest.mock` calls above the imports: a test that mocks a module (test/examples.test.ts) stays on
 * ts-jest (jest.config.js).
 */
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { transformSync, version } = require('esbuild');

const own = createHash('sha256').update(readFileSync(__filename)).update(version).digest('hex');

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: filename.endsWith('.tsx') ? 'tsx' : 'ts',
      format: 'cjs',
      target: 'node20',
      // `await import(x)` as `require(x)` in a promise, as ts-jest emits it: jest runs CommonJS, and a
      // real dynamic import needs --experimental-vm-modules.
      supported: { 'dynamic-import': false },
      sourcefile: filename,
      sourcemap: 'external',
      // Class fields as TypeScript's `useDefineForClassFields: true` (target ES2022) defines them.
      tsconfigRaw: { compilerOptions: { useDefineForClassFields: true } },
    });
    return { code, map };
  },
  getCacheKey(source, filename, options) {
    return createHash('sha256')
      .update(own)
      .update('\0')
      .update(filename)
      .update('\0')
      .update(source)
      .update('\0')
      .update(options.configString)
      .digest('hex');
  },
};
