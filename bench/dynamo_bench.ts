/**
 * Issue 3's request-path benchmark, run in child processes (one per
 * repetition) so each reports its own peak RSS. See bench/requestPath.ts.
 * The target is judged on server-driven coordination (the default, and the
 * heavier path: a balancer hop and a write forward per request); the same
 * workload under client-driven coordination is reported beside it.
 */
import path from 'node:path';
import { type Bench, CHILD_RUN_TIMEOUT_MS, summarize } from './common.js';
import { runJsonPeer } from './peers.js';
import type { RequestPathResult } from './requestPath.js';

export const dynamoBench: Bench = {
  name: 'request-path',
  description: '16 nodes, strategy 3 (Q 1024), (3,2,2), 100k keys Zipf 0.99, half gets half read-modify-writes, 1M client requests',
  async run(opts) {
    const requests = Number(opts.extra['requests'] ?? (opts.quick ? 100_000 : 1_000_000));
    const reps = opts.quick ? 1 : Math.min(opts.reps, 3);
    const script = path.join(opts.root, 'dist', 'bench', 'requestPath.js');
    const runs: RequestPathResult[] = [];
    const clientRuns: RequestPathResult[] = [];
    const one = async (mode: 'server' | 'client'): Promise<RequestPathResult> =>
      (await runJsonPeer(process.execPath, ['--expose-gc', script, String(requests), mode], CHILD_RUN_TIMEOUT_MS)) as unknown as RequestPathResult;
    for (let i = 0; i < reps; i++) {
      // Alternate the two modes so drifting machine load does not favour one.
      for (const mode of i % 2 === 0 ? (['server', 'client'] as const) : (['client', 'server'] as const)) {
        const r = await one(mode);
        opts.log(`request-path rep ${i + 1}/${reps} ${mode}-driven: ${Math.round(r.requestsPerSec)} requests/s, ${Math.round(r.eventsPerSec)} events/s, ${(r.events / r.requests).toFixed(1)} events/request, peak RSS ${r.peakRssMiB.toFixed(0)} MiB, ${r.failed} failed, digest ${r.digest}`);
        (mode === 'server' ? runs : clientRuns).push(r);
      }
    }
    const rps = summarize(runs.map((r) => r.requestsPerSec));
    const eps = summarize(runs.map((r) => r.eventsPerSec));
    const rss = summarize(runs.map((r) => r.peakRssMiB));
    const last = runs[runs.length - 1]!;
    const clientRps = summarize(clientRuns.map((r) => r.requestsPerSec));
    const clientLast = clientRuns[clientRuns.length - 1]!;
    opts.log(`request-path median: ${Math.round(rps.median)} requests/s (target >= 100,000), ${Math.round(eps.median)} events/s, peak RSS ${rss.median.toFixed(0)} MiB (target <= 1024), ${last.heapBytesPerVersion.toFixed(0)} heap bytes per stored replica version`);
    opts.log(`request-path client-driven median: ${Math.round(clientRps.median)} requests/s, ${(clientLast.events / clientLast.requests).toFixed(1)} events/request`);
    return {
      requests,
      requestsPerSec: rps,
      eventsPerSec: eps,
      peakRssMiB: rss,
      eventsPerRequest: last.events / last.requests,
      simulatedSec: last.simulatedUs / 1e6,
      failed: last.failed,
      storedVersions: last.storedVersions,
      heapBytesPerVersion: last.heapBytesPerVersion,
      digest: last.digest,
      clientDriven: {
        requestsPerSec: clientRps,
        eventsPerSec: summarize(clientRuns.map((r) => r.eventsPerSec)),
        peakRssMiB: summarize(clientRuns.map((r) => r.peakRssMiB)),
        eventsPerRequest: clientLast.events / clientLast.requests,
        failed: clientLast.failed,
        digest: clientLast.digest,
      },
      targets: { requestsPerSec: 100_000, peakRssMiB: 1024 },
    };
  },
};
