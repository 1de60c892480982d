import test from 'ava';
import fc from 'fast-check';
import { InvalidOptionError } from '../../sim/errors.js';
import { RandomRoot, RandomStream, deriveSeed, parseSeed } from '../../sim/random.js';

const draw = (s: RandomStream, n: number) => Array.from({ length: n }, () => s.next());

test('seeds: decimal up to 2^64 - 1 and 40-hex accepted, others refused', (t) => {
  t.is<string, string>(parseSeed('42'), '42');
  t.is<string, string>(parseSeed(42), '42');
  t.is<string, string>(parseSeed('18446744073709551615'), '18446744073709551615');
  t.is<string, string>(parseSeed(18446744073709551615n), '18446744073709551615');
  t.is<string, string>(parseSeed('DEADBEEF'.repeat(5)), 'deadbeef'.repeat(5));
  for (const bad of ['18446744073709551616', '-1', '1.5', 'abc', '', 'g'.repeat(40), -3, 1.5, null, {}]) {
    t.throws(() => parseSeed(bad), { instanceOf: InvalidOptionError }, String(bad));
  }
});

test('same seed and name give the same sequence; different names differ', (t) => {
  const a = new RandomRoot('7').stream('network');
  const b = new RandomRoot('7').stream('network');
  const c = new RandomRoot('7').stream('disk');
  const d = new RandomRoot('8').stream('network');
  const sa = draw(a, 100);
  t.deepEqual(sa, draw(b, 100));
  t.notDeepEqual(sa, draw(c, 100));
  t.notDeepEqual(sa, draw(d, 100));
});

test('streams are independent: extra draws on one never shift another', (t) => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.nat(500), (seed, extra) => {
      const r1 = new RandomRoot(seed);
      const a1 = r1.stream('a');
      const b1 = r1.stream('b');
      const r2 = new RandomRoot(seed);
      const a2 = r2.stream('a');
      const b2 = r2.stream('b');
      draw(a2, extra); // stream a draws more in the second world
      const x = [];
      const y = [];
      for (let i = 0; i < 20; i++) {
        x.push(b1.next());
        a1.next();
        y.push(b2.next());
      }
      return JSON.stringify(x) === JSON.stringify(y);
    }),
    { numRuns: 50 },
  );
  t.pass();
});

test('a root refuses to issue one name twice', (t) => {
  const root = new RandomRoot('1');
  root.stream('x');
  t.throws(() => root.stream('x'), { instanceOf: InvalidOptionError });
});

test('state can be saved and restored', (t) => {
  const s = new RandomRoot('99').stream('s');
  draw(s, 37);
  const saved = s.saveState();
  const after = draw(s, 50);
  const restored = RandomStream.restore(JSON.parse(JSON.stringify(saved)));
  t.deepEqual(draw(restored, 50), after);
});

test('helpers stay in range and child streams depend on the full name', (t) => {
  const s = new RandomRoot('3').stream('h');
  for (let i = 0; i < 10_000; i++) {
    const k = s.int(-2, 5);
    t.true(Number.isInteger(k) && k >= -2 && k <= 5);
    const u = s.nextOpen();
    t.true(u > 0 && u <= 1);
  }
  t.false(s.chance(0));
  t.true(s.chance(1));
  const c1 = new RandomRoot('3').stream('h').child('x');
  const c2 = new RandomRoot('3').stream('h/x');
  t.deepEqual(draw(c1, 5), draw(c2, 5));
  t.not(deriveSeed(parseSeed('5'), '0'), deriveSeed(parseSeed('5'), '1'));
  t.is(deriveSeed(parseSeed('5'), '0'), deriveSeed(parseSeed('5'), '0'));
});
