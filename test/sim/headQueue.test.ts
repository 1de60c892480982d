import test from 'ava';
import fc from 'fast-check';
import { HeadQueue } from '../../sim/headQueue.js';

test('head queue: behaves as an array used as a FIFO under any mix of pushes, shifts and puts back at the front (past its compaction points)', (t) => {
  // -1 shifts; -2 shifts and puts the item back (into the head's slot); -3 puts a new item at the front
  // (with the head at 0, by moving the rest); -4 shifts up to three and puts them back at once; -5 puts
  // two new items at the front at once (all through unshiftAll).
  const op = fc.oneof({ arbitrary: fc.constant(-1), weight: 8 }, { arbitrary: fc.constantFrom(-2, -3, -4, -5), weight: 1 }, { arbitrary: fc.nat(1_000_000), weight: 12 });
  fc.assert(
    // Three pushes to two shifts over 3,000+ operations: the head passes 1,024 with items still queued,
    // so the splice that drops the consumed prefix runs (an even mix hovers near empty and never gets there).
    fc.property(fc.array(op, { minLength: 3_000, maxLength: 5_000 }), (ops) => {
      const q = new HeadQueue<number>();
      const model: number[] = [];
      let fresh = -10;
      for (const op of ops) {
        if (op === -1) {
          if (q.shift() !== model.shift()) return false;
        } else if (op === -2) {
          const x = q.shift();
          if (x !== model.shift()) return false;
          if (x !== undefined) {
            q.unshiftAll([x]);
            model.unshift(x);
          }
        } else if (op === -3) {
          q.unshiftAll([fresh]);
          model.unshift(fresh--);
        } else if (op === -4) {
          const taken: number[] = [];
          for (let i = 0; i < 3 && q.size > 0; i++) taken.push(q.shift()!);
          if (taken.join() !== model.splice(0, taken.length).join()) return false;
          q.unshiftAll(taken);
          model.unshift(...taken);
        } else if (op === -5) {
          const front = [fresh--, fresh--];
          q.unshiftAll(front);
          model.unshift(...front);
        } else {
          q.push(op);
          model.push(op);
        }
        if (q.size !== model.length || q.peek() !== model[0] || q.last() !== model[model.length - 1]) return false;
      }
      const rest: number[] = [];
      for (let x = q.shift(); x !== undefined; x = q.shift()) rest.push(x);
      if (rest.join() !== model.join()) return false;
      q.push(1);
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
