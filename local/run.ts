#!/usr/bin/env node
/**
 * npm run local [-- --config governance.config.json] [--port 4599]
 *
 * Plays the synthesized app on this machine: moto and the local SageMaker endpoint on 127.0.0.1,
 * the app's rules and bundled handlers, and a readable live log of what happens. A saved change to
 * the configuration file is deployed to the running app, as `cdk deploy` would. Ctrl-C stops it all.
 * `mgov local` runs the same loop (local/play.ts), and `mgov local --app` plays another CDK app.
 */
import { parseArgs } from 'node:util';
import { ConfigurationError } from '../core/config/parse';
import { parsePort, playLocally } from './play';

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
in its own account; an access key id <account>:<name> calls from that account. Your own CDK app that
uses the constructs plays with mgov local --app "COMMAND" (docs/local-mode.md).

Environment:
  MOTO_URL        use the moto server already running there instead of starting one
  MGOV_PYTHON     the Python to run moto with (default: .local/venv if set up, else python3;
                  moto is installed into .local/venv from local/requirements.txt when missing)`);
  process.exit(0);
}

// The AWS SDK's Node.js-version warning (see bin/mgov.ts), once per run, is not for the user here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

Promise.resolve()
  .then(() =>
    playLocally({
      source: { kind: 'config', path: values.config },
      port: parsePort(values.port),
      verbose: values.verbose,
      // MOTO_URL: an already-running moto server (for example moto's Docker image) instead of starting one.
      motoUrl: process.env.MOTO_URL || undefined,
    }),
  )
  .then(
    () => process.exit(0),
    (error: unknown) => {
      if (error instanceof ConfigurationError) console.error(error.message);
      else console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
