import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGovernanceConfig } from '../../core/config/parse';
import { LocalApp, type LocalAppOptions } from '../../local/runner/local-app';

/**
 * The synthesized app running locally for one test file: its own moto and local endpoint on free
 * ports (stopped by PID in stop()), fast endpoint transitions and retries.
 */
export function startLocalApp(raw: unknown, options: Partial<LocalAppOptions> = {}): Promise<LocalApp> {
  return LocalApp.start({
    config: parseGovernanceConfig(raw),
    outdir: mkdtempSync(join(tmpdir(), 'mgov-local-')),
    timing: { createMs: 200, updateMs: 200, deleteMs: 50 },
    retryDelaysMs: [50, 50],
    log: (e) => {
      if (e.kind === 'info' && /error/i.test(e.text)) process.stderr.write(`[local app] ${e.text}\n`);
    },
    ...options,
  });
}
