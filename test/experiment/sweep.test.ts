import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deriveSeed, parseSeed } from '../../sim/random.js';
import { compareSpec, expandAxes, overrideValueText, parseShard, parseSweep, planSweep, runOf, shardRuns, type SweepSpec } from '../../src/experiment/sweep.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'dynasim-sweep-unit-'));
const scenarioFile = path.join(tmp, 'base.yaml');
writeFileSync(
  scenarioFile,
  `name: base
duration: 2s
phases: { warmup: 0s, liveness: 0s }
cluster:
  nodes: 5
  quorum: { n: 3, r: 2, w: 2 }
workload:
  arrivals: { rate: 20/s }
checks: []
`,
);
const resolveScenario = (name: string) => (name === 'base' ? { file: scenarioFile } : { error: `no scenario named ${name}` });

function spec(text: string, options: { set?: string[]; seed?: string; repeats?: number } = {}): SweepSpec {
  const r = parseSweep(text, path.join(tmp, 'sweep.yaml'), { resolveScenario, ...options });
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`).join('\n'));
  return r.spec;
}

function problems(text: string): string {
  const r = parseSweep(text, 'sweep.yaml', { resolveScenario });
  if (r.ok) {
    const p = planSweep(r.spec);
    if (p.ok) throw new Error('expected problems, got a valid plan');
    return p.problems.map((x) => `${x.file}:${x.line}:${x.column}: ${x.path}: ${x.message}`).join('\n');
  }
  return r.problems.map((x) => `${x.file}:${x.line}:${x.column}: ${x.path}: ${x.message}`).join('\n');
}

const HEAD = 'kind: sweep\nname: s\nscenario: base\n';

test('ranges expand per earlier axis (1..n), the first axis varies slowest', (t) => {
  const s = spec(`${HEAD}axes:\n  cluster.quorum.n: [2, 3]\n  cluster.quorum.r: 1..n\n  cluster.quorum.w: 1..2\n`);
  const e = expandAxes(s);
  if (!e.ok) return t.fail(JSON.stringify(e.problems));
  t.deepEqual(
    e.combinations.map((c) => c.picks.map((p) => p.label).join(',')),
    ['2,1,1', '2,1,2', '2,2,1', '2,2,2', '3,1,1', '3,1,2', '3,2,1', '3,2,2', '3,3,1', '3,3,2'],
  );
  t.deepEqual(
    s.axes.map((a) => a.name),
    ['n', 'r', 'w'],
  );
});

test('a filter keeps only the combinations it accepts', (t) => {
  const s = spec(`${HEAD}axes:\n  cluster.quorum.n: [3]\n  cluster.quorum.r: 1..n\n  cluster.quorum.w: 1..n\nfilter: r + w > n\n`);
  const p = planSweep(s);
  if (!p.ok) return t.fail(JSON.stringify(p.problems));
  t.deepEqual(
    p.plan.configurations.map((c) => `${c.values.r}${c.values.w}`),
    ['13', '22', '23', '31', '32', '33'],
  );
  t.deepEqual(p.plan.configurations[0]!.overrides, ['cluster.quorum.n=3', 'cluster.quorum.r=1', 'cluster.quorum.w=3']);
  t.is(p.plan.totalRuns, 6 * 3, 'three repeats by default');
});

test('named variants: the label is the variant name, the value goes into the override', (t) => {
  const s = spec(`${HEAD}set: { duration: 2s }\naxes:\n  faults:\n    none: []\n    crash: [{ at: 1s, crash: n3 }]\n  network.preset: [LNKD-SSD, WAN]\nfilter: faults == "none" or preset == "WAN"\n`);
  const p = planSweep(s);
  if (!p.ok) return t.fail(JSON.stringify(p.problems));
  t.deepEqual(
    p.plan.configurations.map((c) => `${c.values.faults}/${c.values.preset}`),
    ['none/LNKD-SSD', 'none/WAN', 'crash/WAN'],
  );
  t.deepEqual(p.plan.configurations[2]!.overrides, ['duration=2s', 'faults=[{"at":"1s","crash":"n3"}]', 'network.preset=WAN']);
  t.deepEqual(p.plan.axes, [
    { path: 'faults', name: 'faults', values: ['none', 'crash'] },
    { path: 'network.preset', name: 'preset', values: ['LNKD-SSD', 'WAN'] },
  ]);
});

test('every configuration runs on the same derived seeds (common random numbers)', (t) => {
  const s = spec(`${HEAD}axes:\n  cluster.quorum.r: [1, 2, 3]\nrepeats: 4\nseed: 42\n`);
  const p = planSweep(s);
  if (!p.ok) return t.fail(JSON.stringify(p.problems));
  const expected = [0, 1, 2, 3].map((k) => deriveSeed(parseSeed(42), `repeat/${k}`));
  t.deepEqual(p.plan.seeds, expected);
  t.is(new Set(expected).size, 4, 'the seeds differ from each other');
  for (let c = 0; c < 3; c++) {
    t.deepEqual(
      [0, 1, 2, 3].map((k) => runOf(p.plan, c * 4 + k)),
      expected.map((seed, k) => ({ index: c * 4 + k, configuration: c, repeat: k, seed })),
    );
  }
  // --seed and --seeds on the command line win over the file.
  const q = planSweep(spec(`${HEAD}axes:\n  cluster.quorum.r: [1]\nrepeats: 4\nseed: 42\n`, { seed: '7', repeats: 2 }));
  if (!q.ok) return t.fail();
  t.deepEqual(q.plan.seeds, [0, 1].map((k) => deriveSeed(parseSeed(7), `repeat/${k}`)));
});

test('the sweep hash covers the plan and the base scenario, and nothing else', (t) => {
  const text = `${HEAD}axes:\n  cluster.quorum.r: [1, 2]\nrepeats: 2\n`;
  const hash = (s: SweepSpec) => {
    const p = planSweep(s);
    if (!p.ok) throw new Error('invalid');
    return p.plan.hash;
  };
  const a = hash(spec(text));
  t.is(hash(spec(text)), a, 'stable');
  t.not(hash(spec(text.replace('repeats: 2', 'repeats: 3'))), a);
  t.not(hash(spec(text.replace('[1, 2]', '[1, 3]'))), a);
  t.not(hash(spec(text, { set: ['duration=3s'] })), a);
  t.not(hash(spec(text, { seed: '9' })), a);
  t.regex(a, /^[0-9a-f]{64}$/);
});

test('override values: plain strings stay plain, anything YAML would read differently is JSON', (t) => {
  t.is(overrideValueText('3s'), '3s');
  t.is(overrideValueText('LNKD-SSD'), 'LNKD-SSD');
  t.is(overrideValueText('true'), '"true"');
  t.is(overrideValueText('3'), '"3"');
  t.is(overrideValueText('a: b'), '"a: b"');
  t.is(overrideValueText(3), '3');
  t.is(overrideValueText([]), '[]');
  t.is(overrideValueText({ n: 3 }), '{"n":3}');
  t.is(overrideValueText(null), 'null');
});

test('shards: i/n owns the runs with index i-1 modulo n; bad shards are refused', (t) => {
  t.deepEqual(shardRuns(10, { index: 1, count: 3 }), [0, 3, 6, 9]);
  t.deepEqual(shardRuns(10, { index: 3, count: 3 }), [2, 5, 8]);
  t.deepEqual(shardRuns(2, { index: 4, count: 4 }), []);
  const all = [1, 2, 3, 4].flatMap((i) => shardRuns(11, { index: i, count: 4 })).sort((a, b) => a - b);
  t.deepEqual(all, [...Array(11).keys()], 'the shards partition the runs');
  t.deepEqual(parseShard('2/4'), { ok: true, shard: { index: 2, count: 4 } });
  for (const [text, pattern] of [
    ['3/2', /no shard 3 of 2/],
    ['0/4', /numbered from 1/],
    ['x/4', /expected i\/n/],
    ['1/0', /n must be from 1/],
    ['2', /expected i\/n/],
  ] as const) {
    const r = parseShard(text);
    t.false(r.ok, text);
    if (!r.ok) t.regex(r.message, pattern);
  }
});

test('bad sweep files: located problems with suggestions', (t) => {
  t.regex(problems(`${HEAD}axis:\n  cluster.quorum.r: [1]\n`), /sweep\.yaml:4:1: axis: unknown field "axis" in a sweep: did you mean "axes"\?/);
  t.regex(problems(`kind: sweep\nname: s\nscenario: nope\naxes:\n  cluster.quorum.r: [1]\n`), /sweep\.yaml:3:11: scenario: no scenario named nope/);
  t.regex(problems(`${HEAD}axes:\n  cluster.quorum.r: []\n`), /sweep\.yaml:5:21: axes\.cluster\.quorum\.r: expected at least one value, got an empty list/);
  t.regex(problems(`${HEAD}axes: {}\n`), /axes: expected at least one axis/);
  t.regex(problems(`${HEAD}axes:\n  cluster.quorum.r: 1..m\n`), /the range 1\.\.m names "m", which is not an earlier axis/);
  t.regex(problems(`${HEAD}axes:\n  cluster.quorum.r: 3..1\n`), /the range 3\.\.1 is empty/);
  t.regex(problems(`${HEAD}axes:\n  cluster.quorum.r: 5\n`), /expected a list of values/);
  t.regex(problems(`${HEAD}axes:\n  cluster.quorum.r: [1, 1]\n`), /the value "1" appears twice/);
  t.regex(problems(`${HEAD}axes:\n  cluster.quorum.r: [1]\n  other.r: [2]\n`), /two axes have the short name "r"/);
  t.regex(problems(`${HEAD}axes:\n  cluster.quorum.r: [1, 2]\nfilter: r > 5\n`), /sweep\.yaml:6:9: filter: the filter "r > 5" rejects every one of the 2 combinations/);
  t.regex(problems(`${HEAD}axes:\n  cluster.quorum.r: [1, 2]\nfilter: r >\n`), /sweep\.yaml:6:12: filter: expected a value .* \(in "r >", column 4\)/);
  t.regex(problems(`${HEAD}axes:\n  cluster.quorum.r: [1, 2]\nfilter: "rr > 1"\n`), /sweep\.yaml:6:10: filter: unknown name "rr": did you mean "r"\?/);
  t.regex(problems(`${HEAD}axes:\n  cluster.quorum.r: [1]\nrepeats: 0\n`), /repeats: expected an integer from 1 to 1000/);
  t.regex(problems(`kind: scenario\nname: s\nscenario: base\naxes:\n  cluster.quorum.r: [1]\n`), /kind: expected "kind: sweep"/);
  t.regex(problems(`${HEAD}axes:\n  cluster.quorum.r: [1\n`), /YAML syntax error/);
});

test('an unknown axis field comes back from the scenario loader, pointed at the axis, with the closest field', (t) => {
  const p = problems(`${HEAD}axes:\n  cluster.qourum.r: [1, 2]\n`);
  t.regex(p, /^sweep\.yaml:5:21: axes\.cluster\.qourum\.r: cluster\.qourum: unknown field "qourum" in cluster: did you mean "quorum"\?/);
  t.is(p.split('\n').length, 1, 'one problem, not one per configuration');
  // A value the scenario refuses names the configuration.
  const q = problems(`${HEAD}axes:\n  cluster.quorum.r: [2, 4]\n`);
  t.regex(q, /axes\.cluster\.quorum\.r: cluster\.quorum\.r: expected an integer <= n \(3\), got 4 \(configuration r=4\)/);
  // A `set` entry is pointed at too.
  const r = problems(`${HEAD}set: { cluster.nodez: 4 }\naxes:\n  cluster.quorum.r: [2]\n`);
  t.regex(r, /sweep\.yaml:4:23: set\.cluster\.nodez: .*did you mean "nodes"\?/);
});

test('compareSpec: one quorum axis over the given N,R,W; bad input is one problem naming the option', (t) => {
  const base = { scenarioFile: scenarioFile, scenarioName: 'base', scenarioSeed: '7', set: ['duration=1s'] };
  const made = compareSpec({ ...base, nrw: ['3,1,1', ' 3, 2, 2 '] });
  t.true(made.ok);
  if (made.ok) {
    t.is(made.spec.name, 'base-compare');
    t.is<string, string>(made.spec.seed, '7', 'the scenario\'s own seed when --seed is absent');
    t.is(made.spec.repeats, 3);
    t.deepEqual(made.spec.set, ['duration=1s']);
    t.deepEqual(made.spec.axes, [{ path: 'cluster.quorum', name: 'nrw', values: { kind: 'list', values: [{ label: '3,1,1', value: { n: 3, r: 1, w: 1 } }, { label: '3,2,2', value: { n: 3, r: 2, w: 2 } }] } }]);
    const planned = planSweep(made.spec);
    t.true(planned.ok && planned.plan.totalRuns === 6);
  }
  const withSeed = compareSpec({ ...base, nrw: ['3,2,2'], seed: '11', repeats: 2 });
  t.true(withSeed.ok && withSeed.spec.seed === '11' && withSeed.spec.repeats === 2);
  const problem = (o: Partial<Parameters<typeof compareSpec>[0]>) => {
    const r = compareSpec({ ...base, nrw: ['3,2,2'], ...o });
    return r.ok ? null : r.problem;
  };
  t.regex(problem({ nrw: [] })!, /at least one --nrw/);
  t.regex(problem({ nrw: ['3,2'] })!, /--nrw "3,2": expected N,R,W/);
  t.regex(problem({ nrw: ['3,2,2', '3,2,2'] })!, /--nrw 3,2,2 is given twice/);
  t.regex(problem({ seed: 'x' })!, /--seed/);
  t.regex(problem({ repeats: 0 })!, /--seeds 0: expected an integer from 1 to 1000/);
  t.regex(problem({ repeats: 1001 })!, /--seeds 1001/);
});
