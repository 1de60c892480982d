/**
 * One timed dynasim hold-model run in a fresh process (spawned by
 * bench/hold_bench.ts for every repetition, like the peers): `--warmup`
 * untimed runs of the same model first (JIT), then one timed run.
 *
 * A fresh process per repetition keeps the variants from influencing each
 * other: measured in one process, interleaving the sparse variant with the
 * dense one slowed the dense one by 20-30% (JIT feedback and heap state
 * shaped by the other workload).
 *
 * Usage: node dist/bench/hold_worker.js --pending P --events N --mean-us M [--warmup W] [--seed S]
 * Prints one JSON object on stdout.
 */
import { runHold } from './hold.js';

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: string): string => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt;
  };
  const pending = Number(opt('pending', '100000'));
  const events = Number(opt('events', '2000000'));
  const meanUs = Number(opt('mean-us', '100'));
  const warmup = Number(opt('warmup', '1'));
  const seed = opt('seed', '1');
  const warm: number[] = [];
  for (let i = 0; i < warmup; i++) warm.push(Math.round(runHold({ pending, events, meanUs, seed }).eventsPerSec));
  const r = runHold({ pending, events, meanUs, seed });
  process.stdout.write(
    JSON.stringify({
      engine: 'dynasim',
      pending,
      events: r.events,
      meanUs,
      wallMs: r.wallMs,
      eventsPerSec: r.eventsPerSec,
      digest: r.digest,
      warmupEventsPerSec: warm,
    }) + '\n',
  );
}

main();
