/**
 * `mgov local --app` as a team runs it on its own CDK app: the embedded example app
 * (examples/embedded-app/app.ts, ModelGovernance in the team's own stack beside its bucket) played by
 * the same runner as `npm run local`, with the same printed environment; an approval made with that
 * environment deploys the app's endpoint; Ctrl-C stops everything.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { freePort } from '../../local/moto';
import { eventually } from '../harness/local-aws';
import { registerVersion, setApproval } from '../harness/registry';

const ROOT = join(__dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'embedded-app');
/** How long one step may take on a loaded machine (the app's synthesis bundles every handler). */
const WAIT = 300_000;

let child: ChildProcess | undefined;
let output = '';
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

it('plays the embedded example app, and an approval deploys its endpoint', async () => {
  const port = await freePort();
  // The app's own command, as its cdk.json would hold it, with model-governance resolved to the sources.
  const app = `"${process.execPath}" --require "${require.resolve('tsx/cjs')}" --require "${join(ROOT, 'test', 'harness', 'model-governance-alias.cjs')}" app.ts`;
  // node --import tsx, without tsx's signal relay in between: SIGINT is Ctrl-C.
  child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bin', 'mgov.ts'), 'local', '--app', app, '--port', String(port)],
    { cwd: EXAMPLE, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
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
      WAIT,
    );
  await seen('model-governance is running locally', 'the local app running');
  expect(output).toMatch(/synthesized MlPlatform in \d+ ms/);
  expect(output).toContain('--model-package-group-name churn');
  expect(output).toContain('synthesizes the app');

  // The printed environment, as a user pastes it.
  const env = Object.fromEntries(
    [...(/export (.+)/.exec(output)?.[1] ?? '').matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]),
  );
  expect(env.AWS_ENDPOINT_URL).toBe(`http://127.0.0.1:${port}`);
  const client = (accessKeyId: string) =>
    new SageMakerClient({
      endpoint: env.AWS_ENDPOINT_URL,
      region: env.AWS_REGION,
      credentials: { accessKeyId, secretAccessKey: String(env.AWS_SECRET_ACCESS_KEY) },
    });
  const arn = await registerVersion(client('trainer'), 'churn', { createGroup: false });
  // The policy handler records the registration before anyone approves (as it would on AWS).
  await seen(/policy-gate in \d+ ms/, "the policy handler's run on the registration");
  await setApproval(client(String(env.AWS_ACCESS_KEY_ID)), arn, 'Approved', 'ready for staging');
  await eventually(
    async () => {
      const out = await client('reader')
        .send(new DescribeEndpointCommand({ EndpointName: 'churn-staging' }))
        .catch(() => undefined);
      return out?.EndpointStatus === 'InService' ? out : undefined;
    },
    `churn-staging InService; output so far:\n${output}`,
    WAIT,
  );

  child.kill('SIGINT');
  await seen('stopped: moto, the local endpoint and every handler process are gone.', 'the stop');
  await eventually(async () => (child?.exitCode === 0 ? true : undefined), 'exit code 0', 30_000);
}, 900_000);
