/**
 * `dynasim replay` and `dynasim inspect`: the trace-file commands. A trace
 * file is written by `dynasim run --trace FILE` (src/trace/writer.ts).
 */
import { parseDuration } from '../../../sim/time.js';
import { encodeEvent } from '../../trace/format.js';
import { formatTimeUs, inspectTrace, type InspectQuery } from '../../trace/inspect.js';
import { replayTrace, versionNote } from '../../trace/replay.js';
import { EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_OK, quote, type CliIo } from '../io.js';

export function replayCommand(args: { trace: string }, io: CliIo): number {
  const result = replayTrace(args.trace, {
    onHeader: (h) => {
      const note = versionNote(h);
      if (note !== null) io.out(note);
      io.out(`replaying ${args.trace}: scenario ${h.scenario.name}, seed ${h.seed}, recorded by dynasim ${h.version}`);
    },
  });
  if (result.outcome === 'bad-trace') {
    io.err(`dynasim: ${args.trace}: ${result.problem}`);
    if (result.events > 0) io.err(`(the first ${result.events} events matched the replay)`);
    return EXIT_BAD_INPUT;
  }
  if (result.outcome === 'identical') {
    io.out(`identical: ${result.events.toLocaleString('en-US')} events, digest ${result.digest}`);
    return EXIT_OK;
  }
  const r = result;
  const note = versionNote(r.header);
  if (r.digests !== undefined) {
    io.out(`diverged: all ${r.index.toLocaleString('en-US')} events match, but the digest differs (recorded ${r.digests.recorded}, replay ${r.digests.replayed}): the runs differ in events the trace does not show`);
  } else {
    const timeUs = r.actual?.timeUs ?? r.expected?.timeUs ?? 0;
    io.out(`diverged at event ${r.index.toLocaleString('en-US')} (line ${r.line} of the trace), simulated time ${formatTimeUs(timeUs)}:`);
    io.out(`  expected (recorded): ${r.expected === null ? '(the recording ends here)' : encodeEvent(r.expected)}`);
    io.out(`  actual (replay):     ${r.actual === null ? '(the replay ends here)' : encodeEvent(r.actual)}`);
  }
  if (note !== null) io.out('(the trace comes from another dynasim version: see the note above)');
  else io.out(`same version, same scenario and seed, different events: a determinism bug in dynasim (seed ${r.header.seed})`);
  io.out(`reproduce: dynasim replay ${quote(args.trace)}`);
  return EXIT_CHECK_FAILED;
}

export interface InspectArgs {
  trace: string;
  op?: number;
  key?: string;
  from?: string;
  to?: string;
  limit?: number;
}

export async function inspectCommand(args: InspectArgs, io: CliIo): Promise<number> {
  const query: InspectQuery = {};
  if (args.op !== undefined) {
    if (!Number.isSafeInteger(args.op) || args.op < 1) {
      io.err(`dynasim: --op: expected an operation id (an integer >= 1, the "op" of an op-start event), got ${args.op}`);
      return EXIT_BAD_INPUT;
    }
    query.op = args.op;
  }
  if (args.key !== undefined) query.key = args.key;
  try {
    if (args.from !== undefined) query.fromUs = parseDuration(args.from, '--from');
    if (args.to !== undefined) query.toUs = parseDuration(args.to, '--to');
  } catch (e) {
    io.err(`dynasim: ${(e as Error).message}`);
    return EXIT_BAD_INPUT;
  }
  if (query.op === undefined && query.key === undefined && query.fromUs === undefined && query.toUs === undefined) {
    io.err('dynasim: inspect needs a selection: --op ID, --key K, or a window --from T --to T');
    return EXIT_BAD_INPUT;
  }
  if (query.fromUs !== undefined && query.toUs !== undefined && query.toUs < query.fromUs) {
    io.err(`dynasim: --to (${args.to}) is before --from (${args.from})`);
    return EXIT_BAD_INPUT;
  }
  if (args.limit !== undefined) {
    if (!Number.isSafeInteger(args.limit) || args.limit < 1) {
      io.err(`dynasim: --limit: expected an integer >= 1, got ${args.limit}`);
      return EXIT_BAD_INPUT;
    }
    query.limit = args.limit;
  }
  const result = await inspectTrace(args.trace, query, (line) => io.out(line));
  if (result.outcome === 'bad-trace') {
    io.err(`dynasim: ${args.trace}: ${result.problem}`);
    return EXIT_BAD_INPUT;
  }
  if (result.outcome === 'not-found') {
    io.err(`dynasim: ${result.message}`);
    return EXIT_BAD_INPUT;
  }
  return EXIT_OK;
}
