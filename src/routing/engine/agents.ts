// An agent's slots, derived state and queue eligibility, and the per-queue "free" sets built from them.
import { type Core, now } from './core.js';
import type { AgentState, QueueSpec } from './model.js';
import type { AgentRec, QueueRt } from './state.js';

// Local copies: these run per candidate agent, and an imported binding can cost a getter call once compiled.
const CLASSES = 4;
const VOICE = 0;

export function totalLoad(a: AgentRec): number {
  const load = a.load;
  return load[0]! + load[1]! + load[2]! + load[3]!;
}

/** The classes the agent could be offered now: routable, a slot free, and voice not mixed with other work. */
export function freeMaskOf(core: Core, a: AgentRec): number {
  if (a.presence !== 'available') return 0;
  const voice = a.load[VOICE]!;
  const other = totalLoad(a) - voice;
  let mask = 0;
  for (let i = 0; i < CLASSES; i++) {
    if (a.load[i]! >= a.capacity[i]!) continue;
    if (core.voiceBlocks && (i === VOICE ? other > 0 : voice > 0)) continue;
    mask |= 1 << i;
  }
  return mask;
}

/**
 * Recomputes what the agent can take and updates the free sets of its queues. Only a change of
 * mask touches the queues, so taking the second of three chat slots costs nothing here. An agent
 * that gained a class is marked for matching.
 */
export function refreshFree(core: Core, a: AgentRec): void {
  const mask = freeMaskOf(core, a);
  const changed = mask ^ a.freeMask;
  if (changed === 0) return;
  a.freeMask = mask;
  for (const q of a.queues) setFree(q, a, changed, mask);
  if ((mask & changed) !== 0) core.dirtyAgents.add(a);
}

function setFree(q: QueueRt, a: AgentRec, classes: number, mask: number): void {
  for (let i = 0; i < CLASSES; i++) {
    if ((classes & (1 << i)) === 0) continue;
    if ((mask & (1 << i)) !== 0) q.free[i]!.add(a);
    else q.free[i]!.delete(a);
  }
}

export function takeSlot(core: Core, a: AgentRec, cls: number): void {
  a.load[cls]!++;
  refreshFree(core, a);
}

export function releaseSlot(core: Core, a: AgentRec, cls: number): void {
  a.load[cls]!--;
  if (totalLoad(a) === 0) a.idleSince = now(core);
  refreshFree(core, a);
}

/** How long the agent has been without any work; 0 while it holds some. */
export function idleMs(core: Core, a: AgentRec): number {
  return totalLoad(a) > 0 ? 0 : Math.max(0, now(core) - a.idleSince);
}

export function derivedState(a: AgentRec): AgentState {
  if (a.presence !== 'available') return a.presence;
  if (a.pending.size > 0 || a.work.size > a.wrapping) return 'busy';
  return a.wrapping > 0 ? 'wrap_up' : 'available';
}

/** Emits 'agent.state' when the derived state or the reason changed. */
export function refreshState(core: Core, a: AgentRec): void {
  const state = derivedState(a);
  const reason = a.presence === 'available' ? undefined : a.reason;
  if (state === a.state && reason === a.stateReason) return;
  a.state = state;
  a.stateReason = reason;
  a.stateSince = now(core);
  core.emit({ type: 'agent.state', at: a.stateSince, agentId: a.id, state, reason });
}

export function isEligible(q: QueueSpec, memberIndex: Map<string, number> | undefined, a: AgentRec): boolean {
  if (memberIndex && !memberIndex.has(a.id)) return false;
  const required = q.requiredSkills;
  if (required)
    for (const skill in required) if ((a.spec.skills[skill] ?? 0) < required[skill]!) return false;
  return true;
}

function link(core: Core, a: AgentRec, q: QueueRt): void {
  a.queues.add(q);
  q.eligible.add(a);
  setFree(q, a, a.freeMask, a.freeMask);
  if (a.freeMask !== 0) core.dirtyAgents.add(a);
}

export function unlink(a: AgentRec, q: QueueRt): void {
  a.queues.delete(q);
  q.eligible.delete(a);
  for (const set of q.free) set.delete(a);
}

/** Brings one agent/queue pair in line with the queue's skills and members. */
export function relink(core: Core, a: AgentRec, q: QueueRt): void {
  const should = isEligible(q.spec, q.memberIndex, a);
  if (should && !a.queues.has(q)) link(core, a, q);
  else if (!should && a.queues.has(q)) unlink(a, q);
}
