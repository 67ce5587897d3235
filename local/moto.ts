import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A moto server on loopback, started and stopped by this process. */
export interface MotoServer {
  readonly url: string;
  readonly port: number;
  /** Its process id; -1 for a server this process did not start (connectMoto). */
  readonly pid: number;
  /** Started elsewhere (MOTO_URL): stop() leaves it running. */
  readonly external?: boolean;
  /** Clears every resource moto holds (its /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

const MOTO_LAUNCHER = join(__dirname, 'moto_server.py');

/**
 * Starts moto's server (`python3 -m moto.server`, through local/moto_server.py) on 127.0.0.1 and
 * waits until it answers. local/prerequisites.ts's ensureMoto says which Python has moto; by default
 * MGOV_PYTHON, else python3.
 * @throws with moto's own output when it does not start (moto not installed, port taken).
 */
export async function startMoto(
  options: { port?: number; timeoutMs?: number; python?: string } = {},
): Promise<MotoServer> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const python = options.python ?? (process.env.MGOV_PYTHON || 'python3');
  // local/moto_server.py is `python3 -m moto.server` with moto's EventBridge target delivery made
  // fast (it caches jsonpath parsers moto rebuilds per event); nothing else changes.
  const child = spawn(python, [MOTO_LAUNCHER, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output = (output + d).slice(-4000);
  });
  child.stderr?.on('data', (d) => {
    output = (output + d).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (error) => {
      output += String(error);
      resolve(null);
    });
  });
  // Time spent waiting here, not wall-clock time: the caller synthesizes (synchronously, tens of
  // seconds for a multi-account app on a busy machine) while moto boots, and that must not count.
  let waited = 0;
  let last = Date.now();
  while (waited < (options.timeoutMs ?? 30_000)) {
    const state = await Promise.race([exited.then(() => 'exited' as const), ping(url)]);
    if (state === 'exited') {
      throw new Error(`moto (${python}) exited before it answered on ${url}; its output:\n${output}`);
    }
    if (state) break;
    await new Promise((r) => setTimeout(r, 100));
    const now = Date.now();
    waited += Math.min(now - last, 1200);
    last = now;
  }
  if (!(await ping(url))) {
    await kill(child);
    throw new Error(`moto did not answer on ${url} within ${options.timeoutMs ?? 30_000} ms.\n${output}`);
  }
  return {
    url,
    port,
    pid: child.pid ?? -1,
    reset: () => resetMoto(url),
    stop: () => kill(child),
  };
}

/** A moto server already running at url (MOTO_URL): used as is, and left running by stop(). */
export function connectMoto(url: string): MotoServer {
  const base = url.replace(/\/+$/, '');
  return {
    url: base,
    port: Number(new URL(base).port || (base.startsWith('https:') ? 443 : 80)),
    pid: -1,
    external: true,
    reset: () => resetMoto(base),
    stop: async () => undefined,
  };
}

async function resetMoto(url: string): Promise<void> {
  const res = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
}

async function ping(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/moto-api/data.json`, { signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after 3 s; resolves once the process is gone. */
function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
