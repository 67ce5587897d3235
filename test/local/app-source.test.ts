/**
 * What `mgov local --app` plays: a CDK app's command run as the CDK CLI runs it, or a cloud assembly
 * folder; a saved source file says the app changed; a command that
 * fails or writes nothing is refused with what to do.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appSource, commandSource, folderSource } from '../../local/app-source';
import { eventually } from '../harness/local-aws';

/** A one-stack CDK app that reads CDK_OUTDIR and the default environment, as `new App()` does. */
const APP = `
const { App, Stack } = require('aws-cdk-lib');
const app = new App();
new Stack(app, 'TeamStack', { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } });
app.synth();
`;

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mgov-app-source-'));
  writeFileSync(join(dir, 'app.js'), APP);
  mkdirSync(join(dir, 'src'));
  // The app resolves aws-cdk-lib from this repository's node_modules.
  writeFileSync(join(dir, 'package.json'), '{}');
  return dir;
}
const node = (file: string) => `"${process.execPath}" ${file}`;
const env = { NODE_PATH: join(__dirname, '..', '..', 'node_modules') };

it('runs the command with CDK_OUTDIR and the local account, and reads the assembly it wrote', async () => {
  const dir = project();
  const source = commandSource(`NODE_PATH="${env.NODE_PATH}" ${node('app.js')}`, dir);
  const outdir = mkdtempSync(join(tmpdir(), 'mgov-app-out-'));
  const assembly = await source.synth(outdir);
  expect(assembly.stacks.map((s) => [s.stackName, s.environment.account, s.environment.region])).toEqual([
    ['TeamStack', '123456789012', 'us-east-1'],
  ]);
}, 60_000);

it('says a saved source file changed the app', async () => {
  const dir = project();
  let changes = 0;
  const stop = commandSource('true', dir).watch(() => {
    changes += 1;
  });
  try {
    writeFileSync(join(dir, 'src', 'stack.ts'), '// edited');
    await eventually(async () => (changes > 0 ? true : undefined), 'a change reported');
  } finally {
    stop();
  }
});

it('plays a cloud assembly folder, and refuses a folder that holds none', async () => {
  const dir = project();
  const written = mkdtempSync(join(tmpdir(), 'mgov-cdk-out-'));
  await commandSource(`NODE_PATH="${env.NODE_PATH}" ${node('app.js')}`, dir).synth(written);
  const source = appSource(written);
  expect(source.describe).toBe(`the cloud assembly in ${written}`);
  const copy = mkdtempSync(join(tmpdir(), 'mgov-app-copy-'));
  expect((await source.synth(copy)).stacks.map((s) => s.stackName)).toEqual(['TeamStack']);
  expect(() => folderSource(dir)).toThrow(/holds no cloud assembly \(no manifest\.json\)/);
}, 60_000);

it('refuses a command that fails, or that writes no assembly, naming it', async () => {
  const dir = project();
  const outdir = mkdtempSync(join(tmpdir(), 'mgov-app-out-'));
  await expect(commandSource('exit 3', dir).synth(outdir)).rejects.toThrow(
    'exit 3 failed (exit code 3); nothing was synthesized.',
  );
  await expect(commandSource('echo hello', dir).synth(outdir)).rejects.toThrow(
    /wrote no cloud assembly to CDK_OUTDIR .*Does the app call app.synth\(\)/s,
  );
});
