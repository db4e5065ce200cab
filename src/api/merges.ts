import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  acceptSuggestion,
  getCustomer,
  listSuggestions,
  mergeCustomers,
  mergesOf,
  rejectSuggestion,
  unmergeCustomers,
} from '../identity/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { CustomerSchema } from './customers.js';
import { piiViewFor } from './pii.js';
import { Body, IdParams, PageOf, PageQuery, Timestamp, Uuid, withProblems } from './schemas.js';

const MergeSchema = Type.Object({
  id: Uuid,
  survivorId: Uuid,
  mergedId: Uuid,
  confidence: Type.Number(),
  evidence: Type.Object(
    {
      source: Type.String(),
      identifiers: Type.Optional(Type.Array(Type.Object({ kind: Type.String(), value: Type.String() }))),
      fields: Type.Optional(
        Type.Array(Type.Object({ field: Type.String(), level: Type.String(), weight: Type.Number() })),
      ),
      total: Type.Optional(Type.Number()),
      note: Type.Optional(Type.String()),
    },
    { additionalProperties: true },
  ),
  moved: Type.Object({
    identities: Type.Array(Uuid),
    conversations: Type.Array(Uuid),
    survivorDisplayName: Type.Optional(Type.String()),
  }),
  status: Type.Union([Type.Literal('active'), Type.Literal('undone')]),
  createdBy: Type.String(),
  createdAt: Timestamp,
  undoneAt: Type.Union([Timestamp, Type.Null()]),
});

const SuggestionSchema = Type.Object({
  id: Uuid,
  customerIds: Type.Tuple([Uuid, Uuid]),
  confidence: Type.Number(),
  evidence: MergeSchema.properties.evidence,
  status: Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('rejected')]),
  createdAt: Timestamp,
  decidedBy: Type.Union([Type.String(), Type.Null()]),
});

export async function mergeRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { db: ctx.storage.db, outbox: ctx.outbox };
  const tags = ['customers'];

  app.get(
    '/api/v1/customers/:id/identity',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Who this customer is and why: identities, and every merge with its evidence',
        description:
          'Identity values, and the identifiers merge evidence names, are masked for agents unless the tenant set maskPiiForAgents to false.',
        params: IdParams,
        response: withProblems({
          200: Type.Object({ customer: CustomerSchema, merges: Type.Array(MergeSchema) }),
        }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const [customer, merges, view] = await Promise.all([
        getCustomer(deps, actor, request.params.id),
        mergesOf(deps, actor, request.params.id),
        piiViewFor(ctx.storage.db, actor),
      ]);
      return { customer: view.customer(customer), merges: merges.map((m) => view.evidence(m)) };
    },
  );

  app.post(
    '/api/v1/customers/:id/merge',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary:
          'Merge another customer into this one (identities and conversations move here; can be undone)',
        params: IdParams,
        body: Body({ otherId: Uuid, note: Type.Optional(Type.String({ maxLength: 500 })) }),
        response: withProblems({ 201: MergeSchema }),
      },
    },
    async (request, reply) => {
      const merge = await mergeCustomers(deps, actorOf(request), {
        survivorId: request.params.id,
        mergedId: request.body.otherId,
        confidence: 1,
        evidence: { source: 'manual', ...(request.body.note && { note: request.body.note }) },
      });
      return reply.status(201).send(merge);
    },
  );

  app.post(
    '/api/v1/customer-merges/:id/undo',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'Undo a merge: both customers get back their own identities and conversations',
        params: IdParams,
        body: Body({ reason: Type.Optional(Type.String({ maxLength: 500 })) }),
        response: withProblems({ 200: MergeSchema }),
      },
    },
    async (request) => unmergeCustomers(deps, actorOf(request), request.params.id),
  );

  app.get(
    '/api/v1/merge-suggestions',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'The review queue: customers that may be one person, waiting for a decision',
        querystring: Type.Object(
          {
            ...PageQuery,
            status: Type.Optional(
              Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('rejected')]),
            ),
          },
          { additionalProperties: false },
        ),
        response: withProblems({ 200: PageOf(SuggestionSchema) }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const [page, view] = await Promise.all([
        listSuggestions(deps, actor, request.query),
        piiViewFor(ctx.storage.db, actor),
      ]);
      return { ...page, items: page.items.map((s) => view.evidence(s)) };
    },
  );

  app.post(
    '/api/v1/merge-suggestions/:id/accept',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'Accept a suggestion: the two customers are merged with its evidence',
        params: IdParams,
        body: Body({}),
        response: withProblems({ 200: MergeSchema }),
      },
    },
    async (request) => acceptSuggestion(deps, actorOf(request), request.params.id),
  );

  app.post(
    '/api/v1/merge-suggestions/:id/reject',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'Reject a suggestion: the two stay apart',
        params: IdParams,
        body: Body({}),
        response: withProblems({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await rejectSuggestion(deps, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
