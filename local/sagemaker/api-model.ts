/**
 * SageMaker's own API model, as botocore ships it (data/sagemaker/2017-07-24/service-2.json.gz),
 * held against every request the local SageMaker receives: required members, enum values, string
 * and list length bounds, numeric ranges and patterns, through nested structures, lists and maps.
 * A violation is answered as the service answers it:
 *
 *   1 validation error detected: Value 'a_b' at 'endpointConfigName' failed to satisfy constraint:
 *   Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}
 *
 * Member paths as the service writes them: lower camel case, list elements as `.N.member`
 * (1-based): 'productionVariants.1.member.variantName' (aws/amazon-sagemaker-examples#2236);
 * several violations as "N validation errors detected: …; …" (aws-samples/
 * sagemaker-ml-workflow-with-apache-airflow#3, which also shows length before pattern); a sensitive
 * member's value is not repeated ("Value at 'body' …", aws/aws-sdk-js#4203); patterns are shown as
 * the model has them (answers measured on the live API show `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`).
 *
 * JSON types are left to the SDK's serializer (every AWS SDK sends them right); botocore's
 * patterns are Java regular expressions and are translated here (`javaPattern`).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { packageRoot } from '../../core/package-info';
import { venvPythonOf } from '../prerequisites';

interface ShapeRef {
  readonly shape: string;
}

interface Shape {
  readonly type: string;
  readonly required?: readonly string[];
  readonly members?: Readonly<Record<string, ShapeRef>>;
  readonly member?: ShapeRef;
  readonly key?: ShapeRef;
  readonly value?: ShapeRef;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly sensitive?: boolean;
  readonly union?: boolean;
}

interface ServiceModel {
  readonly operations: Readonly<Record<string, { readonly input?: ShapeRef }>>;
  readonly shapes: Readonly<Record<string, Shape>>;
}

/**
 * The Pythons that may have botocore, in the order local mode chooses its moto's (local/prerequisites):
 * MGOV_PYTHON, the .local/venv it installs, then python3.
 */
function candidatePythons(env: NodeJS.ProcessEnv = process.env): string[] {
  const venv = venvPythonOf(env.MGOV_VENV ?? join(packageRoot(), '.local', 'venv'));
  return [env.MGOV_PYTHON, existsSync(venv) ? venv : undefined, 'python3'].filter(
    (p): p is string => typeof p === 'string' && p.length > 0,
  );
}

/**
 * A copy of the model from the last run that found botocore, so that local mode against an
 * already-running moto (MOTO_URL, e.g. moto's Docker image) validates on a machine without Python.
 */
export const CACHED_MODEL = join(
  packageRoot(),
  '.local',
  'botocore',
  'sagemaker-2017-07-24-service-2.json.gz',
);

/**
 * Where botocore keeps SageMaker's model: asked of the installed botocore (moto's dependency), or
 * the copy the last such run kept.
 */
export function botocoreSageMakerModelPath(env: NodeJS.ProcessEnv = process.env): string {
  const tried: string[] = [];
  for (const python of candidatePythons(env)) {
    try {
      const dir = execFileSync(
        python,
        ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'],
        {
          encoding: 'utf8',
          env,
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      ).trim();
      const path = join(dir, 'data', 'sagemaker', '2017-07-24', 'service-2.json.gz');
      try {
        mkdirSync(dirname(CACHED_MODEL), { recursive: true });
        copyFileSync(path, CACHED_MODEL);
      } catch {
        // The copy only spares a later run without Python; this run has the original.
      }
      return path;
    } catch {
      tried.push(python);
    }
  }
  if (existsSync(CACHED_MODEL)) return CACHED_MODEL;
  throw new Error(
    `The local SageMaker validates requests against botocore's SageMaker model, but no Python here has botocore (tried ${tried.join(', ')}), and no earlier run kept a copy (${CACHED_MODEL}). Run npm run local once where python3 has moto (it installs it if needed), or set MGOV_PYTHON to a Python with botocore.`,
  );
}

/** SageMaker's request rules, read once from botocore. */
export class SageMakerApiModel {
  private static loaded?: SageMakerApiModel;
  private readonly patterns = new Map<string, RegExp>();

  constructor(private readonly model: ServiceModel) {}

  static load(): SageMakerApiModel {
    if (!SageMakerApiModel.loaded) {
      const text = gunzipSync(readFileSync(botocoreSageMakerModelPath())).toString('utf8');
      SageMakerApiModel.loaded = new SageMakerApiModel(JSON.parse(text) as ServiceModel);
    }
    return SageMakerApiModel.loaded;
  }

  /** Whether the model knows the operation. */
  has(operation: string): boolean {
    return operation in this.model.operations;
  }

  /** Every distinct pattern of the model (for the translation's own test). */
  allPatterns(): string[] {
    return [
      ...new Set(
        Object.values(this.model.shapes)
          .map((s) => s.pattern)
          .filter((p): p is string => p !== undefined),
      ),
    ];
  }

  /**
   * The service's message for what is wrong with the request, or undefined when it is valid.
   * Unknown operations are left alone (moto answers them).
   */
  validate(operation: string, body: unknown): string | undefined {
    const input = this.model.operations[operation]?.input;
    if (!input) return undefined;
    const errors: string[] = [];
    this.check(input.shape, body ?? {}, '', errors);
    if (errors.length === 0) return undefined;
    return `${errors.length} validation error${errors.length === 1 ? '' : 's'} detected: ${errors.join('; ')}`;
  }

  /** The compiled form of one of the model's patterns (whole-string match). */
  pattern(javaRegex: string): RegExp {
    let compiled = this.patterns.get(javaRegex);
    if (!compiled) {
      compiled = javaPattern(javaRegex);
      this.patterns.set(javaRegex, compiled);
    }
    return compiled;
  }

  private check(shapeName: string, value: unknown, path: string, errors: string[]): void {
    const shape = this.model.shapes[shapeName];
    if (!shape || value === null || value === undefined) return;
    switch (shape.type) {
      case 'structure':
        this.checkStructure(shape, value, path, errors);
        return;
      case 'list':
        if (!Array.isArray(value)) return;
        this.checkLength(shape, value, value.length, path, errors);
        value.forEach((item, i) => {
          if (shape.member) this.check(shape.member.shape, item, `${path}.${i + 1}.member`, errors);
        });
        return;
      case 'map':
        this.checkMap(shape, value, path, errors);
        return;
      case 'string':
        if (typeof value !== 'string') return;
        for (const message of this.stringViolations(shape, value))
          errors.push(violation(shape, value, path, message));
        return;
      case 'integer':
      case 'long':
      case 'float':
      case 'double':
        if (typeof value !== 'number') return;
        if (shape.min !== undefined && value < shape.min)
          errors.push(
            violation(shape, value, path, `Member must have value greater than or equal to ${shape.min}`),
          );
        if (shape.max !== undefined && value > shape.max)
          errors.push(
            violation(shape, value, path, `Member must have value less than or equal to ${shape.max}`),
          );
        return;
      case 'blob':
        if (typeof value === 'string') this.checkLength(shape, value, value.length, path, errors);
        return;
      default:
        return;
    }
  }

  private checkStructure(shape: Shape, value: unknown, path: string, errors: string[]): void {
    if (typeof value !== 'object' || Array.isArray(value)) return;
    const body = value as Record<string, unknown>;
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const memberPath = path ? `${path}.${lowerFirst(name)}` : lowerFirst(name);
      const member = body[name];
      if (member === undefined || member === null) {
        if (shape.required?.includes(name))
          errors.push(`Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`);
        continue;
      }
      this.check(ref.shape, member, memberPath, errors);
    }
  }

  /** Map keys and values are reported together, as "Map keys must satisfy constraint: [...]". */
  private checkMap(shape: Shape, value: unknown, path: string, errors: string[]): void {
    if (typeof value !== 'object' || Array.isArray(value)) return;
    const entries = Object.entries(value as Record<string, unknown>);
    this.checkLength(shape, value, entries.length, path, errors);
    const keyShape = shape.key ? this.model.shapes[shape.key.shape] : undefined;
    const valueShape = shape.value ? this.model.shapes[shape.value.shape] : undefined;
    for (const [what, s, values] of [
      ['keys', keyShape, entries.map(([k]) => k)],
      ['value', valueShape, entries.map(([, v]) => v)],
    ] as const) {
      if (s?.type !== 'string') continue;
      const bad = values.filter((v) => typeof v === 'string' && this.stringViolations(s, v).length > 0);
      if (bad.length > 0) {
        errors.push(
          `Value '${display(value)}' at '${path}' failed to satisfy constraint: Map ${what} must satisfy constraint: [${this.constraintsOf(s).join(', ')}]`,
        );
      }
    }
    if (valueShape && valueShape.type !== 'string' && shape.value) {
      for (const [k, v] of entries) this.check(shape.value.shape, v, `${path}.${k}`, errors);
    }
  }

  private checkLength(shape: Shape, value: unknown, length: number, path: string, errors: string[]): void {
    if (shape.min !== undefined && length < shape.min)
      errors.push(
        violation(shape, value, path, `Member must have length greater than or equal to ${shape.min}`),
      );
    if (shape.max !== undefined && length > shape.max)
      errors.push(
        violation(shape, value, path, `Member must have length less than or equal to ${shape.max}`),
      );
  }

  private stringViolations(shape: Shape, value: string): string[] {
    const out: string[] = [];
    if (shape.enum && !shape.enum.includes(value)) {
      out.push(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
    }
    if (shape.min !== undefined && value.length < shape.min)
      out.push(`Member must have length greater than or equal to ${shape.min}`);
    if (shape.max !== undefined && value.length > shape.max)
      out.push(`Member must have length less than or equal to ${shape.max}`);
    if (shape.pattern !== undefined && !this.pattern(shape.pattern).test(value))
      out.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
    return out;
  }

  private constraintsOf(shape: Shape): string[] {
    return [
      ...(shape.max !== undefined ? [`Member must have length less than or equal to ${shape.max}`] : []),
      ...(shape.min !== undefined ? [`Member must have length greater than or equal to ${shape.min}`] : []),
      ...(shape.pattern !== undefined
        ? [`Member must satisfy regular expression pattern: ${shape.pattern}`]
        : []),
      ...(shape.enum ? [`Member must satisfy enum value set: [${shape.enum.join(', ')}]`] : []),
    ];
  }
}

function violation(shape: Shape, value: unknown, path: string, message: string): string {
  return shape.sensitive
    ? `Value at '${path}' failed to satisfy constraint: ${message}`
    : `Value '${display(value)}' at '${path}' failed to satisfy constraint: ${message}`;
}

/** Values as the service prints them (Java's toString: lists `[a, b]`, maps `{k=v}`). */
function display(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(display).join(', ')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${display(v)}`)
      .join(', ')}}`;
  return String(value);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** Java's POSIX and Unicode-block classes that JavaScript lacks, as class contents. */
const JAVA_CLASSES: Record<string, string> = {
  Alnum: 'A-Za-z0-9',
  Alpha: 'A-Za-z',
  Digit: '0-9',
  Lower: 'a-z',
  Upper: 'A-Z',
  Space: ' \\t\\n\\x0B\\f\\r',
  XDigit: '0-9a-fA-F',
  Punct: '!-\\/:-@\\[-`{-~',
};

/** Characters a JavaScript /u regular expression lets you escape. */
const SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));

/**
 * A Java regular expression (botocore's patterns) as a JavaScript one matching the whole string,
 * as Java's Matcher.matches() does. Unicode properties (\p{L}) need the `u` flag, under which
 * JavaScript refuses Java's loose escapes (`\-` outside a class, `\_`): those become literals.
 * Java's POSIX classes (\p{Alnum}) become ranges; a quantified `$` (`${1,128}`) is just `$`.
 */
export function javaPattern(java: string): RegExp {
  let out = '';
  let inClass = false;
  for (let i = 0; i < java.length; i++) {
    const c = java.charAt(i);
    if (c === '\\') {
      const next = java.charAt(i + 1);
      i++;
      if ((next === 'p' || next === 'P') && java.charAt(i + 1) === '{') {
        const end = java.indexOf('}', i);
        const name = java.slice(i + 2, end).replace(/^Is/, '');
        i = end;
        const posix = JAVA_CLASSES[name];
        if (posix && next === 'p') out += inClass ? posix : `[${posix}]`;
        else if (posix && !inClass) out += `[^${posix}]`;
        else if (posix) throw new Error(`cannot translate \\P{${name}} inside a class in /${java}/`);
        else out += `\\${next}{${name}}`;
      } else if (next === 'A') {
        out += '^';
      } else if (next === 'z' || next === 'Z') {
        out += '$';
      } else if (/[a-zA-Z0-9]/.test(next)) {
        out += `\\${next}`;
      } else if (SYNTAX.has(next) || (inClass && next === '-')) {
        out += `\\${next}`;
      } else {
        out += next;
      }
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (java.charAt(i + 1) === '^') {
        out += '^';
        i++;
      }
      if (java.charAt(i + 1) === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '$') {
      const quantifier = /^\{\d+(,\d*)?\}/.exec(java.slice(i + 1));
      out += '$';
      if (quantifier) i += quantifier[0].length;
      continue;
    }
    out += c;
  }
  const source = `^(?:${out})$`;
  try {
    return new RegExp(source, 'u');
  } catch {
    return new RegExp(source);
  }
}
