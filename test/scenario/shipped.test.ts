import { readdirSync } from 'node:fs';
import test from 'ava';
import { formatProblems } from '../../src/scenario/errors.js';
import { loadScenario } from '../../src/scenario/load.js';

const DIR = 'scenarios';
const shipped = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));

test('every shipped scenario validates and resolves', (t) => {
  t.true(shipped.length > 0);
  for (const f of shipped) {
    const r = loadScenario(`${DIR}/${f}`);
    t.true(r.ok, r.ok ? f : formatProblems(r.problems));
  }
});
