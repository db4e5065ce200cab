// Every timed thing in one min-heap: reservation expiry, step timeouts, wrap-up ends, last-agent holds.
// Entries are never removed early; one that no longer applies is recognised and skipped when due.
import { IndexedHeap } from './heap.js';
import type { Millis } from './model.js';
import type { ReservationRec, TaskRec } from './state.js';

export type DeadlineSpec =
  | { kind: 'wrap'; at: Millis; task: TaskRec }
  | { kind: 'reservation'; at: Millis; reservation: ReservationRec }
  | { kind: 'hold'; at: Millis; task: TaskRec }
  | { kind: 'step'; at: Millis; task: TaskRec; token: number };

export type Deadline = DeadlineSpec & { heapIndex: number };

// Equal instants resolve in a fixed order (wrap-ups free slots before offers expire, before holds
// end, before overflows), then by reservation number / arrival: a restored engine replays the same.
const RANK = { wrap: 0, reservation: 1, hold: 2, step: 3 } as const;

function ordinal(d: Deadline): number {
  return d.kind === 'reservation' ? d.reservation.ordinal : d.task.seq;
}

function dueBefore(a: Deadline, b: Deadline): boolean {
  if (a.at !== b.at) return a.at < b.at;
  if (a.kind !== b.kind) return RANK[a.kind] < RANK[b.kind];
  return ordinal(a) < ordinal(b);
}

export function isCurrent(d: Deadline): boolean {
  switch (d.kind) {
    case 'reservation':
      return d.reservation.status === 'pending';
    case 'wrap':
      return d.task.status === 'wrapping' && d.task.wrapUntil === d.at;
    case 'hold':
      return d.task.holdUntil === d.at && d.task.directAgentId !== undefined && unanswered(d.task);
    case 'step':
      return d.task.stepToken === d.token && unanswered(d.task);
  }
}

function unanswered(t: TaskRec): boolean {
  return t.status === 'waiting' || t.status === 'reserved';
}

export class DeadlineQueue {
  private readonly heap = new IndexedHeap<Deadline>(dueBefore);

  /** Size after the last sweep; stale entries are swept out when the heap has doubled since. */
  private swept = 0;

  add(d: DeadlineSpec): void {
    this.heap.push({ ...d, heapIndex: -1 });
    // Canceled offers and earlier placements leave entries behind (ring-all leaves hundreds at
    // once); sweeping at every doubling keeps memory proportional to what is live, at O(1) amortised.
    if (this.heap.size > 2 * this.swept + 1024) {
      this.heap.retain(isCurrent);
      this.swept = this.heap.size;
    }
  }

  /** The earliest deadline that still applies; stale ones on top are dropped on the way. */
  next(): Deadline | undefined {
    for (let top = this.heap.peek(); top !== undefined; top = this.heap.peek()) {
      if (isCurrent(top)) return top;
      this.heap.remove(top);
    }
    return undefined;
  }

  /** Removes and returns the earliest current deadline due at or before `now`. */
  takeDue(now: Millis): Deadline | undefined {
    const top = this.next();
    if (top === undefined || top.at > now) return undefined;
    this.heap.remove(top);
    return top;
  }
}
