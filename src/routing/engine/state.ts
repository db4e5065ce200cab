// The engine's runtime records and the indexes over them; see engine.ts for how they fit together.
import { IndexedHeap } from './heap.js';
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

/** Index of a channel class in per-class arrays and bit masks: voice 0, chat 1, email 2, video 3. */
export const CLASS_INDEX: Record<ChannelClass, number> = { voice: 0, chat: 1, email: 2, video: 3 };
export const VOICE = 0;
export const CLASS_COUNT = CHANNEL_CLASSES.length;

export type ReservationStatus = 'pending' | 'accepted' | 'rejected' | 'timed_out' | 'canceled';

export interface ReservationRec extends Reservation {
  /** The number in the id; orders reservations independently of map order. */
  ordinal: number;
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
  /** Pending reservations by agent id. */
  pending: Map<string, ReservationRec>;
  /** Every reservation the task had (for getReservation after it ended). */
  history: ReservationRec[];
  /** Agents who rejected it or let it time out; offered again only when nobody else fits. */
  tried: Set<string>;
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
  /** Queues the agent is eligible for (skills and membership). */
  queues: Set<QueueRt>;
  pending: Set<ReservationRec>;
  /** Assigned and wrapping tasks. */
  work: Set<TaskRec>;
  /** Tasks waiting for this agent only. */
  direct: IndexedHeap<TaskRec>;
  state: AgentState;
  stateReason: string | undefined;
  stateSince: Millis;
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
  heap: IndexedHeap<TaskRec>;
}

export interface QueueRt {
  id: string;
  spec: QueueSpec;
  /** Member id → position, when the queue names its members. */
  memberIndex: Map<string, number> | undefined;
  eligible: Set<AgentRec>;
  /** Per class: eligible agents that could be offered a task of that class right now. */
  free: Set<AgentRec>[];
  /** Per class: step index (−1 = no step) → non-empty lane. */
  lanes: Map<number, Lane>[];
  /** Tasks placed here and not yet answered (waiting or reserved), for statistics. */
  tasks: Set<TaskRec>;
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

export function newTaskHeap(): IndexedHeap<TaskRec> {
  return new IndexedHeap<TaskRec>(taskBefore);
}

export function newCounters(): QueueCounters {
  return { offered: 0, answered: 0, abandoned: 0, answeredWithinSl: 0, answeredWaitMs: 0 };
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

export function isLive(status: TaskStatus): boolean {
  return status === 'waiting' || status === 'reserved' || status === 'assigned' || status === 'wrapping';
}
