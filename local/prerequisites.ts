/**
 * What local mode needs from this machine, checked before anything else (npm run local, npm run
 * demo, the jest integration setup): a moto server, either one already running (MOTO_URL) or a
 * Python that has moto with its [server] extra. When no Python has it, moto is installed once into
 * .local/venv from local/requirements.txt, showing pip's progress. When that cannot work, a
 * PrerequisiteError says in one line what to run.
 *
 * The decisions (is this Python usable, what to run, what to tell the user) are pure functions
 * below; ensureMoto runs the probes and commands.
 */
import { type SpawnOptions, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative } from 'node:path';
import { packageRoot } from '../core/package-info';

/** The one-line answer to "what do I run to make local mode work here". */
export class PrerequisiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrerequisiteError';
  }
}

/** What local/moto_probe.py reports about one Python. */
export interface PythonProbe {
  /** The command that was probed (a name on PATH or a path). */
  readonly command: string;
  /** The interpreter could not be run at all: why (ENOENT: not on PATH / no such file). */
  readonly notRunnable?: string;
  readonly python?: string;
  readonly executable?: string;
  readonly moto?: string;
  readonly motoError?: string;
  readonly serverMissing?: readonly string[];
  readonly serverError?: string;
}

export type MotoSource =
  | { readonly kind: 'external'; readonly url: string }
  | { readonly kind: 'python'; readonly python: string; readonly motoVersion: string };

/** The Python version moto (as pinned) needs: moto 5.2.1's Requires-Python is >=3.10. */
export const MIN_PYTHON: readonly [number, number] = [3, 10];

/** The moto version local/requirements.txt pins (`moto[server]==X`). */
export function pinnedMoto(requirementsText: string): string {
  const pin = /^\s*moto\[server\]==([\w.]+)\s*$/m.exec(requirementsText)?.[1];
  if (!pin) throw new Error('local/requirements.txt does not pin moto[server]==VERSION');
  return pin;
}

/**
 * Whether a probed Python can run local mode's moto server: moto 5 with every distribution of its
 * [server] extra and an importable moto.server. `exact` (for .local/venv, which we install) also
 * requires the pinned version, so a bumped pin reinstalls. Returns why not, or undefined when usable.
 */
export function unusableBecause(probe: PythonProbe, pinned: string, exact = false): string | undefined {
  if (probe.notRunnable) return `${probe.command} cannot be run (${probe.notRunnable})`;
  if (!probe.moto) return `${probe.command} has no moto (${probe.motoError ?? 'not importable'})`;
  if (exact ? probe.moto !== pinned : !probe.moto.startsWith('5.'))
    return `${probe.command} has moto ${probe.moto}, not ${exact ? pinned : '5.x'}`;
  const missing = probe.serverMissing ?? [];
  if (missing.length > 0 || probe.serverError) {
    const what = missing.length > 0 ? `missing ${missing.join(', ')}` : probe.serverError;
    return `${probe.command} has moto ${probe.moto} without its [server] extra (${what})`;
  }
  return undefined;
}

/** "3.8.10" is older than MIN_PYTHON. */
export function pythonTooOld(version: string | undefined): boolean {
  const [major = 0, minor = 0] = (version ?? '').split('.').map(Number);
  return major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1]);
}

/** How this machine installs Python, for the one-line fixes. */
export type Installer = 'apt' | 'brew' | 'other';

/** The one-line fixes, each naming the problem and exactly what to run. */
export const fixes = {
  noPython: (python: string, explicit: boolean, installer: Installer) =>
    explicit
      ? `MGOV_PYTHON is ${python}, which cannot be run. Run: export MGOV_PYTHON="$(command -v python3)" (or unset MGOV_PYTHON), or set MOTO_URL to a running moto server.`
      : `${python} is not on PATH, and local mode runs moto, a Python package. Run: ${
          installer === 'apt'
            ? 'sudo apt-get install -y python3 python3-venv'
            : installer === 'brew'
              ? 'brew install python'
              : `install Python ${MIN_PYTHON.join('.')} or newer (https://www.python.org/downloads/)`
        }, or set MOTO_URL to a running moto server.`,
  tooOld: (python: string, version: string, pinned: string) =>
    `${python} is Python ${version}, and moto ${pinned} needs Python ${MIN_PYTHON.join('.')} or newer. Install a newer Python, then run: export MGOV_PYTHON=/path/to/python3.12 (or set MOTO_URL to a running moto server).`,
  noVenv: (
    problem: string,
    python: string,
    venv: string,
    why: string,
    installer: Installer,
    requirements: string,
  ) =>
    `${problem}, and ${python} could not create the virtual environment ${venv} to install moto into (${why}). Run: ${
      installer === 'apt'
        ? 'sudo apt-get install -y python3-venv'
        : `${python} -m pip install --user -r ${requirements}`
    }`,
  pipFailed: (problem: string, venv: string, venvPython: string, requirements: string, why: string) =>
    `${problem}, and installing moto into ${venv} failed (${why}; is the package index reachable?). Once it is, run: ${venvPython} -m pip install -r ${requirements} (or set MOTO_URL to a running moto server).`,
  stillUnusable: (why: string, venvPython: string, requirements: string) =>
    `pip finished, but ${why}. Run: ${venvPython} -m pip install --force-reinstall -r ${requirements}`,
  motoUrlDown: (url: string, pinned: string) =>
    `MOTO_URL is ${url}, but no moto server answers there. Start one (for example: docker run --rm -p 5000:5000 motoserver/moto:${pinned}, with MOTO_URL=http://127.0.0.1:5000), or unset MOTO_URL.`,
};

/** The commands that set moto up in a virtual environment, in order (skipping the venv when it exists). */
export function setupCommands(
  basePython: string,
  venvDir: string,
  venvPython: string,
  requirements: string,
  venvExists: boolean,
): { command: string; args: string[] }[] {
  return [
    ...(venvExists ? [] : [{ command: basePython, args: ['-m', 'venv', venvDir] }]),
    {
      command: venvPython,
      args: ['-m', 'pip', 'install', '--disable-pip-version-check', '-r', requirements],
    },
  ];
}

// ---- the edge: probes and commands -------------------------------------------------------------

export interface CommandResult {
  readonly code: number | null;
  /** spawn's error (ENOENT when the command is not there). */
  readonly error?: string;
  /** The last lines of its output. */
  readonly tail: string;
}

export interface EnsureMotoOptions {
  /** An already-running moto server (MOTO_URL): checked, then used as is. */
  readonly motoUrl?: string;
  /** Where MGOV_PYTHON and PATH are read from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Where moto is installed when no Python has it. @default MGOV_VENV or <package>/.local/venv */
  readonly venvDir?: string;
  /** Progress lines (the setup is slow and shows what it runs). @default stderr */
  readonly progress?: (line: string) => void;
  /** Runs one setup command, streaming its output to progress. @default spawns it */
  readonly run?: (
    command: string,
    args: string[],
    progress: (line: string) => void,
  ) => Promise<CommandResult>;
  /** Probes one Python. @default runs local/moto_probe.py with it */
  readonly probe?: (python: string) => Promise<PythonProbe>;
}

const REQUIREMENTS = join(packageRoot(), 'local', 'requirements.txt');
const PROBE = join(__dirname, 'moto_probe.py');

/** Where a virtual environment keeps its python. */
export function venvPythonOf(venvDir: string, platform = process.platform): string {
  return platform === 'win32' ? join(venvDir, 'Scripts', 'python.exe') : join(venvDir, 'bin', 'python');
}

/**
 * Makes sure local mode has a moto server to use, and says which: the running one at motoUrl, or a
 * Python to start it with (MGOV_PYTHON, a ready .local/venv, python3, or .local/venv after
 * installing moto there).
 * @throws PrerequisiteError whose message is the one line to show.
 */
export async function ensureMoto(options: EnsureMotoOptions = {}): Promise<MotoSource> {
  const env = options.env ?? process.env;
  const requirementsText = readFileSync(REQUIREMENTS, 'utf8');
  const pinned = pinnedMoto(requirementsText);
  if (options.motoUrl) {
    const url = options.motoUrl.replace(/\/+$/, '');
    if (await motoAnswers(url)) return { kind: 'external', url };
    throw new PrerequisiteError(fixes.motoUrlDown(url, pinned));
  }
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const run = options.run ?? runCommand;
  const probe = options.probe ?? ((python: string) => probePython(python, env));
  const venvDir = options.venvDir ?? env.MGOV_VENV ?? join(packageRoot(), '.local', 'venv');
  const venvPython = venvPythonOf(venvDir);
  const explicit = env.MGOV_PYTHON;
  const base = explicit || (process.platform === 'win32' ? 'python' : 'python3');
  const show = (path: string) => shortPath(path);

  const venvExists = existsSync(venvPython);
  const ready = async (python: string, exact: boolean) => {
    const p = await probe(python);
    return { probe: p, why: unusableBecause(p, pinned, exact) };
  };
  // An explicit MGOV_PYTHON first; otherwise a venv we installed before, then python3.
  let baseProbe: { probe: PythonProbe; why: string | undefined } | undefined;
  if (explicit) {
    baseProbe = await ready(base, false);
    if (!baseProbe.why) return { kind: 'python', python: base, motoVersion: baseProbe.probe.moto ?? '' };
  }
  if (venvExists) {
    const v = await ready(venvPython, true);
    if (!v.why) return { kind: 'python', python: venvPython, motoVersion: v.probe.moto ?? '' };
  }
  baseProbe ??= await ready(base, false);
  if (!baseProbe.why) return { kind: 'python', python: base, motoVersion: baseProbe.probe.moto ?? '' };

  const installer = installerOf(env);
  if (baseProbe.probe.notRunnable) throw new PrerequisiteError(fixes.noPython(base, !!explicit, installer));
  if (pythonTooOld(baseProbe.probe.python))
    throw new PrerequisiteError(fixes.tooOld(base, baseProbe.probe.python ?? '?', pinned));

  const problem = `local mode needs moto[server]==${pinned}, and ${baseProbe.why}`;
  progress(`${problem}.`);
  progress(`Installing it into ${show(venvDir)} (once; pip's output follows):`);
  for (const step of setupCommands(base, venvDir, venvPython, REQUIREMENTS, venvExists)) {
    progress(`$ ${[step.command, ...step.args].map(show).join(' ')}`);
    const result = await run(step.command, step.args, (line) => progress(`  ${line}`));
    if (result.code === 0) continue;
    const why = result.error ?? reasonIn(result.tail) ?? `exit code ${result.code}`;
    if (step.args[1] === 'venv') {
      // A venv without pip (no ensurepip) is half-made: remove it so the next run starts clean.
      rmSync(venvDir, { recursive: true, force: true });
      throw new PrerequisiteError(
        fixes.noVenv(problem, base, show(venvDir), why, installer, show(REQUIREMENTS)),
      );
    }
    throw new PrerequisiteError(
      fixes.pipFailed(problem, show(venvDir), show(venvPython), show(REQUIREMENTS), why),
    );
  }
  const after = await ready(venvPython, true);
  if (after.why)
    throw new PrerequisiteError(fixes.stillUnusable(after.why, show(venvPython), show(REQUIREMENTS)));
  progress(`moto ${after.probe.moto} is ready in ${show(venvDir)}.`);
  return { kind: 'python', python: venvPython, motoVersion: after.probe.moto ?? '' };
}

/** Why a command failed, from its output: pip's last "ERROR: ..." line, else its last line. */
function reasonIn(tail: string): string | undefined {
  const lines = tail
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (lines.filter((l) => l.startsWith('ERROR: ')).at(-1) ?? lines.at(-1))?.replace(/^ERROR: /, '');
}

/** A path relative to the working directory when it is below it (what the user would type). */
function shortPath(path: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function installerOf(env: NodeJS.ProcessEnv): Installer {
  if (process.platform === 'darwin') return 'brew';
  const onPath = (name: string) =>
    (env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, name)));
  return process.platform === 'linux' && onPath('apt-get') ? 'apt' : 'other';
}

/** Runs local/moto_probe.py with a Python. */
export async function probePython(
  python: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PythonProbe> {
  const result = await runCommand(python, [PROBE], () => undefined, {
    env: { ...env, PYTHONWARNINGS: 'ignore' },
  });
  if (result.error) return { command: python, notRunnable: result.error };
  const line = result.tail.trim().split('\n').at(-1) ?? '';
  try {
    return { command: python, ...(JSON.parse(line) as Omit<PythonProbe, 'command'>) };
  } catch {
    return {
      command: python,
      notRunnable: `it did not run local/moto_probe.py: ${line || `exit code ${result.code}`}`,
    };
  }
}

/** Spawns a command, hands each output line to onLine, and keeps the last lines. */
export function runCommand(
  command: string,
  args: string[],
  onLine: (line: string) => void,
  options: SpawnOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    let tail = '';
    let partial = '';
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    const take = (chunk: Buffer) => {
      const text = partial + chunk.toString();
      const lines = text.split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) {
        tail = `${tail}${line}\n`.slice(-8000);
        if (line.trim()) onLine(line);
      }
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    child.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ code: null, error: error.code ?? error.message, tail }),
    );
    child.once('close', (code) => {
      if (partial) {
        tail = `${tail}${partial}\n`;
        onLine(partial);
      }
      resolve({ code, tail });
    });
  });
}

/** Whether a moto server answers at url (its /moto-api/data.json). */
export async function motoAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/moto-api/data.json`, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}
