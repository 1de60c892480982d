/**
 * A sweep worker (worker_threads): receives run tasks from the pool
 * (pool.ts), loads the base scenario with the run's overrides, runs it on
 * the run's seed and posts back the summary's deterministic part and its
 * wall-clock figures. One task at a time; the pool sends the next.
 *
 * The only module under src/ besides the CLI allowed to read the wall clock
 * (the determinism check lets `src/experiment/worker*.ts` do so): the time
 * goes beside the result, never into it.
 */
import { parentPort } from 'node:worker_threads';
import { isInputOrLimitError } from '../../sim/errors.js';
import { deterministicPart } from '../report/summary.js';
import { formatProblems, loadScenario } from '../scenario/index.js';
import type { WorkerReply, WorkerTask } from './pool.js';
import { runScenario } from './run.js';

function handle(task: WorkerTask): WorkerReply {
  try {
    const loaded = loadScenario(task.scenarioFile, { overrides: task.overrides });
    if (!loaded.ok) return { kind: 'error', index: task.index, error: 'bad-input', message: formatProblems(loaded.problems) };
    // No operation diagram: a sweep's reports do not draw it, and capturing it costs a quarter of the run time.
    const options = { seed: task.seed, wallClockMs: () => performance.now(), captureOperation: false, ...(task.maxEvents !== undefined ? { maxEvents: task.maxEvents } : {}) };
    const result = runScenario(loaded.scenario, options);
    const summary = result.summary;
    return { kind: 'done', index: task.index, summary: deterministicPart(summary), wallMs: summary.wall.wallMs, eventsPerSec: summary.wall.eventsPerSec };
  } catch (e) {
    const err = e as Error;
    const kind = isInputOrLimitError(e) ? 'limit' : 'bug';
    return { kind: 'error', index: task.index, error: kind, message: kind === 'bug' ? (err?.stack ?? String(e)) : err.message };
  }
}

if (parentPort === null) throw new Error('src/experiment/worker.ts runs as a worker thread (see pool.ts)');
const port = parentPort;
port.on('message', (task: WorkerTask) => port.postMessage(handle(task)));
