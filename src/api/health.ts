import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from './context.js';
import { problem, sendProblem } from './errors.js';

const Check = Type.Object({ status: Type.String(), database: Type.String(), bus: Type.String() });

async function probe(fn: () => Promise<void>, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return 'ok';
  } catch (err) {
    return `down: ${(err as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

export async function healthRoutes(
  app: FastifyInstance,
  { ctx, isDraining }: { ctx: ApiContext; isDraining: () => boolean },
) {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process answers',
        response: { 200: Type.Object({ status: Type.String() }) },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: the database and the event bus answer',
        response: { 200: Check },
      },
    },
    async (_request, reply) => {
      const [database, bus] = await Promise.all([
        probe(() => ctx.storage.ping(), 2000),
        probe(() => ctx.bus.ping(), 2000),
      ]);
      const ready = database === 'ok' && bus === 'ok' && !isDraining();
      if (!ready) {
        const why = isDraining() ? 'shutting down' : `database ${database}; bus ${bus}`;
        return sendProblem(reply, { ...problem(503, 'NOT_READY', `not ready: ${why}`), database, bus });
      }
      return { status: 'ok', database, bus };
    },
  );

  app.get(
    '/metrics',
    { schema: { tags: ['operations'], summary: 'Prometheus metrics', hide: true } },
    async (_request, reply) => {
      reply.type(ctx.metrics.registry.contentType);
      return ctx.metrics.registry.metrics();
    },
  );
}
