// snapshot() and restore: everything that decides what happens next, as plain data.

import { InvalidInput } from '../../core/index.js';
import { derivedState, refreshFree, relink } from './agents.js';
import { startIndexes } from './best-match-index.js';
import type { Core } from './core.js';
import type { AgentSpec, EngineSnapshot } from './model.js';
import { enqueue, track } from './placement.js';
import { newQueueRt } from './queue-config.js';
import { seededRandom } from './random.js';
import { publicReservation } from './reservations.js';
import { agentView, compileRules } from './rules.js';
import { addPending, isLive, newAgentRec, type ReservationRec, type TaskRec } from './state.js';
import { addLive, newTaskRec, rememberFinished } from './tasks.js';

type SnapshotTask = EngineSnapshot['tasks'][number];

function taskEntry(t: TaskRec): SnapshotTask {
  return {
    spec: t.spec,
    status: t.status,
    createdAt: t.createdAt,
    queueId: t.queueId,
    stepIndex: t.stepIndex,
    stepId: t.stepId,
    enteredStepAt: t.enteredStepAt,
    priority: t.priority,
    agentId: t.agentId,
    wrapUntil: t.wrapUntil,
    waitingSince: t.waitingSince,
    triedAgentIds: t.tried === undefined ? [] : [...t.tried].sort(),
    directAgentId: t.directAgentId,
    holdUntil: t.holdUntil,
    pinned: t.pinned,
    countedInQueueId: t.countedIn,
    endedAt: t.endedAt,
  };
}

export function takeSnapshot(core: Core): EngineSnapshot {
  const live = [...core.tasks.values()].sort((a, b) => a.seq - b.seq);
  const pending = [...core.reservations.values()].filter((r) => r.status === 'pending');
  const snapshot: EngineSnapshot = {
    at: core.clock.now(),
    rules: core.rules.source,
    queues: [...core.queues.values()].map((q) => q.spec),
    agents: [...core.agents.values()].map((a) => ({
      ...a.spec,
      presence: a.presence,
      reason: a.reason,
      presenceSince: a.presenceSince,
      idleSince: a.idleSince,
      lastTaskEndedAt: a.lastTaskEndedAt,
      tasksHandled: a.tasksHandled,
      stateSince: a.stateSince,
    })),
    // Live tasks in arrival order, then finished ones oldest first (the order they are forgotten in).
    tasks: [...live, ...core.finishedOrder.slice(core.finishedHead)].map(taskEntry),
    reservations: pending.sort((a, b) => a.ordinal - b.ordinal).map(publicReservation),
    lastAgents: [...core.lastAgents].map(([customerId, v]) => ({ customerId, ...v })),
    reservationSeq: core.reservationSeq,
    randomState: core.seeded?.state(),
    queueState: [...core.queues.values()].map((q) => ({
      queueId: q.id,
      lastChosen: q.lastChosen,
      ...q.counters,
    })),
  };
  return structuredClone(snapshot);
}

function agentSpecOf(entry: EngineSnapshot['agents'][number]): AgentSpec {
  const { id, name, skills, languages, teams, rating, capacity, attributes } = entry;
  return { id, name, skills, languages, teams, rating, capacity, attributes };
}

/** Loads a snapshot into a fresh core without emitting events or deciding anything yet. */
export function restoreInto(core: Core, input: EngineSnapshot): void {
  const snap = structuredClone(input);
  core.rules = compileRules(snap.rules);
  for (const spec of snap.queues) {
    const q = newQueueRt(spec);
    core.queues.set(spec.id, q);
    startIndexes(q);
  }
  for (const s of snap.queueState ?? []) {
    const q = core.queues.get(s.queueId);
    if (!q) continue;
    q.lastChosen = s.lastChosen;
    Object.assign(q.counters, {
      offered: s.offered,
      answered: s.answered,
      abandoned: s.abandoned,
      answeredWithinSl: s.answeredWithinSl,
      answeredWaitMs: s.answeredWaitMs,
    });
  }
  for (const entry of snap.agents) {
    const spec = agentSpecOf(entry);
    const a = newAgentRec(spec, agentView(spec), entry.presenceSince);
    a.presence = entry.presence;
    a.reason = entry.reason;
    a.idleSince = entry.idleSince;
    a.lastTaskEndedAt = entry.lastTaskEndedAt;
    a.tasksHandled = entry.tasksHandled;
    a.stateSince = entry.stateSince ?? entry.presenceSince;
    core.agents.set(a.id, a);
    for (const q of core.queues.values()) relink(core, a, q);
  }
  for (const e of snap.tasks) restoreTask(core, e);
  for (const r of snap.reservations) restoreReservation(core, r);
  core.reservationSeq = Math.max(core.reservationSeq, snap.reservationSeq ?? 0);
  for (const l of snap.lastAgents) core.lastAgents.set(l.customerId, { agentId: l.agentId, at: l.at });
  if (core.seeded && snap.randomState !== undefined) {
    core.seeded = seededRandom(snap.randomState);
    core.random = core.seeded.next;
  }
  for (const a of core.agents.values()) {
    refreshFree(core, a);
    a.state = derivedState(a);
    a.stateReason = a.presence === 'available' ? undefined : a.reason;
  }
  // Waiting tasks and free agents stay marked: a snapshot assembled from storage (work whose
  // agent left put back to waiting) need not be settled, and the next call settles it first, with
  // the listeners attached by then. From a settled engine's snapshot that decides nothing.
}

function restoreTask(core: Core, e: SnapshotTask): void {
  const t = newTaskRec(core, e.spec, e.createdAt);
  // Only a waiting or reserved task's step refers to the current rules; others keep it as history.
  const unanswered = e.status === 'waiting' || e.status === 'reserved';
  const step = e.stepIndex === undefined || !unanswered ? undefined : core.rules.steps[e.stepIndex];
  Object.assign(t, {
    status: e.status,
    queueId: e.queueId,
    stepIndex: unanswered ? step?.index : e.stepIndex,
    stepId: unanswered ? step?.id : e.stepId,
    enteredStepAt: e.enteredStepAt,
    priority: e.priority,
    key: e.priority - (core.aging * e.createdAt) / 60_000,
    agentId: e.agentId,
    wrapUntil: e.wrapUntil,
    waitingSince: e.waitingSince ?? e.createdAt,
    tried: e.triedAgentIds?.length ? new Set(e.triedAgentIds) : undefined,
    directAgentId: e.directAgentId,
    holdUntil: e.holdUntil,
    pinned: e.pinned ?? false,
    countedIn: e.countedInQueueId,
    endedAt: e.endedAt,
  } satisfies Partial<TaskRec>);
  if (!isLive(t.status)) {
    rememberFinished(core, t);
    return;
  }
  addLive(core, t);
  if (t.status === 'assigned' || t.status === 'wrapping') {
    const a = t.agentId === undefined ? undefined : core.agents.get(t.agentId);
    if (!a) throw new InvalidInput(`snapshot task ${t.id} is held by an unknown agent`, 'tasks');
    a.work.push(t);
    a.load[t.cls]!++;
    if (t.status === 'wrapping') {
      a.wrapping++;
      core.deadlines.add('wrap', t.wrapUntil!, t);
    }
    return;
  }
  track(core, t);
  if (step?.timeoutMs !== undefined && t.enteredStepAt !== undefined) {
    core.deadlines.add('step', t.enteredStepAt + step.timeoutMs, t, t.stepToken);
  }
  if (t.holdUntil !== undefined) core.deadlines.add('hold', t.holdUntil, t);
  if (t.status === 'waiting') enqueue(core, t);
}

function restoreReservation(core: Core, r: EngineSnapshot['reservations'][number]): void {
  const t = core.tasks.get(r.taskId);
  const a = core.agents.get(r.agentId);
  if (!t || !a || t.status !== 'reserved') {
    throw new InvalidInput(
      `snapshot reservation ${r.id} does not match a reserved task and a known agent`,
      'reservations',
    );
  }
  const ordinal = Number(r.id.slice(r.id.lastIndexOf('-') + 1)) || ++core.reservationSeq;
  const rec: ReservationRec = { ...r, ordinal, status: 'pending', task: t, agent: a, heapIndex: -1 };
  core.reservations.set(rec.id, rec);
  core.reservationSeq = Math.max(core.reservationSeq, ordinal);
  addPending(t, a, rec);
  a.load[t.cls]!++;
  core.deadlines.addOffer(rec);
}
