/**
 * The scenario validator as source code: ajv compiles SCENARIO_SCHEMA once,
 * here, and its standalone output is committed as
 * scenarioValidator.generated.ts (regenerated with writeSchema.ts; a test
 * fails when it is out of date). Compiling the schema at run time cost
 * ~0.45 s per process, and per worker thread in a sweep, before the first
 * run could start; loading the generated module costs a few milliseconds.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { SCENARIO_SCHEMA } from './schema.js';

/** The options the validator is compiled with (errors are reported with their schema: `verbose`). */
export const AJV_OPTIONS = { allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true, strictNumbers: true } as const;

export function renderValidatorModule(): string {
  const ajv = new Ajv2020({ ...AJV_OPTIONS, code: { source: true, esm: true } });
  const validate = ajv.compile(SCENARIO_SCHEMA);
  // The CommonJS module's default export, reached differently by tsx and by node.
  type Render = (ajv: Ajv2020, validate: unknown) => string;
  const mod = standaloneCode as unknown as Render & { default?: Render };
  const code = (mod.default ?? mod)(ajv, validate);
  return (
    '// @ts-nocheck\n' +
    '// Generated from src/scenario/schema.ts by `npx tsx src/scenario/writeSchema.ts` (ajv standalone code): do not edit.\n' +
    // ajv's ESM output still calls require() for its runtime helpers.
    "import { createRequire } from 'node:module';\n" +
    'const require = createRequire(import.meta.url);\n' +
    code.replace(/^"use strict";/, '') +
    '\n'
  );
}
