// Matching to a fixpoint: a task that starts waiting looks for a free agent, an agent that gains a
// free slot looks for a task. Between the two, no routable agent with a free slot is left beside a
// waiting task it could take (within the SCAN_LIMIT bound described in engine.ts).
import { indexedBestMatch, SCAN } from './best-match.js';
import { indexFor } from './best-match-index.js';
import type { Core } from './core.js';
import { stepOf } from './placement.js';
import { reserve } from './reservations.js';
import { type CompiledStep, passes } from './rules.js';
import { type AgentRec, type TaskRec, taskBefore, triedAny } from './state.js';

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
  const tasks = core.dirtyTasks;
  const agents = core.dirtyAgents;
  while (tasks.length > 0 || agents.length > 0) {
    if (tasks.length > 0) {
      // Matching may mark more; they are appended after this round's and matched in the next.
      const n = takeDirty(tasks);
      if (n > 1) tasks.sort(byTaskOrder);
      for (let i = 0; i < n; i++) if (tasks[i]!.status === 'waiting') matchTask(core, tasks[i]!);
      dropPrefix(tasks, n);
      continue;
    }
    const n = takeDirty(agents);
    if (n > 1) agents.sort(byAgentId);
    for (let i = 0; i < n; i++)
      if (core.agents.get(agents[i]!.id) === agents[i]) matchAgent(core, agents[i]!);
    dropPrefix(agents, n);
  }
}

/** Keeps only the entries still marked dirty, once each and unmarked (what a set would have held); returns how many. */
function takeDirty<T extends { dirty: boolean }>(list: T[]): number {
  let n = 0;
  for (const x of list) {
    if (!x.dirty) continue;
    x.dirty = false;
    list[n++] = x;
  }
  list.length = n;
  return n;
}

function dropPrefix<T>(list: T[], n: number): void {
  if (n === list.length) list.length = 0;
  else {
    list.copyWithin(0, n);
    list.length -= n;
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
  if (q.spec.strategy === 'best-match') {
    const idx = indexFor(q, t.cls);
    if (idx !== undefined) {
      const chosen = indexedBestMatch(core, idx, t, step, core.clock.now());
      if (chosen !== SCAN) {
        if (chosen !== undefined) reserve(core, t, chosen);
        return;
      }
    }
  }
  const fresh = scratchFresh;
  const tried = scratchTried;
  fresh.length = 0;
  tried.length = 0;
  const anyTried = triedAny(t);
  for (let l = free.head; l !== undefined; l = l.around[4 + t.cls]) {
    const a = l.agent;
    if (!agentPasses(step, a, t)) continue;
    if (anyTried && t.tried!.has(a.id)) tried.push(a);
    else fresh.push(a);
  }
  // Agents who already turned this task down get it again only when nobody else can take it.
  const candidates = fresh.length > 0 ? fresh : tried;
  if (candidates.length === 0) return;
  const chosen = chooseAgents(core, q, t, candidates);
  for (const a of chosen) reserve(core, t, a);
}

// Reused between calls: a queue's free list can hold hundreds of agents, and matchTask never nests.
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
  for (const l of a.links) {
    const q = l.queue;
    for (let c = 0; c < CLASSES; c++) {
      if ((mask & (1 << c)) === 0) continue;
      for (const lane of q.lanes[c]!.values()) {
        const head = lane.heap.peek();
        if (head === undefined || (best && !taskBefore(head, best))) continue;
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
