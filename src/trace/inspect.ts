/**
 * `dynasim inspect`: one operation's, one key's or one time window's
 * message sequence from a trace file, as readable text: who sent what to
 * whom and when, how long it was in flight, what was dropped and why, which
 * timers fired (timeouts stand out), and the faults around it.
 *
 * Streams the file once. Lines are matched by a cheap text test first and
 * parsed only when they may belong to the selection.
 *
 *   --op ID    the events caused by client operation ID (its 'op-start' and
 *              'op-end', every message and timer traced under it), and the
 *              faults and host changes while it ran (and in the second
 *              before it started: a crash just before often explains it)
 *   --key K    every operation on K (as above) and every message carrying K
 *              (hinted handoff, read repair, anti-entropy...)
 *   --from T / --to T   every event in the window (with --op or --key: those
 *              of the selection in the window)
 */
import { formatDuration } from '../../sim/time.js';
import { FAULT_LEAD_US } from '../metrics/operationCapture.js';
import { parseEnd, parseEvent, type RecordedEvent, type TraceHeader } from './format.js';
import { badEventLine, headerFromFirstLine, TraceLineReader, TraceReadError } from './reader.js';

export interface InspectQuery {
  op?: number;
  key?: string;
  fromUs?: number;
  toUs?: number;
  /** Most events printed (default 10,000); the rest are counted. */
  limit?: number;
}

export type InspectResult =
  | { outcome: 'ok'; header: TraceHeader; printed: number; omitted: number; matchedOps: number }
  | { outcome: 'not-found'; header: TraceHeader; message: string }
  | { outcome: 'bad-trace'; problem: string };

const TIMEOUT_LABEL = /-timeout$/;
const CAUSE = /"cause":(\d+)/;
const TIME = /"timeUs":(-?\d+)/;

/** Seconds with microsecond precision: 19.997604s. */
export function formatTimeUs(us: number): string {
  const sign = us < 0 ? '-' : '';
  const a = Math.abs(us);
  return `${sign}${Math.floor(a / 1e6)}.${String(a % 1e6).padStart(6, '0')}s`;
}

function flight(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(3)} ms` : `${us} us`;
}

export async function inspectTrace(path: string, query: InspectQuery, out: (line: string) => void): Promise<InspectResult> {
  let reader: TraceLineReader;
  try {
    reader = TraceLineReader.open(path);
  } catch (e) {
    if (e instanceof TraceReadError) return { outcome: 'bad-trace', problem: e.message };
    throw e;
  }
  const limit = query.limit ?? 10_000;
  let header: TraceHeader | null = null;
  try {
    const parsed = headerFromFirstLine(await reader.next());
    if (!parsed.ok) return { outcome: 'bad-trace', problem: parsed.problem };
    header = parsed.header;
    const hosts = header.hosts;
    const name = (id: unknown) => (typeof id === 'number' ? (hosts[id] ?? `#${id}`) : String(id));
    const ops = new Set<number>();
    const open = new Set<number>(); // selected operations that started and have not ended
    const sentAt = new Map<number, number>();
    const recentFaults: RecordedEvent[] = [];
    const opText = `"op":${query.op}`;
    const keyText = query.key === undefined ? '' : JSON.stringify(query.key);
    if (query.op !== undefined) ops.add(query.op);
    let printed = 0;
    let omitted = 0;
    let matchedOps = 0;
    let sawEnd = false;
    const emit = (line: string) => {
      if (printed < limit) {
        out(line);
        printed++;
      } else omitted++;
    };
    out(`trace ${path}: ${header.scenario.name}, seed ${header.seed}, dynasim ${header.version}`);
    out(`selection: ${describeQuery(query)}`);
    out('');
    for (;;) {
      const rec = await reader.next();
      if (rec === null) break;
      const text = rec.text;
      if (text.startsWith('{"dynasimTraceEnd"') && parseEnd(text) !== null) {
        sawEnd = true;
        break;
      }
      // Cheap tests before parsing.
      let candidate: boolean;
      const isFault = text.startsWith('{"kind":"fault"') || text.startsWith('{"kind":"host"') || text.startsWith('{"kind":"nemesis"');
      if (query.op === undefined && query.key === undefined) candidate = true;
      else if (isFault) candidate = true; // rare: parsed to keep the recent ones
      else {
        const c = CAUSE.exec(text);
        candidate = (c !== null && ops.has(Number(c[1]))) || (query.op !== undefined && text.includes(opText)) || (keyText !== '' && text.includes(keyText));
      }
      if (candidate && (query.fromUs !== undefined || query.toUs !== undefined)) {
        const t = TIME.exec(text);
        const us = t === null ? NaN : Number(t[1]);
        if ((query.fromUs !== undefined && us < query.fromUs) || (query.toUs !== undefined && us > query.toUs)) candidate = false;
      }
      if (!candidate) continue;
      const e = parseEvent(text);
      if (e === null) return { outcome: 'bad-trace', problem: badEventLine(rec) };
      if (isFault && (query.op !== undefined || query.key !== undefined) && open.size === 0) {
        recentFaults.push(e);
        if (recentFaults.length > 64) recentFaults.shift();
        continue;
      }
      if (!selected(e, query, ops, open)) continue;
      if (e.kind === 'op-start') {
        // The faults of the second before it, not shown yet.
        for (const f of recentFaults) if (f.timeUs >= e.timeUs - FAULT_LEAD_US) emit(render(f, name, sentAt));
        recentFaults.length = 0;
      }
      if (e.kind === 'op-start' && (query.op === undefined || e.op === query.op)) matchedOps++;
      if (e.kind === 'send' && typeof e.msg === 'number') sentAt.set(e.msg, e.timeUs);
      emit(render(e, name, sentAt));
    }
    if (!sawEnd) out(`(the trace ends without its end record: it was cut short)`);
    if (omitted > 0) out(`... and ${omitted} more events (raise --limit)`);
    if (query.op !== undefined && matchedOps === 0) {
      return { outcome: 'not-found', header, message: `no operation ${query.op} in this trace (operation ids are the "op" of op-start events)` };
    }
    if (printed === 0) return { outcome: 'not-found', header, message: `nothing in this trace matches ${describeQuery(query)}` };
    return { outcome: 'ok', header, printed, omitted, matchedOps };
  } catch (e) {
    if (e instanceof TraceReadError) return { outcome: 'bad-trace', problem: e.message };
    throw e;
  } finally {
    reader.close();
  }
}

function describeQuery(q: InspectQuery): string {
  const parts: string[] = [];
  if (q.op !== undefined) parts.push(`operation ${q.op}`);
  if (q.key !== undefined) parts.push(`key ${JSON.stringify(q.key)}`);
  if (q.fromUs !== undefined || q.toUs !== undefined) parts.push(`time ${q.fromUs === undefined ? 'start' : formatTimeUs(q.fromUs)} to ${q.toUs === undefined ? 'end' : formatTimeUs(q.toUs)}`);
  return parts.join(', ');
}

/** Whether a parsed event belongs to the selection; tracks the selected operations. */
function selected(e: RecordedEvent, q: InspectQuery, ops: Set<number>, open: Set<number>): boolean {
  if (q.op === undefined && q.key === undefined) return true;
  const kind = e.kind;
  if (kind === 'op-start') {
    const op = e.op as number;
    if ((q.op !== undefined && op === q.op) || (q.key !== undefined && e.key === q.key)) {
      ops.add(op);
      open.add(op);
      return true;
    }
    return false;
  }
  if (kind === 'op-end') {
    const op = e.op as number;
    if (!ops.has(op)) return false;
    open.delete(op);
    return true;
  }
  if (kind === 'fault' || kind === 'host' || kind === 'nemesis') return open.size > 0;
  if (typeof e.cause === 'number' && ops.has(e.cause)) return true;
  return q.key !== undefined && e.key === q.key;
}

function render(e: RecordedEvent, name: (id: unknown) => string, sentAt: Map<number, number>): string {
  const t = formatTimeUs(e.timeUs).padStart(12);
  const cause = typeof e.cause === 'number' ? `  [op ${e.cause}]` : '';
  switch (e.kind) {
    case 'send':
    case 'deliver':
    case 'drop': {
      const link = `${name(e.src)} -> ${name(e.dst)}`.padEnd(22);
      const what = `${String(e.type).padEnd(12)} #${e.msg}`;
      const key = typeof e.key === 'string' ? ` key ${e.key}` : '';
      if (e.kind === 'send') return `${t}  ${link} ${what}  sent${typeof e.sizeBytes === 'number' ? ` (${e.sizeBytes} B)` : ''}${key}${cause}`;
      const sent = typeof e.msg === 'number' ? sentAt.get(e.msg) : undefined;
      const after = sent === undefined ? '' : ` after ${flight(e.timeUs - sent)}`;
      if (e.kind === 'deliver') return `${t}  ${link} ${what}  delivered${after}${cause}`;
      return `${t}  ${link} ${what}  DROPPED (${String(e.reason)})${after}${cause}`;
    }
    case 'timer': {
      const label = String(e.label);
      return `${t}  ${name(e.host).padEnd(22)} timer ${label}${TIMEOUT_LABEL.test(label) ? '  <- TIMEOUT' : ''}${cause}`;
    }
    case 'op-start':
      return `${t}  ${'op ' + String(e.op)} starts: ${String(e.type)} ${String(e.key)} (population ${String(e.population)}, session ${String(e.session)}${e.type === 'put' ? `, write ${String(e.write)}` : ''})`;
    case 'op-end': {
      const result = e.ok === true ? 'ok' : `FAILED (${String(e.error)})`;
      const coordinator = typeof e.coordinator === 'number' && e.coordinator >= 0 ? `, coordinator ${name(e.coordinator)}` : '';
      const versions = typeof e.versions === 'string' && e.versions !== '' ? `, versions ${e.versions}` : '';
      return `${t}  ${'op ' + String(e.op)} ends: ${result}${coordinator}${versions}`;
    }
    case 'fault':
      return `${t}  ** fault ${String(e.fault)}${typeof e.host === 'number' ? ` ${name(e.host)}` : ''}${typeof e.groups === 'string' ? ` ${e.groups}` : ''}${e.loseDisk === true ? ' (disk lost)' : ''}`;
    case 'host':
      return `${t}  ** ${name(e.host)} is ${String(e.state)}${typeof e.deltaUs === 'number' ? ` (clock ${formatDuration(Math.abs(e.deltaUs))} ${e.deltaUs < 0 ? 'back' : 'ahead'})` : ''}`;
    case 'nemesis':
      return `${t}  ** nemesis ${String(e.action)}: ${String(e.describe)}`;
    default: {
      const fields = Object.entries(e)
        .filter(([k]) => k !== 'kind' && k !== 'timeUs')
        .map(([k, v]) => `${k}=${k === 'host' || k === 'peer' ? name(v) : String(v)}`)
        .join(' ');
      return `${t}  ${e.kind} ${fields}`;
    }
  }
}
