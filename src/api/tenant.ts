import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { getTenant } from '../accounts/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { Timestamp, Uuid, withProblems } from './schemas.js';

const TenantSchema = Type.Object({
  id: Uuid,
  slug: Type.String(),
  name: Type.String(),
  settings: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Timestamp,
});

export async function tenantRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/tenant',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['tenant'],
        summary: "The signed-in user's tenant",
        response: withProblems({ 200: TenantSchema }),
      },
    },
    async (request) => getTenant({ db: ctx.storage.db }, actorOf(request).tenantId),
  );
}
