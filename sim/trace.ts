/**
 * The trace: every delivery, drop, timer, fault, host state change and
 * client operation passes through here. The digest is always folded; a sink
 * (a file writer, an in-memory recorder for tests) is optional.
 *
 * Hot paths (send, deliver, drop, timer) have dedicated methods that fold
 * numbers and build an event object only when a sink is attached; rarer
 * events go through `record`, which folds every field in insertion order.
 * The hot paths do not fold their time: they happen at the time of the
 * event being executed, which the scheduler has just folded.
 *
 * Causes: `cause` names the work being done now (0: none). Whoever starts a
 * piece of work on behalf of something sets it (the experiment's workload
 * around a client call, with its operation id) and hosts carry it on: a
 * message sent while it is set carries it, and so do timers set and disk
 * operations started; the host restores it around the handler, timer or
 * completion that continues the work. Sink events of messages and timers
 * name their cause (field `cause`, omitted when 0), and a message whose
 * payload is an object with a string `key` names it (field `key`), so a
 * trace can be cut by operation or key. Neither is folded into the digest:
 * they follow from what is folded, and a digest must not depend on whether
 * anyone is listening.
 */
import { Digest } from './digest.js';

export type TraceValue = number | string | boolean | null;

export interface TraceEvent {
  /** 'send' | 'deliver' | 'drop' | 'timer' | 'fault' | 'host' | 'op' | ... */
  readonly kind: string;
  readonly timeUs: number;
  readonly [field: string]: TraceValue | undefined;
}

export interface TraceSink {
  write(event: TraceEvent): void;
}

/** Collects events in memory (tests, `inspect` on short runs). Bounded. */
export class MemorySink implements TraceSink {
  readonly events: TraceEvent[] = [];
  dropped = 0;
  constructor(private readonly maxEvents = 1_000_000) {}
  write(event: TraceEvent): void {
    if (this.events.length < this.maxEvents) this.events.push(event);
    else this.dropped++;
  }
}

const KIND_SEND = 1;
const KIND_DELIVER = 2;
const KIND_DROP = 3;
const KIND_TIMER = 4;
const KIND_RECORD = 5;

/**
 * Hears the hot-path events of work that has a cause (never cause 0), as
 * numbers: what an observer that follows operations needs, without the
 * event object a sink gets. Strings (message types, drop reasons, timer
 * labels) come as codes; `Trace.codeName` turns them back.
 */
export interface CauseTap {
  /** kind: TAP_SEND, TAP_DELIVER or TAP_DROP; reasonCode 0 unless a drop. */
  message(kind: number, timeUs: number, msgId: number, src: number, dst: number, typeCode: number, reasonCode: number, cause: number): void;
  timer(timeUs: number, host: number, labelCode: number, cause: number): void;
}

export const TAP_SEND = 1;
export const TAP_DELIVER = 2;
export const TAP_DROP = 3;

/** Hears `record()` events only (faults, host state changes, application records): cheap, rare. */
export type RecordListener = (kind: string, timeUs: number, fields: Readonly<Record<string, TraceValue>>) => void;

export class Trace {
  readonly digest = new Digest();
  sink: TraceSink | null;
  /** Follows the events of work with a cause (see CauseTap); null: nobody. */
  tap: CauseTap | null = null;
  private readonly listeners: RecordListener[] = [];
  /** code - 1 -> string (codeName). */
  private readonly names: string[] = [];
  /** Interned strings (message types, drop reasons, labels), in first-seen order: deterministic. */
  private readonly codes = new Map<string, number>();
  private events = 0;
  /** The cause of the work being done now (0: none); see the file comment. */
  cause = 0;

  constructor(sink: TraceSink | null = null) {
    this.sink = sink;
  }

  /** Listen to `record()` events (observers such as metrics; they must not act on the world). */
  listen(listener: RecordListener): void {
    this.listeners.push(listener);
  }

  /** Number of trace events recorded (not scheduler events). */
  get count(): number {
    return this.events;
  }

  code(s: string): number {
    let c = this.codes.get(s);
    if (c === undefined) {
      c = this.codes.size + 1;
      this.codes.set(s, c);
      this.names.push(s);
    }
    return c;
  }

  /** The string a code stands for ('' for 0 or an unknown code). */
  codeName(code: number): string {
    return this.names[code - 1] ?? '';
  }

  /** A message sent with the current `cause`; `payload` is read only for a sink (its `key`). */
  send(timeUs: number, msgId: number, src: number, dst: number, type: string, sizeBytes: number, payload?: unknown): void {
    this.events++;
    const d = this.digest;
    d.word(KIND_SEND);
    d.word(msgId);
    d.word(src);
    d.word(dst);
    const typeCode = this.code(type);
    d.word(typeCode);
    d.word(sizeBytes);
    if (this.tap !== null && this.cause !== 0) this.tap.message(TAP_SEND, timeUs, msgId, src, dst, typeCode, 0, this.cause);
    if (this.sink !== null) this.sink.write(withCauseAndKey({ kind: 'send', timeUs, msg: msgId, src, dst, type, sizeBytes }, this.cause, payload));
  }

  deliver(timeUs: number, msgId: number, src: number, dst: number, type: string, cause = 0): void {
    this.events++;
    const d = this.digest;
    d.word(KIND_DELIVER);
    d.word(msgId);
    d.word(dst);
    if (this.tap !== null && cause !== 0) this.tap.message(TAP_DELIVER, timeUs, msgId, src, dst, this.code(type), 0, cause);
    if (this.sink !== null) this.sink.write(withCauseAndKey({ kind: 'deliver', timeUs, msg: msgId, src, dst, type }, cause, undefined));
  }

  drop(timeUs: number, msgId: number, src: number, dst: number, type: string, reason: string, cause = 0): void {
    this.events++;
    const d = this.digest;
    d.word(KIND_DROP);
    d.word(msgId);
    const reasonCode = this.code(reason);
    d.word(reasonCode);
    if (this.tap !== null && cause !== 0) this.tap.message(TAP_DROP, timeUs, msgId, src, dst, this.code(type), reasonCode, cause);
    if (this.sink !== null) this.sink.write(withCauseAndKey({ kind: 'drop', timeUs, msg: msgId, src, dst, type, reason }, cause, undefined));
  }

  timer(timeUs: number, host: number, label: string, cause = 0): void {
    this.events++;
    const d = this.digest;
    d.word(KIND_TIMER);
    d.word(host);
    const labelCode = this.code(label);
    d.word(labelCode);
    if (this.tap !== null && cause !== 0) this.tap.timer(timeUs, host, labelCode, cause);
    if (this.sink !== null) this.sink.write(withCauseAndKey({ kind: 'timer', timeUs, host, label }, cause, undefined));
  }

  /**
   * Any other event: folds every field, in insertion order, into the digest.
   * Kinds and field names are interned (a small set); string values are
   * folded by content (Digest.strHash), never interned: they include key
   * names and version lists, as many as the run has operations.
   */
  record(kind: string, timeUs: number, fields: Record<string, TraceValue> = {}): void {
    this.events++;
    const d = this.digest;
    d.word(KIND_RECORD);
    d.word(this.code(kind));
    d.int(timeUs);
    for (const key in fields) {
      d.word(this.code(key));
      const v = fields[key];
      if (typeof v === 'number') d.float(v);
      else if (typeof v === 'string') d.strHash(v);
      else d.word(v === true ? 1 : v === false ? 2 : 3);
    }
    if (this.sink !== null) this.sink.write(recordEvent(kind, timeUs, fields));
    for (let i = 0; i < this.listeners.length; i++) this.listeners[i]!(kind, timeUs, fields);
  }
}

/** Add the sink-only fields: `cause` when set, `key` when the payload names one. */
function withCauseAndKey(event: { kind: string; timeUs: number; [field: string]: TraceValue }, cause: number, payload: unknown): TraceEvent {
  if (cause !== 0) event.cause = cause;
  if (typeof payload === 'object' && payload !== null) {
    const key = (payload as { key?: unknown }).key;
    if (typeof key === 'string') event.key = key;
  }
  return event;
}

/** A record's sink event; a field named "kind" or "timeUs" is renamed "kind_" / "timeUs_" so it cannot overwrite the event's own. */
function recordEvent(kind: string, timeUs: number, fields: Record<string, TraceValue>): TraceEvent {
  const event: { kind: string; timeUs: number; [field: string]: TraceValue } = { kind, timeUs };
  for (const key in fields) event[key === 'kind' || key === 'timeUs' ? `${key}_` : key] = fields[key]!;
  return event;
}
