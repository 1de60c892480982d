import assert from 'node:assert/strict';
import test from 'ava';
import fc from 'fast-check';
import { compare, descends, empty, fromEntries, increment, merge, type VClock } from '../../src/dynamo/vclock.js';
import {
  canonicalOrder,
  mergeInto,
  syntacticReconcile,
  versionSetHash,
  versionSetSizeBytes,
  versionsEqual,
  type Value,
  type Version,
} from '../../src/dynamo/version.js';
import { reconcileForClient } from '../../src/dynamo/reconcile.js';

function value(id: number, extra: Partial<Value> = {}): Value {
  return { id, sizeBytes: 100, writtenAtUs: id * 10, items: null, ...extra };
}
function version(clock: VClock, id: number, extra: Partial<Value> = {}): Version {
  return { clock, value: value(id, extra) };
}
const ids = (vs: readonly Version[]): number[] => vs.map((v) => v.value.id);

// Figure 3 as a shopping cart: D3 adds item 7, D4 adds item 8 and removes item 1.
const d1 = increment(empty(), 0, 10);
const d2 = increment(d1, 0, 20);
const d3 = increment(d2, 1, 30);
const d4 = increment(d2, 2, 31);
const V1 = version(d1, 1, { items: [1] });
const V2 = version(d2, 2, { items: [1, 2] });
const V3 = version(d3, 3, { items: [1, 2, 7], writtenAtUs: 300 });
const V4 = version(d4, 4, { items: [2, 8], writtenAtUs: 250 });

// ---- syntactic reconciliation ------------------------------------------------

test('syntacticReconcile keeps the concurrent leaves in canonical order', (t) => {
  t.deepEqual(ids(syntacticReconcile([V4, V1, V3, V2])), [3, 4]);
  t.deepEqual(ids(syntacticReconcile([V3, V4])), [3, 4]);
  t.deepEqual(ids(syntacticReconcile([V4, V3])), [3, 4]);
  t.deepEqual(ids(syntacticReconcile([V2, V1])), [2]);
  t.deepEqual(ids(syntacticReconcile([])), []);
});

test('equal clocks keep one version: the lowest value id, whatever the order', (t) => {
  const a = version(d2, 9);
  const b = version(fromEntries(d2), 5); // equal clock, another write (a reused counter)
  t.deepEqual(ids(syntacticReconcile([a, b])), [5]);
  t.deepEqual(ids(syntacticReconcile([b, a])), [5]);
  t.deepEqual(ids(syntacticReconcile([a, V3, b, V4])), [3, 4]);
  t.deepEqual(ids(syntacticReconcile([a, V1, b])), [5]);
});

test('mergeInto returns an argument unallocated on the hot paths', (t) => {
  const stored = [V2] as const;
  const put = [V3] as const;
  t.is(mergeInto(stored, put), put, 'a descendant replaces the stored version');
  t.is(mergeInto(put, stored), put, 'a stale write changes nothing');
  t.is(mergeInto([], put), put);
  t.is(mergeInto(stored, []), stored);
  t.deepEqual(ids(mergeInto([V3], [V4])), [3, 4]);
  t.deepEqual(ids(mergeInto([V3, V4], [version(increment(merge(d3, d4), 0, 40), 5)])), [5]);
});

test('versionsEqual and versionSetHash', (t) => {
  t.true(versionsEqual(V3, version(fromEntries(d3), 3)));
  t.false(versionsEqual(V3, version(d3, 4)));
  t.false(versionsEqual(V3, V4));
  t.is(versionSetHash([]), 0);
  t.not(versionSetHash([V3]), 0);
  t.is(versionSetHash([V3, V4]), versionSetHash([V4, V3]));
  t.not(versionSetHash([V3, V4]), versionSetHash([V3]));
  t.not(versionSetHash([V3]), versionSetHash([version(d3, 99)]));
  t.not(versionSetHash([V3]), versionSetHash([version(increment(d3, 1, 0), 3)]));
  t.is(versionSetSizeBytes([V3, V4]), 200 + (4 + 2 * 24) * 2);
});

// ---- properties over random histories ---------------------------------------

/**
 * Random histories: each write starts from the clock of an earlier write (or
 * a merge of two) and is coordinated by one of 4 nodes, so versions are
 * ancestors, descendants, concurrent, and now and then equal (a reused id).
 */
const historyArb = fc
  .array(
    fc.record({
      base: fc.nat(),
      other: fc.option(fc.nat(), { nil: undefined }),
      node: fc.integer({ min: 0, max: 3 }),
      dup: fc.boolean(),
    }),
    { minLength: 1, maxLength: 12 },
  )
  .map((steps) => {
    const out: Version[] = [];
    steps.forEach((s, i) => {
      if (s.dup && out.length > 0) {
        // Same clock, another write: what counter reuse produces.
        const src = out[s.base % out.length]!;
        out.push(version(src.clock, 100 + i));
        return;
      }
      let clock = out.length === 0 ? empty() : out[s.base % out.length]!.clock;
      if (s.other !== undefined && out.length > 0) clock = merge(clock, out[s.other % out.length]!.clock);
      out.push(version(increment(clock, s.node, i), 100 + i, { items: [i] }));
    });
    return out;
  });

function checkReconciled(input: readonly Version[], out: readonly Version[]): void {
  // An antichain...
  for (let i = 0; i < out.length; i++) {
    for (let j = i + 1; j < out.length; j++) assert.equal(compare(out[i]!.clock, out[j]!.clock), 'concurrent');
    if (i > 0) assert.ok(canonicalOrder(out[i - 1]!, out[i]!) < 0, 'canonical order');
  }
  // ...of inputs, covering every input.
  for (const v of out) assert.ok(input.includes(v));
  for (const v of input) assert.ok(out.some((o) => descends(o.clock, v.clock)), 'every input is covered');
  // Nothing that another input strictly descends survives.
  for (const v of out) for (const w of input) assert.notEqual(compare(v.clock, w.clock), 'before');
}

test('syntacticReconcile: antichain, covering, independent of input order', (t) => {
  fc.assert(
    fc.property(historyArb, fc.nat(), (history, seed) => {
      const out = syntacticReconcile(history);
      checkReconciled(history, out);
      const shuffled = [...history].reverse();
      shuffled.push(...shuffled.splice(0, seed % shuffled.length));
      assert.deepEqual(ids(syntacticReconcile(shuffled)), ids(out));
      assert.deepEqual(ids(syntacticReconcile(out)), ids(out), 'idempotent');
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

test('mergeInto(existing, incoming) = syntacticReconcile(existing ∪ incoming), in any split', (t) => {
  fc.assert(
    fc.property(historyArb, fc.nat(), (history, cut) => {
      const k = cut % (history.length + 1);
      const existing = syntacticReconcile(history.slice(0, k));
      const merged = mergeInto(existing, history.slice(k));
      assert.deepEqual(ids(merged), ids(syntacticReconcile(history)));
      // One write at a time, as a replica sees them.
      let stored: readonly Version[] = [];
      for (const v of history) stored = mergeInto(stored, [v]);
      assert.deepEqual(ids(stored), ids(merged));
      assert.equal(versionSetHash(stored), versionSetHash(merged));
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

// ---- semantic reconciliation -------------------------------------------------

test('merge: the union of the items, the context descends every sibling', (t) => {
  const r = reconcileForClient('merge', [V3, V4]);
  t.deepEqual(r.items, [1, 2, 7, 8], 'both adds kept; item 1, removed by D4, resurfaces');
  t.deepEqual(r.context, merge(d3, d4));
  t.is(r.basedOn, null);
  t.false(r.deleted);
  t.is(r.siblingCount, 2);
  const d5 = increment(r.context, 0, 40);
  t.deepEqual(ids(syntacticReconcile([V3, V4, version(d5, 5, { items: r.items })])), [5]);
});

test('last-write-wins: greatest writtenAtUs, ties to the higher id', (t) => {
  const r = reconcileForClient('last-write-wins', [V3, V4]);
  t.is(r.basedOn, V3);
  t.deepEqual(r.items, [1, 2, 7]);
  t.deepEqual(r.context, merge(d3, d4));
  const tieA = version(d3, 30, { writtenAtUs: 500, items: [1] });
  const tieB = version(d4, 40, { writtenAtUs: 500, items: [2] });
  t.is(reconcileForClient('last-write-wins', [tieA, tieB]).basedOn, tieB);
  t.is(reconcileForClient('last-write-wins', [tieB, tieA]).basedOn, tieB);
});

test('none: the first sibling is the base, the others are superseded', (t) => {
  const r = reconcileForClient('none', [V3, V4]);
  t.is(r.basedOn, V3);
  t.deepEqual(r.items, [1, 2, 7], 'the add of item 8 is lost');
  t.deepEqual(r.context, merge(d3, d4));
});

test('tombstones and empty reads', (t) => {
  const del = version(d4, 6, { tombstone: true, items: null, writtenAtUs: 999 });
  const m = reconcileForClient('merge', [V3, del]);
  t.deepEqual(m.items, [1, 2, 7], 'a concurrent delete does not remove the other branch');
  t.false(m.deleted);
  t.true(reconcileForClient('merge', [del]).deleted);
  const l = reconcileForClient('last-write-wins', [V3, del]);
  t.true(l.deleted);
  t.is(l.items, null);
  const nothing = reconcileForClient('merge', []);
  t.deepEqual(nothing.context, empty());
  t.is(nothing.items, null);
  t.is(nothing.siblingCount, 0);
  t.throws(() => reconcileForClient('bogus' as 'merge', [V3]));
  t.throws(() => reconcileForClient('bogus' as 'merge', []));
});

test('merge union is a sorted set union (property)', (t) => {
  const setArb = fc.uniqueArray(fc.integer({ min: 0, max: 50 }), { maxLength: 10 }).map((a) => a.sort((x, y) => x - y));
  fc.assert(
    fc.property(fc.array(setArb, { minLength: 1, maxLength: 4 }), (sets) => {
      const siblings = sets.map((items, i) => version(increment(empty(), i, 0), i, { items }));
      const r = reconcileForClient('merge', syntacticReconcile(siblings));
      const expected = [...new Set(sets.flat())].sort((x, y) => x - y);
      assert.deepEqual(r.items, expected);
    }),
  );
  t.pass();
});
