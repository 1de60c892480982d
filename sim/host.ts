/**
 * A commodity server. It runs one actor (a Dynamo node, say) and gives it a
 * context: its id, its local clock, its random stream, send, timers and a
 * disk. The actor never sees the scheduler or the network.
 *
 * - CPU: k workers serving a FIFO queue of incoming messages; the service
 *   time is drawn per message type. A busy CPU delays handling.
 * - Disk: c channels serving a FIFO queue of reads and writes with their own
 *   latency distributions (+ size / bandwidth). Queueing is what makes p99.9
 *   differ from the mean under load.
 * - Clock: local time = offset + real elapsed time × (1 + drift); skew jumps
 *   and drift changes re-anchor it. The scheduler's time is never skewed.
 * - Crash: the actor (volatile state), queued CPU work, disk operations and
 *   timers are lost; messages to a down host are dropped. The host's durable
 *   slot survives unless the disk is lost. Restart builds a new actor.
 * - Pause: the host is frozen (a long GC, a VM stall). Everything that would
 *   reach the actor (messages, timer firings, disk completions) queues and is
 *   replayed in order at resume; by default the local clock stops too.
 * - Slow-down: a factor on CPU and disk service times.
 */
import type { Distribution } from './distributions.js';
import { HeadQueue } from './headQueue.js';
import { InvalidOptionError, requireFiniteNumber, requireInteger, requireNonNegative, requirePositive } from './errors.js';
import type { Message, Network } from './network.js';
import type { RandomStream } from './random.js';
import type { ScheduledEvent, Scheduler } from './scheduler.js';
import type { Trace } from './trace.js';

/** What runs on a host. */
export interface Actor {
  /** A message arrived and the CPU has processed it. */
  onMessage(msg: Message): void;
  /**
   * The host is crashing and this actor's volatile state is about to be lost.
   * A post-mortem hook: the actor may record what it held (`ctx.record`), for
   * reports; it must not send, schedule or touch durable state.
   */
  onCrash?(): void;
}

export type ActorFactory = (ctx: HostContext) => Actor;

export interface Timer {
  /** The local-clock duration it was set for. */
  readonly delayUs: number;
}

/** Everything an actor may touch. */
export interface HostContext {
  readonly id: number;
  readonly name: string;
  /** The host's random stream (continues across restarts). */
  readonly rng: RandomStream;
  /** Local clock reading in microseconds (skewed, drifting; stops while paused by default). */
  nowUs(): number;
  send(dst: number, type: string, payload: unknown, sizeBytes?: number, latencyClass?: string | null): void;
  /**
   * Fire `fn(arg)` after `delayUs` of local-clock time. The argument lets a
   * hot path pass a long-lived function and its state instead of building a
   * closure per timer (a closure and its context are ~100 bytes each).
   * Overloads, so a callback that takes an argument cannot be set without it.
   */
  setTimer(delayUs: number, label: string, fn: () => void): Timer;
  setTimer<A>(delayUs: number, label: string, fn: (arg: A) => void, arg: A): Timer;
  cancelTimer(timer: Timer): void;
  /** Read `sizeBytes` from the disk, then `done(a, b)` (arguments as for setTimer). */
  diskRead(sizeBytes: number, done: () => void): void;
  diskRead<A>(sizeBytes: number, done: (a: A) => void, a: A): void;
  diskRead<A, B>(sizeBytes: number, done: (a: A, b: B) => void, a: A, b: B): void;
  diskWrite(sizeBytes: number, done: () => void): void;
  diskWrite<A>(sizeBytes: number, done: (a: A) => void, a: A): void;
  diskWrite<A, B>(sizeBytes: number, done: (a: A, b: B) => void, a: A, b: B): void;
  /** State that survives a crash (unless the disk is lost). The actor decides what goes in. */
  readonly durable: Map<string, unknown>;
  /** Record an application event in the trace (and the digest). */
  record(kind: string, fields?: Record<string, number | string | boolean | null>): void;
}

export interface CpuOptions {
  workers: number;
  /** Service time per message in µs (default for every type). */
  serviceUs: Distribution;
  /** Service time per message type, overriding `serviceUs`. */
  serviceUsByType?: Record<string, Distribution>;
  /** Bound on queued messages; beyond it new messages are dropped ('cpu-overload'). */
  queueMax?: number;
}

export interface DiskOptions {
  channels: number;
  readUs: Distribution;
  writeUs: Distribution;
  /** Transfer rate added to each operation (0: none). */
  bytesPerSec?: number;
  /** Bound on queued operations; beyond it the host fails loudly. */
  queueMax?: number;
}

export interface ClockOptions {
  offsetUs?: number;
  /** Drift in parts per million (positive: runs fast). */
  driftPpm?: number;
}

export interface HostOptions {
  name: string;
  dc?: string;
  rack?: string;
  cpu: CpuOptions;
  disk: DiskOptions;
  clock?: ClockOptions;
}

export type HostState = 'up' | 'down' | 'paused';

interface DiskJob {
  write: boolean;
  sizeBytes: number;
  done: (a: unknown, b: unknown) => void;
  a: unknown;
  b: unknown;
  epoch: number;
  /** The trace cause it was started under (restored around `done`). */
  cause: number;
}

class HostTimer implements Timer {
  /** Its own scheduler event (null: in a TimerQueue, fired or cancelled). */
  ev: ScheduledEvent | null = null;
  /** The scheduler time it is due. */
  dueUs = 0;
  /** Waiting in its label's TimerQueue; cancel clears it. */
  queued = false;
  constructor(
    readonly delayUs: number,
    readonly label: string,
    /** Cleared on cancel (with `arg`): a cancelled timer waiting in a queue must not keep the request behind it alive. */
    public fn: (arg: unknown) => void,
    public arg: unknown,
    readonly epoch: number,
    /** The trace cause it was set under (restored when it fires). */
    readonly cause: number,
  ) {}
}

/**
 * The timers of one label on one host incarnation, in due order. Most
 * timers of a label have one duration (request timeouts, read-repair
 * windows, periodic ticks), so each is due no earlier than the one set
 * before it: they queue here behind a single scheduler event, armed for the
 * first live one. A request's timeout that is cancelled when the request
 * completes (nearly all of them) then costs no scheduler event at all; it is
 * skipped when the queue's event comes round. Firing times are exactly those
 * of one event per timer; the order among events of the same instant is not:
 * a queued timer runs when its queue's event does, and that event is armed
 * when the timer before it fires, so an event scheduled later for the same
 * instant (a message, say) can run first. Still deterministic.
 */
class TimerQueue {
  readonly items = new HeadQueue<HostTimer>();
  /** Due time of the armed scheduler event; -1: none armed; -2: being fired. (Cancellations can empty the queue while an event stays armed.) */
  armedUs = -1;
  /** The armed event (null when armedUs < 0). */
  armedEv: ScheduledEvent | null = null;
  constructor(readonly epoch: number) {}
}

export interface HostStats {
  messagesHandled: number;
  messagesDropped: number;
  cpuBusyUs: number;
  diskReads: number;
  diskWrites: number;
  diskBusyUs: number;
  crashes: number;
}

export class Host {
  readonly id: number;
  readonly name: string;
  readonly dc: string;
  readonly rack: string;
  private stateValue: HostState = 'down';
  /** Incremented at each crash: work of an older incarnation is discarded when it completes. */
  private epoch = 0;
  private actor: Actor | null = null;
  private factory: ActorFactory | null = null;
  readonly durable = new Map<string, unknown>();
  readonly context: HostContext;
  readonly stats: HostStats = { messagesHandled: 0, messagesDropped: 0, cpuBusyUs: 0, diskReads: 0, diskWrites: 0, diskBusyUs: 0, crashes: 0 };

  private readonly cpu: Required<CpuOptions> & { zeroCost: boolean };
  /** Per-type service times (null: every type uses `cpu.serviceUs`); a Map, not a keyed load per message. */
  private readonly cpuByType: Map<string, Distribution> | null;
  private cpuIdle: number;
  private readonly cpuQueue = new HeadQueue<Message>();
  /** The completion events of the messages in service (at most `workers`): a crash cancels them. */
  private readonly cpuRunning: ScheduledEvent[] = [];
  private readonly disk: Required<DiskOptions>;
  private diskIdle: number;
  private readonly diskQueue = new HeadQueue<DiskJob>();
  private slowdown = 1;

  // Local clock: local = anchorLocal + (real - anchorReal - pausedSinceAnchor) * rate
  private anchorRealUs = 0;
  private anchorLocalUs: number;
  private rate: number;
  private clockStopsOnPause = true;
  private pausedAtUs = -1;
  /** Work that reached the host while it was paused, replayed at resume. */
  private deferred: Array<() => void> = [];
  /** Timer queues by label (see TimerQueue), of the current incarnation. */
  private timerQueues = new Map<string, TimerQueue>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly network: Network,
    private readonly trace: Trace,
    private readonly rng: RandomStream,
    private readonly appRng: RandomStream,
    options: HostOptions,
  ) {
    this.name = options.name;
    this.dc = options.dc ?? 'dc0';
    this.rack = options.rack ?? 'rack0';
    const cpu = options.cpu;
    if (!cpu) throw new InvalidOptionError(`hosts.${options.name}.cpu`, cpu, 'CPU options');
    this.cpu = {
      workers: requireInteger(`hosts.${options.name}.cpu.workers`, cpu.workers, 1),
      serviceUs: requireDistribution(`hosts.${options.name}.cpu.serviceUs`, cpu.serviceUs),
      serviceUsByType: cpu.serviceUsByType ?? {},
      queueMax: requireInteger(`hosts.${options.name}.cpu.queueMax`, cpu.queueMax ?? 100_000, 1),
      zeroCost: false,
    };
    this.cpu.zeroCost = isZero(this.cpu.serviceUs) && Object.values(this.cpu.serviceUsByType).every(isZero);
    const byType = Object.entries(this.cpu.serviceUsByType);
    for (const [type, d] of byType) requireDistribution(`hosts.${options.name}.cpu.serviceUsByType.${type}`, d);
    this.cpuByType = byType.length > 0 ? new Map(byType) : null;
    this.cpuIdle = this.cpu.workers;
    const disk = options.disk;
    if (!disk) throw new InvalidOptionError(`hosts.${options.name}.disk`, disk, 'disk options');
    this.disk = {
      channels: requireInteger(`hosts.${options.name}.disk.channels`, disk.channels, 1),
      readUs: requireDistribution(`hosts.${options.name}.disk.readUs`, disk.readUs),
      writeUs: requireDistribution(`hosts.${options.name}.disk.writeUs`, disk.writeUs),
      bytesPerSec: requireNonNegative(`hosts.${options.name}.disk.bytesPerSec`, disk.bytesPerSec ?? 0),
      queueMax: requireInteger(`hosts.${options.name}.disk.queueMax`, disk.queueMax ?? 1_000_000, 1),
    };
    this.diskIdle = this.disk.channels;
    this.anchorLocalUs = requireFiniteNumber('clock.offsetUs', options.clock?.offsetUs ?? 0);
    this.rate = 1 + requireFiniteNumber('clock.driftPpm', options.clock?.driftPpm ?? 0) * 1e-6;
    if (this.rate <= 0) throw new InvalidOptionError('clock.driftPpm', options.clock?.driftPpm, 'a drift above -1,000,000 ppm');
    this.id = network.addEndpoint({ name: options.name, dc: this.dc, rack: this.rack });
    network.attach(this.id, this.receive);
    this.context = this.makeContext();
  }

  get state(): HostState {
    return this.stateValue;
  }

  get isUp(): boolean {
    return this.stateValue !== 'down';
  }

  /** Start the host with an actor built by `factory` (again at every restart). */
  boot(factory: ActorFactory): void {
    if (this.stateValue !== 'down') throw new InvalidOptionError(`${this.name} boot`, this.stateValue, 'a host that is down');
    this.factory = factory;
    this.stateValue = 'up';
    this.actor = factory(this.context);
    this.trace.record('host', this.scheduler.nowUs, { host: this.id, state: 'up' });
  }

  /** The running actor (null while down). For inspection by tests and checkers. */
  get app(): Actor | null {
    return this.actor;
  }

  // ---- the local clock ---------------------------------------------------------------------

  localNowUs(): number {
    const realUs = this.pausedAtUs >= 0 && this.clockStopsOnPause ? this.pausedAtUs : this.scheduler.nowUs;
    return Math.round(this.anchorLocalUs + (realUs - this.anchorRealUs) * this.rate);
  }

  /** Jump the local clock by `deltaUs` (negative: backwards, as an NTP step can). */
  skewClock(deltaUs: number): void {
    requireFiniteNumber('deltaUs', deltaUs);
    this.reanchor();
    this.anchorLocalUs += deltaUs;
    this.trace.record('host', this.scheduler.nowUs, { host: this.id, state: 'clock-skew', deltaUs });
  }

  setDriftPpm(driftPpm: number): void {
    requireFiniteNumber('driftPpm', driftPpm);
    if (driftPpm <= -1e6) throw new InvalidOptionError('driftPpm', driftPpm, 'a drift above -1,000,000 ppm');
    this.reanchor();
    this.rate = 1 + driftPpm * 1e-6;
    this.trace.record('host', this.scheduler.nowUs, { host: this.id, state: 'clock-drift', driftPpm });
  }

  private reanchor(): void {
    const local = this.localNowUs();
    this.anchorRealUs = this.pausedAtUs >= 0 && this.clockStopsOnPause ? this.pausedAtUs : this.scheduler.nowUs;
    this.anchorLocalUs = local;
  }

  // ---- faults -------------------------------------------------------------------------------

  /** Crash: lose the actor, queued work, timers and (optionally) the disk. */
  crash(options: { loseDisk?: boolean } = {}): void {
    if (this.stateValue === 'down') throw new InvalidOptionError(`crash ${this.name}`, 'down', 'a host that is up');
    if (this.pausedAtUs >= 0) this.endPause(false);
    this.actor?.onCrash?.();
    this.stateValue = 'down';
    this.epoch++;
    this.stats.crashes++;
    this.actor = null;
    this.cpuQueue.clear();
    for (const ev of this.cpuRunning) this.scheduler.cancel(ev);
    this.cpuRunning.length = 0;
    this.cpuIdle = this.cpu.workers;
    this.diskQueue.clear();
    this.diskIdle = this.disk.channels;
    this.deferred = [];
    this.timerQueues = new Map();
    if (options.loseDisk) this.durable.clear();
    this.trace.record('host', this.scheduler.nowUs, { host: this.id, state: 'down', loseDisk: options.loseDisk === true });
  }

  restart(): void {
    if (this.stateValue !== 'down') throw new InvalidOptionError(`restart ${this.name}`, this.stateValue, 'a host that is down');
    if (this.factory === null) throw new InvalidOptionError(`restart ${this.name}`, 'never booted', 'a booted host');
    this.boot(this.factory);
  }

  pause(options: { clockStops?: boolean } = {}): void {
    if (this.stateValue !== 'up') throw new InvalidOptionError(`pause ${this.name}`, this.stateValue, 'a host that is up');
    this.reanchor();
    this.clockStopsOnPause = options.clockStops ?? true;
    this.stateValue = 'paused';
    this.pausedAtUs = this.scheduler.nowUs;
    this.trace.record('host', this.scheduler.nowUs, { host: this.id, state: 'paused' });
  }

  resume(): void {
    if (this.stateValue !== 'paused') throw new InvalidOptionError(`resume ${this.name}`, this.stateValue, 'a paused host');
    this.endPause(true);
    this.trace.record('host', this.scheduler.nowUs, { host: this.id, state: 'up' });
  }

  private endPause(replay: boolean): void {
    if (this.clockStopsOnPause) {
      const local = this.localNowUs();
      this.anchorRealUs = this.scheduler.nowUs;
      this.anchorLocalUs = local;
    }
    this.pausedAtUs = -1;
    this.stateValue = 'up';
    if (!replay) return;
    const work = this.deferred;
    this.deferred = [];
    const epoch = this.epoch;
    // Replay in arrival order, each as its own event at the resume instant.
    for (const fn of work) this.scheduler.after(0, () => this.run(epoch, fn));
  }

  /** Multiply CPU and disk service times by `factor` (1: normal). */
  setSlowdown(factor: number): void {
    this.slowdown = requirePositive('slowdown', factor);
    this.trace.record('host', this.scheduler.nowUs, { host: this.id, state: 'slowdown', factor });
  }

  // ---- message path -------------------------------------------------------------------------

  private readonly receive = (msg: Message): void => {
    if (this.stateValue === 'down') {
      this.stats.messagesDropped++;
      this.trace.drop(this.scheduler.nowUs, msg.id, msg.src, msg.dst, msg.type, 'host-down', msg.cause);
      return;
    }
    if (this.cpuQueue.size >= this.cpu.queueMax) {
      this.stats.messagesDropped++;
      this.trace.drop(this.scheduler.nowUs, msg.id, msg.src, msg.dst, msg.type, 'cpu-overload', msg.cause);
      return;
    }
    if (this.stateValue === 'paused') {
      this.deferred.push(() => this.enqueueCpu(msg));
      return;
    }
    this.enqueueCpu(msg);
  };

  private enqueueCpu(msg: Message): void {
    if (this.cpuIdle > 0) {
      if (this.cpu.zeroCost) {
        // A CPU that costs nothing (clients, load balancers) handles the message at once.
        this.handle(msg);
        return;
      }
      this.cpuIdle--;
      this.startCpu(msg);
    } else {
      this.cpuQueue.push(msg);
    }
  }

  private startCpu(msg: Message): void {
    const dist = (this.cpuByType !== null ? this.cpuByType.get(msg.type) : undefined) ?? this.cpu.serviceUs;
    const serviceUs = Math.max(0, Math.round(dist.sample(this.rng) * this.slowdown));
    this.stats.cpuBusyUs += serviceUs;
    this.cpuRunning.push(this.scheduler.after(serviceUs, this.finishCpu, msg));
  }

  private readonly finishCpu = (msg: Message): void => {
    // Forget this completion's event (it ran, so a crash can no longer cancel it): the only one in
    // the list whose callback is cleared, since a crash cancels the others and empties the list.
    const running = this.cpuRunning;
    for (let i = 0; i < running.length; i++) {
      const ev = running[i]!;
      if (ev.cancelled) {
        running[i] = running[running.length - 1]!;
        running.pop();
        break;
      }
    }
    if (this.stateValue === 'paused') {
      this.deferred.push(() => this.completeCpu(msg));
      return;
    }
    this.completeCpu(msg);
  };

  private completeCpu(msg: Message): void {
    // Hand the next queued message to this worker before running the handler.
    const next = this.cpuQueue.shift();
    if (next !== undefined) {
      this.startCpu(next);
    } else {
      this.cpuIdle++;
    }
    this.handle(msg);
  }

  /** The actor handles a message, under the cause the message carries. */
  private handle(msg: Message): void {
    this.stats.messagesHandled++;
    const trace = this.trace;
    const cause = trace.cause;
    trace.cause = msg.cause;
    this.actor!.onMessage(msg);
    trace.cause = cause;
  }

  // ---- disk ---------------------------------------------------------------------------------

  private diskOp(write: boolean, sizeBytes: number, done: (a: unknown, b: unknown) => void, a: unknown, b: unknown): void {
    requireNonNegative('sizeBytes', sizeBytes);
    const job: DiskJob = { write, sizeBytes, done, a, b, epoch: this.epoch, cause: this.trace.cause };
    if (this.diskIdle > 0) {
      this.diskIdle--;
      this.startDisk(job);
    } else {
      if (this.diskQueue.size >= this.disk.queueMax) {
        throw new InvalidOptionError(`${this.name} disk queue`, this.diskQueue.size, `at most ${this.disk.queueMax} queued operations (raise disk.queueMax or lower the load)`);
      }
      this.diskQueue.push(job);
    }
  }

  private startDisk(job: DiskJob): void {
    const dist = job.write ? this.disk.writeUs : this.disk.readUs;
    let serviceUs = dist.sample(this.rng);
    if (this.disk.bytesPerSec > 0) serviceUs += (job.sizeBytes * 1e6) / this.disk.bytesPerSec;
    serviceUs = Math.max(0, Math.round(serviceUs * this.slowdown));
    this.stats.diskBusyUs += serviceUs;
    if (job.write) this.stats.diskWrites++;
    else this.stats.diskReads++;
    this.scheduler.after(serviceUs, this.finishDisk, job);
  }

  private readonly finishDisk = (job: DiskJob): void => {
    if (job.epoch !== this.epoch) return;
    if (this.stateValue === 'paused') {
      this.deferred.push(() => this.finishDisk(job));
      return;
    }
    const next = this.diskQueue.shift();
    if (next !== undefined) {
      this.startDisk(next);
    } else {
      this.diskIdle++;
    }
    const trace = this.trace;
    const cause = trace.cause;
    trace.cause = job.cause;
    job.done(job.a, job.b);
    trace.cause = cause;
  };

  /** Queued plus in-service disk operations. */
  get diskQueueLength(): number {
    return this.diskQueue.size + (this.disk.channels - this.diskIdle);
  }

  get cpuQueueLength(): number {
    return this.cpuQueue.size + (this.cpu.workers - this.cpuIdle);
  }

  // ---- timers and the context ---------------------------------------------------------------

  private run(epoch: number, fn: () => void): void {
    if (epoch !== this.epoch || this.stateValue === 'down') return;
    if (this.stateValue === 'paused') {
      this.deferred.push(fn);
      return;
    }
    fn();
  }

  private readonly fireTimer = (timer: HostTimer): void => {
    timer.ev = null;
    if (timer.epoch !== this.epoch) return;
    if (this.stateValue === 'paused') {
      this.deferred.push(() => this.fireTimer(timer));
      return;
    }
    const trace = this.trace;
    const cause = trace.cause;
    trace.cause = timer.cause;
    trace.timer(this.scheduler.nowUs, this.id, timer.label, timer.cause);
    timer.fn(timer.arg);
    trace.cause = cause;
  };

  /** A timer due at `timer.dueUs`: queued behind its label's event when in due order, else an event of its own. */
  private addTimer(timer: HostTimer): void {
    let q = this.timerQueues.get(timer.label);
    if (q === undefined) {
      q = new TimerQueue(this.epoch);
      this.timerQueues.set(timer.label, q);
    }
    const last = q.items.last();
    if (last !== undefined && last.dueUs > timer.dueUs) {
      // Out of order (a shorter delay than the last one of this label): its own event.
      timer.ev = this.scheduler.at(timer.dueUs, this.fireTimer, timer);
      return;
    }
    timer.queued = true;
    q.items.push(timer);
    // Arm when nothing is armed, or when the armed event is later than this timer: possible only when
    // cancellations emptied the queue (dropCancelledFront) after it was armed for an earlier head.
    if (q.armedUs === -1 || (q.armedUs >= 0 && timer.dueUs < q.armedUs)) this.arm(q, timer.dueUs);
  }

  private arm(q: TimerQueue, dueUs: number): void {
    if (q.armedEv !== null) this.scheduler.cancel(q.armedEv);
    q.armedUs = dueUs;
    q.armedEv = this.scheduler.at(dueUs, this.fireTimerQueue, q);
  }

  /**
   * Timeouts are mostly cancelled in the order they were set (requests end in
   * about the order they start): drop cancelled timers from the front of the
   * queue at once, so they die young instead of waiting, referenced, for the
   * queue's event (a scavenge would copy them and then promote them).
   */
  private dropCancelledFront(timer: HostTimer): void {
    const q = this.timerQueues.get(timer.label);
    if (q === undefined || q.epoch !== timer.epoch) return;
    const items = q.items;
    if (items.peek() !== timer) return;
    for (let t = items.peek(); t !== undefined && !t.queued; t = items.peek()) items.shift();
  }

  private readonly fireTimerQueue = (q: TimerQueue): void => {
    if (q.epoch !== this.epoch) return; // a queue of a crashed incarnation
    q.armedUs = -2;
    q.armedEv = null;
    const now = this.scheduler.nowUs;
    const items = q.items;
    for (let timer = items.peek(); timer !== undefined; timer = items.peek()) {
      if (timer.queued && timer.dueUs > now) break;
      items.shift();
      if (!timer.queued) continue; // cancelled
      timer.queued = false;
      this.fireTimer(timer);
    }
    // The loop stopped at a live timer not yet due, or at an empty queue.
    const head = items.peek();
    if (head === undefined) {
      q.armedUs = -1;
      return;
    }
    this.arm(q, head.dueUs);
  };

  private makeContext(): HostContext {
    const host = this;
    return {
      id: host.id,
      name: host.name,
      rng: host.appRng,
      durable: host.durable,
      nowUs: () => host.localNowUs(),
      send(dst, type, payload, sizeBytes = 0, latencyClass = null) {
        if (host.stateValue !== 'up') return; // a frozen or dead process sends nothing
        host.network.sendMessage(host.id, dst, type, payload, sizeBytes, latencyClass);
      },
      setTimer(delayUs: number, label: string, fn: (arg: unknown) => void, arg?: unknown): Timer {
        const timer = new HostTimer(delayUs, label, fn, arg, host.epoch, host.trace.cause);
        const realUs = Math.max(0, Math.round(delayUs / host.rate));
        timer.dueUs = host.scheduler.nowUs + realUs;
        host.addTimer(timer);
        return timer;
      },
      cancelTimer(timer) {
        const t = timer as HostTimer;
        if (t.queued) {
          t.queued = false;
          host.dropCancelledFront(t);
        }
        t.fn = NOOP;
        t.arg = undefined;
        if (t.ev !== null) {
          host.scheduler.cancel(t.ev);
          t.ev = null;
        }
      },
      diskRead(sizeBytes: number, done: (a: unknown, b: unknown) => void, a?: unknown, b?: unknown): void {
        host.diskOp(false, sizeBytes, done, a, b);
      },
      diskWrite(sizeBytes: number, done: (a: unknown, b: unknown) => void, a?: unknown, b?: unknown): void {
        host.diskOp(true, sizeBytes, done, a, b);
      },
      record(kind, fields = {}) {
        host.trace.record(kind, host.scheduler.nowUs, { host: host.id, ...fields });
      },
    };
  }
}

const NOOP = (): void => {};

/** A distribution that always returns 0 (constant(0)): its CPU stage can be skipped. */
function isZero(d: Distribution): boolean {
  return d.mean === 0 && d.quantile !== undefined && d.quantile(1) === 0;
}

function requireDistribution(option: string, d: Distribution | undefined): Distribution {
  if (!d || typeof d.sample !== 'function') throw new InvalidOptionError(option, d, 'a distribution');
  return d;
}
