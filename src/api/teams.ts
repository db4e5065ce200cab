import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { createTeam, deleteTeam, getTeam, listTeams, setTeamMembers, updateTeam } from '../accounts/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { Body, IdParams, PageOf, PageQuery, Timestamp, Uuid, withProblems } from './schemas.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });

const TeamFields = { id: Uuid, tenantId: Uuid, name: Type.String(), createdAt: Timestamp };
const TeamSchema = Type.Object(TeamFields);
const TeamDetailSchema = Type.Object({ ...TeamFields, memberIds: Type.Array(Uuid) });

export async function teamRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { db: ctx.storage.db, outbox: ctx.outbox };
  const tags = ['teams'];

  app.get(
    '/api/v1/teams',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: "List the tenant's teams",
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: withProblems({ 200: PageOf(TeamSchema) }),
      },
    },
    async (request) => listTeams(deps, actorOf(request), request.query),
  );

  app.post(
    '/api/v1/teams',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Create a team',
        description: 'Team names are unique within a tenant.',
        body: Body({ name: Name }),
        response: withProblems({ 201: TeamDetailSchema }),
      },
    },
    async (request, reply) => {
      const team = await createTeam(deps, actorOf(request), request.body);
      return reply.status(201).header('location', `/api/v1/teams/${team.id}`).send(team);
    },
  );

  app.get(
    '/api/v1/teams/:id',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'One team with the ids of its members',
        params: IdParams,
        response: withProblems({ 200: TeamDetailSchema }),
      },
    },
    async (request) => getTeam(deps, actorOf(request), request.params.id),
  );

  app.patch(
    '/api/v1/teams/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Rename a team',
        params: IdParams,
        body: Body({ name: Type.Optional(Name) }),
        response: withProblems({ 200: TeamDetailSchema }),
      },
    },
    async (request) => updateTeam(deps, actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/teams/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Delete a team (its members stay users)',
        params: IdParams,
        response: withProblems({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await deleteTeam(deps, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/api/v1/teams/:id/members',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: "Replace a team's members",
        description:
          'Every id must be a user of this tenant; an unknown id is a 404 naming it and nothing changes.',
        params: IdParams,
        body: Body({ userIds: Type.Array(Uuid, { maxItems: 1000, uniqueItems: true }) }),
        response: withProblems({ 200: TeamDetailSchema }),
      },
    },
    async (request) => setTeamMembers(deps, actorOf(request), request.params.id, request.body.userIds),
  );
}
