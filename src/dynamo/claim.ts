/**
 * Partition claim for strategy 3 (Dynamo §6.2): Q equal partitions, each owned by one node, every node
 * holding its share of the Q partitions. Plain functions over an owners array (partition → node id);
 * randomness only through the RandomStream argument.
 *
 * Shares. A node of weight w among members of total weight W has the quota q = Q·w/W partitions. The
 * balance rule is that every node holds ⌊q⌋ or ⌈q⌉ partitions (with equal weights: ⌊Q/S⌋ or ⌈Q/S⌉).
 * The initial claim rounds the quotas by largest remainder (Hamilton's method; ties in the order of an
 * rng shuffle of the nodes), which always meets the rule. Joins and leaves then move partitions one at a
 * time; only the joiner receives and only the leaver's partitions move (no reshuffling among the others):
 * - a join takes from old nodes above their ceiling first, then, while the joiner is below its floor
 *   or a move narrows the gap between a donor's deviation (count − quota) and the joiner's by more
 *   than one, from nodes above their floor; always from the donors of largest deviation;
 * - a leave gives each of the leaver's partitions to a node below its floor if any, else below its
 *   ceiling; always to the recipients of smallest deviation.
 * With equal weights this provably keeps every node at ⌊Q/S⌋ or ⌈Q/S⌉ (the counts stay within one of
 * each other and add up to Q). With unequal weights no rule can promise both the quota bounds and "move
 * only the changing node's partitions" (an apportionment paradox, Balinski and Young: from counts
 * (6, 6, 4, 4) at quotas (5.01, 5.01, 4.99, 4.99), a join of quota 0.04 must take 2 partitions to bring
 * the first two nodes down to their ceiling of 5, and 2 is above the joiner's ceiling of 1; a leave can
 * lift several nodes' floors at once by more than the leaver held). The move rule then wins and some
 * node ends outside its bounds. In random joins and leaves (1 to 12 nodes, Q from 16 to 1024) that
 * happened in 0 of 180,000 changes with weights 1 and 2, 5 of 180,000 with weights 1, 2, 3, and about
 * once in 500 with weights 0.1, 1, 5 (worst: 2.004 partitions from the quota). `withinQuota` checks
 * the bounds. A node whose quota is below one may own no partition, and is then absent from every
 * preference list.
 *
 * Spread. The replicas of partition p are the owners of p, p+1, ... skipping repeats (preflist.ts), so
 * a node holding two partitions less than targetN apart serves fewer distinct key ranges than it could.
 * Among the moves the rule allows, claim prefers one that gives the receiver a partition with no other
 * partition of its own within targetN − 1 positions (Riak's target_n_val); ties break by a random
 * starting point drawn from the rng. Balance always wins over spread.
 */
import type { RandomStream } from '../../sim/random.js';
import { invariant } from '../../sim/errors.js';

export interface ClaimNode {
  readonly id: number;
  readonly weight: number;
}

/** Partitions each node should hold: Q·w/W, aligned with `nodes`. */
export function quotas(nodes: readonly ClaimNode[], partitions: number): number[] {
  const total = totalWeight(nodes);
  return nodes.map((n) => (partitions * n.weight) / total);
}

/** How many partitions each node holds, aligned with `nodes` (owners not in `nodes` are ignored). */
export function ownerCounts(owners: ArrayLike<number>, nodes: readonly ClaimNode[]): number[] {
  const index = indexById(nodes);
  const counts = new Array<number>(nodes.length).fill(0);
  for (let p = 0; p < owners.length; p++) {
    const i = index.get(owners[p]!);
    if (i !== undefined) counts[i]!++;
  }
  return counts;
}

/** True when every node holds ⌊quota⌋ or ⌈quota⌉ partitions and every partition has a listed owner. */
export function withinQuota(owners: ArrayLike<number>, nodes: readonly ClaimNode[]): boolean {
  const counts = ownerCounts(owners, nodes);
  if (counts.reduce((a, b) => a + b, 0) !== owners.length) return false;
  const q = quotas(nodes, owners.length);
  return counts.every((c, i) => c >= floorOfQuota(q[i]!) && c <= ceilOfQuota(q[i]!));
}

/**
 * Partitions p whose owner also owns one of the next targetN − 1 partitions (cyclically): the places
 * where a preference list has to skip a position. 0 is a perfectly spread ring.
 */
export function spreadViolations(owners: ArrayLike<number>, targetN: number): number {
  const q = owners.length;
  const span = Math.min(targetN - 1, q - 1);
  let violations = 0;
  for (let p = 0; p < q; p++) {
    for (let k = 1; k <= span; k++) {
      if (owners[(p + k) % q] === owners[p]) {
        violations++;
        break;
      }
    }
  }
  return violations;
}

/** A balanced, spread initial ownership of `partitions` partitions. */
export function initialClaim(options: {
  nodes: readonly ClaimNode[];
  partitions: number;
  rng: RandomStream;
}): Int32Array {
  const { nodes, partitions, rng } = options;
  invariant(nodes.length > 0, 'initial claim needs at least one node');
  const order = rng.shuffle(nodes.map((_, i) => i));
  const q = quotas(nodes, partitions);

  // Hamilton: floors first, then one more to the largest remainders (ties: shuffled order).
  const counts = q.map((x) => Math.floor(x));
  let left = partitions - counts.reduce((a, b) => a + b, 0);
  const byRemainder = [...order].sort((a, b) => q[b]! - counts[b]! - (q[a]! - counts[a]!));
  for (let k = 0; left > 0; k++, left--) counts[byRemainder[k % byRemainder.length]!]!++;

  // Smooth weighted round-robin: every node's partitions are as evenly spaced as its share allows,
  // so with S >= targetN no node holds two partitions close together.
  const owners = new Int32Array(partitions);
  const current = new Float64Array(nodes.length);
  for (let p = 0; p < partitions; p++) {
    let best = -1;
    for (const i of order) {
      current[i]! += counts[i]!;
      if (best < 0 || current[i]! > current[best]!) best = i;
    }
    current[best]! -= partitions;
    owners[p] = nodes[best]!.id;
  }
  return owners;
}

/**
 * Ownership after `joining` joins. `nodes` are the members after the join (the joiner included);
 * partitions move only from old nodes to the joiner.
 */
export function claimJoin(options: {
  owners: ArrayLike<number>;
  nodes: readonly ClaimNode[];
  joining: number;
  targetN: number;
  rng: RandomStream;
}): Int32Array {
  const { nodes, joining, targetN, rng } = options;
  const owners = Int32Array.from(options.owners);
  const shares = new Shares(nodes, owners);
  const joiner = shares.indexOf(joining);
  invariant(joiner >= 0, `joining node ${joining} is not among the members`);
  invariant(shares.counts[joiner] === 0, `joining node ${joining} already owns partitions`);
  const isDonor = new Uint8Array(nodes.length);
  for (;;) {
    // Donors, by priority: nodes above their ceiling; else, while the joiner is below its floor or
    // a move narrows the gap, nodes above their floor. The most over-quota donors give first.
    const canGive = (i: number): boolean => i !== joiner && shares.counts[i]! > shares.floor[i]!;
    const overCeil = (i: number): boolean => canGive(i) && shares.counts[i]! > shares.ceil[i]!;
    const forced = nodes.some((_, i) => overCeil(i));
    const inPool = forced ? overCeil : canGive;
    const top = shares.extreme(inPool, 1);
    if (top < 0) break;
    if (!forced) {
      const joinerCount = shares.counts[joiner]!;
      const needed = joinerCount < shares.floor[joiner]!;
      const narrows = joinerCount < shares.ceil[joiner]! && shares.compare(top, joiner) > 1;
      if (!needed && !narrows) break;
    }
    for (let i = 0; i < nodes.length; i++) isDonor[i] = inPool(i) && shares.compare(i, top) === 0 ? 1 : 0;
    const p = bestPartition(owners, targetN, rng, joining, (owner) => {
      const i = shares.indexOf(owner);
      return i >= 0 && isDonor[i] === 1;
    });
    invariant(p >= 0, 'a donor with partitions exists');
    shares.move(p, joiner);
  }
  return owners;
}

/**
 * Ownership after `leaving` leaves. `nodes` are the members after the leave (the leaver excluded);
 * only the leaver's partitions move.
 */
export function claimLeave(options: {
  owners: ArrayLike<number>;
  nodes: readonly ClaimNode[];
  leaving: number;
  targetN: number;
  rng: RandomStream;
}): Int32Array {
  const { nodes, leaving, targetN, rng } = options;
  invariant(nodes.length > 0, 'the last node cannot leave');
  const owners = Int32Array.from(options.owners);
  const pending: number[] = [];
  for (let p = 0; p < owners.length; p++) if (owners[p] === leaving) pending.push(p);
  const shares = new Shares(nodes, owners);
  invariant(shares.indexOf(leaving) < 0, `leaving node ${leaving} is still among the members`);
  const isRecipient = new Uint8Array(nodes.length);
  const belowFloor = (i: number): boolean => shares.counts[i]! < shares.floor[i]!;
  const belowCeil = (i: number): boolean => shares.counts[i]! < shares.ceil[i]!;
  const anyone = (): boolean => true;
  while (pending.length > 0) {
    // Recipients, by priority: nodes below their floor, else below their ceiling, else anyone (only
    // when weights make the bounds unreachable); the most under-quota first.
    const inPool = nodes.some((_, i) => belowFloor(i)) ? belowFloor : nodes.some((_, i) => belowCeil(i)) ? belowCeil : anyone;
    const low = shares.extreme(inPool, -1);
    for (let i = 0; i < nodes.length; i++) isRecipient[i] = inPool(i) && shares.compare(i, low) === 0 ? 1 : 0;
    // Best (partition, recipient) pair: fewest own partitions within targetN − 1 of the partition.
    const start = rng.int(0, pending.length - 1);
    let bestK = -1;
    let bestNode = -1;
    let bestScore = Infinity;
    search: for (let s = 0; s < pending.length; s++) {
      const k = (start + s) % pending.length;
      for (let i = 0; i < nodes.length; i++) {
        if (isRecipient[i] !== 1) continue;
        const score = nearby(owners, pending[k]!, nodes[i]!.id, targetN);
        if (score < bestScore) {
          bestScore = score;
          bestK = k;
          bestNode = i;
          if (score === 0) break search;
        }
      }
    }
    const p = pending[bestK]!;
    pending[bestK] = pending[pending.length - 1]!;
    pending.pop();
    shares.move(p, bestNode);
  }
  return owners;
}

/**
 * Counts, quotas and their bounds for the members. Deviations (count − quota) are compared so that
 * with equal weights the quota terms cancel exactly instead of being subtracted as rounded doubles.
 */
class Shares {
  readonly counts: number[];
  /** ⌊quota⌋ and ⌈quota⌉, with a tolerance for quotas a rounding away from an integer. */
  readonly floor: number[];
  readonly ceil: number[];
  private readonly nodes: readonly ClaimNode[];
  private readonly owners: Int32Array;
  private readonly index: Map<number, number>;
  private readonly perWeight: number;

  constructor(nodes: readonly ClaimNode[], owners: Int32Array) {
    this.nodes = nodes;
    this.owners = owners;
    this.index = indexById(nodes);
    this.counts = ownerCounts(owners, nodes);
    const q = quotas(nodes, owners.length);
    this.floor = q.map(floorOfQuota);
    this.ceil = q.map(ceilOfQuota);
    this.perWeight = owners.length / totalWeight(nodes);
  }

  indexOf(id: number): number {
    return this.index.get(id) ?? -1;
  }

  /** deviation(a) − deviation(b), where deviation = count − quota. */
  compare(a: number, b: number): number {
    return this.counts[a]! - this.counts[b]! - this.perWeight * (this.nodes[a]!.weight - this.nodes[b]!.weight);
  }

  /** The member passing `inPool` with the largest (sign 1) or smallest (sign −1) deviation; −1 if none. */
  extreme(inPool: (i: number) => boolean, sign: 1 | -1): number {
    let best = -1;
    for (let i = 0; i < this.nodes.length; i++) {
      if (inPool(i) && (best < 0 || sign * this.compare(i, best) > 0)) best = i;
    }
    return best;
  }

  move(partition: number, to: number): void {
    const from = this.indexOf(this.owners[partition]!);
    if (from >= 0) this.counts[from]!--;
    this.counts[to]!++;
    this.owners[partition] = this.nodes[to]!.id;
  }
}

const QUOTA_TOLERANCE = 1e-9;

function floorOfQuota(q: number): number {
  return Math.floor(q + QUOTA_TOLERANCE);
}

function ceilOfQuota(q: number): number {
  return Math.ceil(q - QUOTA_TOLERANCE);
}

/** Number of partitions within targetN − 1 positions of p (either side) owned by `id`. */
function nearby(owners: Int32Array, p: number, id: number, targetN: number): number {
  const q = owners.length;
  const span = Math.min(targetN - 1, Math.floor((q - 1) / 2));
  let n = 0;
  for (let k = 1; k <= span; k++) {
    if (owners[(p + k) % q] === id) n++;
    if (owners[(p - k + q) % q] === id) n++;
  }
  return n;
}

/** The partition, among those whose owner passes `eligible`, that gives `receiver` the best spread. */
function bestPartition(
  owners: Int32Array,
  targetN: number,
  rng: RandomStream,
  receiver: number,
  eligible: (owner: number) => boolean,
): number {
  const q = owners.length;
  const start = rng.int(0, q - 1);
  let best = -1;
  let bestScore = Infinity;
  for (let s = 0; s < q; s++) {
    const p = (start + s) % q;
    if (!eligible(owners[p]!)) continue;
    const score = nearby(owners, p, receiver, targetN);
    if (score < bestScore) {
      best = p;
      bestScore = score;
      if (score === 0) break;
    }
  }
  return best;
}

function totalWeight(nodes: readonly ClaimNode[]): number {
  return nodes.reduce((a, n) => a + n.weight, 0);
}

function indexById(nodes: readonly ClaimNode[]): Map<number, number> {
  return new Map(nodes.map((n, i) => [n.id, i]));
}
