#!/usr/bin/env node
/**
 * The dynasim command line. `main(argv, io)` is the whole CLI as a function
 * returning an exit code, so tests call it in-process; the bottom of this
 * file is the only place that touches `process`.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { DynasimError, InvalidOptionError } from '../../sim/errors.js';
import { parseDuration } from '../../sim/time.js';
import { runKernelDemo } from '../experiment/kernelDemo.js';
import { EXIT_BAD_INPUT, EXIT_BUG, EXIT_OK, processIo, type CliIo } from './io.js';
import { seedOrFresh } from './seed.js';
import { VERSION } from '../version.js';
import { explainCommand, listCommand, runCommand, validateCommand } from './commands/scenario.js';

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
          .example('$0 run quickstart', 'the five-node demo scenario')
          .example('$0 run quickstart --seed 42 --set cluster.quorum.r=1', 'reproducible, with R = 1')
          .example('$0 run my-scenario.yaml --duration 30s --json > summary.json', 'your own file, shortened, as JSON'),
      async (args) => {
        exitCode = await runCommand({ scenario: args.scenario!, set: args.set ?? [], ...(args.seed !== undefined ? { seed: args.seed } : {}), ...(args.out !== undefined ? { out: args.out } : {}), ...(args.duration !== undefined ? { duration: args.duration } : {}), json: args.json, progress: args.progress, ...(args['max-events'] !== undefined ? { maxEvents: args['max-events'] } : {}) }, io);
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
