/**
 * mgov: the command line for approvers and operators. The same calls against a real account (the
 * default credential chain, --region, --profile) and against local mode (AWS_ENDPOINT_URL). This
 * module parses the command line and hands it to the command (cli/commands/<command>.ts).
 *
 * Exit codes: 0 done, 1 failed (the message says why, with a hint), 2 the command line is wrong.
 */
import { parseArgs } from 'node:util';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { loadGovernanceConfig } from '../core/config/load';
import { ConfigurationError } from '../core/config/parse';
import { packageVersion } from '../core/package-info';
import { didYouMean } from '../core/suggest';
import { COMMON_HELP, COMMON_OPTIONS, type Io, OPTIONS, UsageError, type Values } from './command';
import { COMMANDS } from './commands';
import { CliError } from './registry';

export { type Io, UsageError } from './command';

const HELP = `mgov: model governance from the command line.

Commands:
  status [GROUP]                                 governed groups, versions, approval, stage, card, gate, what each endpoint serves
  approve GROUP VERSION --reason TEXT [--wait]   approve a version (the Studio button); --wait follows the deployment
  reject GROUP VERSION --reason TEXT [--wait]    reject a version; --wait follows the rollback
  stage GROUP VERSION STAGE [--status S] [--wait]
                                                 set a version's lifecycle stage (a target that serves the stage deploys it)
  register GROUP --manifest FILE                 register a version from a small manifest (for trying things locally)
  card GROUP VERSION [--format markdown|html]    the version's model card, readable
  lineage --endpoint NAME | --version ARN        provenance: what is served, where it came from, who approved it
  audit GROUP                                    registrations, approvals, gate decisions, deployments and rollbacks in time order
  retry-deploy ENDPOINT [--wait]                 deploy again the version SageMaker rolled back on ENDPOINT (the reconciler never retries it)
  local [--app COMMAND|DIR]                      play the app (or your own CDK app) on this machine: local mode, until Ctrl-C

Run mgov COMMAND --help for a command's options; mgov --version prints mgov's version.

${COMMON_HELP}`;

/** The command a command line names, if it is one mgov has. */
function knownCommand(argv: readonly string[]): string | undefined {
  const first = argv.find((a) => !a.startsWith('-'));
  return first && first in COMMANDS ? first : undefined;
}

/** The options a command takes, the common ones included. */
function optionsOf(command: string): readonly string[] {
  return [...COMMON_OPTIONS, ...(COMMANDS[command]?.options ?? [])];
}

/** parseArgs's complaint, shortened, with the option that was probably meant. */
function usageProblem(error: Error, argv: readonly string[]): string {
  const message = error.message.replace(/\. To specify.*$/s, '.');
  const unknown = /^Unknown option '(--?[^']+)'/.exec(message)?.[1];
  if (!unknown?.startsWith('--')) return message;
  const command = knownCommand(argv);
  const meant = didYouMean(unknown.slice(2), command ? optionsOf(command) : Object.keys(OPTIONS));
  return meant ? `${message} Did you mean --${meant}?` : message;
}

/** Runs one command line; returns the exit code. Never exits the process. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    await run(argv, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`mgov: ${error.message}`);
      io.err(`hint: mgov ${error.command ? `${error.command} ` : ''}--help`);
      return 2;
    }
    if (error instanceof CliError) {
      io.err(`mgov: ${error.message}`);
      if (error.hint) io.err(`hint: ${error.hint}`);
      return 1;
    }
    if (error instanceof ConfigurationError) {
      io.err(`mgov: ${error.message}`);
      io.err('hint: pass the configuration the stack was deployed with: --config FILE');
      return 1;
    }
    const e = error as Error;
    io.err(`mgov: ${e.name}: ${e.message}`);
    io.err(
      `hint: check your credentials and region (--region, --profile)${io.env.AWS_ENDPOINT_URL ? `; AWS_ENDPOINT_URL is ${io.env.AWS_ENDPOINT_URL}: is npm run local running?` : ', or set AWS_ENDPOINT_URL for local mode'}`,
    );
    return 1;
  }
}

async function run(argv: readonly string[], io: Io): Promise<void> {
  // `mgov --version` (before any command) is mgov's own version; after a command, --version VALUE
  // is that command's option (lineage --version MODEL_PACKAGE_ARN).
  if (argv[0] === '--version') {
    const version = packageVersion();
    return io.out(argv.includes('--json') ? JSON.stringify({ version }) : `mgov ${version}`);
  }
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(usageProblem(error as Error, argv), knownCommand(argv));
  }
  const [name = '', ...args] = positionals;
  const command = COMMANDS[name];
  if (name && !command) {
    const meant = didYouMean(name, Object.keys(COMMANDS));
    throw new UsageError(`unknown command "${name}".${meant ? ` Did you mean "${meant}"?` : ''}`);
  }
  if (values.help || !command) return io.out(command?.help ?? HELP);
  const allowed = optionsOf(name);
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== false && !allowed.includes(key)) {
      throw new UsageError(`${name} does not take --${key}.`, name);
    }
  }
  if (values.profile) io.env.AWS_PROFILE = values.profile;
  const clientConfig = values.region ? { region: values.region } : {};
  const json = values.json === true;
  await command.run({
    command: name,
    args,
    values,
    io,
    json,
    sagemaker: new SageMakerClient(clientConfig),
    clientConfig,
    clientFor: accountClients(values['account-profile'] ?? [], clientConfig, name),
    config: () => loadGovernanceConfig(values.config ?? 'governance.config.json'),
    print: (value, text) => io.out(json ? JSON.stringify(value, null, 2) : text()),
  });
}

/**
 * SageMaker clients for deployment accounts, from `--account-profile ACCOUNT=PROFILE` (the named
 * profiles people keep per account): undefined for an account without one.
 */
function accountClients(
  specs: readonly string[],
  clientConfig: { region?: string },
  command: string,
): (account: string) => SageMakerClient | undefined {
  const profiles = new Map<string, string>();
  for (const spec of specs) {
    const m = /^(\d{12})=(.+)$/.exec(spec);
    if (!m) {
      throw new UsageError(
        `--account-profile ${spec}: expected ACCOUNT=PROFILE, a 12-digit account id and a named profile (e.g. 222222222222=staging).`,
        command,
      );
    }
    profiles.set(m[1] as string, m[2] as string);
  }
  const clients = new Map<string, SageMakerClient>();
  return (account) => {
    const profile = profiles.get(account);
    if (!profile) return undefined;
    let client = clients.get(account);
    if (!client) {
      client = new SageMakerClient({ ...clientConfig, profile });
      clients.set(account, client);
    }
    return client;
  };
}
