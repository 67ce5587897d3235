/** The project's copies of AWS's reference data are byte-exact (checked when the originals are beside the checkout). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REFERENCE_DIR, SHARED_REFERENCE_DIR } from './harness/reference';

const copies: [string, string][] = [
  ...readdirSync(join(REFERENCE_DIR, 'metrics')).map((f): [string, string] => [
    join(REFERENCE_DIR, 'metrics', f),
    `metrics/${f}`,
  ]),
  [join(__dirname, '..', 'domain', 'model-card-schema.json'), 'model-card-schema.json'],
];

it('has a copy of every metrics sample and of the schema', () => {
  expect(copies.length).toBe(11);
});

const shared = existsSync(SHARED_REFERENCE_DIR);
it.each(copies)(
  '%s is byte-exact with the original (when ../shared/reference is present)',
  (copy, original) => {
    const ours = readFileSync(copy);
    if (shared) expect(ours.equals(readFileSync(join(SHARED_REFERENCE_DIR, original)))).toBe(true);
    else expect(ours.length).toBeGreaterThan(0);
  },
);
