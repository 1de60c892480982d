import test from 'ava';
import fc from 'fast-check';
import { InvalidOptionError } from '../../sim/errors.js';
import { RING_SIZE } from '../../src/dynamo/hash.js';
import { buildPreflists, preferenceList } from '../../src/dynamo/preflist.js';
import { createRing, partitionRange, type Ring } from '../../src/dynamo/ring.js';
import { nodes, ringOf, ringShape, rng } from './fixtures.js';

/**
 * The paper's rule written the slow way, from the ring's public fields: the clockwise sequence of
 * owners starting at the partition's coordinator position, first occurrences only.
 */
function naiveList(ring: Ring, partition: number, length: number): number[] {
  let sequence: number[];
  if (ring.strategy === 3) {
    sequence = [...ring.owners.slice(partition), ...ring.owners.slice(0, partition)];
  } else {
    // Strategy 1: from the partition's own token; 2: from the first token at or after the partition's end.
    const from = ring.strategy === 1 ? ring.tokens[partition]! : partitionRange(ring, partition).end % RING_SIZE;
    const order = Array.from(ring.tokens, (x, i) => ({ distance: (x - from + RING_SIZE) % RING_SIZE, owner: ring.tokenOwners[i]! }));
    sequence = order.sort((a, b) => a.distance - b.distance).map((x) => x.owner);
  }
  return [...new Set(sequence)].slice(0, length);
}

test('preference lists follow the ring clockwise from the coordinator, skipping nodes already chosen', (t) => {
  fc.assert(
    fc.property(ringShape, fc.integer({ min: 1, max: 15 }), (shape, length) => {
      const ring = ringOf(shape);
      for (let p = 0; p < ring.partitions; p++) {
        if (preferenceList({ ring, partition: p, length }).join() !== naiveList(ring, p, length).join()) return false;
      }
      return true;
    }),
  );
  t.pass();
});

test('a list holds min(length, S) distinct nodes: N distinct replicas whenever S >= N, fallbacks never repeat a node', (t) => {
  fc.assert(
    fc.property(ringShape, fc.integer({ min: 1, max: 15 }), fc.boolean(), (shape, length, dcAware) => {
      const ring = createRing({
        strategy: shape.strategy,
        nodes: nodes(shape.nodeCount, (id) => ({ dc: id % 3 })),
        tokensPerNode: shape.tokensPerNode,
        partitions: Math.max(shape.partitions, shape.nodeCount),
        rng: rng(shape.seed),
      });
      const lists = buildPreflists(ring, length, { dcAware });
      if (lists.length !== Math.min(length, shape.nodeCount)) return false;
      for (let p = 0; p < ring.partitions; p++) {
        const list = Array.from(lists.get(p));
        if (list.length !== lists.length || new Set(list).size !== list.length) return false;
        if (!list.every((id) => id >= 0 && id < shape.nodeCount)) return false;
      }
      return true;
    }),
  );
  t.pass();
});

test('even a ring where one node owns runs of consecutive tokens yields N distinct replicas', (t) => {
  // Two nodes, 32 random tokens each: runs of tokens of one node are certain. Riak's walk would list
  // the same node twice here; the paper's walk never does.
  const ring = createRing({ strategy: 1, nodes: nodes(2), tokensPerNode: 32, rng: rng(2) });
  t.true(ring.tokenOwners.some((o, i) => o === ring.tokenOwners[(i + 1) % ring.tokenOwners.length]));
  for (let p = 0; p < ring.partitions; p++) {
    const list = preferenceList({ ring, partition: p, length: 3 });
    t.is(list.length, 2);
    t.is(new Set(list).size, 2);
    t.is(list[0], ring.tokenOwners[p]);
  }
});

test('the cache holds the same lists as preferenceList, is stable for a ring, and hands out one view per partition', (t) => {
  for (const strategy of [1, 2, 3] as const) {
    const ring = createRing({ strategy, nodes: nodes(10, (id) => ({ dc: id % 2 })), tokensPerNode: 8, partitions: 128, rng: rng(strategy) });
    for (const dcAware of [false, true]) {
      const lists = buildPreflists(ring, 5, { dcAware });
      const again = buildPreflists(ring, 5, { dcAware });
      t.is(lists.ring, ring);
      for (let p = 0; p < ring.partitions; p++) {
        t.deepEqual(Array.from(lists.get(p)), preferenceList({ ring, partition: p, length: 5, dcAware }));
        t.deepEqual(lists.get(p), again.get(p));
        t.is(lists.get(p), lists.get(p)); // no allocation per lookup
      }
    }
  }
});

test('dcAware: the top N span min(N, D) datacenters, the coordinator stays first, and one datacenter changes nothing', (t) => {
  fc.assert(
    fc.property(ringShape, fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 6 }), (shape, datacenters, n) => {
      const dcOf = (id: number): number => id % datacenters;
      const ring = createRing({
        strategy: shape.strategy,
        nodes: nodes(shape.nodeCount, (id) => ({ dc: dcOf(id) })),
        tokensPerNode: shape.tokensPerNode,
        partitions: Math.max(shape.partitions, shape.nodeCount),
        rng: rng(shape.seed),
      });
      const present = new Set(ring.nodes.map((x) => dcOf(x.id))).size;
      const lists = buildPreflists(ring, n, { dcAware: true });
      for (let p = 0; p < ring.partitions; p++) {
        const list = Array.from(lists.get(p));
        const plain = preferenceList({ ring, partition: p, length: n });
        if (list[0] !== plain[0]) return false;
        if (new Set(list.map(dcOf)).size !== Math.min(list.length, present)) return false;
      }
      return true;
    }),
  );
  const single = createRing({ strategy: 1, nodes: nodes(12), tokensPerNode: 8, rng: rng(9) });
  for (let p = 0; p < single.partitions; p++) {
    t.deepEqual(preferenceList({ ring: single, partition: p, length: 6, dcAware: true }), preferenceList({ ring: single, partition: p, length: 6 }));
  }
});

test('dcAware picks, at each step, the first node clockwise from a datacenter with the fewest members so far', (t) => {
  // Strategy 3 makes the walk explicit. Owners by partition: 0 1 2 3 4 5, datacenters 0 0 0 1 1 2.
  const ring = createRing({ strategy: 3, nodes: nodes(6, (id) => ({ dc: [0, 0, 0, 1, 1, 2][id]! })), partitions: 6, rng: rng(1) });
  const owners = Array.from(ring.owners);
  const dc = (id: number): number => ring.nodes[id]!.dc;
  for (let p = 0; p < 6; p++) {
    const walk = [...owners.slice(p), ...owners.slice(0, p)];
    const list = preferenceList({ ring, partition: p, length: 6, dcAware: true });
    // Recompute the rule by hand from the walk.
    const chosen: number[] = [];
    const counts = [0, 0, 0];
    while (chosen.length < 6) {
      const open = [0, 1, 2].filter((d) => walk.some((id) => !chosen.includes(id) && dc(id) === d));
      const fewest = Math.min(...open.map((d) => counts[d]!));
      const next = walk.find((id) => !chosen.includes(id) && counts[dc(id)] === fewest)!;
      chosen.push(next);
      counts[dc(next)]!++;
    }
    t.deepEqual(list, chosen);
    t.is(new Set(list.slice(0, 3).map(dc)).size, 3);
  }
});

test('bad partition numbers and lengths are refused', (t) => {
  const ring = createRing({ strategy: 3, nodes: nodes(4), partitions: 16, rng: rng(1) });
  t.throws(() => preferenceList({ ring, partition: 16, length: 3 }), { instanceOf: InvalidOptionError });
  t.throws(() => preferenceList({ ring, partition: 0, length: 0 }), { instanceOf: InvalidOptionError });
  t.throws(() => buildPreflists(ring, 3).get(-1), { instanceOf: InvalidOptionError });
  t.is(buildPreflists(ring, 10).length, 4);
});
