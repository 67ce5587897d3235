/**
 * npm run local (and the demo, and this test setup) on machines that lack what local mode needs,
 * for real: each run is `npm run local`'s script in its own process, in a fresh folder, and each
 * missing prerequisite ends it with one line saying what to run, before anything is synthesized.
 *
 * The machines are built here from this one's Python:
 * - no python3: PATH is a folder linking every command on this PATH except python* and pip*;
 * - a Python without moto: a fresh `python3 -m venv`;
 * - moto without its [server] extra: a fresh venv holding moto and only its base requirements
 *   (test/fixtures/python/moto_without_server.py links them from this Python), as `pip install moto`
 *   leaves it.
 * pip cannot reach a package index here (nor anywhere these tests run: PIP_INDEX_URL points at a
 * closed port), so the install path runs for real and fails as it does offline.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { devNull, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parseGovernanceConfig } from '../../core/config/parse';
import { freePort, type MotoServer, startMoto } from '../../local/moto';
import { ensureMoto, motoAnswers, venvPythonOf } from '../../local/prerequisites';
import { LocalApp } from '../../local/runner/local-app';
import globalSetup from '../harness/global-setup';

const ROOT = join(__dirname, '..', '..');
const TSX = require.resolve('tsx/cli');
const CONFIG = join(ROOT, 'governance.config.json');
const REQUIREMENTS = join(ROOT, 'local', 'requirements.txt');
/** The Python the integration setup checked (it has moto[server]). */
const PYTHON = process.env.MGOV_PYTHON || 'python3';
const tmp = () => mkdtempSync(join(tmpdir(), 'mgov-firstrun-'));

/** This machine's PATH with every python* and pip* command left out. */
function pathWithoutPython(): string {
  const bin = tmp();
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (/^(python|pip)/.test(name) || existsSync(join(bin, name))) continue;
      symlinkSync(join(dir, name), join(bin, name));
    }
  }
  return bin;
}

/** The environment a fresh shell would have, with pip offline for certain and no moto chosen yet. */
function freshEnv(cwd: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['MOTO_URL', 'MGOV_PYTHON', 'PIP_FIND_LINKS', 'PIP_EXTRA_INDEX_URL', 'NO_COLOR'])
    delete env[key];
  return {
    ...env,
    MGOV_VENV: join(cwd, '.local', 'venv'),
    PIP_CONFIG_FILE: devNull,
    PIP_INDEX_URL: 'http://127.0.0.1:9/simple',
    PIP_RETRIES: '0',
    ...extra,
  };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  cwd: string;
}

/** Runs a script (local/run.ts, demo/run.ts) as `npm run` does, in a fresh folder. */
function runScript(script: string, extra: NodeJS.ProcessEnv, args: string[] = []): Promise<Run> {
  const cwd = tmp();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TSX, join(ROOT, script), ...args], {
      cwd,
      env: freshEnv(cwd, extra),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('close', (code) => resolve({ code, stdout, stderr, cwd }));
  });
}

const local = (extra: NodeJS.ProcessEnv) => runScript('local/run.ts', extra, ['--config', CONFIG]);
const lastLine = (text: string) => text.trimEnd().split('\n').at(-1) ?? '';

/** Ended by a missing prerequisite: exit 1, one line last, no stack trace, nothing synthesized. */
function expectStoppedBeforeSynth(r: Run) {
  expect(r.code).toBe(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(existsSync(join(r.cwd, '.local', 'cdk.out'))).toBe(false);
}

describe('PATH without python3', () => {
  let PATH: string;
  let apt: boolean;
  beforeAll(() => {
    PATH = pathWithoutPython();
    apt = process.platform === 'linux' && existsSync(join(PATH, 'apt-get'));
  });
  const expected = () =>
    `python3 is not on PATH, and local mode runs moto, a Python package. Run: ${
      apt
        ? 'sudo apt-get install -y python3 python3-venv'
        : process.platform === 'darwin'
          ? 'brew install python'
          : 'install Python 3.10 or newer (https://www.python.org/downloads/)'
    }, or set MOTO_URL to a running moto server.`;

  it('npm run local prints the one line to run, and stops', async () => {
    const r = await local({ PATH });
    expectStoppedBeforeSynth(r);
    expect(r.stderr).toBe(`${expected()}\n`);
    expect(r.stdout).toBe('');
  }, 360_000);

  it('npm run demo too', async () => {
    const r = await runScript('demo/run.ts', { PATH });
    expectStoppedBeforeSynth(r);
    expect(r.stderr).toBe(`demo: ${expected()}\n`);
  }, 360_000);

  it("npm test's integration setup too: its error is that one line, without a stack", async () => {
    const saved = { ...process.env };
    const cwd = tmp();
    Object.assign(process.env, freshEnv(cwd, { PATH }));
    delete process.env.MOTO_URL;
    delete process.env.MGOV_PYTHON;
    try {
      const error = await globalSetup().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toBe(`npm test needs moto for the integration tests: ${expected()}`);
      expect(error?.stack).toBe(error?.message);
    } finally {
      process.env = saved;
    }
  }, 360_000);
});

describe('a Python without moto', () => {
  let bare: string;
  beforeAll(() => {
    bare = join(tmp(), 'bare');
    execFileSync(PYTHON, ['-m', 'venv', bare]);
  }, 360_000);

  it('npm run local installs moto into .local/venv, showing the commands and pip, and says what to run when pip cannot', async () => {
    const python = venvPythonOf(bare);
    const r = await local({ MGOV_PYTHON: python });
    expectStoppedBeforeSynth(r);
    const lines = r.stderr.trimEnd().split('\n');
    const problem = `local mode needs moto[server]==5.2.1, and ${python} has no moto (ModuleNotFoundError: No module named 'moto')`;
    expect(lines.slice(0, 4)).toEqual([
      `${problem}.`,
      "Installing it into .local/venv (once; pip's output follows):",
      `$ ${python} -m venv .local/venv`,
      `$ ${venvPythonOf('.local/venv')} -m pip install --disable-pip-version-check -r ${REQUIREMENTS}`,
    ]);
    // pip's own output, indented, as progress.
    expect(lines.slice(4, -1).every((l) => l.startsWith('  '))).toBe(true);
    expect(lines.slice(4, -1).join('\n')).toMatch(
      /ERROR: No matching distribution found for moto\[server\]==5\.2\.1/,
    );
    expect(lastLine(r.stderr)).toBe(
      `${problem}, and installing moto into .local/venv failed (No matching distribution found for moto[server]==5.2.1; is the package index reachable?). Once it is, run: ${venvPythonOf('.local/venv')} -m pip install -r ${REQUIREMENTS} (or set MOTO_URL to a running moto server).`,
    );
    // The venv is whole, so that command can be run as printed.
    expect(existsSync(venvPythonOf(join(r.cwd, '.local', 'venv')))).toBe(true);
  }, 180_000);
});

describe('moto without its [server] extra', () => {
  let partial: string;
  beforeAll(() => {
    partial = join(tmp(), 'moto-only');
    execFileSync(PYTHON, ['-m', 'venv', '--without-pip', partial]);
    const python = venvPythonOf(partial);
    const site = execFileSync(python, ['-c', "import sysconfig; print(sysconfig.get_paths()['purelib'])"], {
      encoding: 'utf8',
    }).trim();
    execFileSync(PYTHON, [join(ROOT, 'test', 'fixtures', 'python', 'moto_without_server.py'), site]);
    // What `pip install moto` leaves: moto imports, its server does not.
    expect(execFileSync(python, ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8' })).toBe(
      '5.2.1\n',
    );
  }, 360_000);

  it('npm run local says which server dependencies are missing, tries the install, and says what to run', async () => {
    const python = venvPythonOf(partial);
    const r = await local({ MGOV_PYTHON: python });
    expectStoppedBeforeSynth(r);
    const first = r.stderr.split('\n')[0] ?? '';
    expect(first).toMatch(
      /^local mode needs moto\[server\]==5\.2\.1, and \S+ has moto 5\.2\.1 without its \[server\] extra \(missing [^)]*\bflask, flask-cors\)\.$/,
    );
    expect(first).toContain(python);
    expect(r.stderr).toContain(`$ ${python} -m venv .local/venv\n`);
    expect(lastLine(r.stderr)).toBe(
      `${first.slice(0, -1)}, and installing moto into .local/venv failed (No matching distribution found for moto[server]==5.2.1; is the package index reachable?). Once it is, run: ${venvPythonOf('.local/venv')} -m pip install -r ${REQUIREMENTS} (or set MOTO_URL to a running moto server).`,
    );
  }, 180_000);
});

describe('MOTO_URL: a moto server already running', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto({ python: PYTHON });
  }, 360_000);
  afterAll(async () => moto?.stop());

  it('npm run local refuses a MOTO_URL where nothing answers, in one line, without needing Python', async () => {
    const r = await local({ MOTO_URL: 'http://127.0.0.1:9', PATH: pathWithoutPython() });
    expectStoppedBeforeSynth(r);
    expect(r.stderr).toBe(
      'MOTO_URL is http://127.0.0.1:9, but no moto server answers there. Start one (for example: docker run --rm -p 5000:5000 motoserver/moto:5.2.1, with MOTO_URL=http://127.0.0.1:5000), or unset MOTO_URL.\n',
    );
  }, 360_000);

  it('npm run local uses it on a machine without Python, and leaves it running when stopped', async () => {
    const cwd = tmp();
    const port = await freePort();
    const child: ChildProcess = spawn(
      process.execPath,
      [TSX, join(ROOT, 'local', 'run.ts'), '--config', CONFIG, '--port', String(port)],
      {
        cwd,
        env: freshEnv(cwd, { MOTO_URL: moto.url, PATH: pathWithoutPython() }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    child.stderr?.on('data', (d) => {
      stdout += d;
    });
    const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
    const deadline = Date.now() + 150_000;
    while (!/Ctrl-C stops everything/.test(stdout) && child.exitCode === null && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGINT');
    expect(await closed).toBe(0);
    expect(stdout).toContain(
      `moto: the server at MOTO_URL ${moto.url} (already running; left running on stop)`,
    );
    expect(stdout).toContain(`AWS_ENDPOINT_URL=http://127.0.0.1:${port}`);
    expect(stdout).toContain('stopped: moto, the local endpoint and every handler process are gone.');
    expect(await motoAnswers(moto.url)).toBe(true);
  }, 180_000);

  it('the local app neither counts it among its processes nor stops it', async () => {
    const app = await LocalApp.start({
      config: parseGovernanceConfig({ groups: [{ name: 'external-moto' }] }),
      outdir: tmp(),
      motoUrl: moto.url,
    });
    try {
      expect(app.moto).toMatchObject({ url: moto.url, external: true });
      expect(app.processIds()).not.toContain(moto.pid);
    } finally {
      await app.stop();
    }
    expect(await motoAnswers(moto.url)).toBe(true);
  }, 360_000);

  it("npm test's integration setup uses it instead of starting one", async () => {
    const saved = { ...process.env };
    const holder = globalThis as { __moto__?: MotoServer };
    const before = holder.__moto__;
    holder.__moto__ = undefined;
    process.env.MOTO_URL = `${moto.url}/`;
    try {
      await globalSetup();
      expect(process.env.MOTO_URL).toBe(moto.url);
      expect(holder.__moto__).toBeUndefined();
    } finally {
      process.env = saved;
      holder.__moto__ = before;
    }
  }, 360_000);
});

it('uses .local/venv once it has moto, with no python3 on PATH', async () => {
  // A finished install without a package index: a venv that sees this Python's moto[server]
  // (--system-site-packages).
  const venv = join(tmp(), '.local', 'venv');
  execFileSync(PYTHON, ['-m', 'venv', '--without-pip', '--system-site-packages', venv]);
  const progress: string[] = [];
  await expect(
    ensureMoto({ venvDir: venv, env: { PATH: pathWithoutPython() }, progress: (l) => progress.push(l) }),
  ).resolves.toEqual({ kind: 'python', python: venvPythonOf(venv), motoVersion: '5.2.1' });
  expect(progress).toEqual([]);
}, 360_000);
