/**
 * `dynasim sweep | compare | merge`: many runs of one scenario, in parallel
 * on worker threads, written run by run to a folder and merged into a
 * comparison report (docs/sweeps.md).
 *
 * This is the shell: it reads the wall clock, owns the progress bar and
 * Ctrl-C, and prints. Planning (src/experiment/sweep.ts), the pool
 * (pool.ts), aggregation (aggregate.ts) and the files (src/report) are
 * below it.
 */
import os from 'node:os';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { comparisonRun, buildComparison } from '../../experiment/aggregate.js';
import { JOBS_MAX, runPool, type TaskDone, type WorkerTask } from '../../experiment/pool.js';
import { manifestFor, planMerge, runRecord, SWEEP_FILES_SCHEMA_VERSION } from '../../experiment/results.js';
import { compareSpec, loadSweep, parseShard, planSweep, runOf, shardRuns, type Shard, type SweepPlan, type SweepSpec } from '../../experiment/sweep.js';
import type { ComparisonRun, SweepWall } from '../../report/comparison.js';
import { renderComparisonMarkdown } from '../../report/comparisonMarkdown.js';
import { clearRuns, readManifest, readRunRecord, readRunWall, readShardFolder, writeComparison, writeManifest, writeRunRecord, writeRunWall } from '../../report/sweepFiles.js';
import { formatProblems, loadScenario } from '../../scenario/index.js';
import { formatDurationUs } from '../../report/format.js';
import { EXIT_BAD_INPUT, EXIT_BUG, EXIT_CHECK_FAILED, EXIT_INTERRUPTED, EXIT_OK, maxEventsFlags, maxEventsValid, quote, type CliIo } from '../io.js';
import { findShipped, isSweepFile, resolveScenarioArg, shippedScenarios } from '../paths.js';
import { closest } from '../../scenario/errors.js';
import { reproduceCommand } from './scenario.js';
import { VERSION } from '../../version.js';

/** A path as the user would type it: relative to the working directory when inside it. */
function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export interface SweepRunArgs {
  jobs?: number;
  shard?: string;
  resume?: boolean;
  out?: string;
  set?: readonly string[];
  seed?: string;
  seeds?: number;
  progress?: boolean;
  dryRun?: boolean;
  maxEvents?: number;
}

export interface SweepArgs extends SweepRunArgs {
  file: string;
}

export interface CompareArgs extends SweepRunArgs {
  scenario: string;
  nrw: readonly string[];
}

export interface SweepCommandOptions {
  /** Abort the sweep (tests); by default Ctrl-C (SIGINT) does. */
  signal?: AbortSignal;
}

function problemsOut(io: CliIo, problems: Parameters<typeof formatProblems>[0], what: string): number {
  io.err(formatProblems(problems));
  io.err(`dynasim: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${what}; nothing was simulated.`);
  return EXIT_BAD_INPUT;
}

/** The base scenario of a sweep: a path relative to the sweep file was tried first; here a shipped scenario's name. */
function resolveBase(name: string): { file: string } | { error: string } {
  const shipped = shippedScenarios();
  const found = findShipped(shipped, name);
  if (found === undefined) {
    const scenarios = shipped.filter((x) => x.kind === 'scenario').map((x) => x.name);
    const suggestion = closest(name, scenarios);
    return { error: `no file ${JSON.stringify(name)} beside the sweep file and no shipped scenario of that name${suggestion ? `: did you mean "${suggestion}"?` : ''} (see "dynasim list")` };
  }
  if (found.kind === 'sweep') return { error: `${name} is a sweep, not a scenario: a sweep's base must be a scenario` };
  return { file: found.file };
}

export async function sweepCommand(args: SweepArgs, io: CliIo, options: SweepCommandOptions = {}): Promise<number> {
  const located = resolveScenarioArg(args.file, 'sweep');
  if ('error' in located) {
    io.err(`dynasim: ${located.error}`);
    return EXIT_BAD_INPUT;
  }
  if (!isSweepFile(located.file) && loadScenario(located.file).ok) {
    io.err(`dynasim: ${args.file} is a scenario, not a sweep file (a sweep starts with "kind: sweep"): run it with "dynasim run ${args.file}", or compare quorums with "dynasim compare ${args.file} --nrw 3,2,2 --nrw 3,1,1"`);
    return EXIT_BAD_INPUT;
  }
  const loaded = loadSweep(located.file, { resolveScenario: resolveBase, set: args.set ?? [], ...(args.seed !== undefined ? { seed: args.seed } : {}), ...(args.seeds !== undefined ? { repeats: args.seeds } : {}) });
  if (!loaded.ok) return problemsOut(io, loaded.problems, located.file);
  const again = ['dynasim', 'sweep', quote(args.file), ...commonFlags(args)];
  return executeSweep(loaded.spec, args, io, options, again);
}

export async function compareCommand(args: CompareArgs, io: CliIo, options: SweepCommandOptions = {}): Promise<number> {
  const located = resolveScenarioArg(args.scenario);
  if ('error' in located) {
    io.err(`dynasim: ${located.error}`);
    return EXIT_BAD_INPUT;
  }
  if (isSweepFile(located.file)) {
    io.err(`dynasim: ${args.scenario} is a sweep file: run it with "dynasim sweep ${args.scenario}"`);
    return EXIT_BAD_INPUT;
  }
  const base = loadScenario(located.file, { overrides: args.set ?? [] });
  if (!base.ok) return problemsOut(io, base.problems, located.file);
  const made = compareSpec({
    scenarioFile: located.file,
    scenarioName: base.scenario.name,
    scenarioSeed: base.scenario.seed ?? null,
    set: args.set ?? [],
    nrw: args.nrw,
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
    ...(args.seeds !== undefined ? { repeats: args.seeds } : {}),
  });
  if (!made.ok) {
    io.err(`dynasim: ${made.problem}`);
    return EXIT_BAD_INPUT;
  }
  const spec = made.spec;
  const again = ['dynasim', 'compare', quote(args.scenario), ...args.nrw.flatMap((v) => ['--nrw', quote(v)]), ...commonFlags(args)];
  return executeSweep(spec, args, io, options, again);
}

/** The flags that select the same sweep again (for the --resume hint). */
function commonFlags(args: SweepRunArgs): string[] {
  const out: string[] = [];
  for (const s of args.set ?? []) out.push('--set', quote(s));
  if (args.seed !== undefined) out.push('--seed', quote(args.seed));
  if (args.seeds !== undefined) out.push('--seeds', String(args.seeds));
  if (args.shard !== undefined) out.push('--shard', quote(args.shard));
  if (args.jobs !== undefined) out.push('--jobs', String(args.jobs));
  out.push(...maxEventsFlags(args.maxEvents));
  return out;
}

async function executeSweep(spec: SweepSpec, args: SweepRunArgs, io: CliIo, options: SweepCommandOptions, again: string[]): Promise<number> {
  let shard: Shard = { index: 1, count: 1 };
  if (args.shard !== undefined) {
    const parsed = parseShard(args.shard);
    if (!parsed.ok) {
      io.err(`dynasim: ${parsed.message}`);
      return EXIT_BAD_INPUT;
    }
    shard = parsed.shard;
  }
  const jobs = args.jobs ?? os.availableParallelism();
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > JOBS_MAX) {
    io.err(`dynasim: --jobs ${args.jobs}: expected an integer from 1 to ${JOBS_MAX} (worker threads; default: the number of cores, ${os.availableParallelism()})`);
    return EXIT_BAD_INPUT;
  }
  if (!maxEventsValid(args.maxEvents, io)) return EXIT_BAD_INPUT;
  const planned = planSweep(spec);
  if (!planned.ok) return problemsOut(io, planned.problems, spec.file);
  const plan = planned.plan;
  // Shards get a folder each by default, so shards started side by side do not share one.
  const out = args.out ?? (shard.count > 1 ? path.join('reports', plan.name, `shard-${shard.index}-of-${shard.count}`) : path.join('reports', plan.name));
  const mine = shardRuns(plan.totalRuns, shard);

  // The seed first, always (DESIGN.md): here the base seed and the seeds it derives.
  io.out(`sweep ${plan.name}: base seed ${plan.baseSeed} (seeds ${plan.seeds.join(', ')})`);
  io.out(
    `${plan.configurations.length} configuration${plan.configurations.length === 1 ? '' : 's'} × ${plan.repeats} seed${plan.repeats === 1 ? '' : 's'} = ${plan.totalRuns} runs of ${plan.scenario}` +
      (shard.count > 1 ? `; shard ${shard.index}/${shard.count}: ${mine.length} runs` : '') +
      `; sweep hash ${plan.hash.slice(0, 12)}`,
  );
  if (args.dryRun) {
    for (const c of plan.configurations) io.out(`  ${c.index}: ${Object.entries(c.values).map(([k, v]) => `${k}=${v}`).join(' ')}  (runs ${c.index * plan.repeats}-${(c.index + 1) * plan.repeats - 1})`);
    io.out('dry run: the sweep is valid; nothing was simulated.');
    return EXIT_OK;
  }

  // The folder: resume what matches, or start afresh.
  const existing = readManifest(out);
  let done = new Set<number>();
  if ('manifest' in existing && existing.manifest.sweepHash !== plan.hash && args.resume) {
    io.err(`dynasim: ${out} holds results of a different sweep ("${existing.manifest.plan.name}", hash ${existing.manifest.sweepHash.slice(0, 12)}; this one is ${plan.hash.slice(0, 12)}): --resume would mix them. Remove the folder or choose another --out.`);
    return EXIT_BAD_INPUT;
  }
  try {
    if (args.resume) {
      for (const i of mine) if (readRunRecord(out, i, plan.hash) !== null) done.add(i);
    } else {
      const removed = clearRuns(out);
      if (removed > 0) io.err(`dynasim: removed ${removed} run file${removed === 1 ? '' : 's'} of an earlier sweep from ${path.join(out, 'runs')} (--resume keeps matching ones)`);
      done = new Set();
    }
    writeManifest(out, manifestFor(plan, shard, displayPath(spec.scenarioFile)));
  } catch (e) {
    io.err(`dynasim: cannot write to ${out}: ${(e as Error).message}`);
    return EXIT_BAD_INPUT;
  }
  const tasks: WorkerTask[] = mine
    .filter((i) => !done.has(i))
    .map((i) => {
      const run = runOf(plan, i);
      return { index: i, scenarioFile: spec.scenarioFile, overrides: plan.configurations[run.configuration]!.overrides, seed: run.seed, ...(args.maxEvents !== undefined ? { maxEvents: args.maxEvents } : {}) };
    });
  const workers = Math.min(jobs, Math.max(1, tasks.length));
  if (args.resume) io.out(`resuming: ${done.size} of ${mine.length} runs already in ${out}; ${tasks.length} to run`);
  if (tasks.length > 0) io.out(`running ${tasks.length} run${tasks.length === 1 ? '' : 's'} on ${workers} worker thread${workers === 1 ? '' : 's'}; results go to ${path.join(out, 'runs')} as they finish`);

  // Progress, Ctrl-C, the pool.
  const showBar = io.stderrIsTty && args.progress !== false && tasks.length > 0;
  const bar = showBar
    ? new SingleBar({ format: '{bar} {value}/{total} runs | {rpm} runs/min | ETA {eta_formatted}', hideCursor: true, clearOnComplete: true, etaBuffer: 20, stream: process.stderr })
    : null;
  const started = performance.now();
  bar?.start(tasks.length, 0, { rpm: '-' });
  const controller = new AbortController();
  const signal = options.signal ?? controller.signal;
  const onSigint = () => controller.abort();
  if (options.signal === undefined) process.once('SIGINT', onSigint);
  let finished = 0;
  const onDone = (r: TaskDone) => {
    writeRunRecord(out, runRecord(plan, r.index, r.summary));
    writeRunWall(out, { index: r.index, wallMs: r.wallMs, eventsPerSec: r.eventsPerSec });
    finished++;
    const minutes = (performance.now() - started) / 60_000;
    bar?.update(finished, { rpm: minutes > 0 ? (finished / minutes).toFixed(1) : '-' });
  };
  let outcome;
  try {
    outcome = await runPool({ jobs: workers, tasks, onDone, signal });
  } catch (e) {
    bar?.stop();
    io.err(`dynasim: cannot write a run's results to ${out}: ${(e as Error).message}`);
    return EXIT_BAD_INPUT;
  } finally {
    if (options.signal === undefined) process.removeListener('SIGINT', onSigint);
  }
  bar?.stop();
  const wallMs = performance.now() - started;
  const resumeHint = [...again, '--out', quote(out), '--resume'].join(' ');
  if (outcome.status === 'interrupted') {
    const have = done.size + outcome.finished;
    io.err(`dynasim: interrupted: ${have} of ${mine.length} runs are finished and kept in ${path.join(out, 'runs')}.`);
    io.err(`continue with: ${resumeHint}`);
    return EXIT_INTERRUPTED;
  }
  if (outcome.status === 'failed') {
    const f = outcome.failure;
    if (f.index >= 0) {
      const run = runOf(plan, f.index);
      const reproduce = reproduceCommand({ scenario: spec.scenarioFile, set: plan.configurations[run.configuration]!.overrides }, run.seed, maxEventsFlags(args.maxEvents));
      if (f.error === 'bug') io.err(`dynasim: internal error in run ${f.index} (a bug in dynasim ${VERSION}; please report it with the command below): ${f.message}`);
      else io.err(`dynasim: run ${f.index} failed: ${f.message}`);
      io.err(`reproduce: ${reproduce}`);
    } else io.err(`dynasim: internal error (a bug in dynasim ${VERSION}): ${f.message}`);
    io.err(`the ${done.size + outcome.finished} finished runs are kept in ${path.join(out, 'runs')}; continue with: ${resumeHint}`);
    return f.error === 'bug' ? EXIT_BUG : EXIT_BAD_INPUT;
  }
  io.out(`${outcome.finished} run${outcome.finished === 1 ? '' : 's'} in ${formatDurationUs(Math.round(wallMs) * 1000)} wall (${workers} worker thread${workers === 1 ? '' : 's'})`);
  if (shard.count > 1) {
    io.out(`shard ${shard.index}/${shard.count} is complete: ${mine.length} runs in ${out}`);
    io.out(`when every shard is done: dynasim merge <the ${shard.count} shard folders> --out reports/${plan.name}`);
    return EXIT_OK;
  }
  return mergeAndReport([out], out, io, { jobs: workers, wallMs: Math.round(wallMs), runsSimulated: outcome.finished });
}

/** Merge folders into a comparison report in `out`; print it. */
function mergeAndReport(dirs: readonly string[], out: string | null, io: CliIo, wall: { jobs: number | null; wallMs: number | null; runsSimulated: number | null }): number {
  const unique = [...new Map(dirs.map((d) => [path.resolve(d), d])).values()];
  const merged = readAndPlanMerge(unique);
  if (!merged.ok) {
    for (const p of merged.problems) io.err(`dynasim: ${p}`);
    return EXIT_BAD_INPUT;
  }
  const plan = merged.plan;
  const comparison = buildComparison(plan, [...merged.runs.values()]);
  const dir = out ?? path.join('reports', plan.name);
  const perRun: SweepWall['runs'] = [];
  for (let i = 0; i < plan.totalRuns; i++) {
    const w = readRunWall(merged.sources[i]!, i);
    if (w !== null) perRun.push({ index: i, wallMs: w.wallMs, eventsPerSec: w.eventsPerSec });
  }
  const wallRecord: SweepWall = {
    schemaVersion: SWEEP_FILES_SCHEMA_VERSION,
    kind: 'dynasim-sweep-wall',
    sweepHash: plan.hash,
    jobs: wall.jobs,
    wallMs: wall.wallMs,
    runsSimulated: wall.runsSimulated,
    runs: perRun,
    cpuMs: perRun.reduce((a, r) => a + r.wallMs, 0),
  };
  let written;
  try {
    written = writeComparison(dir, comparison, wallRecord);
  } catch (e) {
    io.err(`dynasim: cannot write the comparison to ${dir}: ${(e as Error).message}`);
    return EXIT_BAD_INPUT;
  }
  io.out(renderComparisonMarkdown(comparison));
  io.out(`report: ${written.html} (summary.json, summary.md beside it; wall-clock figures in wall.json)`);
  const failing = comparison.configurations.filter((c) => c.checks.failedRuns > 0);
  if (failing.length > 0) {
    io.err(`dynasim: checks failed in ${failing.length} of ${comparison.configurations.length} configurations: ${failing.map((c) => `${c.label} (${c.checks.failed.map((f) => f.name).join(', ')})`).join('; ')}`);
    const first = comparison.runs.find((r) => r.checksFailed.length > 0)!;
    io.err(`reproduce run ${first.index}: ${reproduceCommand({ scenario: merged.scenarioFile, set: plan.configurations[first.configuration]!.overrides }, first.seed)}`);
    return EXIT_CHECK_FAILED;
  }
  return EXIT_OK;
}

/**
 * Read every folder's manifest first (for the plan), then its runs,
 * reducing each run to what the comparison needs as it is read.
 */
function readAndPlanMerge(dirs: readonly string[]): { ok: true; plan: SweepPlan; sources: string[]; scenarioFile: string; runs: Map<number, ComparisonRun> } | { ok: false; problems: string[] } {
  const planOf = new Map<string, SweepPlan>();
  for (const dir of dirs) {
    const m = readManifest(dir);
    if ('manifest' in m) planOf.set(m.manifest.sweepHash, m.manifest.plan);
  }
  const runs = new Map<number, ComparisonRun>();
  const folders = dirs.map((dir) =>
    readShardFolder(dir, (record) => {
      const plan = planOf.get(record.sweepHash);
      if (!runs.has(record.index) && plan !== undefined && record.index < plan.totalRuns) runs.set(record.index, comparisonRun(plan, record.index, record.summary));
    }),
  );
  const merged = planMerge(folders);
  if (!merged.ok) return merged;
  return { ...merged, runs };
}

export function mergeCommand(args: { dirs: readonly string[]; out?: string }, io: CliIo): number {
  if (args.dirs.length === 0) {
    io.err('dynasim: merge needs the folders of the shards, such as: dynasim merge shards/1 shards/2 shards/3');
    return EXIT_BAD_INPUT;
  }
  return mergeAndReport(args.dirs, args.out ?? null, io, { jobs: null, wallMs: null, runsSimulated: null });
}
