// Every timed thing, earliest first: reservation expiry, step timeouts, wrap-up ends, last-agent holds.
// Offers sit in a heap of their own and leave it when they stop pending (nearly every offer is
// answered long before it expires, and is one object less this way). The other kinds are never
// removed early; one that no longer applies is recognised and skipped when due.
import { IndexedHeap } from './heap.js';
import type { Millis } from './model.js';
import type { ReservationRec, TaskRec } from './state.js';

export type DeadlineKind = 'wrap' | 'hold' | 'step';

/** One shape for every kind, so the heap's comparisons see a single object layout. */
export class Deadline {
  heapIndex = -1;
  constructor(
    readonly kind: DeadlineKind,
    readonly at: Millis,
    readonly task: TaskRec,
    /** For kind 'step': the task's stepToken when it entered the step. */
    readonly token: number,
  ) {}
}

/** What falls due: a deadline, or a pending offer expiring. */
export type Due = Deadline | ReservationRec;

export function isOffer(d: Due): d is ReservationRec {
  return (d as Deadline).kind === undefined;
}

// Equal instants resolve in a fixed order (wrap-ups free slots before offers expire, before holds
// end, before overflows), then by reservation number / arrival: a restored engine replays the same.
const RANK = { wrap: 0, reservation: 1, hold: 2, step: 3 } as const;

function dueBefore(a: Deadline, b: Deadline): boolean {
  if (a.at !== b.at) return a.at < b.at;
  if (a.kind !== b.kind) return RANK[a.kind] < RANK[b.kind];
  return a.task.seq < b.task.seq;
}

function offerBefore(a: ReservationRec, b: ReservationRec): boolean {
  if (a.expiresAt !== b.expiresAt) return a.expiresAt < b.expiresAt;
  return a.ordinal < b.ordinal;
}

/** Whether the offer expires before the deadline, in the order above. */
function offerFirst(r: ReservationRec, d: Deadline): boolean {
  if (r.expiresAt !== d.at) return r.expiresAt < d.at;
  return RANK.reservation < RANK[d.kind];
}

export function isCurrent(d: Deadline): boolean {
  switch (d.kind) {
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
  private readonly offers = new IndexedHeap<ReservationRec>(offerBefore);

  /** Size after the last sweep; stale entries are swept out when the heap has doubled since. */
  private swept = 0;

  add(kind: DeadlineKind, at: Millis, task: TaskRec, token = 0): void {
    this.heap.push(new Deadline(kind, at, task, token));
    // Earlier placements and wrap-ups cut short leave entries behind; sweeping at every doubling
    // keeps memory proportional to what is live, at O(1) amortised.
    if (this.heap.size > 2 * this.swept + 1024) {
      this.heap.retain(isCurrent);
      this.swept = this.heap.size;
    }
  }

  /** A pending offer, until `dropOffer` or its expiry. */
  addOffer(r: ReservationRec): void {
    this.offers.push(r);
  }

  dropOffer(r: ReservationRec): void {
    this.offers.remove(r);
  }

  /** The earliest deadline that still applies; stale ones on top are dropped on the way. */
  next(): Due | undefined {
    let top = this.heap.peek();
    while (top !== undefined && !isCurrent(top)) {
      this.heap.remove(top);
      top = this.heap.peek();
    }
    const offer = this.offers.peek();
    if (offer === undefined) return top;
    return top === undefined || offerFirst(offer, top) ? offer : top;
  }

  /** When the earliest deadline falls. */
  nextAt(): Millis | undefined {
    const d = this.next();
    return d === undefined ? undefined : isOffer(d) ? d.expiresAt : d.at;
  }

  /** Removes and returns the earliest current deadline due at or before `now`. */
  takeDue(now: Millis): Due | undefined {
    const d = this.next();
    if (d === undefined) return undefined;
    if (isOffer(d)) {
      if (d.expiresAt > now) return undefined;
      this.offers.remove(d);
    } else {
      if (d.at > now) return undefined;
      this.heap.remove(d);
    }
    return d;
  }
}
