import type { FastifyInstance } from 'fastify';
import type { ApiContext } from './context.js';

// Placeholder so the tree compiles while this plugin is written; it registers no routes yet.
export async function teamRoutes(_app: FastifyInstance, _opts: { ctx: ApiContext }): Promise<void> {}
