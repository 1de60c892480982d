/**
 * The workload generator (Maelstrom's "generator"): client populations that
 * issue get, put and read-modify-write operations through the client
 * library, open-loop (Poisson arrivals on a rate curve) or closed-loop
 * (clients with think time). It reports every operation's start and end to
 * an observer in true simulated time: the history the checkers read.
 *
 * It runs in the experiment harness, outside the system under test: it uses
 * the world's scheduler and its own random stream per population.
 */
import type { Distribution } from '../../sim/distributions.js';
import { InvalidOptionError, requireInteger } from '../../sim/errors.js';
import type { RandomStream } from '../../sim/random.js';
import type { Scheduler } from '../../sim/scheduler.js';
import type { DynamoClient, GetResult, PutResult } from '../dynamo/client.js';
import { reconcileForClient, type ReconcilePolicy } from '../dynamo/reconcile.js';
import type { VClock } from '../dynamo/vclock.js';
import type { Siblings, Value } from '../dynamo/version.js';
import type { RateFunction } from './arrivals.js';
import { keyName, type KeyChooser } from './keys.js';

export type Arrivals =
  | { readonly type: 'open'; readonly rate: RateFunction; readonly sessions: number }
  | { readonly type: 'closed'; readonly clients: number; readonly thinkUs: Distribution };

export interface OperationMix {
  readonly get: number;
  readonly put: number;
  readonly rmw: number;
}

export interface PopulationOptions {
  readonly name: string;
  readonly client: DynamoClient;
  readonly arrivals: Arrivals;
  readonly keys: KeyChooser;
  readonly mix: OperationMix;
  readonly reconcile: ReconcilePolicy;
  readonly valueSizeBytes: Distribution;
  /** Shopping-cart items kept per value under 'merge' (a bound: the oldest are dropped). */
  readonly maxCartItems?: number;
  readonly startUs: number;
  readonly endUs: number;
  readonly rng: RandomStream;
  /**
   * The world's trace: each client call is made under the operation's id as
   * the trace's cause, so the messages, timers and disk work it leads to are
   * traced as that operation's (sim/trace.ts). Optional (benchmarks skip it).
   */
  readonly trace?: { cause: number };
}

export type OpKind = 'get' | 'put';

export interface OpStart {
  readonly id: number;
  readonly population: string;
  readonly session: number;
  readonly kind: OpKind;
  /** Part of a read-modify-write (the get, or the put that follows it). */
  readonly rmw: boolean;
  readonly key: string;
  readonly startUs: number;
  /** put: the write's id (values carry it); get: 0. */
  readonly writeId: number;
  /** put: the context it was written with. */
  readonly context: VClock | null;
  /** put: the cart items it carries. */
  readonly items: readonly number[] | null;
}

export interface OpEnd {
  readonly id: number;
  readonly endUs: number;
  readonly ok: boolean;
  readonly error: string | null;
  readonly coordinator: number;
  /** get: the siblings returned. */
  readonly siblings: Siblings | null;
  /** put: the clock of the new version. */
  readonly clock: VClock | null;
}

export interface WorkloadObserver {
  started(op: OpStart): void;
  finished(start: OpStart, end: OpEnd): void;
}

export interface WorkloadCounters {
  started: number;
  finished: number;
  gets: number;
  puts: number;
}

/** Shared by the populations of one run: ids for operations and writes. */
export class WorkloadIds {
  private op = 0;
  private write = 0;
  nextOp(): number {
    return ++this.op;
  }
  nextWrite(): number {
    return ++this.write;
  }
}

const NO_CLOCK: VClock = Object.freeze([]) as unknown as VClock;

export class Population {
  readonly counters: WorkloadCounters = { started: 0, finished: 0, gets: 0, puts: 0 };
  private readonly cumulative: [number, number, number];
  private readonly maxCartItems: number;
  /** Key names by index, built once (the same string object each time: its hash is cached). */
  private readonly names: (string | undefined)[] | null;
  /** Flash crowds' hot keys, hottest first. */
  private readonly hot: number[];

  constructor(
    private readonly scheduler: Scheduler,
    private readonly ids: WorkloadIds,
    private readonly observer: WorkloadObserver,
    readonly options: PopulationOptions,
  ) {
    const { get, put, rmw } = options.mix;
    const total = get + put + rmw;
    if (![get, put, rmw].every((x) => Number.isFinite(x) && x >= 0) || Math.abs(total - 1) > 1e-9) {
      throw new InvalidOptionError(`workload.${options.name}.mix`, options.mix, 'get, put and rmw shares >= 0 that sum to 1');
    }
    this.cumulative = [get, get + put, 1];
    this.maxCartItems = requireInteger(`workload.${options.name}.maxCartItems`, options.maxCartItems ?? 32, 1);
    this.names = options.keys.count <= 4_000_000 ? new Array<string | undefined>(options.keys.count) : null;
    const crowdKeys = options.arrivals.type === 'open' ? Math.max(0, ...options.arrivals.rate.crowds.map((c) => c.hotKeys)) : 0;
    this.hot = crowdKeys > 0 ? options.keys.hottest(crowdKeys) : [];
    if (options.endUs < options.startUs) throw new InvalidOptionError(`workload.${options.name}.end`, options.endUs, 'not before its start');
    const a = options.arrivals;
    if (a.type === 'open') {
      requireInteger(`workload.${options.name}.sessions`, a.sessions, 1);
      const first = a.rate.next(Math.max(options.startUs, scheduler.nowUs) - 1, options.rng);
      if (first < options.endUs) scheduler.at(first, this.openArrival);
    } else {
      requireInteger(`workload.${options.name}.clients`, a.clients, 1);
      for (let s = 0; s < a.clients; s++) {
        const startUs = Math.max(options.startUs, scheduler.nowUs) + Math.round(a.thinkUs.sample(options.rng) * options.rng.next());
        if (startUs < options.endUs) scheduler.at(startUs, () => this.closedLoop(s));
      }
    }
  }

  private readonly openArrival = (): void => {
    const o = this.options;
    const a = o.arrivals as Extract<Arrivals, { type: 'open' }>;
    const session = Math.floor(o.rng.next() * a.sessions);
    this.issue(session, () => {});
    const next = a.rate.next(this.scheduler.nowUs, o.rng);
    if (next < o.endUs) this.scheduler.at(next, this.openArrival);
  };

  private closedLoop(session: number): void {
    const o = this.options;
    const a = o.arrivals as Extract<Arrivals, { type: 'closed' }>;
    this.issue(session, () => {
      const think = Math.max(0, Math.round(a.thinkUs.sample(o.rng)));
      const at = this.scheduler.nowUs + think;
      if (at < o.endUs) this.scheduler.at(at, () => this.closedLoop(session));
    });
  }

  /** One operation of the mix; `done` when it (and its put, for a read-modify-write) ends. */
  private issue(session: number, done: () => void): void {
    const o = this.options;
    const key = this.keyName(this.nextKeyIndex());
    const u = o.rng.next();
    if (u < this.cumulative[0]) this.get(session, key, false, () => done());
    else if (u < this.cumulative[1]) this.put(session, key, NO_CLOCK, -1, null, false, done);
    else
      this.get(session, key, true, (r) => {
        if (!r.ok) return done();
        const rec = reconcileForClient(o.reconcile, r.siblings);
        let items: number[] | null = null;
        if (o.reconcile === 'merge') items = [...(rec.items ?? [])];
        this.put(session, key, rec.context, r.fastest, items, true, done);
      });
  }

  private nextKeyIndex(): number {
    const o = this.options;
    if (this.hot.length > 0 && o.arrivals.type === 'open') {
      // A flash crowd's extra requests go to its hot keys.
      const crowd = o.arrivals.rate.crowdAt(this.scheduler.nowUs);
      if (crowd !== null && crowd.hotKeys > 0 && o.rng.next() < crowd.hotShare) return this.hot[Math.floor(o.rng.next() * Math.min(crowd.hotKeys, this.hot.length))]!;
    }
    return o.keys.next(o.rng);
  }

  private keyName(index: number): string {
    if (this.names === null) return keyName(index);
    let name = this.names[index];
    if (name === undefined) {
      name = keyName(index);
      this.names[index] = name;
    }
    return name;
  }

  private get(session: number, key: string, rmw: boolean, then: (r: GetResult) => void): void {
    const start: OpStart = { id: this.ids.nextOp(), population: this.options.name, session, kind: 'get', rmw, key, startUs: this.scheduler.nowUs, writeId: 0, context: null, items: null };
    this.counters.started++;
    this.counters.gets++;
    this.observer.started(start);
    const trace = this.options.trace;
    const cause = trace === undefined ? 0 : trace.cause;
    if (trace !== undefined) trace.cause = start.id;
    this.options.client.get(key, (r) => {
      this.counters.finished++;
      this.observer.finished(start, { id: start.id, endUs: this.scheduler.nowUs, ok: r.ok, error: r.error, coordinator: r.coordinator, siblings: r.siblings, clock: null });
      then(r);
    });
    if (trace !== undefined) trace.cause = cause;
  }

  private put(session: number, key: string, context: VClock, preferred: number, baseItems: number[] | null, rmw: boolean, done: () => void): void {
    const o = this.options;
    const writeId = this.ids.nextWrite();
    let items: readonly number[] | null = null;
    if (o.reconcile === 'merge') {
      // A cart add: the item is the write's id. Item sets are bounded: the oldest items drop out.
      const next = baseItems ?? [];
      next.push(writeId);
      items = next.length > this.maxCartItems ? next.slice(next.length - this.maxCartItems) : next;
    }
    const value: Value = { id: writeId, sizeBytes: Math.max(1, Math.round(o.valueSizeBytes.sample(o.rng))), writtenAtUs: 0, items };
    const start: OpStart = { id: this.ids.nextOp(), population: o.name, session, kind: 'put', rmw, key, startUs: this.scheduler.nowUs, writeId, context, items };
    this.counters.started++;
    this.counters.puts++;
    this.observer.started(start);
    const trace = o.trace;
    const cause = trace === undefined ? 0 : trace.cause;
    if (trace !== undefined) trace.cause = start.id;
    o.client.put(key, context, value, preferred, (r: PutResult) => {
      this.counters.finished++;
      this.observer.finished(start, { id: start.id, endUs: this.scheduler.nowUs, ok: r.ok, error: r.error, coordinator: r.coordinator, siblings: null, clock: r.clock });
      done();
    });
    if (trace !== undefined) trace.cause = cause;
  }
}
