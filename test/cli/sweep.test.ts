/**
 * `dynasim sweep | compare | merge` through the CLI's entry function, on a
 * tiny scenario (3 nodes, 2 simulated seconds): the merged outputs are the
 * same bytes whatever --jobs is and however the sweep was sharded; an
 * interrupted sweep keeps its finished runs and --resume skips them; bad
 * input exits 2 with a clear message.
 */
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { sweepCommand } from '../../src/cli/commands/sweep.js';
import type { CliIo } from '../../src/cli/io.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'dynasim-sweep-cli-'));

function capture(): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s) => void out.push(s), err: (s) => void err.push(s), stderrIsTty: false }, out, err };
}

async function cli(...argv: string[]) {
  const c = capture();
  const code = await main(argv, c.io);
  return { code, out: c.out.join('\n'), err: c.err.join('\n') };
}

function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

file(
  'tiny.yaml',
  `name: tiny
duration: 2s
phases: { warmup: 0s, liveness: 0s }
cluster:
  nodes: 3
  quorum: { n: 3, r: 2, w: 2 }
  antiEntropy: { enabled: false }
workload:
  arrivals: { rate: 40/s }
  keys: { count: 10, popularity: uniform }
  mix: { get: 0.6, rmw: 0.4 }
checks: []
`,
);

const SWEEP = `kind: sweep
name: tiny-sweep
description: Two quorum axes on a tiny cluster.
scenario: tiny.yaml
axes:
  cluster.quorum.r: 1..2
  cluster.quorum.w: [1, 3]
repeats: 2
seed: 5
`;
const sweepFile = file('tiny-sweep.yaml', SWEEP);
const RUNS = 8;

const read = (dir: string, name: string) => readFileSync(path.join(dir, name), 'utf8');
const runFiles = (dir: string) =>
  readdirSync(path.join(dir, 'runs'))
    .filter((f) => /^\d+\.json$/.test(f))
    .sort((a, b) => parseInt(a) - parseInt(b));

/** The unsharded sweep on 2 jobs, shared by the tests that compare against it. */
let reference: Promise<{ dir: string; code: number; out: string; err: string }> | undefined;
function unsharded() {
  reference ??= (async () => {
    const dir = path.join(tmp, 'jobs2');
    const r = await cli('sweep', sweepFile, '--jobs', '2', '--out', dir);
    return { dir, ...r };
  })();
  return reference;
}

test('a sweep writes every run and a comparison; --jobs 1 and --jobs 2 give the same bytes', async (t) => {
  const two = await unsharded();
  t.is(two.code, 0, two.err);
  t.regex(two.out, /^sweep tiny-sweep: base seed 5 \(seeds \d+, \d+\)/, 'the seeds come first');
  t.regex(two.out, /4 configurations × 2 seeds = 8 runs of tiny/);
  const one = path.join(tmp, 'jobs1');
  const r1 = await cli('sweep', sweepFile, '--jobs', '1', '--out', one);
  t.is(r1.code, 0, r1.err);
  for (const name of ['summary.json', 'summary.md', 'report.html', 'manifest.json']) t.is(read(one, name), read(two.dir, name), `${name} is byte-identical`);
  t.deepEqual(runFiles(one), runFiles(two.dir));
  t.is(runFiles(one).length, RUNS);
  for (const f of runFiles(one)) t.is(read(one, `runs/${f}`), read(two.dir, `runs/${f}`), `runs/${f} is byte-identical`);
  const summary = JSON.parse(read(two.dir, 'summary.json'));
  t.is(summary.kind, 'dynasim-comparison');
  t.deepEqual(
    summary.configurations.map((c: { label: string }) => c.label),
    ['r=1 w=1', 'r=1 w=3', 'r=2 w=1', 'r=2 w=3'],
  );
  // Common random numbers: run k of every configuration has seed k.
  t.deepEqual(
    summary.runs.map((r: { seed: string }) => r.seed),
    [0, 1, 2, 3].flatMap(() => summary.sweep.seeds),
  );
  // The wall-clock figures are apart from the compared bytes.
  t.false(read(two.dir, 'summary.json').includes('wallMs'));
  t.is(JSON.parse(read(two.dir, 'wall.json')).jobs, 2);
  t.is(JSON.parse(read(one, 'wall.json')).jobs, 1);
});

test('shards merged are byte-identical to the unsharded sweep', async (t) => {
  const dirs = [1, 2, 3].map((i) => path.join(tmp, 'shards', String(i)));
  for (const [i, dir] of dirs.entries()) {
    const r = await cli('sweep', sweepFile, '--shard', `${i + 1}/3`, '--jobs', '1', '--out', dir);
    t.is(r.code, 0, r.err);
    t.regex(r.out, new RegExp(`shard ${i + 1}/3 is complete`));
    t.false(existsSync(path.join(dir, 'summary.json')), 'a shard writes partial results only');
    t.is(JSON.parse(read(dir, 'manifest.json')).shard.count, 3);
  }
  t.deepEqual(runFiles(dirs[0]!), ['0.json', '3.json', '6.json']);
  const merged = path.join(tmp, 'merged');
  const m = await cli('merge', ...dirs, '--out', merged);
  t.is(m.code, 0, m.err);
  const ref = await unsharded();
  t.is(read(merged, 'summary.json'), read(ref.dir, 'summary.json'));
  t.is(read(merged, 'summary.md'), read(ref.dir, 'summary.md'));
  t.is(JSON.parse(read(merged, 'wall.json')).runs.length, RUNS, 'per-run wall figures are gathered from the shards');

  // Bad merges: a shard left out, and a shard of another sweep.
  const incomplete = await cli('merge', dirs[0]!, dirs[2]!, '--out', path.join(tmp, 'never'));
  t.is(incomplete.code, 2);
  t.regex(incomplete.err, /incomplete: 3 of 8 runs are missing \(runs 1, 4, 7\)/);
  t.regex(incomplete.err, /no folder was given for shard 2\/3/);
  t.false(existsSync(path.join(tmp, 'never', 'summary.json')));
  const other = path.join(tmp, 'other-shard');
  const o = await cli('sweep', file('other.yaml', SWEEP.replace('seed: 5', 'seed: 6')), '--shard', '2/3', '--jobs', '1', '--out', other);
  t.is(o.code, 0, o.err);
  const mixed = await cli('merge', dirs[0]!, other, dirs[2]!);
  t.is(mixed.code, 2);
  t.regex(mixed.err, /the folders come from 2 different sweeps; merge only the shards of one sweep/);
  t.regex(mixed.err, new RegExp(`${other.replace(/[/\\.]/g, '\\$&')}: sweep "tiny-sweep", hash [0-9a-f]{12}, shard 2/3`));
  const notASweep = await cli('merge', tmp);
  t.is(notASweep.code, 2);
  t.regex(notASweep.err, /no manifest\.json: not a sweep folder/);
});

test('Ctrl-C keeps finished runs and exits non-zero with a hint; --resume skips them', async (t) => {
  const dir = path.join(tmp, 'interrupted');
  const controller = new AbortController();
  const watch = setInterval(() => {
    if (existsSync(path.join(dir, 'runs')) && runFiles(dir).length >= 2) controller.abort();
  }, 5);
  const c = capture();
  const code = await sweepCommand({ file: sweepFile, jobs: 1, out: dir, maxEvents: 50_000_000 }, c.io, { signal: controller.signal });
  clearInterval(watch);
  t.is(code, 130);
  const kept = runFiles(dir);
  t.true(kept.length >= 2 && kept.length < RUNS, `kept ${kept.length} runs`);
  const err = c.err.join('\n');
  t.regex(err, new RegExp(`interrupted: ${kept.length} of 8 runs are finished and kept in`));
  t.regex(err, /continue with: dynasim sweep .*tiny-sweep\.yaml --jobs 1 --max-events 50000000 --out .*interrupted --resume/, 'the hint keeps the run bound');
  const keptBytes = kept.map((f) => read(dir, `runs/${f}`));
  const again = await cli('sweep', sweepFile, '--jobs', '2', '--out', dir, '--resume');
  t.is(again.code, 0, again.err);
  t.regex(again.out, new RegExp(`resuming: ${kept.length} of 8 runs already in .*; ${RUNS - kept.length} to run`));
  t.regex(again.out, new RegExp(`^${RUNS - kept.length} runs? in `, 'm'), 'only the missing runs were simulated');
  t.deepEqual(
    kept.map((f) => read(dir, `runs/${f}`)),
    keptBytes,
    'kept runs were not rewritten',
  );
  const ref = await unsharded();
  t.is(read(dir, 'summary.json'), read(ref.dir, 'summary.json'));
  // Resuming a finished sweep runs nothing; resuming into another sweep's folder is refused.
  const done = await cli('sweep', sweepFile, '--out', dir, '--resume');
  t.regex(done.out, /resuming: 8 of 8 runs already in .*; 0 to run/);
  const foreign = await cli('sweep', file('foreign.yaml', SWEEP.replace('repeats: 2', 'repeats: 1')), '--out', dir, '--resume');
  t.is(foreign.code, 2);
  t.regex(foreign.err, /holds results of a different sweep .* --resume would mix them/);
});

test('compare: one axis over (N, R, W) on K seeds', async (t) => {
  const dir = path.join(tmp, 'compare');
  const r = await cli('compare', path.join(tmp, 'tiny.yaml'), '--nrw', '3,1,1', '--nrw', '3,2,2', '--seeds', '2', '--jobs', '2', '--seed', '9', '--out', dir);
  t.is(r.code, 0, r.err);
  const s = JSON.parse(read(dir, 'summary.json'));
  t.is(s.sweep.name, 'tiny-compare');
  t.deepEqual(s.sweep.axes, [{ path: 'cluster.quorum', name: 'nrw', values: ['3,1,1', '3,2,2'] }]);
  t.deepEqual(s.configurations[1].overrides, ['cluster.quorum={"n":3,"r":2,"w":2}']);
  t.is(s.runs.length, 4);
  t.regex(read(dir, 'summary.md'), /\| nrw +\| +get p50 \|/);
  const html = read(dir, 'report.html');
  t.true(html.includes('<svg class="chart" id="tradeoff"'));
  t.true(html.includes('<table id="configurations" class="sortable">'));
  // A check that fails (an SLA no run meets): exit 1, the configurations named, a command that reproduces a run.
  const failing = await cli('compare', path.join(tmp, 'tiny.yaml'), '--nrw', '3,2,2', '--seeds', '1', '--jobs', '1', '--set', 'sla.p50=1us', '--out', path.join(tmp, 'compare-sla'));
  t.is(failing.code, 1, failing.err);
  t.regex(failing.err, /checks failed in 1 of 1 configurations: nrw=3,2,2 \(sla get p50, sla put p50\)/);
  t.regex(failing.err, /reproduce run 0: dynasim run \S*tiny\.yaml --seed \d+ --set sla\.p50=1us --set 'cluster\.quorum=\{"n":3,"r":2,"w":2\}'/);
  for (const [nrw, pattern] of [
    ['3,2', /--nrw "3,2": expected N,R,W/],
    ['3,4,1', /--nrw: cluster\.quorum\.r: expected an integer <= n \(3\), got 4 \(configuration nrw=3,4,1\)/],
  ] as const) {
    const bad = await cli('compare', path.join(tmp, 'tiny.yaml'), '--nrw', nrw, '--out', path.join(tmp, 'never'));
    t.is(bad.code, 2, nrw);
    t.regex(bad.err, pattern);
  }
});

const BAD: Array<[string, string[] | string, RegExp]> = [
  ['an unknown axis field', SWEEP.replace('cluster.quorum.w: [1, 3]', 'cluster.qourum.w: [1, 3]'), /bad\.yaml:7:21: axes\.cluster\.qourum\.w: cluster\.qourum: unknown field "qourum" in cluster: did you mean "quorum"\?/],
  ['an empty axis', SWEEP.replace('[1, 3]', '[]'), /bad\.yaml:7:21: axes\.cluster\.quorum\.w: expected at least one value, got an empty list/],
  ['a base scenario that does not exist', SWEEP.replace('tiny.yaml', 'tiny-missing.yaml'), /bad\.yaml:4:11: scenario: no such file: .*tiny-missing\.yaml \(a path is relative to the sweep file\)/],
  ['a misspelled shipped scenario', SWEEP.replace('tiny.yaml', 'quickstrat'), /scenario: no file "quickstrat" beside the sweep file and no shipped scenario of that name: did you mean "quickstart"\?/],
  ['a sweep as the base', SWEEP.replace('tiny.yaml', 'pbs-tradeoff'), /scenario: pbs-tradeoff is a sweep, not a scenario/],
  ['no axes', SWEEP.replace(/axes:[\s\S]*repeats/, 'axes: {}\nrepeats'), /axes: expected at least one axis/],
  ['a filter that rejects everything', SWEEP + 'filter: r + w > 9\n', /filter: the filter "r \+ w > 9" rejects every one of the 4 combinations/],
  ['a filter with a syntax error', SWEEP + 'filter: r + > w\n', /bad\.yaml:10:13: filter: expected a value .* got ">" \(in "r \+ > w", column 5\)/],
  ['a filter with an unknown name', SWEEP + 'filter: r + n > 2\n', /filter: unknown name "n".*\(the axes are "r", "w"\)/],
  ['shard 3/2', ['--shard', '3/2'], /--shard 3\/2: expected i\/n .*there is no shard 3 of 2/],
  ['shard 0/4', ['--shard', '0/4'], /--shard 0\/4: .*shards are numbered from 1/],
  ['shard x/4', ['--shard', 'x/4'], /--shard "x\/4": expected i\/n/],
  ['jobs 0', ['--jobs', '0'], /--jobs 0: expected an integer from 1 to/],
];

for (const [name, input, pattern] of BAD) {
  test(`bad input: ${name} → exit 2, a clear message, nothing simulated`, async (t) => {
    const dir = path.join(tmp, 'bad', name.replace(/\W+/g, '-'));
    const args = typeof input === 'string' ? [file(`${name.replace(/\W+/g, '-')}.bad.yaml`, input)] : [sweepFile, ...input];
    const r = await cli('sweep', ...args, '--out', dir);
    t.is(r.code, 2, r.err);
    t.regex(r.err, pattern);
    t.false(existsSync(path.join(dir, 'runs')), 'nothing was simulated');
    t.false(/\n\s+at .*\(.*:\d+:\d+\)/.test(r.err), 'no stack trace');
  });
}

test('run, validate and list know sweep files', async (t) => {
  const run = await cli('run', sweepFile);
  t.is(run.code, 2);
  t.regex(run.err, /is a sweep file: use "dynasim sweep .*tiny-sweep\.yaml"/);
  const scenarioAsSweep = await cli('sweep', path.join(tmp, 'tiny.yaml'));
  t.is(scenarioAsSweep.code, 2);
  t.regex(scenarioAsSweep.err, /is a scenario, not a sweep file/);
  const list = await cli('list');
  t.is(list.code, 0);
  t.regex(list.out, /sweeps \(many runs, compared\):\npbs-tradeoff +The PBS latency\/staleness table shape/);
  t.notRegex(list.out.split('sweeps (many runs')[0]!, /^pbs-tradeoff /m, 'not listed among the scenarios');
  t.regex(list.out.split('sweeps (many runs')[0]!, /^quickstart /m);
  const dry = await cli('sweep', 'pbs-tradeoff', '--dry-run');
  t.is(dry.code, 0, dry.err);
  t.regex(dry.out, /36 configurations × 3 seeds = 108 runs of pbs/);
  t.regex(dry.out, /35: preset=WAN n=3 r=3 w=3/);
});

test.after.always(() => rmSync(tmp, { recursive: true, force: true }));
