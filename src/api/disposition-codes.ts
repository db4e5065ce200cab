import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  createDispositionCode,
  deleteDispositionCode,
  listDispositionCodes,
  updateDispositionCode,
} from '../workspace/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { Body, IdParams, Timestamp, Uuid, withProblems } from './schemas.js';

const Label = Type.String({ minLength: 1, maxLength: 200 });

const CodeSchema = Type.Object({
  id: Uuid,
  code: Type.String(),
  labels: Type.Object({ en: Type.String(), 'zh-CN': Type.String() }),
  active: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export async function dispositionCodeRoutes(
  fastify: FastifyInstance,
  { ctx }: { ctx: ApiContext },
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { db: ctx.storage.db, outbox: ctx.outbox };
  const tags = ['disposition codes'];

  app.get(
    '/api/v1/disposition-codes',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: "The tenant's disposition codes, by code",
        description: 'Agents pick an active one at wrap-up (POST /api/v1/conversations/:id/wrap-up).',
        querystring: Type.Object({ active: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: withProblems({ 200: Type.Object({ items: Type.Array(CodeSchema) }) }),
      },
    },
    async (request) => listDispositionCodes(deps, actorOf(request), request.query),
  );

  app.post(
    '/api/v1/disposition-codes',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Add a disposition code',
        description: 'Codes are unique in the tenant (409) and cannot be renamed later.',
        body: Body({
          code: Type.String({
            pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$',
            description: 'e.g. refund_done',
          }),
          labels: Body({ en: Label, 'zh-CN': Label }),
          active: Type.Optional(Type.Boolean({ default: true })),
        }),
        response: withProblems({ 201: CodeSchema }),
      },
    },
    async (request, reply) => {
      const code = await createDispositionCode(deps, actorOf(request), request.body);
      return reply.status(201).header('location', `/api/v1/disposition-codes/${code.id}`).send(code);
    },
  );

  app.patch(
    '/api/v1/disposition-codes/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: "Change a code's labels, or switch it off (`active: false`)",
        params: IdParams,
        body: Body({
          labels: Type.Optional(Body({ en: Type.Optional(Label), 'zh-CN': Type.Optional(Label) })),
          active: Type.Optional(Type.Boolean()),
        }),
        response: withProblems({ 200: CodeSchema }),
      },
    },
    async (request) => updateDispositionCode(deps, actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/disposition-codes/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Delete a disposition code',
        description: 'Conversations wrapped up with it keep the code.',
        params: IdParams,
        response: withProblems({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await deleteDispositionCode(deps, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
