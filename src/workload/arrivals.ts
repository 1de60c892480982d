/**
 * When operations arrive. Open-loop populations issue requests as a
 * non-homogeneous Poisson process whose rate follows a curve (constant,
 * diurnal, piecewise) times any flash crowds; the process is sampled by
 * thinning (Lewis and Shedler, 1979) against the curve's maximum, so the
 * draws depend only on the population's own stream.
 */
import { InvalidOptionError, requireFiniteNumber, requireNonNegative, requirePositive } from '../../sim/errors.js';
import type { RandomStream } from '../../sim/random.js';

export type RateCurve =
  | { readonly kind: 'constant' }
  | { readonly kind: 'diurnal'; readonly periodUs: number; readonly amplitude: number; readonly peakAtUs: number }
  | { readonly kind: 'piecewise'; readonly points: ReadonlyArray<readonly [atUs: number, ratePerSec: number]> };

export interface FlashCrowd {
  readonly atUs: number;
  readonly forUs: number;
  /** Rate multiplier during the crowd. */
  readonly factor: number;
  /** Share of the crowd's operations that go to the hot keys (the rest follow the usual popularity). */
  readonly hotKeys: number;
  readonly hotShare: number;
}

export class RateFunction {
  readonly maxPerSec: number;

  constructor(
    readonly baseRatePerSec: number,
    readonly curve: RateCurve,
    readonly crowds: readonly FlashCrowd[] = [],
  ) {
    requirePositive('arrivals.rate', baseRatePerSec);
    let peakFactor = 1;
    if (curve.kind === 'diurnal') {
      requirePositive('arrivals.curve.diurnal.period', curve.periodUs);
      requireFiniteNumber('arrivals.curve.diurnal.amplitude', curve.amplitude);
      if (curve.amplitude < 0 || curve.amplitude > 1) throw new InvalidOptionError('arrivals.curve.diurnal.amplitude', curve.amplitude, 'a number in [0, 1]');
      peakFactor = 1 + curve.amplitude;
    } else if (curve.kind === 'piecewise') {
      if (curve.points.length === 0) throw new InvalidOptionError('arrivals.curve.piecewise', curve.points, 'at least one [at, rate] point');
      let prev = -1;
      for (const [at, rate] of curve.points) {
        requireNonNegative('arrivals.curve.piecewise.at', at);
        requireNonNegative('arrivals.curve.piecewise.rate', rate);
        if (at <= prev) throw new InvalidOptionError('arrivals.curve.piecewise', curve.points, 'points in increasing time order');
        prev = at;
      }
      peakFactor = Math.max(...curve.points.map(([, r]) => r)) / baseRatePerSec;
    }
    let crowdFactor = 1;
    for (const c of crowds) {
      requirePositive('flashCrowd.factor', c.factor);
      crowdFactor = Math.max(crowdFactor, c.factor);
    }
    this.maxPerSec = baseRatePerSec * Math.max(peakFactor, 0) * crowdFactor;
  }

  /** Requests per second at time `tUs`. */
  at(tUs: number): number {
    let rate = this.baseRatePerSec;
    const c = this.curve;
    if (c.kind === 'diurnal') {
      rate *= 1 + c.amplitude * Math.cos((2 * Math.PI * (tUs - c.peakAtUs)) / c.periodUs);
    } else if (c.kind === 'piecewise') {
      // Linear between points; the first and last rates hold outside them.
      const pts = c.points;
      if (tUs <= pts[0]![0]) rate = pts[0]![1];
      else if (tUs >= pts[pts.length - 1]![0]) rate = pts[pts.length - 1]![1];
      else {
        let i = 1;
        while (pts[i]![0] < tUs) i++;
        const [t0, r0] = pts[i - 1]!;
        const [t1, r1] = pts[i]!;
        rate = r0 + ((r1 - r0) * (tUs - t0)) / (t1 - t0);
      }
    }
    const crowd = this.crowdAt(tUs);
    return crowd === null ? rate : rate * crowd.factor;
  }

  crowdAt(tUs: number): FlashCrowd | null {
    for (const c of this.crowds) if (tUs >= c.atUs && tUs < c.atUs + c.forUs) return c;
    return null;
  }

  /** The next arrival strictly after `tUs` (integer µs), or Infinity when the rate stays zero. */
  next(tUs: number, rng: RandomStream): number {
    const max = this.maxPerSec;
    if (max <= 0) return Infinity;
    const meanGapUs = 1e6 / max;
    let t = tUs;
    for (let guard = 0; guard < 1_000_000; guard++) {
      t += -meanGapUs * Math.log(rng.nextOpen());
      if (rng.next() * max <= this.at(t)) return Math.max(tUs + 1, Math.round(t));
    }
    return Infinity;
  }
}
