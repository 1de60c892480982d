import assert from 'node:assert/strict';
import test from 'ava';
import fc from 'fast-check';
import {
  clockHash,
  clockSizeBytes,
  CLOCK_ENTRY_BYTES,
  CLOCK_HEADER_BYTES,
  compare,
  counterOf,
  descends,
  empty,
  formatClock,
  fromEntries,
  increment,
  incrementAndTruncate,
  merge,
  setEntryAndTruncate,
  totalOrder,
  truncate,
  type VClock,
  type VClockEntry,
} from '../../src/dynamo/vclock.js';
import { syntacticReconcile, type Version } from '../../src/dynamo/version.js';

const Sx = 0;
const Sy = 1;
const Sz = 2;

function counters(clock: VClock): [number, number][] {
  return clock.map((e) => [e.node, e.counter]);
}

function version(clock: VClock, id: number): Version {
  return { clock, value: { id, sizeBytes: 100, writtenAtUs: 0, items: null } };
}

// ---- arbitraries -----------------------------------------------------------

const entryArb = fc.record({
  node: fc.integer({ min: 0, max: 7 }),
  counter: fc.integer({ min: 1, max: 4 }),
  timestampUs: fc.integer({ min: 0, max: 1_000 }),
});
const clockArb: fc.Arbitrary<VClock> = fc
  .uniqueArray(entryArb, { selector: (e) => e.node, maxLength: 8 })
  .map((entries) => fromEntries(entries));
/** A sequence of increments, so chains of related clocks are common. */
const stepsArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 1_000 })), { maxLength: 6 });
function applySteps(clock: VClock, steps: [number, number][]): VClock {
  let c = clock;
  for (const [node, now] of steps) c = increment(c, node, now);
  return c;
}

// ---- golden: the paper's Figure 3 ------------------------------------------

test('Figure 3: D1..D5 have the paper\'s clocks and order', (t) => {
  const d1 = increment(empty(), Sx, 10);
  const d2 = increment(d1, Sx, 20);
  const d3 = increment(d2, Sy, 30);
  const d4 = increment(d2, Sz, 31);
  t.deepEqual(counters(d1), [[Sx, 1]]);
  t.deepEqual(counters(d2), [[Sx, 2]]);
  t.deepEqual(counters(d3), [[Sx, 2], [Sy, 1]]);
  t.deepEqual(counters(d4), [[Sx, 2], [Sz, 1]]);
  t.is(compare(d1, d2), 'before');
  t.is(compare(d3, d2), 'after');
  t.is(compare(d3, d4), 'concurrent');
  t.is(compare(d4, d3), 'concurrent');

  // A read sees every version; syntactic reconciliation keeps D3 and D4.
  const read = syntacticReconcile([version(d2, 2), version(d3, 3), version(d1, 1), version(d4, 4)]);
  t.deepEqual(read.map((v) => v.value.id), [3, 4]);
  const context = merge(d3, d4);
  t.deepEqual(counters(context), [[Sx, 2], [Sy, 1], [Sz, 1]]);

  const d5 = increment(context, Sx, 40);
  t.deepEqual(counters(d5), [[Sx, 3], [Sy, 1], [Sz, 1]]);
  t.is(formatClock(d5), '[(0,3),(1,1),(2,1)]');
  for (const ancestor of [d1, d2, d3, d4]) {
    t.is(compare(d5, ancestor), 'after');
    t.true(descends(d5, ancestor));
    t.false(descends(ancestor, d5));
  }
  t.deepEqual(syntacticReconcile([version(d3, 3), version(d4, 4), version(d5, 5)]).map((v) => v.value.id), [5]);
});

// ---- unit ------------------------------------------------------------------

test('increment stamps the entry with nowUs and keeps entries sorted by node', (t) => {
  const c = increment(increment(increment(empty(), 5, 100), 1, 200), 3, 300);
  t.deepEqual(c.map((e) => e.node), [1, 3, 5]);
  const d = increment(c, 3, 50); // a skewed clock may go back: the timestamp is the node's own
  t.deepEqual(d[1], { node: 3, counter: 2, timestampUs: 50 });
  t.is(counterOf(d, 3), 2);
  t.is(counterOf(d, 4), 0);
  t.is(c[1]!.counter, 1, 'the input clock is not mutated');
  t.throws(() => increment(c, -1, 0));
  t.throws(() => increment(c, 1.5, 0));
  t.throws(() => increment(c, 1, 0.5));
});

test('fromEntries validates and sorts', (t) => {
  const c = fromEntries([
    { node: 2, counter: 1, timestampUs: 0 },
    { node: 0, counter: 3, timestampUs: 5 },
  ]);
  t.deepEqual(c.map((e) => e.node), [0, 2]);
  t.throws(() => fromEntries([{ node: 1, counter: 0, timestampUs: 0 }]));
  t.throws(() => fromEntries([{ node: 1, counter: 1, timestampUs: 0 }, { node: 1, counter: 2, timestampUs: 0 }]));
});

test('merge keeps the timestamp of the winning counter, the later one on equal counters', (t) => {
  const a = fromEntries([{ node: 0, counter: 3, timestampUs: 10 }, { node: 1, counter: 1, timestampUs: 90 }]);
  const b = fromEntries([{ node: 0, counter: 2, timestampUs: 99 }, { node: 1, counter: 1, timestampUs: 95 }, { node: 2, counter: 1, timestampUs: 7 }]);
  t.deepEqual(merge(a, b), [
    { node: 0, counter: 3, timestampUs: 10 },
    { node: 1, counter: 1, timestampUs: 95 },
    { node: 2, counter: 1, timestampUs: 7 },
  ]);
  const d = increment(a, 4, 1);
  t.is(merge(d, a), d, 'a clock that already is the merge is returned itself');
  t.is(merge(a, d), d);
  t.is(merge(a, empty()), a);
});

test('clockSizeBytes and clockHash', (t) => {
  const c = increment(increment(empty(), 1, 0), 2, 0);
  t.is(clockSizeBytes(empty()), CLOCK_HEADER_BYTES);
  t.is(clockSizeBytes(c), CLOCK_HEADER_BYTES + 2 * CLOCK_ENTRY_BYTES);
  const sameCounters = increment(increment(empty(), 1, 77), 2, 88);
  t.is(clockHash(c), clockHash(sameCounters), 'timestamps do not enter the hash');
  t.not(clockHash(c), clockHash(increment(c, 1, 0)));
  t.not(clockHash(empty()), clockHash(c));
  t.true(Number.isInteger(clockHash(c)) && clockHash(c) >= 0 && clockHash(c) < 2 ** 32);
});

// ---- truncation --------------------------------------------------------------

test('truncate drops the oldest timestamps, the lower node id first on ties', (t) => {
  const c = fromEntries([
    { node: 0, counter: 1, timestampUs: 50 },
    { node: 1, counter: 1, timestampUs: 10 },
    { node: 2, counter: 1, timestampUs: 10 },
    { node: 3, counter: 1, timestampUs: 40 },
  ]);
  t.deepEqual(truncate(c, 3).map((e) => e.node), [0, 2, 3]);
  t.deepEqual(truncate(c, 2).map((e) => e.node), [0, 3]);
  t.deepEqual(truncate(c, 1).map((e) => e.node), [0]);
  t.is(truncate(c, 4), c);
  t.throws(() => truncate(c, 0));
});

test('truncation makes a descendant look concurrent: false siblings', (t) => {
  // Ten writers, node 0 the least recent; the eleventh writer pushes node 0 out.
  let ancestor = empty();
  ancestor = increment(ancestor, 0, 1_000);
  for (let node = 1; node < 10; node++) ancestor = increment(ancestor, node, 2_000 + node);
  t.is(ancestor.length, 10);
  const child = incrementAndTruncate(ancestor, 10, 5_000, 10);
  t.is(child.length, 10);
  t.is(counterOf(child, 0), 0, 'the oldest entry (node 0) was dropped');
  t.is(compare(child, ancestor), 'concurrent', 'without truncation it would be after');
  t.is(compare(increment(ancestor, 10, 5_000), ancestor), 'after');
  // A replica holding the ancestor now keeps both: a false sibling.
  t.is(syntacticReconcile([version(ancestor, 1), version(child, 2)]).length, 2);
});

test('incrementAndTruncate never drops the entry it incremented, however skewed the clock', (t) => {
  let ctx = empty();
  for (let node = 0; node < 10; node++) ctx = increment(ctx, node, 1_000_000 + node);
  // Node 42's clock is far behind: its new entry is the oldest, yet it stays.
  const next = incrementAndTruncate(ctx, 42, 5, 10);
  t.is(next.length, 10);
  t.is(counterOf(next, 42), 1);
  t.is(counterOf(next, 0), 0, 'the oldest other entry went instead');
  // Plain truncate has no such protection.
  t.is(counterOf(truncate(increment(ctx, 42, 5), 10), 42), 0);
});

// ---- properties ------------------------------------------------------------

test('compare: reflexive, antisymmetric, consistent with descends', (t) => {
  fc.assert(
    fc.property(clockArb, clockArb, (a, b) => {
      const ab = compare(a, b);
      const ba = compare(b, a);
      const mirror = { before: 'after', after: 'before', equal: 'equal', concurrent: 'concurrent' } as const;
      return (
        compare(a, a) === 'equal' &&
        compare(a, fromEntries(a)) === 'equal' &&
        ba === mirror[ab] &&
        descends(a, b) === (ab === 'after' || ab === 'equal') &&
        descends(b, a) === (ab === 'before' || ab === 'equal')
      );
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('compare: before is transitive', (t) => {
  fc.assert(
    fc.property(clockArb, stepsArb, stepsArb, clockArb, clockArb, (a, s1, s2, x, y) => {
      // Related chains (a <= b <= c) and arbitrary triples both exercised.
      const b = applySteps(a, s1);
      const c = applySteps(b, s2);
      for (const [p, q, r] of [[a, b, c], [x, y, merge(x, y)], [a, x, y]] as const) {
        if (compare(p, q) === 'before' && compare(q, r) === 'before' && compare(p, r) !== 'before') return false;
      }
      return compare(a, c) === (s1.length + s2.length === 0 ? 'equal' : 'before');
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('increment is strictly after', (t) => {
  fc.assert(
    fc.property(clockArb, fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 10 ** 12 }), (c, node, now) => {
      const d = increment(c, node, now);
      return compare(d, c) === 'after' && compare(c, d) === 'before' && counterOf(d, node) === counterOf(c, node) + 1;
    }),
  );
  t.pass();
});

test('merge: commutative, associative, idempotent, least upper bound', (t) => {
  fc.assert(
    fc.property(clockArb, clockArb, clockArb, (a, b, c) => {
      const ab = merge(a, b);
      assert.deepEqual(ab, merge(b, a));
      assert.deepEqual(merge(merge(a, b), c), merge(a, merge(b, c)));
      assert.deepEqual(merge(a, a), a);
      assert.ok(descends(ab, a) && descends(ab, b));
      // Least: every entry of the merge is some input's counter.
      for (const e of ab) assert.equal(e.counter, Math.max(counterOf(a, e.node), counterOf(b, e.node)));
      // Sorted, canonical.
      for (let i = 1; i < ab.length; i++) assert.ok(ab[i - 1]!.node < ab[i]!.node);
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('truncation keeps at most maxEntries and drops exactly the oldest', (t) => {
  fc.assert(
    fc.property(
      fc.uniqueArray(entryArb, { selector: (e) => e.node, maxLength: 8 }),
      fc.integer({ min: 1, max: 9 }),
      (entries, max) => {
        const c = fromEntries(entries);
        const out = truncate(c, max);
        assert.ok(out.length <= max);
        assert.equal(out.length, Math.min(max, c.length));
        const byAge = [...c].sort((x, y) => x.timestampUs - y.timestampUs || x.node - y.node);
        const expectedKept = new Set(byAge.slice(c.length - out.length).map((e) => e.node));
        assert.deepEqual(out.map((e) => e.node).sort((x, y) => x - y), [...expectedKept].sort((x, y) => x - y));
        for (const e of out) assert.deepEqual(e, c.find((x) => x.node === e.node));
        assert.ok(descends(c, out), 'truncation only forgets');
      },
    ),
    { numRuns: 500 },
  );
  t.pass();
});

test('totalOrder is a total order consistent with entry equality', (t) => {
  fc.assert(
    fc.property(clockArb, clockArb, clockArb, (a, b, c) => {
      const sign = (x: number): number => Math.sign(x);
      assert.equal(sign(totalOrder(a, b)) + sign(totalOrder(b, a)), 0);
      assert.equal(totalOrder(a, b) === 0, JSON.stringify(a) === JSON.stringify(b));
      if (totalOrder(a, b) < 0 && totalOrder(b, c) < 0) assert.ok(totalOrder(a, c) < 0);
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('equal clocks hash equally', (t) => {
  fc.assert(
    fc.property(clockArb, (a) => {
      const reTimed: VClockEntry[] = a.map((e) => ({ ...e, timestampUs: e.timestampUs + 1 }));
      return clockHash(a) === clockHash(fromEntries(reTimed));
    }),
  );
  t.pass();
});

test('setEntryAndTruncate equals rebuilding the clock with the entry one lower, then incrementAndTruncate', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(clockArb, fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 1, max: 9 }), (clock, node, above, now, max) => {
        const counter = counterOf(clock, node) + 1 + above;
        const others = clock.filter((e) => e.node !== node);
        const base = counter - 1 >= 1 ? fromEntries([...others, { node, counter: counter - 1, timestampUs: 0 }]) : fromEntries(others);
        assert.deepEqual(setEntryAndTruncate(clock, node, counter, now, max), incrementAndTruncate(base, node, now, max));
      }),
    ),
  );
  t.throws(() => setEntryAndTruncate(fromEntries([{ node: 1, counter: 5, timestampUs: 0 }]), 1, 4, 0, 10), { message: /at least the current counter/ });
});
