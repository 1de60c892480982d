import test from 'ava';
import { fromSpec, type DistributionSpec } from '../../sim/distributions.js';
import { checkScenario, loadScenario, parseScenario } from '../../src/scenario/load.js';
import type { ResolvedScenario } from '../../src/scenario/resolve.js';

const FIXTURES = 'test/scenario/fixtures';

function load(path: string): ResolvedScenario {
  const r = loadScenario(path);
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`).join('\n'));
  return r.scenario;
}

function resolveText(text: string): ResolvedScenario {
  const r = parseScenario(text, { file: 'inline.yaml' });
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`).join('\n'));
  return r.scenario;
}

test('a scenario with only a name gets every default', (t) => {
  const s = resolveText('name: minimal\n');
  t.is(s.name, 'minimal');
  t.is(s.description, '');
  t.is(s.seed, null);
  t.is(s.durationUs, 60_000_000);
  t.is(s.warmupUs, 0);
  t.is(s.livenessUs, 60_000_000);
  const c = s.cluster;
  t.deepEqual(
    c.nodes.map((n) => n.name),
    ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'],
  );
  t.true(c.nodes.every((n) => n.dc === 'dc0' && n.rack === 'r0' && n.weight === 1 && n.initial));
  t.deepEqual(c.datacenters, ['dc0']);
  t.deepEqual(c.partitioning, { strategy: 3, tokens: 64, partitions: 1024 });
  t.deepEqual(c.quorum, { n: 3, r: 2, w: 2 });
  t.true(c.sloppyQuorum);
  t.is(c.coordination, 'server');
  t.false(c.dcAwarePlacement);
  t.is(c.requestTimeoutUs, 300_000);
  t.deepEqual(c.readRepair, { enabled: true, waitUs: 300_000 });
  t.deepEqual(c.storage, { engine: 'bdb', writeBuffer: 1000, durableWrites: 1, flushIntervalUs: 10_000 });
  t.deepEqual(c.hints, { scanIntervalUs: 10_000_000, maxPerNode: 100_000 });
  t.deepEqual(c.failureDetector, { timeoutUs: 300_000, retryIntervalUs: 1_000_000 });
  t.deepEqual(c.gossip, { intervalUs: 1_000_000, seeds: ['n0', 'n1'] });
  t.deepEqual(c.antiEntropy, { enabled: true, intervalUs: 15_000_000, concurrency: 2, fanout: 1024, depth: 2 });
  t.deepEqual(c.vclock, { maxEntries: 10 });
  t.deepEqual(c.admissionControl, { enabled: true, targetUs: 50_000, windowUs: 60_000_000, percentile: 99 });
  t.is(c.clientRefreshUs, 10_000_000);
  t.deepEqual(c.transfer, { bandwidthBytesPerSec: 10_000_000 });
  t.deepEqual(c.limits, { maxSiblings: 100, maxKeysPerNode: 10_000_000 });
  t.deepEqual(c.nodes[0]!.host, {
    cpu: { workers: 4, serviceUs: { exponential: { mean: 100 } } },
    disk: { channels: 4, readUs: { lognormal: { median: 500, p99: 10_000 } }, writeUs: { lognormal: { median: 800, p99: 15_000 } } },
    clock: { driftPpm: 0, maxOffsetUs: 0 },
  });
  t.deepEqual(s.network, {
    preset: null,
    presetLegs: null,
    latency: {
      sameRackUs: { lognormal: { median: 200, p99: 2_000 } },
      sameDcUs: { lognormal: { median: 500, p99: 5_000 } },
      crossDcUs: { lognormal: { median: 40_000, p99: 100_000 } },
    },
    lossProbability: 0,
    duplicateProbability: 0,
    bandwidthBytesPerSec: 125_000_000,
  });
  t.deepEqual(s.workload.populations, [
    {
      name: 'default',
      arrivals: { type: 'open', ratePerSec: 100, curve: { kind: 'constant' }, flashCrowds: [] },
      keys: { count: 10_000, popularity: { kind: 'uniform' } },
      mix: { get: 0.5, put: 0, rmw: 0.5 },
      reconcile: 'merge',
      valueSizeBytes: { lognormal: { median: 10_240, p99: 102_400 } },
      busyRobots: { writers: 0, keys: 10, thinkUs: { constant: 10_000 } },
      coordination: 'server',
      dcs: ['dc0'],
    },
  ]);
  t.deepEqual(s.timeline, []);
  t.is(s.nemesis, null);
  t.deepEqual(s.sla, { p50Us: null, p90Us: null, p99Us: null, p999Us: null, p9999Us: null, maxUs: null, availability: null, latencyForUs: 300_000 });
  t.deepEqual(s.checks, ['converged']);
});

test('computed defaults follow the fields they depend on', (t) => {
  const s = resolveText('name: x\nphases: { liveness: 0s }\ncluster: { requestTimeout: 1s, coordination: client, storage: { engine: memory } }\n');
  t.is(s.cluster.readRepair.waitUs, 1_000_000);
  t.is(s.cluster.failureDetector.timeoutUs, 1_000_000);
  t.is(s.sla.latencyForUs, 1_000_000);
  t.is(s.workload.populations[0]!.coordination, 'client');
  t.deepEqual(s.cluster.nodes[0]!.host.disk.readUs, { constant: 5 });
  t.deepEqual(s.checks, []);
  const mysql = resolveText('name: x\ncluster: { storage: { engine: mysql } }\n');
  t.deepEqual(mysql.cluster.nodes[0]!.host.disk.writeUs, { lognormal: { median: 1_600, p99: 30_000 } });
});

test('a node count is spread round-robin over datacenters, then racks', (t) => {
  const s = resolveText('name: x\ncluster: { nodes: 6, datacenters: [east, west], racksPerDc: 2 }\n');
  t.deepEqual(
    s.cluster.nodes.map((n) => `${n.name}@${n.dc}/${n.rack}`),
    ['n0@east/r0', 'n1@west/r0', 'n2@east/r1', 'n3@west/r1', 'n4@east/r0', 'n5@west/r0'],
  );
  t.deepEqual(s.workload.populations[0]!.dcs, ['east', 'west']);
});

test('a node list keeps its order; dc defaults to the first datacenter; datacenters default to those named', (t) => {
  const s = resolveText('name: x\ncluster:\n  nodes: [{ name: a, dc: eu }, { name: b, dc: us, rack: r9, weight: 2 }, { name: c, dc: eu, initial: false }]\n  quorum: { n: 2 }\n');
  t.deepEqual(s.cluster.datacenters, ['eu', 'us']);
  t.deepEqual(
    s.cluster.nodes.map((n) => [n.name, n.dc, n.rack, n.weight, n.initial]),
    [
      ['a', 'eu', 'r0', 1, true],
      ['b', 'us', 'r9', 2, true],
      ['c', 'eu', 'r0', 1, false],
    ],
  );
  const d = resolveText('name: x\ncluster:\n  datacenters: [west]\n  nodes: [{ name: a }, { name: b }, { name: c }]\n');
  t.true(d.cluster.nodes.every((n) => n.dc === 'west'));
});

test('null or empty fields take their defaults', (t) => {
  const s = resolveText('name: x\ncluster:\nnetwork: ~\nhosts:\n  disk:\n    read: null\n');
  t.is(s.cluster.nodes.length, 8);
  t.deepEqual(s.cluster.nodes[0]!.host.disk.readUs, { lognormal: { median: 500, p99: 10_000 } });
});

test('the full fixture resolves every section into base units', (t) => {
  const s = load(`${FIXTURES}/full.yaml`);
  t.is(s.seed, '42');
  t.is(s.durationUs, 600_000_000);
  t.is(s.warmupUs, 30_000_000);
  t.is(s.livenessUs, 120_000_000);
  const a3 = s.cluster.nodes.find((n) => n.name === 'a3')!;
  t.deepEqual(a3.host.disk.writeUs, { uniform: [10_000, 30_000] });
  t.deepEqual(a3.host.disk.readUs, { mixture: [{ weight: 0.9, dist: { constant: 1_000 } }, { weight: 0.1, dist: { pareto: { xm: 5_000, alpha: 1.5 } } }] });
  t.is(a3.host.clock.driftPpm, -100);
  t.is(a3.host.clock.maxOffsetUs, 5_000);
  t.deepEqual(s.cluster.nodes.find((n) => n.name === 'b1')!.host.disk.writeUs, { lognormal: { median: 1_600, p99: 30_000 } }, 'mysql profile');
  t.deepEqual(s.cluster.nodes[0]!.host.cpu.serviceUs, { lognormal: { mu: Math.log(50), sigma: 0.5 } });
  t.is(s.network.preset, 'WAN');
  t.deepEqual(s.network.presetLegs!.W, { local: { preset: 'WAN', leg: 'W' }, remote: { preset: 'WAN', leg: 'W', remote: true } });
  t.deepEqual(s.network.latency.crossDcUs, { shifted: { dist: { lognormal: { median: 1_000, p99: 10_000 } }, by: 70_000 } });
  t.is(s.network.lossProbability, 0.001);
  t.is(s.network.bandwidthBytesPerSec, 1_250_000_000);
  t.is(s.cluster.transfer.bandwidthBytesPerSec, 50_000_000);
  const [shoppers, sessions, batch] = s.workload.populations;
  t.deepEqual(shoppers!.arrivals, {
    type: 'open',
    ratePerSec: 300,
    curve: { kind: 'diurnal', periodUs: 600_000_000, amplitude: 0.3, peakAtUs: 300_000_000 },
    flashCrowds: [{ atUs: 120_000_000, forUs: 30_000_000, factor: 5, hotKeys: 10 }],
  });
  t.deepEqual(shoppers!.keys.popularity, { kind: 'hotspot', fraction: 0.01, probability: 0.9 });
  t.deepEqual(shoppers!.busyRobots, { writers: 4, keys: 5, thinkUs: { exponential: { mean: 10_000 } } });
  t.deepEqual(shoppers!.valueSizeBytes, { lognormal: { median: 20_480, p99: 204_800 } });
  t.deepEqual(shoppers!.dcs, ['east']);
  t.deepEqual(sessions!.arrivals, {
    type: 'closed',
    clients: 20,
    thinkUs: { empirical: { cdf: [[10_000, 0.5], [100_000, 0.9], [1_000_000, 1]] } },
  });
  t.deepEqual(sessions!.valueSizeBytes, { constant: 1_000 });
  t.is(sessions!.coordination, 'server');
  t.is(batch!.coordination, 'client');
  t.deepEqual(batch!.arrivals.type === 'open' && batch!.arrivals.curve, {
    kind: 'piecewise',
    points: [
      { atUs: 0, ratePerSec: 0 },
      { atUs: 60_000_000, ratePerSec: 50 },
      { atUs: 480_000_000, ratePerSec: 5 },
    ],
  });
  t.deepEqual(s.nemesis!.faults[0], {
    kind: 'crash',
    probability: 0.02,
    minStableUs: 60_000_000,
    durationUs: { exponential: { mean: 20_000_000 } },
    targets: ['a1', 'a2', 'a3', 'b1', 'b2', 'b3', 'spare'],
    loseDisk: true,
  });
  t.deepEqual(s.nemesis!.faults[4], {
    kind: 'degrade',
    probability: 0.01,
    minStableUs: 30_000_000,
    durationUs: { exponential: { mean: 10_000_000 } },
    targets: ['a1', 'a2', 'a3', 'b1', 'b2', 'b3', 'spare'],
    addedLatencyUs: 10_000,
    lossProbability: 0.005,
  });
  t.deepEqual(s.sla, { p50Us: 10_000, p90Us: null, p99Us: 100_000, p999Us: 300_000, p9999Us: null, maxUs: null, availability: 0.999, latencyForUs: 400_000 });
  t.deepEqual(s.checks, ['no-lost-writes', 'converged', 'read-your-writes']);
});

test('every distribution the fixtures resolve to is accepted by the kernel (sim fromSpec)', (t) => {
  const specs: [string, DistributionSpec][] = [];
  const collect = (v: unknown, path: string) => {
    if (typeof v !== 'object' || v === null) return;
    for (const [k, x] of Object.entries(v)) {
      if ((k.endsWith('Us') || k.endsWith('Bytes')) && typeof x === 'object' && x !== null && !Array.isArray(x)) specs.push([`${path}.${k}`, x as DistributionSpec]);
      else collect(x, `${path}.${k}`);
    }
  };
  for (const f of ['quickstart.yaml', 'full.yaml']) collect(load(`${FIXTURES}/${f}`), f);
  for (const leg of Object.values(load(`${FIXTURES}/full.yaml`).network.presetLegs!)) specs.push(['leg', leg.local], ['leg', leg.remote]);
  t.true(specs.length > 40);
  for (const [path, spec] of specs) t.notThrows(() => fromSpec(spec, path), path);
});

test('resolution is deterministic and does not depend on key order', (t) => {
  const a = load(`${FIXTURES}/full.yaml`);
  const b = load(`${FIXTURES}/full.yaml`);
  t.deepEqual(a, b);
  const x = checkScenario({ name: 'k', duration: '2m', cluster: { quorum: { n: 3, r: 1, w: 3 }, nodes: 4 } });
  const y = checkScenario({ cluster: { nodes: 4, quorum: { w: 3, r: 1, n: 3 } }, duration: '2m', name: 'k' });
  t.true(x.ok && y.ok);
  if (x.ok && y.ok) t.is(JSON.stringify(x.scenario), JSON.stringify(y.scenario));
});

test('checkScenario validates data built in code, without positions', (t) => {
  const r = checkScenario({ name: 'x', cluster: { quorum: { r: 5 } } }, { file: 'code' });
  t.false(r.ok);
  if (!r.ok) t.deepEqual(r.problems, [{ file: 'code', line: 0, column: 0, path: 'cluster.quorum.r', message: 'expected an integer <= n (3), got 5' }]);
});

test('a seed above 2^53 keeps every digit', (t) => {
  t.is(resolveText('name: x\nseed: 18446744073709551615\n').seed, '18446744073709551615');
  t.is(resolveText(`name: x\nseed: "${'ab'.repeat(20)}"\n`).seed, 'ab'.repeat(20));
});

test('JSON files are YAML too', (t) => {
  const s = resolveText(JSON.stringify({ name: 'json', duration: '30s', cluster: { nodes: 3 } }));
  t.is(s.durationUs, 30_000_000);
  t.is(s.cluster.nodes.length, 3);
});
