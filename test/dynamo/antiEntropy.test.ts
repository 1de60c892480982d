/**
 * Anti-entropy with Merkle trees (DYNAMO.md §8): replicas converge after a
 * partition that hinted handoff cannot cover, the bytes exchanged follow the
 * divergence and not the data size, and trees are rebuilt (and charged) when
 * ranges change.
 *
 * Read repair is switched off in every cluster here, and the post-heal phases
 * issue no reads: whatever converges was repaired by anti-entropy (or the few
 * hints the bounded hint stores could hold).
 */
import test from 'ava';
import { RandomStream, parseSeed } from '../../sim/random.js';
import { AntiEntropy, ANTI_ENTROPY, antiEntropyComponent, divergentPartitions, hostedPartitions, rootsOf } from '../../src/dynamo/antiEntropy.js';
import type { DynamoNode } from '../../src/dynamo/node.js';
import { addNode, partitionOf, partitionRange } from '../../src/dynamo/ring.js';
import { descends, fromEntries, type VClock } from '../../src/dynamo/vclock.js';
import { versionSetHash, type Siblings, type Version } from '../../src/dynamo/version.js';
import { inTopN, makeView, preflistFor, type MembershipView } from '../../src/dynamo/view.js';
import { buildCluster, type Cluster } from '../../src/experiment/cluster.js';
import { History } from './harness.js';

function ae(cluster: Cluster, i: number): AntiEntropy {
  return cluster.node(i)!.component<AntiEntropy>(ANTI_ENTROPY)!;
}

function nodesOf(cluster: Cluster): Array<DynamoNode | null> {
  return cluster.nodeHosts.map((_h, i) => cluster.node(i));
}

function sum(cluster: Cluster, stat: (a: AntiEntropy) => number): number {
  return cluster.nodeHosts.reduce((n, _h, i) => n + stat(ae(cluster, i)), 0);
}

/** Canonical text of a sibling set: value ids with their clocks' counters. */
function describe(siblings: Siblings | undefined): string {
  if (siblings === undefined) return '-';
  return siblings.map((v) => `${v.value.id}[${v.clock.map((e) => `${e.node}:${e.counter}`).join(',')}]`).join(' ');
}

/** Keys whose top-N replicas (under `view`) do not hold identical sibling sets, checked from the stores. */
function unconverged(cluster: Cluster, keys: readonly string[], view: MembershipView = cluster.view): string[] {
  const n = cluster.config.n;
  const out: string[] = [];
  for (const key of keys) {
    const replicas = Array.from(preflistFor(view, cluster.hasher, key).subarray(0, n));
    const states = replicas.map((r) => describe(cluster.node(r)!.store.peek(key)));
    if (states.some((s) => s !== states[0])) out.push(`${key}: ${replicas.map((r, i) => `n${r}=${states[i]}`).join(' | ')}`);
  }
  return out;
}

/** Acknowledged puts some top-N replica holds no version of (nor a descendant). */
function lostWrites(cluster: Cluster, h: History): string[] {
  const n = cluster.config.n;
  const out: string[] = [];
  for (const op of h.ops) {
    if (op.kind !== 'put' || !op.ok) continue;
    const clock = op.clocks[0]!;
    for (const r of preflistFor(cluster.view, cluster.hasher, op.key).subarray(0, n)) {
      const held = cluster.node(r)!.store.peek(op.key) ?? [];
      if (!held.some((v) => descends(v.clock, clock))) out.push(`${op.key} value ${op.valueIds[0]} missing on n${r}`);
    }
  }
  return out;
}

// ---- convergence after a partition ----------------------------------------------------------

const PARTITION_AT_US = 2_000_000;
const HEAL_AT_US = PARTITION_AT_US + 60_000_000;

/**
 * Ten nodes split 5/5 for 60 s with a client on each side writing, hint
 * stores of 10 hints per node, then healed. Same seed and schedule with
 * anti-entropy on or off (installed but disabled).
 */
function partitionedCluster(antiEntropy: boolean) {
  const cluster = buildCluster({
    seed: 41,
    nodes: 10,
    config: {
      n: 3,
      r: 2,
      w: 2,
      sloppyQuorum: true,
      hints: { maxHints: 10, scanIntervalUs: 2_000_000 },
      readRepair: { enabled: false },
      antiEntropy: { enabled: antiEntropy, intervalUs: 200_000 },
    },
    partitioning: { strategy: 3, partitions: 64 },
    clients: [{ name: 'west', mode: 'client' }, { name: 'east', mode: 'client' }],
    components: [antiEntropyComponent()],
  });
  const h = new History(cluster);
  const keys = Array.from({ length: 200 }, (_, i) => `key${i}`);
  // Every key written once while the cluster is whole.
  keys.forEach((key, i) => h.at(10_000 + i * 5_000, () => h.put(i % 2, key, [], -1)));
  const west = [0, 1, 2, 3, 4, cluster.clientHosts[0]!.id];
  const east = [5, 6, 7, 8, 9, cluster.clientHosts[1]!.id];
  h.at(PARTITION_AT_US, () => cluster.world.faults.partition([west, east]));
  // Both sides keep writing (blind writes: siblings across the sides).
  for (let i = 0; i < 2_000; i++) {
    const at = PARTITION_AT_US + 100_000 + i * 29_000;
    h.at(at, () => h.put(0, keys[(i * 7) % keys.length]!, [], -1));
    h.at(at + 13_000, () => h.put(1, keys[(i * 11 + 3) % keys.length]!, [], -1));
  }
  h.at(HEAL_AT_US, () => cluster.world.faults.heal());
  return { cluster, h, keys };
}

test('after a 5/5 partition that hints cannot cover, anti-entropy makes every replica set converge without losing an acknowledged write; without it the divergence stays', (t) => {
  const on = partitionedCluster(true);
  const off = partitionedCluster(false);
  for (const run of [on, off]) run.h.run(HEAL_AT_US);
  const acked = on.h.ops.filter((o) => o.kind === 'put' && o.ok && o.startUs > PARTITION_AT_US).length;
  t.true(acked > 1_000, `writes acknowledged during the partition: ${acked}`);
  t.true(on.cluster.nodeHosts.some((_h, i) => on.cluster.node(i)!.hints.stats.refused > 0), 'the hint stores overflowed');
  const atHeal = unconverged(on.cluster, on.keys).length;
  t.true(atHeal > 50, `keys divergent at the heal: ${atHeal}`);

  // Converge: check every simulated second after the heal. The few hints the stores held count
  // too (replicas that agree before a hint lands would disagree again once it does).
  const hintsLeft = () => on.cluster.nodeHosts.reduce((n, _h, i) => n + on.cluster.node(i)!.hints.size, 0);
  let convergedAtUs = -1;
  for (let s = 1; s <= 30 && convergedAtUs < 0; s++) {
    on.h.run(HEAL_AT_US + s * 1_000_000);
    if (unconverged(on.cluster, on.keys).length === 0 && hintsLeft() === 0) convergedAtUs = s * 1_000_000;
  }
  t.log(`anti-entropy on: ${atHeal} keys divergent at the heal, converged ${convergedAtUs / 1e6} s after it`);
  t.true(convergedAtUs > 0, `still divergent: ${unconverged(on.cluster, on.keys).slice(0, 5).join('\n')}`);
  t.deepEqual(lostWrites(on.cluster, on.h), []);
  t.deepEqual(divergentPartitions({ nodes: nodesOf(on.cluster), view: on.cluster.view, n: 3 }), [], 'every replica set has equal Merkle roots');
  // The incremental trees agree with trees built from the stores.
  for (let i = 0; i < 10; i++) t.deepEqual(ae(on.cluster, i).roots(), rootsOf(on.cluster.node(i)!, { view: on.cluster.view }));
  on.h.run(HEAL_AT_US + 35_000_000);
  t.deepEqual(on.cluster.nodeHosts.flatMap((_h, i) => on.cluster.node(i)!.pending()), [], 'nothing left pending');
  t.true(sum(on.cluster, (a) => a.stats.keysRepairedAsInitiator) > 0 && sum(on.cluster, (a) => a.stats.keysRepairedAsResponder) > 0, 'keys repaired in both directions');
  t.true(sum(on.cluster, (a) => a.stats.exchangesAbandoned) > 0, 'exchanges across the partition were abandoned');
  t.is(sum(on.cluster, (a) => a.activeExchanges), 0, 'no exchange left running');
  const s = (stat: keyof AntiEntropy['stats']) => sum(on.cluster, (a) => a.stats[stat]);
  t.log(`exchanges started ${s('exchangesStarted')}, completed ${s('exchangesCompleted')} (in sync ${s('exchangesInSync')}), abandoned ${s('exchangesAbandoned')}, declined ${s('exchangesDeclined')}; keys repaired ${s('keysRepairedAsInitiator')} pulled + ${s('keysRepairedAsResponder')} pushed; ${s('bytesSent')} bytes in ${s('messagesSent')} messages`);

  off.h.run(HEAL_AT_US + 35_000_000);
  const stuck = unconverged(off.cluster, off.keys).length;
  t.log(`anti-entropy off: ${stuck} keys still divergent 35 s after the heal`);
  t.true(stuck > 50, `without anti-entropy the divergence persists: ${stuck} keys`);
  t.true(divergentPartitions({ nodes: nodesOf(off.cluster), view: off.cluster.view, n: 3 }).length > 0, 'the root comparison sees it too');
  t.true(lostWrites(off.cluster, off.h).length > 0, 'acknowledged writes are missing from some of their replicas');
  t.is(sum(off.cluster, (a) => a.stats.messagesSent + a.stats.treesBuilt), 0, 'a disabled component does nothing');
  t.deepEqual(off.cluster.nodeHosts.flatMap((_h, i) => off.cluster.node(i)!.pending()), []);
});

// ---- bytes follow the divergence --------------------------------------------------------------

/**
 * Three replicas (N = 3) preloaded with `totalKeys` identical keys; node 2 is
 * cut off while `divergent` of them are updated, then the partition heals.
 * Returns the anti-entropy bytes sent in the 3 s after the heal.
 */
function bytesAfterPartition(totalKeys: number, divergent: number): { bytes: number; messages: number; repaired: number; digest: string } {
  const cluster = buildCluster({
    seed: 43,
    nodes: 3,
    config: { n: 3, r: 2, w: 2, storage: { engine: 'memory' }, readRepair: { enabled: false }, antiEntropy: { intervalUs: 100_000 } },
    partitioning: { strategy: 3, partitions: 8 },
    clients: [{ name: 'c', mode: 'client' }],
    components: [antiEntropyComponent()],
  });
  const h = new History(cluster);
  const base: Version[] = [];
  for (let i = 0; i < totalKeys; i++) {
    const version: Version = { clock: fromEntries([{ node: 99, counter: i + 1, timestampUs: 0 }]), value: { id: 1_000_000 + i, sizeBytes: 1_000, writtenAtUs: 0, items: null } };
    base.push(version);
    for (let n = 0; n < 3; n++) cluster.node(n)!.store.write(`base${i}`, [version], false, () => {});
  }
  h.run(500_000);
  t0Check(cluster);
  h.at(1_000_000, () => cluster.world.faults.partition([[0, 1, cluster.clientHosts[0]!.id], [2]]));
  const step = divergent === 0 ? 0 : Math.floor(totalKeys / divergent);
  for (let d = 0; d < divergent; d++) {
    const i = d * step;
    h.at(1_100_000 + d * 2_000, () => h.put(0, `base${i}`, base[i]!.clock as VClock, 0));
  }
  const healAt = 1_200_000 + divergent * 2_000 + 500_000;
  h.at(healAt, () => cluster.world.faults.heal());
  h.run(healAt);
  const acked = h.ops.filter((o) => o.ok).length;
  if (acked !== divergent) throw new Error(`expected ${divergent} acknowledged updates, got ${acked}`);
  const before = sum(cluster, (a) => a.stats.bytesSent);
  const messagesBefore = sum(cluster, (a) => a.stats.messagesSent);
  h.run(healAt + 3_000_000);
  const left = divergentPartitions({ nodes: nodesOf(cluster), view: cluster.view, n: 3 });
  if (left.length > 0) throw new Error(`not converged: ${JSON.stringify(left)}`);
  return {
    bytes: sum(cluster, (a) => a.stats.bytesSent) - before,
    messages: sum(cluster, (a) => a.stats.messagesSent) - messagesBefore,
    repaired: sum(cluster, (a) => a.stats.keysRepairedAsInitiator + a.stats.keysRepairedAsResponder),
    digest: cluster.world.digest(),
  };
}

test('same seed, same run: the exchanges are deterministic', (t) => {
  const a = bytesAfterPartition(1_000, 20);
  const b = bytesAfterPartition(1_000, 20);
  t.deepEqual(a, b);
});

/** The preload left the three replicas identical. */
function t0Check(cluster: Cluster): void {
  const left = divergentPartitions({ nodes: nodesOf(cluster), view: cluster.view, n: 3 });
  if (left.length > 0) throw new Error('preloaded replicas differ');
}

/**
 * Every exchange starts with the roots of all ranges the two nodes share (a
 * header plus 8 bytes per range), whether they differ or not: a background
 * cost that grows with the shared ranges and the exchange rate, not with the
 * keys. The runs without divergence measure it; what the divergence adds
 * comes on top.
 */
test('anti-entropy bytes grow with the divergent keys, not with the total number of keys', (t) => {
  const idleSmall = bytesAfterPartition(1_000, 0);
  const idleLarge = bytesAfterPartition(20_000, 0);
  const small = bytesAfterPartition(1_000, 20);
  const large = bytesAfterPartition(20_000, 20);
  const wide = bytesAfterPartition(1_000, 400);
  t.log(`in sync: ${idleSmall.bytes} bytes with 1,000 keys, ${idleLarge.bytes} with 20,000 (root messages only)`);
  t.log(`20 divergent of 1,000 keys: ${small.bytes} bytes; 20 of 20,000: ${large.bytes} bytes; 400 of 1,000: ${wide.bytes} bytes`);
  t.is(idleSmall.repaired + idleLarge.repaired, 0);
  t.is(idleLarge.bytes, idleSmall.bytes, 'in sync, the root messages do not depend on the number of keys');
  // 3 nodes share all 8 partitions: every roots request and reply is a 64-byte header plus 8 × 8 bytes.
  t.true(idleSmall.messages > 0);
  t.is(idleSmall.bytes, idleSmall.messages * (64 + 8 * 8), 'in sync, only root messages: header + 8 bytes per shared range');
  t.true(idleSmall.bytes < small.bytes);
  t.true(small.repaired >= 20 && large.repaired >= 20 && wide.repaired >= 400, `repaired ${small.repaired}, ${large.repaired}, ${wide.repaired}`);
  const extra = (r: { bytes: number }, idle: { bytes: number }) => r.bytes - idle.bytes;
  t.log(`bytes for the divergence: ${extra(small, idleSmall)}, ${extra(large, idleLarge)}, ${extra(wide, idleSmall)}`);
  t.true(large.bytes < 3 * small.bytes, '20x the keys, same divergence: bytes within a small factor');
  t.true(extra(large, idleLarge) < 3 * extra(small, idleSmall), 'also for the bytes the divergence adds');
  t.true(wide.bytes > 8 * small.bytes, '20x the divergence: bytes grow clearly');
  t.true(extra(wide, idleSmall) > 10 * extra(small, idleSmall), 'and what the divergence adds grows about in proportion');
});

// ---- rebuilds when ranges change -------------------------------------------------------------

/**
 * Strategy 1 (token ranges): node 0 adopts a view in which a new node took
 * tokens, so some of its token ranges are split or change hands. Returns
 * what node 0's component reports for the rebuild and what the test
 * computes independently from the rings and the store.
 */
function rebuildAfterJoin(keyCount: number) {
  const cluster = buildCluster({
    seed: 45,
    nodes: 6,
    config: { n: 3, storage: { engine: 'memory' }, readRepair: { enabled: false }, antiEntropy: { intervalUs: 3_600_000_000, rebuildBytesPerSec: 1_000_000 } },
    partitioning: { strategy: 1, tokensPerNode: 8 },
    clients: [{ name: 'c', mode: 'client' }],
    components: [antiEntropyComponent()],
  });
  const h = new History(cluster);
  const node = cluster.node(0)!;
  const oldView = cluster.view;
  // Each replica gets the keys it replicates, straight into its store.
  for (let i = 0; i < keyCount; i++) {
    const key = `k${i}`;
    const version: Version = { clock: fromEntries([{ node: 99, counter: 1, timestampUs: 0 }]), value: { id: i + 1, sizeBytes: 500, writtenAtUs: 0, items: null } };
    for (const r of preflistFor(oldView, cluster.hasher, key).subarray(0, 3)) cluster.node(r)!.store.write(key, [version], false, () => {});
  }
  h.run(1_000_000);
  const a = ae(cluster, 0);
  const before = { ...a.stats };
  const ring = addNode(oldView.ring, { id: 50 }, new RandomStream(parseSeed(7), 'join'));
  const newView = makeView(ring, 2, { preflistLength: cluster.config.preflistLength, dcAware: false });
  // Independently: node 0's ranges before and after, by their bounds.
  const bounds = (view: MembershipView) => new Set(hostedPartitions(view, 0, 3).map((p) => JSON.stringify(partitionRange(view.ring, p))));
  const oldRanges = bounds(oldView);
  const newRanges = bounds(newView);
  const added = [...newRanges].filter((r) => !oldRanges.has(r));
  const dropped = [...oldRanges].filter((r) => !newRanges.has(r));
  const addedSet = new Set(added);
  let keysInAdded = 0;
  for (const [key] of node.store.entries()) {
    const p = partitionOf(ring, cluster.hasher.position(key));
    if (addedSet.has(JSON.stringify(partitionRange(ring, p)))) keysInAdded++;
  }
  const atUs = h.now;
  node.setView(newView);
  const rebuilding = node.pending().filter((s) => s.includes('rebuilding')).length;
  const after = { ...a.stats };
  // Rebuilds run one after another from now: all done after the summed delays.
  h.run(atUs + (after.rebuildUs - before.rebuildUs) + 1_000);
  return {
    built: after.treesBuilt - before.treesBuilt,
    droppedTrees: after.treesDropped - before.treesDropped,
    keysHashed: after.keysHashed - before.keysHashed,
    bytesHashed: after.bytesHashed - before.bytesHashed,
    rebuildUs: after.rebuildUs - before.rebuildUs,
    added: added.length,
    dropped: dropped.length,
    keysInAdded,
    rebuilding,
    pendingAfter: node.pending(),
    ready: hostedPartitions(newView, 0, 3).every((p) => a.isReady(p)),
    rootsMatch: JSON.stringify([...a.roots()]) === JSON.stringify([...rootsOf(node, { view: newView, hasher: cluster.hasher })]),
    hosted: hostedPartitions(newView, 0, 3).length,
  };
}

test('trees are rebuilt when ranges change, and the rebuild is charged in proportion to the keys of the new ranges', (t) => {
  const small = rebuildAfterJoin(1_000);
  const large = rebuildAfterJoin(4_000);
  t.log(`1,000 keys: ${small.built} trees rebuilt of ${small.hosted}, ${small.keysHashed} keys, ${small.bytesHashed} bytes hashed, ${small.rebuildUs} µs; 4,000 keys: ${large.keysHashed} keys, ${large.bytesHashed} bytes, ${large.rebuildUs} µs`);
  for (const r of [small, large]) {
    t.true(r.added > 0 && r.added < r.hosted, `some but not all ranges are new: ${r.added} of ${r.hosted}`);
    t.is(r.built, r.added, 'one tree built per new range, the others kept');
    t.is(r.droppedTrees, r.dropped, 'one tree dropped per range no longer hosted');
    t.is(r.keysHashed, r.keysInAdded, 'the rebuild hashed exactly the stored keys of the new ranges');
    t.true(r.bytesHashed > 20 * r.keysHashed, 'each key costs its bytes');
    t.true(Math.abs(r.rebuildUs - (r.bytesHashed * 1e6) / 1_000_000) <= r.built, 'the rebuild takes bytes / rebuildBytesPerSec');
    t.true(r.rebuilding > 0 && r.rebuilding <= r.added, `new trees are unusable while they are built (${r.rebuilding} of ${r.added})`);
    t.deepEqual(r.pendingAfter, [], 'and usable once built');
    t.true(r.ready);
    t.true(r.rootsMatch, 'kept and rebuilt trees match the store');
  }
  const keyRatio = large.keysHashed / small.keysHashed;
  t.true(keyRatio > 3 && keyRatio < 5.5, `4x the keys stored, ${keyRatio.toFixed(2)}x the keys of the new ranges`);
  const perKey = (r: typeof small) => r.bytesHashed / r.keysHashed;
  t.true(Math.abs(perKey(large) / perKey(small) - 1) < 0.15, `bytes hashed per key: ${perKey(small).toFixed(1)} and ${perKey(large).toFixed(1)}`);
});

test('rootsOf compares replicas with or without the component installed', (t) => {
  const run = (components: boolean) => {
    const cluster = buildCluster({
      seed: 47,
      nodes: 5,
      config: { n: 3, readRepair: { enabled: false }, antiEntropy: { intervalUs: 500_000 } },
      partitioning: { strategy: 3, partitions: 16 },
      clients: [{ name: 'c', mode: 'client' }],
      components: components ? [antiEntropyComponent()] : [],
    });
    const h = new History(cluster);
    for (let i = 0; i < 100; i++) h.at(10_000 + i * 10_000, () => h.put(0, `key${i}`, [], -1));
    h.run(5_000_000);
    t.is(h.ops.filter((o) => o.ok).length, 100);
    t.deepEqual(divergentPartitions({ nodes: nodesOf(cluster), view: cluster.view, n: 3 }), []);
    return nodesOf(cluster).map((node) => [...rootsOf(node!)]);
  };
  const installed = run(true);
  const absent = run(false);
  t.deepEqual(installed, absent, 'the trees of the component equal trees computed from the store');
  t.true(installed.every((roots) => roots.length > 0 && roots.some(([, r]) => r !== 0)));
});

// ---- one exchange per pair of nodes covers every shared range ---------------------------------

const AE_INTERVAL_US = 15_000_000;

/**
 * Eight nodes, strategy 3 with Q = 1024 (each node hosts ~384 partitions),
 * N = 3. Node 5 is cut off while 2,000 keys are written; with no hint store
 * (maxHints 0) and read repair off, only anti-entropy can bring it the
 * ~750 writes it missed, spread over hundreds of its partitions.
 */
function manyPartitionsCluster() {
  const cluster = buildCluster({
    seed: 53,
    nodes: 8,
    config: {
      n: 3,
      r: 2,
      w: 2,
      storage: { engine: 'memory' },
      hints: { maxHints: 0 },
      readRepair: { enabled: false },
      antiEntropy: { intervalUs: AE_INTERVAL_US },
    },
    partitioning: { strategy: 3, partitions: 1024 },
    clients: [{ name: 'c', mode: 'client' }],
    components: [antiEntropyComponent()],
  });
  const h = new History(cluster);
  const victim = 5;
  const keys = Array.from({ length: 2_000 }, (_, i) => `spread${i}`);
  const cutAtUs = 1_000_000;
  h.at(cutAtUs, () => cluster.world.faults.partition([[0, 1, 2, 3, 4, 6, 7, cluster.clientHosts[0]!.id], [victim]]));
  keys.forEach((key, i) => h.at(cutAtUs + 1_000_000 + i * 2_000, () => h.put(0, key, [], -1)));
  const healAtUs = cutAtUs + 1_000_000 + keys.length * 2_000 + 2_000_000;
  h.at(healAtUs, () => cluster.world.faults.heal());
  return { cluster, h, keys, victim, healAtUs };
}

test('with Q = 1024 on 8 nodes, a node that missed writes in hundreds of partitions converges within a few intervals by anti-entropy alone', (t) => {
  const { cluster, h, keys, victim, healAtUs } = manyPartitionsCluster();
  h.run(healAtUs);
  // A few writes the client sent to the victim itself (before it noticed) fail or stay on the victim alone.
  const acked = new Set(h.ops.filter((o) => o.ok).map((o) => o.key));
  t.true(acked.size > 0.95 * keys.length, `writes acknowledged: ${acked.size}`);
  const missed = keys.filter((key) => acked.has(key) && inTopN(preflistFor(cluster.view, cluster.hasher, key), 3, victim));
  const missedPartitions = new Set(missed.map((key) => partitionOf(cluster.view.ring, cluster.hasher.position(key))));
  const hosted = hostedPartitions(cluster.view, victim, 3).length;
  t.true(hosted > 300, `the victim hosts ${hosted} partitions`);
  t.true(missedPartitions.size > 250, `the victim missed ${missed.length} writes in ${missedPartitions.size} partitions`);
  const divergent = unconverged(cluster, keys).length;
  t.true(divergent >= missed.length, `divergent keys at the heal: ${divergent}`);
  t.is(cluster.nodeHosts.reduce((n, _h, i) => n + cluster.node(i)!.hints.size, 0), 0, 'no hint holds any of them');

  const boundUs = 8 * AE_INTERVAL_US;
  let convergedAfterUs = -1;
  for (let s = 1; s * 1_000_000 <= boundUs && convergedAfterUs < 0; s++) {
    h.run(healAtUs + s * 1_000_000);
    const pending = cluster.nodeHosts.flatMap((_h, i) => cluster.node(i)!.pending());
    if (unconverged(cluster, keys).length === 0 && pending.length === 0) convergedAfterUs = s * 1_000_000;
  }
  const v = ae(cluster, victim);
  const s = (stat: keyof AntiEntropy['stats']) => sum(cluster, (a) => a.stats[stat]);
  t.log(
    `${divergent} divergent keys (${missed.length} acknowledged writes missed) in ${missedPartitions.size} of the victim's ${hosted} partitions; converged ${convergedAfterUs / 1e6} s (${(convergedAfterUs / AE_INTERVAL_US).toFixed(1)} intervals) after the heal; ` +
      `cluster: ${s('exchangesStarted')} exchanges, ${s('rangesCompared')} ranges compared, ${s('rangesDiffered')} differed, ${s('keysRepairedAsInitiator')} + ${s('keysRepairedAsResponder')} keys repaired, ${s('bytesSent')} bytes; ` +
      `victim: ${v.stats.exchangesStarted} exchanges started with ${v.exchangePeers().length} peers`,
  );
  t.true(convergedAfterUs > 0, `not converged ${boundUs / 1e6} s after the heal: ${unconverged(cluster, keys).slice(0, 3).join('\n')}`);
  // Round-robin, the victim alone reaches each of its peers within one tick per peer (plus its random
  // phase), and they come to it as well: (peers + 1) intervals at most, here measured about one.
  t.true(convergedAfterUs <= (v.exchangePeers().length + 1) * AE_INTERVAL_US, `converged after ${convergedAfterUs} µs`);
  t.true(convergedAfterUs <= 3 * AE_INTERVAL_US, `converged after ${convergedAfterUs} µs`);
  // The old one-range-per-tick protocol needed a tick per hosted partition (~384 intervals).
  t.true(v.stats.exchangesStarted <= 10, 'a handful of exchanges by the victim');
  t.deepEqual(lostWrites(cluster, h), []);
  t.true(s('keysRepairedAsInitiator') + s('keysRepairedAsResponder') >= divergent, 'every missed write was brought by anti-entropy');
  t.true(s('rangesDiffered') >= missedPartitions.size, 'each partition with a missed write was found differing');
});

// ---- restarts and clock jumps ------------------------------------------------------------------

const REBUILD_BYTES_PER_SEC = 200_000;

/**
 * Four nodes (strategy 3, Q = 16), 1,000 keys on their replicas. Node 1
 * crashes and restarts with its disk: its new component rebuilds every tree
 * from the surviving store. With `skewUs`, node 1's clock jumps by that much
 * halfway through the rebuild.
 */
function restartRebuild(skewUs: number) {
  const cluster = buildCluster({
    seed: 59,
    nodes: 4,
    config: { n: 3, storage: { engine: 'memory' }, readRepair: { enabled: false }, antiEntropy: { intervalUs: 3_600_000_000, rebuildBytesPerSec: REBUILD_BYTES_PER_SEC } },
    partitioning: { strategy: 3, partitions: 16 },
    clients: [{ name: 'c', mode: 'client' }],
    components: [antiEntropyComponent()],
  });
  const h = new History(cluster);
  for (let i = 0; i < 1_000; i++) {
    const key = `k${i}`;
    const version: Version = { clock: fromEntries([{ node: 99, counter: 1, timestampUs: 0 }]), value: { id: i + 1, sizeBytes: 500, writtenAtUs: 0, items: null } };
    for (const r of preflistFor(cluster.view, cluster.hasher, key).subarray(0, 3)) cluster.node(r)!.store.write(key, [version], false, () => {});
  }
  h.run(1_000_000);
  const victim = 1;
  const storedKeys = [...cluster.node(victim)!.store.entries()].length;
  const rootsBefore = ae(cluster, victim).roots();
  h.at(2_000_000, () => cluster.world.faults.crash(victim));
  h.at(3_000_000, () => cluster.world.faults.restart(victim));
  h.run(3_000_000);
  const node = cluster.node(victim)!;
  const a = ae(cluster, victim);
  const stats = { ...a.stats };
  const hosted = hostedPartitions(cluster.view, victim, 3);
  const rebuildingAtRestart = node.pending().filter((s) => s.includes('rebuilding')).length;
  const readyAtRestart = hosted.filter((p) => a.isReady(p)).length;
  if (skewUs !== 0) h.at(3_000_000 + Math.floor(stats.rebuildUs / 2), () => cluster.world.faults.skewClock(victim, skewUs));
  h.run(3_000_000 + stats.rebuildUs - 1_000);
  const readyBeforeEnd = hosted.filter((p) => a.isReady(p)).length;
  h.run(3_000_000 + stats.rebuildUs + 1_000);
  return {
    storedKeys,
    hosted: hosted.length,
    stats,
    rebuildingAtRestart,
    readyAtRestart,
    readyBeforeEnd,
    readyAfter: hosted.filter((p) => a.isReady(p)).length,
    pendingAfter: node.pending(),
    rootsKept: JSON.stringify([...a.roots()]) === JSON.stringify([...rootsBefore]),
    rootsMatchStore: JSON.stringify([...a.roots()]) === JSON.stringify([...rootsOf(node, { view: cluster.view, hasher: cluster.hasher })]),
  };
}

test('after a crash and restart, every tree is rebuilt from the surviving store and the rebuild is charged', (t) => {
  const r = restartRebuild(0);
  t.log(`restarted node: ${r.stats.treesBuilt} trees over ${r.stats.keysHashed} keys, ${r.stats.bytesHashed} bytes hashed in ${r.stats.rebuildUs} µs`);
  t.is(r.stats.treesBuilt, r.hosted, 'one tree per hosted partition');
  t.is(r.stats.keysHashed, r.storedKeys, 'every stored key hashed once');
  t.true(Math.abs(r.stats.rebuildUs - (r.stats.bytesHashed * 1e6) / REBUILD_BYTES_PER_SEC) <= r.stats.treesBuilt, 'the rebuild takes bytes / rebuildBytesPerSec');
  t.true(r.stats.rebuildUs > 100_000, 'a rebuild that takes a while');
  t.is(r.readyAtRestart, 0, 'no tree is usable right after the restart');
  t.is(r.rebuildingAtRestart, r.hosted, 'and each is reported pending');
  t.true(r.readyBeforeEnd < r.hosted, 'the last tree is not ready before the summed rebuild time');
  t.is(r.readyAfter, r.hosted, 'all are ready after it');
  t.deepEqual(r.pendingAfter, []);
  t.true(r.rootsKept && r.rootsMatchStore, 'the rebuilt trees equal the trees before the crash and the store');
});

test('a clock jumping back 10 minutes during a rebuild does not delay it: rebuilds are timed by relative timers', (t) => {
  const r = restartRebuild(-600_000_000);
  t.is(r.stats.treesBuilt, r.hosted);
  t.true(r.readyBeforeEnd < r.hosted);
  t.is(r.readyAfter, r.hosted, 'every tree ready after the rebuild time despite the jump');
  t.deepEqual(r.pendingAfter, []);
  t.true(r.rootsMatchStore);
});
