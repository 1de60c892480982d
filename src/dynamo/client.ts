/**
 * The client library (paper §6.4), running on a client host.
 *
 * - Server-driven: every request goes to a load balancer, which hands it to
 *   a random node; that node coordinates a read, or forwards a write to a
 *   top-N node when it is not one itself.
 * - Client-driven: the library holds a membership view pulled from a random
 *   node every `clientRefreshUs` (so it can be stale; refreshed early when a
 *   node stops answering), coordinates reads itself (the GetOp state machine
 *   runs here, saving the load balancer's hop) and sends writes straight to
 *   a top-N node: the one that answered the preceding read fastest when the
 *   context names it.
 *
 * The client has its own timeout: a request whose answer has not arrived by
 * then fails, whatever happens to it later.
 */
import type { Actor, HostContext, Timer } from '../../sim/host.js';
import type { Message } from '../../sim/network.js';
import { InvalidOptionError } from '../../sim/errors.js';
import type { Coordination, DynamoConfig } from './config.js';
import { GetOp, OpTable, type CoordinatorStats, type OpHost } from './coordinator.js';
import { FailureDetector } from './failureDetector.js';
import { IdTable } from './idTable.js';
import { LEG_READ, LEG_WRITE, MSG, sizeOfPut, type ClientGet, type ClientGetReply, type ClientPut, type ClientPutReply, type FailureReason, type MembersReply } from './messages.js';
import type { VClock } from './vclock.js';
import type { Siblings, Value } from './version.js';
import { inTopN, preflistFor, type KeyHasher, type MembershipView } from './view.js';

export interface ClientOptions {
  readonly config: DynamoConfig;
  readonly mode: Coordination;
  /** Server-driven: the load balancer's endpoint. */
  readonly loadBalancer?: number;
  /** The initial membership view (client-driven; server-driven uses it only to know the nodes). */
  readonly view: MembershipView;
  readonly hasher: KeyHasher;
  /** Client-side timeout (default: the request timeout + 100 ms). */
  readonly timeoutUs?: number;
}

export interface GetResult {
  readonly ok: boolean;
  readonly siblings: Siblings;
  readonly context: VClock;
  readonly fastest: number;
  /** The node that coordinated (-1: this client, or unknown on failure). */
  readonly coordinator: number;
  readonly error: FailureReason | null;
}

export interface PutResult {
  readonly ok: boolean;
  readonly clock: VClock | null;
  readonly coordinator: number;
  readonly error: FailureReason | null;
}

interface Pending {
  readonly kind: 'get' | 'put';
  readonly done: (result: GetResult & PutResult) => void;
  readonly target: number;
  timer: Timer | null;
}

const EMPTY_CLOCK: VClock = Object.freeze([]) as unknown as VClock;
const NO_SIBLINGS: Siblings = Object.freeze([]) as unknown as Siblings;

export class DynamoClient implements Actor, OpHost {
  readonly id: number;
  readonly config: DynamoConfig;
  readonly fd: FailureDetector;
  readonly local = null;
  readonly stats: CoordinatorStats = { gets: 0, puts: 0, failed: 0, readRepairs: 0, hintedWrites: 0 };
  readonly mode: Coordination;
  view: MembershipView;
  private readonly hasher: KeyHasher;
  private readonly loadBalancer: number;
  private readonly timeoutUs: number;
  private readonly pending = new IdTable<Pending>();
  /** Requests this host coordinates, by op id (OpHost). */
  readonly ops = new OpTable();
  private nextReq = 1;
  private lastRefreshUs = -Infinity;

  constructor(
    /** The host context (OpHost: the request state machines send and set timers through it). */
    readonly ctx: HostContext,
    options: ClientOptions,
  ) {
    this.id = ctx.id;
    this.config = options.config;
    this.mode = options.mode;
    this.view = options.view;
    this.hasher = options.hasher;
    this.timeoutUs = options.timeoutUs ?? options.config.requestTimeoutUs + 100_000;
    if (this.mode === 'server') {
      if (options.loadBalancer === undefined) throw new InvalidOptionError('loadBalancer', undefined, 'an endpoint id for server-driven coordination');
      this.loadBalancer = options.loadBalancer;
    } else {
      this.loadBalancer = -1;
    }
    this.fd = new FailureDetector({
      onChange: (_peer, reachable) => {
        if (!reachable && this.mode === 'client') this.refresh(true);
      },
    });
    if (this.mode === 'client') {
      ctx.setTimer(ctx.rng.int(1, this.config.clientRefreshUs), 'view-refresh', this.refreshTick);
      ctx.setTimer(this.config.failureDetector.retryIntervalUs, 'fd-retry', this.retryUnreachable);
    }
  }

  // ---- the API the workload calls -----------------------------------------------------------

  get(key: string, done: (result: GetResult) => void): void {
    if (this.mode === 'client') {
      const list = preflistFor(this.view, this.hasher, key);
      new GetOp(this, key, list, (o) => done({ ok: o.ok, siblings: o.siblings, context: o.context, fastest: o.fastest, coordinator: -1, error: o.error })).start();
      return;
    }
    const req = this.nextReq++;
    const msg: ClientGet = { req, key, client: this.id };
    this.track(req, 'get', this.loadBalancer, done as (r: GetResult & PutResult) => void);
    this.ctx.send(this.loadBalancer, MSG.get, msg, this.config.messageHeaderBytes + key.length, LEG_READ);
  }

  /** Write `value` with the context of a preceding read; `preferred` is that read's fastest responder (-1: none). */
  put(key: string, context: VClock, value: Value, preferred: number, done: (result: PutResult) => void): void {
    const req = this.nextReq++;
    const msg: ClientPut = { req, key, context, value, client: this.id, hops: 0 };
    const size = sizeOfPut(this.config.messageHeaderBytes, key, context, value);
    let target = this.loadBalancer;
    if (this.mode === 'client') {
      target = this.chooseWriteCoordinator(key, preferred);
      if (target < 0) {
        this.stats.failed++;
        done({ ok: false, clock: null, coordinator: -1, error: 'no-coordinator' });
        return;
      }
    }
    this.stats.puts++;
    this.track(req, 'put', target, done as (r: GetResult & PutResult) => void);
    this.ctx.send(target, MSG.put, msg, size, LEG_WRITE);
  }

  private chooseWriteCoordinator(key: string, preferred: number): number {
    const list = preflistFor(this.view, this.hasher, key);
    const n = this.config.n;
    if (preferred >= 0 && inTopN(list, n, preferred) && this.fd.isReachable(preferred)) return preferred;
    const k = Math.min(n, list.length);
    for (let i = 0; i < k; i++) if (this.fd.isReachable(list[i]!)) return list[i]!;
    // Every top-N node seems down: try the fallbacks (a sloppy quorum lets one coordinate).
    for (let i = k; i < list.length; i++) if (this.fd.isReachable(list[i]!)) return list[i]!;
    return -1;
  }

  private track(req: number, kind: 'get' | 'put', target: number, done: (r: GetResult & PutResult) => void): void {
    const p: Pending = { kind, done, target, timer: null };
    p.timer = this.ctx.setTimer(this.timeoutUs, 'client-timeout', this.timedOut, req);
    this.pending.set(req, p);
  }

  /** A request's client-side timeout fired (one function for all requests, not a closure each). */
  private readonly timedOut = (req: number): void => {
    const p = this.pending.get(req);
    if (p === undefined) return;
    p.timer = null;
    this.pending.delete(req);
    this.stats.failed++;
    if (this.mode === 'client') this.fd.noAnswer(p.target, this.ctx.nowUs());
    p.done({ ok: false, siblings: NO_SIBLINGS, context: EMPTY_CLOCK, fastest: -1, clock: null, coordinator: -1, error: 'timeout' });
  };

  // ---- messages -----------------------------------------------------------------------------

  onMessage(msg: Message): void {
    this.fd.heard(msg.src);
    switch (msg.type) {
      case MSG.getReply:
      case MSG.putReply: {
        const reply = msg.payload as ClientGetReply & ClientPutReply;
        const p = this.pending.get(reply.req);
        if (p === undefined) return; // timed out already
        this.pending.delete(reply.req);
        if (p.timer !== null) this.ctx.cancelTimer(p.timer);
        if (!reply.ok) this.stats.failed++;
        p.done({
          ok: reply.ok,
          siblings: reply.siblings ?? NO_SIBLINGS,
          context: reply.context ?? EMPTY_CLOCK,
          fastest: reply.fastest ?? -1,
          clock: reply.clock ?? null,
          coordinator: reply.coordinator,
          error: reply.error,
        });
        return;
      }
      case MSG.rgetReply:
      case MSG.rputAck: {
        this.ops.dispatch(msg.src, msg.type, msg.payload);
        return;
      }
      case MSG.members: {
        const view = (msg.payload as MembersReply).view as MembershipView;
        if (view.version > this.view.version) this.view = view;
        return;
      }
      case MSG.ping:
        this.ctx.send(msg.src, MSG.pong, null, this.config.messageHeaderBytes);
        return;
      default:
        return;
    }
  }

  // ---- membership polling (client-driven) ---------------------------------------------------

  private readonly refreshTick = (): void => {
    this.refresh(false);
    this.ctx.setTimer(this.config.clientRefreshUs, 'view-refresh', this.refreshTick);
  };

  /** Ask a random reachable node for its view; `early` refreshes are limited to one a second. */
  private refresh(early: boolean): void {
    const nowUs = this.ctx.nowUs();
    if (early && nowUs - this.lastRefreshUs < 1_000_000) return;
    this.lastRefreshUs = nowUs;
    const members = this.view.ring.nodes;
    if (members.length === 0) return;
    for (let attempt = 0; attempt < members.length; attempt++) {
      const node = this.ctx.rng.pick(members).id;
      if (!this.fd.isReachable(node)) continue;
      this.ctx.send(node, MSG.membersReq, null, this.config.messageHeaderBytes);
      return;
    }
  }

  private readonly retryUnreachable = (): void => {
    for (const peer of this.fd.unreachable()) this.ctx.send(peer, MSG.ping, null, this.config.messageHeaderBytes);
    this.ctx.setTimer(this.config.failureDetector.retryIntervalUs, 'fd-retry', this.retryUnreachable);
  };
}
