// Preloaded into an example app run from this repository: `model-governance` resolves to the
// constructs' sources here, as the installed package would resolve to its compiled copy.
const Module = require('node:module');
const path = require('node:path');

const sources = path.join(__dirname, '..', '..', 'constructs', 'index.ts');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, request === 'model-governance' ? sources : request, ...rest);
};
