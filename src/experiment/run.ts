/**
 * One run of a scenario: build the world from a resolved scenario and a
 * seed, drive the workload through the fault phase (timeline and nemesis),
 * heal and run the liveness phase, then measure and judge. Everything here
 * is deterministic in (scenario, seed, version); wall-clock figures come
 * from an injected clock (the CLI's), never from this layer.
 */
import { fromSpec, type Distribution } from '../../sim/distributions.js';
import type { CpuOptions, DiskOptions } from '../../sim/host.js';
import type { ClassLatency, NetworkOptions } from '../../sim/network.js';
import { Nemesis, type NemesisKind } from '../../sim/nemesis.js';
import { RandomStream, parseSeed, type Seed } from '../../sim/random.js';
import type { TraceSink } from '../../sim/trace.js';
import { evaluateChecks } from '../check/checks.js';
import { antiEntropyComponent, type AntiEntropy } from '../dynamo/antiEntropy.js';
import type { ComponentFactory } from '../dynamo/component.js';
import type { DynamoConfigInput } from '../dynamo/config.js';
import { RunMetrics } from '../metrics/collector.js';
import { OperationCapture } from '../metrics/operationCapture.js';
import { SUMMARY_SCHEMA_VERSION, type FaultWindow, type RingSummary, type Summary } from '../report/summary.js';
import type { FaultEvent, ResolvedNemesisFault, ResolvedScenario } from '../scenario/index.js';
import { VERSION } from '../version.js';
import { RateFunction, type RateCurve } from '../workload/arrivals.js';
import { keyChooser, keysFrom, type Popularity } from '../workload/keys.js';
import { Population, WorkloadIds, type Arrivals } from '../workload/workload.js';
import { buildCluster, membershipComponents, type Cluster, type ClientSpec, type NodeSpec } from './cluster.js';
import { runUntilConverged } from './liveness.js';

export interface RunOptions {
  readonly seed: Seed | string | number | bigint;
  readonly traceSink?: TraceSink | null;
  /** Wall-clock milliseconds (the CLI passes performance.now); default: none (wall figures are 0). */
  readonly wallClockMs?: () => number;
  /** Called as simulated time advances (fraction of the run done, 0..1). */
  readonly onProgress?: (progress: RunProgress) => void;
  /** Node components to install (membership, transfers, anti-entropy); default: the scenario's. */
  readonly components?: readonly ComponentFactory[];
  /** Hard cap on events (fails loudly with the seed). */
  readonly maxEvents?: number;
  /** Capture the slowest (failed) operation's messages for the report's diagram (default true). */
  readonly captureOperation?: boolean;
  /** Called once the world is built, before anything runs (a trace writer learns the host names). */
  readonly onBuilt?: (cluster: Cluster) => void;
}

export interface RunProgress {
  readonly simulatedUs: number;
  readonly totalUs: number;
  readonly events: number;
  readonly operations: number;
}

export interface RunResult {
  readonly summary: Summary;
  readonly cluster: Cluster;
  readonly metrics: RunMetrics;
}

/** The node components a scenario runs with: gossip and range transfers always (§4.8), anti-entropy when enabled. */
export function scenarioComponents(s: ResolvedScenario): ComponentFactory[] {
  const out: ComponentFactory[] = [...membershipComponents()];
  if (s.cluster.antiEntropy.enabled) out.push(antiEntropyComponent());
  return out;
}

export function runScenario(scenario: ResolvedScenario, options: RunOptions): RunResult {
  const seed = parseSeed(options.seed);
  const clock = options.wallClockMs ?? (() => 0);
  const wallStart = clock();
  const cluster = buildWorld(scenario, seed, { ...options, traceSink: options.traceSink ?? null });
  const { world } = cluster;
  const capture = options.captureOperation === false ? null : new OperationCapture(world.trace);
  options.onBuilt?.(cluster);
  const windowUs = 10_000_000;
  const metrics = new RunMetrics(cluster, { warmupUs: scenario.warmupUs, windowUs, slaUs: scenario.sla.latencyForUs });
  const populations = startWorkload(scenario, cluster, metrics);
  const faultWindows = scheduleTimeline(scenario, cluster);
  const nemesis = startNemesis(scenario, cluster);

  // The fault phase, in steps so progress can be reported.
  const total = scenario.durationUs + scenario.livenessUs;
  const step = Math.max(1_000_000, Math.floor(scenario.durationUs / 100));
  const operations = () => populations.reduce((n, p) => n + p.counters.finished, 0);
  while (world.nowUs < scenario.durationUs) {
    world.scheduler.runUntil(Math.min(scenario.durationUs, world.nowUs + step));
    options.onProgress?.({ simulatedUs: world.nowUs, totalUs: total, events: world.scheduler.executed, operations: operations() });
  }
  // The liveness phase: faults are healed by the timeline at the end of the fault phase; the workload has stopped.
  let convergence: Summary['convergence'] = { ran: false, converged: false, convergedAtUs: null, pending: [] };
  if (scenario.livenessUs > 0) {
    const report = runUntilConverged(cluster, { boundUs: scenario.livenessUs, checkEveryUs: Math.max(1_000_000, Math.floor(scenario.livenessUs / 60)) });
    convergence = { ran: true, converged: report.converged, convergedAtUs: report.convergedAtUs, pending: [...report.pending] };
    options.onProgress?.({ simulatedUs: world.nowUs, totalUs: total, events: world.scheduler.executed, operations: operations() });
  }
  metrics.stop();
  metrics.latency.finish(scenario.durationUs);
  const endUs = world.nowUs;
  if (nemesis !== null) {
    for (const h of nemesis.history) faultWindows.push({ kind: `nemesis ${h.kind}`, describe: h.describe, startUs: h.startUs, endUs: h.endUs });
    faultWindows.sort((a, b) => a.startUs - b.startUs || a.describe.localeCompare(b.describe));
  }
  const availabilityEnd = scenario.durationUs;
  const overall = metrics.availability.overall();
  const wallMs = clock() - wallStart;
  const measured: Omit<Summary, 'checks'> = {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    scenario: scenario.name,
    seed,
    version: VERSION,
    digest: world.digest(),
    events: world.scheduler.executed,
    simulatedUs: endUs,
    wall: { wallMs: Math.round(wallMs), eventsPerSec: wallMs > 0 ? Math.round((world.scheduler.executed / wallMs) * 1000) : 0 },
    config: {
      nodes: scenario.cluster.nodes.length,
      n: scenario.cluster.quorum.n,
      r: scenario.cluster.quorum.r,
      w: scenario.cluster.quorum.w,
      sloppyQuorum: scenario.cluster.sloppyQuorum,
      coordination: scenario.cluster.coordination,
      strategy: scenario.cluster.partitioning.strategy,
      network: scenario.network.preset ?? 'custom',
    },
    phases: { warmupUs: scenario.warmupUs, faultPhaseEndUs: scenario.durationUs, endUs, windowUs },
    ops: { get: metrics.opStats('get'), put: metrics.opStats('put') },
    latencyWindows: metrics.latency.windows,
    availability: {
      slaMs: scenario.sla.latencyForUs / 1000,
      overall: Math.round(overall.availability * 1e6) / 1e6,
      requests: overall.requests,
      succeeded: overall.succeeded,
      windows: metrics.availability.windows(windowUs, availabilityEnd),
      faults: metrics.availability.faults(faultWindows, windowUs, availabilityEnd),
    },
    staleness: metrics.consistency.staleness(),
    versions: metrics.consistency.versions(),
    durability: metrics.durability.check((key) => metrics.heldVersions(key), endUs),
    convergence,
    nodes: metrics.nodeSummaries(),
    system: { ...metrics.system(), antiEntropy: antiEntropyTotals(cluster) },
    faults: faultWindows,
    ring: ringSummary(cluster),
  };
  const operation = capture?.result((id) => cluster.world.hosts[id]?.name ?? `#${id}`);
  if (operation) measured.operation = operation;
  const summary: Summary = { ...measured, checks: evaluateChecks(measured, scenario.checks, scenario.sla) };
  return { summary, cluster, metrics };
}

// ---- building the world ----------------------------------------------------------------------

function buildWorld(s: ResolvedScenario, seed: Seed, options: RunOptions): Cluster {
  const c = s.cluster;
  const dist = (spec: Parameters<typeof fromSpec>[0], path: string): Distribution => fromSpec(spec, path);
  // Initial clock offsets: uniform in [-maxOffset, +maxOffset], from a stream of the run's seed.
  const offsetRng = new RandomStream(seed, 'scenario/clock-offsets');
  const offsets = new Map<string, number>(c.nodes.map((n) => [n.name, n.host.clock.maxOffsetUs > 0 ? offsetRng.int(-n.host.clock.maxOffsetUs, n.host.clock.maxOffsetUs) : 0]));
  const nodes: NodeSpec[] = c.nodes.map((n, i) => {
    const cpu: CpuOptions = { workers: n.host.cpu.workers, serviceUs: dist(n.host.cpu.serviceUs, `cluster.nodes.${i}.cpu.service`) };
    const disk: DiskOptions = {
      channels: n.host.disk.channels,
      readUs: dist(n.host.disk.readUs, `cluster.nodes.${i}.disk.read`),
      writeUs: dist(n.host.disk.writeUs, `cluster.nodes.${i}.disk.write`),
    };
    const offsetUs = offsets.get(n.name) ?? 0;
    return { name: n.name, dc: n.dc, rack: n.rack, weight: n.weight, cpu, disk, clock: { offsetUs, driftPpm: n.host.clock.driftPpm }, initial: n.initial };
  });
  const nameToIndex = new Map(c.nodes.map((n, i) => [n.name, i] as const));
  const seeds = c.gossip.seeds.map((name) => nameToIndex.get(name)).filter((x): x is number => x !== undefined);
  const config: DynamoConfigInput = {
    n: c.quorum.n,
    r: c.quorum.r,
    w: c.quorum.w,
    sloppyQuorum: c.sloppyQuorum,
    dcAwarePlacement: c.dcAwarePlacement,
    requestTimeoutUs: c.requestTimeoutUs,
    readRepair: { enabled: c.readRepair.enabled, waitUs: c.readRepair.waitUs },
    vclockMaxEntries: c.vclock.maxEntries,
    maxSiblings: c.limits.maxSiblings,
    storage: { engine: c.storage.engine, writeBufferObjects: c.storage.writeBuffer, durableWrites: c.storage.durableWrites, flushIntervalUs: c.storage.flushIntervalUs },
    hints: { scanIntervalUs: c.hints.scanIntervalUs, maxHints: c.hints.maxPerNode },
    failureDetector: { timeoutUs: c.failureDetector.timeoutUs, retryIntervalUs: c.failureDetector.retryIntervalUs },
    clientRefreshUs: c.clientRefreshUs,
    gossip: { intervalUs: c.gossip.intervalUs, seeds },
    antiEntropy: { enabled: c.antiEntropy.enabled, intervalUs: c.antiEntropy.intervalUs, concurrency: c.antiEntropy.concurrency, fanout: c.antiEntropy.fanout, depth: c.antiEntropy.depth },
    admission: { enabled: c.admissionControl.enabled, targetUs: c.admissionControl.targetUs, windowUs: c.admissionControl.windowUs, percentile: c.admissionControl.percentile },
    transfer: { bandwidthBytesPerSec: c.transfer.bandwidthBytesPerSec },
  };
  const net = s.network;
  const network: NetworkOptions = {
    latency: {
      sameRack: dist(net.latency.sameRackUs, 'network.latency.sameRack'),
      sameDc: dist(net.latency.sameDcUs, 'network.latency.sameDc'),
      crossDc: dist(net.latency.crossDcUs, 'network.latency.crossDc'),
    },
    lossProbability: net.lossProbability,
    duplicateProbability: net.duplicateProbability,
    bandwidthBytesPerSec: net.bandwidthBytesPerSec,
    ...(net.presetLegs !== null
      ? {
          classLatency: Object.fromEntries(
            Object.entries(net.presetLegs).map(([leg, spec]): [string, ClassLatency] => [leg, { local: dist(spec.local, `network.preset.${leg}`), remote: dist(spec.remote, `network.preset.${leg}`) }]),
          ),
        }
      : {}),
  };
  const clients: ClientSpec[] = [];
  for (const p of s.workload.populations) {
    for (const dc of p.dcs) clients.push({ name: clientName(p.name, dc, p.dcs.length), dc, mode: p.coordination });
    if (p.busyRobots.writers > 0) clients.push({ name: `${p.name}-robots`, dc: p.dcs[0]!, mode: p.coordination });
  }
  const components = options.components ?? scenarioComponents(s);
  return buildCluster({
    seed,
    nodes,
    config,
    partitioning: { strategy: c.partitioning.strategy, tokensPerNode: c.partitioning.tokens, partitions: c.partitioning.partitions },
    network,
    clients,
    components,
    traceSink: options.traceSink ?? null,
    ...(options.maxEvents !== undefined ? { maxEvents: options.maxEvents } : {}),
  });
}

function clientName(population: string, dc: string, dcCount: number): string {
  return dcCount > 1 ? `${population}@${dc}` : population;
}

// ---- workload ---------------------------------------------------------------------------------

function startWorkload(s: ResolvedScenario, cluster: Cluster, metrics: RunMetrics): Population[] {
  const world = cluster.world;
  const ids = new WorkloadIds();
  const clientIndex = new Map(cluster.clientHosts.map((h, i) => [h.name, i] as const));
  const out: Population[] = [];
  for (const p of s.workload.populations) {
    const keys = keyChooser(p.keys.count, popularity(p.keys.popularity));
    const valueSizeBytes = fromSpec(p.valueSizeBytes, `workload.${p.name}.valueSize`);
    // Clients of a population spread over its datacenters; each datacenter's share of the rate goes to its client.
    p.dcs.forEach((dc, d) => {
      const client = cluster.client(clientIndex.get(clientName(p.name, dc, p.dcs.length))!);
      const arrivals: Arrivals =
        p.arrivals.type === 'open'
          ? { type: 'open', rate: new RateFunction(p.arrivals.ratePerSec / p.dcs.length, curve(p.arrivals.curve, p.dcs.length), p.arrivals.flashCrowds.map((f) => ({ ...f, hotShare: 1 - 1 / f.factor }))), sessions: 1_000 }
          : { type: 'closed', clients: Math.max(1, Math.round(p.arrivals.clients / p.dcs.length)), thinkUs: fromSpec(p.arrivals.thinkUs, `workload.${p.name}.think`) };
      out.push(
        new Population(world.scheduler, ids, metrics, {
          name: p.dcs.length > 1 ? `${p.name}@${dc}` : p.name,
          client,
          arrivals,
          keys,
          mix: p.mix,
          reconcile: p.reconcile,
          valueSizeBytes,
          startUs: 0,
          endUs: s.durationUs,
          rng: world.random.stream(`workload/${p.name}/${d}`),
          trace: world.trace,
        }),
      );
    });
    if (p.busyRobots.writers > 0) {
      out.push(
        new Population(world.scheduler, ids, metrics, {
          name: `${p.name}-robots`,
          client: cluster.client(clientIndex.get(`${p.name}-robots`)!),
          arrivals: { type: 'closed', clients: p.busyRobots.writers, thinkUs: fromSpec(p.busyRobots.thinkUs, `workload.${p.name}.busyRobots.think`) },
          keys: keysFrom(keys.hottest(p.busyRobots.keys)),
          mix: { get: 0, put: 0, rmw: 1 },
          reconcile: p.reconcile,
          valueSizeBytes,
          startUs: 0,
          endUs: s.durationUs,
          rng: world.random.stream(`workload/${p.name}/robots`),
          trace: world.trace,
        }),
      );
    }
  }
  return out;
}

function popularity(p: ResolvedScenario['workload']['populations'][number]['keys']['popularity']): Popularity {
  switch (p.kind) {
    case 'uniform':
      return { kind: 'uniform' };
    case 'zipf':
      return { kind: 'zipf', s: p.exponent };
    case 'hotspot':
      return { kind: 'hotspot', fraction: p.fraction, probability: p.probability };
  }
}

function curve(c: ResolvedScenario['workload']['populations'][number]['arrivals'] & { type: 'open' } extends { curve: infer C } ? C : never, share: number): RateCurve {
  switch (c.kind) {
    case 'constant':
      return { kind: 'constant' };
    case 'diurnal':
      return { kind: 'diurnal', periodUs: c.periodUs, amplitude: c.amplitude, peakAtUs: c.peakAtUs };
    case 'piecewise':
      return { kind: 'piecewise', points: c.points.map((p) => [p.atUs, p.ratePerSec / share] as const) };
  }
}

// ---- faults -----------------------------------------------------------------------------------

function scheduleTimeline(s: ResolvedScenario, cluster: Cluster): FaultWindow[] {
  const world = cluster.world;
  const id = (name: string) => world.network.idOf(name);
  const ids = (names: readonly string[]) => names.map(id);
  for (const event of s.timeline) world.scheduler.at(Math.max(event.atUs, world.nowUs), () => applyFault(cluster, event, id, ids));
  return faultWindows(s);
}

function applyFault(cluster: Cluster, e: FaultEvent, id: (n: string) => number, ids: (n: readonly string[]) => number[]): void {
  const f = cluster.world.faults;
  const net = cluster.world.network;
  const host = (name: string) => cluster.world.hosts[id(name)]!;
  switch (e.kind) {
    case 'crash':
      if (host(e.node).isUp) f.crash(id(e.node), { loseDisk: e.loseDisk });
      return;
    case 'restart':
      if (!host(e.node).isUp) f.restart(id(e.node));
      return;
    case 'pause':
      if (host(e.node).state === 'up') f.pause(id(e.node));
      return;
    case 'resume':
      if (host(e.node).state === 'paused') f.resume(id(e.node));
      return;
    case 'partition':
      if (e.oneWay) f.partitionOneWay(ids(e.groups[0] ?? []), ids(e.groups[1] ?? []));
      else f.partition(e.groups.map(ids));
      return;
    case 'heal': {
      const groups = e.groups.map(ids);
      cluster.world.trace.record('fault', cluster.world.nowUs, { fault: 'heal', groups: e.groups.map((g) => g.join(',')).join('|') });
      for (let i = 0; i < groups.length; i++)
        for (let j = 0; j < groups.length; j++) {
          if (i === j || (e.oneWay && !(i === 0 && j === 1))) continue;
          for (const a of groups[i]!) for (const b of groups[j]!) net.unblockOneWay(a, b);
        }
      return;
    }
    case 'degrade':
      for (const [a, b] of e.links) f.degradeLink(id(a), id(b), { addedLatencyUs: e.addedLatencyUs, lossProbability: e.lossProbability });
      return;
    case 'restore':
      for (const [a, b] of e.links) f.restoreLink(id(a), id(b));
      return;
    case 'clog':
      for (const [a, b] of e.links) f.clog(id(a), id(b), e.untilUs);
      return;
    case 'unclog':
      for (const [a, b] of e.links) f.unclog(id(a), id(b));
      return;
    case 'clockSkew':
      f.skewClock(id(e.node), e.byUs);
      return;
    case 'clockDrift':
      f.setDrift(id(e.node), e.ppm);
      return;
    case 'slowDisk':
      f.slowdown(id(e.node), e.factor);
      return;
    case 'join':
    case 'leave':
    case 'remove': {
      const index = cluster.nodeHosts.findIndex((h) => h.name === e.node);
      if (e.kind === 'join') cluster.admin.join(index);
      else if (e.kind === 'leave') cluster.admin.leave(index);
      else cluster.admin.remove(index);
      return;
    }
  }
}

/** Fault windows for reports: each starting event paired with the event that ends it. */
function faultWindows(s: ResolvedScenario): FaultWindow[] {
  const ENDS: Record<string, string> = { crash: 'restart', pause: 'resume', partition: 'heal', degrade: 'restore', clog: 'unclog', slowDisk: 'slowDisk', clockSkew: 'clockSkew', clockDrift: 'clockDrift' };
  const out: FaultWindow[] = [];
  const events = s.timeline;
  events.forEach((e, i) => {
    if (e.cause !== 'fault') return;
    const endKind = ENDS[e.kind];
    let endUs = e.atUs;
    if (endKind !== undefined) {
      const end = events.slice(i + 1).find((x) => x.source === e.source && x.cause !== 'fault' && x.kind === endKind);
      endUs = end !== undefined ? end.atUs : s.durationUs;
      if (e.kind === 'clockSkew' || e.kind === 'clockDrift') endUs = end !== undefined ? end.atUs : e.atUs;
    }
    out.push({ kind: e.kind, describe: describe(e), startUs: e.atUs, endUs });
  });
  return out;
}

function describe(e: FaultEvent): string {
  switch (e.kind) {
    case 'partition':
      return `partition ${e.groups.map((g) => g.join(',')).join(e.oneWay ? ' -/-> ' : ' | ')}`;
    case 'degrade':
    case 'restore':
    case 'clog':
    case 'unclog':
      return `${e.kind} ${e.links.map(([a, b]) => `${a}->${b}`).join(' ')}`;
    case 'heal':
      return 'heal';
    case 'clockSkew':
      return `clock skew ${e.node} by ${e.byUs / 1000} ms`;
    case 'clockDrift':
      return `clock drift ${e.node} ${e.ppm} ppm`;
    case 'slowDisk':
      return `slow disk ${e.node} x${e.factor}`;
    case 'crash':
      return `crash ${e.node}${e.loseDisk ? ' (disk lost)' : ''}`;
    default:
      return `${e.kind} ${e.node}`;
  }
}

function startNemesis(s: ResolvedScenario, cluster: Cluster): Nemesis | null {
  const n = s.nemesis;
  if (n === null || n.faults.length === 0) return null;
  const world = cluster.world;
  const kinds: NemesisKind[] = n.faults.map((f, i) => nemesisKind(cluster, f, i));
  return new Nemesis(world.scheduler, world.random.stream('nemesis'), world.trace, { intervalUs: n.intervalUs, startUs: n.startUs, endUs: n.endUs, kinds });
}

function nemesisKind(cluster: Cluster, f: ResolvedNemesisFault, index: number): NemesisKind {
  const world = cluster.world;
  const faults = world.faults;
  const targets = f.targets.map((name) => world.network.idOf(name));
  const up = () => targets.filter((id) => world.hosts[id]!.state === 'up');
  const base = { name: `${f.kind}#${index}`, probability: f.probability, minStableUs: f.minStableUs, durationUs: fromSpec(f.durationUs, `nemesis.faults.${index}.duration`) };
  const name = (id: number) => world.hosts[id]!.name;
  switch (f.kind) {
    case 'crash':
      return {
        ...base,
        start: (rng) => {
          const candidates = up();
          if (candidates.length === 0) return null;
          const victim = rng.pick(candidates);
          faults.crash(victim, { loseDisk: f.loseDisk });
          return { describe: `crash ${name(victim)}`, undo: () => world.hosts[victim]!.isUp || faults.restart(victim) };
        },
      };
    case 'pause':
      return {
        ...base,
        start: (rng) => {
          const candidates = up();
          if (candidates.length === 0) return null;
          const victim = rng.pick(candidates);
          faults.pause(victim);
          return { describe: `pause ${name(victim)}`, undo: () => world.hosts[victim]!.state === 'paused' && faults.resume(victim) };
        },
      };
    case 'partition':
      return {
        ...base,
        start: (rng) => {
          let groups: number[][];
          if (f.mode === 'isolate') {
            const victim = rng.pick(targets);
            groups = [[victim], targets.filter((t) => t !== victim)];
          } else if (f.mode === 'splitDc') {
            const dcs = [...new Set(targets.map((t) => world.hosts[t]!.dc))];
            if (dcs.length < 2) return null;
            groups = dcs.map((dc) => targets.filter((t) => world.hosts[t]!.dc === dc));
          } else {
            const shuffled = rng.shuffle([...targets]);
            const minority = Math.floor(shuffled.length / 2);
            groups = [shuffled.slice(0, minority), shuffled.slice(minority)];
          }
          faults.partition(groups);
          const text = `partition ${groups.map((g) => g.map(name).join(',')).join(' | ')}`;
          return {
            describe: text,
            undo: () => {
              for (let i = 0; i < groups.length; i++) for (let j = 0; j < groups.length; j++) if (i !== j) for (const a of groups[i]!) for (const b of groups[j]!) world.network.unblockOneWay(a, b);
              world.trace.record('fault', world.nowUs, { fault: 'heal', groups: text });
            },
          };
        },
      };
    case 'clockSkew':
      return {
        ...base,
        start: (rng) => {
          const victim = rng.pick(targets);
          const byUs = rng.int(-f.maxSkewUs, f.maxSkewUs);
          faults.skewClock(victim, byUs);
          return { describe: `clock skew ${name(victim)} by ${byUs / 1000} ms`, undo: () => faults.skewClock(victim, -byUs) };
        },
      };
    case 'slowDisk':
      return {
        ...base,
        start: (rng) => {
          const victim = rng.pick(targets);
          faults.slowdown(victim, f.factor);
          return { describe: `slow disk ${name(victim)} x${f.factor}`, undo: () => faults.slowdown(victim, 1) };
        },
      };
    case 'degrade':
      return {
        ...base,
        start: (rng) => {
          if (targets.length < 2) return null;
          const a = rng.pick(targets);
          let b = rng.pick(targets);
          if (b === a) b = targets[(targets.indexOf(a) + 1) % targets.length]!;
          faults.degradeLink(a, b, { addedLatencyUs: f.addedLatencyUs, lossProbability: f.lossProbability });
          faults.degradeLink(b, a, { addedLatencyUs: f.addedLatencyUs, lossProbability: f.lossProbability });
          return {
            describe: `degrade ${name(a)}<->${name(b)}`,
            undo: () => {
              faults.restoreLink(a, b);
              faults.restoreLink(b, a);
            },
          };
        },
      };
  }
}

function antiEntropyTotals(cluster: Cluster): Summary['system']['antiEntropy'] {
  let found = false;
  let exchanges = 0;
  let keysRepaired = 0;
  let bytes = 0;
  for (let i = 0; i < cluster.nodeHosts.length; i++) {
    const ae = cluster.node(i)?.component<AntiEntropy>('anti-entropy');
    if (!ae) continue;
    found = true;
    exchanges += ae.stats.exchangesCompleted;
    keysRepaired += ae.stats.keysRepairedAsInitiator + ae.stats.keysRepairedAsResponder;
    bytes += ae.stats.bytesSent;
  }
  return found ? { exchanges, keysRepaired, bytes } : null;
}

// ---- the ring for reports -----------------------------------------------------------------------

function ringSummary(cluster: Cluster): RingSummary {
  const ring = cluster.view.ring;
  const name = (id: number) => cluster.world.hosts[id]?.name ?? `#${id}`;
  const tokens: RingSummary['tokens'] = [];
  const size = 2 ** 52;
  if (ring.strategy === 3) {
    // A token marks the end of the range it owns (§4.2): partition p ends at (p + 1) / Q.
    for (let p = 0; p < ring.partitions && tokens.length < 4096; p++) tokens.push({ position: Math.round((((p + 1) % ring.partitions) / ring.partitions) * 1e6) / 1e6, node: name(ring.owners[p]!) });
  } else {
    for (let i = 0; i < ring.tokens.length && tokens.length < 4096; i++) tokens.push({ position: Math.round((ring.tokens[i]! / size) * 1e6) / 1e6, node: name(ring.tokenOwners[i]!) });
  }
  return { strategy: ring.strategy, partitions: ring.partitions, tokens };
}
