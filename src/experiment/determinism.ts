/**
 * The determinism check (`dynasim run --check-determinism`): run a scenario
 * twice with the same seed, once in this thread and once in a worker thread
 * (fresh module state, its own JIT), and compare the digests and the
 * deterministic part of summary.json (everything but its wall-clock section).
 * Both runs go on at once; the result is known when both have finished.
 */
import { deterministicPart, type Summary } from '../report/summary.js';
import type { ResolvedScenario } from '../scenario/index.js';
import { runScenario } from './run.js';
import { siblingModule, spawnWorker } from './workerSpawn.js';

export interface RunFingerprint {
  digest: string;
  events: number;
  /** JSON of deterministicPart(summary). */
  summary: string;
}

export interface DeterminismResult {
  identical: boolean;
  local: RunFingerprint;
  worker: RunFingerprint;
  /** The local run's summary (checks, figures). */
  summary: Summary;
  /** Where the summaries differ: paths with both values (at most 10). */
  differences: string[];
}

/** `maxEvents` caps each run as `dynasim run --max-events` does (a run past it throws SimulationLimitError). */
export async function checkDeterminism(scenario: ResolvedScenario, seed: string, maxEvents?: number): Promise<DeterminismResult> {
  const limit = maxEvents === undefined ? {} : { maxEvents };
  const worker = spawnWorker(siblingModule(import.meta.url, 'workerRerun'), { workerData: { scenario, seed, ...limit } });
  const other = new Promise<RunFingerprint>((resolve, reject) => {
    worker.once('message', (m: RunFingerprint) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the worker run exited (code ${code}) without a result`)));
  });
  other.catch(() => {}); // observed below, after the local run
  let summary: Summary;
  try {
    summary = runScenario(scenario, { seed, ...limit }).summary;
  } catch (e) {
    void worker.terminate();
    throw e;
  }
  const local: RunFingerprint = { digest: summary.digest, events: summary.events, summary: JSON.stringify(deterministicPart(summary)) };
  const remote = await other;
  await worker.terminate();
  const identical = local.digest === remote.digest && local.events === remote.events && local.summary === remote.summary;
  const differences = identical ? [] : diff(JSON.parse(local.summary), JSON.parse(remote.summary), '', 10);
  return { identical, local, worker: remote, summary, differences };
}

/** Paths where two JSON values differ, with both values, depth first (at most `max`). */
export function diff(a: unknown, b: unknown, path: string, max: number, out: string[] = []): string[] {
  if (out.length >= max) return out;
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`, max, out);
    return out;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) {
    const show = (v: unknown) => {
      const t = JSON.stringify(v) ?? 'undefined';
      return t.length > 80 ? `${t.slice(0, 77)}...` : t;
    };
    out.push(`${path || '(root)'}: ${show(a)} here, ${show(b)} in the worker`);
  }
  return out;
}
