import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Forbidden } from '../core/index.js';
import {
  createSkill,
  deleteSkill,
  getAgentSkills,
  getSkill,
  listSkills,
  setAgentSkills,
  updateSkill,
} from '../routing/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { Body, IdParams, PageOf, PageQuery, Timestamp, Uuid, withProblems } from './schemas.js';

const Name = Type.String({ minLength: 1, maxLength: 100 });
const Description = Type.String({ maxLength: 1000 });
const Proficiency = Type.Integer({ minimum: 1, maximum: 5, description: '1 (novice) to 5 (expert)' });

const SkillSchema = Type.Object({
  id: Uuid,
  tenantId: Uuid,
  name: Type.String(),
  description: Type.String(),
  createdAt: Timestamp,
});

const AgentSkillsSchema = Type.Object({
  userId: Uuid,
  skills: Type.Array(Type.Object({ skillId: Uuid, name: Type.String(), proficiency: Proficiency })),
});

export async function skillRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { db: ctx.storage.db, outbox: ctx.outbox };
  const tags = ['skills'];

  app.get(
    '/api/v1/skills',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: "List the tenant's skills",
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: withProblems({ 200: PageOf(SkillSchema) }),
      },
    },
    async (request) => listSkills(deps, actorOf(request), request.query),
  );

  app.post(
    '/api/v1/skills',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Create a skill',
        description: 'Skill names are unique within a tenant.',
        body: Body({ name: Name, description: Type.Optional(Description) }),
        response: withProblems({ 201: SkillSchema }),
      },
    },
    async (request, reply) => {
      const skill = await createSkill(deps, actorOf(request), request.body);
      return reply.status(201).header('location', `/api/v1/skills/${skill.id}`).send(skill);
    },
  );

  app.get(
    '/api/v1/skills/:id',
    {
      config: { access: 'supervisor' },
      schema: { tags, summary: 'One skill', params: IdParams, response: withProblems({ 200: SkillSchema }) },
    },
    async (request) => getSkill(deps, actorOf(request), request.params.id),
  );

  app.patch(
    '/api/v1/skills/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: "Change a skill's name or description",
        params: IdParams,
        body: Body({ name: Type.Optional(Name), description: Type.Optional(Description) }),
        response: withProblems({ 200: SkillSchema }),
      },
    },
    async (request) => updateSkill(deps, actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/skills/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Delete a skill',
        description: 'The skill is also removed from every agent and every queue that listed it.',
        params: IdParams,
        response: withProblems({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await deleteSkill(deps, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/users/:id/skills',
    {
      // Agents pass the route check so they can read their own skills; the handler stops the rest.
      config: { access: 'agent' },
      schema: {
        tags,
        summary: "A user's skills and proficiencies",
        description: 'Supervisors and above may read anyone in the tenant; an agent only themself.',
        params: IdParams,
        response: withProblems({ 200: AgentSkillsSchema }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      if (actor.role === 'agent' && actor.userId !== request.params.id) {
        throw new Forbidden("an agent may read only their own skills; a supervisor may read anyone's");
      }
      return getAgentSkills(deps, actor, request.params.id);
    },
  );

  app.put(
    '/api/v1/users/:id/skills',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: "Replace a user's skills",
        description: 'Unknown users or skills are a 404 naming the id, and nothing changes.',
        params: IdParams,
        body: Body({
          skills: Type.Array(
            Type.Object({ skillId: Uuid, proficiency: Proficiency }, { additionalProperties: false }),
            {
              maxItems: 200,
            },
          ),
        }),
        response: withProblems({ 200: AgentSkillsSchema }),
      },
    },
    async (request) => setAgentSkills(deps, actorOf(request), request.params.id, request.body.skills),
  );
}
