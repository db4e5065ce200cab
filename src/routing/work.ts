// What people and channels ask of the ACD: agents set their state and answer offers, work is
// created, finished and transferred, supervisors read live statistics. Each call goes through the
// tenant's engine (live.ts) and returns only once its decisions are stored.
import { sql } from 'kysely';
import {
  type Actor,
  actorTag,
  Forbidden,
  InvalidInput,
  NotFound,
  newId,
  roleAtLeast,
} from '../core/index.js';
import { auditBy } from '../security/index.js';
import type { AgentStats, Presence, ReservationView, TaskAttributes, TaskView } from './engine/index.js';
import { channelClassOf } from './engine/index.js';
import type { RoutingLive } from './live.js';
import { type LiveStats, liveStatsOf } from './live-stats.js';
import { engineOptionsOf } from './load.js';

const isSupervisor = (actor: Actor) => roleAtLeast(actor.role, 'supervisor');

/** Reason codes for a break when the tenant has not set its own (`tenants.settings.routing.breakReasons`). */
export const DEFAULT_BREAK_REASONS = [
  'lunch',
  'rest',
  'meeting',
  'training',
  'coaching',
  'personal',
] as const;

export interface NewTask {
  channel: string;
  conversationId?: string | undefined;
  customerId?: string | undefined;
  priority?: number | undefined;
  attributes?: Record<string, unknown> | undefined;
  /** The agent has the task at once, without an offer (an agent's own outbound call). */
  assignTo?: string | undefined;
}

async function breakReasons(live: RoutingLive, tenantId: string): Promise<readonly string[]> {
  const row = await live.db
    .selectFrom('tenants')
    .select('settings')
    .where('id', '=', tenantId)
    .executeTakeFirst();
  const list = (row?.settings.routing as { breakReasons?: unknown } | undefined)?.breakReasons;
  return Array.isArray(list) && list.every((x) => typeof x === 'string') ? list : DEFAULT_BREAK_REASONS;
}

/** An agent sets their own state; a supervisor may set anyone's (forcing an idle agent offline). */
export async function setAgentState(
  live: RoutingLive,
  actor: Actor,
  agentId: string,
  presence: Presence,
  reason?: string | undefined,
): Promise<AgentStats> {
  if (agentId !== actor.userId && !isSupervisor(actor))
    throw new Forbidden("only a supervisor may set another agent's state");
  if (presence === 'break') {
    const reasons = await breakReasons(live, actor.tenantId);
    if (!reason || !reasons.includes(reason))
      throw new InvalidInput(`a break needs a reason code, one of: ${reasons.join(', ')}`, 'reason');
  } else if (reason !== undefined && presence === 'available') {
    throw new InvalidInput('only a break or going offline takes a reason', 'reason');
  }
  const now = new Date(live.clock.now());
  return live.run(
    actor.tenantId,
    (engine) => {
      if (!engine.getAgent(agentId)) throw new NotFound('agent', agentId);
      engine.setPresence(agentId, presence, reason);
      return engine.agentStats(agentId);
    },
    async ({ trx }) => {
      const values = { presence, presence_reason: reason ?? null, presence_since: now };
      await trx
        .insertInto('routing_agents')
        .values({ tenant_id: actor.tenantId, user_id: agentId, ...values })
        .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doUpdateSet(values))
        .execute();
      await auditBy(trx, actor, 'agent.presence_changed', 'user', agentId, {
        presence,
        reason: reason ?? null,
      });
    },
  );
}

/** An agent reads their own state, load and capacity (after a reload); a supervisor may read anyone's. */
export function getAgentState(live: RoutingLive, actor: Actor, agentId: string): Promise<AgentStats> {
  if (agentId !== actor.userId && !isSupervisor(actor))
    throw new Forbidden("only a supervisor may read another agent's state");
  return live.run(actor.tenantId, (engine) => {
    if (!engine.getAgent(agentId)) throw new NotFound('agent', agentId);
    return engine.agentStats(agentId);
  });
}

function ownReservation(actor: Actor, r: ReservationView | undefined, id: string): ReservationView {
  if (!r) throw new NotFound('reservation', id);
  if (r.agentId !== actor.userId) throw new NotFound('reservation', id);
  return r;
}

export async function acceptReservation(live: RoutingLive, actor: Actor, id: string): Promise<TaskView> {
  return live.run(actor.tenantId, (engine) => {
    const r = ownReservation(actor, engine.getReservation(id), id);
    engine.accept(id);
    return engine.getTask(r.taskId)!;
  });
}

export async function rejectReservation(
  live: RoutingLive,
  actor: Actor,
  id: string,
): Promise<ReservationView> {
  return live.run(actor.tenantId, (engine) => {
    const r = ownReservation(actor, engine.getReservation(id), id);
    engine.reject(id);
    return r;
  });
}

export function myReservations(live: RoutingLive, actor: Actor): Promise<ReservationView[]> {
  return live.run(actor.tenantId, (engine) => engine.pendingReservations(actor.userId ?? ''));
}

/** The task's agent finishes it (wrap-up follows if its queue has one); a supervisor may too. */
export async function completeTask(live: RoutingLive, actor: Actor, taskId: string): Promise<TaskView> {
  return live.run(actor.tenantId, (engine) => {
    const t = engine.getTask(taskId);
    if (!t) throw new NotFound('task', taskId);
    if (t.agentId !== actor.userId && !isSupervisor(actor))
      throw new Forbidden('only the assigned agent or a supervisor may complete this task');
    engine.complete(taskId);
    return engine.getTask(taskId)!;
  });
}

export async function transferTask(
  live: RoutingLive,
  actor: Actor,
  taskId: string,
  target: { agentId: string } | { queueId: string },
): Promise<TaskView> {
  return live.run(actor.tenantId, (engine) => {
    const t = engine.getTask(taskId);
    if (!t) throw new NotFound('task', taskId);
    if (t.agentId !== actor.userId && !isSupervisor(actor))
      throw new Forbidden('only the assigned agent or a supervisor may transfer this task');
    if ('agentId' in target && !engine.getAgent(target.agentId)) throw new NotFound('agent', target.agentId);
    engine.transfer(taskId, target);
    return engine.getTask(taskId)!;
  });
}

export async function cancelTask(live: RoutingLive, actor: Actor, taskId: string): Promise<void> {
  await live.run(actor.tenantId, (engine) => {
    if (!engine.getTask(taskId)) throw new NotFound('task', taskId);
    engine.cancel(taskId);
  });
}

/** The customer left before an agent answered (a caller hung up in the queue): counted as abandoned. */
export async function abandonTask(live: RoutingLive, actor: Actor, taskId: string): Promise<void> {
  await live.run(actor.tenantId, (engine) => {
    const t = engine.getTask(taskId);
    if (!t) throw new NotFound('task', taskId);
    if (t.status === 'waiting' || t.status === 'reserved') engine.abandon(taskId);
    else if (t.status === 'assigned') engine.complete(taskId);
  });
}

export interface QueuePosition {
  queueId: string | undefined;
  /** 1 = next to be served; undefined once the task is no longer waiting. */
  position: number | undefined;
  waiting: number;
  /** A rough estimate for an announcement: position × the queue's average speed of answer (or 60 s). */
  estimatedWaitSeconds: number | undefined;
}

/** Where a waiting task stands in its queue, for position and wait-time announcements. */
export function queuePosition(live: RoutingLive, actor: Actor, taskId: string): Promise<QueuePosition> {
  return live.run(actor.tenantId, (engine) => {
    const t = engine.getTask(taskId);
    if (!t) throw new NotFound('task', taskId);
    const queueId = t.queueId;
    const waiting = queueId === undefined ? [] : engine.waitingTasks(queueId);
    const index = waiting.findIndex((w) => w.id === taskId);
    const position = index < 0 ? undefined : index + 1;
    const stats = queueId === undefined ? undefined : engine.queueStats(queueId);
    const perCaller = stats && stats.asaMs > 0 ? stats.asaMs / 1000 : 60;
    return {
      queueId,
      position,
      waiting: waiting.length,
      estimatedWaitSeconds: position === undefined ? undefined : Math.round(position * perCaller),
    };
  });
}

export function getTask(live: RoutingLive, actor: Actor, taskId: string): Promise<TaskView> {
  return live.run(actor.tenantId, (engine) => {
    const t = engine.getTask(taskId);
    if (!t) throw new NotFound('task', taskId);
    return t;
  });
}

export function waitingTasks(live: RoutingLive, actor: Actor, queueId?: string): Promise<TaskView[]> {
  return live.run(actor.tenantId, (engine) => engine.waitingTasks(queueId));
}

export function liveStats(live: RoutingLive, actor: Actor): Promise<LiveStats> {
  return live.run(actor.tenantId, (engine) => liveStatsOf(engine, live.clock.now()));
}

/**
 * New work for the ACD. A conversation has at most one open task (a unique index): asking again
 * while one is open returns it, so a redelivered event queues nothing twice.
 */
export async function createTask(live: RoutingLive, actor: Actor, input: NewTask): Promise<TaskView> {
  if (!input.channel.trim()) throw new InvalidInput('a task needs a channel', 'channel');
  const id = newId();
  const now = live.clock.now();
  const attributes: TaskAttributes = {
    ...input.attributes,
    channel: input.channel,
    ...(input.conversationId && { conversationId: input.conversationId }),
    ...(input.customerId && { customerId: input.customerId }),
  };
  let created = false;
  // Checked before taking the tenant's engine (conversations and customers are not deleted), both in
  // one statement.
  if (input.conversationId !== undefined || input.customerId !== undefined) {
    const exists = (table: 'conversations' | 'customers', id: string | undefined) =>
      id === undefined
        ? sql<boolean>`true`
        : sql<boolean>`exists (select 1 from ${sql.table(table)} where tenant_id = ${actor.tenantId} and id = ${id})`;
    const found = await sql<{ conversation: boolean; customer: boolean }>`select
        ${exists('conversations', input.conversationId)} as conversation,
        ${exists('customers', input.customerId)} as customer`.execute(live.db);
    const row = found.rows[0];
    if (!row?.conversation) throw new NotFound('conversation', input.conversationId ?? '');
    if (!row.customer) throw new NotFound('customer', input.customerId ?? '');
  }
  return live.run(
    actor.tenantId,
    (engine) => {
      // Calls for one tenant run one at a time and the engine holds every open task, so this
      // check and the submit cannot interleave.
      if (input.conversationId) {
        const existing = engine.openTaskOf(input.conversationId);
        if (existing) return existing;
      }
      if (input.assignTo !== undefined && !engine.getAgent(input.assignTo))
        throw new NotFound('agent', input.assignTo);
      engine.submitTask({ id, attributes, priority: input.priority ?? 0 }, input.assignTo);
      created = true;
      return engine.getTask(id)!;
    },
    async ({ trx, emit }) => {
      if (!created) return;
      await trx
        .insertInto('routing_tasks')
        .values({
          tenant_id: actor.tenantId,
          id,
          conversation_id: input.conversationId ?? null,
          customer_id: input.customerId ?? null,
          channel: input.channel,
          attributes: JSON.stringify(attributes),
          priority: input.priority ?? 0,
          status: 'waiting',
          waiting_since: new Date(now),
          created_at: new Date(now),
        })
        .execute();
      await emit({
        tenantId: actor.tenantId,
        type: 'routing.task.created',
        aggregateType: 'routing',
        aggregateId: id,
        payload: { taskId: id, class: channelClassOf(input.channel), attributes },
        actor: actorTag(actor),
      });
    },
  );
}

export interface AgentProfile {
  userId: string;
  rating: number;
  /** Stored per-class capacity; classes left out take the defaults (chat: the user's max chats). */
  capacity: Record<string, number>;
}

/** An admin sets what routing weighs about an agent beyond skills and languages: rating and capacity. */
export async function setAgentProfile(
  live: RoutingLive,
  outbox: import('../storage/index.js').Outbox,
  actor: Actor,
  userId: string,
  input: { rating?: number | undefined; capacity?: Record<string, number> | undefined },
): Promise<AgentProfile> {
  for (const [k, v] of Object.entries(input.capacity ?? {})) {
    if (!['voice', 'chat', 'email', 'video'].includes(k))
      throw new InvalidInput(
        `capacity is per channel class: voice, chat, email, video (not ${k})`,
        'capacity',
      );
    if (!Number.isInteger(v) || v < 0 || v > 50)
      throw new InvalidInput('capacity must be 0 to 50', 'capacity');
  }
  const profile = await outbox.transact(async (uow) => {
    const user = await uow.trx
      .selectFrom('users')
      .select('id')
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!user) throw new NotFound('user', userId);
    const set = {
      ...(input.rating !== undefined && { rating: input.rating }),
      ...(input.capacity !== undefined && { capacity: JSON.stringify(input.capacity) }),
    };
    const row = await uow.trx
      .insertInto('routing_agents')
      .values({ tenant_id: actor.tenantId, user_id: userId, ...set })
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'user_id']).doUpdateSet(Object.keys(set).length ? set : { user_id: userId }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    await auditBy(uow.trx, actor, 'agent.profile_changed', 'user', userId, { ...input });
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'agent.profile_changed',
      aggregateType: 'user',
      aggregateId: userId,
      payload: { userId, rating: row.rating, capacity: row.capacity },
      actor: actorTag(actor),
    });
    return { userId, rating: row.rating, capacity: row.capacity };
  });
  await live.refresh(actor.tenantId);
  return profile;
}

export async function breakReasonsOf(live: RoutingLive, tenantId: string): Promise<readonly string[]> {
  return breakReasons(live, tenantId);
}

export interface RoutingSettings {
  voiceBlocksOthers: boolean;
  agingPerMinute: number;
  lastAgentWindowMs: number;
  lastAgentHoldMs: number;
  weights: { idle: number; load: number; proficiency: number; rating: number; customerValue: number };
  breakReasons: string[];
}

const DEFAULT_WEIGHTS = { idle: 1, load: 1, proficiency: 1, rating: 1, customerValue: 0.5 };

export function routingSettingsOf(settings: Record<string, unknown>): RoutingSettings {
  const r = (settings.routing ?? {}) as Partial<RoutingSettings>;
  const o = engineOptionsOf(settings);
  return {
    voiceBlocksOthers: o.voiceBlocksOthers ?? true,
    agingPerMinute: o.agingPerMinute ?? 1,
    lastAgentWindowMs: o.lastAgentWindowMs ?? 0,
    lastAgentHoldMs: o.lastAgentHoldMs ?? 0,
    weights: { ...DEFAULT_WEIGHTS, ...(r.weights ?? {}) },
    breakReasons: Array.isArray(r.breakReasons) ? r.breakReasons : [...DEFAULT_BREAK_REASONS],
  };
}

export async function getRoutingSettings(live: RoutingLive, tenantId: string): Promise<RoutingSettings> {
  const row = await live.db
    .selectFrom('tenants')
    .select('settings')
    .where('id', '=', tenantId)
    .executeTakeFirst();
  return routingSettingsOf(row?.settings ?? {});
}

/** Stores the tenant's ACD options; the engine is rebuilt from the database with them, work in hand kept. */
export async function updateRoutingSettings(
  live: RoutingLive,
  outbox: import('../storage/index.js').Outbox,
  actor: Actor,
  changes: Partial<RoutingSettings>,
): Promise<RoutingSettings> {
  if (changes.breakReasons && new Set(changes.breakReasons).size !== changes.breakReasons.length)
    throw new InvalidInput('break reasons must be distinct', 'breakReasons');
  const next = await outbox.transact(async ({ trx }) => {
    const row = await trx
      .selectFrom('tenants')
      .select('settings')
      .where('id', '=', actor.tenantId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const current = routingSettingsOf(row.settings);
    const merged: RoutingSettings = {
      ...current,
      ...changes,
      weights: { ...current.weights, ...(changes.weights ?? {}) },
    };
    await trx
      .updateTable('tenants')
      .set({ settings: JSON.stringify({ ...row.settings, routing: merged }) })
      .where('id', '=', actor.tenantId)
      .execute();
    await auditBy(trx, actor, 'routing.settings_changed', 'tenant', actor.tenantId, { ...changes });
    return merged;
  });
  await live.reload(actor.tenantId);
  return next;
}
