import test from 'ava';
import { InvalidOptionError } from '../../sim/errors.js';
import { MemorySink } from '../../sim/trace.js';
import { World } from '../../sim/world.js';
import type { Message } from '../../sim/network.js';
import { fixed, flatNetwork } from './helpers.js';

function setup(options = flatNetwork(100)) {
  const sink = new MemorySink();
  const world = new World({ seed: 1, network: options, traceSink: sink });
  const net = world.network;
  const got: Array<{ at: number; msg: Message }> = [];
  const ids = ['a', 'b', 'c', 'd'].map((name, i) => {
    const id = net.addEndpoint({ name, dc: i < 2 ? 'east' : 'west', rack: i === 1 ? 'r2' : 'r1' });
    net.attach(id, (msg) => got.push({ at: world.nowUs, msg }));
    return id;
  });
  return { world, net, got, ids, sink };
}

test('messages arrive after the scope latency: same rack, same datacenter, cross datacenter', (t) => {
  const { world, net, got } = setup({ latency: { sameRack: fixed(10), sameDc: fixed(100), crossDc: fixed(5_000) } });
  net.send({ src: 0, dst: 0, type: 'self', payload: null });
  net.send({ src: 0, dst: 1, type: 'same-dc', payload: null });
  net.send({ src: 0, dst: 2, type: 'cross-dc', payload: null });
  world.scheduler.runToQuiescence();
  t.deepEqual(got.map((g) => [g.msg.type, g.at]), [['self', 10], ['same-dc', 100], ['cross-dc', 5_000]]);
});

test('latency classes and per-link overrides take precedence', (t) => {
  const { world, net, got } = setup();
  net.setClassLatency('W', { local: fixed(7), remote: fixed(77) });
  net.setLinkLatency(0, 3, fixed(3));
  net.send({ src: 0, dst: 1, type: 'w-local', payload: null, latencyClass: 'W' });
  net.send({ src: 0, dst: 2, type: 'w-remote', payload: null, latencyClass: 'W' });
  net.send({ src: 0, dst: 3, type: 'link', payload: null, latencyClass: 'W' });
  net.send({ src: 0, dst: 1, type: 'unknown-class', payload: null, latencyClass: 'Z' });
  world.scheduler.runToQuiescence();
  t.deepEqual(got.map((g) => [g.msg.type, g.at]), [['link', 3], ['w-local', 7], ['w-remote', 77], ['unknown-class', 100]]);
});

test('symmetric partition drops both ways; one-way partition only one way; heal restores', (t) => {
  const { world, net, got, sink } = setup();
  net.partition([[0, 1], [2, 3]]);
  net.send({ src: 0, dst: 2, type: 'x', payload: 1 });
  net.send({ src: 2, dst: 0, type: 'x', payload: 2 });
  net.send({ src: 0, dst: 1, type: 'x', payload: 3 });
  world.scheduler.runToQuiescence();
  t.deepEqual(got.map((g) => g.msg.payload), [3]);
  net.heal();
  net.partitionOneWay([0], [2]);
  t.true(net.isBlocked(0, 2));
  t.false(net.isBlocked(2, 0));
  net.send({ src: 0, dst: 2, type: 'x', payload: 4 });
  net.send({ src: 2, dst: 0, type: 'x', payload: 5 });
  world.scheduler.runToQuiescence();
  t.deepEqual(got.map((g) => g.msg.payload), [3, 5]);
  const drops = sink.events.filter((e) => e.kind === 'drop');
  t.is(drops.length, 3);
  t.true(drops.every((d) => d.reason === 'partition'));
  net.heal();
  net.send({ src: 0, dst: 2, type: 'x', payload: 6 });
  world.scheduler.runToQuiescence();
  t.deepEqual(got.map((g) => g.msg.payload), [3, 5, 6]);
});

test('a partition that starts while a message is in flight cuts it', (t) => {
  const { world, net, got, sink } = setup();
  net.send({ src: 0, dst: 1, type: 'x', payload: null });
  world.scheduler.runUntil(50);
  net.partition([[0], [1]]);
  world.scheduler.runToQuiescence();
  t.is(got.length, 0);
  t.is(sink.events.filter((e) => e.kind === 'drop' && e.reason === 'partition').length, 1);
});

test('loss and duplication happen at the configured rates, each send traced with an outcome', (t) => {
  const { world, net, got, sink } = setup({ ...flatNetwork(100), lossProbability: 0.2, duplicateProbability: 0.1 });
  const n = 20_000;
  for (let i = 0; i < n; i++) net.send({ src: 0, dst: 1, type: 'x', payload: i });
  world.scheduler.runToQuiescence();
  const sends = sink.events.filter((e) => e.kind === 'send').length;
  const delivered = sink.events.filter((e) => e.kind === 'deliver').length;
  const dropped = sink.events.filter((e) => e.kind === 'drop').length;
  t.is(sends, n);
  t.is(delivered, got.length);
  t.is(delivered + dropped, n + net.stats.duplicated);
  t.true(Math.abs(net.stats.duplicated / n - 0.1) < 0.01, `duplicated ${net.stats.duplicated}`);
  t.true(Math.abs(dropped / (n + net.stats.duplicated) - 0.2) < 0.015, `dropped ${dropped}`);
});

test('bandwidth serialises messages at the sender NIC', (t) => {
  const { world, net, got } = setup({ ...flatNetwork(100), bandwidthBytesPerSec: 1_000_000 });
  net.send({ src: 0, dst: 1, type: 'big', payload: 1, sizeBytes: 10_000 }); // 10 ms on the wire
  net.send({ src: 0, dst: 1, type: 'big', payload: 2, sizeBytes: 10_000 });
  net.send({ src: 1, dst: 0, type: 'other-nic', payload: 3, sizeBytes: 1_000 });
  world.scheduler.runToQuiescence();
  t.deepEqual(got.map((g) => [g.msg.payload, g.at]), [[3, 1_100], [1, 10_100], [2, 20_100]]);
});

test('clogging holds a link until a time; degradation adds latency', (t) => {
  const { world, net, got } = setup();
  net.clog(0, 1, 5_000);
  net.degradeLink(0, 2, { addedLatencyUs: 900 });
  net.send({ src: 0, dst: 1, type: 'held', payload: 'first' });
  net.send({ src: 0, dst: 1, type: 'held', payload: 'second' });
  net.send({ src: 1, dst: 0, type: 'reverse', payload: 'free' });
  net.send({ src: 0, dst: 2, type: 'slow', payload: 'slow' });
  world.scheduler.runToQuiescence();
  t.deepEqual(got.map((g) => [g.msg.payload, g.at]), [['free', 100], ['slow', 1_000], ['first', 5_000], ['second', 5_000]]);
  net.unclog(0, 1);
  net.restoreLink(0, 2);
  net.send({ src: 0, dst: 1, type: 'x', payload: 'later' });
  world.scheduler.runToQuiescence();
  t.is(got.at(-1)!.at, 5_100);
});

test('bad options are typed errors naming the option', (t) => {
  t.throws(() => new World({ seed: 1, network: { ...flatNetwork(1), lossProbability: 1.5 } }), { instanceOf: InvalidOptionError, message: /lossProbability/ });
  const { net } = setup();
  t.throws(() => net.send({ src: 9, dst: 0, type: 'x', payload: null }), { instanceOf: InvalidOptionError, message: /endpoint/ });
  t.throws(() => net.addEndpoint({ name: 'a' }), { instanceOf: InvalidOptionError });
  t.throws(() => net.degradeLink(0, 1, { lossProbability: -0.1 }), { instanceOf: InvalidOptionError });
  t.throws(() => net.idOf('nope'), { instanceOf: InvalidOptionError, message: /one of a, b, c, d/ });
});
