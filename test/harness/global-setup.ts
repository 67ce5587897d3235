import { startMoto } from '../../local/moto';
import { ensureMoto, PrerequisiteError } from '../../local/prerequisites';
import { botocoreSageMakerModelPath } from '../../local/sagemaker/api-model';

/**
 * The integration project's setup: checks local mode's prerequisites first (as npm run local does:
 * installs moto into .local/venv when no Python has it, or fails with the one line to run), then
 * starts one moto server for the whole run on a free loopback port and hands its URL to the test
 * workers through MOTO_URL. global-teardown stops it by its PID.
 *
 * MOTO_URL already set: the run uses that server and neither starts nor stops it. Test files that
 * play the whole app (test/harness/local-app.ts) still start a moto of their own each, because the
 * app installs its EventBridge rules on moto's default bus.
 */
export default async function globalSetup(): Promise<void> {
  // The SDK warns once per process that its 2027 releases need Node.js 22; the handlers run on the
  // Lambda runtime's Node.js 24, and the warning would otherwise repeat in every test worker's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const source = await ensureMoto({ motoUrl: process.env.MOTO_URL || undefined }).catch((error: unknown) => {
    if (!(error instanceof PrerequisiteError)) throw error;
    // jest prints a failed global setup's stack: make it the one line that says what to run.
    const oneLine = new Error(`npm test needs moto for the integration tests: ${error.message}`);
    oneLine.stack = oneLine.message;
    throw oneLine;
  });
  if (source.kind === 'external') {
    process.env.MOTO_URL = source.url;
    return;
  }
  // The workers' own moto servers (test/harness/local-app.ts) start with the same Python.
  process.env.MGOV_PYTHON = source.python;
  // Keeps a copy of botocore's SageMaker model, as any local run does: a test plays npm run local
  // against a running moto on a PATH without Python, which validates against that copy.
  botocoreSageMakerModelPath();
  const moto = await startMoto({ python: source.python });
  process.env.MOTO_URL = moto.url;
  (globalThis as { __moto__?: typeof moto }).__moto__ = moto;
}
