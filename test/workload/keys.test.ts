import test from 'ava';
import fc from 'fast-check';
import { InvalidOptionError } from '../../sim/errors.js';
import { RandomStream, parseSeed } from '../../sim/random.js';
import { keyChooser, keysFrom, zipfCdf } from '../../src/workload/keys.js';

/** A stream that returns the given uniforms (the chooser reads only next()). */
function fixed(us: readonly number[]): RandomStream {
  let i = 0;
  return { next: () => us[i++ % us.length]! } as unknown as RandomStream;
}

/** The zipf rank a uniform selects by bisection over the cdf: the reference the guide table must match. */
function bisect(count: number, s: number, u: number): number {
  const cdf = zipfCdf(count, s);
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

test('zipf: the guide table selects exactly the rank bisection selects, for any uniform', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3000 }),
      fc.double({ min: 0.1, max: 2, noNaN: true }),
      fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 50 }),
      (count, s, us) => {
        const chooser = keyChooser(count, { kind: 'zipf', s });
        const hottest = chooser.hottest(count); // rank -> key index
        const rng = fixed(us);
        for (const u of us) {
          const key = chooser.next(rng);
          if (key !== hottest[bisect(count, s, u)]) return false;
        }
        return true;
      },
    ),
    { numRuns: 200 },
  );
  t.pass();
});

test('zipf: uniforms at and around every cell boundary land on the bisection rank', (t) => {
  const count = 1000;
  const s = 0.99;
  const chooser = keyChooser(count, { kind: 'zipf', s });
  const hottest = chooser.hottest(count);
  for (let j = 0; j < count; j++) {
    for (const u of [j / count, Math.max(0, j / count - Number.EPSILON), j / count + Number.EPSILON]) {
      if (u >= 1) continue;
      t.is(chooser.next(fixed([u])), hottest[bisect(count, s, u)]!, `u = ${u}`);
    }
  }
});

test('zipf: probabilities sum to 1 and fall with rank; draws follow them', (t) => {
  const count = 200;
  const chooser = keyChooser(count, { kind: 'zipf', s: 0.99 });
  const hottest = chooser.hottest(count);
  let sum = 0;
  for (let r = 0; r < count; r++) {
    const p = chooser.probability(hottest[r]!);
    sum += p;
    if (r > 0) t.true(p <= chooser.probability(hottest[r - 1]!));
  }
  t.true(Math.abs(sum - 1) < 1e-9);
  const rng = new RandomStream(parseSeed('7'), 'keys');
  const draws = 200_000;
  let top = 0;
  for (let i = 0; i < draws; i++) if (chooser.next(rng) === hottest[0]) top++;
  const p0 = chooser.probability(hottest[0]!);
  t.true(Math.abs(top / draws - p0) < 4 * Math.sqrt((p0 * (1 - p0)) / draws), `${top / draws} vs ${p0}`);
});

test('uniform, hotspot and explicit key sets', (t) => {
  const u = keyChooser(10, { kind: 'uniform' });
  t.is(u.next(fixed([0.95])), 9);
  const h = keyChooser(100, { kind: 'hotspot', fraction: 0.1, probability: 0.9 });
  t.is(h.next(fixed([0.5, 0.55])), 5); // hot: the second uniform picks among the 10 hot keys
  t.is(h.next(fixed([0.95, 0])), 10); // cold: the first cold key
  t.true(Math.abs(h.probability(0) - 0.09) < 1e-12);
  const k = keysFrom([4, 8]);
  t.is(k.next(fixed([0.6])), 8);
  t.is(k.probability(5), 0);
  t.throws(() => keyChooser(0, { kind: 'uniform' }), { instanceOf: InvalidOptionError });
  t.throws(() => keyChooser(10, { kind: 'zipf', s: 0 }), { instanceOf: InvalidOptionError });
});
