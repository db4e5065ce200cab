// Per queue and channel class, the eligible agents that could be offered a task of that class now,
// in the order they became free: the order a scan of candidates meets them in.
import type { Bucket } from './best-match-index.js';
import type { AgentSpec, QueueSpec } from './model.js';
import type { AgentRec, QueueRt } from './state.js';

/**
 * An agent's membership of one queue, and its place in the queue's free list of each class. The
 * free lists are linked through these records rather than kept as sets: an agent joins and leaves
 * them with every task, and a set that small allocates a new table as it empties and refills.
 */
export interface Link {
  queue: QueueRt;
  agent: AgentRec;
  /** Bit per class whose free list holds it. */
  inFree: number;
  /** Per class: the previous link, then (at 4 + class) the next one. */
  around: (Link | undefined)[];
  /** Bit per class whose best-match index holds it, and its bucket there. */
  ranked: number;
  bucket: (Bucket | undefined)[];
  /** The agent's proficiency for the queue, and the specs it was worked out from. */
  proficiency: number;
  proficiencyOf: AgentSpec | undefined;
  proficiencyFor: QueueSpec | undefined;
}

/** Agents in the order they joined: the order a scan of candidates meets them in. */
export interface FreeList {
  head: Link | undefined;
  tail: Link | undefined;
  size: number;
}

export function newLink(queue: QueueRt, agent: AgentRec): Link {
  const none = undefined;
  return {
    queue,
    agent,
    inFree: 0,
    around: [none, none, none, none, none, none, none, none],
    ranked: 0,
    bucket: [none, none, none, none],
    proficiency: 0,
    proficiencyOf: undefined,
    proficiencyFor: undefined,
  };
}

export function newFreeList(): FreeList {
  return { head: undefined, tail: undefined, size: 0 };
}

export function addFree(list: FreeList, l: Link, cls: number): void {
  l.inFree |= 1 << cls;
  l.around[cls] = list.tail;
  l.around[4 + cls] = undefined;
  if (list.tail === undefined) list.head = l;
  else list.tail.around[4 + cls] = l;
  list.tail = l;
  list.size++;
}

export function removeFree(list: FreeList, l: Link, cls: number): void {
  l.inFree &= ~(1 << cls);
  const prev = l.around[cls];
  const next = l.around[4 + cls];
  if (prev === undefined) list.head = next;
  else prev.around[4 + cls] = next;
  if (next === undefined) list.tail = prev;
  else next.around[cls] = prev;
  l.around[cls] = undefined;
  l.around[4 + cls] = undefined;
  list.size--;
}
