import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Stack, Stage } from 'aws-cdk-lib';
import { type GovernanceManifest, MANIFEST_FILE_NAME } from '../core/manifest';

/** Writes a stack's handler manifest into the cloud assembly; GovernedFunction copies it into each bundle. */
export function writeManifest(stack: Stack, manifest: GovernanceManifest): string {
  const dir = join(Stage.of(stack)?.outdir ?? '.', 'manifests', stack.artifactId);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, MANIFEST_FILE_NAME);
  writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
  return path;
}
