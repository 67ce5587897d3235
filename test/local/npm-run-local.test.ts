/**
 * `npm run local` as a user runs it: started on a configuration file, which is then edited while it
 * runs. A saved change is deployed to the running app (as cdk deploy would); a file that does not
 * parse is reported with what is wrong and the app keeps running; Ctrl-C stops everything.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/moto';
import { eventually } from '../harness/local-aws';

const ROOT = join(__dirname, '..', '..');
const config = (instanceType: string) =>
  JSON.stringify({
    groups: [
      {
        name: 'watched',
        deployments: [{ endpointName: 'watched-ep', instances: { type: instanceType, count: 1 } }],
      },
    ],
  });

let child: ChildProcess | undefined;
let output = '';
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

it('deploys a saved configuration change to the running app, reports a broken file and keeps running, and stops on Ctrl-C', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mgov-watch-'));
  const file = join(dir, 'governance.config.json');
  writeFileSync(file, config('ml.m5.large'));
  const port = await freePort();
  // node --import tsx, as tsx's own CLI does, without its signal relay in between: SIGINT is Ctrl-C.
  child = spawn(
    process.execPath,
    ['--import', 'tsx', 'local/run.ts', '--config', file, '--port', String(port)],
    { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const seen = (text: string | RegExp, what: string) =>
    eventually(
      async () => ((typeof text === 'string' ? output.includes(text) : text.test(output)) ? true : undefined),
      `${what}; output so far:\n${output}`,
      90_000,
    );
  await seen('model-governance is running locally', 'the local app running');
  expect(output).toContain(`Saving ${file} deploys it to the running`);

  writeFileSync(file, '{ "groups": [ { "name": "watched", ');
  await seen(
    `${file} changed but was not deployed; the app keeps the configuration it had.`,
    'the broken file',
  );
  expect(output).toMatch(/not valid JSON/);

  writeFileSync(file, config('ml.c5.xlarge'));
  await seen(
    new RegExp(
      `${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} changed: deployed to the running app in \\d+ ms`,
    ),
    'the redeploy',
  );
  await seen('redeployed ModelGovernance', "the stack's UPDATE_COMPLETE");

  child.kill('SIGINT');
  await seen('stopped: moto, the local endpoint and every handler process are gone.', 'the stop');
  await eventually(async () => (child?.exitCode === 0 ? true : undefined), 'exit code 0', 10_000);
}, 180_000);
