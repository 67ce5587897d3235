import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { MANIFEST_FILE_NAME } from '../core/manifest';

/**
 * Where a handler's code comes from, in one of two ways with the same bundle:
 *
 * - **Prebuilt** (the installed package): `npm run build` bundles every handler into
 *   dist/bundles/<name>/index.js (scripts/build-handlers.ts). A team embedding the constructs then
 *   compiles none of our sources and needs neither esbuild nor our lockfile; synth copies the bundle
 *   and the manifest into one asset folder.
 * - **From source** (this repository: `cdk synth`, the tests, local mode): esbuild bundles
 *   handlers/<name>/index.ts at synth, locally (no Docker), with the same options.
 *
 * Which one follows from where this module runs: compiled in dist/constructs, the bundles are at
 * dist/bundles; run from constructs/ (tsx, ts-jest), there is no ../bundles and the sources are at
 * ../handlers. So this repository's synth needs no build step.
 */
export const PREBUILT_ROOT = join(__dirname, '..', 'bundles');
export const SOURCE_ROOT = join(__dirname, '..', 'handlers');

/**
 * The esbuild options of every handler bundle, prebuilt or from source:
 * - the AWS SDK is bundled, not taken from the runtime: the bundle pins the SDK version we test with,
 *   and a minified single file loads faster than the runtime's SDK (measured by `npm run bench`);
 * - `mainFields: ['module', 'main']` takes the SDK's ES module builds, which tree-shake;
 * - a source map without sources content beside the bundle: Node reads it only when the function
 *   sets NODE_OPTIONS=--enable-source-maps, which GovernedFunction leaves off the hot path (it costs
 *   every cold start); local mode always reads it (local/runner/function-pool.ts).
 */
export function bundleOptions(entry: string, outfile: string) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node' as const,
    target: 'node24',
    format: 'cjs' as const,
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'warning' as const,
  };
}

/** The handler's code with the governance manifest beside index.js (see core/manifest.ts). */
export function handlerCode(handlerName: string, manifestPath: string): lambda.Code {
  const prebuilt = join(PREBUILT_ROOT, handlerName);
  if (existsSync(join(prebuilt, 'index.js'))) {
    const staged = join(dirname(manifestPath), 'handlers', handlerName);
    mkdirSync(staged, { recursive: true });
    for (const file of readdirSync(prebuilt)) copyFileSync(join(prebuilt, file), join(staged, file));
    copyFileSync(manifestPath, join(staged, MANIFEST_FILE_NAME));
    return lambda.Code.fromAsset(staged);
  }
  const entry = join(SOURCE_ROOT, handlerName, 'index.ts');
  if (!existsSync(entry)) {
    throw new Error(`No handler "${handlerName}": neither a bundle at ${prebuilt} nor a source at ${entry}.`);
  }
  return lambda.Code.fromAsset(join(SOURCE_ROOT, handlerName), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // CDK stages one bundle per source path and bundling options within an app (AssetStaging's
      // cache key is their JSON, which leaves out `local.tryBundle`): with the manifest's hash in the
      // options, each manifest gets its own bundle. Without it, every stack's handler of this name
      // got the first stack's manifest: a deployment account's reconciler managed another account's
      // targets, a second shard's handlers the first shard's groups.
      environment: {
        MGOV_MANIFEST_SHA256: createHash('sha256').update(readFileSync(manifestPath)).digest('hex'),
      },
      // Never used: local bundling below always succeeds or throws.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24'),
      local: {
        tryBundle(outputDir: string): boolean {
          // Loaded only when bundling from source: the installed package never needs esbuild.
          const esbuild = require('esbuild') as typeof import('esbuild');
          esbuild.buildSync(bundleOptions(entry, join(outputDir, 'index.js')));
          copyFileSync(manifestPath, join(outputDir, MANIFEST_FILE_NAME));
          return true;
        },
      },
    },
  });
}
