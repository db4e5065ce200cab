import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { conversationVolume, queueActivity, windowOf } from '../analytics/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { Timestamp, Uuid, withProblems } from './schemas.js';

const WindowQuery = Type.Object(
  {
    hours: Type.Integer({ minimum: 1, maximum: 744, default: 6, description: 'how far back' }),
    bucketMinutes: Type.Integer({ minimum: 1, maximum: 1440, default: 15 }),
  },
  { additionalProperties: false },
);

const WindowFields = {
  from: Timestamp,
  to: Timestamp,
  bucketMinutes: Type.Integer(),
};

const QueueFiguresSchema = Type.Object({
  offered: Type.Integer({ description: 'tasks that arrived in the bucket and were placed in the queue' }),
  answered: Type.Integer({
    description: 'of those, taken by an agent (offer accepted, or assigned by a supervisor)',
  }),
  abandoned: Type.Integer({ description: 'of those, left by the customer before an agent took them' }),
  answeredWithinSl: Type.Integer(),
  serviceLevel: Type.Union([Type.Number(), Type.Null()], {
    description: 'answeredWithinSl / (answered + abandoned); null when none ended either way',
  }),
  asaSeconds: Type.Union([Type.Number(), Type.Null()], {
    description: 'average wait of the answered, from arrival to the first agent; null when none answered',
  }),
});

export async function analyticsRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['analytics'];
  const now = () => ctx.routing.clock.now();

  app.get(
    '/api/v1/analytics/volume',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'Conversations started per channel, per time bucket',
        description:
          'Counts conversations started (not messages), by the channel of their first message, in buckets of ' +
          'bucketMinutes aligned to the clock (UTC), the last one holding now; every bucket lists every channel ' +
          "(the tenant's configured channel types and any seen), zero when none.",
        querystring: WindowQuery,
        response: withProblems({
          200: Type.Object({
            ...WindowFields,
            channels: Type.Array(Type.String()),
            buckets: Type.Array(
              Type.Object({
                start: Timestamp,
                byChannel: Type.Record(Type.String(), Type.Integer(), {
                  description: 'channel type → count',
                }),
              }),
            ),
          }),
        }),
      },
    },
    async (request) =>
      conversationVolume(
        ctx.storage.db,
        actorOf(request).tenantId,
        windowOf(now(), request.query.hours, request.query.bucketMinutes),
      ),
  );

  app.get(
    '/api/v1/analytics/queues',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'Offered, answered, abandoned, service level and speed of answer per queue, per time bucket',
        description:
          'From the ACD’s tables: each routing task counts once, in the bucket it arrived in and the queue it ' +
          "was last placed in. Service level uses each queue's threshold (serviceLevelSeconds). Every bucket " +
          'lists every queue of the tenant. For what is happening now, see GET /api/v1/routing/stats.',
        querystring: WindowQuery,
        response: withProblems({
          200: Type.Object({
            ...WindowFields,
            queues: Type.Array(
              Type.Object({ queueId: Uuid, name: Type.String(), serviceLevelSeconds: Type.Integer() }),
            ),
            buckets: Type.Array(
              Type.Object({
                start: Timestamp,
                byQueue: Type.Record(Type.String(), QueueFiguresSchema, {
                  description: 'queue id → figures',
                }),
              }),
            ),
            totals: Type.Record(Type.String(), QueueFiguresSchema, {
              description: 'queue id → figures over the whole window',
            }),
          }),
        }),
      },
    },
    async (request) =>
      queueActivity(
        ctx.storage.db,
        actorOf(request).tenantId,
        windowOf(now(), request.query.hours, request.query.bucketMinutes),
      ),
  );
}
