import test from 'ava';
import { readFileSync } from 'node:fs';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { Summary } from '../../src/report/summary.js';
import { FIXTURE_PATH, emptySummary, fixtureSummary, operationSummary } from './fixture.js';

const summary = fixtureSummary();
const md = renderMarkdown(summary);
const lines = md.split('\n');
const lineWith = (...parts: string[]) => lines.find((l) => parts.every((p) => l.includes(p)));

test('the header names scenario, seed, version, digest, events and times', (t) => {
  t.is(lines[0], '# dynasim: crash-and-partition, seed 20261125');
  for (const fact of ['dynasim 0.1.0', '`9f3c2a71b04e8d56`', '48,213,907', '10m (warm-up 30s', '41.3s (1,167,747 events/s)']) {
    t.true(md.includes(fact), fact);
  }
});

test('the checks come first, each with PASS or FAIL and its detail', (t) => {
  t.true(md.indexOf('## Checks: 3 passed, 2 failed') < md.indexOf('## Operations'));
  for (const check of summary.checks) {
    const line = lineWith(check.name);
    t.truthy(line, check.name);
    t.true(line!.includes(check.pass ? '| PASS' : '| **FAIL**'), line);
    t.true(line!.includes(check.detail), line);
  }
});

test('the latency table shows every percentile of get and put, p99.9 included', (t) => {
  const header = lineWith('| op', 'p99.9', 'p99.99');
  t.truthy(header);
  t.regex(header!, /p50 \|.*p90 \|.*p99 \|.*p99\.9 \|.*p99\.99 \|.*max \|.*mean \|/);
  t.truthy(lineWith('| get', '1.184ms', '3.702ms', '9.815ms', '187.4ms', '412.1ms', '1.204s', '2.137ms'));
  t.truthy(lineWith('| put', '1.732ms', '5.218ms', '14.36ms', '243.9ms', '611.3ms', '1.89s', '3.004ms'));
  t.truthy(lineWith('| get', '239,724', '237,302', '2,422', 'timeout 1,695, too-few-replicas 727'));
});

test('availability per fault, with the time to recover (or never)', (t) => {
  t.true(md.includes('98.99% of 299,670 requests succeeded within the 300ms SLA'));
  t.truthy(lineWith('| crash n3', '2m', '4m', '98.80%', '99.98%', '2m11.5s'));
  // The "|" inside a partition's name is escaped, so the table keeps its columns.
  t.truthy(lineWith('| partition n0,n1 \\| n2,n3,n4,n5,n6,n7', '95.01%', 'never'));
});

test('staleness: stale reads, k-staleness, t-visibility and the Δ for 99.9%', (t) => {
  t.true(md.includes('- stale reads: 1,893 of 236,102 checked (0.80%)'));
  t.true(md.includes('- read-your-writes violations: 3 of 58,120 checked'));
  t.true(md.includes('- t-visibility reaches 99.9% at: Δ = 50ms'));
  t.truthy(lineWith('|   3 |', '99.9996%'));
  t.truthy(lineWith('50ms', '426', '99.88%'));
});

test('the versions histogram keeps enough decimals for 99.94%-style shares', (t) => {
  t.truthy(lineWith('|        1 |', '239,856', '99.94%'));
  t.truthy(lineWith('|        2 |', '120', '0.050%'));
  t.truthy(lineWith('|        4 |', '0.0017%'));
});

test('durability lists the lost writes with their causes; convergence lists what is pending', (t) => {
  t.true(md.includes('59,352 acknowledged writes, 2 lost (0.0034%)'));
  for (const lost of summary.durability.lost) t.truthy(lineWith(`\`${lost.key}\``, String(lost.writeId), lost.cause));
  t.truthy(lineWith('`cart:01842`', '1m59.9s'), 'an instant just before 2m does not round up to "2m"');
  t.true(md.includes('Did not converge: 2 items still pending.'));
  for (const item of summary.convergence.pending) t.true(lines.includes(`- ${item}`));
});

test('a bounded lost list says that it is the first of more', (t) => {
  const s: Summary = { ...summary, durability: { ...summary.durability, lostWrites: 40 } };
  t.true(renderMarkdown(s).includes('The first 2 lost writes:'));
  t.false(md.includes('The first'));
});

test('per-node and system tables', (t) => {
  t.truthy(lineWith('| n3', 'us-east', 'up', '29,567', '85,709'));
  t.truthy(lineWith('| peak hint backlog', '1,800 hints at 4m'));
  t.truthy(lineWith('| anti-entropy', '312 exchanges, 58 keys repaired'));
});

test('fits a terminal: no line longer than 110 characters', (t) => {
  const long = lines.filter((l) => l.length > 110);
  t.deepEqual(long, []);
});

test('every table row has as many columns as its header', (t) => {
  const columns = (line: string) => line.replace(/\\\|/g, '').split('|').length;
  let header: number | undefined;
  for (const line of lines) {
    if (!line.startsWith('|')) {
      header = undefined;
      continue;
    }
    header ??= columns(line);
    t.is(columns(line), header, line);
  }
});

test('deterministic: the same summary renders the same bytes, from the builder or from the JSON fixture', (t) => {
  t.is(renderMarkdown(fixtureSummary()), md);
  const fromJson = JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as Summary;
  t.is(renderMarkdown(fromJson), md);
  t.true(md.endsWith('\n') && !md.endsWith('\n\n'));
});

test('an empty run renders without data and says so', (t) => {
  const empty = renderMarkdown(emptySummary());
  t.true(empty.includes('No checks ran.'));
  t.true(empty.includes('No requests (SLA 300ms).'));
  t.true(empty.includes('No successful gets.'));
  t.true(empty.includes('No liveness phase ran.'));
  t.truthy(empty.split('\n').find((l) => /^\| get(\s+\|\s+-){7}\s+\|$/.test(l)), 'no latency without successful gets');
  t.false(empty.includes('NaN'));
});

test('the captured operation: its outcome and its messages, drops, timers and faults, times from its start', (t) => {
  const text = renderMarkdown(operationSummary());
  const rows = text.split('\n');
  const at = rows.indexOf('## Operation: the slowest failed');
  t.true(at > 0);
  t.true(rows[at + 2]!.startsWith('default put of `k1126` (op 5734) at'), rows[at + 2]);
  t.true(rows[at + 2]!.includes('failed (timeout) after 400ms'));
  const section = rows.slice(at, rows.indexOf('## Availability')).join('\n');
  t.regex(section, /\|\s+\+0ms \| default -> lb-dc0\s+\| put\s+\|/);
  t.regex(section, /\| n3 -> n2\s+\| rput dropped: loss\s+\|/);
  t.regex(section, /\| n3\s+\| fault crash\s+\|/);
  t.regex(section, /\|\s+\+400ms \| default\s+\| timer client-timeout\s+\|/);
  const tableRows = section.split('\n').filter((l) => l.startsWith('|')).length;
  t.is(tableRows, 2 + 9, 'header, rule and the 9 events that are not deliveries (of 13)');
  t.true(section.includes('dynasim inspect --op 5734'));
  t.true(rows.every((l) => l.length <= 110));
  t.false(md.includes('## Operation:'), 'no section without a captured operation');
});
