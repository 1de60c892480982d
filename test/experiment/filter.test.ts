import test from 'ava';
import { compileFilter, evaluateFilter, FilterError, type FilterValue } from '../../src/experiment/filter.js';

const NAMES = ['n', 'r', 'w', 'preset', 'sloppy'];
const ENV: Record<string, FilterValue> = { n: 3, r: 1, w: 2, preset: 'WAN', sloppy: true };
const run = (text: string, env: Record<string, FilterValue> = ENV) => evaluateFilter(compileFilter(text, NAMES), env);

function failsAt(t: import('ava').ExecutionContext, text: string, pattern: RegExp, column: number, evaluate = false) {
  const e = t.throws(() => (evaluate ? run(text) : compileFilter(text, NAMES)), { instanceOf: FilterError });
  t.regex(e!.message, pattern, text);
  t.is(e!.column, column, `column of the mistake in ${JSON.stringify(text)}`);
}

test('arithmetic precedence: * / % before + -, left to right', (t) => {
  t.is(run('1 + 2 * 3'), 7);
  t.is(run('(1 + 2) * 3'), 9);
  t.is(run('10 - 4 - 3'), 3);
  t.is(run('12 / 3 / 2'), 2);
  t.is(run('7 % 4 * 2'), 6);
  t.is(run('-r + w'), 1);
  t.is(run('- -n'), 3);
  t.is(run('2.5e1 + .5'), 25.5);
});

test('comparison binds looser than arithmetic, and and binds tighter than or, not tighter than and', (t) => {
  t.true(run('r + w > n - 1') as boolean);
  t.false(run('r + w > n') as boolean);
  // or(false, and(true, true)) is true; and(or(false, true), ...) would be the same, so use a case that differs:
  t.true(run('r > 5 or r == 1 and w == 2') as boolean); // or(false, true)
  t.false(run('(r > 5 or r == 1) and w == 3') as boolean);
  t.true(run('r == 1 || w == 9 && n == 9') as boolean); // || lowest: true || (false && false)
  t.false(run('not r == 1 and w == 2') as boolean); // (not (r == 1)) and ...
  t.true(run('!(r == 2) && sloppy') as boolean);
  t.true(run('preset == "WAN" and w == 2') as boolean);
  t.true(run("preset != 'YMMR'") as boolean);
  t.true(run('"LNKD" < preset') as boolean);
  t.true(run('sloppy == true') as boolean);
});

test('the right side of and/or is evaluated only when needed', (t) => {
  // The right side would divide by zero: short-circuit must skip it.
  t.false(run('r == 2 and 1 / 0 > 1') as boolean);
  t.true(run('r == 1 or 1 / 0 > 1') as boolean);
  t.throws(() => run('r == 1 and 1 / 0 > 1'), { instanceOf: FilterError, message: /division by zero/ });
});

test('syntax errors name what is wrong and the column', (t) => {
  failsAt(t, 'r + w >', /expected a value .* got the end of the filter/, 8);
  failsAt(t, 'r + * w', /expected a value .* got "\*"/, 5);
  failsAt(t, '(r + w > n', /expected "\)" to close the "\(" at column 1/, 11);
  failsAt(t, 'r + w) > n', /expected an operator or the end of the filter, got "\)"/, 6);
  failsAt(t, 'r = 1', /"=" is not an operator: compare with "=="/, 3);
  failsAt(t, 'r === 1', /"===" is not an operator/, 3);
  failsAt(t, 'r & w', /use "&&"/, 3);
  failsAt(t, '1 < r < 3', /comparisons do not chain/, 7);
  failsAt(t, 'preset == "WAN', /unterminated string/, 11);
  failsAt(t, 'r # 2', /unexpected "#"/, 3);
  failsAt(t, '3x > r', /expected a number, got "3x"/, 1);
  failsAt(t, '', /empty filter/, 1);
  failsAt(t, '   ', /empty filter/, 1);
});

test('unknown names are refused at compile time, with the closest axis', (t) => {
  failsAt(t, 'r + ww > n', /unknown name "ww": did you mean "w"\? \(the axes are "n", "r", "w", "preset", "sloppy"\)/, 5);
  failsAt(t, 'presett == "WAN"', /unknown name "presett": did you mean "preset"\?/, 1);
  failsAt(t, 'q > 1', /unknown name "q"/, 1);
  const e = t.throws(() => compileFilter('x > 1', []), { instanceOf: FilterError });
  t.regex(e!.message, /there are no axes/);
});

test('type mistakes are refused at evaluation, never coerced', (t) => {
  failsAt(t, 'preset + 1 > 2', /"\+" takes numbers, got the string "WAN"/, 8, true);
  failsAt(t, 'preset == 3', /"==" compares values of one type, got the string "WAN" and the number 3/, 8, true);
  failsAt(t, 'not r', /"not" takes true or false/, 1, true);
  failsAt(t, 'r and w', /"and" takes true or false/, 3, true);
  failsAt(t, 'sloppy < 1', /orders two numbers or two strings/, 8, true);
  failsAt(t, 'r % 0 == 1', /remainder by zero/, 3, true);
});

test('no code runs: property access, calls and globals are not part of the language', (t) => {
  t.throws(() => compileFilter('process.exit(1)', NAMES), { instanceOf: FilterError, message: /unknown name "process"|unexpected "\."/ });
  t.throws(() => compileFilter('constructor', NAMES), { instanceOf: FilterError, message: /unknown name "constructor"/ });
  t.throws(() => compileFilter('r[0]', NAMES), { instanceOf: FilterError, message: /unexpected "\["/ });
  // A name that exists on Object.prototype is still unknown at evaluation if it is not an axis.
  t.throws(() => evaluateFilter({ kind: 'name', name: 'toString', column: 1 }, {}), { instanceOf: FilterError });
  t.throws(() => compileFilter('('.repeat(100) + '1' + ')'.repeat(100), NAMES), { instanceOf: FilterError, message: /nested more than/ });
});
