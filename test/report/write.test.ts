import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Summary } from '../../src/report/summary.js';
import { renderSummaryJson, writeReport } from '../../src/report/write.js';
import { fixtureSummary } from './fixture.js';

const REPORT_FILES = ['report.html', 'summary.json', 'summary.md'];

function tempDir(t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'dynasim-write-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Every file under dir with its content, to compare a directory before and after. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      out[path.slice(dir.length)] = readFileSync(path, 'utf8');
    }
  }
  return out;
}

test('writes the three files into a new nested directory and leaves no temporary file', (t) => {
  const dir = join(tempDir(t), 'reports', 'crash-and-partition', '20261125');
  const written = writeReport(dir, fixtureSummary());
  t.deepEqual(readdirSync(dir).sort(), REPORT_FILES);
  t.deepEqual(written, { html: join(dir, 'report.html'), markdown: join(dir, 'summary.md'), json: join(dir, 'summary.json') });
  t.true(readFileSync(written.html!, 'utf8').startsWith('<!doctype html>'));
  t.true(readFileSync(written.markdown, 'utf8').startsWith('# dynasim: crash-and-partition'));
});

test('summary.json round-trips, in the field order the summary was built in, with a final newline', (t) => {
  const dir = tempDir(t);
  const summary = fixtureSummary();
  writeReport(dir, summary);
  const text = readFileSync(join(dir, 'summary.json'), 'utf8');
  t.is(text, renderSummaryJson(summary));
  t.is(text, JSON.stringify(summary, null, 2) + '\n');
  const parsed = JSON.parse(text) as Summary;
  t.deepEqual(parsed, summary);
  t.deepEqual(Object.keys(parsed), Object.keys(summary));
  t.deepEqual(Object.keys(parsed.ops.get.latencyMs), ['p50', 'p90', 'p99', 'p999', 'p9999', 'max', 'mean']);
});

test('rewriting a report replaces every file', (t) => {
  const dir = tempDir(t);
  writeReport(dir, fixtureSummary());
  const second = { ...fixtureSummary(), seed: '7' };
  writeReport(dir, second);
  t.deepEqual(readdirSync(dir).sort(), REPORT_FILES);
  t.is((JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary).seed, '7');
  t.true(readFileSync(join(dir, 'summary.md'), 'utf8').startsWith('# dynasim: crash-and-partition, seed 7'));
});

test('a render that throws writes nothing: an existing report and the directory stay as they were', (t) => {
  const dir = tempDir(t);
  writeReport(dir, fixtureSummary());
  writeFileSync(join(dir, 'notes.txt'), 'keep me\n');
  const before = snapshot(dir);
  const broken = { ...fixtureSummary(), checks: null } as unknown as Summary;
  t.throws(() => writeReport(dir, broken), { instanceOf: TypeError });
  t.deepEqual(snapshot(dir), before);
});

test('a render that throws does not even create the directory', (t) => {
  const dir = join(tempDir(t), 'never');
  const broken = { ...fixtureSummary(), nodes: undefined } as unknown as Summary;
  t.throws(() => writeReport(dir, broken));
  t.throws(() => readdirSync(dir), { code: 'ENOENT' });
});

test('a failure while moving files into place cleans up its temporary files', (t) => {
  const dir = tempDir(t);
  // summary.json is renamed last; a non-empty directory in its place makes that rename fail.
  mkdirSync(join(dir, 'summary.json', 'blocker'), { recursive: true });
  t.throws(() => writeReport(dir, fixtureSummary()));
  t.deepEqual(readdirSync(dir).filter((f) => f.startsWith('.dynasim-tmp-')), []);
  t.deepEqual(readdirSync(join(dir, 'summary.json')), ['blocker']);
});

test('html: false writes only summary.json and summary.md', (t) => {
  const dir = tempDir(t);
  const written = writeReport(dir, fixtureSummary(), { html: false });
  t.is(written.html, null);
  t.deepEqual(readdirSync(dir).sort(), ['summary.json', 'summary.md']);
});
