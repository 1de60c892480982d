#!/usr/bin/env node
/**
 * The dynasim command line. `main(argv, io)` is the whole CLI as a function
 * returning an exit code, so tests call it in-process; the bottom of this
 * file is the only place that touches `process`.
 */
import { realpathSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { DynasimError, InvalidOptionError } from '../../sim/errors.js';
import { parseDuration } from '../../sim/time.js';
import { runKernelDemo } from '../experiment/kernelDemo.js';
import { EXIT_BAD_INPUT, EXIT_BUG, EXIT_OK, processIo, type CliIo } from './io.js';
import { seedOrFresh } from './seed.js';
import { VERSION } from '../version.js';
import { explainCommand, listCommand, runCommand, validateCommand } from './commands/scenario.js';
import { shrinkCommand } from './commands/shrink.js';
import { inspectCommand, replayCommand } from './commands/trace.js';
import { compareCommand, mergeCommand, sweepCommand, type SweepRunArgs } from './commands/sweep.js';

/** A usage or input error already explained to the user. */
class UsageError extends DynasimError {}

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let exitCode = EXIT_OK;
  let reproduce: string | null = null;
  const parser = yargs([...argv])
    .scriptName('dynasim')
    .usage('$0 <command> [options]\n\nA deterministic discrete-event simulator of Amazon\'s Dynamo.')
    .strict()
    .recommendCommands()
    .demandCommand(1, 'Name a command (see the list above).')
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    })
    .command(
      'run <scenario>',
      'Run a scenario (a file, or the name of a shipped scenario) and write its report.',
      (y) =>
        y
          .positional('scenario', { type: 'string', demandOption: true, describe: 'a scenario file (YAML or JSON) or a shipped scenario name (see "dynasim list")' })
          .option('seed', { type: 'string', describe: 'root seed: a decimal integer below 2^64 or 40 hex digits (default: the file\'s seed, else a fresh one, printed first)' })
          .option('out', { type: 'string', describe: 'report folder (default reports/<scenario>/<seed>/)' })
          .option('set', { type: 'string', array: true, describe: 'override a field, e.g. --set cluster.quorum.r=1 (repeatable)' })
          .option('duration', { type: 'string', describe: 'override the fault phase\'s duration, e.g. 30s' })
          .option('json', { type: 'boolean', default: false, describe: 'print summary.json instead of the tables' })
          .option('progress', { type: 'boolean', default: true, describe: 'progress bar on stderr (only when it is a terminal)' })
          .option('max-events', { type: 'number', describe: 'fail (exit 2) instead of simulating more than this many events' })
          .option('trace', { type: 'string', describe: 'write every event to FILE as JSON Lines (gzip when it ends in .gz), with the resolved scenario and seed in its header: see "dynasim replay" and "dynasim inspect"' })
          .option('check-determinism', { type: 'boolean', default: false, describe: 'run twice (here and in a worker thread) and compare the digests and summary.json instead of reporting: exit 0 when identical, 3 when not' })
          .example('$0 run quickstart', 'the five-node demo scenario')
          .example('$0 run quickstart --seed 42 --set cluster.quorum.r=1', 'reproducible, with R = 1')
          .example('$0 run my-scenario.yaml --duration 30s --json > summary.json', 'your own file, shortened, as JSON')
          .example('$0 run lost-writes --trace lost.trace.gz', 'record every event (replay or inspect it later)')
          .example('$0 run quickstart --check-determinism', 'the same seed twice must give the same run'),
      async (args) => {
        exitCode = await runCommand({ scenario: args.scenario!, set: args.set ?? [], ...(args.seed !== undefined ? { seed: args.seed } : {}), ...(args.out !== undefined ? { out: args.out } : {}), ...(args.duration !== undefined ? { duration: args.duration } : {}), json: args.json, progress: args.progress, ...(args['max-events'] !== undefined ? { maxEvents: args['max-events'] } : {}), ...(args.trace !== undefined ? { trace: args.trace } : {}), checkDeterminism: args['check-determinism'] }, io);
      },
    )
    .command(
      'validate <scenario>',
      'Check a scenario file: every problem with file:line:column, the field and what was expected (exit 2 if any).',
      (y) =>
        y
          .positional('scenario', { type: 'string', demandOption: true, describe: 'a scenario file or shipped name' })
          .option('set', { type: 'string', array: true, describe: 'overrides to check as well' })
          .example('$0 validate scenarios/quickstart.yaml', ''),
      (args) => {
        exitCode = validateCommand({ scenario: args.scenario!, set: args.set ?? [] }, io);
      },
    )
    .command(
      'explain <scenario>',
      'Print the fully resolved scenario (every default filled in) and its fault timeline.',
      (y) =>
        y
          .positional('scenario', { type: 'string', demandOption: true, describe: 'a scenario file or shipped name' })
          .option('set', { type: 'string', array: true, describe: 'overrides to apply first' })
          .example('$0 explain quickstart', ''),
      (args) => {
        exitCode = explainCommand({ scenario: args.scenario!, set: args.set ?? [] }, io);
      },
    )
    .command('list', 'List the shipped scenarios with a line each.', (y) => y.example('$0 list', ''), () => {
      exitCode = listCommand(io);
    })
    .command(
      'compare <scenario>',
      'Compare (N, R, W) settings: each --nrw on the same K seeds, in parallel; a comparison report with 95% confidence intervals.',
      (y) =>
        sweepOptions(y)
          .positional('scenario', { type: 'string', demandOption: true, describe: 'a scenario file or shipped name' })
          .option('nrw', { type: 'string', array: true, demandOption: true, describe: 'a configuration N,R,W (repeatable), e.g. --nrw 3,2,2 --nrw 3,1,1' })
          .example('$0 compare quickstart --nrw 3,2,2 --nrw 3,1,1 --nrw 3,1,3 --seeds 5', 'three quorum settings on five seeds each')
          .example('$0 compare steady-state --nrw 3,2,2 --nrw 3,1,1 --set duration=1m --jobs 2', 'shorter runs, two worker threads'),
      async (args) => {
        exitCode = await compareCommand({ scenario: args.scenario!, nrw: args.nrw ?? [], ...sweepRunArgs(args) }, io);
      },
    )
    .command(
      'sweep <file>',
      'Run a sweep file (axes over any scenario fields, a filter, repeats) in parallel and write a comparison report.',
      (y) =>
        sweepOptions(y)
          .positional('file', { type: 'string', demandOption: true, describe: 'a sweep file (kind: sweep) or a shipped sweep name (see "dynasim list")' })
          .option('dry-run', { type: 'boolean', default: false, describe: 'validate the sweep and list its configurations; simulate nothing' })
          .example('$0 sweep pbs-tradeoff --jobs 2', 'the PBS latency/staleness table shape')
          .example('$0 sweep my-sweep.yaml --shard 2/4 --out shards/2', 'the second of four shards (merge them with dynasim merge)')
          .example('$0 sweep my-sweep.yaml --resume', 'continue an interrupted sweep'),
      async (args) => {
        exitCode = await sweepCommand({ file: args.file!, dryRun: args['dry-run'], ...sweepRunArgs(args) }, io);
      },
    )
    .command(
      'merge <dirs..>',
      'Merge the folders of a sharded sweep into the comparison report an unsharded run writes.',
      (y) =>
        y
          .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'shard folders (each with manifest.json and runs/)' })
          .option('out', { type: 'string', describe: 'report folder (default reports/<sweep>/)' })
          .example('$0 merge shards/1 shards/2 shards/3 shards/4 --out reports/my-sweep', ''),
      (args) => {
        exitCode = mergeCommand({ dirs: (args.dirs ?? []).map(String), ...(args.out !== undefined ? { out: args.out } : {}) }, io);
      },
    )
    .command(
      'replay <trace>',
      'Re-run a trace file from its header (scenario, seed) and compare the new run with it event by event: "identical" with the digest (exit 0), or the first divergent event (exit 1).',
      (y) =>
        y
          .positional('trace', { type: 'string', demandOption: true, describe: 'a trace file written by "dynasim run --trace" (gzip or plain)' })
          .example('$0 run lost-writes --trace lost.trace.gz && $0 replay lost.trace.gz', 'record, then replay'),
      (args) => {
        exitCode = replayCommand({ trace: args.trace! }, io);
      },
    )
    .command(
      'inspect <trace>',
      'Print the message sequence of one operation, one key or a time window from a trace file: who sent what to whom and when, drops and why, timeouts, faults.',
      (y) =>
        y
          .positional('trace', { type: 'string', demandOption: true, describe: 'a trace file written by "dynasim run --trace"' })
          .option('op', { type: 'number', describe: 'an operation id (the "op" of its op-start event; report.html names the slowest one)' })
          .option('key', { type: 'string', describe: 'every operation on this key and every message carrying it' })
          .option('from', { type: 'string', describe: 'window start in simulated time, e.g. 19.9s' })
          .option('to', { type: 'string', describe: 'window end in simulated time, e.g. 20.5s' })
          .option('limit', { type: 'number', describe: 'print at most this many events (default 10000)' })
          .example('$0 inspect lost.trace.gz --op 5734', 'one operation, message by message')
          .example('$0 inspect lost.trace.gz --key k1126', 'everything that touched one key')
          .example('$0 inspect lost.trace.gz --from 20s --to 20.01s', 'everything in a 10 ms window'),
      async (args) => {
        exitCode = await inspectCommand(
          {
            trace: args.trace!,
            ...(args.op !== undefined ? { op: args.op } : {}),
            ...(args.key !== undefined ? { key: args.key } : {}),
            ...(args.from !== undefined ? { from: args.from } : {}),
            ...(args.to !== undefined ? { to: args.to } : {}),
            ...(args.limit !== undefined ? { limit: args.limit } : {}),
          },
          io,
        );
      },
    )
    .command(
      'shrink <scenario>',
      'Reduce a failing run (same seed) to a minimal scenario that still fails the same check: faults (delta debugging), nemesis, duration, rate, keys, cluster size. Writes the scenario file and prints its reproduce command.',
      (y) =>
        y
          .positional('scenario', { type: 'string', demandOption: true, describe: 'a scenario file or shipped name' })
          .option('seed', { type: 'string', describe: 'the failing run\'s seed (default: the file\'s seed)' })
          .option('check', { type: 'string', describe: 'the check to keep failing, as the report names it (default: the first that fails)' })
          .option('out', { type: 'string', describe: 'where to write the minimal scenario (default reports/<scenario>/<seed>/<scenario>-shrunk.yaml)' })
          .option('set', { type: 'string', array: true, describe: 'overrides applied first, as for run' })
          .option('duration', { type: 'string', describe: 'override the fault phase\'s duration first' })
          .option('max-runs', { type: 'number', describe: 'bound on simulation runs (default 200)' })
          .example('$0 shrink lost-writes --seed 1', 'the one crash that loses the writes')
          .example('$0 shrink my-scenario.yaml --seed 7 --check "sla availability" --out small.yaml', 'keep an SLA failing'),
      (args) => {
        exitCode = shrinkCommand(
          {
            scenario: args.scenario!,
            set: args.set ?? [],
            ...(args.seed !== undefined ? { seed: args.seed } : {}),
            ...(args.check !== undefined ? { check: args.check } : {}),
            ...(args.out !== undefined ? { out: args.out } : {}),
            ...(args.duration !== undefined ? { duration: args.duration } : {}),
            ...(args['max-runs'] !== undefined ? { maxRuns: args['max-runs'] } : {}),
          },
          io,
        );
      },
    )
    .command(
      'demo',
      'Run a small world on the simulation kernel alone (hosts pinging each other under a random nemesis) and print its seed, digest and speed.',
      (y) =>
        y
          .option('seed', { type: 'string', describe: 'root seed: a decimal integer below 2^64 or 40 hex digits (drawn and printed when omitted)' })
          .option('hosts', { type: 'number', default: 8, describe: 'number of hosts' })
          .option('duration', { type: 'string', default: '60s', describe: 'simulated time, with a unit ("90s", "10m")' })
          .option('no-faults', { type: 'boolean', default: false, describe: 'turn the random nemesis off' })
          .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
          .example('$0 demo', 'run with a fresh seed')
          .example('$0 demo --seed 42 --duration 10m', 'a longer run, reproducible'),
      (args) => {
        const seed = seedOrFresh(args.seed);
        const durationUs = parseDuration(args.duration, '--duration');
        if (!Number.isInteger(args.hosts) || args.hosts < 2) throw new InvalidOptionError('--hosts', args.hosts, 'an integer >= 2');
        reproduce = `dynasim demo --seed ${seed} --hosts ${args.hosts} --duration ${args.duration}${args['no-faults'] ? ' --no-faults' : ''}`;
        if (!args.json) io.out(`seed ${seed}`);
        const start = performance.now();
        const result = runKernelDemo({ seed, hosts: args.hosts, durationUs, faults: !args['no-faults'] });
        const wallMs = performance.now() - start;
        const eventsPerSec = Math.round((result.events / Math.max(wallMs, 1e-3)) * 1000);
        if (args.json) {
          io.out(JSON.stringify({ ...result, wall: { wallMs: Math.round(wallMs), eventsPerSec } }, null, 2));
        } else {
          io.out(
            [
              `digest ${result.digest}`,
              `events ${result.events} in ${(wallMs / 1000).toFixed(2)} s wall (${(eventsPerSec / 1e6).toFixed(2)} M events/s)`,
              `simulated ${(result.simulatedUs / 1e6).toFixed(1)} s: ${result.messages.sent} messages sent, ${result.messages.delivered} delivered, ${result.messages.dropped} dropped; ${result.pongs} pongs; ${result.faults} nemesis faults`,
              `reproduce: ${reproduce}`,
            ].join('\n'),
          );
        }
      },
    );
  try {
    await parser.parseAsync();
  } catch (err) {
    if (err instanceof UsageError || err instanceof InvalidOptionError) {
      io.err(`dynasim: ${err.message}`);
      if (err instanceof UsageError) io.err('Run "dynasim --help" for the commands and options.');
      return EXIT_BAD_INPUT;
    }
    const e = err as Error;
    io.err(`dynasim: internal error (a bug in dynasim ${VERSION}): ${e?.stack ?? String(err)}`);
    if (reproduce !== null) io.err(`reproduce: ${reproduce}`);
    return EXIT_BUG;
  }
  return exitCode;
}

/** The options `compare` and `sweep` share. */
function sweepOptions<T>(y: import('yargs').Argv<T>) {
  return y
    .option('jobs', { type: 'number', describe: `worker threads (default: the number of cores, ${os.availableParallelism()})` })
    .option('seeds', { type: 'number', describe: 'seeds per configuration (default: the sweep\'s repeats, else 3)' })
    .option('seed', { type: 'string', describe: 'base seed the per-repeat seeds derive from (default: the sweep file\'s seed, else 1; compare: the scenario\'s seed, else 1)' })
    .option('set', { type: 'string', array: true, describe: 'override a field of every run, e.g. --set duration=1m (repeatable)' })
    .option('out', { type: 'string', describe: 'result folder (default reports/<sweep>/; a shard: reports/<sweep>/shard-<i>-of-<n>/)' })
    .option('shard', { type: 'string', describe: 'run only shard i of n (i/n, 1-based): the runs whose index is i-1 modulo n' })
    .option('resume', { type: 'boolean', default: false, describe: 'skip runs whose results are already in the folder (same sweep hash)' })
    .option('progress', { type: 'boolean', default: true, describe: 'progress bar on stderr (only when it is a terminal)' })
    .option('max-events', { type: 'number', describe: 'fail a run instead of simulating more than this many events' });
}

function sweepRunArgs(args: { jobs?: number; seeds?: number; seed?: string; set?: string[]; out?: string; shard?: string; resume?: boolean; progress?: boolean; 'max-events'?: number }): SweepRunArgs {
  return {
    ...(args.jobs !== undefined ? { jobs: args.jobs } : {}),
    ...(args.seeds !== undefined ? { seeds: args.seeds } : {}),
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
    set: args.set ?? [],
    ...(args.out !== undefined ? { out: args.out } : {}),
    ...(args.shard !== undefined ? { shard: args.shard } : {}),
    resume: args.resume ?? false,
    progress: args.progress ?? true,
    ...(args['max-events'] !== undefined ? { maxEvents: args['max-events'] } : {}),
  };
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // `dynasim inspect ... | head`: a reader that stops early is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`dynasim: internal error: ${String(err?.stack ?? err)}\n`);
      process.exitCode = EXIT_BUG;
    },
  );
}
