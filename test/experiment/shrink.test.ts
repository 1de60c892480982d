import test from 'ava';
import fc from 'fast-check';
import { ddmin, shrinkNumber } from '../../src/experiment/shrink.js';

test('ddmin finds a 1-minimal failing subset', (t) => {
  const items = Array.from({ length: 10 }, (_, i) => i);
  let tests = 0;
  const kept = ddmin(items, (s) => (tests++, s.includes(3) && s.includes(7)));
  t.deepEqual(kept, [3, 7]);
  t.true(tests < 40, `${tests} tests`);
  t.deepEqual(ddmin(items, () => true), [], 'nothing needed: the empty set');
  t.deepEqual(ddmin([5], (s) => s.includes(5)), [5]);
});

test('ddmin: the result still fails and removing any one element makes it pass (property)', (t) => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 3 }), (needed, extra) => {
      const items = [...new Set([...needed, ...Array.from({ length: extra * 4 }, (_, i) => 100 + i)])];
      const fails = (s: number[]) => needed.every((n) => s.includes(n));
      const kept = ddmin(items, fails);
      if (!fails(kept)) return false;
      return kept.every((x) => !fails(kept.filter((y) => y !== x)));
    }),
  );
  t.pass();
});

test('shrinkNumber bisects to within 10% of the smallest failing value', (t) => {
  const v = shrinkNumber(100, 1, false, (x) => x >= 37)!;
  t.true(v >= 37 && v <= 41, String(v));
  const g = shrinkNumber(5000, 1, true, (x) => x >= 25)!;
  t.true(g >= 25 && g <= 28, String(g));
  t.is(shrinkNumber(100, 1, false, () => true), 1);
  t.is(shrinkNumber(100, 1, false, (x) => x >= 100), null, 'nothing smaller fails');
  t.is(shrinkNumber(3, 3, false, () => true), null, 'already at the bound');
});
