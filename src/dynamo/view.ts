/**
 * A node's (or client library's) view of the cluster: the ring and every
 * partition's preference list, computed once per ring. Views are immutable
 * values: a membership change builds a new one, and nodes may hold different
 * (stale) views, which is how routing in zero hops can go wrong (§4.8).
 */
import { InvalidOptionError } from '../../sim/errors.js';
import { keyPosition } from './hash.js';
import { buildPreflists, type Preflists } from './preflist.js';
import { partitionOf, type Ring } from './ring.js';

export interface MembershipView {
  readonly ring: Ring;
  readonly preflists: Preflists;
  /** Increases with every membership change this view reflects. */
  readonly version: number;
}

export function makeView(ring: Ring, version: number, options: { preflistLength: number; dcAware: boolean }): MembershipView {
  return Object.freeze({ ring, version, preflists: buildPreflists(ring, options.preflistLength, { dcAware: options.dcAware }) });
}

/**
 * Key → ring position, memoised (MD5 costs ~1 µs and every request needs it).
 * A pure function's cache: sharing one across the nodes of a world changes
 * no outcome. Bounded: when full it starts over.
 */
export class KeyHasher {
  private readonly cache = new Map<string, number>();
  constructor(private readonly maxEntries = 2_000_000) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new InvalidOptionError('KeyHasher.maxEntries', maxEntries, 'an integer >= 1');
  }

  position(key: string): number {
    let p = this.cache.get(key);
    if (p === undefined) {
      p = keyPosition(key);
      if (this.cache.size >= this.maxEntries) this.cache.clear();
      this.cache.set(key, p);
    }
    return p;
  }
}

/** The preference list of a key under a view (a shared array: never write to it). */
export function preflistFor(view: MembershipView, hasher: KeyHasher, key: string): Int32Array {
  return view.preflists.get(partitionOf(view.ring, hasher.position(key)));
}

/** Whether `node` is among the first `n` entries of `list`. */
export function inTopN(list: Int32Array, n: number, node: number): boolean {
  const k = Math.min(n, list.length);
  for (let i = 0; i < k; i++) if (list[i] === node) return true;
  return false;
}
