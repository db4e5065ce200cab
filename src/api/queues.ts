import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  createQueue,
  deleteQueue,
  getQueue,
  listQueues,
  QUEUE_DEFAULTS,
  STRATEGIES,
  updateQueue,
} from '../routing/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { Body, IdParams, PageOf, PageQuery, Timestamp, Uuid, withProblems } from './schemas.js';

const Proficiency = Type.Integer({ minimum: 1, maximum: 5 });

const QueueSkillSchema = Type.Object({ skillId: Uuid, minProficiency: Proficiency });

const QueueSchema = Type.Object({
  id: Uuid,
  tenantId: Uuid,
  name: Type.String(),
  description: Type.String(),
  priority: Type.Integer(),
  serviceLevelSeconds: Type.Integer(),
  serviceLevelTarget: Type.Number(),
  skills: Type.Array(QueueSkillSchema),
  strategy: Type.String(),
  reservationTimeoutSeconds: Type.Integer(),
  wrapUpSeconds: Type.Integer(),
  businessHoursId: Type.Union([Uuid, Type.Null()]),
  recordCalls: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const Fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ maxLength: 1000 }),
  priority: Type.Integer({
    minimum: -1000,
    maximum: 1000,
    description: `higher is served first (default ${QUEUE_DEFAULTS.priority})`,
  }),
  serviceLevelSeconds: Type.Integer({
    minimum: 1,
    maximum: 86_400,
    description: `answer within this many seconds (default ${QUEUE_DEFAULTS.serviceLevelSeconds})`,
  }),
  serviceLevelTarget: Type.Number({
    exclusiveMinimum: 0,
    maximum: 1,
    description: `fraction of contacts to answer in time (default ${QUEUE_DEFAULTS.serviceLevelTarget})`,
  }),
  skills: Type.Array(
    Type.Object(
      { skillId: Uuid, minProficiency: Type.Optional(Type.Integer({ minimum: 1, maximum: 5, default: 1 })) },
      { additionalProperties: false },
    ),
    { maxItems: 50, description: 'skills an agent needs to take work from this queue' },
  ),
  strategy: Type.Union(
    STRATEGIES.map((s) => Type.Literal(s)),
    {
      description:
        'how the ACD picks among agents who fit: best-match (weighs idle time, load, proficiency, rating and customer value; the default), ring-all, longest-idle, least-recent, fewest-contacts, round-robin, random, linear',
    },
  ),
  reservationTimeoutSeconds: Type.Integer({
    minimum: 1,
    maximum: 600,
    description: 'an offer not accepted in this time goes to the next agent (default 20)',
  }),
  wrapUpSeconds: Type.Integer({
    minimum: 0,
    maximum: 3600,
    description: "after-contact work after each task; the agent's slot stays taken (default 0)",
  }),
  businessHoursId: Type.Union([Uuid, Type.Null()], {
    description: 'the queue’s opening hours (GET /api/v1/business-hours); null for none',
  }),
  recordCalls: Type.Boolean({
    description:
      'record this queue’s calls, encrypted at rest (default true); playback: GET /api/v1/recordings/{id}/audio',
  }),
};

export async function queueRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { db: ctx.storage.db, outbox: ctx.outbox };
  const tags = ['queues'];

  app.get(
    '/api/v1/queues',
    {
      // Agents see the queues so their workspace can show where work comes from.
      config: { access: 'agent' },
      schema: {
        tags,
        summary: "List the tenant's queues",
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: withProblems({ 200: PageOf(QueueSchema) }),
      },
    },
    async (request) => listQueues(deps, actorOf(request), request.query),
  );

  app.post(
    '/api/v1/queues',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Create a queue',
        description: 'Queue names are unique within a tenant; every skill must belong to the tenant.',
        body: Body({
          name: Fields.name,
          description: Type.Optional(Fields.description),
          priority: Type.Optional(Fields.priority),
          serviceLevelSeconds: Type.Optional(Fields.serviceLevelSeconds),
          serviceLevelTarget: Type.Optional(Fields.serviceLevelTarget),
          skills: Type.Optional(Fields.skills),
          strategy: Type.Optional(Fields.strategy),
          reservationTimeoutSeconds: Type.Optional(Fields.reservationTimeoutSeconds),
          wrapUpSeconds: Type.Optional(Fields.wrapUpSeconds),
          businessHoursId: Type.Optional(Fields.businessHoursId),
          recordCalls: Type.Optional(Fields.recordCalls),
        }),
        response: withProblems({ 201: QueueSchema }),
      },
    },
    async (request, reply) => {
      const queue = await createQueue(deps, actorOf(request), request.body);
      return reply.status(201).header('location', `/api/v1/queues/${queue.id}`).send(queue);
    },
  );

  app.get(
    '/api/v1/queues/:id',
    {
      config: { access: 'supervisor' },
      schema: { tags, summary: 'One queue', params: IdParams, response: withProblems({ 200: QueueSchema }) },
    },
    async (request) => getQueue(deps, actorOf(request), request.params.id),
  );

  app.patch(
    '/api/v1/queues/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Change a queue',
        description: 'A `skills` list replaces the whole set of required skills.',
        params: IdParams,
        body: Body({
          name: Type.Optional(Fields.name),
          description: Type.Optional(Fields.description),
          priority: Type.Optional(Fields.priority),
          serviceLevelSeconds: Type.Optional(Fields.serviceLevelSeconds),
          serviceLevelTarget: Type.Optional(Fields.serviceLevelTarget),
          skills: Type.Optional(Fields.skills),
          strategy: Type.Optional(Fields.strategy),
          reservationTimeoutSeconds: Type.Optional(Fields.reservationTimeoutSeconds),
          wrapUpSeconds: Type.Optional(Fields.wrapUpSeconds),
          businessHoursId: Type.Optional(Fields.businessHoursId),
          recordCalls: Type.Optional(Fields.recordCalls),
        }),
        response: withProblems({ 200: QueueSchema }),
      },
    },
    async (request) => updateQueue(deps, actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/queues/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Delete a queue',
        description: 'A queue that conversations refer to cannot be deleted (409).',
        params: IdParams,
        response: withProblems({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await deleteQueue(deps, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
