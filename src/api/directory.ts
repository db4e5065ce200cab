// The colleagues an agent may hand work to (a call transfer, a conversation transfer): the tenant's
// agents and supervisors who are not disabled, with their routing state. Names only, no e-mail or
// other personal data, since every agent may read it (the user list is for supervisors).
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AgentStats } from '../routing/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { Uuid, withProblems } from './schemas.js';

const StateSchema = Type.Union(
  ['available', 'busy', 'wrap_up', 'break', 'offline'].map((s) => Type.Literal(s)),
);

const DirectoryAgent = Type.Object({
  id: Uuid,
  displayName: Type.String(),
  state: StateSchema,
  available: Type.Boolean({
    description: 'available, with a voice slot free (a transferred call can be offered to them now)',
  }),
});

/** Available with a free voice slot; an agent without a voice capacity is taken as free. */
function freeForACall(stats: AgentStats | undefined): boolean {
  if (stats?.state !== 'available') return false;
  const cap = stats.capacity.voice;
  return cap === undefined || (stats.load.voice ?? 0) < cap;
}

export async function directoryRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/v1/directory/agents',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['users'],
        summary:
          'The agents and supervisors of the tenant with their routing state (to pick a transfer target)',
        description:
          'Any signed-in agent may read it: display names and states only. Disabled users are left out.',
        response: withProblems({ 200: Type.Object({ items: Type.Array(DirectoryAgent) }) }),
      },
    },
    async (request) => {
      const { tenantId } = actorOf(request);
      const users = await ctx.storage.db
        .selectFrom('users')
        .select(['id', 'display_name'])
        .where('tenant_id', '=', tenantId)
        .where('role', 'in', ['agent', 'supervisor'])
        .where('status', '=', 'active')
        .orderBy('display_name')
        .orderBy('id')
        .execute();
      const stats = await ctx.routing.run(tenantId, (engine) => engine.allAgentStats());
      const byId = new Map(stats.map((s) => [s.agentId, s]));
      return {
        items: users.map((u) => {
          const s = byId.get(u.id);
          return {
            id: u.id,
            displayName: u.display_name,
            state: s?.state ?? 'offline',
            available: freeForACall(s),
          };
        }),
      };
    },
  );
}
