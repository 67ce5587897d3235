import { randomUUID } from 'node:crypto';

/** Region and dummy credentials every test client uses against the local endpoint. */
export const TEST_REGION = 'us-east-1';
export const TEST_ACCOUNT = '123456789012';

/** The moto server global-setup started. Integration tests talk to it over HTTP. */
export function motoUrl(): string {
  const url = process.env.MOTO_URL;
  if (!url)
    throw new Error(
      'MOTO_URL is not set: run the tests through jest (npm test), whose global setup starts moto.',
    );
  return url;
}

/** Points the AWS SDK, as the handlers construct it, at moto. */
export function useLocalAws(): void {
  process.env.AWS_ENDPOINT_URL = motoUrl();
  process.env.AWS_REGION = TEST_REGION;
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  delete process.env.AWS_PROFILE;
}

/** Client settings for the tests' own SDK clients. */
export function clientConfig() {
  return {
    endpoint: motoUrl(),
    region: TEST_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
}

/** A name no other test uses, valid for SageMaker, SNS and SQS. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

const WAIT_SCALE = Number(process.env.MGOV_TEST_WAIT_SCALE ?? '3') || 3;

/**
 * Polls until `probe` gives a value. A wait, not a measurement: the bound only ends a test that will
 * never pass, and is scaled by MGOV_TEST_WAIT_SCALE (default 3) so that a loaded machine (several
 * handlers in turn on 2 shared cores) waits longer instead of failing.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  timeoutMs *= WAIT_SCALE;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
