import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  createFlow,
  deleteNumber,
  FlowDefinitionSchema,
  getFlow,
  IvrFlowInvalid,
  listFlows,
  listNumbers,
  PromptSchema,
  setNumber,
  shapeErrors,
  simulateFlow,
  updateFlow,
} from '../voice/ivr/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { Body, IdParams, Timestamp, Uuid, withProblems } from './schemas.js';

/**
 * IVR administration: flows (versioned; every save checked and audited), the simulator the flow
 * editor runs, and the numbers that reach them. Prompts and recordings: ivr-audio.ts.
 */
const Problem = Type.Object({
  path: Type.String(),
  nodeId: Type.Optional(Type.String()),
  message: Type.String(),
});

const FlowSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  version: Type.Integer(),
  active: Type.Boolean(),
  definition: FlowDefinitionSchema,
  warnings: Type.Array(Problem),
  numbers: Type.Array(Type.String()),
  updatedAt: Timestamp,
  updatedBy: Type.String(),
});

const FlowSummary = Type.Object({
  id: Uuid,
  name: Type.String(),
  version: Type.Integer(),
  active: Type.Boolean(),
  nodes: Type.Integer(),
  numbers: Type.Array(Type.String()),
  updatedAt: Timestamp,
  updatedBy: Type.String(),
});

const PathStep = Type.Object({
  nodeId: Type.String(),
  type: Type.String(),
  at: Type.Number(),
  ms: Type.Number(),
  digits: Type.Optional(Type.Array(Type.String())),
  result: Type.Optional(Type.String()),
  next: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
});

const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);

const Outcome = Type.Object(
  {
    type: Type.Union(['enqueue', 'transfer', 'hangup', 'abandoned', 'failed'].map((t) => Type.Literal(t))),
    nodeId: Type.String(),
    queueId: Type.Optional(Uuid),
    priority: Type.Optional(Type.Integer()),
    to: Type.Optional(Type.String()),
    cause: Type.Optional(Type.String()),
    error: Type.Optional(Type.String()),
    attributes: Type.Optional(Type.Record(Type.String(), Scalar)),
  },
  {
    description:
      'enqueue (queueId, priority, attributes), transfer (to), hangup (cause), abandoned, failed (error)',
  },
);

const Name = Type.String({ minLength: 1, maxLength: 200 });

const NumberParams = Type.Object(
  { number: Type.String({ pattern: '^\\+[0-9]{7,15}$', description: 'E.164, e.g. +864001234567' }) },
  { additionalProperties: false },
);

/** Shape errors of a flow named by node, before ajv's generic "must match a schema in anyOf". */
async function checkDefinition(request: FastifyRequest): Promise<void> {
  const body = request.body as { definition?: unknown } | undefined;
  if (!body || typeof body !== 'object' || body.definition === undefined) return;
  const problems = shapeErrors(body.definition);
  if (problems.length) throw new IvrFlowInvalid(problems);
}

export async function ivrRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { db: ctx.storage.db, outbox: ctx.outbox };
  const db = ctx.storage.db;
  const tags = ['ivr'];

  app.get(
    '/api/v1/ivr/flows',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: "The tenant's IVR flows (newest version of each), by name",
        response: withProblems({ 200: Type.Object({ items: Type.Array(FlowSummary) }) }),
      },
    },
    async (request) => listFlows(db, actorOf(request)),
  );

  app.post(
    '/api/v1/ivr/flows',
    {
      config: { access: 'admin' },
      preValidation: checkDefinition,
      schema: {
        tags,
        summary: 'Add an IVR flow',
        description:
          'The flow is checked before it is stored: each node against its type (400 IVR_FLOW_INVALID with `errors[].path` such as `nodes.menu.maxDigits`), every next naming a node, menu branches that can be typed, CEL conditions, no loop that never waits for the caller, and the queues, business hours and recordings named being the tenant’s. Unreachable nodes and loops a silent caller would go round come back as `warnings`.',
        body: Body({ name: Name, definition: FlowDefinitionSchema, active: Type.Optional(Type.Boolean()) }),
        response: withProblems({ 201: FlowSchema }),
      },
    },
    async (request, reply) => {
      const flow = await createFlow(deps, actorOf(request), request.body);
      return reply.status(201).header('location', `/api/v1/ivr/flows/${flow.id}`).send(flow);
    },
  );

  app.get(
    '/api/v1/ivr/flows/:id',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'One IVR flow: its newest version, or the version asked for',
        params: IdParams,
        querystring: Type.Object(
          { version: Type.Optional(Type.Integer({ minimum: 1 })) },
          { additionalProperties: false },
        ),
        response: withProblems({ 200: FlowSchema }),
      },
    },
    async (request) => getFlow(db, actorOf(request), request.params.id, request.query.version),
  );

  app.put(
    '/api/v1/ivr/flows/:id',
    {
      config: { access: 'admin' },
      preValidation: checkDefinition,
      schema: {
        tags,
        summary: 'Save a new version of an IVR flow',
        description:
          'Checked as on create. With `baseVersion` (the version the editor opened), a save on top of a newer version is refused (409) instead of overwriting it.',
        params: IdParams,
        body: Body({
          name: Name,
          definition: FlowDefinitionSchema,
          active: Type.Optional(Type.Boolean()),
          baseVersion: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
        response: withProblems({ 200: FlowSchema }),
      },
    },
    async (request) => updateFlow(deps, actorOf(request), request.params.id, request.body),
  );

  app.post(
    '/api/v1/ivr/flows/:id/simulate',
    {
      config: { access: 'admin' },
      preValidation: checkDefinition,
      schema: {
        tags,
        summary: 'Run the flow on a scripted call: the path it takes and how it ends',
        description:
          'No call is made and nothing is stored. `digits` is what the caller types at each menu or collect node in turn ("" = silence until the timeout, "hangup" = the caller hangs up there). The caller is one of the tenant’s customers (`customerId`) or a made-up `tier` and `attributes`; `at` sets the time for business hours. `definition` tries a draft instead of the saved flow.',
        params: IdParams,
        body: Body({
          digits: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 100 }),
          caller: Type.Optional(
            Body({
              number: Type.Optional(Type.String({ maxLength: 32 })),
              customerId: Type.Optional(Uuid),
              tier: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
              known: Type.Optional(Type.Boolean()),
              attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
            }),
          ),
          at: Type.Optional(Timestamp),
          version: Type.Optional(Type.Integer({ minimum: 1 })),
          definition: Type.Optional(FlowDefinitionSchema),
        }),
        response: withProblems({
          200: Type.Object({
            flowId: Uuid,
            version: Type.Union([Type.Integer(), Type.Null()]),
            outcome: Outcome,
            path: Type.Array(PathStep),
            attributes: Type.Record(Type.String(), Scalar),
            prompts: Type.Array(PromptSchema),
            durationMs: Type.Number({
              description: 'time the call would spend in the IVR (prompt lengths estimated)',
            }),
            unusedDigits: Type.Integer(),
            warnings: Type.Array(Problem),
          }),
        }),
      },
    },
    async (request) => simulateFlow(db, actorOf(request), request.params.id, request.body, Date.now()),
  );

  app.get(
    '/api/v1/ivr/numbers',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'Dialled numbers and the flow each answers with',
        response: withProblems({
          200: Type.Object({
            items: Type.Array(Type.Object({ number: Type.String(), flowId: Uuid, updatedAt: Timestamp })),
          }),
        }),
      },
    },
    async (request) => listNumbers(db, actorOf(request)),
  );

  app.put(
    '/api/v1/ivr/numbers/:number',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Answer a number with a flow',
        description:
          'Adds the number or points it at another flow. A number another account uses is refused (409).',
        params: NumberParams,
        body: Body({ flowId: Uuid }),
        response: withProblems({
          200: Type.Object({ number: Type.String(), flowId: Uuid, updatedAt: Timestamp }),
        }),
      },
    },
    async (request) => setNumber(deps, actorOf(request), request.params.number, request.body.flowId),
  );

  app.delete(
    '/api/v1/ivr/numbers/:number',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Stop answering a number',
        params: NumberParams,
        response: withProblems({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await deleteNumber(deps, actorOf(request), request.params.number);
      return reply.status(204).send(null);
    },
  );

  // Own scope: this parser reads audio bodies as bytes, which must not reach the JSON routes.
}
