import test from 'ava';
import { estimate, paretoFrontier, runMetrics, studentT975 } from '../../src/experiment/aggregate.js';
import { planMerge, indexRanges, type ShardFolder, type SweepManifest } from '../../src/experiment/results.js';
import type { SweepPlan } from '../../src/experiment/sweep.js';

test("Student's t quantiles: table values, interpolation in 1/df, and the normal limit", (t) => {
  t.is(studentT975(1), 12.706205);
  t.is(studentT975(2), 4.302653);
  t.is(studentT975(4), 2.776445);
  t.is(studentT975(30), 2.042272);
  // df 50 lies between 40 (2.021075) and 60 (2.000298): weight (1/40 - 1/50) / (1/40 - 1/60) = 0.6.
  t.true(Math.abs(studentT975(50) - (2.021075 + 0.6 * (2.000298 - 2.021075))) < 1e-12);
  t.true(Math.abs(studentT975(50) - 2.008559) < 2e-4, 'close to the exact t(0.975, 50) = 2.008559');
  t.true(Math.abs(studentT975(1_000_000) - 1.959964) < 1e-4);
  t.throws(() => studentT975(0));
});

test('mean and 95% CI across seeds, against hand-computed values', (t) => {
  // 1, 2, 3, 4: mean 2.5, sd = sqrt(5/3) = 1.2909944, half = t(3) * sd / 2 = 3.182446 * 0.6454972 = 2.0542603.
  const e = estimate([1, 2, 3, 4]);
  t.is(e.n, 4);
  t.is(e.mean, 2.5);
  t.is(e.sd, 1.29099);
  t.is(e.halfWidth, 2.05426);
  t.is(e.ci95Low, 0.445740);
  t.is(e.ci95High, 4.55426);
  t.is(e.min, 1);
  t.is(e.max, 4);
  // Two seeds: t(1) = 12.706205; 10 and 12: mean 11, sd sqrt(2), half = 12.706205 * sqrt(2) / sqrt(2) = 12.706205.
  const two = estimate([10, 12]);
  t.is(two.halfWidth, 12.7062);
  t.is(two.ci95Low, -1.70621); // 11 - 12.706205, to six significant digits
  // Missing values are left out (n counts the others); one value has no interval; none has no mean.
  const missing = estimate([null, 5, null]);
  t.deepEqual([missing.n, missing.mean, missing.halfWidth, missing.sd], [1, 5, null, null]);
  t.deepEqual(estimate([null, null]), { n: 0, mean: null, sd: null, ci95Low: null, ci95High: null, halfWidth: null, min: null, max: null });
  // Identical values: a zero-width interval, not NaN.
  t.deepEqual([estimate([0.2, 0.2, 0.2]).halfWidth, estimate([0.2, 0.2, 0.2]).mean], [0, 0.2]);
});

test('Pareto frontier: points no other point beats on both coordinates', (t) => {
  const pts = [
    { index: 0, x: 1, y: 10 },
    { index: 1, x: 2, y: 5 },
    { index: 2, x: 3, y: 5 }, // dominated by 1 (same y, larger x)
    { index: 3, x: 4, y: 0 },
    { index: 4, x: 5, y: 1 }, // dominated by 3
    { index: 5, x: 2, y: 5 }, // identical to 1: neither dominates the other
    { index: 6, x: null, y: 0 },
  ];
  t.deepEqual(paretoFrontier(pts), [0, 1, 3, 5]);
  t.deepEqual(paretoFrontier([]), []);
});

test('run figures: divergent share from the versions histogram, nulls where a run has no data', (t) => {
  const lat = { p50: 1, p90: 2, p99: 3, p999: 4, p9999: 5, max: 6, mean: 1.5 };
  const op = (ok: number) => ({ count: ok, ok, failed: 0, failures: {}, latencyMs: lat });
  const m = runMetrics({
    availability: { slaMs: 300, overall: 0.99, requests: 100, succeeded: 99, windows: [], faults: [] },
    ops: { get: op(10), put: op(0) },
    staleness: { staleReads: 1, readsChecked: 10, staleShare: 0.1, kStaleness: [], tVisibility: [], delta999Ms: null, readYourWrites: { checked: 0, violations: 0 }, monotonicReads: { checked: 0, violations: 0 } },
    versions: { histogram: [{ versions: 1, gets: 6, share: 0.6 }, { versions: 2, gets: 3, share: 0.3 }, { versions: 3, gets: 1, share: 0.1 }] },
    durability: { acknowledgedWrites: 5, lostWrites: 2, lost: [], checkedAtUs: 0 },
  });
  t.deepEqual(m, {
    availability: 0.99,
    getP50Ms: 1,
    getP99Ms: 3,
    getP999Ms: 4,
    putP50Ms: null,
    putP99Ms: null,
    putP999Ms: null,
    staleShare: 0.1,
    delta999Ms: null,
    divergentShare: 0.4,
    lostWrites: 2,
  });
});

function folder(dir: string, hash: string, shard: [number, number], runs: number[], totalRuns = 8): ShardFolder {
  const plan = { name: `sweep-${hash}`, hash, totalRuns, repeats: 2 } as SweepPlan;
  const manifest: SweepManifest = { schemaVersion: 1, kind: 'dynasim-sweep-manifest', sweepHash: hash, totalRuns, shard: { index: shard[0], count: shard[1] }, shardRuns: Math.ceil((totalRuns - shard[0] + 1) / shard[1]), scenarioFile: 'base.yaml', plan };
  return { dir, manifest, manifestProblem: null, runs };
}

test('merge planning: complete, from different sweeps, or with shards and runs missing', (t) => {
  const ok = planMerge([folder('a', 'h1', [1, 2], [0, 2, 4, 6]), folder('b', 'h1', [2, 2], [1, 3, 5, 7])]);
  t.true(ok.ok);
  if (ok.ok) t.deepEqual(ok.sources, ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']);
  const different = planMerge([folder('a', 'h1', [1, 2], [0, 2, 4, 6]), folder('b', 'h2', [2, 2], [1, 3, 5, 7])]);
  t.false(different.ok);
  if (!different.ok) t.regex(different.problems.join('\n'), /2 different sweeps[\s\S]*a: sweep "sweep-h1", hash h1[\s\S]*b: sweep "sweep-h2", hash h2/);
  const missing = planMerge([folder('a', 'h1', [1, 4], [0, 4]), folder('c', 'h1', [3, 4], [2])]);
  t.false(missing.ok);
  if (!missing.ok) {
    const text = missing.problems.join('\n');
    t.regex(text, /incomplete: 5 of 8 runs are missing \(runs 1, 3, 5-7\)/);
    t.regex(text, /no folder was given for shards 2\/4, 4\/4/);
    t.regex(text, /c \(shard 3\/4\) is unfinished: 1 of its 2 runs are missing \(runs 6\); finish it with --resume/);
  }
  const noManifest = planMerge([{ dir: 'x', manifest: null, manifestProblem: 'no manifest.json', runs: [] }]);
  t.false(noManifest.ok);
  t.is(indexRanges([9, 1, 2, 3, 5]), '1-3, 5, 9');
});
