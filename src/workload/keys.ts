/**
 * Key popularity: which key an operation touches. Keys are "k<index>" for
 * index in [0, count); ranks are scattered over indices by a fixed
 * permutation so the hottest keys are not neighbours in name (their ring
 * positions are scattered by MD5 anyway).
 */
import { InvalidOptionError, requireInteger, requirePositive, requireProbability } from '../../sim/errors.js';
import type { RandomStream } from '../../sim/random.js';

export type Popularity =
  | { readonly kind: 'uniform' }
  | { readonly kind: 'zipf'; readonly s: number }
  | { readonly kind: 'hotspot'; readonly fraction: number; readonly probability: number };

export interface KeyChooser {
  readonly count: number;
  /** The index of the next key. */
  next(rng: RandomStream): number;
  /** Probability of the key at `index` (for tests and reports). */
  probability(index: number): number;
  /** The indices of the `k` most popular keys, most popular first. */
  hottest(k: number): number[];
}

/** A uniform choice among the given key indices (busy robots on the hottest keys, flash-crowd hot sets). */
export function keysFrom(indices: readonly number[]): KeyChooser {
  if (indices.length === 0) throw new InvalidOptionError('keys', indices, 'at least one key');
  const list = [...indices];
  const set = new Set(list);
  return {
    count: list.length,
    next: (rng) => list[Math.floor(rng.next() * list.length)]!,
    probability: (index) => (set.has(index) ? 1 / list.length : 0),
    hottest: (k) => list.slice(0, k),
  };
}

export const KEY_COUNT_MAX = 50_000_000;

export function keyName(index: number, prefix = 'k'): string {
  return `${prefix}${index}`;
}

export function keyChooser(count: number, popularity: Popularity): KeyChooser {
  requireInteger('keys.count', count, 1, KEY_COUNT_MAX);
  switch (popularity.kind) {
    case 'uniform':
      return { count, next: (rng) => Math.floor(rng.next() * count), probability: () => 1 / count, hottest: (k) => Array.from({ length: Math.min(k, count) }, (_, i) => i) };
    case 'zipf':
      return zipf(count, popularity.s);
    case 'hotspot':
      return hotspot(count, popularity.fraction, popularity.probability);
    default:
      throw new InvalidOptionError('keys.popularity', popularity, 'uniform, zipf or hotspot');
  }
}

/** The cumulative probabilities of ranks 1..count under Zipf(s); the last is exactly 1. */
export function zipfCdf(count: number, s: number): Float64Array {
  const cdf = new Float64Array(count);
  let sum = 0;
  for (let k = 1; k <= count; k++) {
    sum += 1 / Math.pow(k, s);
    cdf[k - 1] = sum;
  }
  for (let i = 0; i < count; i++) cdf[i]! /= sum;
  cdf[count - 1] = 1;
  return cdf;
}

/**
 * Zipf(s): P(rank k) ∝ 1 / k^s, by inversion over the exact cumulative
 * table (one uniform per draw, started from a guide table; see below).
 */
function zipf(count: number, s: number): KeyChooser {
  requirePositive('keys.zipf', s);
  const cdf = zipfCdf(count, s);
  const perm = scatter(count);
  // A guide table (Chen and Asau's cutpoints): guide[j] is the first rank whose cdf exceeds j / count,
  // so a draw starts its search there instead of bisecting all `count` entries (17 scattered reads for 100,000).
  // It returns exactly what the bisection returned: the first rank whose cdf exceeds u.
  const guide = new Int32Array(count);
  for (let j = 0, i = 0; j < count; j++) {
    while (cdf[i]! <= j / count) i++;
    guide[j] = i;
  }
  return {
    count,
    next(rng) {
      const u = rng.next();
      let i = guide[Math.floor(u * count)]!;
      while (i > 0 && cdf[i - 1]! > u) i--; // u * count rounded up across a cell boundary
      while (cdf[i]! <= u) i++;
      return perm[i]!;
    },
    probability(index) {
      const rank = perm.indexOf(index);
      return rank < 0 ? 0 : cdf[rank]! - (rank === 0 ? 0 : cdf[rank - 1]!);
    },
    hottest: (k) => Array.from(perm.subarray(0, Math.min(k, count))),
  };
}

/** A hot set of `fraction` of the keys receives `probability` of the operations, uniformly. */
function hotspot(count: number, fraction: number, probability: number): KeyChooser {
  requireProbability('keys.hotspot.fraction', fraction);
  requireProbability('keys.hotspot.probability', probability);
  const hot = Math.max(1, Math.min(count, Math.round(count * fraction)));
  const cold = count - hot;
  return {
    count,
    next(rng) {
      if (cold === 0 || rng.next() < probability) return Math.floor(rng.next() * hot);
      return hot + Math.floor(rng.next() * cold);
    },
    probability(index) {
      if (cold === 0) return 1 / count;
      return index < hot ? probability / hot : (1 - probability) / cold;
    },
    hottest: (k) => Array.from({ length: Math.min(k, count) }, (_, i) => i),
  };
}

/** A fixed permutation of [0, count): multiplication by an odd constant modulo a power of two, folded. */
function scatter(count: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = i;
  // A deterministic shuffle with a fixed LCG: no stream needed, the same for every run.
  let x = 0x2545f491;
  for (let i = count - 1; i > 0; i--) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const j = x % (i + 1);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}
