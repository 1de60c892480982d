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
import { InvalidOptionError } from '../../sim/errors.js';
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

/**
 * What both quorums keep per node asked: pending, answered or failed, and
 * the counts. A duplicate answer (a duplicated message) is refused.
 */
abstract class ReplySlots {
  readonly n: number;
  readonly nodes: readonly number[];
  /** Per slot: PENDING, REPLIED or FAILED. */
  protected readonly status: number[];
  /** Nodes that answered (replied or acknowledged). */
  protected answeredCount = 0;
  protected errorCount = 0;

  protected constructor(n: number, threshold: number, thresholdName: string, nodes: readonly number[], private readonly replyName: string) {
    checkTargets(n, threshold, thresholdName, nodes);
    this.n = n;
    this.nodes = nodes.slice();
    // Exact size: the first push onto [] reserves room for 16 or more, per request.
    this.status = new Array<number>(this.nodes.length);
    for (let i = 0; i < this.nodes.length; i++) this.status[i] = PENDING;
  }

  /** The slot of a node asked (a reply from any other node is a bug). */
  protected slotOf(node: number): number {
    const i = indexOfNode(this.nodes, node);
    if (i < 0) throw new InvalidOptionError(this.replyName, node, `one of the nodes asked (${this.nodes.join(', ')})`);
    return i;
  }

  /** Mark `node` answered and return its slot; -1 when it already had answered or failed (a duplicate). */
  protected answer(node: number): number {
    const i = this.slotOf(node);
    if (this.status[i] !== PENDING) return -1;
    this.status[i] = REPLIED;
    this.answeredCount++;
    return i;
  }

  /** A replica failed to answer (an error message; a timeout is the driver's to report). Returns false for a duplicate. */
  addError(node: number): boolean {
    const i = this.slotOf(node);
    if (this.status[i] !== PENDING) return false;
    this.status[i] = FAILED;
    this.errorCount++;
    return true;
  }

  get errors(): number {
    return this.errorCount;
  }

  /** Whether `node` (one of `nodes`) has answered or failed; the others are still silent. */
  hasAnswered(node: number): boolean {
    return this.status[this.slotOf(node)] !== PENDING;
  }

  /** Every node asked has answered or failed: nothing more can arrive. */
  get allReplied(): boolean {
    return this.answeredCount + this.errorCount === this.nodes.length;
  }
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

export class GetQuorum extends ReplySlots {
  readonly r: number;
  /** Per slot: the reply (null while pending, after an error, or for notfound: a REPLIED slot with null). */
  private readonly answers: (readonly Version[] | null)[];
  private siblings: Siblings = [];
  private first = -1;
  private notfoundCount = 0;
  private reached = false;

  constructor(options: GetQuorumOptions) {
    super(options.n, options.r, 'r', options.nodes, 'get reply node');
    this.r = options.r;
    const len = this.nodes.length;
    this.answers = new Array<readonly Version[] | null>(len);
    for (let i = 0; i < len; i++) this.answers[i] = null;
  }

  /** A replica's answer: its sibling set for the key, or 'notfound'. Returns false for a duplicate. */
  addReply(node: number, versions: readonly Version[] | 'notfound'): boolean {
    const i = this.answer(node);
    if (i < 0) return false;
    if (this.first < 0) this.first = i;
    if (versions === 'notfound' || versions.length === 0) {
      this.notfoundCount++;
    } else {
      this.answers[i] = versions;
      // Each reply is folded in as it comes; the reconciled set is canonical,
      // so the result does not depend on the arrival order.
      this.siblings = mergeInto(this.siblings, versions);
    }
    if (this.answeredCount >= this.r) this.reached = true;
    return true;
  }

  get state(): QuorumState {
    if (this.reached) return 'enough';
    return this.nodes.length - this.errorCount < this.r ? 'impossible' : 'waiting';
  }

  get replies(): number {
    return this.answeredCount;
  }

  result(): GetResult {
    const siblings = this.siblings;
    let context: VClock = empty();
    for (let i = 0; i < siblings.length; i++) context = merge(context, siblings[i]!.clock);
    return {
      siblings,
      context,
      fastest: this.first < 0 ? null : this.nodes[this.first]!,
      replies: this.answeredCount,
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
      const reply = this.answers[i] as readonly Version[] | null; // replied: an array or null (notfound)
      if (reply === null) {
        targets.push(this.nodes[i]!); // answered notfound
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

export class PutQuorum extends ReplySlots {
  readonly w: number;
  readonly durableWrites: number;
  private durableCount = 0;
  private reached = false;

  constructor(options: PutQuorumOptions) {
    super(options.n, options.w, 'w', options.nodes, 'put ack node');
    const dw = options.durableWrites;
    if (!Number.isSafeInteger(dw) || dw < 0 || dw > options.n) {
      throw new InvalidOptionError('durableWrites', dw, `an integer in [0, n = ${options.n}]`);
    }
    this.w = options.w;
    this.durableWrites = dw;
  }

  /** A replica stored the write; `durable` when it reached the disk. Returns false for a duplicate. */
  addAck(node: number, ack: { readonly durable: boolean }): boolean {
    if (this.answer(node) < 0) return false;
    if (ack.durable) this.durableCount++;
    if (this.answeredCount >= this.w && this.durableCount >= this.durableWrites) this.reached = true;
    return true;
  }

  get state(): QuorumState {
    if (this.reached) return 'enough';
    const pending = this.nodes.length - this.answeredCount - this.errorCount;
    if (this.answeredCount + pending < this.w) return 'impossible';
    if (this.durableCount + pending < this.durableWrites) return 'impossible';
    return 'waiting';
  }

  get acks(): number {
    return this.answeredCount;
  }

  get durableAcks(): number {
    return this.durableCount;
  }
}
