/**
 * The trace file format (version 1): JSON Lines, optionally gzip-compressed.
 *
 *   line 1      the header: {"dynasimTrace":1,"version":"0.1.0","seed":"1","command":...,"hosts":["n0",...],"scenario":{...}}
 *               (the fully resolved scenario: a trace replays without the original file)
 *   lines 2..   one event each, as the simulation's trace emitted it, in order:
 *               {"kind":"send","timeUs":1234,"msg":7,"src":3,"dst":0,"type":"rput","sizeBytes":140,"cause":17,"key":"k42"}
 *               kinds: send, deliver, drop (with "reason"), timer ("host", "label"), and
 *               the recorded events: fault, host, nemesis, op-start, op-end, fd, buffer-lost, ...
 *   last line   the end record: {"dynasimTraceEnd":true,"events":N,"digest":"…","simulatedUs":…}
 *               (a file without it was cut short)
 *
 * `cause` (omitted when 0) is the client operation a message or timer works
 * for: the `op` of its 'op-start'; `key` is the key a message carries. A
 * recorded event's own field named "kind" or "timeUs" appears as "kind_" /
 * "timeUs_" (sim/trace.ts).
 *
 * The encoder is deterministic (fields in the order the trace built them),
 * so a replay compares lines as strings.
 */
import type { TraceEvent } from '../../sim/trace.js';
import type { ResolvedScenario } from '../scenario/index.js';

export const TRACE_FORMAT_VERSION = 1;

export interface TraceHeader {
  /** The trace format version. */
  readonly dynasimTrace: number;
  /** The dynasim version that recorded it. */
  readonly version: string;
  readonly seed: string;
  /** The command that recorded it (informational). */
  readonly command: string | null;
  /** Host names by host id (the `src`, `dst` and `host` of events). */
  readonly hosts: readonly string[];
  readonly scenario: ResolvedScenario;
}

export interface TraceEnd {
  readonly dynasimTraceEnd: true;
  readonly events: number;
  readonly digest: string;
  readonly simulatedUs: number;
}

/** A recorded event as read back from a file. */
export type RecordedEvent = TraceEvent;

const quoted = new Map<string, string>();
const QUOTED_MAX = 1 << 16;

/** JSON text of a string, cached: message types, labels and keys repeat. */
function q(s: string): string {
  let r = quoted.get(s);
  if (r === undefined) {
    r = JSON.stringify(s);
    if (quoted.size >= QUOTED_MAX) quoted.clear();
    quoted.set(s, r);
  }
  return r;
}

function num(x: number): string {
  return Number.isFinite(x) ? String(x) : 'null';
}

/** One event as a JSON line (without the newline): the same text JSON.stringify would give, faster. */
export function encodeEvent(e: TraceEvent): string {
  let line = '{"kind":' + q(e.kind) + ',"timeUs":' + num(e.timeUs);
  for (const k in e) {
    if (k === 'kind' || k === 'timeUs') continue;
    const v = e[k];
    if (v === undefined) continue;
    line += ',' + q(k) + ':' + (typeof v === 'string' ? q(v) : typeof v === 'number' ? num(v) : v === null ? 'null' : v ? 'true' : 'false');
  }
  return line + '}';
}

export function encodeHeader(header: TraceHeader): string {
  return JSON.stringify(header);
}

export function encodeEnd(end: TraceEnd): string {
  return JSON.stringify(end);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parse line 1: a header, or why it is not one. */
export function parseHeader(line: string): { ok: true; header: TraceHeader } | { ok: false; problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, problem: 'not a dynasim trace: the first line is not JSON (a trace starts with a {"dynasimTrace":...} header line)' };
  }
  if (!isObject(value) || value.dynasimTrace === undefined) {
    return { ok: false, problem: 'not a dynasim trace: the first line is not a trace header (it has no "dynasimTrace" field)' };
  }
  const v = value.dynasimTrace;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return { ok: false, problem: `corrupted trace header: "dynasimTrace" should be a format version (an integer >= 1), got ${JSON.stringify(v)}` };
  if (v > TRACE_FORMAT_VERSION) {
    return { ok: false, problem: `trace format ${v} (written by dynasim ${String(value.version)}) is newer than this dynasim reads (format ${TRACE_FORMAT_VERSION}): replay it with that version` };
  }
  if (typeof value.version !== 'string') return { ok: false, problem: 'corrupted trace header: "version" (the dynasim version) is missing' };
  if (typeof value.seed !== 'string' || value.seed === '') return { ok: false, problem: 'corrupted trace header: "seed" is missing' };
  if (!Array.isArray(value.hosts) || !value.hosts.every((h) => typeof h === 'string')) return { ok: false, problem: 'corrupted trace header: "hosts" (the host names) is missing' };
  const s = value.scenario;
  if (!isObject(s) || typeof s.name !== 'string' || !isObject(s.cluster) || !Array.isArray(s.timeline) || typeof s.durationUs !== 'number') {
    return { ok: false, problem: 'corrupted trace header: "scenario" is not a resolved scenario' };
  }
  return { ok: true, header: value as unknown as TraceHeader };
}

/** The end record, or null when the line is not one. */
export function parseEnd(line: string): TraceEnd | null {
  if (!line.startsWith('{"dynasimTraceEnd"')) return null;
  try {
    const v = JSON.parse(line) as unknown;
    if (isObject(v) && v.dynasimTraceEnd === true && typeof v.events === 'number' && typeof v.digest === 'string') return v as unknown as TraceEnd;
  } catch {
    // not an end record
  }
  return null;
}

/** Parse an event line; null when it is not a JSON object with a kind and a time. */
export function parseEvent(line: string): RecordedEvent | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (!isObject(v) || typeof v.kind !== 'string' || typeof v.timeUs !== 'number') return null;
  return v as unknown as RecordedEvent;
}
