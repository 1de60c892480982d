/**
 * Fill every default and convert every unit: a validated scenario value
 * becomes a `ResolvedScenario` in which durations are integer microseconds
 * (`...Us`), rates are per second (`...PerSec`), sizes are bytes
 * (`...Bytes`), probabilities are numbers, distributions are kernel specs
 * (µs or bytes), the node list is explicit and the fault timeline is a
 * sorted list of concrete events. Deterministic: no randomness here (the
 * experiment layer draws clock offsets and the like from the run's seed).
 *
 * `resolveScenario` expects a value that passed validation (validate.ts);
 * use `loadScenario` / `checkScenario` for user input.
 */
import type { DistributionSpec } from '../../sim/distributions.js';
import { engineDiskProfile } from '../dynamo/storage.js';
import { toDistributionSpec } from './distspec.js';
import {
  DEFAULTS,
  NETWORK_PRESETS,
  PRESET_LEGS,
  SCENARIO_CHECKS,
  type Coordination,
  type NemesisKindName,
  type NetworkPreset,
  type PresetLeg,
  type ReconcilePolicy,
  type ScenarioCheck,
  type StorageEngine,
} from './schema.js';
import { buildTimeline, type FaultEvent } from './timeline.js';
import { parseBandwidthBytesPerSec, parseDurationUs, parseProbability, parseRatePerSec, parseSeedText, unwrap } from './units.js';

// ---------------------------------------------------------------- the resolved value

export interface ResolvedScenario {
  name: string;
  description: string;
  /** Default root seed (canonical text), or null: the run draws one. */
  seed: string | null;
  /** End of the fault phase: workload and faults run in [0, durationUs). */
  durationUs: number;
  /** Statistics exclude [0, warmupUs). */
  warmupUs: number;
  /** Bound on the liveness phase after durationUs (0: none). */
  livenessUs: number;
  cluster: ResolvedCluster;
  network: ResolvedNetwork;
  workload: { populations: ResolvedPopulation[] };
  /** The fault timeline, sorted by time (ends before starts at an instant, then file order). */
  timeline: FaultEvent[];
  nemesis: ResolvedNemesis | null;
  sla: ResolvedSla;
  checks: ScenarioCheck[];
}

export interface ResolvedHost {
  cpu: { workers: number; serviceUs: DistributionSpec };
  disk: { channels: number; readUs: DistributionSpec; writeUs: DistributionSpec };
  /** The experiment draws each node's initial offset uniformly in [-maxOffsetUs, maxOffsetUs]. */
  clock: { driftPpm: number; maxOffsetUs: number };
}

export interface ResolvedNode {
  name: string;
  dc: string;
  rack: string;
  weight: number;
  /** false: the node joins only when a `join` event names it. */
  initial: boolean;
  host: ResolvedHost;
}

export interface ResolvedCluster {
  /** Every node, in declaration order (the ring, seeds and majority splits use this order). */
  nodes: ResolvedNode[];
  datacenters: string[];
  partitioning: { strategy: 1 | 2 | 3; tokens: number; partitions: number };
  quorum: { n: number; r: number; w: number };
  sloppyQuorum: boolean;
  coordination: Coordination;
  dcAwarePlacement: boolean;
  requestTimeoutUs: number;
  readRepair: { enabled: boolean; waitUs: number };
  storage: { engine: StorageEngine; writeBuffer: number; durableWrites: number; flushIntervalUs: number };
  hints: { scanIntervalUs: number; maxPerNode: number };
  failureDetector: { timeoutUs: number; retryIntervalUs: number };
  gossip: { intervalUs: number; seeds: string[] };
  antiEntropy: { enabled: boolean; intervalUs: number; concurrency: number; fanout: number; depth: number };
  vclock: { maxEntries: number };
  admissionControl: { enabled: boolean; targetUs: number; windowUs: number; percentile: number };
  clientRefreshUs: number;
  transfer: { bandwidthBytesPerSec: number };
  limits: { maxSiblings: number; maxKeysPerNode: number };
}

export interface ResolvedNetwork {
  preset: NetworkPreset | null;
  /** With a preset: the spec of each PBS leg, locally and across datacenters (WAN adds 75 ms remotely). */
  presetLegs: Record<PresetLeg, { local: DistributionSpec; remote: DistributionSpec }> | null;
  latency: { sameRackUs: DistributionSpec; sameDcUs: DistributionSpec; crossDcUs: DistributionSpec };
  lossProbability: number;
  duplicateProbability: number;
  /** 0: no serialisation delay. */
  bandwidthBytesPerSec: number;
}

export type ResolvedCurve =
  | { kind: 'constant' }
  | { kind: 'diurnal'; periodUs: number; amplitude: number; peakAtUs: number }
  | { kind: 'piecewise'; points: { atUs: number; ratePerSec: number }[] };

export type ResolvedArrivals =
  | {
      type: 'open';
      ratePerSec: number;
      curve: ResolvedCurve;
      flashCrowds: { atUs: number; forUs: number; factor: number; hotKeys: number }[];
    }
  | { type: 'closed'; clients: number; thinkUs: DistributionSpec };

export type ResolvedPopularity = { kind: 'uniform' } | { kind: 'zipf'; exponent: number } | { kind: 'hotspot'; fraction: number; probability: number };

export interface ResolvedPopulation {
  name: string;
  arrivals: ResolvedArrivals;
  keys: { count: number; popularity: ResolvedPopularity };
  mix: { get: number; put: number; rmw: number };
  reconcile: ReconcilePolicy;
  valueSizeBytes: DistributionSpec;
  busyRobots: { writers: number; keys: number; thinkUs: DistributionSpec };
  coordination: Coordination;
  /** Datacenters the clients sit in (spread round-robin). */
  dcs: string[];
}

interface NemesisCommon {
  probability: number;
  minStableUs: number;
  durationUs: DistributionSpec;
  /** Nodes it may pick from (default every node, in cluster order). */
  targets: string[];
}

export type ResolvedNemesisFault = NemesisCommon &
  (
    | { kind: 'crash'; loseDisk: boolean }
    | { kind: 'pause' }
    | { kind: 'partition'; mode: 'majority' | 'isolate' | 'splitDc' }
    | { kind: 'clockSkew'; maxSkewUs: number }
    | { kind: 'slowDisk'; factor: number }
    | { kind: 'degrade'; addedLatencyUs: number; lossProbability: number }
  );

export interface ResolvedNemesis {
  intervalUs: number;
  startUs: number;
  endUs: number;
  faults: ResolvedNemesisFault[];
}

/** Latency bounds (null: not checked) and availability. */
export interface ResolvedSla {
  p50Us: number | null;
  p90Us: number | null;
  p99Us: number | null;
  p999Us: number | null;
  p9999Us: number | null;
  maxUs: number | null;
  /** Least fraction of requests that succeed within latencyForUs (null: not checked). */
  availability: number | null;
  latencyForUs: number;
}

export type { FaultEvent };

// ---------------------------------------------------------------- helpers

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});

const dur = (v: unknown, what: string): number => unwrap(parseDurationUs(v), what);
const durOr = (v: unknown, dflt: string, what: string): number => dur(v ?? dflt, what);
const prob = (v: unknown, dflt: number | string, what: string): number => unwrap(parseProbability(v ?? dflt), what);
const num = <T>(v: unknown, dflt: T): T => (v === undefined ? dflt : (v as T));
const latency = (v: unknown, dflt: unknown): DistributionSpec => toDistributionSpec(v ?? dflt, 'duration');

// ---------------------------------------------------------------- resolve

export function resolveScenario(value: unknown): ResolvedScenario {
  const s = obj(value);
  const durationUs = durOr(s.duration, DEFAULTS.duration, 'duration');
  const phases = obj(s.phases);
  const c = obj(s.cluster);
  const cluster = resolveCluster(c, obj(s.hosts));
  const livenessUs = durOr(phases.liveness, DEFAULTS.phases.liveness, 'phases.liveness');
  const timeline = buildTimeline({
    faults: Array.isArray(s.faults) ? s.faults : [],
    nodes: cluster.nodes.map((n) => ({ name: n.name, dc: n.dc, initial: n.initial, driftPpm: n.host.clock.driftPpm })),
    durationUs,
  }).events;
  const sla = obj(s.sla);
  const optDur = (v: unknown, what: string) => (v === undefined ? null : dur(v, what));
  return {
    name: typeof s.name === 'string' ? s.name : '',
    description: typeof s.description === 'string' ? s.description : '',
    seed: s.seed === undefined ? null : unwrap(parseSeedText(s.seed), 'seed'),
    durationUs,
    warmupUs: durOr(phases.warmup, DEFAULTS.phases.warmup, 'phases.warmup'),
    livenessUs,
    cluster,
    network: resolveNetwork(obj(s.network)),
    workload: resolveWorkload(s.workload, cluster),
    timeline,
    nemesis: s.nemesis === undefined ? null : resolveNemesis(obj(s.nemesis), cluster, durationUs),
    sla: {
      p50Us: optDur(sla.p50, 'sla.p50'),
      p90Us: optDur(sla.p90, 'sla.p90'),
      p99Us: optDur(sla.p99, 'sla.p99'),
      p999Us: optDur(sla.p999, 'sla.p999'),
      p9999Us: optDur(sla.p9999, 'sla.p9999'),
      maxUs: optDur(sla.max, 'sla.max'),
      availability: sla.availability === undefined ? null : prob(sla.availability, 0, 'sla.availability'),
      latencyForUs: sla.latencyFor === undefined ? cluster.requestTimeoutUs : dur(sla.latencyFor, 'sla.latencyFor'),
    },
    checks: Array.isArray(s.checks) ? (s.checks.filter((x) => (SCENARIO_CHECKS as readonly unknown[]).includes(x)) as ScenarioCheck[]) : livenessUs > 0 ? ['converged'] : [],
  };
}

function resolveCluster(c: Obj, hosts: Obj): ResolvedCluster {
  const D = DEFAULTS.cluster;
  const engine = num<StorageEngine>(obj(c.storage).engine, D.storage.engine);
  const nodes = resolveNodes(c, hosts, engine);
  const datacenters = resolveDatacenters(c, nodes);
  const requestTimeoutUs = durOr(c.requestTimeout, D.requestTimeout, 'cluster.requestTimeout');
  const p = obj(c.partitioning);
  const q = obj(c.quorum);
  const rr = obj(c.readRepair);
  const st = obj(c.storage);
  const h = obj(c.hints);
  const fd = obj(c.failureDetector);
  const g = obj(c.gossip);
  const ae = obj(c.antiEntropy);
  const ac = obj(c.admissionControl);
  const lim = obj(c.limits);
  return {
    nodes,
    datacenters,
    partitioning: {
      strategy: num(p.strategy, D.partitioning.strategy as 1 | 2 | 3),
      tokens: num(p.tokens, D.partitioning.tokens),
      partitions: num(p.partitions, D.partitioning.partitions),
    },
    quorum: { n: num(q.n, D.quorum.n), r: num(q.r, D.quorum.r), w: num(q.w, D.quorum.w) },
    sloppyQuorum: num(c.sloppyQuorum, D.sloppyQuorum),
    coordination: num<Coordination>(c.coordination, D.coordination),
    dcAwarePlacement: num(c.dcAwarePlacement, D.dcAwarePlacement),
    requestTimeoutUs,
    readRepair: { enabled: num(rr.enabled, D.readRepair.enabled), waitUs: rr.wait === undefined ? requestTimeoutUs : dur(rr.wait, 'cluster.readRepair.wait') },
    storage: {
      engine,
      writeBuffer: num(st.writeBuffer, D.storage.writeBuffer),
      durableWrites: num(st.durableWrites, D.storage.durableWrites),
      flushIntervalUs: durOr(st.flushInterval, D.storage.flushInterval, 'cluster.storage.flushInterval'),
    },
    hints: { scanIntervalUs: durOr(h.scanInterval, D.hints.scanInterval, 'cluster.hints.scanInterval'), maxPerNode: num(h.maxPerNode, D.hints.maxPerNode) },
    failureDetector: {
      timeoutUs: fd.timeout === undefined ? requestTimeoutUs : dur(fd.timeout, 'cluster.failureDetector.timeout'),
      retryIntervalUs: durOr(fd.retryInterval, D.failureDetector.retryInterval, 'cluster.failureDetector.retryInterval'),
    },
    gossip: {
      intervalUs: durOr(g.interval, D.gossip.interval, 'cluster.gossip.interval'),
      seeds: Array.isArray(g.seeds) ? (g.seeds as string[]) : nodes.filter((n) => n.initial).slice(0, D.gossip.seedCount).map((n) => n.name),
    },
    antiEntropy: {
      enabled: num(ae.enabled, D.antiEntropy.enabled),
      intervalUs: durOr(ae.interval, D.antiEntropy.interval, 'cluster.antiEntropy.interval'),
      concurrency: num(ae.concurrency, D.antiEntropy.concurrency),
      fanout: num(ae.fanout, D.antiEntropy.fanout),
      depth: num(ae.depth, D.antiEntropy.depth),
    },
    vclock: { maxEntries: num(obj(c.vclock).maxEntries, D.vclock.maxEntries) },
    admissionControl: {
      enabled: num(ac.enabled, D.admissionControl.enabled),
      targetUs: durOr(ac.target, D.admissionControl.target, 'cluster.admissionControl.target'),
      windowUs: durOr(ac.window, D.admissionControl.window, 'cluster.admissionControl.window'),
      percentile: num(ac.percentile, D.admissionControl.percentile),
    },
    clientRefreshUs: durOr(c.clientRefresh, D.clientRefresh, 'cluster.clientRefresh'),
    transfer: { bandwidthBytesPerSec: unwrap(parseBandwidthBytesPerSec(obj(c.transfer).bandwidth ?? D.transfer.bandwidth), 'cluster.transfer.bandwidth') },
    limits: { maxSiblings: num(lim.maxSiblings, D.limits.maxSiblings), maxKeysPerNode: num(lim.maxKeysPerNode, D.limits.maxKeysPerNode) },
  };
}

/**
 * A count k: n0 … n<k-1>, node i in datacenter i mod D and rack
 * r<(i div D) mod racksPerDc>. A list: as written, dc defaulting to the first
 * datacenter and rack to "r0".
 */
function resolveNodes(c: Obj, hosts: Obj, engine: StorageEngine): ResolvedNode[] {
  const given = Array.isArray(c.datacenters) ? (c.datacenters as string[]) : null;
  const overrides = obj(hosts.overrides);
  const host = (name: string) => resolveHost(hosts, obj(overrides[name]), engine);
  if (Array.isArray(c.nodes)) {
    const firstDc = given?.[0] ?? DEFAULTS.cluster.datacenter;
    return c.nodes.map((raw) => {
      const n = obj(raw);
      const name = String(n.name);
      return {
        name,
        dc: typeof n.dc === 'string' ? n.dc : firstDc,
        rack: typeof n.rack === 'string' ? n.rack : DEFAULTS.cluster.rack,
        weight: num(n.weight, DEFAULTS.cluster.weight),
        initial: num(n.initial, true),
        host: host(name),
      };
    });
  }
  const count = num(c.nodes, DEFAULTS.cluster.nodes);
  const dcs = given ?? [DEFAULTS.cluster.datacenter];
  const racks = num(c.racksPerDc, DEFAULTS.cluster.racksPerDc);
  return Array.from({ length: count }, (_, i) => {
    const name = `n${i}`;
    return {
      name,
      dc: dcs[i % dcs.length]!,
      rack: `r${Math.floor(i / dcs.length) % racks}`,
      weight: DEFAULTS.cluster.weight,
      initial: true,
      host: host(name),
    };
  });
}

function resolveDatacenters(c: Obj, nodes: readonly ResolvedNode[]): string[] {
  if (Array.isArray(c.datacenters)) return [...(c.datacenters as string[])];
  const seen: string[] = [];
  for (const n of nodes) if (!seen.includes(n.dc)) seen.push(n.dc);
  return seen.length > 0 ? seen : [DEFAULTS.cluster.datacenter];
}

function resolveHost(hosts: Obj, override: Obj, engine: StorageEngine): ResolvedHost {
  const pick = (section: string, field: string): unknown => obj(override[section])[field] ?? obj(hosts[section])[field];
  // The engine's disk profile is the storage layer's (one source of truth, in µs already).
  const profile = engineDiskProfile(engine);
  const read = pick('disk', 'read');
  const write = pick('disk', 'write');
  return {
    cpu: { workers: num(pick('cpu', 'workers'), DEFAULTS.hosts.cpu.workers), serviceUs: latency(pick('cpu', 'service'), DEFAULTS.hosts.cpu.service) },
    disk: {
      channels: num(pick('disk', 'channels'), DEFAULTS.hosts.disk.channels),
      readUs: read === undefined ? profile.readUs : latency(read, undefined),
      writeUs: write === undefined ? profile.writeUs : latency(write, undefined),
    },
    clock: { driftPpm: num(pick('clock', 'driftPpm'), DEFAULTS.hosts.clock.driftPpm), maxOffsetUs: durOr(pick('clock', 'maxOffset'), DEFAULTS.hosts.clock.maxOffset, 'hosts.clock.maxOffset') },
  };
}

function resolveNetwork(n: Obj): ResolvedNetwork {
  const D = DEFAULTS.network;
  const lat = obj(n.latency);
  const preset = (NETWORK_PRESETS as readonly unknown[]).includes(n.preset) ? (n.preset as NetworkPreset) : null;
  let presetLegs: ResolvedNetwork['presetLegs'] = null;
  if (preset !== null) {
    const legs = {} as Record<PresetLeg, { local: DistributionSpec; remote: DistributionSpec }>;
    for (const leg of PRESET_LEGS) {
      legs[leg] = {
        local: { preset, leg },
        remote: preset === 'WAN' ? { preset, leg, remote: true } : { preset, leg },
      };
    }
    presetLegs = legs;
  }
  return {
    preset,
    presetLegs,
    latency: {
      sameRackUs: latency(lat.sameRack, D.latency.sameRack),
      sameDcUs: latency(lat.sameDc, D.latency.sameDc),
      crossDcUs: latency(lat.crossDc, D.latency.crossDc),
    },
    lossProbability: prob(n.loss, D.loss, 'network.loss'),
    duplicateProbability: prob(n.duplicate, D.duplicate, 'network.duplicate'),
    bandwidthBytesPerSec: unwrap(parseBandwidthBytesPerSec(n.bandwidth ?? D.bandwidth), 'network.bandwidth'),
  };
}

function resolveWorkload(w: unknown, cluster: ResolvedCluster): { populations: ResolvedPopulation[] } {
  if (w === undefined) return { populations: [resolvePopulation({}, DEFAULTS.population.name, cluster)] };
  const wo = obj(w);
  if (Array.isArray(wo.populations)) {
    return { populations: wo.populations.map((p, i) => resolvePopulation(obj(p), `p${i}`, cluster)) };
  }
  return { populations: [resolvePopulation(wo, DEFAULTS.population.name, cluster)] };
}

function resolvePopulation(p: Obj, defaultName: string, cluster: ResolvedCluster): ResolvedPopulation {
  const P = DEFAULTS.population;
  const keys = obj(p.keys);
  const robots = obj(p.busyRobots);
  return {
    name: typeof p.name === 'string' ? p.name : defaultName,
    arrivals: resolveArrivals(p.arrivals === undefined ? P.arrivals : obj(p.arrivals)),
    keys: { count: num(keys.count, P.keys.count), popularity: resolvePopularity(keys.popularity ?? P.keys.popularity) },
    mix: p.mix === undefined ? { ...P.mix } : { get: num(obj(p.mix).get, 0), put: num(obj(p.mix).put, 0), rmw: num(obj(p.mix).rmw, 0) },
    reconcile: num<ReconcilePolicy>(p.reconcile, P.reconcile),
    valueSizeBytes: toDistributionSpec(p.valueSize ?? P.valueSize, 'size'),
    busyRobots: { writers: num(robots.writers, P.busyRobots.writers), keys: num(robots.keys, P.busyRobots.keys), thinkUs: latency(robots.think, P.busyRobots.think) },
    coordination: num<Coordination>(p.coordination, cluster.coordination),
    dcs: typeof p.dc === 'string' ? [p.dc] : [...cluster.datacenters],
  };
}

function resolveArrivals(a: Obj): ResolvedArrivals {
  if (a.type === 'closed') {
    return { type: 'closed', clients: a.clients as number, thinkUs: latency(a.think, DEFAULTS.population.closedThink) };
  }
  return {
    type: 'open',
    ratePerSec: unwrap(parseRatePerSec(a.rate), 'arrivals.rate'),
    curve: resolveCurve(a.curve ?? 'constant'),
    flashCrowds: (Array.isArray(a.flashCrowds) ? a.flashCrowds : []).map((f) => {
      const fc = obj(f);
      return { atUs: dur(fc.at, 'flashCrowds.at'), forUs: dur(fc.for, 'flashCrowds.for'), factor: fc.factor as number, hotKeys: num(fc.hotKeys, 0) };
    }),
  };
}

function resolveCurve(curve: unknown): ResolvedCurve {
  const c = obj(curve);
  if (c.diurnal !== undefined) {
    const d = obj(c.diurnal);
    const D = DEFAULTS.population.diurnal;
    return {
      kind: 'diurnal',
      periodUs: durOr(d.period, D.period, 'diurnal.period'),
      amplitude: num(d.amplitude, D.amplitude),
      peakAtUs: durOr(d.peakAt, D.peakAt, 'diurnal.peakAt'),
    };
  }
  if (Array.isArray(c.piecewise)) {
    return {
      kind: 'piecewise',
      points: c.piecewise.map((pt) => {
        const pair = pt as unknown[];
        return { atUs: dur(pair[0], 'piecewise.at'), ratePerSec: unwrap(parseRatePerSec(pair[1], { allowZero: true }), 'piecewise.rate') };
      }),
    };
  }
  return { kind: 'constant' };
}

function resolvePopularity(p: unknown): ResolvedPopularity {
  const o = obj(p);
  if (typeof o.zipf === 'number') return { kind: 'zipf', exponent: o.zipf };
  if (o.hotspot !== undefined) {
    const h = obj(o.hotspot);
    return { kind: 'hotspot', fraction: prob(h.fraction, 0, 'hotspot.fraction'), probability: prob(h.probability, 0, 'hotspot.probability') };
  }
  return { kind: 'uniform' };
}

function resolveNemesis(n: Obj, cluster: ResolvedCluster, durationUs: number): ResolvedNemesis {
  const D = DEFAULTS.nemesis;
  const all = cluster.nodes.map((x) => x.name);
  return {
    intervalUs: durOr(n.interval, D.interval, 'nemesis.interval'),
    startUs: durOr(n.start, D.start, 'nemesis.start'),
    endUs: n.end === undefined ? durationUs : dur(n.end, 'nemesis.end'),
    faults: (Array.isArray(n.faults) ? n.faults : []).map((raw): ResolvedNemesisFault => {
      const f = obj(raw);
      const common: NemesisCommon = {
        probability: prob(f.probability, D.probability, 'nemesis.probability'),
        minStableUs: durOr(f.minStable, D.minStable, 'nemesis.minStable'),
        durationUs: latency(f.duration, D.duration),
        targets: Array.isArray(f.targets) ? (f.targets as string[]) : [...all],
      };
      const kind = f.kind as NemesisKindName;
      switch (kind) {
        case 'crash':
          return { kind, ...common, loseDisk: num(f.loseDisk, D.loseDisk) };
        case 'pause':
          return { kind, ...common };
        case 'partition':
          return { kind, ...common, mode: num(f.mode, D.mode) };
        case 'clockSkew':
          return { kind, ...common, maxSkewUs: durOr(f.maxSkew, D.maxSkew, 'nemesis.maxSkew') };
        case 'slowDisk':
          return { kind, ...common, factor: num(f.factor, D.factor) };
        case 'degrade':
          return { kind, ...common, addedLatencyUs: durOr(f.latency, D.latency, 'nemesis.latency'), lossProbability: prob(f.loss, D.loss, 'nemesis.loss') };
        default:
          throw new Error(`bug: nemesis kind ${JSON.stringify(kind)} passed validation`);
      }
    }),
  };
}
