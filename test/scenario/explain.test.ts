import test from 'ava';
import { parse } from 'yaml';
import { explainScenario } from '../../src/scenario/explain.js';
import { loadScenario } from '../../src/scenario/load.js';
import type { ResolvedScenario } from '../../src/scenario/resolve.js';

function load(path: string): ResolvedScenario {
  const r = loadScenario(path);
  if (!r.ok) throw new Error('fixture should load');
  return r.scenario;
}

test('explain prints the resolved scenario as YAML with units back', (t) => {
  const text = explainScenario(load('test/scenario/fixtures/quickstart.yaml'));
  const [yamlPart] = text.split('\ntimeline:\n');
  const doc = parse(yamlPart!) as Record<string, any>;
  t.is(doc.name, 'quickstart');
  t.is(doc.duration, '2m');
  t.is(doc.warmup, '0s');
  t.is(doc.cluster.requestTimeout, '300ms');
  t.deepEqual(doc.cluster.readRepair, { enabled: true, wait: '300ms' });
  t.is(doc.cluster.transfer.bandwidth, '10MB/s');
  t.is(doc.network.bandwidth, '1Gbit/s');
  t.deepEqual(doc.network.latency.sameRack, { lognormal: { median: '200us', p99: '2ms' } });
  t.deepEqual(doc.cluster.nodes[0].host.disk.read, { lognormal: { median: '500us', p99: '10ms' } });
  t.is(doc.workload.populations[0].arrivals.rate, '500/s');
  t.deepEqual(doc.workload.populations[0].valueSize, { lognormal: { median: '10KiB', p99: '100KiB' } });
  t.is(doc.sla.p999, '300ms');
  t.is(doc.sla.availability, '99.9%');
  t.false(/Us:|PerSec:|Bytes:/.test(yamlPart!), 'no unit suffixes left');
});

test('explain ends with the fault timeline as a table', (t) => {
  const text = explainScenario(load('test/scenario/fixtures/quickstart.yaml'));
  const table = text.split('\ntimeline:\n')[1]!;
  t.is(
    table,
    ['  time  action   target  details', '  ----  -------  ------  ---------------', '  30s   crash    n3      faults.0', '  50s   restart  n3      end of faults.0', ''].join('\n'),
  );
  const full = explainScenario(load('test/scenario/fixtures/full.yaml'));
  t.regex(full, /1m +crash +a2 +loses its disk; faults\.0/);
  t.regex(full, /2m +partition +a1,a2,a3 \| b1,b2,b3 +faults\.1/);
  t.regex(full, /3m +partition +b2 -\/-> a1,a2,a3,b1,b3,spare +faults\.2/);
  t.regex(full, /4m +degrade +a1->a2 .* \(12 links\) +\+20ms, loss 1%; faults\.4/);
  t.regex(full, /5m +clockSkew +a3 +by -500ms; faults\.6/);
  t.regex(full, /9m +partition +a2,a3,b1 \| b2,b3,spare \(bridge a1\) +faults\.15/);
  t.regex(full, /10m +heal +a1,a2,a3,b1 \| b2,b3,spare +end of the fault phase \(10m\)/);
});

test('a scenario without faults says so', (t) => {
  const r = loadScenario('test/scenario/fixtures/quickstart.yaml', { overrides: ['faults=[]'] });
  t.true(r.ok);
  if (r.ok) t.true(explainScenario(r.scenario).endsWith('timeline:\n  (no faults)\n'));
});
