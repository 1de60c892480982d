/**
 * What one message costs in the kernel: 16 hosts with the cluster builder's
 * CPU model (4 workers, exponential service with mean 50 µs) and network
 * (lognormal latency per rack scope) pass messages around, 200 at a time,
 * each handler answering by sending one on. A message is two events (its
 * arrival and its CPU stage), two draws, a trace fold and the host's queue
 * bookkeeping: the part of every Dynamo request that no handler change can
 * touch (a server-driven request sends ~8.4 of them). bench/README.md has the
 * measured figure and what each part costs.
 *
 *   node dist/bench/messagePath.js [messages]   (default 2,000,000; prints JSON)
 */
import { exponential, lognormal } from '../sim/distributions.js';
import type { HostContext } from '../sim/host.js';
import { World } from '../sim/world.js';

const HOSTS = 16;
const IN_FLIGHT = 200;

export interface MessagePathResult {
  messages: number;
  events: number;
  wallMs: number;
  nsPerMessage: number;
  digest: string;
}

export function runMessagePath(messages: number): MessagePathResult {
  const world = new World({
    seed: 1,
    network: {
      latency: {
        sameRack: lognormal({ median: 150, p99: 1_500 }),
        sameDc: lognormal({ median: 400, p99: 4_000 }),
        crossDc: lognormal({ median: 40_000, p99: 100_000 }),
      },
    },
  });
  let handled = 0;
  const contexts: HostContext[] = [];
  for (let i = 0; i < HOSTS; i++) {
    const host = world.addHost({
      name: `n${i}`,
      rack: `r${i % 4}`,
      cpu: { workers: 4, serviceUs: exponential({ mean: 50 }) },
      disk: { channels: 4, readUs: lognormal({ median: 500, p99: 10_000 }), writeUs: lognormal({ median: 800, p99: 15_000 }) },
    });
    host.boot((ctx) => {
      contexts[i] = ctx;
      return {
        onMessage(msg) {
          if (++handled >= messages) {
            world.scheduler.stop();
            return;
          }
          // On to another host, every one in turn: local and cross-rack hops both occur.
          ctx.send((msg.src + 1 + (handled % (HOSTS - 1))) % HOSTS, 'm', msg.payload, 100);
        },
      };
    });
  }
  for (let k = 0; k < IN_FLIGHT; k++) world.scheduler.at(k, () => contexts[k % HOSTS]!.send((k + 1) % HOSTS, 'm', k, 100));
  const start = performance.now();
  world.scheduler.run({});
  const wallMs = performance.now() - start;
  return { messages: handled, events: world.scheduler.executed, wallMs, nsPerMessage: (wallMs * 1e6) / handled, digest: world.digest() };
}

if (process.argv[1]?.endsWith('messagePath.js')) {
  process.stdout.write(JSON.stringify(runMessagePath(Number(process.argv[2] ?? 2_000_000))) + '\n');
}
