/**
 * Regenerate scenarios/schema.json from schema.ts:
 *   npx tsx src/scenario/writeSchema.ts
 * test/scenario/schema.test.ts fails when the committed file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderSchemaJson } from './schema.js';

const SCHEMA_PATH = fileURLToPath(new URL('../../scenarios/schema.json', import.meta.url));

writeFileSync(SCHEMA_PATH, renderSchemaJson());
