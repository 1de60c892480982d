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

/** Hears `record()` events only (faults, host state changes, application records): cheap, rare. */
export type RecordListener = (kind: string, timeUs: number, fields: Readonly<Record<string, TraceValue>>) => void;

export class Trace {
  readonly digest = new Digest();
  sink: TraceSink | null;
  private readonly listeners: RecordListener[] = [];
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
    }
    return c;
  }

  /** A message sent with the current `cause`; `payload` is read only for a sink (its `key`). */
  send(timeUs: number, msgId: number, src: number, dst: number, type: string, sizeBytes: number, payload?: unknown): void {
    this.events++;
    const d = this.digest;
    d.word(KIND_SEND);
    d.word(msgId);
    d.word(src);
    d.word(dst);
    d.word(this.code(type));
    d.word(sizeBytes);
    if (this.sink !== null) this.sink.write(withCauseAndKey({ kind: 'send', timeUs, msg: msgId, src, dst, type, sizeBytes }, this.cause, payload));
  }

  deliver(timeUs: number, msgId: number, src: number, dst: number, type: string, cause = 0): void {
    this.events++;
    const d = this.digest;
    d.word(KIND_DELIVER);
    d.word(msgId);
    d.word(dst);
    if (this.sink !== null) this.sink.write(withCauseAndKey({ kind: 'deliver', timeUs, msg: msgId, src, dst, type }, cause, undefined));
  }

  drop(timeUs: number, msgId: number, src: number, dst: number, type: string, reason: string, cause = 0): void {
    this.events++;
    const d = this.digest;
    d.word(KIND_DROP);
    d.word(msgId);
    d.word(this.code(reason));
    if (this.sink !== null) this.sink.write(withCauseAndKey({ kind: 'drop', timeUs, msg: msgId, src, dst, type, reason }, cause, undefined));
  }

  timer(timeUs: number, host: number, label: string, cause = 0): void {
    this.events++;
    const d = this.digest;
    d.word(KIND_TIMER);
    d.word(host);
    d.word(this.code(label));
    if (this.sink !== null) this.sink.write(withCauseAndKey({ kind: 'timer', timeUs, host, label }, cause, undefined));
  }

  /** Any other event: folds every field, in insertion order, into the digest. */
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
      else if (typeof v === 'string') d.word(this.code(v));
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
