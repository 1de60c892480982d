import test from 'ava';
import fc from 'fast-check';
import {
  BANDWIDTH_PATTERN,
  DURATION_PATTERN,
  formatBandwidth,
  formatDurationUs,
  formatRate,
  formatSize,
  parseBandwidthBytesPerSec,
  parseDurationUs,
  parseProbability,
  parseRatePerSec,
  parseSeedText,
  parseSizeBytes,
  PERCENT_PATTERN,
  RATE_PATTERN,
  SIGNED_DURATION_PATTERN,
  SIZE_PATTERN,
  type Parsed,
} from '../../src/scenario/units.js';

const value = <T>(r: Parsed<T>): T => {
  if (!r.ok) throw new Error(`expected ok, got: ${r.message}`);
  return r.value;
};
const message = (r: Parsed<unknown>): string => {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r.value)}`);
  return r.message;
};

test('durations: every unit, fractions, compound forms, to integer microseconds', (t) => {
  t.is(value(parseDurationUs('250us')), 250);
  t.is(value(parseDurationUs('250µs')), 250);
  t.is(value(parseDurationUs('5ms')), 5_000);
  t.is(value(parseDurationUs('1.5s')), 1_500_000);
  t.is(value(parseDurationUs('.5s')), 500_000);
  t.is(value(parseDurationUs('10m')), 600_000_000);
  t.is(value(parseDurationUs('10min')), 600_000_000);
  t.is(value(parseDurationUs('2h')), 7_200_000_000);
  t.is(value(parseDurationUs('1d')), 86_400_000_000);
  t.is(value(parseDurationUs(' 3 ms ')), 3_000);
  t.is(value(parseDurationUs('1h30m')), 5_400_000_000);
  t.is(value(parseDurationUs('2m30s')), 150_000_000);
  t.is(value(parseDurationUs('0s')), 0);
  t.is(value(parseDurationUs('1.0004ms')), 1_000);
});

test('durations: unit-less, unknown units, signs, zero and non-strings are refused with the fix', (t) => {
  t.regex(message(parseDurationUs(300)), /unit-less duration, write "300ms"/);
  t.regex(message(parseDurationUs('300')), /unit-less duration, write "300ms"/);
  t.regex(message(parseDurationUs(0)), /unit-less duration/);
  t.regex(message(parseDurationUs('5 parsecs')), /unknown unit "parsecs"/);
  t.regex(message(parseDurationUs('5sec')), /unknown unit "sec" \(did you mean "s"\?\)/);
  t.regex(message(parseDurationUs('-5ms')), /expected a non-negative duration, got "-5ms"/);
  t.regex(message(parseDurationUs('+5ms')), /sign is allowed only in clockSkew.by/);
  t.regex(message(parseDurationUs('0s', { positive: true })), /expected a positive duration, got "0s"/);
  t.regex(message(parseDurationUs('1e3ms')), /expected a duration with a unit/);
  t.regex(message(parseDurationUs(true)), /got true/);
  t.regex(message(parseDurationUs(null)), /got null/);
  t.regex(message(parseDurationUs('')), /expected a duration/);
  t.regex(message(parseDurationUs(Infinity)), /expected a duration/);
});

test('signed durations (clock skews) keep their sign', (t) => {
  t.is(value(parseDurationUs('-500ms', { signed: true })), -500_000);
  t.is(value(parseDurationUs('+2s', { signed: true })), 2_000_000);
  t.is(value(parseDurationUs('-0s', { signed: true })), 0);
  t.regex(message(parseDurationUs(-500, { signed: true })), /write "-500ms"/);
});

test('rates: per us, ms, s, m, h, d; zero and negative refused unless allowed', (t) => {
  t.is(value(parseRatePerSec('500/s')), 500);
  t.is(value(parseRatePerSec('30/m')), 0.5);
  t.is(value(parseRatePerSec('30/min')), 0.5);
  t.is(value(parseRatePerSec('7200/h')), 2);
  t.is(value(parseRatePerSec('2/ms')), 2000);
  t.is(value(parseRatePerSec('1 / s')), 1);
  t.is(value(parseRatePerSec('0/s', { allowZero: true })), 0);
  t.regex(message(parseRatePerSec('0/s')), /expected a positive rate, got "0\/s"/);
  t.regex(message(parseRatePerSec('-5/s')), /expected a positive rate, got "-5\/s"/);
  t.regex(message(parseRatePerSec(-5)), /expected a positive rate/);
  t.regex(message(parseRatePerSec(500)), /unit-less rate, write "500\/s"/);
  t.regex(message(parseRatePerSec('500')), /unit-less rate, write "500\/s"/);
  t.regex(message(parseRatePerSec('500/sec')), /unknown unit "\/sec" \(did you mean "\/s"\?\)/);
  t.regex(message(parseRatePerSec('fast')), /expected a rate such as "500\/s"/);
});

test('sizes: SI and binary units, integer bytes; unit-less and wrong-case units refused', (t) => {
  t.is(value(parseSizeBytes('512B')), 512);
  t.is(value(parseSizeBytes('1KB')), 1000);
  t.is(value(parseSizeBytes('1kB')), 1000);
  t.is(value(parseSizeBytes('4KiB')), 4096);
  t.is(value(parseSizeBytes('1MiB')), 1_048_576);
  t.is(value(parseSizeBytes('1MB')), 1_000_000);
  t.is(value(parseSizeBytes('1.5KiB')), 1536);
  t.is(value(parseSizeBytes('2GiB')), 2 * 1024 ** 3);
  t.regex(message(parseSizeBytes(4096)), /unit-less size, write "4096B"/);
  t.regex(message(parseSizeBytes('4kib')), /unknown unit "kib" \(did you mean "KiB"\?\)/);
  t.regex(message(parseSizeBytes('-1KB')), /non-negative size/);
  t.regex(message(parseSizeBytes('big')), /expected a size with a unit/);
});

test('bandwidth: bytes or bits per second, bps shorthands and "off"', (t) => {
  t.is(value(parseBandwidthBytesPerSec('1Gbit/s')), 125_000_000);
  t.is(value(parseBandwidthBytesPerSec('125MB/s')), 125_000_000);
  t.is(value(parseBandwidthBytesPerSec('100Mbps')), 12_500_000);
  t.is(value(parseBandwidthBytesPerSec('1MiB/s')), 1_048_576);
  t.is(value(parseBandwidthBytesPerSec('off')), 0);
  t.regex(message(parseBandwidthBytesPerSec(100)), /unit-less bandwidth/);
  t.regex(message(parseBandwidthBytesPerSec('10MB/m')), /per second/);
  t.regex(message(parseBandwidthBytesPerSec('0MB/s')), /positive bandwidth/);
  t.regex(message(parseBandwidthBytesPerSec('10Gbits/s')), /unknown unit "Gbits"/);
});

test('probabilities: numbers in [0, 1] or percentages', (t) => {
  t.is(value(parseProbability(0)), 0);
  t.is(value(parseProbability(1)), 1);
  t.is(value(parseProbability(0.001)), 0.001);
  t.is(value(parseProbability('0.1%')), 0.001);
  t.is(value(parseProbability('99.9%')), 0.999);
  t.is(value(parseProbability('100%')), 1);
  t.regex(message(parseProbability(1.5)), /expected a probability in \[0, 1\].*got 1.5 \(for a percentage write "1.5%"\)/);
  t.regex(message(parseProbability(-0.1)), /got -0.1/);
  t.regex(message(parseProbability('150%')), /outside \[0%, 100%\]/);
  t.regex(message(parseProbability('-1%')), /outside/);
  t.regex(message(parseProbability('0.5')), /expected a probability/);
});

test('seeds: decimal below 2^64 or 40 hex digits', (t) => {
  t.is(value(parseSeedText(42)), '42');
  t.is(value(parseSeedText('18446744073709551615')), '18446744073709551615');
  t.is(value(parseSeedText('A'.repeat(40))), 'a'.repeat(40));
  t.regex(message(parseSeedText('18446744073709551616')), /below 2\^64/);
  t.regex(message(parseSeedText(-1)), /expected a seed/);
  t.regex(message(parseSeedText('xyz')), /expected a seed/);
});

test('the schema patterns accept exactly what the parsers accept', (t) => {
  const samples = ['5ms', '1.5s', '1h30m', ' 2 m ', '-5ms', '+1s', '5', '5 parsecs', '1e3ms', '', 'ms', '500/s', '30/min', '0/s', '4KiB', '1kB', '4kib', '1Gbit/s', '125MB/s', '100Mbps', 'off', '0.1%', '100%', '1.5', '%'];
  const agree = (pattern: string, parse: (v: string) => Parsed<unknown>, sample: string) => {
    const syntactic = new RegExp(pattern, 'u').test(sample);
    const r = parse(sample);
    // A range failure (zero rate, 150%) is the parser's alone; a syntax failure must be both's.
    if (r.ok) t.true(syntactic, `${pattern} should accept ${JSON.stringify(sample)}`);
    else if (!/positive|non-negative|outside|below|sign/.test(r.message)) t.false(syntactic, `${pattern} should refuse ${JSON.stringify(sample)}`);
  };
  for (const s of samples) {
    agree(DURATION_PATTERN, (v) => parseDurationUs(v), s);
    agree(SIGNED_DURATION_PATTERN, (v) => parseDurationUs(v, { signed: true }), s);
    agree(RATE_PATTERN, (v) => parseRatePerSec(v, { allowZero: true }), s);
    agree(SIZE_PATTERN, parseSizeBytes, s);
    agree(BANDWIDTH_PATTERN, parseBandwidthBytesPerSec, s);
    agree(PERCENT_PATTERN, parseProbability, s);
  }
});

test('formatting: exact, readable, and parseable again', (t) => {
  t.is(formatDurationUs(0), '0s');
  t.is(formatDurationUs(250), '250us');
  t.is(formatDurationUs(1_500), '1.5ms');
  t.is(formatDurationUs(2_500_000), '2.5s');
  t.is(formatDurationUs(140_000_000), '2m20s');
  t.is(formatDurationUs(5_400_000_000), '1h30m');
  t.is(formatDurationUs(-500_000), '-500ms');
  t.is(formatRate(500), '500/s');
  t.is(formatRate(0.5), '30/m');
  t.is(formatSize(4096), '4KiB');
  t.is(formatSize(1000), '1000B');
  t.is(formatBandwidth(125_000_000), '1Gbit/s');
  t.is(formatBandwidth(0), 'off');
  fc.assert(
    fc.property(fc.integer({ min: -1e15, max: 1e15 }), (us) => {
      t.is(value(parseDurationUs(formatDurationUs(us), { signed: true })), us);
    }),
  );
});
