/**
 * What every mgov command shares: the options mgov parses, the context a command runs in, and the
 * checks of its arguments that end in a usage error (exit 2).
 */
import type { parseArgs } from 'node:util';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { GovernanceConfig } from '../core/config/types';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Colour and progress are for people at a terminal. */
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  /** Poll interval for --wait, in ms. */
  readonly pollMs?: number;
}

export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export const OPTIONS = {
  config: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'account-profile': { type: 'string', multiple: true },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  reason: { type: 'string' },
  force: { type: 'boolean', default: false },
  wait: { type: 'boolean', default: false },
  timeout: { type: 'string' },
  manifest: { type: 'string' },
  format: { type: 'string' },
  limit: { type: 'string' },
  endpoint: { type: 'string' },
  version: { type: 'string' },
  status: { type: 'string' },
  record: { type: 'string' },
  app: { type: 'string' },
  port: { type: 'string' },
  verbose: { type: 'boolean', default: false },
} as const;

export type OptionName = keyof typeof OPTIONS;

export type Values = ReturnType<
  typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true }>
>['values'];

export const COMMON_OPTIONS: readonly OptionName[] = [
  'config',
  'region',
  'profile',
  'account-profile',
  'json',
  'help',
];

export const COMMON_HELP = `Options for every command:
  --config FILE     the governance configuration (default: governance.config.json)
  --region REGION   AWS region (default: the AWS_REGION / profile setting)
  --profile NAME    AWS named profile
  --account-profile ACCOUNT=PROFILE
                    the named profile for a deployment account's endpoints (multi-account; repeat
                    for each account): status shows them, --wait follows them
  --json            machine-readable output (stable fields)
  --help            this command's help
Local mode: export AWS_ENDPOINT_URL=http://127.0.0.1:4599 (what npm run local prints).`;

/** Everything a command needs, made once by main from the command line. */
export interface CommandContext {
  readonly command: string;
  /** The positional arguments after the command's name. */
  readonly args: readonly string[];
  readonly values: Values;
  readonly io: Io;
  readonly json: boolean;
  readonly sagemaker: SageMakerClient;
  readonly clientConfig: { readonly region?: string };
  /** The SageMaker client for a deployment account's endpoints (--account-profile), if given. */
  readonly clientFor: (account: string) => SageMakerClient | undefined;
  /** The governance configuration (--config), read when a command asks for it. */
  readonly config: () => GovernanceConfig;
  /** Prints `value` as JSON under --json, else the text. */
  readonly print: (value: unknown, text: () => string) => void;
}

/** One mgov command: its help, the options it takes besides the common ones, and what it does. */
export interface Command {
  readonly help: string;
  readonly options: readonly OptionName[];
  readonly run: (ctx: CommandContext) => Promise<void>;
}

export function expectArgs(
  ctx: Pick<CommandContext, 'command' | 'args'>,
  min: number,
  max: number,
  names: string,
): (string | undefined)[] {
  const { command, args } = ctx;
  if (args.length < min || args.length > max) {
    throw new UsageError(
      args.length < min
        ? `${command} needs ${names}.`
        : `${command} takes ${max === 0 ? 'no arguments' : names}; unexpected "${args.slice(max).join(' ')}".`,
      command,
    );
  }
  return [...args];
}

export function versionNumber(text: string, command: string): number {
  const n = Number(text.replace(/^v/, ''));
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`"${text}" is not a version number; use e.g. 3 or v3.`, command);
  return n;
}

export function positiveInt(text: string, option: string, command: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${option} must be a whole number above 0, got "${text}".`, command);
  return n;
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], command: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(
      `--format ${value} is not available here; use one of ${allowed.join(', ')}.`,
      command,
    );
  }
  return value as T;
}

export function colour(io: Io): boolean {
  return io.isTTY && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
}
