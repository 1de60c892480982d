/**
 * Trace causes (sim/trace.ts): work started under a cause carries it through
 * messages, the receiver's handler and what it sends back, timers and disk
 * completions; it is restored afterwards, reaches sink events only (never the
 * digest), and a payload's key is named in send events.
 */
import test from 'ava';
import type { HostContext } from '../../sim/host.js';
import { MemorySink } from '../../sim/trace.js';
import { World } from '../../sim/world.js';
import { flatNetwork, simpleHost } from './helpers.js';

function world(sink: MemorySink | null) {
  const w = new World({ seed: 9, network: flatNetwork(100), ...(sink ? { traceSink: sink } : {}) });
  const a = w.addHost(simpleHost('a'));
  const b = w.addHost(simpleHost('b'));
  const seen: Array<[string, number]> = [];
  let actx: HostContext | null = null;
  a.boot((ctx) => {
    actx = ctx;
    return { onMessage: () => void seen.push(['a handles reply', w.trace.cause]) };
  });
  b.boot((ctx) => ({
    onMessage(msg) {
      seen.push(['b handles', w.trace.cause]);
      ctx.setTimer(50, 'later', () => {
        seen.push(['b timer', w.trace.cause]);
        ctx.diskWrite(10, () => {
          seen.push(['b disk done', w.trace.cause]);
          ctx.send(msg.src, 'reply', { key: 'k7' });
        });
      });
    },
  }));
  // Start work under cause 42 from outside any host (as the workload does).
  w.scheduler.at(1_000, () => {
    w.trace.cause = 42;
    actx!.send(b.id, 'request', { key: 'k7', n: 1 });
    w.trace.cause = 0;
    actx!.send(b.id, 'background', null);
  });
  w.scheduler.run({});
  return { w, seen };
}

test('a cause flows through messages, handlers, timers and disk completions, and is restored', (t) => {
  const sink = new MemorySink();
  const { w, seen } = world(sink);
  t.deepEqual(seen.slice(0, 4), [
    ['b handles', 42],
    ['b handles', 0],
    ['b timer', 42],
    ['b timer', 0],
  ]);
  t.true(seen.some(([what, cause]) => what === 'b disk done' && cause === 42));
  t.true(seen.some(([what, cause]) => what === 'a handles reply' && cause === 42));
  t.is(w.trace.cause, 0, 'restored after every event');
  const caused = sink.events.filter((e) => e.cause === 42).map((e) => `${e.kind}:${String(e.type ?? e.label)}`);
  t.deepEqual(caused, ['send:request', 'deliver:request', 'timer:later', 'send:reply', 'deliver:reply']);
  t.true(sink.events.some((e) => e.kind === 'send' && e.type === 'request' && e.key === 'k7'), 'the payload key is named');
  t.true(sink.events.filter((e) => e.type === 'background').every((e) => e.cause === undefined), 'no cause, no field');
});

test('causes never reach the digest: the same run with and without a sink has the same digest', (t) => {
  t.is(world(new MemorySink()).w.digest(), world(null).w.digest());
});
