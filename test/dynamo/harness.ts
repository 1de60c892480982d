/**
 * Test harness: scripted client operations on a cluster, recorded with the
 * world's (true) time, from outside the system under test.
 */
import type { Cluster } from '../../src/experiment/cluster.js';
import type { GetResult, PutResult } from '../../src/dynamo/client.js';
import type { VClock } from '../../src/dynamo/vclock.js';
import type { Value } from '../../src/dynamo/version.js';

export interface OpRecord {
  kind: 'get' | 'put';
  client: number;
  key: string;
  startUs: number;
  endUs: number;
  ok: boolean;
  error: string | null;
  /** put: the clock written; get: the clocks returned. */
  clocks: VClock[];
  valueIds: number[];
  items: number[][];
}

export class History {
  readonly ops: OpRecord[] = [];
  private nextValueId = 1;
  constructor(readonly cluster: Cluster) {}

  get now(): number {
    return this.cluster.world.nowUs;
  }

  get(client: number, key: string, then?: (r: GetResult) => void): void {
    const startUs = this.now;
    this.cluster.client(client).get(key, (r) => {
      this.ops.push({
        kind: 'get', client, key, startUs, endUs: this.now, ok: r.ok, error: r.error,
        clocks: r.siblings.map((s) => s.clock), valueIds: r.siblings.map((s) => s.value.id), items: r.siblings.map((s) => [...(s.value.items ?? [])]),
      });
      then?.(r);
    });
  }

  put(client: number, key: string, context: VClock, preferred: number, items: number[] | null = null, then?: (r: PutResult) => void): number {
    const startUs = this.now;
    const id = this.nextValueId++;
    const value: Value = { id, sizeBytes: 1_000, writtenAtUs: 0, items };
    this.cluster.client(client).put(key, context, value, preferred, (r) => {
      this.ops.push({ kind: 'put', client, key, startUs, endUs: this.now, ok: r.ok, error: r.error, clocks: r.clock ? [r.clock] : [], valueIds: [id], items: items ? [items] : [] });
      then?.(r);
    });
    return id;
  }

  /** get then put with the returned context (the shopping-cart pattern). */
  readModifyWrite(client: number, key: string, items: (prev: number[][]) => number[] | null = () => null, then?: (r: PutResult) => void): void {
    this.get(client, key, (g) => {
      if (!g.ok) return;
      this.put(client, key, g.context, g.fastest, items(g.siblings.map((s) => [...(s.value.items ?? [])])), then);
    });
  }

  at(timeUs: number, fn: () => void): void {
    this.cluster.world.scheduler.at(timeUs, fn);
  }

  run(untilUs: number): void {
    this.cluster.world.scheduler.runUntil(untilUs);
  }
}
