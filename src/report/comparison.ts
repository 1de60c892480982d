/**
 * The comparison report of a sweep (`dynasim compare`, `dynasim sweep`,
 * `dynasim merge`): what its `summary.json` holds, schema version 1
 * (documented in docs/sweeps.md).
 *
 * Determinism: built only from the runs' deterministic summaries, in run
 * index order, so the same sweep writes the same bytes whatever `--jobs`
 * is and however it was sharded. Wall-clock figures live in `wall.json`
 * beside it, never here.
 */

export const COMPARISON_SCHEMA_VERSION = 1;

/** The figures compared across configurations, in report order. */
export const METRICS = [
  { key: 'availability', label: 'availability', unit: 'share', better: 'higher', describe: 'share of requests that succeeded within the SLA latency' },
  { key: 'getP50Ms', label: 'get p50', unit: 'ms', better: 'lower', describe: 'median latency of successful gets' },
  { key: 'getP99Ms', label: 'get p99', unit: 'ms', better: 'lower', describe: '99th percentile latency of successful gets' },
  { key: 'getP999Ms', label: 'get p99.9', unit: 'ms', better: 'lower', describe: '99.9th percentile latency of successful gets' },
  { key: 'putP50Ms', label: 'put p50', unit: 'ms', better: 'lower', describe: 'median latency of successful puts' },
  { key: 'putP99Ms', label: 'put p99', unit: 'ms', better: 'lower', describe: '99th percentile latency of successful puts' },
  { key: 'putP999Ms', label: 'put p99.9', unit: 'ms', better: 'lower', describe: '99.9th percentile latency of successful puts' },
  { key: 'staleShare', label: 'stale reads', unit: 'share', better: 'lower', describe: 'share of checked gets that returned neither the latest acknowledged write nor anything newer' },
  { key: 'delta999Ms', label: 'Δ 99.9%', unit: 'ms', better: 'lower', describe: 'smallest Δ after a write from which 99.9% of reads return it (t-visibility; lower edge of its bin)' },
  { key: 'divergentShare', label: 'divergent', unit: 'share', better: 'lower', describe: 'share of successful gets that returned more than one version' },
  { key: 'lostWrites', label: 'lost writes', unit: 'count', better: 'lower', describe: 'acknowledged writes no replica holds after the liveness phase' },
] as const;

export type MetricKey = (typeof METRICS)[number]['key'];
export type MetricValues = Record<MetricKey, number | null>;

/** Mean and 95% confidence interval of one figure across a configuration's seeds. */
export interface Estimate {
  /** Seeds with a value (a run without gets has no get latency; Δ 99.9% is missing when never reached). */
  n: number;
  mean: number | null;
  /** Sample standard deviation (n - 1 in the denominator); null below 2 values. */
  sd: number | null;
  /** mean ± t(0.975, n - 1) · sd / √n (Student's t); null below 2 values. */
  ci95Low: number | null;
  ci95High: number | null;
  halfWidth: number | null;
  min: number | null;
  max: number | null;
}

export interface ComparisonAxis {
  path: string;
  name: string;
  /** Value labels in the order they first appear. */
  values: string[];
}

export interface ComparisonConfiguration {
  index: number;
  /** Axis short name → value label. */
  values: Record<string, string>;
  /** "r=1 w=1 preset=WAN". */
  label: string;
  overrides: string[];
  /** Indices of its runs, one per seed. */
  runs: number[];
  metrics: Record<MetricKey, Estimate>;
  checks: { runs: number; failedRuns: number; failed: Array<{ name: string; runs: number }> };
  /** On the Pareto frontier of (pareto.x, pareto.y) means, both lower-is-better. */
  pareto: boolean;
}

export interface ComparisonRun {
  index: number;
  configuration: number;
  repeat: number;
  seed: string;
  digest: string;
  events: number;
  simulatedUs: number;
  metrics: MetricValues;
  checksFailed: string[];
}

export interface Comparison {
  schemaVersion: number;
  kind: 'dynasim-comparison';
  sweep: {
    name: string;
    description: string;
    scenario: string;
    version: string;
    hash: string;
    baseSeed: string;
    repeats: number;
    seeds: string[];
    set: string[];
    filter: string | null;
    axes: ComparisonAxis[];
    totalRuns: number;
  };
  metrics: Array<{ key: MetricKey; label: string; unit: string; better: string; describe: string }>;
  pareto: { x: MetricKey; y: MetricKey; frontier: number[] };
  configurations: ComparisonConfiguration[];
  runs: ComparisonRun[];
}

/** Wall-clock figures of a sweep (wall.json): differ between identical sweeps, so kept apart. */
export interface SweepWall {
  schemaVersion: number;
  kind: 'dynasim-sweep-wall';
  sweepHash: string;
  /** Worker threads of the call that finished the sweep (null after `dynasim merge`). */
  jobs: number | null;
  /** Wall time of that call (null after `dynasim merge`). */
  wallMs: number | null;
  /** Runs this call simulated (others were resumed or merged from shards). */
  runsSimulated: number | null;
  /** Per run: wall time in its worker and simulated events per second (runs without a record are left out). */
  runs: Array<{ index: number; wallMs: number; eventsPerSec: number }>;
  /** Sum of the runs' wall times. */
  cpuMs: number;
}
