import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentPrincipal, login } from '../accounts/index.js';
import { type Actor, Forbidden, type Role, roleAtLeast, Unauthenticated } from '../core/index.js';
import type { Principal } from '../security/index.js';
import type { ApiContext } from './context.js';
import { Body, ProblemSchema, Timestamp, Uuid } from './schemas.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role that may call the route, or 'public'. Every /api/v1 route must say. */
    access?: Role | 'public';
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** The caller as the domain modules see it. Only valid on routes that are not public. */
export function actorOf(request: FastifyRequest): Actor {
  const p = request.principal;
  if (!p) throw new Unauthenticated('this route needs a bearer token');
  return { tenantId: p.tenantId, userId: p.userId, role: p.role, ip: request.ip };
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, token] = header.split(' ');
  if (scheme?.toLowerCase() !== 'bearer' || !token) {
    throw new Unauthenticated('the Authorization header must be "Bearer <token>"');
  }
  return token;
}

export async function authenticate(ctx: ApiContext, token: string): Promise<Principal> {
  const claimed = await ctx.tokens.verify(token);
  return currentPrincipal({ db: ctx.storage.db }, claimed);
}

export function installAuth(app: FastifyInstance, ctx: ApiContext): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1')) return;
    const access = route.config?.access;
    if (!access) throw new Error(`route ${route.method} ${route.url} does not declare config.access`);
    if (access !== 'public') {
      route.schema = { ...route.schema, security: [{ bearerAuth: [] }] };
    }
  });

  // onRequest runs before the body is read: an anonymous caller learns nothing about validation.
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access || access === 'public') return;
    const token = bearer(request);
    if (!token) throw new Unauthenticated('this route needs a bearer token: POST /api/v1/auth/login first');
    const principal = await authenticate(ctx, token);
    if (!roleAtLeast(principal.role, access)) {
      throw new Forbidden(`this route needs the ${access} role or higher; you are ${principal.role}`);
    }
    request.principal = principal;
  });
}

const UserOut = Type.Object({
  id: Uuid,
  tenantId: Uuid,
  email: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
});

export async function authRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { db: ctx.storage.db, outbox: ctx.outbox };
  app.post(
    '/api/v1/auth/login',
    {
      config: {
        access: 'public',
        // Slows down password guessing per client address.
        rateLimit: { max: 20, timeWindow: '1 minute' },
      },
      schema: {
        tags: ['auth'],
        summary: 'Exchange e-mail and password for a session token (JWT)',
        body: Body({
          email: Type.String({ minLength: 3, maxLength: 320 }),
          password: Type.String({ minLength: 1, maxLength: 1024 }),
        }),
        response: {
          200: Type.Object({ token: Type.String(), expiresAt: Timestamp, user: UserOut }),
          400: Type.Ref(ProblemSchema),
          401: Type.Ref(ProblemSchema),
          429: Type.Ref(ProblemSchema),
        },
      },
    },
    async (request) => {
      const { email, password } = request.body;
      return login(deps, ctx.tokens, { email, password, ip: request.ip });
    },
  );

  app.get(
    '/api/v1/auth/me',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user',
        response: { 200: UserOut, 401: Type.Ref(ProblemSchema) },
      },
    },
    async (request) => {
      const p = request.principal!;
      const row = await ctx.storage.db
        .selectFrom('users')
        .select(['id', 'tenant_id', 'email', 'display_name', 'role'])
        .where('id', '=', p.userId)
        .executeTakeFirstOrThrow();
      return {
        id: row.id,
        tenantId: row.tenant_id,
        email: row.email,
        displayName: row.display_name,
        role: row.role,
      };
    },
  );
}
