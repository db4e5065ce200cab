// best-match's index over the agents of one queue that are free for one channel class: the agents
// grouped by the inputs of their score other than idle time, each group in idle order. Kept in
// step with the free list while it exists; built when a choice needs it, dropped when nobody asks.
// An agent's entries hang off its membership records of the queues (Link), so filing and unfiling
// it touches nothing else of the agent's.
import type { Link } from './free-lists.js';
import type { AgentRec, QueueRt } from './state.js';

/** Agents with the same load share, proficiency for the queue and rating share: only idle time tells them apart. */
export interface Bucket {
  index: RankIndex;
  loadShare: number;
  proficiency: number;
  ratingShare: number;
  /** The agents' links, ordered by (idleSince, id): longest idle first, the order best-match breaks ties in. */
  links: Link[];
  /** Each agent's idleSince, beside it, so that ranking and searching do not visit the agents. */
  since: number[];
  /** Position in the index's `live` list; −1 while empty. */
  livePos: number;
}

export interface RankIndex {
  queue: QueueRt;
  cls: number;
  /** The queue's required skills, in the order proficiency sums them. */
  required: string[];
  /** proficiency → rating share → load share → bucket; empty buckets stay until the index is rebuilt. */
  buckets: Map<number, Map<number, Map<number, Bucket>>>;
  bucketCount: number;
  /** The non-empty buckets, in no particular order. */
  live: Bucket[];
  size: number;
  /** Inserts and removals since the last choice it served. */
  updates: number;
}

/** Tests turn indexes off to compare with scanning, and lower the limits to exercise building and dropping. */
export const indexing = {
  on: true,
  /** A free list shorter than this is scanned: building and keeping an index would cost more. */
  minFree: 32,
  /** Updates and empty buckets tolerated beyond the proportional limits below. */
  slack: 64,
};

// Local rather than imported from agents.ts (which imports this module).
function totalLoad(a: AgentRec): number {
  const load = a.load;
  return load[0]! + load[1]! + load[2]! + load[3]!;
}

/** Mean proficiency in the required skills, / 5. The scan computes it the same way, so the numbers are identical. */
export function proficiencyOf(a: AgentRec, required: readonly string[]): number {
  let proficiency = 0;
  if (required.length > 0) {
    const skills = a.spec.skills;
    for (const skill of required) proficiency += Math.min(5, skills[skill] ?? 0);
    proficiency /= 5 * required.length;
  }
  return proficiency;
}

/** Slots used over slots owned, 0..1. */
export function loadShareOf(a: AgentRec): number {
  return a.capacityTotal > 0 ? Math.min(1, totalLoad(a) / a.capacityTotal) : 1;
}

export function requiredSkillsOf(q: QueueRt): string[] {
  return q.spec.requiredSkills ? Object.keys(q.spec.requiredSkills) : [];
}

/** The agent's proficiency for the link's queue, remembered on the link until either spec changes. */
function linkProficiency(l: Link, required: readonly string[]): number {
  const a = l.agent;
  if (l.proficiencyOf !== a.spec || l.proficiencyFor !== l.queue.spec) {
    l.proficiency = proficiencyOf(a, required);
    l.proficiencyOf = a.spec;
    l.proficiencyFor = l.queue.spec;
  }
  return l.proficiency;
}

/** The first position in the bucket whose entry does not come before (since, id) in (since, id) order. */
function lowerBound(b: Bucket, since: number, id: string): number {
  const sinces = b.since;
  let lo = 0;
  let hi = sinces.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const s = sinces[mid]!;
    if (s < since || (s === since && b.links[mid]!.agent.id < id)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The link's position: found among those idle since the same instant by identity, not by id (no string compares). */
function positionOf(b: Bucket, l: Link): number {
  const sinces = b.since;
  const since = l.agent.rankedSince;
  let lo = 0;
  let hi = sinces.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sinces[mid]! < since) lo = mid + 1;
    else hi = mid;
  }
  const links = b.links;
  while (links[lo] !== l) lo++;
  return lo;
}

function bucketFor(idx: RankIndex, l: Link): Bucket {
  const a = l.agent;
  const proficiency = linkProficiency(l, idx.required);
  const ratingShare = a.ratingShare;
  const loadShare = loadShareOf(a);
  let byRating = idx.buckets.get(proficiency);
  if (byRating === undefined) {
    byRating = new Map();
    idx.buckets.set(proficiency, byRating);
  }
  let byLoad = byRating.get(ratingShare);
  if (byLoad === undefined) {
    byLoad = new Map();
    byRating.set(ratingShare, byLoad);
  }
  let b = byLoad.get(loadShare);
  if (b === undefined) {
    b = { index: idx, loadShare, proficiency, ratingShare, links: [], since: [], livePos: -1 };
    byLoad.set(loadShare, b);
    idx.bucketCount++;
  }
  return b;
}

function markLive(idx: RankIndex, b: Bucket): void {
  b.livePos = idx.live.length;
  idx.live.push(b);
}

function fileIn(l: Link, cls: number, b: Bucket): void {
  l.ranked |= 1 << cls;
  l.bucket[cls] = b;
  l.agent.rankedCount++;
}

function insert(idx: RankIndex, l: Link): void {
  const b = bucketFor(idx, l);
  const n = b.links.length;
  const since = l.agent.rankedSince;
  // Newly free agents became idle last, so this is nearly always an append.
  const last = n - 1;
  if (
    n === 0 ||
    b.since[last]! < since ||
    (b.since[last] === since && b.links[last]!.agent.id < l.agent.id)
  ) {
    b.links.push(l);
    b.since.push(since);
  } else {
    const i = lowerBound(b, since, l.agent.id);
    b.links.splice(i, 0, l);
    b.since.splice(i, 0, since);
  }
  if (n === 0) markLive(idx, b);
  idx.size++;
  idx.updates++;
  fileIn(l, idx.cls, b);
}

function remove(b: Bucket, l: Link): void {
  const idx = b.index;
  const i = positionOf(b, l);
  if (i === 0) {
    b.links.shift();
    b.since.shift();
  } else {
    b.links.splice(i, 1);
    b.since.splice(i, 1);
  }
  if (b.links.length === 0) {
    const last = idx.live.pop()!;
    if (last !== b) {
      idx.live[b.livePos] = last;
      last.livePos = b.livePos;
    }
    b.livePos = -1;
  }
  idx.size--;
  idx.updates++;
  l.ranked &= ~(1 << idx.cls);
  l.bucket[idx.cls] = undefined;
  l.agent.rankedCount--;
}

function unrankLink(l: Link): void {
  for (let c = 0; c < 4; c++) if ((l.ranked & (1 << c)) !== 0) remove(l.bucket[c]!, l);
}

/** Takes the agent out of every index holding it. */
export function unrank(a: AgentRec): void {
  if (a.rankedCount === 0) return;
  for (const l of a.links) if (l.ranked !== 0) unrankLink(l);
}

/** Takes the agent out of the indexes of one queue (it is no longer eligible there). */
export function unrankFrom(l: Link): void {
  if (l.ranked !== 0) unrankLink(l);
}

function keyCurrent(a: AgentRec): boolean {
  return a.rankedSince === a.idleSince && a.rankedLoad === totalLoad(a) && a.rankedSpec === a.spec;
}

function setKey(a: AgentRec): void {
  a.rankedSince = a.idleSince;
  a.rankedLoad = totalLoad(a);
  a.rankedSpec = a.spec;
}

/**
 * Files the agent, under its current idle time, load and spec, in the index of every queue and
 * class it is free for. Call with the agent in no index.
 */
export function rank(a: AgentRec): void {
  setKey(a);
  const mask = a.freeMask;
  if (mask === 0) return;
  for (const l of a.links) {
    const ranked = l.queue.ranked;
    for (let c = 0; c < 4; c++) {
      const idx = ranked[c];
      if (idx === undefined || (mask & (1 << c)) === 0) continue;
      insert(idx, l);
      // Kept up to date twice over without serving a choice: cheaper to rebuild when one is needed.
      if (idx.updates > 2 * idx.size + indexing.slack) dropIndex(idx);
    }
  }
}

/** The agent's idle time, load or spec may have changed while its free classes did not. */
export function refile(a: AgentRec): void {
  if (a.rankedCount === 0 || keyCurrent(a)) return;
  unrank(a);
  rank(a);
}

export function buildIndex(q: QueueRt, cls: number): RankIndex {
  const idx: RankIndex = {
    queue: q,
    cls,
    required: requiredSkillsOf(q),
    buckets: new Map(),
    bucketCount: 0,
    live: [],
    size: 0,
    updates: 0,
  };
  for (let l = q.free[cls]!.head; l !== undefined; l = l.around[4 + cls]) {
    const a = l.agent;
    // In no index, its key may be stale; in some, it is current (they are kept up to date).
    if (a.rankedCount === 0) setKey(a);
    const b = bucketFor(idx, l);
    if (b.links.length === 0) markLive(idx, b);
    b.links.push(l);
    fileIn(l, cls, b);
    idx.size++;
  }
  // The free list is mostly in idle order already; sort only the buckets it is not.
  for (const b of idx.live) {
    const links = b.links;
    let sorted = true;
    for (let i = 1; i < links.length && sorted; i++) sorted = comesBefore(links[i - 1]!, links[i]!);
    if (!sorted) links.sort((x, y) => (comesBefore(x, y) ? -1 : 1));
    for (const l of links) b.since.push(l.agent.rankedSince);
  }
  q.ranked[cls] = idx;
  return idx;
}

function comesBefore(x: Link, y: Link): boolean {
  const s = x.agent.rankedSince;
  const t = y.agent.rankedSince;
  return s < t || (s === t && x.agent.id < y.agent.id);
}

export function dropIndex(idx: RankIndex): void {
  const bit = 1 << idx.cls;
  for (const b of idx.live) {
    for (const l of b.links) {
      l.ranked &= ~bit;
      l.bucket[idx.cls] = undefined;
      l.agent.rankedCount--;
    }
  }
  if (idx.queue.ranked[idx.cls] === idx) idx.queue.ranked[idx.cls] = undefined;
}

/** Drops the queue's indexes (its required skills or strategy may have changed). */
export function dropIndexes(q: QueueRt): void {
  for (const idx of q.ranked) if (idx !== undefined) dropIndex(idx);
}

/**
 * A best-match queue starts with its indexes, filled as agents become free, so the first choice
 * after a shift logs in does not build one over hundreds of agents at once. One dropped for want
 * of choices is built again only when a choice needs it (indexFor).
 */
export function startIndexes(q: QueueRt): void {
  if (q.spec.strategy !== 'best-match' || !indexing.on) return;
  for (let c = 0; c < q.ranked.length; c++) if (q.ranked[c] === undefined) buildIndex(q, c);
}

/** The queue's index for the class, built if the free list is long enough to be worth one. */
export function indexFor(q: QueueRt, cls: number): RankIndex | undefined {
  if (!indexing.on) return undefined;
  let idx = q.ranked[cls];
  // Buckets emptied stay in the maps; rebuild once they outnumber the live ones.
  if (idx !== undefined && idx.bucketCount > 4 * idx.live.length + indexing.slack) {
    dropIndex(idx);
    idx = undefined;
  }
  if (idx === undefined && q.free[cls]!.size >= indexing.minFree) idx = buildIndex(q, cls);
  return idx;
}
