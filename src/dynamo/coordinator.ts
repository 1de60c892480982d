/**
 * The request state machines (paper §5, §6): a get and a put each send to
 * the selected replicas, wait for R (or W) answers, fail at the request
 * timeout, reply, and (gets) read-repair. The arithmetic lives in quorum.ts;
 * this file only sends, waits and times out.
 *
 * The same machines run on storage nodes and in the client library (the
 * paper's client-driven coordination runs reads at the client, §6.4), so
 * they talk to an `OpHost` rather than to a node.
 */
import type { HostContext, Timer } from '../../sim/host.js';
import type { DynamoConfig } from './config.js';
import type { FailureDetector } from './failureDetector.js';
import { LEG_READ, LEG_WRITE, MSG, sizeOfVersions, type FailureReason, type ReplicaGet, type ReplicaGetReply, type ReplicaPut, type ReplicaPutAck } from './messages.js';
import { IdTable } from './idTable.js';
import { GetQuorum, PutQuorum } from './quorum.js';
import { selectReplicas } from './replicas.js';
import { counterOf, empty, setEntryAndTruncate, type VClock } from './vclock.js';
import type { Siblings, Value, Version } from './version.js';

/** A storage node's own replica, as the coordinator uses it. */
export interface LocalReplica {
  read(key: string, done: (siblings: Siblings | undefined) => void): void;
  write(key: string, versions: readonly Version[], options: { durable: boolean; background: boolean }, done: (ok: boolean, durable: boolean) => void): void;
}

export interface CoordinatorStats {
  gets: number;
  puts: number;
  failed: number;
  readRepairs: number;
  hintedWrites: number;
}

/** What a request state machine needs from where it runs (a storage node or a client library). */
export interface OpHost {
  readonly id: number;
  readonly config: DynamoConfig;
  readonly fd: FailureDetector;
  readonly local: LocalReplica | null;
  readonly stats: CoordinatorStats;
  /** The host's clock, network and timers. */
  readonly ctx: Pick<HostContext, 'nowUs' | 'send' | 'setTimer' | 'cancelTimer'>;
  /** Routes replies carrying an op id to the state machine that registered it. */
  readonly ops: OpTable;
}

export interface PendingOp {
  onReply(from: number, type: string, payload: unknown): void;
}

/** The request state machines in flight on one host, by id, so replies reach them. */
export class OpTable {
  private readonly ops = new IdTable<PendingOp>();
  private nextId = 1;

  register(op: PendingOp): number {
    const id = this.nextId++;
    this.ops.set(id, op);
    return id;
  }

  unregister(opId: number): void {
    this.ops.delete(opId);
  }

  /** Ops in flight. */
  get size(): number {
    return this.ops.size;
  }

  /** Hand a replica reply (its payload carries `op`) to its state machine; a late reply finds none. */
  dispatch(from: number, type: string, payload: unknown): void {
    const op = this.ops.get((payload as { op: number }).op);
    if (op !== undefined) op.onReply(from, type, payload);
  }
}

export interface GetOutcome {
  readonly ok: boolean;
  readonly siblings: Siblings;
  readonly context: VClock;
  /** The fastest responder (-1 when none). */
  readonly fastest: number;
  readonly error: FailureReason | null;
}

export interface PutOutcome {
  readonly ok: boolean;
  readonly clock: VClock | null;
  readonly error: FailureReason | null;
}

const NO_SIBLINGS: Siblings = Object.freeze([]) as unknown as Siblings;

function getFailure(error: FailureReason): GetOutcome {
  return { ok: false, siblings: NO_SIBLINGS, context: empty(), fastest: -1, error };
}

export class GetOp implements PendingOp {
  private quorum!: GetQuorum;
  private opId = 0;
  private replied = false;
  private repaired = false;
  private finished = false;
  private requestTimer: Timer | null = null;
  private windowTimer: Timer | null = null;

  constructor(
    private readonly host: OpHost,
    private readonly key: string,
    private readonly list: Int32Array,
    private readonly onResult: (outcome: GetOutcome) => void,
  ) {}

  start(): void {
    const host = this.host;
    const cfg = host.config;
    host.stats.gets++;
    const { targets } = selectReplicas(this.list, cfg.n, cfg.sloppyQuorum, host.id, host.fd);
    if (targets.length < cfg.r) {
      host.stats.failed++;
      this.finished = true;
      this.onResult(getFailure('too-few-replicas'));
      return;
    }
    this.quorum = new GetQuorum({ n: cfg.n, r: cfg.r, nodes: targets });
    this.opId = host.ops.register(this);
    const request: ReplicaGet = { op: this.opId, key: this.key };
    const size = cfg.messageHeaderBytes + this.key.length;
    let local = false;
    for (const node of targets) {
      if (node === host.id && host.local !== null) local = true;
      else host.ctx.send(node, MSG.rget, request, size, LEG_READ);
    }
    this.requestTimer = host.ctx.setTimer(cfg.requestTimeoutUs, 'get-timeout', getTimedOut, this);
    if (local) host.local!.read(this.key, (siblings) => this.answer(host.id, siblings ?? null));
  }

  onReply(from: number, type: string, payload: unknown): void {
    if (type !== MSG.rgetReply) return;
    this.answer(from, (payload as ReplicaGetReply).siblings);
  }

  private answer(from: number, siblings: Siblings | null): void {
    if (this.finished) return;
    if (!this.quorum.addReply(from, siblings === null ? 'notfound' : siblings)) return;
    if (!this.replied && this.quorum.state === 'enough') {
      this.replied = true;
      const r = this.quorum.result();
      this.onResult({ ok: true, siblings: r.siblings, context: r.context, fastest: r.fastest ?? -1, error: null });
      // The read-repair window (§5): wait for late replies, but not past the request timeout.
      const waitUs = this.host.config.readRepair.waitUs;
      if (!this.quorum.allReplied && waitUs < this.host.config.requestTimeoutUs) {
        this.windowTimer = this.host.ctx.setTimer(waitUs, 'repair-window', repairWindowEnded, this);
      }
    }
    if (this.quorum.allReplied) this.finish(false);
  }

  /** The request timeout fired (getTimedOut). */
  timedOut(): void {
    this.requestTimer = null;
    if (this.finished) return;
    if (!this.replied) {
      this.replied = true;
      this.host.stats.failed++;
      this.onResult(getFailure('timeout'));
    }
    this.finish(true);
  }

  /** The read-repair window ended (repairWindowEnded). */
  windowEnded(): void {
    this.windowTimer = null;
    this.repair();
  }

  private repair(): void {
    if (this.repaired) return;
    this.repaired = true;
    const host = this.host;
    if (!host.config.readRepair.enabled || this.quorum.state !== 'enough') return;
    const stale = this.quorum.repairTargets();
    if (stale.length === 0) return;
    const siblings = this.quorum.result().siblings;
    const size = sizeOfVersions(host.config.messageHeaderBytes, this.key, siblings);
    for (const node of stale) {
      host.stats.readRepairs++;
      if (node === host.id && host.local !== null) {
        host.local.write(this.key, siblings, { durable: false, background: true }, () => {});
      } else {
        const put: ReplicaPut = { op: 0, key: this.key, versions: siblings, hintFor: -1, durable: false, background: true };
        host.ctx.send(node, MSG.rput, put, size, LEG_WRITE);
      }
    }
  }

  private finish(timedOut: boolean): void {
    if (this.finished) return;
    this.finished = true;
    const host = this.host;
    if (this.requestTimer !== null) host.ctx.cancelTimer(this.requestTimer);
    if (this.windowTimer !== null) host.ctx.cancelTimer(this.windowTimer);
    host.ops.unregister(this.opId);
    if (timedOut) reportSilent(host, this.quorum.nodes, (n) => this.quorum.hasAnswered(n));
    this.repair();
  }
}

export class PutOp implements PendingOp {
  private quorum!: PutQuorum;
  private opId = 0;
  private replied = false;
  private finished = false;
  private requestTimer: Timer | null = null;

  constructor(
    private readonly host: OpHost,
    private readonly key: string,
    private readonly list: Int32Array,
    private readonly version: Version,
    private readonly onResult: (outcome: PutOutcome) => void,
  ) {}

  start(): void {
    const host = this.host;
    const cfg = host.config;
    host.stats.puts++;
    const { targets, hintFor } = selectReplicas(this.list, cfg.n, cfg.sloppyQuorum, host.id, host.fd);
    if (targets.length < cfg.w) {
      host.stats.failed++;
      this.finished = true;
      this.onResult({ ok: false, clock: null, error: 'too-few-replicas' });
      return;
    }
    // §6.1: with buffered writes, ask some replicas (not the coordinator, when others exist) to write durably.
    const durable: number[] = [];
    const wanted = cfg.storage.durableWrites;
    if (cfg.storage.writeBufferObjects > 0 && wanted > 0) {
      for (let i = 0; i < targets.length && durable.length < wanted; i++) if (targets[i] !== host.id) durable.push(targets[i]!);
      if (durable.length < wanted && targets.includes(host.id)) durable.push(host.id);
    }
    const durableWanted = cfg.storage.waitForDurable ? durable.length : 0;
    this.quorum = new PutQuorum({ n: cfg.n, w: cfg.w, durableWrites: durableWanted, nodes: targets });
    this.opId = host.ops.register(this);
    // One immutable array shared by every replica's message and the local write.
    const versions: readonly Version[] = [this.version];
    const size = sizeOfVersions(cfg.messageHeaderBytes, this.key, versions);
    let localIndex = -1;
    for (let i = 0; i < targets.length; i++) {
      const node = targets[i]!;
      if (node === host.id && host.local !== null) {
        localIndex = i;
        continue;
      }
      const hint = hintFor === null ? -1 : hintFor[i]!;
      if (hint >= 0) host.stats.hintedWrites++;
      const put: ReplicaPut = { op: this.opId, key: this.key, versions, hintFor: hint, durable: durable.includes(node), background: false };
      host.ctx.send(node, MSG.rput, put, size, LEG_WRITE);
    }
    this.requestTimer = host.ctx.setTimer(cfg.requestTimeoutUs, 'put-timeout', putTimedOut, this);
    if (localIndex >= 0) {
      host.local!.write(this.key, versions, { durable: durable.includes(host.id), background: false }, (ok, isDurable) =>
        this.ack(host.id, { op: this.opId, ok, durable: isDurable }),
      );
    }
  }

  onReply(from: number, type: string, payload: unknown): void {
    if (type !== MSG.rputAck) return;
    this.ack(from, payload as ReplicaPutAck);
  }

  private ack(from: number, ack: ReplicaPutAck): void {
    if (this.finished) return;
    if (ack.ok) this.quorum.addAck(from, { durable: ack.durable });
    else this.quorum.addError(from);
    if (!this.replied) {
      const state = this.quorum.state;
      if (state === 'enough') {
        this.replied = true;
        this.onResult({ ok: true, clock: this.version.clock, error: null });
      } else if (state === 'impossible') {
        this.replied = true;
        this.host.stats.failed++;
        this.onResult({ ok: false, clock: null, error: 'too-many-siblings' });
      }
    }
    if (this.quorum.allReplied) this.finish(false);
  }

  /** The request timeout fired (putTimedOut). */
  timedOut(): void {
    this.requestTimer = null;
    if (this.finished) return;
    if (!this.replied) {
      this.replied = true;
      this.host.stats.failed++;
      this.onResult({ ok: false, clock: null, error: 'timeout' });
    }
    this.finish(true);
  }

  private finish(timedOut: boolean): void {
    if (this.finished) return;
    this.finished = true;
    if (this.requestTimer !== null) this.host.ctx.cancelTimer(this.requestTimer);
    this.host.ops.unregister(this.opId);
    if (timedOut) reportSilent(this.host, this.quorum.nodes, (n) => this.quorum.hasAnswered(n));
  }
}

// Timer callbacks shared by every request (the op is the timer's argument): a class-field arrow
// function would be a closure allocated with every op, fired or not.
const getTimedOut = (op: GetOp): void => op.timedOut();
const repairWindowEnded = (op: GetOp): void => op.windowEnded();
const putTimedOut = (op: PutOp): void => op.timedOut();

/** Peers that did not answer within the timeout become unreachable for this host (§4.8.3). */
function reportSilent(host: OpHost, nodes: readonly number[], answered: (node: number) => boolean): void {
  const nowUs = host.ctx.nowUs();
  for (const node of nodes) if (node !== host.id && !answered(node)) host.fd.noAnswer(node, nowUs);
}

/**
 * The clock of a new write (§4.4): the context with the coordinator's entry
 * advanced past every counter this node has issued. The per-node counter
 * (durable, like Riak's vnode counter) keeps two different writes through
 * one node from ever sharing a clock; a node that loses its disk restarts
 * its counter and can reuse one (Riak's "KV679" lost writes).
 */
export function newWriteClock(context: VClock, node: number, issuedCounter: number, nowUs: number, maxEntries: number): VClock {
  const current = counterOf(context, node);
  return setEntryAndTruncate(context, node, (issuedCounter > current ? issuedCounter : current) + 1, nowUs, maxEntries);
}

export type { Value };
