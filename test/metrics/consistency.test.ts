import test from 'ava';
import { ConsistencyRecorder } from '../../src/metrics/consistency.js';
import { fromEntries, type VClock } from '../../src/dynamo/vclock.js';

const clock = (...entries: Array<[number, number]>): VClock => fromEntries(entries.map(([node, counter]) => ({ node, counter, timestampUs: 0 })));

test('a history with exactly one stale read reports exactly one', (t) => {
  const c = new ConsistencyRecorder();
  const w1 = clock([1, 1]);
  const w2 = clock([1, 2]);
  const sibling = clock([1, 1], [2, 1]); // concurrent with w2
  c.writeAcknowledged('s', 'k', { writeId: 1, clock: w1, ackUs: 1_000 });
  c.writeAcknowledged('s', 'k', { writeId: 2, clock: w2, ackUs: 2_000 });
  c.readStarted(1, 'r', 'k', 3_000);
  c.readEnded(1, true, [w2]); // latest: fresh
  c.readStarted(2, 'r', 'k', 3_000);
  c.readEnded(2, true, [w1]); // older than the latest: STALE
  c.readStarted(3, 'r', 'k', 3_000);
  c.readEnded(3, true, [sibling]); // concurrent with the latest: not stale
  c.readStarted(4, 'r', 'k', 3_000);
  c.readEnded(4, true, [clock([1, 3])]); // newer: not stale
  c.readStarted(5, 'r', 'other', 3_000);
  c.readEnded(5, true, []); // no write to this key: not checked
  c.readStarted(6, 'r', 'k', 3_000);
  c.readEnded(6, false, []); // failed: not checked
  const s = c.staleness();
  t.is(s.staleReads, 1);
  t.is(s.readsChecked, 4);
  t.is(s.staleShare, 0.25);
  // k-staleness: reads 1 and 4 return (descendants of) the latest (k = 1); read 2 returns the 2nd
  // latest, and read 3's sibling descends the 2nd latest too (k = 2).
  t.deepEqual(s.kStaleness.slice(0, 3), [{ k: 1, probability: 0.5 }, { k: 2, probability: 1 }, { k: 3, probability: 1 }]);
});

test('a read that began before the write was acknowledged is not judged by it', (t) => {
  const c = new ConsistencyRecorder();
  c.readStarted(1, 'r', 'k', 500);
  c.writeAcknowledged('s', 'k', { writeId: 1, clock: clock([1, 1]), ackUs: 1_000 });
  c.readEnded(1, true, []);
  t.is(c.staleness().readsChecked, 0);
});

test('t-visibility: a known curve comes back bin by bin, and Δ for 99.9% is the first bin from which it holds', (t) => {
  const c = new ConsistencyRecorder();
  let op = 0;
  // Key i: a write at 0, reads at various Δ; the read sees the write iff planned.
  const plan: Array<[number, number, number]> = [
    // [Δ ms, reads, visible]
    [0.5, 100, 40],
    [3, 100, 80],
    [30, 1_000, 999],
    [300, 2_000, 2_000],
  ];
  let key = 0;
  for (const [deltaMs, reads, visible] of plan) {
    for (let i = 0; i < reads; i++) {
      const k = `k${key++}`;
      const w = clock([1, 1]);
      c.writeAcknowledged('w', k, { writeId: key, clock: w, ackUs: 1_000_000 });
      c.readStarted(++op, 'r', k, 1_000_000 + deltaMs * 1000);
      c.readEnded(op, true, i < visible ? [w] : []);
    }
  }
  const tv = c.tVisibility();
  const at = (ms: number) => tv.find((p) => p.deltaMs === ms)!;
  t.deepEqual(at(0), { deltaMs: 0, reads: 100, probability: 0.4 });
  t.deepEqual(at(2), { deltaMs: 2, reads: 100, probability: 0.8 });
  t.deepEqual(at(20), { deltaMs: 20, reads: 1_000, probability: 0.999 });
  t.deepEqual(at(200), { deltaMs: 200, reads: 2_000, probability: 1 });
  t.is(at(1).reads, 0);
  t.is(c.staleness().delta999Ms, 20);
});

test('versions histogram counts siblings per successful get', (t) => {
  const c = new ConsistencyRecorder();
  const counts = [1, 1, 1, 2, 3, 1];
  counts.forEach((n, i) => {
    c.readStarted(i, 'r', `k${i}`, 0);
    c.readEnded(i, true, Array.from({ length: n }, (_, j) => clock([j + 1, 1])));
  });
  t.deepEqual(c.versions().histogram, [
    { versions: 1, gets: 4, share: 4 / 6 },
    { versions: 2, gets: 1, share: 1 / 6 },
    { versions: 3, gets: 1, share: 1 / 6 },
  ]);
});

test('read-your-writes and monotonic reads are checked per session', (t) => {
  const c = new ConsistencyRecorder();
  const w1 = clock([1, 1]);
  const w2 = clock([1, 2]);
  c.writeAcknowledged('alice', 'k', { writeId: 1, clock: w1, ackUs: 10 });
  c.writeAcknowledged('bob', 'k', { writeId: 2, clock: w2, ackUs: 20 });
  // bob reads the older version: a read-your-writes violation for bob only.
  c.readStarted(1, 'bob', 'k', 30);
  c.readEnded(1, true, [w1]);
  // alice reads w2 then w1: monotonic-read violation on her second read (w1 does not descend w2).
  c.readStarted(2, 'alice', 'k', 40);
  c.readEnded(2, true, [w2]);
  c.readStarted(3, 'alice', 'k', 50);
  c.readEnded(3, true, [w1]);
  const s = c.staleness();
  t.deepEqual(s.readYourWrites, { checked: 3, violations: 1 });
  t.deepEqual(s.monotonicReads, { checked: 1, violations: 1 });
});

test('session guarantees track at most maxSessionKeys (session, key) pairs; the rest are counted, not checked', (t) => {
  const c = new ConsistencyRecorder({ maxSessionKeys: 2 });
  c.writeAcknowledged('s1', 'a', { writeId: 1, clock: clock([1, 1]), ackUs: 0 });
  c.writeAcknowledged('s2', 'a', { writeId: 2, clock: clock([1, 2]), ackUs: 0 });
  c.writeAcknowledged('s3', 'a', { writeId: 3, clock: clock([1, 3]), ackUs: 0 }); // a third pair: not tracked
  c.writeAcknowledged('s1', 'a', { writeId: 4, clock: clock([1, 4]), ackUs: 0 }); // a tracked pair again
  t.is(c.untrackedSessionKeys, 1);
  // s1 reads an old version: a read-your-writes violation (tracked); s3 does too, unchecked.
  c.readStarted(1, 's1', 'a', 10);
  c.readEnded(1, true, [clock([1, 1])]);
  c.readStarted(2, 's3', 'a', 10);
  c.readEnded(2, true, [clock([1, 1])]);
  t.is(c.untrackedSessionKeys, 2, 'the read of the untracked pair is counted too');
  t.deepEqual(c.staleness().readYourWrites, { checked: 1, violations: 1 });
});
