import { readdirSync, readFileSync } from 'node:fs';
import test from 'ava';
import { isSweepText, loadSweep, planSweep } from '../../src/experiment/sweep.js';
import { formatProblems } from '../../src/scenario/errors.js';
import { loadScenario } from '../../src/scenario/load.js';

const DIR = 'scenarios';
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
const sweeps = files.filter((f) => isSweepText(readFileSync(`${DIR}/${f}`, 'utf8')));
const shipped = files.filter((f) => !sweeps.includes(f));

test('every shipped scenario validates and resolves', (t) => {
  t.true(shipped.length > 0);
  for (const f of shipped) {
    const r = loadScenario(`${DIR}/${f}`);
    t.true(r.ok, r.ok ? f : formatProblems(r.problems));
  }
});

test('every shipped sweep validates: each of its configurations is a valid scenario', (t) => {
  t.true(sweeps.includes('pbs-tradeoff.yaml'));
  const resolveScenario = (name: string) => (files.includes(`${name}.yaml`) ? { file: `${DIR}/${name}.yaml` } : { error: `no shipped scenario ${name}` });
  for (const f of sweeps) {
    const s = loadSweep(`${DIR}/${f}`, { resolveScenario });
    if (!s.ok) {
      t.fail(`${f}: ${formatProblems(s.problems)}`);
      continue;
    }
    const p = planSweep(s.spec);
    t.true(p.ok, p.ok ? f : formatProblems(p.problems));
  }
});
