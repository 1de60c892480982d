import test from 'ava';
import { InvalidOptionError } from '../../sim/errors.js';
import { Nemesis, type NemesisKind } from '../../sim/nemesis.js';
import { RandomRoot } from '../../sim/random.js';
import { Scheduler } from '../../sim/scheduler.js';
import { Trace } from '../../sim/trace.js';
import { fixed } from './helpers.js';

function run(kinds: (log: string[], sched: Scheduler) => NemesisKind[], seed = '1', endUs = 100_000) {
  const trace = new Trace();
  const sched = new Scheduler({ trace });
  const log: string[] = [];
  const nemesis = new Nemesis(sched, new RandomRoot(seed).stream('nemesis'), trace, { intervalUs: 1_000, endUs, kinds: kinds(log, sched) });
  sched.runToQuiescence();
  return { nemesis, log, digest: trace.digest.hex() };
}

const toggler = (name: string, probability: number, minStableUs: number, durationUs: number) => (log: string[], sched: Scheduler): NemesisKind => ({
  name,
  probability,
  minStableUs,
  durationUs: fixed(durationUs),
  start: () => {
    log.push(`${name}+${sched.nowUs}`);
    return { describe: name, undo: () => log.push(`${name}-${sched.nowUs}`) };
  },
});

test('faults start with their probability, last their duration and respect the stability period', (t) => {
  const { nemesis } = run((log, s) => [toggler('a', 1, 5_000, 2_000)(log, s)]);
  // p = 1: starts at 0, ends at 2000, stable until 7000, starts at 7000, ...
  const starts = nemesis.history.map((h) => h.startUs);
  t.deepEqual(starts.slice(0, 3), [0, 7_000, 14_000]);
  for (const h of nemesis.history) t.is(h.endUs - h.startUs, 2_000);
});

test('probability 0 never starts; active faults are undone at the end', (t) => {
  const { nemesis, log } = run((l, s) => [toggler('never', 0, 0, 1)(l, s), toggler('long', 1, 0, 1_000_000)(l, s)]);
  t.false(log.some((x) => x.startsWith('never')));
  t.deepEqual(log, ['long+0', 'long-100000']);
  t.is(nemesis.history.length, 1);
});

test('same seed, same fault sequence; different seed, different sequence', (t) => {
  const kinds = (l: string[], s: Scheduler) => [toggler('x', 0.3, 0, 500)(l, s), toggler('y', 0.2, 1_000, 3_000)(l, s)];
  const a = run(kinds, '11');
  const b = run(kinds, '11');
  const c = run(kinds, '12');
  t.deepEqual(a.log, b.log);
  t.is(a.digest, b.digest);
  t.notDeepEqual(a.log, c.log);
});

test('bad nemesis options are typed errors', (t) => {
  const sched = new Scheduler();
  const rng = new RandomRoot('1').stream('n');
  t.throws(() => new Nemesis(sched, rng, new Trace(), { intervalUs: 0, kinds: [] }), { instanceOf: InvalidOptionError });
  t.throws(
    () => new Nemesis(sched, rng, new Trace(), { intervalUs: 10, kinds: [{ ...toggler('x', 1.5, 0, 1)([], sched) }] }),
    { instanceOf: InvalidOptionError, message: /probability/ },
  );
});
