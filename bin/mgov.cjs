#!/usr/bin/env node
// The installed `mgov` command. From the package: the compiled CLI (dist/bin/mgov.js, built by
// `npm run build`), which needs no tsx. In this repository before a build: bin/mgov.ts through tsx.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const compiled = join(__dirname, '..', 'dist', 'bin', 'mgov.js');
if (existsSync(compiled)) {
  require(compiled);
} else {
  require('tsx/cjs');
  require('./mgov.ts');
}
