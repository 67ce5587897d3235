import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type GovernanceManifest, MANIFEST_FILE_NAME, parseManifest } from '../../core/manifest';

/**
 * Loads the manifest bundled beside the handler (see core/manifest.ts). GOVERNANCE_MANIFEST_PATH
 * overrides the location, for running a handler from source.
 */
export function loadManifest(): GovernanceManifest {
  const path = process.env.GOVERNANCE_MANIFEST_PATH ?? join(__dirname, MANIFEST_FILE_NAME);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `Cannot read the governance manifest at ${path} (${(error as NodeJS.ErrnoException).code ?? error}); the bundle is incomplete: re-run cdk synth and redeploy.`,
    );
  }
  return parseManifest(text, path);
}
