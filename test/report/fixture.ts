/**
 * Hand-made summaries for the report writers: a realistic 10-minute run of an
 * 8-node cluster with a crash and a partition, and an empty run. Typed as
 * `Summary`, so the fixture breaks the build when the schema changes.
 *
 * `npx tsx test/report/fixture.ts` regenerates test/report/fixtures/summary.json
 * (the summary test checks that the JSON and this builder agree).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type {
  AvailabilityWindow,
  FaultWindow,
  LatencyWindow,
  NodeSummary,
  Summary,
  TVisibilityPoint,
} from '../../src/report/summary.js';
import { SUMMARY_SCHEMA_VERSION } from '../../src/report/summary.js';

export const FIXTURE_PATH = fileURLToPath(new URL('./fixtures/summary.json', import.meta.url));

const S = 1_000_000;
const WINDOW_US = 10 * S;
const WINDOWS = 60;
const NODES = 8;

/** A tiny deterministic generator (an LCG): the fixture must not change between runs. */
function noise(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export const FIXTURE_FAULTS: FaultWindow[] = [
  { kind: 'crash', describe: 'crash n3', startUs: 120 * S, endUs: 240 * S },
  { kind: 'partition', describe: 'partition n0,n1 | n2,n3,n4,n5,n6,n7', startUs: 300 * S, endUs: 390 * S },
];

function inFault(startUs: number): FaultWindow | undefined {
  return FIXTURE_FAULTS.find((f) => startUs >= f.startUs && startUs < f.endUs);
}

function latencyWindows(): LatencyWindow[] {
  const rand = noise(7);
  const out: LatencyWindow[] = [];
  for (let i = 0; i < WINDOWS; i++) {
    const startUs = i * WINDOW_US;
    const fault = inFault(startUs);
    const slow = fault === undefined ? 1 : fault.kind === 'crash' ? 2.2 : 3.1;
    const getCount = 3900 + Math.floor(rand() * 200);
    const putCount = 980 + Math.floor(rand() * 40);
    const failedShare = fault === undefined ? 0.0002 : fault.kind === 'crash' ? 0.012 : 0.05;
    out.push({
      startUs,
      endUs: startUs + WINDOW_US,
      get: {
        count: getCount,
        ok: getCount - Math.round(getCount * failedShare),
        p50: round3(1.1 + rand() * 0.2),
        p99: round3((7.5 + rand() * 1.5) * slow),
        p999: round3((24 + rand() * 8) * slow * slow),
      },
      put: {
        count: putCount,
        ok: putCount - Math.round(putCount * failedShare),
        p50: round3(1.6 + rand() * 0.3),
        p99: round3((11 + rand() * 2) * slow),
        p999: round3((38 + rand() * 10) * slow * slow),
      },
    });
  }
  return out;
}

function availabilityWindows(windows: readonly LatencyWindow[]): AvailabilityWindow[] {
  return windows.map((w) => {
    const requests = w.get.count + w.put.count;
    const succeeded = w.get.ok + w.put.ok;
    return { startUs: w.startUs, endUs: w.endUs, requests, succeeded, availability: round6(succeeded / requests) };
  });
}

function tVisibility(): TVisibilityPoint[] {
  // The shape of PBS's LNKD-DISK curves for N=3, R=1, W=1: most reads see a
  // write at once, the tail needs tens of milliseconds.
  const deltas = [0, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 200, 500, 1000];
  return deltas.map((deltaMs, i) => {
    const probability = i === deltas.length - 1 ? 1 : round6(1 - 0.38 * Math.exp(-deltaMs / 6) - 0.004 * Math.exp(-deltaMs / 40));
    return { deltaMs, reads: Math.max(40, Math.round(52_000 / (1 + i * i))), probability };
  });
}

function nodes(): NodeSummary[] {
  const rand = noise(11);
  return Array.from({ length: NODES }, (_, i) => ({
    name: `n${i}`,
    dc: i < 4 ? 'us-east' : 'us-west',
    up: true,
    coordinated: Math.round(36_000 + rand() * 4_000 - (i === 3 ? 9_000 : 0)),
    replicaOps: Math.round(108_000 + rand() * 12_000 - (i === 3 ? 27_000 : 0)),
    keys: Math.round(3_600 + rand() * 500),
    bytes: Math.round((3_600 + rand() * 500) * 2_150),
    hintsHeld: i === 5 ? 2 : 0,
    messagesHandled: Math.round(290_000 + rand() * 30_000),
  }));
}

function ringTokens(partitions: number): Array<{ position: number; node: string }> {
  // Strategy 3: Q equal partitions, each owned by a node; owners are spread
  // round-robin with a few deterministic swaps, as a claim algorithm would.
  const rand = noise(13);
  const owners = Array.from({ length: partitions }, (_, i) => i % NODES);
  for (let i = 0; i < partitions; i += 3) {
    const j = Math.floor(rand() * partitions);
    const a = owners[i]!;
    owners[i] = owners[j]!;
    owners[j] = a;
  }
  return owners.map((owner, i) => ({ position: i / partitions, node: `n${owner}` }));
}

export function fixtureSummary(): Summary {
  const windows = latencyWindows();
  const availability = availabilityWindows(windows);
  const requests = availability.reduce((n, w) => n + w.requests, 0);
  const succeeded = availability.reduce((n, w) => n + w.succeeded, 0);
  const getCount = windows.reduce((n, w) => n + w.get.count, 0);
  const getOk = windows.reduce((n, w) => n + w.get.ok, 0);
  const putCount = windows.reduce((n, w) => n + w.put.count, 0);
  const putOk = windows.reduce((n, w) => n + w.put.ok, 0);
  const readsChecked = getOk - 1_200;
  const hintBacklog = windows.map((w, i) => {
    const t = w.endUs;
    let hints = 0;
    if (t > 120 * S && t <= 240 * S) hints = Math.round((t - 120 * S) / S) * 15;
    else if (t > 240 * S && t <= 300 * S) hints = Math.max(0, 1800 - Math.round((t - 240 * S) / S) * 40);
    else if (t > 300 * S && t <= 390 * S) hints = Math.round((t - 300 * S) / S) * 6;
    else if (t > 390 * S) hints = Math.max(2, 540 - Math.round((t - 390 * S) / S) * 12);
    return { timeUs: t, hints: i === 0 ? 0 : hints };
  });
  const versionGets = [239_856, 120, 20, 4];
  const versionTotal = versionGets.reduce((a, b) => a + b, 0);
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    scenario: 'crash-and-partition',
    seed: '20261125',
    version: '0.1.0',
    digest: '9f3c2a71b04e8d56',
    events: 48_213_907,
    simulatedUs: 600 * S,
    wall: { wallMs: 41_287.5, eventsPerSec: 1_167_747 },
    config: { nodes: NODES, n: 3, r: 2, w: 2, sloppyQuorum: true, coordination: 'client', strategy: 3, network: 'LNKD-DISK' },
    phases: { warmupUs: 30 * S, faultPhaseEndUs: 480 * S, endUs: 600 * S, windowUs: WINDOW_US },
    ops: {
      get: {
        count: getCount,
        ok: getOk,
        failed: getCount - getOk,
        failures: { timeout: Math.round((getCount - getOk) * 0.7), 'too-few-replicas': getCount - getOk - Math.round((getCount - getOk) * 0.7) },
        latencyMs: { p50: 1.184, p90: 3.702, p99: 9.815, p999: 187.412, p9999: 412.09, max: 1204.5, mean: 2.137 },
      },
      put: {
        count: putCount,
        ok: putOk,
        failed: putCount - putOk,
        failures: { timeout: putCount - putOk },
        latencyMs: { p50: 1.732, p90: 5.218, p99: 14.36, p999: 243.875, p9999: 611.302, max: 1890.25, mean: 3.004 },
      },
    },
    latencyWindows: windows,
    availability: {
      slaMs: 300,
      overall: round6(succeeded / requests),
      requests,
      succeeded,
      windows: availability,
      faults: [
        {
          fault: 'crash n3',
          kind: 'crash',
          startUs: 120 * S,
          endUs: 240 * S,
          requests: 60_112,
          availability: 0.98804,
          before: 0.9998,
          recoveryUs: 131_500_000,
        },
        {
          fault: 'partition n0,n1 | n2,n3,n4,n5,n6,n7',
          kind: 'partition',
          startUs: 300 * S,
          endUs: 390 * S,
          requests: 44_870,
          availability: 0.95012,
          before: 0.9998,
          recoveryUs: null,
        },
      ],
    },
    staleness: {
      staleReads: 1_893,
      readsChecked,
      staleShare: round6(1_893 / readsChecked),
      kStaleness: [
        { k: 1, probability: round6(1 - 1_893 / readsChecked) },
        { k: 2, probability: 0.99985 },
        { k: 3, probability: 0.999996 },
        { k: 4, probability: 1 },
      ],
      tVisibility: tVisibility(),
      delta999Ms: 50,
      readYourWrites: { checked: 58_120, violations: 3 },
      monotonicReads: { checked: 201_334, violations: 0 },
    },
    versions: {
      histogram: versionGets.map((gets, i) => ({ versions: i + 1, gets, share: round6(gets / versionTotal) })),
    },
    durability: {
      acknowledgedWrites: putOk,
      lostWrites: 2,
      lost: [
        { key: 'cart:01842', writeId: 88_213, ackUs: 119_871_204, cause: 'write buffer lost in a crash of n3' },
        { key: 'cart:00977', writeId: 91_002, ackUs: 121_044_517, cause: 'hint lost with n3' },
      ],
      checkedAtUs: 600 * S,
    },
    convergence: {
      ran: true,
      converged: false,
      convergedAtUs: null,
      pending: ['2 hints held by n5 for n1', 'Merkle range 17 differs between n1 and n4'],
    },
    nodes: nodes(),
    system: {
      messages: 2_402_118,
      bytes: 1_893_220_480,
      messagesPerOp: 8.23,
      bytesPerOp: 6487.2,
      hintBacklog,
      outOfBalance: windows.map((w, i) => ({ startUs: w.startUs, endUs: w.endUs, fraction: inFault(w.startUs) ? 0.375 : i % 4 === 0 ? 0.25 : 0.125 })),
      readRepairs: 4_117,
      hintedWrites: 3_366,
      hintsDelivered: 3_364,
      antiEntropy: { exchanges: 312, keysRepaired: 58, bytes: 9_437_184 },
    },
    faults: FIXTURE_FAULTS,
    ring: { strategy: 3, partitions: 256, tokens: ringTokens(256) },
    checks: [
      { name: 'sla: 99.9% of requests within 300ms', pass: true, detail: 'p99.9 get 187.4ms, put 243.9ms' },
      { name: 'durability: no acknowledged write lost', pass: false, detail: '2 acknowledged writes lost (cart:01842, cart:00977)' },
      { name: 'convergence after heal', pass: false, detail: '2 items pending at the end of the liveness phase' },
      { name: 'read-your-writes', pass: true, detail: '3 violations allowed by R + W <= N sessions' },
      { name: 'hints delivered', pass: true, detail: '3,364 of 3,366 hints delivered' },
    ],
  };
}

/** A run with nothing in it: no faults, no windows, no tokens, no nodes. */
export function emptySummary(): Summary {
  const noLatency = { p50: 0, p90: 0, p99: 0, p999: 0, p9999: 0, max: 0, mean: 0 };
  const noOps = { count: 0, ok: 0, failed: 0, failures: {}, latencyMs: noLatency };
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    scenario: 'empty',
    seed: '1',
    version: '0.1.0',
    digest: '0000000000000000',
    events: 0,
    simulatedUs: 0,
    wall: { wallMs: 0, eventsPerSec: 0 },
    config: { nodes: 0, n: 3, r: 2, w: 2, sloppyQuorum: false, coordination: 'server', strategy: 3, network: 'constant' },
    phases: { warmupUs: 0, faultPhaseEndUs: 0, endUs: 0, windowUs: 10 * S },
    ops: { get: noOps, put: noOps },
    latencyWindows: [],
    availability: { slaMs: 300, overall: 1, requests: 0, succeeded: 0, windows: [], faults: [] },
    staleness: {
      staleReads: 0,
      readsChecked: 0,
      staleShare: 0,
      kStaleness: [],
      tVisibility: [],
      delta999Ms: null,
      readYourWrites: { checked: 0, violations: 0 },
      monotonicReads: { checked: 0, violations: 0 },
    },
    versions: { histogram: [] },
    durability: { acknowledgedWrites: 0, lostWrites: 0, lost: [], checkedAtUs: 0 },
    convergence: { ran: false, converged: false, convergedAtUs: null, pending: [] },
    nodes: [],
    system: {
      messages: 0,
      bytes: 0,
      messagesPerOp: 0,
      bytesPerOp: 0,
      hintBacklog: [],
      outOfBalance: [],
      readRepairs: 0,
      hintedWrites: 0,
      hintsDelivered: 0,
      antiEntropy: null,
    },
    faults: [],
    ring: { strategy: 3, partitions: 0, tokens: [] },
    checks: [],
  };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(FIXTURE_PATH, JSON.stringify(fixtureSummary(), null, 2) + '\n');
  console.log(`wrote ${FIXTURE_PATH}`);
}

/**
 * A crowded run, to see that the page stays readable: a simulated day in
 * 30-minute windows, 64 nodes, 4096 tokens and a dozen overlapping faults,
 * one of them running to the end.
 */
export function busySummary(): Summary {
  const base = fixtureSummary();
  const rand = noise(17);
  const hour = 3600 * S;
  const windowUs = hour / 2;
  const windows = 48;
  const faults: FaultWindow[] = Array.from({ length: 12 }, (_, i) => {
    const startUs = Math.round((1 + i * 1.9) * hour);
    const kind = i % 3 === 2 ? 'partition' : i % 3 === 1 ? 'slow' : 'crash';
    const describe = kind === 'crash' ? `crash n${i * 5}` : kind === 'slow' ? `slow disk n${i}` : `partition n${i},n${i + 1} | rest`;
    return { kind, describe, startUs, endUs: i === 11 ? 24 * hour : startUs + Math.round((0.5 + rand() * 2) * hour) };
  });
  const latencyWindows: LatencyWindow[] = Array.from({ length: windows }, (_, i) => {
    const startUs = i * windowUs;
    const diurnal = 1 + 0.6 * Math.sin((i / windows) * 2 * Math.PI);
    const stat = (scale: number) => ({
      count: 90_000,
      ok: 89_990,
      p50: round3(scale * diurnal),
      p99: round3(scale * 9 * diurnal),
      p999: round3(scale * 60 * diurnal * (1 + rand())),
    });
    return { startUs, endUs: startUs + windowUs, get: stat(1.2), put: stat(1.8) };
  });
  const nodeList = Array.from({ length: 64 }, (_, i) => ({
    name: `n${i}`,
    dc: `dc${i % 3}`,
    up: i !== 55,
    coordinated: Math.round(500_000 + rand() * 100_000),
    replicaOps: Math.round(1_500_000 + rand() * 300_000),
    keys: Math.round(40_000 + rand() * 5_000),
    bytes: Math.round(86_000_000 + rand() * 9_000_000),
    hintsHeld: Math.floor(rand() * 3),
    messagesHandled: Math.round(4_000_000 + rand() * 400_000),
  }));
  return {
    ...base,
    scenario: 'busy-day',
    simulatedUs: 24 * hour,
    phases: { warmupUs: hour / 4, faultPhaseEndUs: 22 * hour, endUs: 24 * hour, windowUs },
    latencyWindows,
    availability: {
      ...base.availability,
      windows: latencyWindows.map((w) => ({
        startUs: w.startUs,
        endUs: w.endUs,
        requests: 180_000,
        succeeded: 179_990 - Math.floor(rand() * 40),
        availability: round6((179_990 - Math.floor(rand() * 40)) / 180_000),
      })),
      faults: [],
    },
    nodes: nodeList,
    system: {
      ...base.system,
      hintBacklog: latencyWindows.map((w) => ({ timeUs: w.endUs, hints: Math.floor(rand() * 5_000) })),
      outOfBalance: latencyWindows.map((w) => ({ startUs: w.startUs, endUs: w.endUs, fraction: Math.floor(rand() * 16) / 64 })),
    },
    faults,
    config: { ...base.config, nodes: 64, strategy: 1 },
    ring: {
      strategy: 1,
      partitions: 4096,
      tokens: Array.from({ length: 4096 }, () => ({ position: round6(rand()), node: `n${Math.floor(rand() * 64)}` })).sort(
        (a, b) => a.position - b.position,
      ),
    },
  };
}

/** A put whose coordinator crashes mid-flight: replica acks dropped at the dead host, a late timeout. */
export function operationSummary(): Summary {
  const base = fixtureSummary();
  const t0 = 19_997_604;
  const operation: NonNullable<Summary['operation']> = {
    chosen: 'slowest failed',
    op: 5734,
    type: 'put',
    key: 'k1126',
    population: 'default',
    startUs: t0,
    endUs: t0 + 400_000,
    ok: false,
    error: 'timeout',
    hosts: ['default', 'lb-dc0', 'n3', 'n4', 'n2'],
    events: [
      { kind: 'send', timeUs: t0, msg: 1, from: 'default', to: 'lb-dc0', type: 'put' },
      { kind: 'deliver', timeUs: t0 + 335, msg: 1, from: 'default', to: 'lb-dc0', type: 'put' },
      { kind: 'send', timeUs: t0 + 335, msg: 2, from: 'lb-dc0', to: 'n3', type: 'put' },
      { kind: 'deliver', timeUs: t0 + 1809, msg: 2, from: 'lb-dc0', to: 'n3', type: 'put' },
      { kind: 'send', timeUs: t0 + 1908, msg: 3, from: 'n3', to: 'n4', type: 'rput' },
      { kind: 'send', timeUs: t0 + 1908, msg: 4, from: 'n3', to: 'n2', type: 'rput' },
      { kind: 'fault', timeUs: t0 + 2396, host: 'n3', label: 'crash' },
      { kind: 'deliver', timeUs: t0 + 2489, msg: 3, from: 'n3', to: 'n4', type: 'rput' },
      { kind: 'drop', timeUs: t0 + 2500, msg: 4, from: 'n3', to: 'n2', type: 'rput', reason: 'loss' },
      { kind: 'send', timeUs: t0 + 2914, msg: 5, from: 'n4', to: 'n3', type: 'rput-ack' },
      { kind: 'deliver', timeUs: t0 + 3573, msg: 5, from: 'n4', to: 'n3', type: 'rput-ack' },
      { kind: 'drop', timeUs: t0 + 3573, msg: 5, from: 'n4', to: 'n3', type: 'rput-ack', reason: 'host-down' },
      { kind: 'timer', timeUs: t0 + 400_000, host: 'default', label: 'client-timeout' },
    ],
    omitted: 0,
  };
  return { ...base, operation };
}
