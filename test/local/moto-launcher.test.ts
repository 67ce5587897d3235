/**
 * moto started by local mode stops with the process that started it: a parent killed outright (or
 * interrupted before it could stop moto: Ctrl-C while npm run local synthesizes) must not leave moto
 * running with its port taken. The parent here is a real node process, killed with SIGKILL.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../local/moto';
import { ensureMoto } from '../../local/prerequisites';
import { eventually } from '../harness/local-aws';

const LAUNCHER = join(__dirname, '..', '..', 'local', 'moto_server.py');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('exits when the process that started it is killed', async () => {
  const source = await ensureMoto({});
  if (source.kind !== 'python') throw new Error('this test needs moto started from Python, not MOTO_URL');
  const port = await freePort();
  // The parent starts moto, prints its PID, and waits to be killed.
  const parent = spawn(
    process.execPath,
    [
      '-e',
      `const c = require('node:child_process').spawn(${JSON.stringify(source.python)}, [${JSON.stringify(LAUNCHER)}, '-H', '127.0.0.1', '-p', '${port}'], { stdio: 'ignore' });
       console.log(c.pid);
       setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  parent.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const motoPid = await eventually(async () => Number(out.trim()) || undefined, "moto's PID");
  // moto answers: it is up (and its watcher started with it).
  await eventually(
    async () =>
      (await fetch(`http://127.0.0.1:${port}/moto-api/`)
        .then((r) => r.ok)
        .catch(() => false)) || undefined,
    'moto answering',
    30_000,
  );
  parent.kill('SIGKILL');
  await eventually(
    async () => (alive(motoPid) ? undefined : true),
    `moto (PID ${motoPid}) gone after its parent`,
    10_000,
  );
}, 360_000);
