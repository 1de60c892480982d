/**
 * Writes a trace file while the simulation runs (format.ts), in bounded
 * memory.
 *
 * The simulation loop is synchronous: it never yields to the event loop
 * until the run ends, so an asynchronous stream (fs.WriteStream, a zlib
 * Gzip transform) could not drain while it runs and would buffer the whole
 * trace in memory. Instead, each encoded line is written into a
 * preallocated chunk buffer of `chunkBytes` and each full chunk is written
 * with fs.writeSync on a file descriptor; for a `.gz` file each chunk is
 * compressed with zlib.gzipSync first and becomes one gzip member (a gzip
 * file may hold several members; gunzip and zlib read them as one stream).
 * Memory is one chunk plus its compressed copy, whatever the length of the
 * run. (Writing lines into a Buffer rather than appending them to a string
 * matters: concatenating and flattening a megabyte string per chunk cost
 * several times the encoding itself.)
 *
 * The file is written under a temporary name and renamed into place by
 * `close`, so a trace file at the given path is always complete (it ends
 * with its end record); `abort` removes the temporary file.
 *
 * The header goes out with the first chunk: the host names it lists are
 * known only once the world is built (`setHosts`), after the first events
 * (hosts booting) were traced.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { tempPath } from '../report/atomic.js';
import { constants, gzipSync } from 'node:zlib';
import type { TraceEvent, TraceSink } from '../../sim/trace.js';
import { encodeEnd, encodeEvent, encodeHeader, TRACE_FORMAT_VERSION, type TraceHeader } from './format.js';

export interface TraceWriterOptions {
  /** Bytes (of text) collected before a write (default 1 MiB). */
  readonly chunkBytes?: number;
  /** gzip level for `.gz` files (default 1: the trace is large and repetitive; level 1 keeps up with the simulation). */
  readonly gzipLevel?: number;
  /** Force compression on or off (default: the path ends in `.gz`). */
  readonly gzip?: boolean;
}

export class TraceFileWriter implements TraceSink {
  readonly path: string;
  readonly gzip: boolean;
  private readonly tempPath: string;
  private fd: number | null;
  private chunk: Buffer;
  private used = 0;
  private readonly chunkBytes: number;
  private readonly gzipLevel: number;
  /** Events written so far. */
  events = 0;
  /** Bytes written to the file so far (compressed when gzip). */
  bytesWritten = 0;

  private header: Omit<TraceHeader, 'dynasimTrace'>;
  private headerWritten = false;

  /** Opens the file (throws the fs error when it cannot). */
  constructor(path: string, header: Omit<TraceHeader, 'dynasimTrace' | 'hosts'> & { hosts?: readonly string[] }, options: TraceWriterOptions = {}) {
    this.path = path;
    this.gzip = options.gzip ?? path.endsWith('.gz');
    this.chunkBytes = options.chunkBytes ?? 1 << 20;
    this.gzipLevel = options.gzipLevel ?? 1;
    this.tempPath = tempPath(dirname(path), basename(path));
    this.header = { version: header.version, seed: header.seed, command: header.command, hosts: header.hosts ?? [], scenario: header.scenario };
    this.fd = openSync(this.tempPath, 'wx');
    this.chunk = Buffer.allocUnsafe(this.chunkBytes);
  }

  /** The host names by id, for the header (before the first chunk is written). */
  setHosts(hosts: readonly string[]): void {
    if (this.headerWritten) throw new Error('trace writer: the header is already written');
    this.header = { ...this.header, hosts: [...hosts] };
  }

  write(event: TraceEvent): void {
    this.line(encodeEvent(event));
    this.events++;
  }

  private line(text: string): void {
    // At most 3 bytes per UTF-16 unit, plus the newline.
    const room = text.length * 3 + 1;
    if (this.used + room > this.chunk.length) {
      this.flush();
      if (room > this.chunk.length) this.chunk = Buffer.allocUnsafe(room); // one huge line (a header with a large scenario)
    }
    this.used += this.chunk.write(text, this.used, 'utf8');
    this.chunk[this.used++] = 0x0a;
  }

  private flush(): void {
    if (this.fd === null) return;
    if (!this.headerWritten) {
      this.headerWritten = true;
      const h = this.header;
      const pending = Buffer.from(this.chunk.subarray(0, this.used));
      this.used = 0;
      this.line(encodeHeader({ dynasimTrace: TRACE_FORMAT_VERSION, version: h.version, seed: h.seed, command: h.command, hosts: h.hosts, scenario: h.scenario }));
      this.emit(this.chunk.subarray(0, this.used));
      this.used = 0;
      if (pending.length > 0) this.emit(pending);
      if (this.chunk.length > this.chunkBytes) this.chunk = Buffer.allocUnsafe(this.chunkBytes);
      return;
    }
    if (this.used === 0) return;
    this.emit(this.chunk.subarray(0, this.used));
    this.used = 0;
  }

  private emit(text: Buffer): void {
    const bytes = this.gzip ? gzipSync(text, { level: this.gzipLevel, strategy: constants.Z_DEFAULT_STRATEGY }) : text;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.fd!, bytes, offset, bytes.length - offset);
    this.bytesWritten += bytes.length;
  }

  /** Write the end record, flush, and move the file into place. */
  close(end: { digest: string; simulatedUs: number }): void {
    if (this.fd === null) throw new Error('trace writer already closed');
    this.flush(); // the header, when nothing was flushed yet
    this.line(encodeEnd({ dynasimTraceEnd: true, events: this.events, digest: end.digest, simulatedUs: end.simulatedUs }));
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
    renameSync(this.tempPath, this.path);
  }

  /** Give up (the run failed): remove the temporary file. */
  abort(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
    rmSync(this.tempPath, { force: true });
  }
}
