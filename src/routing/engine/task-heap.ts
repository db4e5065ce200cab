// Waiting tasks in service order (a lane of a queue, an agent's direct tasks): a heap that knows
// where each task is, so one can leave from the middle (answered, abandoned, overflowed). Four
// children per node rather than two, and each task's key kept beside it: a lane holds thousands of
// tasks, and taking its head then costs half the levels, with the comparisons reading one array
// instead of visiting a task record at every step.
import type { TaskRec } from './state.js';

/** First child of position i: 4i + 1; parent: (i − 1) >> 2. */
const ARITY = 4;

// The best-first frontier of `find`, reused: find does not nest.
const frontier: number[] = [];

export class TaskHeap {
  private readonly items: TaskRec[] = [];
  /** items[i].key, which never changes while a task waits. */
  private readonly keys: number[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): TaskRec | undefined {
    return this.items[0];
  }

  has(t: TaskRec): boolean {
    return this.items[t.heapIndex] === t;
  }

  push(t: TaskRec): void {
    const i = this.items.length;
    this.items.push(t);
    this.keys.push(t.key);
    this.up(i, t, t.key);
  }

  remove(t: TaskRec): void {
    const i = t.heapIndex;
    const items = this.items;
    if (items[i] !== t) return;
    t.heapIndex = -1;
    const last = items.pop()!;
    const lastKey = this.keys.pop()!;
    if (i === items.length) return;
    if (i > 0 && this.beats(last, lastKey, (i - 1) >> 2)) this.up(i, last, lastKey);
    else this.down(i, last, lastKey);
  }

  /** Every task, in no particular order. */
  values(): readonly TaskRec[] {
    return this.items;
  }

  /**
   * The first task in service order that `accept` takes, looking at no more than `limit` tasks.
   * Walks the heap best-first through a small frontier, so the tasks seen are exactly the `limit`
   * best ones whatever the heap's internal shape (a restored engine decides the same).
   */
  find(accept: (t: TaskRec) => boolean, limit: number): TaskRec | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    if (accept(items[0]!)) return items[0];
    frontier.length = 0;
    this.pushChildren(0);
    for (let seen = 1; seen < limit && frontier.length > 0; seen++) {
      const i = this.popFrontier();
      if (accept(items[i]!)) return items[i];
      this.pushChildren(i);
    }
    return undefined;
  }

  /** Whether `t` (with key k) comes before the task at position j. */
  private beats(t: TaskRec, k: number, j: number): boolean {
    const kj = this.keys[j]!;
    if (k !== kj) return k > kj;
    const u = this.items[j]!;
    if (t.createdAt !== u.createdAt) return t.createdAt < u.createdAt;
    return t.seq < u.seq;
  }

  /** Whether the task at position i comes before the one at j. */
  private before(i: number, j: number): boolean {
    return this.beats(this.items[i]!, this.keys[i]!, j);
  }

  private place(i: number, t: TaskRec, k: number): void {
    this.items[i] = t;
    this.keys[i] = k;
    t.heapIndex = i;
  }

  private up(i: number, t: TaskRec, k: number): void {
    while (i > 0) {
      const p = (i - 1) >> 2;
      if (!this.beats(t, k, p)) break;
      this.place(i, this.items[p]!, this.keys[p]!);
      i = p;
    }
    this.place(i, t, k);
  }

  private down(i: number, t: TaskRec, k: number): void {
    const n = this.items.length;
    for (;;) {
      const first = ARITY * i + 1;
      if (first >= n) break;
      let best = first;
      const end = Math.min(first + ARITY, n);
      for (let c = first + 1; c < end; c++) if (this.before(c, best)) best = c;
      if (this.beats(t, k, best)) break;
      this.place(i, this.items[best]!, this.keys[best]!);
      i = best;
    }
    this.place(i, t, k);
  }

  private pushChildren(i: number): void {
    const first = ARITY * i + 1;
    const end = Math.min(first + ARITY, this.items.length);
    for (let c = first; c < end; c++) {
      frontier.push(c);
      let k = frontier.length - 1;
      while (k > 0) {
        const p = (k - 1) >> 1;
        if (!this.before(frontier[k]!, frontier[p]!)) break;
        const x = frontier[k]!;
        frontier[k] = frontier[p]!;
        frontier[p] = x;
        k = p;
      }
    }
  }

  private popFrontier(): number {
    const top = frontier[0]!;
    const last = frontier.pop()!;
    const n = frontier.length;
    if (n > 0) {
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && this.before(frontier[r]!, frontier[l]!) ? r : l;
        if (!this.before(frontier[m]!, last)) break;
        frontier[k] = frontier[m]!;
        k = m;
      }
      frontier[k] = last;
    }
    return top;
  }
}
