/**
 * 32-bit non-cryptographic mixing (MurmurHash3's body step and finalizer) for
 * the hashes that identify clocks, sibling sets and Merkle nodes. They detect
 * divergence between replicas; they are not a defence against an adversary.
 * Every function returns an unsigned 32-bit integer and allocates nothing.
 */

const TWO_32 = 4294967296;

/** MurmurHash3 fmix32: full avalanche of one word. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Fold one 32-bit word into a running hash (MurmurHash3 body step). */
export function mixWord(h: number, w: number): number {
  let k = Math.imul(w | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) >>> 0;
}

/**
 * Fold a non-negative integer below 2^53 as two words (low, high), so values
 * past 2^32 (microsecond instants, large ids) hash canonically.
 */
export function mixInt(h: number, x: number): number {
  if (x >= 0 && x < TWO_32) return mixWord(mixWord(h, x), 0);
  const hi = Math.floor(x / TWO_32);
  return mixWord(mixWord(h, x - hi * TWO_32), hi);
}
