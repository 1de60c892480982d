/**
 * Distributions against closed forms computed here (never by the module's own
 * quantile()). Every statistical check uses 200,000 draws from a fixed seed
 * and a stated tolerance of Z standard errors:
 * - mean: |sample mean - exact mean| <= Z * sd / sqrt(n), sd exact;
 * - quantile q_p: the fraction of draws <= q_p is p +/- Z * sqrt(p(1-p)/n)
 *   (the binomial error of the empirical CDF at q_p; equivalently, the sample
 *   p-quantile lies between the exact (p -/+ that band)-quantiles). At
 *   n = 200,000 and p = 0.99 the band is +/- 0.001.
 * Heavy tails (Pareto alpha 1.51, infinite variance) get quantile checks only.
 */
import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import { InvalidOptionError } from '../../sim/errors.js';
import { RandomRoot, RandomStream, type Seed } from '../../sim/random.js';
import {
  constant,
  empirical,
  exponential,
  fromSpec,
  lognormal,
  mixture,
  normal,
  pareto,
  scaled,
  shifted,
  standardNormalCdf,
  standardNormalQuantile,
  uniform,
  weibull,
  type Distribution,
  type DistributionSpec,
} from '../../sim/distributions.js';

const N = 200_000;
const Z = 4.5;
const SEED = 20120827;

// Standard normal quantiles (tables; 16 digits).
const Z50 = 0;
const Z75 = 0.6744897501960817;
const Z90 = 1.2815515655446004;
const Z95 = 1.6448536269514722;
const Z99 = 2.3263478740408408;
const Z995 = 2.5758293035489004;

let streams = 0;
/** A fresh stream per call: every check draws from its own sequence. */
function stream(name = `s${streams++}`): RandomStream {
  return new RandomRoot(SEED).stream(name);
}

function draws(dist: Distribution, n = N, rng = stream()): Float64Array {
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = dist.sample(rng);
  return xs;
}

interface Exact {
  mean?: number;
  sd?: number;
  /** [p, exact p-quantile] */
  quantiles?: ReadonlyArray<readonly [number, number]>;
}

function checkDraws(t: ExecutionContext, dist: Distribution, exact: Exact, xs = draws(dist)): void {
  const n = xs.length;
  for (const x of xs) {
    if (!Number.isFinite(x)) {
      t.fail(`${dist.describe()}: non-finite draw ${x}`);
      return;
    }
  }
  if (exact.mean !== undefined && exact.sd !== undefined) {
    let sum = 0;
    for (const x of xs) sum += x;
    const m = sum / n;
    const tol = (Z * exact.sd) / Math.sqrt(n);
    t.true(Math.abs(m - exact.mean) <= tol, `${dist.describe()}: sample mean ${m} vs exact ${exact.mean} (tolerance ${tol})`);
    t.true(Math.abs(dist.mean - exact.mean) <= 1e-9 * Math.max(1, Math.abs(exact.mean)), `${dist.describe()}: .mean ${dist.mean} vs ${exact.mean}`);
  }
  for (const [p, q] of exact.quantiles ?? []) {
    let below = 0;
    for (const x of xs) if (x <= q) below++;
    const frac = below / n;
    const tol = Z * Math.sqrt((p * (1 - p)) / n);
    t.true(Math.abs(frac - p) <= tol, `${dist.describe()}: P(X <= ${q}) = ${frac}, expected ${p} +/- ${tol}`);
  }
}

/** The distribution's own quantile()/cdf() agree with the closed form too. */
function checkQuantileFn(t: ExecutionContext, dist: Distribution, quantiles: ReadonlyArray<readonly [number, number]>, rel = 1e-9): void {
  t.is(typeof dist.quantile, 'function', `${dist.describe()} has quantile()`);
  for (const [p, q] of quantiles) {
    const got = dist.quantile!(p);
    t.true(Math.abs(got - q) <= rel * Math.max(1, Math.abs(q)), `${dist.describe()}: quantile(${p}) = ${got}, exact ${q}`);
    if (dist.cdf) t.true(Math.abs(dist.cdf(q) - p) <= 1e-9, `${dist.describe()}: cdf(${q}) = ${dist.cdf(q)}, expected ${p}`);
  }
}

// ----------------------------------------------------------- the families

test('standard normal helpers match tables', (t) => {
  for (const [p, z] of [
    [0.5, Z50],
    [0.75, Z75],
    [0.9, Z90],
    [0.95, Z95],
    [0.99, Z99],
    [0.995, Z995],
    [1e-10, -6.361340902404056],
  ] as const) {
    t.true(Math.abs(standardNormalQuantile(p) - z) <= 1e-14 * Math.max(1, Math.abs(z)), `Phi^-1(${p})`);
  }
  for (const [x, q] of [
    [1, 0.15865525393145707],
    [2, 0.022750131948179195],
    [3, 1.3498980316300946e-3],
    [5, 2.866515718791939e-7],
    [10, 7.619853024160527e-24],
  ] as const) {
    t.true(Math.abs(standardNormalCdf(-x) - q) <= 1e-14 * q, `Phi(${-x})`);
    t.true(Math.abs(standardNormalCdf(x) - (1 - q)) <= 1e-15, `Phi(${x})`);
  }
});

test('constant: always the value, draws nothing', (t) => {
  const d = constant(7);
  const rng = stream();
  const before = rng.saveState();
  for (let i = 0; i < 10; i++) t.is(d.sample(rng), 7);
  t.deepEqual(rng.saveState(), before);
  t.is(d.mean, 7);
  t.is(d.quantile!(0.99), 7);
  t.is(d.describe(), 'constant(7)');
});

test('uniform(2, 10)', (t) => {
  const d = uniform(2, 10);
  const qs = [0.5, 0.9, 0.99].map((p) => [p, 2 + 8 * p] as const);
  checkDraws(t, d, { mean: 6, sd: 8 / Math.sqrt(12), quantiles: qs });
  checkQuantileFn(t, d, qs);
  const xs = draws(d, 10_000);
  t.true(xs.every((x) => x >= 2 && x < 10));
});

test('exponential by mean and by rate', (t) => {
  const byMean = exponential({ mean: 250 });
  const qs = [0.5, 0.9, 0.99].map((p) => [p, -250 * Math.log(1 - p)] as const);
  checkDraws(t, byMean, { mean: 250, sd: 250, quantiles: qs });
  checkQuantileFn(t, byMean, qs);
  const byRate = exponential({ rate: 0.004 });
  t.deepEqual(draws(byRate, 1000, stream('same')), draws(byMean, 1000, new RandomRoot(SEED).stream('same')));
  t.is(byMean.describe(), 'exponential(mean 250)');
  t.is(byRate.describe(), 'exponential(rate 0.004)');
});

test('normal(100, 15)', (t) => {
  const d = normal({ mean: 100, sd: 15 });
  const qs = [
    [0.5, 100 + 15 * Z50],
    [0.9, 100 + 15 * Z90],
    [0.99, 100 + 15 * Z99],
    [0.01, 100 - 15 * Z99],
  ] as const;
  checkDraws(t, d, { mean: 100, sd: 15, quantiles: qs });
  checkQuantileFn(t, d, qs, 1e-13);
});

test('normal truncated at its mean is a half-normal', (t) => {
  const d = normal({ mean: 100, sd: 15, min: 100 });
  const qs = [
    [0.5, 100 + 15 * Z75],
    [0.9, 100 + 15 * Z95],
    [0.99, 100 + 15 * Z995],
  ] as const;
  const xs = draws(d);
  t.true(xs.every((x) => x >= 100), 'no draw below the floor');
  checkDraws(t, d, { mean: 100 + 15 * Math.sqrt(2 / Math.PI), sd: 15 * Math.sqrt(1 - 2 / Math.PI), quantiles: qs }, xs);
  checkQuantileFn(t, d, qs, 1e-12);
});

test('normal truncated below and far above the mean', (t) => {
  // Floor one sd below: P(X <= mean | X >= mean - sd) = (1/2 - Q(1)) / (1 - Q(1)).
  const q1 = 0.15865525393145707;
  const phi1 = Math.exp(-0.5) / Math.sqrt(2 * Math.PI);
  const low = normal({ mean: 100, sd: 15, min: 85 });
  const xsLow = draws(low);
  t.true(xsLow.every((x) => x >= 85));
  const meanLow = 100 + (15 * phi1) / (1 - q1);
  t.true(Math.abs(low.mean - meanLow) < 1e-9);
  checkDraws(t, low, { quantiles: [[(0.5 - q1) / (1 - q1), 100]] }, xsLow);
  // Floor three sd above: E = mu + sd phi(3)/Q(3); Var = sd^2 (1 + 3 l - l^2), l = phi(3)/Q(3).
  const q3 = 1.3498980316300946e-3;
  const l = Math.exp(-4.5) / Math.sqrt(2 * Math.PI) / q3;
  const high = normal({ mean: 100, sd: 15, min: 145 });
  const xsHigh = draws(high);
  t.true(xsHigh.every((x) => x >= 145));
  checkDraws(t, high, { mean: 100 + 15 * l, sd: 15 * Math.sqrt(1 + 3 * l - l * l) }, xsHigh);
});

test('lognormal { mu, sigma }', (t) => {
  const [mu, s] = [1, 0.5];
  const d = lognormal({ mu, sigma: s });
  const qs = [
    [0.5, Math.exp(mu + s * Z50)],
    [0.9, Math.exp(mu + s * Z90)],
    [0.99, Math.exp(mu + s * Z99)],
  ] as const;
  const mean = Math.exp(mu + (s * s) / 2);
  checkDraws(t, d, { mean, sd: Math.sqrt((Math.exp(s * s) - 1) * Math.exp(2 * mu + s * s)), quantiles: qs });
  checkQuantileFn(t, d, qs, 1e-12);
  t.is(d.describe(), 'lognormal(mu 1, sigma 0.5)');
});

test('lognormal { mean, sigma }: the mean is the lognormal\'s own', (t) => {
  const d = lognormal({ mean: 10, sigma: 1 });
  const mu = Math.log(10) - 0.5;
  const qs = [
    [0.5, Math.exp(mu)],
    [0.9, Math.exp(mu + Z90)],
    [0.99, Math.exp(mu + Z99)],
  ] as const;
  checkDraws(t, d, { mean: 10, sd: Math.sqrt((Math.E - 1) * Math.exp(2 * mu + 1)), quantiles: qs });
  checkQuantileFn(t, d, qs, 1e-12);
});

test('lognormal { median, p99 } reproduces its median and p99', (t) => {
  const d = lognormal({ median: 2, p99: 40 });
  const qs = [
    [0.5, 2],
    [0.99, 40],
  ] as const;
  const sigma = Math.log(20) / Z99;
  const mean = Math.exp(Math.log(2) + (sigma * sigma) / 2);
  const sd = Math.sqrt((Math.exp(sigma * sigma) - 1) * Math.exp(2 * Math.log(2) + sigma * sigma));
  checkDraws(t, d, { mean, sd, quantiles: qs });
  checkQuantileFn(t, d, qs, 1e-12);
  t.is(d.describe(), 'lognormal(median 2, p99 40)');
});

test('pareto alpha 10 (finite variance): mean and quantiles', (t) => {
  const [xm, a] = [235, 10];
  const d = pareto({ xm, alpha: a });
  const qs = [0.5, 0.9, 0.99].map((p) => [p, xm * Math.pow(1 - p, -1 / a)] as const);
  const sd = Math.sqrt((xm * xm * a) / ((a - 1) ** 2 * (a - 2)));
  checkDraws(t, d, { mean: (a * xm) / (a - 1), sd, quantiles: qs });
  checkQuantileFn(t, d, qs);
  t.true(draws(d, 10_000).every((x) => x >= xm));
});

test('pareto alpha 1.51 (heavy tail): quantiles only', (t) => {
  const [xm, a] = [1050, 1.51];
  const d = pareto({ xm, alpha: a });
  const qs = [0.5, 0.9, 0.99, 0.999].map((p) => [p, xm * Math.pow(1 - p, -1 / a)] as const);
  checkDraws(t, d, { quantiles: qs });
  checkQuantileFn(t, d, qs);
  t.true(Math.abs(d.mean - (a * xm) / (a - 1)) < 1e-9);
});

test('pareto alpha <= 1: mean NaN, quantiles still exact', (t) => {
  const d = pareto({ xm: 1, alpha: 0.8 });
  t.true(Number.isNaN(d.mean));
  const qs = [0.5, 0.9, 0.99].map((p) => [p, Math.pow(1 - p, -1 / 0.8)] as const);
  checkDraws(t, d, { quantiles: qs });
});

test('weibull: shapes 2, 0.5 and 1 (exponential)', (t) => {
  const w2 = weibull({ scale: 3, shape: 2 });
  const q2 = [0.5, 0.9, 0.99].map((p) => [p, 3 * Math.sqrt(-Math.log(1 - p))] as const);
  checkDraws(t, w2, { mean: (3 * Math.sqrt(Math.PI)) / 2, sd: 3 * Math.sqrt(1 - Math.PI / 4), quantiles: q2 });
  checkQuantileFn(t, w2, q2);
  // shape 1/2: mean = scale Gamma(3) = 2 scale, var = scale^2 (Gamma(5) - Gamma(3)^2) = 20 scale^2
  const wh = weibull({ scale: 2, shape: 0.5 });
  const qh = [0.5, 0.9, 0.99].map((p) => [p, 2 * Math.log(1 - p) ** 2] as const);
  checkDraws(t, wh, { mean: 4, sd: Math.sqrt(80), quantiles: qh });
  checkQuantileFn(t, wh, qh);
  const w1 = weibull({ scale: 5, shape: 1 });
  checkDraws(t, w1, { mean: 5, sd: 5, quantiles: [[0.5, 5 * Math.LN2]] });
});

test('empirical CDF table reproduces its points', (t) => {
  const d = empirical({
    cdf: [
      [0, 0],
      [10, 0.5],
      [20, 0.9],
      [100, 1],
    ],
  });
  // Piecewise uniform: E = sum w (a+b)/2, E[X^2] = sum w (a^2+ab+b^2)/3.
  const mean = 0.5 * 5 + 0.4 * 15 + 0.1 * 60;
  const m2 = (0.5 * 100) / 3 + (0.4 * 700) / 3 + (0.1 * 12400) / 3;
  const qs = [
    [0.5, 10],
    [0.9, 20],
    [0.7, 15],
    [0.99, 92],
  ] as const;
  const xs = draws(d);
  t.true(xs.every((x) => x >= 0 && x <= 100));
  checkDraws(t, d, { mean, sd: Math.sqrt(m2 - mean * mean), quantiles: qs }, xs);
  checkQuantileFn(t, d, qs);
});

test('empirical CDF with an atom at its first value', (t) => {
  const d = empirical({
    cdf: [
      [5, 0.2],
      [15, 1],
    ],
  });
  const xs = draws(d);
  const atom = xs.filter((x) => x === 5).length / xs.length;
  t.true(Math.abs(atom - 0.2) <= Z * Math.sqrt((0.2 * 0.8) / N), `atom ${atom}`);
  t.true(Math.abs(d.mean - (0.2 * 5 + 0.8 * 10)) < 1e-12);
  t.is(d.quantile!(0.1), 5);
  t.is(d.quantile!(0.6), 10);
});

test('empirical samples: inverse ECDF with linear interpolation', (t) => {
  // Order statistics 1..5 at probabilities 0, 1/4, ..., 1: the distribution is uniform(1, 5).
  const d = empirical({ samples: [5, 1, 4, 2, 3] });
  const qs = [0.5, 0.9, 0.99].map((p) => [p, 1 + 4 * p] as const);
  checkDraws(t, d, { mean: 3, sd: 4 / Math.sqrt(12), quantiles: qs });
  checkQuantileFn(t, d, qs);
  const xs = draws(d, 10_000);
  t.true(xs.every((x) => x >= 1 && x <= 5));
  // Uneven data: [0, 0, 10]: half the mass on [0, 0], half on [0, 10], mean 2.5.
  const e = empirical({ samples: [10, 0, 0] });
  t.true(Math.abs(e.mean - 2.5) < 1e-12);
  checkDraws(t, e, { mean: 2.5, sd: Math.sqrt(0.5 * (100 / 3) - 2.5 ** 2), quantiles: [[0.75, 5]] });
  t.is(empirical({ samples: [4] }).sample(stream()), 4);
});

test('mixture honours its weights', (t) => {
  const d = mixture([
    { weight: 3, dist: uniform(0, 1) },
    { weight: 1, dist: uniform(10, 11) },
  ]);
  const xs = draws(d);
  const low = xs.filter((x) => x < 5).length / xs.length;
  t.true(Math.abs(low - 0.75) <= Z * Math.sqrt((0.75 * 0.25) / N), `fraction below 5: ${low}`);
  // E = 0.75 * 0.5 + 0.25 * 10.5; E[X^2] = 0.75/3 + 0.25 (10^2 + 110 + 11^2)/3
  const mean = 3;
  const m2 = 0.75 / 3 + (0.25 * 331) / 3;
  const qs = [
    [0.5, 0.5 / 0.75],
    [0.9, 10 + 0.15 / 0.25],
    [0.99, 10 + 0.24 / 0.25],
  ] as const;
  checkDraws(t, d, { mean, sd: Math.sqrt(m2 - mean * mean), quantiles: qs }, xs);
  checkQuantileFn(t, d, qs, 1e-12);
  t.is(d.describe(), 'mixture(75% uniform(0, 1), 25% uniform(10, 11))');
});

test('mixture with a component lacking quantile() has none', (t) => {
  const opaque: Distribution = { sample: () => 1, mean: 1, describe: () => 'opaque' };
  const d = mixture([
    { weight: 1, dist: opaque },
    { weight: 1, dist: constant(3) },
  ]);
  t.is(d.quantile, undefined);
  t.is(d.mean, 2);
});

test('shifted and scaled', (t) => {
  const s = shifted(exponential({ mean: 10 }), 75);
  const qs = [0.5, 0.9, 0.99].map((p) => [p, 75 - 10 * Math.log(1 - p)] as const);
  checkDraws(t, s, { mean: 85, sd: 10, quantiles: qs });
  checkQuantileFn(t, s, qs);
  const k = scaled(uniform(0, 1), 1000);
  const qk = [0.5, 0.9, 0.99].map((p) => [p, 1000 * p] as const);
  checkDraws(t, k, { mean: 500, sd: 1000 / Math.sqrt(12), quantiles: qk });
  checkQuantileFn(t, k, qk);
  t.is(s.describe(), 'exponential(mean 10) + 75');
  t.is(k.describe(), '1000 * uniform(0, 1)');
  // Same stream state: shifted draws = inner draws + offset.
  const inner = draws(exponential({ mean: 10 }), 100, stream('shift'));
  const outer = draws(s, 100, new RandomRoot(SEED).stream('shift'));
  outer.forEach((x, i) => t.is(x, inner[i]! + 75));
});

// ------------------------------------------------------------ validation

function throwsOption(t: ExecutionContext, fn: () => unknown, option: string, value?: unknown): void {
  const err = t.throws(fn, { instanceOf: InvalidOptionError }, option);
  if (!err) return;
  t.is(err.option, option);
  if (value !== undefined) t.deepEqual(err.value, value);
  t.true(err.expected.length > 0);
  t.true(err.message.includes(err.expected));
}

test('each bad parameter throws InvalidOptionError naming it', (t) => {
  throwsOption(t, () => constant(NaN), 'constant.value');
  throwsOption(t, () => uniform(5, 1), 'uniform.hi', 1);
  throwsOption(t, () => uniform(Infinity, 1), 'uniform.lo');
  throwsOption(t, () => exponential({ mean: -5 }), 'exponential.mean', -5);
  throwsOption(t, () => exponential({ rate: 0 }), 'exponential.rate', 0);
  throwsOption(t, () => exponential({ mean: 1, rate: 1 } as never), 'exponential key', 'rate');
  throwsOption(t, () => normal({ mean: 0, sd: -1 }), 'normal.sd', -1);
  throwsOption(t, () => normal({ mean: 0, sd: 0 }), 'normal.sd', 0);
  throwsOption(t, () => normal({ mean: NaN, sd: 1 }), 'normal.mean');
  throwsOption(t, () => normal({ mean: 0, sd: 1, min: 31 }), 'normal.min', 31);
  throwsOption(t, () => normal({ mean: 0, sd: 1, stdev: 2 } as never), 'normal key', 'stdev');
  throwsOption(t, () => lognormal({ mu: 0, sigma: -1 }), 'lognormal.sigma', -1);
  throwsOption(t, () => lognormal({ mean: 0, sigma: 1 }), 'lognormal.mean', 0);
  throwsOption(t, () => lognormal({ median: 2, p99: 1 }), 'lognormal.p99', 1);
  throwsOption(t, () => lognormal({ median: -2, p99: 1 }), 'lognormal.median', -2);
  throwsOption(t, () => lognormal({ mu: 0, sigma: 1, median: 3 } as never), 'lognormal key', 'median');
  throwsOption(t, () => lognormal({ sigma: 1 } as never), 'lognormal');
  throwsOption(t, () => pareto({ xm: 1, alpha: 0 }), 'pareto.alpha', 0);
  throwsOption(t, () => pareto({ xm: 1, alpha: -2 }), 'pareto.alpha', -2);
  throwsOption(t, () => pareto({ xm: 0, alpha: 2 }), 'pareto.xm', 0);
  throwsOption(t, () => weibull({ scale: 1, shape: 0 }), 'weibull.shape', 0);
  throwsOption(t, () => weibull({ scale: -1, shape: 1 }), 'weibull.scale', -1);
  throwsOption(t, () => mixture([]), 'mixture');
  throwsOption(t, () => mixture([{ weight: 1, dist: constant(1) }, { weight: 0, dist: constant(2) }]), 'mixture[1].weight', 0);
  throwsOption(t, () => mixture([{ weight: -1, dist: constant(1) }]), 'mixture[0].weight', -1);
  throwsOption(t, () => mixture([{ weight: 1, dist: {} as Distribution }]), 'mixture[0].dist');
  throwsOption(t, () => shifted(constant(1), NaN), 'shifted.offset');
  throwsOption(t, () => scaled(constant(1), 0), 'scaled.factor', 0);
  throwsOption(t, () => uniform(0, 1).quantile!(1.5), 'quantile p', 1.5);
});

test('empirical validation: monotone table ending at 1, finite samples', (t) => {
  throwsOption(
    t,
    () =>
      empirical({
        cdf: [
          [0, 0],
          [10, 0.5],
          [5, 1],
        ],
      }),
    'empirical.cdf[2][0]',
    5,
  );
  throwsOption(
    t,
    () =>
      empirical({
        cdf: [
          [0, 0.6],
          [10, 0.5],
          [20, 1],
        ],
      }),
    'empirical.cdf[1][1]',
    0.5,
  );
  throwsOption(
    t,
    () =>
      empirical({
        cdf: [
          [0, 0],
          [10, 0.9],
        ],
      }),
    'empirical.cdf[1][1]',
    0.9,
  );
  throwsOption(t, () => empirical({ cdf: [[0, 1.2]] }), 'empirical.cdf[0][1]', 1.2);
  throwsOption(t, () => empirical({ cdf: [] }), 'empirical.cdf');
  throwsOption(t, () => empirical({ cdf: [[1] as never] }), 'empirical.cdf[0]');
  throwsOption(t, () => empirical({ samples: [] }), 'empirical.samples');
  throwsOption(t, () => empirical({ samples: [1, NaN] }), 'empirical.samples[1]');
});

// ------------------------------------------------------------- fromSpec

test('fromSpec builds what the constructors build', (t) => {
  const cases: Array<[DistributionSpec, Distribution]> = [
    [{ constant: 5 }, constant(5)],
    [{ uniform: [1, 3] }, uniform(1, 3)],
    [{ exponential: { mean: 4 } }, exponential({ mean: 4 })],
    [{ exponential: { rate: 0.25 } }, exponential({ rate: 0.25 })],
    [{ normal: { mean: 10, sd: 2, min: 0 } }, normal({ mean: 10, sd: 2, min: 0 })],
    [{ lognormal: { median: 2, p99: 40 } }, lognormal({ median: 2, p99: 40 })],
    [{ lognormal: { mu: 1, sigma: 2 } }, lognormal({ mu: 1, sigma: 2 })],
    [{ lognormal: { mean: 3, sigma: 0.2 } }, lognormal({ mean: 3, sigma: 0.2 })],
    [{ pareto: { xm: 1, alpha: 2 } }, pareto({ xm: 1, alpha: 2 })],
    [{ weibull: { scale: 1, shape: 2 } }, weibull({ scale: 1, shape: 2 })],
    [{ empirical: { cdf: [[0, 0], [1, 1]] } }, empirical({ cdf: [[0, 0], [1, 1]] })],
    [{ empirical: { samples: [3, 1, 2] } }, empirical({ samples: [3, 1, 2] })],
    [
      { mixture: [{ weight: 1, dist: { constant: 1 } }, { weight: 3, dist: { uniform: [5, 6] } }] },
      mixture([{ weight: 1, dist: constant(1) }, { weight: 3, dist: uniform(5, 6) }]),
    ],
    [{ shifted: { dist: { exponential: { mean: 1 } }, by: 75 } }, shifted(exponential({ mean: 1 }), 75)],
    [{ scaled: { dist: { uniform: [0, 1] }, factor: 1000 } }, scaled(uniform(0, 1), 1000)],
  ];
  for (const [spec, direct] of cases) {
    const built = fromSpec(spec);
    t.is(built.describe(), direct.describe());
    t.true(built.mean === direct.mean || (Number.isNaN(built.mean) && Number.isNaN(direct.mean)));
    const name = `spec-${JSON.stringify(spec)}`;
    t.deepEqual(draws(built, 50, new RandomRoot(SEED).stream(name)), draws(direct, 50, new RandomRoot(SEED).stream(name)));
  }
  t.true(fromSpec({ preset: 'WAN', leg: 'W', remote: true }).describe().includes('WAN'));
});

test('fromSpec refuses unknown keys, naming the key and the valid ones', (t) => {
  const err = t.throws(() => fromSpec({ gaussian: { mean: 1, sd: 1 } } as never), { instanceOf: InvalidOptionError });
  t.is(err?.option, 'distribution key');
  t.is(err?.value, 'gaussian');
  for (const key of ['constant', 'uniform', 'exponential', 'normal', 'lognormal', 'pareto', 'weibull', 'empirical', 'mixture', 'shifted', 'preset']) {
    t.true(err!.expected.includes(key), key);
  }
  throwsOption(t, () => fromSpec({ constant: 1, uniform: [0, 1] } as never), 'distribution');
  throwsOption(t, () => fromSpec({ normal: { mean: 1, sdev: 1 } } as never, 'latency'), 'latency.normal key', 'sdev');
  throwsOption(t, () => fromSpec({ shifted: { dist: { constant: 1 }, offset: 3 } } as never), 'distribution.shifted key', 'offset');
  throwsOption(t, () => fromSpec({ preset: 'LNKD-SSD', leg: 'W', extra: 1 } as never), 'distribution key', 'extra');
  throwsOption(t, () => fromSpec(null as never), 'distribution');
  throwsOption(t, () => fromSpec({ uniform: [1] } as never), 'distribution.uniform');
});

test('fromSpec errors name the path to the bad parameter', (t) => {
  throwsOption(
    t,
    () => fromSpec({ mixture: [{ weight: 1, dist: { constant: 1 } }, { weight: 1, dist: { normal: { mean: 0, sd: -1 } } }] }, 'net.sameDc'),
    'net.sameDc.mixture[1].dist.normal.sd',
    -1,
  );
  throwsOption(t, () => fromSpec({ mixture: [{ weight: 0, dist: { constant: 1 } }] }), 'distribution.mixture[0].weight', 0);
  throwsOption(t, () => fromSpec({ shifted: { dist: { pareto: { xm: 1, alpha: 0 } }, by: 5 } }), 'distribution.shifted.dist.pareto.alpha', 0);
  throwsOption(t, () => fromSpec({ preset: 'LNKD-FOO' as never, leg: 'W' }), 'distribution.preset', 'LNKD-FOO');
  throwsOption(t, () => fromSpec({ preset: 'YMMR', leg: 'X' as never }), 'distribution.leg', 'X');
});

// ----------------------------------------------------------- determinism

/** Counts the uniforms a distribution takes; any other kind of draw fails the test. */
class CountingStream extends RandomStream {
  uniforms = 0;
  constructor(name: string) {
    super(String(SEED) as Seed, name);
  }
  override next(): number {
    this.uniforms++;
    return super.next();
  }
  override nextOpen(): number {
    this.uniforms++;
    return super.nextOpen();
  }
  override int(): number {
    throw new Error('distributions draw uniforms only');
  }
  override chance(): boolean {
    throw new Error('distributions draw uniforms only');
  }
}

const ssdLike = mixture([
  { weight: 0.9122, dist: pareto({ xm: 235, alpha: 10 }) },
  { weight: 0.0878, dist: exponential({ mean: 602 }) },
]);

const CATALOGUE: Array<[string, Distribution, number]> = [
  ['constant', constant(3), 0],
  ['uniform', uniform(0, 1), 1],
  ['exponential', exponential({ mean: 3 }), 1],
  ['normal', normal({ mean: 0, sd: 1 }), 1],
  ['normal truncated', normal({ mean: 0, sd: 1, min: 0.5 }), 1],
  ['normal truncated low', normal({ mean: 0, sd: 1, min: -0.5 }), 1],
  ['lognormal', lognormal({ median: 2, p99: 40 }), 1],
  ['pareto', pareto({ xm: 1, alpha: 1.51 }), 1],
  ['weibull', weibull({ scale: 1, shape: 0.7 }), 1],
  ['empirical cdf', empirical({ cdf: [[0, 0], [1, 0.5], [9, 1]] }), 1],
  ['empirical samples', empirical({ samples: [1, 5, 2, 8] }), 1],
  ['mixture', ssdLike, 2],
  ['shifted', shifted(lognormal({ mu: 0, sigma: 1 }), 75), 1],
  ['scaled', scaled(normal({ mean: 5, sd: 1 }), 10), 1],
];

test('each draw takes a fixed number of uniforms from the given stream only', (t) => {
  for (const [name, d, perDraw] of CATALOGUE) {
    const rng = new CountingStream(`count-${name}`);
    const reference = new RandomRoot(SEED).stream(`count-${name}`);
    for (let i = 0; i < 1000; i++) {
      const before = rng.uniforms;
      d.sample(rng);
      t.is(rng.uniforms - before, perDraw, `${name}: uniforms per draw`);
    }
    // After k draws the stream sits exactly k * perDraw uniforms further on.
    for (let i = 0; i < 1000 * perDraw; i++) reference.next();
    t.is(rng.next(), reference.next(), `${name}: stream position`);
  }
});

test('the same stream state gives the same sequence', (t) => {
  for (const [name, d] of CATALOGUE) {
    const a = new RandomRoot(SEED).stream(`det-${name}`);
    const b = new RandomRoot(SEED).stream(`det-${name}`);
    const xa = draws(d, 500, a);
    t.deepEqual(xa, draws(d, 500, b), name);
    const saved = a.saveState();
    const next = draws(d, 500, a);
    t.deepEqual(draws(d, 500, RandomStream.restore(saved)), next, `${name}: restored`);
    if (name !== 'constant') t.notDeepEqual(draws(d, 500, stream()), xa, `${name}: another stream differs`);
  }
});

test('no state between calls: interleaving two streams changes neither sequence', (t) => {
  for (const [name, d] of CATALOGUE) {
    const alone = draws(d, 300, new RandomRoot(SEED).stream(`iv-a-${name}`));
    const aloneB = draws(d, 300, new RandomRoot(SEED).stream(`iv-b-${name}`));
    const a = new RandomRoot(SEED).stream(`iv-a-${name}`);
    const b = new RandomRoot(SEED).stream(`iv-b-${name}`);
    const ia = new Float64Array(300);
    const ib = new Float64Array(300);
    for (let i = 0; i < 300; i++) {
      ia[i] = d.sample(a);
      ib[i] = d.sample(b);
    }
    t.deepEqual(ia, alone, name);
    t.deepEqual(ib, aloneB, name);
  }
});

// --------------------------------------------------------- finite draws

/** A stream whose every uniform is the given extreme. */
class ExtremeStream extends RandomStream {
  constructor(private readonly low: boolean) {
    super(String(SEED) as Seed, 'extreme');
  }
  override next(): number {
    return this.low ? 0 : 1 - 2 ** -53;
  }
  override nextOpen(): number {
    return this.low ? 2 ** -53 : 1;
  }
}

test('extreme uniforms give finite draws', (t) => {
  const wild = [
    pareto({ xm: 1e300, alpha: 0.001 }),
    weibull({ scale: 1e300, shape: 0.001 }),
    lognormal({ mu: 700, sigma: 100 }),
    exponential({ mean: 1e307 }),
    normal({ mean: 1e308, sd: 1e308 }),
    normal({ mean: 0, sd: 1, min: 30 }),
    normal({ mean: 0, sd: 1, min: -1e6 }),
    shifted(pareto({ xm: 1, alpha: 0.01 }), 1e308),
    scaled(pareto({ xm: 1, alpha: 0.01 }), 1e300),
    uniform(-1.7e308, 1.7e308),
    ...CATALOGUE.map(([, d]) => d),
  ];
  for (const d of wild) {
    for (const low of [true, false]) {
      const x = d.sample(new ExtremeStream(low));
      t.true(Number.isFinite(x), `${d.describe()} at u ${low ? 'low' : 'high'}: ${x}`);
    }
  }
});

interface Gen {
  dist: Distribution;
  nonNegative: boolean;
}

const scale = fc.double({ min: 1e-9, max: 1e9, noNaN: true });
const shape = fc.double({ min: 1e-3, max: 1e3, noNaN: true });
const real = fc.double({ min: -1e12, max: 1e12, noNaN: true });

const leaf: fc.Arbitrary<Gen> = fc.oneof(
  real.map((v) => ({ dist: constant(v), nonNegative: v >= 0 })),
  fc.tuple(real, real).map(([a, b]) => ({ dist: uniform(Math.min(a, b), Math.max(a, b)), nonNegative: Math.min(a, b) >= 0 })),
  scale.map((mean) => ({ dist: exponential({ mean }), nonNegative: true })),
  fc.tuple(real, scale).map(([mean, sd]) => ({ dist: normal({ mean, sd }), nonNegative: false })),
  fc
    .tuple(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.double({ min: 1e-3, max: 1e9, noNaN: true }), fc.double({ min: -1e3, max: 29.9, noNaN: true }))
    .map(([mean, sd, k]) => ({ dist: normal({ mean, sd, min: mean + k * sd }), nonNegative: mean + k * sd >= 0 })),
  fc.tuple(fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: 1e-6, max: 50, noNaN: true })).map(([mu, sigma]) => ({
    dist: lognormal({ mu, sigma }),
    nonNegative: true,
  })),
  fc.tuple(scale, fc.double({ min: 1e-6, max: 20, noNaN: true })).map(([mean, sigma]) => ({ dist: lognormal({ mean, sigma }), nonNegative: true })),
  fc.tuple(scale, fc.double({ min: 1.000001, max: 1e6, noNaN: true })).map(([median, r]) => ({
    dist: lognormal({ median, p99: median * r }),
    nonNegative: true,
  })),
  fc.tuple(scale, shape).map(([xm, alpha]) => ({ dist: pareto({ xm, alpha }), nonNegative: true })),
  fc.tuple(scale, shape).map(([s, k]) => ({ dist: weibull({ scale: s, shape: k }), nonNegative: true })),
  fc.array(real, { minLength: 1, maxLength: 30 }).map((samples) => ({ dist: empirical({ samples }), nonNegative: samples.every((x) => x >= 0) })),
  fc
    .array(fc.tuple(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 20 })
    .map((rows) => {
      const vs = rows.map((r) => r[0]).sort((a, b) => a - b);
      const ps = rows.map((r) => r[1]).sort((a, b) => a - b);
      ps[ps.length - 1] = 1;
      return { dist: empirical({ cdf: vs.map((v, i) => [v, ps[i]!] as [number, number]) }), nonNegative: true };
    }),
);

const anyDist: fc.Arbitrary<Gen> = fc.oneof(
  { arbitrary: leaf, weight: 4 },
  fc
    .array(fc.tuple(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), leaf), { minLength: 1, maxLength: 5 })
    .map((cs) => ({ dist: mixture(cs.map(([weight, g]) => ({ weight, dist: g.dist }))), nonNegative: cs.every(([, g]) => g.nonNegative) })),
  fc.tuple(leaf, real).map(([g, by]) => ({ dist: shifted(g.dist, by), nonNegative: false })),
  fc.tuple(leaf, scale).map(([g, factor]) => ({ dist: scaled(g.dist, factor), nonNegative: g.nonNegative })),
);

test('property: valid parameters give finite draws, non-negative for non-negative families', (t) => {
  fc.assert(
    fc.property(anyDist, fc.nat(), (g, seed) => {
      const rng = new RandomRoot(seed).stream('prop');
      for (let i = 0; i < 200; i++) {
        const x = g.dist.sample(rng);
        if (!Number.isFinite(x)) return false;
        if (g.nonNegative && !(x >= 0)) return false;
      }
      return true;
    }),
    { numRuns: 1000, seed: SEED },
  );
  t.pass();
});
