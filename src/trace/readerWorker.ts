/**
 * The worker behind SyncTraceLines (reader.ts): reads a trace file with a
 * TraceLineReader and posts its lines in batches, staying at most
 * BATCHES_AHEAD_MAX batches ahead of the reader.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { BATCHES_AHEAD_MAX, POSTED, TAKEN, TraceLineReader, TraceReadError, type ReaderMessage, type TraceLine } from './reader.js';

const { path, shared, port } = workerData as { path: string; shared: SharedArrayBuffer; port: MessagePort };
const state = new Int32Array(shared);
const BATCH_LINES = 4096;
const BATCH_CHARS = 1 << 20;

function post(message: ReaderMessage): void {
  port.postMessage(message);
  Atomics.add(state, POSTED, 1);
  Atomics.notify(state, POSTED);
}

/**
 * Block this thread until the reader has taken a batch. A blocking wait, not
 * Atomics.waitAsync: a pending waitAsync does not keep a worker's event loop
 * alive, and with the file stream paused the worker would simply exit. Timed,
 * so that terminate() takes effect.
 */
function caughtUp(): void {
  for (;;) {
    const taken = Atomics.load(state, TAKEN);
    if (Atomics.load(state, POSTED) - taken < BATCHES_AHEAD_MAX) return;
    Atomics.wait(state, TAKEN, taken, 200);
  }
}

async function run(): Promise<void> {
  let batch: TraceLine[] = [];
  let chars = 0;
  try {
    const reader = TraceLineReader.open(path);
    for (;;) {
      const line = await reader.next();
      if (line === null) break;
      batch.push(line);
      chars += line.text.length;
      if (batch.length >= BATCH_LINES || chars >= BATCH_CHARS) {
        post({ lines: batch });
        batch = [];
        chars = 0;
        caughtUp();
      }
    }
    if (batch.length > 0) post({ lines: batch });
    post({ end: true });
  } catch (e) {
    if (batch.length > 0) post({ lines: batch });
    const err = e instanceof TraceReadError ? { kind: e.kind, message: e.message } : { kind: 'io' as const, message: `cannot read ${path}: ${(e as Error).message}` };
    post({ error: err });
  }
}

void run();
