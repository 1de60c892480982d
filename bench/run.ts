/**
 * The benchmark harness: `npm run bench [-- <bench>... [options]]`, i.e.
 * `node dist/bench/run.js [<bench>...] [--reps N] [--quick] [--no-peers] ...`.
 *
 * Every benchmark is a module exporting a `Bench` ({ name, description,
 * run(opts) }) registered in BENCHES below. With no names, all registered
 * benchmarks run. Each one's section is merged into bench/results.json under
 * its name (other sections keep their last results), written atomically
 * (temp file + rename) after each benchmark.
 *
 * Options (environment variables in brackets):
 *   --reps N          timed repetitions per engine, median reported [BENCH_REPS] (default 5; 1 with --quick)
 *   --quick           smoke run: 1 rep, fewer events for slow peers   [BENCH_QUICK=1]
 *   --no-peers        dynasim only (no SimPy, no ns-3)                 [BENCH_NO_PEERS=1]
 *   --no-simpy, --no-ns3
 *   --<key> <value>   passed to the benchmarks (e.g. hold: --simpy-events N, --events N, --pending N,
 *                     --mean-us N, --sparse-mean-us N)
 *   --list            list the registered benchmarks
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Bench, type BenchOptions, machineInfo } from './common.js';
import { holdBench } from './hold_bench.js';
import { dynamoBench } from './dynamo_bench.js';
import { sweepBench } from './sweep_bench.js';
import { traceBench } from './trace_bench.js';
import { clusterBench } from './cluster_bench.js';

/** The registry: add new benchmarks here. */
const BENCHES: Bench[] = [holdBench, dynamoBench, clusterBench, sweepBench, traceBench];

const BOOLEAN_FLAGS = new Set(['quick', 'no-peers', 'no-simpy', 'no-ns3', 'list', 'help']);

interface Args {
  names: string[];
  flags: Record<string, string>;
}

function parseArgs(argv: string[]): Args {
  const names: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      names.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const key = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (eq >= 0) flags[key] = a.slice(eq + 1);
    else if (BOOLEAN_FLAGS.has(key)) flags[key] = '1';
    else {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new Error(`option --${key} needs a value`);
      flags[key] = v;
      i++;
    }
  }
  return { names, flags };
}

/** The directory holding package.json, from dist/bench/ or bench/ (tsx). */
function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('bench: package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

function readResults(file: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      console.warn(`bench: ${file} is unreadable (${(e as Error).message}); starting a new one`);
    }
  }
  return {};
}

function writeAtomic(file: string, data: unknown): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

function mergeSection(file: string, name: string, section: Record<string, unknown>): void {
  const all = readResults(file);
  const benches = (all.benches !== null && typeof all.benches === 'object' ? all.benches : {}) as Record<string, unknown>;
  benches[name] = section;
  writeAtomic(file, {
    schema: 1,
    note: 'one section per benchmark (bench/run.ts BENCHES); each section records its own timestamp and machine',
    updatedAt: new Date().toISOString(),
    machine: machineInfo(),
    benches,
  });
}

async function main(): Promise<number> {
  const { names, flags } = parseArgs(process.argv.slice(2));
  if (flags.help !== undefined || flags.list !== undefined) {
    if (flags.help !== undefined) {
      console.log('usage: node dist/bench/run.js [<bench>...] [--reps N] [--quick] [--no-peers] [--no-simpy] [--no-ns3] [--<key> <value>]');
    }
    for (const b of BENCHES) console.log(`  ${b.name.padEnd(12)} ${b.description}`);
    return 0;
  }
  const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length > 0) {
    console.error(`bench: unknown benchmark(s) ${unknown.join(', ')}; registered: ${BENCHES.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const selected = names.length === 0 ? BENCHES : BENCHES.filter((b) => names.includes(b.name));

  const env = process.env;
  const quick = flags.quick !== undefined || env.BENCH_QUICK === '1';
  const repsRaw = flags.reps ?? env.BENCH_REPS ?? (quick ? '1' : '5');
  const reps = Number(repsRaw);
  if (!Number.isSafeInteger(reps) || reps < 1) {
    console.error(`bench: --reps must be a positive integer, got ${repsRaw}`);
    return 2;
  }
  const peers = flags['no-peers'] === undefined && env.BENCH_NO_PEERS !== '1';
  const extra = { ...flags };
  delete extra.reps;
  delete extra.quick;
  delete extra['no-peers'];

  const root = findRoot();
  const resultsFile = path.join(root, 'bench', 'results.json');
  const machine = machineInfo();
  console.log(`machine: ${String(machine.cpuModel)} x${String(machine.cpuCount)}, node ${process.version}`);
  const load1 = os.loadavg()[0]!;
  if (load1 > 0.5) {
    console.log(`warning: load average ${load1.toFixed(2)}: other processes are running; the numbers will be noisy`);
  }

  let status = 0;
  for (const bench of selected) {
    console.log(`\n== ${bench.name}: ${bench.description}`);
    const opts: BenchOptions = { root, reps, quick, peers, extra, log: (line) => console.log(line) };
    const started = new Date().toISOString();
    const benchMachine = machineInfo();
    try {
      const section = await bench.run(opts);
      const loadAfter = os.loadavg().map((x) => Number(x.toFixed(2)));
      mergeSection(resultsFile, bench.name, {
        timestamp: started,
        machine: { ...benchMachine, loadavgAfter: loadAfter },
        options: { reps, quick, peers },
        ...section,
      });
      console.log(`(written to ${path.relative(process.cwd(), resultsFile) || resultsFile} under benches.${bench.name})`);
    } catch (e) {
      status = 1;
      console.error(`bench ${bench.name} failed: ${(e as Error).stack ?? String(e)}`);
    }
  }
  return status;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
