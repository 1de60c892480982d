import test from 'ava';
import { shippedScenarios } from '../../src/cli/paths.js';
import { loadScenario } from '../../src/scenario/index.js';
import { parseEnd, parseEvent, parseHeader } from '../../src/trace/format.js';

test('every shipped scenario survives the trace header (JSON) unchanged, so a trace replays it exactly', (t) => {
  for (const s of shippedScenarios().filter((x) => x.kind === 'scenario')) {
    const r = loadScenario(s.file);
    if (!r.ok) return t.fail(s.name);
    t.deepEqual(JSON.parse(JSON.stringify(r.scenario)), r.scenario, s.name);
  }
});

test('parseHeader tells a trace header from other JSON and from newer formats', (t) => {
  const scenario = { name: 'x', cluster: {}, timeline: [], durationUs: 1 };
  const ok = parseHeader(JSON.stringify({ dynasimTrace: 1, version: '0.1.0', seed: '1', command: null, hosts: ['n0'], scenario }));
  t.true(ok.ok);
  const notJson = parseHeader('name: quickstart');
  t.false(notJson.ok);
  if (!notJson.ok) t.regex(notJson.problem, /not a dynasim trace: the first line is not JSON/);
  const other = parseHeader('{"schemaVersion":1}');
  if (!other.ok) t.regex(other.problem, /no "dynasimTrace" field/);
  const newer = parseHeader(JSON.stringify({ dynasimTrace: 2, version: '9.0.0', seed: '1', hosts: [], scenario }));
  if (!newer.ok) t.regex(newer.problem, /trace format 2 \(written by dynasim 9\.0\.0\) is newer/);
  t.false(newer.ok);
  const noScenario = parseHeader(JSON.stringify({ dynasimTrace: 1, version: '0.1.0', seed: '1', hosts: [] }));
  if (!noScenario.ok) t.regex(noScenario.problem, /corrupted trace header: "scenario"/);
  t.false(noScenario.ok);
});

test('parseEvent and parseEnd', (t) => {
  t.deepEqual(parseEvent('{"kind":"timer","timeUs":5,"host":1,"label":"flush"}'), { kind: 'timer', timeUs: 5, host: 1, label: 'flush' });
  t.is(parseEvent('{"kind":"timer"'), null);
  t.is(parseEvent('[1,2]'), null);
  t.is(parseEvent('{"timeUs":5}'), null);
  t.deepEqual(parseEnd('{"dynasimTraceEnd":true,"events":3,"digest":"ab","simulatedUs":9}'), { dynasimTraceEnd: true, events: 3, digest: 'ab', simulatedUs: 9 });
  t.is(parseEnd('{"kind":"send","timeUs":1}'), null);
});
