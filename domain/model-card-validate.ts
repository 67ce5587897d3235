import type { ErrorObject, ValidateFunction } from 'ajv';
// Compiled ahead of time from model-card-schema.ts (npm run generate; a test keeps it in step), so
// the handler ships no schema compiler and compiles nothing at cold start.
import generated from './model-card-validator.generated';

const validate = generated as ValidateFunction;

/** Validates card content against AWS's schema (plus model_package_details); problems as readable lines. */
export function validateModelCardContent(content: unknown): string[] {
  if (validate(content)) return [];
  return (validate.errors ?? []).map(describeError);
}

function describeError(e: ErrorObject): string {
  return `${e.instancePath || '(content)'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`;
}
