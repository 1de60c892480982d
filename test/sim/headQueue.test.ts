import test from 'ava';
import fc from 'fast-check';
import { HeadQueue } from '../../sim/headQueue.js';

test('head queue: behaves as an array used as a FIFO under any mix of pushes and shifts (past its compaction points)', (t) => {
  fc.assert(
    // Three pushes to two shifts over 3,000+ operations: the head passes 1,024 with items still queued,
    // so the splice that drops the consumed prefix runs (an even mix hovers near empty and never gets there).
    fc.property(fc.array(fc.oneof({ arbitrary: fc.constant(-1), weight: 2 }, { arbitrary: fc.nat(1_000_000), weight: 3 }), { minLength: 3_000, maxLength: 5_000 }), (ops) => {
      const q = new HeadQueue<number>();
      const model: number[] = [];
      for (const op of ops) {
        if (op < 0) {
          if (q.shift() !== model.shift()) return false;
        } else {
          q.push(op);
          model.push(op);
        }
        if (q.size !== model.length || q.peek() !== model[0] || q.last() !== model[model.length - 1]) return false;
      }
      q.clear();
      return q.size === 0 && q.peek() === undefined && q.shift() === undefined;
    }),
    { numRuns: 50 },
  );
  // Long runs cross the 1,024-item compaction with items still queued.
  const q = new HeadQueue<number>();
  for (let i = 0; i < 5_000; i++) q.push(i);
  for (let i = 0; i < 4_000; i++) t.is(q.shift(), i);
  t.is(q.size, 1_000);
  t.is(q.peek(), 4_000);
  t.is(q.last(), 4_999);
});
