#!/usr/bin/env node
// The installed `mgov` command (npm link, or npm install of this package): runs bin/mgov.ts with tsx.
require('tsx/cjs');
require('./mgov.ts');
