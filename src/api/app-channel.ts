import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type AppConfig, checkUserToken, issueUserToken } from '../channels/app/index.js';
import type { RawRequest } from '../channels/index.js';
import { Forbidden, InvalidInput, isId, NotFound, Unauthenticated } from '../core/index.js';
import type { Row } from '../storage/index.js';
import type { ApiContext } from './context.js';
import { ProblemSchema } from './schemas.js';
import { customerHistory } from './visitor-history.js';
import { HistoryPageSchema, HistoryQuery } from './webchat.js';
import { keepAlive, realtimeSocket } from './webchat-socket.js';

/**
 * The mobile app channel's own routes (docs/app-channel.md). Inbound messages are not here: the
 * app's backend posts them to the ordinary webhook, /webhooks/app/<channelId>.
 *   POST /app/<id>/tokens   signed by the backend like a webhook; {userId, deviceId?} → user token
 *   GET  /app/<id>/ws?token=…   the user's socket: replies arrive as {"type":"message",…}
 *   GET  /app/<id>/history?token=…   the user's messages, oldest first
 */
interface AppChannel {
  row: Row<'channels'>;
  config: AppConfig;
  adapter: Awaited<ReturnType<ApiContext['gateway']['load']>>['adapter'];
}

const USER_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

function rawOf(request: FastifyRequest): RawRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(request.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return {
    method: request.method,
    url: request.url,
    publicUrl: request.url,
    headers,
    query: {},
    rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
  };
}

export async function appChannelRoutes(
  fastify: FastifyInstance,
  { ctx }: { ctx: ApiContext },
): Promise<void> {
  const channels = new WeakMap<FastifyRequest, AppChannel>();
  const channelOf = (request: FastifyRequest) => channels.get(request) as AppChannel;
  const userOf = (request: FastifyRequest) => {
    const { row, config } = channelOf(request);
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ')
      ? header.slice(7)
      : (request.query as { token?: string }).token;
    const check = checkUserToken(config, row.id, token, Date.now());
    if (!check.ok) throw new Unauthenticated(`app user token: ${check.reason}`);
    return { row, userId: check.claims.sub };
  };

  await fastify.register(async (app) => {
    app.addHook('onRequest', async (request) => {
      const { channelId } = (request.params ?? {}) as { channelId?: string };
      if (!channelId || !isId(channelId)) throw new NotFound('app channel', String(channelId));
      const { row, config, adapter } = await ctx.gateway.load(channelId, 'app');
      channels.set(request, { row, config: config as AppConfig, adapter });
    });

    await app.register(async (signed) => {
      // The signature covers the exact bytes, so this route reads the body raw.
      signed.removeAllContentTypeParsers();
      signed.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
      signed.post(
        '/app/:channelId/tokens',
        { config: { rateLimit: { max: 600, timeWindow: '1 minute' } }, schema: { hide: true } },
        async (request, reply) => {
          const { row, config, adapter } = channelOf(request);
          const verdict = adapter.verify(rawOf(request), config);
          if (!verdict.ok) throw new Forbidden(`app backend request refused: ${verdict.reason}`);
          let body: { userId?: unknown; deviceId?: unknown };
          try {
            body = JSON.parse((request.body as Buffer).toString('utf8'));
          } catch {
            throw new InvalidInput('the body must be JSON: {"userId":…}', 'body');
          }
          if (typeof body.userId !== 'string' || !USER_ID.test(body.userId)) {
            throw new InvalidInput('userId must be 1-128 of A-Z a-z 0-9 . _ : @ -', 'userId');
          }
          if (
            body.deviceId !== undefined &&
            (typeof body.deviceId !== 'string' || !USER_ID.test(body.deviceId))
          ) {
            throw new InvalidInput('deviceId must be 1-128 of A-Z a-z 0-9 . _ : @ -', 'deviceId');
          }
          const user = { userId: body.userId, deviceId: body.deviceId as string | undefined };
          const issued = issueUserToken(config, row.id, user, Date.now());
          return reply.status(201).send({ userId: user.userId, ...issued });
        },
      );
    });

    app.get(
      '/app/:channelId/history',
      {
        schema: {
          tags: ['app'],
          summary: "An app user's messages on this channel, oldest first",
          description: 'Authenticate with the user token (Authorization: Bearer, or ?token=).',
          params: Type.Object({ channelId: Type.String({ format: 'uuid' }) }),
          querystring: Type.Object(HistoryQuery),
          response: { 200: HistoryPageSchema, 401: Type.Ref(ProblemSchema), 404: Type.Ref(ProblemSchema) },
        },
      },
      async (request) => {
        const { row, userId } = userOf(request);
        const q = request.query as { before?: string; after?: string; limit: number };
        return customerHistory(ctx.storage.db, row.tenant_id, row.id, { kind: 'app_user', value: userId }, q);
      },
    );

    const users = new WeakMap<FastifyRequest, { row: Row<'channels'>; userId: string }>();
    app.get(
      '/app/:channelId/ws',
      {
        websocket: true,
        schema: { hide: true },
        preValidation: async (request) => void users.set(request, userOf(request)),
      },
      (socket, request) => {
        const { row, userId } = users.get(request) as { row: Row<'channels'>; userId: string };
        const detach = ctx.realtime.attach(row.id, userId, realtimeSocket(socket));
        socket.once('close', detach);
        keepAlive(socket);
        const send = (frame: Record<string, unknown>) => {
          if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
        };
        socket.on('message', (data) => {
          let frame: { type?: unknown };
          try {
            frame = JSON.parse(String(data));
          } catch {
            return send({ type: 'error', code: 'MALFORMED_JSON', detail: 'frames are JSON objects' });
          }
          if (frame?.type === 'ping') return send({ type: 'pong' });
          send({
            type: 'error',
            code: 'UNKNOWN_FRAME',
            detail: `this socket only delivers; send messages through your backend to /webhooks/app/${row.id}`,
          });
        });
        send({ type: 'ready', userId });
      },
    );
  });
}
