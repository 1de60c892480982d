/**
 * One `dynasim` command in this process, timed: `node dist/bench/traceRun.js <dynasim args...>`
 * prints JSON { code, wallMs, peakRssMiB } (the CLI's own output is discarded).
 * Used by bench/trace_bench.ts so start-up time does not dilute the ratio.
 */
import { main } from '../src/cli/main.js';

const argv = process.argv.slice(2);
const start = performance.now();
const code = await main(argv, { out: () => {}, err: () => {}, stderrIsTty: false });
const wallMs = performance.now() - start;
process.stdout.write(JSON.stringify({ code, wallMs, peakRssMiB: process.resourceUsage().maxRSS / 1024 }) + '\n');
