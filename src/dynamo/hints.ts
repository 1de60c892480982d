/**
 * Hinted handoff (paper §4.6): a replica meant for an unreachable node is
 * written to a fallback with a hint naming the intended node. Hints live in a
 * separate local store (durable: it survives a crash of the holder, not the
 * loss of its disk), bounded in size; a periodic scan offers them to their
 * intended nodes once those answer again, and a hint is deleted when its
 * delivery is acknowledged (unless it changed meanwhile).
 */
import type { HostContext } from '../../sim/host.js';
import { mergeInto, type Siblings, type Version } from './version.js';

const HINTS_KEY = 'dynamo/hints';

export interface InFlightHint {
  readonly intended: number;
  readonly key: string;
  readonly versions: Siblings;
}

export interface HintStats {
  stored: number;
  refused: number;
  delivered: number;
}

export class HintStore {
  /** intended node → key → hinted siblings. Durable. */
  private readonly byNode: Map<number, Map<string, Siblings>>;
  private count = 0;
  private nextHintId = 1;
  private readonly inFlight = new Map<number, InFlightHint>();
  /** (intended, key) pairs currently being delivered, so a scan does not send them twice. */
  private readonly sending = new Set<string>();
  readonly stats: HintStats = { stored: 0, refused: 0, delivered: 0 };

  constructor(
    ctx: HostContext,
    private readonly maxHints: number,
  ) {
    let byNode = ctx.durable.get(HINTS_KEY) as Map<number, Map<string, Siblings>> | undefined;
    if (byNode === undefined) {
      byNode = new Map();
      ctx.durable.set(HINTS_KEY, byNode);
    }
    this.byNode = byNode;
    for (const keys of byNode.values()) this.count += keys.size;
  }

  /** Hinted keys held. */
  get size(): number {
    return this.count;
  }

  /** Store a hint; false when the store is full (the replica is then simply not kept). */
  add(intended: number, key: string, versions: readonly Version[]): boolean {
    let keys = this.byNode.get(intended);
    const current = keys?.get(key);
    if (current === undefined && this.count >= this.maxHints) {
      this.stats.refused++;
      return false;
    }
    if (keys === undefined) {
      keys = new Map();
      this.byNode.set(intended, keys);
    }
    if (current === undefined) this.count++;
    keys.set(key, mergeInto(current ?? [], versions));
    this.stats.stored++;
    return true;
  }

  /** Every hinted version of `key`, whoever it is meant for (a fallback answers reads with them too). */
  versionsFor(key: string): Siblings | undefined {
    let out: Siblings | undefined;
    for (const keys of this.byNode.values()) {
      const v = keys.get(key);
      if (v !== undefined) out = out === undefined ? v : mergeInto(out, v);
    }
    return out;
  }

  /** Intended nodes with pending hints, in insertion order. */
  targets(): number[] {
    const out: number[] = [];
    for (const [node, keys] of this.byNode) if (keys.size > 0) out.push(node);
    return out;
  }

  /** Pending hint count per intended node (for liveness reports). */
  pendingByNode(): Map<number, number> {
    const out = new Map<number, number>();
    for (const [node, keys] of this.byNode) if (keys.size > 0) out.set(node, keys.size);
    return out;
  }

  /** Take up to `batch` hints for `intended` that are not already in flight; returns [hintId, hint] pairs. */
  takeBatch(intended: number, batch: number): Array<[number, InFlightHint]> {
    const keys = this.byNode.get(intended);
    const out: Array<[number, InFlightHint]> = [];
    if (keys === undefined) return out;
    for (const [key, versions] of keys) {
      if (out.length >= batch) break;
      const tag = `${intended}\u0000${key}`;
      if (this.sending.has(tag)) continue;
      this.sending.add(tag);
      const id = this.nextHintId++;
      const hint = { intended, key, versions };
      this.inFlight.set(id, hint);
      out.push([id, hint]);
    }
    return out;
  }

  /** The intended node acknowledged: delete the hint unless it changed since it was sent. */
  acknowledged(hintId: number): void {
    const hint = this.inFlight.get(hintId);
    if (hint === undefined) return;
    this.release(hintId, hint);
    const keys = this.byNode.get(hint.intended);
    if (keys !== undefined && keys.get(hint.key) === hint.versions) {
      keys.delete(hint.key);
      this.count--;
      this.stats.delivered++;
      if (keys.size === 0) this.byNode.delete(hint.intended);
    }
  }

  /** No answer in time: the hint stays and is offered again at a later scan. Returns whether it was still in flight. */
  expired(hintId: number): boolean {
    const hint = this.inFlight.get(hintId);
    if (hint === undefined) return false;
    this.release(hintId, hint);
    return true;
  }

  private release(hintId: number, hint: InFlightHint): void {
    this.inFlight.delete(hintId);
    this.sending.delete(`${hint.intended}\u0000${hint.key}`);
  }
}
