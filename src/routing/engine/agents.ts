// An agent's slots, derived state and queue eligibility, and the per-queue free lists built from them.
import { rank, refile, unrank, unrankFrom } from './best-match-index.js';
import { type Core, markAgent, now } from './core.js';
import { addFree, type Link, newLink, removeFree } from './free-lists.js';
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
 * Recomputes what the agent can take and updates the free lists of its queues. Only a change of
 * mask touches the lists, so taking the second of three chat slots costs nothing there (only
 * best-match indexes re-file the agent: its load share changed). An agent that gained a class is
 * marked for matching.
 */
export function refreshFree(core: Core, a: AgentRec): void {
  const mask = freeMaskOf(core, a);
  const changed = mask ^ a.freeMask;
  if (changed === 0) {
    refile(a);
    return;
  }
  unrank(a);
  a.freeMask = mask;
  for (const l of a.links) setFree(l, changed, mask);
  rank(a);
  if ((mask & changed) !== 0) markAgent(core, a);
}

function setFree(l: Link, classes: number, mask: number): void {
  for (let i = 0; i < CLASSES; i++) {
    if ((classes & (1 << i)) === 0) continue;
    if ((mask & (1 << i)) !== 0) addFree(l.queue.free[i]!, l, i);
    else removeFree(l.queue.free[i]!, l, i);
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
  if (a.pending.length > 0 || a.work.length > a.wrapping) return 'busy';
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
  const l = newLink(q, a);
  a.links.push(l);
  q.eligible.set(a, l);
  setFree(l, a.freeMask, a.freeMask);
  if (a.freeMask !== 0) {
    unrank(a);
    rank(a);
    markAgent(core, a);
  }
}

export function unlink(a: AgentRec, q: QueueRt): void {
  const l = q.eligible.get(a);
  if (l === undefined) return;
  unrankFrom(l);
  a.links.splice(a.links.indexOf(l), 1);
  q.eligible.delete(a);
  for (let i = 0; i < CLASSES; i++) if ((l.inFree & (1 << i)) !== 0) removeFree(q.free[i]!, l, i);
}

/** Brings one agent/queue pair in line with the queue's skills and members. */
export function relink(core: Core, a: AgentRec, q: QueueRt): void {
  const should = isEligible(q.spec, q.memberIndex, a);
  const linked = q.eligible.has(a);
  if (should && !linked) link(core, a, q);
  else if (!should && linked) unlink(a, q);
}
