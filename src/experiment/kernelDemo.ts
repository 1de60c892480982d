/**
 * A small world on the kernel alone (no Dynamo): hosts in two datacenters
 * that gossip pings to random peers and touch their disks, while a nemesis
 * crashes, pauses, partitions and skews them. It exercises every kernel
 * component, so it serves as the default demo job, as the workload of the
 * cross-process determinism test and as a smoke benchmark.
 */
import { constant, exponential, lognormal, uniform } from '../../sim/distributions.js';
import type { HostContext } from '../../sim/host.js';
import type { Message } from '../../sim/network.js';
import { Nemesis } from '../../sim/nemesis.js';
import type { TraceSink } from '../../sim/trace.js';
import { World } from '../../sim/world.js';
import { ms, seconds } from '../../sim/time.js';

export interface KernelDemoOptions {
  seed: string | number | bigint;
  hosts?: number;
  durationUs?: number;
  /** Mean interval between a host's pings (µs). */
  pingIntervalUs?: number;
  faults?: boolean;
  traceSink?: TraceSink | null;
}

export interface KernelDemoResult {
  seed: string;
  digest: string;
  events: number;
  simulatedUs: number;
  messages: { sent: number; delivered: number; dropped: number };
  pongs: number;
  faults: number;
}

export function runKernelDemo(options: KernelDemoOptions): KernelDemoResult {
  const hostCount = options.hosts ?? 8;
  const durationUs = options.durationUs ?? seconds(60);
  const pingIntervalUs = options.pingIntervalUs ?? ms(20);
  const world = new World({
    seed: options.seed,
    traceSink: options.traceSink ?? null,
    network: {
      latency: {
        sameRack: lognormal({ median: 150, p99: 1_000 }),
        sameDc: lognormal({ median: 400, p99: 3_000 }),
        crossDc: lognormal({ median: 30_000, p99: 60_000 }),
      },
      lossProbability: 0.001,
      duplicateProbability: 0.0005,
      bandwidthBytesPerSec: 125_000_000,
    },
  });
  let pongs = 0;
  let nemesis: Nemesis | null = null;
  for (let i = 0; i < hostCount; i++) {
    const host = world.addHost({
      name: `h${i}`,
      dc: i % 2 === 0 ? 'east' : 'west',
      rack: `rack${i % 4}`,
      cpu: { workers: 2, serviceUs: exponential({ mean: 50 }) },
      disk: { channels: 1, readUs: lognormal({ median: 500, p99: 10_000 }), writeUs: lognormal({ median: 1_000, p99: 20_000 }) },
      clock: { driftPpm: (i % 5) * 20 },
    });
    host.boot((ctx) => pinger(ctx, hostCount, pingIntervalUs, () => pongs++));
  }
  if (options.faults ?? true) {
    nemesis = new Nemesis(world.scheduler, world.random.stream('nemesis'), world.trace, {
      intervalUs: seconds(1),
      startUs: seconds(2),
      endUs: Math.max(seconds(2), durationUs - seconds(5)),
      kinds: [
        {
          name: 'crash',
          probability: 0.2,
          minStableUs: seconds(3),
          durationUs: uniform(seconds(1), seconds(5)),
          start: (r) => {
            const id = r.int(0, hostCount - 1);
            if (!world.hosts[id]!.isUp || world.hosts[id]!.state !== 'up') return null;
            world.faults.crash(id, { loseDisk: r.chance(0.3) });
            return { describe: `crash h${id}`, undo: () => world.faults.restart(id) };
          },
        },
        {
          name: 'pause',
          probability: 0.2,
          minStableUs: seconds(2),
          durationUs: constant(ms(500)),
          start: (r) => {
            const id = r.int(0, hostCount - 1);
            if (world.hosts[id]!.state !== 'up') return null;
            world.faults.pause(id);
            return { describe: `pause h${id}`, undo: () => world.hosts[id]!.state === 'paused' && world.faults.resume(id) };
          },
        },
        {
          name: 'partition',
          probability: 0.15,
          minStableUs: seconds(5),
          durationUs: uniform(seconds(1), seconds(4)),
          start: (r) => {
            const ids = r.shuffle(Array.from({ length: hostCount }, (_, i) => i));
            const cut = r.int(1, hostCount - 1);
            const groups = [ids.slice(0, cut), ids.slice(cut)];
            if (r.chance(0.5)) world.faults.partition(groups);
            else world.faults.partitionOneWay(groups[0]!, groups[1]!);
            return { describe: `partition ${groups.map((g) => g.join(',')).join(' | ')}`, undo: () => world.faults.heal() };
          },
        },
        {
          name: 'skew',
          probability: 0.1,
          minStableUs: seconds(5),
          durationUs: constant(seconds(2)),
          start: (r) => {
            const id = r.int(0, hostCount - 1);
            const delta = r.int(-ms(500), ms(500));
            world.faults.skewClock(id, delta);
            return { describe: `skew h${id} by ${delta}us`, undo: () => world.faults.skewClock(id, -delta) };
          },
        },
      ],
    });
  }
  world.scheduler.runUntil(durationUs);
  const faults = nemesis === null ? 0 : nemesis.history.length;
  return {
    seed: world.seed,
    digest: world.digest(),
    events: world.scheduler.executed,
    simulatedUs: world.nowUs,
    messages: { sent: world.network.stats.sent, delivered: world.network.stats.delivered, dropped: world.network.stats.dropped },
    pongs,
    faults,
  };
}

/** Every host pings a random peer at exponential intervals; a ping costs a disk read; a pong ends it. */
function pinger(ctx: HostContext, hostCount: number, meanIntervalUs: number, onPong: () => void) {
  const schedule = (): void => {
    const delay = Math.round(-meanIntervalUs * Math.log(ctx.rng.nextOpen()));
    ctx.setTimer(delay, 'ping', () => {
      let peer = ctx.rng.int(0, hostCount - 2);
      if (peer >= ctx.id) peer++;
      ctx.send(peer, 'ping', { from: ctx.id, at: ctx.nowUs() }, 64);
      schedule();
    });
  };
  schedule();
  return {
    onMessage(msg: Message) {
      if (msg.type === 'ping') {
        ctx.diskRead(4096, () => ctx.send(msg.src, 'pong', msg.payload, 4096));
      } else if (msg.type === 'pong') {
        onPong();
      }
    },
  };
}
