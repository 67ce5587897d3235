import { startMoto } from '../../local/moto';

/**
 * Starts one moto server for the whole jest run (on a free loopback port) and hands its URL to the
 * test workers through MOTO_URL. global-teardown stops it by its PID.
 */
export default async function globalSetup(): Promise<void> {
  // The SDK warns once per process that its 2027 releases need Node.js 22; the handlers run on the
  // Lambda runtime's Node.js 24, and the warning would otherwise repeat in every test worker's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const moto = await startMoto();
  process.env.MOTO_URL = moto.url;
  (globalThis as { __moto__?: typeof moto }).__moto__ = moto;
}
