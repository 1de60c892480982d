/**
 * A pool of worker threads running a sweep's runs (worker.ts). Tasks go out
 * in index order, one per idle worker; results come back in whatever order
 * the runs finish and are handed to `onDone` at once (the caller writes them
 * to disk), so nothing downstream depends on scheduling: the merged report
 * is built from the run files in index order.
 *
 * Workers start through workerSpawn.ts (from dist/ and from sources under tsx).
 */
import type { Worker } from 'node:worker_threads';
import type { Summary } from '../report/summary.js';
import { siblingModule, spawnWorker } from './workerSpawn.js';

export interface WorkerTask {
  index: number;
  scenarioFile: string;
  overrides: readonly string[];
  seed: string;
  maxEvents?: number;
}

export type WorkerReply =
  | { kind: 'done'; index: number; summary: Omit<Summary, 'wall'>; wallMs: number; eventsPerSec: number }
  /** bad-input: the scenario did not load; limit: a simulation bound was hit; bug: anything else. */
  | { kind: 'error'; index: number; error: 'bad-input' | 'limit' | 'bug'; message: string };

export type TaskDone = Extract<WorkerReply, { kind: 'done' }>;
export type TaskFailure = Extract<WorkerReply, { kind: 'error' }>;

export interface PoolOptions {
  /** Worker threads (at most one per task). */
  jobs: number;
  tasks: readonly WorkerTask[];
  /** Called as each run finishes (in completion order); an exception stops the pool and rejects. */
  onDone: (result: TaskDone) => void;
  /** Abort (Ctrl-C): running tasks are dropped, finished ones were already handed to onDone. */
  signal?: AbortSignal;
}

export type PoolOutcome =
  | { status: 'done'; finished: number }
  | { status: 'interrupted'; finished: number }
  | { status: 'failed'; finished: number; failure: TaskFailure };

/** Most worker threads a pool starts (bounds memory: each holds one simulated world). */
export const JOBS_MAX = 256;

export function runPool(options: PoolOptions): Promise<PoolOutcome> {
  const { tasks, onDone, signal } = options;
  if (!Number.isInteger(options.jobs) || options.jobs < 1 || options.jobs > JOBS_MAX) throw new RangeError(`jobs must be an integer from 1 to ${JOBS_MAX}, got ${options.jobs}`);
  if (tasks.length === 0) return Promise.resolve({ status: 'done', finished: 0 });
  if (signal?.aborted) return Promise.resolve({ status: 'interrupted', finished: 0 });
  return new Promise<PoolOutcome>((resolve, reject) => {
    const workers: Worker[] = [];
    let next = 0;
    let finished = 0;
    let settled = false;
    const settle = (outcome: PoolOutcome | Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void Promise.all(workers.map((w) => w.terminate())).then(
        () => (outcome instanceof Error ? reject(outcome) : resolve(outcome)),
        () => (outcome instanceof Error ? reject(outcome) : resolve(outcome)),
      );
    };
    const onAbort = () => settle({ status: 'interrupted', finished });
    signal?.addEventListener('abort', onAbort);
    const feed = (w: Worker) => {
      if (next < tasks.length) w.postMessage(tasks[next++]!);
      else if (finished === tasks.length) settle({ status: 'done', finished });
    };
    const count = Math.min(options.jobs, tasks.length);
    for (let i = 0; i < count; i++) {
      const w = spawnWorker(siblingModule(import.meta.url, 'worker'));
      workers.push(w);
      w.on('message', (reply: WorkerReply) => {
        if (settled) return;
        if (reply.kind === 'error') {
          settle({ status: 'failed', finished, failure: reply });
          return;
        }
        try {
          onDone(reply);
        } catch (e) {
          settle(e instanceof Error ? e : new Error(String(e)));
          return;
        }
        finished++;
        feed(w);
      });
      w.on('error', (e) => settle({ status: 'failed', finished, failure: { kind: 'error', index: -1, error: 'bug', message: `a worker thread failed: ${e?.stack ?? String(e)}` } }));
      w.on('exit', (code) => {
        if (!settled) settle({ status: 'failed', finished, failure: { kind: 'error', index: -1, error: 'bug', message: `a worker thread exited unexpectedly (code ${code})` } });
      });
      feed(w);
    }
  });
}
