/**
 * Anti-entropy with Merkle trees (DYNAMO.md §8; paper §4.7; Riak's active
 * anti-entropy): the node component that repairs what hinted handoff and read
 * repair missed, for keys nobody reads.
 *
 * Trees. One Merkle tree (merkle.ts) per key range the node hosts: a
 * partition under strategies 2 and 3, a token range under strategy 1 (the
 * ranges whose top-N replicas include the node under its view). A key's id
 * in the tree is its ring position (52 bits of MD5, the hasher's), its item
 * hash the hash of its sibling set (version.versionSetHash); every change of
 * the local store updates the tree in O(depth). When the view changes, trees
 * of ranges no longer hosted are dropped and trees of new ranges (under
 * strategy 1 every split or merged token range) are built from the store.
 * Building is charged: the bytes hashed (each key with its clocks and value
 * ids, plus the inner nodes: merkle.rebuildCost) at
 * `antiEntropy.rebuildBytesPerSec`, one tree after another; until its
 * rebuild is done a tree takes part in no exchange, on either side.
 *
 * Exchanges. Every `antiEntropy.intervalUs` (random phase) a node starts one
 * exchange, at most `antiEntropy.concurrency` at once, after admission
 * control (§6.5) grants it: the next hosted range round-robin, with a random
 * peer among the range's other top-N replicas that the failure detector
 * believes reachable. The initiator drives, the peer answers from its tree
 * and keeps no state per exchange:
 *   ae-root      → ae-root-reply       the peer's root hash;
 *   ae-children  → ae-children-reply   per differing inner node: the peer's
 *                                      non-empty children (childHashes);
 *   ae-segment   → ae-segment-reply    per differing segment: the peer's
 *                                      (key id, item hash) pairs;
 *   ae-keys      → ae-keys-reply       per batch of differing keys: the
 *                                      initiator's siblings for the keys it
 *                                      holds and the ids it wants; the reply
 *                                      carries the peer's siblings for those.
 * The descent mirrors merkle.diff, so its bytes are diff's cost model with
 * the node's message header; the key batches add each key and its versions'
 * sizes. Both sides merge what they receive as replica writes
 * (services.writeLocal): sibling sets merge, nothing is overwritten. Every key
 * batch asks admission control again (a token per KiB); refused, the exchange
 * waits for the next tick. An exchange whose peer answers nothing for
 * `failureDetector.timeoutUs` is abandoned and the peer reported to the
 * failure detector; late replies find no exchange and are dropped.
 *
 * `antiEntropy.enabled: false` installs a component that keeps no trees,
 * sets no timers and starts no exchange; it only declines requests (should a
 * peer configured otherwise ask), so the peer does not take it for dead. Not
 * installing the component has the same effect, except that such requests go
 * unanswered.
 */
import type { Timer } from '../../sim/host.js';
import type { Message } from '../../sim/network.js';
import type { RandomStream } from '../../sim/random.js';
import { InvalidOptionError, invariant, requireInteger } from '../../sim/errors.js';
import type { ComponentFactory, NodeComponent, NodeServices } from './component.js';
import type { DynamoConfig } from './config.js';
import {
  DEFAULT_EXCHANGE_COST,
  childHashes,
  childListBytes,
  createTree,
  itemHashOf,
  rebuildCost,
  remove,
  root,
  segmentItems,
  update,
  type ChildHash,
  type ExchangeCostModel,
  type MerkleTree,
  type SegmentItem,
} from './merkle.js';
import { partitionOf, partitionRange, type PartitionRange } from './ring.js';
import type { LocalStore } from './storage.js';
import { clockSizeBytes } from './vclock.js';
import { mergeInto, versionSetHash, versionSetSizeBytes, type Siblings, type Version } from './version.js';
import { KeyHasher, inTopN, type MembershipView } from './view.js';

export const ANTI_ENTROPY = 'anti-entropy';

export const AE_MSG = {
  root: 'ae-root',
  rootReply: 'ae-root-reply',
  children: 'ae-children',
  childrenReply: 'ae-children-reply',
  segment: 'ae-segment',
  segmentReply: 'ae-segment-reply',
  keys: 'ae-keys',
  keysReply: 'ae-keys-reply',
} as const;

/** Bytes a value id takes when a sibling set is hashed (the clocks are charged by vclock.clockSizeBytes). */
const VALUE_ID_BYTES = 8;

export interface AntiEntropyOptions {
  /** Keys per ae-keys message (default: config.transfer.batchKeys). */
  readonly batchKeys?: number;
  /** Tree requests (children, segments) an exchange has in flight at once (default 64). */
  readonly maxOutstanding?: number;
  /** Differing keys one exchange repairs at most; the rest waits for the next exchange of the range (default 100,000). */
  readonly maxKeysPerExchange?: number;
}

export interface AntiEntropyStats {
  exchangesStarted: number;
  /** Ended with the range repaired (or found in sync). */
  exchangesCompleted: number;
  /** Of the completed, those whose roots were equal. */
  exchangesInSync: number;
  /** The peer stopped answering, or a view change took the range away. */
  exchangesAbandoned: number;
  /** The peer does not host the range (another view) or its tree is being rebuilt. */
  exchangesDeclined: number;
  /** Exchanges or key batches refused by admission control (retried at the next tick). */
  admissionRefused: number;
  /** Keys whose local sibling set changed with versions pulled from a peer, as initiator. */
  keysRepairedAsInitiator: number;
  /** Keys whose local sibling set changed with versions an initiator pushed here. */
  keysRepairedAsResponder: number;
  /** Keys whose versions this node sent (either role). */
  keysSent: number;
  /** Anti-entropy messages and bytes this node sent (either role). */
  messagesSent: number;
  bytesSent: number;
  treesBuilt: number;
  treesDropped: number;
  /** Keys and bytes hashed by tree (re)builds, and the time the builds took (µs of local time). */
  keysHashed: number;
  bytesHashed: number;
  rebuildUs: number;
}

// ---- messages -----------------------------------------------------------------------------

/** Every request names the exchange, the request and the range (the cost model's header covers them). */
interface RangeAddress {
  readonly xid: number;
  readonly rid: number;
  readonly partition: number;
  readonly start: number;
  readonly end: number;
}

interface ChildrenRequest extends RangeAddress {
  readonly level: number;
  readonly index: number;
}

interface SegmentRequest extends RangeAddress {
  readonly segment: number;
}

interface KeyEntry {
  readonly key: string;
  readonly versions: Siblings;
}

interface KeysRequest extends RangeAddress {
  /** The initiator's siblings for differing keys it holds. */
  readonly push: readonly KeyEntry[];
  /** Key ids whose siblings the initiator wants back. */
  readonly want: readonly number[];
}

/** ok false: the peer does not host the range under its view, or its tree is not ready. */
interface Reply {
  readonly xid: number;
  readonly rid: number;
  readonly ok: boolean;
}

interface RootReply extends Reply {
  readonly hash: number;
}

interface ChildrenReply extends Reply {
  readonly level: number;
  readonly index: number;
  readonly children: readonly ChildHash[];
}

interface SegmentReply extends Reply {
  readonly segment: number;
  readonly items: readonly SegmentItem[];
}

interface KeysReply extends Reply {
  readonly entries: readonly KeyEntry[];
}

// ---- state --------------------------------------------------------------------------------

interface RangeState {
  /** Its index in the current view (a strategy-1 range keeps its tree when only its index moves). */
  partition: number;
  readonly range: PartitionRange;
  readonly tree: MerkleTree;
  /** Key id (ring position) → key, for every key in the tree. */
  readonly keys: Map<number, string>;
  /** Local time from which the tree may be used (its rebuild is done). */
  readyAtUs: number;
}

interface KeyDiff {
  readonly id: number;
  /** The initiator holds the key (it pushes its siblings). */
  readonly mine: boolean;
  /** The peer holds the key (the initiator wants its siblings). */
  readonly theirs: boolean;
}

type Phase = 'tree' | 'admission' | 'reading' | 'keys';

interface Exchange {
  readonly xid: number;
  readonly peer: number;
  readonly state: RangeState;
  phase: Phase;
  /** Tree requests still to send: [level, index] (level === depth: a segment). */
  readonly visits: Array<[number, number]>;
  visitHead: number;
  /** Requests sent and not yet answered, by request id (a duplicated or late reply matches none). */
  readonly waiting: Set<number>;
  readonly diffs: KeyDiff[];
  /** The key limit cut the descent short: the range stays pending. */
  truncated: boolean;
  batchStart: number;
  timer: Timer | null;
  deadlineUs: number;
}

/** The ranges (partition indices) whose top-n replicas include `node` under `view`, ascending. */
export function hostedPartitions(view: MembershipView, node: number, n: number): number[] {
  const out: number[] = [];
  const q = view.ring.partitions;
  for (let p = 0; p < q; p++) if (inTopN(view.preflists.get(p), n, node)) out.push(p);
  return out;
}

/** Bytes a tree build hashes for one key: the key, each version's clock and value id. */
function hashedBytes(key: string, siblings: Siblings): number {
  let bytes = key.length;
  for (let i = 0; i < siblings.length; i++) bytes += clockSizeBytes(siblings[i]!.clock) + VALUE_ID_BYTES;
  return bytes;
}

function rangeName(range: PartitionRange): string {
  return `${range.start}:${range.end}`;
}

function differingKey(ex: Exchange): string {
  return `${rangeName(ex.state.range)}/${ex.peer}`;
}

function entryBytes(entries: readonly KeyEntry[]): number {
  let bytes = 0;
  for (const e of entries) bytes += e.key.length + versionSetSizeBytes(e.versions);
  return bytes;
}

export class AntiEntropy implements NodeComponent {
  readonly name = ANTI_ENTROPY;
  readonly messageTypes: readonly string[] = Object.values(AE_MSG);
  readonly stats: AntiEntropyStats = {
    exchangesStarted: 0,
    exchangesCompleted: 0,
    exchangesInSync: 0,
    exchangesAbandoned: 0,
    exchangesDeclined: 0,
    admissionRefused: 0,
    keysRepairedAsInitiator: 0,
    keysRepairedAsResponder: 0,
    keysSent: 0,
    messagesSent: 0,
    bytesSent: 0,
    treesBuilt: 0,
    treesDropped: 0,
    keysHashed: 0,
    bytesHashed: 0,
    rebuildUs: 0,
  };
  readonly enabled: boolean;
  private readonly config: DynamoConfig;
  private readonly cost: ExchangeCostModel;
  private readonly batchKeys: number;
  private readonly maxOutstanding: number;
  private readonly maxKeysPerExchange: number;
  /** Hosted ranges by partition index of the current view, ascending. */
  private ranges = new Map<number, RangeState>();
  private order: number[] = [];
  private cursor = 0;
  private readonly exchanges = new Map<number, Exchange>();
  private nextXid = 1;
  /** When the (single) hashing task is free: rebuilds run one after another. */
  private hashFreeAtUs = 0;
  /** Ranges found to differ and not repaired since, by `${range}/${peer}`. */
  private readonly differing = new Map<string, { state: RangeState; peer: number }>();
  private nextRid = 1;
  /** A stream of this component's own, so installing it reshuffles no other draw of the node. */
  private readonly rng: RandomStream;

  constructor(
    private readonly services: NodeServices,
    options: AntiEntropyOptions = {},
  ) {
    this.config = services.config;
    this.enabled = this.config.antiEntropy.enabled;
    this.cost = { ...DEFAULT_EXCHANGE_COST, headerBytes: this.config.messageHeaderBytes };
    this.batchKeys = requireInteger('antiEntropy batchKeys', options.batchKeys ?? this.config.transfer.batchKeys, 1);
    this.maxOutstanding = requireInteger('antiEntropy maxOutstanding', options.maxOutstanding ?? 64, 1);
    this.maxKeysPerExchange = requireInteger('antiEntropy maxKeysPerExchange', options.maxKeysPerExchange ?? 100_000, 1);
    const ctx = services.ctx;
    // One stream per incarnation of the node (a restart draws afresh, deterministically).
    this.rng = ctx.rng.child(`${ANTI_ENTROPY}@${ctx.nowUs()}`);
    if (!this.enabled) return;
    this.adopt(services.view());
    ctx.setTimer(this.rng.int(1, this.config.antiEntropy.intervalUs), 'ae-tick', this.tick);
  }

  // ---- inspection ---------------------------------------------------------------------------

  /** Exchanges this node is driving now. */
  get activeExchanges(): number {
    return this.exchanges.size;
  }

  /** Hosted partitions, ascending. */
  partitions(): readonly number[] {
    return this.order;
  }

  /** Root hash of each hosted range's tree, by partition, ascending. */
  roots(): Map<number, number> {
    const out = new Map<number, number>();
    for (const p of this.order) out.set(p, root(this.ranges.get(p)!.tree));
    return out;
  }

  /** Whether the tree of `partition` is built and usable for exchanges. */
  isReady(partition: number): boolean {
    const state = this.ranges.get(partition);
    return state !== undefined && this.services.ctx.nowUs() >= state.readyAtUs;
  }

  pending(): string[] {
    if (!this.enabled) return [];
    const me = this.services.ctx.id;
    const out: string[] = [];
    for (const { state, peer } of this.differing.values()) out.push(`partition ${state.partition} differs between node ${me} and node ${peer}`);
    const nowUs = this.services.ctx.nowUs();
    for (const p of this.order) {
      const state = this.ranges.get(p)!;
      if (nowUs < state.readyAtUs) out.push(`partition ${p}: Merkle tree of node ${me} rebuilding (ready in ${state.readyAtUs - nowUs} µs)`);
    }
    return out;
  }

  // ---- trees --------------------------------------------------------------------------------

  onKeyChanged(key: string, siblings: Siblings): void {
    if (!this.enabled) return;
    const position = this.services.hasher.position(key);
    const state = this.ranges.get(partitionOf(this.services.view().ring, position));
    if (state !== undefined) setItem(state, position, key, siblings);
  }

  onViewChange(_before: MembershipView, after: MembershipView): void {
    if (!this.enabled) return;
    this.adopt(after);
  }

  /** Keep trees of ranges still hosted with the same bounds, drop the others, build the new ones. */
  private adopt(view: MembershipView): void {
    const old = new Map<string, RangeState>();
    for (const state of this.ranges.values()) old.set(rangeName(state.range), state);
    const ranges = new Map<number, RangeState>();
    const fresh = new Map<number, RangeState>();
    const order = hostedPartitions(view, this.services.ctx.id, this.config.n);
    for (const p of order) {
      const range = partitionRange(view.ring, p);
      const kept = old.get(rangeName(range));
      if (kept !== undefined) {
        old.delete(rangeName(range));
        kept.partition = p;
        ranges.set(p, kept);
        continue;
      }
      const { fanout, depth } = this.config.antiEntropy;
      const state: RangeState = { partition: p, range, tree: createTree({ fanout, depth }), keys: new Map(), readyAtUs: 0 };
      ranges.set(p, state);
      fresh.set(p, state);
    }
    this.stats.treesDropped += old.size;
    this.ranges = ranges;
    this.order = order;
    if (this.cursor >= order.length) this.cursor = 0;
    for (const ex of [...this.exchanges.values()]) if (this.ranges.get(ex.state.partition) !== ex.state) this.abandon(ex);
    for (const [key, d] of [...this.differing]) {
      if (this.ranges.get(d.state.partition) !== d.state || !inTopN(view.preflists.get(d.state.partition), this.config.n, d.peer)) this.differing.delete(key);
    }
    if (fresh.size > 0) this.build(view, fresh);
  }

  /** Fill new trees from one scan of the store, and charge the hashing. */
  private build(view: MembershipView, fresh: Map<number, RangeState>): void {
    const bytes = new Map<number, number>();
    for (const [key, siblings] of this.services.store.entries()) {
      if (siblings.length === 0) continue;
      const position = this.services.hasher.position(key);
      const p = partitionOf(view.ring, position);
      const state = fresh.get(p);
      if (state === undefined) continue;
      setItem(state, position, key, siblings);
      bytes.set(p, (bytes.get(p) ?? 0) + hashedBytes(key, siblings));
    }
    const { fanout, depth, rebuildBytesPerSec } = this.config.antiEntropy;
    const nowUs = this.services.ctx.nowUs();
    for (const [p, state] of fresh) {
      const keyCount = state.tree.keyCount;
      const hashed = (bytes.get(p) ?? 0) + rebuildCost(keyCount, { fanout, depth, bytesPerKey: 0 }, this.cost).bytesHashed;
      const delayUs = Math.ceil((hashed * 1e6) / rebuildBytesPerSec);
      this.hashFreeAtUs = Math.max(this.hashFreeAtUs, nowUs) + delayUs;
      state.readyAtUs = this.hashFreeAtUs;
      this.stats.treesBuilt++;
      this.stats.keysHashed += keyCount;
      this.stats.bytesHashed += hashed;
      this.stats.rebuildUs += delayUs;
    }
  }

  // ---- the initiator ------------------------------------------------------------------------

  private readonly tick = (): void => {
    this.services.ctx.setTimer(this.config.antiEntropy.intervalUs, 'ae-tick', this.tick);
    for (const ex of [...this.exchanges.values()]) if (ex.phase === 'admission') this.nextBatch(ex);
    if (this.exchanges.size < this.config.antiEntropy.concurrency) this.startNext();
  };

  /** Start an exchange on the next hosted range (round-robin) that is ready, idle and has a reachable peer. */
  private startNext(): void {
    const nowUs = this.services.ctx.nowUs();
    const count = this.order.length;
    for (let tries = 0; tries < count; tries++) {
      const at = (this.cursor + tries) % count;
      const state = this.ranges.get(this.order[at]!)!;
      if (nowUs < state.readyAtUs || this.busy(state)) continue;
      const peers = this.peersOf(state.partition);
      if (peers.length === 0) continue;
      if (!this.services.admission.tryAcquire(nowUs, 1)) {
        this.stats.admissionRefused++;
        this.cursor = at; // the same range first at the next tick
        return;
      }
      this.cursor = (at + 1) % count;
      this.start(state, this.rng.pick(peers));
      return;
    }
  }

  private busy(state: RangeState): boolean {
    for (const ex of this.exchanges.values()) if (ex.state === state) return true;
    return false;
  }

  /** The range's other top-N replicas that this node believes reachable. */
  private peersOf(partition: number): number[] {
    const list = this.services.view().preflists.get(partition);
    const k = Math.min(this.config.n, list.length);
    const me = this.services.ctx.id;
    const peers: number[] = [];
    for (let i = 0; i < k; i++) {
      const node = list[i]!;
      if (node !== me && this.services.fd.isReachable(node)) peers.push(node);
    }
    return peers;
  }

  private start(state: RangeState, peer: number): void {
    const ex: Exchange = {
      xid: this.nextXid++,
      peer,
      state,
      phase: 'tree',
      visits: [],
      visitHead: 0,
      waiting: new Set(),
      diffs: [],
      truncated: false,
      batchStart: 0,
      timer: null,
      deadlineUs: 0,
    };
    this.exchanges.set(ex.xid, ex);
    this.stats.exchangesStarted++;
    this.request(ex, AE_MSG.root, this.address(ex), this.cost.headerBytes + this.cost.indexBytes);
  }

  /** A new request of the exchange: its id and the range. */
  private address(ex: Exchange): RangeAddress {
    const { partition, range } = ex.state;
    return { xid: ex.xid, rid: this.nextRid++, partition, start: range.start, end: range.end };
  }

  /** Send a request to the exchange's peer and watch for its answer. */
  private request(ex: Exchange, type: string, payload: RangeAddress, sizeBytes: number): void {
    if (ex.waiting.size === 0) ex.deadlineUs = this.services.ctx.nowUs() + this.config.failureDetector.timeoutUs;
    ex.waiting.add(payload.rid);
    this.send(ex.peer, type, payload, sizeBytes);
    if (ex.timer === null) ex.timer = this.services.ctx.setTimer(this.config.failureDetector.timeoutUs, 'ae-timeout', () => this.onDeadline(ex));
  }

  private send(dst: number, type: string, payload: unknown, sizeBytes: number): void {
    this.stats.messagesSent++;
    this.stats.bytesSent += sizeBytes;
    this.services.ctx.send(dst, type, payload, sizeBytes);
  }

  private onDeadline(ex: Exchange): void {
    ex.timer = null;
    if (this.exchanges.get(ex.xid) !== ex || ex.waiting.size === 0) return;
    const nowUs = this.services.ctx.nowUs();
    if (nowUs < ex.deadlineUs) {
      ex.timer = this.services.ctx.setTimer(ex.deadlineUs - nowUs, 'ae-timeout', () => this.onDeadline(ex));
      return;
    }
    this.abandon(ex);
    this.services.fd.noAnswer(ex.peer, nowUs);
  }

  /** The exchange of a reply, if it is still running (a late reply to an abandoned exchange is dropped). */
  private answered(reply: Reply): Exchange | null {
    const ex = this.exchanges.get(reply.xid);
    if (ex === undefined || !ex.waiting.delete(reply.rid)) return null;
    ex.deadlineUs = this.services.ctx.nowUs() + this.config.failureDetector.timeoutUs;
    if (this.ranges.get(ex.state.partition) !== ex.state) {
      this.abandon(ex);
      return null;
    }
    if (!reply.ok) {
      this.end(ex);
      this.stats.exchangesDeclined++;
      return null;
    }
    return ex;
  }

  private onRootReply(reply: RootReply): void {
    const ex = this.answered(reply);
    if (ex === null) return;
    if (reply.hash === root(ex.state.tree)) {
      this.differing.delete(differingKey(ex));
      this.stats.exchangesInSync++;
      this.complete(ex);
      return;
    }
    this.differing.set(differingKey(ex), { state: ex.state, peer: ex.peer });
    ex.visits.push([0, 0]);
    this.descend(ex);
  }

  private onChildrenReply(reply: ChildrenReply): void {
    const ex = this.answered(reply);
    if (ex === null) return;
    const tree = ex.state.tree;
    const mine = childHashes(tree, reply.level, reply.index);
    const theirs = reply.children;
    const childLevel = reply.level + 1;
    let i = 0;
    let j = 0;
    while (i < mine.length || j < theirs.length) {
      const x = mine[i];
      const y = theirs[j];
      let differing: number;
      if (y === undefined || (x !== undefined && x.index < y.index)) {
        differing = x!.index;
        i++;
      } else if (x === undefined || y.index < x.index) {
        differing = y.index;
        j++;
      } else {
        i++;
        j++;
        if (x.hash === y.hash) continue;
        differing = x.index;
      }
      ex.visits.push([childLevel, differing]);
    }
    this.descend(ex);
  }

  private onSegmentReply(reply: SegmentReply): void {
    const ex = this.answered(reply);
    if (ex === null) return;
    const mine = segmentItems(ex.state.tree, reply.segment);
    const theirs = reply.items;
    let i = 0;
    let j = 0;
    while (i < mine.length || j < theirs.length) {
      const x = mine[i];
      const y = theirs[j];
      if (y === undefined || (x !== undefined && x.key < y.key)) {
        ex.diffs.push({ id: x!.key, mine: true, theirs: false });
        i++;
      } else if (x === undefined || y.key < x.key) {
        ex.diffs.push({ id: y.key, mine: false, theirs: true });
        j++;
      } else {
        if (x.itemHash !== y.itemHash) ex.diffs.push({ id: x.key, mine: true, theirs: true });
        i++;
        j++;
      }
    }
    this.descend(ex);
  }

  /** Send the queued tree requests the window allows; when the descent is over, exchange the keys. */
  private descend(ex: Exchange): void {
    if (ex.diffs.length >= this.maxKeysPerExchange && ex.visitHead < ex.visits.length) {
      ex.truncated = true;
      ex.visitHead = ex.visits.length;
    }
    const depth = ex.state.tree.depth;
    const requestBytes = this.cost.headerBytes + this.cost.indexBytes;
    while (ex.waiting.size < this.maxOutstanding && ex.visitHead < ex.visits.length) {
      const [level, index] = ex.visits[ex.visitHead++]!;
      if (level === depth) {
        const req: SegmentRequest = { ...this.address(ex), segment: index };
        this.request(ex, AE_MSG.segment, req, requestBytes);
      } else {
        const req: ChildrenRequest = { ...this.address(ex), level, index };
        this.request(ex, AE_MSG.children, req, requestBytes);
      }
    }
    if (ex.waiting.size > 0) return;
    ex.diffs.sort((a, b) => a.id - b.id);
    this.nextBatch(ex);
  }

  /** Exchange the next batch of differing keys (after admission control), or finish. */
  private nextBatch(ex: Exchange): void {
    if (ex.batchStart >= ex.diffs.length) {
      this.complete(ex);
      return;
    }
    const state = ex.state;
    const store = this.services.store;
    const batch = ex.diffs.slice(ex.batchStart, ex.batchStart + this.batchKeys);
    let estimate = 0;
    for (const d of batch) {
      const key = d.mine ? state.keys.get(d.id) : undefined;
      const held = key === undefined ? undefined : store.peek(key);
      estimate += this.cost.keyBytes + (key === undefined || held === undefined ? 0 : key.length + versionSetSizeBytes(held));
    }
    const nowUs = this.services.ctx.nowUs();
    if (!this.services.admission.tryAcquire(nowUs, Math.max(1, Math.ceil(estimate / 1024)))) {
      this.stats.admissionRefused++;
      ex.phase = 'admission';
      return;
    }
    ex.phase = 'reading';
    const pushKeys: string[] = [];
    const want: number[] = [];
    for (const d of batch) {
      if (d.theirs) want.push(d.id);
      const key = d.mine ? state.keys.get(d.id) : undefined;
      if (key !== undefined) pushKeys.push(key);
    }
    readAll(store, pushKeys, (found) => {
      if (this.exchanges.get(ex.xid) !== ex) return; // abandoned meanwhile (a view change)
      const push: KeyEntry[] = [];
      for (let i = 0; i < pushKeys.length; i++) {
        const key = pushKeys[i]!;
        const versions = found[i];
        if (versions === undefined || versions.length === 0) {
          // The key left the store without a change notice (a range handed off): forget it.
          removeItem(state, this.services.hasher.position(key));
          continue;
        }
        push.push({ key, versions });
      }
      this.stats.keysSent += push.length;
      ex.phase = 'keys';
      ex.batchStart += batch.length;
      const req: KeysRequest = { ...this.address(ex), push, want };
      this.request(ex, AE_MSG.keys, req, this.cost.headerBytes + want.length * this.cost.keyBytes + entryBytes(push));
    });
  }

  private onKeysReply(reply: KeysReply): void {
    const ex = this.answered(reply);
    if (ex === null) return;
    for (const e of reply.entries) {
      if (this.merge(ex.state, e)) this.stats.keysRepairedAsInitiator++;
    }
    this.nextBatch(ex);
  }

  /** Merge a peer's versions of a key of the range as a replica write; true when they change the local state. */
  private merge(state: RangeState, e: KeyEntry): boolean {
    const position = this.services.hasher.position(e.key);
    if (e.versions.length === 0 || partitionOf(this.services.view().ring, position) !== state.partition) return false;
    const before = this.services.store.peek(e.key) ?? [];
    const after = mergeInto(before, e.versions);
    if (versionSetHash(after) === versionSetHash(before)) return false;
    this.services.writeLocal(e.key, e.versions as readonly Version[], () => {});
    return true;
  }

  private complete(ex: Exchange): void {
    if (!ex.truncated) this.differing.delete(differingKey(ex));
    this.stats.exchangesCompleted++;
    this.end(ex);
  }

  private abandon(ex: Exchange): void {
    this.stats.exchangesAbandoned++;
    this.end(ex);
  }

  private end(ex: Exchange): void {
    this.exchanges.delete(ex.xid);
    if (ex.timer !== null) {
      this.services.ctx.cancelTimer(ex.timer);
      ex.timer = null;
    }
  }

  // ---- the responder ------------------------------------------------------------------------

  /** The tree a request addresses, if this node hosts that very range and the tree is ready. */
  private served(req: RangeAddress): RangeState | null {
    if (!this.enabled) return null;
    const state = this.ranges.get(req.partition);
    if (state === undefined || state.range.start !== req.start || state.range.end !== req.end) return null;
    return this.services.ctx.nowUs() >= state.readyAtUs ? state : null;
  }

  private decline(to: number, type: string, req: RangeAddress, extra: object): void {
    this.send(to, type, { xid: req.xid, rid: req.rid, ok: false, ...extra }, this.cost.headerBytes);
  }

  onMessage(msg: Message): void {
    switch (msg.type) {
      case AE_MSG.root: {
        const req = msg.payload as RangeAddress;
        const state = this.served(req);
        if (state === null) return this.decline(msg.src, AE_MSG.rootReply, req, { hash: 0 });
        const reply: RootReply = { xid: req.xid, rid: req.rid, ok: true, hash: root(state.tree) };
        return this.send(msg.src, AE_MSG.rootReply, reply, this.cost.headerBytes + this.cost.hashBytes);
      }
      case AE_MSG.children: {
        const req = msg.payload as ChildrenRequest;
        const state = this.served(req);
        if (state === null) return this.decline(msg.src, AE_MSG.childrenReply, req, { level: req.level, index: req.index, children: [] });
        const children = childHashes(state.tree, req.level, req.index);
        const reply: ChildrenReply = { xid: req.xid, rid: req.rid, ok: true, level: req.level, index: req.index, children };
        return this.send(msg.src, AE_MSG.childrenReply, reply, childListBytes(children.length, state.tree.fanout, this.cost));
      }
      case AE_MSG.segment: {
        const req = msg.payload as SegmentRequest;
        const state = this.served(req);
        if (state === null) return this.decline(msg.src, AE_MSG.segmentReply, req, { segment: req.segment, items: [] });
        const items = segmentItems(state.tree, req.segment);
        const reply: SegmentReply = { xid: req.xid, rid: req.rid, ok: true, segment: req.segment, items };
        return this.send(msg.src, AE_MSG.segmentReply, reply, this.cost.headerBytes + items.length * (this.cost.keyBytes + this.cost.hashBytes));
      }
      case AE_MSG.keys:
        return this.onKeys(msg.src, msg.payload as KeysRequest);
      case AE_MSG.rootReply:
        return this.onRootReply(msg.payload as RootReply);
      case AE_MSG.childrenReply:
        return this.onChildrenReply(msg.payload as ChildrenReply);
      case AE_MSG.segmentReply:
        return this.onSegmentReply(msg.payload as SegmentReply);
      case AE_MSG.keysReply:
        return this.onKeysReply(msg.payload as KeysReply);
      default:
        return;
    }
  }

  /** Answer with this node's siblings for the wanted keys (read before merging), then merge the pushed ones. */
  private onKeys(from: number, req: KeysRequest): void {
    const state = this.served(req);
    if (state === null) return this.decline(from, AE_MSG.keysReply, req, { entries: [] });
    const keys: string[] = [];
    for (const id of req.want) {
      const key = state.keys.get(id);
      if (key !== undefined) keys.push(key);
    }
    readAll(this.services.store, keys, (found) => {
      const entries: KeyEntry[] = [];
      for (let i = 0; i < keys.length; i++) {
        const versions = found[i];
        if (versions !== undefined && versions.length > 0) entries.push({ key: keys[i]!, versions });
      }
      this.stats.keysSent += entries.length;
      const reply: KeysReply = { xid: req.xid, rid: req.rid, ok: true, entries };
      this.send(from, AE_MSG.keysReply, reply, this.cost.headerBytes + entryBytes(entries));
      const current = this.ranges.get(req.partition);
      if (current === undefined || rangeName(current.range) !== rangeName(req)) return; // the range left this node meanwhile
      for (const e of req.push) if (this.merge(current, e)) this.stats.keysRepairedAsResponder++;
    });
  }
}

/** Put a key's current siblings in its range's tree (an empty set removes it). */
function setItem(state: RangeState, position: number, key: string, siblings: Siblings): void {
  const tree = state.tree;
  const old = itemHashOf(tree, position);
  if (siblings.length === 0) {
    if (old !== 0) removeItem(state, position);
    return;
  }
  const known = state.keys.get(position);
  invariant(known === undefined || known === key, `keys ${JSON.stringify(known)} and ${JSON.stringify(key)} share ring position ${position}`);
  if (known === undefined) state.keys.set(position, key);
  update(tree, position, old, versionSetHash(siblings));
}

function removeItem(state: RangeState, position: number): void {
  const old = itemHashOf(state.tree, position);
  if (old !== 0) remove(state.tree, position, old);
  state.keys.delete(position);
}

/** Read keys from the store (the disk is charged); `done` gets their siblings in the same order. */
function readAll(store: LocalStore, keys: readonly string[], done: (found: Array<Siblings | undefined>) => void): void {
  const found = new Array<Siblings | undefined>(keys.length);
  let left = keys.length;
  if (left === 0) {
    done(found);
    return;
  }
  keys.forEach((key, i) => {
    store.read(key, (siblings) => {
      found[i] = siblings;
      if (--left === 0) done(found);
    });
  });
}

/** The component factory: `buildCluster({ components: [antiEntropyComponent()] })`. */
export function antiEntropyComponent(options: AntiEntropyOptions = {}): ComponentFactory {
  return (services) => new AntiEntropy(services, options);
}

// ---- for the liveness check ---------------------------------------------------------------

/** What rootsOf needs of a node (DynamoNode has it). */
export interface ReplicaNode {
  readonly id: number;
  readonly config: DynamoConfig;
  readonly store: LocalStore;
  readonly view: MembershipView;
  component<T extends NodeComponent>(name: string): T | null;
}

/**
 * The Merkle root of every range `node` hosts, by partition (ascending). With
 * an enabled anti-entropy component and no `view`: its trees. Otherwise
 * (component absent or disabled, or another view asked for): trees computed
 * from the node's store for the ranges it hosts under `view` (default: its
 * own), so replicas can be compared whether or not anti-entropy runs.
 */
export function rootsOf(node: ReplicaNode, options: { view?: MembershipView; hasher?: KeyHasher } = {}): Map<number, number> {
  const component = node.component<AntiEntropy>(ANTI_ENTROPY);
  if (options.view === undefined && component !== null && component.enabled) return component.roots();
  const view = options.view ?? node.view;
  const hasher = options.hasher ?? new KeyHasher();
  const { fanout, depth } = node.config.antiEntropy;
  const trees = new Map<number, RangeState>();
  for (const p of hostedPartitions(view, node.id, node.config.n)) {
    trees.set(p, { partition: p, range: partitionRange(view.ring, p), tree: createTree({ fanout, depth }), keys: new Map(), readyAtUs: 0 });
  }
  for (const [key, siblings] of node.store.entries()) {
    const position = hasher.position(key);
    const state = trees.get(partitionOf(view.ring, position));
    if (state !== undefined) setItem(state, position, key, siblings);
  }
  const out = new Map<number, number>();
  for (const [p, state] of trees) out.set(p, root(state.tree));
  return out;
}

export interface RootDifference {
  readonly partition: number;
  /** The partition's top-N replicas under the view, and each one's root (null: the node is down). */
  readonly replicas: readonly number[];
  readonly roots: readonly (number | null)[];
}

/**
 * Partitions whose top-N replicas (under `view`) do not all have the same
 * Merkle root: empty when every replica set has converged. `nodes[id]` is
 * the running node with that id, or null while it is down (a down replica
 * counts as differing).
 */
export function divergentPartitions(options: { nodes: readonly (ReplicaNode | null)[]; view: MembershipView; n: number; hasher?: KeyHasher }): RootDifference[] {
  const { nodes, view, n } = options;
  requireInteger('n', n, 1);
  const hasher = options.hasher ?? new KeyHasher();
  const roots = new Map<number, Map<number, number>>();
  const rootsFor = (id: number): Map<number, number> | null => {
    const node = nodes[id];
    if (node === undefined) throw new InvalidOptionError('nodes', id, `a node (or null) for every replica id; none for ${id}`);
    if (node === null) return null;
    let r = roots.get(id);
    if (r === undefined) {
      r = rootsOf(node, { view, hasher });
      roots.set(id, r);
    }
    return r;
  };
  const out: RootDifference[] = [];
  for (let p = 0; p < view.ring.partitions; p++) {
    const list = view.preflists.get(p);
    const replicas = Array.from(list.subarray(0, Math.min(n, list.length)));
    const values = replicas.map((id) => rootsFor(id)?.get(p) ?? null);
    if (values.some((v) => v === null || v !== values[0])) out.push({ partition: p, replicas, roots: values });
  }
  return out;
}
