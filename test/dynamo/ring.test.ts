import test from 'ava';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { InvalidOptionError } from '../../sim/errors.js';
import { RING_BITS, RING_SIZE, keyPosition } from '../../src/dynamo/hash.js';
import {
  addNode,
  balanceEfficiency,
  createRing,
  loadShares,
  metadataBytes,
  partitionCount,
  partitionOf,
  partitionRange,
  rangeContains,
  rangeLength,
  removeNode,
  replicatedPartitions,
  ringDiff,
  type Ring,
} from '../../src/dynamo/ring.js';
import { preferenceList } from '../../src/dynamo/preflist.js';
import { nodes, ringOf, ringShape, rng } from './fixtures.js';

/** The top 52 bits of MD5, computed without the module under test. */
function md5Top52(key: string): number {
  const hex = createHash('md5').update(key, 'utf8').digest('hex');
  return Number(BigInt(`0x${hex}`) >> BigInt(128 - RING_BITS));
}

/** A position generator that favours the edges: 0, the top, token positions and boundaries ±1. */
function positionsOf(ring: Ring): fc.Arbitrary<number> {
  const edges = [0, 1, RING_SIZE - 1, ...ring.tokens, ...ring.starts.subarray(0, ring.starts.length - 1)]
    .flatMap((x) => [x - 1, x, x + 1])
    .filter((x) => x >= 0 && x < RING_SIZE);
  return fc.oneof(fc.integer({ min: 0, max: RING_SIZE - 1 }), fc.nat({ max: edges.length - 1 }).map((i) => edges[i]!));
}

function replicaSet(ring: Ring, partition: number, n: number): string {
  return preferenceList({ ring, partition, length: n }).sort((a, b) => a - b).join(',');
}

// ---- hash.ts --------------------------------------------------------------------------------------

test('the ring is 2^52 positions', (t) => {
  t.is(RING_BITS, 52);
  t.is(RING_SIZE, 4503599627370496);
});

test('keyPosition is the top 52 bits of MD5 for known keys', (t) => {
  t.is(keyPosition('hello'), md5Top52('hello'));
  t.is(keyPosition('hello'), 1640557292799154); // md5("hello") = 5d41402abc4b2a76...
  t.is(keyPosition(''), 3731574115332107); // md5("") = d41d8cd98f00b204...
  t.is(keyPosition('naïve ☃'), md5Top52('naïve ☃'));
});

test('keyPosition is deterministic, an integer in [0, 2^52), and MD5 for any string', (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (key) => {
      const position = keyPosition(key);
      return Number.isSafeInteger(position) && position >= 0 && position < RING_SIZE
        && position === keyPosition(key) && position === md5Top52(key);
    }),
  );
  t.pass();
});

// ---- partitions -----------------------------------------------------------------------------------

test('every position falls in the range of its partition, for every strategy', (t) => {
  fc.assert(
    fc.property(ringShape.chain((shape) => {
      const ring = ringOf(shape);
      return fc.tuple(fc.constant(ring), fc.array(positionsOf(ring), { minLength: 1, maxLength: 50 }));
    }), ([ring, positions]) => {
      for (const position of positions) {
        const p = partitionOf(ring, position);
        if (!(Number.isInteger(p) && p >= 0 && p < partitionCount(ring))) return false;
        if (!rangeContains(partitionRange(ring, p), position)) return false;
      }
      return true;
    }),
  );
  t.pass();
});

test('partition ranges tile the ring without overlap', (t) => {
  fc.assert(
    fc.property(ringShape, (shape) => {
      const ring = ringOf(shape);
      let total = 0;
      for (let p = 0; p < ring.partitions; p++) {
        const range = partitionRange(ring, p);
        const next = partitionRange(ring, (p + 1) % ring.partitions);
        if (range.end % RING_SIZE !== next.start) return false; // contiguous, clockwise
        total += rangeLength(range);
      }
      return total === RING_SIZE;
    }),
  );
  t.pass();
});

test('strategy 1: a position equal to a token belongs to that token; past the last token wraps to the first', (t) => {
  const ring = createRing({ strategy: 1, nodes: nodes(5), tokensPerNode: 4, rng: rng(3) });
  t.is(ring.partitions, 20);
  ring.tokens.forEach((token, i) => {
    t.is(partitionOf(ring, token), i);
    t.is(partitionOf(ring, token + 1), (i + 1) % ring.tokens.length);
  });
  t.is(partitionOf(ring, RING_SIZE - 1), ring.tokens[ring.tokens.length - 1] === RING_SIZE - 1 ? ring.tokens.length - 1 : 0);
});

test('strategies 2 and 3: partitions are equal, p starts at ceil(p * 2^52 / Q), and lookup is floor(x * Q / 2^52)', (t) => {
  for (const [strategy, q] of [[2, 1024], [3, 1024], [2, 1000], [3, 7], [3, 65536]] as const) {
    const ring = createRing({ strategy, nodes: nodes(5), tokensPerNode: 8, partitions: q, rng: rng(q) });
    t.is(partitionCount(ring), q);
    const sizes = new Set<number>();
    for (let p = 0; p < q; p++) {
      const { start, end } = partitionRange(ring, p);
      t.is(BigInt(start), (BigInt(p) * BigInt(RING_SIZE) + BigInt(q) - 1n) / BigInt(q));
      sizes.add(end - start);
    }
    if ((q & (q - 1)) === 0) t.deepEqual([...sizes], [RING_SIZE / q], `Q = ${q}: all equal`);
    else t.true(Math.max(...sizes) - Math.min(...sizes) <= 1, `Q = ${q}: sizes differ by at most one position`);
    fc.assert(
      fc.property(positionsOf(ring), (x) => BigInt(partitionOf(ring, x)) === (BigInt(x) * BigInt(q)) >> BigInt(RING_BITS)),
    );
  }
});

// ---- membership changes ----------------------------------------------------------------------------

test('rings are immutable values: a join returns a new ring and leaves the old one as it was', (t) => {
  for (const strategy of [1, 2, 3] as const) {
    const ring = createRing({ strategy, nodes: nodes(4), tokensPerNode: 8, partitions: 64, rng: rng(1) });
    const snapshot = JSON.stringify([Array.from(ring.tokens), Array.from(ring.owners), ring.nodes]);
    const grown = addNode(ring, { id: 9 }, rng(2));
    t.not(grown, ring);
    t.true(Object.isFrozen(ring) && Object.isFrozen(ring.nodes));
    t.is(JSON.stringify([Array.from(ring.tokens), Array.from(ring.owners), ring.nodes]), snapshot);
    t.deepEqual(grown.nodes.map((n) => n.id), [0, 1, 2, 3, 9]);
    t.deepEqual(removeNode(grown, 9, rng(3)).nodes, ring.nodes);
  }
});

test('the same seed builds the same ring; another seed another one', (t) => {
  for (const strategy of [1, 2, 3] as const) {
    const build = (seed: number): Ring => createRing({ strategy, nodes: nodes(6), tokensPerNode: 8, partitions: 128, rng: rng(seed) });
    const fingerprint = (ring: Ring): string => JSON.stringify([Array.from(ring.tokens), Array.from(ring.walk)]);
    t.is(fingerprint(build(5)), fingerprint(build(5)));
    t.not(fingerprint(build(5)), fingerprint(build(6)));
    // Node order in the input does not matter.
    const reversed = createRing({ strategy, nodes: nodes(6).reverse(), tokensPerNode: 8, partitions: 128, rng: rng(5) });
    t.is(fingerprint(reversed), fingerprint(build(5)));
  }
});

test('strategies 1 and 2: a join adds only the newcomer\'s tokens and a leave removes only the leaver\'s', (t) => {
  for (const strategy of [1, 2] as const) {
    const ring = createRing({ strategy, nodes: nodes(5), tokensPerNode: 16, partitions: 256, rng: rng(11) });
    const grown = addNode(ring, { id: 7 }, rng(12));
    const before = new Set(ring.tokens);
    const added = Array.from(grown.tokens).filter((x) => !before.has(x));
    t.is(added.length, 16);
    t.is(grown.tokens.length, ring.tokens.length + 16);
    grown.tokens.forEach((x, i) => t.is(grown.tokenOwners[i], before.has(x) ? ring.tokenOwners[ring.tokens.indexOf(x)] : 7));
    const shrunk = removeNode(grown, 2, rng(13));
    t.deepEqual(Array.from(shrunk.tokens), Array.from(grown.tokens).filter((_, i) => grown.tokenOwners[i] !== 2));
  }
});

test('weights: a node of weight 2 gets twice the tokens, or about twice the partitions, of a weight-1 node', (t) => {
  const weighted = nodes(10, (id) => ({ weight: id === 0 ? 2 : 1 }));
  for (const strategy of [1, 2] as const) {
    const ring = createRing({ strategy, nodes: weighted, tokensPerNode: 64, partitions: 4096, rng: rng(21) });
    const tokensOf = (id: number): number => ring.tokenOwners.filter((o) => o === id).length;
    t.is(tokensOf(0), 128);
    t.is(tokensOf(1), 64);
  }
  const ring = createRing({ strategy: 3, nodes: weighted, partitions: 1024, rng: rng(21) });
  const partitionsOf = (id: number): number => ring.owners.filter((o) => o === id).length;
  // Quotas 1024·2/11 = 186.2 and 1024/11 = 93.1.
  t.true(partitionsOf(0) === 186 || partitionsOf(0) === 187, `${partitionsOf(0)}`);
  for (let id = 1; id < 10; id++) t.true(partitionsOf(id) === 93 || partitionsOf(id) === 94);
  const grown = addNode(ring, { id: 10, weight: 2 }, rng(22));
  const heavy = grown.owners.filter((o) => o === 10).length;
  t.true(heavy === 157 || heavy === 158, `joiner of weight 2 holds ${heavy}, quota 1024·2/13 = 157.5`);
});

test('bad input is refused with the option named', (t) => {
  const base = { nodes: nodes(3), tokensPerNode: 4, partitions: 16, rng: rng(1) };
  const bad = (options: object, option: string): void => {
    const error = t.throws(() => createRing({ ...base, ...options } as never), { instanceOf: InvalidOptionError });
    t.is(error?.option, option);
  };
  bad({ strategy: 4 }, 'strategy');
  bad({ strategy: 1, tokensPerNode: undefined }, 'tokensPerNode');
  bad({ strategy: 2, partitions: 0 }, 'partitions');
  bad({ strategy: 3, partitions: 2 }, 'partitions'); // Q < S
  bad({ strategy: 1, nodes: [] }, 'nodes');
  bad({ strategy: 1, nodes: [{ id: 1 }, { id: 1 }] }, 'nodes');
  bad({ strategy: 1, nodes: [{ id: -1 }] }, 'node id');
  bad({ strategy: 1, nodes: [{ id: 1, weight: 0 }] }, 'node weight');
  bad({ strategy: 1, rng: undefined }, 'rng');
  const ring = createRing({ ...base, strategy: 3 });
  t.throws(() => addNode(ring, { id: 2 }, rng(1)), { instanceOf: InvalidOptionError });
  t.throws(() => removeNode(ring, 5, rng(1)), { instanceOf: InvalidOptionError });
  t.throws(() => removeNode(removeNode(removeNode(ring, 0, rng(1)), 1, rng(1)), 2, rng(1)), { instanceOf: InvalidOptionError });
});

// ---- what membership changes transfer ---------------------------------------------------------------

test('ringDiff after a join or a leave lists exactly the partitions whose replica sets changed', (t) => {
  fc.assert(
    fc.property(ringShape.filter((s) => s.strategy !== 1), fc.integer({ min: 1, max: 4 }), fc.boolean(), (shape, n, join) => {
      const before = ringOf(shape);
      if (!join && before.nodes.length < 2) return true;
      if (join && shape.strategy === 3 && before.partitions <= before.nodes.length) return true;
      const after = join ? addNode(before, { id: 50 }, rng(shape.seed, 'join')) : removeNode(before, 0, rng(shape.seed, 'leave'));
      const diff = ringDiff(before, after, n);
      const expected: number[] = [];
      for (let p = 0; p < after.partitions; p++) if (replicaSet(before, p, n) !== replicaSet(after, p, n)) expected.push(p);
      if (diff.map((c) => c.partition).join() !== expected.join()) return false;
      return diff.every((c) => {
        const whole = partitionRange(after, c.partition);
        return c.range.start === whole.start && c.range.end === whole.end
          && c.before.join() === preferenceList({ ring: before, partition: c.partition, length: n }).join()
          && c.after.join() === preferenceList({ ring: after, partition: c.partition, length: n }).join();
      });
    }),
  );
  t.pass();
});

test('ringDiff under strategy 1: a position is in a listed range exactly when its replica set changed', (t) => {
  // Up to three joins and leaves between the two rings, so ranges split and merge in every way.
  const changes = fc.array(fc.tuple(fc.boolean(), fc.nat()), { minLength: 1, maxLength: 3 });
  fc.assert(
    fc.property(ringShape.filter((s) => s.strategy === 1 && s.nodeCount >= 2), fc.integer({ min: 1, max: 4 }), changes, (shape, n, steps) => {
      const before = ringOf(shape);
      const churn = rng(shape.seed, 'churn');
      let after = before;
      steps.forEach(([join, pick], k) => {
        after = join || after.nodes.length === 1 ? addNode(after, { id: 50 + k }, churn) : removeNode(after, after.nodes[pick % after.nodes.length]!.id, churn);
      });
      const diff = ringDiff(before, after, n);
      // Entries are maximal: two adjacent pieces with the same change are one entry.
      const mergeable = diff.some((c, i) => {
        const next = diff[(i + 1) % diff.length]!;
        return diff.length > 1 && c.partition === next.partition && c.range.end % RING_SIZE === next.range.start
          && c.before.join() === next.before.join() && c.after.join() === next.after.join();
      });
      if (mergeable) return false;
      const probes = [...before.tokens, ...after.tokens].flatMap((x) => [x, (x + 1) % RING_SIZE]);
      return probes.every((x) => {
        const changed = replicaSet(before, partitionOf(before, x), n) !== replicaSet(after, partitionOf(after, x), n);
        const listed = diff.filter((c) => rangeContains(c.range, x));
        if (listed.length > 1) return false;
        const change = listed[0];
        if (change === undefined) return !changed;
        return changed && change.partition === partitionOf(after, x)
          && change.after.join() === preferenceList({ ring: after, partition: partitionOf(after, x), length: n }).join()
          && change.before.join() === preferenceList({ ring: before, partition: partitionOf(before, x), length: n }).join();
      });
    }),
  );
  t.pass();
});

test('ringDiff of a ring with itself is empty', (t) => {
  for (const strategy of [1, 2, 3] as const) {
    const ring = createRing({ strategy, nodes: nodes(8), tokensPerNode: 8, partitions: 64, rng: rng(4) });
    t.deepEqual(ringDiff(ring, ring, 3), []);
  }
});

test('replicatedPartitions lists the partitions whose top N include the node', (t) => {
  const ring = createRing({ strategy: 3, nodes: nodes(8), partitions: 64, rng: rng(8) });
  for (const node of ring.nodes) {
    const expected = Array.from({ length: 64 }, (_, p) => p)
      .filter((p) => preferenceList({ ring, partition: p, length: 3 }).includes(node.id));
    t.deepEqual(replicatedPartitions(ring, node.id, 3), expected);
    t.true(expected.length >= 3 * 8 - 3); // each node owns 8, and replicates them plus 2 predecessors each
  }
});

// ---- Figure 8 ---------------------------------------------------------------------------------------

test('metadataBytes: 20 bytes a token under strategies 1 and 2, one small entry a partition under 3', (t) => {
  const thirty = nodes(30);
  const s1 = createRing({ strategy: 1, nodes: thirty, tokensPerNode: 64, rng: rng(1) });
  const s2 = createRing({ strategy: 2, nodes: thirty, tokensPerNode: 64, partitions: 1024, rng: rng(1) });
  const s3 = createRing({ strategy: 3, nodes: thirty, partitions: 1024, rng: rng(1) });
  t.is(metadataBytes(s1), 30 * 64 * 20);
  t.is(metadataBytes(s2), 30 * 64 * 20);
  t.is(metadataBytes(s3), 1024);
  t.is(metadataBytes(addNode(s3, { id: 300 }, rng(2))), 2048); // ids above 255 need two bytes
  t.is(metadataBytes(s1) / metadataBytes(s3), 37.5);
});

test('balanceEfficiency is mean load over the hottest load', (t) => {
  t.is(balanceEfficiency([5, 5, 5]), 1);
  t.is(balanceEfficiency([1, 2, 3]), 2 / 3);
  t.is(balanceEfficiency([0, 0]), 1);
  t.throws(() => balanceEfficiency([]), { instanceOf: InvalidOptionError });
  t.throws(() => balanceEfficiency([1, -1]), { instanceOf: InvalidOptionError });
});

test('loadShares add up to min(N, S) copies of the key space', (t) => {
  fc.assert(
    fc.property(ringShape, fc.integer({ min: 1, max: 5 }), (shape, n) => {
      const ring = ringOf(shape);
      const shares = loadShares(ring, n);
      const total = [...shares.values()].reduce((a, b) => a + b, 0);
      return [...shares.keys()].join() === ring.nodes.map((x) => x.id).join()
        && Math.abs(total - Math.min(n, ring.walkNodes)) < 1e-9;
    }),
  );
  t.pass();
});

test('loadShares under strategy 1 with N = 1 is the length of the token ranges a node owns', (t) => {
  const ring = createRing({ strategy: 1, nodes: nodes(3), tokensPerNode: 4, rng: rng(12) });
  const expected = new Map<number, number>([[0, 0], [1, 0], [2, 0]]);
  ring.tokens.forEach((token, i) => {
    const previous = ring.tokens[(i + ring.tokens.length - 1) % ring.tokens.length]!;
    const owner = ring.tokenOwners[i]!;
    expected.set(owner, expected.get(owner)! + ((token - previous + RING_SIZE) % RING_SIZE) / RING_SIZE);
  });
  const shares = loadShares(ring, 1);
  for (const [id, share] of expected) t.true(Math.abs(shares.get(id)! - share) < 1e-12, `node ${id}: ${shares.get(id)} vs ${share}`);
});

test('Figure 8 sanity at S = 30, N = 3: strategy 3 balances better than strategy 1 with T = 64', (t) => {
  for (const seed of [1, 2, 3]) {
    const efficiency = (ring: Ring): number => balanceEfficiency([...loadShares(ring, 3).values()]);
    const s1 = efficiency(createRing({ strategy: 1, nodes: nodes(30), tokensPerNode: 64, rng: rng(seed) }));
    const s3 = efficiency(createRing({ strategy: 3, nodes: nodes(30), partitions: 1024, rng: rng(seed) }));
    t.log(`seed ${seed}: strategy 1 (T = 64) ${s1.toFixed(4)}, strategy 3 (Q = 1024) ${s3.toFixed(4)}`);
    t.true(s3 >= 0.9);
    t.true(s3 > s1);
  }
});
