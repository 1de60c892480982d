/**
 * The liveness phase (TigerBeetle's VOPR habit): after the fault phase the
 * world is healed and runs until it converges, or a bound runs out; when it
 * does not converge, it says exactly what is pending.
 *
 * Converged means, observed from outside the nodes:
 * - every hint has been delivered ("12 hints for n3 still on n7");
 * - every key's replicas (its top N under the newest view) hold the same
 *   sibling set ("partition 17 differs between n2 and n5 (4 keys)");
 * - no node component has work left (transfers, anti-entropy);
 * - every node is up and agrees on the membership view.
 */
import type { Siblings } from '../dynamo/version.js';
import { versionSetHash } from '../dynamo/version.js';
import { partitionOf } from '../dynamo/ring.js';
import type { MembershipView } from '../dynamo/view.js';
import type { Cluster } from './cluster.js';

export interface ConvergenceReport {
  readonly converged: boolean;
  /** Simulated time at which convergence was first observed (null: never). */
  readonly convergedAtUs: number | null;
  /** What is still pending at the end (empty when converged). */
  readonly pending: readonly string[];
  readonly checks: number;
}

/** The newest view any up node holds (membership spreads by gossip, so views can differ). */
export function newestView(cluster: Cluster): MembershipView {
  let best = cluster.view;
  for (let i = 0; i < cluster.nodeHosts.length; i++) {
    const v = cluster.node(i)?.view;
    if (v !== undefined && v.version > best.version) best = v;
  }
  return best;
}

/** Everything that keeps the cluster from being converged right now (empty: converged). */
export function pendingWork(cluster: Cluster, options: { maxItems?: number } = {}): string[] {
  const maxItems = options.maxItems ?? 20;
  const out: string[] = [];
  const name = (id: number) => cluster.world.hosts[id]?.name ?? `#${id}`;
  const view = newestView(cluster);
  const members = view.ring.nodes.map((n) => n.id);
  const hostIndex = new Map(cluster.nodeHosts.map((h, i) => [h.id, i] as const));
  const nodeOf = (id: number) => {
    const i = hostIndex.get(id);
    return i === undefined ? null : cluster.node(i);
  };
  for (const id of members) {
    const node = nodeOf(id);
    if (node === null) out.push(`${name(id)} is down`);
    else if (node.view.version !== view.version) out.push(`${name(id)} has membership view ${node.view.version}, the newest is ${view.version}`);
  }
  // Hints.
  for (let i = 0; i < cluster.nodeHosts.length; i++) {
    const node = cluster.node(i);
    if (node === null) continue;
    for (const [intended, count] of node.hints.pendingByNode()) out.push(`${count} hint${count === 1 ? '' : 's'} for ${name(intended)} still on ${cluster.nodeHosts[i]!.name}`);
    for (const p of node.pending()) out.push(`${cluster.nodeHosts[i]!.name}: ${p}`);
  }
  // Replicas: compare every key's top-N replica states.
  const keys = new Set<string>();
  for (const id of members) {
    const node = nodeOf(id);
    if (node === null) continue;
    for (const [key] of node.store.entries()) keys.add(key);
  }
  const differing = new Map<string, number>(); // "partition|a|b" -> keys
  const n = cluster.config.n;
  const sorted = [...keys].sort();
  for (const key of sorted) {
    const partition = partitionOf(view.ring, cluster.hasher.position(key));
    const list = view.preflists.get(partition);
    let firstHash: number | null = null;
    let firstNode = -1;
    for (let r = 0; r < Math.min(n, list.length); r++) {
      const node = nodeOf(list[r]!);
      if (node === null) continue;
      const siblings: Siblings = node.store.peek(key) ?? [];
      const h = versionSetHash(siblings);
      if (firstHash === null) {
        firstHash = h;
        firstNode = list[r]!;
      } else if (h !== firstHash) {
        const tag = `${partition}|${firstNode}|${list[r]!}`;
        differing.set(tag, (differing.get(tag) ?? 0) + 1);
      }
    }
  }
  for (const [tag, count] of differing) {
    const [partition, a, b] = tag.split('|').map(Number) as [number, number, number];
    out.push(`partition ${partition} differs between ${name(a)} and ${name(b)} (${count} key${count === 1 ? '' : 's'})`);
  }
  if (out.length > maxItems) {
    const more = out.length - maxItems;
    out.length = maxItems;
    out.push(`... and ${more} more`);
  }
  return out;
}

/**
 * Run the world until it converges (checked every `checkEveryUs`) or until
 * `boundUs` of simulated time has passed. The caller has already healed the
 * faults and stopped the workload.
 */
export function runUntilConverged(cluster: Cluster, options: { boundUs: number; checkEveryUs?: number }): ConvergenceReport {
  const sched = cluster.world.scheduler;
  const step = options.checkEveryUs ?? 1_000_000;
  const endUs = sched.nowUs + options.boundUs;
  let checks = 0;
  for (;;) {
    checks++;
    const pending = pendingWork(cluster);
    if (pending.length === 0) return { converged: true, convergedAtUs: sched.nowUs, pending, checks };
    if (sched.nowUs >= endUs) return { converged: false, convergedAtUs: null, pending, checks };
    sched.runUntil(Math.min(endUs, sched.nowUs + step));
  }
}
