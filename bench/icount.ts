/**
 * Instructions per request on the request path, counted by valgrind: a
 * deterministic cost figure for A/B comparisons on a noisy machine (wall
 * times on a shared 2-vCPU VM vary ±10–20% run to run; this varies ~1%).
 *
 * It runs `bench/requestPath.js` under `valgrind --tool=cachegrind
 * --cache-sim=no` twice, for `lo` and `hi` requests, with `node
 * --single-threaded` (so the collector's and compiler's work is on the
 * counted thread), and prints (instructions(hi) - instructions(lo)) / (hi -
 * lo): start-up, cluster building and the JIT's tier-up before `lo` cancel
 * out. Instructions do not see cache misses: a change that only moves
 * memory traffic shows in wall time, not here (bench/README.md).
 *
 *   node dist/bench/icount.js [lo] [hi] [server|client]   (defaults 40000 140000 server; ~1 minute)
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function countInstructions(requests: number, mode: string): Promise<{ instructions: number; digest: string }> {
  return new Promise((resolve, reject) => {
    const args = ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', process.execPath, '--single-threaded', path.join(here, 'requestPath.js'), String(requests), mode];
    const child = spawn('valgrind', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', (e) => reject(new Error(`valgrind could not start (${e.message}); install it with apt-get install -y valgrind`)));
    child.on('close', (code) => {
      const refs = /I\s+refs:\s+([\d,]+)/.exec(err);
      if (code !== 0 || refs === null) return reject(new Error(`valgrind exited with ${code}:\n${err.slice(-2000)}`));
      resolve({ instructions: Number(refs[1]!.replace(/,/g, '')), digest: (JSON.parse(out) as { digest: string }).digest });
    });
  });
}

const isMain = process.argv[1] !== undefined && process.argv[1].endsWith('icount.js');
if (isMain) {
  const lo = Number(process.argv[2] ?? 40_000);
  const hi = Number(process.argv[3] ?? 140_000);
  const mode = process.argv[4] === 'client' ? 'client' : 'server';
  if (!(Number.isSafeInteger(lo) && Number.isSafeInteger(hi) && lo > 0 && hi > lo)) {
    process.stderr.write('usage: node dist/bench/icount.js [lo] [hi] [server|client]  (0 < lo < hi requests)\n');
    process.exit(2);
  }
  try {
    const [a, b] = await Promise.all([countInstructions(lo, mode), countInstructions(hi, mode)]);
    const perRequest = Math.round((b.instructions - a.instructions) / (hi - lo));
    process.stdout.write(`${JSON.stringify({ mode, lo, hi, instructionsPerRequest: perRequest, digest: b.digest })}\n`);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  }
}
