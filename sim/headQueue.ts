/**
 * A FIFO queue on an array read from a moving head: push at the end, shift
 * from the head in O(1) (no Array.shift, which moves every element), and put
 * items back at the front: into the free slots before the head when there
 * are enough (as after taking them, unless that emptied or compacted the
 * queue), else by moving the rest once. The
 * consumed prefix is dropped when the queue empties, or in one splice once
 * it is over half the array and longer than 1,024. Slots are cleared as they
 * are consumed, so a queue never keeps what it has handed out alive.
 */
export class HeadQueue<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The first item, or undefined when empty. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** The last item, or undefined when empty. */
  last(): T | undefined {
    return this.head < this.items.length ? this.items[this.items.length - 1] : undefined;
  }

  /** Remove and return the first item (undefined when empty). */
  shift(): T | undefined {
    const items = this.items;
    if (this.head >= items.length) return undefined;
    const item = items[this.head];
    items[this.head++] = undefined;
    if (this.head === items.length) {
      items.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > items.length) {
      items.splice(0, this.head);
      this.head = 0;
    }
    return item;
  }

  /** Put `front` at the front, in its order (front[0] first): one move of the rest at most, not one per item. */
  unshiftAll(front: readonly T[]): void {
    const k = front.length;
    if (k === 0) return;
    if (this.head >= k) {
      this.head -= k;
      for (let i = 0; i < k; i++) this.items[this.head + i] = front[i];
    } else {
      this.items.splice(this.head, 0, ...front);
    }
  }

  clear(): void {
    this.items.length = 0;
    this.head = 0;
  }
}
