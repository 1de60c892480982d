/**
 * The future-event set and the run loop.
 *
 * Events are ordered by (time, sequence number of scheduling): ties run in
 * FIFO order, as in SimPy and FoundationDB's task queue. Time is an integer
 * number of microseconds.
 *
 * Structure: a radix heap (Ahuja, Mehlhorn, Orlin and Tarjan, 1990), which
 * suits a discrete-event simulator exactly: keys are integers and the
 * minimum never decreases (nothing is scheduled before now). Bucket 0 holds
 * the events of the last extracted instant; bucket i > 0 holds events whose
 * time differs from that instant first at bit i - 1. A push computes its
 * bucket from the highest differing bit and appends (O(1)); a pop takes
 * bucket 0 in order, and when it is empty, finds the first non-empty bucket,
 * takes its minimum as the new instant and redistributes it into lower
 * buckets (each event moves at most once per bit, amortised O(log range)).
 * Equal times always share a bucket and keep their push order through every
 * redistribution, so ties run in scheduling (FIFO) order without comparing
 * sequence numbers. Dense loads (many events per instant, the hold model)
 * and sparse ones (every event at its own instant, a Dynamo cluster) are
 * both fast; bench/ measures both.
 *
 * Cancellation is lazy: a cancelled event keeps its place with its callback
 * cleared and is skipped when reached; buckets are compacted when cancelled
 * events outnumber live ones.
 *
 * Hard caps on executed events and on simulated time fail loudly with the
 * seed (SimulationLimitError), so a runaway run is a bug report, not a hang.
 */
import { InvalidOptionError, SimulationLimitError, requireInteger } from './errors.js';
import type { Trace } from './trace.js';

export type Callback<A = any> = (arg: A) => void;

/** An entry in the future-event set. Opaque to callers except for `timeUs`. */
export class ScheduledEvent {
  constructor(
    readonly timeUs: number,
    readonly seq: number,
    public fn: Callback | null,
    public arg: unknown,
  ) {}
  get cancelled(): boolean {
    return this.fn === null;
  }
}

export interface SchedulerOptions {
  /** Printed in limit errors so the failing run can be reproduced. */
  seed?: string;
  /** Hard cap on executed events over the scheduler's life (default 2^50: effectively off). */
  maxEvents?: number;
  /** Hard cap on simulated time (default 2^52 µs). */
  maxTimeUs?: number;
  /** Digest and trace; when given, each executed event's time is folded into the digest. */
  trace?: Trace;
}

export interface RunOptions {
  /** Run events with time <= untilUs, then set the clock to untilUs. */
  untilUs?: number;
  /** Execute at most this many events in this call. */
  maxEvents?: number;
}

export type StopReason = 'until' | 'budget' | 'quiescent' | 'stopped';

export class Scheduler {
  /**
   * buckets[0]: events at `lastUs`, read from `head0`; buckets[i]: highest differing bit i - 1.
   * Arrays are reused, never shrunk: `sizes[i]` is how much of buckets[i] is in use (no allocation
   * per redistribution; slots past the size may hold stale references until overwritten). They are
   * replaced by fresh copies every BUCKET_REFRESH_DRAINS drains of bucket 0 (see refreshBuckets).
   */
  private readonly buckets: ScheduledEvent[][] = Array.from({ length: BUCKET_COUNT }, () => []);
  private refreshCountdown = BUCKET_REFRESH_DRAINS;
  private readonly sizes = new Int32Array(BUCKET_COUNT);
  private head0 = 0;
  /** The instant of bucket 0 (the last extracted minimum). */
  private lastUs = 0;
  private lastHi = 0;
  private lastLo = 0;
  private queued = 0;
  private now = 0;
  private nextSeq = 0;
  private cancelledQueued = 0;
  private executedTotal = 0;
  private stopRequested = false;
  private running = false;
  readonly seed: string;
  readonly maxEvents: number;
  readonly maxTimeUs: number;
  private readonly trace: Trace | null;

  constructor(options: SchedulerOptions = {}) {
    this.seed = options.seed ?? 'unknown';
    this.maxEvents = options.maxEvents === undefined ? 2 ** 50 : requireInteger('maxEvents', options.maxEvents, 1);
    this.maxTimeUs = options.maxTimeUs === undefined ? 2 ** 52 : requireInteger('maxTimeUs', options.maxTimeUs, 0);
    this.trace = options.trace ?? null;
  }

  /** Current simulated time in microseconds. */
  get nowUs(): number {
    return this.now;
  }

  /** Events executed so far (cancelled ones excluded). */
  get executed(): number {
    return this.executedTotal;
  }

  /** Live (not cancelled) events waiting. */
  get pending(): number {
    return this.queued - this.cancelledQueued;
  }

  /** Schedule `fn(arg)` at absolute time `timeUs` (>= now, integer). */
  at<A>(timeUs: number, fn: Callback<A>, arg?: A): ScheduledEvent {
    if (!(timeUs >= this.now) || !Number.isSafeInteger(timeUs)) {
      throw new InvalidOptionError('timeUs', timeUs, `an integer >= now (${this.now})`);
    }
    const ev = new ScheduledEvent(timeUs, this.nextSeq++, fn as Callback, arg);
    this.insert(ev);
    return ev;
  }

  /** Schedule `fn(arg)` after `delayUs` (a non-negative integer). */
  after<A>(delayUs: number, fn: Callback<A>, arg?: A): ScheduledEvent {
    if (!(delayUs >= 0) || !Number.isSafeInteger(delayUs)) {
      throw new InvalidOptionError('delayUs', delayUs, 'an integer >= 0');
    }
    const ev = new ScheduledEvent(this.now + delayUs, this.nextSeq++, fn as Callback, arg);
    this.insert(ev);
    return ev;
  }

  /** Cancel a scheduled event. Cancelling twice, or after it ran, is a no-op. Returns whether it was live. */
  cancel(ev: ScheduledEvent): boolean {
    if (ev.fn === null) return false;
    ev.fn = null;
    ev.arg = undefined;
    this.cancelledQueued++;
    if (this.cancelledQueued > 4096 && this.cancelledQueued * 2 > this.queued) this.compact();
    return true;
  }

  /** Ask the running loop to return after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  /** Run until nothing is left (quiescence), subject to the hard caps. */
  runToQuiescence(): StopReason {
    return this.run({});
  }

  /** Run events up to and including `untilUs`, then advance the clock to it. */
  runUntil(untilUs: number): StopReason {
    return this.run({ untilUs });
  }

  run(options: RunOptions = {}): StopReason {
    if (this.running) throw new InvalidOptionError('run', 'nested call', 'run() not to be called from inside an event');
    const untilUs = options.untilUs ?? Infinity;
    if (untilUs !== Infinity) requireInteger('untilUs', untilUs, this.now);
    const budget = options.maxEvents ?? Infinity;
    if (budget !== Infinity) requireInteger('maxEvents', budget, 0);
    const digest = this.trace === null ? null : this.trace.digest;
    const maxTimeUs = this.maxTimeUs;
    const buckets = this.buckets;
    let done = 0;
    let reason: StopReason = 'quiescent';
    this.running = true;
    this.stopRequested = false;
    try {
      for (;;) {
        let top: ScheduledEvent | undefined;
        if (this.head0 < this.sizes[0]!) top = buckets[0]![this.head0];
        else {
          top = this.peekEvent();
          if (top === undefined) break;
        }
        if (top!.timeUs > untilUs) {
          reason = 'until';
          break;
        }
        if (done >= budget) {
          reason = 'budget';
          break;
        }
        // take it
        this.head0++;
        this.queued--;
        const ev = top!;
        const fn = ev.fn;
        if (fn === null) {
          this.cancelledQueued--;
          continue;
        }
        ev.fn = null; // ran: a later cancel() is a no-op
        const t = ev.timeUs;
        this.now = t;
        if (t > maxTimeUs) {
          throw new SimulationLimitError('maxTimeUs', `simulated time ${t}us exceeds ${maxTimeUs}us`, this.seed);
        }
        if (++this.executedTotal > this.maxEvents) {
          throw new SimulationLimitError('maxEvents', `more than ${this.maxEvents} events executed`, this.seed);
        }
        if (digest !== null) digest.time(t);
        done++;
        // Let go of the argument: bucket slots past their size keep executed events until overwritten.
        const arg = ev.arg;
        ev.arg = undefined;
        fn(arg);
        if (this.stopRequested) {
          reason = 'stopped';
          break;
        }
      }
      if (reason === 'quiescent' && untilUs !== Infinity) reason = 'until';
      if (reason === 'until' && untilUs > this.now) this.now = untilUs;
    } finally {
      this.running = false;
    }
    return reason;
  }

  /** The bucket of time t relative to the last extracted instant. */
  private bucketOf(t: number): number {
    const hi = t >= TWO_32 ? Math.floor(t / TWO_32) : 0;
    const lastHi = this.lastHi;
    if (hi !== lastHi) return 33 + (31 - Math.clz32(hi ^ lastHi));
    const x = (t - hi * TWO_32) ^ this.lastLo;
    return x === 0 ? 0 : 32 - Math.clz32(x);
  }

  private insert(ev: ScheduledEvent): void {
    const t = ev.timeUs;
    // A run that stopped after looking ahead may be followed by an event earlier than the instant it
    // looked at: every key must be >= the base, so re-bucket around the new minimum (rare, O(n)).
    if (t < this.lastUs) this.rebase(t);
    // Fast paths: the current instant, and low bits only.
    let b: number;
    if (t === this.lastUs) b = 0;
    else if (t < TWO_32 && this.lastHi === 0) {
      const x = t ^ this.lastLo;
      b = 32 - Math.clz32(x);
    } else b = this.bucketOf(t);
    this.buckets[b]![this.sizes[b]!++] = ev;
    this.queued++;
  }

  /** The earliest queued event (live or cancelled), without removing it. */
  private peekEvent(): ScheduledEvent | undefined {
    const buckets = this.buckets;
    const sizes = this.sizes;
    if (this.head0 < sizes[0]!) return buckets[0]![this.head0];
    sizes[0] = 0;
    this.head0 = 0;
    if (--this.refreshCountdown === 0) {
      this.refreshCountdown = BUCKET_REFRESH_DRAINS;
      if (this.queued <= BUCKET_REFRESH_MAX_QUEUED) this.refreshBuckets();
    }
    // Bucket 0 is drained: the first non-empty bucket holds the next minimum. Cancelled events
    // are dropped here rather than carried down.
    for (;;) {
      if (this.queued === 0) return undefined;
      let i = 1;
      while (sizes[i] === 0) i++;
      const src = buckets[i]!;
      const n = sizes[i]!;
      let min = Infinity;
      for (let k = 0; k < n; k++) {
        const ev = src[k]!;
        if (ev.fn !== null && ev.timeUs < min) min = ev.timeUs;
      }
      sizes[i] = 0;
      if (min === Infinity) {
        // Only cancelled events: drop them all.
        this.queued -= n;
        this.cancelledQueued -= n;
        continue;
      }
      this.lastUs = min;
      const minHi = min >= TWO_32 ? Math.floor(min / TWO_32) : 0;
      this.lastHi = minHi;
      this.lastLo = min - minHi * TWO_32;
      // Redistribute in order into lower buckets (never into i): equal times keep their FIFO order.
      let dropped = 0;
      const lo = this.lastLo;
      const lowOnly = minHi === 0;
      for (let k = 0; k < n; k++) {
        const ev = src[k]!;
        if (ev.fn === null) {
          dropped++;
          continue;
        }
        const t = ev.timeUs;
        // Inline the common case of bucketOf (both times below 2^32 µs, 71 minutes).
        const b = t === min ? 0 : lowOnly && t < TWO_32 ? 32 - Math.clz32(t ^ lo) : this.bucketOf(t);
        buckets[b]![sizes[b]!++] = ev;
      }
      this.queued -= dropped;
      this.cancelledQueued -= dropped;
      return buckets[0]![0];
    }
  }

  /** Make `t` the base instant and re-bucket every queued event, keeping push order among equal times. */
  private rebase(t: number): void {
    const all: ScheduledEvent[] = [];
    for (let i = 0; i < BUCKET_COUNT; i++) {
      const b = this.buckets[i]!;
      for (let k = i === 0 ? this.head0 : 0; k < this.sizes[i]!; k++) all.push(b[k]!);
      this.sizes[i] = 0;
    }
    this.head0 = 0;
    this.lastUs = t;
    this.lastHi = t >= TWO_32 ? Math.floor(t / TWO_32) : 0;
    this.lastLo = t - this.lastHi * TWO_32;
    // Equal times were in one bucket, in push order; a stable pass keeps that order.
    for (const ev of all) {
      const b = ev.timeUs === t ? 0 : this.bucketOf(ev.timeUs);
      this.buckets[b]![this.sizes[b]!++] = ev;
    }
  }

  /**
   * Replace every bucket array by a fresh copy of its queued events. Bucket arrays live as long as
   * the scheduler, so V8 soon moves them to the old generation, and from then on every store of an
   * event (a young object: most live for microseconds of wall time) into them takes the write
   * barrier's slow path, which records the slot for the next scavenge: once at insert and once per
   * redistribution, ~15% of the time of a run with a few hundred events pending. Arrays allocated
   * again every few thousand drains stay young (a scavenge comes every ~50,000 events on the request
   * path), and stores into young arrays skip that path. The copy keeps each bucket's order, so the
   * order of events does not change. Only while few events are queued (a Dynamo cluster's hundreds
   * to thousands): young arrays are copied by every scavenge, which for the hold model's 100,000
   * events costs more than the barriers it saves (+20% instructions per event, measured).
   */
  private refreshBuckets(): void {
    // Called only with bucket 0 drained (its size and head0 are 0).
    const buckets = this.buckets;
    const sizes = this.sizes;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      const n = sizes[i]!;
      buckets[i] = n > 0 ? buckets[i]!.slice(0, n) : [];
    }
  }

  /** Drop cancelled events from every bucket. */
  private compact(): void {
    let removed = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      const b = this.buckets[i]!;
      const from = i === 0 ? this.head0 : 0;
      let w = 0;
      for (let k = from; k < this.sizes[i]!; k++) {
        const ev = b[k]!;
        if (ev.fn !== null) b[w++] = ev;
        else removed++;
      }
      for (let k = w; k < this.sizes[i]!; k++) b[k] = undefined as unknown as ScheduledEvent;
      this.sizes[i] = w;
    }
    this.head0 = 0;
    this.queued -= removed;
    this.cancelledQueued -= removed;
  }
}

const TWO_32 = 4294967296;
/** Bucket 0, 32 for the low word's bits, 21 for the high word's (times below 2^53). */
const BUCKET_COUNT = 1 + 32 + 22;
/** Drains of bucket 0 between two refreshBuckets (at most one per event run, plus a run's look at an empty queue). */
const BUCKET_REFRESH_DRAINS = 4096;
/** Bucket arrays are refreshed only while at most this many events are queued. */
const BUCKET_REFRESH_MAX_QUEUED = 16_384;
