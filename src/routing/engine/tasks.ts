// A task's life outside matching: arrival, completion and wrap-up, abandonment, cancellation, transfer.
import { Conflict, InvalidInput, NotFound } from '../../core/index.js';
import { refreshState, releaseSlot, takeSlot } from './agents.js';
import { type Core, now } from './core.js';
import { agentPasses } from './matching.js';
import { channelClassOf, type TaskSpec, type TaskStatus } from './model.js';
import { clearDirect, dequeue, enqueue, place, route, stepOf, track, untrack } from './placement.js';
import { recordAnswer, withdrawOffers } from './reservations.js';
import { taskView } from './rules.js';
import { type AgentRec, CLASS_INDEX, removeItem, type TaskRec } from './state.js';

export function liveTask(core: Core, id: string): TaskRec {
  const t = core.tasks.get(id);
  if (t) return t;
  const done = core.finished.get(id);
  if (done) throw new Conflict(`task ${id} is already ${done.status}`);
  throw new NotFound('task', id);
}

export function newTaskRec(core: Core, spec: TaskSpec, createdAt: number): TaskRec {
  return {
    id: spec.id,
    spec,
    seq: ++core.taskSeq,
    cls: CLASS_INDEX[channelClassOf(spec.attributes.channel)],
    cel: taskView(spec),
    createdAt,
    waitingSince: createdAt,
    status: 'waiting',
    queueId: undefined,
    stepIndex: undefined,
    stepId: undefined,
    enteredStepAt: undefined,
    stepToken: 0,
    priority: spec.priority ?? 0,
    key: 0,
    agentId: undefined,
    wrapUntil: undefined,
    pending: undefined,
    history: undefined,
    tried: undefined,
    directAgentId: undefined,
    holdUntil: undefined,
    pinned: false,
    countedIn: undefined,
    lane: undefined,
    heapIndex: -1,
    dirty: false,
    trackedIn: undefined,
    trackedAt: -1,
    endedAt: undefined,
  };
}

/** A new task, placed by the rules; with `assignTo`, the agent has it at once (see `assignTo`), nobody is offered it. */
export function submitTask(core: Core, spec: TaskSpec, assignTo?: string): void {
  if (!spec || typeof spec.id !== 'string' || spec.id === '')
    throw new InvalidInput('a task needs an id', 'id');
  if (!spec.attributes || typeof spec.attributes.channel !== 'string') {
    throw new InvalidInput('a task needs attributes.channel', 'attributes.channel');
  }
  if (spec.priority !== undefined && !Number.isFinite(spec.priority)) {
    throw new InvalidInput('priority must be a number', 'priority');
  }
  if (core.tasks.has(spec.id) || core.finished.has(spec.id))
    throw new Conflict(`task ${spec.id} already exists`);
  if (assignTo !== undefined && !core.agents.has(assignTo)) throw new NotFound('agent', assignTo);
  const t = newTaskRec(core, spec, now(core));
  addLive(core, t);
  route(core, t, true);
  if (assignTo !== undefined) {
    handTo(core, t, core.agents.get(assignTo)!);
    return;
  }
  holdForLastAgent(core, t);
  enqueue(core, t);
}

/** Last-agent routing: a returning customer waits up to lastAgentHoldMs for the agent who last served them. */
function holdForLastAgent(core: Core, t: TaskRec): void {
  const customerId = t.spec.attributes.customerId;
  if (core.lastAgentHoldMs <= 0 || t.queueId === undefined || typeof customerId !== 'string') return;
  const last = core.lastAgents.get(customerId);
  if (!last) return;
  const at = now(core);
  if (at - last.at > core.lastAgentWindowMs) {
    core.lastAgents.delete(customerId);
    return;
  }
  const a = core.agents.get(last.agentId);
  const q = core.queues.get(t.queueId);
  if (!a || !q || a.presence !== 'available' || a.capacity[t.cls] === 0 || !q.eligible.has(a)) return;
  if (!agentPasses(stepOf(core, t), a, t)) return;
  t.directAgentId = a.id;
  t.holdUntil = at + core.lastAgentHoldMs;
  core.deadlines.add('hold', t.holdUntil, t);
}

/** A task becomes live: by id, and by its conversation. */
export function addLive(core: Core, t: TaskRec): void {
  core.tasks.set(t.id, t);
  const conversationId = t.spec.attributes.conversationId;
  if (typeof conversationId === 'string') core.byConversation.set(conversationId, t);
}

function finish(core: Core, t: TaskRec, status: TaskStatus): void {
  t.status = status;
  t.endedAt = now(core);
  core.tasks.delete(t.id);
  const conversationId = t.spec.attributes.conversationId;
  if (typeof conversationId === 'string' && core.byConversation.get(conversationId) === t)
    core.byConversation.delete(conversationId);
  // Offers that were not taken are forgotten with the task's end (a ring-all task can have hundreds).
  const history = t.history;
  if (history?.some((r) => r.status !== 'accepted')) {
    for (const r of history) if (r.status !== 'accepted') core.reservations.delete(r.id);
    t.history = history.filter((r) => r.status === 'accepted');
  }
  rememberFinished(core, t);
}

/** Keeps the last `finishedRetention` finished tasks; a FIFO, because deleting a Map's oldest keys and re-iterating is slow. */
export function rememberFinished(core: Core, t: TaskRec): void {
  core.finished.set(t.id, t);
  core.finishedOrder.push(t);
  while (core.finished.size > core.finishedRetention) {
    const oldest = core.finishedOrder[core.finishedHead]!;
    core.finishedOrder[core.finishedHead++] = undefined as unknown as TaskRec;
    core.finished.delete(oldest.id);
    if (oldest.history !== undefined) for (const r of oldest.history) core.reservations.delete(r.id);
  }
  if (core.finishedHead > 1024 && core.finishedHead * 2 > core.finishedOrder.length) {
    core.finishedOrder = core.finishedOrder.slice(core.finishedHead);
    core.finishedHead = 0;
  }
}

/** The agent stops holding the task's slot. */
function releaseWork(core: Core, a: AgentRec, t: TaskRec): void {
  removeItem(a.work, t);
  if (t.status === 'wrapping') a.wrapping--;
  releaseSlot(core, a, t.cls);
}

export function complete(core: Core, id: string): void {
  const t = liveTask(core, id);
  if (t.status === 'wrapping') {
    endWrapUp(core, t);
    return;
  }
  if (t.status !== 'assigned') throw new Conflict(`task ${id} is ${t.status}, not assigned`);
  const a = core.agents.get(t.agentId!)!;
  const at = now(core);
  a.lastTaskEndedAt = at;
  const wrapUpMs = (t.queueId === undefined ? undefined : core.queues.get(t.queueId))?.spec.wrapUpMs ?? 0;
  if (wrapUpMs > 0) {
    t.status = 'wrapping';
    t.wrapUntil = at + wrapUpMs;
    a.wrapping++;
    core.deadlines.add('wrap', t.wrapUntil, t);
    core.emit({ type: 'task.wrapping', at, taskId: t.id, agentId: a.id, until: t.wrapUntil });
  } else {
    releaseWork(core, a, t);
    finish(core, t, 'completed');
    core.emit({ type: 'task.completed', at, taskId: t.id, agentId: a.id });
  }
  refreshState(core, a);
}

/** Wrap-up over (its deadline, or complete() called again): the slot is free. */
export function endWrapUp(core: Core, t: TaskRec): void {
  const a = core.agents.get(t.agentId!)!;
  releaseWork(core, a, t);
  finish(core, t, 'completed');
  core.emit({ type: 'task.completed', at: now(core), taskId: t.id, agentId: a.id });
  refreshState(core, a);
}

export function abandon(core: Core, id: string): void {
  const t = liveTask(core, id);
  if (t.status !== 'waiting' && t.status !== 'reserved') {
    throw new Conflict(`task ${id} is ${t.status}; only a waiting task can be abandoned`);
  }
  if (t.status === 'waiting') dequeue(core, t);
  untrack(core, t);
  const waitedMs = Math.max(0, now(core) - t.waitingSince);
  const q = t.countedIn === undefined ? undefined : core.queues.get(t.countedIn);
  if (q) q.counters.abandoned++;
  finish(core, t, 'abandoned');
  core.emit({ type: 'task.abandoned', at: now(core), taskId: t.id, queueId: t.queueId, waitedMs });
  withdrawOffers(core, t);
}

export function cancel(core: Core, id: string): void {
  const t = liveTask(core, id);
  const a = t.agentId === undefined ? undefined : core.agents.get(t.agentId);
  if (t.status === 'waiting') dequeue(core, t);
  untrack(core, t);
  if (a && (t.status === 'assigned' || t.status === 'wrapping')) releaseWork(core, a, t);
  finish(core, t, 'canceled');
  core.emit({ type: 'task.canceled', at: now(core), taskId: t.id });
  withdrawOffers(core, t);
  if (a) refreshState(core, a);
}

/**
 * An assigned task goes back to waiting, for one agent or in a queue, with its attributes,
 * priority and creation time (so its age) kept. The agent who had it is tried last.
 */
export function transfer(core: Core, id: string, target: { agentId: string } | { queueId: string }): void {
  const t = liveTask(core, id);
  if (t.status !== 'assigned')
    throw new Conflict(`task ${id} is ${t.status}; only an assigned task can be transferred`);
  const from = core.agents.get(t.agentId!)!;
  let to: AgentRec | undefined;
  if ('agentId' in target) {
    to = core.agents.get(target.agentId);
    if (!to) throw new NotFound('agent', target.agentId);
    if (to === from) throw new Conflict(`agent ${to.id} already has task ${id}`);
    if (to.presence !== 'available' || to.capacity[t.cls] === 0) {
      throw new Conflict(`agent ${to.id} cannot take ${t.spec.attributes.channel} work now`);
    }
  } else if (!core.queues.has(target.queueId)) throw new NotFound('queue', target.queueId);
  releaseWork(core, from, t);
  t.status = 'waiting';
  t.agentId = undefined;
  t.waitingSince = now(core);
  t.tried = new Set([from.id]);
  t.pinned = true;
  if (to) {
    // No longer in a rule step: its step index may even refer to rules replaced since it was placed.
    t.stepIndex = undefined;
    t.stepId = undefined;
    t.enteredStepAt = undefined;
    t.stepToken++;
    t.directAgentId = to.id;
    t.countedIn = undefined;
    track(core, t);
  } else {
    t.queueId = undefined;
    place(core, t, (target as { queueId: string }).queueId, undefined, t.priority);
  }
  core.emit({
    type: 'task.transferred',
    at: now(core),
    taskId: t.id,
    fromAgentId: from.id,
    toAgentId: to?.id,
    toQueueId: to ? undefined : t.queueId,
  });
  enqueue(core, t);
  refreshState(core, from);
}

/**
 * A supervisor's decision: the agent has the task at once, without an offer, whatever it was doing
 * (waiting, offered to others, assigned to someone else). Pending offers are withdrawn and a
 * previous agent's slot is freed. Presence and capacity are the caller's to judge (a supervisor
 * taking a conversation over is usually not "available"); the slot is counted all the same, so an
 * agent over capacity is offered nothing more until it frees up. An unanswered task counts as
 * answered in its queue, as an accepted offer would.
 */
export function assignTo(core: Core, id: string, agentId: string): void {
  const t = liveTask(core, id);
  const to = core.agents.get(agentId);
  if (!to) throw new NotFound('agent', agentId);
  if (t.status === 'wrapping') throw new Conflict(`task ${id} is in wrap-up; it is over`);
  if (t.agentId === to.id) throw new Conflict(`agent ${to.id} already has task ${id}`);
  handTo(core, t, to);
}

function handTo(core: Core, t: TaskRec, to: AgentRec): void {
  const at = now(core);
  const from = t.status === 'assigned' ? core.agents.get(t.agentId!) : undefined;
  // Withdrawing the last offer puts the task back in its lane; it leaves at once below.
  withdrawOffers(core, t);
  if (t.status === 'waiting') dequeue(core, t);
  const unanswered = from === undefined;
  if (from) releaseWork(core, from, t);
  untrack(core, t);
  clearDirect(t);
  t.tried = undefined;
  t.status = 'assigned';
  t.agentId = to.id;
  to.work.push(t);
  to.tasksHandled++;
  takeSlot(core, to, t.cls);
  const waitedMs = unanswered ? recordAnswer(core, t, to, at) : 0;
  if (from) {
    core.emit({ type: 'task.transferred', at, taskId: t.id, fromAgentId: from.id, toAgentId: to.id });
    const customerId = t.spec.attributes.customerId;
    if (typeof customerId === 'string' && customerId !== '')
      core.lastAgents.set(customerId, { agentId: to.id, at });
  }
  core.emit({ type: 'task.assigned', at, taskId: t.id, agentId: to.id, queueId: t.queueId ?? '', waitedMs });
  if (from) refreshState(core, from);
  refreshState(core, to);
}
