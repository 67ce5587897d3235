/**
 * Local mode's prerequisite decisions and the install path, by the commands it runs: no Python is
 * run here (the unit project has none). test/local/prerequisites.test.ts runs the same paths for real.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CommandResult,
  ensureMoto,
  fixes,
  PrerequisiteError,
  type PythonProbe,
  pinnedMoto,
  pythonTooOld,
  unusableBecause,
  venvPythonOf,
} from '../../local/prerequisites';

const REQUIREMENTS = join(__dirname, '..', '..', 'local', 'requirements.txt');
const PINNED = pinnedMoto(readFileSync(REQUIREMENTS, 'utf8'));
const READY: Omit<PythonProbe, 'command'> = { python: '3.11.7', moto: PINNED, serverMissing: [] };
const NO_MOTO: Omit<PythonProbe, 'command'> = {
  python: '3.11.7',
  motoError: "ModuleNotFoundError: No module named 'moto'",
};

describe('which Python can run moto', () => {
  it('pins moto[server] in local/requirements.txt, at the version the tests use', () => {
    expect(PINNED).toBe('5.2.1');
    expect(() => pinnedMoto('moto==5.2.1\n')).toThrow('does not pin moto[server]==VERSION');
  });

  it('accepts moto 5 with its whole server extra, and says why not otherwise', () => {
    expect(unusableBecause({ command: 'python3', ...READY }, PINNED)).toBeUndefined();
    expect(unusableBecause({ command: 'python3', notRunnable: 'ENOENT' }, PINNED)).toBe(
      'python3 cannot be run (ENOENT)',
    );
    expect(unusableBecause({ command: 'python3', ...NO_MOTO }, PINNED)).toBe(
      "python3 has no moto (ModuleNotFoundError: No module named 'moto')",
    );
    expect(unusableBecause({ command: 'python3', ...READY, moto: '4.2.14' }, PINNED)).toBe(
      'python3 has moto 4.2.14, not 5.x',
    );
    expect(
      unusableBecause(
        {
          command: 'python3',
          ...READY,
          serverMissing: ['flask', 'flask-cors'],
          serverError: "ModuleNotFoundError: No module named 'flask'",
        },
        PINNED,
      ),
    ).toBe('python3 has moto 5.2.1 without its [server] extra (missing flask, flask-cors)');
    // moto.server failing to import is enough, even when the metadata lists nothing missing.
    expect(unusableBecause({ command: 'python3', ...READY, serverError: 'ImportError: boom' }, PINNED)).toBe(
      'python3 has moto 5.2.1 without its [server] extra (ImportError: boom)',
    );
  });

  it('requires the pinned version exactly in the venv it installs, so a new pin reinstalls', () => {
    expect(unusableBecause({ command: 'v/bin/python', ...READY, moto: '5.1.0' }, PINNED)).toBeUndefined();
    expect(unusableBecause({ command: 'v/bin/python', ...READY, moto: '5.1.0' }, PINNED, true)).toBe(
      'v/bin/python has moto 5.1.0, not 5.2.1',
    );
  });

  it('knows moto 5.2.1 needs Python 3.10 (its Requires-Python)', () => {
    expect(pythonTooOld('3.9.18')).toBe(true);
    expect(pythonTooOld('2.7.18')).toBe(true);
    expect(pythonTooOld('3.10.0')).toBe(false);
    expect(pythonTooOld('3.13.1')).toBe(false);
  });
});

describe('ensureMoto, by the commands it runs', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'mgov-prereq-'));

  /** A machine whose Pythons answer as given, recording every command run. */
  function machine(
    probes: Record<string, Omit<PythonProbe, 'command'>>,
    results: CommandResult[] = [],
    path = '',
  ) {
    const ran: string[][] = [];
    const progress: string[] = [];
    const queue = [...results];
    return {
      ran,
      progress,
      options: (venvDir: string, env: NodeJS.ProcessEnv = {}) => ({
        venvDir,
        env: { PATH: path, ...env },
        progress: (line: string) => progress.push(line),
        probe: async (python: string) => ({
          command: python,
          ...(probes[python] ?? { notRunnable: 'ENOENT' }),
        }),
        run: async (command: string, args: string[], onLine: (line: string) => void) => {
          ran.push([command, ...args]);
          const result = queue.shift() ?? { code: 0, tail: '' };
          for (const line of result.tail.split('\n').filter(Boolean)) onLine(line);
          if (command.endsWith('python3') && args[1] === 'venv' && result.code === 0) {
            mkdirSync(join(args[2] ?? '', 'bin'), { recursive: true });
            writeFileSync(venvPythonOf(args[2] ?? ''), '');
          }
          if (args[1] === 'pip' && result.code === 0) probes[venvPythonOf(venvDirOf(command))] = READY;
          return result;
        },
      }),
    };
  }
  const venvDirOf = (venvPython: string) => join(venvPython, '..', '..');
  const fail = async (p: Promise<unknown>) => {
    const error = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PrerequisiteError);
    return (error as Error).message;
  };

  it('uses python3 when it has moto[server], running nothing', async () => {
    const m = machine({ python3: READY });
    await expect(ensureMoto(m.options(join(dir(), 'venv')))).resolves.toEqual({
      kind: 'python',
      python: 'python3',
      motoVersion: PINNED,
    });
    expect(m.ran).toEqual([]);
    expect(m.progress).toEqual([]);
  });

  it('prefers MGOV_PYTHON, then a venv it set up before, over python3', async () => {
    const venv = join(dir(), 'venv');
    mkdirSync(join(venv, 'bin'), { recursive: true });
    writeFileSync(venvPythonOf(venv), '');
    const m = machine({ '/opt/py/bin/python3': READY, [venvPythonOf(venv)]: READY, python3: READY });
    expect(await ensureMoto(m.options(venv, { MGOV_PYTHON: '/opt/py/bin/python3' }))).toMatchObject({
      python: '/opt/py/bin/python3',
    });
    expect(await ensureMoto(m.options(venv))).toMatchObject({ python: venvPythonOf(venv) });
  });

  it('installs local/requirements.txt into a new venv when python3 has no moto, showing each command', async () => {
    const venv = join(dir(), 'venv');
    const m = machine({ python3: NO_MOTO }, [
      { code: 0, tail: '' },
      { code: 0, tail: 'Collecting moto[server]==5.2.1\nSuccessfully installed moto-5.2.1\n' },
    ]);
    await expect(ensureMoto(m.options(venv))).resolves.toEqual({
      kind: 'python',
      python: venvPythonOf(venv),
      motoVersion: PINNED,
    });
    expect(m.ran).toEqual([
      ['python3', '-m', 'venv', venv],
      [venvPythonOf(venv), '-m', 'pip', 'install', '--disable-pip-version-check', '-r', REQUIREMENTS],
    ]);
    expect(m.progress).toEqual([
      "local mode needs moto[server]==5.2.1, and python3 has no moto (ModuleNotFoundError: No module named 'moto').",
      `Installing it into ${venv} (once; pip's output follows):`,
      `$ python3 -m venv ${venv}`,
      `$ ${venvPythonOf(venv)} -m pip install --disable-pip-version-check -r local/requirements.txt`,
      '  Collecting moto[server]==5.2.1',
      '  Successfully installed moto-5.2.1',
      `moto 5.2.1 is ready in ${venv}.`,
    ]);
  });

  it('reuses an existing venv that lacks moto (pip only), and reinstalls when the pin moved', async () => {
    const venv = join(dir(), 'venv');
    mkdirSync(join(venv, 'bin'), { recursive: true });
    writeFileSync(venvPythonOf(venv), '');
    const m = machine({ python3: NO_MOTO, [venvPythonOf(venv)]: { ...READY, moto: '5.1.0' } });
    await ensureMoto(m.options(venv));
    expect(m.ran).toEqual([
      [venvPythonOf(venv), '-m', 'pip', 'install', '--disable-pip-version-check', '-r', REQUIREMENTS],
    ]);
  });

  it('installs when python3 has moto without its [server] extra', async () => {
    const venv = join(dir(), 'venv');
    const m = machine({ python3: { ...READY, serverMissing: ['flask', 'flask-cors'] } });
    await ensureMoto(m.options(venv));
    expect(m.ran.map((c) => c.slice(1, 3))).toEqual([
      ['-m', 'venv'],
      ['-m', 'pip'],
    ]);
    expect(m.progress[0]).toBe(
      'local mode needs moto[server]==5.2.1, and python3 has moto 5.2.1 without its [server] extra (missing flask, flask-cors).',
    );
  });

  it('stops with one line when pip cannot reach the package index', async () => {
    const venv = join(dir(), 'venv');
    const m = machine({ python3: NO_MOTO }, [
      { code: 0, tail: '' },
      {
        code: 1,
        tail: 'ERROR: Could not find a version that satisfies the requirement moto[server]==5.2.1 (from versions: none)\nERROR: No matching distribution found for moto[server]==5.2.1\n',
      },
    ]);
    expect(await fail(ensureMoto(m.options(venv)))).toBe(
      `local mode needs moto[server]==5.2.1, and python3 has no moto (ModuleNotFoundError: No module named 'moto'), and installing moto into ${venv} failed (No matching distribution found for moto[server]==5.2.1; is the package index reachable?). Once it is, run: ${venvPythonOf(venv)} -m pip install -r local/requirements.txt (or set MOTO_URL to a running moto server).`,
    );
    // The venv itself is whole (only moto is missing): kept, so that command works.
    expect(existsSync(venvPythonOf(venv))).toBe(true);
  });

  it('stops with one line, removing the half-made venv, when Python has no working venv module', async () => {
    const venv = join(dir(), 'venv');
    const ensurepip =
      'The virtual environment was not created successfully because ensurepip is not available.';
    const m = machine({ python3: NO_MOTO }, [{ code: 1, tail: `${ensurepip}\n` }]);
    const run = m.options(venv).run;
    const options = {
      ...m.options(venv),
      // Debian's python3 without python3-venv: the venv folder is left without pip.
      run: async (command: string, args: string[], onLine: (line: string) => void) => {
        mkdirSync(join(venv, 'bin'), { recursive: true });
        return run(command, args, onLine);
      },
    };
    const noApt = await fail(ensureMoto(options));
    expect(noApt).toBe(
      `local mode needs moto[server]==5.2.1, and python3 has no moto (ModuleNotFoundError: No module named 'moto'), and python3 could not create the virtual environment ${venv} to install moto into (${ensurepip}). Run: python3 -m pip install --user -r local/requirements.txt`,
    );
    expect(m.ran).toEqual([['python3', '-m', 'venv', venv]]);
    expect(existsSync(venv)).toBe(false);

    // Where apt-get is on PATH, the fix is Debian's package.
    const bin = dir();
    writeFileSync(join(bin, 'apt-get'), '#!/bin/sh\n');
    chmodSync(join(bin, 'apt-get'), 0o755);
    const apt = machine({ python3: NO_MOTO }, [{ code: 1, tail: `${ensurepip}\n` }], bin);
    const line = await fail(ensureMoto(apt.options(venv)));
    if (process.platform === 'linux') expect(line).toMatch(/\. Run: sudo apt-get install -y python3-venv$/);
    else expect(line).not.toContain('apt-get');
  });

  it('stops with one line when there is no python3, or MGOV_PYTHON cannot run, before running anything', async () => {
    const m = machine({});
    const line = await fail(ensureMoto(m.options(join(dir(), 'venv'))));
    expect(line).toBe(
      process.platform === 'darwin'
        ? 'python3 is not on PATH, and local mode runs moto, a Python package. Run: brew install python, or set MOTO_URL to a running moto server.'
        : 'python3 is not on PATH, and local mode runs moto, a Python package. Run: install Python 3.10 or newer (https://www.python.org/downloads/), or set MOTO_URL to a running moto server.',
    );
    expect(await fail(ensureMoto(m.options(join(dir(), 'venv'), { MGOV_PYTHON: '/no/python' })))).toBe(
      'MGOV_PYTHON is /no/python, which cannot be run. Run: export MGOV_PYTHON="$(command -v python3)" (or unset MGOV_PYTHON), or set MOTO_URL to a running moto server.',
    );
    expect(m.ran).toEqual([]);
    expect(fixes.noPython('python3', false, 'apt')).toContain(
      'Run: sudo apt-get install -y python3 python3-venv,',
    );
  });

  it('stops with one line when Python is older than moto needs', async () => {
    const m = machine({ python3: { ...NO_MOTO, python: '3.8.10' } });
    expect(await fail(ensureMoto(m.options(join(dir(), 'venv'))))).toBe(
      'python3 is Python 3.8.10, and moto 5.2.1 needs Python 3.10 or newer. Install a newer Python, then run: export MGOV_PYTHON=/path/to/python3.12 (or set MOTO_URL to a running moto server).',
    );
    expect(m.ran).toEqual([]);
  });

  it('with MOTO_URL, checks that moto answers there and runs no Python', async () => {
    const m = machine({});
    expect(await fail(ensureMoto({ ...m.options(join(dir(), 'venv')), motoUrl: 'http://127.0.0.1:9' }))).toBe(
      'MOTO_URL is http://127.0.0.1:9, but no moto server answers there. Start one (for example: docker run --rm -p 5000:5000 motoserver/moto:5.2.1, with MOTO_URL=http://127.0.0.1:5000), or unset MOTO_URL.',
    );
    expect(m.ran).toEqual([]);
  });
});
