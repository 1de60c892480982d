/**
 * The trace's digest folds and its tap (sim/trace.ts): record string values
 * are folded by content and never interned; the cause tap hears exactly the
 * hot-path events that have a cause.
 */
import test from 'ava';
import { TAP_DELIVER, TAP_SEND, Trace, type CauseTap } from '../../sim/trace.js';

test('record folds string values by content: equal strings fold equally, different ones differently, and none is interned', (t) => {
  const a = new Trace();
  const b = new Trace();
  const c = new Trace();
  for (let i = 0; i < 5_000; i++) {
    a.record('op-end', i, { versions: `${i},${i + 1}` });
    b.record('op-end', i, { versions: `${i},${i + 1}` });
    c.record('op-end', i, { versions: i === 4_321 ? '4321,4323' : `${i},${i + 1}` });
  }
  t.is(a.digest.hex(), b.digest.hex());
  t.not(a.digest.hex(), c.digest.hex());
  // Interned so far: the kind and the field name only; the next new string gets code 3.
  t.is(a.code('a string never seen'), 3);
});

test('the cause tap hears sends, deliveries, drops and timers of work with a cause, as codes', (t) => {
  const trace = new Trace();
  const heard: string[] = [];
  const tap: CauseTap = {
    message: (kind, timeUs, msgId, src, dst, typeCode, reasonCode, cause) =>
      heard.push(`${kind === TAP_SEND ? 'send' : kind === TAP_DELIVER ? 'deliver' : 'drop'} ${timeUs} ${msgId} ${src}->${dst} ${trace.codeName(typeCode)} ${trace.codeName(reasonCode)} cause ${cause}`.trim()),
    timer: (timeUs, host, labelCode, cause) => heard.push(`timer ${timeUs} ${host} ${trace.codeName(labelCode)} cause ${cause}`),
  };
  trace.tap = tap;
  trace.send(1, 10, 0, 1, 'get', 100); // cause 0: not heard
  trace.cause = 7;
  trace.send(2, 11, 0, 1, 'get', 100);
  trace.cause = 0;
  trace.deliver(3, 11, 0, 1, 'get', 7);
  trace.drop(4, 12, 1, 0, 'get-reply', 'partition', 7);
  trace.timer(5, 0, 'client-timeout', 7);
  trace.timer(6, 0, 'gossip', 0);
  t.deepEqual(heard, [
    'send 2 11 0->1 get  cause 7',
    'deliver 3 11 0->1 get  cause 7',
    'drop 4 12 1->0 get-reply partition cause 7',
    'timer 5 0 client-timeout cause 7',
  ]);
  t.is(trace.codeName(0), '');
});
