import test from 'ava';
import { LatencyRecorder } from '../../src/metrics/latency.js';
import { AvailabilityRecorder } from '../../src/metrics/availability.js';

test('percentiles match exact values within HdrHistogram precision (3 significant digits)', (t) => {
  const r = new LatencyRecorder(10_000_000, 0);
  // latencies 1..10000 ms in µs: exact p50 = 5000 ms, p99 = 9900 ms, p99.9 = 9990 ms, max 10000 ms, mean 5000.5 ms
  for (let i = 1; i <= 10_000; i++) r.record('get', 0, i * 1_000, true);
  const s = r.stats('get');
  const near = (actual: number, expected: number) => t.true(Math.abs(actual - expected) <= expected * 0.001 + 0.001, `${actual} vs ${expected}`);
  near(s.p50, 5_000);
  near(s.p90, 9_000);
  near(s.p99, 9_900);
  near(s.p999, 9_990);
  near(s.max, 10_000);
  near(s.mean, 5_000.5);
  t.is(r.stats('put').p50, 0);
});

test('failed operations count but do not enter latency; windows close in order', (t) => {
  const r = new LatencyRecorder(1_000_000, 0);
  r.record('get', 0, 100_000, true);
  r.record('get', 200_000, 250_000, false);
  r.record('put', 1_500_000, 1_600_000, true);
  r.finish(2_000_000);
  t.is(r.windows.length, 2);
  const w0 = r.windows[0]!.get;
  t.deepEqual([w0.count, w0.ok], [2, 1]);
  for (const p of [w0.p50, w0.p99, w0.p999]) t.true(Math.abs(p - 100) <= 0.1, `${p}`);
  t.is(r.windows[1]!.put.ok, 1);
});

test('availability: success within the SLA, per window, per fault with time to recover', (t) => {
  const a = new AvailabilityRecorder(300_000, 0);
  for (let s = 0; s < 60; s++) {
    for (let i = 0; i < 100; i++) {
      const start = s * 1_000_000 + i * 10_000;
      const down = s >= 20 && s < 25; // a 5 s outage: everything fails
      const slow = s === 25 && i < 50; // then half the requests exceed the SLA for a second
      a.record(start, !down, slow ? 400_000 : 5_000);
    }
  }
  const all = a.overall();
  t.is(all.requests, 6_000);
  t.is(all.succeeded, 6_000 - 500 - 50);
  const windows = a.windows(10_000_000, 60_000_000);
  t.is(windows.length, 6);
  t.is(windows[2]!.availability, (1_000 - 500 - 50) / 1_000);
  const [fault] = a.faults([{ kind: 'crash', describe: 'crash n1', startUs: 20_000_000, endUs: 25_000_000 }], 10_000_000, 60_000_000);
  t.is(fault!.availability, 0);
  t.is(fault!.before, 1);
  // Recovered from the first second whose next 10 s are back to 100%: 26 s, 6 s after the start.
  t.is(fault!.recoveryUs, 6_000_000);
  // A fault that never recovers within the run says so.
  const [never] = a.faults([{ kind: 'x', describe: 'x', startUs: 24_000_000, endUs: 25_000_000 }], 10_000_000, 25_500_000);
  t.is(never!.recoveryUs, null);
});
