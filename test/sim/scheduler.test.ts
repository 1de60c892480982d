import test from 'ava';
import fc from 'fast-check';
import { InvalidOptionError, SimulationLimitError } from '../../sim/errors.js';
import { Scheduler, type ScheduledEvent } from '../../sim/scheduler.js';
import { Trace } from '../../sim/trace.js';

/** A small deterministic generator for the long properties: rnd(m) is uniform in [0, m). */
function lcg(seed: number): (m: number) => number {
  let x = seed;
  return (m) => {
    x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
    return x % m;
  };
}

/** What the long properties keep: the scheduler, a generator, [time, id] per executed event, the live events by id, counts. */
function longRun(seed: number): { s: Scheduler; rnd: (m: number) => number; ran: Array<[number, number]>; live: Map<number, ScheduledEvent>; nextId: number; cancelled: number } {
  return { s: new Scheduler(), rnd: lcg(seed), ran: [], live: new Map(), nextId: 0, cancelled: 0 };
}

/** `ran` ([time, id] per executed event, ids in scheduling order) is in (time, seq) order, with `live` distinct events. */
function ranInOrderOnce(ran: ReadonlyArray<readonly [number, number]>, live: number): boolean {
  for (let i = 1; i < ran.length; i++) {
    const [ta, ia] = ran[i - 1]!;
    const [tb, ib] = ran[i]!;
    if (ta > tb || (ta === tb && ia > ib)) return false;
  }
  return ran.length === live && new Set(ran.map(([, id]) => id)).size === ran.length;
}

test('events run in time order and ties run in scheduling (FIFO) order', (t) => {
  const s = new Scheduler();
  const log: string[] = [];
  s.at(10, () => log.push('b1'));
  s.at(5, () => log.push('a'));
  s.at(10, () => log.push('b2'));
  s.at(10, () => {
    log.push('b3');
    s.after(0, () => log.push('b4: scheduled at the same instant, runs after its peers'));
  });
  s.at(7, () => log.push('c'));
  t.is(s.runToQuiescence(), 'quiescent');
  t.deepEqual(log, ['a', 'c', 'b1', 'b2', 'b3', 'b4: scheduled at the same instant, runs after its peers']);
  t.is(s.nowUs, 10);
});

test('property: execution order equals a stable sort by time of the scheduling order', (t) => {
  fc.assert(
    fc.property(fc.array(fc.nat(50), { maxLength: 300 }), fc.array(fc.nat(299)), (times, cancels) => {
      const s = new Scheduler();
      const ran: number[] = [];
      const evs = times.map((time, i) => s.at(time, () => ran.push(i)));
      const cancelled = new Set<number>();
      for (const c of cancels) if (c < evs.length) {
        s.cancel(evs[c]!);
        cancelled.add(c);
      }
      s.runToQuiescence();
      const expected = times
        .map((time, i) => ({ time, i }))
        .filter(({ i }) => !cancelled.has(i))
        .sort((a, b) => a.time - b.time || a.i - b.i)
        .map(({ i }) => i);
      return JSON.stringify(ran) === JSON.stringify(expected);
    }),
    { numRuns: 200 },
  );
  t.pass();
});

test('property: a long self-scheduling run (past many bucket-array refreshes) runs every live event once, in (time, seq) order', (t) => {
  // ~20,000 events at mostly distinct instants: bucket 0 drains ~15,000 times, so the bucket arrays are
  // replaced several times (every 4,096 drains) with events queued in every bucket, some cancelled.
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 1, max: 300 }), (seed, start) => {
      const run = longRun(seed);
      const { s, rnd, ran, live } = run;
      const schedule = (): void => {
        const id = run.nextId++;
        const delay = rnd(4) === 0 ? rnd(3) : rnd(5_000);
        live.set(
          id,
          s.after(delay, () => {
            ran.push([s.nowUs, id]);
            live.delete(id);
            if (run.nextId < 20_000) {
              schedule();
              if (rnd(8) === 0) schedule();
            }
            if (rnd(16) === 0) {
              const victim = (id * 7919) % run.nextId;
              const ev = live.get(victim);
              if (ev !== undefined && s.cancel(ev)) {
                live.delete(victim);
                run.cancelled++;
              }
            }
          }),
        );
      };
      for (let i = 0; i < start; i++) schedule();
      s.runToQuiescence();
      return ranInOrderOnce(ran, run.nextId - run.cancelled) && live.size === 0;
    }),
    { numRuns: 15 },
  );
  t.pass();
});

test('property: runs in slices, a mass cancellation and events earlier than the last look-ahead keep (time, seq) order across bucket-array refreshes', (t) => {
  // 12,000 events up front, two thirds cancelled (compact() runs), then runUntil slices: each stops after
  // looking ahead, and events scheduled between slices for the next 0-2 µs often precede the instant it
  // looked at (rebase() runs, ~15 times per run); ~30,000 events in all, past four refreshes.
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 ** 30 }), (seed) => {
      const run = longRun(seed);
      const { s, rnd, ran, live } = run;
      const schedule = (at: number): void => {
        const id = run.nextId++;
        live.set(
          id,
          s.at(at, () => {
            ran.push([s.nowUs, id]);
            live.delete(id);
            if (run.nextId < 30_000 && rnd(2) === 0) schedule(s.nowUs + rnd(3_000));
          }),
        );
      };
      for (let i = 0; i < 12_000; i++) schedule(rnd(200_000));
      for (let id = 0; id < 12_000; id++) {
        if (rnd(3) === 0) continue;
        if (!s.cancel(live.get(id)!)) return false;
        live.delete(id);
        run.cancelled++;
      }
      while (live.size > 0) {
        s.runUntil(s.nowUs + rnd(5_000));
        for (let k = rnd(4); k > 0 && run.nextId < 30_000; k--) schedule(s.nowUs + rnd(3));
      }
      return ranInOrderOnce(ran, run.nextId - run.cancelled) && s.pending === 0;
    }),
    { numRuns: 10 },
  );
  t.pass();
});

test('an event scheduled after a stopped run, earlier than the next pending one, runs first', (t) => {
  const s = new Scheduler();
  const log: number[] = [];
  s.at(150, () => log.push(150));
  s.runUntil(100);
  s.at(120, () => log.push(120));
  s.at(150, () => log.push(151));
  s.runUntil(200);
  t.deepEqual(log, [120, 150, 151]);
});

test('property: interleaving runUntil with scheduling keeps (time, seq) order', (t) => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(40), fc.nat(20)), { maxLength: 200 }), (steps) => {
      const s = new Scheduler();
      const ran: Array<[number, number]> = [];
      let seq = 0;
      for (const [delay, advance] of steps) {
        const at = s.nowUs + delay;
        const id = seq++;
        s.at(at, () => ran.push([at, id]));
        s.runUntil(s.nowUs + advance);
      }
      s.runToQuiescence();
      for (let i = 1; i < ran.length; i++) {
        const [ta, ia] = ran[i - 1]!;
        const [tb, ib] = ran[i]!;
        if (ta > tb || (ta === tb && ia > ib)) return false;
      }
      return ran.length === steps.length;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('cancel removes a pending event; cancelling twice or after running is a no-op', (t) => {
  const s = new Scheduler();
  let ran = 0;
  const e1 = s.after(5, () => ran++);
  const e2 = s.after(6, () => ran++);
  t.is(s.pending, 2);
  t.true(s.cancel(e1));
  t.false(s.cancel(e1));
  t.is(s.pending, 1);
  s.runToQuiescence();
  t.is(ran, 1);
  t.false(s.cancel(e2));
});

test('mass cancellation compacts and keeps order', (t) => {
  const s = new Scheduler();
  const ran: number[] = [];
  const evs = [];
  for (let i = 0; i < 20_000; i++) evs.push(s.at(i % 97, () => ran.push(i)));
  for (let i = 0; i < 20_000; i++) if (i % 10 !== 0) s.cancel(evs[i]!);
  t.is(s.pending, 2_000);
  s.runToQuiescence();
  t.is(ran.length, 2_000);
  for (let i = 1; i < ran.length; i++) {
    const a = ran[i - 1]!;
    const b = ran[i]!;
    t.true(a % 97 < b % 97 || (a % 97 === b % 97 && a < b));
  }
});

test('mass cancellation from inside a running event keeps the loop consistent', (t) => {
  const s = new Scheduler();
  const ran: number[] = [];
  const evs: ReturnType<Scheduler["at"]>[] = [];
  for (let i = 0; i < 20_000; i++) evs.push(s.at(10 + (i % 7), () => ran.push(i)));
  s.at(5, () => {
    for (let i = 0; i < 20_000; i++) if (i % 100 !== 0) s.cancel(evs[i]!);
  });
  s.at(10, () => ran.push(-1)); // same instant as survivors, scheduled later: runs after them
  s.runToQuiescence();
  const expected = Array.from({ length: 20_000 }, (_, i) => i)
    .filter((i) => i % 100 === 0)
    .map((i) => ({ i, time: 10 + (i % 7) }))
    .sort((a, b) => a.time - b.time || a.i - b.i)
    .map(({ i }) => i);
  const at10 = expected.filter((i) => i % 7 === 0);
  t.deepEqual(ran, [...at10, -1, ...expected.slice(at10.length)]);
  t.is(s.pending, 0);
});

test('times beyond 2^32 microseconds (71 minutes) order correctly', (t) => {
  const s = new Scheduler();
  const log: number[] = [];
  const base = 2 ** 32 - 5;
  for (const d of [9, 3, 7, 3, 1_000_000_000, 2 ** 33]) s.at(base + d, () => log.push(d));
  s.runToQuiescence();
  t.deepEqual(log, [3, 3, 7, 9, 1_000_000_000, 2 ** 33]);
  s.after(5, () => log.push(-5));
  s.runToQuiescence();
  t.is(log.at(-1), -5);
  t.is(s.nowUs, base + 2 ** 33 + 5);
});

test('run until a time stops there and advances the clock; a budget stops after N events', (t) => {
  const s = new Scheduler();
  const log: number[] = [];
  for (const time of [1, 2, 3, 10, 20]) s.at(time, () => log.push(time));
  t.is(s.runUntil(3), 'until');
  t.deepEqual(log, [1, 2, 3]);
  t.is(s.nowUs, 3);
  t.is(s.runUntil(15), 'until');
  t.is(s.nowUs, 15);
  t.deepEqual(log, [1, 2, 3, 10]);
  t.is(s.run({ maxEvents: 0 }), 'budget');
  s.at(30, () => log.push(30));
  t.is(s.run({ maxEvents: 1 }), 'budget');
  t.deepEqual(log, [1, 2, 3, 10, 20]);
  t.is(s.runToQuiescence(), 'quiescent');
  t.is(s.nowUs, 30);
  t.is(s.runUntil(100), 'until');
  t.is(s.nowUs, 100);
});

test('stop() from inside an event returns after it', (t) => {
  const s = new Scheduler();
  let n = 0;
  const tick = () => {
    n++;
    if (n === 5) s.stop();
    s.after(1, tick);
  };
  s.after(0, tick);
  t.is(s.runToQuiescence(), 'stopped');
  t.is(n, 5);
});

test('hard caps fail loudly with the seed', (t) => {
  const s = new Scheduler({ seed: '1234', maxEvents: 100 });
  const loop = () => s.after(1, loop);
  s.after(0, loop);
  const err = t.throws(() => s.runToQuiescence(), { instanceOf: SimulationLimitError });
  t.regex(err!.message, /seed 1234/);
  const s2 = new Scheduler({ seed: '77', maxTimeUs: 1_000 });
  const loop2 = () => s2.after(300, loop2);
  s2.after(0, loop2);
  t.throws(() => s2.runToQuiescence(), { instanceOf: SimulationLimitError, message: /maxTimeUs.*seed 77/ });
});

test('bad arguments are typed errors', (t) => {
  const s = new Scheduler();
  s.runUntil(10);
  t.throws(() => s.at(5, () => {}), { instanceOf: InvalidOptionError });
  t.throws(() => s.after(-1, () => {}), { instanceOf: InvalidOptionError });
  t.throws(() => s.after(1.5, () => {}), { instanceOf: InvalidOptionError });
  t.throws(() => new Scheduler({ maxEvents: 0 }), { instanceOf: InvalidOptionError });
});

test('the digest folds executed events: same schedule, same digest; a different schedule differs', (t) => {
  const digestOf = (times: number[]) => {
    const trace = new Trace();
    const s = new Scheduler({ trace });
    for (const time of times) s.at(time, () => {});
    s.runToQuiescence();
    return trace.digest.hex();
  };
  t.is(digestOf([1, 5, 9]), digestOf([9, 5, 1]));
  t.not(digestOf([1, 5, 9]), digestOf([1, 5, 10]));
  t.not(digestOf([1, 5, 9]), digestOf([1, 5, 9, 9]));
  t.regex(digestOf([1]), /^[0-9a-f]{16}$/);
});

test('an executed event lets go of its argument (bucket slots keep old events until overwritten)', (t) => {
  const s = new Scheduler();
  const seen: unknown[] = [];
  const payload = { big: new Array(100).fill(1) };
  const ev = s.after(5, (a: unknown) => seen.push(a), payload);
  s.runToQuiescence();
  t.deepEqual(seen, [payload]);
  t.is(ev.arg, undefined);
  t.true(ev.cancelled, 'ran: a later cancel is a no-op');
  t.false(s.cancel(ev));
});
