import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** AWS's reference data, beside the checkout (../shared/reference); see its README. */
export const REFERENCE_DIR = join(__dirname, '..', '..', '..', 'shared', 'reference');

export function readReference<T = Record<string, unknown>>(relativePath: string): T {
  return JSON.parse(readFileSync(join(REFERENCE_DIR, relativePath), 'utf8')) as T;
}
