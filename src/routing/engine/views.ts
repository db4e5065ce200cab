// Read-only pictures of tasks, agents, reservations and statistics, copied out so callers cannot
// change the engine's records.
import { NotFound } from '../../core/index.js';
import { type Core, now } from './core.js';
import type {
  AgentSpec,
  AgentState,
  AgentStats,
  Capacity,
  Millis,
  Presence,
  QueueStats,
  Reservation,
  TaskAttributes,
  TaskStatus,
} from './model.js';
import { CHANNEL_CLASSES } from './model.js';
import { publicReservation } from './reservations.js';
import type { AgentRec, QueueRt, ReservationRec, ReservationStatus, TaskRec } from './state.js';

export interface TaskView {
  id: string;
  status: TaskStatus;
  attributes: TaskAttributes;
  /** Submitted priority plus the boosts of the steps it entered (aging not included). */
  priority: number;
  queueId?: string | undefined;
  stepId?: string | undefined;
  stepIndex?: number | undefined;
  agentId?: string | undefined;
  createdAt: Millis;
  waitingSince: Millis;
  enteredStepAt?: Millis | undefined;
  wrapUntil?: Millis | undefined;
  endedAt?: Millis | undefined;
  /** Set while the task waits for one agent only (transfer to an agent, last-agent hold). */
  directAgentId?: string | undefined;
  holdUntil?: Millis | undefined;
  /** Pending reservations. */
  reservations: Reservation[];
}

export interface AgentView {
  id: string;
  spec: AgentSpec;
  presence: Presence;
  reason?: string | undefined;
  state: AgentState;
  stateSince: Millis;
  idleSince: Millis;
  lastTaskEndedAt?: Millis | undefined;
  tasksHandled: number;
  load: Capacity;
  capacity: Capacity;
  queueIds: string[];
  /** Assigned and wrapping tasks. */
  taskIds: string[];
  reservations: Reservation[];
}

export interface ReservationView extends Reservation {
  status: ReservationStatus;
}

const byOrdinal = (a: ReservationRec, b: ReservationRec) => a.ordinal - b.ordinal;

export function taskViewOf(t: TaskRec): TaskView {
  return {
    id: t.id,
    status: t.status,
    attributes: t.spec.attributes,
    priority: t.priority,
    queueId: t.queueId,
    stepId: t.stepId,
    stepIndex: t.stepIndex,
    agentId: t.agentId,
    createdAt: t.createdAt,
    waitingSince: t.waitingSince,
    enteredStepAt: t.enteredStepAt,
    wrapUntil: t.wrapUntil,
    endedAt: t.endedAt,
    directAgentId: t.directAgentId,
    holdUntil: t.holdUntil,
    reservations: t.pending === undefined ? [] : [...t.pending].sort(byOrdinal).map(publicReservation),
  };
}

function loadOf(a: AgentRec): Capacity {
  const load: Capacity = {};
  CHANNEL_CLASSES.forEach((c, i) => {
    if (a.capacity[i]! > 0 || a.load[i]! > 0) load[c] = a.load[i]!;
  });
  return load;
}

export function agentViewOf(a: AgentRec): AgentView {
  return {
    id: a.id,
    spec: a.spec,
    presence: a.presence,
    reason: a.reason,
    state: a.state,
    stateSince: a.stateSince,
    idleSince: a.idleSince,
    lastTaskEndedAt: a.lastTaskEndedAt,
    tasksHandled: a.tasksHandled,
    load: loadOf(a),
    capacity: { ...a.spec.capacity },
    queueIds: a.links.map((l) => l.queue.id).sort(),
    taskIds: [...a.work].map((t) => t.id).sort(),
    reservations: [...a.pending].sort(byOrdinal).map(publicReservation),
  };
}

export function reservationViewOf(r: ReservationRec): ReservationView {
  return { ...publicReservation(r), status: r.status };
}

/**
 * offered: tasks that entered the queue (on arrival, by overflow, a rule change or a transfer to
 * it); each such wait ends answered or abandoned here, or leaves (overflow, transfer, cancel) or is
 * still waiting. waiting counts tasks not yet answered (waiting or with offers out).
 */
export function queueStatsOf(core: Core, q: QueueRt): QueueStats {
  const at = now(core);
  let longestWaitMs = 0;
  for (const t of q.tasks) longestWaitMs = Math.max(longestWaitMs, at - t.waitingSince);
  let availableAgents = 0;
  for (const a of q.eligible.keys()) if (a.freeMask !== 0) availableAgents++;
  const c = q.counters;
  const ended = c.answered + c.abandoned;
  return {
    queueId: q.id,
    waiting: q.tasks.length,
    longestWaitMs,
    availableAgents,
    offered: c.offered,
    answered: c.answered,
    abandoned: c.abandoned,
    answeredWithinSl: c.answeredWithinSl,
    serviceLevel: ended === 0 ? 1 : c.answeredWithinSl / ended,
    asaMs: c.answered === 0 ? 0 : c.answeredWaitMs / c.answered,
  };
}

export function queueStatsById(core: Core, id: string): QueueStats {
  const q = core.queues.get(id);
  if (!q) throw new NotFound('queue', id);
  return queueStatsOf(core, q);
}

export function agentStatsOf(a: AgentRec): AgentStats {
  return {
    agentId: a.id,
    state: a.state,
    reason: a.stateReason,
    sinceMs: a.stateSince,
    load: loadOf(a),
    capacity: { ...a.spec.capacity },
    tasksHandled: a.tasksHandled,
  };
}
