/**
 * Issue 4's cluster benchmarks (bench/clusterScale.ts), each in a child
 * process: a 100-node cluster for 10 simulated minutes with gossip, transfers,
 * anti-entropy and 500 requests/s (target: >= 200x real time), and a 1,000-node
 * cluster for 1 simulated minute with gossip only (target: within 2 GiB).
 */
import path from 'node:path';
import { type Bench, CHILD_RUN_TIMEOUT_MS, summarize } from './common.js';
import { runJsonPeer } from './peers.js';
import type { ClusterScaleResult } from './clusterScale.js';

export const clusterBench: Bench = {
  name: 'cluster-scale',
  description: '100 nodes x 10 simulated minutes (gossip, anti-entropy, 500 req/s); 1,000 nodes x 1 minute (gossip only)',
  async run(opts) {
    const script = path.join(opts.root, 'dist', 'bench', 'clusterScale.js');
    const reps = opts.quick ? 1 : Math.min(opts.reps, 3);
    const one = async (kind: string, sec: number): Promise<ClusterScaleResult> =>
      (await runJsonPeer(process.execPath, [script, kind, String(sec)], CHILD_RUN_TIMEOUT_MS)) as unknown as ClusterScaleResult;
    const largeSec = opts.quick ? 60 : 600;
    const large: ClusterScaleResult[] = [];
    for (let i = 0; i < reps; i++) {
      const r = await one('large', largeSec);
      opts.log(`cluster-scale 100 nodes rep ${i + 1}/${reps}: ${(r.wallMs / 1000).toFixed(1)} s wall for ${largeSec} s simulated (${r.realTimeRatio.toFixed(1)}x real time), ${r.requestsPerSimSec.toFixed(0)} requests per simulated s, ${Math.round(r.eventsPerSec)} events/s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB`);
      large.push(r);
    }
    const huge = await one('huge', 60);
    opts.log(`cluster-scale 1,000 nodes: ${(huge.wallMs / 1000).toFixed(1)} s wall for 60 s simulated (${huge.realTimeRatio.toFixed(1)}x real time), peak RSS ${huge.peakRssMiB.toFixed(0)} MiB (target <= 2048)`);
    const ratio = summarize(large.map((r) => r.realTimeRatio));
    opts.log(`cluster-scale median: 100 nodes at ${ratio.median.toFixed(1)}x real time (target >= 200x)`);
    return {
      large: { simulatedSec: largeSec, realTimeRatio: ratio, wallMs: summarize(large.map((r) => r.wallMs)), peakRssMiB: summarize(large.map((r) => r.peakRssMiB)), events: large[0]!.events, requests: large[0]!.operations, requestsPerSimSec: large[0]!.requestsPerSimSec, digest: large[0]!.digest },
      huge: { simulatedSec: 60, realTimeRatio: huge.realTimeRatio, wallMs: huge.wallMs, peakRssMiB: huge.peakRssMiB, events: huge.events, digest: huge.digest },
      targets: { largeRealTimeRatio: 200, hugePeakRssMiB: 2048 },
    };
  },
};
