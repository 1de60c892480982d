/**
 * The consistent-hashing ring and its three partitioning strategies (Dynamo §4.2, §6.2). A ring is an
 * immutable value; membership changes return a new ring. Positions, tokens and boundaries are integers
 * in [0, 2^52) (hash.ts says why).
 *
 * 1. T random tokens per node (round(T·weight), at least 1). Partition i is the token range
 *    (tokens[i−1], tokens[i]]: a key belongs to the first token clockwise from its position, a position
 *    equal to a token belongs to that token, and the first range wraps past zero.
 * 2. T random tokens per node; Q equal partitions, p = [⌈p·2^52/Q⌉, ⌈(p+1)·2^52/Q⌉) (sizes differ by at
 *    most one position, none when Q is a power of two). Tokens only place partitions: partition p is
 *    treated like a key at its end point (end mod 2^52), so its coordinator is the owner of the first
 *    token at or after the end, and its replicas follow clockwise over the tokens.
 * 3. Q equal partitions as in 2, each owned by one node (claim.ts decides who: ⌊Q/S⌋ or ⌈Q/S⌉ each,
 *    in proportion to weight); the replicas of p are the owners of p, p+1, ... skipping repeated nodes.
 *    Requires Q >= S.
 *
 * The replica walk of every strategy is one Int32Array of node ids in clockwise order (`walk`: token
 * owners for 1 and 2, partition owners for 3) and the index where each partition's walk starts
 * (`walkStart`); preflist.ts walks it.
 */
import type { RandomStream } from '../../sim/random.js';
import { InvalidOptionError, invariant, requireInteger, requirePositive } from '../../sim/errors.js';
import { RING_SIZE, randomPosition } from './hash.js';
import { claimJoin, claimLeave, initialClaim } from './claim.js';
import { buildPreflists } from './preflist.js';

export type Strategy = 1 | 2 | 3;

/** A node as callers describe it: weight (capacity) defaults to 1, datacenter index to 0. */
export interface NodeSpec {
  readonly id: number;
  readonly weight?: number;
  readonly dc?: number;
}

export interface RingNode {
  readonly id: number;
  readonly weight: number;
  readonly dc: number;
}

/** Node ids index scratch arrays, so they must stay small. */
export const NODE_ID_MAX = 1 << 20;
export const DC_MAX = 1 << 10;
export const TOKENS_PER_NODE_MAX = 1 << 16;
export const PARTITIONS_MAX = 1 << 24;

/**
 * The ring. Frozen; its typed arrays cannot be frozen by JavaScript but are never written after
 * construction, and callers must not write them either.
 */
export interface Ring {
  readonly strategy: Strategy;
  /** T, tokens per unit of weight (strategies 1 and 2; 0 under strategy 3). */
  readonly tokensPerNode: number;
  /** Q under strategies 2 and 3; under strategy 1 the number of token ranges (= tokens). */
  readonly partitions: number;
  /** Strategy 3: claims avoid giving a node two partitions within targetN − 1 positions. */
  readonly targetN: number;
  /** Members, sorted by id. */
  readonly nodes: readonly RingNode[];
  /** Token positions, ascending (strategies 1 and 2; empty under 3). */
  readonly tokens: Float64Array;
  /** Owner of tokens[i]. */
  readonly tokenOwners: Int32Array;
  /** Strategy 3: owner of partition p (empty under 1 and 2). */
  readonly owners: Int32Array;
  /** Strategies 2 and 3: partition p is [starts[p], starts[p+1]); Q + 1 entries (empty under 1). */
  readonly starts: Float64Array;
  /** Node ids in clockwise walk order; see the file comment. */
  readonly walk: Int32Array;
  /** Where partition p's walk starts in `walk`. */
  readonly walkStart: Int32Array;
  /** Distinct nodes on the walk: the longest possible preference list. */
  readonly walkNodes: number;
  /** Datacenter of each node id; −1 for ids that are not members. */
  readonly dcOf: Int32Array;
  /** 1 + the largest datacenter index of a member. */
  readonly datacenters: number;
}

export interface RingOptions {
  readonly strategy: Strategy;
  readonly nodes: readonly NodeSpec[];
  /** T: required for strategies 1 and 2. */
  readonly tokensPerNode?: number;
  /** Q: required for strategies 2 and 3. */
  readonly partitions?: number;
  /** Strategy 3 claim spread (Riak's target_n_val); defaults to DEFAULT_TARGET_N. */
  readonly targetN?: number;
  readonly rng: RandomStream;
}

/** Dynamo's common N; the scenario layer should pass its own N. */
export const DEFAULT_TARGET_N = 3;

/** A half-open clockwise arc [start, end) of the ring; it wraps past zero when end <= start. */
export interface PartitionRange {
  readonly start: number;
  readonly end: number;
}

export function createRing(options: RingOptions): Ring {
  const strategy = options.strategy;
  if (strategy !== 1 && strategy !== 2 && strategy !== 3) throw new InvalidOptionError('strategy', strategy, '1, 2 or 3');
  requireRng(options.rng);
  if (!Array.isArray(options.nodes) || options.nodes.length === 0) {
    throw new InvalidOptionError('nodes', options.nodes, 'a non-empty array of nodes');
  }
  const nodes = options.nodes.map(normalizeNode).sort((a, b) => a.id - b.id);
  for (let i = 1; i < nodes.length; i++) {
    if (nodes[i]!.id === nodes[i - 1]!.id) throw new InvalidOptionError('nodes', nodes[i]!.id, 'unique node ids');
  }
  const tokensPerNode = strategy === 3 ? 0 : requireInteger('tokensPerNode', options.tokensPerNode, 1, TOKENS_PER_NODE_MAX);
  const partitions = strategy === 1 ? 0 : requireInteger('partitions', options.partitions, 1, PARTITIONS_MAX);
  const targetN = requireInteger('targetN', options.targetN ?? DEFAULT_TARGET_N, 1);
  if (strategy === 3) {
    requireRoom(partitions, nodes.length);
    const owners = initialClaim({ nodes, partitions, rng: options.rng });
    return build({ strategy, tokensPerNode, partitions, targetN, nodes, tokens: [], owners });
  }
  const taken = new Set<number>();
  const tokens: Token[] = [];
  for (const node of nodes) drawTokens(node, tokensPerNode, taken, tokens, options.rng);
  return build({ strategy, tokensPerNode, partitions, targetN, nodes, tokens, owners: new Int32Array(0) });
}

/** The ring after `node` joins. Strategies 1, 2: it draws its tokens; 3: it steals partitions. */
export function addNode(ring: Ring, node: NodeSpec, rng: RandomStream): Ring {
  requireRng(rng);
  const joining = normalizeNode(node);
  if (isMember(ring, joining.id)) throw new InvalidOptionError('node id', joining.id, 'an id not already on the ring');
  const nodes = [...ring.nodes, joining].sort((a, b) => a.id - b.id);
  const base = { strategy: ring.strategy, tokensPerNode: ring.tokensPerNode, partitions: ring.partitions, targetN: ring.targetN, nodes };
  if (ring.strategy === 3) {
    requireRoom(ring.partitions, nodes.length);
    const owners = claimJoin({ owners: ring.owners, nodes, joining: joining.id, targetN: ring.targetN, rng });
    for (let p = 0; p < owners.length; p++) {
      invariant(owners[p] === ring.owners[p] || owners[p] === joining.id, `join moved partition ${p} between old nodes`);
    }
    return build({ ...base, tokens: [], owners });
  }
  const tokens = currentTokens(ring);
  const taken = new Set(tokens.map((t) => t.position));
  drawTokens(joining, ring.tokensPerNode, taken, tokens, rng);
  return build({ ...base, tokens, owners: new Int32Array(0) });
}

/** The ring after node `nodeId` leaves. Strategies 1, 2: its tokens go; 3: its partitions are spread. */
export function removeNode(ring: Ring, nodeId: number, rng: RandomStream): Ring {
  requireRng(rng);
  if (!isMember(ring, nodeId)) throw new InvalidOptionError('node id', nodeId, 'the id of a node on the ring');
  const nodes = ring.nodes.filter((n) => n.id !== nodeId);
  if (nodes.length === 0) throw new InvalidOptionError('node id', nodeId, 'a node other than the last one');
  const base = { strategy: ring.strategy, tokensPerNode: ring.tokensPerNode, partitions: ring.partitions, targetN: ring.targetN, nodes };
  if (ring.strategy === 3) {
    const owners = claimLeave({ owners: ring.owners, nodes, leaving: nodeId, targetN: ring.targetN, rng });
    for (let p = 0; p < owners.length; p++) {
      invariant(owners[p] === ring.owners[p] || ring.owners[p] === nodeId, `leave moved partition ${p} of a staying node`);
    }
    return build({ ...base, tokens: [], owners });
  }
  const tokens = currentTokens(ring).filter((t) => t.owner !== nodeId);
  return build({ ...base, tokens, owners: new Int32Array(0) });
}

export function isMember(ring: Ring, nodeId: number): boolean {
  return Number.isInteger(nodeId) && nodeId >= 0 && nodeId < ring.dcOf.length && ring.dcOf[nodeId]! >= 0;
}

export function partitionCount(ring: Ring): number {
  return ring.partitions;
}

/**
 * The partition holding a position (an integer in [0, 2^52), unchecked: this is the request path).
 * Strategy 1: the index of the first token at or after the position (wrapping to 0). Strategies 2 and
 * 3: ⌊position·Q/2^52⌋, exactly: the double product can be off by one near a boundary, so the guess is
 * corrected against the exact boundaries.
 */
export function partitionOf(ring: Ring, position: number): number {
  if (ring.strategy === 1) return firstAtOrAfter(ring.tokens, position);
  const q = ring.partitions;
  const starts = ring.starts;
  let p = Math.floor((position * q) / RING_SIZE);
  if (p >= q) p = q - 1;
  if (position < starts[p]!) p--;
  else if (position >= starts[p + 1]!) p++;
  return p;
}

/** The positions of partition p; under strategy 1 the first range wraps past zero. */
export function partitionRange(ring: Ring, partition: number): PartitionRange {
  requireInteger('partition', partition, 0, ring.partitions - 1);
  if (ring.strategy !== 1) return { start: ring.starts[partition]!, end: ring.starts[partition + 1]! };
  const tokens = ring.tokens;
  const previous = tokens[(partition + tokens.length - 1) % tokens.length]!;
  return { start: (previous + 1) % RING_SIZE, end: tokens[partition]! + 1 };
}

export function rangeContains(range: PartitionRange, position: number): boolean {
  return range.start < range.end
    ? position >= range.start && position < range.end
    : position >= range.start || position < range.end;
}

/** Positions in the range; a range with start === end is the whole ring. */
export function rangeLength(range: PartitionRange): number {
  return range.end > range.start ? range.end - range.start : range.end - range.start + RING_SIZE;
}

/** The partitions whose top-n replicas include `nodeId`, ascending. */
export function replicatedPartitions(ring: Ring, nodeId: number, n: number): number[] {
  const lists = buildPreflists(ring, n);
  const result: number[] = [];
  for (let p = 0; p < ring.partitions; p++) if (lists.get(p).includes(nodeId)) result.push(p);
  return result;
}

/** A range whose top-n replica set differs between two rings. */
export interface RingChange {
  /** The partition of the new ring holding the range. */
  readonly partition: number;
  /** The whole partition under strategies 2 and 3; under 1, the changed part of a token range. */
  readonly range: PartitionRange;
  /** Replicas before and after, in preference order. */
  readonly before: readonly number[];
  readonly after: readonly number[];
}

/**
 * What a membership change must transfer: every range whose set of top-n replicas changed, with the
 * old and new replicas (a change of order alone moves no data and is not listed). The ring is cut at
 * the partition boundaries of both rings; each piece lies in one partition of each, and consecutive
 * pieces of one new partition with the same change are merged. Under strategy 1 a partition can
 * therefore appear more than once (a leave merges token ranges whose old replicas differed).
 */
export function ringDiff(before: Ring, after: Ring, n: number): RingChange[] {
  if (before.strategy !== after.strategy) throw new InvalidOptionError('ringDiff rings', [before.strategy, after.strategy], 'two rings of one strategy');
  const oldLists = buildPreflists(before, n);
  const newLists = buildPreflists(after, n);
  const cuts = [...new Set([...boundaries(before), ...boundaries(after)])].sort((a, b) => a - b);
  const changes: RingChange[] = [];
  for (let k = 0; k < cuts.length; k++) {
    const start = cuts[k]!;
    const end = k + 1 < cuts.length ? cuts[k + 1]! : cuts[0]! === 0 ? RING_SIZE : cuts[0]!;
    const oldList = oldLists.get(partitionOf(before, start));
    const partition = partitionOf(after, start);
    const newList = newLists.get(partition);
    if (sameSet(oldList, newList)) continue;
    const last = changes[changes.length - 1];
    if (last !== undefined && last.partition === partition && last.range.end === start && sameOrder(last.before, oldList) && sameOrder(last.after, newList)) {
      changes[changes.length - 1] = { ...last, range: { start: last.range.start, end } };
    } else {
      changes.push({ partition, range: { start, end }, before: Array.from(oldList), after: Array.from(newList) });
    }
  }
  // The piece before the first cut and the one after the last may be one wrapped range.
  const first = changes[0];
  const last = changes[changes.length - 1];
  if (changes.length > 1 && first !== undefined && last !== undefined && first.partition === last.partition
    && last.range.end % RING_SIZE === first.range.start && sameOrder(first.before, last.before) && sameOrder(first.after, last.after)) {
    changes[0] = { ...first, range: { start: last.range.start, end: first.range.end } };
    changes.pop();
  }
  return changes;
}

/**
 * The membership metadata a node holds and gossips, in bytes (the x axis of the paper's Figure 8).
 * Strategies 1 and 2: S·T tokens, each a 16-byte (128-bit MD5) position plus a 4-byte node id:
 * 20·S·T. Strategy 3: the partition → node table, Q entries of the smallest whole number of bytes that
 * holds any member's id (1 byte below 256 ids); the partition boundaries are implicit in Q.
 * At S = 30, T = 64, Q = 1024 this is 38,400 bytes against 1,024, a ratio of only 37.5, and at that
 * size strategy 1 balances worse (efficiency 0.81-0.89 with N = 3, against 0.975). The paper's "three
 * orders of magnitude" holds at equal balance: strategy 1 needed T = 2048-4096 to reach 0.97-0.98
 * (seeds 1-3), i.e. 1.2-2.5 MB, 1,200-2,400 times strategy 3's 1 KB.
 */
export function metadataBytes(ring: Ring): number {
  if (ring.strategy !== 3) return ring.tokens.length * (16 + 4);
  const idMax = ring.nodes[ring.nodes.length - 1]!.id;
  const bytesPerEntry = idMax < 1 << 8 ? 1 : idMax < 1 << 16 ? 2 : 4;
  return ring.partitions * bytesPerEntry;
}

/** Figure 8's load-balancing efficiency: mean load ÷ the hottest node's load. */
export function balanceEfficiency(loads: readonly number[]): number {
  if (loads.length === 0) throw new InvalidOptionError('loads', loads, 'a non-empty array');
  let sum = 0;
  let max = 0;
  for (const load of loads) {
    if (!(load >= 0) || !Number.isFinite(load)) throw new InvalidOptionError('load', load, 'a finite number >= 0');
    sum += load;
    if (load > max) max = load;
  }
  return max === 0 ? 1 : sum / loads.length / max;
}

/**
 * The fraction of the key space each node stores with n replicas: the sum, over the partitions it
 * replicates, of partition size ÷ 2^52. Keyed by node id, in id order; the shares add up to min(n, S).
 */
export function loadShares(ring: Ring, n: number): Map<number, number> {
  const lists = buildPreflists(ring, n);
  const shares = new Map<number, number>(ring.nodes.map((node) => [node.id, 0]));
  for (let p = 0; p < ring.partitions; p++) {
    const share = rangeLength(partitionRange(ring, p)) / RING_SIZE;
    for (const id of lists.get(p)) shares.set(id, shares.get(id)! + share);
  }
  return shares;
}

// ---------------------------------------------------------------------------------------------------

interface Token {
  readonly position: number;
  readonly owner: number;
}

function build(parts: {
  strategy: Strategy;
  tokensPerNode: number;
  partitions: number;
  targetN: number;
  nodes: readonly RingNode[];
  tokens: Token[];
  owners: Int32Array;
}): Ring {
  const { strategy, nodes } = parts;
  const sorted = [...parts.tokens].sort((a, b) => a.position - b.position);
  const tokens = Float64Array.from(sorted, (t) => t.position);
  const tokenOwners = Int32Array.from(sorted, (t) => t.owner);
  const partitions = strategy === 1 ? tokens.length : parts.partitions;
  const starts = strategy === 1 ? new Float64Array(0) : equalStarts(partitions);

  let walk: Int32Array;
  let walkStart: Int32Array;
  if (strategy === 3) {
    invariant(parts.owners.length === partitions, 'one owner per partition');
    walk = parts.owners;
    walkStart = Int32Array.from({ length: partitions }, (_, p) => p);
  } else {
    walk = tokenOwners;
    walkStart = strategy === 1
      ? Int32Array.from({ length: partitions }, (_, p) => p)
      : Int32Array.from({ length: partitions }, (_, p) => firstAtOrAfter(tokens, starts[p + 1]! % RING_SIZE));
  }

  const dcOf = new Int32Array(nodes[nodes.length - 1]!.id + 1).fill(-1);
  for (const node of nodes) dcOf[node.id] = node.dc;
  const onWalk = new Set<number>();
  for (const id of walk) {
    if (!(id >= 0 && id < dcOf.length && dcOf[id]! >= 0)) invariant(false, `walk holds node ${id}, not a member`);
    onWalk.add(id);
  }
  return Object.freeze({
    strategy,
    tokensPerNode: parts.tokensPerNode,
    partitions,
    targetN: parts.targetN,
    nodes: Object.freeze(nodes.map((n) => Object.freeze({ ...n }))),
    tokens,
    tokenOwners,
    owners: strategy === 3 ? parts.owners : new Int32Array(0),
    starts,
    walk,
    walkStart,
    walkNodes: onWalk.size,
    dcOf,
    datacenters: 1 + Math.max(...nodes.map((n) => n.dc)),
  });
}

/**
 * start(p) = ⌈p·2^52/Q⌉ in exact double arithmetic: with 2^52 = base·Q + rem,
 * start(p) = p·base + ⌈p·rem/Q⌉, where every product stays below 2^53 (p, rem < Q <= 2^24), and a
 * quotient of integers below 2^48 by Q is never rounded across an integer.
 */
function equalStarts(q: number): Float64Array {
  let base = Math.floor(RING_SIZE / q);
  while (base * q > RING_SIZE) base--;
  while ((base + 1) * q <= RING_SIZE) base++;
  const rem = RING_SIZE - base * q;
  const starts = new Float64Array(q + 1);
  for (let p = 0; p <= q; p++) starts[p] = p * base + Math.ceil((p * rem) / q);
  invariant(starts[q] === RING_SIZE, 'partitions cover the ring');
  return starts;
}

/** Index of the first token >= position, or 0 past the last token (the wrap). */
function firstAtOrAfter(tokens: Float64Array, position: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tokens[mid]! < position) lo = mid + 1;
    else hi = mid;
  }
  return lo === tokens.length ? 0 : lo;
}

function boundaries(ring: Ring): number[] {
  if (ring.strategy !== 1) return Array.from(ring.starts.subarray(0, ring.partitions));
  return Array.from(ring.tokens, (t) => (t + 1) % RING_SIZE);
}

function currentTokens(ring: Ring): Token[] {
  return Array.from(ring.tokens, (position, i) => ({ position, owner: ring.tokenOwners[i]! }));
}

function drawTokens(node: RingNode, tokensPerNode: number, taken: Set<number>, out: Token[], rng: RandomStream): void {
  const count = Math.max(1, Math.round(tokensPerNode * node.weight));
  for (let i = 0; i < count; i++) {
    let position = randomPosition(rng);
    while (taken.has(position)) position = randomPosition(rng);
    taken.add(position);
    out.push({ position, owner: node.id });
  }
}

function normalizeNode(spec: NodeSpec): RingNode {
  if (typeof spec !== 'object' || spec === null) throw new InvalidOptionError('node', spec, 'an object { id, weight?, dc? }');
  return {
    id: requireInteger('node id', spec.id, 0, NODE_ID_MAX),
    weight: requirePositive('node weight', spec.weight ?? 1),
    dc: requireInteger('node dc', spec.dc ?? 0, 0, DC_MAX),
  };
}

function requireRoom(partitions: number, nodes: number): void {
  if (partitions < nodes) throw new InvalidOptionError('partitions', partitions, `at least one partition per node (Q >= S = ${nodes}) under strategy 3`);
}

function requireRng(rng: unknown): void {
  if (typeof rng !== 'object' || rng === null || typeof (rng as { next?: unknown }).next !== 'function') {
    throw new InvalidOptionError('rng', rng, 'a RandomStream');
  }
}

function sameSet(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Array.prototype.includes.call(b, a[i])) return false;
  return true;
}

function sameOrder(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
