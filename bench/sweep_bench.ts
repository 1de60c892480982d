/**
 * Issue 7's sweep benchmark: `dynasim compare steady-state` over the nine
 * (3, R, W) settings with R, W in 1..3, on 4 seeds each (36 runs of 20
 * simulated seconds, no warm-up or liveness phase), with --jobs 1 and
 * --jobs 2, each in a fresh process of the compiled CLI (dist/). Reports
 * the median wall time of each and the speed-up (target >= 1.8x on a
 * 2-core machine), and checks that both wrote the same summary.json.
 *
 * The order of the two alternates between repetitions (1, 2 then 2, 1) so
 * that drift in machine load does not favour one of them; the load
 * averages before and after each measurement are recorded.
 *
 * A third measurement is the machine's ceiling for this workload: two
 * independent processes at once, `--jobs 1 --shard 1/2` and `--shard 2/2`
 * (what GNU parallel would do with shards), timed until both exit. No
 * thread pool can beat two processes that share nothing, so `--jobs 2`
 * against this figure is the pool's own efficiency, and `--jobs 1` against
 * it is the most a 2-worker sweep can gain on this machine (one process
 * already uses more than one core: V8 compiles and collects garbage on
 * helper threads).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Bench, summarize } from './common.js';

const NRW = ['3,1,1', '3,1,2', '3,1,3', '3,2,1', '3,2,2', '3,2,3', '3,3,1', '3,3,2', '3,3,3'];
const SEEDS = 4;

interface Measurement {
  /** 1 or 2: `--jobs`; 0: two `--jobs 1` shard processes at once (the ceiling). */
  jobs: number;
  rep: number;
  wallMs: number;
  /** The sweep's own wall time (pool start to last run), from wall.json. */
  sweepWallMs: number | null;
  loadavgBefore: number[];
  loadavgAfter: number[];
}

export const sweepBench: Bench = {
  name: 'sweep',
  description: `dynasim compare steady-state: ${NRW.length} (N,R,W) configurations x ${SEEDS} seeds, 20 s each, --jobs 1 vs --jobs 2`,
  async run(opts) {
    const duration = opts.extra['duration'] ?? '20s';
    const reps = opts.quick ? 1 : Math.min(opts.reps, 3);
    const cli = path.join(opts.root, 'dist', 'src', 'cli', 'main.js');
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'dynasim-sweep-bench-'));
    const load = () => os.loadavg().map((x) => Number(x.toFixed(2)));
    const measurements: Measurement[] = [];
    const summaries = new Map<number, string>();
    try {
      for (let rep = 0; rep < reps; rep++) {
        const order = rep % 2 === 0 ? [1, 2, 0] : [0, 2, 1];
        for (const jobs of order) {
          const out = path.join(tmp, `jobs${jobs}-rep${rep}`);
          const common = ['compare', 'steady-state', ...NRW.flatMap((v) => ['--nrw', v]), '--seeds', String(SEEDS), '--seed', '1'];
          common.push('--set', `duration=${duration}`, '--set', 'phases.warmup=0s', '--set', 'phases.liveness=0s', '--set', 'checks=[]', '--no-progress');
          const loadavgBefore = load();
          const started = performance.now();
          let sweepWallMs: number | null = null;
          if (jobs === 0) {
            const shard = (i: number) =>
              new Promise<void>((resolve, reject) => {
                execFile(process.execPath, [cli, ...common, '--jobs', '1', '--shard', `${i}/2`, '--out', path.join(out, `shard-${i}`)], { cwd: opts.root, maxBuffer: 1 << 24 }, (err) => (err ? reject(err) : resolve()));
              });
            await Promise.all([shard(1), shard(2)]);
            sweepWallMs = null;
          } else {
            execFileSync(process.execPath, [cli, ...common, '--jobs', String(jobs), '--out', out], { cwd: opts.root, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 24 });
          }
          const wallMs = performance.now() - started;
          const loadavgAfter = load();
          if (jobs === 0) {
            // The merged shards must be exactly the unsharded summary.
            execFileSync(process.execPath, [cli, 'merge', path.join(out, 'shard-1'), path.join(out, 'shard-2'), '--out', path.join(out, 'merged')], { cwd: opts.root, stdio: ['ignore', 'ignore', 'pipe'] });
          } else {
            const wall = JSON.parse(readFileSync(path.join(out, 'wall.json'), 'utf8')) as { wallMs: number | null };
            sweepWallMs = wall.wallMs;
          }
          const summary = readFileSync(path.join(out, jobs === 0 ? 'merged' : '', 'summary.json'), 'utf8');
          const first = summaries.get(0);
          if (first === undefined) summaries.set(0, summary);
          else if (first !== summary) throw new Error(`summary.json differs between runs (${jobs === 0 ? 'two shard processes' : `jobs ${jobs}`}, rep ${rep + 1}): the sweep is not deterministic`);
          measurements.push({ jobs, rep, wallMs, sweepWallMs, loadavgBefore, loadavgAfter });
          const what = jobs === 0 ? 'two --jobs 1 shard processes at once' : `--jobs ${jobs}`;
          opts.log(`sweep rep ${rep + 1}/${reps} ${what}: ${(wallMs / 1000).toFixed(2)} s wall${sweepWallMs !== null ? ` (sweep ${((sweepWallMs ?? 0) / 1000).toFixed(2)} s)` : ''}, load ${loadavgBefore[0]} -> ${loadavgAfter[0]}`);
          rmSync(out, { recursive: true, force: true });
        }
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    const one = summarize(measurements.filter((m) => m.jobs === 1).map((m) => m.wallMs));
    const two = summarize(measurements.filter((m) => m.jobs === 2).map((m) => m.wallMs));
    const shards = summarize(measurements.filter((m) => m.jobs === 0).map((m) => m.wallMs));
    const speedup = one.median / two.median;
    const ceiling = one.median / shards.median;
    const pairs = [...Array(reps).keys()].map((rep) => {
      const a = measurements.find((m) => m.rep === rep && m.jobs === 1)!;
      const b = measurements.find((m) => m.rep === rep && m.jobs === 2)!;
      return a.wallMs / b.wallMs;
    });
    opts.log(
      `sweep median: --jobs 1 ${(one.median / 1000).toFixed(2)} s, --jobs 2 ${(two.median / 1000).toFixed(2)} s: speed-up ${speedup.toFixed(2)}x ` +
        `(per repetition ${pairs.map((p) => `${p.toFixed(2)}x`).join(', ')}; target >= 1.8x on ${os.availableParallelism()} cores); summary.json identical across all runs`,
    );
    opts.log(
      `sweep ceiling: two independent --jobs 1 shard processes at once ${(shards.median / 1000).toFixed(2)} s, ${ceiling.toFixed(2)}x over --jobs 1: ` +
        `--jobs 2 reaches ${((100 * shards.median) / two.median).toFixed(0)}% of what this machine gives two processes that share nothing`,
    );
    return {
      configurations: NRW.length,
      seeds: SEEDS,
      runs: NRW.length * SEEDS,
      duration,
      wallMsJobs1: one,
      wallMsJobs2: two,
      wallMsTwoShardProcesses: shards,
      speedup,
      ceilingSpeedup: ceiling,
      poolEfficiency: shards.median / two.median,
      speedupPerRep: pairs,
      cores: os.availableParallelism(),
      measurements,
      deterministic: true,
      target: { speedup: 1.8 },
    };
  },
};
