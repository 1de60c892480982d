/**
 * `dynasim run --check-determinism` on every shipped scenario, shortened to
 * 10 s of faults and 5 s of liveness (short.ts): each runs twice, in this
 * thread and in a worker thread, and the digests and summaries must match.
 */
import test from 'ava';
import { shortShipped } from './short.js';
import { cli } from '../cli/run.js';

const runs = shortShipped({ durationUs: 10_000_000, livenessUs: 5_000_000, warmupUs: 1_000_000 });

test('there are shipped scenarios to check', (t) => {
  t.true(runs.length >= 12, runs.map((r) => r.name).join(', '));
});

for (const run of runs) {
  test.serial(`--check-determinism: ${run.name} (10 s + 5 s) is identical in two threads`, async (t) => {
    const r = await cli('run', run.name, '--seed', '7', '--check-determinism', ...run.overrides.flatMap((o) => ['--set', o]));
    t.is(r.code, 0, `${r.out}\n${r.err}`);
    t.regex(r.out, /^seed 7$/m);
    t.regex(r.out, /deterministic: two runs \(this thread and a worker thread\) are identical: digest [0-9a-f]{16}/);
  });
}
