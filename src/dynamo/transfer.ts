/**
 * Range transfers on joins and leaves (paper §4.9, §6.2): a node component that moves data to the
 * replicas a membership change created.
 *
 * Donor side. On every view change the node computes ringDiff(before, after, N) and, for each range
 * it replicated before whose replica set gained nodes ("newcomers"), starts a handoff: it OFFERS the
 * range to each newcomer. Every old replica offers, not only the displaced one, so a range whose old
 * owner is dead (an administrator's `remove`) still reaches its new replica from a live replica; the
 * newcomer's confirmation is what keeps that from becoming N transfers.
 * - The newcomer answers: accept; duplicate (another donor is sending it, or its view is older than
 *   the offer: try later); have (it already received the range for this view); stale (in its own,
 *   newer view it is no longer a replica: the donor gives up). Donors re-offer every
 *   `failureDetector.retryIntervalUs` until they hear "have", so a donor that dies mid-transfer is
 *   replaced once its receiver stops hearing from it (after 30 retry intervals).
 * - After an accept the donor sends the range's keys in batches of `transfer.batchKeys`, one batch in
 *   flight per receiver, each batch read from disk (one sequential read of its bytes), paced so the
 *   node's transfers together stay under `transfer.bandwidthBytesPerSec`, and each batch admitted by
 *   the admission controller (one token per key, §6.5): refused batches wait, foreground work does not.
 * - Keys a donor must send: under strategies 2 and 3 a partition moves as a unit and the component
 *   keeps an index partition → keys (maintained through onKeyChanged), so the donor does not scan.
 *   Under strategy 1 ranges change with every token, and the donor scans its store once per view
 *   change: the scan is charged as one disk read per stored key (of that key's bytes, as a B-tree
 *   engine reads it), in admitted chunks of `batchKeys`. This is the cost Figure 8's discussion of
 *   strategy 1 is about ("almost a day" at peak).
 * - A key written while its range is being handed off is queued again, so the last batch carries
 *   every write the donor took. When every newcomer has the range and the donor no longer replicates
 *   it (in its current view), the donor deletes the keys; never before the last batch is acknowledged.
 *
 * Receiver side: batches are merged with `services.writeLocal`, so concurrent writes that reached the
 * newcomer directly are kept as versions, never overwritten.
 *
 * Stray keys. A node can still be written by coordinators whose views are older than its own (after
 * it handed a range off), or be read-repaired as a fallback. Such a key, outside the node's ranges and
 * outside any handoff, is forwarded to its current replicas after a grace of 5 gossip intervals (its
 * own view may be the stale one) and deleted once they all acknowledge.
 *
 * Reads and writes never wait for transfers: they route by each node's view, the old replicas keep
 * their data until the newcomer has it, and the new replicas answer "not found" until then, which a
 * quorum read reconciles with the replicas that have the key (and read repair fills in).
 *
 * Transfer state is volatile: a crashed donor's handoffs are taken over by the other old replicas
 * (which keep re-offering); a crashed receiver is offered the range again.
 */
import { HeadQueue } from '../../sim/headQueue.js';
import type { Timer } from '../../sim/host.js';
import type { Message } from '../../sim/network.js';
import type { ComponentFactory, NodeComponent, NodeServices } from './component.js';
import { sizeOfVersions } from './messages.js';
import { partitionOf, rangeContains, ringDiff, type PartitionRange } from './ring.js';
import type { Siblings } from './version.js';
import { inTopN, preflistFor, type MembershipView } from './view.js';

const NO_HANDOFFS: readonly Handoff[] = Object.freeze([]) as readonly Handoff[];

export const TRANSFER_COMPONENT = 'transfer';

export const TRANSFER_MSG = {
  offer: 'xfer-offer',
  reply: 'xfer-reply',
  batch: 'xfer-batch',
  ack: 'xfer-ack',
} as const;

export type OfferVerdict = 'accept' | 'duplicate' | 'have' | 'stale';

interface Offer {
  readonly id: number;
  readonly tag: string;
  readonly partition: number;
  readonly range: PartitionRange;
  /** The version of the donor's view the handoff was computed for. */
  readonly version: number;
}

interface OfferReply {
  readonly id: number;
  readonly verdict: OfferVerdict;
}

interface Batch {
  readonly id: number;
  /** The handoff's tag; null for a stray forward. */
  readonly tag: string | null;
  readonly version: number;
  readonly seq: number;
  readonly entries: ReadonlyArray<readonly [string, Siblings]>;
  readonly last: boolean;
}

interface BatchAck {
  readonly id: number;
  readonly seq: number;
}

export interface TransferStats {
  handoffs: number;
  offers: number;
  accepted: number;
  batchesSent: number;
  keysSent: number;
  bytesSent: number;
  keysReceived: number;
  refusedKeys: number;
  keysScanned: number;
  keysDeleted: number;
  strayForwarded: number;
  admissionWaits: number;
}

type OutState = 'offered' | 'waiting' | 'sending' | 'done' | 'aborted';

/** One range this node held and must hand to its newcomers. */
interface Handoff {
  readonly tag: string;
  readonly partition: number;
  readonly range: PartitionRange;
  readonly version: number;
  /** Keys of the range held here, as far as known (complete once `scanned`). */
  readonly keys: Set<string>;
  scanned: boolean;
  readonly outgoing: Outgoing[];
  finished: boolean;
}

/** The handoff of one range to one newcomer. */
interface Outgoing {
  readonly id: number;
  readonly to: number;
  readonly handoff: Handoff;
  state: OutState;
  readonly queue: HeadQueue<string>;
  readonly queued: Set<string>;
  acked: number;
  inFlight: { seq: number; keys: string[]; last: boolean; timer: Timer } | null;
  nextSeq: number;
  timer: Timer | null;
  /** Why it waits (for the liveness report). */
  note: string;
}

interface StrayForward {
  readonly awaiting: Set<number>;
  readonly sent: Map<string, Siblings>;
  timer: Timer | null;
}

interface Scan {
  readonly keys: string[];
  next: number;
  readonly handoffs: Handoff[];
}

/** Receivers forget completed tags beyond this many (oldest first); a late re-offer is then re-sent. */
const HAVE_MAX = 65_536;
/** Receivers give a silent donor this many retry intervals before accepting another. */
const IDLE_RETRIES = 30;
/** Stray keys wait this many gossip intervals before they are forwarded. */
const STRAY_GRACE_INTERVALS = 5;
/** Batch size field, sequence number and flags. */
const BATCH_HEADER_BYTES = 16;

export class Transfer implements NodeComponent {
  readonly name = TRANSFER_COMPONENT;
  readonly messageTypes = [TRANSFER_MSG.offer, TRANSFER_MSG.reply, TRANSFER_MSG.batch, TRANSFER_MSG.ack];
  readonly stats: TransferStats = {
    handoffs: 0, offers: 0, accepted: 0, batchesSent: 0, keysSent: 0, bytesSent: 0, keysReceived: 0,
    refusedKeys: 0, keysScanned: 0, keysDeleted: 0, strayForwarded: 0, admissionWaits: 0,
  };
  private readonly id: number;
  private readonly n: number;
  private readonly partitioned: boolean;
  /** Strategies 2 and 3: partition → keys held. */
  private readonly index = new Map<number, Set<string>>();
  /** Unfinished handoffs by tag; by partition (strategies 2, 3). */
  private readonly handoffs = new Map<string, Handoff>();
  private readonly byPartition = new Map<number, Handoff[]>();
  /** Active outgoing transfers by id, in send order (a sent one moves to the back). */
  private readonly active = new Map<number, Outgoing>();
  private nextId = 1;
  private nextSendUs = 0;
  private lastDrainUs = 0;
  private reading = false;
  private pumpTimer: Timer | null = null;
  private pumpAtUs = Infinity;
  private scan: Scan | null = null;
  private readonly scanQueue: Handoff[] = [];
  // Receiver side.
  private readonly receiving = new Map<string, { donor: number; id: number; lastHeardUs: number }>();
  private readonly have = new Set<string>();
  // Stray keys: key → local time it was noticed.
  private readonly stray = new Map<string, number>();
  private readonly forwards = new Map<number, StrayForward>();
  private strayTimer: Timer | null = null;

  constructor(private readonly services: NodeServices) {
    this.id = services.ctx.id;
    this.n = services.config.n;
    const ring = services.view().ring;
    this.partitioned = ring.strategy !== 1;
    if (this.partitioned) {
      // Rebuilt from the store's key list at boot (in memory; not charged).
      for (const [key] of services.store.entries()) this.indexAdd(key);
    }
  }

  // ---- the liveness report ------------------------------------------------------------------

  pending(): string[] {
    const name = this.services.ctx.name;
    const out: string[] = [];
    for (const o of this.active.values()) {
      const what = `partition ${o.handoff.partition} from ${name} to node ${o.to}`;
      if (o.state === 'sending') {
        const total = o.acked + o.queue.size + (o.inFlight?.keys.length ?? 0);
        out.push(`${what}: ${o.acked}/${total} keys${o.handoff.scanned ? '' : ' (scan in progress)'}`);
      } else out.push(`${what}: ${o.note}`);
    }
    const unscanned = [...this.handoffs.values()].filter((h) => !h.scanned && h.outgoing.every((o) => o.state === 'done' || o.state === 'aborted')).length;
    if (this.scan !== null) out.push(`${name} scanning its store for ranges to hand off: ${this.scan.next}/${this.scan.keys.length} keys`);
    else if (unscanned > 0) out.push(`${name}: ${unscanned} handed-off ranges wait for a store scan`);
    let forwarding = 0;
    for (const f of this.forwards.values()) forwarding += f.sent.size;
    if (this.stray.size + forwarding > 0) out.push(`${name} holds ${this.stray.size + forwarding} keys outside its ranges, to forward`);
    return out;
  }

  // ---- view changes: start handoffs ---------------------------------------------------------

  onViewChange(before: MembershipView, after: MembershipView): void {
    if (before.ring === after.ring) return;
    this.abortObsolete(after);
    if (before.ring.strategy !== after.ring.strategy) return;
    const fresh: Handoff[] = [];
    for (const change of ringDiff(before.ring, after.ring, this.n)) {
      if (!change.before.includes(this.id)) continue;
      const newcomers = change.after.filter((x) => !change.before.includes(x));
      if (newcomers.length === 0) continue;
      const tag = `${after.version}/${change.partition}/${change.range.start}`;
      if (this.handoffs.has(tag)) continue;
      const handoff: Handoff = {
        tag,
        partition: change.partition,
        range: change.range,
        version: after.version,
        keys: new Set(this.partitioned ? this.index.get(change.partition) ?? [] : []),
        scanned: this.partitioned,
        outgoing: [],
        finished: false,
      };
      this.stats.handoffs++;
      this.handoffs.set(tag, handoff);
      if (this.partitioned) {
        const list = this.byPartition.get(change.partition);
        if (list === undefined) this.byPartition.set(change.partition, [handoff]);
        else list.push(handoff);
      }
      for (const to of newcomers) {
        const o: Outgoing = { id: this.nextId++, to, handoff, state: 'offered', queue: new HeadQueue(), queued: new Set(), acked: 0, inFlight: null, nextSeq: 1, timer: null, note: 'offered' };
        handoff.outgoing.push(o);
        this.active.set(o.id, o);
        this.offer(o);
      }
      fresh.push(handoff);
    }
    if (!this.partitioned && fresh.length > 0) {
      this.scanQueue.push(...fresh);
      this.startScan();
    }
  }

  /** Outgoing transfers whose receiver no longer replicates the range in the new view are dropped. */
  private abortObsolete(view: MembershipView): void {
    for (const o of [...this.active.values()]) {
      const list = view.preflists.get(partitionOf(view.ring, o.handoff.range.start));
      if (!inTopN(list, this.n, o.to)) this.finish(o, 'aborted');
    }
  }

  private offer(o: Outgoing): void {
    const h = o.handoff;
    const offer: Offer = { id: o.id, tag: h.tag, partition: h.partition, range: h.range, version: h.version };
    this.stats.offers++;
    this.services.ctx.send(o.to, TRANSFER_MSG.offer, offer, this.services.config.messageHeaderBytes + 32);
    this.setOfferTimer(o);
  }

  private setOfferTimer(o: Outgoing): void {
    if (o.timer !== null) this.services.ctx.cancelTimer(o.timer);
    o.timer = this.services.ctx.setTimer(this.services.config.failureDetector.retryIntervalUs, 'xfer-offer-retry', () => {
      o.timer = null;
      if (o.state === 'offered' || o.state === 'waiting') this.offer(o);
    });
  }

  private onReply(reply: OfferReply): void {
    const o = this.active.get(reply.id);
    if (o === undefined || (o.state !== 'offered' && o.state !== 'waiting')) return;
    switch (reply.verdict) {
      case 'accept': {
        if (o.timer !== null) this.services.ctx.cancelTimer(o.timer);
        o.timer = null;
        o.state = 'sending';
        this.stats.accepted++;
        for (const key of o.handoff.keys) this.enqueue(o, key);
        this.pump();
        return;
      }
      case 'duplicate':
        o.state = 'waiting';
        o.note = 'waiting: the receiver is busy with this range (another donor, or an older view)';
        return; // the offer timer retries
      case 'have':
        this.finish(o, 'done');
        return;
      case 'stale':
        this.finish(o, 'aborted');
        return;
    }
  }

  private enqueue(o: Outgoing, key: string): void {
    if (o.queued.has(key)) return;
    o.queued.add(key);
    o.queue.push(key);
  }

  // ---- sending ------------------------------------------------------------------------------

  /** Send the next batch when bandwidth, admission and the disk allow. */
  private pump(): void {
    const ctx = this.services.ctx;
    if (this.pumpTimer !== null) {
      ctx.cancelTimer(this.pumpTimer);
      this.pumpTimer = null;
      this.pumpAtUs = Infinity;
    }
    if (this.reading) return;
    const nowUs = ctx.nowUs();
    // A local clock stepped backwards must not stall transfers: the debt is at most one batch's drain.
    if (this.nextSendUs - nowUs > this.lastDrainUs) this.nextSendUs = nowUs + this.lastDrainUs;
    if (nowUs < this.nextSendUs) {
      this.schedulePump(this.nextSendUs - nowUs);
      return;
    }
    let found: Outgoing | undefined;
    for (const candidate of this.active.values()) {
      if (candidate.state === 'sending' && candidate.inFlight === null && (candidate.queue.size > 0 || candidate.handoff.scanned)) {
        found = candidate;
        break;
      }
    }
    if (found === undefined) return;
    const o = found;
    const store = this.services.store;
    const batchKeys = this.services.config.transfer.batchKeys;
    const keys: string[] = [];
    while (keys.length < batchKeys && o.queue.size > 0) {
      const key = o.queue.shift()!;
      o.queued.delete(key);
      if (store.peek(key) !== undefined) keys.push(key);
    }
    if (keys.length > 0 && !this.services.admission.tryAcquire(nowUs, keys.length)) {
      o.queue.unshiftAll(keys);
      for (const key of keys) o.queued.add(key);
      this.stats.admissionWaits++;
      this.schedulePump(this.admissionDelayUs(keys.length));
      return;
    }
    if (keys.length === 0 && !o.handoff.scanned) return; // the scan will queue more
    // Round robin: this receiver goes to the back.
    this.active.delete(o.id);
    this.active.set(o.id, o);
    let bytes = 0;
    for (const key of keys) bytes += sizeOfVersions(0, key, store.peek(key)!);
    const send = (): void => {
      this.reading = false;
      const out = o;
      if (out.state !== 'sending') {
        this.pump();
        return;
      }
      const entries: Array<readonly [string, Siblings]> = [];
      let size = this.services.config.messageHeaderBytes + BATCH_HEADER_BYTES;
      for (const key of keys) {
        const siblings = store.peek(key);
        if (siblings === undefined) continue;
        entries.push([key, siblings]);
        size += sizeOfVersions(0, key, siblings);
      }
      const last = out.handoff.scanned && out.queue.size === 0;
      const seq = out.nextSeq++;
      const batch: Batch = { id: out.id, tag: out.handoff.tag, version: out.handoff.version, seq, entries, last };
      ctx.send(out.to, TRANSFER_MSG.batch, batch, size);
      this.stats.batchesSent++;
      this.stats.keysSent += entries.length;
      this.stats.bytesSent += size;
      const timer = ctx.setTimer(this.ackTimeoutUs(), 'xfer-ack-timeout', () => this.onAckTimeout(out, seq));
      out.inFlight = { seq, keys, last, timer };
      this.charge(size);
      this.pump();
    };
    if (bytes === 0) send();
    else {
      this.reading = true;
      ctx.diskRead(bytes, send);
    }
  }

  private readonly onPumpTimer = (): void => {
    this.pumpTimer = null;
    this.pumpAtUs = Infinity;
    this.pump();
  };

  /** Pace by the transfer bandwidth: the next batch leaves when this one would have drained. */
  private charge(bytes: number): void {
    const nowUs = this.services.ctx.nowUs();
    const bandwidth = this.services.config.transfer.bandwidthBytesPerSec;
    this.lastDrainUs = bandwidth === 0 ? 0 : Math.ceil((bytes * 1e6) / bandwidth);
    this.nextSendUs = Math.max(nowUs, this.nextSendUs) + this.lastDrainUs;
  }

  private schedulePump(delayUs: number): void {
    const ctx = this.services.ctx;
    const atUs = ctx.nowUs() + Math.max(1, Math.ceil(delayUs));
    if (this.pumpTimer !== null) {
      if (this.pumpAtUs <= atUs) return;
      ctx.cancelTimer(this.pumpTimer);
    }
    this.pumpAtUs = atUs;
    this.pumpTimer = ctx.setTimer(Math.max(1, Math.ceil(delayUs)), 'xfer-pump', this.onPumpTimer);
  }

  /** How long until the admission controller has `cost` tokens again (at least 1 ms). */
  private admissionDelayUs(cost: number): number {
    const rate = this.services.admission.ratePerSec;
    const us = Number.isFinite(rate) && rate > 0 ? Math.ceil((cost * 1e6) / rate) : 1_000;
    return Math.min(Math.max(1_000, us), this.services.config.failureDetector.retryIntervalUs);
  }

  private ackTimeoutUs(): number {
    return 4 * this.services.config.failureDetector.timeoutUs;
  }

  private onAck(ack: BatchAck): void {
    const o = this.active.get(ack.id);
    if (o === undefined) return;
    const inFlight = o.inFlight;
    if (inFlight === null || inFlight.seq !== ack.seq) return;
    this.services.ctx.cancelTimer(inFlight.timer);
    o.inFlight = null;
    o.acked += inFlight.keys.length;
    if (inFlight.last && o.queue.size === 0) this.finish(o, 'done');
    this.pump();
  }

  private onAckTimeout(o: Outgoing, seq: number): void {
    const inFlight = o.inFlight;
    if (inFlight === null || inFlight.seq !== seq || o.state !== 'sending') return;
    o.inFlight = null;
    // Back to the front, in their order: those not queued again since.
    const back = inFlight.keys.filter((key) => !o.queued.has(key));
    for (const key of back) o.queued.add(key);
    o.queue.unshiftAll(back);
    this.pump();
  }

  private finish(o: Outgoing, state: 'done' | 'aborted'): void {
    if (o.state === 'done' || o.state === 'aborted') return;
    const ctx = this.services.ctx;
    if (o.timer !== null) ctx.cancelTimer(o.timer);
    if (o.inFlight !== null) ctx.cancelTimer(o.inFlight.timer);
    o.timer = null;
    o.inFlight = null;
    o.state = state;
    o.queue.clear();
    o.queued.clear();
    this.active.delete(o.id);
    this.checkHandoff(o.handoff);
  }

  /** A handoff is over when every newcomer has the range (or was dropped) and the keys are known. */
  private checkHandoff(h: Handoff): void {
    if (h.finished || !h.scanned || !h.outgoing.every((o) => o.state === 'done' || o.state === 'aborted')) return;
    h.finished = true;
    this.handoffs.delete(h.tag);
    if (this.partitioned) {
      const list = this.byPartition.get(h.partition);
      if (list !== undefined) {
        const i = list.indexOf(h);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.byPartition.delete(h.partition);
      }
    }
    const aborted = h.outgoing.some((o) => o.state === 'aborted');
    const store = this.services.store;
    for (const key of h.keys) {
      if (store.peek(key) === undefined || this.isReplica(key) || this.covered(key)) continue;
      // Every newcomer acknowledged the last batch and this node no longer replicates the key.
      if (aborted) this.noteStray(key);
      else this.deleteKey(key);
    }
  }

  private deleteKey(key: string): void {
    this.services.store.delete(key);
    this.stats.keysDeleted++;
    if (this.partitioned) {
      const p = partitionOf(this.services.view().ring, this.services.hasher.position(key));
      this.index.get(p)?.delete(key);
    }
  }

  private isReplica(key: string): boolean {
    return this.isReplicaIn(partitionOf(this.services.view().ring, this.services.hasher.position(key)));
  }

  /** Whether this node is among the top N of `partition` in its current view. */
  private isReplicaIn(partition: number): boolean {
    return inTopN(this.services.view().preflists.get(partition), this.n, this.id);
  }

  /** Handoffs in progress that include the key's position. */
  private handoffsOf(key: string): readonly Handoff[] {
    if (this.handoffs.size === 0) return NO_HANDOFFS;
    const position = this.services.hasher.position(key);
    return this.handoffsFor(position, this.partitioned ? partitionOf(this.services.view().ring, position) : -1);
  }

  /** Handoffs in progress that include `position` (in `partition`, under strategies 2 and 3). */
  private handoffsFor(position: number, partition: number): readonly Handoff[] {
    if (this.handoffs.size === 0) return NO_HANDOFFS;
    return this.partitioned ? (this.byPartition.get(partition) ?? NO_HANDOFFS) : this.handoffsAt(position);
  }

  /** Strategy 1: the handoffs whose token range holds `position`. */
  private handoffsAt(position: number): readonly Handoff[] {
    const out: Handoff[] = [];
    for (const h of this.handoffs.values()) if (rangeContains(h.range, position)) out.push(h);
    return out;
  }

  private covered(key: string): boolean {
    return this.handoffsOf(key).length > 0;
  }

  // ---- strategy 1: the donor's store scan ---------------------------------------------------

  private startScan(): void {
    if (this.scan !== null || this.scanQueue.length === 0) return;
    const handoffs = this.scanQueue.splice(0, this.scanQueue.length);
    const keys: string[] = [];
    for (const [key] of this.services.store.entries()) keys.push(key);
    this.scan = { keys, next: 0, handoffs };
    this.scanStep();
  }

  private readonly scanStep = (): void => {
    const scan = this.scan;
    if (scan === null) return;
    const ctx = this.services.ctx;
    if (scan.next >= scan.keys.length) {
      this.scan = null;
      for (const h of scan.handoffs) {
        h.scanned = true;
        this.checkHandoff(h);
      }
      this.pump();
      this.startScan();
      return;
    }
    const chunk = scan.keys.slice(scan.next, scan.next + this.services.config.transfer.batchKeys);
    if (!this.services.admission.tryAcquire(ctx.nowUs(), chunk.length)) {
      this.stats.admissionWaits++;
      ctx.setTimer(this.admissionDelayUs(chunk.length), 'xfer-scan', this.scanStep);
      return;
    }
    let left = chunk.length;
    const store = this.services.store;
    for (const key of chunk) {
      const siblings = store.peek(key);
      ctx.diskRead(siblings === undefined ? 0 : sizeOfVersions(0, key, siblings), () => {
        if (--left > 0) return;
        this.stats.keysScanned += chunk.length;
        scan.next += chunk.length;
        this.assign(scan, chunk);
        this.scanStep();
      });
    }
  };

  private assign(scan: Scan, chunk: readonly string[]): void {
    const store = this.services.store;
    let queued = false;
    for (const key of chunk) {
      if (store.peek(key) === undefined) continue;
      const position = this.services.hasher.position(key);
      for (const h of scan.handoffs) {
        if (h.finished || !rangeContains(h.range, position) || h.keys.has(key)) continue;
        if (this.addToHandoff(h, key)) queued = true;
      }
    }
    if (queued) this.pump();
  }

  /** A key joins a handoff: queued on every transfer of it already sending. Returns whether any was. */
  private addToHandoff(h: Handoff, key: string): boolean {
    h.keys.add(key);
    let queued = false;
    for (const o of h.outgoing) {
      if (o.state === 'sending') {
        this.enqueue(o, key);
        queued = true;
      }
    }
    return queued;
  }

  // ---- keys changing under a handoff --------------------------------------------------------

  onKeyChanged(key: string, _siblings: Siblings, position: number, partition: number, added: boolean): void {
    // The index holds every key of the store (built from it at boot, trimmed by deleteKey): only a
    // key that had no versions here can be missing from it.
    if (added && this.partitioned) this.indexAddAt(key, partition);
    const handoffs = this.handoffsFor(position, partition);
    if (handoffs.length > 0) {
      let queued = false;
      for (const h of handoffs) if (this.addToHandoff(h, key)) queued = true;
      if (queued) this.pump();
      return;
    }
    // The partition was computed under the node's current view: no need to hash the key again.
    if (!this.isReplicaIn(partition)) this.noteStray(key);
  }

  private indexAdd(key: string): void {
    this.indexAddAt(key, partitionOf(this.services.view().ring, this.services.hasher.position(key)));
  }

  private indexAddAt(key: string, p: number): void {
    let keys = this.index.get(p);
    if (keys === undefined) {
      keys = new Set();
      this.index.set(p, keys);
    }
    keys.add(key);
  }

  // ---- stray keys ---------------------------------------------------------------------------

  private noteStray(key: string): void {
    if (this.stray.has(key)) return;
    this.stray.set(key, this.services.ctx.nowUs());
    if (this.strayTimer === null) this.strayTimer = this.services.ctx.setTimer(this.services.config.gossip.intervalUs, 'xfer-stray', this.sweep);
  }

  private readonly sweep = (): void => {
    this.strayTimer = null;
    const ctx = this.services.ctx;
    const store = this.services.store;
    const nowUs = ctx.nowUs();
    const graceUs = STRAY_GRACE_INTERVALS * this.services.config.gossip.intervalUs;
    const batchKeys = this.services.config.transfer.batchKeys;
    const due: string[] = [];
    for (const [key, sinceUs] of this.stray) {
      if (store.peek(key) === undefined || this.isReplica(key) || this.covered(key)) {
        this.stray.delete(key);
        continue;
      }
      if (nowUs - sinceUs >= graceUs && due.length < batchKeys) due.push(key);
    }
    if (due.length > 0 && nowUs >= this.nextSendUs && this.services.admission.tryAcquire(nowUs, due.length)) {
      // One batch per replica: every key goes to each of its current top-N nodes.
      const byTarget = new Map<number, Array<readonly [string, Siblings]>>();
      const sent = new Map<string, Siblings>();
      for (const key of due) {
        const siblings = store.peek(key)!;
        sent.set(key, siblings);
        this.stray.delete(key);
        const list = preflistFor(this.services.view(), this.services.hasher, key);
        for (let i = 0; i < Math.min(this.n, list.length); i++) {
          const target = list[i]!;
          let entries = byTarget.get(target);
          if (entries === undefined) byTarget.set(target, (entries = []));
          entries.push([key, siblings]);
        }
      }
      const id = this.nextId++;
      const forward: StrayForward = { awaiting: new Set(byTarget.keys()), sent, timer: null };
      this.forwards.set(id, forward);
      let total = 0;
      for (const [target, entries] of byTarget) {
        let size = this.services.config.messageHeaderBytes + BATCH_HEADER_BYTES;
        for (const [key, siblings] of entries) size += sizeOfVersions(0, key, siblings);
        total += size;
        const batch: Batch = { id, tag: null, version: this.services.view().version, seq: 1, entries, last: true };
        ctx.send(target, TRANSFER_MSG.batch, batch, size);
      }
      this.charge(total);
      this.stats.strayForwarded += due.length;
      forward.timer = ctx.setTimer(this.ackTimeoutUs(), 'xfer-forward-timeout', () => {
        forward.timer = null;
        if (!this.forwards.delete(id)) return;
        for (const key of forward.sent.keys()) this.noteStray(key);
      });
    }
    if (this.stray.size > 0 && this.strayTimer === null) this.strayTimer = ctx.setTimer(this.services.config.gossip.intervalUs, 'xfer-stray', this.sweep);
  };

  private onForwardAckFrom(from: number, ack: BatchAck): void {
    const forward = this.forwards.get(ack.id);
    if (forward === undefined) return;
    forward.awaiting.delete(from);
    if (forward.awaiting.size > 0) return;
    this.forwards.delete(ack.id);
    if (forward.timer !== null) this.services.ctx.cancelTimer(forward.timer);
    const store = this.services.store;
    for (const [key, siblings] of forward.sent) {
      const now = store.peek(key);
      if (now === undefined || this.isReplica(key) || this.covered(key)) continue;
      if (now === siblings) this.deleteKey(key);
      else this.noteStray(key); // written again meanwhile: forward the newer state
    }
  }

  // ---- receiver side ------------------------------------------------------------------------

  private onOffer(from: number, offer: Offer): void {
    const ctx = this.services.ctx;
    const nowUs = ctx.nowUs();
    const view = this.services.view();
    let verdict: OfferVerdict;
    const current = this.receiving.get(offer.tag);
    const idleUs = IDLE_RETRIES * this.services.config.failureDetector.retryIntervalUs;
    if (this.have.has(offer.tag)) verdict = 'have';
    else if (current !== undefined && !(current.donor === from && current.id === offer.id) && nowUs - current.lastHeardUs < idleUs) verdict = 'duplicate';
    else if (view.version < offer.version) verdict = 'duplicate'; // not yet: this node has not learned the change
    else if (!inTopN(view.preflists.get(partitionOf(view.ring, offer.range.start)), this.n, this.id)) verdict = 'stale';
    else {
      this.receiving.set(offer.tag, { donor: from, id: offer.id, lastHeardUs: nowUs });
      verdict = 'accept';
    }
    const reply: OfferReply = { id: offer.id, verdict };
    ctx.send(from, TRANSFER_MSG.reply, reply, this.services.config.messageHeaderBytes + 8);
  }

  private onBatch(from: number, batch: Batch): void {
    const ctx = this.services.ctx;
    if (batch.tag !== null) {
      const current = this.receiving.get(batch.tag);
      if (current !== undefined && current.donor === from) current.lastHeardUs = ctx.nowUs();
    }
    let left = batch.entries.length + 1;
    const done = (): void => {
      if (--left > 0) return;
      if (batch.last && batch.tag !== null) {
        this.receiving.delete(batch.tag);
        if (this.have.size >= HAVE_MAX) this.have.delete(this.have.values().next().value!);
        this.have.add(batch.tag);
      }
      const ack: BatchAck = { id: batch.id, seq: batch.seq };
      ctx.send(from, TRANSFER_MSG.ack, ack, this.services.config.messageHeaderBytes + 8);
    };
    for (const [key, versions] of batch.entries) {
      this.stats.keysReceived++;
      this.services.writeLocal(key, versions, (ok) => {
        if (!ok) this.stats.refusedKeys++;
        done();
      });
    }
    done();
  }

  onMessage(msg: Message): void {
    switch (msg.type) {
      case TRANSFER_MSG.offer:
        return this.onOffer(msg.src, msg.payload as Offer);
      case TRANSFER_MSG.reply:
        return this.onReply(msg.payload as OfferReply);
      case TRANSFER_MSG.batch:
        return this.onBatch(msg.src, msg.payload as Batch);
      case TRANSFER_MSG.ack: {
        const ack = msg.payload as BatchAck;
        if (this.active.has(ack.id)) this.onAck(ack);
        else this.onForwardAckFrom(msg.src, ack);
        return;
      }
      default:
        return;
    }
  }
}

/** The transfer component, for `buildCluster({ components })` or a node's `components`. */
export function transferComponent(): ComponentFactory {
  return (services) => new Transfer(services);
}
