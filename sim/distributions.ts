/**
 * Probability distributions for delays, service times and workload sizes.
 *
 * A distribution never owns randomness: `sample(rng)` draws from the stream
 * the caller passes, so the caller decides which component's sequence a draw
 * belongs to. No distribution keeps state between calls (no cached spare
 * normal, no lookahead), so a distribution shared by two components that
 * sample it from two streams gives each stream the sequence it would have
 * alone, whatever the interleaving. Every draw consumes a fixed number of
 * uniforms (0 for `constant`, 1 for the single-family distributions, 1 plus
 * the chosen component's for a mixture), which keeps stream positions
 * predictable.
 *
 * Normal draws use inversion: z = Phi^-1(u) by Wichura's AS241 (PPND16,
 * relative error ~1e-16), one uniform per draw. Box-Muller would need two
 * uniforms per draw and either waste one (slower than AS241's rational
 * polynomial) or cache it (state that makes sequences depend on interleaving).
 * Inversion also makes the truncated normal exact with one uniform.
 *
 * Values are real numbers in the caller's unit; the latency presets
 * (presets.ts) are in microseconds. Draws are clamped to +/-Number.MAX_VALUE,
 * so extreme but valid parameters (Pareto alpha 0.01) give huge finite
 * numbers instead of Infinity.
 *
 * Hot path: `sample` allocates nothing and creates no closure.
 */
import { InvalidOptionError, requireFiniteNumber, requirePositive, requireProbability } from './errors.js';
import type { RandomStream } from './random.js';
// presets.ts imports this module too. The cycle is safe because neither
// module calls into the other while loading (presets build on demand).
import { pbsPreset, type PbsLeg, type PbsPresetName } from './presets.js';

export interface Distribution {
  /** One draw (a real number, in the caller's unit). */
  sample(rng: RandomStream): number;
  /** Exact mean when known (NaN when undefined, e.g. Pareto alpha <= 1). */
  readonly mean: number;
  /** Exact quantile function when known in closed form (used by tests and by `explain`). */
  quantile?(p: number): number;
  /**
   * Exact CDF when known in closed form. Lets a mixture of closed-form
   * families offer an exact quantile (by bisection on its CDF), which is how
   * `explain` can quote the p99 of a PBS preset.
   */
  cdf?(x: number): number;
  /** Human description, e.g. "lognormal(median 2, p99 40)". */
  describe(): string;
}

// ---------------------------------------------------------------- limits

/** Most points in an empirical table or sample set (a bound, as everywhere). */
export const EMPIRICAL_POINTS_MAX = 10_000_000;
/** Most components in a mixture (sampling scans the components linearly). */
export const MIXTURE_COMPONENTS_MAX = 64;
/** A normal's floor may lie at most this many sd above its mean (beyond, P(x >= min) underflows). */
const TRUNCATION_SD_MAX = 30;

const MAX = Number.MAX_VALUE;
/** Smallest and largest uniforms in (0, 1) we feed to Phi^-1 (a draw of exactly 0 becomes 2^-54). */
const U_MIN = 2 ** -54;
const U_MAX = 1 - 2 ** -53;

// ------------------------------------------------------- standard normal

/**
 * Phi^-1(p), the standard normal quantile: Wichura, "Algorithm AS 241: The
 * percentage points of the normal distribution", Applied Statistics 37
 * (1988), PPND16 (the version R's qnorm uses). Exact to ~1e-16 relative.
 */
export function standardNormalQuantile(p: number): number {
  requireProbability('p', p);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  return ppnd16(p);
}

/**
 * AS241 for p in (0, 1), unchecked (the hot path). The central region (85%
 * of draws) is here and the tails in their own function, so that this one is
 * small enough for V8 to inline into the samplers (a double returned from a
 * call that is not inlined is boxed: one heap allocation per draw).
 */
function ppnd16(p: number): number {
  const q = p - 0.5;
  if (Math.abs(q) > 0.425) return ppnd16Tail(p, q);
  {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
          45921.953931549871457) *
          r +
          13731.693765509461125) *
          r +
          1971.5909503065514427) *
          r +
          133.14166789178437745) *
          r +
          3.387132872796366608)) /
      (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r +
        21213.794301586595867) *
        r +
        5394.1960214247511077) *
        r +
        687.1870074920579083) *
        r +
        42.313330701600911252) *
        r +
        1)
    );
  }
}

/** AS241's tails, |p - 0.5| > 0.425. */
function ppnd16Tail(p: number, q: number): number {
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let val: number;
  if (r <= 5) {
    r -= 1.6;
    val =
      (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
        1.27045825245236838258) *
        r +
        3.64784832476320460504) *
        r +
        5.7694972214606914055) *
        r +
        4.6303378461565452959) *
        r +
        1.42343711074968357734) /
      (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
        0.14810397642748007459) *
        r +
        0.68976733498510000455) *
        r +
        1.6763848301838038494) *
        r +
        2.05319162663775882187) *
        r +
        1);
  } else {
    r -= 5;
    val =
      (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
        0.026532189526576123093) *
        r +
        0.29656057182850489123) *
        r +
        1.7848265399172913358) *
        r +
        5.4637849111641143699) *
        r +
        6.6579046435011037772) /
      (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
        7.868691311456132591e-4) *
        r +
        0.0148753612908506148525) *
        r +
        0.13692988092273580531) *
        r +
        0.59983220655588793769) *
        r +
        1);
  }
  return q < 0 ? -val : val;
}

/** A uniform in (0, 1) for inversion, from exactly one draw. */
function openUniform(rng: RandomStream): number {
  const u = rng.next();
  return u === 0 ? U_MIN : u;
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Standard normal density. */
function phi(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/**
 * Q(x) = 1 - Phi(x), the standard normal upper tail, to ~1e-15 relative.
 * |x| <= 1.5: Phi(x) - 1/2 = phi(x) (x + x^3/3 + x^5/(3*5) + ...), a series
 * of same-signed terms. x > 1.5: Laplace's continued fraction for the Mills
 * ratio, Q(x) = phi(x) / (x + 1/(x + 2/(x + 3/(x + ...)))), evaluated
 * backwards from 300 terms (converged to 1 ulp from x = 1.5 on).
 * Not on the hot path (construction, cdf, quantile).
 */
function upperTail(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < -1.5) return 1 - upperTail(-x);
  if (x <= 1.5) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let k = 3; Math.abs(term) > 1e-17 * Math.abs(sum); k += 2) {
      term *= x2 / k;
      sum += term;
    }
    return 0.5 - phi(x) * sum;
  }
  if (x > 40) return 0; // phi(40) ~ 1e-348 underflows anyway
  let t = x;
  for (let k = 300; k >= 1; k--) t = x + k / t;
  return phi(x) / t;
}

/** Phi(x), the standard normal CDF (exact to ~1e-15 relative in both tails). */
export function standardNormalCdf(x: number): number {
  requireFiniteOrInfinite('x', x);
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  return upperTail(-x);
}

function requireFiniteOrInfinite(option: string, x: number): void {
  if (typeof x !== 'number' || Number.isNaN(x)) throw new InvalidOptionError(option, x, 'a number');
}

/** z_0.99 = Phi^-1(0.99), for the lognormal fit from (median, p99). */
const Z_99 = ppnd16(0.99);

// ---------------------------------------------------------------- helpers

/** log Gamma(z) for z >= 1/2: Lanczos (g = 7, 9 terms), ~1e-15 relative. */
function logGamma(z: number): number {
  const c = LANCZOS;
  z -= 1;
  let x = c[0]!;
  for (let i = 1; i < 9; i++) x += c[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(x);
}
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** A number for a description: integers as is, others to 6 significant digits. */
function fmt(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  return String(Number(x.toPrecision(6)));
}

function checkP(p: number): number {
  return requireProbability('quantile p', p);
}

function asObject(option: string, value: unknown, expected: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidOptionError(option, value, expected);
  return value as Record<string, unknown>;
}

/** Refuse keys outside `allowed`, naming the key and the valid ones. */
function checkKeys(option: string, obj: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new InvalidOptionError(`${option} key`, key, `one of ${allowed.join(', ')}`);
  }
}

function requireParams(option: string, value: unknown, allowed: readonly string[]): Record<string, unknown> {
  const obj = asObject(option, value, `an object with keys ${allowed.join(', ')}`);
  checkKeys(option, obj, allowed);
  return obj;
}

function isDistribution(d: unknown): d is Distribution {
  return (
    d !== null &&
    typeof d === 'object' &&
    typeof (d as Distribution).sample === 'function' &&
    typeof (d as Distribution).describe === 'function'
  );
}

function requireDistribution(option: string, d: unknown): Distribution {
  if (!isDistribution(d)) throw new InvalidOptionError(option, d, 'a Distribution (an object with sample() and describe())');
  return d;
}

/** Smallest index i in [lo, hi) with a[i] >= x, or hi. */
function lowerBound(a: Float64Array, x: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Smallest index i in [lo, hi) with a[i] > x, or hi. */
function upperBound(a: Float64Array, x: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ------------------------------------------------------------- constant

class Constant implements Distribution {
  readonly mean: number;
  constructor(readonly value: number) {
    this.mean = value;
  }
  /** Consumes no uniform. */
  sample(_rng: RandomStream): number {
    return this.value;
  }
  quantile(p: number): number {
    checkP(p);
    return this.value;
  }
  cdf(x: number): number {
    return x >= this.value ? 1 : 0;
  }
  describe(): string {
    return `constant(${fmt(this.value)})`;
  }
}

/** Always `value`. Draws nothing from the stream. */
export function constant(value: number): Distribution {
  return new Constant(requireFiniteNumber('constant.value', value));
}

// -------------------------------------------------------------- uniform

class Uniform implements Distribution {
  readonly mean: number;
  constructor(
    readonly lo: number,
    readonly hi: number,
  ) {
    this.mean = lo / 2 + hi / 2;
  }
  sample(rng: RandomStream): number {
    const u = rng.next();
    // The convex form cannot overflow where lo + u * (hi - lo) could.
    const x = this.lo * (1 - u) + this.hi * u;
    return x < MAX ? x : MAX;
  }
  quantile(p: number): number {
    checkP(p);
    return this.lo * (1 - p) + this.hi * p;
  }
  cdf(x: number): number {
    if (x < this.lo) return 0;
    if (x >= this.hi) return 1;
    return (x - this.lo) / (this.hi - this.lo);
  }
  describe(): string {
    return `uniform(${fmt(this.lo)}, ${fmt(this.hi)})`;
  }
}

/** Uniform on [lo, hi) (lo === hi gives the constant lo). */
export function uniform(lo: number, hi: number): Distribution {
  requireFiniteNumber('uniform.lo', lo);
  requireFiniteNumber('uniform.hi', hi, `a finite number >= lo (${fmt(lo)})`);
  if (hi < lo) throw new InvalidOptionError('uniform.hi', hi, `a finite number >= lo (${fmt(lo)})`);
  return new Uniform(lo, hi);
}

// ---------------------------------------------------------- exponential

class Exponential implements Distribution {
  constructor(
    readonly mean: number,
    private readonly text: string,
  ) {}
  sample(rng: RandomStream): number {
    const x = 0 - this.mean * Math.log(rng.nextOpen()); // 0 - (...) turns -0 into +0
    return x < MAX ? x : MAX;
  }
  quantile(p: number): number {
    checkP(p);
    return p === 1 ? Infinity : 0 - this.mean * Math.log1p(-p);
  }
  cdf(x: number): number {
    return x <= 0 ? 0 : -Math.expm1(-x / this.mean);
  }
  describe(): string {
    return this.text;
  }
}

export type ExponentialParams = { mean: number } | { rate: number };

/** Exponential with the given mean, or rate (= 1 / mean, per unit of the caller). */
export function exponential(params: ExponentialParams): Distribution {
  const p = asObject('exponential', params, 'an object { mean } or { rate }');
  if ('rate' in p && !('mean' in p)) {
    checkKeys('exponential', p, ['rate']);
    const rate = requirePositive('exponential.rate', p.rate);
    const mean = 1 / rate;
    if (!Number.isFinite(mean)) throw new InvalidOptionError('exponential.rate', rate, 'a rate whose inverse is finite');
    return new Exponential(mean, `exponential(rate ${fmt(rate)})`);
  }
  checkKeys('exponential', p, ['mean']);
  const mean = requirePositive('exponential.mean', p.mean);
  return new Exponential(mean, `exponential(mean ${fmt(mean)})`);
}

// --------------------------------------------------------------- normal

class Normal implements Distribution {
  readonly mean: number;
  constructor(
    private readonly mu: number,
    private readonly sd: number,
  ) {
    this.mean = mu;
  }
  sample(rng: RandomStream): number {
    const x = this.mu + this.sd * ppnd16(openUniform(rng));
    return x < MAX ? (x > -MAX ? x : -MAX) : MAX;
  }
  quantile(p: number): number {
    checkP(p);
    return this.mu + this.sd * standardNormalQuantile(p);
  }
  cdf(x: number): number {
    return upperTail((this.mu - x) / this.sd);
  }
  describe(): string {
    return `normal(mean ${fmt(this.mu)}, sd ${fmt(this.sd)})`;
  }
}

/**
 * Normal conditioned on x >= min (truncated, not clamped: no atom at min).
 * Exact inversion with one uniform: below the mean, Phi(z) = c + u (1 - c)
 * with c = Phi(alpha); above it, Q(z) = u Q(alpha). Each form keeps the small
 * probabilities small, so neither tail loses precision.
 */
class TruncatedNormal implements Distribution {
  readonly mean: number;
  /** alpha = (min - mu) / sd, the floor in standard units. */
  private readonly alpha: number;
  /** Phi(alpha) when alpha <= 0, else Q(alpha). */
  private readonly tail: number;
  constructor(
    private readonly mu: number,
    private readonly sd: number,
    private readonly min: number,
  ) {
    this.alpha = (min - mu) / sd;
    const q = upperTail(this.alpha);
    this.tail = this.alpha <= 0 ? 1 - q : q;
    // E[Z | Z >= alpha] = phi(alpha) / Q(alpha)  (the inverse Mills ratio)
    this.mean = mu + sd * (phi(this.alpha) / q);
  }
  private z(u: number): number {
    let z: number;
    if (this.alpha <= 0) {
      const c = this.tail;
      let p = c + u * (1 - c);
      if (p > U_MAX) p = U_MAX;
      z = ppnd16(p);
    } else {
      let s = u * this.tail;
      if (s < Number.MIN_VALUE) s = Number.MIN_VALUE;
      z = -ppnd16(s);
    }
    return z > this.alpha ? z : this.alpha;
  }
  sample(rng: RandomStream): number {
    const x = this.mu + this.sd * this.z(openUniform(rng));
    // z >= alpha, but rounding in mu + sd z could still land a hair below the floor.
    return x < MAX ? (x > this.min ? x : this.min) : MAX;
  }
  quantile(p: number): number {
    checkP(p);
    if (p === 0) return this.min;
    if (p === 1) return Infinity;
    return this.mu + this.sd * this.z(this.alpha <= 0 ? p : 1 - p);
  }
  cdf(x: number): number {
    if (x < this.min) return 0;
    const z = (x - this.mu) / this.sd;
    return this.alpha <= 0 ? (standardNormalCdf(z) - this.tail) / (1 - this.tail) : 1 - upperTail(z) / this.tail;
  }
  describe(): string {
    return `normal(mean ${fmt(this.mu)}, sd ${fmt(this.sd)}, min ${fmt(this.min)})`;
  }
}

export interface NormalParams {
  mean: number;
  sd: number;
  /** Optional floor: the normal conditioned on x >= min (truncated, not clamped). */
  min?: number;
}

/** Normal(mean, sd), optionally truncated below at `min`. */
export function normal(params: NormalParams): Distribution {
  const p = requireParams('normal', params, ['mean', 'sd', 'min']);
  const mean = requireFiniteNumber('normal.mean', p.mean);
  const sd = requirePositive('normal.sd', p.sd);
  if (p.min === undefined) return new Normal(mean, sd);
  const expected = `a finite number <= mean + ${TRUNCATION_SD_MAX} sd (${fmt(mean + TRUNCATION_SD_MAX * sd)})`;
  const min = requireFiniteNumber('normal.min', p.min, expected);
  if ((min - mean) / sd > TRUNCATION_SD_MAX) throw new InvalidOptionError('normal.min', min, expected);
  return new TruncatedNormal(mean, sd, min);
}

// ------------------------------------------------------------ lognormal

class Lognormal implements Distribution {
  readonly mean: number;
  constructor(
    private readonly mu: number,
    private readonly sigma: number,
    private readonly text: string,
  ) {
    this.mean = Math.exp(mu + (sigma * sigma) / 2);
  }
  sample(rng: RandomStream): number {
    const x = Math.exp(this.mu + this.sigma * ppnd16(openUniform(rng)));
    return x < MAX ? x : MAX;
  }
  quantile(p: number): number {
    checkP(p);
    return Math.exp(this.mu + this.sigma * standardNormalQuantile(p));
  }
  cdf(x: number): number {
    return x <= 0 ? 0 : upperTail((this.mu - Math.log(x)) / this.sigma);
  }
  describe(): string {
    return this.text;
  }
}

/**
 * The three ways to give a lognormal, exactly:
 * - `{ mu, sigma }`: the parameters of the underlying normal (ln X ~ N(mu, sigma));
 * - `{ mean, sigma }`: the mean of X itself and sigma of the underlying normal
 *   (mu = ln(mean) - sigma^2 / 2);
 * - `{ median, p99 }`: a fit to two quantiles of X (mu = ln(median),
 *   sigma = (ln(p99) - mu) / z_0.99).
 */
export type LognormalParams = { mu: number; sigma: number } | { mean: number; sigma: number } | { median: number; p99: number };

const LOGNORMAL_FORMS = 'one of { mu, sigma }, { mean, sigma } or { median, p99 }';

export function lognormal(params: LognormalParams): Distribution {
  const p = asObject('lognormal', params, LOGNORMAL_FORMS);
  if ('mu' in p) {
    checkKeys('lognormal', p, ['mu', 'sigma']);
    const mu = requireFiniteNumber('lognormal.mu', p.mu);
    const sigma = requirePositive('lognormal.sigma', p.sigma);
    return new Lognormal(mu, sigma, `lognormal(mu ${fmt(mu)}, sigma ${fmt(sigma)})`);
  }
  if ('mean' in p) {
    checkKeys('lognormal', p, ['mean', 'sigma']);
    const mean = requirePositive('lognormal.mean', p.mean);
    const sigma = requirePositive('lognormal.sigma', p.sigma);
    const mu = Math.log(mean) - (sigma * sigma) / 2;
    if (!Number.isFinite(mu)) throw new InvalidOptionError('lognormal.sigma', sigma, 'a number > 0 small enough that mu = ln(mean) - sigma^2/2 is finite');
    return new Lognormal(mu, sigma, `lognormal(mean ${fmt(mean)}, sigma ${fmt(sigma)})`);
  }
  if ('median' in p || 'p99' in p) {
    checkKeys('lognormal', p, ['median', 'p99']);
    const median = requirePositive('lognormal.median', p.median);
    const expected = `a finite number > median (${fmt(median)})`;
    const p99 = requireFiniteNumber('lognormal.p99', p.p99, expected);
    if (!(p99 > median)) throw new InvalidOptionError('lognormal.p99', p99, expected);
    const mu = Math.log(median);
    const sigma = (Math.log(p99) - mu) / Z_99;
    return new Lognormal(mu, sigma, `lognormal(median ${fmt(median)}, p99 ${fmt(p99)})`);
  }
  throw new InvalidOptionError('lognormal', params, LOGNORMAL_FORMS);
}

// --------------------------------------------------------------- pareto

class Pareto implements Distribution {
  readonly mean: number;
  private readonly negInvAlpha: number;
  constructor(
    private readonly xm: number,
    private readonly alpha: number,
  ) {
    this.negInvAlpha = -1 / alpha;
    this.mean = alpha > 1 ? (alpha * xm) / (alpha - 1) : NaN;
  }
  sample(rng: RandomStream): number {
    // exp(a log u) rather than pow(u, a): twice as fast in V8, within a few ulp.
    const x = this.xm * Math.exp(this.negInvAlpha * Math.log(rng.nextOpen()));
    return x < MAX ? x : MAX;
  }
  quantile(p: number): number {
    checkP(p);
    return this.xm * Math.pow(1 - p, this.negInvAlpha);
  }
  cdf(x: number): number {
    return x <= this.xm ? 0 : 1 - Math.pow(this.xm / x, this.alpha);
  }
  describe(): string {
    return `pareto(xm ${fmt(this.xm)}, alpha ${fmt(this.alpha)})`;
  }
}

/** Pareto (type I): P(X > x) = (xm / x)^alpha for x >= xm. Mean is NaN for alpha <= 1 (it diverges). */
export function pareto(params: { xm: number; alpha: number }): Distribution {
  const p = requireParams('pareto', params, ['xm', 'alpha']);
  return new Pareto(requirePositive('pareto.xm', p.xm), requirePositive('pareto.alpha', p.alpha));
}

// -------------------------------------------------------------- weibull

class Weibull implements Distribution {
  readonly mean: number;
  private readonly invShape: number;
  constructor(
    private readonly scale: number,
    private readonly shape: number,
  ) {
    this.invShape = 1 / shape;
    this.mean = scale * Math.exp(logGamma(1 + this.invShape));
  }
  sample(rng: RandomStream): number {
    const e = 0 - Math.log(rng.nextOpen()); // Exp(1), +0 rather than -0 at u = 1
    const x = this.scale * Math.exp(this.invShape * Math.log(e)); // pow, faster (see Pareto)
    return x < MAX ? x : MAX;
  }
  quantile(p: number): number {
    checkP(p);
    return this.scale * Math.pow(0 - Math.log1p(-p), this.invShape);
  }
  cdf(x: number): number {
    return x <= 0 ? 0 : -Math.expm1(-Math.pow(x / this.scale, this.shape));
  }
  describe(): string {
    return `weibull(scale ${fmt(this.scale)}, shape ${fmt(this.shape)})`;
  }
}

/** Weibull: P(X > x) = exp(-(x / scale)^shape). */
export function weibull(params: { scale: number; shape: number }): Distribution {
  const p = requireParams('weibull', params, ['scale', 'shape']);
  return new Weibull(requirePositive('weibull.scale', p.scale), requirePositive('weibull.shape', p.shape));
}

// ------------------------------------------------------------ empirical

/**
 * A piecewise-linear CDF through points (v_i, P_i). Below v_0 the CDF is 0;
 * a first probability P_0 > 0 is an atom at v_0. Repeated values are atoms,
 * repeated probabilities are gaps. Sampling inverts the CDF: find the first
 * P_i >= u (binary search) and interpolate linearly.
 */
class EmpiricalCdf implements Distribution {
  readonly mean: number;
  constructor(
    private readonly values: Float64Array,
    private readonly probs: Float64Array,
  ) {
    let m = probs[0]! * values[0]!;
    for (let i = 1; i < values.length; i++) m += (probs[i]! - probs[i - 1]!) * (values[i - 1]! / 2 + values[i]! / 2);
    this.mean = m;
  }
  private inverse(p: number): number {
    const probs = this.probs;
    const values = this.values;
    const i = lowerBound(probs, p, 0, probs.length);
    if (i === 0) return values[0]!;
    if (i >= probs.length) return values[values.length - 1]!;
    const p0 = probs[i - 1]!;
    const v0 = values[i - 1]!;
    return v0 + ((p - p0) / (probs[i]! - p0)) * (values[i]! - v0);
  }
  sample(rng: RandomStream): number {
    return this.inverse(rng.next());
  }
  quantile(p: number): number {
    checkP(p);
    return this.inverse(p);
  }
  cdf(x: number): number {
    const values = this.values;
    const n = values.length;
    const i = upperBound(values, x, 0, n) - 1; // last v_i <= x
    if (i < 0) return 0;
    if (i === n - 1) return 1;
    const v0 = values[i]!;
    const p0 = this.probs[i]!;
    return p0 + ((x - v0) / (values[i + 1]! - v0)) * (this.probs[i + 1]! - p0);
  }
  describe(): string {
    return `empirical(cdf, ${this.values.length} points)`;
  }
}

/**
 * Resampling a data set: the inverse of the empirical CDF with linear
 * interpolation between order statistics (Hyndman-Fan type 7, as R's and
 * numpy's default quantile): for u in [0, 1), h = u (n - 1) and the draw is
 * x_(floor h) + frac(h) (x_(floor h + 1) - x_(floor h)). Draws lie in
 * [min, max]; O(1) per draw.
 */
class EmpiricalSamples implements Distribution {
  readonly mean: number;
  constructor(private readonly sorted: Float64Array) {
    const n = sorted.length;
    if (n === 1) {
      this.mean = sorted[0]!;
    } else {
      // Each of the n - 1 segments carries probability 1/(n - 1) and has mean at its midpoint.
      let sum = 0;
      let comp = 0; // Neumaier compensation
      for (let i = 0; i < n; i++) {
        const x = sorted[i]! / (n - 1);
        const t = sum + x;
        comp += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
        sum = t;
      }
      this.mean = sum + comp - (sorted[0]! + sorted[n - 1]!) / 2 / (n - 1);
    }
  }
  private inverse(p: number): number {
    const xs = this.sorted;
    const last = xs.length - 1;
    const h = p * last;
    const i = Math.floor(h);
    if (i >= last) return xs[last]!;
    const x0 = xs[i]!;
    return x0 + (h - i) * (xs[i + 1]! - x0);
  }
  sample(rng: RandomStream): number {
    return this.inverse(rng.next());
  }
  quantile(p: number): number {
    checkP(p);
    return this.inverse(p);
  }
  cdf(x: number): number {
    const xs = this.sorted;
    const n = xs.length;
    const i = upperBound(xs, x, 0, n) - 1;
    if (i < 0) return 0;
    if (i === n - 1) return 1;
    return (i + (x - xs[i]!) / (xs[i + 1]! - xs[i]!)) / (n - 1);
  }
  describe(): string {
    return `empirical(${this.sorted.length} samples)`;
  }
}

export type EmpiricalParams = { cdf: ReadonlyArray<readonly [number, number]> } | { samples: readonly number[] };

/**
 * `{ cdf: [[value, cumulativeProbability], ...] }`: values and probabilities
 * non-decreasing, probabilities in [0, 1], the last exactly 1.
 * `{ samples: [...] }`: resample the data with linear interpolation.
 */
export function empirical(params: EmpiricalParams): Distribution {
  const p = asObject('empirical', params, 'an object { cdf: [[value, probability], ...] } or { samples: [...] }');
  if ('samples' in p) {
    checkKeys('empirical', p, ['samples']);
    const samples = p.samples;
    const expected = `a non-empty array of finite numbers (at most ${EMPIRICAL_POINTS_MAX})`;
    if (!Array.isArray(samples) || samples.length === 0 || samples.length > EMPIRICAL_POINTS_MAX) {
      throw new InvalidOptionError('empirical.samples', samples, expected);
    }
    const sorted = new Float64Array(samples.length);
    for (let i = 0; i < samples.length; i++) sorted[i] = requireFiniteNumber(`empirical.samples[${i}]`, samples[i]);
    sorted.sort();
    return new EmpiricalSamples(sorted);
  }
  checkKeys('empirical', p, ['cdf']);
  const table = p.cdf;
  if (!Array.isArray(table) || table.length === 0 || table.length > EMPIRICAL_POINTS_MAX) {
    throw new InvalidOptionError('empirical.cdf', table, `a non-empty array of [value, cumulativeProbability] pairs (at most ${EMPIRICAL_POINTS_MAX})`);
  }
  const n = table.length;
  const values = new Float64Array(n);
  const probs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row: unknown = table[i];
    const option = `empirical.cdf[${i}]`;
    if (!Array.isArray(row) || row.length !== 2) throw new InvalidOptionError(option, row, 'a pair [value, cumulativeProbability]');
    const v = requireFiniteNumber(`${option}[0]`, row[0], 'a finite value');
    const pr = requireProbability(`${option}[1]`, row[1]);
    if (i > 0 && v < values[i - 1]!) {
      throw new InvalidOptionError(`${option}[0]`, v, `a value >= the previous one (${fmt(values[i - 1]!)}): the table must be monotone`);
    }
    if (i > 0 && pr < probs[i - 1]!) {
      throw new InvalidOptionError(`${option}[1]`, pr, `a probability >= the previous one (${fmt(probs[i - 1]!)}): the table must be monotone`);
    }
    values[i] = v;
    probs[i] = pr;
  }
  if (probs[n - 1] !== 1) throw new InvalidOptionError(`empirical.cdf[${n - 1}][1]`, probs[n - 1], 'a last cumulative probability of exactly 1');
  return new EmpiricalCdf(values, probs);
}

// -------------------------------------------------------------- mixture

/**
 * One uniform picks the component (linear scan of the cumulative weights;
 * mixtures are small), then the component draws as usual.
 */
class Mixture implements Distribution {
  readonly mean: number;
  readonly quantile?: (p: number) => number;
  readonly cdf?: (x: number) => number;
  private readonly cumulative: Float64Array;
  private readonly dists: Distribution[];
  private readonly weights: Float64Array;
  constructor(weights: Float64Array, dists: Distribution[]) {
    this.weights = weights;
    this.dists = dists;
    this.cumulative = new Float64Array(weights.length);
    let acc = 0;
    let mean = 0;
    for (let i = 0; i < weights.length; i++) {
      acc += weights[i]!;
      this.cumulative[i] = acc;
      mean += weights[i]! * dists[i]!.mean;
    }
    this.cumulative[weights.length - 1] = 1; // rounding must not leave a gap at the top
    this.mean = mean;
    if (dists.every((d) => typeof d.cdf === 'function')) {
      this.cdf = (x: number): number => {
        let f = 0;
        for (let i = 0; i < dists.length; i++) f += weights[i]! * dists[i]!.cdf!(x);
        return f > 1 ? 1 : f;
      };
      if (dists.every((d) => typeof d.quantile === 'function')) this.quantile = (p: number) => this.bisect(checkP(p));
    }
  }
  sample(rng: RandomStream): number {
    const u = rng.next();
    const cum = this.cumulative;
    const last = cum.length - 1;
    let i = 0;
    while (i < last && u >= cum[i]!) i++;
    return this.dists[i]!.sample(rng);
  }
  /**
   * inf { x : F(x) >= p } lies between the smallest and the largest of the
   * components' p-quantiles (there every F_i is < p, resp. >= p); bisect to
   * the last representable number.
   */
  private bisect(p: number): number {
    let lo = Infinity;
    let hi = -Infinity;
    for (const d of this.dists) {
      const q = d.quantile!(p);
      if (q < lo) lo = q;
      if (q > hi) hi = q;
    }
    if (p === 0) return lo;
    if (p === 1 || lo === hi) return hi;
    const cdf = this.cdf!;
    for (let k = 0; k < 2100; k++) {
      const mid = Number.isFinite(hi - lo) ? lo + (hi - lo) / 2 : lo / 2 + hi / 2;
      if (mid <= lo || mid >= hi) break;
      if (cdf(mid) >= p) hi = mid;
      else lo = mid;
    }
    return hi;
  }
  describe(): string {
    const parts: string[] = [];
    for (let i = 0; i < this.dists.length; i++) parts.push(`${fmt(this.weights[i]! * 100)}% ${this.dists[i]!.describe()}`);
    return `mixture(${parts.join(', ')})`;
  }
}

export interface MixtureComponent {
  /** A positive finite weight; weights are normalised to sum to 1. */
  weight: number;
  dist: Distribution;
}

/** With probability weight_i / sum(weights), a draw from dist_i. */
export function mixture(components: readonly MixtureComponent[]): Distribution {
  if (!Array.isArray(components) || components.length === 0 || components.length > MIXTURE_COMPONENTS_MAX) {
    throw new InvalidOptionError('mixture', components, `a non-empty array of { weight, dist } (at most ${MIXTURE_COMPONENTS_MAX})`);
  }
  const raw = new Float64Array(components.length);
  const dists: Distribution[] = [];
  let total = 0;
  for (let i = 0; i < components.length; i++) {
    const c = requireParams(`mixture[${i}]`, components[i], ['weight', 'dist']);
    raw[i] = requirePositive(`mixture[${i}].weight`, c.weight);
    dists.push(requireDistribution(`mixture[${i}].dist`, c.dist));
    total += raw[i]!;
  }
  if (!Number.isFinite(total)) throw new InvalidOptionError('mixture weights', Array.from(raw), 'weights whose sum is finite');
  for (let i = 0; i < raw.length; i++) raw[i] = raw[i]! / total;
  return new Mixture(raw, dists);
}

// ------------------------------------------------------ shifted, scaled

class Shifted implements Distribution {
  readonly mean: number;
  readonly quantile?: (p: number) => number;
  readonly cdf?: (x: number) => number;
  constructor(
    private readonly inner: Distribution,
    private readonly offset: number,
  ) {
    this.mean = inner.mean + offset;
    if (typeof inner.quantile === 'function') this.quantile = (p: number) => inner.quantile!(p) + offset;
    if (typeof inner.cdf === 'function') this.cdf = (x: number) => inner.cdf!(x - offset);
  }
  sample(rng: RandomStream): number {
    const x = this.inner.sample(rng) + this.offset;
    return x < MAX ? (x > -MAX ? x : -MAX) : MAX;
  }
  describe(): string {
    return this.offset < 0 ? `${this.inner.describe()} - ${fmt(-this.offset)}` : `${this.inner.describe()} + ${fmt(this.offset)}`;
  }
}

/** `dist` plus a constant (e.g. WAN's +75 ms). Draws exactly what `dist` draws. */
export function shifted(dist: Distribution, offset: number): Distribution {
  return new Shifted(requireDistribution('shifted.dist', dist), requireFiniteNumber('shifted.offset', offset));
}

class Scaled implements Distribution {
  readonly mean: number;
  readonly quantile?: (p: number) => number;
  readonly cdf?: (x: number) => number;
  constructor(
    private readonly inner: Distribution,
    private readonly factor: number,
  ) {
    this.mean = inner.mean * factor;
    if (typeof inner.quantile === 'function') this.quantile = (p: number) => inner.quantile!(p) * factor;
    if (typeof inner.cdf === 'function') this.cdf = (x: number) => inner.cdf!(x / factor);
  }
  sample(rng: RandomStream): number {
    const x = this.inner.sample(rng) * this.factor;
    return x < MAX ? (x > -MAX ? x : -MAX) : MAX;
  }
  describe(): string {
    return `${fmt(this.factor)} * ${this.inner.describe()}`;
  }
}

/** `dist` times a positive constant (a change of unit, or a slower disk). Draws exactly what `dist` draws. */
export function scaled(dist: Distribution, factor: number): Distribution {
  return new Scaled(requireDistribution('scaled.dist', dist), requirePositive('scaled.factor', factor));
}

// ------------------------------------------------------------- fromSpec

/**
 * A distribution as plain data (from a scenario file). Numbers are in the
 * caller's unit: the scenario layer converts "5ms" before calling.
 */
export type DistributionSpec =
  | { constant: number }
  | { uniform: readonly [number, number] }
  | { exponential: ExponentialParams }
  | { normal: NormalParams }
  | { lognormal: LognormalParams }
  | { pareto: { xm: number; alpha: number } }
  | { weibull: { scale: number; shape: number } }
  | { empirical: EmpiricalParams }
  | { mixture: ReadonlyArray<{ weight: number; dist: DistributionSpec }> }
  | { shifted: { dist: DistributionSpec; by: number } }
  | { scaled: { dist: DistributionSpec; factor: number } }
  | { preset: PbsPresetName; leg: PbsLeg; remote?: boolean };

/** The keys a spec may have (one of them, or `preset` with `leg` and optional `remote`). */
export const DISTRIBUTION_SPEC_KEYS = [
  'constant',
  'uniform',
  'exponential',
  'normal',
  'lognormal',
  'pareto',
  'weibull',
  'empirical',
  'mixture',
  'shifted',
  'scaled',
  'preset',
] as const;

/** Nesting bound for specs (a spec that refers to itself through YAML anchors would not end). */
const SPEC_DEPTH_MAX = 32;

/**
 * Build a distribution from its plain description. Errors name the path in
 * the spec, prefixed by `path` (e.g. "network.latency.lognormal.sigma").
 */
export function fromSpec(spec: DistributionSpec, path = 'distribution'): Distribution {
  return build(spec, path, 0);
}

function build(spec: unknown, path: string, depth: number): Distribution {
  if (depth > SPEC_DEPTH_MAX) throw new InvalidOptionError(path, '(nested spec)', `at most ${SPEC_DEPTH_MAX} levels of nesting`);
  const obj = asObject(path, spec, `a distribution spec: an object with one of the keys ${DISTRIBUTION_SPEC_KEYS.join(', ')}`);
  const keys = Object.keys(obj);
  for (const key of keys) {
    if (!(DISTRIBUTION_SPEC_KEYS as readonly string[]).includes(key) && !('preset' in obj && (key === 'leg' || key === 'remote'))) {
      throw new InvalidOptionError(`${path} key`, key, `one of ${DISTRIBUTION_SPEC_KEYS.join(', ')}`);
    }
  }
  if ('preset' in obj) {
    checkKeys(path, obj, ['preset', 'leg', 'remote']);
    if (obj.remote !== undefined && typeof obj.remote !== 'boolean') throw new InvalidOptionError(`${path}.remote`, obj.remote, 'true or false');
    return prefixed(path, () =>
      pbsPreset(obj.preset as PbsPresetName, obj.leg as PbsLeg, obj.remote === undefined ? {} : { remote: obj.remote as boolean }),
    );
  }
  if (keys.length !== 1) throw new InvalidOptionError(path, spec, `exactly one of the keys ${DISTRIBUTION_SPEC_KEYS.join(', ')}`);
  const key = keys[0] as (typeof DISTRIBUTION_SPEC_KEYS)[number];
  const arg = obj[key];
  switch (key) {
    case 'constant':
      return prefixed(path, () => constant(arg as number));
    case 'uniform': {
      if (!Array.isArray(arg) || arg.length !== 2) throw new InvalidOptionError(`${path}.uniform`, arg, 'a pair [lo, hi]');
      return prefixed(path, () => uniform(arg[0], arg[1]));
    }
    case 'exponential':
      return prefixed(path, () => exponential(arg as ExponentialParams));
    case 'normal':
      return prefixed(path, () => normal(arg as NormalParams));
    case 'lognormal':
      return prefixed(path, () => lognormal(arg as LognormalParams));
    case 'pareto':
      return prefixed(path, () => pareto(arg as { xm: number; alpha: number }));
    case 'weibull':
      return prefixed(path, () => weibull(arg as { scale: number; shape: number }));
    case 'empirical':
      return prefixed(path, () => empirical(arg as EmpiricalParams));
    case 'mixture': {
      if (!Array.isArray(arg) || arg.length === 0 || arg.length > MIXTURE_COMPONENTS_MAX) {
        throw new InvalidOptionError(`${path}.mixture`, arg, `a non-empty array of { weight, dist } (at most ${MIXTURE_COMPONENTS_MAX})`);
      }
      const components = arg.map((c: unknown, i: number) => {
        const where = `${path}.mixture[${i}]`;
        const comp = requireParams(where, c, ['weight', 'dist']);
        return { weight: comp.weight as number, dist: build(comp.dist, `${where}.dist`, depth + 1) };
      });
      return prefixed(path, () => mixture(components));
    }
    case 'shifted': {
      const s = requireParams(`${path}.shifted`, arg, ['dist', 'by']);
      const by = requireFiniteNumber(`${path}.shifted.by`, s.by);
      return shifted(build(s.dist, `${path}.shifted.dist`, depth + 1), by);
    }
    case 'scaled': {
      const s = requireParams(`${path}.scaled`, arg, ['dist', 'factor']);
      const factor = requirePositive(`${path}.scaled.factor`, s.factor);
      return scaled(build(s.dist, `${path}.scaled.dist`, depth + 1), factor);
    }
    default:
      throw new InvalidOptionError(`${path} key`, key, `one of ${DISTRIBUTION_SPEC_KEYS.join(', ')}`);
  }
}

/** Run a constructor, re-throwing its InvalidOptionError with the spec path in front of the option. */
function prefixed(path: string, make: () => Distribution): Distribution {
  try {
    return make();
  } catch (e) {
    if (e instanceof InvalidOptionError) throw new InvalidOptionError(`${path}.${e.option}`, e.value, e.expected);
    throw e;
  }
}
