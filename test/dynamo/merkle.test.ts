import assert from 'node:assert/strict';
import test from 'ava';
import fc from 'fast-check';
import {
  buildTree,
  childHashes,
  createTree,
  diff,
  differingItems,
  itemHashOf,
  nodeHash,
  rebuildCost,
  remove,
  root,
  segmentItems,
  segmentKeys,
  segmentOf,
  update,
  upsert,
  type MerkleOptions,
  type MerkleTree,
  type SegmentItem,
} from '../../src/dynamo/merkle.js';
import { fmix32 } from '../../src/dynamo/hash32.js';

/** A deterministic item hash per (key, version): non-zero. */
const itemHash = (key: number, version = 0): number => fmix32(key * 31 + version + 1) || 1;

function items(keyCount: number, version = 0): SegmentItem[] {
  return Array.from({ length: keyCount }, (_, key) => ({ key, itemHash: itemHash(key, version) }));
}

/** Two replicas of keyCount keys that differ on `changed` keys (every k-th key rewritten on b). */
function replicaPair(keyCount: number, changed: number, options: MerkleOptions = {}): [MerkleTree, MerkleTree, number[]] {
  const a = buildTree(options, items(keyCount));
  const b = buildTree(options, items(keyCount));
  const step = Math.floor(keyCount / changed);
  const keys: number[] = [];
  for (let i = 0; i < changed; i++) {
    const key = i * step;
    update(b, key, itemHash(key), itemHash(key, 1));
    keys.push(key);
  }
  return [a, b, keys];
}

test('identical trees have equal roots and an empty diff, whatever the update order', (t) => {
  const a = buildTree({}, items(500));
  const b = buildTree({}, items(500).reverse());
  t.not(root(a), 0);
  t.is(root(a), root(b));
  const d = diff(a, b);
  t.deepEqual(d.keys, []);
  t.deepEqual(d.segments, []);
  t.is(d.cost.messages, 2, 'only the roots are compared');
  t.is(d.cost.hashesCompared, 1);
  t.is(root(createTree()), 0);
});

test('one changed key is found by descending its path only', (t) => {
  for (const keyCount of [1_000, 100_000]) {
    const [a, b] = replicaPair(keyCount, 1);
    const d = diff(a, b);
    t.deepEqual(d.keys, [0]);
    t.deepEqual(d.segments, [segmentOf(a, 0)]);
    // root, the root's children, one level-1 node's children, one segment's keys
    t.is(d.cost.messages, 8, `${keyCount} keys`);
    t.deepEqual(diff(b, a).keys, [0], 'symmetric');
  }
  // Messages grow with the depth, not with the number of keys.
  const messages = [1, 2, 3].map((depth) => {
    const [a, b] = replicaPair(2_000, 1, { fanout: 16, depth });
    const d = diff(a, b);
    t.deepEqual(d.keys, [0]);
    return d.cost.messages;
  });
  t.deepEqual(messages, [6, 8, 10]);
});

test('diff returns exactly the keys whose item hashes differ (property)', (t) => {
  const layoutArb = fc.constantFrom<MerkleOptions>({ fanout: 2, depth: 1 }, { fanout: 4, depth: 2 }, { fanout: 16, depth: 3 }, {});
  // key → item hash in 1..4 (equal item hashes on both sides are common), absent when missing.
  const replicaArb = fc.dictionary(fc.integer({ min: 0, max: 300 }).map(String), fc.integer({ min: 1, max: 4 }), { maxKeys: 80 });
  fc.assert(
    fc.property(layoutArb, replicaArb, replicaArb, (layout, ra, rb) => {
      const toItems = (r: Record<string, number>): SegmentItem[] => Object.entries(r).map(([k, h]) => ({ key: Number(k), itemHash: h }));
      const a = buildTree(layout, toItems(ra));
      const b = buildTree(layout, toItems(rb));
      const expected = [...new Set([...Object.keys(ra), ...Object.keys(rb)])]
        .map(Number)
        .filter((k) => ra[k] !== rb[k])
        .sort((x, y) => x - y);
      const d = diff(a, b);
      assert.deepEqual(d.keys, expected);
      assert.equal(root(a) === root(b), expected.length === 0);
      // Repairing the differences makes the trees equal.
      for (const key of d.keys) {
        const want = itemHashOf(a, key);
        const have = itemHashOf(b, key);
        if (want === 0) remove(b, key, have);
        else update(b, key, have, want);
      }
      assert.equal(root(b), root(a));
      assert.deepEqual(diff(a, b).keys, []);
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('bytes for 10 differing keys barely move from 1,000 to 100,000 keys; they grow with the differences', (t) => {
  const small = diff(...replicaPair(1_000, 10).slice(0, 2) as [MerkleTree, MerkleTree]);
  const large = diff(...replicaPair(100_000, 10).slice(0, 2) as [MerkleTree, MerkleTree]);
  t.is(small.keys.length, 10);
  t.is(large.keys.length, 10);
  t.true(large.cost.bytes < 4 * small.cost.bytes, `${small.cost.bytes} B vs ${large.cost.bytes} B for 100x the keys`);
  const fullList = 100_000 * 12; // sending every (key, hash) instead
  t.true(large.cost.bytes * 20 < fullList);

  const many = diff(...replicaPair(100_000, 1_000).slice(0, 2) as [MerkleTree, MerkleTree]);
  t.is(many.keys.length, 1_000);
  t.true(many.cost.bytes > 10 * large.cost.bytes, `${large.cost.bytes} B for 10 differences vs ${many.cost.bytes} B for 1,000`);
  t.true(many.cost.messages > 10 * large.cost.messages);
});

test('update and remove keep the tree sparse and reversible', (t) => {
  const tree = createTree();
  const empty = root(tree);
  update(tree, 42, 0, 7);
  update(tree, 1_000_000_007, 0, 9);
  update(tree, 2 ** 40, 0, 11);
  t.is(tree.keyCount, 3);
  t.is(tree.segmentsInUse, 3, 'three segments allocated, not a million');
  t.true(tree.innerNodes <= 3);
  const three = root(tree);
  update(tree, 42, 7, 8);
  t.not(root(tree), three);
  update(tree, 42, 8, 7);
  t.is(root(tree), three, 'hashes depend on contents only');
  t.is(itemHashOf(tree, 42), 7);
  t.is(itemHashOf(tree, 43), 0);
  t.throws(() => update(tree, 42, 8, 9), undefined, 'a wrong old hash is caught');
  t.throws(() => update(tree, 5, 0, 0), undefined, '0 means absent');
  t.throws(() => remove(tree, 5, 1), undefined, 'not held');
  t.throws(() => update(tree, -1, 0, 1));
  t.throws(() => update(tree, 42, -1, 9), undefined, 'a negative old hash is not the upsert sentinel');
  remove(tree, 42, 7);
  remove(tree, 1_000_000_007, 9);
  remove(tree, 2 ** 40, 11);
  t.is(root(tree), empty);
  t.is(tree.keyCount, 0);
  t.is(tree.segmentsInUse, 0);
  t.is(tree.innerNodes, 0);
  t.is(tree.rootNode.children.length, 0);
  t.is(tree.segments.size, 0);
  t.true(tree.inner.every((level) => level.size === 0));
});

test('childHashes and segmentItems are what an exchange message carries', (t) => {
  const tree = buildTree({ fanout: 4, depth: 2 }, items(40));
  const top = childHashes(tree, 0, 0);
  t.deepEqual(top.map((c) => c.index), [0, 1, 2, 3]);
  for (const c of top) {
    t.is(c.hash, nodeHash(tree, 1, c.index));
    for (const s of childHashes(tree, 1, c.index)) {
      t.is(Math.floor(s.index / 4), c.index);
      t.is(s.hash, nodeHash(tree, 2, s.index));
    }
  }
  let listed = 0;
  for (let s = 0; s < 16; s++) {
    const its = segmentItems(tree, s);
    for (const it of its) {
      t.is(segmentOf(tree, it.key), s);
      t.is(it.itemHash, itemHash(it.key));
    }
    t.deepEqual(segmentKeys(tree, s), its.map((i) => i.key));
    listed += its.length;
  }
  t.is(listed, 40);
  t.throws(() => childHashes(tree, 2, 0), undefined, 'segments have no children');
  t.throws(() => childHashes(tree, 1, 4));
  const full = buildTree({ fanout: 4, depth: 2 }, items(400));
  for (let i = 0; i < 4; i++) t.is(childHashes(full, 1, i).length, 4);
  t.deepEqual(childHashes(createTree({ fanout: 4, depth: 2 }), 1, 3), [], 'an absent node has no children');
});

test('trees of different layouts cannot be diffed; layouts are validated', (t) => {
  t.throws(() => diff(createTree({ fanout: 4, depth: 2 }), createTree({ fanout: 4, depth: 3 })));
  t.throws(() => createTree({ fanout: 1 }));
  t.throws(() => createTree({ depth: 0 }));
  t.throws(() => createTree({ fanout: 1024, depth: 4 }), undefined, 'more than 2^32 segments');
  t.is(createTree().segmentCount, 1024 * 1024);
});

test('rebuildCost grows linearly with the keys', (t) => {
  const zero = rebuildCost(0);
  t.is(zero.bytesHashed, 0);
  const k1 = rebuildCost(1_000);
  const k100 = rebuildCost(100_000);
  t.is(k1.keysHashed, 1_000);
  t.true(k100.bytesHashed > 50 * k1.bytesHashed && k100.bytesHashed < 150 * k1.bytesHashed);
  t.true(rebuildCost(1_000, { bytesPerKey: 4096 }).bytesHashed > 1_000 * 4096);
  t.is(rebuildCost(5, { fanout: 4, depth: 2 }).nodesHashed, 1 + 4 + 5);
  t.throws(() => rebuildCost(-1));
});

test('upsert sets a hash whatever was stored and returns the old one; it builds the same tree as update', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 5 })), { maxLength: 120 }), (steps) => {
        const a = createTree({ fanout: 4, depth: 3 });
        const b = createTree({ fanout: 4, depth: 3 });
        for (const [key, h] of steps) {
          const before = itemHashOf(a, key);
          assert.equal(upsert(a, key, h), before);
          update(b, key, before, h);
          assert.equal(root(a), root(b));
          assert.equal(itemHashOf(a, key), h);
        }
        assert.equal(a.keyCount, b.keyCount);
      }),
    ),
  );
});

test('differingItems names every key only one side has, or whose hashes differ, with its sides, in key order', (t) => {
  fc.assert(
    fc.property(fc.dictionary(fc.integer({ min: 0, max: 60 }).map(String), fc.tuple(fc.option(fc.nat(3)), fc.option(fc.nat(3)))), (spec) => {
      const keys = Object.keys(spec).map(Number).sort((a, b) => a - b);
      const mine = keys.filter((k) => spec[String(k)]![0] !== null).map((k) => ({ key: k, itemHash: spec[String(k)]![0]! }));
      const theirs = keys.filter((k) => spec[String(k)]![1] !== null).map((k) => ({ key: k, itemHash: spec[String(k)]![1]! }));
      const got: Array<[number, boolean, boolean]> = [];
      differingItems(mine, theirs, (key, a, b) => got.push([key, a, b]));
      const expected = keys.flatMap((k): Array<[number, boolean, boolean]> => {
        const [a, b] = spec[String(k)]!;
        if (a === null && b === null) return [];
        if (a !== null && b !== null && a === b) return [];
        return [[k, a !== null, b !== null]];
      });
      return JSON.stringify(got) === JSON.stringify(expected);
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('any sequence of upserts and removes leaves the tree a fresh build of its final contents would be (property)', (t) => {
  const layoutArb = fc.constantFrom<MerkleOptions>({ fanout: 2, depth: 1 }, { fanout: 3, depth: 2 }, { fanout: 4, depth: 3 }, { fanout: 1024, depth: 2 });
  // Keys 0..40 over few segments: segments and inner nodes fill, empty and fill again.
  const opArb = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3 }));
  fc.assert(
    fc.property(layoutArb, fc.array(opArb, { maxLength: 300 }), (layout, ops) => {
      const tree = createTree(layout);
      const model = new Map<number, number>();
      for (const [key, h] of ops) {
        if (h === 0) {
          if (model.has(key)) remove(tree, key, model.get(key)!);
          model.delete(key);
        } else {
          upsert(tree, key, h);
          model.set(key, h);
        }
      }
      const fresh = buildTree(layout, [...model].map(([key, itemHash]) => ({ key, itemHash })));
      assert.equal(root(tree), root(fresh));
      assert.equal(tree.keyCount, fresh.keyCount);
      assert.equal(tree.segmentsInUse, fresh.segmentsInUse);
      assert.equal(tree.innerNodes, fresh.innerNodes);
      // Every node an exchange can reach lists the same children with the same hashes.
      const visit = (level: number, index: number): void => {
        const mine = childHashes(tree, level, index);
        assert.deepEqual(mine, childHashes(fresh, level, index));
        for (const c of mine) {
          if (level + 1 < tree.depth) visit(level + 1, c.index);
          else assert.deepEqual(segmentItems(tree, c.index), segmentItems(fresh, c.index));
        }
      };
      visit(0, 0);
      for (const [key, h] of model) assert.equal(itemHashOf(tree, key), h);
    }),
    { numRuns: 300 },
  );
  t.pass();
});
