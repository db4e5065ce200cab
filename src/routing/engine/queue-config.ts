// Queue definitions: who is eligible for each queue, kept current as queues change.
import { InvalidInput, NotFound } from '../../core/index.js';
import { relink, unlink } from './agents.js';
import { dropIndexes, startIndexes } from './best-match-index.js';
import type { Core } from './core.js';
import { newFreeList } from './free-lists.js';
import { CHANNEL_CLASSES, type QueueSpec, STRATEGIES } from './model.js';
import { rerouteUnrouted, rerouteWhere } from './placement.js';
import { newCounters, type QueueRt } from './state.js';

function validateQueue(q: QueueSpec): void {
  if (!q || typeof q.id !== 'string' || q.id === '') throw new InvalidInput('a queue needs an id', 'id');
  if (!STRATEGIES.includes(q.strategy))
    throw new InvalidInput(`unknown strategy ${String(q.strategy)}`, 'strategy');
  if (
    q.members !== undefined &&
    !(Array.isArray(q.members) && q.members.every((m) => typeof m === 'string'))
  ) {
    throw new InvalidInput('members must be a list of agent ids', 'members');
  }
  for (const [skill, level] of Object.entries(q.requiredSkills ?? {})) {
    if (!Number.isFinite(level))
      throw new InvalidInput(`required skill ${skill} needs a level`, 'requiredSkills');
  }
  for (const field of ['reservationTimeoutMs', 'wrapUpMs', 'serviceLevelMs'] as const) {
    const v = q[field];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0))
      throw new InvalidInput(`${field} must be ≥ 0`, field);
  }
  // An offer that expires the moment it is made is re-offered for ever (advance() would never settle).
  if (q.reservationTimeoutMs !== undefined && q.reservationTimeoutMs < 1)
    throw new InvalidInput('reservationTimeoutMs must be at least 1 ms', 'reservationTimeoutMs');
}

function memberIndexOf(spec: QueueSpec): Map<string, number> | undefined {
  if (!spec.members || spec.members.length === 0) return undefined;
  const index = new Map<string, number>();
  for (const m of spec.members) if (!index.has(m)) index.set(m, index.size);
  return index;
}

export function newQueueRt(spec: QueueSpec): QueueRt {
  return {
    id: spec.id,
    spec,
    memberIndex: memberIndexOf(spec),
    eligible: new Map(),
    free: CHANNEL_CLASSES.map(newFreeList),
    ranked: CHANNEL_CLASSES.map(() => undefined),
    lanes: CHANNEL_CLASSES.map(() => new Map()),
    tasks: [],
    counters: newCounters(),
    lastChosen: undefined,
  };
}

function applyQueue(core: Core, spec: QueueSpec): void {
  let q = core.queues.get(spec.id);
  if (q) {
    dropIndexes(q);
    q.spec = spec;
    q.memberIndex = memberIndexOf(spec);
  } else {
    q = newQueueRt(spec);
    core.queues.set(spec.id, q);
  }
  for (const a of core.agents.values()) relink(core, a, q);
  startIndexes(q);
}

export function upsertQueue(core: Core, spec: QueueSpec): void {
  validateQueue(spec);
  applyQueue(core, spec);
  rerouteUnrouted(core);
}

function dropQueue(core: Core, q: QueueRt): void {
  for (const a of [...q.eligible.keys()]) unlink(a, q);
  core.queues.delete(q.id);
  // Its tasks, transferred ones included, are placed again by the rules (perhaps unrouted).
  rerouteWhere(core, (t) => t.queueId === q.id);
}

export function removeQueue(core: Core, id: string): void {
  const q = core.queues.get(id);
  if (!q) throw new NotFound('queue', id);
  dropQueue(core, q);
}

/** Replaces the whole set: queues not listed are removed, the others created or updated. */
export function setQueues(core: Core, specs: QueueSpec[]): void {
  if (!Array.isArray(specs)) throw new InvalidInput('queues must be a list', 'queues');
  const ids = new Set<string>();
  for (const spec of specs) {
    validateQueue(spec);
    if (ids.has(spec.id)) throw new InvalidInput(`queue ${spec.id} is listed twice`, 'id');
    ids.add(spec.id);
  }
  for (const spec of specs) applyQueue(core, spec);
  for (const q of [...core.queues.values()]) if (!ids.has(q.id)) dropQueue(core, q);
  rerouteUnrouted(core);
}
