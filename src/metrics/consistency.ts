/**
 * Consistency as clients see it, from the history alone (online, per key):
 *
 * - stale read: a successful get that returns neither the latest write
 *   acknowledged before it began nor anything newer or concurrent (every
 *   returned version is strictly older, or nothing is returned);
 * - k-staleness (PBS): the probability that a read returns one of the last
 *   k acknowledged versions (or newer), k = 1..K;
 * - t-visibility (PBS): the probability that a read starting Δ after the
 *   latest write was acknowledged returns it or a newer version, per Δ bin;
 *   measured here with faults included;
 * - the divergent-versions histogram (how many versions each get returned);
 * - per client session: read-your-writes (a get returns a version descending
 *   the session's last acknowledged write of the key) and monotonic reads (a
 *   get returns, for every version the session's previous get of the key
 *   returned, that version or a descendant).
 *
 * "Newer" is causal: a version descends the write's clock.
 */
import type { Staleness, TVisibilityPoint, VersionsHistogram } from '../report/summary.js';
import { compare, descends, type VClock } from '../dynamo/vclock.js';
import { round6 } from './availability.js';

/** Δ bins, lower edges in ms: fine near 0, where PBS curves move. */
export const T_VISIBILITY_BINS_MS: readonly number[] = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000];

/** A client session: any value unique to it (the collector uses a number per population and session). */
export type SessionId = string | number;

export interface AckedWrite {
  readonly writeId: number;
  readonly clock: VClock;
  readonly ackUs: number;
}

interface KeyState {
  /** The last K acknowledged writes, oldest first (by acknowledgement time). */
  writes: AckedWrite[];
}

interface ReadInFlight {
  readonly key: string;
  readonly session: SessionId;
  readonly startUs: number;
  /** The key's acknowledged writes when the read began (shared array, copied on change). */
  readonly writes: readonly AckedWrite[];
}

interface SessionKey {
  written: VClock | null;
  lastRead: readonly VClock[] | null;
}

export interface ConsistencyOptions {
  /** How many recent writes per key k-staleness looks at. */
  readonly kMax?: number;
  /** Bound on tracked (session, key) pairs; beyond it new pairs are not checked (and counted). */
  readonly maxSessionKeys?: number;
}

export class ConsistencyRecorder {
  private readonly keys = new Map<string, KeyState>();
  private readonly reads = new Map<number, ReadInFlight>();
  /** session -> key -> state: two levels, so no "session\0key" string is built and hashed per operation. */
  private readonly sessions = new Map<SessionId, Map<string, SessionKey>>();
  private sessionKeys = 0;
  private readonly kMax: number;
  private readonly maxSessionKeys: number;
  staleReads = 0;
  readsChecked = 0;
  /** kHits[k-1]: reads that returned one of the last k versions. */
  private readonly kHits: number[];
  private readonly tvReads = new Array<number>(T_VISIBILITY_BINS_MS.length).fill(0);
  private readonly tvVisible = new Array<number>(T_VISIBILITY_BINS_MS.length).fill(0);
  private readonly versionCounts = new Map<number, number>();
  ryw = { checked: 0, violations: 0 };
  monotonic = { checked: 0, violations: 0 };
  untrackedSessionKeys = 0;

  constructor(options: ConsistencyOptions = {}) {
    this.kMax = options.kMax ?? 5;
    this.maxSessionKeys = options.maxSessionKeys ?? 500_000;
    this.kHits = new Array<number>(this.kMax).fill(0);
  }

  /** A put was acknowledged to the client. */
  writeAcknowledged(session: SessionId, key: string, write: AckedWrite): void {
    let st = this.keys.get(key);
    if (st === undefined) {
      st = { writes: [] };
      this.keys.set(key, st);
    }
    // Copy on write: reads in flight keep the array they started with.
    const next = st.writes.length >= this.kMax ? st.writes.slice(1) : st.writes.slice();
    next.push(write);
    st.writes = next;
    const sk = this.sessionKey(session, key);
    if (sk !== null) sk.written = write.clock;
  }

  readStarted(opId: number, session: SessionId, key: string, startUs: number): void {
    this.reads.set(opId, { key, session, startUs, writes: this.keys.get(key)?.writes ?? [] });
  }

  /** The get ended; `clocks` are the versions it returned (empty: not found). */
  readEnded(opId: number, ok: boolean, clocks: readonly VClock[]): void {
    const r = this.reads.get(opId);
    if (r === undefined) return;
    this.reads.delete(opId);
    if (!ok) return;
    if (clocks.length > 0) this.versionCounts.set(clocks.length, (this.versionCounts.get(clocks.length) ?? 0) + 1);
    const writes = r.writes;
    if (writes.length > 0) {
      this.readsChecked++;
      const latest = writes[writes.length - 1]!;
      // Stale: every returned version is strictly older than the latest acknowledged write.
      let fresh = false;
      for (const c of clocks) if (compare(c, latest.clock) !== 'before') fresh = true;
      if (!fresh) this.staleReads++;
      // k-staleness: the smallest k such that a returned version descends the k-th latest write.
      for (let k = 1; k <= Math.min(this.kMax, writes.length); k++) {
        const w = writes[writes.length - k]!;
        if (clocks.some((c) => descends(c, w.clock))) {
          for (let j = k; j <= this.kMax; j++) this.kHits[j - 1]!++;
          break;
        }
      }
      // t-visibility of the latest write.
      const deltaMs = (r.startUs - latest.ackUs) / 1000;
      let bin = 0;
      while (bin + 1 < T_VISIBILITY_BINS_MS.length && deltaMs >= T_VISIBILITY_BINS_MS[bin + 1]!) bin++;
      this.tvReads[bin]!++;
      if (clocks.some((c) => descends(c, latest.clock))) this.tvVisible[bin]!++;
    }
    const sk = this.sessionKey(r.session, r.key);
    if (sk !== null) {
      if (sk.written !== null) {
        this.ryw.checked++;
        if (!clocks.some((c) => descends(c, sk.written!))) this.ryw.violations++;
      }
      if (sk.lastRead !== null && sk.lastRead.length > 0) {
        this.monotonic.checked++;
        const regressed = sk.lastRead.some((prev) => !clocks.some((c) => descends(c, prev)));
        if (regressed) this.monotonic.violations++;
      }
      sk.lastRead = clocks;
    }
  }

  private sessionKey(session: SessionId, key: string): SessionKey | null {
    let byKey = this.sessions.get(session);
    let sk = byKey?.get(key);
    if (sk === undefined) {
      if (this.sessionKeys >= this.maxSessionKeys) {
        this.untrackedSessionKeys++;
        return null;
      }
      if (byKey === undefined) {
        byKey = new Map();
        this.sessions.set(session, byKey);
      }
      sk = { written: null, lastRead: null };
      byKey.set(key, sk);
      this.sessionKeys++;
    }
    return sk;
  }

  tVisibility(): TVisibilityPoint[] {
    return T_VISIBILITY_BINS_MS.map((deltaMs, i) => ({
      deltaMs,
      reads: this.tvReads[i]!,
      probability: this.tvReads[i]! === 0 ? 1 : round6(this.tvVisible[i]! / this.tvReads[i]!),
    }));
  }

  staleness(): Staleness {
    const tv = this.tVisibility();
    // The smallest Δ from which every bin with reads is at >= 99.9%.
    let delta999Ms: number | null = null;
    for (let i = tv.length - 1; i >= 0; i--) {
      const p = tv[i]!;
      if (p.reads > 0 && p.probability < 0.999) break;
      if (p.reads > 0) delta999Ms = p.deltaMs;
    }
    return {
      staleReads: this.staleReads,
      readsChecked: this.readsChecked,
      staleShare: this.readsChecked === 0 ? 0 : round6(this.staleReads / this.readsChecked),
      kStaleness: this.kHits.map((hits, i) => ({ k: i + 1, probability: this.readsChecked === 0 ? 1 : round6(hits / this.readsChecked) })),
      tVisibility: tv,
      delta999Ms,
      readYourWrites: { ...this.ryw },
      monotonicReads: { ...this.monotonic },
    };
  }

  versions(): VersionsHistogram {
    const total = [...this.versionCounts.values()].reduce((a, b) => a + b, 0);
    const keys = [...this.versionCounts.keys()].sort((a, b) => a - b);
    return { histogram: keys.map((versions) => ({ versions, gets: this.versionCounts.get(versions)!, share: total === 0 ? 0 : this.versionCounts.get(versions)! / total })) };
  }
}
