/**
 * PBS presets against the table in DYNAMO.md section 12, re-typed here from
 * the paper's units (ms, lambda per ms) so a slip in the module's unit
 * conversion cannot cancel out. Statistical checks: 200,000 draws, fixed
 * seed, tolerance 4.5 standard errors (see distributions.test.ts).
 */
import test from 'ava';
import { InvalidOptionError } from '../../sim/errors.js';
import { RandomRoot } from '../../sim/random.js';
import { PBS_LEGS, PBS_PRESET_NAMES, WAN_REMOTE_DELAY_US, pbsPreset, type PbsLeg, type PbsPresetName } from '../../sim/presets.js';
import type { Distribution } from '../../sim/distributions.js';

const N = 200_000;
const Z = 4.5;
const SEED = 2012;

/** [pareto weight, xm ms, alpha, lambda per ms] */
type Fit = readonly [number, number, number, number];
const SSD: Fit = [0.9122, 0.235, 10, 1.66];
const TABLE: Record<Exclude<PbsPresetName, 'WAN'>, Record<PbsLeg, Fit>> = {
  'LNKD-SSD': { W: SSD, A: SSD, R: SSD, S: SSD },
  'LNKD-DISK': { W: [0.38, 1.05, 1.51, 0.183], A: SSD, R: SSD, S: SSD },
  YMMR: { W: [0.939, 3, 3.35, 0.0028], A: [0.982, 1.5, 3.8, 0.0217], R: [0.982, 1.5, 3.8, 0.0217], S: [0.982, 1.5, 3.8, 0.0217] },
};

/** Closed forms in µs. */
const meanUs = ([w, xm, a, l]: Fit) => w * ((xm * 1000 * a) / (a - 1)) + (1 - w) * (1000 / l);
const cdfUs = ([w, xm, a, l]: Fit, x: number) =>
  w * (x <= xm * 1000 ? 0 : 1 - Math.pow((xm * 1000) / x, a)) + (1 - w) * (1 - Math.exp((-x * l) / 1000));

function draws(d: Distribution, name: string, n = N): Float64Array {
  const rng = new RandomRoot(SEED).stream(name);
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = d.sample(rng);
  return xs;
}

test('names and legs', (t) => {
  t.deepEqual([...PBS_PRESET_NAMES], ['LNKD-SSD', 'LNKD-DISK', 'YMMR', 'WAN']);
  t.deepEqual([...PBS_LEGS], ['W', 'A', 'R', 'S']);
  t.is(WAN_REMOTE_DELAY_US, 75_000);
});

test('LNKD-SSD W: mean is the analytic mixture mean, in µs; sample mean agrees', (t) => {
  const d = pbsPreset('LNKD-SSD', 'W');
  const [xm, a, lambda] = [235, 10, 1.66];
  const exact = 0.9122 * ((xm * a) / (a - 1)) + 0.0878 / (lambda / 1000);
  t.true(Math.abs(d.mean - exact) < 1e-9 * exact, `${d.mean} vs ${exact}`);
  t.true(Math.abs(exact - 291.077) < 0.001);
  // Var of a mixture: sum w (var_i + mean_i^2) - mean^2.
  const pm = (xm * a) / (a - 1);
  const pv = (xm * xm * a) / ((a - 1) ** 2 * (a - 2));
  const em = 1000 / lambda;
  const sd = Math.sqrt(0.9122 * (pv + pm * pm) + 0.0878 * 2 * em * em - exact * exact);
  const xs = draws(d, 'ssd-w');
  let sum = 0;
  for (const x of xs) sum += x;
  const tol = (Z * sd) / Math.sqrt(N);
  t.true(Math.abs(sum / N - exact) <= tol, `sample mean ${sum / N} vs ${exact} +/- ${tol}`);
});

test('every preset and leg: exact mean and CDF points match the table', (t) => {
  for (const name of ['LNKD-SSD', 'LNKD-DISK', 'YMMR'] as const) {
    for (const leg of PBS_LEGS) {
      const fit = TABLE[name][leg];
      const d = pbsPreset(name, leg);
      t.true(Math.abs(d.mean - meanUs(fit)) < 1e-9 * meanUs(fit), `${name} ${leg} mean`);
      t.true(d.describe().includes(`${name} ${leg}`), d.describe());
      const xs = draws(d, `cdf-${name}-${leg}`);
      for (const xMs of [0.3, 1, 2, 5, 20, 100]) {
        const x = xMs * 1000;
        const p = cdfUs(fit, x);
        let below = 0;
        for (const v of xs) if (v <= x) below++;
        const tol = Z * Math.sqrt((p * (1 - p)) / N) + 1e-12;
        t.true(Math.abs(below / N - p) <= tol, `${name} ${leg}: P(X <= ${xMs} ms) = ${below / N}, exact ${p}`);
        t.true(Math.abs(d.cdf!(x) - p) < 1e-12, `${name} ${leg}: cdf(${xMs} ms)`);
      }
      // The exact mixture quantile: the closed-form CDF at it is p.
      for (const p of [0.5, 0.99, 0.999]) {
        const q = d.quantile!(p);
        t.true(Math.abs(cdfUs(fit, q) - p) < 1e-9, `${name} ${leg}: F(quantile(${p})) = ${cdfUs(fit, q)}`);
      }
    }
  }
});

test('LNKD-DISK A, R, S are LNKD-SSD', (t) => {
  for (const leg of ['A', 'R', 'S'] as const) {
    t.deepEqual(draws(pbsPreset('LNKD-DISK', leg), `same-${leg}`, 1000), draws(pbsPreset('LNKD-SSD', leg), `same-${leg}`, 1000));
  }
  t.notDeepEqual(draws(pbsPreset('LNKD-DISK', 'W'), 'same-W', 1000), draws(pbsPreset('LNKD-SSD', 'W'), 'same-W', 1000));
});

test('WAN: local is LNKD-DISK, remote is local + 75,000 µs', (t) => {
  for (const leg of PBS_LEGS) {
    const local = pbsPreset('WAN', leg);
    const localExplicit = pbsPreset('WAN', leg, { remote: false });
    const remote = pbsPreset('WAN', leg, { remote: true });
    const disk = draws(pbsPreset('LNKD-DISK', leg), `wan-${leg}`, 2000);
    t.deepEqual(draws(local, `wan-${leg}`, 2000), disk);
    t.deepEqual(draws(localExplicit, `wan-${leg}`, 2000), disk);
    const far = draws(remote, `wan-${leg}`, 2000);
    far.forEach((x, i) => t.true(Math.abs(x - disk[i]! - 75_000) < 1e-6, `${leg} draw ${i}: ${x} vs ${disk[i]}`));
    t.true(Math.abs(remote.mean - local.mean - 75_000) < 1e-6);
    t.true(Math.abs(remote.quantile!(0.99) - local.quantile!(0.99) - 75_000) < 1e-6);
    t.true(remote.describe().includes('75000'), remote.describe());
  }
});

test('remote has no effect outside WAN', (t) => {
  t.deepEqual(draws(pbsPreset('YMMR', 'W', { remote: true }), 'ymmr', 500), draws(pbsPreset('YMMR', 'W'), 'ymmr', 500));
});

test('unknown preset or leg: InvalidOptionError listing the valid ones', (t) => {
  const name = t.throws(() => pbsPreset('LNKD-HDD' as PbsPresetName, 'W'), { instanceOf: InvalidOptionError });
  t.is(name?.option, 'preset');
  t.is(name?.value, 'LNKD-HDD');
  for (const n of PBS_PRESET_NAMES) t.true(name!.expected.includes(n), n);
  const leg = t.throws(() => pbsPreset('YMMR', 'w' as PbsLeg), { instanceOf: InvalidOptionError });
  t.is(leg?.option, 'leg');
  for (const l of PBS_LEGS) t.true(leg!.expected.includes(l), l);
  const remote = t.throws(() => pbsPreset('WAN', 'W', { remote: 'yes' as never }), { instanceOf: InvalidOptionError });
  t.is(remote?.option, 'remote');
});
