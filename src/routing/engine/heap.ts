/** Something that can sit in at most one IndexedHeap at a time; the heap keeps its slot in `heapIndex`. */
export interface HeapItem {
  heapIndex: number;
}

/**
 * A binary heap that knows where each item is, so an item can be removed or re-keyed in O(log n)
 * (a task overflowing, being answered or abandoned from the middle of a queue).
 */
export class IndexedHeap<T extends HeapItem> {
  private readonly items: T[] = [];

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  has(item: T): boolean {
    return this.items[item.heapIndex] === item;
  }

  push(item: T): void {
    item.heapIndex = this.items.length;
    this.items.push(item);
    this.up(item.heapIndex);
  }

  remove(item: T): void {
    const i = item.heapIndex;
    if (this.items[i] !== item) return;
    const last = this.items.pop() as T;
    item.heapIndex = -1;
    if (i === this.items.length) return;
    this.items[i] = last;
    last.heapIndex = i;
    this.up(i);
    this.down(last.heapIndex);
  }

  /**
   * The first item in heap order that satisfies `accept`, looking at no more than `limit` items.
   * Walks the heap best-first through a small frontier, so the items seen are exactly the `limit`
   * best ones whatever the heap's internal shape (a restored engine decides the same).
   */
  find(accept: (item: T) => boolean, limit: number): T | undefined {
    const head = this.items[0];
    if (head === undefined) return undefined;
    if (accept(head)) return head;
    const frontier: number[] = [];
    const push = (i: number) => {
      if (i >= this.items.length) return;
      frontier.push(i);
      let k = frontier.length - 1;
      while (k > 0) {
        const p = (k - 1) >> 1;
        if (!this.before(this.items[frontier[k]!]!, this.items[frontier[p]!]!)) break;
        [frontier[k], frontier[p]] = [frontier[p]!, frontier[k]!];
        k = p;
      }
    };
    const pop = (): number => {
      const top = frontier[0]!;
      const last = frontier.pop()!;
      if (frontier.length > 0) {
        frontier[0] = last;
        let k = 0;
        for (;;) {
          const l = 2 * k + 1;
          const r = l + 1;
          let m = k;
          if (l < frontier.length && this.before(this.items[frontier[l]!]!, this.items[frontier[m]!]!)) m = l;
          if (r < frontier.length && this.before(this.items[frontier[r]!]!, this.items[frontier[m]!]!)) m = r;
          if (m === k) break;
          [frontier[k], frontier[m]] = [frontier[m]!, frontier[k]!];
          k = m;
        }
      }
      return top;
    };
    push(1);
    push(2);
    for (let seen = 1; seen < limit && frontier.length > 0; seen++) {
      const i = pop();
      const item = this.items[i]!;
      if (accept(item)) return item;
      push(2 * i + 1);
      push(2 * i + 2);
    }
    return undefined;
  }

  /** Keeps only the items `keep` accepts, re-heapified in O(n). */
  retain(keep: (item: T) => boolean): void {
    const kept: T[] = [];
    for (const item of this.items) {
      if (keep(item)) kept.push(item);
      else item.heapIndex = -1;
    }
    this.items.length = 0;
    for (const item of kept) {
      item.heapIndex = this.items.length;
      this.items.push(item);
    }
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  /** Every item, in no particular order. */
  values(): readonly T[] {
    return this.items;
  }

  private up(i: number): void {
    const items = this.items;
    const item = items[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (!this.before(item, parent)) break;
      items[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    items[i] = item;
    item.heapIndex = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.before(items[r]!, items[l]!) ? r : l;
      const child = items[c]!;
      if (!this.before(child, item)) break;
      items[i] = child;
      child.heapIndex = i;
      i = c;
    }
    items[i] = item;
    item.heapIndex = i;
  }
}
