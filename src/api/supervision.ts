import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { handOverConversation } from '../routing/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { Body, IdParams, Uuid, withProblems } from './schemas.js';

const HandoverSchema = Type.Object({
  conversationId: Uuid,
  taskId: Uuid,
  assigneeId: Uuid,
  previousAssigneeId: Type.Union([Uuid, Type.Null()], { description: 'who held it before; null if nobody' }),
  queueId: Type.Union([Uuid, Type.Null()]),
});

/** A supervisor's hand on a conversation: give it to an agent, or take it over. */
export async function supervisionRoutes(
  fastify: FastifyInstance,
  { ctx }: { ctx: ApiContext },
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['conversations'];

  app.post(
    '/api/v1/conversations/:id/assign',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'Give the conversation to an agent, at once',
        description:
          'A direct assignment, not an offer: the agent has the conversation when this returns (event ' +
          'routing.task.assigned, then conversation.assigned). Offers out to others are withdrawn and a ' +
          "previous agent's slot is freed. The agent must be available (409 on a break or offline); a busy one " +
          'is fine: capacity is the supervisor’s call. A conversation never queued gets its task here. 409 when ' +
          'the conversation is resolved or closed, its task is in wrap-up, or the agent already has it. Audited.',
        params: IdParams,
        body: Body({ agentId: Uuid }),
        response: withProblems({ 200: HandoverSchema }),
      },
    },
    async (request) =>
      handOverConversation(ctx.routing, actorOf(request), request.params.id, 'assign', request.body.agentId),
  );

  app.post(
    '/api/v1/conversations/:id/take-over',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'Take the conversation over: the signed-in supervisor becomes its assignee',
        description:
          "Direct, whatever the supervisor's own state; the previous agent's slot is freed (event " +
          'conversation.taken_over). Same refusals as assign. Audited.',
        params: IdParams,
        body: Body({}),
        response: withProblems({ 200: HandoverSchema }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return handOverConversation(ctx.routing, actor, request.params.id, 'take_over', actor.userId ?? '');
    },
  );
}
