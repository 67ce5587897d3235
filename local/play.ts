/**
 * Local mode's foreground loop, shared by `npm run local` (local/run.ts) and `mgov local`: starts the
 * app (the configuration's, or another CDK app's cloud assembly), prints the environment a shell or
 * SDK needs to reach it, shows a readable live log, plays each saved change into the running app as
 * `cdk deploy` would, and stops everything on Ctrl-C.
 */
import { unwatchFile, watchFile } from 'node:fs';
import { loadGovernanceConfig } from '../core/config/load';
import { type AssemblySource, LocalApp, type LocalLogEntry } from './runner/local-app';

export interface PlayOptions {
  /** What to play: the governance configuration file, or another app's assembly (mgov local --app). */
  readonly source:
    | { readonly kind: 'config'; readonly path: string }
    | { readonly kind: 'assembly'; readonly assembly: WatchedAssemblySource };
  readonly port: number;
  readonly verbose: boolean;
  /** An already-running moto server. @default start one */
  readonly motoUrl?: string;
  readonly out?: (line: string) => void;
}

/** An assembly source that also says when what it synthesizes from changed. */
export interface WatchedAssemblySource extends AssemblySource {
  /** What a saved change means here ("Saving a file under /app"). */
  readonly savedChange: string;
  /** Calls onChange after each saved change; returns the function that stops watching. */
  watch(onChange: () => void): () => void;
}

/** Starts the app and plays it until SIGINT or SIGTERM, when it stops everything and resolves. */
export async function playLocally(options: PlayOptions): Promise<void> {
  const out = options.out ?? ((line: string) => console.log(line));
  const colour = process.stdout.isTTY && !process.env.NO_COLOR;
  const print = printer(out, options.verbose, colour);
  const { source } = options;
  const config = source.kind === 'config' ? loadGovernanceConfig(source.path) : undefined;
  const app = await LocalApp.start({
    ...(config ? { config } : {}),
    ...(source.kind === 'assembly' ? { assembly: source.assembly } : {}),
    port: options.port,
    log: print,
    motoUrl: options.motoUrl,
  });
  const env = app.clientEnv();
  const group = config?.groups[0]?.name ?? firstGroup(app) ?? 'GROUP';
  const saving =
    source.kind === 'config'
      ? `Saving ${source.path} deploys it to the running\napp, as cdk deploy would.`
      : `${source.assembly.savedChange} synthesizes ${source.assembly.describe} again and\ndeploys it to the running app, as cdk deploy would.`;
  out(`
model-governance is running locally. In another terminal:

  export ${Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}
  aws sagemaker create-model-package --model-package-group-name ${group} \\
    --model-approval-status PendingManualApproval \\
    --inference-specification '{"Containers":[{"Image":"683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1","ModelDataUrl":"s3://models/model.tar.gz"}],"SupportedContentTypes":["text/csv"],"SupportedResponseMIMETypes":["text/csv"]}'
  aws sagemaker update-model-package --model-package-arn ARN --model-approval-status Approved --approval-description "why"

(or any AWS SDK with the same environment). ${saving} Ctrl-C stops everything.
`);
  if (app.multiAccount) out(accountsNote(app));

  const redeploys = { current: Promise.resolve() };
  const redeploy = (what: string, configFile?: string) => {
    redeploys.current = redeploys.current.then(async () => {
      const started = Date.now();
      try {
        await app.redeploy(configFile ? loadGovernanceConfig(configFile) : undefined);
        print(info(`${what} changed: deployed to the running app in ${Date.now() - started} ms`));
      } catch (error) {
        print(
          info(
            `${what} changed but was not deployed; the app keeps the configuration it had. ${(error as Error).message}`,
          ),
        );
      }
    });
  };
  let unwatch: () => void;
  if (source.kind === 'config') {
    // Each saved change of the configuration file, one at a time; a file that does not parse, or a
    // change the local app cannot apply in place, is reported and the app keeps running.
    watchFile(source.path, { interval: 300 }, (now, before) => {
      if (now.mtimeMs !== before.mtimeMs) redeploy(source.path, source.path);
    });
    unwatch = () => unwatchFile(source.path);
  } else {
    unwatch = source.assembly.watch(() => redeploy(source.assembly.describe));
  }

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      out(`\n${signal}: stopping...`);
      unwatch();
      await redeploys.current;
      await app.stop();
      out('stopped: moto, the local endpoint and every handler process are gone.');
      resolve();
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });
}

/** The first model package group the app made (for the printed example commands). */
/**
 * The first Model Package Group the app itself provisioned. Read from the app's own resources, not
 * from ListModelPackageGroups: a moto that is already running (MOTO_URL) may hold other apps' groups.
 */
function firstGroup(app: LocalApp): string | undefined {
  for (const resource of app.resources.values()) {
    if (resource.attributes.ModelPackageGroupArn !== undefined) return resource.ref;
  }
  return undefined;
}

function accountsNote(app: LocalApp): string {
  const accounts = new Map<string, string[]>();
  for (const { stackName, account } of app.stackAccounts)
    accounts.set(account, [...(accounts.get(account) ?? []), stackName]);
  const [other] = [...accounts.keys()].filter((a) => a !== app.account);
  return `Accounts, each stack played in its own (the log shows each handler's as [account]):
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
`;
}

/** The live log: one line per entry, handler lines only for warnings and errors unless verbose. */
function printer(
  out: (line: string) => void,
  verbose: boolean,
  colour: boolean,
): (entry: LocalLogEntry) => void {
  const paint = (code: string, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const kinds: Record<LocalLogEntry['kind'], string> = {
    info: paint('2', 'info   '),
    event: paint('36', 'event  '),
    invoke: paint('36', 'invoke '),
    result: paint('32', 'ok     '),
    retry: paint('33', 'retry  '),
    'dead-letter': paint('31', 'DLQ    '),
    handler: paint('2', 'log    '),
    metric: paint('35', 'metric '),
  };
  return (entry) => {
    if (entry.kind === 'handler' && !verbose && !/^(WARN|ERROR|CRITICAL)/.test(entry.text)) return;
    const time = entry.time.toISOString().slice(11, 23);
    const who =
      entry.functionName && (entry.kind === 'handler' || entry.kind === 'metric')
        ? `${entry.functionName}${entry.account ? ` [${entry.account}]` : ''}: `
        : '';
    out(`${paint('2', time)}  ${kinds[entry.kind]} ${who}${verbose ? entry.text : describeResult(entry)}`);
  };
}

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
  if (entry.kind !== 'result' || !result) return entry.text;
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

function info(text: string): LocalLogEntry {
  return { time: new Date(), kind: 'info', text };
}

/** A port number from the command line, or an error saying what to give. */
export function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`--port ${text} is not a port number; use one from 1 to 65535, such as 4599.`);
  }
  return port;
}
