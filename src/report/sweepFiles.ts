/**
 * The files of a sweep folder (docs/sweeps.md):
 *
 *   manifest.json         the plan, the sweep's hash, the shard
 *   runs/<i>.json         run i's deterministic summary, written as soon as it finishes
 *   runs/<i>.wall.json    run i's wall-clock figures
 *   summary.json          the comparison (once every run is there)
 *   summary.md            the comparison as tables
 *   report.html           the comparison with d3 charts
 *   wall.json             the sweep's wall-clock figures
 *
 * Every file is written atomically (a temporary name in the same folder,
 * flushed, then renamed), so an interrupted sweep leaves only complete
 * run files behind, which `--resume` and `dynasim merge` rely on.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isManifest, isRunRecord, type RunWall, type ShardFolder, type SweepManifest, type SweepRunRecord } from '../experiment/results.js';
import type { Comparison, SweepWall } from './comparison.js';
import { renderComparisonHtml } from './comparisonHtml.js';
import { renderComparisonMarkdown } from './comparisonMarkdown.js';
import { TEMP_PREFIX, writeFileAtomic } from './atomic.js';
import { renderJson } from './write.js';

export const MANIFEST_JSON = 'manifest.json';
export const RUNS_DIR = 'runs';
export const WALL_JSON = 'wall.json';

export function writeManifest(dir: string, manifest: SweepManifest): string {
  return writeFileAtomic(dir, MANIFEST_JSON, renderJson(manifest));
}

export function writeRunRecord(dir: string, record: SweepRunRecord): string {
  return writeFileAtomic(join(dir, RUNS_DIR), `${record.index}.json`, renderJson(record));
}

export function writeRunWall(dir: string, wall: RunWall): string {
  return writeFileAtomic(join(dir, RUNS_DIR), `${wall.index}.wall.json`, renderJson(wall));
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The manifest of a folder, or why there is none. */
export function readManifest(dir: string): { manifest: SweepManifest } | { problem: string; missing: boolean } {
  let parsed: unknown;
  try {
    parsed = readJson(join(dir, MANIFEST_JSON));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { problem: `no ${MANIFEST_JSON}: not a sweep folder (or its shard never started)`, missing: true };
    return { problem: `${MANIFEST_JSON} is unreadable (${code ?? (e as Error).message})`, missing: false };
  }
  if (!isManifest(parsed)) return { problem: `${MANIFEST_JSON} is not a dynasim sweep manifest of schema version 1`, missing: false };
  return { manifest: parsed };
}

/** Indices of the run files present in dir/runs (complete or not). */
export function runFileIndices(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(join(dir, RUNS_DIR));
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const n of names) {
    const m = /^(\d+)\.json$/.exec(n);
    if (m !== null) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

/** Run i's record if it is complete and belongs to the sweep with `hash`. */
export function readRunRecord(dir: string, index: number, hash: string): SweepRunRecord | null {
  try {
    const parsed = readJson(join(dir, RUNS_DIR, `${index}.json`));
    return isRunRecord(parsed, hash, index) ? parsed : null;
  } catch {
    return null;
  }
}

export function readRunWall(dir: string, index: number): RunWall | null {
  try {
    const w = readJson(join(dir, RUNS_DIR, `${index}.wall.json`)) as Partial<RunWall>;
    return typeof w.wallMs === 'number' && typeof w.eventsPerSec === 'number' && w.index === index ? (w as RunWall) : null;
  } catch {
    return null;
  }
}

/** Remove run files (and their wall files) left by an earlier sweep in this folder. */
export function clearRuns(dir: string): number {
  let names: string[];
  try {
    names = readdirSync(join(dir, RUNS_DIR));
  } catch {
    return 0;
  }
  let removed = 0;
  for (const n of names) {
    if (/^\d+(\.wall)?\.json$/.test(n) || n.startsWith(TEMP_PREFIX)) {
      rmSync(join(dir, RUNS_DIR, n), { force: true });
      if (!n.includes('.wall.') && !n.startsWith(TEMP_PREFIX)) removed++;
    }
  }
  return removed;
}

/**
 * Read a folder for merging: its manifest and every complete run of its
 * sweep; `onRecord` sees each such record once (then it can be dropped).
 */
export function readShardFolder(dir: string, onRecord?: (record: SweepRunRecord) => void): ShardFolder {
  const m = readManifest(dir);
  if (!('manifest' in m)) return { dir, manifest: null, manifestProblem: m.problem, runs: [] };
  const runs: number[] = [];
  for (const i of runFileIndices(dir)) {
    if (i >= m.manifest.totalRuns) continue;
    const r = readRunRecord(dir, i, m.manifest.sweepHash);
    if (r === null) continue;
    runs.push(i);
    onRecord?.(r);
  }
  return { dir, manifest: m.manifest, manifestProblem: null, runs };
}

/** The paths written by writeComparison. */
export interface WrittenComparison {
  json: string;
  markdown: string;
  html: string;
  wall: string;
}

/** summary.md and report.html, then summary.json (last: its presence means a complete report), then wall.json. */
export function writeComparison(dir: string, comparison: Comparison, wall: SweepWall): WrittenComparison {
  const markdownText = renderComparisonMarkdown(comparison);
  const htmlText = renderComparisonHtml(comparison);
  const jsonText = renderJson(comparison);
  const markdown = writeFileAtomic(dir, 'summary.md', markdownText);
  const html = writeFileAtomic(dir, 'report.html', htmlText);
  const jsonPath = writeFileAtomic(dir, 'summary.json', jsonText);
  const wallPath = writeFileAtomic(dir, WALL_JSON, renderJson(wall));
  return { json: jsonPath, markdown, html, wall: wallPath };
}
