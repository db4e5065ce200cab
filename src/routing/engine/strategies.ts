// Which agent(s) a task is offered to, among the eligible agents with a free slot, by the queue's
// strategy. One pass over the candidates (a queue's free list can hold hundreds of agents), and
// every tie ends with the longest idle, then the agent id, so the choice does not depend on the
// order of the free list (short of ranks within 1e-9 of each other yet unequal: best-match.ts).
import { scanBestMatch } from './best-match.js';
import type { Core } from './core.js';
import type { Millis } from './model.js';
import type { AgentRec, QueueRt, TaskRec } from './state.js';

const byId = (a: AgentRec, b: AgentRec) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

// Local rather than imported from agents.ts: it runs per candidate, and a module binding can cost a call.
function totalLoad(a: AgentRec): number {
  const load = a.load;
  return load[0]! + load[1]! + load[2]! + load[3]!;
}

/** Time without any work; 0 while the agent holds some (so idle agents come first). */
function idleOf(a: AgentRec, at: Millis): number {
  return totalLoad(a) > 0 ? 0 : Math.max(0, at - a.idleSince);
}

/**
 * The candidate with the lowest `rank` (within 1e-9), then the longest idle, then the one idle
 * longest ago among busy ones, then the smallest id.
 */
function pick(candidates: AgentRec[], at: Millis, rank: (a: AgentRec, idle: number) => number): AgentRec {
  let best = candidates[0]!;
  let bestIdle = idleOf(best, at);
  let bestRank = rank(best, bestIdle);
  for (let i = 1; i < candidates.length; i++) {
    const a = candidates[i]!;
    const idle = idleOf(a, at);
    const r = rank(a, idle);
    const d = r === bestRank ? 0 : r - bestRank; // equal infinities would give NaN
    const better =
      d < -1e-9 ||
      (d <= 1e-9 &&
        (idle > bestIdle ||
          (idle === bestIdle &&
            (a.idleSince < best.idleSince || (a.idleSince === best.idleSince && a.id < best.id)))));
    if (better) {
      best = a;
      bestIdle = idle;
      bestRank = r;
    }
  }
  return best;
}

function minBy(items: AgentRec[], key: (a: AgentRec) => number): AgentRec {
  let best = items[0]!;
  let bestKey = key(best);
  for (let i = 1; i < items.length; i++) {
    const k = key(items[i]!);
    if (k < bestKey || (k === bestKey && items[i]!.id < best.id)) {
      best = items[i]!;
      bestKey = k;
    }
  }
  return best;
}

/** Members order when the queue names its members; otherwise agent id order. */
function inOrder(q: QueueRt, candidates: AgentRec[], after: string | undefined): AgentRec {
  const idx = q.memberIndex;
  if (idx) {
    const n = idx.size;
    const from = after === undefined ? -1 : (idx.get(after) ?? -1);
    return minBy(candidates, (a) => (idx.get(a.id)! - from - 1 + n) % n);
  }
  let first = candidates[0]!;
  let next: AgentRec | undefined;
  for (const a of candidates) {
    if (a.id < first.id) first = a;
    if (after !== undefined && a.id > after && (next === undefined || a.id < next.id)) next = a;
  }
  return next ?? first;
}

/** The agents to offer the task to: one, or for ring-all every candidate (in id order). */
export function chooseAgents(core: Core, q: QueueRt, t: TaskRec, candidates: AgentRec[]): AgentRec[] {
  const at = core.clock.now();
  switch (q.spec.strategy) {
    case 'ring-all':
      return [...candidates].sort(byId);
    case 'random': {
      const sorted = [...candidates].sort(byId);
      return [sorted[Math.min(sorted.length - 1, Math.floor(core.random() * sorted.length))]!];
    }
    case 'linear':
      return [inOrder(q, candidates, undefined)];
    case 'round-robin':
      return [inOrder(q, candidates, q.lastChosen)];
    case 'longest-idle':
      return [pick(candidates, at, () => 0)];
    case 'least-recent':
      return [pick(candidates, at, (a) => a.lastTaskEndedAt ?? Number.NEGATIVE_INFINITY)];
    case 'fewest-contacts':
      return [pick(candidates, at, (a) => a.tasksHandled)];
    default:
      return [scanBestMatch(core, q, t, candidates, at)];
  }
}
