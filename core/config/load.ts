import { readFileSync } from 'node:fs';
import { ConfigurationError, parseGovernanceConfig } from './parse';
import type { GovernanceConfig } from './types';

/** Reads and validates a governance configuration file. */
export function loadGovernanceConfig(path: string): GovernanceConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigurationError(path, [
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); create it or pass another path with -c config=PATH.`,
    ]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(path, [`is not valid JSON: ${(error as Error).message}.`]);
  }
  return parseGovernanceConfig(raw, path);
}
