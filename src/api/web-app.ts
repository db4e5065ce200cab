// The web apps (agent workspace, supervisor wallboard, admin console): the Vite build in
// web/app/dist served at `/`. Hashed assets are cached for a year; the HTML shell never is, so a
// new build shows on the next load. Routes of the apps (`/agent/...`) all answer the shell and the
// browser-side router takes over. A strict Content-Security-Policy: scripts only from here.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from './context.js';

export const WEB_APP_DIR = fileURLToPath(new URL('../../web/app/dist', import.meta.url));

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Ant Design writes its styles at run time (CSS-in-JS).
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "media-src 'self' blob:",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

const APP_ROUTES = [
  '/',
  '/login',
  '/agent',
  '/agent/*',
  '/supervisor',
  '/supervisor/*',
  '/admin',
  '/admin/*',
];

export async function webAppRoutes(
  fastify: FastifyInstance,
  { ctx, dir = WEB_APP_DIR }: { ctx: ApiContext; dir?: string },
): Promise<void> {
  const built = existsSync(path.join(dir, 'index.html'));
  if (!built) {
    ctx.logger.warn({ dir }, 'the web apps are not built (npm run build); / shows how to build them');
  } else {
    await fastify.register(fastifyStatic, {
      root: path.join(dir, 'assets'),
      prefix: '/assets/',
      decorateReply: false,
      index: false,
      immutable: true,
      maxAge: '365d',
    });
  }
  let shell: Promise<string> | undefined;
  for (const url of APP_ROUTES) {
    fastify.get(url, { schema: { hide: true } }, async (_request, reply) => {
      if (!built) {
        return reply.status(503).type('application/problem+json').send({
          type: 'about:blank',
          title: 'Web apps not built',
          status: 503,
          code: 'WEB_NOT_BUILT',
          detail: 'Run `npm run build` (npm install does it) to build the web apps; the API is at /api/docs.',
        });
      }
      shell ??= readFile(path.join(dir, 'index.html'), 'utf8');
      return reply
        .header('cache-control', 'no-cache')
        .header('content-security-policy', CSP)
        .type('text/html; charset=utf-8')
        .send(await shell);
    });
  }
}
