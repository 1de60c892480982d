/**
 * Membership as a persisted history of administrator commands (paper §4.8.1). Pure: values in,
 * values out; gossip.ts spreads histories, this file says what they mean.
 *
 * - A node joins or leaves only by an explicit command. Each command is one change
 *   `{ seq, node, kind, weight, dc, atUs, issuer }`: `issuer` is the node the administrator talked to,
 *   `atUs` its local clock when it recorded the change, `seq` its own counter.
 * - Changes are totally ordered by (atUs, issuer, seq), then by the remaining fields, so the order is
 *   a total order on the changes' whole content: two changes compare equal only when they are the
 *   same change. Every node sorts identically, whatever order it learned them in.
 * - A history is the sorted set of changes plus the ring parameters of the cluster (strategy, T, Q,
 *   targetN and the cluster's seed). Merging is set union: commutative, associative and idempotent,
 *   so gossip converges whatever the order of exchanges (test/dynamo/membership.test.ts).
 * - The ring is derived from the history: replay the changes in order with createRing, addNode and
 *   removeNode, each drawing from a random stream seeded by the history itself (the cluster seed and
 *   the digest of the history up to and including that change), never from a node's own stream. Every
 *   node holding the same history therefore derives the same ring, token placement included. The
 *   paper gossips the membership history and the node→token map separately; here the map is implied
 *   by the history, which is equivalent once the order is total and the derivation deterministic, and
 *   it is testable ("same history ⇒ same ring").
 *
 * Replay rules, so every history has exactly one meaning:
 * - Founding: the leading run of joins that share the first change's atUs is applied as one createRing
 *   call (an operator bringing up several nodes at once; the cluster builder's initial members carry
 *   atUs 0). Its stream is named 'ring' from the cluster seed, the name the cluster builder uses, so the
 *   founding ring is the builder's ring.
 * - A change that cannot apply is ignored (and reported by `replayMembership`): a join of a member, a
 *   leave or removal of a non-member, the removal of the last member, a join beyond Q members under
 *   strategy 3. Rejoining after a leave is a fresh join.
 *
 * Derived rings are cached by the digest of the history (and of its prefixes past the founding run),
 * so reconciling equal histories costs a lookup and one new change costs one addNode or removeNode.
 */
import { InvalidOptionError, invariant, requireInteger } from '../../sim/errors.js';
import { RandomStream, parseSeed, type Seed } from '../../sim/random.js';
import { fmix32, mixInt, mixWord } from './hash32.js';
import { DC_MAX, NODE_ID_MAX, addNode, createRing, isMember, removeNode, type Ring, type RingNode, type Strategy } from './ring.js';

export type ChangeKind = 'join' | 'leave' | 'remove';

export interface MembershipChange {
  /** The issuer's own counter (1, 2, ...). */
  readonly seq: number;
  /** The node joining, leaving or being removed. */
  readonly node: number;
  readonly kind: ChangeKind;
  /** Capacity weight of a joining node (1 otherwise). */
  readonly weight: number;
  /** Datacenter index of a joining node (0 otherwise). */
  readonly dc: number;
  /** The issuer's local clock when it recorded the change. */
  readonly atUs: number;
  /** The node the administrator issued the command on. */
  readonly issuer: number;
}

/** What every member of one cluster agrees on before any change: how rings are built. */
export interface RingParams {
  readonly strategy: Strategy;
  /** T (strategies 1 and 2; 0 under 3). */
  readonly tokensPerNode: number;
  /** Q (strategies 2 and 3; 0 under 1). */
  readonly partitions: number;
  readonly targetN: number;
  /** The cluster's seed: the root of every stream the derivation draws from. */
  readonly seed: Seed;
}

export interface MembershipHistory {
  readonly params: RingParams;
  /** Sorted by `compareChanges`, without duplicates. */
  readonly changes: readonly MembershipChange[];
  /** 16 hex digits over the parameters and the changes in order. */
  readonly digest: string;
}

const KINDS: readonly ChangeKind[] = ['join', 'leave', 'remove'];

/**
 * Bytes on the wire. A change: seq 4 + node 4 + kind 1 + weight 8 + dc 2 + atUs 8 + issuer 4 = 31.
 * The parameters: strategy 1 + T 4 + Q 4 + targetN 4 + the seed (up to 40 characters) = 53 at most.
 */
export const CHANGE_BYTES = 31;
export const PARAMS_BYTES = 53;

/** The size of a history (what a full push costs): the parameters plus every change. */
export function historySizeBytes(history: MembershipHistory): number {
  return PARAMS_BYTES + CHANGE_BYTES * history.changes.length;
}

/** The size of a list of changes sent on their own (with the parameters, so the receiver can check them). */
export function changesSizeBytes(changes: readonly MembershipChange[]): number {
  return PARAMS_BYTES + CHANGE_BYTES * changes.length;
}

// ---- values -----------------------------------------------------------------------------------

/** Validate and freeze ring parameters. */
export function ringParams(input: { strategy: Strategy; tokensPerNode?: number; partitions?: number; targetN: number; seed: Seed | string | number | bigint }): RingParams {
  const strategy = input.strategy;
  if (strategy !== 1 && strategy !== 2 && strategy !== 3) throw new InvalidOptionError('membership strategy', strategy, '1, 2 or 3');
  return Object.freeze({
    strategy,
    tokensPerNode: strategy === 3 ? 0 : requireInteger('membership tokensPerNode', input.tokensPerNode, 1),
    partitions: strategy === 1 ? 0 : requireInteger('membership partitions', input.partitions, 1),
    targetN: requireInteger('membership targetN', input.targetN, 1),
    seed: parseSeed(input.seed, 'membership seed'),
  });
}

/** The parameters a ring was built with (its seed is not in the ring: the caller supplies it). */
export function paramsOfRing(ring: Ring, seed: Seed | string | number | bigint): RingParams {
  return ringParams({ strategy: ring.strategy, tokensPerNode: ring.tokensPerNode, partitions: ring.partitions, targetN: ring.targetN, seed });
}

export function sameParams(a: RingParams, b: RingParams): boolean {
  return a === b || (a.strategy === b.strategy && a.tokensPerNode === b.tokensPerNode && a.partitions === b.partitions && a.targetN === b.targetN && a.seed === b.seed);
}

/** Validate and freeze one change. */
export function membershipChange(input: MembershipChange): MembershipChange {
  if (typeof input !== 'object' || input === null) throw new InvalidOptionError('membership change', input, 'an object');
  if (!KINDS.includes(input.kind)) throw new InvalidOptionError('membership change kind', input.kind, 'join, leave or remove');
  const weight = input.weight;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) throw new InvalidOptionError('membership change weight', weight, 'a finite number > 0');
  return Object.freeze({
    seq: requireInteger('membership change seq', input.seq, 1, Number.MAX_SAFE_INTEGER),
    node: requireInteger('membership change node', input.node, 0, NODE_ID_MAX),
    kind: input.kind,
    weight,
    dc: requireInteger('membership change dc', input.dc, 0, DC_MAX),
    atUs: requireInteger('membership change atUs', input.atUs, 0, Number.MAX_SAFE_INTEGER),
    issuer: requireInteger('membership change issuer', input.issuer, 0, NODE_ID_MAX),
  });
}

/** The total order: (atUs, issuer, seq), then node, kind, weight, dc. */
export function compareChanges(a: MembershipChange, b: MembershipChange): number {
  return a.atUs - b.atUs || a.issuer - b.issuer || a.seq - b.seq || a.node - b.node
    || KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind) || a.weight - b.weight || a.dc - b.dc;
}

/** A history from any collection of changes (sorted, deduplicated, digested, frozen). */
export function makeHistory(params: RingParams, changes: readonly MembershipChange[]): MembershipHistory {
  const sorted = changes.map(membershipChange).sort(compareChanges);
  const unique: MembershipChange[] = [];
  for (const c of sorted) if (unique.length === 0 || compareChanges(unique[unique.length - 1]!, c) !== 0) unique.push(c);
  return seal(params, unique);
}

/** A cluster that knows no member yet (a node that has not joined, before it hears from a seed). */
export function emptyHistory(params: RingParams): MembershipHistory {
  return seal(params, []);
}

/**
 * The history of a cluster founded with `nodes` at once: one join per node, in id order, all at
 * atUs 0 and issued by the lowest id. Its ring is createRing(nodes) with the stream 'ring' of the seed.
 */
export function bootstrapHistory(params: RingParams, nodes: readonly { id: number; weight?: number; dc?: number }[]): MembershipHistory {
  if (nodes.length === 0) throw new InvalidOptionError('bootstrap nodes', nodes, 'at least one node');
  const sorted = [...nodes].sort((a, b) => a.id - b.id);
  const issuer = sorted[0]!.id;
  return makeHistory(params, sorted.map((n, i): MembershipChange => ({ seq: i + 1, node: n.id, kind: 'join', weight: n.weight ?? 1, dc: n.dc ?? 0, atUs: 0, issuer })));
}

/** Union of two histories of one cluster. */
export function mergeHistories(a: MembershipHistory, b: MembershipHistory): MembershipHistory {
  if (!sameParams(a.params, b.params)) throw new InvalidOptionError('membership histories', [a.params, b.params], 'histories of one cluster (same ring parameters and seed)');
  if (a.digest === b.digest && a.changes.length === b.changes.length) return a;
  const x = a.changes;
  const y = b.changes;
  const out: MembershipChange[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (j >= y.length) out.push(x[i++]!);
    else if (i >= x.length) out.push(y[j++]!);
    else {
      const c = compareChanges(x[i]!, y[j]!);
      if (c < 0) out.push(x[i++]!);
      else if (c > 0) out.push(y[j++]!);
      else {
        out.push(x[i++]!);
        j++;
      }
    }
  }
  if (out.length === x.length) return a;
  if (out.length === y.length) return b;
  return seal(a.params, out);
}

/** The changes of `from` that `other` lacks (what a push-pull exchange sends back). */
export function changesMissing(from: MembershipHistory, other: MembershipHistory): MembershipChange[] {
  const out: MembershipChange[] = [];
  const y = other.changes;
  let j = 0;
  for (const c of from.changes) {
    while (j < y.length && compareChanges(y[j]!, c) < 0) j++;
    if (j < y.length && compareChanges(y[j]!, c) === 0) continue;
    out.push(c);
  }
  return out;
}

/** The history with one more change. */
export function appendChange(history: MembershipHistory, change: MembershipChange): MembershipHistory {
  return mergeHistories(history, seal(history.params, [membershipChange(change)]));
}

/** The next `seq` for changes issued by `issuer`: one above its highest in the history. */
export function nextSeq(history: MembershipHistory, issuer: number): number {
  let max = 0;
  for (const c of history.changes) if (c.issuer === issuer && c.seq > max) max = c.seq;
  return max + 1;
}

/** The latest atUs in the history (−1 when empty). */
export function latestAtUs(history: MembershipHistory): number {
  const last = history.changes[history.changes.length - 1];
  return last === undefined ? -1 : last.atUs;
}

// ---- the derived ring -------------------------------------------------------------------------

export interface Replay {
  /** null while the history holds no applicable join. */
  readonly ring: Ring | null;
  /** Changes that could not apply (see the file comment). */
  readonly ignored: readonly MembershipChange[];
}

const RING_CACHE_MAX = 4_096;
/**
 * Derived rings by history (or prefix) digest. A pure function's cache: sharing it across the nodes
 * of a world, or across worlds, changes no outcome. Bounded: when full it starts over.
 */
const ringCache = new Map<string, Ring>();

/** The ring a history implies (cached; null when it has no member). */
export function deriveRing(history: MembershipHistory): Ring | null {
  if (history.changes.length === 0) return null;
  const hit = ringCache.get(history.digest);
  if (hit !== undefined) return hit;
  return replay(history, true).ring;
}

/** The same derivation without the cache, with the ignored changes: for tests and reports. */
export function replayMembership(history: MembershipHistory): Replay {
  return replay(history, false);
}

/** Member ids of the derived ring, ascending (empty when none). */
export function membersOf(history: MembershipHistory): number[] {
  const ring = deriveRing(history);
  return ring === null ? [] : ring.nodes.map((n) => n.id);
}

/** Whether two rings are the same value: members, tokens and owners. */
export function sameRing(a: Ring, b: Ring): boolean {
  if (a === b) return true;
  if (a.strategy !== b.strategy || a.tokensPerNode !== b.tokensPerNode || a.partitions !== b.partitions || a.targetN !== b.targetN) return false;
  if (a.nodes.length !== b.nodes.length) return false;
  for (let i = 0; i < a.nodes.length; i++) {
    const x = a.nodes[i]!;
    const y = b.nodes[i]!;
    if (x.id !== y.id || x.weight !== y.weight || x.dc !== y.dc) return false;
  }
  return sameArray(a.tokens, b.tokens) && sameArray(a.tokenOwners, b.tokenOwners) && sameArray(a.owners, b.owners);
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function replay(history: MembershipHistory, useCache: boolean): Replay {
  const { params, changes } = history;
  const ignored: MembershipChange[] = [];
  if (changes.length === 0) return { ring: null, ignored };
  // The founding run: joins at the first change's instant.
  let foundingEnd = 0;
  while (foundingEnd < changes.length && changes[foundingEnd]!.kind === 'join' && changes[foundingEnd]!.atUs === changes[0]!.atUs) foundingEnd++;
  // Prefix digests: keys[k] names the history of the first k changes.
  const keys: string[] = new Array<string>(changes.length + 1);
  const fold = Fold.ofParams(params);
  keys[0] = fold.hex();
  for (let k = 0; k < changes.length; k++) {
    fold.change(changes[k]!);
    keys[k + 1] = fold.hex();
  }
  invariant(keys[changes.length] === history.digest, 'a history digest is the digest of its changes');

  let ring: Ring | null = null;
  let k = changes.length;
  if (useCache) {
    // Only prefixes that contain the whole founding run have a meaning independent of what follows.
    for (; k >= Math.max(1, foundingEnd); k--) {
      const hit = ringCache.get(keys[k]!);
      if (hit !== undefined) {
        ring = hit;
        break;
      }
    }
  }
  if (ring === null) {
    if (foundingEnd === 0) {
      // The first change is not a join: nothing exists until one is.
      k = 0;
      while (k < changes.length && changes[k]!.kind !== 'join') ignored.push(changes[k++]!);
      if (k === changes.length) return { ring: null, ignored };
      ring = applyOne(null, changes[k]!, params, keys[k + 1]!, ignored);
      k++;
    } else {
      ring = found(params, changes.slice(0, foundingEnd), ignored);
      k = foundingEnd;
    }
    if (useCache && k >= foundingEnd) remember(keys[k]!, ring!);
  }
  for (; k < changes.length; k++) {
    ring = applyOne(ring, changes[k]!, params, keys[k + 1]!, ignored);
    if (useCache) remember(keys[k + 1]!, ring!);
  }
  return { ring, ignored };
}

function remember(key: string, ring: Ring): void {
  if (ringCache.size >= RING_CACHE_MAX) ringCache.clear();
  ringCache.set(key, ring);
}

function ringOptions(params: RingParams): { tokensPerNode?: number; partitions?: number } {
  return {
    ...(params.strategy !== 3 ? { tokensPerNode: params.tokensPerNode } : {}),
    ...(params.strategy !== 1 ? { partitions: params.partitions } : {}),
  };
}

function found(params: RingParams, joins: readonly MembershipChange[], ignored: MembershipChange[]): Ring {
  const nodes: RingNode[] = [];
  const seen = new Set<number>();
  for (const c of joins) {
    if (seen.has(c.node) || (params.strategy === 3 && nodes.length >= params.partitions)) {
      ignored.push(c);
      continue;
    }
    seen.add(c.node);
    nodes.push({ id: c.node, weight: c.weight, dc: c.dc });
  }
  return createRing({ strategy: params.strategy, nodes, ...ringOptions(params), targetN: params.targetN, rng: new RandomStream(params.seed, 'ring') });
}

function applyOne(ring: Ring | null, change: MembershipChange, params: RingParams, key: string, ignored: MembershipChange[]): Ring | null {
  const rng = new RandomStream(params.seed, `membership/${key}`);
  if (change.kind === 'join') {
    if (ring === null) {
      return createRing({ strategy: params.strategy, nodes: [{ id: change.node, weight: change.weight, dc: change.dc }], ...ringOptions(params), targetN: params.targetN, rng });
    }
    if (isMember(ring, change.node) || (params.strategy === 3 && ring.nodes.length >= params.partitions)) {
      ignored.push(change);
      return ring;
    }
    return addNode(ring, { id: change.node, weight: change.weight, dc: change.dc }, rng);
  }
  if (ring === null || !isMember(ring, change.node) || ring.nodes.length === 1) {
    ignored.push(change);
    return ring;
  }
  return removeNode(ring, change.node, rng);
}

// ---- digests ----------------------------------------------------------------------------------

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** Two 32-bit lanes of MurmurHash3 mixing (hash32.ts); copyable, so prefixes are cheap. */
class Fold {
  private constructor(
    private h1: number,
    private h2: number,
    private words: number,
  ) {}

  static ofParams(params: RingParams): Fold {
    const f = new Fold(0x9747b28c, 0x1b873593, 0);
    f.int(params.strategy);
    f.int(params.tokensPerNode);
    f.int(params.partitions);
    f.int(params.targetN);
    f.int(params.seed.length);
    for (let i = 0; i < params.seed.length; i++) f.int(params.seed.charCodeAt(i));
    return f;
  }

  change(c: MembershipChange): void {
    this.int(c.atUs);
    this.int(c.issuer);
    this.int(c.seq);
    this.int(c.node);
    this.int(KINDS.indexOf(c.kind));
    F64[0] = c.weight;
    this.word(U32[0]!);
    this.word(U32[1]!);
    this.int(c.dc);
  }

  hex(): string {
    const a = fmix32(this.h1 ^ this.words);
    const b = fmix32(this.h2 ^ a);
    return b.toString(16).padStart(8, '0') + fmix32(a ^ b).toString(16).padStart(8, '0');
  }

  private int(x: number): void {
    this.h1 = mixInt(this.h1, x);
    this.h2 = mixInt(this.h2 ^ 0x5bd1e995, x);
    this.words += 2;
  }

  private word(w: number): void {
    this.h1 = mixWord(this.h1, w);
    this.h2 = mixWord(this.h2 ^ 0x5bd1e995, w);
    this.words++;
  }
}

function seal(params: RingParams, changes: MembershipChange[]): MembershipHistory {
  const fold = Fold.ofParams(params);
  for (const c of changes) fold.change(c);
  return Object.freeze({ params, changes: Object.freeze(changes), digest: fold.hex() });
}
