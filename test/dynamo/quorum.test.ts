import assert from 'node:assert/strict';
import test from 'ava';
import fc from 'fast-check';
import { empty, increment, merge, type VClock } from '../../src/dynamo/vclock.js';
import { syntacticReconcile, type Version } from '../../src/dynamo/version.js';
import { GetQuorum, PutQuorum } from '../../src/dynamo/quorum.js';

function version(clock: VClock, id: number): Version {
  return { clock, value: { id, sizeBytes: 10, writtenAtUs: 0, items: null } };
}
const ids = (vs: readonly Version[]): number[] => vs.map((v) => v.value.id);

const c1 = increment(empty(), 0, 1);
const c2 = increment(c1, 0, 2);
const c3a = increment(c2, 1, 3);
const c3b = increment(c2, 2, 3);
const V1 = version(c1, 1);
const V2 = version(c2, 2);
const V3a = version(c3a, 3);
const V3b = version(c3b, 4);

// ---- get ---------------------------------------------------------------------

test('get: R-1 replies are not enough, R are', (t) => {
  for (const [n, r] of [[3, 1], [3, 2], [3, 3], [5, 3]] as const) {
    const nodes = Array.from({ length: n }, (_, i) => 10 + i);
    const q = new GetQuorum({ n, r, nodes });
    for (let i = 0; i < r - 1; i++) {
      q.addReply(nodes[i]!, [V2]);
      t.is(q.state, 'waiting', `n=${n} r=${r} after ${i + 1} replies`);
    }
    q.addReply(nodes[r - 1]!, 'notfound');
    t.is(q.state, 'enough', `n=${n} r=${r}`);
  }
});

test('get: impossible once N - errors < R; errors after success do not matter', (t) => {
  const q = new GetQuorum({ n: 3, r: 2, nodes: [0, 1, 2] });
  q.addError(0);
  t.is(q.state, 'waiting');
  q.addError(1);
  t.is(q.state, 'impossible');
  q.addReply(2, [V1]);
  t.is(q.state, 'impossible', 'one reply cannot reach R = 2');
  t.true(q.allReplied);

  const ok = new GetQuorum({ n: 3, r: 2, nodes: [0, 1, 2] });
  ok.addReply(0, [V1]);
  ok.addReply(1, [V1]);
  ok.addError(2);
  t.is(ok.state, 'enough');

  const few = new GetQuorum({ n: 3, r: 3, nodes: [0, 1] });
  t.is(few.state, 'impossible', 'fewer healthy nodes asked than R');
});

test('get: result, fastest responder, duplicates and strangers', (t) => {
  const q = new GetQuorum({ n: 3, r: 2, nodes: [7, 8, 9] });
  t.is(q.result().fastest, null);
  t.true(q.addReply(8, [V3a]));
  t.false(q.addReply(8, [V1]), 'a duplicate answer is ignored');
  t.false(q.addError(8));
  t.throws(() => q.addReply(3, [V1]), undefined, 'a node that was not asked');
  q.addReply(7, [V3b]);
  const r = q.result();
  t.is(r.fastest, 8);
  t.deepEqual(ids(r.siblings), [3, 4]);
  t.deepEqual(r.context, merge(c3a, c3b));
  t.is(r.replies, 2);
  t.is(r.notfound, 0);
  t.false(q.allReplied);
  t.true(q.hasAnswered(7));
  t.false(q.hasAnswered(9), 'still silent: the driver reports it on timeout');
  t.throws(() => q.hasAnswered(3));
});

test('get: all notfound is an empty result with an empty context', (t) => {
  const q = new GetQuorum({ n: 3, r: 2, nodes: [0, 1, 2] });
  q.addReply(0, 'notfound');
  q.addReply(1, []);
  t.is(q.state, 'enough');
  const r = q.result();
  t.deepEqual(r.siblings, []);
  t.deepEqual(r.context, empty());
  t.is(r.notfound, 2);
  t.deepEqual(q.repairTargets(), []);
});

test('get: repair targets are exactly the stale and missing replicas', (t) => {
  const q = new GetQuorum({ n: 5, r: 2, nodes: [0, 1, 2, 3, 4] });
  q.addReply(0, [V3a, V3b]); // up to date
  q.addReply(1, [V2]); // stale
  q.addReply(2, 'notfound'); // missing
  q.addReply(3, [V3a]); // has one sibling only
  q.addError(4); // unknown: not a read-repair target
  t.deepEqual(ids(q.result().siblings), [3, 4]);
  t.deepEqual(q.repairTargets(), [1, 2, 3]);
  t.true(q.allReplied);

  const fresh = new GetQuorum({ n: 3, r: 2, nodes: [0, 1, 2] });
  fresh.addReply(2, [V3a]);
  fresh.addReply(0, [V3a]);
  t.deepEqual(fresh.repairTargets(), []);
  fresh.addReply(1, [V2]);
  t.deepEqual(fresh.repairTargets(), [1], 'a late stale reply, within the read-repair window');
});

test('get: the result and the repair targets do not depend on reply order', (t) => {
  const pool = [V1, V2, V3a, V3b, version(increment(merge(c3a, c3b), 0, 9), 5)];
  const replyArb = fc.oneof(
    fc.constant<'notfound'>('notfound'),
    fc.subarray(pool, { minLength: 1 }).map((vs) => syntacticReconcile(vs)),
  );
  fc.assert(
    fc.property(fc.array(replyArb, { minLength: 1, maxLength: 5 }), fc.nat(), (replies, rot) => {
      const n = replies.length;
      const nodes = replies.map((_, i) => i);
      const order = nodes.map((_, i) => (i + rot) % n).reverse();
      const a = new GetQuorum({ n, r: 1, nodes });
      const b = new GetQuorum({ n, r: 1, nodes });
      replies.forEach((reply, i) => a.addReply(i, reply));
      for (const i of order) b.addReply(i, replies[i]!);
      const ra = a.result();
      const rb = b.result();
      assert.deepEqual(ids(ra.siblings), ids(rb.siblings));
      assert.deepEqual(ra.context, rb.context);
      assert.deepEqual(a.repairTargets(), b.repairTargets());
      assert.equal(ra.fastest, 0);
      assert.equal(rb.fastest, order[0]);
      // The targets are exactly the replies that lack a reconciled version.
      const all = syntacticReconcile(replies.flatMap((r) => (r === 'notfound' ? [] : r)));
      const stale = nodes.filter((i) => {
        const r = replies[i]!;
        return all.length > 0 && (r === 'notfound' || !all.every((v) => r.includes(v)));
      });
      assert.deepEqual(a.repairTargets(), stale);
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('get: options are validated', (t) => {
  t.throws(() => new GetQuorum({ n: 3, r: 0, nodes: [0, 1, 2] }));
  t.throws(() => new GetQuorum({ n: 3, r: 4, nodes: [0, 1, 2] }));
  t.throws(() => new GetQuorum({ n: 3, r: 2, nodes: [0, 1, 1] }));
  t.throws(() => new GetQuorum({ n: 3, r: 2, nodes: [0, 1, 2, 3] }));
  t.throws(() => new GetQuorum({ n: 3, r: 2, nodes: [] }));
});

// ---- put ---------------------------------------------------------------------

test('put: W-1 acks are not enough, W are (the local write counts)', (t) => {
  for (const [n, w] of [[3, 1], [3, 2], [3, 3]] as const) {
    const q = new PutQuorum({ n, w, durableWrites: 0, nodes: [0, 1, 2] });
    q.addAck(0, { durable: false }); // the coordinator's own write
    for (let i = 1; i < w; i++) {
      t.is(q.state, 'waiting');
      q.addAck(i, { durable: false });
    }
    t.is(q.state, 'enough', `n=${n} w=${w}`);
    t.is(q.acks, w);
  }
});

test('put: impossible once N - errors < W', (t) => {
  const q = new PutQuorum({ n: 3, w: 2, durableWrites: 0, nodes: [0, 1, 2] });
  q.addAck(0, { durable: false });
  q.addError(1);
  t.is(q.state, 'waiting');
  q.addError(2);
  t.is(q.state, 'impossible');
  t.true(q.allReplied);
  t.true(q.hasAnswered(1));
  t.false(q.addAck(2, { durable: true }), 'a late duplicate is ignored');
  t.is(q.state, 'impossible');
});

test('put: a durable write is required when durableWrites > 0', (t) => {
  const q = new PutQuorum({ n: 3, w: 2, durableWrites: 1, nodes: [0, 1, 2] });
  q.addAck(0, { durable: false });
  q.addAck(1, { durable: false });
  t.is(q.acks, 2);
  t.is(q.state, 'waiting', 'W acks, none durable');
  q.addAck(2, { durable: true });
  t.is(q.state, 'enough');
  t.is(q.durableAcks, 1);

  const failed = new PutQuorum({ n: 3, w: 2, durableWrites: 1, nodes: [0, 1, 2] });
  failed.addAck(0, { durable: false });
  failed.addAck(1, { durable: false });
  failed.addError(2);
  t.is(failed.state, 'impossible', 'no node left that could write durably');

  const paper = new PutQuorum({ n: 3, w: 2, durableWrites: 0, nodes: [0, 1, 2] });
  paper.addAck(0, { durable: false });
  paper.addAck(1, { durable: false });
  t.is(paper.state, 'enough', 'durableWrites 0: the paper waits for W acks of any kind');

  t.throws(() => new PutQuorum({ n: 3, w: 2, durableWrites: 4, nodes: [0, 1, 2] }));
  t.throws(() => new PutQuorum({ n: 3, w: 2, durableWrites: -1, nodes: [0, 1, 2] }));
});

test('put: the state is the same for any ack order (property)', (t) => {
  const eventArb = fc.constantFrom<'ack' | 'durable' | 'error'>('ack', 'durable', 'error');
  fc.assert(
    fc.property(
      fc.array(eventArb, { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 0, max: 2 }),
      (events, wRaw, dw) => {
        const n = events.length;
        const w = Math.min(wRaw, n);
        const durableWrites = Math.min(dw, n);
        const nodes = events.map((_, i) => i);
        const q = new PutQuorum({ n, w, durableWrites, nodes });
        events.forEach((e, i) => (e === 'error' ? q.addError(i) : q.addAck(i, { durable: e === 'durable' })));
        const acks = events.filter((e) => e !== 'error').length;
        const durable = events.filter((e) => e === 'durable').length;
        assert.equal(q.state, acks >= w && durable >= durableWrites ? 'enough' : 'impossible');
      },
    ),
  );
  t.pass();
});
