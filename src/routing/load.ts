// Reading the ACD's world from the database: queues and agents as the engine sees them, and, on
// (re)start, the live state — open tasks, pending reservations, presence, who served whom — as an
// engine snapshot, so a restarted or standby process continues where the last one stopped.
import type { Db } from '../storage/index.js';
import type {
  AgentSpec,
  Capacity,
  EngineOptions,
  EngineSnapshot,
  Millis,
  Presence,
  QueueSpec,
  Strategy,
  TaskAttributes,
} from './engine/index.js';
import { currentRules } from './rules-store.js';

/** Capacity a routing profile leaves out: one call, `users.max_chats` chats, five e-mails, one video. */
export function effectiveCapacity(stored: Record<string, number>, maxChats: number): Capacity {
  return { voice: 1, chat: maxChats, email: 5, video: 1, ...stored };
}

export async function loadQueues(db: Db, tenantId: string): Promise<QueueSpec[]> {
  const [queues, skills] = await Promise.all([
    db.selectFrom('queues').selectAll().where('tenant_id', '=', tenantId).orderBy('id').execute(),
    db
      .selectFrom('queue_skills as qs')
      .innerJoin('skills as s', (j) =>
        j.onRef('s.tenant_id', '=', 'qs.tenant_id').onRef('s.id', '=', 'qs.skill_id'),
      )
      .select(['qs.queue_id', 's.name', 'qs.min_proficiency'])
      .where('qs.tenant_id', '=', tenantId)
      .execute(),
  ]);
  return queues.map((q) => {
    const required: Record<string, number> = {};
    for (const s of skills) if (s.queue_id === q.id) required[s.name] = s.min_proficiency;
    return {
      id: q.id,
      name: q.name,
      strategy: q.strategy as Strategy,
      requiredSkills: required,
      reservationTimeoutMs: q.reservation_timeout_seconds * 1000,
      wrapUpMs: q.wrap_up_seconds * 1000,
      serviceLevelMs: q.service_level_seconds * 1000,
    };
  });
}

export interface LoadedAgent {
  spec: AgentSpec;
  presence: Presence;
  reason: string | undefined;
  presenceSince: Millis;
  idleSince: Millis;
  lastTaskEndedAt: Millis | undefined;
  tasksHandled: number;
}

/** Every active user is a potential agent (offline until they say otherwise); skills by name, for CEL. */
export async function loadAgents(db: Db, tenantId: string): Promise<LoadedAgent[]> {
  const [users, skills, teams] = await Promise.all([
    db
      .selectFrom('users as u')
      .leftJoin('routing_agents as r', (j) =>
        j.onRef('r.tenant_id', '=', 'u.tenant_id').onRef('r.user_id', '=', 'u.id'),
      )
      .select([
        'u.id',
        'u.display_name',
        'u.role',
        'u.languages',
        'u.max_chats',
        'r.rating',
        'r.capacity',
        'r.presence',
        'r.presence_reason',
        'r.presence_since',
        'r.idle_since',
        'r.last_task_ended_at',
        'r.tasks_handled',
      ])
      .where('u.tenant_id', '=', tenantId)
      .where('u.status', '=', 'active')
      .orderBy('u.id')
      .execute(),
    db
      .selectFrom('agent_skills as a')
      .innerJoin('skills as s', (j) =>
        j.onRef('s.tenant_id', '=', 'a.tenant_id').onRef('s.id', '=', 'a.skill_id'),
      )
      .select(['a.user_id', 's.name', 'a.proficiency'])
      .where('a.tenant_id', '=', tenantId)
      .execute(),
    db.selectFrom('team_members').select(['user_id', 'team_id']).where('tenant_id', '=', tenantId).execute(),
  ]);
  return users.map((u) => {
    const own: Record<string, number> = {};
    for (const s of skills) if (s.user_id === u.id) own[s.name] = s.proficiency;
    const ms = (d: Date | string | null | undefined) => (d ? new Date(d).getTime() : undefined);
    return {
      spec: {
        id: u.id,
        name: u.display_name,
        skills: own,
        languages: u.languages ?? [],
        teams: teams.filter((t) => t.user_id === u.id).map((t) => t.team_id),
        rating: u.rating ?? 3,
        capacity: effectiveCapacity((u.capacity as Record<string, number> | null) ?? {}, u.max_chats),
        attributes: { role: u.role },
      },
      presence: (u.presence ?? 'offline') as Presence,
      reason: u.presence_reason ?? undefined,
      presenceSince: ms(u.presence_since) ?? 0,
      idleSince: ms(u.idle_since) ?? 0,
      lastTaskEndedAt: ms(u.last_task_ended_at),
      tasksHandled: u.tasks_handled ?? 0,
    };
  });
}

const OPEN = ['waiting', 'reserved', 'assigned', 'wrapping'] as const;

/** The whole live picture of one tenant, as the engine's snapshot. */
export async function loadSnapshot(
  db: Db,
  tenantId: string,
  now: Millis,
  lastAgentWindowMs: number,
): Promise<EngineSnapshot> {
  const ms = (d: Date | string | null) => (d ? new Date(d).getTime() : undefined);
  const [queues, agents, rules, tasks, reservations, seq, recent] = await Promise.all([
    loadQueues(db, tenantId),
    loadAgents(db, tenantId),
    currentRules(db, tenantId),
    db
      .selectFrom('routing_tasks')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('status', 'in', OPEN)
      .execute(),
    db
      .selectFrom('routing_reservations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'pending')
      .execute(),
    db
      .selectFrom('routing_reservations')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst(),
    db
      .selectFrom('routing_tasks')
      .select(['customer_id', 'agent_id', 'assigned_at'])
      .where('tenant_id', '=', tenantId)
      .where('customer_id', 'is not', null)
      .where('agent_id', 'is not', null)
      .where('assigned_at', '>', new Date(now - lastAgentWindowMs))
      .orderBy('assigned_at', 'asc')
      .execute(),
  ]);
  // Work held by someone who can no longer work (disabled, deleted) goes back to the queue.
  const present = new Set(agents.map((a) => a.spec.id));
  const live = reservations.filter((r) => present.has(r.agent_id) && tasks.some((t) => t.id === r.task_id));
  const statusOf = (t: (typeof tasks)[number]) => {
    if ((t.status === 'assigned' || t.status === 'wrapping') && !(t.agent_id && present.has(t.agent_id)))
      return 'waiting' as const;
    if (t.status === 'reserved' && !live.some((r) => r.task_id === t.id)) return 'waiting' as const;
    return t.status;
  };
  const lastAgents = new Map<string, { agentId: string; at: Millis }>();
  for (const r of recent) lastAgents.set(r.customer_id!, { agentId: r.agent_id!, at: ms(r.assigned_at)! });
  return {
    at: now,
    rules: {
      version: rules.version,
      steps: rules.steps,
      ...(rules.defaultQueueId && { defaultQueueId: rules.defaultQueueId }),
    },
    queues,
    agents: agents.map((a) => ({
      ...a.spec,
      presence: a.presence,
      reason: a.reason,
      presenceSince: a.presenceSince,
      idleSince: a.idleSince,
      lastTaskEndedAt: a.lastTaskEndedAt,
      tasksHandled: a.tasksHandled,
    })),
    tasks: tasks.map((t) => ({
      spec: { id: t.id, attributes: t.attributes as TaskAttributes, priority: t.priority },
      status: statusOf(t),
      createdAt: ms(t.created_at)!,
      queueId: t.queue_id ?? undefined,
      stepIndex: t.step_index ?? undefined,
      stepId: t.step_id ?? undefined,
      enteredStepAt: ms(t.entered_step_at),
      waitingSince: ms(t.waiting_since),
      priority: t.priority,
      agentId: statusOf(t) === 'waiting' ? undefined : (t.agent_id ?? undefined),
      wrapUntil: ms(t.wrap_until),
      directAgentId: t.direct_agent_id ?? undefined,
      holdUntil: ms(t.hold_until),
      pinned: t.pinned,
    })),
    reservations: live.map((r) => ({
      id: r.id,
      taskId: r.task_id,
      agentId: r.agent_id,
      createdAt: ms(r.created_at)!,
      expiresAt: ms(r.expires_at)!,
    })),
    lastAgents: [...lastAgents.entries()].map(([customerId, v]) => ({ customerId, ...v })),
    reservationSeq: Number(seq?.seq ?? 0),
  };
}

/** The tenant's engine options from `tenants.settings.routing` (each optional). */
export function engineOptionsOf(settings: Record<string, unknown>): Omit<EngineOptions, 'clock'> {
  const r = (settings.routing ?? {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  return {
    voiceBlocksOthers: typeof r.voiceBlocksOthers === 'boolean' ? r.voiceBlocksOthers : true,
    agingPerMinute: num(r.agingPerMinute) ?? 1,
    lastAgentWindowMs: num(r.lastAgentWindowMs) ?? 24 * 3600_000,
    lastAgentHoldMs: num(r.lastAgentHoldMs) ?? 10_000,
    ...(typeof r.weights === 'object' &&
      r.weights !== null && { weights: r.weights as EngineOptions['weights'] }),
  };
}
