/**
 * Gossip (gossip.ts) on a running cluster: a membership change reaches every node in O(log S)
 * rounds, seeds keep nodes joined through different peers from forming separate clusters, views and
 * their versions follow the history, and the history survives a restart.
 */
import test from 'ava';
import { InvalidOptionError } from '../../sim/errors.js';
import { buildCluster, membershipComponents, type Cluster, type NodeSpec } from '../../src/experiment/cluster.js';
import { gossipComponent, type Gossip } from '../../src/dynamo/gossip.js';

function specs(count: number, later: readonly number[] = []): NodeSpec[] {
  return Array.from({ length: count }, (_, i) => ({ name: `n${i}`, initial: !later.includes(i) }));
}

function gossipOf(cluster: Cluster, i: number): Gossip {
  return cluster.node(i)!.component<Gossip>('gossip')!;
}

function digests(cluster: Cluster, nodes: readonly number[]): Set<string> {
  return new Set(nodes.map((i) => gossipOf(cluster, i).history.digest));
}

const INTERVAL_US = 1_000_000;

/**
 * Issue `command` at the current time and run until every node holds the same history; the number
 * of gossip intervals that took (checked every 50 ms), or -1 past `maxRounds`.
 */
function roundsToConverge(cluster: Cluster, nodes: readonly number[], command: () => void, maxRounds: number): number {
  const sched = cluster.world.scheduler;
  const startUs = sched.nowUs;
  command();
  while (digests(cluster, nodes).size > 1) {
    if (sched.nowUs - startUs > maxRounds * INTERVAL_US) return -1;
    sched.runUntil(sched.nowUs + 50_000);
  }
  return (sched.nowUs - startUs) / INTERVAL_US;
}

test('a membership change reaches all of a 100-node cluster within O(log S) gossip rounds', (t) => {
  const bound = 4 * Math.log2(101);
  const measured: string[] = [];
  for (const seed of [1, 2, 3]) {
    const cluster = buildCluster({ seed, nodes: specs(101, [100]), config: { gossip: { intervalUs: INTERVAL_US } }, components: [gossipComponent()] });
    const all = cluster.nodeHosts.map((_h, i) => i);
    // The node that joins later learns the cluster from the seeds first.
    cluster.world.scheduler.runUntil(5_000_000);
    t.is(gossipOf(cluster, 100).history.changes.length, 100, 'the outsider learned the founding history from a seed');
    t.is(digests(cluster, all).size, 1);
    const join = roundsToConverge(cluster, all, () => cluster.admin.join(100), 60);
    cluster.world.scheduler.runUntil(cluster.world.nowUs + 2_000_000);
    const leave = roundsToConverge(cluster, all, () => cluster.admin.leave(37), 60);
    cluster.world.scheduler.runUntil(cluster.world.nowUs + 2_000_000);
    const remove = roundsToConverge(cluster, all, () => cluster.admin.remove(64, { via: 90 }), 60);
    measured.push(`seed ${seed}: join ${join.toFixed(2)}, leave ${leave.toFixed(2)}, remove ${remove.toFixed(2)}`);
    for (const rounds of [join, leave, remove]) t.true(rounds > 0 && rounds <= bound, `converged in ${rounds} rounds; bound ${bound.toFixed(1)}`);
    const members = gossipOf(cluster, 0).members();
    t.is(members.length, 99);
    t.true(members.includes(100) && !members.includes(37) && !members.includes(64));
    // Every node routes from the view its history implies; versions count the changes.
    t.true(all.every((i) => cluster.node(i)!.view.version === 103 && cluster.node(i)!.view.ring.nodes.length === 99));
  }
  t.log(`rounds to converge (bound 4·log2(101) = ${bound.toFixed(1)}): ${measured.join('; ')}`);
});

/**
 * Nodes 0-3 form a cluster. Nodes 4-7 start outside it, and an administrator builds a second ring
 * from them: 4 joins on itself, then 5 through 4, 6 through 5, 7 through 6 (the paper's §4.8.2
 * example of a logical partition). Only seeds connect the two.
 */
function twoGroups(seeds: number[]) {
  const cluster = buildCluster({ seed: 9, nodes: specs(8, [4, 5, 6, 7]), config: { gossip: { intervalUs: INTERVAL_US, seeds } }, components: membershipComponents(), clients: [{ name: 'c', mode: 'client' }] });
  const sched = cluster.world.scheduler;
  sched.at(1_000, () => cluster.admin.join(4));
  sched.at(50_000, () => cluster.admin.join(5, { via: 4 }));
  sched.at(100_000, () => cluster.admin.join(6, { via: 5 }));
  sched.at(150_000, () => cluster.admin.join(7, { via: 6 }));
  sched.runUntil(60_000_000);
  return cluster;
}

test('without seeds, nodes joined through different peers form two clusters for good; with a seed they merge', (t) => {
  const apart = twoGroups([]);
  const groupA = [0, 1, 2, 3];
  const groupB = [4, 5, 6, 7];
  t.is(digests(apart, groupA).size, 1, 'group A agrees with itself');
  t.is(digests(apart, groupB).size, 1, 'group B agrees with itself');
  t.deepEqual(gossipOf(apart, 0).members(), groupA);
  t.deepEqual(gossipOf(apart, 4).members(), groupB);
  t.deepEqual(apart.node(5)!.view.ring.nodes.map((n) => n.id), groupB, 'group B routes on its own ring');
  t.is(apart.node(0)!.view.ring.nodes.length, 4);

  const merged = twoGroups([0]);
  const all = [...groupA, ...groupB];
  t.is(digests(merged, all).size, 1, 'one history everywhere');
  t.deepEqual(gossipOf(merged, 6).members(), all);
  t.true(all.every((i) => merged.node(i)!.view.ring.nodes.length === 8), 'every node routes on the merged ring');
  // The client library polls nodes and adopts the newer view (higher version).
  merged.world.scheduler.runUntil(merged.world.nowUs + 2 * 10_000_000);
  t.is(merged.client(0).view.version, merged.node(0)!.view.version);
  t.is(merged.client(0).view.ring.nodes.length, 8);
});

test('the history is durable: a restarted node keeps it; a view version counts the history\'s changes', (t) => {
  const cluster = buildCluster({ seed: 5, nodes: specs(6, [5]), components: membershipComponents() });
  const sched = cluster.world.scheduler;
  t.true([0, 1, 2, 3, 4].every((i) => cluster.node(i)!.view.version === 5), 'founding members route on the founding history\'s view');
  t.true(cluster.node(0)!.view.ring === cluster.node(4)!.view.ring);
  sched.runUntil(3_000_000);
  t.is(cluster.node(5)!.view.version, 5, 'the outsider learned the same view, before anyone joined it');
  t.true(cluster.nodeHosts.every((_h, i) => cluster.node(i)!.view === cluster.node(0)!.view));
  cluster.admin.join(5);
  sched.runUntil(15_000_000);
  const before = gossipOf(cluster, 2).history;
  t.is(before.changes.length, 6);
  t.is(cluster.node(2)!.view.version, 6);
  cluster.world.faults.crash(2);
  cluster.world.faults.restart(2);
  t.is(gossipOf(cluster, 2).history.digest, before.digest, 'the restarted node remembers the membership');
  t.is(cluster.node(2)!.view.version, 6);
  // A node that loses its disk starts from the founding members and catches up by gossip.
  cluster.world.faults.crash(3, { loseDisk: true });
  cluster.world.faults.restart(3);
  t.is(gossipOf(cluster, 3).history.changes.length, 5);
  sched.runUntil(40_000_000);
  t.is(gossipOf(cluster, 3).history.digest, before.digest);
});

test('administrator commands are checked', (t) => {
  const cluster = buildCluster({ seed: 6, nodes: specs(5, [4]), components: membershipComponents() });
  t.throws(() => cluster.admin.join(1), { instanceOf: InvalidOptionError, message: /not a member/ });
  t.throws(() => cluster.admin.leave(4), { instanceOf: InvalidOptionError, message: /a member/ });
  t.throws(() => cluster.admin.remove(9), { instanceOf: InvalidOptionError, message: /node index/ });
  const bare = buildCluster({ seed: 6, nodes: 4 });
  t.throws(() => bare.admin.leave(1), { instanceOf: InvalidOptionError, message: /membershipComponents/ });
  t.deepEqual(bare.config.gossip.seeds, [0, 1], 'seeds default to the two lowest initial ids');
});
