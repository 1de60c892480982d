import test from 'ava';
import fc from 'fast-check';
import { OpTable, type PendingOp } from '../../src/dynamo/coordinator.js';
import { IdTable } from '../../src/dynamo/idTable.js';

/** An op that counts the replies it hears. */
function op(): PendingOp & { heard: number } {
  return {
    heard: 0,
    onReply() {
      this.heard++;
    },
  };
}

test('op table: ids increase from 1; replies reach the live op with that id only', (t) => {
  const table = new OpTable();
  const a = op();
  const b = op();
  const ia = table.register(a);
  const ib = table.register(b);
  t.deepEqual([ia, ib], [1, 2]);
  table.dispatch(0, 'rget-reply', { op: ib });
  t.deepEqual([a.heard, b.heard], [0, 1]);
  table.unregister(ib);
  table.dispatch(0, 'rget-reply', { op: ib }); // late: finds none
  table.dispatch(0, 'rget-reply', { op: 0 }); // background writes carry 0
  table.dispatch(0, 'rget-reply', { op: 999 }); // never issued
  t.deepEqual([a.heard, b.heard], [0, 1]);
  t.is(table.size, 1);
});

test('op table: a slot reused by a later id never hands it an earlier id\'s late reply', (t) => {
  const table = new OpTable();
  const ids: number[] = [];
  for (let i = 0; i < 64; i++) {
    const id = table.register(op());
    ids.push(id);
    table.unregister(id);
  }
  const late = op();
  const id = table.register(late); // id 65: the slot of id 1 in a 64-slot table
  table.dispatch(0, 'x', { op: ids[0] });
  t.is(late.heard, 0);
  table.dispatch(0, 'x', { op: id });
  t.is(late.heard, 1);
});

test('op table: behaves as a map from id to op under any interleaving (and grows past long-lived ops)', (t) => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom('register', 'unregister', 'dispatch'), fc.nat(10_000)), { maxLength: 600 }), (steps) => {
      const table = new OpTable();
      const model = new Map<number, PendingOp & { heard: number }>();
      const issued: number[] = [];
      for (const [kind, pick] of steps) {
        if (kind === 'register') {
          const o = op();
          const id = table.register(o);
          if (model.has(id) || (issued.length > 0 && id !== issued[issued.length - 1]! + 1)) return false;
          model.set(id, o);
          issued.push(id);
        } else if (issued.length > 0) {
          const id = issued[pick % issued.length]!;
          if (kind === 'unregister') {
            table.unregister(id);
            model.delete(id);
          } else {
            const before = [...model.values()].map((o) => o.heard);
            table.dispatch(0, 'x', { op: id });
            const target = model.get(id);
            const after = [...model.values()].map((o) => o.heard);
            const expected = [...model.keys()].map((k, i) => before[i]! + (k === id && target !== undefined ? 1 : 0));
            if (JSON.stringify(after) !== JSON.stringify(expected)) return false;
          }
        }
        if (table.size !== model.size) return false;
      }
      return true;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('id table: set, get and delete behave as a map under any interleaving of increasing ids', (t) => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(1_000), fc.nat(3)), { maxLength: 800 }), (steps) => {
      const table = new IdTable<number>();
      const model = new Map<number, number>();
      let next = 1;
      for (const [add, pick, gap] of steps) {
        if (add) {
          next += gap; // callers may skip ids (a put refused before it was tracked)
          table.set(next, next * 10);
          model.set(next, next * 10);
          next++;
        } else {
          const id = pick % (next + 2);
          if (table.delete(id) !== model.delete(id)) return false;
        }
        if (table.size !== model.size) return false;
        for (let id = 0; id < next + 2; id++) if (table.get(id) !== model.get(id)) return false;
      }
      return true;
    }),
    { numRuns: 200 },
  );
  t.throws(() => {
    const table = new IdTable<number>();
    table.set(3, 1);
    table.set(3, 2);
  }, { message: /already live/ });
});
