#!/usr/bin/env node
/**
 * npm run local [-- --config governance.config.json] [--port 4599]
 *
 * Plays the synthesized app on this machine: moto and the local SageMaker endpoint on 127.0.0.1,
 * the app's rules and bundled handlers, and a readable live log of what happens. A saved change to
 * the configuration file is deployed to the running app, as `cdk deploy` would. Ctrl-C stops it all.
 */
import { unwatchFile, watchFile } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadGovernanceConfig } from '../core/config/load';
import { ConfigurationError } from '../core/config/parse';
import { LocalApp, type LocalLogEntry } from './runner/local-app';

const { values } = parseArgs({
  options: {
    config: { type: 'string', default: 'governance.config.json' },
    port: { type: 'string', default: '4599' },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`Usage: npm run local -- [--config FILE] [--port PORT] [--verbose]

Runs model-governance on this machine against a local AWS endpoint (no AWS account needed).
  --config FILE   governance configuration (default governance.config.json)
  --port PORT     port of the local AWS endpoint on 127.0.0.1 (default 4599)
  --verbose       show every handler log line, not just warnings and errors

A configuration with targets in other accounts (examples/multi-account.config.json) plays each stack
in its own account; an access key id <account>:<name> calls from that account.

Environment:
  MOTO_URL        use the moto server already running there instead of starting one
  MGOV_PYTHON     the Python to run moto with (default: .local/venv if set up, else python3;
                  moto is installed into .local/venv from local/requirements.txt when missing)`);
  process.exit(0);
}

// The AWS SDK's Node.js-version warning (see bin/mgov.ts), once per run, is not for the user here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const colour = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
const KINDS: Record<LocalLogEntry['kind'], string> = {
  info: paint('2', 'info   '),
  event: paint('36', 'event  '),
  invoke: paint('36', 'invoke '),
  result: paint('32', 'ok     '),
  retry: paint('33', 'retry  '),
  'dead-letter': paint('31', 'DLQ    '),
  handler: paint('2', 'log    '),
  metric: paint('35', 'metric '),
};

/** A handler's result in words: the reconciler's per-target outcomes, the audit handler's outcome. */
function describeResult(entry: LocalLogEntry): string {
  const result = entry.data as
    | {
        outcome?: string;
        reason?: string;
        targets?: { endpointName: string; result: Record<string, unknown> }[];
        modelCardName?: string;
        status?: string;
        exportJobArn?: string;
      }
    | undefined;
  if (entry.kind !== 'result' || !result || values.verbose) return entry.text;
  const duration = /ok in (\d+ ms)/.exec(entry.text)?.[1] ?? '';
  const parts = result.targets
    ? result.targets.map(({ endpointName, result: r }) => {
        const version = r.version ?? r.intendedVersion;
        const detail = r.reason ?? (r.action ? `${r.action}` : '');
        return `${endpointName}: ${String(r.outcome)}${version !== undefined ? ` v${version}` : ''}${detail ? ` (${detail})` : ''}`;
      })
    : result.modelCardName
      ? [
          `card ${result.modelCardName} ${result.outcome} (${result.status})${result.exportJobArn ? ', exported to the audit bucket' : ''}`,
        ]
      : [`${result.outcome}${result.reason ? ` (${result.reason})` : ''}`];
  return `${entry.functionName}${entry.account ? ` [${entry.account}]` : ''} in ${duration}: ${parts.join('; ')}`;
}

function print(entry: LocalLogEntry): void {
  if (entry.kind === 'handler' && !values.verbose && !/^(WARN|ERROR|CRITICAL)/.test(entry.text)) return;
  const time = entry.time.toISOString().slice(11, 23);
  const who =
    entry.functionName && (entry.kind === 'handler' || entry.kind === 'metric')
      ? `${entry.functionName}${entry.account ? ` [${entry.account}]` : ''}: `
      : '';
  console.log(`${paint('2', time)}  ${KINDS[entry.kind]} ${who}${describeResult(entry)}`);
}

async function main(): Promise<void> {
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`--port ${values.port} is not a port number; use one from 1 to 65535, such as 4599.`);
  }
  const config = loadGovernanceConfig(values.config);
  // MOTO_URL: an already-running moto server (for example moto's Docker image) instead of starting one.
  const app = await LocalApp.start({ config, port, log: print, motoUrl: process.env.MOTO_URL || undefined });
  const env = app.clientEnv();
  console.log(`
model-governance is running locally. In another terminal:

  export ${Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}
  aws sagemaker create-model-package --model-package-group-name ${config.groups[0]?.name} \\
    --model-approval-status PendingManualApproval \\
    --inference-specification '{"Containers":[{"Image":"683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1","ModelDataUrl":"s3://models/model.tar.gz"}],"SupportedContentTypes":["text/csv"],"SupportedResponseMIMETypes":["text/csv"]}'
  aws sagemaker update-model-package --model-package-arn ARN --model-approval-status Approved --approval-description "why"

(or any AWS SDK with the same environment). Saving ${values.config} deploys it to the running
app, as cdk deploy would. Ctrl-C stops everything.
`);
  if (app.multiAccount) {
    const accounts = new Map<string, string[]>();
    for (const { stackName, account } of app.stackAccounts)
      accounts.set(account, [...(accounts.get(account) ?? []), stackName]);
    const [other] = [...accounts.keys()].filter((a) => a !== app.account);
    console.log(`Accounts, each stack played in its own (the log shows each handler's as [account]):
${[...accounts]
  .map(
    ([account, stacks]) =>
      `  ${account}${account === app.account ? ' (registry)' : '           '}  ${stacks.join(', ')}`,
  )
  .join('\n')}

The environment above calls as the registry account's user alice. An access key id <account>:<name>
calls from that account: AWS_ACCESS_KEY_ID=${other}:alice sees ${other}'s endpoints
(aws sagemaker list-endpoints), and mgov follows every account's endpoints with a profile per account
(mgov status --account-profile ${other}=PROFILE).
`);
  }
  const configPath = values.config;
  const redeploys = watchConfig(configPath, app);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping...`);
    unwatchFile(configPath);
    await redeploys.current;
    await app.stop();
    console.log('stopped: moto, the local endpoint and every handler process are gone.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/**
 * Deploys each saved change of the configuration file to the running app (one at a time). A file
 * that does not parse, or a change the local app cannot apply in place, is reported with what to do,
 * and the app keeps running with the configuration it had.
 */
function watchConfig(path: string, app: LocalApp): { current: Promise<void> } {
  const redeploys = { current: Promise.resolve() };
  watchFile(path, { interval: 300 }, (now, before) => {
    if (now.mtimeMs === before.mtimeMs) return;
    redeploys.current = redeploys.current.then(async () => {
      const started = Date.now();
      try {
        const config = loadGovernanceConfig(path);
        await app.redeploy(config);
        print(info(`${path} changed: deployed to the running app in ${Date.now() - started} ms`));
      } catch (error) {
        print(
          info(
            `${path} changed but was not deployed; the app keeps the configuration it had. ${(error as Error).message}`,
          ),
        );
      }
    });
  });
  return redeploys;
}

function info(text: string): LocalLogEntry {
  return { time: new Date(), kind: 'info', text };
}

main().catch((error: unknown) => {
  if (error instanceof ConfigurationError) console.error(error.message);
  else console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
