/**
 * The membership history (membership.ts): merge laws, the total order, and "same history ⇒ same
 * ring" for every partitioning strategy, cached or not.
 */
import test from 'ava';
import fc from 'fast-check';
import { InvalidOptionError } from '../../sim/errors.js';
import { RandomStream, parseSeed } from '../../sim/random.js';
import { withinQuota } from '../../src/dynamo/claim.js';
import {
  appendChange,
  bootstrapHistory,
  changesMissing,
  compareChanges,
  deriveRing,
  emptyHistory,
  historySizeBytes,
  makeHistory,
  membersOf,
  mergeHistories,
  replayMembership,
  ringParams,
  sameRing,
  type MembershipChange,
  type MembershipHistory,
  type RingParams,
} from '../../src/dynamo/membership.js';
import { createRing, type Ring, type Strategy } from '../../src/dynamo/ring.js';

const PARAMS: Record<Strategy, RingParams> = {
  1: ringParams({ strategy: 1, tokensPerNode: 8, targetN: 3, seed: 101 }),
  2: ringParams({ strategy: 2, tokensPerNode: 8, partitions: 64, targetN: 3, seed: 102 }),
  3: ringParams({ strategy: 3, partitions: 64, targetN: 3, seed: 103 }),
};

/** Changes over a small domain, so histories overlap and collide often. */
const change: fc.Arbitrary<MembershipChange> = fc.record({
  seq: fc.integer({ min: 1, max: 4 }),
  node: fc.integer({ min: 0, max: 7 }),
  kind: fc.constantFrom('join' as const, 'leave' as const, 'remove' as const),
  weight: fc.constantFrom(1, 2),
  dc: fc.integer({ min: 0, max: 1 }),
  atUs: fc.integer({ min: 0, max: 30 }),
  issuer: fc.integer({ min: 0, max: 3 }),
});

const history = (params: RingParams) => fc.array(change, { maxLength: 12 }).map((cs) => makeHistory(params, cs));

function plain(h: MembershipHistory): { digest: string; changes: MembershipChange[] } {
  return { digest: h.digest, changes: [...h.changes] };
}

/** The ring as plain data, for deep equality. */
function ringData(ring: Ring | null): unknown {
  if (ring === null) return null;
  return {
    nodes: ring.nodes.map((n) => ({ ...n })),
    tokens: Array.from(ring.tokens),
    tokenOwners: Array.from(ring.tokenOwners),
    owners: Array.from(ring.owners),
    partitions: ring.partitions,
  };
}

test('merge is commutative, associative and idempotent', (t) => {
  fc.assert(
    fc.property(history(PARAMS[3]), history(PARAMS[3]), history(PARAMS[3]), (a, b, c) => {
      t.deepEqual(plain(mergeHistories(a, b)), plain(mergeHistories(b, a)));
      t.deepEqual(plain(mergeHistories(mergeHistories(a, b), c)), plain(mergeHistories(a, mergeHistories(b, c))));
      t.deepEqual(plain(mergeHistories(a, a)), plain(a));
      t.deepEqual(plain(mergeHistories(a, mergeHistories(a, b))), plain(mergeHistories(a, b)));
    }),
    { numRuns: 300 },
  );
});

test('a merge holds exactly the union of the changes, sorted by (atUs, issuer, seq); the digest names the set', (t) => {
  fc.assert(
    fc.property(fc.array(change, { maxLength: 15 }), fc.array(change, { maxLength: 15 }), (xs, ys) => {
      const merged = mergeHistories(makeHistory(PARAMS[1], xs), makeHistory(PARAMS[1], ys));
      const key = (c: MembershipChange) => JSON.stringify([c.atUs, c.issuer, c.seq, c.node, c.kind, c.weight, c.dc]);
      t.deepEqual(merged.changes.map(key).sort(), [...new Set([...xs, ...ys].map(key))].sort());
      for (let i = 1; i < merged.changes.length; i++) {
        const p = merged.changes[i - 1]!;
        const c = merged.changes[i]!;
        t.true(compareChanges(p, c) < 0);
        t.true(p.atUs < c.atUs || (p.atUs === c.atUs && (p.issuer < c.issuer || (p.issuer === c.issuer && p.seq <= c.seq))));
      }
      // Input order does not matter; the digest is the set's.
      t.is(makeHistory(PARAMS[1], [...ys, ...xs].reverse()).digest, merged.digest);
      // What a push-pull sends back is exactly what the other side lacks.
      const a = makeHistory(PARAMS[1], xs);
      const b = makeHistory(PARAMS[1], ys);
      t.is(mergeHistories(b, makeHistory(PARAMS[1], changesMissing(a, b))).digest, merged.digest);
    }),
    { numRuns: 200 },
  );
});

test('histories of different clusters do not merge', (t) => {
  const a = emptyHistory(PARAMS[3]);
  const b = emptyHistory(ringParams({ strategy: 3, partitions: 64, targetN: 3, seed: 999 }));
  t.throws(() => mergeHistories(a, b), { instanceOf: InvalidOptionError });
  t.throws(() => makeHistory(PARAMS[3], [{ seq: 0, node: 1, kind: 'join', weight: 1, dc: 0, atUs: 0, issuer: 0 }]), { instanceOf: InvalidOptionError, message: /seq/ });
});

/** A plausible admin sequence: joins, leaves and removals of nodes 0..9, on issuers 0..3. */
const commands = fc.array(
  fc.record({ node: fc.integer({ min: 0, max: 9 }), kind: fc.constantFrom('join' as const, 'join' as const, 'leave' as const, 'remove' as const), issuer: fc.integer({ min: 0, max: 3 }), weight: fc.constantFrom(1, 1, 2) }),
  { minLength: 1, maxLength: 14 },
).map((cmds) => cmds.map((c, i): MembershipChange => ({ seq: i + 1, node: c.node, kind: c.kind, weight: c.weight, dc: 0, atUs: 10 + i * 5, issuer: c.issuer })));

for (const strategy of [1, 2, 3] as const) {
  test(`strategy ${strategy}: same history ⇒ same ring, whatever the order it was assembled in, cached or not`, (t) => {
    fc.assert(
      fc.property(commands, fc.nat({ max: 3 }), fc.integer(), (changes, founders, shuffleSeed) => {
        const params = PARAMS[strategy];
        const base = bootstrapHistory(params, Array.from({ length: founders + 1 }, (_, id) => ({ id: 20 + id })));
        // Two nodes learn the same changes in different orders and batches.
        const order = new RandomStream(parseSeed(Math.abs(shuffleSeed)), 'order').shuffle([...changes]);
        let h1 = base;
        for (const c of changes) h1 = appendChange(h1, c);
        let h2 = base;
        for (let i = 0; i < order.length; i += 2) h2 = mergeHistories(h2, makeHistory(params, order.slice(i, i + 2)));
        t.is(h1.digest, h2.digest);
        const r1 = replayMembership(h1).ring;
        const r2 = replayMembership(h2).ring;
        t.deepEqual(ringData(r1), ringData(r2));
        // The cached, incremental derivation (every prefix derived first, and smaller founding sets,
        // whose digests are prefixes of the founding run) agrees with a cold replay.
        for (let k = 1; k <= founders; k++) deriveRing(bootstrapHistory(params, Array.from({ length: k }, (_, id) => ({ id: 20 + id }))));
        let prefix = base;
        for (const c of changes) {
          prefix = appendChange(prefix, c);
          deriveRing(prefix);
        }
        const cached = deriveRing(h2);
        t.true(cached !== null && r1 !== null && sameRing(cached, r1));
        t.deepEqual(ringData(cached), ringData(r1));
        if (strategy === 3 && r1 !== null) t.true(withinQuota(r1.owners, r1.nodes), 'strategy 3 keeps every node at floor or ceil of Q/S');
      }),
      { numRuns: strategy === 3 ? 60 : 100 },
    );
  });
}

test('different histories give different token placements (the derivation draws from the history, not a fixed stream)', (t) => {
  const params = PARAMS[1];
  const base = bootstrapHistory(params, [{ id: 0 }, { id: 1 }, { id: 2 }]);
  const a = appendChange(base, { seq: 1, node: 5, kind: 'join', weight: 1, dc: 0, atUs: 10, issuer: 1 });
  const b = appendChange(base, { seq: 1, node: 5, kind: 'join', weight: 1, dc: 0, atUs: 11, issuer: 1 });
  const ra = deriveRing(a)!;
  const rb = deriveRing(b)!;
  t.deepEqual(ra.nodes.map((n) => n.id), rb.nodes.map((n) => n.id));
  t.false(sameRing(ra, rb), 'the joiner drew different tokens');
  t.true(sameRing(deriveRing(base)!, replayMembership(base).ring!));
});

test('the founding history derives the cluster builder\'s ring (createRing with the seed\'s stream "ring")', (t) => {
  for (const strategy of [1, 2, 3] as const) {
    const params = PARAMS[strategy];
    const nodes = [{ id: 0, weight: 1, dc: 0 }, { id: 1, weight: 2, dc: 1 }, { id: 2, weight: 1, dc: 0 }, { id: 3, weight: 1, dc: 1 }];
    const built = createRing({
      strategy,
      nodes,
      ...(strategy !== 3 ? { tokensPerNode: params.tokensPerNode } : {}),
      ...(strategy !== 1 ? { partitions: params.partitions } : {}),
      targetN: 3,
      rng: new RandomStream(params.seed, 'ring'),
    });
    const h = bootstrapHistory(params, [...nodes].reverse());
    t.true(sameRing(deriveRing(h)!, built), `strategy ${strategy}`);
    t.is(h.changes.length, 4);
    t.deepEqual(membersOf(h), [0, 1, 2, 3]);
  }
});

test('changes that cannot apply are ignored, the same way everywhere', (t) => {
  const params = PARAMS[3];
  let h = bootstrapHistory(params, [{ id: 0 }, { id: 1 }]);
  const c = (seq: number, node: number, kind: MembershipChange['kind'], atUs: number): MembershipChange => ({ seq, node, kind, weight: 1, dc: 0, atUs, issuer: 9 });
  h = appendChange(h, c(1, 1, 'join', 5)); // already a member
  h = appendChange(h, c(2, 7, 'leave', 6)); // not a member
  h = appendChange(h, c(3, 0, 'leave', 7));
  h = appendChange(h, c(4, 1, 'remove', 8)); // the last member
  h = appendChange(h, c(5, 0, 'join', 9)); // a rejoin after a leave
  const { ring, ignored } = replayMembership(h);
  t.deepEqual(ignored.map((x) => x.seq), [1, 2, 4]);
  t.deepEqual(ring!.nodes.map((n) => n.id), [0, 1]);
  t.true(withinQuota(ring!.owners, ring!.nodes));
  // A history that starts with a leave has no ring until a join.
  const odd = makeHistory(params, [c(1, 3, 'leave', 0)]);
  t.is(deriveRing(odd), null);
  t.is(deriveRing(emptyHistory(params)), null);
});

test('gossip message sizes: parameters plus 31 bytes a change', (t) => {
  const h = bootstrapHistory(PARAMS[3], Array.from({ length: 30 }, (_, id) => ({ id })));
  t.is(historySizeBytes(h), 53 + 31 * 30);
  t.is(historySizeBytes(emptyHistory(PARAMS[3])), 53);
});
