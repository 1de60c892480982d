/**
 * Preference lists (Dynamo §4.3): the nodes responsible for a partition, in order. The first N are its
 * replicas (the first is the coordinator); the rest are fallbacks for the sloppy quorum (§4.6).
 *
 * The walk starts at the partition's coordinator position and goes clockwise (ring.walk, see ring.ts:
 * the token owners under strategies 1 and 2, the partition owners under strategy 3) and skips every
 * position whose physical node is already in the list, so a list never repeats a node and holds
 * min(length, S) nodes, S being the nodes that own at least one position (all members under strategies
 * 1 and 2; under strategy 3 with Q >= S and equal weights, all members too). This is the paper's rule,
 * not Riak's, whose lists can repeat a node.
 *
 * Datacenter-aware lists (`dcAware: true`; the paper does not say how lists span datacenters). Rule:
 * the i-th member is the first node clockwise from the coordinator position, not yet chosen, whose
 * datacenter has the fewest members so far among the datacenters that still have unchosen nodes. The
 * coordinator therefore stays first, the first min(N, D) members come from min(N, D) different
 * datacenters (D = datacenters with nodes on the ring), and ties always go to ring order, so with one
 * datacenter the rule is exactly the plain walk.
 *
 * Lists are computed for every request, so `buildPreflists` computes all of a ring's lists once into one
 * flat Int32Array; a new ring (rings are immutable) needs a new cache.
 */
import { InvalidOptionError, invariant, requireInteger } from '../../sim/errors.js';
import type { Ring } from './ring.js';

export interface PreferenceListOptions {
  readonly ring: Ring;
  readonly partition: number;
  /** Wanted length: N replicas plus fallbacks. The list holds min(length, S) nodes. */
  readonly length: number;
  readonly dcAware?: boolean;
}

/** One partition's preference list, as node ids (allocates; requests should use `buildPreflists`). */
export function preferenceList(options: PreferenceListOptions): number[] {
  const { ring } = options;
  requireInteger('partition', options.partition, 0, ring.partitions - 1);
  const walker = new Walker(ring, listLength(ring, options.length), options.dcAware === true);
  const out = new Int32Array(walker.length);
  walker.fill(options.partition, out, 0);
  return Array.from(out);
}

/** Every partition's preference list of one ring, computed once. */
export class Preflists {
  /** The ring these lists belong to: compare with the current ring to know the cache is fresh. */
  readonly ring: Ring;
  /** Nodes per list: min(requested length, S). */
  readonly length: number;
  readonly dcAware: boolean;
  private readonly lists: readonly Int32Array[];

  constructor(ring: Ring, length: number, options: { dcAware?: boolean } = {}) {
    this.ring = ring;
    this.dcAware = options.dcAware === true;
    const walker = new Walker(ring, listLength(ring, length), this.dcAware);
    this.length = walker.length;
    const flat = new Int32Array(ring.partitions * this.length);
    const lists: Int32Array[] = [];
    for (let p = 0; p < ring.partitions; p++) {
      walker.fill(p, flat, p * this.length);
      lists.push(flat.subarray(p * this.length, (p + 1) * this.length));
    }
    this.lists = lists;
  }

  /** Partition p's list (a shared view: never write to it). No allocation. */
  get(partition: number): Int32Array {
    const list = this.lists[partition];
    if (list === undefined) throw new InvalidOptionError('partition', partition, `an integer in [0, ${this.ring.partitions})`);
    return list;
  }
}

export function buildPreflists(ring: Ring, length: number, options: { dcAware?: boolean } = {}): Preflists {
  return new Preflists(ring, length, options);
}

function listLength(ring: Ring, length: number): number {
  return Math.min(requireInteger('preference list length', length, 1), ring.walkNodes);
}

/** The walk with its scratch space, reused across partitions. */
class Walker {
  readonly length: number;
  private readonly ring: Ring;
  private readonly dcAware: boolean;
  private readonly seen: Int32Array; // by node id: the stamp of the walk that saw it
  private stamp = 0;
  private readonly order: Int32Array; // dc-aware: every node in ring order
  private readonly picked: Uint8Array;
  private readonly chosenPerDc: Int32Array;
  private readonly leftPerDc: Int32Array;

  constructor(ring: Ring, length: number, dcAware: boolean) {
    this.ring = ring;
    this.length = length;
    this.dcAware = dcAware;
    this.seen = new Int32Array(ring.dcOf.length);
    this.order = new Int32Array(dcAware ? ring.walkNodes : 0);
    this.picked = new Uint8Array(this.order.length);
    this.chosenPerDc = new Int32Array(ring.datacenters);
    this.leftPerDc = new Int32Array(ring.datacenters);
  }

  fill(partition: number, out: Int32Array, offset: number): void {
    if (!this.dcAware) {
      this.distinct(partition, out, offset, this.length);
      return;
    }
    const { order, picked, chosenPerDc, leftPerDc } = this;
    const dcOf = this.ring.dcOf;
    this.distinct(partition, order, 0, order.length);
    picked.fill(0);
    chosenPerDc.fill(0);
    leftPerDc.fill(0);
    for (let j = 0; j < order.length; j++) leftPerDc[dcOf[order[j]!]!]!++;
    for (let k = 0; k < this.length; k++) {
      let fewest = Infinity;
      for (let d = 0; d < leftPerDc.length; d++) if (leftPerDc[d]! > 0 && chosenPerDc[d]! < fewest) fewest = chosenPerDc[d]!;
      let j = 0;
      while (picked[j] === 1 || chosenPerDc[dcOf[order[j]!]!] !== fewest) j++;
      const node = order[j]!;
      const dc = dcOf[node]!;
      picked[j] = 1;
      chosenPerDc[dc]!++;
      leftPerDc[dc]!--;
      out[offset + k] = node;
    }
  }

  /** The first `count` distinct nodes clockwise from the partition's coordinator position. */
  private distinct(partition: number, out: Int32Array, offset: number, count: number): void {
    const { walk, walkStart } = this.ring;
    const seen = this.seen;
    const stamp = ++this.stamp;
    let i = walkStart[partition]!;
    let k = 0;
    for (let steps = 0; steps < walk.length && k < count; steps++) {
      const node = walk[i]!;
      if (seen[node] !== stamp) {
        seen[node] = stamp;
        out[offset + k++] = node;
      }
      if (++i === walk.length) i = 0;
    }
    invariant(k === count, `partition ${partition}: found ${k} distinct nodes on the walk, expected ${count}`);
  }
}
