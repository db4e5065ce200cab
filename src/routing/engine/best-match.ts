// best-match: each factor in 0..1, weighted. Idle time is relative to the longest-idle candidate;
// load is slots used over slots owned; proficiency is the mean of the queue's required skills / 5;
// rating / 5 weighs more for valuable customers. The lowest rank wins; ranks within 1e-9 of each
// other tie, and a tie goes to the longest idle, then the one idle longest ago, then the smaller id.
//
// Two ways to the same choice. `scanBestMatch` ranks every candidate, in the free list's order.
// `indexedBestMatch` ranks only the first candidate of each bucket of the queue's index
// (best-match-index.ts). Within a bucket only idle time differs, and the bucket's order is the
// tie-break's order, so its first candidate both ranks best there (floating point is monotone:
// x ≤ y ⇒ fl(x + c) ≤ fl(y + c) and fl(k·x) ≤ fl(k·y) for k ≥ 0, hence a non-negative idle weight)
// and wins the tie-break against everyone behind it. Let W be the tie-break winner among the first
// candidates ranked within 1e-9 of the lowest rank. All those candidates tie with one another, so
// W displaces any of them; anyone ranked more than 1e-9 above W, W displaces by rank. If nobody
// within 1e-9 of W would win the tie-break against it, then W displaces every candidate and none
// displaces W, so the scan ends on W whatever its order. Otherwise the scan's answer depends on
// the order it meets them in: the index says SCAN, and so it does for a negative or non-finite weight.
import { loadShareOf, proficiencyOf, type RankIndex, requiredSkillsOf } from './best-match-index.js';
import type { Core } from './core.js';
import { agentPasses } from './matching.js';
import type { Millis } from './model.js';
import type { CompiledStep } from './rules.js';
import { type AgentRec, type QueueRt, type TaskRec, triedAny } from './state.js';

/** What indexedBestMatch returns when only a scan can tell. */
export const SCAN = Symbol('scan');

// Local rather than imported: it runs per candidate.
function totalLoad(a: AgentRec): number {
  const load = a.load;
  return load[0]! + load[1]! + load[2]! + load[3]!;
}

/** Time without any work; 0 while the agent holds some (so idle agents come first). */
export function idleOf(a: AgentRec, at: Millis): number {
  return totalLoad(a) > 0 ? 0 : Math.max(0, at - a.idleSince);
}

function numberOr(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

function ratingWeightFor(core: Core, t: TaskRec): number {
  const w = core.weights;
  const tier = Math.max(0, numberOr(t.spec.attributes.tier, 0));
  return w.rating * (1 + w.customerValue * tier);
}

/** The tie-break: longest idle, then idle longest ago (busy agents all count as idle 0), then the smaller id. */
function winsTie(a: AgentRec, idle: number, best: AgentRec, bestIdle: number): boolean {
  return (
    idle > bestIdle ||
    (idle === bestIdle &&
      (a.idleSince < best.idleSince || (a.idleSince === best.idleSince && a.id < best.id)))
  );
}

/** Whether `a` (rank r, idle) beats the best so far, as the scan decides. */
function beats(
  a: AgentRec,
  r: number,
  idle: number,
  best: AgentRec,
  bestRank: number,
  bestIdle: number,
): boolean {
  const d = r === bestRank ? 0 : r - bestRank; // equal infinities would give NaN
  return d < -1e-9 || (d <= 1e-9 && winsTie(a, idle, best, bestIdle));
}

export function scanBestMatch(
  core: Core,
  q: QueueRt,
  t: TaskRec,
  candidates: AgentRec[],
  at: Millis,
): AgentRec {
  const w = core.weights;
  const ratingWeight = ratingWeightFor(core, t);
  const required = requiredSkillsOf(q);
  let maxIdle = 0;
  for (const a of candidates) maxIdle = Math.max(maxIdle, idleOf(a, at));
  const idleWeight = maxIdle > 0 ? w.idle / maxIdle : 0;
  let best = candidates[0]!;
  let bestIdle = 0;
  let bestRank = 0;
  for (let i = 0; i < candidates.length; i++) {
    const a = candidates[i]!;
    const idle = idleOf(a, at);
    const r = -(
      idleWeight * idle +
      w.load * (1 - loadShareOf(a)) +
      w.proficiency * proficiencyOf(a, required) +
      ratingWeight * a.ratingShare
    );
    if (i === 0 || beats(a, r, idle, best, bestRank, bestIdle)) {
      best = a;
      bestIdle = idle;
      bestRank = r;
    }
  }
  return best;
}

// Which candidates a choice is among: all that pass the filter, or (when the task was turned down
// before) first those that have not turned it down, and only if there are none, those that have.
const EVERYONE = 0;
const FRESH = 1;
const TRIED = 2;

// Per live bucket during one choice: the position of its first candidate (−1: none), its idle time and rank.
const firstAt: number[] = [];
const firstIdle: number[] = [];
const firstRank: number[] = [];

function isCandidate(step: CompiledStep | undefined, t: TaskRec, a: AgentRec, which: number): boolean {
  if (which !== EVERYONE && t.tried!.has(a.id) !== (which === TRIED)) return false;
  return step === undefined || agentPasses(step, a, t);
}

/** Fills firstAt; returns how many buckets have a candidate. */
function findFirsts(idx: RankIndex, step: CompiledStep | undefined, t: TaskRec, which: number): number {
  const live = idx.live;
  let found = 0;
  for (let k = 0; k < live.length; k++) {
    const list = live[k]!.links;
    let i = 0;
    if (step !== undefined || which !== EVERYONE)
      while (i < list.length && !isCandidate(step, t, list[i]!.agent, which)) i++;
    if (i < list.length) {
      firstAt[k] = i;
      found++;
    } else firstAt[k] = -1;
  }
  return found;
}

/** The agent scanBestMatch would choose among the candidates in `idx`; undefined when there are none. */
export function indexedBestMatch(
  core: Core,
  idx: RankIndex,
  t: TaskRec,
  stepIn: CompiledStep | undefined,
  at: Millis,
): AgentRec | undefined | typeof SCAN {
  const w = core.weights;
  const ratingWeight = ratingWeightFor(core, t);
  if (
    !(w.idle >= 0 && w.idle < Number.POSITIVE_INFINITY) ||
    !Number.isFinite(w.load) ||
    !Number.isFinite(w.proficiency) ||
    !Number.isFinite(ratingWeight)
  )
    return SCAN;
  idx.updates = 0;
  const step = stepIn?.agentFilter === undefined ? undefined : stepIn;
  let which = triedAny(t) ? FRESH : EVERYONE;
  let found = findFirsts(idx, step, t, which);
  if (found === 0 && which === FRESH) {
    which = TRIED;
    found = findFirsts(idx, step, t, which);
  }
  if (found === 0) return undefined;

  // A bucket's idle time, from the idleSince beside its first candidate: 0 for agents holding work.
  const live = idx.live;
  let maxIdle = 0;
  for (let k = 0; k < live.length; k++) {
    const b = live[k]!;
    if (firstAt[k]! >= 0 && b.loadShare === 0)
      maxIdle = Math.max(maxIdle, Math.max(0, at - b.since[firstAt[k]!]!));
  }
  const idleWeight = maxIdle > 0 ? w.idle / maxIdle : 0;
  if (!Number.isFinite(idleWeight)) return SCAN;

  let minRank = Number.POSITIVE_INFINITY;
  for (let k = 0; k < live.length; k++) {
    if (firstAt[k]! < 0) continue;
    const b = live[k]!;
    const idle = b.loadShare === 0 ? Math.max(0, at - b.since[firstAt[k]!]!) : 0;
    const r = -(
      idleWeight * idle +
      w.load * (1 - b.loadShare) +
      w.proficiency * b.proficiency +
      ratingWeight * b.ratingShare
    );
    if (!Number.isFinite(r)) return SCAN;
    firstIdle[k] = idle;
    firstRank[k] = r;
    if (r < minRank) minRank = r;
  }

  // The tie-break winner among the first candidates ranked within 1e-9 of the minimum.
  let best: AgentRec | undefined;
  let bestRank = 0;
  let bestIdle = 0;
  for (let k = 0; k < live.length; k++) {
    if (firstAt[k]! < 0 || firstRank[k]! - minRank > 1e-9) continue;
    const a = live[k]!.links[firstAt[k]!]!.agent;
    const idle = firstIdle[k]!;
    if (best === undefined || winsTie(a, idle, best, bestIdle)) {
      best = a;
      bestRank = firstRank[k]!;
      bestIdle = idle;
    }
  }
  // A first candidate further off but still within 1e-9 of the winner that would win the
  // tie-break: the scan's answer then depends on the order it meets them in.
  for (let k = 0; k < live.length; k++) {
    if (firstAt[k]! < 0) continue;
    const r = firstRank[k]!;
    if (r - minRank <= 1e-9 || r - bestRank > 1e-9) continue;
    if (winsTie(live[k]!.links[firstAt[k]!]!.agent, firstIdle[k]!, best!, bestIdle)) return SCAN;
  }
  return best;
}
