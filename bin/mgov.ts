#!/usr/bin/env node
/** mgov: see cli/main.ts, or run `mgov --help`. */
import { main } from '../cli/main';

// On Node.js < 22 the AWS SDK warns, once per process and so at every mgov command, that its releases
// after the first week of January 2027 need Node.js 22 (aws/aws-sdk-js-v3#7983). The README says which
// Node.js versions mgov supports; this is AWS's documented switch. Set it to false to see the warning.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

void main(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  isTTY: process.stdout.isTTY === true,
  env: process.env,
}).then((code) => {
  process.exitCode = code;
});
