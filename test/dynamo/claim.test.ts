import test from 'ava';
import fc from 'fast-check';
import { claimJoin, claimLeave, initialClaim, ownerCounts, quotas, spreadViolations, withinQuota } from '../../src/dynamo/claim.js';
import { addNode, createRing, removeNode, type Ring } from '../../src/dynamo/ring.js';
import { nodes, rng } from './fixtures.js';

/** Every node at ⌊Q/S⌋ or ⌈Q/S⌉ (equal weights), checked from the counts alone. */
function evenlyBalanced(ring: Ring): boolean {
  const q = ring.partitions;
  const s = ring.nodes.length;
  const counts = ownerCounts(ring.owners, ring.nodes);
  return counts.reduce((a, b) => a + b, 0) === q && counts.every((c) => c === Math.floor(q / s) || c === Math.ceil(q / s));
}

interface Step {
  readonly join: boolean;
  readonly pick: number;
  readonly weight: number;
}

/**
 * Runs random joins and leaves on a strategy-3 ring and checks after each one that the change moved
 * only the changing node's partitions and that `balanced` holds. A leave of the last node and a join
 * beyond Q nodes are skipped.
 */
function churn(options: { seed: number; partitions: number; start: number; weights: readonly number[]; steps: readonly Step[]; balanced: (ring: Ring) => boolean }): boolean {
  const { seed, partitions, steps, balanced } = options;
  const weightOf = (id: number): number => options.weights[id % options.weights.length]!;
  let ring = createRing({ strategy: 3, nodes: nodes(options.start, (id) => ({ weight: weightOf(id) })), partitions, rng: rng(seed) });
  if (!balanced(ring)) return false;
  let nextId = options.start;
  const claims = rng(seed, 'claims');
  for (const step of steps) {
    const before = ring;
    if (step.join && ring.nodes.length < partitions) {
      const id = nextId++;
      ring = addNode(ring, { id, weight: weightOf(id) }, claims);
      if (!ring.owners.every((o, p) => o === before.owners[p] || o === id)) return false;
    } else if (ring.nodes.length > 1) {
      const id = ring.nodes[step.pick % ring.nodes.length]!.id;
      ring = removeNode(ring, id, claims);
      if (!ring.owners.every((o, p) => o === before.owners[p] || before.owners[p] === id)) return false;
      if (ring.owners.includes(id)) return false;
    }
    if (!balanced(ring)) return false;
  }
  return true;
}

const steps = fc.array(fc.record({ join: fc.boolean(), pick: fc.nat(), weight: fc.constant(1) }), { maxLength: 25 });

test('strategy 3: after any sequence of joins and leaves every node holds floor or ceil of Q/S, and only the changing node\'s partitions moved', (t) => {
  fc.assert(
    fc.property(fc.nat(), fc.constantFrom(16, 64, 100, 257), fc.integer({ min: 1, max: 12 }), steps, (seed, partitions, start, sequence) =>
      churn({ seed, partitions, start, weights: [1], steps: sequence, balanced: evenlyBalanced }),
    ),
  );
  t.pass();
});

test('strategy 3 with weights 1 and 2: the same moves, and every node at floor or ceil of its quota', (t) => {
  // With equal weights the bounds are a theorem (see claim.ts); with unequal weights they can be
  // unreachable (next test), so this run is pinned to a seed: it documents what sequences of this kind
  // do rather than promising it for every sequence.
  fc.assert(
    fc.property(fc.nat(), fc.constantFrom(16, 64, 257), fc.integer({ min: 1, max: 12 }), steps, (seed, partitions, start, sequence) =>
      churn({ seed, partitions, start, weights: [1, 2, 2, 1, 1], steps: sequence, balanced: (ring) => withinQuota(ring.owners, ring.nodes) }),
    ),
    { seed: 20071014, numRuns: 200 },
  );
  t.pass();
});

test('with unequal weights a join still moves only to the joiner when the quota bounds are unreachable', (t) => {
  // Counts (6, 6, 4, 4) against quotas (5.01, 5.01, 4.99, 4.99): each of the first two must give one
  // partition to fall to its ceiling of 5, but the joiner's quota is 0.04 (ceiling 1). Balinski and
  // Young's paradox: something has to give, and it is the joiner's bound, never the move rule.
  const owners = Int32Array.from([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 0, 1]);
  const old = [{ id: 0, weight: 5.01 }, { id: 1, weight: 5.01 }, { id: 2, weight: 4.99 }, { id: 3, weight: 4.99 }];
  t.deepEqual(ownerCounts(owners, old), [6, 6, 4, 4]);
  t.true(withinQuota(owners, old));
  const joined = [...old, { id: 4, weight: 0.0402 }];
  const after = claimJoin({ owners, nodes: joined, joining: 4, targetN: 3, rng: rng(1) });
  t.true(Array.from(after).every((o, p) => o === owners[p] || o === 4));
  t.deepEqual(ownerCounts(after, joined), [5, 5, 4, 4, 2]);
  t.deepEqual(quotas(joined, 20).map((q) => Math.ceil(q)), [5, 5, 5, 5, 1]);
  t.false(withinQuota(after, joined));
});

test('a 31st node joining 30 nodes at Q = 1024 takes floor or ceil of 1024/31, all from old nodes', (t) => {
  const ring = createRing({ strategy: 3, nodes: nodes(30), partitions: 1024, rng: rng(31) });
  t.true(evenlyBalanced(ring)); // 34 or 35 each
  const grown = addNode(ring, { id: 30 }, rng(31, 'join'));
  const taken = grown.owners.filter((o) => o === 30).length;
  t.true(taken === 33 || taken === 34, `took ${taken}`);
  t.true(evenlyBalanced(grown)); // 33 or 34 each
  const moved = Array.from(grown.owners).filter((o, p) => o !== ring.owners[p]);
  t.is(moved.length, taken);
  t.true(moved.every((o) => o === 30));
  t.is(spreadViolations(grown.owners, 3), 0);
});

test('a leave from 30 nodes at Q = 1024 spreads only the leaver\'s partitions, to floor or ceil of 1024/29', (t) => {
  const ring = createRing({ strategy: 3, nodes: nodes(30), partitions: 1024, rng: rng(29) });
  const shrunk = removeNode(ring, 17, rng(29, 'leave'));
  t.true(evenlyBalanced(shrunk)); // 35 or 36 each
  for (let p = 0; p < 1024; p++) {
    if (ring.owners[p] === 17) t.not(shrunk.owners[p], 17);
    else t.is(shrunk.owners[p], ring.owners[p]);
  }
});

test('the initial claim is balanced, spread, and determined by the rng', (t) => {
  const thirty = nodes(30).map((n) => ({ id: n.id, weight: 1 }));
  const a = initialClaim({ nodes: thirty, partitions: 1024, rng: rng(7) });
  t.deepEqual(a, initialClaim({ nodes: thirty, partitions: 1024, rng: rng(7) }));
  t.notDeepEqual(a, initialClaim({ nodes: thirty, partitions: 1024, rng: rng(8) }));
  t.true(withinQuota(a, thirty));
  t.is(spreadViolations(a, 3), 0);
  const weighted = thirty.map((n) => ({ id: n.id, weight: 1 + (n.id % 3) }));
  const b = initialClaim({ nodes: weighted, partitions: 1024, rng: rng(7) });
  t.true(withinQuota(b, weighted));
  t.is(spreadViolations(b, 3), 0);
});

test('joins and leaves keep a large ring spread (few partitions whose owner repeats within N)', (t) => {
  let ring = createRing({ strategy: 3, nodes: nodes(30), partitions: 1024, rng: rng(5) });
  const claims = rng(5, 'claims');
  for (let k = 0; k < 10; k++) {
    ring = k % 2 === 0 ? addNode(ring, { id: 100 + k }, claims) : removeNode(ring, k, claims);
    t.true(spreadViolations(ring.owners, 3) <= 8, `after ${k + 1} changes: ${spreadViolations(ring.owners, 3)}`);
  }
});

test('spreadViolations counts partitions whose owner reappears within the next N − 1', (t) => {
  t.is(spreadViolations([0, 1, 2, 0, 1, 2], 3), 0);
  t.is(spreadViolations([0, 1, 0, 1], 3), 4);
  t.is(spreadViolations([0, 0, 1, 2], 2), 1);
  t.is(spreadViolations([0, 1, 2, 3, 0], 2), 1); // wraps: partition 4 is next to partition 0
});

test('claimLeave hands partitions to nodes below their floor first', (t) => {
  // Node 2 leaves; nodes 0 and 1 hold 4 and 2 of 8: quota 4 each, so node 1 must get both.
  const owners = Int32Array.from([0, 0, 0, 0, 1, 1, 2, 2]);
  const after = claimLeave({ owners, nodes: [{ id: 0, weight: 1 }, { id: 1, weight: 1 }], leaving: 2, targetN: 2, rng: rng(1) });
  t.deepEqual(Array.from(after), [0, 0, 0, 0, 1, 1, 1, 1]);
});
