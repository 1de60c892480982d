/**
 * `dynasim shrink`: a planted durability failure (W = 1, buffered writes with
 * no durable write, one correlated crash among irrelevant faults and a flash
 * crowd) shrinks to that one crash, one second long; a run that does not fail
 * has nothing to shrink.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadScenario } from '../../src/scenario/index.js';
import { cli } from '../cli/run.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'dynasim-shrink-'));
const PLANTED = fileURLToPath(new URL('./fixtures/planted-lost-writes.yaml', import.meta.url));

test('the planted lost-writes scenario shrinks to the one correlated crash that loses the writes', async (t) => {
  const out = path.join(tmp, 'minimal.yaml');
  const r = await cli('shrink', PLANTED, '--seed', '1', '--out', out);
  t.is(r.code, 1, `${r.out}\n${r.err}`);
  const minimal = parse(readFileSync(out, 'utf8')) as { faults: unknown[]; seed: number; checks: string[]; cluster: { nodes: number }; duration: string; workload: { arrivals: Record<string, unknown> } };
  t.deepEqual(minimal.faults, [{ at: '15s', for: '1s', crash: ['n0', 'n2', 'n3'] }]);
  t.regex(r.out, /fault \{ at: 15s, for: 5s, crash: \[ n0, n2, n3 \] \}: for 5s -> 1s/);
  t.deepEqual(minimal.workload.arrivals.flashCrowds, [], 'the flash crowd is noise');
  t.regex(r.out, /removed 1 of 1 flash crowds: \{ at: 5s, for: 4s, factor: 3 \}/);
  t.is(minimal.seed, 1);
  t.deepEqual(minimal.checks, ['no-lost-writes']);
  t.true(minimal.cluster.nodes < 6, 'the cluster shrank');
  t.regex(r.out, /removed 5 of 6 faults: \{ at: 3s, for: 2s, crash: n1 \}; /);
  t.regex(r.out, /no-lost-writes still fails/);
  t.true(r.out.includes(`reproduce: dynasim run ${out} --seed 1`));
  // The minimal file is a valid scenario, and running it fails the same check.
  t.true(loadScenario(out).ok);
  const rerun = await cli('run', out, '--seed', '1', '--out', path.join(tmp, 'rerun'));
  t.is(rerun.code, 1);
  t.regex(rerun.err, /1 check failed: no-lost-writes/);
});

test('shrink on a run that does not fail: "nothing to shrink", exit 0', async (t) => {
  const file = path.join(tmp, 'fine.yaml');
  writeFileSync(file, 'name: fine\nseed: 4\nduration: 5s\nphases: { warmup: 1s, liveness: 2s }\ncluster: { nodes: 4, quorum: { n: 3, r: 2, w: 2 } }\nworkload: { arrivals: { rate: 50/s } }\nfaults:\n  - { at: 2s, for: 1s, crash: n1 }\nchecks: [no-lost-writes]\n');
  const r = await cli('shrink', file, '--seed', '4');
  t.is(r.code, 0, r.err);
  t.regex(r.out, /nothing to shrink: fine with seed 4 passes every check \(no-lost-writes\)/);
  const named = await cli('shrink', file, '--seed', '4', '--check', 'no-lost-writes');
  t.is(named.code, 0);
  t.regex(named.out, /nothing to shrink: fine with seed 4 passes no-lost-writes/);
  const unknown = await cli('shrink', file, '--seed', '4', '--check', 'no-such-check');
  t.is(unknown.code, 2);
  t.regex(unknown.err, /--check no-such-check: this run has no such check; its checks are: no-lost-writes/);
});
