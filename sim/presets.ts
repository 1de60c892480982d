/**
 * Production one-way latency presets from PBS: P. Bailis, S. Venkataraman,
 * M. J. Franklin, J. M. Hellerstein, I. Stoica, "Probabilistically Bounded
 * Staleness for Practical Partial Quorums", PVLDB 5(8), 2012, section 5
 * (fits of LinkedIn's Voldemort and Yammer's Riak), as quoted in
 * /work/shared/DYNAMO.md section 12. The paper's parameters are in ms:
 *
 * | preset    | applies to | mixture                                                        |
 * |-----------|------------|----------------------------------------------------------------|
 * | LNKD-SSD  | W, A, R, S | 91.22% Pareto(xm 0.235, α 10) + 8.78% Exponential(λ 1.66)      |
 * | LNKD-DISK | W          | 38% Pareto(xm 1.05, α 1.51) + 62% Exponential(λ 0.183)         |
 * | LNKD-DISK | A, R, S    | as LNKD-SSD                                                    |
 * | YMMR      | W          | 93.9% Pareto(xm 3, α 3.35) + 6.1% Exponential(λ 0.0028)        |
 * | YMMR      | A, R, S    | 98.2% Pareto(xm 1.5, α 3.8) + 1.8% Exponential(λ 0.0217)       |
 * | WAN       | all        | LNKD-DISK plus 75 ms on messages to a remote datacenter        |
 *
 * Legs: W = write request to a replica, A = its acknowledgement, R = read
 * request, S = read response. Distributions here are in **microseconds**:
 * Pareto xm in ms becomes 1000 xm µs, and Exponential λ is per ms, so its
 * mean 1/λ ms becomes 1000/λ µs.
 */
import { InvalidOptionError } from './errors.js';
import { exponential, mixture, pareto, shifted, type Distribution } from './distributions.js';
import type { RandomStream } from './random.js';

export const PBS_PRESET_NAMES = ['LNKD-SSD', 'LNKD-DISK', 'YMMR', 'WAN'] as const;
export type PbsPresetName = (typeof PBS_PRESET_NAMES)[number];

export const PBS_LEGS = ['W', 'A', 'R', 'S'] as const;
export type PbsLeg = (typeof PBS_LEGS)[number];

/** WAN's extra one-way delay on a message to a remote datacenter (75 ms). */
export const WAN_REMOTE_DELAY_US = 75_000;

/** One fitted leg: paretoWeight Pareto(xm, alpha) + (1 - paretoWeight) Exponential(lambda), in the paper's ms. */
interface LegFit {
  readonly paretoWeight: number;
  readonly xmMs: number;
  readonly alpha: number;
  readonly lambdaPerMs: number;
}

const LNKD_SSD: LegFit = { paretoWeight: 0.9122, xmMs: 0.235, alpha: 10, lambdaPerMs: 1.66 };
const LNKD_DISK_W: LegFit = { paretoWeight: 0.38, xmMs: 1.05, alpha: 1.51, lambdaPerMs: 0.183 };
const YMMR_W: LegFit = { paretoWeight: 0.939, xmMs: 3, alpha: 3.35, lambdaPerMs: 0.0028 };
const YMMR_ARS: LegFit = { paretoWeight: 0.982, xmMs: 1.5, alpha: 3.8, lambdaPerMs: 0.0217 };

/** The table above, per (preset, leg). WAN's fits are LNKD-DISK's. */
const FITS: Readonly<Record<Exclude<PbsPresetName, 'WAN'>, Readonly<Record<PbsLeg, LegFit>>>> = {
  'LNKD-SSD': { W: LNKD_SSD, A: LNKD_SSD, R: LNKD_SSD, S: LNKD_SSD },
  'LNKD-DISK': { W: LNKD_DISK_W, A: LNKD_SSD, R: LNKD_SSD, S: LNKD_SSD },
  YMMR: { W: YMMR_W, A: YMMR_ARS, R: YMMR_ARS, S: YMMR_ARS },
};

function build(fit: LegFit): Distribution {
  return mixture([
    { weight: fit.paretoWeight, dist: pareto({ xm: fit.xmMs * 1000, alpha: fit.alpha }) },
    { weight: 1 - fit.paretoWeight, dist: exponential({ mean: 1000 / fit.lambdaPerMs }) },
  ]);
}

/** A preset keeps its name in describe(); sampling is the inner distribution's. */
class Preset implements Distribution {
  readonly mean: number;
  readonly quantile?: (p: number) => number;
  readonly cdf?: (x: number) => number;
  constructor(
    private readonly inner: Distribution,
    private readonly label: string,
  ) {
    this.mean = inner.mean;
    if (inner.quantile) this.quantile = (p: number) => inner.quantile!(p);
    if (inner.cdf) this.cdf = (x: number) => inner.cdf!(x);
  }
  sample(rng: RandomStream): number {
    return this.inner.sample(rng);
  }
  describe(): string {
    return `${this.label} (µs): ${this.inner.describe()}`;
  }
}

export interface PbsPresetOptions {
  /**
   * For WAN: the message goes to a remote datacenter, so 75 ms is added.
   * The other presets model a single datacenter and ignore it.
   */
  remote?: boolean;
}

/** The one-way delay of `leg` under preset `name`, in microseconds. */
export function pbsPreset(name: PbsPresetName, leg: PbsLeg, opts: PbsPresetOptions = {}): Distribution {
  if (!(PBS_PRESET_NAMES as readonly unknown[]).includes(name)) {
    throw new InvalidOptionError('preset', name, `one of ${PBS_PRESET_NAMES.join(', ')}`);
  }
  if (!(PBS_LEGS as readonly unknown[]).includes(leg)) {
    throw new InvalidOptionError('leg', leg, `one of ${PBS_LEGS.join(', ')} (write, ack, read, read response)`);
  }
  if (opts === null || typeof opts !== 'object') throw new InvalidOptionError('preset options', opts, 'an object { remote?: boolean }');
  const remote = opts.remote ?? false;
  if (typeof remote !== 'boolean') throw new InvalidOptionError('remote', remote, 'true or false');
  if (name === 'WAN') {
    const local = build(FITS['LNKD-DISK'][leg]);
    return remote
      ? new Preset(shifted(local, WAN_REMOTE_DELAY_US), `PBS WAN ${leg} remote`)
      : new Preset(local, `PBS WAN ${leg} local`);
  }
  return new Preset(build(FITS[name][leg]), `PBS ${name} ${leg}`);
}
