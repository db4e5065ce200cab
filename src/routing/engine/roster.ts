// Agents joining, changing, leaving, and choosing their presence.
import { Conflict, InvalidInput, NotFound } from '../../core/index.js';
import { refreshFree, refreshState, relink, unlink } from './agents.js';
import { type Core, markAgent, now } from './core.js';
import { type AgentSpec, CHANNEL_CLASSES, type Presence } from './model.js';
import { releaseDirect } from './placement.js';
import { byOrdinal, endReservation } from './reservations.js';
import { agentView } from './rules.js';
import { type AgentRec, newAgentRec, specFields } from './state.js';

const PRESENCES: readonly Presence[] = ['offline', 'available', 'break'];

function validateAgent(spec: AgentSpec): void {
  if (!spec || typeof spec.id !== 'string' || spec.id === '')
    throw new InvalidInput('an agent needs an id', 'id');
  if (!spec.skills || typeof spec.skills !== 'object')
    throw new InvalidInput('skills must be an object', 'skills');
  for (const [skill, level] of Object.entries(spec.skills)) {
    if (!Number.isFinite(level))
      throw new InvalidInput(`skill ${skill} needs a numeric proficiency`, 'skills');
  }
  if (!Array.isArray(spec.languages)) throw new InvalidInput('languages must be a list', 'languages');
  if (!Array.isArray(spec.teams)) throw new InvalidInput('teams must be a list', 'teams');
  if (!Number.isFinite(spec.rating)) throw new InvalidInput('rating must be a number', 'rating');
  if (!spec.capacity || typeof spec.capacity !== 'object')
    throw new InvalidInput('capacity must be an object', 'capacity');
  for (const c of CHANNEL_CLASSES) {
    const n = spec.capacity[c];
    if (n !== undefined && !(Number.isFinite(n) && n >= 0)) {
      throw new InvalidInput(`capacity.${c} must be a non-negative number`, `capacity.${c}`);
    }
  }
}

/** A new agent starts offline; an existing one keeps its presence and work, with skills, capacity and filters re-evaluated. */
export function upsertAgent(core: Core, spec: AgentSpec): void {
  validateAgent(spec);
  for (const step of core.rules.steps) step.agentCache.delete(spec.id);
  const existing = core.agents.get(spec.id);
  if (existing) {
    Object.assign(existing, specFields(spec));
    existing.cel = agentView(spec);
    for (const q of core.queues.values()) relink(core, existing, q);
    refreshFree(core, existing);
    // New skills or attributes may satisfy filters that excluded the agent before.
    if (existing.freeMask !== 0) markAgent(core, existing);
    return;
  }
  const at = now(core);
  const a = newAgentRec(spec, agentView(spec), at);
  core.agents.set(a.id, a);
  for (const q of core.queues.values()) relink(core, a, q);
  core.emit({ type: 'agent.state', at, agentId: a.id, state: 'offline' });
}

export function getAgentRec(core: Core, id: string): AgentRec {
  const a = core.agents.get(id);
  if (!a) throw new NotFound('agent', id);
  return a;
}

/** Only an agent holding no offers and no work can be removed; tasks waiting for it alone go to their queues. */
export function removeAgent(core: Core, id: string): void {
  const a = getAgentRec(core, id);
  if (a.pending.length > 0 || a.work.length > 0) throw new Conflict(`agent ${id} still holds work`);
  releaseDirectTasks(core, a);
  for (const l of [...a.links]) unlink(a, l.queue);
  for (const step of core.rules.steps) step.agentCache.delete(id);
  a.dirty = false;
  core.agents.delete(id);
}

function releaseDirectTasks(core: Core, a: AgentRec): void {
  for (const t of [...a.direct.values()].sort((x, y) => x.seq - y.seq)) releaseDirect(core, t);
}

/**
 * Offline and break cancel the agent's pending offers (the tasks are offered again) and send tasks
 * waiting for it alone to their queues; assigned and wrapping work stays with it.
 */
export function setPresence(core: Core, id: string, presence: Presence, reason?: string): void {
  if (!PRESENCES.includes(presence))
    throw new InvalidInput(`unknown presence ${String(presence)}`, 'presence');
  const a = getAgentRec(core, id);
  const newReason = presence === 'available' ? undefined : reason;
  if (a.presence === presence && a.reason === newReason) return;
  const at = now(core);
  if (a.presence !== presence) {
    a.presenceSince = at;
    if (presence === 'available') a.idleSince = at;
  }
  a.presence = presence;
  a.reason = newReason;
  refreshFree(core, a);
  refreshState(core, a);
  if (presence === 'available') return;
  for (const r of [...a.pending].sort(byOrdinal)) endReservation(core, r, 'canceled');
  releaseDirectTasks(core, a);
}
