import type { FastifyInstance, FastifyRequest } from 'fastify';
import { checkVisitorToken, TOKEN_HEADER, type WebchatConfig } from '../channels/webchat/index.js';
import { Forbidden, isId, NotFound, Unauthenticated } from '../core/index.js';
import type { Row } from '../storage/index.js';
import type { ApiContext } from './context.js';

/**
 * What every route under /webchat/<channelId>/ shares: the channel, loaded once per request, and
 * CORS. The widget runs on the embedding site's origin; an origin the channel does not list in
 * `allowedOrigins` (when it lists any) is refused, and an allowed one is echoed back.
 */
export interface WebchatChannel {
  row: Row<'channels'>;
  config: WebchatConfig;
}

const channels = new WeakMap<FastifyRequest, WebchatChannel>();

export function channelOf(request: FastifyRequest): WebchatChannel {
  const found = channels.get(request);
  if (!found) throw new Error('web chat route registered outside the channel scope');
  return found;
}

/** A token from the header, or from the query where a browser cannot set headers (WebSocket, GET without preflight). */
export function visitorOf(request: FastifyRequest) {
  const { row, config } = channelOf(request);
  const query = (request.query ?? {}) as { token?: string };
  const header = request.headers[TOKEN_HEADER];
  const token = (typeof header === 'string' && header) || query.token;
  const check = checkVisitorToken(config, row.id, token, Date.now());
  if (!check.ok)
    throw new Unauthenticated(`web chat: ${check.reason}; POST /webchat/${row.id}/session first`);
  return { row, config, token: token as string, visitorId: check.claims.sub };
}

/** Where clients reach this installation: SWITCHBOARD_PUBLIC_URL, else what the request says. */
export function publicBase(ctx: ApiContext, request: FastifyRequest): string {
  // An upgrade request has no TLS socket to look at; behind a proxy, x-forwarded-proto decides.
  return ctx.config.publicUrl?.replace(/\/$/, '') ?? `${request.protocol || 'http'}://${request.host}`;
}

export function installChannelScope(app: FastifyInstance, ctx: ApiContext): void {
  app.addHook('onRequest', async (request, reply) => {
    const { channelId } = (request.params ?? {}) as { channelId?: string };
    if (!channelId || !isId(channelId)) throw new NotFound('web chat channel', String(channelId));
    const { row, config } = await ctx.gateway.load(channelId, 'webchat');
    const webchat = config as WebchatConfig;
    const origin = request.headers.origin;
    if (origin && webchat.allowedOrigins.length && !webchat.allowedOrigins.includes(origin)) {
      throw new Forbidden(`${origin} is not among the sites allowed to embed this chat`);
    }
    if (origin) reply.header('access-control-allow-origin', origin).header('vary', 'origin');
    // Helmet's same-origin default would make browsers drop responses the embedding page asked for.
    reply.header('cross-origin-resource-policy', 'cross-origin');
    channels.set(request, { row, config: webchat });
  });

  app.options('/webchat/:channelId/*', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .status(204)
      .header('access-control-allow-methods', 'GET, POST')
      .header('access-control-allow-headers', `content-type, ${TOKEN_HEADER}`)
      .header('access-control-max-age', '600')
      .send(),
  );
}
