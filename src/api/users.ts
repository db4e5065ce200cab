import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { createUser, getUser, listUsers, setPassword, updateUser } from '../accounts/index.js';
import { ROLES } from '../core/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { Body, IdParams, PageOf, PageQuery, Timestamp, Uuid, withProblems } from './schemas.js';

const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
const Languages = Type.Array(Type.String({ minLength: 2, maxLength: 16 }), {
  maxItems: 20,
  uniqueItems: true,
});

const UserSchema = Type.Object({
  id: Uuid,
  tenantId: Uuid,
  email: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  languages: Type.Array(Type.String()),
  maxChats: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export async function userRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { db: ctx.storage.db, outbox: ctx.outbox };
  const tags = ['users'];

  app.get(
    '/api/v1/users',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: "List the tenant's users",
        querystring: Type.Object(
          { ...PageQuery, role: Type.Optional(RoleSchema) },
          { additionalProperties: false },
        ),
        response: withProblems({ 200: PageOf(UserSchema) }),
      },
    },
    async (request) => listUsers(deps, actorOf(request), request.query),
  );

  app.post(
    '/api/v1/users',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Create a user (agent, supervisor, admin or owner)',
        description:
          'Only an owner may create admins and owners; an admin may create supervisors and agents.',
        body: Body({
          email: Type.String({ minLength: 3, maxLength: 320, pattern: '^[^@\\s]+@[^@\\s]+$' }),
          password: Type.String({ minLength: 8, maxLength: 1024 }),
          displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          role: RoleSchema,
          languages: Type.Optional(Languages),
          maxChats: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 })),
        }),
        response: withProblems({ 201: UserSchema }),
      },
    },
    async (request, reply) => {
      const user = await createUser(deps, actorOf(request), request.body);
      return reply.status(201).header('location', `/api/v1/users/${user.id}`).send(user);
    },
  );

  app.get(
    '/api/v1/users/:id',
    {
      config: { access: 'supervisor' },
      schema: { tags, summary: 'One user', params: IdParams, response: withProblems({ 200: UserSchema }) },
    },
    async (request) => getUser(deps, actorOf(request), request.params.id),
  );

  app.patch(
    '/api/v1/users/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: "Change a user's name, role, status, languages or chat capacity",
        params: IdParams,
        body: Body({
          displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          role: Type.Optional(RoleSchema),
          status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
          languages: Type.Optional(Languages),
          maxChats: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 })),
        }),
        response: withProblems({ 200: UserSchema }),
      },
    },
    async (request) => updateUser(deps, actorOf(request), request.params.id, request.body),
  );

  app.put(
    '/api/v1/users/:id/password',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: "Set a user's password (your own, or as an admin for users below you)",
        params: IdParams,
        body: Body({ password: Type.String({ minLength: 8, maxLength: 1024 }) }),
        response: withProblems({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await setPassword(deps, actorOf(request), request.params.id, request.body.password);
      return reply.status(204).send(null);
    },
  );
}
