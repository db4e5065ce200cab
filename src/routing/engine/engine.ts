/**
 * The ACD engine: pure, in memory, driven by an injected clock. Every mutating call runs matching
 * to a fixpoint before it returns, and reports each decision as a RoutingEvent, in order.
 *
 * Indexes (so no decision scans all tasks or all agents):
 * - Lanes. A queue keeps its waiting tasks in lanes, one per (step, channel class), each a binary
 *   heap ordered by (−(priority − aging × createdAt/60000), createdAt, arrival). Aging is linear in
 *   time, so that key never changes while a task waits. Tasks of one lane share an agentFilter.
 * - Free lists. Per queue and channel class, the eligible agents (skills, members) that could be
 *   offered a task of that class now (available, a slot free, voice not mixed with other work), in
 *   the order they became free. They change only when an agent's bit mask of offerable classes
 *   changes, not on every slot. Linked through the agent's membership record of each queue.
 * - best-match indexes. Per queue and class, while best-match choices use it: the free agents in
 *   buckets of equal load share, proficiency and rating, each bucket in idle order
 *   (best-match-index.ts; best-match.ts says why choosing through it is exact).
 * - Agent → queues it is eligible for, recomputed when an agent or a queue changes.
 * - Direct heaps. Per agent, tasks waiting for that agent alone (transfer to the agent, last-agent hold).
 * - Deadlines: pending offers in a heap by expiry, left as soon as they are answered; step
 *   timeouts, wrap-ups and holds in another, where stale entries are skipped.
 * - agentFilter results per (step, agent) when the filter does not read `task`, dropped when the
 *   agent changes and renewed with each rules version.
 * - Rule steps: a run of steps comparing the same attribute with a text is one lookup.
 *
 * Decisions. A task that starts waiting looks at its queue's free list for its class: best-match
 * ranks the first candidate of each bucket of the index (one per combination of load, proficiency
 * and rating among the free agents, however many share it), other strategies scan the list
 * (typically a few hundred agents at most). An agent that gains a
 * free slot looks at the heads of the lanes of its queues in the classes it can take, plus its
 * direct heap; a lane whose step excludes it by a cached filter costs one lookup, and a filter
 * that reads `task` is tried on at most SCAN_LIMIT (64) tasks of the lane, the one place where
 * matching gives up exactness for a bounded cost.
 *
 * Semantics chosen where the brief left room:
 * - CEL sees `task` = attributes + `priority` (as submitted) + `channel`; numbers are CEL doubles
 *   (`task.tier >= 2` works, arithmetic needs `1.0`). Unknown variables fail compilation; a failing
 *   evaluation (missing attribute) is "no match". A step whose queue does not exist is skipped.
 * - A task with any offer out is 'reserved' (ring-all too). An agent who rejected or let an offer
 *   time out is offered that task again only when no one else fits (on the task side; from the
 *   agent side it cannot arise, since any other fitting free agent would already have it).
 * - A transferred task is pinned where the transfer put it (rule changes leave it); one transferred
 *   to an agent waits for that agent only and goes to its queue if the agent rejects or leaves.
 * - Last-agent holds start on arrival only and end early when that agent leaves or the task overflows.
 * - Step timeouts count while waiting or reserved; overflow keeps pending offers.
 *
 * Listeners are called synchronously. A mutating call made from inside a listener is queued and
 * runs once the current call has settled; an error it (or a listener) throws is rethrown by the
 * outer call after the engine is consistent again.
 */

import { type Core, createCore } from './core.js';
import { type Due, isOffer } from './deadlines.js';
import { settle } from './matching.js';
import type {
  AgentSpec,
  AgentStats,
  EngineOptions,
  EngineSnapshot,
  Millis,
  Presence,
  QueueSpec,
  QueueStats,
  RoutingEvent,
  RuleSet,
  TaskSpec,
} from './model.js';
import { clearDirect, overflow, releaseDirect, rerouteWhere } from './placement.js';
import { removeQueue, setQueues, upsertQueue } from './queue-config.js';
import { accept, endReservation, pendingReservation } from './reservations.js';
import { getAgentRec, removeAgent, setPresence, upsertAgent } from './roster.js';
import { compileRules } from './rules.js';
import { restoreInto, takeSnapshot } from './snapshot.js';
import { abandon, assignTo, cancel, complete, endWrapUp, submitTask, transfer } from './tasks.js';
import {
  type AgentView,
  agentStatsOf,
  agentViewOf,
  queueStatsById,
  queueStatsOf,
  type ReservationView,
  reservationViewOf,
  type TaskView,
  taskViewOf,
} from './views.js';

export interface RoutingEngine {
  setQueues(queues: QueueSpec[]): void;
  upsertQueue(queue: QueueSpec): void;
  removeQueue(id: string): void;
  setRules(rules: RuleSet): void;
  upsertAgent(spec: AgentSpec): void;
  removeAgent(id: string): void;
  setPresence(agentId: string, presence: Presence, reason?: string): void;
  /** With `assignTo`, the agent has the new task at once (a supervisor's decision; nobody is offered it). */
  submitTask(spec: TaskSpec, assignTo?: string): void;
  accept(reservationId: string): void;
  reject(reservationId: string): void;
  complete(taskId: string): void;
  abandon(taskId: string): void;
  cancel(taskId: string): void;
  transfer(taskId: string, target: { agentId: string } | { queueId: string }): void;
  /** The agent has the task at once, without an offer; offers are withdrawn, a previous agent's slot freed. */
  assign(taskId: string, agentId: string): void;
  advance(): void;
  nextDeadline(): Millis | undefined;
  onEvent(listener: (e: RoutingEvent) => void): () => void;
  getTask(id: string): TaskView | undefined;
  /** The task still open (waiting, reserved, assigned or wrapping) for a conversation, if any. */
  openTaskOf(conversationId: string): TaskView | undefined;
  getAgent(id: string): AgentView | undefined;
  getQueue(id: string): QueueSpec | undefined;
  getReservation(id: string): ReservationView | undefined;
  waitingTasks(queueId?: string): TaskView[];
  pendingReservations(agentId?: string): ReservationView[];
  queueStats(queueId: string): QueueStats;
  allQueueStats(): QueueStats[];
  agentStats(agentId: string): AgentStats;
  allAgentStats(): AgentStats[];
  snapshot(): EngineSnapshot;
}

function runDeadline(core: Core, d: Due): void {
  if (isOffer(d)) {
    endReservation(core, d, 'timed_out');
    return;
  }
  switch (d.kind) {
    case 'wrap':
      endWrapUp(core, d.task);
      break;
    case 'step':
      overflow(core, d.task);
      break;
    case 'hold':
      if (d.task.status === 'waiting') releaseDirect(core, d.task);
      else clearDirect(d.task);
  }
}

function runDueDeadlines(core: Core): void {
  const at = core.clock.now();
  for (let d = core.deadlines.takeDue(at); d; d = core.deadlines.takeDue(at)) {
    runDeadline(core, d);
    settle(core);
  }
}

function applyRules(core: Core, rules: RuleSet): void {
  const compiled = compileRules(rules);
  core.rules = compiled;
  core.emit({ type: 'rules.changed', at: core.clock.now(), version: compiled.version });
  rerouteWhere(core, (t) => !t.pinned);
}

function acceptById(core: Core, reservationId: string): void {
  accept(core, pendingReservation(core, reservationId));
}

function rejectById(core: Core, reservationId: string): void {
  endReservation(core, pendingReservation(core, reservationId), 'rejected');
}

class Engine implements RoutingEngine {
  readonly core: Core;
  private readonly listeners = new Set<(e: RoutingEvent) => void>();
  private busy = false;
  private readonly deferred: Array<() => void> = [];
  private failure: { error: unknown } | undefined;

  constructor(options: EngineOptions) {
    this.core = createCore(options, (e) => this.emit(e));
  }

  private emit(e: RoutingEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(e);
      } catch (error) {
        this.failure ??= { error };
      }
    }
  }

  /** Runs `op(core, a, b, c)` and matches to a fixpoint; an op (and its arguments) rather than a closure, so a call allocates nothing. */
  private run<A, B, C>(op: (core: Core, a: A, b: B, c: C) => void, a: A, b: B, c: C): void {
    if (this.busy) {
      this.deferred.push(() => op(this.core, a, b, c));
      return;
    }
    this.busy = true;
    try {
      settle(this.core); // leftovers of a restore
      try {
        op(this.core, a, b, c);
      } catch (error) {
        this.failure ??= { error };
      }
      settle(this.core);
      for (let next = this.deferred.shift(); next; next = this.deferred.shift()) {
        try {
          next();
        } catch (error) {
          this.failure ??= { error };
        }
        settle(this.core);
      }
    } finally {
      this.busy = false;
    }
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure.error;
  }

  setQueues(queues: QueueSpec[]): void {
    this.run(setQueues, queues, undefined, undefined);
  }
  upsertQueue(queue: QueueSpec): void {
    this.run(upsertQueue, queue, undefined, undefined);
  }
  removeQueue(id: string): void {
    this.run(removeQueue, id, undefined, undefined);
  }
  setRules(rules: RuleSet): void {
    this.run(applyRules, rules, undefined, undefined);
  }
  upsertAgent(spec: AgentSpec): void {
    this.run(upsertAgent, spec, undefined, undefined);
  }
  removeAgent(id: string): void {
    this.run(removeAgent, id, undefined, undefined);
  }
  setPresence(agentId: string, presence: Presence, reason?: string): void {
    this.run(setPresence, agentId, presence, reason);
  }
  submitTask(spec: TaskSpec, assignTo?: string): void {
    this.run(submitTask, spec, assignTo, undefined);
  }
  accept(reservationId: string): void {
    this.run(acceptById, reservationId, undefined, undefined);
  }
  reject(reservationId: string): void {
    this.run(rejectById, reservationId, undefined, undefined);
  }
  complete(taskId: string): void {
    this.run(complete, taskId, undefined, undefined);
  }
  abandon(taskId: string): void {
    this.run(abandon, taskId, undefined, undefined);
  }
  cancel(taskId: string): void {
    this.run(cancel, taskId, undefined, undefined);
  }
  transfer(taskId: string, target: { agentId: string } | { queueId: string }): void {
    this.run(transfer, taskId, target, undefined);
  }
  assign(taskId: string, agentId: string): void {
    this.run(assignTo, taskId, agentId, undefined);
  }

  /** Each due deadline is handled and matched before the next, so decisions follow time order. */
  advance(): void {
    this.run(runDueDeadlines, undefined, undefined, undefined);
  }

  nextDeadline(): Millis | undefined {
    return this.core.deadlines.nextAt();
  }

  onEvent(listener: (e: RoutingEvent) => void): () => void {
    const own = (e: RoutingEvent) => listener(e);
    this.listeners.add(own);
    return () => this.listeners.delete(own);
  }

  getTask(id: string): TaskView | undefined {
    const t = this.core.tasks.get(id) ?? this.core.finished.get(id);
    return t && taskViewOf(t);
  }
  openTaskOf(conversationId: string): TaskView | undefined {
    const t = this.core.byConversation.get(conversationId);
    return t && taskViewOf(t);
  }
  getAgent(id: string): AgentView | undefined {
    const a = this.core.agents.get(id);
    return a && agentViewOf(a);
  }
  getQueue(id: string): QueueSpec | undefined {
    const q = this.core.queues.get(id);
    return q && { ...q.spec };
  }
  getReservation(id: string): ReservationView | undefined {
    const r = this.core.reservations.get(id);
    return r && reservationViewOf(r);
  }

  /** Waiting tasks (no offer out) in service order; without a queue id, unrouted ones too. */
  waitingTasks(queueId?: string): TaskView[] {
    return [...this.core.tasks.values()]
      .filter((t) => t.status === 'waiting' && (queueId === undefined || t.queueId === queueId))
      .sort((a, b) => b.key - a.key || a.createdAt - b.createdAt || a.seq - b.seq)
      .map(taskViewOf);
  }

  pendingReservations(agentId?: string): ReservationView[] {
    const list =
      agentId === undefined
        ? [...this.core.reservations.values()].filter((r) => r.status === 'pending')
        : [...(this.core.agents.get(agentId)?.pending ?? [])];
    return list.sort((a, b) => a.ordinal - b.ordinal).map(reservationViewOf);
  }

  queueStats(queueId: string): QueueStats {
    return queueStatsById(this.core, queueId);
  }
  allQueueStats(): QueueStats[] {
    return [...this.core.queues.values()].map((q) => queueStatsOf(this.core, q));
  }
  agentStats(agentId: string): AgentStats {
    return agentStatsOf(getAgentRec(this.core, agentId));
  }
  allAgentStats(): AgentStats[] {
    return [...this.core.agents.values()].map(agentStatsOf);
  }
  snapshot(): EngineSnapshot {
    return takeSnapshot(this.core);
  }
}

export function createRoutingEngine(options: EngineOptions): RoutingEngine {
  return new Engine(options);
}

/**
 * An engine that continues from `snapshot` as the original would. A snapshot assembled elsewhere
 * (from storage) may leave work unmatched: the first call, `advance()` included, matches it first,
 * so attach listeners, then call advance().
 */
export function restoreRoutingEngine(options: EngineOptions, snapshot: EngineSnapshot): RoutingEngine {
  const engine = new Engine(options);
  restoreInto(engine.core, snapshot);
  return engine;
}
