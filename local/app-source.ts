/**
 * Another CDK app's cloud assembly, for `mgov local --app`: the app's command run as the CDK CLI runs
 * it (CDK_OUTDIR names the folder to write; CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION the local
 * account and region), or a cloud assembly folder that `cdk synth` already wrote (copied, so a later
 * synth does not change the running app's bundles under it).
 */
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  type FSWatcher,
  readdirSync,
  statSync,
  unwatchFile,
  watch,
  watchFile,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { WatchedAssemblySource } from './play';
import type { Assembly } from './runner/local-app';
import { ACCOUNT_ID } from './sagemaker/protocol';

const LOCAL_REGION = 'us-east-1';

/** `--app VALUE`: a folder holding a cloud assembly (its manifest.json), else a command. */
export function appSource(value: string, cwd = process.cwd()): WatchedAssemblySource {
  const path = resolve(cwd, value);
  if (existsSync(path) && statSync(path).isDirectory()) return folderSource(path);
  return commandSource(value, cwd);
}

/** A command that synthesizes a CDK app (what cdk.json's "app" holds, such as `npx tsx app.ts`). */
export function commandSource(command: string, cwd: string): WatchedAssemblySource {
  return {
    describe: `the app \`${command}\``,
    savedChange: `Saving a file under ${cwd}`,
    async synth(outdir) {
      const output = await run(command, cwd, {
        CDK_OUTDIR: outdir,
        CDK_DEFAULT_ACCOUNT: ACCOUNT_ID,
        CDK_DEFAULT_REGION: LOCAL_REGION,
      });
      if (!existsSync(join(outdir, 'manifest.json'))) {
        throw new Error(
          `${command} wrote no cloud assembly to CDK_OUTDIR (${outdir}). Does the app call app.synth(), and does it take its output folder from CDK_OUTDIR (new App() does)?${output ? `\nIts output:\n${output}` : ''}`,
        );
      }
      return new CloudAssembly(outdir) as unknown as Assembly;
    },
    watch(onChange) {
      return watchTree(cwd, onChange);
    },
  };
}

/** A cloud assembly folder (cdk.out): played as it is; synthesizing it again is the user's `cdk synth`. */
export function folderSource(dir: string): WatchedAssemblySource {
  const manifest = join(dir, 'manifest.json');
  if (!existsSync(manifest)) {
    throw new Error(
      `${dir} holds no cloud assembly (no manifest.json). Give --app the folder cdk synth writes (cdk.out), or the app's command, such as --app "npx tsx app.ts".`,
    );
  }
  return {
    describe: `the cloud assembly in ${dir}`,
    savedChange: `A new synth into ${dir} (cdk synth)`,
    async synth(outdir) {
      cpSync(dir, outdir, { recursive: true });
      return new CloudAssembly(outdir) as unknown as Assembly;
    },
    watch(onChange) {
      watchFile(manifest, { interval: 500 }, (now, before) => {
        if (now.mtimeMs !== before.mtimeMs && now.mtimeMs !== 0) onChange();
      });
      return () => unwatchFile(manifest);
    },
  };
}

/** Runs the app's command; resolves with its output, or rejects naming the command and its exit. */
function run(command: string, cwd: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, {
      cwd,
      shell: true,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', (error) => reject(new Error(`Could not run ${command}: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolvePromise(output.trim());
      else
        reject(
          new Error(
            `${command} failed (${signal ? `signal ${signal}` : `exit code ${code}`}); nothing was synthesized.\n${output.trim()}`,
          ),
        );
    });
  });
}

/** Folders whose changes are the app's output or its tools', not its source. */
const IGNORED = new Set(['node_modules', 'cdk.out', 'dist', 'coverage']);
/** At most this many folders are watched (a source tree, not a dependency tree). */
const MAX_FOLDERS = 500;

/**
 * Calls onChange once per burst of saved changes in root's source folders: each folder watched on
 * its own (a recursive watch would also walk node_modules), hidden folders and IGNORED left out.
 */
function watchTree(root: string, onChange: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const watchers: FSWatcher[] = [];
  const folders = [root];
  for (let i = 0; i < folders.length && folders.length < MAX_FOLDERS; i++) {
    const dir = folders[i] as string;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && !IGNORED.has(entry.name))
        folders.push(join(dir, entry.name));
    }
  }
  for (const dir of folders.slice(0, MAX_FOLDERS)) {
    try {
      watchers.push(
        watch(dir, () => {
          clearTimeout(timer);
          timer = setTimeout(onChange, 300);
        }),
      );
    } catch {
      // A folder removed since it was listed: nothing to watch there.
    }
  }
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
