/**
 * A Dynamo storage node: a handler of messages and timers on a host. It sees
 * only its HostContext (id, local clock, random stream, send, timers, disk,
 * durable slot) and never the scheduler, the network or a global.
 *
 * It coordinates reads (any node may), coordinates writes when it is in the
 * key's top N and forwards them otherwise (§4.5, §6.4), serves replica reads
 * and writes, keeps hints for unreachable peers and hands them off (§4.6),
 * retries peers it believes unreachable (§4.8.3), and answers client
 * libraries that poll its membership view (§6.4).
 */
import type { Actor, HostContext } from '../../sim/host.js';
import type { Message } from '../../sim/network.js';
import { AdmissionController } from './admission.js';
import type { ComponentFactory, NodeComponent, NodeServices } from './component.js';
import type { DynamoConfig } from './config.js';
import { GetOp, PutOp, newWriteClock, OpTable, type CoordinatorStats, type LocalReplica, type OpHost } from './coordinator.js';
import { FailureDetector } from './failureDetector.js';
import { HintStore } from './hints.js';
import {
  LEG_ACK,
  LEG_RESPONSE,
  LEG_WRITE,
  MSG,
  sizeOfVersions,
  type ClientGet,
  type ClientGetReply,
  type ClientPut,
  type ClientPutReply,
  type HintAck,
  type HintDelivery,
  type ReplicaGet,
  type ReplicaGetReply,
  type ReplicaPut,
  type ReplicaPutAck,
} from './messages.js';
import { metadataBytes, partitionOf } from './ring.js';
import { LocalStore } from './storage.js';
import { counterOf } from './vclock.js';
import { mergeInto, type Siblings, type Version } from './version.js';
import { inTopN, preflistFor, type KeyHasher, type MembershipView } from './view.js';

export interface NodeOptions {
  readonly config: DynamoConfig;
  /** The view this node starts with (restored from its durable state after a crash, when it has one). */
  readonly view: MembershipView;
  readonly hasher: KeyHasher;
  /** Background machinery: membership and gossip, range transfers, anti-entropy (component.ts). */
  readonly components?: readonly ComponentFactory[];
}

export interface NodeStats extends CoordinatorStats {
  forwarded: number;
  replicaReads: number;
  replicaWrites: number;
  refusedWrites: number;
  hintsDelivered: number;
}

const COUNTER_KEY = 'dynamo/counter';
const VIEW_KEY = 'dynamo/view';

export class DynamoNode implements Actor, OpHost {
  readonly id: number;
  readonly config: DynamoConfig;
  readonly fd: FailureDetector;
  readonly store: LocalStore;
  readonly hints: HintStore;
  readonly stats: NodeStats = { gets: 0, puts: 0, failed: 0, readRepairs: 0, hintedWrites: 0, forwarded: 0, replicaReads: 0, replicaWrites: 0, refusedWrites: 0, hintsDelivered: 0 };
  private currentView: MembershipView;
  private readonly hasher: KeyHasher;
  readonly admission: AdmissionController;
  private readonly components: NodeComponent[] = [];
  private readonly routes = new Map<string, NodeComponent>();
  /** Requests this host coordinates, by op id (OpHost). */
  readonly ops = new OpTable();
  private readonly counter: { value: number };
  readonly local: LocalReplica;

  constructor(
    /** The host context (OpHost: the request state machines send and set timers through it). */
    readonly ctx: HostContext,
    options: NodeOptions,
  ) {
    this.id = ctx.id;
    this.config = options.config;
    this.currentView = (ctx.durable.get(VIEW_KEY) as MembershipView | undefined) ?? options.view;
    this.hasher = options.hasher;
    this.admission = new AdmissionController(this.config.admission);
    this.fd = new FailureDetector({
      onChange: (peer, reachable) => ctx.record('fd', { peer, reachable }),
    });
    this.store = new LocalStore(ctx, {
      writeBufferObjects: this.config.storage.writeBufferObjects,
      flushIntervalUs: this.config.storage.flushIntervalUs,
      onChange: (key, siblings, added) => {
        const components = this.components;
        if (components.length === 0) return;
        const position = this.hasher.position(key);
        const partition = partitionOf(this.currentView.ring, position);
        for (const c of components) c.onKeyChanged?.(key, siblings, position, partition, added);
      },
    });
    this.hints = new HintStore(ctx, this.config.hints.maxHints);
    let counter = ctx.durable.get(COUNTER_KEY) as { value: number } | undefined;
    if (counter === undefined) {
      counter = { value: 0 };
      ctx.durable.set(COUNTER_KEY, counter);
    }
    this.counter = counter;
    this.local = {
      read: (key, done) => this.readLocal(key, done),
      write: (key, versions, opts, done) => this.writeLocal(key, versions, -1, opts.durable, done),
    };
    const services: NodeServices = {
      ctx,
      config: this.config,
      hasher: this.hasher,
      store: this.store,
      hints: this.hints,
      fd: this.fd,
      admission: this.admission,
      view: () => this.currentView,
      setView: (view) => this.setView(view),
      writeLocal: (key, versions, done) => this.writeLocal(key, versions, -1, false, (ok) => done(ok)),
      component: <T extends NodeComponent>(name: string) => (this.components.find((c) => c.name === name) as T | undefined) ?? null,
    };
    for (const factory of options.components ?? []) {
      const component = factory(services);
      this.components.push(component);
      for (const type of component.messageTypes) {
        if (this.routes.has(type)) throw new Error(`message type ${type} claimed by both ${this.routes.get(type)!.name} and ${component.name}`);
        this.routes.set(type, component);
      }
    }
    // Stagger periodic work by a random phase so nodes do not act in lockstep.
    ctx.setTimer(ctx.rng.int(1, this.config.hints.scanIntervalUs), 'hint-scan', this.scanHints);
    ctx.setTimer(ctx.rng.int(1, this.config.failureDetector.retryIntervalUs), 'fd-retry', this.retryUnreachable);
  }

  /** The node's current membership view. */
  get view(): MembershipView {
    return this.currentView;
  }

  /** Adopt a new view; it is durable (a restarted node remembers its membership). */
  setView(view: MembershipView): void {
    const before = this.currentView;
    if (view === before) return;
    this.currentView = view;
    this.ctx.durable.set(VIEW_KEY, view);
    for (const c of this.components) c.onViewChange?.(before, view);
  }

  /** An installed component, by name. */
  component<T extends NodeComponent>(name: string): T | null {
    return (this.components.find((c) => c.name === name) as T | undefined) ?? null;
  }

  /** What the node's components still have to do (liveness report). */
  pending(): string[] {
    return this.components.flatMap((c) => c.pending?.() ?? []);
  }

  // ---- messages -----------------------------------------------------------------------------

  onMessage(msg: Message): void {
    this.fd.heard(msg.src);
    switch (msg.type) {
      case MSG.rget:
        return this.onReplicaGet(msg.src, msg.payload as ReplicaGet);
      case MSG.rput:
        return this.onReplicaPut(msg.src, msg.payload as ReplicaPut);
      case MSG.rgetReply:
      case MSG.rputAck: {
        this.ops.dispatch(msg.src, msg.type, msg.payload);
        return;
      }
      case MSG.get:
        return this.coordinateGet(msg.payload as ClientGet);
      case MSG.put:
        return this.onClientPut(msg.payload as ClientPut);
      case MSG.hint:
        return this.onHint(msg.src, msg.payload as HintDelivery);
      case MSG.hintAck: {
        const ack = msg.payload as HintAck;
        if (ack.ok) {
          this.hints.acknowledged(ack.hint);
          this.stats.hintsDelivered++;
        } else this.hints.expired(ack.hint);
        return;
      }
      case MSG.ping:
        this.ctx.send(msg.src, MSG.pong, null, this.config.messageHeaderBytes);
        return;
      case MSG.pong:
        return; // heard() above did the work
      case MSG.membersReq:
        this.ctx.send(msg.src, MSG.members, { view: this.currentView }, this.config.messageHeaderBytes + metadataBytes(this.currentView.ring));
        return;
      default: {
        const component = this.routes.get(msg.type);
        if (component !== undefined) component.onMessage(msg);
        return;
      }
    }
  }

  /** The host crashed: record what the write buffer held (it is lost). Must not send. */
  onCrash(): void {
    for (const c of this.components) c.onCrash?.();
    for (const [key, siblings] of this.store.unflushed()) {
      this.ctx.record('buffer-lost', { key, writes: siblings.map((v) => v.value.id).join(',') });
    }
    for (const [key, versions] of this.store.writesInFlight()) {
      this.ctx.record('write-lost', { key, writes: versions.map((v) => v.value.id).join(',') });
    }
  }

  // ---- coordination -------------------------------------------------------------------------

  private coordinateGet(req: ClientGet): void {
    const list = preflistFor(this.currentView, this.hasher, req.key);
    new GetOp(this, req.key, list, (outcome) => {
      const reply: ClientGetReply = { req: req.req, ok: outcome.ok, siblings: outcome.siblings, context: outcome.context, fastest: outcome.fastest, coordinator: this.id, error: outcome.error };
      this.ctx.send(req.client, MSG.getReply, reply, sizeOfVersions(this.config.messageHeaderBytes, req.key, outcome.siblings), LEG_RESPONSE);
    }).start();
  }

  private onClientPut(req: ClientPut): void {
    const list = preflistFor(this.currentView, this.hasher, req.key);
    const n = this.config.n;
    // §4.5/§6.4: a write is coordinated by a top-N node; others forward it once.
    if (req.hops === 0 && !inTopN(list, n, this.id)) {
      const target = this.pickCoordinator(list);
      if (target >= 0) {
        this.stats.forwarded++;
        const fwd: ClientPut = { ...req, hops: req.hops + 1 };
        this.ctx.send(target, MSG.put, fwd, sizeOfVersions(this.config.messageHeaderBytes, req.key, null) + req.value.sizeBytes, LEG_WRITE);
        return;
      }
    }
    const nowUs = this.ctx.nowUs();
    const clock = newWriteClock(req.context, this.id, this.counter.value, nowUs, this.config.vclockMaxEntries);
    this.counter.value = counterOf(clock, this.id);
    const version: Version = { clock, value: { ...req.value, writtenAtUs: nowUs } };
    new PutOp(this, req.key, list, version, (outcome) => {
      const reply: ClientPutReply = { req: req.req, ok: outcome.ok, clock: outcome.clock, coordinator: this.id, error: outcome.error };
      this.ctx.send(req.client, MSG.putReply, reply, this.config.messageHeaderBytes, LEG_ACK);
    }).start();
  }

  /** The first top-N node this node believes reachable (-1: none). */
  private pickCoordinator(list: Int32Array): number {
    const k = Math.min(this.config.n, list.length);
    for (let i = 0; i < k; i++) if (this.fd.isReachable(list[i]!)) return list[i]!;
    return -1;
  }

  // ---- replica side -------------------------------------------------------------------------

  private onReplicaGet(from: number, req: ReplicaGet): void {
    this.stats.replicaReads++;
    const startUs = this.ctx.nowUs();
    this.store.read(req.key, (stored) => {
      const siblings = this.localReadDone(req.key, stored, startUs);
      const reply: ReplicaGetReply = { op: req.op, key: req.key, siblings: siblings ?? null };
      this.ctx.send(from, MSG.rgetReply, reply, sizeOfVersions(this.config.messageHeaderBytes, req.key, siblings ?? null), LEG_RESPONSE);
    });
  }

  /** The node's own replica, plus any hinted versions it holds for the key (a fallback serves reads too). */
  private readLocal(key: string, done: (siblings: Siblings | undefined) => void): void {
    const startUs = this.ctx.nowUs();
    this.store.read(key, (stored) => done(this.localReadDone(key, stored, startUs)));
  }

  /** A local read finished: feed admission control its latency, add hinted versions. */
  private localReadDone(key: string, stored: Siblings | undefined, startUs: number): Siblings | undefined {
    const nowUs = this.ctx.nowUs();
    this.admission.recordRead(nowUs, nowUs - startUs);
    const hinted = this.hints.size > 0 ? this.hints.versionsFor(key) : undefined;
    return hinted === undefined ? stored : mergeInto(stored ?? [], hinted);
  }

  private onReplicaPut(from: number, req: ReplicaPut): void {
    this.stats.replicaWrites++;
    this.writeLocal(req.key, req.versions, req.hintFor, req.durable, (ok, durable) => {
      if (req.background) return;
      const ack: ReplicaPutAck = { op: req.op, ok, durable };
      this.ctx.send(from, MSG.rputAck, ack, this.config.messageHeaderBytes, LEG_ACK);
    });
  }

  private writeLocal(key: string, versions: readonly Version[], hintFor: number, durable: boolean, done: (ok: boolean, durable: boolean) => void): void {
    if (hintFor >= 0 && hintFor !== this.id) {
      // A hinted replica: a separate, durable, bounded store (§4.6), written to disk.
      this.ctx.diskWrite(sizeOfVersions(0, key, versions), () => done(this.hints.add(hintFor, key, versions), true));
      return;
    }
    const current = this.store.peek(key);
    if (current !== undefined && current.length + versions.length > this.config.maxSiblings && mergeInto(current, versions).length > this.config.maxSiblings) {
      this.stats.refusedWrites++;
      done(false, false);
      return;
    }
    this.store.write(key, versions, durable, (outcome) => done(true, outcome.durable));
  }

  // ---- hinted handoff and failure detection -------------------------------------------------

  private readonly scanHints = (): void => {
    if (this.hints.size > 0) {
      for (const intended of this.hints.targets()) {
        if (!this.fd.isReachable(intended)) continue;
        for (const [hintId, hint] of this.hints.takeBatch(intended, this.config.hints.batch)) {
          if (!this.admission.tryAcquire(this.ctx.nowUs())) {
            this.hints.expired(hintId); // not now: the next scan offers it again
            continue;
          }
          const delivery: HintDelivery = { hint: hintId, key: hint.key, versions: hint.versions };
          this.ctx.send(intended, MSG.hint, delivery, sizeOfVersions(this.config.messageHeaderBytes, hint.key, hint.versions), LEG_WRITE);
          this.ctx.setTimer(this.config.failureDetector.timeoutUs, 'hint-timeout', () => {
            if (this.hints.expired(hintId)) this.fd.noAnswer(intended, this.ctx.nowUs());
          });
        }
      }
    }
    this.ctx.setTimer(this.config.hints.scanIntervalUs, 'hint-scan', this.scanHints);
  };

  private onHint(from: number, delivery: HintDelivery): void {
    this.writeLocal(delivery.key, delivery.versions, -1, false, (ok) => {
      const ack: HintAck = { hint: delivery.hint, ok };
      this.ctx.send(from, MSG.hintAck, ack, this.config.messageHeaderBytes, LEG_ACK);
    });
  }

  private readonly retryUnreachable = (): void => {
    for (const peer of this.fd.unreachable()) this.ctx.send(peer, MSG.ping, null, this.config.messageHeaderBytes);
    this.ctx.setTimer(this.config.failureDetector.retryIntervalUs, 'fd-retry', this.retryUnreachable);
  };
}
