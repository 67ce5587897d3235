#!/usr/bin/env node
/** mgov: see cli/main.ts, or run `mgov --help`. */
import { main } from '../cli/main';

void main(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  isTTY: process.stdout.isTTY === true,
  env: process.env,
}).then((code) => {
  process.exitCode = code;
});
