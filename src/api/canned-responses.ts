import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  createCanned,
  deleteCanned,
  listCanned,
  renderCanned,
  TEMPLATE_VARIABLES,
  updateCanned,
} from '../workspace/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { Body, IdParams, Timestamp, Uuid, withProblems } from './schemas.js';

const Language = Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]);

const CannedSchema = Type.Object({
  id: Uuid,
  title: Type.String(),
  shortcut: Type.String(),
  body: Type.String(),
  language: Type.Union([Language, Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const Fields = {
  title: Type.String({ minLength: 1, maxLength: 200 }),
  shortcut: Type.String({
    pattern: '^/?[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$',
    description: 'what agents type after "/", e.g. refund; unique in the tenant, kept lower-case',
  }),
  body: Type.String({
    minLength: 1,
    maxLength: 10_000,
    description: `may use ${TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(', ')}`,
  }),
  language: Type.Union([Language, Type.Null()], { description: 'null: for any language' }),
};

export async function cannedResponseRoutes(
  fastify: FastifyInstance,
  { ctx }: { ctx: ApiContext },
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { db: ctx.storage.db, outbox: ctx.outbox };
  const tags = ['canned responses'];

  app.get(
    '/api/v1/canned-responses',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Find canned responses, by shortcut',
        description:
          '`q` matches title, shortcut and body (case-insensitive); `language` keeps that language’s responses and those for any language.',
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ maxLength: 200 })),
            language: Type.Optional(Language),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
          },
          { additionalProperties: false },
        ),
        response: withProblems({ 200: Type.Object({ items: Type.Array(CannedSchema) }) }),
      },
    },
    async (request) => listCanned(deps, actorOf(request), request.query),
  );

  app.post(
    '/api/v1/canned-responses',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'Add a canned response',
        description: 'A shortcut already taken is a 409.',
        body: Body({
          title: Fields.title,
          shortcut: Fields.shortcut,
          body: Fields.body,
          language: Type.Optional(Fields.language),
        }),
        response: withProblems({ 201: CannedSchema }),
      },
    },
    async (request, reply) => {
      const canned = await createCanned(deps, actorOf(request), request.body);
      return reply.status(201).header('location', `/api/v1/canned-responses/${canned.id}`).send(canned);
    },
  );

  app.patch(
    '/api/v1/canned-responses/:id',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'Change a canned response',
        params: IdParams,
        body: Body({
          title: Type.Optional(Fields.title),
          shortcut: Type.Optional(Fields.shortcut),
          body: Type.Optional(Fields.body),
          language: Type.Optional(Fields.language),
        }),
        response: withProblems({ 200: CannedSchema }),
      },
    },
    async (request) => updateCanned(deps, actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/canned-responses/:id',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'Delete a canned response',
        params: IdParams,
        response: withProblems({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await deleteCanned(deps, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/canned-responses/:id/render',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: "Fill a canned response's variables for a conversation",
        description: `Fills ${TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(', ')} (the agent is the caller). Other variables stay as written and are listed in \`unknown\`; known ones without a value (a customer with no name) become empty and are listed in \`missing\`.`,
        params: IdParams,
        body: Body({ conversationId: Uuid }),
        response: withProblems({
          200: Type.Object({
            text: Type.String(),
            unknown: Type.Array(Type.String()),
            missing: Type.Array(Type.String()),
          }),
        }),
      },
    },
    async (request) => renderCanned(deps, actorOf(request), request.params.id, request.body.conversationId),
  );
}
