// The engine's runtime records and the indexes over them; see engine.ts for how they fit together.
import type { RankIndex } from './best-match-index.js';
import type { FreeList, Link } from './free-lists.js';
import {
  type AgentSpec,
  type AgentState,
  CHANNEL_CLASSES,
  type ChannelClass,
  type Millis,
  type Presence,
  type QueueSpec,
  type Reservation,
  type TaskSpec,
  type TaskStatus,
} from './model.js';
import { TaskHeap } from './task-heap.js';

/** Index of a channel class in per-class arrays and bit masks: voice 0, chat 1, email 2, video 3. */
export const CLASS_INDEX: Record<ChannelClass, number> = { voice: 0, chat: 1, email: 2, video: 3 };
export const VOICE = 0;
export const CLASS_COUNT = CHANNEL_CLASSES.length;

export type ReservationStatus = 'pending' | 'accepted' | 'rejected' | 'timed_out' | 'canceled';

export interface ReservationRec extends Reservation {
  /** The number in the id; orders reservations independently of map order. */
  ordinal: number;
  /** Its place in the heap of pending offers by expiry (−1 once it no longer pends). */
  heapIndex: number;
  status: ReservationStatus;
  task: TaskRec;
  agent: AgentRec;
}

export interface TaskRec {
  id: string;
  spec: TaskSpec;
  /** Arrival order; the last tie-break, so the order of waiting tasks is total. */
  seq: number;
  cls: number;
  cel: Record<string, unknown>;
  createdAt: Millis;
  /** When the customer last started waiting for an agent: arrival, or the last transfer. Wait statistics count from here. */
  waitingSince: Millis;
  status: TaskStatus;
  queueId: string | undefined;
  stepIndex: number | undefined;
  stepId: string | undefined;
  enteredStepAt: Millis | undefined;
  /** Bumped on every placement so a stale step-timeout deadline is recognised. */
  stepToken: number;
  /** Submitted priority plus the boosts of the steps it entered. */
  priority: number;
  /** priority − aging × createdAt/60000: orders tasks by effective priority at any instant. Higher first. */
  key: number;
  agentId: string | undefined;
  wrapUntil: Millis | undefined;
  // The three below stay undefined until first needed: most tasks wait with none, and a waiting
  // task's size decides how much a garbage collection copies and marks.
  /** Pending reservations, oldest first. */
  pending: ReservationRec[] | undefined;
  /** Every reservation the task had (for getReservation after it ended). */
  history: ReservationRec[] | undefined;
  /** Agents who rejected it or let it time out; offered again only when nobody else fits. */
  tried: Set<string> | undefined;
  /** Waiting for this agent only: a transfer to the agent, or last-agent routing until holdUntil. */
  directAgentId: string | undefined;
  holdUntil: Millis | undefined;
  /** Placed by a transfer, not by the rules: a rule change leaves it where it is. */
  pinned: boolean;
  /** The queue whose `offered` counted the current wait; answered/abandoned go to the same queue. */
  countedIn: string | undefined;
  /** The lane holding it while it waits in a queue (not set while in a direct heap or unrouted). */
  lane: Lane | undefined;
  heapIndex: number;
  /** Listed in core.dirtyTasks: matching should look at it. */
  dirty: boolean;
  /** The queue whose `tasks` list holds it, and where. */
  trackedIn: QueueRt | undefined;
  trackedAt: number;
  endedAt: Millis | undefined;
}

export interface AgentRec {
  id: string;
  spec: AgentSpec;
  cel: Record<string, unknown>;
  capacity: number[];
  /** Slots over all classes, and rating / 5 clamped to 0..1: best-match inputs, set with the spec. */
  capacityTotal: number;
  ratingShare: number;
  presence: Presence;
  reason: string | undefined;
  presenceSince: Millis;
  idleSince: Millis;
  lastTaskEndedAt: Millis | undefined;
  tasksHandled: number;
  /** Slots in use per class: pending reservations, assigned and wrapping tasks. */
  load: number[];
  /** Wrapping tasks held (their slots are in `load` too). */
  wrapping: number;
  /** Bit per class the agent can be offered right now; 0 when not routable. */
  freeMask: number;
  /** Its membership of each queue it is eligible for (skills and membership). */
  links: Link[];
  // Lists rather than sets: they hold a few entries at most (one per slot), and a small Set
  // allocates a new table as it empties and fills again, which it does with every task.
  /** Pending reservations, oldest first. */
  pending: ReservationRec[];
  /** Assigned and wrapping tasks. */
  work: TaskRec[];
  /** Tasks waiting for this agent only. */
  direct: TaskHeap;
  /** How many best-match indexes hold the agent (its entries are on its links). */
  rankedCount: number;
  /** The idle time, total load and spec its index entries are filed under. */
  rankedSince: Millis;
  rankedLoad: number;
  rankedSpec: AgentSpec | undefined;
  state: AgentState;
  stateReason: string | undefined;
  stateSince: Millis;
  /** Listed in core.dirtyAgents: matching should look at it. */
  dirty: boolean;
}

export interface QueueCounters {
  offered: number;
  answered: number;
  abandoned: number;
  answeredWithinSl: number;
  answeredWaitMs: number;
}

/** Waiting tasks of one queue that share a step (so an agentFilter) and a channel class. */
export interface Lane {
  queue: QueueRt;
  stepIndex: number;
  cls: number;
  heap: TaskHeap;
}

export interface QueueRt {
  id: string;
  spec: QueueSpec;
  /** Member id → position, when the queue names its members. */
  memberIndex: Map<string, number> | undefined;
  /** The agents eligible for it (skills and membership), with their membership records. */
  eligible: Map<AgentRec, Link>;
  /** Per class: eligible agents that could be offered a task of that class right now. */
  free: FreeList[];
  /** Per class: best-match's index over `free`, while choices use it. */
  ranked: (RankIndex | undefined)[];
  /** Per class: step index (−1 = no step) → non-empty lane. */
  lanes: Map<number, Lane>[];
  /** Tasks placed here and not yet answered (waiting or reserved), for statistics; in no order. */
  tasks: TaskRec[];
  counters: QueueCounters;
  /** Round-robin: the agent last chosen for a task of this queue. */
  lastChosen: string | undefined;
}

/** Service order: higher effective priority first, then older, then earlier arrival. */
export function taskBefore(a: TaskRec, b: TaskRec): boolean {
  if (a.key !== b.key) return a.key > b.key;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt;
  return a.seq < b.seq;
}

export function newTaskHeap(): TaskHeap {
  return new TaskHeap();
}

export function newCounters(): QueueCounters {
  return { offered: 0, answered: 0, abandoned: 0, answeredWithinSl: 0, answeredWaitMs: 0 };
}

export function newAgentRec(spec: AgentSpec, cel: Record<string, unknown>, at: Millis): AgentRec {
  return {
    id: spec.id,
    ...specFields(spec),
    cel,
    presence: 'offline',
    reason: undefined,
    presenceSince: at,
    idleSince: at,
    lastTaskEndedAt: undefined,
    tasksHandled: 0,
    load: [0, 0, 0, 0],
    wrapping: 0,
    freeMask: 0,
    links: [],
    pending: [],
    work: [],
    direct: newTaskHeap(),
    rankedCount: 0,
    rankedSince: 0,
    rankedLoad: 0,
    rankedSpec: undefined,
    state: 'offline',
    stateReason: undefined,
    stateSince: at,
    dirty: false,
  };
}

/** The parts of an AgentRec derived from its spec. */
export function specFields(
  spec: AgentSpec,
): Pick<AgentRec, 'spec' | 'capacity' | 'capacityTotal' | 'ratingShare'> {
  const capacity = CHANNEL_CLASSES.map((c) => Math.max(0, Math.floor(spec.capacity[c] ?? 0)));
  return {
    spec,
    capacity,
    capacityTotal: capacity.reduce((s, n) => s + n, 0),
    ratingShare: Math.max(0, Math.min(5, spec.rating)) / 5,
  };
}

/** Files a new offer with its task and its agent. */
export function addPending(t: TaskRec, a: AgentRec, r: ReservationRec): void {
  if (t.pending === undefined) t.pending = [r];
  else t.pending.push(r);
  if (t.history === undefined) t.history = [r];
  else t.history.push(r);
  a.pending.push(r);
}

/** The offer is no longer pending (answered, rejected, timed out or canceled). */
export function removePending(t: TaskRec, a: AgentRec, r: ReservationRec): void {
  const list = t.pending!;
  if (list.length === 1) t.pending = undefined;
  else removeItem(list, r);
  removeItem(a.pending, r);
}

/** Removes one occurrence, keeping the order (these lists are short, and usually it is the first). */
export function removeItem<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i === 0) list.shift();
  else if (i > 0) list.splice(i, 1);
}

export function markTried(t: TaskRec, agentId: string): void {
  if (t.tried === undefined) t.tried = new Set();
  t.tried.add(agentId);
}

export function hasPending(t: TaskRec): boolean {
  return t.pending !== undefined && t.pending.length > 0;
}

export function triedAny(t: TaskRec): boolean {
  return t.tried !== undefined && t.tried.size > 0;
}

export function isLive(status: TaskStatus): boolean {
  return status === 'waiting' || status === 'reserved' || status === 'assigned' || status === 'wrapping';
}
