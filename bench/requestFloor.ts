/**
 * A reference for the request-path benchmark: the shape of a server-driven
 * request (a client-to-node hop, three
 * replica messages each with a CPU stage and a disk operation, replies, a
 * reply to the client: ~21 events; 12 lognormal and 8 exponential draws, a
 * few more than the real request makes, so the floor errs on the slow side),
 * on the real scheduler and distributions, with handlers that do nothing
 * else. It bounds what the kernel's model itself costs per request, so the
 * benchmark's gap to it is the cost of hosts, network, trace and the Dynamo
 * handlers (bench/README.md).
 *
 *   node dist/bench/requestFloor.js [requests]   (default 300,000; prints JSON)
 */
import { exponential, lognormal } from '../sim/distributions.js';
import { RandomStream, parseSeed } from '../sim/random.js';
import { Scheduler } from '../sim/scheduler.js';

interface Hop {
  readonly op: { acks: number };
  readonly then: (op: { acks: number }) => void;
}

export function runRequestFloor(requests: number): { requests: number; events: number; wallMs: number; requestsPerSec: number } {
  const s = new Scheduler({});
  const rng = new RandomStream(parseSeed(1), 'floor');
  const net = lognormal({ median: 400, p99: 4_000 });
  const cpu = exponential({ mean: 50 });
  const diskRead = lognormal({ median: 500, p99: 10_000 });
  const diskWrite = lognormal({ median: 800, p99: 15_000 });
  let done = 0;
  const handled = (h: Hop): void => h.then(h.op);
  const arrive = (h: Hop): void => void s.after(Math.round(cpu.sample(rng)), handled, h);
  const send = (op: { acks: number }, then: (op: { acks: number }) => void): void => void s.after(Math.round(net.sample(rng)), arrive, { op, then });
  const finished = (): void => {
    if (++done >= requests) s.stop();
  };
  const request = (): void => {
    const isGet = rng.next() < 0.5;
    const reply = (op: { acks: number }): void => {
      if (++op.acks === 2) send(op, finished);
    };
    const replica = (op: { acks: number }): void => void s.after(Math.round((isGet ? diskRead : diskWrite).sample(rng)), () => send(op, reply));
    const coordinate = (op: { acks: number }): void => {
      for (let i = 0; i < 3; i++) send(op, replica);
    };
    s.after(Math.round(net.sample(rng)), () => send({ acks: 0 }, coordinate));
  };
  const arrival = (): void => {
    request();
    s.after(Math.round(-Math.log(rng.nextOpen()) * 500), arrival);
  };
  s.after(0, arrival);
  const start = performance.now();
  s.run({});
  const wallMs = performance.now() - start;
  return { requests: done, events: s.executed, wallMs, requestsPerSec: (done / wallMs) * 1000 };
}

if (process.argv[1]?.endsWith('requestFloor.js')) {
  process.stdout.write(JSON.stringify(runRequestFloor(Number(process.argv[2] ?? 300_000))) + '\n');
}
