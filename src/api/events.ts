import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { Timestamp, Uuid, withProblems } from './schemas.js';

/**
 * The tenant's append-only event log and audit log, read-only. Paged by sequence number, so a
 * consumer that stores the last `seq` it saw can resume exactly.
 */
const SeqCursor = Type.Optional(
  Type.String({ pattern: '^[0-9]{1,19}$', description: 'the last seq already seen' }),
);
const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 }));

const EventSchema = Type.Object({
  seq: Type.String(),
  id: Uuid,
  type: Type.String(),
  aggregateType: Type.String(),
  aggregateId: Type.String(),
  payload: Type.Unknown(),
  actor: Type.String(),
  occurredAt: Timestamp,
});

const AuditSchema = Type.Object({
  seq: Type.String(),
  id: Uuid,
  actorId: Type.Union([Uuid, Type.Null()]),
  action: Type.String(),
  targetType: Type.String(),
  targetId: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Record(Type.String(), Type.Unknown()),
  ip: Type.Union([Type.String(), Type.Null()]),
  at: Timestamp,
});

function pageOfSeq<T extends { seq: string }>(rows: T[], limit: number) {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items, nextCursor: more ? (items.at(-1)?.seq ?? null) : null };
}

export async function eventRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const db = ctx.storage.db;

  app.get(
    '/api/v1/events',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['events'],
        summary: "The tenant's event log, oldest first",
        querystring: Type.Object(
          {
            after: SeqCursor,
            limit: Limit,
            type: Type.Optional(
              Type.String({ maxLength: 100, description: 'exact type, or a prefix ending in ".*"' }),
            ),
            aggregateId: Type.Optional(Type.String({ maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: withProblems({
          200: Type.Object({
            items: Type.Array(EventSchema),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        }),
      },
    },
    async (request) => {
      const { after, type, aggregateId } = request.query;
      const limit = request.query.limit ?? 100;
      let q = db.selectFrom('events').selectAll().where('tenant_id', '=', actorOf(request).tenantId);
      if (after) q = q.where('seq', '>', after);
      if (type?.endsWith('.*'))
        q = q.where('type', 'like', `${type.slice(0, -1).replace(/[%_\\]/g, '\\$&')}%`);
      else if (type) q = q.where('type', '=', type);
      if (aggregateId) q = q.where('aggregate_id', '=', aggregateId);
      const rows = await q
        .orderBy('seq')
        .limit(limit + 1)
        .execute();
      return pageOfSeq(
        rows.map((r) => ({
          seq: String(r.seq),
          id: r.id,
          type: r.type,
          aggregateType: r.aggregate_type,
          aggregateId: r.aggregate_id,
          payload: r.payload,
          actor: r.actor,
          occurredAt: new Date(r.occurred_at).toISOString(),
        })),
        limit,
      );
    },
  );

  app.get(
    '/api/v1/audit',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['events'],
        summary: "The tenant's audit log (who changed what, who signed in), oldest first",
        querystring: Type.Object(
          { after: SeqCursor, limit: Limit, action: Type.Optional(Type.String({ maxLength: 100 })) },
          { additionalProperties: false },
        ),
        response: withProblems({
          200: Type.Object({
            items: Type.Array(AuditSchema),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        }),
      },
    },
    async (request) => {
      const { after, action } = request.query;
      const limit = request.query.limit ?? 100;
      let q = db.selectFrom('audit_log').selectAll().where('tenant_id', '=', actorOf(request).tenantId);
      if (after) q = q.where('seq', '>', after);
      if (action) q = q.where('action', '=', action);
      const rows = await q
        .orderBy('seq')
        .limit(limit + 1)
        .execute();
      return pageOfSeq(
        rows.map((r) => ({
          seq: String(r.seq),
          id: r.id,
          actorId: r.actor_id,
          action: r.action,
          targetType: r.target_type,
          targetId: r.target_id,
          detail: r.detail,
          ip: r.ip,
          at: new Date(r.at).toISOString(),
        })),
        limit,
      );
    },
  );
}
