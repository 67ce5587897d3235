#!/usr/bin/env node
/**
 * npm run generate: writes domain/model-card-validator.generated.js, the model card content
 * validator compiled ahead of time (Ajv standalone code) from domain/model-card-schema.ts.
 * The model-cards handler then ships neither Ajv's compiler nor a compile at cold start.
 * A test fails when the file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedValidatorSource } from './model-card-schema-compile';

const path = join(__dirname, '..', 'domain', 'model-card-validator.generated.js');
writeFileSync(path, generatedValidatorSource());
console.log(`wrote ${path}`);
