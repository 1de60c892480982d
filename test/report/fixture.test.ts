import test from 'ava';
import { readFileSync } from 'node:fs';
import { SUMMARY_SCHEMA_VERSION } from '../../src/report/summary.js';
import { renderSummaryJson } from '../../src/report/write.js';
import { FIXTURE_PATH, fixtureSummary } from './fixture.js';

test('the committed fixture JSON is what the typed builder makes (regenerate: npx tsx test/report/fixture.ts)', (t) => {
  t.is(readFileSync(FIXTURE_PATH, 'utf8'), renderSummaryJson(fixtureSummary()));
});

test('the fixture has what the report must show', (t) => {
  const s = fixtureSummary();
  t.is(s.schemaVersion, SUMMARY_SCHEMA_VERSION);
  t.is(s.nodes.length, 8);
  t.deepEqual(s.faults.map((f) => f.kind), ['crash', 'partition']);
  t.is(s.latencyWindows.length, 60);
  t.is(s.availability.windows.length, 60);
  t.is(s.versions.histogram.length, 4);
  t.is(s.durability.lost.length, 2);
  t.true(s.staleness.tVisibility.length > 0);
  t.true(s.ring.tokens.length > 0);
  t.true(s.checks.some((c) => c.pass) && s.checks.some((c) => !c.pass));
});
