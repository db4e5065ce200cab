// Matching to a fixpoint: a task that starts waiting looks for a free agent, an agent that gains a
// free slot looks for a task. Between the two, no routable agent with a free slot is left beside a
// waiting task it could take (within the SCAN_LIMIT bound described in engine.ts).
import type { Core } from './core.js';
import { stepOf } from './placement.js';
import { reserve } from './reservations.js';
import { type CompiledStep, passes } from './rules.js';
import { type AgentRec, type TaskRec, taskBefore } from './state.js';

const CLASSES = 4;

import { chooseAgents } from './strategies.js';

/** How many waiting tasks of one lane an agent looks at when the step's agentFilter reads `task`. */
export const SCAN_LIMIT = 64;

/** The step's agentFilter for this agent and task; cached per agent when the filter never reads `task`. */
export function agentPasses(step: CompiledStep | undefined, a: AgentRec, t: TaskRec): boolean {
  const filter = step?.agentFilter;
  if (filter === undefined) return true;
  if (step!.agentFilterUsesTask) return passes(filter, { agent: a.cel, task: t.cel });
  let ok = step!.agentCache.get(a.id);
  if (ok === undefined) {
    ok = passes(filter, { agent: a.cel, task: t.cel });
    step!.agentCache.set(a.id, ok);
  }
  return ok;
}

const byTaskOrder = (a: TaskRec, b: TaskRec) => (taskBefore(a, b) ? -1 : 1);
const byAgentId = (a: AgentRec, b: AgentRec) => (a.id < b.id ? -1 : 1);

/** Runs matching until nothing changes. Tasks go first, best first, so the most urgent work picks agents first. */
export function settle(core: Core): void {
  while (core.dirtyTasks.size > 0 || core.dirtyAgents.size > 0) {
    if (core.dirtyTasks.size > 0) {
      const tasks = [...core.dirtyTasks].sort(byTaskOrder);
      core.dirtyTasks.clear();
      for (const t of tasks) if (t.status === 'waiting') matchTask(core, t);
      continue;
    }
    const agents = [...core.dirtyAgents].sort(byAgentId);
    core.dirtyAgents.clear();
    for (const a of agents) if (core.agents.get(a.id) === a) matchAgent(core, a);
  }
}

/** A waiting task: offer it by its queue's strategy to eligible agents with a free slot for its class. */
function matchTask(core: Core, t: TaskRec): void {
  const bit = 1 << t.cls;
  if (t.directAgentId !== undefined) {
    const a = core.agents.get(t.directAgentId);
    if (a && (a.freeMask & bit) !== 0) reserve(core, t, a);
    return;
  }
  const q = t.lane?.queue;
  if (!q) return;
  const free = q.free[t.cls]!;
  if (free.size === 0) return;
  const step = stepOf(core, t);
  const fresh = scratchFresh;
  const tried = scratchTried;
  fresh.length = 0;
  tried.length = 0;
  const anyTried = t.tried.size > 0;
  for (const a of free) {
    if (!agentPasses(step, a, t)) continue;
    if (anyTried && t.tried.has(a.id)) tried.push(a);
    else fresh.push(a);
  }
  // Agents who already turned this task down get it again only when nobody else can take it.
  const candidates = fresh.length > 0 ? fresh : tried;
  if (candidates.length === 0) return;
  const chosen = chooseAgents(core, q, t, candidates);
  for (const a of chosen) reserve(core, t, a);
}

// Reused between calls: a queue's free set can hold hundreds of agents, and matchTask never nests.
const scratchFresh: AgentRec[] = [];
const scratchTried: AgentRec[] = [];

/** An agent with a free slot takes the best waiting tasks it can, one slot at a time. */
function matchAgent(core: Core, a: AgentRec): void {
  while (a.freeMask !== 0) {
    const t = bestTaskFor(core, a);
    if (!t) return;
    reserve(core, t, a);
  }
}

/**
 * The best waiting task for the agent: its direct heap, then the head of every lane of its queues
 * in a class it has a free slot for. A lane whose step excludes the agent (a cached agentFilter)
 * costs one lookup; a filter that reads `task` is tried on at most SCAN_LIMIT tasks of the lane.
 */
export function bestTaskFor(core: Core, a: AgentRec): TaskRec | undefined {
  const mask = a.freeMask;
  let best: TaskRec | undefined;
  if (a.direct.size > 0) best = a.direct.find((t) => (mask & (1 << t.cls)) !== 0, SCAN_LIMIT);
  for (const q of a.queues) {
    for (let c = 0; c < CLASSES; c++) {
      if ((mask & (1 << c)) === 0) continue;
      for (const lane of q.lanes[c]!.values()) {
        const head = lane.heap.peek()!;
        if (best && !taskBefore(head, best)) continue;
        const step = lane.stepIndex >= 0 ? core.rules.steps[lane.stepIndex] : undefined;
        let found: TaskRec | undefined = head;
        if (step?.agentFilter !== undefined) {
          if (!step.agentFilterUsesTask) found = agentPasses(step, a, head) ? head : undefined;
          else {
            // Stop at the first task that passes, or that is no better than what we already have.
            const cutoff = best;
            found = lane.heap.find(
              (t) => (cutoff !== undefined && !taskBefore(t, cutoff)) || agentPasses(step, a, t),
              SCAN_LIMIT,
            );
            if (found && cutoff && !taskBefore(found, cutoff)) found = undefined;
          }
        }
        if (found && (!best || taskBefore(found, best))) best = found;
      }
    }
  }
  return best;
}
