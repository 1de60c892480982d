/**
 * The Dynamo request-path benchmark (issue 3): 16 nodes, strategy 3 with
 * Q = 1024, (N, R, W) = (3, 2, 2), 100,000 keys with Zipf(0.99) popularity,
 * half gets and half read-modify-writes, no faults, until 1,000,000 client
 * requests (library calls: a read-modify-write is a get and a put) complete.
 *
 * Coordination is server-driven (a load balancer hands each request to a
 * random node, which forwards writes to a top-N node) unless `mode` is
 * 'client' (the partition-aware client library of §6.4: reads coordinated
 * at the client, writes sent to a top-N node; no balancer hop, no forward).
 *
 * Run as a child process by bench/dynamo_bench.ts so peak RSS is this run's
 * alone: `node --expose-gc dist/bench/requestPath.js [requests] [server|client] [keys]`
 * prints JSON (`keys` other than 100,000 is for measuring what cache misses cost).
 */
import { lognormal } from '../sim/distributions.js';
import { buildCluster } from '../src/experiment/cluster.js';
import { RateFunction } from '../src/workload/arrivals.js';
import { keyChooser } from '../src/workload/keys.js';
import { Population, WorkloadIds, type WorkloadObserver } from '../src/workload/workload.js';

export interface RequestPathResult {
  mode: 'server' | 'client';
  requests: number;
  gets: number;
  puts: number;
  failed: number;
  events: number;
  simulatedUs: number;
  wallMs: number;
  requestsPerSec: number;
  eventsPerSec: number;
  peakRssMiB: number;
  storedVersions: number;
  storedKeysMax: number;
  heapBytesPerVersion: number;
  digest: string;
}

export function runRequestPath(targetRequests: number, seed = '20261125', mode: 'server' | 'client' = 'server', keyCount = 100_000): RequestPathResult {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  const cluster = buildCluster({
    seed,
    nodes: 16,
    partitioning: { strategy: 3, partitions: 1024 },
    config: { n: 3, r: 2, w: 2 },
    clients: [{ name: 'clients', mode }],
  });
  const world = cluster.world;
  const ratePerSec = 2_000;
  let finished = 0;
  let failed = 0;
  const observer: WorkloadObserver = {
    started() {},
    finished(_s, end) {
      finished++;
      if (!end.ok) failed++;
      if (finished >= targetRequests) world.scheduler.stop();
    },
  };
  const population = new Population(world.scheduler, new WorkloadIds(), observer, {
    name: 'bench',
    client: cluster.client(0),
    arrivals: { type: 'open', rate: new RateFunction(ratePerSec, { kind: 'constant' }), sessions: 1_000 },
    keys: keyChooser(keyCount, { kind: 'zipf', s: 0.99 }),
    mix: { get: 0.5, put: 0, rmw: 0.5 },
    reconcile: 'last-write-wins',
    valueSizeBytes: lognormal({ median: 10_000, p99: 60_000 }),
    startUs: 0,
    endUs: Number.MAX_SAFE_INTEGER,
    rng: world.random.stream('workload/bench'),
  });
  world.scheduler.run({});
  const wallMs = performance.now() - start;
  let storedVersions = 0;
  let storedKeysMax = 0;
  for (let i = 0; i < cluster.nodeHosts.length; i++) {
    const node = cluster.node(i)!;
    storedKeysMax = Math.max(storedKeysMax, node.store.keyCount);
    for (const [, siblings] of node.store.entries()) {
      storedVersions += siblings.length;
    }
  }
  gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  return {
    mode,
    requests: finished,
    gets: population.counters.gets,
    puts: population.counters.puts,
    failed,
    events: world.scheduler.executed,
    simulatedUs: world.nowUs,
    wallMs,
    requestsPerSec: (finished / wallMs) * 1000,
    eventsPerSec: (world.scheduler.executed / wallMs) * 1000,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    storedVersions,
    storedKeysMax,
    heapBytesPerVersion: storedVersions > 0 ? (heapAfter - heapBefore) / storedVersions : 0,
    digest: world.digest(),
  };
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\/(dist\/)?/, ''));
if (isMain && process.argv[1]!.endsWith('requestPath.js')) {
  const requests = Number(process.argv[2] ?? 1_000_000);
  const mode = process.argv[3] === 'client' ? 'client' : 'server';
  const keys = Number(process.argv[4] ?? 100_000);
  process.stdout.write(JSON.stringify(runRequestPath(requests, undefined, mode, keys)) + '\n');
}
