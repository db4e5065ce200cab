// What a supervisor does to a conversation from the wallboard: give it to an agent, or take it over
// themselves. Both are direct assignments through the engine (engine.assign): the agent has the
// conversation at once, with no offer to accept or reject, because the supervisor has decided;
// offers out to others are withdrawn and the previous agent's slot is freed. A conversation with no
// open task (never queued) gets one, assigned from the start. Both are audited, with an event.
import { type Actor, actorTag, Conflict, NotFound, newId } from '../core/index.js';
import { auditBy } from '../security/index.js';
import { channelClassOf, type TaskAttributes } from './engine/index.js';
import type { RoutingLive } from './live.js';

export type Handover = 'assign' | 'take_over';

export interface HandoverResult {
  conversationId: string;
  taskId: string;
  assigneeId: string;
  /** Who held it before (null when it was waiting or offered). */
  previousAssigneeId: string | null;
  queueId: string | null;
}

/**
 * `assign`: to `agentId`, who must be signed in as available (a busy agent is fine: capacity is the
 * supervisor's call). `take_over`: to the acting supervisor, whatever their own state.
 */
export async function handOverConversation(
  live: RoutingLive,
  actor: Actor,
  conversationId: string,
  how: Handover,
  agentId: string,
): Promise<HandoverResult> {
  const tenantId = actor.tenantId;
  const conversation = await live.db
    .selectFrom('conversations as c')
    .innerJoin('customers as k', (j) =>
      j.onRef('k.tenant_id', '=', 'c.tenant_id').onRef('k.id', '=', 'c.customer_id'),
    )
    .select(['c.id', 'c.status', 'c.channel_type', 'c.customer_id', 'c.priority', 'c.assignee_id', 'k.tier'])
    .where('c.tenant_id', '=', tenantId)
    .where('c.id', '=', conversationId)
    .executeTakeFirst();
  if (!conversation) throw new NotFound('conversation', conversationId);
  if (conversation.status === 'resolved' || conversation.status === 'closed')
    throw new Conflict(`conversation ${conversationId} is ${conversation.status}`);

  let created: { id: string; attributes: TaskAttributes; at: number } | undefined;
  let result: HandoverResult | undefined;
  return live.run(
    tenantId,
    (engine) => {
      const agent = engine.getAgent(agentId);
      if (!agent) throw new NotFound('agent', agentId);
      if (how === 'assign' && agent.presence !== 'available')
        throw new Conflict(
          `agent ${agentId} is ${agent.presence}; only an available agent can be given work`,
        );
      const task = engine.openTaskOf(conversationId);
      let taskId: string;
      let previous: string | null = null;
      if (task) {
        taskId = task.id;
        previous = task.status === 'assigned' ? (task.agentId ?? null) : null;
        engine.assign(task.id, agentId);
      } else {
        previous = conversation.assignee_id;
        taskId = newId();
        const attributes: TaskAttributes = {
          channel: conversation.channel_type,
          tier: conversation.tier,
          conversationId,
          customerId: conversation.customer_id,
        };
        created = { id: taskId, attributes, at: live.clock.now() };
        engine.submitTask({ id: taskId, attributes, priority: conversation.priority }, agentId);
      }
      const after = engine.getTask(taskId)!;
      result = {
        conversationId,
        taskId,
        assigneeId: agentId,
        previousAssigneeId: previous,
        queueId: after.queueId ?? null,
      };
      return result;
    },
    async ({ trx, emit }) => {
      if (!result) return;
      if (created) {
        // The engine's decisions update this row right after, in the same transaction.
        await trx
          .insertInto('routing_tasks')
          .values({
            tenant_id: tenantId,
            id: created.id,
            conversation_id: conversationId,
            customer_id: conversation.customer_id,
            channel: conversation.channel_type,
            attributes: JSON.stringify(created.attributes),
            priority: conversation.priority,
            status: 'waiting',
            waiting_since: new Date(created.at),
            created_at: new Date(created.at),
          })
          .execute();
        await emit({
          tenantId,
          type: 'routing.task.created',
          aggregateType: 'routing',
          aggregateId: created.id,
          payload: {
            taskId: created.id,
            class: channelClassOf(conversation.channel_type),
            attributes: created.attributes,
          },
          actor: actorTag(actor),
        });
      }
      const action = how === 'assign' ? 'conversation.assigned' : 'conversation.taken_over';
      const detail = {
        taskId: result.taskId,
        assigneeId: result.assigneeId,
        previousAssigneeId: result.previousAssigneeId,
      };
      await auditBy(trx, actor, action, 'conversation', conversationId, detail);
      await emit({
        tenantId,
        type: action,
        aggregateType: 'conversation',
        aggregateId: conversationId,
        payload: { id: conversationId, customerId: conversation.customer_id, ...detail },
        actor: actorTag(actor),
      });
    },
  );
}
