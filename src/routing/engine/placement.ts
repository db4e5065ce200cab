// Where a waiting task sits: which queue and step the rules give it, and which index holds it
// (a lane of its queue, an agent's direct heap, or the unrouted set).
import { type Core, markTask, now } from './core.js';
import { type CompiledStep, stepMatches, textOf } from './rules.js';
import type { Lane, QueueRt, TaskRec } from './state.js';
import { newTaskHeap } from './state.js';

export function stepOf(core: Core, t: TaskRec): CompiledStep | undefined {
  return t.stepIndex === undefined ? undefined : core.rules.steps[t.stepIndex];
}

function laneOf(q: QueueRt, stepIndex: number, cls: number): Lane {
  const lanes = q.lanes[cls]!;
  let lane = lanes.get(stepIndex);
  if (!lane) {
    lane = { queue: q, stepIndex, cls, heap: newTaskHeap() };
    lanes.set(stepIndex, lane);
  }
  return lane;
}

/** Files a waiting task where matching will find it, and marks it for matching. */
export function enqueue(core: Core, t: TaskRec): void {
  if (t.directAgentId !== undefined) {
    const a = core.agents.get(t.directAgentId);
    if (a) {
      a.direct.push(t);
      markTask(core, t);
      return;
    }
    clearDirect(t);
  }
  const q = t.queueId === undefined ? undefined : core.queues.get(t.queueId);
  if (!q) {
    core.unrouted.add(t);
    return;
  }
  const lane = laneOf(q, t.stepIndex ?? -1, t.cls);
  lane.heap.push(t);
  t.lane = lane;
  markTask(core, t);
}

export function dequeue(core: Core, t: TaskRec): void {
  t.dirty = false;
  const lane = t.lane;
  if (lane) {
    // An emptied lane stays (a queue that keeps up empties and refills its lane with every task);
    // a rule change sweeps out the empty ones.
    lane.heap.remove(t);
    t.lane = undefined;
    return;
  }
  const a = t.directAgentId === undefined ? undefined : core.agents.get(t.directAgentId);
  if (a?.direct.has(t)) a.direct.remove(t);
  else core.unrouted.delete(t);
}

export function clearDirect(t: TaskRec): void {
  t.directAgentId = undefined;
  t.holdUntil = undefined;
}

/** A waiting task stops waiting for one agent only and goes to its queue. */
export function releaseDirect(core: Core, t: TaskRec): void {
  if (t.status === 'waiting') dequeue(core, t);
  clearDirect(t);
  if (t.status === 'waiting') enqueue(core, t);
}

/** The first step at or after `from` whose filter accepts the task and whose queue exists. */
function findStep(core: Core, t: TaskRec, from: number): CompiledStep | undefined {
  const steps = core.rules.steps;
  for (let i = from; i < steps.length; ) {
    const step = steps[i]!;
    const run = step.run;
    if (run !== undefined) {
      // The steps of the run from i on that compare with the task's value, in order.
      const text = textOf(t.cel, run.attribute);
      const matching = text === undefined ? undefined : run.steps.get(text);
      if (matching !== undefined)
        for (const j of matching) if (j >= i && core.queues.has(steps[j]!.queueId)) return steps[j];
      i = run.end;
      continue;
    }
    // The filter first: usually a property read, and most steps do not match.
    if (stepMatches(step, t.cel) && core.queues.has(step.queueId)) return step;
    i++;
  }
  return undefined;
}

// A list with each task's position on the task, rather than a set: no hashing, nothing allocated.
export function track(core: Core, t: TaskRec): void {
  const q = t.queueId === undefined ? undefined : core.queues.get(t.queueId);
  if (q === undefined || t.trackedIn === q) return;
  if (t.trackedIn !== undefined) dropTracked(t);
  t.trackedIn = q;
  t.trackedAt = q.tasks.length;
  q.tasks.push(t);
}

export function untrack(core: Core, t: TaskRec): void {
  const q = t.queueId === undefined ? undefined : core.queues.get(t.queueId);
  if (q !== undefined && t.trackedIn === q) dropTracked(t);
}

function dropTracked(t: TaskRec): void {
  const list = t.trackedIn!.tasks;
  const last = list.pop()!;
  if (last !== t) {
    list[t.trackedAt] = last;
    last.trackedAt = t.trackedAt;
  }
  t.trackedIn = undefined;
  t.trackedAt = -1;
}

/** Sets queue, step and priority. Entering a different queue counts as offered there. Not for a task in an index. */
export function place(
  core: Core,
  t: TaskRec,
  queueId: string | undefined,
  step: CompiledStep | undefined,
  priority: number,
): void {
  const sameStep = t.queueId === queueId && t.stepId === step?.id;
  if (t.queueId !== queueId) {
    untrack(core, t);
    t.queueId = queueId;
    t.countedIn = queueId;
    track(core, t);
    const q = queueId === undefined ? undefined : core.queues.get(queueId);
    if (q) q.counters.offered++;
  }
  t.stepIndex = step?.index;
  t.stepId = step?.id;
  t.priority = priority;
  t.key = priority - (core.aging * t.createdAt) / 60_000;
  t.stepToken++;
  if (!sameStep || t.enteredStepAt === undefined)
    t.enteredStepAt = queueId === undefined ? undefined : now(core);
  if (step?.timeoutMs !== undefined && t.enteredStepAt !== undefined) {
    core.deadlines.add('step', t.enteredStepAt + step.timeoutMs, t, t.stepToken);
  }
}

/**
 * Places a waiting or reserved task by the rules from the first step: arrival, a rule change, its
 * queue removed. Emits 'task.queued' / 'task.unrouted' when the placement is new or changed.
 */
export function route(core: Core, t: TaskRec, arriving: boolean): void {
  const waiting = t.status === 'waiting';
  if (waiting && !arriving) dequeue(core, t);
  const queueBefore = t.queueId;
  const stepBefore = t.stepId;
  const target = targetQueueOf(core, t);
  const found = findStep(core, t, 0);
  // A task that names its queue (an IVR's enqueue) goes there; a rule step for that same queue still
  // gives it its agent filter, boost and overflow, a step for another queue does not apply.
  const step = target === undefined || found?.queueId === target ? found : undefined;
  const fallback = core.rules.defaultQueueId;
  const queueId =
    target ?? step?.queueId ?? (fallback !== undefined && core.queues.has(fallback) ? fallback : undefined);
  place(core, t, queueId, step, (t.spec.priority ?? 0) + (step?.priorityBoost ?? 0));
  const changed = arriving || queueBefore !== t.queueId || stepBefore !== t.stepId;
  if (t.holdUntil !== undefined && queueBefore !== t.queueId) clearDirect(t);
  if (changed) {
    const at = now(core);
    if (t.queueId === undefined) core.emit({ type: 'task.unrouted', at, taskId: t.id });
    else {
      core.emit({
        type: 'task.queued',
        at,
        taskId: t.id,
        queueId: t.queueId,
        stepId: t.stepId,
        priority: t.priority,
      });
    }
  }
  if (waiting && !arriving) enqueue(core, t);
}

/** The attribute a task names its queue by (an IVR's enqueue node); ignored when no such queue exists. */
export const TARGET_QUEUE_ATTRIBUTE = 'targetQueueId';

function targetQueueOf(core: Core, t: TaskRec): string | undefined {
  const id = t.spec.attributes[TARGET_QUEUE_ATTRIBUTE];
  return typeof id === 'string' && core.queues.has(id) ? id : undefined;
}

/** A step timeout: the task moves to the next step after its own that matches, if any (else it stays). */
export function overflow(core: Core, t: TaskRec): void {
  if (t.stepIndex === undefined || t.queueId === undefined) return;
  const step = findStep(core, t, t.stepIndex + 1);
  if (!step) return;
  const fromQueueId = t.queueId;
  const waiting = t.status === 'waiting';
  if (waiting) dequeue(core, t);
  if (t.holdUntil !== undefined) clearDirect(t);
  place(core, t, step.queueId, step, t.priority + step.priorityBoost);
  core.emit({
    type: 'task.overflowed',
    at: now(core),
    taskId: t.id,
    fromQueueId,
    toQueueId: step.queueId,
    stepId: step.id,
  });
  if (waiting) enqueue(core, t);
}

/**
 * Re-places, by the rules and in arrival order, every waiting or reserved task that `which` selects
 * (a rule change: those the rules placed; a removed queue: those in it, transferred ones included).
 */
export function rerouteWhere(core: Core, which: (t: TaskRec) => boolean): void {
  const tasks = [...core.tasks.values()]
    .filter((t) => (t.status === 'waiting' || t.status === 'reserved') && which(t))
    .sort((a, b) => a.seq - b.seq);
  for (const t of tasks) {
    t.pinned = false;
    route(core, t, false);
  }
  for (const q of core.queues.values()) {
    for (const lanes of q.lanes)
      for (const [step, lane] of lanes) if (lane.heap.size === 0) lanes.delete(step);
  }
}

/** Tasks waiting unrouted get another chance after queues changed (their rule's queue may exist now). */
export function rerouteUnrouted(core: Core): void {
  const tasks = [...core.unrouted].sort((a, b) => a.seq - b.seq);
  for (const t of tasks) route(core, t, false);
}
