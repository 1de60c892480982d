import test from 'ava';
import fc from 'fast-check';
import vm from 'node:vm';
import { FORMAT_FUNCTIONS } from '../../src/report/sharedScript.js';
import { formatBytes, formatCount, formatDurationUs, formatMs, formatShare } from '../../src/report/format.js';

test('shares keep the decimals the Dynamo paper reports', (t) => {
  t.is(formatShare(0.9994), '99.94%');
  t.is(formatShare(0.0000057), '0.00057%');
  t.is(formatShare(0.0000047), '0.00047%');
  t.is(formatShare(0.999995), '99.9995%');
  t.is(formatShare(0.5), '50.00%');
  t.is(formatShare(0), '0%');
  t.is(formatShare(1), '100%');
});

test('a share just below 1 never rounds to 100%', (t) => {
  for (const share of [0.99999999, 0.9999999, 0.999999, 0.99999, 0.9999]) t.not(formatShare(share), '100.00%', String(share));
  t.is(formatShare(0.99999999), '99.999999%');
});

test('durations carry units', (t) => {
  t.is(formatDurationUs(0), '0s');
  t.is(formatDurationUs(250), '250us');
  t.is(formatDurationUs(250_000), '250ms');
  t.is(formatDurationUs(1_500_000), '1.5s');
  t.is(formatDurationUs(150_000_000), '2m30s');
  t.is(formatDurationUs(119_871_204), '1m59.9s');
  t.is(formatDurationUs(86_400_000_000), '24h00m');
  t.is(formatDurationUs(999_600), '1s', 'no "1000ms"');
});

test('latencies in ms, with seconds from 1s on', (t) => {
  t.is(formatMs(187.412), '187.4ms');
  t.is(formatMs(0.235), '0.235ms');
  t.is(formatMs(14.36), '14.36ms');
  t.is(formatMs(300), '300ms');
  t.is(formatMs(1890.25), '1.89s');
});

test('counts and bytes', (t) => {
  t.is(formatCount(1_234_567), '1,234,567');
  t.is(formatCount(999), '999');
  t.is(formatCount(-1200.5), '-1,200.5');
  t.is(formatBytes(512), '512B');
  t.is(formatBytes(4096), '4.0KiB');
  t.is(formatBytes(1_893_220_480), '1.8GiB');
});

test("property: the pages' browser formatting (FORMAT_FUNCTIONS) prints what format.ts prints", (t) => {
  const browser = vm.runInNewContext(`${FORMAT_FUNCTIONS}; ({ fmtMs, fmtShare })`) as { fmtMs: (ms: number) => string; fmtShare: (s: number) => string };
  const ms = fc.oneof(fc.double({ min: 0, max: 1e7, noNaN: true }), fc.constantFrom(0, 999.94, 999.95, 1000, 12_345.6, 99_999.5, 1_234_567));
  fc.assert(fc.property(ms, (x) => browser.fmtMs(x) === formatMs(x)));
  const share = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1, 0.9994, 0.0000057, 0.999995));
  fc.assert(fc.property(share, (x) => browser.fmtShare(x) === formatShare(x)));
  t.is(browser.fmtMs(12_345.6), '12.35s');
});
