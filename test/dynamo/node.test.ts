/**
 * The Dynamo request path on the kernel: quorums, sloppy quorum with hinted
 * handoff, strict quorum under failure, siblings and reconciliation, and
 * buffered writes lost in a crash.
 */
import test from 'ava';
import { buildCluster, type ClusterOptions } from '../../src/experiment/cluster.js';
import { descends, type VClock } from '../../src/dynamo/vclock.js';
import { reconcileForClient } from '../../src/dynamo/reconcile.js';
import { preflistFor } from '../../src/dynamo/view.js';
import { History, type OpRecord } from './harness.js';

/** Gets that miss a put acknowledged before they began (no returned version descends it). */
function staleReads(ops: OpRecord[]): OpRecord[] {
  const puts = ops.filter((o) => o.kind === 'put' && o.ok);
  return ops.filter((g) => g.kind === 'get' && g.ok && puts.some((p) => p.key === g.key && p.endUs < g.startUs && !g.clocks.some((c) => descends(c, p.clocks[0]!))));
}

/** Many clients doing read-modify-writes and reads on a few hot keys. */
function contendedWorkload(options: Partial<ClusterOptions>, quorum: { n: number; r: number; w: number }) {
  const cluster = buildCluster({
    seed: 7,
    nodes: 6,
    clients: [{ name: 'a', mode: 'client' }, { name: 'b', mode: 'server' }, { name: 'c', mode: 'client' }],
    ...options,
    config: { ...quorum, ...(options.config ?? {}) },
  });
  const h = new History(cluster);
  for (let i = 0; i < 600; i++) {
    const client = i % 3;
    const key = `hot${i % 4}`;
    h.at(10_000 + i * 3_000, () => (i % 2 === 0 ? h.readModifyWrite(client, key) : h.get(client, key)));
  }
  h.run(5_000_000);
  return h;
}

test('no faults and R + W > N: no read returns a version older than a write acknowledged before it began', (t) => {
  const h = contendedWorkload({}, { n: 3, r: 2, w: 2 });
  const gets = h.ops.filter((o) => o.kind === 'get' && o.ok).length;
  const puts = h.ops.filter((o) => o.kind === 'put' && o.ok).length;
  t.true(gets > 500 && puts > 200, `gets ${gets}, puts ${puts}`);
  t.is(h.ops.filter((o) => !o.ok).length, 0);
  t.deepEqual(staleReads(h.ops).map((o) => [o.key, o.startUs]), []);
});

/**
 * One replica's incoming links from the other nodes are 100 ms slow, so writes reach it late while
 * clients still read from it directly. A writer writes with W = 1 and a reader reads 5 ms after the ack.
 */
function lateReplicaSchedule(r: number, w: number) {
  const cluster = buildCluster({ seed: 8, nodes: 5, config: { n: 3, r, w, readRepair: { enabled: false } }, clients: [{ name: 'writer', mode: 'client' }, { name: 'reader', mode: 'client' }] });
  const h = new History(cluster);
  const keys = Array.from({ length: 60 }, (_, i) => `k${i}`);
  keys.forEach((key, i) => {
    const top = Array.from(preflistFor(cluster.view, cluster.hasher, key).slice(0, 3));
    h.at(i * 400_000, () => {
      const slow = top[2]!;
      for (const other of cluster.nodeHosts) if (other.id !== slow) cluster.world.network.degradeLink(other.id, slow, { addedLatencyUs: 100_000 });
      h.put(0, key, [], top[0]!, null, (p) => {
        if (p.ok) h.at(h.now + 5_000, () => h.get(1, key));
      });
    });
    h.at(i * 400_000 + 350_000, () => {
      for (const other of cluster.nodeHosts) cluster.world.network.restoreLink(other.id, top[2]!);
    });
  });
  h.run(keys.length * 400_000 + 1_000_000);
  return h;
}

test('the stale-read check can fail: R = W = 1 with a late replica returns stale reads; R + W > N on the same schedule does not', (t) => {
  const partial = lateReplicaSchedule(1, 1);
  const strict = lateReplicaSchedule(2, 2);
  t.is(partial.ops.filter((o) => o.kind === 'get').length, 60);
  t.true(staleReads(partial.ops).length >= 5, `stale reads with R = W = 1: ${staleReads(partial.ops).length}`);
  t.is(strict.ops.filter((o) => o.kind === 'get' && o.ok).length, 60);
  t.is(staleReads(strict.ops).length, 0);
});

test('sloppy quorum: with a replica crashed, writes keep succeeding via hinted fallbacks; hints are delivered after restart and replicas agree', (t) => {
  const cluster = buildCluster({ seed: 3, nodes: 6, config: { n: 3, r: 2, w: 2, hints: { scanIntervalUs: 1_000_000 } }, clients: [{ name: 'c', mode: 'client' }, { name: 'lb-client', mode: 'server' }] });
  const h = new History(cluster);
  const victim = 2;
  const keys = Array.from({ length: 40 }, (_, i) => `key${i}`).filter((k) => Array.from(preflistFor(cluster.view, cluster.hasher, k).slice(0, 3)).includes(victim));
  t.true(keys.length >= 5, `keys replicated on the victim: ${keys.length}`);
  h.at(100_000, () => cluster.world.faults.crash(victim));
  // Failure detection is local: each node learns of the crash only when the victim fails to answer it.
  // Reads of the victim's keys through the load balancer make every node coordinate some of them.
  for (let i = 0; i < 400; i++) h.at(200_000 + i * 2_000, () => h.get(1, keys[i % keys.length]!));
  h.run(2_000_000);
  const live = cluster.nodeHosts.map((_h, i) => i).filter((i) => i !== victim);
  t.deepEqual(live.filter((i) => cluster.node(i)!.fd.isReachable(victim)), [], 'every live node marked the victim unreachable');
  keys.forEach((key, i) => h.at(2_000_000 + i * 50_000, () => h.readModifyWrite(0, key)));
  h.run(6_000_000);
  const puts = h.ops.filter((o) => o.kind === 'put');
  t.is(puts.length, keys.length);
  t.true(puts.every((p) => p.ok), `failed puts: ${puts.filter((p) => !p.ok).map((p) => p.error)}`);
  const hinted = cluster.nodeHosts.reduce((n, _h, i) => n + (cluster.node(i)?.hints.size ?? 0), 0);
  t.is(hinted, keys.length, 'one hint per key written while the victim was down');
  cluster.world.faults.restart(victim);
  h.run(20_000_000);
  const left = cluster.nodeHosts.reduce((n, _h, i) => n + (cluster.node(i)?.hints.size ?? 0), 0);
  t.is(left, 0, 'every hint delivered and deleted');
  for (const key of keys) {
    const replicas = Array.from(preflistFor(cluster.view, cluster.hasher, key).slice(0, 3));
    const states = replicas.map((r) => JSON.stringify(cluster.node(r)!.store.peek(key)?.map((v) => v.value.id)));
    t.true(states.every((s) => s === states[0] && s !== undefined), `${key}: ${states.join(' / ')}`);
  }
});

test('strict quorum with W = N and a node down: puts fail by timeout while R = 1 gets succeed', (t) => {
  const cluster = buildCluster({ seed: 4, nodes: 5, config: { n: 3, r: 1, w: 3, sloppyQuorum: false }, clients: [{ name: 'c', mode: 'server' }] });
  const h = new History(cluster);
  const victim = 1;
  const keys = Array.from({ length: 40 }, (_, i) => `key${i}`).filter((k) => Array.from(preflistFor(cluster.view, cluster.hasher, k).slice(0, 3)).includes(victim));
  // Keys written before the crash and only read after it, and keys written after it.
  const readKeys = keys.filter((_k, i) => i % 2 === 0);
  const writeKeys = keys.filter((_k, i) => i % 2 === 1);
  const early = new Map<string, number>();
  readKeys.forEach((key, i) => h.at(10_000 + i * 1_000, () => early.set(key, h.put(0, key, [], -1))));
  h.at(500_000, () => cluster.world.faults.crash(victim));
  writeKeys.forEach((key, i) => h.at(1_000_000 + i * 20_000, () => h.put(0, key, [], -1)));
  readKeys.forEach((key, i) => h.at(1_010_000 + i * 20_000, () => h.get(0, key)));
  h.run(5_000_000);
  const before = h.ops.filter((o) => o.kind === 'put' && o.startUs < 500_000);
  const after = h.ops.filter((o) => o.kind === 'put' && o.startUs >= 1_000_000);
  const gets = h.ops.filter((o) => o.kind === 'get');
  t.true(before.every((p) => p.ok), 'with every node up, W = N succeeds');
  t.true(before.length >= 3);
  t.is(after.length, writeKeys.length);
  t.true(after.every((p) => !p.ok && p.error === 'timeout'), `errors: ${after.map((p) => p.error)}`);
  t.is(gets.length, readKeys.length);
  t.true(gets.every((g) => g.ok && g.valueIds.includes(early.get(g.key)!)), 'R = 1 reads succeed and see the earlier write');
});

test('concurrent writers on one key produce siblings that a merge client reconciles', (t) => {
  const cluster = buildCluster({ seed: 5, nodes: 5, config: { n: 3, r: 3, w: 3 }, clients: [{ name: 'a', mode: 'client' }, { name: 'b', mode: 'client' }] });
  const h = new History(cluster);
  const key = 'cart';
  const list = Array.from(preflistFor(cluster.view, cluster.hasher, key).slice(0, 3));
  h.at(1_000, () => h.put(0, key, [], list[0]!, [1]));
  // Both clients read the same version, then write through different coordinators: concurrent.
  h.at(200_000, () => h.get(0, key, (g) => h.put(0, key, g.context, list[0]!, [1, 2])));
  h.at(200_000, () => h.get(1, key, (g) => h.put(1, key, g.context, list[1]!, [1, 3])));
  let merged: number[] | null = null;
  h.at(600_000, () =>
    h.get(0, key, (g) => {
      t.is(g.siblings.length, 2, 'two siblings');
      const r = reconcileForClient('merge', g.siblings);
      merged = r.items ? [...r.items] : null;
      h.put(0, key, r.context, g.fastest, merged);
    }),
  );
  h.at(1_000_000, () => h.get(1, key));
  h.run(2_000_000);
  t.deepEqual(merged, [1, 2, 3], 'the union keeps every add');
  const last = h.ops.at(-1)!;
  t.is(last.kind, 'get');
  t.is(last.valueIds.length, 1, 'the reconciling write superseded both siblings');
  t.deepEqual(last.items, [[1, 2, 3]]);
});

function bufferedCrash(durableWrites: number) {
  const cluster = buildCluster({
    seed: 6,
    nodes: 3,
    config: { n: 3, r: 3, w: 1, storage: { writeBufferObjects: 1_000, flushIntervalUs: 1_000_000, durableWrites } },
    clients: [{ name: 'c', mode: 'client' }],
    traceSink: { write: () => {} },
  });
  const lost: string[] = [];
  cluster.world.trace.sink = { write: (e) => void (e.kind === 'buffer-lost' && lost.push(`${e.host}:${e.key}`)) };
  const h = new History(cluster);
  for (let i = 0; i < 10; i++) h.at(10_000 + i * 1_000, () => h.put(0, `early${i}`, [], -1));
  for (let i = 0; i < 10; i++) h.at(1_500_000 + i * 1_000, () => h.put(0, `late${i}`, [], -1));
  h.at(1_700_000, () => [0, 1, 2].forEach((n) => cluster.world.faults.crash(n)));
  h.at(1_800_000, () => [0, 1, 2].forEach((n) => cluster.world.faults.restart(n)));
  for (let i = 0; i < 10; i++) {
    h.at(3_000_000 + i * 1_000, () => h.get(0, `early${i}`));
    h.at(3_000_000 + i * 1_000, () => h.get(0, `late${i}`));
  }
  h.run(4_000_000);
  return { h, lost };
}

test('buffered writes, W = 1, no durable write: a crash before the flush loses exactly the buffered writes', (t) => {
  const { h, lost } = bufferedCrash(0);
  const puts = h.ops.filter((o) => o.kind === 'put');
  t.is(puts.length, 20);
  t.true(puts.every((p) => p.ok), 'every write was acknowledged');
  const found = (prefix: string) => h.ops.filter((o) => o.kind === 'get' && o.key.startsWith(prefix) && o.valueIds.length > 0).length;
  t.is(found('early'), 10, 'writes flushed before the crash survive');
  t.is(found('late'), 0, 'writes still in the buffers are gone');
  t.is(lost.length, 30, 'each of the 3 replicas recorded its 10 lost buffered keys');
  t.true(lost.every((l) => l.includes(':late')));
});

test('the same crash loses nothing when one replica is asked for a durable write', (t) => {
  const { h, lost } = bufferedCrash(1);
  const found = h.ops.filter((o) => o.kind === 'get' && o.valueIds.length > 0).length;
  t.is(found, 20);
  t.true(lost.length > 0, 'buffers were still lost, but a durable copy existed');
});

test('a request nobody answers fails by the client\'s own timeout; client-driven, the silent coordinator becomes unreachable', (t) => {
  const cluster = buildCluster({ seed: 6, nodes: 5, config: { n: 3, r: 1, w: 1 }, clients: [{ name: 'c', mode: 'client' }] });
  const h = new History(cluster);
  const key = 'key7';
  const coordinator = preflistFor(cluster.view, cluster.hasher, key)[0]!;
  const client = cluster.client(0);
  h.at(100_000, () => cluster.world.faults.crash(coordinator));
  h.at(200_000, () => h.put(0, key, [], coordinator)); // sent to the crashed node: no reply ever comes
  h.run(2_000_000);
  const [put] = h.ops;
  t.is(h.ops.length, 1, 'the callback ran once');
  t.false(put!.ok);
  t.is(put!.error, 'timeout');
  // The client's timeout is the request timeout + 100 ms (300 + 100 ms by default).
  t.is(put!.endUs - put!.startUs, 400_000);
  t.false(client.fd.isReachable(coordinator));
});
