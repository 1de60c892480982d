/**
 * Instructions per request on the request path, counted by valgrind: a
 * repeatable cost figure for A/B comparisons on a noisy machine (wall
 * times on a shared 2-vCPU VM vary ±10–20% run to run; this varies ~0.2%).
 *
 * It runs `bench/requestPath.js` under `valgrind --tool=cachegrind
 * --cache-sim=no` twice, for `lo` and `hi` requests, with `node
 * --single-threaded` (so the collector's and compiler's work is on the
 * counted thread) and V8's hash and random seeds fixed (else every run lays
 * out its hash tables differently), and prints (instructions(hi) - instructions(lo)) / (hi -
 * lo): start-up, cluster building and the JIT's tier-up before `lo` cancel
 * out. Instructions do not see cache misses or mispredicted branches; with
 * `--model`, valgrind also simulates the caches and the branch predictor
 * (~5 times slower) and the per-request L1 data misses, last-level data
 * misses and mispredicted branches are printed too: still deterministic,
 * and the closest this VM (no hardware counters) comes to cycles.
 *
 *   node dist/bench/icount.js [lo] [hi] [server|client] [--model]
 *   (defaults 40000 140000 server; ~1 minute, ~6 with --model)
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandLine, run } from './peers.js';

const here = path.dirname(fileURLToPath(import.meta.url));

interface Counts {
  instructions: number;
  /** With the cache and branch model only (else NaN). */
  d1Misses: number;
  llMisses: number;
  mispredicts: number;
  digest: string;
}

/** The total after `label:` in valgrind's summary (NaN when absent). */
function total(err: string, label: RegExp): number {
  const m = new RegExp(`${label.source}\\s+([\\d,]+)`).exec(err);
  return m === null ? NaN : Number(m[1]!.replace(/,/g, ''));
}

async function count(requests: number, mode: string, model: boolean): Promise<Counts> {
  const sim = model ? ['--cache-sim=yes', '--branch-sim=yes'] : ['--cache-sim=no'];
  const args = ['--tool=cachegrind', ...sim, '--cachegrind-out-file=/dev/null', process.execPath, '--single-threaded', '--hash-seed=1', '--random-seed=1', path.join(here, 'requestPath.js'), String(requests), mode];
  const r = await run('valgrind', args);
  if (r.code === null && r.error !== undefined && /ENOENT/.test(r.error)) throw new Error('valgrind not found; install it with apt-get install -y valgrind');
  const counts = {
    instructions: total(r.stderr, /I\s+refs:/),
    d1Misses: total(r.stderr, /D1\s+misses:/),
    llMisses: total(r.stderr, /LLd\s+misses:/),
    mispredicts: total(r.stderr, /Mispredicts:/),
  };
  const missing = Object.entries(counts).filter(([k, v]) => Number.isNaN(v) && (model || k === 'instructions'));
  if (r.code !== 0 || missing.length > 0) {
    throw new Error(`${commandLine('valgrind', args)}: ${r.error ?? `exit ${r.code}`}${missing.length > 0 ? `; no ${missing.map(([k]) => k).join(', ')} in its summary` : ''}\n${r.stderr.slice(-2000)}`);
  }
  return { ...counts, digest: (JSON.parse(r.stdout) as { digest: string }).digest };
}

const isMain = process.argv[1] !== undefined && process.argv[1].endsWith('icount.js');
if (isMain) {
  const argv = process.argv.slice(2);
  const model = argv.includes('--model');
  const positional = argv.filter((a) => a !== '--model');
  const lo = Number(positional[0] ?? 40_000);
  const hi = Number(positional[1] ?? 140_000);
  const mode = positional[2] ?? 'server';
  if (!(Number.isSafeInteger(lo) && Number.isSafeInteger(hi) && lo > 0 && hi > lo) || (mode !== 'server' && mode !== 'client') || positional.length > 3) {
    process.stderr.write('usage: node dist/bench/icount.js [lo] [hi] [server|client] [--model]  (0 < lo < hi requests)\n');
    process.exit(2);
  }
  try {
    const [a, b] = await Promise.all([count(lo, mode, model), count(hi, mode, model)]);
    const per = (k: 'instructions' | 'd1Misses' | 'llMisses' | 'mispredicts') => Math.round((b[k] - a[k]) / (hi - lo));
    const result: Record<string, unknown> = { mode, lo, hi, instructionsPerRequest: per('instructions') };
    if (model) {
      result.d1MissesPerRequest = per('d1Misses');
      result.llMissesPerRequest = per('llMisses');
      result.mispredictsPerRequest = per('mispredicts');
    }
    result.digest = b.digest;
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  }
}
