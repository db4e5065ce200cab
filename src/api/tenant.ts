import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { getTenant, updateTenant, withSettingDefaults } from '../accounts/index.js';
import { ROLES } from '../core/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { Body, Timestamp, Uuid, withProblems } from './schemas.js';

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
    async (request) =>
      withSettingDefaults(await getTenant({ db: ctx.storage.db }, actorOf(request).tenantId)),
  );

  app.patch(
    '/api/v1/tenant',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['tenant'],
        summary: 'Rename the tenant or change a tenant-wide setting (keys left out keep their value)',
        description:
          'settings.maskPiiForAgents (default true): agents see customers’ phone numbers, e-mail addresses ' +
          'and other identifiers masked (+86 138****8000, z***@example.com, oAbc…xyz); supervisors and above ' +
          'always see them in full. settings.recordingPlaybackRoles (default supervisor, admin, owner): the ' +
          'roles that may play call recordings; every playback is audited. Module settings have their own ' +
          'endpoints (routing, identity).',
        body: Body({
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          settings: Type.Optional(
            Body({
              maskPiiForAgents: Type.Optional(Type.Boolean()),
              recordingPlaybackRoles: Type.Optional(
                Type.Array(Type.Union(ROLES.map((r) => Type.Literal(r))), { uniqueItems: true, maxItems: 4 }),
              ),
            }),
          ),
        }),
        response: withProblems({ 200: TenantSchema }),
      },
    },
    async (request) =>
      updateTenant({ db: ctx.storage.db, outbox: ctx.outbox }, actorOf(request), request.body),
  );
}
