/**
 * The cost of recording a trace (issue 8): a shipped scenario run by the CLI
 * without a trace, with a gzip trace and with a plain one, in fresh
 * processes, interleaved, each timed inside its process (bench/traceRun.ts).
 * The target: recording at most doubles a run's wall time (median ratio <= 2).
 *
 *   npm run bench -- trace-overhead [--scenario lost-writes] [--reps 5]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Bench, CHILD_RUN_TIMEOUT_MS, summarize } from './common.js';
import { runJsonPeer } from './peers.js';

interface One {
  code: number;
  wallMs: number;
  peakRssMiB: number;
}

export const traceBench: Bench = {
  name: 'trace-overhead',
  description: 'a shipped scenario (default lost-writes) through the CLI without --trace, with a .gz trace and with a plain one: wall-time ratio (target <= 2)',
  async run(opts) {
    const scenario = opts.extra['scenario'] ?? 'lost-writes';
    const reps = opts.quick ? 1 : Math.min(opts.reps, 5);
    const script = path.join(opts.root, 'dist', 'bench', 'traceRun.js');
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'dynasim-trace-bench-'));
    const modes = ['none', 'gzip', 'plain'] as const;
    const runs: Record<(typeof modes)[number], One[]> = { none: [], gzip: [], plain: [] };
    const bytes: Record<string, number> = {};
    try {
      for (let i = 0; i < reps; i++) {
        for (const mode of modes) {
          const trace = mode === 'none' ? [] : ['--trace', path.join(tmp, mode === 'gzip' ? 'run.trace.gz' : 'run.trace.jsonl')];
          const args = [script, 'run', scenario, '--seed', '1', '--out', path.join(tmp, 'report'), '--no-progress', ...trace];
          const one = (await runJsonPeer(process.execPath, args, CHILD_RUN_TIMEOUT_MS, opts.root)) as unknown as One;
          if (one.code > 1) throw new Error(`dynasim run ${scenario} (${mode}) exited ${one.code}`);
          if (mode !== 'none') bytes[mode] = statSync(trace[1]!).size;
          runs[mode].push(one);
          opts.log(`trace-overhead rep ${i + 1}/${reps} ${mode.padEnd(5)}: ${one.wallMs.toFixed(0)} ms, peak RSS ${one.peakRssMiB.toFixed(0)} MiB`);
        }
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    const wall = Object.fromEntries(modes.map((m) => [m, summarize(runs[m].map((r) => r.wallMs))])) as Record<(typeof modes)[number], ReturnType<typeof summarize>>;
    const rss = Object.fromEntries(modes.map((m) => [m, summarize(runs[m].map((r) => r.peakRssMiB))]));
    const ratio = { gzip: wall.gzip.median / wall.none.median, plain: wall.plain.median / wall.none.median };
    opts.log(
      `trace-overhead ${scenario}: ${wall.none.median.toFixed(0)} ms without a trace; ` +
        `gzip ${wall.gzip.median.toFixed(0)} ms (x${ratio.gzip.toFixed(2)}, ${(bytes.gzip! / 2 ** 20).toFixed(1)} MiB); ` +
        `plain ${wall.plain.median.toFixed(0)} ms (x${ratio.plain.toFixed(2)}, ${(bytes.plain! / 2 ** 20).toFixed(1)} MiB); target <= x2`,
    );
    return {
      scenario,
      wallMs: wall,
      peakRssMiB: rss,
      ratio,
      traceBytes: bytes,
      targets: { 'gzip trace at most doubles the wall time': ratio.gzip <= 2, 'plain trace at most doubles the wall time': ratio.plain <= 2 },
    };
  },
};
