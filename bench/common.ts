/**
 * Shared types and helpers of the benchmark harness (bench/run.ts).
 *
 * A benchmark is a module exporting a `Bench`: a name and an async `run`
 * returning a JSON-serialisable section; bench/run.ts registers it in its
 * BENCHES list and merges the section into bench/results.json under its name.
 */
import os from 'node:os';

export interface BenchOptions {
  /** Repository root (the directory holding package.json). */
  root: string;
  /** Timed repetitions per engine (the median is reported). */
  reps: number;
  /** Smaller/faster configuration for a smoke run; recorded in the results. */
  quick: boolean;
  /** Run the external peers (SimPy, ns-3); false = dynasim only. */
  peers: boolean;
  /** Extra `--key value` options from the command line, for benches that want them. */
  extra: Record<string, string>;
  log: (line: string) => void;
}

export interface Bench {
  name: string;
  description: string;
  run(opts: BenchOptions): Promise<Record<string, unknown>>;
}

export interface Summary {
  /** Median of the samples (mean of the two middle ones for an even count). */
  median: number;
  min: number;
  max: number;
  reps: number;
  samples: number[];
}

export function summarize(samples: number[]): Summary {
  if (samples.length === 0) throw new Error('summarize: no samples');
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]!, reps: s.length, samples };
}

export function machineInfo(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    totalMemMiB: Math.round(os.totalmem() / 2 ** 20),
    platform: os.platform(),
    release: os.release(),
    arch: os.arch(),
    node: process.version,
    v8: process.versions.v8,
    /** 1/5/15-minute load averages when the benchmark started: > ~0.3 means something else was running. */
    loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

/** 4396470 -> "4,396,470". */
export function fmtInt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

export function fmtRatio(x: number | null): string {
  return x === null ? 'n/a' : `${x.toFixed(2)}x`;
}

/** A benchmark repetition in a child process that runs this long is stuck, not slow. */
export const CHILD_RUN_TIMEOUT_MS = 30 * 60_000;
