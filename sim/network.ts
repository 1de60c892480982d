/**
 * The simulated network: endpoints placed in datacenters and racks, one-way
 * latency per link, optional serialisation delay at the sender's NIC, loss,
 * duplication, partitions (symmetric and one-way), per-link degradation and
 * clogging. It knows nothing of what messages mean.
 *
 * Every send ends in exactly one traced outcome per copy: delivered (to the
 * endpoint's handler, which may itself drop it, e.g. a crashed host) or
 * dropped with a reason: 'loss', 'partition', 'no-endpoint'.
 *
 * Latency lookup, first match wins: a per-link override; the message's
 * latency class (PBS legs: a write request and its ack have different
 * distributions) for local or remote destinations; the default per scope
 * (same rack, same datacenter, cross-datacenter).
 */
import type { Distribution } from './distributions.js';
import { InvalidOptionError, requireNonNegative, requireProbability } from './errors.js';
import type { RandomStream } from './random.js';
import type { Scheduler } from './scheduler.js';
import type { Trace } from './trace.js';

export interface Message<P = unknown> {
  readonly id: number;
  readonly src: number;
  readonly dst: number;
  /** What the message is, for tracing and per-type costs ("get", "put-ack", ...). */
  readonly type: string;
  readonly sizeBytes: number;
  readonly payload: P;
  readonly sentUs: number;
  /** Latency class (e.g. PBS leg "W", "A", "R", "S"); null for the scope default. */
  readonly latencyClass: string | null;
  /** The trace's cause when it was sent (0: none): the receiving host handles it under this cause. */
  readonly cause: number;
}

export interface SendOptions<P = unknown> {
  src: number;
  dst: number;
  type: string;
  payload: P;
  sizeBytes?: number;
  latencyClass?: string | null;
}

export interface ScopeLatency {
  sameRack: Distribution;
  sameDc: Distribution;
  crossDc: Distribution;
}

export interface ClassLatency {
  local: Distribution;
  /** Used for destinations in another datacenter; defaults to `local`. */
  remote?: Distribution;
}

export interface NetworkOptions {
  latency: ScopeLatency;
  /** Latency per message class (overrides the scope default for messages that name a class). */
  classLatency?: Record<string, ClassLatency>;
  /** Probability each message is lost (independent). */
  lossProbability?: number;
  /** Probability each message is delivered twice. */
  duplicateProbability?: number;
  /** Sender NIC bandwidth in bytes per second (0: no serialisation delay). */
  bandwidthBytesPerSec?: number;
}

export interface EndpointOptions {
  name: string;
  dc?: string;
  rack?: string;
}

interface Endpoint {
  readonly id: number;
  readonly name: string;
  readonly dc: string;
  readonly rack: string;
  handler: ((msg: Message) => void) | null;
  /** When this endpoint's NIC is free to start serialising the next message. */
  nicFreeUs: number;
  bandwidthBytesPerSec: number;
}

export interface LinkDegradation {
  addedLatencyUs: number;
  lossProbability: number;
}

const LINK_KEY_BASE = 1 << 20;
const MAX_ENDPOINTS = LINK_KEY_BASE;

export class Network {
  private readonly endpoints: Endpoint[] = [];
  private readonly byName = new Map<string, number>();
  private readonly linkLatency = new Map<number, Distribution>();
  private readonly classLatency = new Map<string, ClassLatency>();
  private readonly blocked = new Set<number>();
  private readonly degraded = new Map<number, LinkDegradation>();
  private readonly clogUntil = new Map<number, number>();
  private latency: ScopeLatency;
  private lossProbability: number;
  private duplicateProbability: number;
  private bandwidthBytesPerSec: number;
  private nextMessageId = 1;
  /** Counters for reports. */
  readonly stats = { sent: 0, delivered: 0, dropped: 0, bytesSent: 0, duplicated: 0 };

  constructor(
    private readonly scheduler: Scheduler,
    private readonly rng: RandomStream,
    private readonly trace: Trace,
    options: NetworkOptions,
  ) {
    if (!options || !options.latency) throw new InvalidOptionError('network.latency', options?.latency, 'latency distributions for sameRack, sameDc and crossDc');
    for (const scope of ['sameRack', 'sameDc', 'crossDc'] as const) {
      if (!options.latency[scope] || typeof options.latency[scope].sample !== 'function') {
        throw new InvalidOptionError(`network.latency.${scope}`, options.latency[scope], 'a distribution');
      }
    }
    this.latency = { ...options.latency };
    for (const [cls, lat] of Object.entries(options.classLatency ?? {})) this.setClassLatency(cls, lat);
    this.lossProbability = requireProbability('network.lossProbability', options.lossProbability ?? 0);
    this.duplicateProbability = requireProbability('network.duplicateProbability', options.duplicateProbability ?? 0);
    this.bandwidthBytesPerSec = requireNonNegative('network.bandwidthBytesPerSec', options.bandwidthBytesPerSec ?? 0);
  }

  addEndpoint(options: EndpointOptions): number {
    if (typeof options?.name !== 'string' || options.name === '') throw new InvalidOptionError('endpoint.name', options?.name, 'a non-empty string');
    if (this.byName.has(options.name)) throw new InvalidOptionError('endpoint.name', options.name, 'a name not already used');
    if (this.endpoints.length >= MAX_ENDPOINTS) throw new InvalidOptionError('endpoints', this.endpoints.length, `at most ${MAX_ENDPOINTS}`);
    const id = this.endpoints.length;
    this.endpoints.push({
      id,
      name: options.name,
      dc: options.dc ?? 'dc0',
      rack: options.rack ?? 'rack0',
      handler: null,
      nicFreeUs: 0,
      bandwidthBytesPerSec: this.bandwidthBytesPerSec,
    });
    this.byName.set(options.name, id);
    return id;
  }

  /** The function that receives messages arriving at `id`. */
  attach(id: number, handler: (msg: Message) => void): void {
    this.endpoint(id).handler = handler;
  }

  get size(): number {
    return this.endpoints.length;
  }

  idOf(name: string): number {
    const id = this.byName.get(name);
    if (id === undefined) throw new InvalidOptionError('endpoint', name, `one of ${[...this.byName.keys()].join(', ')}`);
    return id;
  }

  nameOf(id: number): string {
    return this.endpoint(id).name;
  }

  placement(id: number): { dc: string; rack: string } {
    const e = this.endpoint(id);
    return { dc: e.dc, rack: e.rack };
  }

  /** Send a message. Returns its id; the outcome is traced and delivered (or dropped) later. */
  send<P>(options: SendOptions<P>): number {
    return this.sendMessage(options.src, options.dst, options.type, options.payload, options.sizeBytes ?? 0, options.latencyClass ?? null);
  }

  /** `send` with positional arguments: the hosts' hot path (no options object per message). */
  sendMessage(srcId: number, dstId: number, type: string, payload: unknown, sizeBytes: number, latencyClass: string | null): number {
    const src = this.endpoint(srcId);
    const nowUs = this.scheduler.nowUs;
    const msg: Message = {
      id: this.nextMessageId++,
      src: srcId,
      dst: dstId,
      type,
      sizeBytes,
      payload,
      sentUs: nowUs,
      latencyClass,
      cause: this.trace.cause,
    };
    this.stats.sent++;
    this.stats.bytesSent += sizeBytes;
    this.trace.send(nowUs, msg.id, srcId, dstId, type, sizeBytes, payload);
    const dst = this.endpoints[dstId];
    if (dst === undefined) {
      this.dropNow(msg, 'no-endpoint');
      return msg.id;
    }
    // Serialisation at the sender's NIC: messages leave one after another.
    let departUs = nowUs;
    const bw = src.bandwidthBytesPerSec;
    if (bw > 0 && sizeBytes > 0) {
      const startUs = src.nicFreeUs > nowUs ? src.nicFreeUs : nowUs;
      departUs = startUs + Math.ceil((sizeBytes * 1e6) / bw);
      src.nicFreeUs = departUs;
    }
    this.transmit(msg, src, dst, departUs);
    if (this.duplicateProbability > 0 && this.rng.chance(this.duplicateProbability)) {
      this.stats.duplicated++;
      this.transmit(msg, src, dst, departUs);
    }
    return msg.id;
  }

  private transmit(msg: Message, src: Endpoint, dst: Endpoint, departUs: number): void {
    const key = src.id * LINK_KEY_BASE + dst.id;
    if (this.blocked.size > 0 && this.blocked.has(key)) {
      this.dropNow(msg, 'partition');
      return;
    }
    let loss = this.lossProbability;
    let addedUs = 0;
    if (this.degraded.size > 0) {
      const d = this.degraded.get(key);
      if (d !== undefined) {
        addedUs = d.addedLatencyUs;
        loss = 1 - (1 - loss) * (1 - d.lossProbability);
      }
    }
    if (loss > 0 && this.rng.chance(loss)) {
      this.dropNow(msg, 'loss');
      return;
    }
    let arriveUs = departUs + this.sampleLatencyUs(msg, src, dst, key) + addedUs;
    if (this.clogUntil.size > 0) {
      const until = this.clogUntil.get(key);
      if (until !== undefined && until > arriveUs) arriveUs = until;
    }
    this.scheduler.at(arriveUs, this.arrive, msg);
  }

  private readonly arrive = (msg: Message): void => {
    const nowUs = this.scheduler.nowUs;
    // A partition that began while the message was in flight cuts it too.
    if (this.blocked.size > 0 && this.blocked.has(msg.src * LINK_KEY_BASE + msg.dst)) {
      this.stats.dropped++;
      this.trace.drop(nowUs, msg.id, msg.src, msg.dst, msg.type, 'partition', msg.cause);
      return;
    }
    const dst = this.endpoints[msg.dst]!;
    if (dst.handler === null) {
      this.stats.dropped++;
      this.trace.drop(nowUs, msg.id, msg.src, msg.dst, msg.type, 'no-handler', msg.cause);
      return;
    }
    this.stats.delivered++;
    this.trace.deliver(nowUs, msg.id, msg.src, msg.dst, msg.type, msg.cause);
    dst.handler(msg);
  };

  private dropNow(msg: Message, reason: string): void {
    this.stats.dropped++;
    this.trace.drop(this.scheduler.nowUs, msg.id, msg.src, msg.dst, msg.type, reason, msg.cause);
  }

  private sampleLatencyUs(msg: Message, src: Endpoint, dst: Endpoint, key: number): number {
    let dist: Distribution | undefined;
    if (this.linkLatency.size > 0) dist = this.linkLatency.get(key);
    const remote = src.dc !== dst.dc;
    if (dist === undefined && msg.latencyClass !== null && this.classLatency.size > 0) {
      const cls = this.classLatency.get(msg.latencyClass);
      if (cls !== undefined) dist = remote ? (cls.remote ?? cls.local) : cls.local;
    }
    if (dist === undefined) {
      dist = remote ? this.latency.crossDc : src.rack === dst.rack ? this.latency.sameRack : this.latency.sameDc;
    }
    const x = Math.round(dist.sample(this.rng));
    return x > 0 ? x : 0;
  }

  // ---- configuration and fault primitives -------------------------------------------------

  setScopeLatency(scope: keyof ScopeLatency, dist: Distribution): void {
    this.latency[scope] = dist;
  }

  setClassLatency(cls: string, latency: ClassLatency): void {
    if (!latency || typeof latency.local?.sample !== 'function') {
      throw new InvalidOptionError(`network.classLatency.${cls}`, latency, '{ local: distribution, remote?: distribution }');
    }
    this.classLatency.set(cls, latency);
  }

  /** Override the one-way latency of the link a→b (directional). */
  setLinkLatency(a: number, b: number, dist: Distribution): void {
    this.linkLatency.set(this.linkKey(a, b), dist);
  }

  setBandwidth(id: number, bytesPerSec: number): void {
    this.endpoint(id).bandwidthBytesPerSec = requireNonNegative('bandwidthBytesPerSec', bytesPerSec);
  }

  /** Block a→b only: a cannot reach b while b still reaches a. */
  blockOneWay(a: number, b: number): void {
    this.blocked.add(this.linkKey(a, b));
  }

  unblockOneWay(a: number, b: number): void {
    this.blocked.delete(this.linkKey(a, b));
  }

  /** Split the endpoints into groups: no message crosses between groups (both directions). */
  partition(groups: readonly (readonly number[])[]): void {
    for (let i = 0; i < groups.length; i++) {
      for (let j = 0; j < groups.length; j++) {
        if (i === j) continue;
        for (const a of groups[i]!) for (const b of groups[j]!) this.blockOneWay(a, b);
      }
    }
  }

  /** Every endpoint of `from` loses its links to every endpoint of `to` (the reverse links stay). */
  partitionOneWay(from: readonly number[], to: readonly number[]): void {
    for (const a of from) for (const b of to) if (a !== b) this.blockOneWay(a, b);
  }

  isBlocked(a: number, b: number): boolean {
    return this.blocked.has(this.linkKey(a, b));
  }

  /** Remove every partition. */
  heal(): void {
    this.blocked.clear();
  }

  degradeLink(a: number, b: number, degradation: Partial<LinkDegradation>): void {
    const d: LinkDegradation = {
      addedLatencyUs: requireNonNegative('addedLatencyUs', degradation.addedLatencyUs ?? 0),
      lossProbability: requireProbability('lossProbability', degradation.lossProbability ?? 0),
    };
    this.degraded.set(this.linkKey(a, b), d);
  }

  restoreLink(a: number, b: number): void {
    this.degraded.delete(this.linkKey(a, b));
  }

  /** Hold the messages on link a→b until `untilUs` (they arrive then, in their order). */
  clog(a: number, b: number, untilUs: number): void {
    this.clogUntil.set(this.linkKey(a, b), requireNonNegative('untilUs', untilUs));
  }

  unclog(a: number, b: number): void {
    this.clogUntil.delete(this.linkKey(a, b));
  }

  private linkKey(a: number, b: number): number {
    this.endpoint(a);
    this.endpoint(b);
    return a * LINK_KEY_BASE + b;
  }

  private endpoint(id: number): Endpoint {
    const e = this.endpoints[id];
    if (e === undefined) throw new InvalidOptionError('endpoint', id, `an endpoint id in [0, ${this.endpoints.length})`);
    return e;
  }
}
