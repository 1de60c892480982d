/**
 * Trace files end to end, through the CLI's entry function: `run --trace`
 * writes a complete file (gzip or plain), `replay` says "identical" with the
 * digest, finds an edited event, and answers a truncated, corrupted, foreign
 * or other-version file with a clear message; `inspect` prints one
 * operation's, one key's or one window's messages.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Summary } from '../../src/report/summary.js';
import { cli } from '../cli/run.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'dynasim-trace-'));
const GZ = path.join(tmp, 'q.trace.gz');
const PLAIN = path.join(tmp, 'q.trace.jsonl');
const SHORT = ['--seed', '3', '--duration', '25s', '--set', 'phases.liveness=3s', '--set', 'phases.warmup=2s'];

function file(name: string, content: string | Buffer): string {
  const p = path.join(tmp, name);
  writeFileSync(p, content);
  return p;
}

let summary: Summary;
let plainLines: string[];

test.before(async () => {
  const gz = await cli('run', 'quickstart', ...SHORT, '--trace', GZ, '--out', path.join(tmp, 'report'));
  if (gz.code > 1) throw new Error(`run --trace failed: ${gz.err}`);
  summary = JSON.parse(readFileSync(path.join(tmp, 'report', 'summary.json'), 'utf8')) as Summary;
  const plain = await cli('run', 'quickstart', ...SHORT, '--trace', PLAIN, '--out', path.join(tmp, 'report2'));
  if (plain.code > 1) throw new Error(`run --trace (plain) failed: ${plain.err}`);
  plainLines = readFileSync(PLAIN, 'utf8').split('\n');
});

test('run --trace writes a header with the resolved scenario, seed and version, every event, and an end record', (t) => {
  const header = JSON.parse(plainLines[0]!) as { dynasimTrace: number; version: string; seed: string; hosts: string[]; scenario: { name: string; durationUs: number } };
  t.is(header.dynasimTrace, 1);
  t.is(header.seed, '3');
  t.is(header.version, summary.version);
  t.is(header.scenario.name, 'quickstart');
  t.is(header.scenario.durationUs, 25_000_000, 'the overrides are in the resolved scenario');
  t.deepEqual(header.hosts.slice(0, 5), ['n0', 'n1', 'n2', 'n3', 'n4']);
  t.is(plainLines[plainLines.length - 1], '', 'ends with a newline');
  const end = JSON.parse(plainLines[plainLines.length - 2]!) as { dynasimTraceEnd: boolean; events: number; digest: string };
  t.true(end.dynasimTraceEnd);
  t.is(end.digest, summary.digest);
  t.is(end.events, plainLines.length - 3);
  const kinds = new Set(plainLines.slice(1, -2).map((l) => (JSON.parse(l) as { kind: string }).kind));
  for (const k of ['send', 'deliver', 'drop', 'timer', 'fault', 'host', 'op-start', 'op-end']) t.true(kinds.has(k), `has ${k} events`);
  // Messages of an operation name it and their key.
  t.true(plainLines.some((l) => /^\{"kind":"send",.*"cause":\d+,"key":"k\d+"\}$/.test(l)));
  // The gzip file holds the same text; no temporary file is left behind.
  t.is(gunzipSync(readFileSync(GZ)).toString('utf8'), plainLines.join('\n'));
  t.deepEqual(readdirSync(tmp).filter((f) => f.includes('.tmp-')), []);
});

test('replay of a gzip trace: identical, with the digest', async (t) => {
  const r = await cli('replay', GZ);
  t.is(r.code, 0, r.err);
  t.regex(r.out, /replaying .*: scenario quickstart, seed 3, recorded by dynasim/);
  t.true(r.out.includes(`identical: ${(plainLines.length - 3).toLocaleString('en-US')} events, digest ${summary.digest}`), r.out);
});

test('replay finds the first divergent event: expected and actual, index and simulated time; exit 1', async (t) => {
  const lines = [...plainLines];
  const index = 5000;
  const event = JSON.parse(lines[index]!) as { timeUs: number };
  lines[index] = JSON.stringify({ ...event, timeUs: event.timeUs + 1 });
  const r = await cli('replay', file('edited.jsonl', lines.join('\n')));
  t.is(r.code, 1, r.out + r.err);
  t.true(r.out.includes(`diverged at event ${(index).toLocaleString('en-US')} (line ${index + 1} of the trace)`), r.out);
  t.true(r.out.includes(`expected (recorded): ${lines[index]}`));
  t.true(r.out.includes(`actual (replay):     ${plainLines[index]}`));
  t.regex(r.out, /simulated time \d+\.\d{6}s/);
  t.regex(r.out, /reproduce: dynasim replay /);
});

test('bad input: a truncated gzip trace → exit 2, "truncated"', async (t) => {
  const gz = readFileSync(GZ);
  const r = await cli('replay', file('cut.trace.gz', gz.subarray(0, Math.floor(gz.length / 2))));
  t.is(r.code, 2, r.out);
  t.regex(r.err, /truncated trace/);
  t.false(/\n\s+at /.test(r.err), 'no stack trace');
});

test('bad input: a plain trace cut mid-line or without its end record → exit 2, "truncated"', async (t) => {
  const text = plainLines.join('\n');
  const mid = await cli('replay', file('cut-mid.jsonl', text.slice(0, Math.floor(text.length * 0.7))));
  t.is(mid.code, 2);
  t.regex(mid.err, /truncated trace: line \d+ is cut off/);
  const noEnd = await cli('replay', file('no-end.jsonl', plainLines.slice(0, -2).join('\n') + '\n'));
  t.is(noEnd.code, 2);
  t.regex(noEnd.err, /truncated trace: the file ends after \d+ events without its end record/);
});

test('bad input: corrupted traces (a bad JSON line, damaged gzip data) → exit 2, "corrupted"', async (t) => {
  const lines = [...plainLines];
  lines[100] = '{"kind":"send","timeUs":12,"msg":';
  const bad = await cli('replay', file('bad-line.jsonl', lines.join('\n')));
  t.is(bad.code, 2, bad.out);
  t.regex(bad.err, /corrupted trace: line 101 is not a trace event/);
  // Damage the compressed data of the first gzip member.
  const gz = Buffer.from(gzipSync(plainLines.join('\n')));
  for (let i = 2000; i < 2040; i++) gz[i] = gz[i]! ^ 0x5a;
  const damaged = await cli('replay', file('damaged.trace.gz', gz));
  t.is(damaged.code, 2, damaged.out);
  t.regex(damaged.err, /corrupted trace|truncated trace/);
});

test('bad input: a trace from another dynasim version is reported up front and still replayed', async (t) => {
  const lines = [...plainLines];
  lines[0] = lines[0]!.replace(/"version":"[^"]*"/, '"version":"0.0.1-other"');
  const r = await cli('replay', file('other-version.jsonl', lines.join('\n')));
  t.regex(r.out.split('\n')[0]!, /^note: this trace was recorded by dynasim 0\.0\.1-other; this is dynasim /);
  t.is(r.code, 0);
  t.true(r.out.includes(`identical: `));
  // A newer trace format cannot be read at all.
  lines[0] = lines[0]!.replace('"dynasimTrace":1', '"dynasimTrace":99');
  const newer = await cli('replay', file('newer-format.jsonl', lines.join('\n')));
  t.is(newer.code, 2);
  t.regex(newer.err, /trace format 99 .* is newer than this dynasim reads/);
});

test('bad input: non-trace files (a scenario, binary data, an empty file, a missing file) → exit 2', async (t) => {
  const yaml = await cli('replay', 'scenarios/quickstart.yaml');
  t.is(yaml.code, 2);
  t.regex(yaml.err, /not a dynasim trace: the first line is not JSON/);
  const json = await cli('replay', path.join(tmp, 'report', 'summary.json'));
  t.is(json.code, 2);
  t.regex(json.err, /not a dynasim trace/);
  const binary = await cli('replay', file('binary.bin', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256))));
  t.is(binary.code, 2);
  t.regex(binary.err, /not a dynasim trace/);
  const empty = await cli('replay', file('empty.trace', ''));
  t.is(empty.code, 2);
  t.regex(empty.err, /empty/);
  const missing = await cli('replay', path.join(tmp, 'nope.trace.gz'));
  t.is(missing.code, 2);
  t.regex(missing.err, /no such file/);
  const inspectBad = await cli('inspect', 'scenarios/quickstart.yaml', '--op', '1');
  t.is(inspectBad.code, 2);
  t.regex(inspectBad.err, /not a dynasim trace/);
});

test('inspect --op: the operation message by message, with its drops and timeouts', async (t) => {
  const op = summary.operation!;
  t.truthy(op, 'the report names an operation');
  const r = await cli('inspect', GZ, '--op', String(op.op));
  t.is(r.code, 0, r.err);
  t.regex(r.out, new RegExp(`op ${op.op} starts: ${op.type} ${op.key} `));
  t.regex(r.out, new RegExp(`op ${op.op} ends: ${op.ok ? 'ok' : 'FAILED'}`));
  const sends = op.events.filter((e) => e.kind === 'send').length;
  t.is((r.out.match(/ sent /g) ?? []).length + (r.out.match(/ sent$/gm) ?? []).length, sends, 'every message of the operation');
  t.is((r.out.match(/DROPPED \(/g) ?? []).length, op.events.filter((e) => e.kind === 'drop').length);
  t.is((r.out.match(/<- TIMEOUT/g) ?? []).length, op.events.filter((e) => e.kind === 'timer' && /-timeout$/.test(e.label ?? '')).length);
  const missing = await cli('inspect', GZ, '--op', '99999999');
  t.is(missing.code, 2);
  t.regex(missing.err, /no operation 99999999 in this trace/);
});

test('inspect --key and --from/--to', async (t) => {
  const key = summary.operation!.key;
  const byKey = await cli('inspect', GZ, '--key', key);
  t.is(byKey.code, 0, byKey.err);
  const starts = byKey.out.split('\n').filter((l) => / op \d+ starts: /.test(l));
  t.true(starts.length >= 1);
  t.true(starts.every((l) => l.includes(` ${key} `)), 'only operations on the key');
  const window = await cli('inspect', GZ, '--from', '10s', '--to', '10.002s');
  t.is(window.code, 0, window.err);
  const times = window.out.split('\n').map((l) => /^\s+(\d+\.\d{6})s /.exec(l)?.[1]).filter((x): x is string => x !== undefined).map(Number);
  t.true(times.length > 0);
  t.true(times.every((s) => s >= 10 && s <= 10.002));
  const none = await cli('inspect', GZ);
  t.is(none.code, 2);
  t.regex(none.err, /needs a selection/);
  const cut = readFileSync(GZ);
  const truncated = await cli('inspect', file('cut2.trace.gz', cut.subarray(0, Math.floor(cut.length / 3))), '--from', '0s');
  t.is(truncated.code, 2);
  t.regex(truncated.err, /truncated trace/);
});
