/**
 * A node's local persistence engine (paper §5, §6.1): a key → sibling-set
 * store on the host's disk, with an optional in-memory write buffer.
 *
 * - Engines are latency profiles of the host's disk (`engineDiskProfile`):
 *   the world builder gives the host the engine's read and write
 *   distributions, so a busy disk queues and raises latency.
 * - Unbuffered writes reach the store when their disk write completes; a
 *   read that starts meanwhile sees the previous state, as on a real disk.
 * - Buffered writes (§6.1) land in a bounded object buffer at memory speed
 *   and are flushed by a writer task; reads check the buffer first. A full
 *   buffer falls back to a write-through. A write marked durable skips the
 *   buffer. A crash loses the buffer; `unflushed()` says what was in it.
 * - The store itself lives in the host's durable slot, so it survives a
 *   crash and disappears with the disk.
 */
import type { DistributionSpec } from '../../sim/distributions.js';
import type { HostContext } from '../../sim/host.js';
import type { StorageEngine } from './config.js';
import { mergeInto, versionSetSizeBytes, type Siblings, type Version } from './version.js';

/**
 * Disk latency per engine and operation, in µs, served by each host's disk
 * channels (4 by default: a commodity server's spindles or an SSD's queue
 * depth). The paper reports no disk figures; these are assumptions: a bdb
 * read is ~0.5 ms at the median (mean ~1 ms) with a p99 of 10 ms, a write
 * ~0.8 ms (p99 15 ms); MySQL (larger objects) about twice as slow; the
 * in-memory engine a few µs.
 */
export function engineDiskProfile(engine: StorageEngine): { readUs: DistributionSpec; writeUs: DistributionSpec } {
  switch (engine) {
    case 'bdb':
      return { readUs: { lognormal: { median: 500, p99: 10_000 } }, writeUs: { lognormal: { median: 800, p99: 15_000 } } };
    case 'mysql':
      return { readUs: { lognormal: { median: 1_000, p99: 20_000 } }, writeUs: { lognormal: { median: 1_600, p99: 30_000 } } };
    case 'memory':
      return { readUs: { constant: 5 }, writeUs: { constant: 5 } };
  }
}

export interface StoreOptions {
  writeBufferObjects: number;
  flushIntervalUs: number;
  /**
   * Called whenever a key's visible state changes (Merkle trees listen). `added`: the key had no
   * versions here before (absent, or an empty set): indexes of the store's keys need to hear only these.
   */
  onChange?: (key: string, siblings: Siblings, added: boolean) => void;
}

export interface WriteOutcome {
  /** The key's sibling set after the write. */
  readonly stored: Siblings;
  /** Whether it is on disk (false: in the write buffer). */
  readonly durable: boolean;
}

export interface StoreStats {
  reads: number;
  bufferHits: number;
  writes: number;
  bufferedWrites: number;
  flushes: number;
}

const STORE_KEY = 'dynamo/store';

export class LocalStore {
  /** Durable: survives a crash (lives in the host's durable slot). */
  private readonly data: Map<string, Siblings>;
  /** Volatile: the write buffer, in insertion order. */
  private readonly buffer = new Map<string, Siblings>();
  private flushing = false;
  /** Whether the writer task's next wake-up is scheduled. */
  private flushArmed = false;
  /**
   * Disk writes issued and not yet completed (lost if the host crashes first), oldest first: a
   * doubly linked list through the writes themselves (no table to grow and rehash per write).
   */
  private inFlightHead: DiskWrite | null = null;
  private inFlightTail: DiskWrite | null = null;
  readonly stats: StoreStats = { reads: 0, bufferHits: 0, writes: 0, bufferedWrites: 0, flushes: 0 };

  constructor(
    private readonly ctx: HostContext,
    private readonly options: StoreOptions,
  ) {
    let data = ctx.durable.get(STORE_KEY) as Map<string, Siblings> | undefined;
    if (data === undefined) {
      data = new Map();
      ctx.durable.set(STORE_KEY, data);
    }
    this.data = data;
  }

  /** The key's current state without I/O (tests, checkers, Merkle rebuilds). */
  peek(key: string): Siblings | undefined {
    return (this.buffer.size > 0 ? this.buffer.get(key) : undefined) ?? this.data.get(key);
  }

  /** Read a key: from the buffer at memory speed, else from disk. */
  read(key: string, done: (siblings: Siblings | undefined) => void): void {
    this.stats.reads++;
    const buffered = this.buffer.size > 0 ? this.buffer.get(key) : undefined;
    if (buffered !== undefined) {
      this.stats.bufferHits++;
      done(buffered);
      return;
    }
    const size = this.data.get(key);
    this.ctx.diskRead(size === undefined ? 0 : versionSetSizeBytes(size), this.readDone, key, done);
  }

  /** A disk read finished: the key's state now (one function per store, not a closure per read). */
  private readonly readDone = (key: string, done: (siblings: Siblings | undefined) => void): void => done(this.data.get(key));

  /**
   * Merge `incoming` into the key's siblings. `check` may refuse the merged
   * set (a sibling bound) before anything is written.
   */
  write(key: string, incoming: readonly Version[], durable: boolean, done: (outcome: WriteOutcome) => void): void {
    this.stats.writes++;
    if (!durable && this.options.writeBufferObjects > 0) {
      const current = this.buffer.get(key);
      if (current !== undefined || this.buffer.size < this.options.writeBufferObjects) {
        this.stats.bufferedWrites++;
        const before = current ?? this.data.get(key);
        const merged = mergeInto(before ?? [], incoming);
        // Delete first so the map's order stays the order of last writes (oldest flushed first).
        this.buffer.delete(key);
        this.buffer.set(key, merged);
        if (!this.flushing && !this.flushArmed) this.armFlush();
        if (merged !== current) this.options.onChange?.(key, merged, before === undefined || before.length === 0);
        done({ stored: merged, durable: false });
        return;
      }
    }
    const write: DiskWrite = { key, incoming, done, prev: this.inFlightTail, next: null };
    if (this.inFlightTail === null) this.inFlightHead = write;
    else this.inFlightTail.next = write;
    this.inFlightTail = write;
    this.ctx.diskWrite(versionSetSizeBytes(incoming), this.writeDone, write);
  }

  /** An unbuffered write reached the disk: merge it into the store. */
  private readonly writeDone = (write: DiskWrite): void => {
    if (write.prev === null) this.inFlightHead = write.next;
    else write.prev.next = write.next;
    if (write.next === null) this.inFlightTail = write.prev;
    else write.next.prev = write.prev;
    const key = write.key;
    const before = this.peek(key);
    const merged = mergeInto(before ?? [], write.incoming);
    this.data.set(key, merged);
    if (this.buffer.size > 0 && this.buffer.has(key)) this.buffer.set(key, merged);
    if (merged !== before) this.options.onChange?.(key, merged, before === undefined || before.length === 0);
    write.done({ stored: merged, durable: true });
  };

  /** Keys stored (durable and buffered). */
  get keyCount(): number {
    let n = this.data.size;
    for (const key of this.buffer.keys()) if (!this.data.has(key)) n++;
    return n;
  }

  /** Every key with its current siblings, buffer overriding disk, in a deterministic order. */
  *entries(): IterableIterator<[string, Siblings]> {
    for (const [key, siblings] of this.data) yield [key, this.buffer.get(key) ?? siblings];
    for (const [key, siblings] of this.buffer) if (!this.data.has(key)) yield [key, siblings];
  }

  /** Remove a key (a range handed to its new owner). */
  delete(key: string): void {
    this.data.delete(key);
    this.buffer.delete(key);
  }

  /** What a crash now would lose: buffered entries not yet on disk. */
  unflushed(): Array<[string, Siblings]> {
    return [...this.buffer];
  }

  /** Writes whose disk write was issued but has not completed: a crash now loses them too. */
  writesInFlight(): Array<[string, readonly Version[]]> {
    const out: Array<[string, readonly Version[]]> = [];
    for (let w = this.inFlightHead; w !== null; w = w.next) out.push([w.key, w.incoming]);
    return out;
  }

  /**
   * The writer task sleeps while the buffer is empty: the first write into an
   * idle buffer wakes it `flushIntervalUs` later, and it then flushes until
   * the buffer is empty (writes arriving meanwhile included). A periodic tick
   * on an empty buffer would do nothing but cost an event per node per
   * interval (on 100 idle nodes, 10,000 events per simulated second).
   */
  private armFlush(): void {
    this.flushArmed = true;
    this.ctx.setTimer(this.options.flushIntervalUs, 'flush', this.flushTick);
  }

  /** The writer task: flush the buffer's entries, oldest first, one disk write each. */
  private readonly flushTick = (): void => {
    this.flushArmed = false;
    if (!this.flushing && this.buffer.size > 0) this.flushNext();
  };

  private flushNext(): void {
    const first = this.buffer.entries().next();
    if (first.done) {
      this.flushing = false;
      return;
    }
    this.flushing = true;
    const [key, snapshot] = first.value;
    this.ctx.diskWrite(versionSetSizeBytes(snapshot), this.flushDone, key, snapshot);
  }

  /** The writer task's disk write finished: the snapshot is durable; go on with the next entry. */
  private readonly flushDone = (key: string, snapshot: Siblings): void => {
    this.stats.flushes++;
    this.data.set(key, mergeInto(this.data.get(key) ?? [], snapshot));
    // Drop the entry unless a newer write replaced it meanwhile (that one was re-queued at the end).
    if (this.buffer.get(key) === snapshot) this.buffer.delete(key);
    this.flushNext();
  };
}

/** An unbuffered write between its disk write's start and end. */
interface DiskWrite {
  readonly key: string;
  readonly incoming: readonly Version[];
  readonly done: (outcome: WriteOutcome) => void;
  prev: DiskWrite | null;
  next: DiskWrite | null;
}
