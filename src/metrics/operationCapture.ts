/**
 * Captures one operation's message sequence during a run, without a trace
 * file, for the report's space-time diagram (Summary.operation): the
 * slowest failed operation, else the slowest.
 *
 * It taps the trace (sim/trace.ts CauseTap): the sends, deliveries, drops
 * and timers of work with a cause (the operation id the workload sets) come
 * as numbers and are appended to a flat number log per operation in flight;
 * operation starts and ends, faults and host changes come through the
 * trace's record listener. When an operation ends it either becomes the
 * chosen one (the previous choice is dropped) or its log is dropped, so
 * memory is bounded by the operations in flight (each capped at EVENTS_MAX
 * events) plus the chosen one, and nothing is built per event: only the
 * chosen operation's events become objects, at the end. (A trace sink that
 * received an event object per message made `dynasim run` 25-50% slower.)
 * The chosen operation keeps collecting what it still causes after its end
 * (late replies, read repair, coordinator timeouts). Faults and host state
 * changes go to a small ring; the chosen operation takes those in its time
 * span (from a second before it started).
 */
import { TAP_DELIVER, TAP_DROP, TAP_SEND, type CauseTap, type Trace, type TraceValue } from '../../sim/trace.js';
import type { OperationEvent, OperationTrace } from '../report/summary.js';

const EVENTS_MAX = 400;
const FAULT_RING = 1024;
/**
 * Faults this long before the operation started are shown too (a crash just
 * before often explains a failure); `dynasim inspect --op` uses the same lead.
 */
export const FAULT_LEAD_US = 1_000_000;
/** Numbers per logged event: kind, timeUs, msg (or host), src, dst, code (type or label), reason code. */
const STRIDE = 7;
const TAP_TIMER = 4;

type Fields = Readonly<Record<string, TraceValue>>;

interface RecordEvent {
  readonly kind: string;
  readonly timeUs: number;
  readonly fields: Fields;
}

interface Captured {
  readonly op: number;
  readonly startUs: number;
  readonly start: Fields;
  endUs: number;
  end: Fields | null;
  /** STRIDE numbers per event, in trace order. */
  readonly log: number[];
  omitted: number;
  faults: RecordEvent[];
}

export class OperationCapture implements CauseTap {
  private readonly open = new Map<number, Captured>();
  private chosen: Captured | null = null;
  private readonly faults: RecordEvent[] = [];
  private faultHead = 0;

  constructor(private readonly trace: Trace) {
    trace.tap = this;
    trace.listen((kind, timeUs, fields) => this.record(kind, timeUs, fields));
  }

  private target(cause: number): Captured | undefined {
    const c = this.open.get(cause);
    if (c !== undefined) return c;
    return this.chosen !== null && this.chosen.op === cause ? this.chosen : undefined;
  }

  message(kind: number, timeUs: number, msgId: number, src: number, dst: number, typeCode: number, reasonCode: number, cause: number): void {
    const c = this.target(cause);
    if (c === undefined) return;
    if (c.log.length >= EVENTS_MAX * STRIDE) {
      c.omitted++;
      return;
    }
    c.log.push(kind, timeUs, msgId, src, dst, typeCode, reasonCode);
  }

  timer(timeUs: number, host: number, labelCode: number, cause: number): void {
    const c = this.target(cause);
    if (c === undefined) return;
    if (c.log.length >= EVENTS_MAX * STRIDE) {
      c.omitted++;
      return;
    }
    c.log.push(TAP_TIMER, timeUs, host, 0, 0, labelCode, 0);
  }

  private record(kind: string, timeUs: number, fields: Fields): void {
    switch (kind) {
      case 'op-start': {
        const op = fields.op as number;
        this.open.set(op, { op, startUs: timeUs, start: fields, endUs: -1, end: null, log: [], omitted: 0, faults: [] });
        return;
      }
      case 'op-end': {
        const op = fields.op as number;
        const c = this.open.get(op);
        if (c === undefined) return;
        this.open.delete(op);
        c.end = fields;
        c.endUs = timeUs;
        if (this.chosen === null || better(c, this.chosen)) {
          c.faults = this.faultsBetween(c.startUs - FAULT_LEAD_US, timeUs);
          this.chosen = c;
        }
        return;
      }
      case 'fault':
      case 'host':
      case 'nemesis': {
        const e: RecordEvent = { kind, timeUs, fields };
        if (this.faults.length < FAULT_RING) this.faults.push(e);
        else {
          this.faults[this.faultHead] = e;
          this.faultHead = (this.faultHead + 1) % FAULT_RING;
        }
        const chosen = this.chosen;
        if (chosen !== null && chosen.log.length > 0) {
          // Faults while the chosen operation's late work goes on.
          const lastUs = chosen.log[chosen.log.length - STRIDE + 1]!;
          if (timeUs <= lastUs && chosen.faults.length < 64) chosen.faults.push(e);
        }
        return;
      }
      default:
        return;
    }
  }

  private faultsBetween(fromUs: number, toUs: number): RecordEvent[] {
    const ordered = this.faults.length < FAULT_RING ? this.faults : [...this.faults.slice(this.faultHead), ...this.faults.slice(0, this.faultHead)];
    return ordered.filter((f) => f.timeUs >= fromUs && f.timeUs <= toUs).slice(-64);
  }

  /** The chosen operation, with host ids turned into names (null: no operation completed). */
  result(hostName: (id: number) => string): OperationTrace | null {
    const c = this.chosen;
    if (c === null || c.end === null) return null;
    const lanes = new Set<number>();
    const timed: Array<{ timeUs: number; event: OperationEvent | null }> = [];
    const log = c.log;
    for (let i = 0; i < log.length; i += STRIDE) timed.push({ timeUs: log[i + 1]!, event: this.convertLogged(log, i, hostName, lanes) });
    for (const f of c.faults) timed.push({ timeUs: f.timeUs, event: convertRecord(f, hostName) });
    // Stable sort keeps trace order among equal times; faults go after messages at a tie.
    timed.sort((a, b) => a.timeUs - b.timeUs);
    const events = timed.flatMap((t) => (t.event === null ? [] : [t.event]));
    // Lanes in order of first appearance: the client, then whom it talks to, and so on.
    const hosts = [...lanes].map(hostName);
    const s = c.start;
    const end = c.end;
    return {
      chosen: end.ok === false ? 'slowest failed' : 'slowest',
      op: c.op,
      type: s.type === 'put' ? 'put' : 'get',
      key: String(s.key),
      population: String(s.population),
      startUs: c.startUs,
      endUs: c.endUs,
      ok: end.ok === true,
      error: typeof end.error === 'string' ? end.error : null,
      hosts,
      events,
      omitted: c.omitted,
    };
  }

  private convertLogged(log: readonly number[], i: number, hostName: (id: number) => string, lanes: Set<number>): OperationEvent {
    const kind = log[i]!;
    const timeUs = log[i + 1]!;
    if (kind === TAP_TIMER) {
      const host = log[i + 2]!;
      lanes.add(host);
      return { kind: 'timer', timeUs, host: hostName(host), label: this.trace.codeName(log[i + 5]!) };
    }
    const src = log[i + 3]!;
    const dst = log[i + 4]!;
    lanes.add(src);
    if (dst >= 0) lanes.add(dst);
    const out: OperationEvent = {
      kind: kind === TAP_SEND ? 'send' : kind === TAP_DELIVER ? 'deliver' : 'drop',
      timeUs,
      msg: log[i + 2]!,
      from: hostName(src),
      to: dst >= 0 ? hostName(dst) : `#${dst}`,
      type: this.trace.codeName(log[i + 5]!),
    };
    if (kind === TAP_DROP) out.reason = this.trace.codeName(log[i + 6]!);
    return out;
  }
}

/** Failed beats succeeded; then the longer latency; ties keep the earlier choice. */
function better(a: Captured, b: Captured): boolean {
  const aFailed = a.end!.ok !== true;
  const bFailed = b.end!.ok !== true;
  if (aFailed !== bFailed) return aFailed;
  return a.endUs - a.startUs > b.endUs - b.startUs;
}

function convertRecord(e: RecordEvent, hostName: (id: number) => string): OperationEvent | null {
  const f = e.fields;
  const host = typeof f.host === 'number' ? f.host : -1;
  const what = e.kind === 'fault' ? String(f.fault) : e.kind === 'host' ? String(f.state) : `nemesis ${String(f.action)} ${String(f.describe)}`;
  const detail = e.kind === 'fault' && typeof f.groups === 'string' ? ` ${f.groups}` : '';
  return { kind: e.kind === 'host' ? 'host' : 'fault', timeUs: e.timeUs, host: host >= 0 ? hostName(host) : '', label: `${what}${detail}` };
}
