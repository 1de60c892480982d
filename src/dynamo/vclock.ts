/**
 * Vector clocks (DYNAMO.md §4; paper §4.4).
 *
 * A clock is an immutable array of (node, counter, timestampUs) entries sorted
 * by node id, with every counter >= 1 (a missing node means counter 0). The
 * sort makes equality and hashing canonical and lets every binary operation
 * be one merge-walk over two short arrays. Entry objects are immutable too, so
 * operations share them between clocks and only allocate the outer array.
 *
 * The order (compare, descends) looks at counters only. Timestamps are the
 * wall time, on the updating node's own possibly skewed clock, of an entry's
 * last increment; they only decide which entries truncation drops.
 *
 * Nothing here reads a clock or a node id from the environment: the caller
 * passes both (compare Riak's vclock, which reads node() and the OS clock).
 */
import { InvalidOptionError } from '../../sim/errors.js';
import { fmix32, mixInt } from './hash32.js';

export interface VClockEntry {
  readonly node: number;
  readonly counter: number;
  /** Local wall time of the entry's last increment, on that node's clock. */
  readonly timestampUs: number;
}

/** Sorted by node id, strictly increasing; counters >= 1. Never mutate one. */
export type VClock = readonly VClockEntry[];

export type ClockOrder = 'before' | 'after' | 'equal' | 'concurrent';

/**
 * Bytes a clock takes in a message: a 4-byte entry count, then per entry an
 * 8-byte node id (an actor name is at least that in Riak and Voldemort), an
 * 8-byte counter and an 8-byte timestamp.
 */
export const CLOCK_HEADER_BYTES = 4;
export const CLOCK_ENTRY_BYTES = 24;

const EMPTY: VClock = Object.freeze([]) as VClock;

/** The clock of nothing: before every other clock. */
export function empty(): VClock {
  return EMPTY;
}

function checkNode(node: number): void {
  if (!Number.isSafeInteger(node) || node < 0) {
    throw new InvalidOptionError('vector clock node', node, 'a non-negative integer');
  }
}

/**
 * Build a clock from entries in any order (tests, decoding). Validates that
 * nodes are distinct non-negative integers, counters integers >= 1 and
 * timestamps integers.
 */
export function fromEntries(entries: Iterable<VClockEntry>): VClock {
  const out: VClockEntry[] = [];
  for (const e of entries) {
    checkNode(e.node);
    if (!Number.isSafeInteger(e.counter) || e.counter < 1) {
      throw new InvalidOptionError('vector clock counter', e.counter, 'an integer >= 1');
    }
    if (!Number.isSafeInteger(e.timestampUs)) {
      throw new InvalidOptionError('vector clock timestampUs', e.timestampUs, 'an integer (microseconds)');
    }
    out.push({ node: e.node, counter: e.counter, timestampUs: e.timestampUs });
  }
  out.sort((a, b) => a.node - b.node);
  for (let i = 1; i < out.length; i++) {
    if (out[i]!.node === out[i - 1]!.node) {
      throw new InvalidOptionError('vector clock entries', out[i]!.node, 'distinct node ids');
    }
  }
  return out;
}

/** The counter of `node` in `clock` (0 when absent). */
export function counterOf(clock: VClock, node: number): number {
  for (let i = 0; i < clock.length; i++) {
    const e = clock[i]!;
    if (e.node === node) return e.counter;
    if (e.node > node) return 0;
  }
  return 0;
}

/**
 * The clock a coordinator gives a new write (§4.4): its own counter + 1,
 * stamped with its local time `nowUs`. The result is strictly after `clock`.
 */
export function increment(clock: VClock, node: number, nowUs: number): VClock {
  checkNode(node);
  if (!Number.isSafeInteger(nowUs)) throw new InvalidOptionError('vector clock nowUs', nowUs, 'an integer (microseconds)');
  const n = clock.length;
  const out: VClockEntry[] = [];
  let i = 0;
  while (i < n && clock[i]!.node < node) out.push(clock[i++]!);
  if (i < n && clock[i]!.node === node) {
    out.push({ node, counter: clock[i]!.counter + 1, timestampUs: nowUs });
    i++;
  } else {
    out.push({ node, counter: 1, timestampUs: nowUs });
  }
  while (i < n) out.push(clock[i++]!);
  return out;
}

/**
 * The causal order of two clocks, by counters only. Allocates nothing: it runs
 * for every pair of versions a replica or coordinator reconciles.
 */
export function compare(a: VClock, b: VClock): ClockOrder {
  if (a === b) return 'equal';
  const na = a.length;
  const nb = b.length;
  let i = 0;
  let j = 0;
  let aAhead = false; // some counter of a exceeds b's
  let bAhead = false;
  while (i < na && j < nb) {
    const ea = a[i]!;
    const eb = b[j]!;
    if (ea.node === eb.node) {
      if (ea.counter > eb.counter) aAhead = true;
      else if (ea.counter < eb.counter) bAhead = true;
      i++;
      j++;
    } else if (ea.node < eb.node) {
      aAhead = true; // b's counter for ea.node is 0 < ea.counter
      i++;
    } else {
      bAhead = true;
      j++;
    }
    if (aAhead && bAhead) return 'concurrent';
  }
  if (i < na) aAhead = true;
  if (j < nb) bAhead = true;
  if (aAhead) return bAhead ? 'concurrent' : 'after';
  return bAhead ? 'before' : 'equal';
}

/** a >= b: every counter of b is <= a's (a is b or a descendant of b). */
export function descends(a: VClock, b: VClock): boolean {
  if (a === b) return true;
  const na = a.length;
  let i = 0;
  for (let j = 0; j < b.length; j++) {
    const eb = b[j]!;
    while (i < na && a[i]!.node < eb.node) i++;
    if (i === na) return false;
    const ea = a[i]!;
    if (ea.node !== eb.node || ea.counter < eb.counter) return false;
    i++;
  }
  return true;
}

/**
 * The entry a merge keeps for a node both clocks carry: the higher counter
 * with its timestamp; on equal counters the later timestamp (equal counters
 * with different timestamps only arise when a node reuses counters, KV679).
 */
function pick(ea: VClockEntry, eb: VClockEntry): VClockEntry {
  if (ea.counter !== eb.counter) return ea.counter > eb.counter ? ea : eb;
  return ea.timestampUs >= eb.timestampUs ? ea : eb;
}

/** Whether merge(a, b) would equal a entry for entry (then merge returns a itself). */
function absorbs(a: VClock, b: VClock): boolean {
  const na = a.length;
  let i = 0;
  for (let j = 0; j < b.length; j++) {
    const eb = b[j]!;
    while (i < na && a[i]!.node < eb.node) i++;
    if (i === na) return false;
    const ea = a[i]!;
    if (ea.node !== eb.node) return false;
    if (ea.counter < eb.counter || (ea.counter === eb.counter && ea.timestampUs < eb.timestampUs)) return false;
    i++;
  }
  return true;
}

/**
 * The least upper bound: pointwise max counter, carrying the timestamp of the
 * entry that won (see pick). Returns one of its arguments, unallocated, when
 * that argument already is the result (the common case: one clock descends
 * the other).
 */
export function merge(a: VClock, b: VClock): VClock {
  if (a === b || b.length === 0) return a;
  if (a.length === 0) return b;
  if (absorbs(a, b)) return a;
  if (absorbs(b, a)) return b;
  const na = a.length;
  const nb = b.length;
  const out: VClockEntry[] = [];
  let i = 0;
  let j = 0;
  while (i < na && j < nb) {
    const ea = a[i]!;
    const eb = b[j]!;
    if (ea.node === eb.node) {
      out.push(pick(ea, eb));
      i++;
      j++;
    } else if (ea.node < eb.node) {
      out.push(ea);
      i++;
    } else {
      out.push(eb);
      j++;
    }
  }
  while (i < na) out.push(a[i++]!);
  while (j < nb) out.push(b[j++]!);
  return out;
}

/** Older first: by timestamp, then by node id (the lower id is the older on a tie). */
function olderThan(x: VClockEntry, y: VClockEntry): boolean {
  return x.timestampUs < y.timestampUs || (x.timestampUs === y.timestampUs && x.node < y.node);
}

function checkMaxEntries(maxEntries: number): void {
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new InvalidOptionError('vector clock maxEntries', maxEntries, 'an integer >= 1');
  }
}

/** Drop the oldest entries, never the one for `keep` (-1: none protected), until length <= maxEntries. */
function prune(clock: VClock, maxEntries: number, keep: number): VClock {
  const n = clock.length;
  if (n <= maxEntries) return clock;
  const excess = n - maxEntries;
  if (excess === 1) {
    // The steady state of a hot key at the threshold: one entry too many.
    let oldest = -1;
    for (let i = 0; i < n; i++) {
      const e = clock[i]!;
      if (e.node === keep) continue;
      if (oldest < 0 || olderThan(e, clock[oldest]!)) oldest = i;
    }
    const out: VClockEntry[] = [];
    for (let i = 0; i < n; i++) if (i !== oldest) out.push(clock[i]!);
    return out;
  }
  const byAge = clock.filter((e) => e.node !== keep).sort((x, y) => (olderThan(x, y) ? -1 : olderThan(y, x) ? 1 : 0));
  const dropped = new Set<number>();
  for (let k = 0; k < excess; k++) dropped.add(byAge[k]!.node);
  return clock.filter((e) => !dropped.has(e.node));
}

/**
 * Truncation (§4.4): while the clock has more than `maxEntries` entries, drop
 * the entry with the oldest timestamp; on equal timestamps the lower node id
 * goes first. Returns `clock` itself when nothing is dropped.
 *
 * Dropping an entry forgets causality: a clock that descended the dropped
 * counter may now look concurrent with it (false siblings, see the tests).
 */
export function truncate(clock: VClock, maxEntries: number): VClock {
  checkMaxEntries(maxEntries);
  return prune(clock, maxEntries, -1);
}

/**
 * increment, then truncate, except that the entry just incremented is never
 * the one dropped, however skewed the coordinator's clock: dropping it would
 * give the new write its context's clock, so replicas would take it for an
 * equal of the version it overwrites and one of the two would be lost. (Riak
 * has the same protection in another form: it never prunes an entry younger
 * than young_vclock, and the incremented one is as young as it gets.)
 */
export function incrementAndTruncate(clock: VClock, node: number, nowUs: number, maxEntries: number): VClock {
  // The definition, kept separate from setEntryAndTruncate (the one-walk version the coordinator uses):
  // the property tests check that one against this one.
  checkMaxEntries(maxEntries);
  return prune(increment(clock, node, nowUs), maxEntries, node);
}

/**
 * `clock` with `node`'s entry set to (counter, nowUs), then truncated like
 * incrementAndTruncate (never dropping that entry). `counter` must not go
 * below the entry's current counter. One merge-walk, no sort: a
 * coordinator's new write clock (coordinator.newWriteClock) is built here on
 * every put.
 */
export function setEntryAndTruncate(clock: VClock, node: number, counter: number, nowUs: number, maxEntries: number): VClock {
  checkNode(node);
  checkMaxEntries(maxEntries);
  if (!Number.isSafeInteger(counter) || counter < 1) throw new InvalidOptionError('vector clock counter', counter, 'an integer >= 1');
  if (!Number.isSafeInteger(nowUs)) throw new InvalidOptionError('vector clock nowUs', nowUs, 'an integer (microseconds)');
  const n = clock.length;
  let i = 0;
  while (i < n && clock[i]!.node < node) i++;
  const replaces = i < n && clock[i]!.node === node;
  if (replaces && clock[i]!.counter > counter) throw new InvalidOptionError('vector clock counter', counter, `at least the current counter ${clock[i]!.counter} of node ${node}`);
  const out = new Array<VClockEntry>(replaces ? n : n + 1);
  for (let k = 0; k < i; k++) out[k] = clock[k]!;
  out[i] = { node, counter, timestampUs: nowUs };
  for (let k = replaces ? i + 1 : i; k < n; k++) out[replaces ? k : k + 1] = clock[k]!;
  return prune(out, maxEntries, node);
}

/**
 * A total order on clocks, for canonical ordering of siblings (never for
 * causality): entry by entry on (node, counter, timestamp), a shorter prefix
 * first. Returns a negative, zero or positive number like a sort comparator.
 */
export function totalOrder(a: VClock, b: VClock): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const ea = a[i]!;
    const eb = b[i]!;
    if (ea.node !== eb.node) return ea.node - eb.node;
    if (ea.counter !== eb.counter) return ea.counter - eb.counter;
    if (ea.timestampUs !== eb.timestampUs) return ea.timestampUs < eb.timestampUs ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * A 32-bit hash of the (node, counter) pairs. Consistent with compare:
 * compare(a, b) === 'equal' implies clockHash(a) === clockHash(b).
 * Timestamps are left out for that reason.
 */
export function clockHash(clock: VClock): number {
  let h = 0x6d2b79f5;
  for (let i = 0; i < clock.length; i++) {
    const e = clock[i]!;
    h = mixInt(mixInt(h, e.node), e.counter);
  }
  return fmix32(h ^ clock.length);
}

/** Encoded size in a message: CLOCK_HEADER_BYTES + CLOCK_ENTRY_BYTES per entry. */
export function clockSizeBytes(clock: VClock): number {
  return CLOCK_HEADER_BYTES + CLOCK_ENTRY_BYTES * clock.length;
}

/** "[(0,2),(1,1)]": node and counter per entry, for traces and test messages. */
export function formatClock(clock: VClock): string {
  let s = '[';
  for (let i = 0; i < clock.length; i++) {
    const e = clock[i]!;
    s += `${i > 0 ? ',' : ''}(${e.node},${e.counter})`;
  }
  return `${s}]`;
}
