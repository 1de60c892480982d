/**
 * Range transfers on joins, leaves and removals (transfer.ts), end to end on a cluster: the newcomer
 * gets its share, every key stays readable and writable while data moves, transfers finish, the new
 * replicas hold every key and the old ones let go.
 */
import test, { type ExecutionContext } from 'ava';
import { buildCluster, membershipComponents, type Cluster, type ClusterOptions, type NodeSpec } from '../../src/experiment/cluster.js';
import { descends } from '../../src/dynamo/vclock.js';
import { inTopN, preflistFor } from '../../src/dynamo/view.js';
import type { Transfer } from '../../src/dynamo/transfer.js';
import type { Gossip } from '../../src/dynamo/gossip.js';
import { History, type OpRecord } from './harness.js';

/** Gets that miss a put acknowledged before they began (no returned version descends it). */
function staleReads(ops: readonly OpRecord[]): OpRecord[] {
  const puts = ops.filter((o) => o.kind === 'put' && o.ok);
  return ops.filter((g) => g.kind === 'get' && g.ok && puts.some((p) => p.key === g.key && p.endUs < g.startUs && !g.clocks.some((c) => descends(c, p.clocks[0]!))));
}

function specs(count: number, later: readonly number[] = []): NodeSpec[] {
  return Array.from({ length: count }, (_, i) => ({ name: `n${i}`, initial: !later.includes(i) }));
}

function transferOf(cluster: Cluster, i: number): Transfer {
  return cluster.node(i)!.component<Transfer>('transfer')!;
}

function gossipOf(cluster: Cluster, i: number): Gossip {
  return cluster.node(i)!.component<Gossip>('gossip')!;
}

const KEYS = Array.from({ length: 1_200 }, (_, i) => `key${i}`);
/**
 * The workload touches only these; the other half is cold, so only a transfer (not read repair) can
 * bring those keys to a new replica.
 */
const HOT = KEYS.slice(0, KEYS.length / 2);

/** Write every key once (client 0, client-driven), 1 ms apart from 10 ms on; returns when that ends. */
function preload(h: History): number {
  KEYS.forEach((key, i) => h.at(10_000 + i * 1_000, () => h.put(0, key, [], -1)));
  return 10_000 + KEYS.length * 1_000;
}

/** Reads and read-modify-writes on the hot keys, one every `everyUs`, alternating the two clients. */
function workload(h: History, fromUs: number, toUs: number, everyUs: number): void {
  for (let t = fromUs, i = 0; t < toUs; t += everyUs, i++) {
    const key = HOT[(i * 7_919) % HOT.length]!;
    const client = i % 2;
    h.at(t, () => (i % 3 === 0 ? h.readModifyWrite(client, key) : h.get(client, key)));
  }
}

/** Run until no node has pending work and every node holds the same history; returns the time or -1. */
function runUntilSettled(cluster: Cluster, boundUs: number): number {
  const sched = cluster.world.scheduler;
  const end = sched.nowUs + boundUs;
  for (;;) {
    const up = cluster.nodeHosts.map((_h, i) => cluster.node(i)).filter((n) => n !== null);
    const digests = new Set(up.map((n) => n.component<Gossip>('gossip')!.history.digest));
    if (digests.size === 1 && up.every((n) => n.pending().length === 0)) return sched.nowUs;
    if (sched.nowUs >= end) return -1;
    sched.runUntil(Math.min(end, sched.nowUs + 500_000));
  }
}

/**
 * Run until every node's history has the membership change (`agreed`) and no range transfer is in
 * progress anywhere (stray forwarding aside); the time, or -1 after `boundUs`.
 */
function runUntilTransferred(cluster: Cluster, agreed: (members: readonly number[]) => boolean, boundUs: number): number {
  const sched = cluster.world.scheduler;
  const end = sched.nowUs + boundUs;
  const busy = () => cluster.nodeHosts.some((_h, i) => {
    const node = cluster.node(i);
    return node !== null && (!agreed(gossipOf(cluster, i).members()) || node.pending().some((p) => p.startsWith('partition')));
  });
  while (busy()) {
    if (sched.nowUs >= end) return -1;
    sched.runUntil(Math.min(end, sched.nowUs + 100_000));
  }
  return sched.nowUs;
}

function pendingReport(cluster: Cluster): string[] {
  return cluster.nodeHosts.flatMap((h, i) => (cluster.node(i)?.pending() ?? []).map((p) => `${h.name}: ${p}`)).slice(0, 10);
}

/**
 * Where every key lives after the dust settles, judged by the newest view: keys missing from one of
 * their top-N replicas, and keys still held by a node outside their top N (the donor did not let go).
 */
function placement(cluster: Cluster, live: readonly number[]): { missing: string[]; extra: string[]; differing: string[] } {
  const view = cluster.node(live[0]!)!.view;
  const n = cluster.config.n;
  const missing: string[] = [];
  const extra: string[] = [];
  const differing: string[] = [];
  for (const key of KEYS) {
    const list = preflistFor(view, cluster.hasher, key);
    const states = new Set<string>();
    for (const i of live) {
      const node = cluster.node(i)!;
      const held = node.store.peek(key);
      const replica = inTopN(list, n, cluster.nodeHosts[i]!.id);
      if (replica && held === undefined) missing.push(`${key}@n${i}`);
      if (!replica && held !== undefined) extra.push(`${key}@n${i}`);
      if (replica && held !== undefined) states.add(held.map((v) => v.value.id).join(','));
    }
    if (states.size > 1) differing.push(key);
  }
  return { missing, extra, differing };
}

function ownedPartitions(cluster: Cluster, viewer: number, owner: number): number {
  return Array.from(cluster.node(viewer)!.view.ring.owners).filter((o) => o === owner).length;
}

function checkOps(t: ExecutionContext, h: History, label: string): void {
  const failed = h.ops.filter((o) => !o.ok);
  t.deepEqual(failed.map((o) => `${o.kind} ${o.key} at ${o.startUs}: ${o.error}`), [], `${label}: no failed request`);
  t.deepEqual(staleReads(h.ops).map((o) => `${o.key} at ${o.startUs}`), [], `${label}: no stale read of an acknowledged write`);
}

function joinCluster(options: Partial<ClusterOptions>, nodes: number, joiner: number) {
  const cluster = buildCluster({
    seed: 21,
    nodes: specs(nodes, [joiner]),
    config: { n: 3, r: 2, w: 2, transfer: { bandwidthBytesPerSec: 4_000, batchKeys: 4 } },
    components: membershipComponents(),
    clients: [{ name: 'a', mode: 'client' }, { name: 'b', mode: 'server' }],
    ...options,
  });
  return cluster;
}

test('a node joining a 30-node strategy-3 cluster gets ~1/31 of the partitions; every key stays readable and writable throughout', (t) => {
  const joiner = 30;
  const cluster = joinCluster({ partitioning: { strategy: 3, partitions: 1024 } }, 31, joiner);
  const h = new History(cluster);
  const loaded = preload(h);
  const joinAtUs = loaded + 500_000;
  h.at(joinAtUs, () => cluster.admin.join(joiner));
  workload(h, loaded + 100_000, joinAtUs + 15_000_000, 5_000);
  h.run(joinAtUs);
  const transferredUs = runUntilTransferred(cluster, (m) => m.includes(joiner), 14_000_000);
  t.true(transferredUs >= 0, `transfers did not finish within 14 s: ${pendingReport(cluster).join('; ')}`);
  t.log(`every node knew of the join and every range transfer was over ${((transferredUs - joinAtUs) / 1e6).toFixed(1)} s after the command (workload still running)`);
  h.run(joinAtUs + 15_000_000);
  const settledUs = runUntilSettled(cluster, 60_000_000);
  t.true(settledUs >= 0, `pending work left: ${pendingReport(cluster).join('; ')}`);

  checkOps(t, h, 'join');
  t.true(h.ops.filter((o) => o.kind === 'get' && o.startUs > joinAtUs).length > 1_000, 'reads ran during the join');
  const owned = ownedPartitions(cluster, 0, joiner);
  t.log(`n30 owns ${owned} of 1024 partitions (1024/31 = ${(1024 / 31).toFixed(2)})`);
  t.true(owned === Math.floor(1024 / 31) || owned === Math.ceil(1024 / 31), `owned ${owned}`);
  const received = transferOf(cluster, joiner).stats.keysReceived;
  t.true(received > 50, `the joiner received ${received} keys by transfer`);
  const live = cluster.nodeHosts.map((_h, i) => i);
  const { missing, extra, differing } = placement(cluster, live);
  t.deepEqual(missing.slice(0, 10), [], `${missing.length} keys missing from a top-N replica`);
  t.deepEqual(extra.slice(0, 10), [], `${extra.length} keys still held outside their top N`);
  t.deepEqual(differing.slice(0, 10), [], `${differing.length} keys whose replicas differ`);
  const deleted = live.reduce((s, i) => s + transferOf(cluster, i).stats.keysDeleted, 0);
  t.true(deleted > 50, `donors deleted ${deleted} handed-off keys`);
});

test('a leave: the leaver\'s partitions land on the remaining nodes within floor/ceil, and its data on the new replicas', (t) => {
  const cluster = buildCluster({
    seed: 22,
    nodes: 30,
    config: { n: 3, r: 2, w: 2, transfer: { bandwidthBytesPerSec: 20_000, batchKeys: 10 } },
    partitioning: { strategy: 3, partitions: 1024 },
    components: membershipComponents(),
    clients: [{ name: 'a', mode: 'client' }, { name: 'b', mode: 'server' }],
  });
  const h = new History(cluster);
  const loaded = preload(h);
  const leaver = 7;
  const leaveAtUs = loaded + 500_000;
  h.at(leaveAtUs, () => cluster.admin.leave(leaver));
  workload(h, loaded + 100_000, leaveAtUs + 10_000_000, 10_000);
  h.run(leaveAtUs + 10_000_000);
  const settledUs = runUntilSettled(cluster, 60_000_000);
  t.true(settledUs >= 0, `transfers did not finish: ${pendingReport(cluster).join('; ')}`);
  checkOps(t, h, 'leave');
  const view = cluster.node(0)!.view;
  t.false(view.ring.nodes.some((n) => n.id === leaver), 'the leaver is out of the ring');
  const counts = view.ring.nodes.map((n) => ownedPartitions(cluster, 0, n.id));
  t.true(counts.every((c) => c === Math.floor(1024 / 29) || c === Math.ceil(1024 / 29)), `owner counts ${[...new Set(counts)].join(',')}`);
  const live = cluster.nodeHosts.map((_h, i) => i).filter((i) => i !== leaver);
  const { missing, differing } = placement(cluster, live);
  t.deepEqual(missing.slice(0, 10), [], `${missing.length} keys missing from a top-N replica`);
  t.deepEqual(differing.slice(0, 10), [], `${differing.length} keys whose replicas differ`);
  t.is(cluster.node(leaver)!.store.keyCount, 0, 'the leaver handed off and deleted everything');
  t.true(transferOf(cluster, leaver).stats.keysSent > 0);
});

test('removing a dead node: its ranges reach their new replicas from the surviving replicas', (t) => {
  const cluster = buildCluster({
    seed: 23,
    nodes: 12,
    config: { n: 3, r: 2, w: 2, transfer: { bandwidthBytesPerSec: 50_000, batchKeys: 10 } },
    partitioning: { strategy: 3, partitions: 256 },
    components: membershipComponents(),
    clients: [{ name: 'a', mode: 'client' }, { name: 'b', mode: 'server' }],
  });
  const h = new History(cluster);
  const loaded = preload(h);
  const dead = 5;
  h.at(loaded + 200_000, () => cluster.world.faults.crash(dead));
  h.at(loaded + 1_000_000, () => cluster.admin.remove(dead));
  h.run(loaded + 5_000_000);
  const settledUs = runUntilSettled(cluster, 60_000_000);
  t.true(settledUs >= 0, `transfers did not finish: ${pendingReport(cluster).join('; ')}`);
  const live = cluster.nodeHosts.map((_h, i) => i).filter((i) => i !== dead);
  t.false(cluster.node(0)!.view.ring.nodes.some((n) => n.id === dead));
  const { missing, extra } = placement(cluster, live);
  t.deepEqual(missing.slice(0, 10), [], `${missing.length} keys missing from a top-N replica`);
  t.deepEqual(extra.slice(0, 10), [], `${extra.length} keys held outside their top N`);
});

test('strategy 1: a join moves data too; the donors scan their stores (charged as disk reads)', (t) => {
  const joiner = 10;
  const cluster = joinCluster({ partitioning: { strategy: 1, tokensPerNode: 16 }, config: { n: 3, r: 2, w: 2, transfer: { bandwidthBytesPerSec: 50_000, batchKeys: 10 } } }, 11, joiner);
  const h = new History(cluster);
  const loaded = preload(h);
  const joinAtUs = loaded + 500_000;
  h.at(joinAtUs, () => cluster.admin.join(joiner));
  workload(h, loaded + 100_000, joinAtUs + 8_000_000, 10_000);
  h.run(joinAtUs + 8_000_000);
  const settledUs = runUntilSettled(cluster, 60_000_000);
  t.true(settledUs >= 0, `transfers did not finish: ${pendingReport(cluster).join('; ')}`);
  checkOps(t, h, 'strategy-1 join');
  const live = cluster.nodeHosts.map((_h, i) => i);
  const scanned = live.reduce((s, i) => s + transferOf(cluster, i).stats.keysScanned, 0);
  const diskReads = live.filter((i) => i !== joiner).reduce((s, i) => s + cluster.nodeHosts[i]!.stats.diskReads, 0);
  t.true(scanned > 0 && diskReads >= scanned, `donors scanned ${scanned} keys (${diskReads} disk reads)`);
  t.true(transferOf(cluster, joiner).stats.keysReceived > 0, 'the joiner received keys');
  const { missing, extra } = placement(cluster, live);
  t.deepEqual(missing.slice(0, 10), [], `${missing.length} keys missing from a top-N replica`);
  t.deepEqual(extra.slice(0, 10), [], `${extra.length} keys held outside their top N`);
  t.true(gossipOf(cluster, 0).members().includes(joiner));
});

/** An 8-node cluster (Q = 64) with 800 keys; node 8 joins at `joinAtUs`; returns when transfers ended. */
function pacedJoin(t: ExecutionContext, config: ClusterOptions['config'], joinAtUs: number, warmAdmission = false) {
  const cluster = buildCluster({
    seed: 24,
    nodes: specs(9, [8]),
    config: { n: 3, r: 2, w: 2, ...config },
    partitioning: { strategy: 3, partitions: 64 },
    components: membershipComponents(),
    clients: [{ name: 'a', mode: 'client' }, { name: 'b', mode: 'server' }],
  });
  const h = new History(cluster);
  KEYS.slice(0, 800).forEach((key, i) => h.at(10_000 + i * 1_000, () => h.put(0, key, [], -1)));
  // Foreground reads keep the admission controller's health signal alive.
  for (let t = 1_000_000, i = 0; t < joinAtUs + 60_000_000; t += 20_000, i++) h.at(t, () => h.get(1, KEYS[i % 800]!));
  if (warmAdmission) {
    // The controller adapts (AIMD, one step a second) only when background work asks it: let it see
    // a long stretch of foreground health first, as it would with background work running.
    for (let t = 1_000_000; t < joinAtUs; t += 1_000_000) {
      h.at(t, () => cluster.nodeHosts.forEach((_h, i) => cluster.node(i)!.admission.tryAcquire(cluster.node(i)!.ctx.nowUs(), 0)));
    }
  }
  h.at(joinAtUs, () => cluster.admin.join(8));
  h.run(joinAtUs);
  const doneUs = runUntilTransferred(cluster, (m) => m.includes(8), 120_000_000);
  t.true(runUntilSettled(cluster, 60_000_000) >= 0, 'everything settles');
  const donors = cluster.nodeHosts.map((_h, i) => transferOf(cluster, i)).filter((x) => x.stats.batchesSent > 0);
  return { cluster, elapsedUs: doneUs < 0 ? Infinity : doneUs - joinAtUs, donors, h };
}

test('transfers are paced by the bandwidth limit and yield to foreground work (admission control)', (t) => {
  const batchKeys = 5;
  const slow = pacedJoin(t, { transfer: { bandwidthBytesPerSec: 10_000, batchKeys }, admission: { enabled: false } }, 2_000_000);
  const fast = pacedJoin(t, { transfer: { bandwidthBytesPerSec: 1_000_000, batchKeys }, admission: { enabled: false } }, 2_000_000);
  t.true(Number.isFinite(slow.elapsedUs) && Number.isFinite(fast.elapsedUs));
  const maxBytes = Math.max(...slow.donors.map((d) => d.stats.bytesSent));
  const batchBytesMax = batchKeys * 1_200 + 200;
  t.log(`10 KB/s: ${(slow.elapsedUs / 1e6).toFixed(1)} s (busiest donor ${maxBytes} bytes); 1 MB/s: ${(fast.elapsedUs / 1e6).toFixed(1)} s`);
  t.true(slow.elapsedUs >= ((maxBytes - batchBytesMax) / 10_000) * 1e6, 'no donor sent faster than the limit');
  t.true(slow.elapsedUs > 3 * fast.elapsedUs, 'a lower limit makes the transfer slower');
  // Foreground reads slower than a 1 µs target: the controller cuts background work to its floor.
  const throttled = pacedJoin(t, { transfer: { bandwidthBytesPerSec: 1_000_000, batchKeys }, admission: { enabled: true, targetUs: 1, windowUs: 5_000_000 } }, 15_000_000, true);
  const waits = throttled.donors.reduce((s, d) => s + d.stats.admissionWaits, 0);
  t.log(`admission-throttled: ${(throttled.elapsedUs / 1e6).toFixed(1)} s, ${waits} waits`);
  t.true(throttled.cluster.node(0)!.admission.ratePerSec <= 20, `the controller cut background work to ${throttled.cluster.node(0)!.admission.ratePerSec} tokens/s`);
  t.true(waits > 0, 'batches waited for admission');
  t.true(throttled.elapsedUs > fast.elapsedUs, 'and the transfer took longer');
  t.is(throttled.h.ops.filter((o) => !o.ok).length, 0);
});

test('strategy 2: a join moves whole partitions, without a scan', (t) => {
  const joiner = 10;
  const cluster = joinCluster({ partitioning: { strategy: 2, tokensPerNode: 16, partitions: 256 }, config: { n: 3, r: 2, w: 2, transfer: { bandwidthBytesPerSec: 50_000, batchKeys: 10 } } }, 11, joiner);
  const h = new History(cluster);
  const loaded = preload(h);
  const joinAtUs = loaded + 500_000;
  h.at(joinAtUs, () => cluster.admin.join(joiner));
  workload(h, loaded + 100_000, joinAtUs + 8_000_000, 10_000);
  h.run(joinAtUs + 8_000_000);
  const settledUs = runUntilSettled(cluster, 60_000_000);
  t.true(settledUs >= 0, `transfers did not finish: ${pendingReport(cluster).join('; ')}`);
  checkOps(t, h, 'strategy-2 join');
  const live = cluster.nodeHosts.map((_h, i) => i);
  t.is(live.reduce((s, i) => s + transferOf(cluster, i).stats.keysScanned, 0), 0, 'no store scan');
  t.true(transferOf(cluster, joiner).stats.keysReceived > 0);
  const { missing, extra } = placement(cluster, live);
  t.deepEqual(missing.slice(0, 10), [], `${missing.length} keys missing from a top-N replica`);
  t.deepEqual(extra.slice(0, 10), [], `${extra.length} keys held outside their top N`);
});

test('transfer bandwidth 0 means no bound: a join finishes sooner than at a low bandwidth, and completely', (t) => {
  const timeToTransfer = (bandwidthBytesPerSec: number) => {
    const joiner = 8;
    const cluster = joinCluster({ partitioning: { strategy: 3, partitions: 64 }, config: { n: 3, r: 2, w: 2, transfer: { bandwidthBytesPerSec, batchKeys: 4 } } }, 9, joiner);
    const h = new History(cluster);
    const loaded = preload(h);
    const joinAtUs = loaded + 500_000;
    h.at(joinAtUs, () => cluster.admin.join(joiner));
    h.run(joinAtUs);
    const doneUs = runUntilTransferred(cluster, (m) => m.includes(joiner), 60_000_000);
    t.true(doneUs >= 0, `bandwidth ${bandwidthBytesPerSec}: ${pendingReport(cluster).join('; ')}`);
    t.true(transferOf(cluster, joiner).stats.keysReceived > 0);
    return doneUs - joinAtUs;
  };
  const unbounded = timeToTransfer(0);
  const slow = timeToTransfer(20_000);
  t.log(`transfers over ${(unbounded / 1e6).toFixed(2)} s after the join unbounded, ${(slow / 1e6).toFixed(2)} s at 20 kB/s`);
  t.true(unbounded < slow);
});
