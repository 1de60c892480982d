/**
 * Regenerate scenarios/schema.json and the compiled validator
 * (src/scenario/scenarioValidator.generated.ts) from schema.ts:
 *   npx tsx src/scenario/writeSchema.ts
 * test/scenario/schema.test.ts fails when a committed file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderSchemaJson } from './schema.js';
import { renderValidatorModule } from './validatorCode.js';

const SCHEMA_PATH = fileURLToPath(new URL('../../scenarios/schema.json', import.meta.url));

const VALIDATOR_PATH = fileURLToPath(new URL('./scenarioValidator.generated.ts', import.meta.url));

writeFileSync(SCHEMA_PATH, renderSchemaJson());
writeFileSync(VALIDATOR_PATH, renderValidatorModule());
