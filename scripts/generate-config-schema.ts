/**
 * Generates governance.config.schema.json from core/config/input.ts, the one definition of the
 * configuration's shape (the constructs' props are those same types): interfaces become objects
 * that allow no other keys, optional fields are not required, JSDoc becomes descriptions, and the
 * tags `@default` (when JSON), `@minimum`, `@maximum` and `@pattern` become the keywords of those names.
 * `npm run generate:schema` writes it; test/core/config/schema.test.ts fails when it is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..');
export const INPUT_FILE = join(ROOT, 'core', 'config', 'input.ts');
export const SCHEMA_FILE = join(ROOT, 'governance.config.schema.json');
const TOP = 'GovernanceConfigInput';

type Schema = Record<string, unknown>;

export function configSchema(): Schema {
  const source = ts.createSourceFile(
    INPUT_FILE,
    ts.sys.readFile(INPUT_FILE) ?? '',
    ts.ScriptTarget.ES2022,
    true,
  );
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  const aliases = new Map<string, ts.TypeAliasDeclaration>();
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, node);
    if (ts.isTypeAliasDeclaration(node)) aliases.set(node.name.text, node);
  });
  const definitions: Record<string, Schema> = {};

  const docOf = (node: ts.Node): Schema => {
    const out: Schema = {};
    for (const doc of ts.getJSDocCommentsAndTags(node)) {
      if (!ts.isJSDoc(doc)) continue;
      const text = ts.getTextOfJSDocComment(doc.comment)?.replace(/\s+/g, ' ').trim();
      const prose: string[] = text ? [text] : [];
      for (const tag of doc.tags ?? []) {
        const value = (ts.getTextOfJSDocComment(tag.comment) ?? '').trim();
        const name = tag.tagName.text;
        if (name === 'minimum' || name === 'maximum') out[name] = Number(value);
        else if (name === 'pattern') out.pattern = value;
        else if (name === 'default') {
          try {
            out.default = JSON.parse(value);
          } catch {
            prose.push(`Default: ${value}.`);
          }
        }
      }
      if (prose.length > 0) out.description = prose.join(' ');
    }
    return out;
  };

  const objectOf = (members: ts.NodeArray<ts.TypeElement>): Schema => {
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    for (const m of members) {
      if (!ts.isPropertySignature(m) || !m.type)
        throw new Error(`Unsupported member in ${INPUT_FILE}: ${m.getText()}`);
      const name = m.name.getText(source);
      properties[name] = { ...docOf(m), ...typeOf(m.type) };
      if (!m.questionToken) required.push(name);
    }
    return {
      type: 'object',
      properties,
      ...(required.length > 0 ? { required } : {}),
      additionalProperties: false,
    };
  };

  const typeOf = (node: ts.TypeNode): Schema => {
    if (ts.isTypeOperatorNode(node) && node.operator === ts.SyntaxKind.ReadonlyKeyword)
      return typeOf(node.type);
    if (node.kind === ts.SyntaxKind.StringKeyword) return { type: 'string' };
    if (node.kind === ts.SyntaxKind.NumberKeyword) return { type: 'number' };
    if (node.kind === ts.SyntaxKind.BooleanKeyword) return { type: 'boolean' };
    if (ts.isArrayTypeNode(node)) return { type: 'array', items: typeOf(node.elementType) };
    if (ts.isTypeLiteralNode(node)) return objectOf(node.members);
    if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) return { const: node.literal.text };
    if (ts.isUnionTypeNode(node)) {
      const parts = node.types.map(typeOf);
      if (parts.every((p) => 'const' in p)) return { type: 'string', enum: parts.map((p) => p.const) };
      return { anyOf: parts };
    }
    if (ts.isTypeReferenceNode(node)) {
      const name = node.typeName.getText(source);
      const args = node.typeArguments ?? [];
      if (name === 'Readonly' && args[0]) return typeOf(args[0]);
      if (name === 'Record' && args[1]) return { type: 'object', additionalProperties: typeOf(args[1]) };
      const alias = aliases.get(name);
      if (name === 'Integer' && alias) return { type: 'integer' };
      const decl = interfaces.get(name);
      if (decl) {
        if (!definitions[name]) {
          definitions[name] = {};
          definitions[name] = { ...docOf(decl), ...objectOf(decl.members) };
        }
        return { $ref: `#/definitions/${name}` };
      }
    }
    throw new Error(`Unsupported type in ${INPUT_FILE}: ${node.getText(source)}`);
  };

  const top = interfaces.get(TOP);
  if (!top) throw new Error(`${INPUT_FILE} has no ${TOP}.`);
  const root = { ...docOf(top), ...objectOf(top.members) };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/model-governance/model-governance/governance.config.schema.json',
    title: 'model-governance configuration (governance.config.json)',
    ...root,
    definitions: Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => a.localeCompare(b))),
  };
}

export function schemaText(): string {
  return `${JSON.stringify(configSchema(), null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(SCHEMA_FILE, schemaText());
  console.log(`wrote ${SCHEMA_FILE}`);
}
