/**
 * Issue 4's cluster benchmarks, one per child process (so peak RSS is the
 * run's own): `node dist/bench/clusterScale.js <large|huge> [simulatedSeconds]`.
 *  - large: 100 nodes, strategy 3 (Q 1024), gossip + range transfers + anti-entropy,
 *    500 requests/s for 10 simulated minutes. Requests are client library calls (a get or a
 *    put), as in the request-path benchmark: operations are half gets and half
 *    read-modify-writes (a get, then a put), 1.5 requests each, so they arrive at 500 / 1.5 per
 *    second. (Until 2026-11-25 they arrived at 500 per second: 750 requests/s.)
 *  - huge: 1,000 nodes (Q 4096), gossip only, no workload, 1 simulated minute.
 * Prints JSON: wall time, simulated/wall ratio, events, peak RSS, digest.
 */
import { lognormal } from '../sim/distributions.js';
import { antiEntropyComponent } from '../src/dynamo/antiEntropy.js';
import { gossipComponent } from '../src/dynamo/gossip.js';
import { buildCluster, membershipComponents } from '../src/experiment/cluster.js';
import { RateFunction } from '../src/workload/arrivals.js';
import { keyChooser } from '../src/workload/keys.js';
import { Population, WorkloadIds } from '../src/workload/workload.js';

const REQUESTS_PER_SEC = 500;

export interface ClusterScaleResult {
  kind: string;
  nodes: number;
  simulatedSec: number;
  wallMs: number;
  realTimeRatio: number;
  events: number;
  eventsPerSec: number;
  /** Client requests completed (gets and puts). */
  operations: number;
  /** Completed requests per simulated second. */
  requestsPerSimSec: number;
  peakRssMiB: number;
  digest: string;
}

export function runClusterScale(kind: 'large' | 'huge', simulatedSec: number): ClusterScaleResult {
  const start = performance.now();
  const large = kind === 'large';
  const nodes = large ? 100 : 1_000;
  const cluster = buildCluster({
    seed: '20261125',
    nodes,
    partitioning: { strategy: 3, partitions: large ? 1024 : 4096 },
    config: { n: 3, r: 2, w: 2 },
    clients: [{ name: 'clients', mode: 'server' }],
    components: large ? [...membershipComponents(), antiEntropyComponent()] : [gossipComponent()],
  });
  const world = cluster.world;
  let operations = 0;
  if (large) {
    new Population(world.scheduler, new WorkloadIds(), { started() {}, finished() { operations++; } }, {
      name: 'bench',
      client: cluster.client(0),
      arrivals: { type: 'open', rate: new RateFunction(REQUESTS_PER_SEC / 1.5, { kind: 'constant' }), sessions: 1_000 },
      keys: keyChooser(100_000, { kind: 'zipf', s: 0.99 }),
      mix: { get: 0.5, put: 0, rmw: 0.5 },
      reconcile: 'last-write-wins',
      valueSizeBytes: lognormal({ median: 10_000, p99: 60_000 }),
      startUs: 0,
      endUs: simulatedSec * 1e6,
      rng: world.random.stream('workload/bench'),
    });
  }
  world.scheduler.runUntil(simulatedSec * 1e6);
  const wallMs = performance.now() - start;
  return {
    kind,
    nodes,
    simulatedSec,
    wallMs,
    realTimeRatio: (simulatedSec * 1000) / wallMs,
    events: world.scheduler.executed,
    eventsPerSec: (world.scheduler.executed / wallMs) * 1000,
    operations,
    requestsPerSimSec: operations / simulatedSec,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    digest: world.digest(),
  };
}

if (process.argv[1]?.endsWith('clusterScale.js')) {
  const kind = process.argv[2] === 'huge' ? 'huge' : 'large';
  const sec = Number(process.argv[3] ?? (kind === 'large' ? 600 : 60));
  process.stdout.write(JSON.stringify(runClusterScale(kind, sec)) + '\n');
}
