/**
 * What the local app's provisioning, delivery and façade share: moto clients acting in an account,
 * the log entries the app reports, and a sleep that stop() can cut short.
 */
import { describeMetric, readEmf } from './emf';

export type Json = Record<string, unknown>;

export const LOCAL_REGION = 'us-east-1';

export interface LocalLogEntry {
  readonly time: Date;
  readonly kind: 'info' | 'event' | 'invoke' | 'result' | 'retry' | 'dead-letter' | 'handler' | 'metric';
  readonly functionName?: string;
  /** The account the handler runs in (multi-account apps only). */
  readonly account?: string;
  readonly text: string;
  readonly data?: unknown;
}

/** Writes one log entry (the app's `log` option, or nothing). */
export type LocalLog = (
  kind: LocalLogEntry['kind'],
  text: string,
  functionName?: string,
  data?: unknown,
  account?: string,
) => void;

export function entry(kind: LocalLogEntry['kind'], text: string): LocalLogEntry {
  return { time: new Date(), kind, text };
}

export function handlerLogEntry(functionName: string, line: string): LocalLogEntry {
  try {
    const parsed = JSON.parse(line) as Json;
    const [metric] = readEmf(parsed);
    // Powertools Metrics writes one metric per line (singleMetric): shown as the metric, data = MetricRecord.
    if (metric)
      return { time: new Date(), kind: 'metric', functionName, text: describeMetric(metric), data: metric };
    const level = String(parsed.level ?? 'INFO');
    return {
      time: new Date(),
      kind: 'handler',
      functionName,
      text: `${level} ${String(parsed.message ?? line)}`,
      data: parsed,
    };
  } catch {
    return { time: new Date(), kind: 'handler', functionName, text: line };
  }
}

export function clientConfig(endpoint: string, accessKeyId: string, region = LOCAL_REGION) {
  return { endpoint, region, credentials: { accessKeyId, secretAccessKey: 'local' } };
}

/**
 * A client of moto itself (not through the local endpoint) acting in `account`: moto takes the
 * account from the x-moto-account-id header (moto/core/responses.py `get_current_account`).
 */
type BuildArgs = { request: { headers: Record<string, string> } };
type WithMiddleware = { middlewareStack: { add(middleware: unknown, options: { step: 'build' }): void } };

export function inMotoAccount<C>(client: C, account: string): C {
  const header = (next: (args: BuildArgs) => unknown) => (args: BuildArgs) => {
    args.request.headers['x-moto-account-id'] = account;
    return next(args);
  };
  (client as unknown as WithMiddleware).middlewareStack.add(header, { step: 'build' });
  return client;
}

export function clientConfigEnv(
  endpoint: string,
  accessKeyId: string,
  region: string,
): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'local',
  };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
