/**
 * Gossip-based membership (paper §4.8.1, §4.8.2): a node component that spreads the membership
 * history of membership.ts and turns it into the node's view.
 *
 * - Every `gossip.intervalUs` (first round at a random phase) a node picks one peer: a random member
 *   of its own history's ring, or with probability `gossip.seedProbability` a seed
 *   (`gossip.seeds`), and always a seed when it knows no other member. Seeds are what keeps two
 *   nodes joined through different peers from forming two logical clusters (§4.8.2).
 * - Push-pull in three messages: SYN carries the initiator's digest; a peer with another digest
 *   answers with its history (ACK); the initiator merges and sends back just the changes the peer
 *   lacked (ACK2). Equal histories, the steady state, cost one small message.
 * - A node that adopts a new history derives its ring and adopts a new view (`services.setView`),
 *   whose version is the number of changes in the history: histories only grow by union, so a newer
 *   history always has a higher version and client libraries (client.ts adopts higher versions)
 *   pick it up. Nodes route from their own views, which lag while a change spreads.
 * - Administrator commands (`adminJoin`, `adminLeave`, `adminRemove`) append a change to the local
 *   history; gossip spreads it. The change's atUs is the issuer's local clock, raised above every
 *   change the issuer already knows, so a command always sorts after everything its issuer had
 *   seen (a skewed clock cannot reorder an issuer's own commands).
 * - The history is durable (the paper's "persisted" history). A node without one (first boot, or a
 *   lost disk) starts from its initial view: the cluster builder's founding members when the node
 *   is one of them, nothing otherwise. From boot on, a node routes from the view its history
 *   implies (for founding members: the builder's ring, with version S instead of 1). A node that is not a member yet still gossips, with the seeds
 *   only, so it learns the cluster before (and after) an administrator joins it.
 */
import { InvalidOptionError } from '../../sim/errors.js';
import type { Message } from '../../sim/network.js';
import type { RandomStream } from '../../sim/random.js';
import type { ComponentFactory, NodeComponent, NodeServices } from './component.js';
import {
  appendChange,
  bootstrapHistory,
  changesMissing,
  changesSizeBytes,
  deriveRing,
  emptyHistory,
  historySizeBytes,
  latestAtUs,
  makeHistory,
  membersOf,
  mergeHistories,
  nextSeq,
  paramsOfRing,
  sameParams,
  sameRing,
  type ChangeKind,
  type MembershipChange,
  type MembershipHistory,
  type RingParams,
} from './membership.js';
import { isMember, type Ring } from './ring.js';
import { makeView, type MembershipView } from './view.js';

export const GOSSIP_COMPONENT = 'gossip';

export const GOSSIP_MSG = {
  syn: 'gossip-syn',
  ack: 'gossip-ack',
  ack2: 'gossip-ack2',
} as const;

interface GossipSyn {
  readonly digest: string;
  readonly changes: number;
}

interface GossipAck {
  readonly history: MembershipHistory;
}

interface GossipAck2 {
  readonly params: RingParams;
  readonly changes: readonly MembershipChange[];
}

export interface GossipStats {
  /** Rounds this node started (a SYN sent). */
  rounds: number;
  /** Exchanges where the two histories differed. */
  exchanges: number;
  /** New histories adopted (from gossip or a command). */
  adopted: number;
  /** Messages from another cluster (different ring parameters), ignored. */
  foreign: number;
}

export interface JoinCommand {
  /** The joining node (default: the node the command is issued on). */
  readonly node?: number;
  readonly weight?: number;
  readonly dc?: number;
}

const HISTORY_KEY = 'dynamo/membership';
/** Digest (8 bytes) and change count (4 bytes). */
const SYN_BYTES = 12;

export class Gossip implements NodeComponent {
  readonly name = GOSSIP_COMPONENT;
  readonly messageTypes = [GOSSIP_MSG.syn, GOSSIP_MSG.ack, GOSSIP_MSG.ack2];
  readonly stats: GossipStats = { rounds: 0, exchanges: 0, adopted: 0, foreign: 0 };
  private current: MembershipHistory;
  private readonly rng: RandomStream;
  private readonly id: number;

  constructor(private readonly services: NodeServices) {
    const ctx = services.ctx;
    this.id = ctx.id;
    this.rng = ctx.rng.child('gossip');
    const saved = ctx.durable.get(HISTORY_KEY) as MembershipHistory | undefined;
    this.current = saved ?? initialHistory(services);
    if (saved === undefined) ctx.durable.set(HISTORY_KEY, this.current);
    // Route from the view the history implies from the start (same ring as the builder's view for
    // founding members, whose version 1 becomes S), so every node's version counts the same changes.
    const ring = deriveRing(this.current);
    if (ring !== null) {
      const view = viewOf(this.current, ring, services.config.preflistLength, services.config.dcAwarePlacement);
      if (view !== services.view()) services.setView(view);
    }
    ctx.setTimer(this.rng.int(1, services.config.gossip.intervalUs), 'gossip', this.tick);
  }

  /** The node's membership history. */
  get history(): MembershipHistory {
    return this.current;
  }

  /** Members of this node's history (its derived ring), ascending. */
  members(): number[] {
    return membersOf(this.current);
  }

  /** The ring this node's history implies (null: it knows no member). */
  ring(): Ring | null {
    return deriveRing(this.current);
  }

  // ---- administrator commands ---------------------------------------------------------------

  /**
   * A node joins (§4.8.1). Issued on the joining node itself by default; with `node`, on a member
   * the administrator contacted, which then pushes its history to the newcomer.
   */
  adminJoin(command: JoinCommand = {}): MembershipChange {
    const node = command.node ?? this.id;
    const ring = this.ring();
    if (ring !== null && isMember(ring, node)) throw new InvalidOptionError('admin join', node, 'a node that is not a member in the issuer\'s history');
    if (ring !== null && ring.strategy === 3 && ring.nodes.length >= ring.partitions) {
      throw new InvalidOptionError('admin join', node, `room for another node (Q = ${ring.partitions} partitions, ${ring.nodes.length} members)`);
    }
    const change = this.issue('join', node, command.weight ?? 1, command.dc ?? 0);
    if (node !== this.id) this.push(node);
    return change;
  }

  /** This node leaves gracefully: its ranges are handed to their new replicas (transfer.ts). */
  adminLeave(): MembershipChange {
    this.requireRemovable(this.id, 'admin leave');
    return this.issue('leave', this.id, 1, 0);
  }

  /** Remove another node (typically a dead one) from the membership. */
  adminRemove(node: number): MembershipChange {
    this.requireRemovable(node, 'admin remove');
    return this.issue('remove', node, 1, 0);
  }

  private requireRemovable(node: number, option: string): void {
    const ring = this.ring();
    if (ring === null || !isMember(ring, node)) throw new InvalidOptionError(option, node, 'a member in the issuer\'s history');
    if (ring.nodes.length === 1) throw new InvalidOptionError(option, node, 'a node other than the last member');
  }

  private issue(kind: ChangeKind, node: number, weight: number, dc: number): MembershipChange {
    const ctx = this.services.ctx;
    const atUs = Math.max(1, Math.round(ctx.nowUs()), latestAtUs(this.current) + 1);
    const change: MembershipChange = { seq: nextSeq(this.current, this.id), node, kind, weight, dc, atUs, issuer: this.id };
    ctx.record('admin', { change: kind, node, atUs });
    this.adopt(appendChange(this.current, change));
    return change;
  }

  // ---- gossip -------------------------------------------------------------------------------

  private readonly tick = (): void => {
    const peer = this.pickPeer();
    if (peer >= 0) {
      this.stats.rounds++;
      const syn: GossipSyn = { digest: this.current.digest, changes: this.current.changes.length };
      this.services.ctx.send(peer, GOSSIP_MSG.syn, syn, this.services.config.messageHeaderBytes + SYN_BYTES);
    }
    this.services.ctx.setTimer(this.services.config.gossip.intervalUs, 'gossip', this.tick);
  };

  /** The members other than this node, recomputed only when the history changes (every tick asks). */
  private otherMembersOf: { history: MembershipHistory; ids: number[] } | null = null;

  private otherMembers(): number[] {
    const cached = this.otherMembersOf;
    if (cached !== null && cached.history === this.current) return cached.ids;
    const ids = this.members().filter((m) => m !== this.id);
    this.otherMembersOf = { history: this.current, ids };
    return ids;
  }

  /** A random member, or a seed (with `seedProbability`, or when no other member is known); -1: none. */
  private pickPeer(): number {
    const g = this.services.config.gossip;
    const members = this.otherMembers();
    const seeds = g.seeds.filter((s) => s !== this.id);
    if (members.length === 0) return seeds.length > 0 ? this.rng.pick(seeds) : -1;
    if (seeds.length > 0 && this.rng.chance(g.seedProbability)) return this.rng.pick(seeds);
    return this.rng.pick(members);
  }

  /** Send our whole history to `peer` (it answers with what we lack). */
  private push(peer: number): void {
    const ack: GossipAck = { history: this.current };
    this.services.ctx.send(peer, GOSSIP_MSG.ack, ack, this.services.config.messageHeaderBytes + historySizeBytes(this.current));
  }

  onMessage(msg: Message): void {
    switch (msg.type) {
      case GOSSIP_MSG.syn: {
        const syn = msg.payload as GossipSyn;
        if (syn.digest !== this.current.digest || syn.changes !== this.current.changes.length) this.push(msg.src);
        return;
      }
      case GOSSIP_MSG.ack: {
        const theirs = (msg.payload as GossipAck).history;
        if (!sameParams(theirs.params, this.current.params)) {
          this.stats.foreign++;
          return;
        }
        this.stats.exchanges++;
        const lacking = changesMissing(this.current, theirs);
        if (lacking.length > 0) {
          const ack2: GossipAck2 = { params: this.current.params, changes: lacking };
          this.services.ctx.send(msg.src, GOSSIP_MSG.ack2, ack2, this.services.config.messageHeaderBytes + changesSizeBytes(lacking));
        }
        this.adopt(mergeHistories(this.current, theirs));
        return;
      }
      case GOSSIP_MSG.ack2: {
        const ack2 = msg.payload as GossipAck2;
        if (!sameParams(ack2.params, this.current.params)) {
          this.stats.foreign++;
          return;
        }
        this.adopt(mergeHistories(this.current, makeHistory(ack2.params, ack2.changes)));
        return;
      }
      default:
        return;
    }
  }

  /** Make `history` this node's, durable, and route from the view it implies. */
  private adopt(history: MembershipHistory): void {
    if (history === this.current || history.digest === this.current.digest) return;
    this.current = history;
    this.stats.adopted++;
    const ctx = this.services.ctx;
    ctx.durable.set(HISTORY_KEY, history);
    const ring = deriveRing(history);
    ctx.record('membership', { version: history.changes.length, digest: history.digest, members: ring === null ? 0 : ring.nodes.length });
    if (ring !== null) this.services.setView(viewOf(history, ring, this.services.config.preflistLength, this.services.config.dcAwarePlacement));
  }
}

/** The gossip component, for `buildCluster({ components })` or a node's `components`. */
export function gossipComponent(): ComponentFactory {
  return (services) => new Gossip(services);
}

/**
 * Where a node without a durable history starts: its initial view's members when it is one of them
 * (the builder's founding members, checked to derive exactly the initial ring), nothing otherwise.
 * The cluster seed is the root of the node's random stream, which is the world's seed: the cluster
 * builder draws the initial ring from the world's stream 'ring', as the founding replay does.
 */
function initialHistory(services: NodeServices): MembershipHistory {
  const view = services.view();
  const params = paramsOfRing(view.ring, services.ctx.rng.root);
  if (!isMember(view.ring, services.ctx.id)) return emptyHistory(params);
  // Every founding member starts from the same history (an immutable value): build and check it once
  // per initial ring, not once per node (on 1,000 nodes that was 1,000 x 1,000 changes and ring checks).
  const cached = foundingHistories.get(view.ring);
  if (cached !== undefined && sameParams(cached.params, params)) return cached;
  const history = bootstrapHistory(params, view.ring.nodes);
  const derived = deriveRing(history);
  if (derived === null || !sameRing(derived, view.ring)) {
    throw new InvalidOptionError('gossip initial view', `ring of ${view.ring.nodes.length} nodes`, 'the ring createRing builds from the founding members with the world seed\'s stream "ring" (as buildCluster does)');
  }
  foundingHistories.set(view.ring, history);
  return history;
}

/** The founding history of each initial ring (rings are immutable values; a weak map lets them go). */
const foundingHistories = new WeakMap<Ring, MembershipHistory>();

const VIEW_CACHE_MAX = 1_024;
/** Views by history digest and list options: a pure function's cache (views are immutable values). */
const viewCache = new Map<string, MembershipView>();

/** The view a history implies: its ring, version = number of changes. */
export function viewOf(history: MembershipHistory, ring: Ring, preflistLength: number, dcAware: boolean): MembershipView {
  const key = `${history.digest}/${history.changes.length}/${preflistLength}/${dcAware ? 1 : 0}`;
  let view = viewCache.get(key);
  if (view === undefined || view.ring !== ring) {
    view = makeView(ring, history.changes.length, { preflistLength, dcAware });
    if (viewCache.size >= VIEW_CACHE_MAX) viewCache.clear();
    viewCache.set(key, view);
  }
  return view;
}
