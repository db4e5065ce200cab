import type { FastifyInstance } from 'fastify';
import { analyticsRoutes } from './analytics.js';
import { channelRoutes } from './channels.js';
import type { ApiContext } from './context.js';
import { conversationRoutes } from './conversations.js';
import { customerRoutes } from './customers.js';
import { eventRoutes } from './events.js';
import { identityRoutes } from './identity.js';
import { mergeRoutes } from './merges.js';
import { queueRoutes } from './queues.js';
import { routingRoutes } from './routing.js';
import { skillRoutes } from './skills.js';
import { supervisionRoutes } from './supervision.js';
import { teamRoutes } from './teams.js';
import { tenantRoutes } from './tenant.js';
import { timelineRoutes } from './timeline.js';
import { userRoutes } from './users.js';

/** Every /api/v1 route plugin, one line each. Each route declares `config.access`. */
export const routePlugins: ((app: FastifyInstance, opts: { ctx: ApiContext }) => Promise<void>)[] = [
  tenantRoutes,
  userRoutes,
  teamRoutes,
  skillRoutes,
  queueRoutes,
  routingRoutes,
  channelRoutes,
  customerRoutes,
  timelineRoutes,
  mergeRoutes,
  identityRoutes,
  conversationRoutes,
  eventRoutes,
  supervisionRoutes,
  analyticsRoutes,
];
