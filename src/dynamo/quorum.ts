/**
 * Quorum bookkeeping of a coordinator's get and put (DYNAMO.md §5, §6; paper
 * §4.5, §5), after riak_kv_get_core / riak_kv_put_core: these classes take
 * replies and answer "enough? what to return? whom to repair?". They hold no
 * timers and send nothing; the coordinator sends, waits and times out.
 *
 * `nodes` are the replicas the request went to: the first N healthy nodes of
 * the preference list (fewer when fewer are up). The coordinator's own local
 * read or write is reported like any other reply. A reply from a node outside
 * `nodes` is a bug and throws; a second answer from the same node (a
 * duplicated message) is ignored and reported by returning false.
 *
 * States: 'waiting' until the threshold is met ('enough', then final) or can
 * no longer be met whatever the outstanding nodes answer ('impossible', final).
 */
import { InvalidOptionError, invariant } from '../../sim/errors.js';
import { empty, merge, type VClock } from './vclock.js';
import { containsVersion, mergeInto, type Siblings, type Version } from './version.js';

export type QuorumState = 'waiting' | 'enough' | 'impossible';

const PENDING = 0;
const REPLIED = 1;
const FAILED = 2;

function checkTargets(n: number, threshold: number, thresholdName: string, nodes: readonly number[]): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidOptionError('n', n, 'an integer >= 1');
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > n) {
    throw new InvalidOptionError(thresholdName, threshold, `an integer in [1, n = ${n}]`);
  }
  if (nodes.length < 1 || nodes.length > n) {
    throw new InvalidOptionError('nodes', nodes, `between 1 and n = ${n} node ids`);
  }
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (!Number.isSafeInteger(node) || node < 0) throw new InvalidOptionError('nodes', nodes, 'non-negative integer node ids');
    for (let j = 0; j < i; j++) if (nodes[j] === node) throw new InvalidOptionError('nodes', nodes, 'distinct node ids');
  }
}

/**
 * The slot of `node` in `nodes` (-1: not asked). A linear scan: a request
 * asks at most N nodes, a handful, and a Map or typed array per request cost
 * more to allocate than the scan costs to run (one per request on the hot path).
 */
function indexOfNode(nodes: readonly number[], node: number): number {
  for (let i = 0; i < nodes.length; i++) if (nodes[i] === node) return i;
  return -1;
}

export interface GetQuorumOptions {
  /** Replication factor N. */
  readonly n: number;
  /** Replies needed (R), notfound replies included. */
  readonly r: number;
  /** The replicas asked, at most n. */
  readonly nodes: readonly number[];
}

export interface GetResult {
  /** The reconciled siblings over the replies so far (empty: not found anywhere). */
  readonly siblings: Siblings;
  /** The merged clock of the siblings: the context handed to the client (§1). */
  readonly context: VClock;
  /** The first node to reply; the client's next put goes there (§6). Null before any reply. */
  readonly fastest: number | null;
  readonly replies: number;
  readonly notfound: number;
}

export class GetQuorum {
  readonly n: number;
  readonly r: number;
  readonly nodes: readonly number[];
  /** Per slot: PENDING, REPLIED (versions or notfound) or FAILED. */
  private readonly status: number[];
  /** Per slot: the reply (null while pending, after an error, or for notfound; see notfoundAt). */
  private readonly answers: (readonly Version[] | null)[];
  private readonly notfoundAt: boolean[];
  private siblings: Siblings = [];
  private first = -1;
  private replyCount = 0;
  private errorCount = 0;
  private notfoundCount = 0;
  private reached = false;

  constructor(options: GetQuorumOptions) {
    checkTargets(options.n, options.r, 'r', options.nodes);
    this.n = options.n;
    this.r = options.r;
    const nodes = options.nodes.slice();
    this.nodes = nodes;
    // Exact-size arrays: the first push onto [] reserves room for 16 or more, per request.
    const len = nodes.length;
    this.status = new Array<number>(len);
    this.notfoundAt = new Array<boolean>(len);
    this.answers = new Array<readonly Version[] | null>(len);
    for (let i = 0; i < len; i++) {
      this.status[i] = PENDING;
      this.notfoundAt[i] = false;
      this.answers[i] = null;
    }
  }

  private slotOf(node: number): number {
    const i = indexOfNode(this.nodes, node);
    if (i < 0) throw new InvalidOptionError('get reply node', node, `one of the nodes asked (${this.nodes.join(', ')})`);
    return i;
  }

  /** A replica's answer: its sibling set for the key, or 'notfound'. Returns false for a duplicate. */
  addReply(node: number, versions: readonly Version[] | 'notfound'): boolean {
    const i = this.slotOf(node);
    if (this.status[i] !== PENDING) return false;
    this.status[i] = REPLIED;
    this.replyCount++;
    if (this.first < 0) this.first = i;
    if (versions === 'notfound' || versions.length === 0) {
      this.notfoundAt[i] = true;
      this.notfoundCount++;
    } else {
      this.answers[i] = versions;
      // Each reply is folded in as it comes; the reconciled set is canonical,
      // so the result does not depend on the arrival order.
      this.siblings = mergeInto(this.siblings, versions);
    }
    if (this.replyCount >= this.r) this.reached = true;
    return true;
  }

  /** A replica failed to answer (an error message; a timeout is the driver's to report). Returns false for a duplicate. */
  addError(node: number): boolean {
    const i = this.slotOf(node);
    if (this.status[i] !== PENDING) return false;
    this.status[i] = FAILED;
    this.errorCount++;
    return true;
  }

  get state(): QuorumState {
    if (this.reached) return 'enough';
    return this.nodes.length - this.errorCount < this.r ? 'impossible' : 'waiting';
  }

  get replies(): number {
    return this.replyCount;
  }

  get errors(): number {
    return this.errorCount;
  }

  /** Whether `node` (one of `nodes`) has replied or failed; the others are still silent. */
  hasAnswered(node: number): boolean {
    return this.status[this.slotOf(node)] !== PENDING;
  }

  /** Every node asked has replied or failed: nothing more can arrive (the read-repair window may close). */
  get allReplied(): boolean {
    return this.replyCount + this.errorCount === this.nodes.length;
  }

  result(): GetResult {
    const siblings = this.siblings;
    let context: VClock = empty();
    for (let i = 0; i < siblings.length; i++) context = merge(context, siblings[i]!.clock);
    return {
      siblings,
      context,
      fastest: this.first < 0 ? null : this.nodes[this.first]!,
      replies: this.replyCount,
      notfound: this.notfoundCount,
    };
  }

  /**
   * Read repair (§6): the nodes, in `nodes` order, whose reply lacks a
   * version of the reconciled set: stale replicas and those that answered
   * notfound. Nodes that failed or have not answered are not listed (hinted
   * handoff and anti-entropy cover them).
   */
  repairTargets(): number[] {
    const targets: number[] = [];
    const siblings = this.siblings;
    if (siblings.length === 0) return targets;
    for (let i = 0; i < this.nodes.length; i++) {
      if (this.status[i] !== REPLIED) continue;
      const reply = this.answers[i];
      if (reply === null || reply === undefined) {
        invariant(this.notfoundAt[i] === true, 'a reply without versions is a notfound');
        targets.push(this.nodes[i]!);
        continue;
      }
      let complete = true;
      for (let k = 0; k < siblings.length && complete; k++) complete = containsVersion(reply, siblings[k]!);
      if (!complete) targets.push(this.nodes[i]!);
    }
    return targets;
  }
}

export interface PutQuorumOptions {
  /** Replication factor N. */
  readonly n: number;
  /** Acknowledgements needed (W); the coordinator's local write counts as one. */
  readonly w: number;
  /**
   * Acknowledgements among the W that must be durable (on disk, not only in a
   * write buffer), Riak's DW. The paper's coordinator asks one replica for a
   * durable write but waits for W acks of any kind (§6.1: "this costs no
   * latency"): model that with 0 here while still asking one replica.
   */
  readonly durableWrites: number;
  /** The replicas written to, at most n. */
  readonly nodes: readonly number[];
}

export class PutQuorum {
  readonly n: number;
  readonly w: number;
  readonly durableWrites: number;
  readonly nodes: readonly number[];
  /** Per slot: PENDING, REPLIED or FAILED. */
  private readonly status: number[];
  private ackCount = 0;
  private durableCount = 0;
  private errorCount = 0;
  private reached = false;

  constructor(options: PutQuorumOptions) {
    checkTargets(options.n, options.w, 'w', options.nodes);
    const dw = options.durableWrites;
    if (!Number.isSafeInteger(dw) || dw < 0 || dw > options.n) {
      throw new InvalidOptionError('durableWrites', dw, `an integer in [0, n = ${options.n}]`);
    }
    this.n = options.n;
    this.w = options.w;
    this.durableWrites = dw;
    this.nodes = options.nodes.slice();
    this.status = new Array<number>(this.nodes.length);
    for (let i = 0; i < this.nodes.length; i++) this.status[i] = PENDING;
  }

  private slotOf(node: number): number {
    const i = indexOfNode(this.nodes, node);
    if (i < 0) throw new InvalidOptionError('put ack node', node, `one of the nodes written to (${this.nodes.join(', ')})`);
    return i;
  }

  /** A replica stored the write; `durable` when it reached the disk. Returns false for a duplicate. */
  addAck(node: number, ack: { readonly durable: boolean }): boolean {
    const i = this.slotOf(node);
    if (this.status[i] !== PENDING) return false;
    this.status[i] = REPLIED;
    this.ackCount++;
    if (ack.durable) this.durableCount++;
    if (this.ackCount >= this.w && this.durableCount >= this.durableWrites) this.reached = true;
    return true;
  }

  /** A replica failed to store the write. Returns false for a duplicate. */
  addError(node: number): boolean {
    const i = this.slotOf(node);
    if (this.status[i] !== PENDING) return false;
    this.status[i] = FAILED;
    this.errorCount++;
    return true;
  }

  get state(): QuorumState {
    if (this.reached) return 'enough';
    const pending = this.nodes.length - this.ackCount - this.errorCount;
    if (this.ackCount + pending < this.w) return 'impossible';
    if (this.durableCount + pending < this.durableWrites) return 'impossible';
    return 'waiting';
  }

  get acks(): number {
    return this.ackCount;
  }

  get durableAcks(): number {
    return this.durableCount;
  }

  get errors(): number {
    return this.errorCount;
  }

  /** Whether `node` (one of `nodes`) has acknowledged or failed; the others are still silent. */
  hasAnswered(node: number): boolean {
    return this.status[this.slotOf(node)] !== PENDING;
  }

  /** Every node written to has acknowledged or failed. */
  get allReplied(): boolean {
    return this.ackCount + this.errorCount === this.nodes.length;
  }
}
