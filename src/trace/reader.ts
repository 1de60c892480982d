/**
 * Reading trace files, streamed: lines come out as the file is read (and
 * gunzipped, when it starts with gzip's magic bytes, whatever its name), so
 * a trace of any length is read in bounded memory.
 *
 * - `TraceLineReader` is asynchronous (for `inspect`).
 * - `SyncTraceLines` hands lines to synchronous code (`replay`, whose
 *   simulation loop cannot await): a worker thread runs a TraceLineReader
 *   and posts batches of lines; the caller takes them with
 *   receiveMessageOnPort and sleeps on Atomics.wait while none is ready. The
 *   worker stays at most a few batches ahead, so memory stays bounded.
 *
 * Problems come out as a TraceReadError whose kind says what to tell the
 * user: 'missing' (no such file), 'truncated' (gzip ends early, or the last
 * line has no newline), 'corrupted' (bad gzip data, a line too long).
 */
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';
import { siblingModule, spawnWorker } from '../experiment/workerSpawn.js';
import { parseHeader, type TraceHeader } from './format.js';

export type TraceReadProblem = 'missing' | 'truncated' | 'corrupted' | 'io';

export class TraceReadError extends Error {
  constructor(
    readonly kind: TraceReadProblem,
    message: string,
  ) {
    super(message);
  }
}

export interface TraceLine {
  readonly text: string;
  /** 1-based line number in the (decompressed) file. */
  readonly number: number;
  /** False for a last line that the file cuts off before its newline. */
  readonly terminated: boolean;
}

/** A trace's header from its first line (null: the file is empty), or what is wrong with it. */
export function headerFromFirstLine(first: TraceLine | null): { ok: true; header: TraceHeader } | { ok: false; problem: string } {
  if (first === null) return { ok: false, problem: 'empty file: not a dynasim trace' };
  if (!first.terminated && !first.text.startsWith('{"dynasimTrace"')) return { ok: false, problem: 'not a dynasim trace: the file has no header line' };
  if (!first.terminated) return { ok: false, problem: 'truncated trace: the file ends inside its header line' };
  return parseHeader(first.text);
}

/** What is wrong with a line that should be an event and does not parse as one. */
export function badEventLine(line: TraceLine): string {
  return line.terminated
    ? `corrupted trace: line ${line.number} is not a trace event (bad JSON or missing kind/timeUs)`
    : `truncated trace: line ${line.number} is cut off before its end (the file ends in the middle of an event)`;
}

/** Longest line accepted (the header holds the scenario; events are short). */
const LINE_CHARS_MAX = 64 * 1024 * 1024;

/** Open checks: the file exists, is a regular file, is not empty; is it gzip? */
function probe(path: string): { gzip: boolean } {
  let fd: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new TraceReadError('missing', `${path} is a directory, not a trace file`);
    if (st.size === 0) throw new TraceReadError('corrupted', `${path} is empty: not a dynasim trace`);
    fd = openSync(path, 'r');
  } catch (e) {
    if (e instanceof TraceReadError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new TraceReadError(code === 'ENOENT' ? 'missing' : 'io', code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    const magic = Buffer.alloc(2);
    const n = readSync(fd, magic, 0, 2, 0);
    return { gzip: n === 2 && magic[0] === 0x1f && magic[1] === 0x8b };
  } finally {
    closeSync(fd);
  }
}

export class TraceLineReader {
  private readonly chunks: AsyncIterator<Buffer | string>;
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private lines: string[] = [];
  private index = 0;
  private lineNumber = 0;
  private done = false;
  readonly gzip: boolean;

  private constructor(
    readonly path: string,
    gzip: boolean,
  ) {
    this.gzip = gzip;
    const file = createReadStream(path, { highWaterMark: 256 * 1024 });
    const stream = gzip ? file.pipe(createGunzip()) : file;
    if (gzip) file.on('error', (e) => stream.destroy(e));
    this.chunks = stream[Symbol.asyncIterator]();
  }

  static open(path: string): TraceLineReader {
    return new TraceLineReader(path, probe(path).gzip);
  }

  /** The next line, or null at the end of the file. */
  async next(): Promise<TraceLine | null> {
    for (;;) {
      if (this.index < this.lines.length) {
        const text = this.lines[this.index++]!;
        return { text, number: ++this.lineNumber, terminated: true };
      }
      if (this.done) return null;
      let chunk: IteratorResult<Buffer | string>;
      try {
        chunk = await this.chunks.next();
      } catch (e) {
        throw this.streamError(e as NodeJS.ErrnoException);
      }
      if (chunk.done) {
        this.done = true;
        const rest = this.pending + this.decoder.end();
        this.pending = '';
        this.lines = [];
        this.index = 0;
        if (rest.length > 0) return { text: rest, number: ++this.lineNumber, terminated: false };
        return null;
      }
      const text = this.pending + (typeof chunk.value === 'string' ? chunk.value : this.decoder.write(chunk.value));
      const parts = text.split('\n');
      this.pending = parts.pop()!;
      if (this.pending.length > LINE_CHARS_MAX) {
        throw new TraceReadError('corrupted', `line ${this.lineNumber + parts.length + 1} of ${this.path} is longer than ${LINE_CHARS_MAX} characters: not a dynasim trace line`);
      }
      this.lines = parts;
      this.index = 0;
    }
  }

  private streamError(e: NodeJS.ErrnoException): TraceReadError {
    const where = `${this.path} (after line ${this.lineNumber})`;
    if (e.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(e.message)) return new TraceReadError('truncated', `truncated trace: the gzip stream of ${where} ends early`);
    if (typeof e.code === 'string' && e.code.startsWith('Z_')) return new TraceReadError('corrupted', `corrupted trace: bad gzip data in ${where}: ${e.message}`);
    return new TraceReadError('io', `cannot read ${where}: ${e.message}`);
  }

  close(): void {
    void this.chunks.return?.();
  }
}

// ---- synchronous consumption through a worker ---------------------------------------------------

/** Messages from the reader worker. */
export type ReaderMessage = { lines: TraceLine[] } | { end: true } | { error: { kind: TraceReadProblem; message: string } };

/** Slots of the shared counters: batches posted by the worker, batches taken by the reader. */
export const POSTED = 0;
export const TAKEN = 1;
/** How many batches the worker may run ahead. */
export const BATCHES_AHEAD_MAX = 4;
/** Give up when the worker has said nothing for this long (it died, or never started). */
const SILENCE_MAX_MS = 60_000;

export class SyncTraceLines {
  private readonly state: Int32Array;
  private readonly port: MessagePort;
  private readonly worker: Worker;
  private batch: TraceLine[] = [];
  private index = 0;
  private ended = false;
  private failure: TraceReadError | null = null;

  constructor(readonly path: string) {
    probe(path); // fail early, in this thread, for a missing or empty file
    const shared = new SharedArrayBuffer(8);
    this.state = new Int32Array(shared);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = spawnWorker(siblingModule(import.meta.url, 'readerWorker'), { workerData: { path, shared, port: port2 }, transferList: [port2] });
    this.worker.unref();
  }

  /** The next line, or null at the end of the file; throws TraceReadError. */
  next(): TraceLine | null {
    if (this.index < this.batch.length) return this.batch[this.index++]!;
    if (this.failure !== null) throw this.failure;
    if (this.ended) return null;
    let silentMs = 0;
    for (;;) {
      const received = receiveMessageOnPort(this.port);
      if (received !== undefined) {
        Atomics.add(this.state, TAKEN, 1);
        Atomics.notify(this.state, TAKEN);
        const m = received.message as ReaderMessage;
        if ('lines' in m) {
          this.batch = m.lines;
          this.index = 0;
          if (this.batch.length > 0) return this.batch[this.index++]!;
          continue;
        }
        if ('end' in m) {
          this.ended = true;
          return null;
        }
        this.failure = new TraceReadError(m.error.kind, m.error.message);
        throw this.failure;
      }
      const posted = Atomics.load(this.state, POSTED);
      const taken = Atomics.load(this.state, TAKEN);
      // Posted but not yet visible: wait briefly; nothing posted: sleep until the worker posts.
      const result = Atomics.wait(this.state, POSTED, posted, posted > taken ? 5 : 1_000);
      if (result === 'timed-out' && posted === taken) {
        silentMs += 1_000;
        if (silentMs >= SILENCE_MAX_MS) {
          this.failure = new TraceReadError("io", `the trace reader thread for ${this.path} stopped answering (posted ${Atomics.load(this.state, POSTED)}, taken ${Atomics.load(this.state, TAKEN)})`);
          throw this.failure;
        }
      } else silentMs = 0;
    }
  }

  close(): void {
    this.port.close();
    void this.worker.terminate();
  }
}
