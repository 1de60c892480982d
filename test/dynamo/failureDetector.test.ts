/**
 * Local, traffic-driven failure detection (§4.8.3): only nodes that talk to
 * a crashed node mark it unreachable, after the configured timeout, and they
 * mark it reachable again once it answers their retries.
 */
import test from 'ava';
import { buildCluster } from '../../src/experiment/cluster.js';
import { MSG, type ClientGet } from '../../src/dynamo/messages.js';
import { preflistFor } from '../../src/dynamo/view.js';
import { AdmissionController } from '../../src/dynamo/admission.js';

test('a crashed node is marked unreachable by the node that talks to it, within the timeout; others have no opinion; it comes back after restart', (t) => {
  const cluster = buildCluster({ seed: 11, nodes: 6, config: { n: 3, r: 2, w: 2, requestTimeoutUs: 300_000, failureDetector: { retryIntervalUs: 1_000_000 } }, clients: [{ name: 'c', mode: 'server' }] });
  const { world } = cluster;
  const victim = 2;
  // A key replicated on the victim; a coordinator and a bystander outside its replicas.
  const key = Array.from({ length: 200 }, (_, i) => `k${i}`).find((k) => Array.from(preflistFor(cluster.view, cluster.hasher, k).slice(0, 3)).includes(victim))!;
  const top = Array.from(preflistFor(cluster.view, cluster.hasher, key).slice(0, 3));
  const outside = [0, 1, 2, 3, 4, 5].filter((n) => !top.includes(n));
  t.true(outside.length >= 2);
  const [coordinator, bystander] = outside as [number, number];
  const client = cluster.clientHosts[0]!;
  world.scheduler.at(100_000, () => world.faults.crash(victim));
  // One node coordinates one read; nobody else sends anything to the victim.
  world.scheduler.at(200_000, () => client.context.send(coordinator, MSG.get, { req: 1, key, client: client.id } satisfies ClientGet, 100));
  world.scheduler.runUntil(200_000 + 299_000);
  t.true(cluster.node(coordinator)!.fd.isReachable(victim), 'not before the timeout');
  world.scheduler.runUntil(200_000 + 302_000);
  t.false(cluster.node(coordinator)!.fd.isReachable(victim), 'unreachable for the coordinator once its request timed out');
  t.true(cluster.node(bystander)!.fd.isReachable(victim), 'the bystander never talked to it: no opinion');
  t.is(cluster.node(bystander)!.fd.unreachableCount, 0);
  world.scheduler.at(2_000_000, () => world.faults.restart(victim));
  world.scheduler.runUntil(3_200_000);
  t.true(cluster.node(coordinator)!.fd.isReachable(victim), 'reachable again after it answered a retry');
});

test('admission control halves the background rate when foreground p99 exceeds the target, and grants everything when disabled', (t) => {
  const on = new AdmissionController({ enabled: true, percentile: 99, windowUs: 60_000_000, targetUs: 50_000, maxRatePerSec: 1_000 });
  // Healthy foreground: 1 ms reads.
  for (let s = 0; s < 5; s++) for (let i = 0; i < 100; i++) on.recordRead(s * 1_000_000 + i * 1_000, 1_000);
  let granted = 0;
  for (let i = 0; i < 2_000; i++) if (on.tryAcquire(5_000_000 + i * 100)) granted++;
  t.true(on.foregroundLatencyUs() < 50_000);
  t.true(granted > 900, `granted while healthy: ${granted}`);
  // Sick foreground: a fifth of reads take 200 ms.
  for (let s = 6; s < 12; s++) for (let i = 0; i < 100; i++) on.recordRead(s * 1_000_000 + i * 1_000, i % 5 === 0 ? 200_000 : 1_000);
  t.true(on.foregroundLatencyUs() > 50_000);
  for (let s = 12; s < 20; s++) on.tryAcquire(s * 1_000_000);
  t.true(on.ratePerSec < 100, `rate after sick seconds: ${on.ratePerSec}`);
  t.true(on.stats.decreases >= 4);
  const off = new AdmissionController({ enabled: false, percentile: 99, windowUs: 60_000_000, targetUs: 50_000 });
  for (let i = 0; i < 100; i++) off.recordRead(i, 1_000_000);
  t.true(Array.from({ length: 10_000 }, (_, i) => off.tryAcquire(i)).every(Boolean));
  // A backward clock jump neither stalls the refill nor records negative latencies.
  const skewed = new AdmissionController({ enabled: true, percentile: 99, windowUs: 60_000_000, targetUs: 50_000, maxRatePerSec: 100 });
  for (let i = 0; i < 100; i++) skewed.tryAcquire(700_000_000 + i); // drain at local time 700 s
  skewed.recordRead(100_000_000, -5_000);
  let afterJump = 0;
  for (let i = 0; i < 50; i++) if (skewed.tryAcquire(100_000_000 + i * 100_000)) afterJump++; // the clock jumped back 600 s
  t.true(afterJump > 10, `grants after a backward jump: ${afterJump}`);
  t.true(skewed.foregroundLatencyUs() >= 0);
  // The window forgets: a minute later the sick seconds are gone.
  for (let i = 0; i < 100; i++) on.recordRead(90_000_000 + i * 1_000, 1_000);
  t.true(on.foregroundLatencyUs() < 50_000);
});
