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
 * strategy 1 every split or merged token range) are built from the store;
 * so are all trees when a node restarts (its components are created anew
 * from the surviving store). Building is charged: the bytes hashed (each key
 * with its clocks and value ids, plus the inner nodes: merkle.rebuildCost) at
 * `antiEntropy.rebuildBytesPerSec`, one tree after another (one hashing task
 * working through a queue); until its rebuild is done a tree takes part in
 * no exchange, on either side. A rebuild is a local timer of its duration,
 * never a comparison with an absolute local time: a clock that jumps (a skew
 * fault) neither stalls nor shortens it. The same holds for every timeout
 * here.
 *
 * Exchanges. "Two nodes exchange the root of the Merkle tree corresponding
 * to the key ranges that they host in common" (§4.7): one exchange is
 * between two nodes and covers every range they share, so a node compares
 * all its ranges with all its peers in as many intervals as it has peers,
 * however many partitions the ring has. Every `antiEntropy.intervalUs`
 * (random phase) a node starts one exchange, at most
 * `antiEntropy.concurrency` at once, after admission control (§6.5) grants
 * it: with the next peer round-robin (ascending ids, random start) among the
 * nodes that share a range with it under its view, skipping peers the
 * failure detector believes unreachable and peers it is exchanging with. The
 * initiator drives, the peer answers from its trees and keeps no state per
 * exchange:
 *   ae-roots     → ae-roots-reply      the initiator's root of every shared
 *                                      range whose tree is ready (a partition
 *                                      id and a root each); the reply carries
 *                                      the peer's roots for the ranges it
 *                                      hosts with a ready tree and omits
 *                                      (declines) the others;
 *   ae-children  → ae-children-reply   per differing inner node of a range
 *                                      whose roots differ: the peer's
 *                                      non-empty children (childHashes);
 *   ae-segment   → ae-segment-reply    per differing segment: the peer's
 *                                      (key id, item hash) pairs;
 *   ae-keys      → ae-keys-reply       per batch of differing keys (of one or
 *                                      more ranges): the initiator's siblings
 *                                      for the keys it holds and the ids it
 *                                      wants; the reply carries the peer's
 *                                      siblings for those.
 * Only ranges whose roots differ are descended; the descents of all of them
 * share the exchange's window of `maxOutstanding` tree requests. Sizes: the
 * root messages are a header plus 8 bytes per range (partition id and root:
 * `indexBytes + hashBytes`), so they grow with the ranges shared and not
 * with the keys; the descent is merkle.diff's cost model with the node's
 * message header; a key batch adds, per range in it, its partition id, and
 * each key and its versions' sizes. Both sides merge what they receive as
 * replica writes (services.writeLocal): sibling sets merge, nothing is
 * overwritten. An exchange costs one admission token, and every key batch
 * asks again (a token per KiB); refused, the exchange asks again after
 * `admissionRetryUs` (1 s: a large repair drains the token bucket in a few
 * batches, and waiting a whole interval per refusal would stretch it over
 * minutes). A refused exchange start waits for the next tick. An exchange whose peer answers nothing for `failureDetector.timeoutUs`
 * is abandoned and the peer reported to the failure detector; late replies
 * find no exchange and are dropped. A range the peer declines halfway (its
 * view changed, its tree is being rebuilt), or that a view change takes away,
 * leaves the exchange; the others go on.
 *
 * `antiEntropy.enabled: false` installs a component that keeps no trees,
 * sets no timers and starts no exchange; it only declines requests (should a
 * peer configured otherwise ask), so the peer does not take it for dead. Not
 * installing the component has the same effect, except that such requests go
 * unanswered.
 */
import { HeadQueue } from '../../sim/headQueue.js';
import type { Timer } from '../../sim/host.js';
import type { Message } from '../../sim/network.js';
import type { RandomStream } from '../../sim/random.js';
import { InvalidOptionError, invariant, requireInteger } from '../../sim/errors.js';
import type { ComponentFactory, NodeComponent, NodeServices } from './component.js';
import type { DynamoConfig } from './config.js';
import {
  DEFAULT_EXCHANGE_COST,
  childHashes,
  differingChildren,
  differingItems,
  childListBytes,
  createTree,
  itemHashOf,
  rebuildCost,
  remove,
  root,
  segmentItems,
  upsert,
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
  roots: 'ae-roots',
  rootsReply: 'ae-roots-reply',
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
  /** Tree requests (children, segments) an exchange has in flight at once, over all its ranges (default 64). */
  readonly maxOutstanding?: number;
  /** Differing keys one exchange repairs at most; the rest waits for the next exchange with the peer (default 100,000). */
  readonly maxKeysPerExchange?: number;
  /** A key batch refused by admission control asks again after this long (default 1 s, at most the exchange interval). */
  readonly admissionRetryUs?: number;
}

export interface AntiEntropyStats {
  /** Exchanges with a peer (each covers every range the two share). */
  exchangesStarted: number;
  /** Ended with the ranges repaired (or found in sync). */
  exchangesCompleted: number;
  /** Of the completed, those whose roots were all equal. */
  exchangesInSync: number;
  /** The peer stopped answering, or a view change took every range away. */
  exchangesAbandoned: number;
  /** The peer declined every range (another view, trees being rebuilt, anti-entropy off). */
  exchangesDeclined: number;
  /** Ranges whose roots were compared, and of those the ones that differed. */
  rangesCompared: number;
  rangesDiffered: number;
  /** Ranges the peer declined (at the roots or halfway through the descent). */
  rangesDeclined: number;
  /** Exchange starts (retried at the next tick) or key batches (retried after admissionRetryUs) refused by admission control. */
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
  /** Keys and bytes hashed by tree (re)builds, and the time the builds take (µs of local time). */
  keysHashed: number;
  bytesHashed: number;
  rebuildUs: number;
}

// ---- messages -----------------------------------------------------------------------------

/**
 * A range, as a request names it. On the wire the partition id and the view
 * version in the header name it (that is what is charged); the bounds travel
 * here so that the receiver can check it hosts that very range.
 */
interface RangeRef {
  readonly partition: number;
  readonly start: number;
  readonly end: number;
}

/** Every request names the exchange and the request (the cost model's header covers them). */
interface RequestId {
  readonly xid: number;
  readonly rid: number;
}

interface RangeRoot extends RangeRef {
  readonly hash: number;
}

interface RootsRequest extends RequestId {
  /** The initiator's roots of the shared ranges, ascending by partition. */
  readonly ranges: readonly RangeRoot[];
}

interface RangeAddress extends RequestId, RangeRef {}

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

interface RangeKeys extends RangeRef {
  /** The initiator's siblings for differing keys of the range it holds. */
  readonly push: readonly KeyEntry[];
  /** Key ids of the range whose siblings the initiator wants back. */
  readonly want: readonly number[];
}

interface KeysRequest extends RequestId {
  readonly ranges: readonly RangeKeys[];
}

/** ok false: the peer does not serve the request at all (the range or, for ae-roots, anti-entropy). */
interface Reply extends RequestId {
  readonly ok: boolean;
}

interface RootsReply extends Reply {
  /** The peer's roots of the ranges it serves; a range left out is declined. */
  readonly roots: readonly { readonly partition: number; readonly hash: number }[];
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
  /** Partitions of the request the peer no longer serves (their pushed keys were not merged). */
  readonly declined: readonly number[];
}

// ---- state --------------------------------------------------------------------------------

interface RangeState {
  /** Its index in the current view (a strategy-1 range keeps its tree when only its index moves). */
  partition: number;
  readonly range: PartitionRange;
  readonly tree: MerkleTree;
  /** Key id (ring position) → key, for every key in the tree. */
  readonly keys: Map<number, string>;
  /** Its rebuild is done (set by the rebuild's timer): the tree may be used in exchanges. */
  ready: boolean;
  /** How long its rebuild takes (µs of local time). */
  rebuildUs: number;
}

/** One range of an exchange. */
interface RangeWork {
  readonly state: RangeState;
  /** Its position in the exchange (ranges go in partition order): key batches go range by range. */
  readonly order: number;
  /** The roots differed: the range is descended and its differing keys exchanged. */
  differs: boolean;
  /** Part of it was not compared or repaired (the key limit, a decline, a view change): it stays pending. */
  incomplete: boolean;
  /** No more requests for it (the peer declined it, or a view change took it away). */
  dropped: boolean;
}

interface Visit {
  readonly work: RangeWork;
  /** level === depth: a segment. */
  readonly level: number;
  readonly index: number;
}

interface KeyDiff {
  readonly work: RangeWork;
  readonly id: number;
  /** The initiator holds the key (it pushes its siblings). */
  readonly mine: boolean;
  /** The peer holds the key (the initiator wants its siblings). */
  readonly theirs: boolean;
}

type Phase = 'roots' | 'tree' | 'admission' | 'reading' | 'keys';

interface Exchange {
  readonly xid: number;
  readonly peer: number;
  phase: Phase;
  /** The shared ranges, by their partition index when the exchange started, ascending. */
  readonly ranges: Map<number, RangeWork>;
  /** Tree requests still to send, over all differing ranges. */
  readonly visits: Visit[];
  visitHead: number;
  /** Requests sent and not yet answered, by request id, with the range a tree request is about (a duplicated or late reply matches none). */
  readonly waiting: Map<number, RangeWork | null>;
  readonly diffs: KeyDiff[];
  batchStart: number;
  /** The ranges of the key batch in flight, by the partition index the request named. */
  batchRanges: Map<number, RangeWork>;
  /** Fires when the peer has answered nothing for the timeout; re-armed at every answer. */
  timer: Timer | null;
  /** Asks admission control again for a refused key batch. */
  retry: Timer | null;
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

function differingKey(state: RangeState, peer: number): string {
  return `${rangeName(state.range)}/${peer}`;
}

function refOf(state: RangeState): RangeRef {
  return { partition: state.partition, start: state.range.start, end: state.range.end };
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
    rangesCompared: 0,
    rangesDiffered: 0,
    rangesDeclined: 0,
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
  /** Bytes one range takes in a root message: its partition id and its root. */
  private readonly rangeRootBytes: number;
  private readonly batchKeys: number;
  private readonly maxOutstanding: number;
  private readonly maxKeysPerExchange: number;
  private readonly admissionRetryUs: number;
  /** Hosted ranges by partition index of the current view, ascending. */
  private ranges = new Map<number, RangeState>();
  private order: number[] = [];
  /** Nodes sharing at least one range with this node under its view, ascending. */
  private peers: number[] = [];
  /** The peer the next exchange goes to, or the first above it (-1: a random one, drawn at the first exchange). */
  private nextPeer = -1;
  private readonly exchanges = new Map<number, Exchange>();
  private nextXid = 1;
  /** Trees waiting for the (single) hashing task, in order; `building` is the one being hashed. */
  private readonly buildQueue = new HeadQueue<RangeState>();
  private building: RangeState | null = null;
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
    this.rangeRootBytes = this.cost.indexBytes + this.cost.hashBytes;
    this.batchKeys = requireInteger('antiEntropy batchKeys', options.batchKeys ?? this.config.transfer.batchKeys, 1);
    this.maxOutstanding = requireInteger('antiEntropy maxOutstanding', options.maxOutstanding ?? 64, 1);
    this.maxKeysPerExchange = requireInteger('antiEntropy maxKeysPerExchange', options.maxKeysPerExchange ?? 100_000, 1);
    const retryUs = options.admissionRetryUs ?? Math.min(1_000_000, this.config.antiEntropy.intervalUs);
    this.admissionRetryUs = requireInteger('antiEntropy admissionRetryUs', retryUs, 1);
    const ctx = services.ctx;
    // One stream per incarnation of the node (a restart draws afresh, deterministically).
    this.rng = ctx.rng.child(`${ANTI_ENTROPY}@${ctx.nowUs()}`);
    if (!this.enabled) return;
    // Every tree is built from the store: at start, and again after a restart (the store survives, the trees do not).
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

  /** Nodes that share a range with this one (the peers exchanges go to), ascending. */
  exchangePeers(): readonly number[] {
    return this.peers;
  }

  /** Root hash of each hosted range's tree, by partition, ascending. */
  roots(): Map<number, number> {
    const out = new Map<number, number>();
    for (const p of this.order) out.set(p, root(this.ranges.get(p)!.tree));
    return out;
  }

  /** Whether the tree of `partition` is built and usable for exchanges. */
  isReady(partition: number): boolean {
    return this.ranges.get(partition)?.ready === true;
  }

  pending(): string[] {
    if (!this.enabled) return [];
    const me = this.services.ctx.id;
    const out: string[] = [];
    for (const { state, peer } of this.differing.values()) out.push(`partition ${state.partition} differs between node ${me} and node ${peer}`);
    for (const p of this.order) {
      const state = this.ranges.get(p)!;
      if (state.ready) continue;
      const status = this.building === state ? 'under way' : 'queued';
      out.push(`partition ${p}: Merkle tree of node ${me} rebuilding (${state.rebuildUs} µs of hashing, ${status})`);
    }
    return out;
  }

  // ---- trees --------------------------------------------------------------------------------

  onKeyChanged(key: string, siblings: Siblings, position: number, partition: number, added: boolean): void {
    if (!this.enabled) return;
    const state = this.ranges.get(partition);
    if (state !== undefined) setItem(state, position, key, siblings, added);
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
    const me = this.services.ctx.id;
    const n = this.config.n;
    const order = hostedPartitions(view, me, n);
    const peers = new Set<number>();
    for (const p of order) {
      const list = view.preflists.get(p);
      for (let i = 0; i < Math.min(n, list.length); i++) if (list[i]! !== me) peers.add(list[i]!);
      const range = partitionRange(view.ring, p);
      const kept = old.get(rangeName(range));
      if (kept !== undefined) {
        old.delete(rangeName(range));
        kept.partition = p;
        ranges.set(p, kept);
        continue;
      }
      const { fanout, depth } = this.config.antiEntropy;
      const state: RangeState = { partition: p, range, tree: createTree({ fanout, depth }), keys: new Map(), ready: false, rebuildUs: 0 };
      ranges.set(p, state);
      fresh.set(p, state);
    }
    this.stats.treesDropped += old.size;
    this.ranges = ranges;
    this.order = order;
    this.peers = [...peers].sort((a, b) => a - b);
    for (const ex of [...this.exchanges.values()]) {
      let live = 0;
      for (const work of ex.ranges.values()) if (this.usable(work)) live++;
      if (live === 0) this.abandon(ex);
    }
    for (const [key, d] of [...this.differing]) {
      if (!this.current(d.state) || !inTopN(view.preflists.get(d.state.partition), n, d.peer)) this.differing.delete(key);
    }
    if (fresh.size > 0) this.build(view, fresh);
  }

  /** Fill new trees from one scan of the store, and queue their hashing (its cost). */
  private build(view: MembershipView, fresh: Map<number, RangeState>): void {
    const bytes = new Map<number, number>();
    for (const [key, siblings] of this.services.store.entries()) {
      if (siblings.length === 0) continue;
      const position = this.services.hasher.position(key);
      const p = partitionOf(view.ring, position);
      const state = fresh.get(p);
      if (state === undefined) continue;
      setItem(state, position, key, siblings, true);
      bytes.set(p, (bytes.get(p) ?? 0) + hashedBytes(key, siblings));
    }
    const { fanout, depth, rebuildBytesPerSec } = this.config.antiEntropy;
    for (const [p, state] of fresh) {
      const keyCount = state.tree.keyCount;
      const hashed = (bytes.get(p) ?? 0) + rebuildCost(keyCount, { fanout, depth, bytesPerKey: 0 }, this.cost).bytesHashed;
      const delayUs = Math.ceil((hashed * 1e6) / rebuildBytesPerSec);
      state.rebuildUs = delayUs;
      this.buildQueue.push(state);
      this.stats.treesBuilt++;
      this.stats.keysHashed += keyCount;
      this.stats.bytesHashed += hashed;
      this.stats.rebuildUs += delayUs;
    }
    this.nextBuild();
  }

  /**
   * Hand the next queued tree to the hashing task: a timer of its rebuild
   * time marks it ready. A tree dropped meanwhile is hashed all the same (the
   * work was under way; the charge stands).
   */
  private nextBuild(): void {
    while (this.building === null) {
      const state = this.buildQueue.shift();
      if (state === undefined) return;
      if (state.rebuildUs === 0) {
        state.ready = true; // an empty tree: nothing to hash
        continue;
      }
      this.building = state;
      this.services.ctx.setTimer(state.rebuildUs, 'ae-rebuild', () => {
        invariant(this.building === state, 'one tree is hashed at a time');
        state.ready = true;
        this.building = null;
        this.nextBuild();
      });
    }
  }

  /** The state is still the tree of its range under the current view. */
  private current(state: RangeState): boolean {
    return this.ranges.get(state.partition) === state;
  }

  // ---- the initiator ------------------------------------------------------------------------

  private readonly tick = (): void => {
    this.services.ctx.setTimer(this.config.antiEntropy.intervalUs, 'ae-tick', this.tick);
    if (this.exchanges.size < this.config.antiEntropy.concurrency) this.startNext();
  };

  /** Start an exchange with the next peer (round-robin) that is reachable, idle and shares a ready range. */
  private startNext(): void {
    const peers = this.peers;
    const count = peers.length;
    if (count === 0) return;
    let first = 0;
    if (this.nextPeer < 0) first = this.rng.int(0, count - 1);
    else while (first < count && peers[first]! < this.nextPeer) first++;
    for (let tries = 0; tries < count; tries++) {
      const peer = peers[(first + tries) % count]!;
      if (!this.services.fd.isReachable(peer) || this.exchangingWith(peer)) continue;
      const shared = this.sharedReady(peer);
      if (shared.length === 0) continue;
      if (!this.services.admission.tryAcquire(this.services.ctx.nowUs(), 1)) {
        this.stats.admissionRefused++;
        this.nextPeer = peer; // the same peer first at the next tick
        return;
      }
      this.nextPeer = peer + 1;
      this.start(peer, shared);
      return;
    }
  }

  private exchangingWith(peer: number): boolean {
    for (const ex of this.exchanges.values()) if (ex.peer === peer) return true;
    return false;
  }

  /** The ranges this node hosts with `peer` (both in their top N under this node's view) whose trees are ready, ascending. */
  private sharedReady(peer: number): RangeState[] {
    const view = this.services.view();
    const out: RangeState[] = [];
    for (const p of this.order) {
      const state = this.ranges.get(p)!;
      if (state.ready && inTopN(view.preflists.get(p), this.config.n, peer)) out.push(state);
    }
    return out;
  }

  private start(peer: number, shared: readonly RangeState[]): void {
    const ranges = new Map<number, RangeWork>();
    shared.forEach((state, order) => ranges.set(state.partition, { state, order, differs: false, incomplete: false, dropped: false }));
    const ex: Exchange = {
      xid: this.nextXid++,
      peer,
      phase: 'roots',
      ranges,
      visits: [],
      visitHead: 0,
      waiting: new Map(),
      diffs: [],
      batchStart: 0,
      batchRanges: new Map(),
      timer: null,
      retry: null,
    };
    this.exchanges.set(ex.xid, ex);
    this.stats.exchangesStarted++;
    const req: RootsRequest = { xid: ex.xid, rid: this.nextRid++, ranges: shared.map((state) => ({ ...refOf(state), hash: root(state.tree) })) };
    this.request(ex, AE_MSG.roots, req, null, this.cost.headerBytes + shared.length * this.rangeRootBytes);
  }

  /** A new tree request about one range of the exchange: its ids and the range. */
  private address(ex: Exchange, work: RangeWork): RangeAddress {
    return { xid: ex.xid, rid: this.nextRid++, ...refOf(work.state) };
  }

  /** Send a request to the exchange's peer and watch for its answer. */
  private request(ex: Exchange, type: string, payload: RequestId, work: RangeWork | null, sizeBytes: number): void {
    ex.waiting.set(payload.rid, work);
    this.send(ex.peer, type, payload, sizeBytes);
    if (ex.timer === null) ex.timer = this.services.ctx.setTimer(this.config.failureDetector.timeoutUs, 'ae-timeout', () => this.onTimeout(ex));
  }

  private send(dst: number, type: string, payload: unknown, sizeBytes: number): void {
    this.stats.messagesSent++;
    this.stats.bytesSent += sizeBytes;
    this.services.ctx.send(dst, type, payload, sizeBytes);
  }

  /** The peer answered nothing for the timeout (the timer is re-armed at every answer). */
  private onTimeout(ex: Exchange): void {
    ex.timer = null;
    if (this.exchanges.get(ex.xid) !== ex || ex.waiting.size === 0) return;
    this.abandon(ex);
    this.services.fd.noAnswer(ex.peer, this.services.ctx.nowUs());
  }

  /** The exchange and range of a reply, if it is still awaited (a late reply to an abandoned exchange is dropped). */
  private answered(reply: Reply): { ex: Exchange; work: RangeWork | null } | null {
    const ex = this.exchanges.get(reply.xid);
    if (ex === undefined) return null;
    const work = ex.waiting.get(reply.rid);
    if (work === undefined) return null;
    ex.waiting.delete(reply.rid);
    // A timeout counts from the last answer: restart the timer, with a relative delay.
    if (ex.timer !== null) this.services.ctx.cancelTimer(ex.timer);
    ex.timer = ex.waiting.size === 0 ? null : this.services.ctx.setTimer(this.config.failureDetector.timeoutUs, 'ae-timeout', () => this.onTimeout(ex));
    return { ex, work };
  }

  /** Whether the exchange still works on the range (a view change may have taken it away). */
  private usable(work: RangeWork): boolean {
    if (!work.dropped && !this.current(work.state)) this.drop(work);
    return !work.dropped;
  }

  private drop(work: RangeWork): void {
    work.dropped = true;
    work.incomplete = true;
  }

  private onRootsReply(reply: RootsReply): void {
    const answer = this.answered(reply);
    if (answer === null) return;
    const ex = answer.ex;
    if (!reply.ok) {
      this.stats.rangesDeclined += ex.ranges.size;
      this.stats.exchangesDeclined++;
      this.end(ex);
      return;
    }
    const theirs = new Map<number, number>();
    for (const r of reply.roots) theirs.set(r.partition, r.hash);
    let compared = 0;
    for (const [p, work] of ex.ranges) {
      const hash = theirs.get(p);
      if (hash === undefined) {
        this.stats.rangesDeclined++;
        this.drop(work);
        continue;
      }
      if (!this.usable(work)) continue;
      compared++;
      this.stats.rangesCompared++;
      if (hash === root(work.state.tree)) {
        this.differing.delete(differingKey(work.state, ex.peer));
        continue;
      }
      this.stats.rangesDiffered++;
      work.differs = true;
      this.differing.set(differingKey(work.state, ex.peer), { state: work.state, peer: ex.peer });
      ex.visits.push({ work, level: 0, index: 0 });
    }
    if (compared === 0) {
      this.stats.exchangesDeclined++;
      this.end(ex);
      return;
    }
    if (ex.visits.length === 0) {
      this.stats.exchangesInSync++;
      this.complete(ex);
      return;
    }
    ex.phase = 'tree';
    this.descend(ex);
  }

  private onChildrenReply(reply: ChildrenReply): void {
    const answer = this.answered(reply);
    if (answer === null) return;
    const { ex, work } = answer;
    invariant(work !== null, 'a children request is about one range');
    if (!reply.ok) {
      this.stats.rangesDeclined++;
      this.drop(work);
    } else if (this.usable(work)) {
      const mine = childHashes(work.state.tree, reply.level, reply.index);
      const theirs = reply.children;
      const level = reply.level + 1;
      differingChildren(mine, theirs, (index) => ex.visits.push({ work, level, index }));
    }
    this.descend(ex);
  }

  private onSegmentReply(reply: SegmentReply): void {
    const answer = this.answered(reply);
    if (answer === null) return;
    const { ex, work } = answer;
    invariant(work !== null, 'a segment request is about one range');
    if (!reply.ok) {
      this.stats.rangesDeclined++;
      this.drop(work);
    } else if (this.usable(work)) {
      const mine = segmentItems(work.state.tree, reply.segment);
      differingItems(mine, reply.items, (id, inMine, inTheirs) => ex.diffs.push({ work, id, mine: inMine, theirs: inTheirs }));
    }
    this.descend(ex);
  }

  /** Send the queued tree requests the window allows; when the descent is over, exchange the keys. */
  private descend(ex: Exchange): void {
    if (ex.diffs.length >= this.maxKeysPerExchange && ex.visitHead < ex.visits.length) {
      // The key limit cuts the descent short: the ranges not fully descended stay pending.
      for (let v = ex.visitHead; v < ex.visits.length; v++) ex.visits[v]!.work.incomplete = true;
      ex.visitHead = ex.visits.length;
    }
    const requestBytes = this.cost.headerBytes + this.cost.indexBytes;
    while (ex.waiting.size < this.maxOutstanding && ex.visitHead < ex.visits.length) {
      const { work, level, index } = ex.visits[ex.visitHead++]!;
      if (!this.usable(work)) continue;
      if (level === work.state.tree.depth) {
        const req: SegmentRequest = { ...this.address(ex, work), segment: index };
        this.request(ex, AE_MSG.segment, req, work, requestBytes);
      } else {
        const req: ChildrenRequest = { ...this.address(ex, work), level, index };
        this.request(ex, AE_MSG.children, req, work, requestBytes);
      }
    }
    if (ex.waiting.size > 0) return;
    ex.diffs.sort((a, b) => a.work.order - b.work.order || a.id - b.id);
    this.nextBatch(ex);
  }

  /** Exchange the next batch of differing keys (after admission control), or finish. */
  private nextBatch(ex: Exchange): void {
    const store = this.services.store;
    const batch: KeyDiff[] = [];
    let next = ex.batchStart;
    let estimate = 0;
    while (next < ex.diffs.length && batch.length < this.batchKeys) {
      const d = ex.diffs[next++]!;
      if (!this.usable(d.work)) continue;
      batch.push(d);
      const key = d.mine ? d.work.state.keys.get(d.id) : undefined;
      const held = key === undefined ? undefined : store.peek(key);
      estimate += this.cost.keyBytes + (key === undefined || held === undefined ? 0 : key.length + versionSetSizeBytes(held));
    }
    if (batch.length === 0) {
      this.complete(ex);
      return;
    }
    if (!this.services.admission.tryAcquire(this.services.ctx.nowUs(), Math.max(1, Math.ceil(estimate / 1024)))) {
      // A repair of many keys drains the token bucket in a few batches: ask again soon, not at the next tick.
      this.stats.admissionRefused++;
      ex.phase = 'admission';
      ex.retry = this.services.ctx.setTimer(this.admissionRetryUs, 'ae-admission', () => {
        ex.retry = null;
        if (this.exchanges.get(ex.xid) === ex) this.nextBatch(ex);
      });
      return;
    }
    ex.phase = 'reading';
    ex.batchStart = next;
    const pushKeys: string[] = [];
    const pushWork: RangeWork[] = [];
    for (const d of batch) {
      const key = d.mine ? d.work.state.keys.get(d.id) : undefined;
      if (key === undefined) continue;
      pushKeys.push(key);
      pushWork.push(d.work);
    }
    readAll(store, pushKeys, (found) => {
      if (this.exchanges.get(ex.xid) !== ex) return; // abandoned meanwhile (a view change)
      // One group per range, in the batch's (range) order.
      const groups = new Map<RangeWork, { push: KeyEntry[]; want: number[] }>();
      const group = (work: RangeWork) => {
        let g = groups.get(work);
        if (g === undefined) {
          g = { push: [], want: [] };
          groups.set(work, g);
        }
        return g;
      };
      for (const d of batch) if (d.theirs && this.usable(d.work)) group(d.work).want.push(d.id);
      for (let i = 0; i < pushKeys.length; i++) {
        const key = pushKeys[i]!;
        const work = pushWork[i]!;
        const versions = found[i];
        if (versions === undefined || versions.length === 0) {
          // The key left the store without a change notice (a range handed off): forget it.
          removeItem(work.state, this.services.hasher.position(key));
          continue;
        }
        if (this.usable(work)) group(work).push.push({ key, versions });
      }
      if (groups.size === 0) {
        this.nextBatch(ex);
        return;
      }
      const ranges: RangeKeys[] = [];
      ex.batchRanges = new Map();
      let sizeBytes = this.cost.headerBytes;
      for (const [work, g] of groups) {
        ranges.push({ ...refOf(work.state), push: g.push, want: g.want });
        ex.batchRanges.set(work.state.partition, work);
        this.stats.keysSent += g.push.length;
        sizeBytes += this.cost.indexBytes + g.want.length * this.cost.keyBytes + entryBytes(g.push);
      }
      ex.phase = 'keys';
      const req: KeysRequest = { xid: ex.xid, rid: this.nextRid++, ranges };
      this.request(ex, AE_MSG.keys, req, null, sizeBytes);
    });
  }

  private onKeysReply(reply: KeysReply): void {
    const answer = this.answered(reply);
    if (answer === null) return;
    const ex = answer.ex;
    const declined = reply.ok ? reply.declined : [...ex.batchRanges.keys()];
    for (const p of declined) {
      const work = ex.batchRanges.get(p);
      if (work === undefined || work.dropped) continue;
      this.stats.rangesDeclined++;
      this.drop(work);
    }
    for (const e of reply.entries) if (this.merge(e)) this.stats.keysRepairedAsInitiator++;
    this.nextBatch(ex);
  }

  /** Merge a peer's versions of a key this node hosts as a replica write; true when they change the local state. */
  private merge(e: KeyEntry): boolean {
    if (e.versions.length === 0) return false;
    const position = this.services.hasher.position(e.key);
    if (!this.ranges.has(partitionOf(this.services.view().ring, position))) return false;
    const before = this.services.store.peek(e.key) ?? [];
    const after = mergeInto(before, e.versions);
    if (versionSetHash(after) === versionSetHash(before)) return false;
    this.services.writeLocal(e.key, e.versions as readonly Version[], () => {});
    return true;
  }

  /** Every range compared in full and repaired leaves the differing set; the others stay pending. */
  private complete(ex: Exchange): void {
    for (const work of ex.ranges.values()) {
      if (work.differs && !work.incomplete) this.differing.delete(differingKey(work.state, ex.peer));
    }
    this.stats.exchangesCompleted++;
    this.end(ex);
  }

  private abandon(ex: Exchange): void {
    this.stats.exchangesAbandoned++;
    this.end(ex);
  }

  private end(ex: Exchange): void {
    this.exchanges.delete(ex.xid);
    for (const timer of [ex.timer, ex.retry]) if (timer !== null) this.services.ctx.cancelTimer(timer);
    ex.timer = null;
    ex.retry = null;
  }

  // ---- the responder ------------------------------------------------------------------------

  /** The tree a request names, if this node hosts that very range and the tree is ready. */
  private served(ref: RangeRef): RangeState | null {
    if (!this.enabled) return null;
    const state = this.ranges.get(ref.partition);
    if (state === undefined || state.range.start !== ref.start || state.range.end !== ref.end) return null;
    return state.ready ? state : null;
  }

  private decline(to: number, type: string, req: RequestId, extra: object): void {
    this.send(to, type, { xid: req.xid, rid: req.rid, ok: false, ...extra }, this.cost.headerBytes);
  }

  onMessage(msg: Message): void {
    switch (msg.type) {
      case AE_MSG.roots:
        return this.onRoots(msg.src, msg.payload as RootsRequest);
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
      case AE_MSG.rootsReply:
        return this.onRootsReply(msg.payload as RootsReply);
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

  /**
   * Answer with this node's roots of the ranges it serves. The responder sees
   * both roots too: a range found equal here is no longer pending with the
   * initiator (whatever exchange repaired it).
   */
  private onRoots(from: number, req: RootsRequest): void {
    if (!this.enabled) return this.decline(from, AE_MSG.rootsReply, req, { roots: [] });
    const roots: Array<{ partition: number; hash: number }> = [];
    for (const r of req.ranges) {
      const state = this.served(r);
      if (state === null) continue;
      const hash = root(state.tree);
      roots.push({ partition: r.partition, hash });
      if (hash === r.hash) this.differing.delete(differingKey(state, from));
    }
    const reply: RootsReply = { xid: req.xid, rid: req.rid, ok: true, roots };
    this.send(from, AE_MSG.rootsReply, reply, this.cost.headerBytes + roots.length * this.rangeRootBytes);
  }

  /** Answer with this node's siblings for the wanted keys (read before merging), then merge the pushed ones. */
  private onKeys(from: number, req: KeysRequest): void {
    const served: RangeKeys[] = [];
    const declined: number[] = [];
    const keys: string[] = [];
    for (const r of req.ranges) {
      const state = this.served(r);
      if (state === null) {
        declined.push(r.partition);
        continue;
      }
      served.push(r);
      for (const id of r.want) {
        const key = state.keys.get(id);
        if (key !== undefined) keys.push(key);
      }
    }
    if (served.length === 0) return this.decline(from, AE_MSG.keysReply, req, { entries: [], declined });
    readAll(this.services.store, keys, (found) => {
      const entries: KeyEntry[] = [];
      for (let i = 0; i < keys.length; i++) {
        const versions = found[i];
        if (versions !== undefined && versions.length > 0) entries.push({ key: keys[i]!, versions });
      }
      this.stats.keysSent += entries.length;
      const reply: KeysReply = { xid: req.xid, rid: req.rid, ok: true, entries, declined };
      this.send(from, AE_MSG.keysReply, reply, this.cost.headerBytes + entryBytes(entries) + declined.length * this.cost.indexBytes);
      for (const r of served) {
        if (this.served(r) === null) continue; // the range left this node meanwhile
        for (const e of r.push) if (this.merge(e)) this.stats.keysRepairedAsResponder++;
      }
    });
  }
}

/**
 * Put a key's current siblings in its range's tree (an empty set removes it). `added`: the key had
 * no versions before, so it may be missing from `state.keys`; a key that had versions is there
 * already (a tree is built from every key of the store, and each key added since passed here).
 */
function setItem(state: RangeState, position: number, key: string, siblings: Siblings, added: boolean): void {
  const tree = state.tree;
  if (siblings.length === 0) {
    if (itemHashOf(tree, position) !== 0) removeItem(state, position);
    return;
  }
  if (added) {
    const known = state.keys.get(position);
    // Tested, not asserted with invariant(): its message would be built (two JSON.stringify) on every write.
    if (known === undefined) state.keys.set(position, key);
    else if (known !== key) invariant(false, `keys ${JSON.stringify(known)} and ${JSON.stringify(key)} share ring position ${position}`);
  }
  upsert(tree, position, versionSetHash(siblings));
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
    trees.set(p, { partition: p, range: partitionRange(view.ring, p), tree: createTree({ fanout, depth }), keys: new Map(), ready: true, rebuildUs: 0 });
  }
  for (const [key, siblings] of node.store.entries()) {
    const position = hasher.position(key);
    const state = trees.get(partitionOf(view.ring, position));
    if (state !== undefined) setItem(state, position, key, siblings, true);
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
