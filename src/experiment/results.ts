/**
 * A sweep's result folder, as data: `manifest.json` (the plan, the sweep's
 * hash, the shard) and `runs/<index>.json` (one run's deterministic
 * summary), and the rules for merging folders: every folder from the same
 * sweep (same hash), and every run present. Reading and writing the files
 * is src/report/sweepFiles.ts's job; this module only judges what was read.
 */
import type { Summary } from '../report/summary.js';
import { runOf, shardRuns, type Shard, type SweepPlan } from './sweep.js';

export const SWEEP_FILES_SCHEMA_VERSION = 1;

export interface SweepManifest {
  schemaVersion: number;
  kind: 'dynasim-sweep-manifest';
  sweepHash: string;
  totalRuns: number;
  shard: Shard;
  /** How many runs this shard owns (index ≡ shard.index - 1 mod shard.count). */
  shardRuns: number;
  /** The base scenario's file as this shard found it (for reproduce commands; not part of the hash). */
  scenarioFile: string;
  plan: SweepPlan;
}

export interface SweepRunRecord {
  schemaVersion: number;
  kind: 'dynasim-sweep-run';
  sweepHash: string;
  index: number;
  configuration: number;
  repeat: number;
  seed: string;
  summary: Omit<Summary, 'wall'>;
}

/** runs/<index>.wall.json: the run's wall-clock figures, apart from its deterministic record. */
export interface RunWall {
  index: number;
  wallMs: number;
  eventsPerSec: number;
}

export function manifestFor(plan: SweepPlan, shard: Shard, scenarioFile: string): SweepManifest {
  return { schemaVersion: SWEEP_FILES_SCHEMA_VERSION, kind: 'dynasim-sweep-manifest', sweepHash: plan.hash, totalRuns: plan.totalRuns, shard, shardRuns: shardRuns(plan.totalRuns, shard).length, scenarioFile, plan };
}

export function runRecord(plan: SweepPlan, index: number, summary: Omit<Summary, 'wall'>): SweepRunRecord {
  const { configuration, repeat, seed } = runOf(plan, index);
  return { schemaVersion: SWEEP_FILES_SCHEMA_VERSION, kind: 'dynasim-sweep-run', sweepHash: plan.hash, index, configuration, repeat, seed, summary };
}

/** Whether parsed JSON is a manifest (shape only; the hash is compared by the caller). */
export function isManifest(x: unknown): x is SweepManifest {
  const m = x as Partial<SweepManifest> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    m.kind === 'dynasim-sweep-manifest' &&
    m.schemaVersion === SWEEP_FILES_SCHEMA_VERSION &&
    typeof m.sweepHash === 'string' &&
    typeof m.totalRuns === 'number' &&
    typeof m.plan === 'object' &&
    m.plan !== null &&
    m.plan.hash === m.sweepHash
  );
}

/** Whether parsed JSON is the record of run `index` of the sweep with `hash`. */
export function isRunRecord(x: unknown, hash: string, index: number): x is SweepRunRecord {
  const r = x as Partial<SweepRunRecord> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    r.kind === 'dynasim-sweep-run' &&
    r.schemaVersion === SWEEP_FILES_SCHEMA_VERSION &&
    r.sweepHash === hash &&
    r.index === index &&
    typeof r.summary === 'object' &&
    r.summary !== null
  );
}

/** One folder given to `dynasim merge`, as read. */
export interface ShardFolder {
  dir: string;
  /** null: no readable manifest.json. */
  manifest: SweepManifest | null;
  /** Why the manifest could not be used (missing, unreadable, not a manifest). */
  manifestProblem: string | null;
  /** Run indices whose records are complete and belong to the manifest's sweep. */
  runs: number[];
}

/** Compress [1, 2, 3, 7, 9, 10] to "1-3, 7, 9-10" (at most `max` pieces, then "…"). */
export function indexRanges(xs: readonly number[], max = 12): string {
  const sorted = [...xs].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.length > max ? `${parts.slice(0, max).join(', ')}, …` : parts.join(', ');
}

/**
 * Check that the folders make one complete sweep. Returns the plan and,
 * for each run index, the folder that holds it (the first one given);
 * otherwise messages naming the different sweeps, or the missing shards
 * and runs.
 */
export function planMerge(folders: readonly ShardFolder[]): { ok: true; plan: SweepPlan; sources: string[]; scenarioFile: string } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  if (folders.length === 0) return { ok: false, problems: ['expected at least one folder to merge'] };
  for (const f of folders) if (f.manifest === null) problems.push(`${f.dir}: ${f.manifestProblem ?? 'no manifest.json'}`);
  if (problems.length > 0) return { ok: false, problems };
  const withManifest = folders as ReadonlyArray<ShardFolder & { manifest: SweepManifest }>;
  const hashes = [...new Set(withManifest.map((f) => f.manifest.sweepHash))];
  if (hashes.length > 1) {
    return {
      ok: false,
      problems: [
        `the folders come from ${hashes.length} different sweeps; merge only the shards of one sweep:`,
        ...withManifest.map((f) => `  ${f.dir}: sweep "${f.manifest.plan.name}", hash ${f.manifest.sweepHash.slice(0, 12)}, shard ${f.manifest.shard.index}/${f.manifest.shard.count}`),
      ],
    };
  }
  const plan = withManifest[0]!.manifest.plan;
  const sources = new Array<string | undefined>(plan.totalRuns).fill(undefined);
  for (const f of withManifest) for (const i of f.runs) if (i >= 0 && i < plan.totalRuns && sources[i] === undefined) sources[i] = f.dir;
  const missing: number[] = [];
  sources.forEach((s, i) => s === undefined && missing.push(i));
  if (missing.length === 0) return { ok: true, plan, sources: sources as string[], scenarioFile: withManifest[0]!.manifest.scenarioFile ?? plan.scenario };
  const lines = [`incomplete: ${missing.length} of ${plan.totalRuns} runs are missing (runs ${indexRanges(missing)})`];
  const counts = [...new Set(withManifest.map((f) => f.manifest.shard.count))];
  if (counts.length === 1) {
    const n = counts[0]!;
    const given = new Set(withManifest.map((f) => f.manifest.shard.index));
    const absent: number[] = [];
    for (let i = 1; i <= n; i++) if (!given.has(i)) absent.push(i);
    if (absent.length > 0) lines.push(`  no folder was given for shard${absent.length === 1 ? '' : 's'} ${absent.map((i) => `${i}/${n}`).join(', ')}`);
  }
  for (const f of withManifest) {
    const own = missing.filter((i) => i % f.manifest.shard.count === f.manifest.shard.index - 1);
    if (own.length > 0) lines.push(`  ${f.dir} (shard ${f.manifest.shard.index}/${f.manifest.shard.count}) is unfinished: ${own.length} of its ${f.manifest.shardRuns} runs are missing (runs ${indexRanges(own)}); finish it with --resume`);
  }
  return { ok: false, problems: lines };
}
