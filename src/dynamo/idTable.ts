/**
 * A table from increasing integer ids to values, for what is in flight on a
 * host (request state machines, a client's outstanding requests). An entry
 * lives in slot `id mod capacity` of an open table that doubles when a new
 * id's slot is still taken. Ids are issued in increasing order and entries
 * end in roughly the order they start, so the table's size follows the span
 * of ids between the oldest and newest live entry: about the issue rate times
 * the longest lifetime (a request waiting out its timeout for a silent
 * replica keeps the table that wide). A Map did the same with a hash, an
 * entry object and, as it grew and shrank, a rehashed table every few
 * requests (garbage that outlived the young generation).
 *
 * Ids must be non-negative integers below 2^53; a slot keeps its id, so a
 * stale id (a late reply) never finds the entry that reused its slot.
 */
export class IdTable<T> {
  private values: (T | undefined)[] = new Array<T | undefined>(64).fill(undefined);
  private ids = new Float64Array(64);
  private mask = 63;
  private live = 0;

  /** Add an entry; `id` must not be live. */
  set(id: number, value: T): void {
    while (this.values[id & this.mask] !== undefined) {
      if (this.ids[id & this.mask] === id) throw new Error(`id ${id} is already live`);
      this.grow();
    }
    const slot = id & this.mask;
    this.values[slot] = value;
    this.ids[slot] = id;
    this.live++;
  }

  get(id: number): T | undefined {
    const slot = id & this.mask;
    return this.ids[slot] === id ? this.values[slot] : undefined;
  }

  /** Remove an entry; false when `id` is not live. */
  delete(id: number): boolean {
    const slot = id & this.mask;
    if (this.ids[slot] !== id || this.values[slot] === undefined) return false;
    this.values[slot] = undefined;
    this.live--;
    return true;
  }

  /** Live entries. */
  get size(): number {
    return this.live;
  }

  /** Double the table. Live ids are distinct modulo the capacity, hence modulo twice it: no two collide. */
  private grow(): void {
    const values = this.values;
    const ids = this.ids;
    const capacity = values.length * 2;
    this.values = new Array<T | undefined>(capacity).fill(undefined);
    this.ids = new Float64Array(capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < values.length; i++) {
      if (values[i] === undefined) continue;
      const slot = ids[i]! & this.mask;
      this.values[slot] = values[i];
      this.ids[slot] = ids[i]!;
    }
  }
}
