/**
 * From the runs of a sweep to its comparison: the figures of each run, the
 * mean and 95% confidence interval of each figure across a configuration's
 * seeds (Student's t, since a sweep has few seeds: with K = 3 the interval
 * is 2.48 standard errors wide each side, not 1.96), and the Pareto
 * frontier of latency against staleness.
 *
 * Pure and order-fixed: runs are folded in index order, so the same runs
 * give the same bytes however they were scheduled.
 */
import { COMPARISON_SCHEMA_VERSION, METRICS, type Comparison, type ComparisonConfiguration, type ComparisonRun, type Estimate, type MetricKey, type MetricValues } from '../report/comparison.js';
import type { Summary } from '../report/summary.js';
import { runOf, type SweepPlan } from './sweep.js';

/** t(0.975, df) for df = 1..30, then 40, 60, 120 (two-sided 95%). */
const T975: ReadonlyArray<readonly [number, number]> = [
  [1, 12.706205], [2, 4.302653], [3, 3.182446], [4, 2.776445], [5, 2.570582], [6, 2.446912], [7, 2.364624], [8, 2.306004],
  [9, 2.262157], [10, 2.228139], [11, 2.200985], [12, 2.178813], [13, 2.160369], [14, 2.144787], [15, 2.13145], [16, 2.119905],
  [17, 2.109816], [18, 2.100922], [19, 2.093024], [20, 2.085963], [21, 2.079614], [22, 2.073873], [23, 2.068658], [24, 2.063899],
  [25, 2.059539], [26, 2.055529], [27, 2.051831], [28, 2.048407], [29, 2.04523], [30, 2.042272], [40, 2.021075], [60, 2.000298],
  [120, 1.97993],
];
const Z975 = 1.959964;

/**
 * The 97.5% quantile of Student's t with `df` degrees of freedom: exact
 * (6 decimals) up to 30 and at 40, 60, 120; between those, interpolated
 * linearly in 1/df (the usual table rule); beyond 120, towards the normal's 1.96.
 */
export function studentT975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom must be a positive integer, got ${df}`);
  const exact = T975.find(([d]) => d === df);
  if (exact !== undefined) return exact[1];
  const upper = T975.findIndex(([d]) => d > df);
  const [d0, t0] = upper < 0 ? T975[T975.length - 1]! : T975[upper - 1]!;
  const [d1, t1] = upper < 0 ? [Infinity, Z975] : T975[upper]!;
  const w = (1 / d0 - 1 / df) / (1 / d0 - (d1 === Infinity ? 0 : 1 / d1));
  return t0 + w * (t1 - t0);
}

/** Six significant digits: enough for every figure here, and stable text. */
function significant6(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(6));
}

/** Mean, sample sd and Student's t 95% interval of the non-null values (in the order given). */
export function estimate(values: ReadonlyArray<number | null>): Estimate {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { n: 0, mean: null, sd: null, ci95Low: null, ci95High: null, halfWidth: null, min: null, max: null };
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / n;
  let min = xs[0]!;
  let max = xs[0]!;
  for (const x of xs) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (n < 2) return { n, mean: significant6(mean), sd: null, ci95Low: null, ci95High: null, halfWidth: null, min: significant6(min), max: significant6(max) };
  // Equal values: exactly that value with a zero-width interval (summing would leave rounding dust).
  if (min === max) return { n, mean: significant6(min), sd: 0, ci95Low: significant6(min), ci95High: significant6(min), halfWidth: 0, min: significant6(min), max: significant6(max) };
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  const sd = Math.sqrt(ss / (n - 1));
  const half = studentT975(n - 1) * (sd / Math.sqrt(n));
  return { n, mean: significant6(mean), sd: significant6(sd), ci95Low: significant6(mean - half), ci95High: significant6(mean + half), halfWidth: significant6(half), min: significant6(min), max: significant6(max) };
}

/** The compared figures of one run (null where the run has none). */
export function runMetrics(s: Pick<Summary, 'availability' | 'ops' | 'staleness' | 'versions' | 'durability'>): MetricValues {
  const get = s.ops.get;
  const put = s.ops.put;
  const getMs = (v: number) => (get.ok > 0 ? v : null);
  const putMs = (v: number) => (put.ok > 0 ? v : null);
  let gets = 0;
  let divergent = 0;
  for (const h of s.versions.histogram) {
    gets += h.gets;
    if (h.versions > 1) divergent += h.gets;
  }
  return {
    availability: s.availability.requests > 0 ? s.availability.overall : null,
    getP50Ms: getMs(get.latencyMs.p50),
    getP99Ms: getMs(get.latencyMs.p99),
    getP999Ms: getMs(get.latencyMs.p999),
    putP50Ms: putMs(put.latencyMs.p50),
    putP99Ms: putMs(put.latencyMs.p99),
    putP999Ms: putMs(put.latencyMs.p999),
    staleShare: s.staleness.readsChecked > 0 ? s.staleness.staleShare : null,
    delta999Ms: s.staleness.readsChecked > 0 ? s.staleness.delta999Ms : null,
    divergentShare: gets > 0 ? significant6(divergent / gets) : null,
    lostWrites: s.durability.lostWrites,
  };
}

/**
 * Indices of the points no other point dominates (another is no worse in
 * both coordinates and better in one), lower being better in both. Points
 * with a missing coordinate take no part.
 */
export function paretoFrontier(points: ReadonlyArray<{ index: number; x: number | null; y: number | null }>): number[] {
  const valid = points.filter((p): p is { index: number; x: number; y: number } => p.x !== null && p.y !== null);
  return valid
    .filter((p) => !valid.some((q) => q !== p && q.x <= p.x && q.y <= p.y && (q.x < p.x || q.y < p.y)))
    .map((p) => p.index)
    .sort((a, b) => a - b);
}

export const PARETO_X: MetricKey = 'getP999Ms';
export const PARETO_Y: MetricKey = 'staleShare';

/** What a run contributes to the comparison: a few figures of its summary (the rest stays in its file). */
export function comparisonRun(plan: Pick<SweepPlan, 'repeats' | 'seeds' | 'totalRuns'>, index: number, s: Pick<Summary, 'seed' | 'digest' | 'events' | 'simulatedUs' | 'availability' | 'ops' | 'staleness' | 'versions' | 'durability' | 'checks'>): ComparisonRun {
  const { configuration, repeat } = runOf(plan, index);
  return {
    index,
    configuration,
    repeat,
    seed: s.seed,
    digest: s.digest,
    events: s.events,
    simulatedUs: s.simulatedUs,
    metrics: runMetrics(s),
    checksFailed: s.checks.filter((c) => !c.pass).map((c) => c.name),
  };
}

/** Build the comparison from the plan and every run (any order in, index order out). */
export function buildComparison(plan: SweepPlan, runs: readonly ComparisonRun[]): Comparison {
  const byIndex = new Map<number, ComparisonRun>();
  for (const r of runs) byIndex.set(r.index, r);
  const runRows: ComparisonRun[] = [];
  for (let index = 0; index < plan.totalRuns; index++) {
    const r = byIndex.get(index);
    if (r === undefined) throw new RangeError(`run ${index} of ${plan.totalRuns} is missing`);
    runRows.push(r);
  }
  const configurations: ComparisonConfiguration[] = plan.configurations.map((c) => {
    const rows = runRows.slice(c.index * plan.repeats, (c.index + 1) * plan.repeats);
    const metrics = {} as Record<MetricKey, Estimate>;
    for (const m of METRICS) metrics[m.key] = estimate(rows.map((r) => r.metrics[m.key]));
    const failedBy = new Map<string, number>();
    for (const r of rows) for (const name of r.checksFailed) failedBy.set(name, (failedBy.get(name) ?? 0) + 1);
    return {
      index: c.index,
      values: c.values,
      label: Object.entries(c.values)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
      overrides: c.overrides,
      runs: rows.map((r) => r.index),
      metrics,
      checks: { runs: rows.length, failedRuns: rows.filter((r) => r.checksFailed.length > 0).length, failed: [...failedBy].map(([name, n]) => ({ name, runs: n })) },
      pareto: false,
    };
  });
  const frontier = paretoFrontier(configurations.map((c) => ({ index: c.index, x: c.metrics[PARETO_X].mean, y: c.metrics[PARETO_Y].mean })));
  for (const c of configurations) c.pareto = frontier.includes(c.index);
  return {
    schemaVersion: COMPARISON_SCHEMA_VERSION,
    kind: 'dynasim-comparison',
    sweep: {
      name: plan.name,
      description: plan.description,
      scenario: plan.scenario,
      version: plan.version,
      hash: plan.hash,
      baseSeed: plan.baseSeed,
      repeats: plan.repeats,
      seeds: plan.seeds,
      set: plan.set,
      filter: plan.filter,
      axes: plan.axes,
      totalRuns: plan.totalRuns,
    },
    metrics: METRICS.map((m) => ({ ...m })),
    pareto: { x: PARETO_X, y: PARETO_Y, frontier },
    configurations,
    runs: runRows,
  };
}
