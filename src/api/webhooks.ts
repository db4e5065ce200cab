import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WebhookRejected } from '../channels/gateway.js';
import type { RawRequest } from '../channels/index.js';
import { DomainError } from '../core/index.js';
import type { ApiContext } from './context.js';
import { problem, sendProblem } from './errors.js';

/**
 * `/webhooks/<type>/<channelId>`: where providers deliver. No session token: the adapter checks
 * the provider's signature. The body is kept as raw bytes, since signatures cover exact bytes.
 * Anything that goes wrong after the signature check answers 503, never 500, so that the
 * provider retries and nothing is lost; the idempotency key makes its retry harmless.
 */
function toRaw(request: FastifyRequest, publicBase: string | undefined): RawRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(request.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const query: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    query[k] = Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
  }
  const base = publicBase?.replace(/\/$/, '') ?? `${request.protocol}://${request.host}`;
  return {
    method: request.method,
    url: request.url,
    publicUrl: `${base}${request.url}`,
    headers,
    query,
    rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
  };
}

export async function webhookRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  fastify.register(async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    app.route({
      method: ['GET', 'POST'],
      url: '/webhooks/:type/:channelId',
      // Per channel, not per address: providers deliver from a few addresses at high rates.
      config: {
        rateLimit: {
          max: ctx.config.webhookRatePerMinute,
          timeWindow: '1 minute',
          keyGenerator: (req) => `webhook:${(req.params as { channelId?: string }).channelId ?? req.ip}`,
        },
      },
      schema: {
        tags: ['webhooks'],
        summary: "A provider's inbound webhook (signature-checked; verification handshakes on GET)",
        params: {
          type: 'object',
          properties: {
            type: { type: 'string', pattern: '^[a-z]+$' },
            channelId: { type: 'string', format: 'uuid' },
          },
          required: ['type', 'channelId'],
        },
      },
      handler: async (request, reply) => {
        const { type, channelId } = request.params as { type: string; channelId: string };
        try {
          const answer = await ctx.gateway.accept(type, channelId, toRaw(request, ctx.config.publicUrl));
          return reply.status(answer.status).type(answer.contentType).send(answer.body);
        } catch (err) {
          if (err instanceof WebhookRejected) {
            request.log.warn({ channelId, reason: err.message }, 'webhook refused');
            return sendProblem(reply, problem(403, err.code, err.message));
          }
          if (err instanceof DomainError && err.status < 500) {
            return sendProblem(reply, problem(err.status, err.code, err.message, err.extra));
          }
          request.log.error({ err, channelId }, 'webhook not committed; the provider will retry');
          reply.header('retry-after', '5');
          return sendProblem(
            reply,
            problem(503, 'UNAVAILABLE', 'the message could not be stored now; retry later'),
          );
        }
      },
    });
  });
}
