/**
 * Every knob of a Dynamo node, with the defaults of DYNAMO.md §13. Nothing
 * in src/dynamo reads a constant that a scenario might want to change: it
 * reads this value.
 */
import { InvalidOptionError, requireInteger, requireNonNegative, requirePositive } from '../../sim/errors.js';

export type Coordination = 'server' | 'client';
export type StorageEngine = 'bdb' | 'mysql' | 'memory';

export interface DynamoConfig {
  /** Replicas per key (N), replies a get waits for (R), acks a put waits for (W). */
  readonly n: number;
  readonly r: number;
  readonly w: number;
  /** Sloppy quorum (§4.6): the first N nodes believed reachable, with hints for the skipped. False: strict top N. */
  readonly sloppyQuorum: boolean;
  /** Preference list length: N replicas plus fallbacks (capped at the cluster size). */
  readonly preflistLength: number;
  /** Replicas spread over datacenters (preflist.ts documents the rule). */
  readonly dcAwarePlacement: boolean;
  /** A request with too few replies by then fails (300 ms: the paper's SLA). */
  readonly requestTimeoutUs: number;
  /** Read repair (§5): after replying, wait this long for late replies (default: the request timeout, i.e. until all N answer or time runs out). */
  readonly readRepair: { readonly enabled: boolean; readonly waitUs: number };
  /** Vector-clock truncation threshold (§4.4: "say 10"). */
  readonly vclockMaxEntries: number;
  /** Bound on siblings kept per key (a limit that fails loudly). */
  readonly maxSiblings: number;
  readonly storage: {
    readonly engine: StorageEngine;
    /** Objects held in the in-memory write buffer (§6.1); 0 turns buffering off. */
    readonly writeBufferObjects: number;
    /** How long after a write lands in an empty buffer the writer task starts flushing it (until empty). */
    readonly flushIntervalUs: number;
    /** How many of the N replicas the coordinator asks for a durable write when buffering (§6.1). */
    readonly durableWrites: number;
    /** Whether the put also waits for those durable acks (the paper: it does not, "this costs no latency"). */
    readonly waitForDurable: boolean;
  };
  readonly hints: {
    /** How often the hint store is scanned for deliverable hints (10 s; Voldemort 5 min). */
    readonly scanIntervalUs: number;
    /** Bound on hinted keys a node holds; beyond it new hints are refused (and counted). */
    readonly maxHints: number;
    /** Hints sent per scan per target node. */
    readonly batch: number;
  };
  readonly failureDetector: {
    /** A peer that has not answered a request within this long is unreachable for this node. */
    readonly timeoutUs: number;
    /** Unreachable peers are retried (pinged) this often (1 s). */
    readonly retryIntervalUs: number;
  };
  /** Client-driven coordination: the client library's membership poll (10 s). */
  readonly clientRefreshUs: number;
  readonly gossip: {
    /** Each node reconciles membership with one random peer this often (1 s, §4.8.1). */
    readonly intervalUs: number;
    /** Seed nodes every node eventually gossips with (§4.8.2); default: the two lowest node ids. */
    readonly seeds: readonly number[];
    /** Probability a round goes to a seed rather than a random peer. */
    readonly seedProbability: number;
  };
  readonly antiEntropy: {
    readonly enabled: boolean;
    /** Each node starts an exchange this often (15 s, Riak AAE). */
    readonly intervalUs: number;
    /** Exchanges a node runs at once (2). */
    readonly concurrency: number;
    readonly fanout: number;
    readonly depth: number;
    /** Bytes hashed per second when a tree is rebuilt (its time cost). */
    readonly rebuildBytesPerSec: number;
  };
  readonly admission: {
    /** Background work (hints, transfers, anti-entropy) is throttled by foreground health (§6.5). */
    readonly enabled: boolean;
    /** Foreground health: this percentile of local storage reads ... */
    readonly percentile: number;
    /** ... over this window ... */
    readonly windowUs: number;
    /** ... against this target. */
    readonly targetUs: number;
  };
  readonly transfer: {
    /** Range transfers on join and leave are limited to this rate per node (bytes/s; 0: no limit, as `bandwidth: off`). */
    readonly bandwidthBytesPerSec: number;
    /** Keys per transfer message. */
    readonly batchKeys: number;
  };
  /** Fixed per-message overhead in bytes (headers, key). */
  readonly messageHeaderBytes: number;
}

export const DEFAULT_CONFIG: DynamoConfig = Object.freeze({
  n: 3,
  r: 2,
  w: 2,
  sloppyQuorum: true,
  preflistLength: 8,
  dcAwarePlacement: false,
  requestTimeoutUs: 300_000,
  readRepair: Object.freeze({ enabled: true, waitUs: 300_000 }),
  vclockMaxEntries: 10,
  maxSiblings: 100,
  storage: Object.freeze({ engine: 'bdb' as StorageEngine, writeBufferObjects: 1_000, flushIntervalUs: 10_000, durableWrites: 1, waitForDurable: false }),
  hints: Object.freeze({ scanIntervalUs: 10_000_000, maxHints: 100_000, batch: 100 }),
  failureDetector: Object.freeze({ timeoutUs: 300_000, retryIntervalUs: 1_000_000 }),
  clientRefreshUs: 10_000_000,
  gossip: Object.freeze({ intervalUs: 1_000_000, seeds: Object.freeze([]) as readonly number[], seedProbability: 0.1 }),
  antiEntropy: Object.freeze({ enabled: true, intervalUs: 15_000_000, concurrency: 2, fanout: 1024, depth: 2, rebuildBytesPerSec: 100_000_000 }),
  admission: Object.freeze({ enabled: true, percentile: 99, windowUs: 60_000_000, targetUs: 50_000 }),
  transfer: Object.freeze({ bandwidthBytesPerSec: 10_000_000, batchKeys: 100 }),
  messageHeaderBytes: 64,
});

type DeepPartial<T> = { -readonly [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };
export type DynamoConfigInput = DeepPartial<DynamoConfig>;

/** Fill defaults and validate (each bad value is an InvalidOptionError naming the knob). */
export function dynamoConfig(input: DynamoConfigInput = {}): DynamoConfig {
  const d = DEFAULT_CONFIG;
  const requestTimeoutUs = input.requestTimeoutUs ?? d.requestTimeoutUs;
  const c: DynamoConfig = {
    n: input.n ?? d.n,
    r: input.r ?? d.r,
    w: input.w ?? d.w,
    sloppyQuorum: input.sloppyQuorum ?? d.sloppyQuorum,
    preflistLength: input.preflistLength ?? Math.max(d.preflistLength, (input.n ?? d.n) + 5),
    dcAwarePlacement: input.dcAwarePlacement ?? d.dcAwarePlacement,
    requestTimeoutUs,
    readRepair: { enabled: input.readRepair?.enabled ?? d.readRepair.enabled, waitUs: input.readRepair?.waitUs ?? requestTimeoutUs },
    vclockMaxEntries: input.vclockMaxEntries ?? d.vclockMaxEntries,
    maxSiblings: input.maxSiblings ?? d.maxSiblings,
    storage: { ...d.storage, ...(input.storage ?? {}) },
    hints: { ...d.hints, ...(input.hints ?? {}) },
    failureDetector: { timeoutUs: input.failureDetector?.timeoutUs ?? requestTimeoutUs, retryIntervalUs: input.failureDetector?.retryIntervalUs ?? d.failureDetector.retryIntervalUs },
    clientRefreshUs: input.clientRefreshUs ?? d.clientRefreshUs,
    gossip: { ...d.gossip, ...(input.gossip ?? {}), seeds: (input.gossip?.seeds as readonly number[] | undefined) ?? d.gossip.seeds },
    antiEntropy: { ...d.antiEntropy, ...(input.antiEntropy ?? {}) },
    admission: { ...d.admission, ...(input.admission ?? {}) },
    transfer: { ...d.transfer, ...(input.transfer ?? {}) },
    messageHeaderBytes: input.messageHeaderBytes ?? d.messageHeaderBytes,
  };
  requireInteger('quorum.n', c.n, 1);
  requireInteger('quorum.r', c.r, 1, c.n);
  requireInteger('quorum.w', c.w, 1, c.n);
  requireInteger('preflistLength', c.preflistLength, c.n);
  requireInteger('requestTimeoutUs', c.requestTimeoutUs, 1);
  requireInteger('readRepair.waitUs', c.readRepair.waitUs, 0);
  requireInteger('vclockMaxEntries', c.vclockMaxEntries, 1);
  requireInteger('maxSiblings', c.maxSiblings, 1);
  if (!['bdb', 'mysql', 'memory'].includes(c.storage.engine)) throw new InvalidOptionError('storage.engine', c.storage.engine, 'one of bdb, mysql, memory');
  requireInteger('storage.writeBufferObjects', c.storage.writeBufferObjects, 0);
  requireInteger('storage.flushIntervalUs', c.storage.flushIntervalUs, 1);
  requireInteger('storage.durableWrites', c.storage.durableWrites, 0, c.n);
  requireInteger('hints.scanIntervalUs', c.hints.scanIntervalUs, 1);
  requireInteger('hints.maxHints', c.hints.maxHints, 0);
  requireInteger('hints.batch', c.hints.batch, 1);
  requirePositive('failureDetector.timeoutUs', c.failureDetector.timeoutUs);
  requirePositive('failureDetector.retryIntervalUs', c.failureDetector.retryIntervalUs);
  requirePositive('clientRefreshUs', c.clientRefreshUs);
  requireInteger('gossip.intervalUs', c.gossip.intervalUs, 1);
  if (!Array.isArray(c.gossip.seeds) || !c.gossip.seeds.every((x) => Number.isInteger(x) && x >= 0)) throw new InvalidOptionError('gossip.seeds', c.gossip.seeds, 'a list of node ids');
  requireInteger('antiEntropy.intervalUs', c.antiEntropy.intervalUs, 1);
  requireInteger('antiEntropy.concurrency', c.antiEntropy.concurrency, 1);
  requireInteger('antiEntropy.fanout', c.antiEntropy.fanout, 2);
  requireInteger('antiEntropy.depth', c.antiEntropy.depth, 1);
  requirePositive('antiEntropy.rebuildBytesPerSec', c.antiEntropy.rebuildBytesPerSec);
  requirePositive('admission.percentile', c.admission.percentile);
  requireInteger('admission.windowUs', c.admission.windowUs, 1);
  requirePositive('admission.targetUs', c.admission.targetUs);
  requireNonNegative('transfer.bandwidthBytesPerSec', c.transfer.bandwidthBytesPerSec);
  requireInteger('transfer.batchKeys', c.transfer.batchKeys, 1);
  requireNonNegative('messageHeaderBytes', c.messageHeaderBytes);
  return c;
}
