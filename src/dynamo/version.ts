/**
 * Versions and syntactic reconciliation (DYNAMO.md §1, §4; paper §4.4).
 *
 * A version is a value tagged with the vector clock of the write that made
 * it. A key's state on a replica, and the answer of a read, is a sibling set:
 * the versions no other version descends. Syntactic reconciliation computes
 * that set; semantic reconciliation (reconcile.ts) is the client's business.
 *
 * Sibling sets are immutable arrays in a canonical order (clocks by
 * vclock.totalOrder, then value id), so a result never depends on the order
 * in which replies or writes arrived. The functions return one of their
 * arguments, unallocated, whenever it already is the answer: a put on a
 * replica that holds one ancestor version is the hot case.
 */
import { compare, clockHash, clockSizeBytes, totalOrder, type VClock } from './vclock.js';
import { fmix32, mixInt } from './hash32.js';

/** A value is not materialised (DYNAMO.md §1): an id naming its write, and a size. */
export interface Value {
  /** The write that created it: the checker follows writes by id. */
  readonly id: number;
  readonly sizeBytes: number;
  /** The coordinator's local physical time at the write (last-write-wins reads it). */
  readonly writtenAtUs: number;
  /** The shopping-cart item set, sorted ascending without duplicates; null when the workload has none. */
  readonly items: readonly number[] | null;
  /** A delete: kept as a version so it supersedes older ones like any write. */
  readonly tombstone?: boolean;
}

export interface Version {
  readonly clock: VClock;
  readonly value: Value;
}

/** A reconciled sibling set, canonical order. Never mutate one. */
export type Siblings = readonly Version[];

const NONE: Siblings = Object.freeze([]) as Siblings;

/** The same write with the same clock (counters; see vclock.compare). */
export function versionsEqual(a: Version, b: Version): boolean {
  return a === b || (a.value.id === b.value.id && compare(a.clock, b.clock) === 'equal');
}

/** Whether `set` holds a version equal to `v`. */
export function containsVersion(set: readonly Version[], v: Version): boolean {
  for (let i = 0; i < set.length; i++) if (versionsEqual(set[i]!, v)) return true;
  return false;
}

/** Canonical sibling order: clocks by the total order, then value id. */
export function canonicalOrder(a: Version, b: Version): number {
  const c = totalOrder(a.clock, b.clock);
  return c !== 0 ? c : a.value.id - b.value.id;
}

/**
 * Of two versions with equal clocks, the one reconciliation keeps: the lower
 * value id, then the lower clock in the total order (timestamps), so the
 * choice is the same whichever arrived first. Equal clocks with different
 * values only arise from anomalies (a node reusing counters after losing its
 * data, KV679; truncation): the other write is silently lost, as in Riak.
 */
function keepsOver(v: Version, k: Version): boolean {
  if (v.value.id !== k.value.id) return v.value.id < k.value.id;
  return totalOrder(v.clock, k.clock) < 0;
}

/**
 * Add `v` to `keep`, an antichain (pairwise concurrent clocks): drop `v` if a
 * member descends it, drop the members it descends. Because `keep` is an
 * antichain, `v` cannot be both before one member and after another.
 */
function absorb(keep: Version[], v: Version): void {
  for (let i = 0; i < keep.length; i++) {
    const k = keep[i]!;
    const order = compare(v.clock, k.clock);
    if (order === 'before') return;
    if (order === 'equal') {
      if (keepsOver(v, k)) keep[i] = v;
      return;
    }
    if (order === 'after') {
      keep[i] = keep[keep.length - 1]!;
      keep.pop();
      i--;
    }
  }
  keep.push(v);
}

/** Reconcile two single versions held in one-element arrays, returning an argument when possible. */
function reconcileTwo(aSet: Siblings, bSet: Siblings): Siblings {
  const a = aSet[0]!;
  const b = bSet[0]!;
  switch (compare(a.clock, b.clock)) {
    case 'after':
      return aSet;
    case 'before':
      return bSet;
    case 'equal':
      return keepsOver(b, a) ? bSet : aSet;
    default:
      return canonicalOrder(a, b) <= 0 ? [a, b] : [b, a];
  }
}

/**
 * Syntactic reconciliation: drop every version some other version descends
 * (strictly, or with an equal clock, keeping one of the equals: see keepsOver)
 * and return the survivors in canonical order.
 */
export function syntacticReconcile(versions: readonly Version[]): Siblings {
  const n = versions.length;
  if (n === 0) return NONE;
  if (n === 1) return versions;
  if (n === 2) {
    const a = versions[0]!;
    const b = versions[1]!;
    switch (compare(a.clock, b.clock)) {
      case 'after':
        return [a];
      case 'before':
        return [b];
      case 'equal':
        return [keepsOver(b, a) ? b : a];
      default:
        return canonicalOrder(a, b) <= 0 ? versions : [b, a];
    }
  }
  const keep: Version[] = [];
  for (let i = 0; i < n; i++) absorb(keep, versions[i]!);
  if (keep.length > 1) keep.sort(canonicalOrder);
  return keep;
}

/**
 * The sibling set a replica stores after receiving `incoming` (a put or a
 * read repair) on top of `existing`, which must itself be reconciled (what
 * these functions return). Returns `existing` or `incoming` itself when one of
 * them is the result.
 */
export function mergeInto(existing: Siblings, incoming: readonly Version[]): Siblings {
  if (incoming.length === 0) return existing;
  if (existing.length === 0) return syntacticReconcile(incoming);
  if (existing.length === 1 && incoming.length === 1) return reconcileTwo(existing, incoming);
  const keep = existing.slice();
  for (let i = 0; i < incoming.length; i++) absorb(keep, incoming[i]!);
  if (keep.length > 1) keep.sort(canonicalOrder);
  return keep;
}

/**
 * A 32-bit hash of a sibling set, for Merkle leaves: independent of order,
 * 0 for the empty set (an absent key) and never 0 otherwise. Each version
 * contributes its clock hash (counters) and its value id.
 */
export function versionSetHash(versions: readonly Version[]): number {
  const n = versions.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = versions[i]!;
    sum = (sum + fmix32(mixInt(clockHash(v.clock), v.value.id))) | 0;
  }
  const h = fmix32(sum ^ Math.imul(n, 0x9e3779b1));
  return h === 0 ? 1 : h;
}

/** Bytes a sibling set takes in a message: each value's size plus its clock. */
export function versionSetSizeBytes(versions: readonly Version[]): number {
  let bytes = 0;
  for (let i = 0; i < versions.length; i++) {
    const v = versions[i]!;
    bytes += v.value.sizeBytes + clockSizeBytes(v.clock);
  }
  return bytes;
}
