import test from 'ava';
import { formatProblems } from '../../src/scenario/errors.js';
import { loadScenario, parseScenario } from '../../src/scenario/load.js';
import type { FaultEvent } from '../../src/scenario/timeline.js';

function timeline(faults: string, cluster = 'nodes: 5', extra = ''): FaultEvent[] {
  const r = parseScenario(`name: t\nduration: 10m\ncluster: { ${cluster} }\n${extra}faults:\n${faults}`, { file: 't.yaml' });
  if (!r.ok) throw new Error(formatProblems(r.problems));
  return r.scenario.timeline;
}

const brief = (e: FaultEvent) => {
  const { atUs, kind, cause } = e;
  const what = 'node' in e ? e.node : 'groups' in e ? e.groups.map((g) => g.join(',')).join('|') : 'links' in e ? e.links.map((l) => l.join('>')).join(' ') : '';
  return `${atUs / 1e6}s ${kind} ${what} ${cause}`;
};

test('`for` expands into a start and an end; events are sorted by time, then file order', (t) => {
  const events = timeline(['  - { at: 2m, pause: n2, for: 5s }', '  - { at: 1m, crash: n1, for: 30s, loseDisk: true }', '  - { at: 1m, crash: n3 }', ''].join('\n'));
  t.deepEqual(events.map(brief), [
    '60s crash n1 fault',
    '60s crash n3 fault',
    '90s restart n1 for',
    '120s pause n2 fault',
    '125s resume n2 for',
    '600s restart n3 liveness',
  ]);
  const crash = events[0]!;
  t.deepEqual(crash, { atUs: 60_000_000, source: 'faults.1', cause: 'fault', kind: 'crash', node: 'n1', loseDisk: true });
  t.is(events[5]!.source, 'duration');
});

test('at one instant the ends run before new faults, so a node can go down again right after its restart', (t) => {
  const events = timeline(['  - { at: 10s, crash: n1, for: 5s }', '  - { at: 15s, crash: n1, for: 5s }', ''].join('\n'));
  t.deepEqual(events.map(brief), ['10s crash n1 fault', '15s restart n1 for', '15s crash n1 fault', '20s restart n1 for']);
});

test('everything still active at the end of the fault phase is healed then, in a fixed order', (t) => {
  const events = timeline(
    [
      '  - { at: 1s, crash: n0 }',
      '  - { at: 2s, pause: n1 }',
      '  - { at: 3s, partition: { isolate: n4 } }',
      '  - { at: 4s, degrade: { from: n2, to: n3, latency: 5ms, oneWay: true } }',
      '  - { at: 5s, slowDisk: { node: n3, factor: 4 } }',
      '  - { at: 6s, clockSkew: { node: n2, by: -1s } }',
      '  - { at: 7m, crash: n2, for: 5m }',
      '',
    ].join('\n'),
  );
  t.deepEqual(events.slice(7).map(brief), [
    '600s heal n4|n0,n1,n2,n3 liveness',
    '600s restore n2>n3 liveness',
    '600s slowDisk n3 liveness',
    '600s resume n1 liveness',
    '600s restart n0 liveness',
    '600s restart n2 liveness',
  ]);
  t.false(events.some((e) => e.kind === 'clockSkew' && e.cause !== 'fault'), 'clock skews without `for` persist');
});

test('partition forms resolve to explicit groups', (t) => {
  const events = timeline(
    [
      '  - { at: 1s, for: 1s, partition: { groups: [[n0, n1]] } }',
      '  - { at: 3s, for: 1s, partition: { majority: true } }',
      '  - { at: 5s, for: 1s, partition: { bridge: n2 } }',
      '  - { at: 7s, for: 1s, partition: { splitDc: true } }',
      '  - { at: 9s, for: 1s, partition: { groups: [[n0], [n3, n4]], oneWay: false } }',
      '  - { at: 11s, for: 1s, partition: { isolate: n0, oneWay: true } }',
      '',
    ].join('\n'),
    'nodes: 5, datacenters: [east, west]',
  );
  const starts = events.filter((e) => e.kind === 'partition') as Extract<FaultEvent, { kind: 'partition' }>[];
  t.deepEqual(
    starts.map((e) => [e.groups, e.oneWay, e.bridge]),
    [
      [[['n0', 'n1'], ['n2', 'n3', 'n4']], false, null],
      [[['n0', 'n1', 'n2'], ['n3', 'n4']], false, null],
      [[['n0', 'n1'], ['n3', 'n4']], false, 'n2'],
      [[['n0', 'n2', 'n4'], ['n1', 'n3']], false, null],
      [[['n0'], ['n3', 'n4']], false, null],
      [[['n0'], ['n1', 'n2', 'n3', 'n4']], true, null],
    ],
  );
  const heals = events.filter((e) => e.kind === 'heal') as Extract<FaultEvent, { kind: 'heal' }>[];
  t.deepEqual(heals.map((h) => h.groups), starts.map((s) => s.groups));
});

test('degrade resolves to directed links, both ways unless oneWay', (t) => {
  const events = timeline(['  - { at: 1s, for: 1s, degrade: { from: n0, to: "*", loss: 1% } }', '  - { at: 3s, degrade: { from: [n1, n2], to: n0, latency: 20ms, oneWay: true } }', ''].join('\n'), 'nodes: 3');
  const both = events[0] as Extract<FaultEvent, { kind: 'degrade' }>;
  t.deepEqual(both.links, [
    ['n0', 'n1'],
    ['n0', 'n2'],
    ['n1', 'n0'],
    ['n2', 'n0'],
  ]);
  t.is(both.lossProbability, 0.01);
  t.is(both.addedLatencyUs, 0);
  t.like(events[1]!, { kind: 'restore', cause: 'for', atUs: 2_000_000 });
  const one = events[2] as Extract<FaultEvent, { kind: 'degrade' }>;
  t.deepEqual(one.links, [
    ['n1', 'n0'],
    ['n2', 'n0'],
  ]);
  t.is(one.addedLatencyUs, 20_000);
});

test('clog holds until the end of `for`; clock faults with `for` are undone', (t) => {
  const events = timeline(
    ['  - { at: 3s, for: 2s, clog: { from: [n1, n2], to: n0, oneWay: true } }', '  - { at: 1s, for: 1s, clockSkew: { node: n1, by: -250ms } }', '  - { at: 1s, for: 1s, clockDrift: { node: n2, ppm: 100 } }', ''].join('\n'),
    'nodes: 3',
    'hosts: { overrides: { n2: { clock: { driftPpm: 7 } } } }\n',
  );
  t.deepEqual(events.map(brief), ['1s clockSkew n1 fault', '1s clockDrift n2 fault', '2s clockSkew n1 for', '2s clockDrift n2 for', '3s clog n1>n0 n2>n0 fault', '5s unclog n1>n0 n2>n0 for']);
  t.like(events[2]!, { kind: 'clockSkew', byUs: 250_000 });
  t.like(events[3]!, { kind: 'clockDrift', ppm: 7 });
  t.like(events[4]!, { kind: 'clog', untilUs: 5_000_000 });
});

test('a rolling restart crashes and restarts each member in turn', (t) => {
  const events = timeline('  - { at: 1m, rollingRestart: { downtime: 10s, gap: 20s } }\n', 'nodes: 3');
  t.deepEqual(events.map(brief), ['60s crash n0 fault', '70s restart n0 fault', '90s crash n1 fault', '100s restart n1 fault', '120s crash n2 fault', '130s restart n2 fault']);
  const listed = timeline('  - { at: 1m, rollingRestart: { nodes: [n2, n0], downtime: 10s, gap: 0s } }\n', 'nodes: 3');
  t.deepEqual(listed.map(brief), ['60s crash n2 fault', '70s restart n2 fault', '70s crash n0 fault', '80s restart n0 fault']);
});

test('membership: a node declared initial: false joins, leaves, and a removed node stays out', (t) => {
  const events = timeline(
    ['  - { at: 1m, join: late }', '  - { at: 2m, crash: late }', '  - { at: 3m, remove: late }', '  - { at: 4m, leave: a }', ''].join('\n'),
    'nodes: [{ name: a }, { name: b }, { name: c }, { name: late, initial: false }]',
  );
  t.deepEqual(events.map(brief), ['60s join late fault', '120s crash late fault', '180s remove late fault', '240s leave a fault']);
});

test('symbolic contradictions are reported at the entry that causes them', (t) => {
  const r = parseScenario(
    [
      'name: t',
      'cluster: { nodes: [{ name: a }, { name: b }, { name: c }, { name: late, initial: false }] }',
      'faults:',
      '  - { at: 1s, crash: late }',
      '  - { at: 2s, join: a }',
      '  - { at: 3s, leave: b }',
      '  - { at: 4s, crash: b }',
      '  - { at: 5s, resume: c }',
      '  - { at: 6s, crash: c }',
      '  - { at: 7s, leave: c }',
      '  - { at: 8s, restart: c, for: 1s }',
      '  - { at: 9s, clog: { from: a, to: c } }',
      '  - { at: 10s, rollingRestart: { downtime: 1m, gap: 1s } }',
      '  - { at: 11s, partition: { splitDc: true } }',
      '  - { at: 12s, partition: { groups: [[a], [c]], oneWay: true } }',
      '  - { at: 13s, partition: { groups: [[a, c], [c]] } }',
      '',
    ].join('\n'),
    { file: 't.yaml' },
  );
  t.false(r.ok);
  if (r.ok) return;
  const text = formatProblems(r.problems);
  const expected = [
    't.yaml:4:22: faults.0.crash: cannot crash late at 1s: it has not joined the cluster',
    't.yaml:5:21: faults.1.join: cannot join a at 2s: it is up (expected a node that is not yet joined or no longer a member)',
    't.yaml:7:22: faults.3.crash: cannot crash b at 4s: it left the cluster at 3s (faults.2)',
    't.yaml:8:23: faults.4.resume: cannot resume c at 5s: it is up (expected a node that is paused)',
    't.yaml:10:22: faults.6.leave: cannot leave c at 7s: it is already down since 6s (faults.5) (expected a node that is up)',
    't.yaml:11:32: faults.7.for: unexpected field "for": restart is instantaneous',
    't.yaml:12:21: faults.8.clog: expected a `for` beside clog',
    't.yaml:13:32: faults.9.rollingRestart: expected the rolling restart to end before the end of the fault phase (duration 1m): 2 node(s) × (downtime 1m + gap 1s) from 10s ends at 2m11s',
  ];
  for (const line of expected) t.true(text.includes(line), `missing:\n${line}\nin:\n${text}`);
  t.regex(text, /faults\.10\.partition\.splitDc: expected nodes in two datacenters or more, got only "dc0"/);
  t.regex(text, /faults\.12\.partition\.groups\.1\.0: expected disjoint groups, got node c in groups 0 and 1/);
  t.notRegex(text, /faults\.11/, 'a one-way partition of two groups is fine');
});

test('the fixtures have the expected timelines', (t) => {
  const q = loadScenario('test/scenario/fixtures/quickstart.yaml');
  t.true(q.ok);
  if (q.ok) t.deepEqual(q.scenario.timeline.map(brief), ['30s crash n3 fault', '50s restart n3 for']);
  const f = loadScenario('test/scenario/fixtures/full.yaml');
  t.true(f.ok);
  if (!f.ok) return;
  const tl = f.scenario.timeline;
  t.is(tl.length, 34);
  for (let i = 1; i < tl.length; i++) t.true(tl[i - 1]!.atUs <= tl[i]!.atUs, 'sorted by time');
  t.deepEqual(tl.filter((e) => e.cause === 'liveness').map(brief), ['600s heal a1,a2,a3,b1|b2,b3,spare liveness']);
});
