/**
 * docs/configuration.md is what scripts/generate-config-docs.ts makes of the JSON Schema, and it
 * documents every field the schema has, each with what it means.
 */
import { readFileSync } from 'node:fs';
import { configDocs, configFields, DOCS_FILE, type Schema } from '../../../scripts/generate-config-docs';
import { configSchema } from '../../../scripts/generate-config-schema';

const schema = configSchema() as Schema;

/** Every property path of the schema, walked here independently of the generator. */
function schemaPaths(s: Schema, path: string): string[] {
  const r = s.$ref ? (schema.definitions?.[s.$ref.replace('#/definitions/', '')] ?? {}) : s;
  if (r.anyOf) return r.anyOf.flatMap((v) => schemaPaths(v, path));
  if (r.type === 'array' && r.items) return schemaPaths(r.items, `${path}[]`);
  return Object.entries(r.properties ?? {}).flatMap(([key, property]) => {
    const at = path === '' ? key : `${path}.${key}`;
    return [at, ...schemaPaths(property, at)];
  });
}

const fields = configFields(schema).sections.flatMap((s) => s.fields);

it('docs/configuration.md is generated from the schema (run npm run generate:schema)', () => {
  expect(readFileSync(DOCS_FILE, 'utf8')).toBe(configDocs(schema));
});

it('documents every field of the schema, once', () => {
  const paths = fields.map((f) => f.path);
  expect(paths).toEqual([...new Set(paths)]);
  expect(new Set(paths)).toEqual(new Set(schemaPaths(schema, '')));
});

it.each(fields.map((f) => [f.path, f]))('%s says what it means, its type and its default', (_path, f) => {
  expect(f.meaning.length).toBeGreaterThan(0);
  expect(f.type.length).toBeGreaterThan(0);
  expect(f.default.length).toBeGreaterThan(0);
});

it('links each object field to a section of its own', () => {
  const page = configDocs(schema);
  const anchors = new Set(
    [...page.matchAll(/^## (.*)$/gm)].map((m) =>
      (m[1] ?? '')
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    ),
  );
  const links = [...page.matchAll(/\]\(#([^)]*)\)/g)].map((m) => m[1]);
  expect(links.length).toBeGreaterThan(10);
  for (const link of links) expect(anchors).toContain(link);
});
