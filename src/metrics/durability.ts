/**
 * Durability: every acknowledged write is tracked; at the end (after the
 * liveness phase) a write is lost when no node holds it or a version that
 * descends from it, in its store or its hint store. Versions with the same
 * clock but another value (a node that lost its disk reused a counter:
 * Riak's "KV679") do not count as holding it.
 *
 * The cause is named when the trace tells it: the write was in a write
 * buffer lost in a crash, or on a disk lost in a crash, or a later write
 * that superseded it where it was stored was lost so (its own copies gone
 * with it), or the only surviving versions are concurrent with it (a clock
 * truncated below it).
 */
import type { Durability, LostWrite } from '../report/summary.js';
import { compare, type VClock } from '../dynamo/vclock.js';
import type { Siblings } from '../dynamo/version.js';

export interface TrackedWrite {
  readonly key: string;
  readonly writeId: number;
  readonly clock: VClock;
  readonly ackUs: number;
}

export class DurabilityRecorder {
  private readonly byKey = new Map<string, TrackedWrite[]>();
  private count = 0;
  /** writeId -> what destroyed a copy of it. */
  private readonly causes = new Map<number, string>();
  /** Keys on disks lost in crashes, with the node. */
  private readonly diskLosses: Array<{ node: string; atUs: number }> = [];

  acknowledged(write: TrackedWrite): void {
    let list = this.byKey.get(write.key);
    if (list === undefined) {
      list = [];
      this.byKey.set(write.key, list);
    }
    list.push(write);
    this.count++;
  }

  /** The trace said a crash lost these writes from a node ("write buffer lost in a crash of n3"). */
  lostInCrash(writeIds: readonly number[], cause: string): void {
    for (const id of writeIds) if (!this.causes.has(id)) this.causes.set(id, cause);
  }

  diskLost(node: string, atUs: number): void {
    this.diskLosses.push({ node, atUs });
  }

  get acknowledgedCount(): number {
    return this.count;
  }

  /**
   * Check every acknowledged write against what the nodes hold now.
   * `held(key)` returns every version of the key held anywhere.
   */
  check(held: (key: string) => Siblings, nowUs: number, maxListed = 100): Durability {
    const lost: LostWrite[] = [];
    let lostCount = 0;
    const keys = [...this.byKey.keys()].sort();
    for (const key of keys) {
      const versions = held(key);
      for (const w of this.byKey.get(key)!) {
        let safe = false;
        let concurrent = false;
        for (const v of versions) {
          const order = compare(v.clock, w.clock);
          if (order === 'after' || (order === 'equal' && v.value.id === w.writeId)) {
            safe = true;
            break;
          }
          if (order === 'concurrent') concurrent = true;
        }
        if (safe) continue;
        lostCount++;
        if (lost.length < maxListed) lost.push({ key, writeId: w.writeId, ackUs: w.ackUs, cause: this.causeOf(w, concurrent, this.byKey.get(key)!) });
      }
    }
    lost.sort((a, b) => a.ackUs - b.ackUs || a.writeId - b.writeId);
    return { acknowledgedWrites: this.count, lostWrites: lostCount, lost, checkedAtUs: nowUs };
  }

  private causeOf(w: TrackedWrite, concurrentSurvivor: boolean, sameKey: readonly TrackedWrite[]): string {
    const known = this.causes.get(w.writeId);
    if (known !== undefined) return known;
    const disk = this.diskLosses.find((d) => d.atUs >= w.ackUs);
    if (disk !== undefined) return `disk lost in a crash of ${disk.node}`;
    // Overwritten in a buffer (or on a disk) by a later write of the key that was then lost itself.
    for (const later of sameKey) {
      const cause = this.causes.get(later.writeId);
      if (cause !== undefined && compare(later.clock, w.clock) === 'after') return `superseded by write ${later.writeId}, then ${cause}`;
    }
    if (concurrentSurvivor) return 'superseded by a concurrent version (vector-clock truncation or counter reuse)';
    return 'unknown';
  }
}
