/**
 * `mgov local`: local mode from the command line. Without --app it plays the governance
 * configuration, as `npm run local` does; with --app it plays any CDK app that uses the constructs
 * (its command, or a cloud assembly folder), with the same runner, the same printed environment and
 * the same redeploy on save (local/play.ts). It runs until Ctrl-C.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { COMMON_HELP, type Command, expectArgs, UsageError } from '../command';
import { CliError } from '../registry';

export const local: Command = {
  help: `mgov local [--app COMMAND|DIR] [--config FILE] [--port PORT] [--verbose]

Plays model-governance on this machine against a local AWS endpoint (no AWS account needed): moto,
the local SageMaker endpoint, the app's rules and its bundled handlers. Prints the environment that
reaches it, then a live log. Ctrl-C stops everything.
  --app COMMAND   your own CDK app that uses the constructs, as cdk.json's "app" runs it, such as
                  --app "npx tsx app.ts"; a saved file under the current folder synthesizes and
                  deploys it again
  --app DIR       a cloud assembly folder cdk synth wrote (cdk.out); a new synth there deploys again
  --config FILE   without --app: the governance configuration (default governance.config.json);
                  saving it deploys it again
  --port PORT     port of the local AWS endpoint on 127.0.0.1 (default 4599)
  --verbose       show every handler log line, not just warnings and errors
Environment: MOTO_URL (a moto server already running), MGOV_PYTHON (the Python to run moto with).

${COMMON_HELP}`,
  options: ['app', 'port', 'verbose'],
  async run(ctx) {
    expectArgs(ctx, 0, 0, '');
    const { values, command } = ctx;
    if (values.app !== undefined && values.config !== undefined) {
      throw new UsageError('give --app or --config, not both: --app plays your CDK app as it is.', command);
    }
    if (values.app !== undefined && !values.app.trim()) {
      throw new UsageError(
        '--app needs your app\'s command (such as "npx tsx app.ts") or a cdk.out folder.',
        command,
      );
    }
    // Local mode's runner needs its own files beside it (moto's launcher, the Lambda host): the
    // package carries them in dist/local (scripts/copy-local-files.ts), a checkout in local/.
    if (!existsSync(join(__dirname, '..', '..', 'local', 'moto_server.py'))) {
      throw new CliError(
        `mgov local cannot find local mode's files beside it (${join(__dirname, '..', '..', 'local')} has no moto_server.py): this installation is incomplete.`,
        'reinstall model-governance (npm install model-governance), or from a checkout: npm ci, then npx tsx bin/mgov.ts local',
      );
    }
    // Loaded only here: the other commands never need local mode's runner.
    const { parsePort, playLocally } = await import('../../local/play');
    const { appSource } = await import('../../local/app-source');
    let port: number;
    try {
      port = parsePort(values.port ?? '4599');
    } catch (error) {
      throw new UsageError((error as Error).message, command);
    }
    await playLocally({
      source:
        values.app !== undefined
          ? { kind: 'assembly', assembly: appSource(values.app) }
          : { kind: 'config', path: values.config ?? 'governance.config.json' },
      port,
      verbose: values.verbose === true,
      motoUrl: ctx.io.env.MOTO_URL || undefined,
      out: ctx.io.out,
    });
  },
};
