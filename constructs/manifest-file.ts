import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack, Stage } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type GovernanceManifest, MANIFEST_FILE_NAME } from '../core/manifest';

/**
 * Writes the handler manifest of one governance construct into the cloud assembly; GovernedFunction
 * copies it into each bundle. One folder per stack, and per construct when it is not the stack's
 * `Default` child (so two governance constructs in one stack keep their own manifests).
 */
export function writeManifest(scope: Construct, manifest: GovernanceManifest): string {
  const stack = Stack.of(scope);
  const own = scope.node.scope === stack && scope.node.id === 'Default' ? [] : [scope.node.addr];
  const dir = join(Stage.of(stack)?.outdir ?? '.', 'manifests', stack.artifactId, ...own);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, MANIFEST_FILE_NAME);
  writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
  return path;
}
