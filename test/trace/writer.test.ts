import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { checkScenario } from '../../src/scenario/index.js';
import { encodeEvent, parseHeader } from '../../src/trace/format.js';
import { TEMP_PREFIX } from '../../src/report/atomic.js';
import { TraceFileWriter } from '../../src/trace/writer.js';

/** This test's temporary files in the shared folder (the writer names them with the project's prefix). */
const temps = (dir: string, name: string) => readdirSync(dir).filter((f) => f.startsWith(TEMP_PREFIX) && f.endsWith(name));

const tmp = mkdtempSync(path.join(os.tmpdir(), 'dynasim-writer-'));
const loaded = checkScenario({ name: 'w', duration: '1s', cluster: { nodes: 3, quorum: { n: 3, r: 2, w: 2 } } });
if (!loaded.ok) throw new Error('fixture');
const scenario = loaded.scenario;

function event(i: number) {
  return { kind: 'send', timeUs: i * 10, msg: i, src: i % 3, dst: (i + 1) % 3, type: 'rput', sizeBytes: 100, cause: 7, key: `k${i}` };
}

test('the writer streams: full chunks go to disk during the run, under a temporary name until close', (t) => {
  const file = path.join(tmp, 'a.trace.gz');
  const w = new TraceFileWriter(file, { version: '9.9.9', seed: '5', command: 'dynasim run w', scenario }, { chunkBytes: 4096 });
  w.setHosts(['n0', 'n1', 'n2']);
  const sizes: number[] = [];
  for (let i = 0; i < 5000; i++) {
    w.write(event(i));
    if (i % 1000 === 999) sizes.push(w.bytesWritten);
  }
  t.true(sizes[0]! > 0, 'written before the end');
  t.true(sizes.every((s, i) => i === 0 || s > sizes[i - 1]!), 'and growing');
  t.false(existsSync(file), 'not in place before close');
  t.is(temps(tmp, 'a.trace.gz').length, 1, 'under a temporary name');
  t.throws(() => w.setHosts(['x']), { message: /header is already written/ });
  w.close({ digest: '0123456789abcdef', simulatedUs: 50_000 });
  t.deepEqual(temps(tmp, 'a.trace.gz'), []);
  const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
  const header = parseHeader(lines[0]!);
  t.true(header.ok);
  if (header.ok) {
    t.deepEqual(header.header.hosts, ['n0', 'n1', 'n2']);
    t.is(header.header.seed, '5');
    t.is(header.header.version, '9.9.9');
  }
  t.is(lines.length, 5003);
  t.is(lines[1], encodeEvent(event(0)));
  t.is(lines[5000], JSON.stringify(event(4999)), 'the encoder writes what JSON.stringify would');
  t.deepEqual(JSON.parse(lines[5001]!), { dynasimTraceEnd: true, events: 5000, digest: '0123456789abcdef', simulatedUs: 50_000 });
});

test('abort removes the temporary file and leaves no trace file', (t) => {
  const file = path.join(tmp, 'b.trace');
  const w = new TraceFileWriter(file, { version: '1', seed: '1', command: null, scenario }, { chunkBytes: 100 });
  for (let i = 0; i < 100; i++) w.write(event(i));
  t.is(temps(tmp, 'b.trace').length, 1);
  w.abort();
  t.false(existsSync(file));
  t.deepEqual(temps(tmp, 'b.trace'), []);
});

test('the encoder matches JSON.stringify on awkward values', (t) => {
  const e = { kind: 'x"y', timeUs: 0, a: 'line\nbreak', b: -0.5, c: null, d: true, e: false, f: 1e21, g: 'ünïcödé' };
  t.is(encodeEvent(e), JSON.stringify(e));
  t.is(encodeEvent({ kind: 'n', timeUs: 1, bad: Number.NaN }), '{"kind":"n","timeUs":1,"bad":null}');
});

test('a directory that does not exist is an error at open', (t) => {
  t.throws(() => new TraceFileWriter(path.join(tmp, 'no', 'such', 'dir', 'x.trace'), { version: '1', seed: '1', command: null, scenario }), { code: 'ENOENT' });
});
