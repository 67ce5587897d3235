import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

export interface FunctionSpec {
  readonly logicalId: string;
  /** Short readable name: the handler folder (audit-notify), from POWERTOOLS_SERVICE_NAME. */
  readonly name: string;
  readonly bundleDir: string;
  readonly handler: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

export type InvokeResult =
  | { readonly ok: true; readonly result: unknown; readonly durationMs: number }
  | { readonly ok: false; readonly error: { name: string; message: string }; readonly durationMs: number };

interface Instance {
  child: ChildProcess;
  ready: Promise<void>;
  busy: boolean;
}

/**
 * Up to `concurrency` warm instances of one function, each a child process running the bundle
 * (lambda-host.cjs), each handling one invocation at a time, as Lambda's execution environments do.
 */
export class FunctionPool {
  private readonly instances: Instance[] = [];
  private readonly waiting: (() => void)[] = [];
  private stopped = false;

  constructor(
    readonly spec: FunctionSpec,
    private readonly concurrency: number,
    private readonly onLog: (line: string) => void,
  ) {}

  async invoke(event: unknown): Promise<InvokeResult> {
    const instance = await this.acquire();
    const requestId = randomUUID();
    const started = Date.now();
    try {
      await instance.ready;
      const result = await new Promise<InvokeResult>((resolve) => {
        const timer = setTimeout(() => {
          instance.child.off('message', onMessage);
          this.discard(instance);
          resolve({
            ok: false,
            error: {
              name: 'TimeoutError',
              message: `Task timed out after ${this.spec.timeoutMs / 1000} seconds`,
            },
            durationMs: Date.now() - started,
          });
        }, this.spec.timeoutMs);
        const onMessage = (m: {
          type: string;
          requestId?: string;
          ok?: boolean;
          result?: unknown;
          error?: { name: string; message: string };
        }) => {
          if (m.type !== 'result' || m.requestId !== requestId) return;
          clearTimeout(timer);
          instance.child.off('message', onMessage);
          resolve(
            m.ok
              ? { ok: true, result: m.result, durationMs: Date.now() - started }
              : {
                  ok: false,
                  error: m.error ?? { name: 'Error', message: 'unknown' },
                  durationMs: Date.now() - started,
                },
          );
        };
        instance.child.on('message', onMessage);
        instance.child.send({
          type: 'invoke',
          requestId,
          event,
          functionName: this.spec.name,
          timeoutMs: this.spec.timeoutMs,
        });
      });
      return result;
    } catch (error) {
      this.discard(instance);
      return {
        ok: false,
        error: { name: 'InitError', message: (error as Error).message },
        durationMs: Date.now() - started,
      };
    } finally {
      instance.busy = false;
      this.waiting.shift()?.();
    }
  }

  /** PIDs of the running instances. */
  pids(): number[] {
    return this.instances.map((i) => i.child.pid ?? -1);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.instances.splice(0).map((i) => kill(i.child)));
  }

  private async acquire(): Promise<Instance> {
    for (;;) {
      if (this.stopped) throw new Error(`${this.spec.name} is stopped`);
      const free = this.instances.find((i) => !i.busy);
      if (free) {
        free.busy = true;
        return free;
      }
      if (this.instances.length < this.concurrency) {
        const instance = this.spawn();
        instance.busy = true;
        this.instances.push(instance);
        return instance;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private spawn(): Instance {
    const child = fork(join(__dirname, 'lambda-host.cjs'), [this.spec.bundleDir, this.spec.handler], {
      // Lambda runs the handlers on Node.js 24, where the AWS SDK has no Node.js-version warning to
      // print; on an older local Node.js the switch keeps that warning out of the handlers' logs.
      env: {
        PATH: process.env.PATH ?? '',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...this.spec.environment,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Stack traces in local mode point at the sources; on Lambda the maps are opt-in (governed-function.ts).
      execArgv: ['--enable-source-maps'],
    });
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.onLog(line);
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    const ready = new Promise<void>((resolve, reject) => {
      const onMessage = (m: { type: string; error?: { message: string } }) => {
        if (m.type === 'ready') resolve();
        if (m.type === 'init-error') reject(new Error(`init failed: ${m.error?.message}`));
        if (m.type === 'ready' || m.type === 'init-error') child.off('message', onMessage);
      };
      child.on('message', onMessage);
      child.once('exit', (code) =>
        reject(new Error(`the handler process exited during init (code ${code})`)),
      );
    });
    ready.catch(() => undefined);
    const instance: Instance = { child, ready, busy: false };
    child.once('exit', () => {
      const i = this.instances.indexOf(instance);
      if (i >= 0) this.instances.splice(i, 1);
    });
    return instance;
  }

  private discard(instance: Instance): void {
    const i = this.instances.indexOf(instance);
    if (i >= 0) this.instances.splice(i, 1);
    void kill(instance.child);
  }
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 2000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
