/**
 * The determinism contract: the same seed gives the same digest in separate
 * processes (no shared module state, no wall clock, no ambient randomness).
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

async function demoDigest(seed: string, extra: string[] = []) {
  const { stdout } = await run(process.execPath, ['--import=tsx', 'src/cli/main.ts', 'demo', '--seed', seed, '--duration', '20s', '--json', ...extra], { cwd: root });
  return JSON.parse(stdout) as { digest: string; events: number; seed: string; messages: { dropped: number }; faults: number };
}

test('the kernel demo (hosts, network, nemesis faults) has the same digest in two processes', async (t) => {
  const [a, b] = await Promise.all([demoDigest('20261125'), demoDigest('20261125')]);
  t.is(a.seed, '20261125');
  t.regex(a.digest, /^[0-9a-f]{16}$/);
  t.is(a.digest, b.digest);
  t.is(a.events, b.events);
  t.true(a.faults > 0, 'the nemesis injected faults');
  t.true(a.messages.dropped > 0, 'some messages were dropped');
});

test('a different seed gives a different digest', async (t) => {
  const [a, b] = await Promise.all([demoDigest('1'), demoDigest('2')]);
  t.not(a.digest, b.digest);
});
