import { createHash } from 'node:crypto';

/**
 * A Docker image manifest (schema 2) standing for one build of an image: its config differs by
 * build, and its one layer by `layer` (the same layer for every build unless given).
 */
export function imageManifest(build: string, layer = `code of ${build}`): string {
  const digest = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 7,
      digest: digest(`config of ${build}`),
    },
    layers: [
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 42, digest: digest(layer) },
    ],
  });
}
