/**
 * The CLI's bad-input contract, through its entry function: every invalid
 * scenario is refused before anything is simulated, with exit code 2 and one
 * message per problem (file:line:column, the field, what was expected).
 */
import test from 'ava';
import fc from 'fast-check';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { cli } from './run.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'dynasim-cli-'));

function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
}

const BASE = `name: bad
duration: 10s
cluster:
  nodes: 4
  quorum: { n: 3, r: 2, w: 2 }
workload:
  arrivals: { rate: 50/s }
`;

const cases: Array<[string, string, RegExp]> = [
  ['yaml syntax error', 'name: x\ncluster: { nodes: 4\n', /:\d+:\d+: YAML syntax error/],
  ['unknown field', BASE.replace('  quorum:', '  qourum:'), /:5:3: cluster\.qourum: .*did you mean "quorum"\?/],
  ['wrong type', BASE.replace('nodes: 4', 'nodes: lots'), /:4:10: cluster\.nodes: expected/],
  ['unit-less duration', BASE.replace('duration: 10s', 'duration: 10'), /:2:11: duration: .*unit/],
  ['bad unit', BASE.replace('duration: 10s', 'duration: 10 parsecs'), /:2:11: duration: /],
  ['zero rate', BASE.replace('rate: 50/s', 'rate: 0/s'), /workload\.arrivals\.rate: /],
  ['negative rate', BASE.replace('rate: 50/s', 'rate: -5/s'), /workload\.arrivals\.rate: /],
  ['probability above 1', BASE + 'network: { loss: 1.5 }\n', /network\.loss: .*\[0, 1\]/],
  ['percentage above 100', BASE + 'network: { loss: "150%" }\n', /network\.loss: /],
  ['R greater than N', BASE.replace('r: 2', 'r: 4'), /cluster\.quorum\.r: /],
  ['W greater than N', BASE.replace('w: 2', 'w: 5'), /cluster\.quorum\.w: /],
  ['N greater than the nodes', BASE.replace('nodes: 4', 'nodes: 2'), /cluster\.quorum\.n: /],
  ['fault on a missing node', BASE + 'faults:\n  - { at: 2s, crash: n9 }\n', /faults\.0\.crash: .*n9/],
  ['fault after the end', BASE + 'faults:\n  - { at: 20s, crash: n1 }\n', /faults\.0\.at: .*before the end/],
  ['contradictory faults', BASE + 'faults:\n  - { at: 2s, restart: n1 }\n', /faults\.0\.restart: /],
  ['empty file', '', /empty file/],
];

for (const [name, text, pattern] of cases) {
  test(`bad input: ${name} → exit 2, a located message, nothing simulated`, async (t) => {
    const f = file(`${name.replace(/\W+/g, '-')}.yaml`, text);
    const r = await cli('run', f);
    t.is(r.code, 2, r.err);
    t.regex(r.err, pattern);
    t.true(r.err.includes(f), 'names the file');
    t.false(r.out.includes('seed'), 'nothing was simulated');
    t.false(/\n\s+at .*\(.*:\d+:\d+\)/.test(r.err), 'no stack trace');
  });
}

test('bad input: a file that does not exist, and a directory', async (t) => {
  const missing = await cli('run', path.join(tmp, 'nope.yaml'));
  t.is(missing.code, 2);
  t.regex(missing.err, /no such file/);
  const dir = path.join(tmp, 'a-directory');
  mkdirSync(dir, { recursive: true });
  const d = await cli('run', dir);
  t.is(d.code, 2);
  t.regex(d.err, /directory/);
});

test('bad input: a misspelled shipped scenario name gets a suggestion', async (t) => {
  const r = await cli('run', 'quickstrat');
  t.is(r.code, 2);
  t.regex(r.err, /no scenario file or shipped scenario named "quickstrat": did you mean "quickstart"/);
  // A sweep argument is suggested among the shipped sweeps, not the scenarios.
  const s = await cli('sweep', 'pbs-tradof');
  t.is(s.code, 2);
  t.regex(s.err, /no sweep file or shipped sweep named "pbs-tradof": did you mean "pbs-tradeoff"/);
});

test('bad usage: unknown command and bad seed are exit 2 with a message', async (t) => {
  t.is((await cli('frobnicate')).code, 2);
  const seed = await cli('run', 'quickstart', '--seed', 'abc');
  t.is(seed.code, 2);
  t.regex(seed.err, /seed/);
});

test('several problems in one file are all reported, one line each', async (t) => {
  const f = file('many.yaml', BASE.replace('r: 2', 'r: 9').replace('duration: 10s', 'duration: 10').replace('  quorum:', '  quorum:') + 'network: { loss: 2 }\n');
  const r = await cli('validate', f);
  t.is(r.code, 2);
  const lines = r.err.split('\n').filter((l) => l.startsWith(f));
  t.true(lines.length >= 3, r.err);
});

test('validate, explain and list work on the shipped scenarios', async (t) => {
  const list = await cli('list');
  t.is(list.code, 0);
  t.regex(list.out, /quickstart\s+Five nodes/);
  const v = await cli('validate', 'quickstart');
  t.is(v.code, 0);
  t.regex(v.out, /^ok: /);
  const e = await cli('explain', 'quickstart');
  t.is(e.code, 0);
  t.regex(e.out, /requestTimeout: 300ms/);
  t.regex(e.out, /crash/);
});

test('run prints the seed first, writes the report and ends with a reproduce command', async (t) => {
  const out = path.join(tmp, 'report-quickstart');
  const r = await cli('run', 'quickstart', '--seed', '5', '--duration', '25s', '--set', 'checks=[]', '--set', 'sla.availability=90%', '--out', out);
  t.is(r.code, 0, r.err);
  t.true(r.out.startsWith('seed 5'));
  t.regex(r.out, /reproduce: dynasim run quickstart --seed 5 --set 'checks=\[\]' --set sla\.availability=90% --duration 25s/);
  t.deepEqual(readdirSync(out).sort(), ['report.html', 'summary.json', 'summary.md']);
  const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as { seed: string; scenario: string };
  t.is(summary.seed, '5');
});

test('a failed check exits 1 with a reproduce command', async (t) => {
  const r = await cli('run', 'lost-writes', '--out', path.join(tmp, 'lw'));
  t.is(r.code, 1, r.err);
  t.regex(r.err, /check.* failed: no-lost-writes/);
  t.regex(r.err, /reproduce: dynasim run lost-writes --seed 1/);
});

test('a run beyond --max-events fails loudly with its seed (exit 2)', async (t) => {
  const r = await cli('run', 'quickstart', '--seed', '9', '--max-events', '1000', '--out', path.join(tmp, 'cap'));
  t.is(r.code, 2);
  t.regex(r.err, /maxEvents.*seed 9/);
  t.regex(r.err, /reproduce: .*--max-events 1000/);
});

test('a --max-events that is not an integer >= 1 is bad input before anything runs or is removed (exit 2)', async (t) => {
  for (const bad of ['abc', '0', '2.5']) {
    const r = await cli('run', 'quickstart', '--seed', '9', '--max-events', bad, '--out', path.join(tmp, 'bad-cap'));
    t.is(r.code, 2, bad);
    t.regex(r.err, /--max-events .*: expected an integer >= 1/);
    t.notRegex(r.err, /reproduce:/);
  }
  t.false(existsSync(path.join(tmp, 'bad-cap')), 'no report folder');
  // A sweep folder from an earlier compare keeps its runs.
  const dir = path.join(tmp, 'cap-compare');
  const ok = await cli('compare', 'quickstart', '--nrw', '3,2,2', '--nrw', '3,1,1', '--seeds', '1', '--jobs', '2', '--out', dir);
  t.is(ok.code, 0, ok.err);
  const before = readdirSync(path.join(dir, 'runs')).sort();
  const bad = await cli('compare', 'quickstart', '--nrw', '3,2,2', '--nrw', '3,1,1', '--seeds', '1', '--jobs', '2', '--out', dir, '--max-events', 'abc');
  t.is(bad.code, 2);
  t.regex(bad.err, /--max-events NaN: expected an integer >= 1/);
  t.notRegex(bad.err, /removed/);
  t.deepEqual(readdirSync(path.join(dir, 'runs')).sort(), before);
});

test('--check-determinism honours --max-events too (both runs are capped)', async (t) => {
  const r = await cli('run', 'quickstart', '--seed', '9', '--max-events', '1000', '--check-determinism');
  t.is(r.code, 2, r.err);
  t.regex(r.err, /maxEvents.*seed 9/);
  t.regex(r.err, /reproduce: .*--max-events 1000 --check-determinism/);
});

/** Random mutations of the shipped scenarios never crash the CLI: exit 0, 1 or 2, with a message on 2. */
test('fuzz: mutated shipped scenarios validate or fail with exit 2, and those that validate run', async (t) => {
  const shipped = readdirSync(path.join(root, 'scenarios')).filter((f) => f.endsWith('.yaml'));
  const texts = shipped.map((f) => readFileSync(path.join(root, 'scenarios', f), 'utf8'));
  const scalars = fc.oneof(fc.integer({ min: -5, max: 1e6 }), fc.double({ noNaN: false }), fc.string({ maxLength: 6 }), fc.constantFrom('5ms', '-1s', '10/s', '0/s', '4KiB', '150%', 'n9', null, true, [], {}));
  let i = 0;
  let ran = 0;
  await fc.assert(
    fc.asyncProperty(fc.nat(shipped.length - 1), fc.nat(), fc.nat(), scalars, fc.constantFrom('delete', 'rename', 'replace', 'garbage'), async (which, pick, pick2, value, op) => {
      const doc = parseDocument(texts[which]!);
      const paths: Array<Array<string | number>> = [];
      const walk = (node: unknown, at: Array<string | number>) => {
        const n = node as { items?: Array<{ key?: { value: unknown }; value?: unknown }> };
        if (!n || !Array.isArray(n.items)) return;
        n.items.forEach((item, idx) => {
          const key = item.key !== undefined ? (item.key as { value: string | number }).value : idx;
          const p = [...at, key];
          paths.push(p);
          walk(item.key !== undefined ? item.value : item, p);
        });
      };
      walk(doc.contents, []);
      const target = paths[pick % paths.length]!;
      if (op === 'delete') doc.deleteIn(target);
      else if (op === 'replace') doc.setIn(target, value);
      else if (op === 'rename' && typeof target.at(-1) === 'string') {
        const v = doc.getIn(target);
        doc.deleteIn(target);
        doc.setIn([...target.slice(0, -1), `${String(target.at(-1)).slice(1)}x`], v);
      }
      let text = doc.toString();
      if (op === 'garbage') text = text.slice(0, pick2 % (text.length + 1)) + '\n  : ][ @@' + text.slice(pick2 % (text.length + 1));
      const f = file(`fuzz-${i++}.yaml`, text);
      const v = await cli('validate', f);
      if (v.code !== 0 && v.code !== 2) return false;
      if (v.code === 2 && v.err.trim() === '') return false;
      if (v.code === 0 && ran < 25) {
        ran++;
        const r = await cli('run', f, '--duration', '3s', '--set', 'phases.liveness=0s', '--set', 'phases.warmup=0s', '--max-events', '200000', '--out', path.join(tmp, `fuzz-run-${i}`), '--seed', String(i));
        if (![0, 1, 2].includes(r.code)) {
          t.log(text, r.err);
          return false;
        }
      }
      return true;
    }),
    { numRuns: Number(process.env['FUZZ_RUNS'] ?? 400), seed: 20261125 },
  );
  t.pass();
});

test('transfer bandwidth "off" means unbounded, not a bad config', async (t) => {
  const r = await cli('run', 'quickstart', '--seed', '2', '--duration', '25s', '--set', 'cluster.transfer.bandwidth=off', '--set', 'checks=[]', '--set', 'sla.availability=90%', '--out', path.join(tmp, 'bw-off'));
  t.is(r.code, 0, r.err);
});
