import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { customerTimeline } from '../conversations/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { IdParams, PageOf, PageQuery, Timestamp, Uuid, withProblems } from './schemas.js';

const MergeEntry = Type.Object({
  id: Uuid,
  kind: Type.Literal('merge'),
  at: Timestamp,
  mergeId: Uuid,
  role: Type.Union([Type.Literal('survivor'), Type.Literal('merged')]),
  otherCustomerId: Uuid,
  confidence: Type.Number(),
  source: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('undone')]),
  undoneAt: Type.Union([Timestamp, Type.Null()]),
});

const MessageEntry = Type.Object({
  id: Uuid,
  kind: Type.Literal('message'),
  at: Timestamp,
  conversationId: Uuid,
  conversationStatus: Type.String(),
  channelType: Type.String(),
  channelId: Type.Union([Uuid, Type.Null()]),
  direction: Type.Union([Type.Literal('in'), Type.Literal('out')]),
  senderType: Type.String(),
  contentType: Type.String(),
  text: Type.String(),
  deliveryStatus: Type.String(),
  channelChanged: Type.Boolean(),
});

const CallEntry = Type.Object({
  id: Uuid,
  kind: Type.Literal('call'),
  at: Timestamp,
  conversationId: Uuid,
  conversationStatus: Type.String(),
  channelType: Type.String(),
  direction: Type.Union([Type.Literal('in'), Type.Literal('out')], {
    description: 'in: the customer called; out: an agent called the customer',
  }),
  text: Type.String(),
  from: Type.String({ description: 'the caller number as it reached us' }),
  to: Type.String({ description: 'the number dialled' }),
  outcome: Type.String({ description: 'enqueue, transfer, hangup, abandoned or failed' }),
  ivrPath: Type.Array(
    Type.Object(
      {
        nodeId: Type.String(),
        type: Type.String(),
        at: Type.Number({ description: 'ms after the IVR answered' }),
        ms: Type.Number({ description: 'ms spent at the node' }),
        digits: Type.Optional(Type.Array(Type.String())),
        result: Type.Optional(Type.String()),
        next: Type.Optional(Type.String()),
        error: Type.Optional(Type.String()),
      },
      { additionalProperties: true },
    ),
  ),
  events: Type.Array(
    Type.Object({
      type: Type.String({
        description: 'queued, connected, held, resumed, transferred, agent_unreachable, ended, …',
      }),
      at: Timestamp,
      agentId: Type.Optional(Type.String()),
      queueId: Type.Optional(Type.String()),
      cause: Type.Optional(Type.String({ description: 'ended: why (caller-hangup, hangup, …)' })),
      to: Type.Optional(Type.String({ description: 'transferred: the agent, queue or number' })),
      by: Type.Optional(
        Type.String({ description: "who ended, held or transferred it: a user id, 'caller' or 'system'" }),
      ),
    }),
    { description: 'what happened to the call after the IVR, oldest first' },
  ),
});

export async function timelineRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/customers/:id/timeline',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['customers'],
        summary: "The customer's history on every channel, newest first",
        description:
          'Live updates: on /ws send {"type":"subscribe","events":["message.*"],"customerId":"<id>"}.',
        params: IdParams,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: withProblems({ 200: PageOf(Type.Union([MessageEntry, MergeEntry, CallEntry])) }),
      },
    },
    async (request) =>
      customerTimeline({ db: ctx.storage.db }, actorOf(request), request.params.id, request.query),
  );
}
