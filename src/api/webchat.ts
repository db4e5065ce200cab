import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { loadWidgetBundle, type WidgetBundle } from '../../web/widget/build.js';
import { getChannel, updateChannel } from '../channels/index.js';
import { openSession } from '../channels/webchat/index.js';
import { systemActor } from '../core/index.js';
import type { ApiContext } from './context.js';
import { ProblemSchema } from './schemas.js';
import { customerHistory } from './visitor-history.js';
import { webchatFileRoutes } from './webchat-files.js';
import { channelOf, installChannelScope, visitorOf } from './webchat-scope.js';
import { webchatSocketRoute } from './webchat-socket.js';

/**
 * The web chat widget's server side (protocol: docs/webchat.md): the script itself, visitor
 * sessions, history, the socket and file uploads. Visitors authenticate with their token, never
 * with a user session; CORS and the channel lookup are in webchat-scope.ts.
 */
const ChannelParams = Type.Object({ channelId: Type.String({ format: 'uuid' }) });
const problems = {
  400: Type.Ref(ProblemSchema),
  401: Type.Ref(ProblemSchema),
  403: Type.Ref(ProblemSchema),
  404: Type.Ref(ProblemSchema),
};
const Session = Type.Object({
  visitorId: Type.String(),
  token: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
});
const HistoryItem = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    direction: Type.Union([Type.Literal('in'), Type.Literal('out')]),
    senderType: Type.String(),
    contentType: Type.String(),
    text: Type.String(),
    media: Type.Optional(Type.Array(Type.Unknown())),
    quickReplies: Type.Optional(Type.Array(Type.Unknown())),
    status: Type.Optional(Type.String()),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: true },
);
export const HistoryPageSchema = Type.Object({ items: Type.Array(HistoryItem), hasMore: Type.Boolean() });
export const HistoryQuery = {
  token: Type.Optional(Type.String()),
  before: Type.Optional(Type.String({ format: 'uuid' })),
  after: Type.Optional(Type.String({ format: 'uuid' })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
};

/**
 * A channel created without a token secret gets one on its first session, sealed like any secret,
 * so the widget needs no setup. Two first sessions at the same moment may both write one; the
 * loser's visitor then fails its next request and starts a new session, having sent nothing yet.
 */
async function provisionTokenSecret(ctx: ApiContext, tenantId: string, channelId: string): Promise<string> {
  const deps = { db: ctx.storage.db, outbox: ctx.outbox, cipher: ctx.cipher };
  const actor = systemActor(tenantId);
  const { config } = await getChannel(deps, actor, channelId);
  const tokenSecret = randomBytes(32).toString('base64url');
  await updateChannel(deps, actor, channelId, { config: { ...config, tokenSecret } });
  ctx.logger.info({ channelId }, 'web chat: generated the visitor token secret');
  return tokenSecret;
}

export async function webchatRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  let bundle: Promise<WidgetBundle> | undefined;
  fastify.get('/widget.js', { schema: { hide: true } }, async (request, reply) => {
    bundle ??= loadWidgetBundle((err) =>
      ctx.logger.warn({ err }, 'web chat widget: built in memory, web/widget/dist is not writable'),
    ).catch((err) => {
      bundle = undefined;
      throw err;
    });
    const { code, etag } = await bundle;
    reply
      .header('cache-control', 'public, max-age=300, stale-while-revalidate=86400')
      .header('etag', etag)
      // Embedded by other sites: helmet's same-origin default would make browsers refuse it.
      .header('cross-origin-resource-policy', 'cross-origin')
      .header('access-control-allow-origin', '*');
    if (request.headers['if-none-match'] === etag) return reply.status(304).send();
    return reply.type('application/javascript; charset=utf-8').send(code);
  });

  fastify.register(async (app) => {
    installChannelScope(app, ctx);

    app.post(
      '/webchat/:channelId/session',
      {
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
        schema: {
          tags: ['webchat'],
          summary: 'Start or renew a web chat visitor session',
          description:
            'Without a token: a new visitor. With the token of an earlier session (even expired, up to 90 days): the same visitor, with a fresh token.',
          params: ChannelParams,
          body: Type.Object(
            {
              visitorId: Type.Optional(Type.String({ maxLength: 64 })),
              token: Type.Optional(Type.String({ maxLength: 2048 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Session, ...problems },
        },
      },
      async (request) => {
        const { row, config } = channelOf(request);
        const tokenSecret = config.tokenSecret ?? (await provisionTokenSecret(ctx, row.tenant_id, row.id));
        const previous = request.body as { visitorId?: string; token?: string };
        return openSession({ ...config, tokenSecret }, row.id, previous, Date.now());
      },
    );

    app.get(
      '/webchat/:channelId/history',
      {
        schema: {
          tags: ['webchat'],
          summary: "The visitor's messages on this channel, oldest first",
          description: 'Newest page by default; `before` pages back, `after` catches up after a reconnect.',
          params: ChannelParams,
          querystring: Type.Object(HistoryQuery),
          response: { 200: HistoryPageSchema, ...problems },
        },
      },
      async (request) => {
        const { row, visitorId } = visitorOf(request);
        const q = request.query as { before?: string; after?: string; limit: number };
        return customerHistory(
          ctx.storage.db,
          row.tenant_id,
          row.id,
          { kind: 'device', value: visitorId },
          q,
        );
      },
    );

    await webchatSocketRoute(app, ctx);
    await webchatFileRoutes(app, ctx);
  });
}
