/**
 * mgov's command line before it reaches AWS: --version, bare mgov, "did you mean", and no AWS SDK
 * Node.js-version warning at the user. No endpoint is needed (test/integration/cli.test.ts runs
 * every command against local mode).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main as mgov } from '../../cli/main';
import { didYouMean, editDistance } from '../../core/suggest';

const ROOT = join(__dirname, '..', '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await mgov(args, {
    out: (t) => {
      out += `${t}\n`;
    },
    err: (t) => {
      err += `${t}\n`;
    },
    isTTY: false,
    env: { ...process.env },
  });
  return { code, out, err };
}

/** The installed command, as a user runs it: bin/mgov.cjs in its own Node.js process. */
function mgovProcess(args: string[], env: NodeJS.ProcessEnv = {}) {
  const clean = { ...process.env };
  delete clean.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  return spawnSync(process.execPath, [join(ROOT, 'bin', 'mgov.cjs'), ...args], {
    encoding: 'utf8',
    env: { ...clean, AWS_REGION: 'us-east-1', ...env },
    timeout: 60_000,
  });
}

describe('mgov --version', () => {
  it("prints the package's version, and exits 0", async () => {
    expect(await run(['--version'])).toEqual({ code: 0, out: `mgov ${VERSION}\n`, err: '' });
    expect(JSON.parse((await run(['--version', '--json'])).out)).toEqual({ version: VERSION });
  });

  it('keeps --version VALUE as an option after a command', async () => {
    expect(await run(['lineage', '--version'])).toEqual({
      code: 2,
      out: '',
      err: "mgov: Option '--version <value>' argument missing\nhint: mgov lineage --help\n",
    });
    expect((await run(['status', '--version', '3'])).err).toBe(
      'mgov: status does not take --version.\nhint: mgov status --help\n',
    );
  });

  it('works as the installed command', () => {
    const r = mgovProcess(['--version']);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, `mgov ${VERSION}\n`, '']);
  }, 60_000);
});

describe('bare mgov', () => {
  it('prints the help, and exits 0', async () => {
    const bare = await run([]);
    expect(bare.code).toBe(0);
    expect(bare.out).toBe((await run(['--help'])).out);
    expect(bare.out).toMatch(/^mgov: model governance from the command line\.\n\nCommands:\n {2}status /);
  });
});

describe('did you mean', () => {
  it('suggests the command a typo was meant to be', async () => {
    expect(await run(['stauts'])).toEqual({
      code: 2,
      out: '',
      err: 'mgov: unknown command "stauts". Did you mean "status"?\nhint: mgov --help\n',
    });
    expect((await run(['aprove', 'g', '1'])).err).toContain('Did you mean "approve"?');
    expect((await run(['lineag'])).err).toContain('Did you mean "lineage"?');
    // Nothing close: no guess.
    expect((await run(['deploy'])).err).toBe('mgov: unknown command "deploy".\nhint: mgov --help\n');
  });

  it("suggests the option a typo was meant to be, among the command's own", async () => {
    expect(await run(['approve', 'g', '1', '--reasn', 'x'])).toEqual({
      code: 2,
      out: '',
      err: "mgov: Unknown option '--reasn'. Did you mean --reason?\nhint: mgov approve --help\n",
    });
    expect((await run(['lineage', '--endpont', 'e'])).err).toContain('Did you mean --endpoint?');
    expect((await run(['status', '--jsno'])).err).toContain('Did you mean --json?');
    // status takes no --reason, so it does not suggest it.
    expect((await run(['status', '--reasn', 'x'])).err).toBe(
      "mgov: Unknown option '--reasn'.\nhint: mgov status --help\n",
    );
  });

  it('counts a swap of neighbouring letters as one edit, and refuses far guesses', () => {
    expect(editDistance('stauts', 'status')).toBe(1);
    expect(editDistance('status', 'status')).toBe(0);
    expect(editDistance('', 'card')).toBe(4);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(didYouMean('stauts', ['approve', 'status', 'audit'])).toBe('status');
    expect(didYouMean('STATUS', ['status'])).toBe('status');
    expect(didYouMean('x', ['card', 'audit'])).toBeUndefined();
    expect(
      didYouMean('deploy', ['status', 'approve', 'reject', 'register', 'card', 'lineage']),
    ).toBeUndefined();
  });
});

describe("the AWS SDK's Node.js-version warning", () => {
  // Any command builds an SDK client; a missing configuration then fails it without a network call.
  const command = ['status', '--config', join(ROOT, 'no-such-config.json')];

  it('is not printed at the user', () => {
    const r = mgovProcess(command);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(/NodeVersionSupportWarning|Warning:/);
    expect(r.stderr).toMatch(/^mgov: Invalid governance configuration/);
  }, 60_000);

  it("is the SDK's own, shown with its documented switch off (on Node.js < 22, where it fires)", () => {
    const r = mgovProcess(command, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' });
    const major = Number(process.versions.node.split('.')[0]);
    expect(r.stderr.includes('NodeVersionSupportWarning')).toBe(major < 22);
  }, 60_000);
});
