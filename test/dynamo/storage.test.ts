import test from 'ava';
import { World } from '../../sim/world.js';
import { LocalStore } from '../../src/dynamo/storage.js';
import { increment, empty } from '../../src/dynamo/vclock.js';
import { versionSetSizeBytes, type Version } from '../../src/dynamo/version.js';
import { fixed, flatNetwork, simpleHost } from '../sim/helpers.js';

function version(id: number): Version {
  return { clock: increment(empty(), 0, id), value: { id, sizeBytes: 100, writtenAtUs: 0, items: null } };
}

/** One host (disk writes take 200 µs) with a store: write buffer of 10 objects, writer wakes 10 ms after a write. */
function storeWorld() {
  const world = new World({ seed: 3, network: flatNetwork(100) });
  const host = world.addHost(simpleHost('n0'));
  let store!: LocalStore;
  host.boot((ctx) => {
    store = new LocalStore(ctx, { writeBufferObjects: 10, flushIntervalUs: 10_000 });
    return { onMessage() {} };
  });
  const durable = () => (host.durable.get('dynamo/store') as Map<string, unknown>).size;
  return { world, store: () => store, durable };
}

test('the writer task sleeps while the buffer is empty: an idle store schedules nothing', (t) => {
  const { world } = storeWorld();
  t.is(world.scheduler.pending, 0);
  world.scheduler.runUntil(1_000_000);
  t.is(world.scheduler.executed, 0);
});

test('a write into an empty buffer is flushed a flush interval later, with the writes that joined it, then the writer sleeps', (t) => {
  const { world, store, durable } = storeWorld();
  const acked: number[] = [];
  world.scheduler.at(5_000, () => store().write('a', [version(1)], false, (o) => acked.push(o.durable ? -1 : world.nowUs)));
  world.scheduler.at(9_000, () => store().write('b', [version(2)], false, () => {}));
  world.scheduler.runUntil(14_999);
  t.deepEqual(acked, [5_000], 'buffered: acknowledged at memory speed');
  t.is(durable(), 0, 'nothing on disk before the writer wakes at 15 ms');
  world.scheduler.runUntil(15_200);
  t.is(durable(), 1, 'the oldest write flushed first (one 200 µs disk write)');
  world.scheduler.runUntil(15_400);
  t.is(durable(), 2);
  t.is(store().unflushed().length, 0);
  const executed = world.scheduler.executed;
  world.scheduler.runUntil(2_000_000);
  t.is(world.scheduler.executed, executed, 'no periodic wake-ups once the buffer is empty');
  t.is(store().stats.flushes, 2);
  // The next write wakes it again.
  world.scheduler.at(2_100_000, () => store().write('c', [version(3)], false, () => {}));
  world.scheduler.runUntil(2_110_199);
  t.is(durable(), 2);
  world.scheduler.runUntil(2_110_200);
  t.is(durable(), 3);
});

test('durable writes are in flight, oldest first, from their disk write start to its end, and then land in the store', (t) => {
  // Four disk channels, 200 µs plus 1 µs per byte: a large write started first ends last.
  const world = new World({ seed: 3, network: flatNetwork(100) });
  const host = world.addHost(simpleHost('n0', { disk: { channels: 4, readUs: fixed(100), writeUs: fixed(200), bytesPerSec: 1_000_000 } }));
  let store!: LocalStore;
  host.boot((ctx) => {
    store = new LocalStore(ctx, { writeBufferObjects: 10, flushIntervalUs: 10_000 });
    return { onMessage() {} };
  });
  const sized = (id: number, sizeBytes: number): Version => ({ ...version(id), value: { ...version(id).value, sizeBytes } });
  const acked: string[] = [];
  const write = (key: string, v: Version) => store.write(key, [v], true, (o) => acked.push(`${key}:${o.durable}`));
  const inFlight = () => store.writesInFlight().map(([key, versions]) => `${key}:${versions.map((v) => v.value.id).join(',')}`);
  const endOf = (startUs: number, v: Version) => startUs + 200 + versionSetSizeBytes([v]);
  const [a, b, c, d] = [sized(1, 100), sized(2, 1_000), sized(3, 100), sized(4, 100)];
  world.scheduler.at(1_000, () => {
    write('a', a);
    write('b', b);
  });
  world.scheduler.at(1_050, () => write('c', c));
  world.scheduler.at(1_060, () => write('d', d));
  world.scheduler.runUntil(1_070);
  t.deepEqual(inFlight(), ['a:1', 'b:2', 'c:3', 'd:4']);
  world.scheduler.runUntil(endOf(1_050, c));
  t.deepEqual(acked, ['a:true', 'c:true']);
  t.deepEqual(inFlight(), ['b:2', 'd:4'], 'the completed ones leave the list, from its head and its middle');
  t.deepEqual(store.peek('c')!.map((v) => v.value.id), [3]);
  t.is(store.peek('b'), undefined, 'not in the store before its disk write ends');
  world.scheduler.runUntil(endOf(1_060, d));
  t.deepEqual(inFlight(), ['b:2'], 'and from its tail');
  world.scheduler.runUntil(endOf(1_000, b));
  t.deepEqual(acked, ['a:true', 'c:true', 'd:true', 'b:true']);
  t.deepEqual(inFlight(), []);
  t.deepEqual(store.peek('b')!.map((v) => v.value.id), [2]);
  t.is(store.unflushed().length, 0, 'durable writes skip the buffer');
  // The list is usable again after emptying.
  world.scheduler.at(world.nowUs + 1, () => write('e', sized(5, 100)));
  world.scheduler.runUntil(world.nowUs + 2);
  t.deepEqual(inFlight(), ['e:5']);
});

test('onChange says whether the key had versions before: buffered, durable, after a flush, after a delete, after an empty write, durable over buffered', (t) => {
  const world = new World({ seed: 3, network: flatNetwork(100) });
  const host = world.addHost(simpleHost('n0'));
  const heard: Array<[string, number, boolean]> = [];
  // Versions written by different nodes are concurrent: each write adds a sibling.
  const concurrent = (id: number): Version => ({ clock: increment(empty(), id, 0), value: { id, sizeBytes: 100, writtenAtUs: 0, items: null } });
  let store!: LocalStore;
  host.boot((ctx) => {
    store = new LocalStore(ctx, { writeBufferObjects: 10, flushIntervalUs: 10_000, onChange: (key, siblings, added) => heard.push([key, siblings.length, added]) });
    return { onMessage() {} };
  });
  world.scheduler.at(1_000, () => store.write('a', [concurrent(1)], false, () => {})); // buffered, new
  world.scheduler.at(2_000, () => store.write('a', [concurrent(2)], false, () => {})); // buffered, known
  world.scheduler.at(3_000, () => store.write('b', [concurrent(3)], true, () => {})); // durable, new
  world.scheduler.at(50_000, () => store.write('a', [concurrent(4)], true, () => {})); // durable, known (flushed by now)
  world.scheduler.at(60_000, () => store.delete('b'));
  world.scheduler.at(61_000, () => store.write('b', [concurrent(5)], false, () => {})); // new again
  world.scheduler.at(62_000, () => store.write('c', [], true, () => {})); // held, with no versions
  world.scheduler.at(63_000, () => store.write('c', [concurrent(6)], true, () => {})); // its first version
  world.scheduler.at(72_000, () => store.write('d', [concurrent(7)], false, () => {})); // buffered, new
  world.scheduler.at(73_000, () => store.write('d', [concurrent(8)], true, () => {})); // durable while only in the buffer
  world.scheduler.runUntil(100_000);
  t.deepEqual(heard, [
    ['a', 1, true],
    ['a', 2, false],
    ['b', 1, true],
    ['a', 3, false],
    ['b', 1, true],
    ['c', 0, true],
    ['c', 1, true],
    ['d', 1, true],
    ['d', 2, false],
  ]);
});
