import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Byte-exact copies of AWS's reference data (see test/fixtures/reference/README.md). */
export const REFERENCE_DIR = join(__dirname, '..', 'fixtures', 'reference');

/** The originals, beside the checkout, when present. */
export const SHARED_REFERENCE_DIR = join(__dirname, '..', '..', '..', 'shared', 'reference');

export function readReference<T = Record<string, unknown>>(relativePath: string): T {
  return JSON.parse(readFileSync(join(REFERENCE_DIR, relativePath), 'utf8')) as T;
}
