import test from 'ava';
import { formatProblems, type ScenarioProblem } from '../../src/scenario/errors.js';
import { loadScenario, parseScenario } from '../../src/scenario/load.js';
import { parseOverridePath } from '../../src/scenario/overrides.js';
import type { ResolvedScenario } from '../../src/scenario/resolve.js';

const QUICKSTART = 'test/scenario/fixtures/quickstart.yaml';
const FULL = 'test/scenario/fixtures/full.yaml';

function ok(path: string, overrides: string[]): ResolvedScenario {
  const r = loadScenario(path, { overrides });
  if (!r.ok) throw new Error(formatProblems(r.problems));
  return r.scenario;
}

function problems(path: string, overrides: string[]): ScenarioProblem[] {
  const r = loadScenario(path, { overrides });
  if (r.ok) throw new Error('expected problems');
  return r.problems;
}

test('scalars, units and presets are set before validation', (t) => {
  const s = ok(QUICKSTART, ['cluster.quorum.r=1', 'duration=10m', 'network.preset=YMMR', 'seed=7']);
  t.is(s.cluster.quorum.r, 1);
  t.is(s.durationUs, 600_000_000);
  t.is(s.network.preset, 'YMMR');
  t.is(s.seed, '7');
});

test('list entries by index, and the single-population shorthand accepts populations.0', (t) => {
  const full = ok(FULL, ['workload.populations.0.arrivals.rate=100/s', 'faults.0.for=1m', 'cluster.nodes.1.weight=3']);
  t.like(full.workload.populations[0]!.arrivals, { type: 'open', ratePerSec: 100 });
  t.like(full.timeline[1]!, { kind: 'restart', node: 'a2', atUs: 120_000_000 });
  t.is(full.cluster.nodes[1]!.weight, 3);
  const quick = ok(QUICKSTART, ['workload.populations.0.arrivals.rate=100/s', 'workload.populations[0].keys.count=50']);
  t.like(quick.workload.populations[0]!.arrivals, { ratePerSec: 100 });
  t.is(quick.workload.populations[0]!.keys.count, 50);
});

test('values are YAML: flow lists and mappings work, an empty value restores the default', (t) => {
  const s = ok(QUICKSTART, ['cluster.quorum={n: 5, r: 1, w: 5}', 'cluster.datacenters=[east, west]', 'sla=', 'checks=[no-lost-writes]']);
  t.deepEqual(s.cluster.quorum, { n: 5, r: 1, w: 5 });
  t.deepEqual(s.cluster.datacenters, ['east', 'west']);
  t.deepEqual(
    s.cluster.nodes.map((n) => n.dc),
    ['east', 'west', 'east', 'west', 'east'],
  );
  t.is(s.sla.p999Us, null);
  t.deepEqual(s.checks, ['no-lost-writes']);
});

test('missing mappings and lists are created; a list grows by one at its end', (t) => {
  const s = ok(QUICKSTART, ['nemesis.faults.0.kind=crash', 'faults.1.at=1m', 'faults.1.pause=n1', 'hosts.overrides.n2.cpu.workers=16']);
  t.like(s.nemesis!.faults[0]!, { kind: 'crash' });
  t.true(s.timeline.some((e) => e.kind === 'pause' && e.node === 'n1' && e.atUs === 60_000_000));
  t.is(s.cluster.nodes[2]!.host.cpu.workers, 16);
  t.is(s.cluster.nodes[1]!.host.cpu.workers, 4);
});

test('a seed above 2^53 keeps every digit through --set', (t) => {
  t.is(ok(QUICKSTART, ['seed=18446744073709551615']).seed, '18446744073709551615');
});

test('later overrides win', (t) => {
  t.is(ok(QUICKSTART, ['cluster.quorum.r=1', 'cluster.quorum.r=3']).cluster.quorum.r, 3);
});

test('an override that breaks the scenario is reported as the override, like a file error', (t) => {
  const p = problems(QUICKSTART, ['cluster.quorum.r=9', 'duration=10']);
  t.is(
    formatProblems(p),
    [
      '--set cluster.quorum.r=9: cluster.quorum.r: expected an integer <= n (3), got 9',
      '--set duration=10: duration: expected a duration with a unit (us, ms, s, m, h or d), such as "300ms", got 10: unit-less duration, write "10ms" (or another unit)',
    ].join('\n'),
  );
});

test('an override creating an unknown field gets the suggestion', (t) => {
  const p = problems(QUICKSTART, ['cluster.qourum.n=1']);
  t.is(formatProblems(p), '--set cluster.qourum.n=1: cluster.qourum: unknown field "qourum" in cluster: did you mean "quorum"?');
});

test('a problem in the file that an override exposes stays located in the file', (t) => {
  // Shrinking the cluster leaves the file's crash of n3 pointing at nothing: the file is where to fix it.
  const p = problems(QUICKSTART, ['cluster.nodes=3']);
  t.is(formatProblems(p), 'test/scenario/fixtures/quickstart.yaml:15:12: faults.0.crash: unknown node "n3": expected one of n0, n1, n2');
});

test('malformed overrides: no "=", an empty path, bad YAML, an index out of range, a path through a scalar', (t) => {
  const p = problems(QUICKSTART, ['bogus', '=5', 'cluster.quorum={n: 3', 'faults.5.at=1s', 'name.first=x', 'cluster..r=1']);
  t.deepEqual(
    p.map((x) => `${x.file} | ${x.path} | ${x.message}`),
    [
      '--set bogus |  | expected path=value, such as cluster.quorum.r=1 or duration=10m',
      '--set =5 |  | expected a dotted field path before "=", such as cluster.quorum.r, got ""',
      '--set cluster.quorum={n: 3 | cluster.quorum | expected a YAML value after "=": Flow map must end with a }',
      '--set faults.5.at=1s | faults.5.at | cannot set faults.5.at: faults has 1 item(s), expected an index <= 1 (1 appends)',
      '--set name.first=x | name.first | cannot set name.first: name is the value "quickstart", not a mapping or a list',
      '--set cluster..r=1 |  | expected a dotted field path before "=", such as cluster.quorum.r, got "cluster..r"',
    ],
  );
  t.true(p.every((x) => x.line === 0 && x.column === 0));
});

test('override problems come after the file problems, in the order the overrides were given', (t) => {
  const r = parseScenario('name: x\ncluster: { quorum: { r: 7 } }\n', { file: 'f.yaml', overrides: ['network.loss=2', 'bogus'] });
  t.false(r.ok);
  if (!r.ok) t.deepEqual(r.problems.map((p) => p.file), ['f.yaml', '--set network.loss=2', '--set bogus']);
});

test('override paths: dots and [index]', (t) => {
  t.deepEqual(parseOverridePath('a.b.0.c'), ['a', 'b', '0', 'c']);
  t.deepEqual(parseOverridePath('a.b[0].c'), ['a', 'b', '0', 'c']);
  t.is(parseOverridePath(''), null);
  t.is(parseOverridePath('a..b'), null);
});
