/**
 * RunMetrics: everything measured about one run, observed from outside the
 * system under test. It is the workload's observer (the client history), a
 * listener on the trace's records (crashes, lost buffers) and a sampler of
 * node counters at each window boundary (hint backlog, per-node load).
 *
 * Client operations are also recorded in the trace ('op-start', 'op-end'),
 * so the history is part of the digest and of trace files.
 */
import type { Siblings } from '../dynamo/version.js';
import { mergeInto } from '../dynamo/version.js';
import type { Cluster } from '../experiment/cluster.js';
import type { NodeSummary, OpStats, SystemStats } from '../report/summary.js';
import type { OpEnd, OpStart, WorkloadObserver } from '../workload/workload.js';
import { AvailabilityRecorder } from './availability.js';
import { ConsistencyRecorder } from './consistency.js';
import { DurabilityRecorder } from './durability.js';
import { LatencyRecorder } from './latency.js';

export interface RunMetricsOptions {
  /** Operations that start before this are excluded from latency, availability and consistency figures. */
  readonly warmupUs: number;
  readonly windowUs: number;
  readonly slaUs: number;
}

interface NodeCounters {
  instance: unknown;
  last: number;
}

const BALANCE_THRESHOLD = 0.15;

export class RunMetrics implements WorkloadObserver {
  readonly latency: LatencyRecorder;
  readonly availability: AvailabilityRecorder;
  readonly consistency = new ConsistencyRecorder();
  readonly durability = new DurabilityRecorder();
  private readonly failures = { get: new Map<string, number>(), put: new Map<string, number>() };
  private readonly counts = { get: { count: 0, ok: 0 }, put: { count: 0, ok: 0 } };
  private readonly hintBacklog: Array<{ timeUs: number; hints: number }> = [];
  private readonly outOfBalance: Array<{ startUs: number; endUs: number; fraction: number }> = [];
  private readonly nodeCounters: NodeCounters[];
  private readonly coordinatedTotal: number[];
  private readonly replicaTotal: number[];
  private lastSampleUs: number;
  private stopped = false;

  constructor(
    private readonly cluster: Cluster,
    readonly options: RunMetricsOptions,
  ) {
    this.latency = new LatencyRecorder(options.windowUs, options.warmupUs);
    this.availability = new AvailabilityRecorder(options.slaUs, options.warmupUs);
    const n = cluster.nodeHosts.length;
    this.nodeCounters = Array.from({ length: n }, () => ({ instance: null, last: 0 }));
    this.coordinatedTotal = new Array<number>(n).fill(0);
    this.replicaTotal = new Array<number>(n).fill(0);
    this.lastSampleUs = cluster.world.nowUs;
    const hostName = (id: unknown) => (typeof id === 'number' ? (cluster.world.hosts[id]?.name ?? `#${id}`) : String(id));
    cluster.world.trace.listen((kind, timeUs, fields) => {
      if ((kind === 'buffer-lost' || kind === 'write-lost') && typeof fields['writes'] === 'string') {
        const ids = fields['writes'].split(',').filter((x) => x !== '').map(Number);
        const node = hostName(fields['host']);
        this.durability.lostInCrash(ids, kind === 'buffer-lost' ? `write buffer lost in a crash of ${node}` : `disk write in flight during a crash of ${node}`);
      } else if (kind === 'fault' && fields['fault'] === 'crash' && fields['loseDisk'] === true) {
        this.durability.diskLost(hostName(fields['host']), timeUs);
      }
    });
    cluster.world.scheduler.at(this.lastSampleUs + options.windowUs, this.sample);
  }

  // ---- the client history -------------------------------------------------------------------

  /** Population name -> index, for session ids (a number per population and session: no string per operation). */
  private readonly populationIndex = new Map<string, number>();

  private sessionId(population: string, session: number): number {
    let p = this.populationIndex.get(population);
    if (p === undefined) {
      p = this.populationIndex.size;
      this.populationIndex.set(population, p);
    }
    return p * 4294967296 + session;
  }

  started(op: OpStart): void {
    const trace = this.cluster.world.trace;
    trace.record('op-start', op.startUs, { op: op.id, population: op.population, session: op.session, type: op.kind, key: op.key, write: op.writeId });
    if (op.kind === 'get' && op.startUs >= this.options.warmupUs) this.consistency.readStarted(op.id, this.sessionId(op.population, op.session), op.key, op.startUs);
  }

  finished(start: OpStart, end: OpEnd): void {
    const trace = this.cluster.world.trace;
    const versions = end.siblings === null ? '' : end.siblings.map((s) => s.value.id).join(',');
    trace.record('op-end', end.endUs, { op: end.id, ok: end.ok, error: end.error, coordinator: end.coordinator, versions });
    const kind = start.kind;
    const c = this.counts[kind];
    const counted = start.startUs >= this.options.warmupUs;
    if (counted) {
      c.count++;
      if (end.ok) c.ok++;
      else this.failures[kind].set(end.error ?? 'unknown', (this.failures[kind].get(end.error ?? 'unknown') ?? 0) + 1);
      this.latency.record(kind, start.startUs, end.endUs, end.ok);
      this.availability.record(start.startUs, end.ok, end.endUs - start.startUs);
    }
    if (kind === 'get') {
      this.consistency.readEnded(end.id, end.ok, end.siblings === null ? [] : end.siblings.map((s) => s.clock));
    } else if (end.ok && end.clock !== null) {
      const write = { writeId: start.writeId, clock: end.clock, ackUs: end.endUs };
      this.consistency.writeAcknowledged(this.sessionId(start.population, start.session), start.key, write);
      this.durability.acknowledged({ key: start.key, ...write });
    }
  }

  // ---- periodic samples ---------------------------------------------------------------------

  private readonly sample = (): void => {
    if (this.stopped) return;
    const nowUs = this.cluster.world.nowUs;
    let hints = 0;
    const loads: number[] = [];
    for (let i = 0; i < this.cluster.nodeHosts.length; i++) {
      const node = this.cluster.node(i);
      if (node === null) continue;
      hints += node.hints.size;
      const s = node.stats;
      const total = s.gets + s.puts + s.replicaReads + s.replicaWrites;
      const counters = this.nodeCounters[i]!;
      if (counters.instance !== node) {
        counters.instance = node;
        counters.last = 0;
      }
      loads.push(total - counters.last);
      counters.last = total;
    }
    this.hintBacklog.push({ timeUs: nowUs, hints });
    const mean = loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length);
    const out = mean === 0 ? 0 : loads.filter((l) => Math.abs(l - mean) > BALANCE_THRESHOLD * mean).length / loads.length;
    this.outOfBalance.push({ startUs: this.lastSampleUs, endUs: nowUs, fraction: Math.round(out * 1e4) / 1e4 });
    this.lastSampleUs = nowUs;
    this.cluster.world.scheduler.at(nowUs + this.options.windowUs, this.sample);
  };

  /** Stop sampling (the world may keep running, e.g. in the liveness phase). */
  stop(): void {
    this.stopped = true;
  }

  // ---- results ------------------------------------------------------------------------------

  opStats(kind: 'get' | 'put'): OpStats {
    const c = this.counts[kind];
    const failures: Record<string, number> = {};
    for (const reason of [...this.failures[kind].keys()].sort()) failures[reason] = this.failures[kind].get(reason)!;
    return { count: c.count, ok: c.ok, failed: c.count - c.ok, failures, latencyMs: this.latency.stats(kind) };
  }

  /** Every version of `key` held anywhere: stores and hint stores, of running nodes and (from their disks) of crashed ones. */
  heldVersions(key: string): Siblings {
    let out: Siblings = [];
    for (let i = 0; i < this.cluster.nodeHosts.length; i++) {
      const node = this.cluster.node(i);
      if (node !== null) {
        const v = node.store.peek(key);
        if (v !== undefined) out = mergeInto(out, v);
        const h = node.hints.size > 0 ? node.hints.versionsFor(key) : undefined;
        if (h !== undefined) out = mergeInto(out, h);
      } else {
        const durable = this.cluster.nodeHosts[i]!.durable;
        const store = durable.get('dynamo/store') as Map<string, Siblings> | undefined;
        const v = store?.get(key);
        if (v !== undefined) out = mergeInto(out, v);
        const hints = durable.get('dynamo/hints') as Map<number, Map<string, Siblings>> | undefined;
        if (hints !== undefined) for (const keys of hints.values()) {
          const hv = keys.get(key);
          if (hv !== undefined) out = mergeInto(out, hv);
        }
      }
    }
    return out;
  }

  nodeSummaries(): NodeSummary[] {
    return this.cluster.nodeHosts.map((host, i) => {
      const node = this.cluster.node(i);
      let keys = 0;
      let bytes = 0;
      if (node !== null) {
        for (const [, siblings] of node.store.entries()) {
          keys++;
          for (const v of siblings) bytes += v.value.sizeBytes;
        }
      }
      const s = node?.stats;
      return {
        name: host.name,
        dc: host.dc,
        up: host.isUp,
        coordinated: s ? s.gets + s.puts : 0,
        replicaOps: s ? s.replicaReads + s.replicaWrites : 0,
        keys,
        bytes,
        hintsHeld: node?.hints.size ?? 0,
        messagesHandled: host.stats.messagesHandled,
      };
    });
  }

  system(): SystemStats {
    const net = this.cluster.world.network.stats;
    const ops = this.counts.get.count + this.counts.put.count;
    let readRepairs = 0;
    let hintedWrites = 0;
    let hintsDelivered = 0;
    for (let i = 0; i < this.cluster.nodeHosts.length; i++) {
      const s = this.cluster.node(i)?.stats;
      if (!s) continue;
      readRepairs += s.readRepairs;
      hintedWrites += s.hintedWrites;
      hintsDelivered += s.hintsDelivered;
    }
    return {
      messages: net.sent,
      bytes: net.bytesSent,
      messagesPerOp: ops === 0 ? 0 : Math.round((net.sent / ops) * 100) / 100,
      bytesPerOp: ops === 0 ? 0 : Math.round(net.bytesSent / ops),
      hintBacklog: this.hintBacklog,
      outOfBalance: this.outOfBalance,
      readRepairs,
      hintedWrites,
      hintsDelivered,
      antiEntropy: null,
    };
  }
}
