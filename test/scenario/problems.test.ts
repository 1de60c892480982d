/**
 * Bad input: every kind of mistake the brief lists gives one message naming
 * file:line:column, the field path, what was expected and, for a misspelled
 * name, the closest valid one; all problems of a file are reported at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { closest, editDistance, formatProblem, formatProblems, type ScenarioProblem } from '../../src/scenario/errors.js';
import { loadScenario, parseScenario } from '../../src/scenario/load.js';

const FILE = 'scenarios/x.yaml';
const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

function problemsOf(text: string, overrides: string[] = []): ScenarioProblem[] {
  const r = parseScenario(text, { file: FILE, overrides });
  if (r.ok) throw new Error('expected problems, the scenario is valid');
  return r.problems;
}

/** The one problem at `path`, checked for position and message fragments (and that its line renders them). */
function expectProblem(
  t: import('ava').ExecutionContext,
  problems: readonly ScenarioProblem[],
  want: { path: string; line: number; column: number; includes: (string | RegExp)[]; file?: string },
): void {
  const found = problems.filter((p) => p.path === want.path);
  t.is(found.length, 1, `one problem at ${want.path}, got:\n${formatProblems(problems)}`);
  const p = found[0];
  if (p === undefined) return;
  const file = want.file ?? FILE;
  const line = formatProblem(p);
  t.true(line.startsWith(`${file}${want.line > 0 ? `:${want.line}:${want.column}` : ''}: ${want.path === '' ? '' : `${want.path}: `}`), line);
  for (const piece of want.includes) {
    if (typeof piece === 'string') t.true(line.includes(piece), `${JSON.stringify(line)} should include ${JSON.stringify(piece)}`);
    else t.regex(line, piece);
  }
}

test('a YAML syntax error names the line and column the yaml library reports', (t) => {
  const problems = problemsOf(yaml('name: x', 'cluster:', '  quorum: {n: 3, r: 2', '  nodes: 5'));
  t.is(problems.length, 1);
  expectProblem(t, problems, { path: '', line: 4, column: 3, includes: ['YAML syntax error', 'Flow map'] });
});

test('a duplicate key is a YAML error at the second key', (t) => {
  expectProblem(t, problemsOf(yaml('name: x', 'duration: 1m', 'name: y')), { path: '', line: 3, column: 1, includes: ['Map keys must be unique'] });
});

test('an unknown field points at the key and suggests the closest valid one', (t) => {
  const problems = problemsOf(yaml('name: x', 'cluster:', '  qourum: { n: 3 }', '  nodez: 4', 'quorum: 1', 'colour: red'));
  expectProblem(t, problems, { path: 'cluster.qourum', line: 3, column: 3, includes: ['unknown field "qourum" in cluster: did you mean "quorum"?'] });
  expectProblem(t, problems, { path: 'cluster.nodez', line: 4, column: 3, includes: ['did you mean "nodes"?'] });
  // A field from another section: the full path is the suggestion.
  expectProblem(t, problems, { path: 'quorum', line: 5, column: 1, includes: ['unknown field "quorum" at the top level: did you mean "cluster.quorum"?'] });
  // Nothing close: the valid fields are listed instead.
  expectProblem(t, problems, { path: 'colour', line: 6, column: 1, includes: ['unknown field "colour" at the top level (expected one of: $schema, name, description'] });
});

test('unknown fields deep inside lists and distributions are found too', (t) => {
  const problems = problemsOf(
    yaml(
      'name: x',
      'hosts:',
      '  disk:',
      '    read: { lognormal: { medain: 1ms, p99: 2ms } }',
      'faults:',
      '  - { at: 1s, crsh: n1 }',
    ),
  );
  expectProblem(t, problems, { path: 'hosts.disk.read.lognormal.medain', line: 4, column: 26, includes: ['did you mean "median"?'] });
  expectProblem(t, problems, { path: 'faults.0.crsh', line: 6, column: 15, includes: ['unknown field "crsh" in faults.0: did you mean "crash"?'] });
  t.is(problems.length, 2, formatProblems(problems));
});

test('a wrong type says what was expected and what was found', (t) => {
  const problems = problemsOf(
    yaml('name: x', 'cluster:', '  nodes: five', '  quorum: { n: "3", r: 2.5 }', '  sloppyQuorum: yes', '  coordination: sever', 'faults: {}'),
  );
  expectProblem(t, problems, { path: 'cluster.nodes', line: 3, column: 10, includes: ['expected a node count or a list of nodes', 'got "five"'] });
  expectProblem(t, problems, { path: 'cluster.quorum.n', line: 4, column: 16, includes: ['expected an integer in [1, 64], got "3"'] });
  expectProblem(t, problems, { path: 'cluster.quorum.r', line: 4, column: 24, includes: ['expected an integer in [1, 64], got 2.5'] });
  expectProblem(t, problems, { path: 'cluster.sloppyQuorum', line: 5, column: 17, includes: ['expected true or false, got "yes"'] });
  expectProblem(t, problems, { path: 'cluster.coordination', line: 6, column: 17, includes: ['expected one of "server", "client", got "sever": did you mean "server"?'] });
  expectProblem(t, problems, { path: 'faults', line: 7, column: 9, includes: ['expected a list of'] });
});

test('a missing required field points at its mapping', (t) => {
  const problems = problemsOf(yaml('duration: 1m', 'faults:', '  - crash: n1'));
  expectProblem(t, problems, { path: 'name', line: 1, column: 1, includes: ['missing required field "name"'] });
  expectProblem(t, problems, { path: 'faults.0.at', line: 3, column: 5, includes: ['missing required field "at"', 'a duration'] });
});

test('a unit-less duration, a bad unit and a bad size are explained with the fix', (t) => {
  const problems = problemsOf(
    yaml('name: x', 'duration: 300', 'cluster:', '  requestTimeout: 5 parsecs', '  gossip: { interval: 0s }', 'hosts:', '  cpu: { service: 5 }', 'workload:', '  valueSize: 4096'),
  );
  expectProblem(t, problems, { path: 'duration', line: 2, column: 11, includes: ['expected a duration with a unit', 'got 300', 'unit-less duration, write "300ms"'] });
  expectProblem(t, problems, { path: 'cluster.requestTimeout', line: 4, column: 19, includes: ['unknown unit "parsecs"'] });
  expectProblem(t, problems, { path: 'cluster.gossip.interval', line: 5, column: 23, includes: ['expected a positive duration, got "0s"'] });
  expectProblem(t, problems, { path: 'hosts.cpu.service', line: 7, column: 19, includes: ['expected a latency distribution or a duration', 'write "5ms"'] });
  expectProblem(t, problems, { path: 'workload.valueSize', line: 9, column: 14, includes: ['unit-less size, write "4096B"'] });
  t.is(problems.length, 5, formatProblems(problems));
});

test('a negative or zero rate is refused', (t) => {
  const problems = problemsOf(
    yaml('name: x', 'workload:', '  populations:', '    - arrivals: { rate: -5/s }', '    - arrivals: { rate: 0/s }', '    - arrivals: { rate: 500 }'),
  );
  expectProblem(t, problems, { path: 'workload.populations.0.arrivals.rate', line: 4, column: 25, includes: ['expected a positive rate, got "-5/s"'] });
  expectProblem(t, problems, { path: 'workload.populations.1.arrivals.rate', line: 5, column: 25, includes: ['expected a positive rate, got "0/s"'] });
  expectProblem(t, problems, { path: 'workload.populations.2.arrivals.rate', line: 6, column: 25, includes: ['unit-less rate, write "500/s"'] });
});

test('a probability outside [0, 1] is refused, as a number or a percentage', (t) => {
  const problems = problemsOf(yaml('name: x', 'network:', '  loss: 1.5', '  duplicate: "150%"', 'sla:', '  availability: -0.1'));
  expectProblem(t, problems, { path: 'network.loss', line: 3, column: 9, includes: ['expected a probability in [0, 1] or a percentage', 'got 1.5', 'write "1.5%"'] });
  expectProblem(t, problems, { path: 'network.duplicate', line: 4, column: 14, includes: ['got "150%"', 'outside [0%, 100%]'] });
  expectProblem(t, problems, { path: 'sla.availability', line: 6, column: 17, includes: ['got -0.1'] });
});

test('R or W greater than N', (t) => {
  const problems = problemsOf(yaml('name: x', 'cluster:', '  nodes: 5', '  quorum: { n: 3, r: 4, w: 5 }'));
  expectProblem(t, problems, { path: 'cluster.quorum.r', line: 4, column: 22, includes: ['expected an integer <= n (3), got 4'] });
  expectProblem(t, problems, { path: 'cluster.quorum.w', line: 4, column: 28, includes: ['expected an integer <= n (3), got 5'] });
  t.is(problems.length, 2);
});

test('N greater than the number of nodes (the default N too)', (t) => {
  const explicit = problemsOf(yaml('name: x', 'cluster:', '  nodes: 2', '  quorum: { n: 3, r: 1, w: 1 }'));
  expectProblem(t, explicit, { path: 'cluster.quorum.n', line: 4, column: 16, includes: ['expected an integer <= the number of initial nodes (2), got 3'] });
  // N defaults to 3: the problem points at the nearest field that exists.
  const implicit = problemsOf(yaml('name: x', 'cluster:', '  nodes: 2'));
  expectProblem(t, implicit, { path: 'cluster.quorum.n', line: 2, column: 1, includes: ['(2), got 3'] });
});

test('a fault naming a node that does not exist', (t) => {
  const problems = problemsOf(
    yaml('name: x', 'cluster: { nodes: 4 }', 'faults:', '  - { at: 10s, crash: n9 }', '  - { at: 11s, partition: { groups: [[n0, n7]] } }', '  - { at: 12s, clockSkew: { node: nO, by: 1s } }'),
  );
  expectProblem(t, problems, { path: 'faults.0.crash', line: 4, column: 23, includes: ['unknown node "n9": expected one of n0, n1, n2, n3'] });
  expectProblem(t, problems, { path: 'faults.1.partition.groups.0.1', line: 5, column: 43, includes: ['unknown node "n7"'] });
  expectProblem(t, problems, { path: 'faults.2.clockSkew.node', line: 6, column: 35, includes: ['unknown node "nO"'] });
  const named = problemsOf(yaml('name: x', 'cluster:', '  nodes: [{ name: alpha }, { name: bravo }]', '  quorum: { n: 2, r: 1, w: 1 }', 'faults:', '  - { at: 1s, crash: alpah }'));
  expectProblem(t, named, { path: 'faults.0.crash', line: 6, column: 22, includes: ['unknown node "alpah": did you mean "alpha"?'] });
});

test('a fault starting after the scenario ends', (t) => {
  const problems = problemsOf(yaml('name: x', 'duration: 1m', 'faults:', '  - { at: 90s, crash: n1 }', '  - { at: 1m, crash: n2 }'));
  expectProblem(t, problems, { path: 'faults.0.at', line: 4, column: 11, includes: ['expected a time before the end of the fault phase (duration 1m), got 1m30s'] });
  expectProblem(t, problems, { path: 'faults.1.at', line: 5, column: 11, includes: ['got 1m'] });
});

test('contradictory faults: a restart of a node that is up, a crash of a node already down', (t) => {
  const problems = problemsOf(
    yaml(
      'name: x',
      'faults:',
      '  - { at: 5s, restart: n2 }',
      '  - { at: 20s, crash: n0 }',
      '  - { at: 25s, crash: n0 }',
      '  - { at: 30s, pause: n1, for: 10s }',
      '  - { at: 35s, crash: n1 }',
    ),
  );
  expectProblem(t, problems, { path: 'faults.0.restart', line: 3, column: 24, includes: ['cannot restart n2 at 5s: it is up (expected a node that is down)'] });
  expectProblem(t, problems, { path: 'faults.2.crash', line: 5, column: 23, includes: ['cannot crash n0 at 25s: it is already down since 20s (faults.1)'] });
  // The end of a pause's `for` finds the node crashed meanwhile.
  expectProblem(t, problems, { path: 'faults.3.for', line: 6, column: 32, includes: ['cannot resume n1 at 40s (the end of `for`): it is already down since 35s (faults.4)'] });
  t.is(problems.length, 3, formatProblems(problems));
});

test('an empty file, a comment-only file and a file that is not a mapping', (t) => {
  for (const text of ['', '   \n', '# nothing here\n', '---\n']) {
    expectProblem(t, problemsOf(text), { path: '', line: 0, column: 0, includes: ['empty file: expected a scenario mapping'] });
  }
  expectProblem(t, problemsOf('- a\n- b\n'), { path: '', line: 1, column: 1, includes: ['expected a mapping of scenario fields', 'got ["a","b"]'] });
});

test('a file that does not exist, and a directory', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dynasim-scenario-'));
  try {
    const missing = join(dir, 'nope.yaml');
    const r1 = loadScenario(missing);
    t.false(r1.ok);
    if (!r1.ok) {
      t.is(r1.problems.length, 1);
      t.is(formatProblems(r1.problems), `${missing}: no such file`);
    }
    const r2 = loadScenario(dir);
    t.false(r2.ok);
    if (!r2.ok) t.is(formatProblems(r2.problems), `${dir}: expected a scenario file, got a directory`);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('an invalid fixture file is reported with its path, sorted by position', (t) => {
  const file = 'test/scenario/fixtures/invalid/many-problems.yaml';
  const r = loadScenario(file);
  t.false(r.ok);
  if (r.ok) return;
  t.deepEqual(
    r.problems.map((p) => `${p.line}:${p.column} ${p.path}`),
    ['4:3 cluster.qourum', '5:22 cluster.quorum.r', '7:9 network.loss', '10:11 workload.arrivals.rate', '13:12 faults.0.crash', '14:25 faults.1.restart'],
  );
  t.true(r.problems.every((p) => p.file === file));
});

test('every problem of a file is reported: structure, units and semantics together', (t) => {
  const problems = problemsOf(
    yaml(
      'name: x',
      'duration: 1m',
      'cluster:',
      '  nodes: 5',
      '  quorum: { n: 3, r: 4 }',
      '  qourum: 1',
      'workload:',
      '  populations:',
      '    - { mix: { get: 0.5, put: 0.2 } }',
      '    - { mix: {} }',
      'faults:',
      '  - { at: 10s, restart: n1 }',
      'network: { loss: 2 }',
    ),
  );
  t.deepEqual(
    problems.map((p) => p.path),
    ['cluster.quorum.r', 'cluster.qourum', 'workload.populations.0.mix', 'workload.populations.1.mix', 'faults.0.restart', 'network.loss'],
    formatProblems(problems),
  );
  t.regex(formatProblems(problems), /workload.populations.0.mix: expected get \+ put \+ rmw = 1, got 0.7/);
});

test('a problem caused by an invalid field is not reported twice', (t) => {
  // n is invalid, so "r <= n" cannot be judged: only the type error on n is reported.
  const problems = problemsOf(yaml('name: x', 'cluster:', '  quorum: { n: three, r: 4 }'));
  t.deepEqual(problems.map((p) => p.path), ['cluster.quorum.n']);
  // A bad node list hides the node-reference checks that depend on it.
  const nodes = problemsOf(yaml('name: x', 'cluster:', '  nodes: [{ name: a, weight: -1 }, { name: b }, { name: c }]', 'faults:', '  - { at: 1s, crash: zz }'));
  t.deepEqual(nodes.map((p) => p.path), ['cluster.nodes.0.weight']);
});

test('form problems: one kind per fault, one family per distribution, open vs closed arrivals', (t) => {
  const problems = problemsOf(
    yaml(
      'name: x',
      'faults:',
      '  - { at: 1s }',
      '  - { at: 2s, crash: n1, pause: n2 }',
      '  - { at: 3s, loseDisk: true, pause: n1 }',
      'network:',
      '  latency:',
      '    sameDc: { constant: 5ms, uniform: [1ms, 2ms] }',
      '    crossDc: { lognormal: { median: 1ms, p99: 20ms, sigma: 1 } }',
      'workload:',
      '  arrivals: { type: closed, rate: 5/s }',
    ),
  );
  expectProblem(t, problems, { path: 'faults.0', line: 3, column: 5, includes: ['with exactly one kind of crash, restart', 'got "at"'] });
  expectProblem(t, problems, { path: 'faults.1', line: 4, column: 5, includes: ['got "crash" and "pause" together'] });
  expectProblem(t, problems, { path: 'faults.2.loseDisk', line: 5, column: 15, includes: ['unexpected field "loseDisk" without "crash"'] });
  expectProblem(t, problems, { path: 'network.latency.sameDc', line: 8, column: 13, includes: ['expected a latency distribution', 'got "constant" and "uniform" together'] });
  expectProblem(t, problems, { path: 'network.latency.crossDc.lognormal', line: 9, column: 27, includes: ['{ median, p99 }, { median, sigma }', 'got "median", "p99" and "sigma" together'] });
  expectProblem(t, problems, { path: 'workload.arrivals.clients', line: 11, column: 3, includes: ['missing required field "clients"'] });
  expectProblem(t, problems, { path: 'workload.arrivals.rate', line: 11, column: 29, includes: ['unexpected field "rate": rate applies to open arrivals only'] });
});

test('distribution sanity: p99 above the median, ordered bounds, a CDF ending at 1', (t) => {
  const problems = problemsOf(
    yaml(
      'name: x',
      'network:',
      '  latency:',
      '    sameRack: { lognormal: { median: 2ms, p99: 1ms } }',
      '    sameDc: { uniform: [5ms, 1ms] }',
      '    crossDc: { empirical: { cdf: [[1ms, 0.5], [2ms, 0.9]] } }',
    ),
  );
  expectProblem(t, problems, { path: 'network.latency.sameRack.lognormal.p99', line: 4, column: 48, includes: ['expected a p99 above the median (2ms), got 1ms'] });
  expectProblem(t, problems, { path: 'network.latency.sameDc.uniform.1', line: 5, column: 30, includes: ['expected the upper bound >= the lower bound (5ms), got 1ms'] });
  expectProblem(t, problems, { path: 'network.latency.crossDc.empirical.cdf.1.1', line: 6, column: 53, includes: ['probability 1, got 0.9'] });
});

test('cross-field rules: datacenters, seeds, overrides, populations, nemesis, SLA, checks', (t) => {
  const problems = problemsOf(
    yaml(
      'name: x',
      'duration: 1m',
      'phases: { warmup: 2m, liveness: 0s }',
      'cluster:',
      '  datacenters: [east]',
      '  nodes: [{ name: a }, { name: b, dc: esat }, { name: a }]',
      '  quorum: { n: 2, r: 1, w: 1 }',
      '  gossip: { seeds: [a, zz] }',
      'hosts:',
      '  overrides: { ghost: { cpu: { workers: 2 } } }',
      'workload: { dc: west, keys: { count: 5 }, busyRobots: { writers: 1, keys: 10 } }',
      'nemesis:',
      '  faults: [{ kind: crash, factor: 2 }]',
      'sla: { p99: 500ms, p999: 300ms }',
      'checks: [converged]',
    ),
  );
  expectProblem(t, problems, { path: 'phases.warmup', line: 3, column: 19, includes: ['expected a warmup shorter than duration (1m), got 2m'] });
  expectProblem(t, problems, { path: 'cluster.nodes.1.dc', line: 6, column: 39, includes: ['expected one of the datacenters east, got "esat": did you mean "east"?'] });
  expectProblem(t, problems, { path: 'cluster.nodes.2.name', line: 6, column: 55, includes: ['expected a unique node name, got "a" again (also cluster.nodes.0)'] });
  expectProblem(t, problems, { path: 'cluster.gossip.seeds.1', line: 8, column: 24, includes: ['unknown node "zz"'] });
  expectProblem(t, problems, { path: 'hosts.overrides.ghost', line: 10, column: 16, includes: ['unknown node "ghost"'] });
  expectProblem(t, problems, { path: 'workload.dc', line: 11, column: 17, includes: ['expected one of the datacenters east, got "west"'] });
  expectProblem(t, problems, { path: 'workload.busyRobots.keys', line: 11, column: 75, includes: ['expected at most keys.count (5) keys, got 10'] });
  expectProblem(t, problems, { path: 'nemesis.faults.0.factor', line: 13, column: 27, includes: ['unexpected field "factor" for kind crash: it applies to slowDisk'] });
  expectProblem(t, problems, { path: 'sla.p999', line: 14, column: 26, includes: ['expected a bound >= sla.p99 (500ms), got 300ms'] });
  expectProblem(t, problems, { path: 'checks.0', line: 15, column: 10, includes: ['expected a liveness phase for the "converged" check'] });
});

test('formatProblems renders one problem per line as file:line:column: path: message', (t) => {
  const line = formatProblems([
    { file: 'scenarios/x.yaml', line: 12, column: 5, path: 'cluster.quorum.r', message: 'expected an integer <= n (3), got 4' },
    { file: 'scenarios/x.yaml', line: 0, column: 0, path: '', message: 'no such file' },
  ]);
  t.is(line, 'scenarios/x.yaml:12:5: cluster.quorum.r: expected an integer <= n (3), got 4\nscenarios/x.yaml: no such file');
});

test('suggestions use the Damerau-Levenshtein distance (a transposition costs 1)', (t) => {
  t.is(editDistance('qourum', 'quorum'), 1);
  t.is(editDistance('kitten', 'sitting'), 3);
  t.is(editDistance('', 'abc'), 3);
  t.is(closest('qourum', ['nodes', 'quorum', 'gossip']), 'quorum');
  t.is(closest('Quorum', ['quorum']), 'quorum');
  t.is(closest('xyz', ['quorum', 'nodes']), undefined);
  t.is(closest('n9', ['n0', 'n1']), 'n0'); // close by distance; unknownNode only uses it for longer names
});
