import test from 'ava';
import { DurabilityRecorder } from '../../src/metrics/durability.js';
import { fromEntries, type VClock } from '../../src/dynamo/vclock.js';
import type { Siblings, Version } from '../../src/dynamo/version.js';

const clock = (...entries: Array<[number, number]>): VClock => fromEntries(entries.map(([node, counter]) => ({ node, counter, timestampUs: 0 })));
const version = (id: number, c: VClock): Version => ({ clock: c, value: { id, sizeBytes: 1, writtenAtUs: 0, items: null } });

test('a history with exactly two lost writes reports exactly those two, with causes', (t) => {
  const d = new DurabilityRecorder();
  const held = new Map<string, Siblings>();
  // a: write 1 superseded by write 2 which is held: both safe.
  d.acknowledged({ key: 'a', writeId: 1, clock: clock([1, 1]), ackUs: 10 });
  d.acknowledged({ key: 'a', writeId: 2, clock: clock([1, 2]), ackUs: 20 });
  held.set('a', [version(2, clock([1, 2]))]);
  // b: write 3 held exactly.
  d.acknowledged({ key: 'b', writeId: 3, clock: clock([2, 1]), ackUs: 30 });
  held.set('b', [version(3, clock([2, 1]))]);
  // c: write 4 nowhere (its buffer was lost).
  d.acknowledged({ key: 'c', writeId: 4, clock: clock([3, 1]), ackUs: 40 });
  d.lostInCrash([4], 'write buffer lost in a crash of n3');
  // d: write 5's clock is held but with another value (counter reuse): lost.
  d.acknowledged({ key: 'd', writeId: 5, clock: clock([4, 1]), ackUs: 50 });
  held.set('d', [version(99, clock([4, 1]))]);
  const r = d.check((key) => held.get(key) ?? [], 1_000);
  t.is(r.acknowledgedWrites, 5);
  t.is(r.lostWrites, 2);
  t.deepEqual(r.lost.map((l) => [l.key, l.writeId, l.cause]), [
    ['c', 4, 'write buffer lost in a crash of n3'],
    ['d', 5, 'unknown'],
  ]);
});

test('a concurrent survivor is named as the likely cause', (t) => {
  const d = new DurabilityRecorder();
  d.acknowledged({ key: 'k', writeId: 1, clock: clock([1, 2]), ackUs: 10 });
  const r = d.check(() => [version(2, clock([2, 1]))], 100);
  t.is(r.lostWrites, 1);
  t.regex(r.lost[0]!.cause, /concurrent version/);
});

test('a write overwritten in a buffer by a later write that a crash then lost is named with that write', (t) => {
  const d = new DurabilityRecorder();
  d.acknowledged({ key: 'k', writeId: 1, clock: clock([1, 1]), ackUs: 10 });
  d.acknowledged({ key: 'k', writeId: 2, clock: clock([1, 2]), ackUs: 20 });
  // A concurrent write the crash also lost does not explain write 1: only one that descends from it does.
  d.acknowledged({ key: 'k', writeId: 3, clock: clock([2, 1]), ackUs: 15 });
  d.lostInCrash([3], 'write buffer lost in a crash of n2');
  d.lostInCrash([2], 'write buffer lost in a crash of n1');
  const r = d.check(() => [], 100);
  t.deepEqual(r.lost.map((l) => [l.writeId, l.cause]), [
    [1, 'superseded by write 2, then write buffer lost in a crash of n1'],
    [3, 'write buffer lost in a crash of n2'],
    [2, 'write buffer lost in a crash of n1'],
  ]);
});
