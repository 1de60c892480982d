/**
 * Replay a trace file: run the scenario and seed of its header again and
 * compare the new run's events, one by one as they happen, with the
 * recorded ones as they are read (both streamed: memory stays bounded).
 * The first difference stops the run.
 */
import type { TraceEvent, TraceSink } from '../../sim/trace.js';
import { runScenario } from '../experiment/run.js';
import { VERSION } from '../version.js';
import { encodeEvent, parseEnd, parseEvent, type RecordedEvent, type TraceHeader } from './format.js';
import { badEventLine, headerFromFirstLine, SyncTraceLines, TraceReadError, type TraceLine } from './reader.js';

export type ReplayResult =
  | { outcome: 'identical'; header: TraceHeader; events: number; digest: string }
  | {
      outcome: 'diverged';
      header: TraceHeader;
      /** 1-based index of the first event that differs. */
      index: number;
      /** Line of the trace file that holds it. */
      line: number;
      /** The recorded event (null: the recording ended here). */
      expected: RecordedEvent | null;
      /** The replay's event (null: the replay ended here). */
      actual: TraceEvent | null;
      /** When only the digests differ. */
      digests?: { recorded: string; replayed: string };
    }
  | { outcome: 'bad-trace'; problem: string; header: TraceHeader | null; events: number };

class Diverged extends Error {
  constructor(
    readonly index: number,
    readonly line: number,
    readonly expected: RecordedEvent | null,
    readonly actual: TraceEvent | null,
  ) {
    super('diverged');
  }
}

class BadTrace extends Error {}

function endsEarly(events: number): string {
  return `truncated trace: the file ends after ${events} events without its end record (the recording was cut short)`;
}

/** Compares each event the replay emits with the next recorded one. */
class ReplaySink implements TraceSink {
  events = 0;
  constructor(private readonly lines: SyncTraceLines) {}

  write(event: TraceEvent): void {
    const actual = encodeEvent(event);
    const rec = this.lines.next();
    this.events++;
    if (rec !== null && rec.text === actual) return;
    if (rec === null) throw new BadTrace(endsEarly(this.events - 1));
    if (parseEnd(rec.text) !== null) throw new Diverged(this.events, rec.number, null, event);
    const expected = parseEvent(rec.text);
    if (expected === null) throw new BadTrace(badEventLine(rec));
    throw new Diverged(this.events, rec.number, expected, event);
  }
}

/** Read the header (line 1) of a trace. */
function readHeader(lines: SyncTraceLines): TraceHeader {
  let first: TraceLine | null;
  try {
    first = lines.next();
  } catch (e) {
    if (e instanceof TraceReadError && e.kind === 'corrupted') throw new BadTrace(`not a dynasim trace: ${e.message}`);
    throw e;
  }
  const parsed = headerFromFirstLine(first);
  if (!parsed.ok) throw new BadTrace(parsed.problem);
  return parsed.header;
}

export interface ReplayOptions {
  /** Called once the header is read, before the run (the CLI prints the version note then). */
  onHeader?: (header: TraceHeader) => void;
}

export function replayTrace(path: string, options: ReplayOptions = {}): ReplayResult {
  let lines: SyncTraceLines;
  try {
    lines = new SyncTraceLines(path);
  } catch (e) {
    if (e instanceof TraceReadError) return { outcome: 'bad-trace', problem: e.message, header: null, events: 0 };
    throw e;
  }
  let header: TraceHeader | null = null;
  const sink = new ReplaySink(lines);
  try {
    header = readHeader(lines);
    options.onHeader?.(header);
    let digest: string;
    try {
      digest = runScenario(header.scenario, { seed: header.seed, traceSink: sink, captureOperation: false }).summary.digest;
    } catch (e) {
      if (e instanceof Diverged || e instanceof BadTrace || e instanceof TraceReadError) throw e;
      // A header whose scenario cannot be run was damaged (a recorded scenario always ran).
      throw new BadTrace(`corrupted trace header: its scenario cannot be run (${(e as Error).message})`);
    }
    const rec = lines.next();
    if (rec === null) throw new BadTrace(endsEarly(sink.events));
    const end = parseEnd(rec.text);
    if (end === null) {
      const expected = parseEvent(rec.text);
      if (expected === null) throw new BadTrace(badEventLine(rec));
      throw new Diverged(sink.events + 1, rec.number, expected, null);
    }
    if (end.events !== sink.events) throw new BadTrace(`corrupted trace: the end record counts ${end.events} events, the file holds ${sink.events}`);
    const extra = lines.next();
    if (extra !== null) throw new BadTrace(`corrupted trace: data after the end record (line ${extra.number})`);
    if (end.digest !== digest) {
      return { outcome: 'diverged', header, index: sink.events, line: rec.number, expected: null, actual: null, digests: { recorded: end.digest, replayed: digest } };
    }
    return { outcome: 'identical', header, events: sink.events, digest };
  } catch (e) {
    if (e instanceof Diverged) {
      // A damaged gzip member yields wrong lines before its checksum fails at the member's end:
      // read on a little, and call it corruption when the file turns out damaged.
      const damage = damageAhead(lines);
      if (damage !== null) return { outcome: 'bad-trace', problem: `${damage} (the first difference, at event ${e.index}, lies in the damaged part)`, header, events: e.index - 1 };
      return { outcome: 'diverged', header: header!, index: e.index, line: e.line, expected: e.expected, actual: e.actual };
    }
    if (e instanceof BadTrace || e instanceof TraceReadError) return { outcome: 'bad-trace', problem: e.message, header, events: sink.events };
    throw e;
  } finally {
    lines.close();
  }
}

/** Read up to a few MiB further: the read error found there, or null. */
function damageAhead(lines: SyncTraceLines): string | null {
  let chars = 0;
  try {
    for (;;) {
      const line = lines.next();
      if (line === null) return null;
      chars += line.text.length;
      if (chars > 8 * 1024 * 1024) return null;
    }
  } catch (e) {
    if (e instanceof TraceReadError && e.kind !== 'io') return e.message;
    return null;
  }
}

/** Whether the trace was recorded by another dynasim version. */
export function versionNote(header: TraceHeader): string | null {
  if (header.version === VERSION) return null;
  return `note: this trace was recorded by dynasim ${header.version}; this is dynasim ${VERSION}. A different version may simulate differently, so a divergence may come from the version change rather than from non-determinism.`;
}
