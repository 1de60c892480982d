import test from 'ava';
import { InvalidOptionError } from '../../sim/errors.js';
import { formatDuration, hours, minutes, ms, parseDuration, seconds } from '../../sim/time.js';

test('parses human durations into integer microseconds', (t) => {
  t.is(parseDuration('250us'), 250);
  t.is(parseDuration('5ms'), 5_000);
  t.is(parseDuration('1.5s'), 1_500_000);
  t.is(parseDuration('10m'), 600_000_000);
  t.is(parseDuration('2h'), 7_200_000_000);
  t.is(parseDuration('1d'), 86_400_000_000);
  t.is(parseDuration(' 3 ms '), 3_000);
  t.is(parseDuration('0.0004ms'), 0);
});

test('refuses unit-less, negative and malformed durations with a typed error', (t) => {
  for (const bad of ['5', '-5ms', 'fast', '5 parsecs', '', '1e3ms']) {
    const err = t.throws(() => parseDuration(bad, 'cluster.timeout'), { instanceOf: InvalidOptionError });
    t.is(err?.option, 'cluster.timeout');
    t.is(err?.value, bad);
  }
  t.regex(t.throws(() => parseDuration('5'))!.message, /with a unit.*"5ms"/);
  t.throws(() => parseDuration(5 as unknown as string), { instanceOf: InvalidOptionError });
});

test('builders and formatting round-trip', (t) => {
  t.is(ms(1.5), 1_500);
  t.is(seconds(2), 2_000_000);
  t.is(minutes(1), 60_000_000);
  t.is(hours(1), 3_600_000_000);
  for (const text of ['250us', '5ms', '1.5s', '10m', '2h']) t.is(formatDuration(parseDuration(text)), text);
  t.throws(() => ms(Number.NaN), { instanceOf: InvalidOptionError });
});
