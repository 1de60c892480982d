import test from 'ava';
import { diff } from '../../src/experiment/determinism.js';

test('diff names the paths where two summaries differ, with both values', (t) => {
  const a = { digest: 'aa', ops: { get: { count: 10, failures: { timeout: 1 } } }, list: [1, 2, 3] };
  const b = { digest: 'aa', ops: { get: { count: 11, failures: {} } }, list: [1, 2, 4] };
  t.deepEqual(diff(a, b, '', 10), [
    'ops.get.count: 10 here, 11 in the worker',
    'ops.get.failures.timeout: 1 here, undefined in the worker',
    'list.2: 3 here, 4 in the worker',
  ]);
  t.deepEqual(diff(a, a, '', 10), []);
  t.is(diff(a, b, '', 1).length, 1, 'bounded');
});
