/**
 * `dynasim run | validate | explain | list`: the scenario commands. Each is a
 * function of its arguments and the CLI's io, returning an exit code; only
 * src/cli touches files, the clock and the terminal.
 */
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { formatDuration } from '../../../sim/time.js';
import { runScenario, type RunProgress } from '../../experiment/run.js';
import { renderMarkdown } from '../../report/markdown.js';
import { renderSummaryJson, writeReport } from '../../report/write.js';
import { explainScenario, formatProblems, loadScenario, type ResolvedScenario } from '../../scenario/index.js';
import { EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_OK, maxEventsFlags, maxEventsValid, quote, reportRunError, type CliIo } from '../io.js';
import { isSweepFile, resolveScenarioArg, shippedScenarios } from '../paths.js';
import { seedOrFresh } from '../seed.js';
import { determinismCommand } from './determinism.js';
import { closeTrace, openTrace } from './traceFile.js';

export interface ScenarioArgs {
  scenario: string;
  set?: readonly string[];
  duration?: string;
}

export interface RunArgs extends ScenarioArgs {
  seed?: string;
  out?: string;
  json?: boolean;
  progress?: boolean;
  /** Hard cap on simulated events (the run fails loudly with its seed beyond it). */
  maxEvents?: number;
  /** Write every event to this trace file (gzip when it ends in .gz). */
  trace?: string;
  /** Run twice (here and in a worker thread) and compare instead of reporting. */
  checkDeterminism?: boolean;
}

type Loaded = { ok: true; scenario: ResolvedScenario; data: unknown; file: string; overrides: string[] } | { ok: false; code: number };

/** Locate, read, override and validate a scenario; on failure print every problem and give exit code 2. */
export function load(args: ScenarioArgs, io: CliIo): Loaded {
  const located = resolveScenarioArg(args.scenario);
  if ('error' in located) {
    io.err(`dynasim: ${located.error}`);
    return { ok: false, code: EXIT_BAD_INPUT };
  }
  if (isSweepFile(located.file)) {
    io.err(`dynasim: ${args.scenario} is a sweep file: use "dynasim sweep ${args.scenario}" ("dynasim sweep ${args.scenario} --dry-run" checks it and lists its configurations without running)`);
    return { ok: false, code: EXIT_BAD_INPUT };
  }
  const overrides = [...(args.set ?? [])];
  if (args.duration !== undefined) overrides.push(`duration=${args.duration}`);
  const result = loadScenario(located.file, { overrides });
  if (!result.ok) {
    io.err(formatProblems(result.problems));
    io.err(`dynasim: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} in ${located.file}; nothing was simulated.`);
    return { ok: false, code: EXIT_BAD_INPUT };
  }
  return { ok: true, scenario: result.scenario, data: result.data, file: located.file, overrides };
}

export function reproduceCommand(args: ScenarioArgs, seed: string, extra: string[] = []): string {
  const parts = ['dynasim', 'run', quote(args.scenario), '--seed', seed];
  for (const s of args.set ?? []) parts.push('--set', quote(s));
  if (args.duration !== undefined) parts.push('--duration', quote(args.duration));
  return [...parts, ...extra].join(' ');
}

export async function runCommand(args: RunArgs, io: CliIo): Promise<number> {
  if (!maxEventsValid(args.maxEvents, io)) return EXIT_BAD_INPUT;
  const loaded = load(args, io);
  if (!loaded.ok) return loaded.code;
  const scenario = loaded.scenario;
  let seed: string;
  try {
    seed = seedOrFresh(args.seed ?? scenario.seed ?? undefined);
  } catch (e) {
    io.err(`dynasim: ${(e as Error).message}`);
    return EXIT_BAD_INPUT;
  }
  const reproduce = reproduceCommand(args, seed);
  // The seed comes first, always (on stderr with --json so stdout stays JSON).
  (args.json ? io.err : io.out)(`seed ${seed}`);
  if (args.checkDeterminism && args.trace !== undefined) {
    io.err('dynasim: --check-determinism runs twice and writes no report or trace: drop --trace (record the trace in a normal run)');
    return EXIT_BAD_INPUT;
  }
  if (args.checkDeterminism) return determinismCommand(scenario, seed, reproduceCommand(args, seed, [...maxEventsFlags(args.maxEvents), '--check-determinism']), io, args.maxEvents);
  const trace = args.trace === undefined ? null : openTrace(args.trace, { seed, command: reproduce, scenario }, io);
  if (trace === false) return EXIT_BAD_INPUT;
  const showBar = io.stderrIsTty && args.progress !== false;
  const bar = showBar
    ? new SingleBar({ format: '{bar} {percentage}% | {sim} simulated | {eps} events/s | {ops} ops', hideCursor: true, clearOnComplete: true, stream: process.stderr })
    : null;
  const started = performance.now();
  bar?.start(1000, 0, { sim: '0s', eps: '-', ops: 0 });
  const onProgress = (p: RunProgress) => {
    if (bar === null) return;
    const elapsedMs = performance.now() - started;
    bar.update(Math.round((p.simulatedUs / p.totalUs) * 1000), {
      sim: formatDuration(Math.round(p.simulatedUs / 1e6) * 1e6),
      eps: elapsedMs > 0 ? Math.round((p.events / elapsedMs) * 1000).toLocaleString('en-US') : '-',
      ops: p.operations.toLocaleString('en-US'),
    });
  };
  let result;
  try {
    result = runScenario(scenario, {
      seed,
      wallClockMs: () => performance.now(),
      onProgress,
      ...(args.maxEvents !== undefined ? { maxEvents: args.maxEvents } : {}),
      ...(trace !== null ? { traceSink: trace, onBuilt: (c) => trace.setHosts(c.world.hosts.map((h) => h.name)) } : {}),
    });
  } catch (e) {
    trace?.abort();
    bar?.stop();
    return reportRunError(e, reproduceCommand(args, seed, maxEventsFlags(args.maxEvents)), io);
  }
  bar?.stop();
  if (trace !== null && !closeTrace(trace, result.summary, args.json ? io.err : io.out, io)) return EXIT_BAD_INPUT;
  const summary = result.summary;
  const dir = args.out ?? path.join('reports', scenario.name, seed);
  try {
    writeReport(dir, summary);
  } catch (e) {
    io.err(`dynasim: cannot write the report to ${dir}: ${(e as Error).message}`);
    return EXIT_BAD_INPUT;
  }
  if (args.json) io.out(renderSummaryJson(summary));
  else {
    io.out(renderMarkdown(summary));
    io.out(`report: ${path.join(dir, 'report.html')} (summary.json, summary.md beside it)`);
  }
  const failed = summary.checks.filter((c) => !c.pass);
  if (failed.length > 0) {
    io.err(`dynasim: ${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.map((c) => c.name).join(', ')}`);
    io.err(`reproduce: ${reproduce}`);
    return EXIT_CHECK_FAILED;
  }
  if (!args.json) io.out(`reproduce: ${reproduce}`);
  return EXIT_OK;
}

export function validateCommand(args: ScenarioArgs, io: CliIo): number {
  const loaded = load(args, io);
  if (!loaded.ok) return loaded.code;
  const s = loaded.scenario;
  io.out(`ok: ${loaded.file} is a valid scenario "${s.name}" (${s.cluster.nodes.length} nodes, N/R/W ${s.cluster.quorum.n}/${s.cluster.quorum.r}/${s.cluster.quorum.w}, ${formatDuration(s.durationUs)}, ${s.timeline.length} fault events)`);
  return EXIT_OK;
}

export function explainCommand(args: ScenarioArgs, io: CliIo): number {
  const loaded = load(args, io);
  if (!loaded.ok) return loaded.code;
  io.out(explainScenario(loaded.scenario));
  return EXIT_OK;
}

export function listCommand(io: CliIo): number {
  const shipped = shippedScenarios();
  if (shipped.length === 0) {
    io.out('no shipped scenarios found');
    return EXIT_OK;
  }
  const width = Math.max(...shipped.map((s) => s.name.length));
  const scenarios = shipped.filter((s) => s.kind === 'scenario');
  const sweeps = shipped.filter((s) => s.kind === 'sweep');
  for (const s of scenarios) io.out(`${s.name.padEnd(width)}  ${s.description}`);
  io.out(`\nrun one with: dynasim run <name>   (or give a path to your own file)`);
  if (sweeps.length > 0) {
    io.out('\nsweeps (many runs, compared):');
    for (const s of sweeps) io.out(`${s.name.padEnd(width)}  ${s.description}`);
    io.out(`\nrun one with: dynasim sweep <name> [--jobs J]   (see docs/sweeps.md)`);
  }
  return EXIT_OK;
}
