/**
 * Distributions as scenario files write them (with units) and as the kernel
 * takes them (`DistributionSpec` from sim/distributions.ts, plain numbers in
 * microseconds or bytes).
 *
 * File forms, where D is a duration ("5ms") for latency distributions and a
 * size ("4KiB") for size distributions:
 *
 *   5ms                                   shorthand for { constant: 5ms }
 *   { constant: D }
 *   { uniform: [D, D] }
 *   { exponential: { mean: D } }          or { rate: 500/s } (latencies only)
 *   { normal: { mean: D, sd: D, min?: D } }
 *   { lognormal: { median: D, p99: D } }  or { median: D, sigma }, { mean: D, sigma },
 *                                         or { mu, sigma } (mu = ln of the median in µs or bytes)
 *   { pareto: { xm: D, alpha } }
 *   { weibull: { scale: D, shape } }
 *   { empirical: { cdf: [[D, p], ...] } } or { samples: [D, ...] }
 *   { mixture: [{ weight, dist }, ...] }
 *   { shifted: { dist, by: D } }
 *   { scaled: { dist, factor } }
 *   { preset: LNKD-SSD, leg?: W|A|R|S, remote?: bool }   (latencies only; leg defaults to R,
 *                                         which in every PBS preset equals A and S)
 *
 * Validation (schema + units) runs first, so `toDistributionSpec` may assume
 * a well-formed value; `checkDistribution` adds the numeric sanity checks the
 * schema cannot express (p99 above the median, lo <= hi, a CDF that ends at 1).
 */
import type { DistributionSpec } from '../../sim/distributions.js';
import type { PathProblem, Segment } from './errors.js';
import { formatDurationUs as formatDuration, formatSize, parseDurationUs, parseRatePerSec, parseSizeBytes, unwrap, type Parsed } from './units.js';

export type DistLeaf = 'duration' | 'size';

/** The default PBS leg of a `{ preset }` distribution written without `leg`. */
export const DEFAULT_PRESET_LEG = 'R';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseLeaf(value: unknown, leaf: DistLeaf): Parsed<number> {
  return leaf === 'duration' ? parseDurationUs(value) : parseSizeBytes(value);
}

function leafValue(value: unknown, leaf: DistLeaf): number {
  return unwrap(parseLeaf(value, leaf), `a ${leaf} in a distribution`);
}

/** Convert a validated file-form distribution into a kernel spec (µs or bytes). */
export function toDistributionSpec(value: unknown, leaf: DistLeaf): DistributionSpec {
  if (!isObj(value)) return { constant: leafValue(value, leaf) };
  const L = (v: unknown) => leafValue(v, leaf);
  if ('preset' in value) {
    return {
      preset: value.preset as never,
      leg: (value.leg ?? DEFAULT_PRESET_LEG) as never,
      ...(value.remote !== undefined ? { remote: value.remote === true } : {}),
    };
  }
  const [key] = Object.keys(value);
  const arg = value[key!];
  const a = (isObj(arg) ? arg : {}) as Obj;
  switch (key) {
    case 'constant':
      return { constant: L(arg) };
    case 'uniform': {
      const pair = arg as unknown[];
      return { uniform: [L(pair[0]), L(pair[1])] };
    }
    case 'exponential':
      if (a.rate !== undefined) return { exponential: { mean: 1e6 / unwrap(parseRatePerSec(a.rate), 'exponential.rate') } };
      return { exponential: { mean: L(a.mean) } };
    case 'normal':
      return { normal: { mean: L(a.mean), sd: L(a.sd), ...(a.min !== undefined ? { min: L(a.min) } : {}) } };
    case 'lognormal':
      if (a.p99 !== undefined) return { lognormal: { median: L(a.median), p99: L(a.p99) } };
      if (a.median !== undefined) return { lognormal: { mu: Math.log(L(a.median)), sigma: a.sigma as number } };
      if (a.mean !== undefined) return { lognormal: { mean: L(a.mean), sigma: a.sigma as number } };
      return { lognormal: { mu: a.mu as number, sigma: a.sigma as number } };
    case 'pareto':
      return { pareto: { xm: L(a.xm), alpha: a.alpha as number } };
    case 'weibull':
      return { weibull: { scale: L(a.scale), shape: a.shape as number } };
    case 'empirical':
      if (a.cdf !== undefined) return { empirical: { cdf: (a.cdf as unknown[][]).map((p) => [L(p[0]), p[1] as number] as const) } };
      return { empirical: { samples: (a.samples as unknown[]).map(L) } };
    case 'mixture':
      return {
        mixture: (arg as Obj[]).map((c) => ({ weight: c.weight as number, dist: toDistributionSpec(c.dist, leaf) })),
      };
    case 'shifted':
      return { shifted: { dist: toDistributionSpec(a.dist, leaf), by: L(a.by) } };
    case 'scaled':
      return { scaled: { dist: toDistributionSpec(a.dist, leaf), factor: a.factor as number } };
    default:
      throw new Error(`bug: distribution ${JSON.stringify(value)} passed validation`);
  }
}

/**
 * Numeric checks on a distribution whose structure and units are valid.
 * Paths are relative to `base` (the distribution's own path).
 */
export function checkDistribution(value: unknown, leaf: DistLeaf, base: readonly Segment[]): PathProblem[] {
  const out: PathProblem[] = [];
  check(value, leaf, base, out, 0);
  return out;
}

function check(value: unknown, leaf: DistLeaf, base: readonly Segment[], out: PathProblem[], depth: number): void {
  if (!isObj(value) || depth > 32) return;
  const unit = leaf === 'duration' ? 'duration' : 'size';
  const L = (v: unknown): number | undefined => {
    const r = parseLeaf(v, leaf);
    return r.ok ? r.value : undefined;
  };
  const fmt = (x: number) => (leaf === 'duration' ? formatDuration(x) : formatSize(x));
  const positive = (v: unknown, ...path: Segment[]) => {
    const x = L(v);
    if (x === 0) out.push({ path: [...base, ...path], message: `expected a positive ${unit}, got ${JSON.stringify(v)}` });
  };
  const [key] = Object.keys(value);
  if (key === undefined) return;
  const arg = value[key];
  const a = (isObj(arg) ? arg : {}) as Obj;
  switch (key) {
    case 'uniform': {
      if (!Array.isArray(arg)) return;
      const lo = L(arg[0]);
      const hi = L(arg[1]);
      if (lo !== undefined && hi !== undefined && lo > hi) {
        out.push({ path: [...base, 'uniform', 1], message: `expected the upper bound >= the lower bound (${fmt(lo)}), got ${fmt(hi)}` });
      }
      return;
    }
    case 'exponential':
      if (a.mean !== undefined) positive(a.mean, 'exponential', 'mean');
      return;
    case 'normal':
      positive(a.sd, 'normal', 'sd');
      return;
    case 'lognormal': {
      if (a.median !== undefined) positive(a.median, 'lognormal', 'median');
      if (a.mean !== undefined) positive(a.mean, 'lognormal', 'mean');
      const median = L(a.median);
      const p99 = L(a.p99);
      if (median !== undefined && p99 !== undefined && median > 0 && p99 <= median) {
        out.push({ path: [...base, 'lognormal', 'p99'], message: `expected a p99 above the median (${fmt(median)}), got ${fmt(p99)}` });
      }
      return;
    }
    case 'pareto':
      positive(a.xm, 'pareto', 'xm');
      return;
    case 'weibull':
      positive(a.scale, 'weibull', 'scale');
      return;
    case 'empirical': {
      if (!Array.isArray(a.cdf)) return;
      let lastV = -Infinity;
      let lastP = -Infinity;
      a.cdf.forEach((point: unknown, i: number) => {
        if (!Array.isArray(point)) return;
        const v = L(point[0]);
        const p = point[1];
        if (v !== undefined && v < lastV) out.push({ path: [...base, 'empirical', 'cdf', i, 0], message: `expected values in increasing order, got ${fmt(v)} after ${fmt(lastV)}` });
        if (typeof p === 'number' && p < lastP) out.push({ path: [...base, 'empirical', 'cdf', i, 1], message: `expected non-decreasing probabilities, got ${p} after ${lastP}` });
        if (v !== undefined) lastV = Math.max(lastV, v);
        if (typeof p === 'number') lastP = Math.max(lastP, p);
      });
      const last = a.cdf[a.cdf.length - 1];
      if (Array.isArray(last) && typeof last[1] === 'number' && last[1] !== 1) {
        out.push({ path: [...base, 'empirical', 'cdf', a.cdf.length - 1, 1], message: `expected the last point of a CDF to have probability 1, got ${last[1]}` });
      }
      return;
    }
    case 'mixture':
      if (Array.isArray(arg)) arg.forEach((c: unknown, i: number) => isObj(c) && check(c.dist, leaf, [...base, 'mixture', i, 'dist'], out, depth + 1));
      return;
    case 'shifted':
    case 'scaled':
      check(a.dist, leaf, [...base, key, 'dist'], out, depth + 1);
      return;
    default:
      return;
  }
}

/** A kernel spec back in file form with units, for `explain`. */
export function formatDistribution(spec: DistributionSpec, leaf: DistLeaf): unknown {
  const f = (x: number) => (leaf === 'duration' ? formatDuration(Math.round(x)) : formatSize(Math.round(x)));
  if ('constant' in spec) return f(spec.constant);
  if ('uniform' in spec) return { uniform: [f(spec.uniform[0]), f(spec.uniform[1])] };
  if ('exponential' in spec) {
    const e = spec.exponential;
    return { exponential: { mean: f('mean' in e ? e.mean : 1 / e.rate) } };
  }
  if ('normal' in spec) {
    const n = spec.normal;
    return { normal: { mean: f(n.mean), sd: f(n.sd), ...(n.min !== undefined ? { min: f(n.min) } : {}) } };
  }
  if ('lognormal' in spec) {
    const l = spec.lognormal;
    if ('p99' in l) return { lognormal: { median: f(l.median), p99: f(l.p99) } };
    if ('mean' in l) return { lognormal: { mean: f(l.mean), sigma: l.sigma } };
    return { lognormal: { median: f(Math.exp(l.mu)), sigma: l.sigma } };
  }
  if ('pareto' in spec) return { pareto: { xm: f(spec.pareto.xm), alpha: spec.pareto.alpha } };
  if ('weibull' in spec) return { weibull: { scale: f(spec.weibull.scale), shape: spec.weibull.shape } };
  if ('empirical' in spec) {
    const e = spec.empirical;
    return 'cdf' in e ? { empirical: { cdf: e.cdf.map(([v, p]) => [f(v), p]) } } : { empirical: { samples: e.samples.map(f) } };
  }
  if ('mixture' in spec) return { mixture: spec.mixture.map((c) => ({ weight: c.weight, dist: formatDistribution(c.dist, leaf) })) };
  if ('shifted' in spec) return { shifted: { dist: formatDistribution(spec.shifted.dist, leaf), by: f(spec.shifted.by) } };
  if ('scaled' in spec) return { scaled: { dist: formatDistribution(spec.scaled.dist, leaf), factor: spec.scaled.factor } };
  return { preset: spec.preset, leg: spec.leg, ...(spec.remote !== undefined ? { remote: spec.remote } : {}) };
}
