// Offers: an agent's slot is held from the offer until it is accepted (and then until the task
// ends) or until it is rejected, times out or is canceled, when the task is offered again.
import { Conflict, NotFound } from '../../core/index.js';
import { refreshState, releaseSlot, takeSlot } from './agents.js';
import { type Core, DEFAULTS, now } from './core.js';
import type { Reservation } from './model.js';
import { clearDirect, dequeue, enqueue, untrack } from './placement.js';
import {
  type AgentRec,
  addPending,
  hasPending,
  markTried,
  type ReservationRec,
  removePending,
  type TaskRec,
} from './state.js';

export function publicReservation(r: ReservationRec): Reservation {
  return { id: r.id, taskId: r.taskId, agentId: r.agentId, createdAt: r.createdAt, expiresAt: r.expiresAt };
}

export const byOrdinal = (a: ReservationRec, b: ReservationRec) => a.ordinal - b.ordinal;

export function reserve(core: Core, t: TaskRec, a: AgentRec): void {
  if (t.status === 'waiting') {
    dequeue(core, t);
    t.status = 'reserved';
  }
  const at = now(core);
  const q = t.queueId === undefined ? undefined : core.queues.get(t.queueId);
  const ordinal = ++core.reservationSeq;
  const r: ReservationRec = {
    id: `res-${ordinal}`,
    ordinal,
    taskId: t.id,
    agentId: a.id,
    createdAt: at,
    expiresAt: at + (q?.spec.reservationTimeoutMs ?? DEFAULTS.reservationTimeoutMs),
    status: 'pending',
    task: t,
    agent: a,
    heapIndex: -1,
  };
  core.reservations.set(r.id, r);
  addPending(t, a, r);
  takeSlot(core, a, t.cls);
  if (q) q.lastChosen = a.id;
  core.deadlines.addOffer(r);
  core.emit({ type: 'reservation.created', at, reservation: publicReservation(r) });
  refreshState(core, a);
}

/**
 * Ends a pending offer without an answer. A rejection or timeout marks the agent as tried for the
 * task; a task left with no offer waits again (no longer for one agent only).
 */
export function endReservation(
  core: Core,
  r: ReservationRec,
  status: 'rejected' | 'timed_out' | 'canceled',
): void {
  if (r.status !== 'pending') return;
  r.status = status;
  core.deadlines.dropOffer(r);
  const { task: t, agent: a } = r;
  removePending(t, a, r);
  releaseSlot(core, a, t.cls);
  const type =
    status === 'rejected'
      ? 'reservation.rejected'
      : status === 'timed_out'
        ? 'reservation.timed_out'
        : 'reservation.canceled';
  core.emit({ type, at: now(core), reservationId: r.id, taskId: t.id, agentId: a.id });
  if (status !== 'canceled') markTried(t, a.id);
  if (t.directAgentId === a.id) clearDirect(t);
  if (t.status === 'reserved' && !hasPending(t)) {
    t.status = 'waiting';
    enqueue(core, t);
  }
  refreshState(core, a);
}

/** Cancels the task's pending offers, oldest first. */
export function withdrawOffers(core: Core, t: TaskRec): void {
  if (!hasPending(t)) return;
  for (const r of [...t.pending!].sort(byOrdinal)) endReservation(core, r, 'canceled');
}

export function pendingReservation(core: Core, id: string): ReservationRec {
  const r = core.reservations.get(id);
  if (!r) {
    // Ids are issued in sequence; one we issued but no longer keep has ended (its task is over).
    const n = /^res-(\d+)$/.exec(id)?.[1];
    if (n !== undefined && Number(n) <= core.reservationSeq)
      throw new Conflict(`reservation ${id} is no longer pending`);
    throw new NotFound('reservation', id);
  }
  if (r.status !== 'pending')
    throw new Conflict(`reservation ${id} is ${r.status.replace('_', ' ')}, not pending`);
  return r;
}

/** The agent takes the task: it is assigned, answered in its queue, and the task's other offers end. */
export function accept(core: Core, r: ReservationRec): void {
  const { task: t, agent: a } = r;
  const at = now(core);
  r.status = 'accepted';
  core.deadlines.dropOffer(r);
  removePending(t, a, r);
  t.status = 'assigned';
  t.agentId = a.id;
  a.work.push(t);
  a.tasksHandled++;
  clearDirect(t);
  t.tried = undefined;
  untrack(core, t);
  const waitedMs = recordAnswer(core, t, a, at);
  core.emit({ type: 'reservation.accepted', at, reservationId: r.id, taskId: t.id, agentId: a.id });
  core.emit({ type: 'task.assigned', at, taskId: t.id, agentId: a.id, queueId: t.queueId ?? '', waitedMs });
  withdrawOffers(core, t);
  refreshState(core, a);
}

/**
 * The task's wait ends with an agent: answered in the queue that counted the wait (with whether it
 * was within that queue's service level), and the agent remembered for last-agent routing. Returns
 * how long the customer waited.
 */
export function recordAnswer(core: Core, t: TaskRec, a: AgentRec, at: number): number {
  const waitedMs = Math.max(0, at - t.waitingSince);
  const q = t.countedIn === undefined ? undefined : core.queues.get(t.countedIn);
  if (q) {
    q.counters.answered++;
    q.counters.answeredWaitMs += waitedMs;
    if (waitedMs <= (q.spec.serviceLevelMs ?? DEFAULTS.serviceLevelMs)) q.counters.answeredWithinSl++;
  }
  t.countedIn = undefined;
  const customerId = t.spec.attributes.customerId;
  if (typeof customerId === 'string' && customerId !== '')
    core.lastAgents.set(customerId, { agentId: a.id, at });
  return waitedMs;
}
