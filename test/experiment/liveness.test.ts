import test from 'ava';
import { buildCluster } from '../../src/experiment/cluster.js';
import { pendingWork, runUntilConverged } from '../../src/experiment/liveness.js';
import { preflistFor } from '../../src/dynamo/view.js';
import { History } from '../dynamo/harness.js';

test('a converged cluster reports nothing pending; hints and divergent replicas are named until they are repaired', (t) => {
  const cluster = buildCluster({ seed: 21, nodes: 5, config: { n: 3, r: 2, w: 2, sloppyQuorum: true, hints: { scanIntervalUs: 1_000_000 } }, clients: [{ name: 'c', mode: 'client' }] });
  const h = new History(cluster);
  for (let i = 0; i < 20; i++) h.at(10_000 + i * 10_000, () => h.put(0, `k${i}`, [], -1));
  h.run(1_000_000);
  t.deepEqual(pendingWork(cluster), []);
  // Crash a replica and keep writing: fallbacks take hints, and the victim misses writes.
  const victim = 1;
  h.at(1_100_000, () => cluster.world.faults.crash(victim));
  const keys = Array.from({ length: 20 }, (_, i) => `k${i}`).filter((k) => Array.from(preflistFor(cluster.view, cluster.hasher, k).slice(0, 3)).includes(victim));
  keys.forEach((k, i) => h.at(2_000_000 + i * 10_000, () => h.readModifyWrite(0, k)));
  h.run(3_000_000);
  const pending = pendingWork(cluster);
  t.true(pending.includes('n1 is down'), pending.join('; '));
  cluster.world.faults.restart(victim);
  h.run(3_100_000);
  // Each coordinator learned of the crash only when its own write to the victim timed out, so those
  // writes left no hint: the victim misses them, and without anti-entropy nothing repairs it.
  const report = runUntilConverged(cluster, { boundUs: 10_000_000 });
  t.false(report.converged);
  t.true(report.pending.length >= keys.length);
  t.true(report.pending.every((p) => /^partition \d+ differs between n\d and n\d \(1 key\)$/.test(p)), report.pending.join('; '));
  t.true(report.pending.every((p) => p.includes('n1')), 'every difference involves the victim');
  // Reading the keys repairs them (read repair); then the cluster converges.
  for (const k of keys) h.get(0, k);
  h.run(cluster.world.nowUs + 1_000_000);
  const after = runUntilConverged(cluster, { boundUs: 5_000_000 });
  t.true(after.converged, after.pending.join('; '));
});
