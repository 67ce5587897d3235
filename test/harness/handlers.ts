import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGovernanceConfig } from '../../core/config/parse';
import { MANIFEST_FILE_NAME } from '../../core/manifest';
import { useLocalAws } from './local-aws';

/** Writes the handlers' manifest for raw configuration JSON, as the stack would, and returns its path. */
export function writeManifest(raw: unknown): string {
  const config = parseGovernanceConfig(raw);
  const path = join(mkdtempSync(join(tmpdir(), 'mgov-manifest-')), MANIFEST_FILE_NAME);
  writeFileSync(path, JSON.stringify({ manifestVersion: 1, groups: config.groups }));
  return path;
}

/**
 * Loads a handler module from source with its environment set as the stack sets it, with the SDK
 * pointed at moto. Each call gives a fresh module (handlers read their environment at cold start).
 */
export function loadHandler<T>(modulePath: string, env: Record<string, string>): T {
  useLocalAws();
  Object.assign(process.env, env);
  let loaded: T | undefined;
  jest.isolateModules(() => {
    loaded = require(modulePath) as T;
  });
  if (!loaded) throw new Error(`could not load ${modulePath}`);
  return loaded;
}

/** Captures the JSON log lines a handler writes (Powertools: stdout, warnings and errors on stderr). */
export async function captureLogs<T>(
  run: () => Promise<T>,
): Promise<{ result: T; logs: Record<string, unknown>[] }> {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  };
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(capture),
    jest.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  try {
    const result = await run();
    return {
      result,
      logs: lines
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}
