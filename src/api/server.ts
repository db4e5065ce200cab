import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import { Ajv } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { newId } from '../core/index.js';
import { appChannelRoutes } from './app-channel.js';
import { authRoutes, installAuth } from './auth.js';
import type { ApiContext } from './context.js';
import { installErrorHandling } from './errors.js';
import { healthRoutes } from './health.js';
import { routePlugins } from './routes.js';
import { ProblemSchema } from './schemas.js';
import { webAppRoutes } from './web-app.js';
import { webchatRoutes } from './webchat.js';
import { webhookRoutes } from './webhooks.js';
import { WsHub, wsRoutes } from './ws.js';

// ajv-formats ships CommonJS with a default export that NodeNext sees one level down.
const addFormats = addFormatsPlugin as unknown as typeof addFormatsPlugin.default;

export interface RouteInfo {
  method: string;
  url: string;
  access: string | undefined;
}

export interface Server {
  app: FastifyInstance;
  /** Every route registered, for the isolation and OpenAPI tests and the docs. */
  routes: RouteInfo[];
  hub: WsHub;
  /** Marks the server as draining: /readyz answers 503 so a load balancer stops sending work. */
  drain(): void;
}

/**
 * Bodies are validated strictly (no type coercion, no unknown fields); query strings and path
 * parameters arrive as text, so there numbers and booleans are coerced.
 */
function validators() {
  const common = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false } as const;
  const body = new Ajv({ ...common, coerceTypes: false });
  const text = new Ajv({ ...common, coerceTypes: 'array' });
  for (const ajv of [body, text]) {
    addFormats(ajv);
    ajv.addSchema(ProblemSchema, 'Problem');
  }
  return { body, text };
}

export async function buildServer(ctx: ApiContext): Promise<Server> {
  let draining = false;
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && given.length <= 128 ? given : newId();
    },
    trustProxy: true,
    return503OnClosing: true,
  });
  const ajv = validators();
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? ajv.body : ajv.text).compile(schema),
  );
  app.addSchema(ProblemSchema);
  // The API speaks JSON only; webhook plugins add their providers' media types in their own scope.
  app.removeContentTypeParser('text/plain');
  installErrorHandling(app);
  // A POST without a body (an action such as accept or take-over) reads as `{}`: the route's schema
  // still refuses it when it needs fields, with the fields named.
  app.addHook('preValidation', async (request) => {
    if (request.method === 'POST' && request.body === undefined) request.body = {};
  });

  await app.register(helmet, { global: true, contentSecurityPolicy: false });
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Switchboard API',
        version: '1',
        description: 'Omnichannel contact center. Errors are application/problem+json (RFC 9457).',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  // While draining, keep-alive clients are told to reconnect elsewhere, so close() need not wait for them.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (draining) reply.header('connection', 'close');
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    ctx.metrics.httpDuration
      .labels(request.method, route, String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });

  const routes: RouteInfo[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: r.url, access: r.config?.access });
    }
  });
  installAuth(app, ctx);
  const hub = new WsHub();
  await app.register(healthRoutes, { ctx, isDraining: () => draining });
  await app.register(authRoutes, { ctx });
  for (const plugin of routePlugins) await app.register(plugin, { ctx });
  await app.register(wsRoutes, { ctx, hub });
  await app.register(webhookRoutes, { ctx });
  await app.register(webchatRoutes, { ctx });
  await app.register(appChannelRoutes, { ctx });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(webAppRoutes, { ctx });
  await hub.start(ctx);
  app.addHook('onClose', async () => hub.stop());
  await app.ready();

  return {
    app,
    routes,
    hub,
    drain: () => {
      draining = true;
    },
  };
}
