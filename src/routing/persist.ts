// Writing the engine's decisions down, in the order it made them, in one transaction per batch: the
// tasks and reservations they touched (as the engine now sees them), the agents' counters, the
// conversations they assign, and a `routing.*` event each for the event log and the live feeds.
// Reservation rows move out of `pending` only once (`WHERE status = 'pending'`), so a decision
// that reaches the database twice, or after a restart decided otherwise, cannot apply twice.

import { changeConversation } from '../conversations/index.js';
import { systemActor, Unavailable } from '../core/index.js';
import type { UnitOfWork } from '../storage/index.js';
import type { RoutingEngine, RoutingEvent } from './engine/index.js';

const date = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));

/** Tasks and agents an event changed. */
function touched(e: RoutingEvent): { tasks: string[]; agents: string[] } {
  switch (e.type) {
    case 'agent.state':
      return { tasks: [], agents: [e.agentId] };
    case 'reservation.created':
      return { tasks: [e.reservation.taskId], agents: [e.reservation.agentId] };
    case 'rules.changed':
      return { tasks: [], agents: [] };
    case 'reservation.accepted':
    case 'reservation.rejected':
    case 'reservation.timed_out':
    case 'reservation.canceled':
    case 'task.assigned':
    case 'task.wrapping':
      return { tasks: [e.taskId], agents: [e.agentId] };
    case 'task.completed':
      return { tasks: [e.taskId], agents: e.agentId ? [e.agentId] : [] };
    case 'task.transferred':
      return { tasks: [e.taskId], agents: [e.fromAgentId, e.toAgentId].filter((x): x is string => !!x) };
    default:
      return { tasks: [e.taskId], agents: [] };
  }
}

const ENDED = {
  'reservation.accepted': 'accepted',
  'reservation.rejected': 'rejected',
  'reservation.timed_out': 'timed_out',
  'reservation.canceled': 'canceled',
} as const;

export async function persistDecisions(
  uow: UnitOfWork,
  tenantId: string,
  engine: RoutingEngine,
  events: readonly RoutingEvent[],
): Promise<void> {
  const { trx } = uow;
  const tasks = new Set<string>();
  const agents = new Set<string>();
  for (const e of events) {
    const t = touched(e);
    for (const id of t.tasks) tasks.add(id);
    for (const id of t.agents) agents.add(id);
  }
  // Task rows first: reservations reference them.
  for (const id of tasks) {
    const v = engine.getTask(id);
    if (!v) continue;
    const assigned = events.find((e) => e.type === 'task.assigned' && e.taskId === id);
    await trx
      .updateTable('routing_tasks')
      .set({
        status: v.status,
        priority: v.priority,
        queue_id: v.queueId ?? null,
        step_id: v.stepId ?? null,
        step_index: v.stepIndex ?? null,
        entered_step_at: date(v.enteredStepAt),
        waiting_since: new Date(v.waitingSince),
        agent_id: v.agentId ?? null,
        direct_agent_id: v.directAgentId ?? null,
        hold_until: date(v.holdUntil),
        wrap_until: date(v.wrapUntil),
        ended_at: date(v.endedAt),
        ...(assigned && { assigned_at: new Date(assigned.at) }),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }
  for (const [i, e] of events.entries()) {
    if (e.type === 'reservation.created') {
      const r = e.reservation;
      await trx
        .insertInto('routing_reservations')
        .values({
          tenant_id: tenantId,
          id: r.id,
          seq: Number(r.id.slice(r.id.lastIndexOf('-') + 1)) || 0,
          task_id: r.taskId,
          agent_id: r.agentId,
          created_at: new Date(r.createdAt),
          expires_at: new Date(r.expiresAt),
        })
        .execute();
    } else if (e.type in ENDED) {
      const ended = e as Extract<RoutingEvent, { reservationId: string }>;
      const moved = await trx
        .updateTable('routing_reservations')
        .set({ status: ENDED[e.type as keyof typeof ENDED], decided_at: new Date(e.at) })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', ended.reservationId)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1)
        throw new Unavailable(
          `reservation ${ended.reservationId} was already decided; routing state is reloaded`,
        );
    } else if (e.type === 'task.assigned') {
      const v = engine.getTask(e.taskId);
      const conversationId = v?.attributes.conversationId;
      if (typeof conversationId === 'string')
        await trx
          .updateTable('conversations')
          // A task no rule placed (assigned by a supervisor) has no queue: the conversation keeps its own.
          .set({
            assignee_id: e.agentId,
            ...(e.queueId && { queue_id: e.queueId }),
            updated_at: new Date(e.at),
          })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', conversationId)
          .execute();
    } else if (
      e.type === 'task.transferred' &&
      !events.slice(i + 1).some((x) => x.type === 'task.assigned' && x.taskId === e.taskId)
    ) {
      // Back to waiting (in a queue, or for one colleague): the agent who transferred it no longer
      // holds the conversation, so it leaves their inbox; whoever accepts it next is its assignee.
      const conversationId = engine.getTask(e.taskId)?.attributes.conversationId;
      if (typeof conversationId !== 'string') continue;
      const c = await trx
        .selectFrom('conversations')
        .select('assignee_id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', conversationId)
        .executeTakeFirst();
      if (e.fromAgentId && c?.assignee_id === e.fromAgentId)
        await changeConversation(uow, systemActor(tenantId), conversationId, {
          assigneeId: null,
          ...(e.toQueueId && { queueId: e.toQueueId }),
        });
    }
  }
  for (const id of agents) {
    const a = engine.getAgent(id);
    if (!a) continue;
    const counters = {
      idle_since: new Date(a.idleSince),
      last_task_ended_at: date(a.lastTaskEndedAt),
      tasks_handled: a.tasksHandled,
    };
    await trx
      .insertInto('routing_agents')
      .values({ tenant_id: tenantId, user_id: id, ...counters })
      .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doUpdateSet(counters))
      .execute();
  }
  for (const e of events) {
    await uow.emit({
      tenantId,
      type: `routing.${e.type}`,
      aggregateType: 'routing',
      aggregateId:
        'taskId' in e
          ? e.taskId
          : 'reservation' in e
            ? e.reservation.taskId
            : 'agentId' in e
              ? e.agentId
              : tenantId,
      payload: e as unknown as Record<string, unknown>,
      actor: 'system:acd',
    });
  }
}
