/**
 * A FIFO queue on an array read from a moving head: push at the end, shift
 * from the head in O(1) (no Array.shift, which moves every element), and put
 * an item back at the front in O(1) while the head has room (an item just
 * taken can always be put back without moving the others). The
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

  /** Put `item` at the front: into the slot before the head when there is one, else by moving the rest (Array.unshift). */
  unshift(item: T): void {
    if (this.head > 0) this.items[--this.head] = item;
    else this.items.unshift(item);
  }

  clear(): void {
    this.items.length = 0;
    this.head = 0;
  }
}
