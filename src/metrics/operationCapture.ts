/**
 * Captures one operation's message sequence during a run, without a trace
 * file, for the report's space-time diagram (Summary.operation): the
 * slowest failed operation, else the slowest.
 *
 * A trace sink that keeps the events of operations in flight, keyed by
 * their cause (the operation id the workload sets, sim/trace.ts). When an
 * operation ends it either becomes the chosen one (the previous choice is
 * dropped) or its events are dropped, so memory is bounded by the
 * operations in flight (each capped at EVENTS_MAX events) plus the chosen
 * one. The chosen operation keeps collecting what it still causes after its
 * end (late replies, read repair, coordinator timeouts). Faults and host
 * state changes go to a small ring; the chosen operation takes those in its
 * time span (from a second before it started).
 */
import type { TraceEvent, TraceSink } from '../../sim/trace.js';
import type { OperationEvent, OperationTrace } from '../report/summary.js';

const EVENTS_MAX = 400;
const FAULT_RING = 1024;
/** Faults this long before the operation started are shown too (a crash just before often explains a failure). */
const FAULT_LEAD_US = 1_000_000;

interface Captured {
  readonly start: TraceEvent;
  end: TraceEvent | null;
  readonly events: TraceEvent[];
  omitted: number;
  faults: TraceEvent[];
}

export class OperationCapture implements TraceSink {
  private readonly open = new Map<number, Captured>();
  private chosen: Captured | null = null;
  private readonly faults: TraceEvent[] = [];
  private faultHead = 0;

  write(e: TraceEvent): void {
    const kind = e.kind;
    const cause = e.cause;
    if (cause !== undefined) {
      const c = this.open.get(cause as number) ?? (this.chosen !== null && this.chosen.start.op === cause ? this.chosen : undefined);
      if (c === undefined) return;
      if (c.events.length < EVENTS_MAX) c.events.push(e);
      else c.omitted++;
      return;
    }
    switch (kind) {
      case 'op-start':
        this.open.set(e.op as number, { start: e, end: null, events: [], omitted: 0, faults: [] });
        return;
      case 'op-end': {
        const c = this.open.get(e.op as number);
        if (c === undefined) return;
        this.open.delete(e.op as number);
        c.end = e;
        if (this.chosen === null || better(c, this.chosen)) {
          c.faults = this.faultsBetween(c.start.timeUs - FAULT_LEAD_US, e.timeUs);
          this.chosen = c;
        }
        return;
      }
      case 'fault':
      case 'host':
      case 'nemesis':
        if (this.faults.length < FAULT_RING) this.faults.push(e);
        else {
          this.faults[this.faultHead] = e;
          this.faultHead = (this.faultHead + 1) % FAULT_RING;
        }
        if (this.chosen !== null && this.chosen.events.length > 0) {
          // Faults while the chosen operation's late work goes on.
          const last = this.chosen.events[this.chosen.events.length - 1]!;
          if (e.timeUs <= last.timeUs && this.chosen.faults.length < 64) this.chosen.faults.push(e);
        }
        return;
      default:
        return;
    }
  }

  private faultsBetween(fromUs: number, toUs: number): TraceEvent[] {
    const ordered = this.faults.length < FAULT_RING ? this.faults : [...this.faults.slice(this.faultHead), ...this.faults.slice(0, this.faultHead)];
    return ordered.filter((f) => f.timeUs >= fromUs && f.timeUs <= toUs).slice(-64);
  }

  /** The chosen operation, with host ids turned into names (null: no operation completed). */
  result(hostName: (id: number) => string): OperationTrace | null {
    const c = this.chosen;
    if (c === null || c.end === null) return null;
    const events: OperationEvent[] = [];
    const lanes = new Set<number>();
    const merged = [...c.events, ...c.faults].sort((a, b) => a.timeUs - b.timeUs);
    // Stable sort keeps trace order among equal times for each list; faults go after messages at a tie.
    for (const e of merged) {
      const ev = convert(e, hostName, lanes);
      if (ev !== null) events.push(ev);
    }
    // Lanes in order of first appearance: the client, then whom it talks to, and so on.
    const hosts = [...lanes].map(hostName);
    const s = c.start;
    const end = c.end;
    return {
      chosen: end.ok === false ? 'slowest failed' : 'slowest',
      op: s.op as number,
      type: s.type === 'put' ? 'put' : 'get',
      key: String(s.key),
      population: String(s.population),
      startUs: s.timeUs,
      endUs: end.timeUs,
      ok: end.ok === true,
      error: typeof end.error === 'string' ? end.error : null,
      hosts,
      events,
      omitted: c.omitted,
    };
  }
}

/** Failed beats succeeded; then the longer latency; ties keep the earlier choice. */
function better(a: Captured, b: Captured): boolean {
  const aFailed = a.end!.ok !== true;
  const bFailed = b.end!.ok !== true;
  if (aFailed !== bFailed) return aFailed;
  return a.end!.timeUs - a.start.timeUs > b.end!.timeUs - b.start.timeUs;
}

function convert(e: TraceEvent, hostName: (id: number) => string, lanes: Set<number>): OperationEvent | null {
  const num = (v: unknown) => (typeof v === 'number' ? v : -1);
  switch (e.kind) {
    case 'send':
    case 'deliver':
    case 'drop': {
      const src = num(e.src);
      const dst = num(e.dst);
      lanes.add(src);
      if (dst >= 0) lanes.add(dst);
      const out: OperationEvent = { kind: e.kind, timeUs: e.timeUs, msg: num(e.msg), from: hostName(src), to: dst >= 0 ? hostName(dst) : `#${dst}`, type: String(e.type) };
      if (e.kind === 'drop') out.reason = String(e.reason);
      return out;
    }
    case 'timer': {
      const host = num(e.host);
      lanes.add(host);
      return { kind: 'timer', timeUs: e.timeUs, host: hostName(host), label: String(e.label) };
    }
    case 'fault':
    case 'host':
    case 'nemesis': {
      const host = typeof e.host === 'number' ? e.host : -1;
      const what = e.kind === 'fault' ? String(e.fault) : e.kind === 'host' ? String(e.state) : `nemesis ${String(e.action)} ${String(e.describe)}`;
      const detail = e.kind === 'fault' && typeof e.groups === 'string' ? ` ${e.groups}` : '';
      return { kind: e.kind === 'host' ? 'host' : 'fault', timeUs: e.timeUs, host: host >= 0 ? hostName(host) : '', label: `${what}${detail}` };
    }
    default:
      return null;
  }
}
