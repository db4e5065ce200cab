import type { FastifyInstance } from 'fastify';
import { analyticsRoutes } from './analytics.js';
import { attachmentRoutes } from './attachments.js';
import { businessHoursRoutes } from './business-hours.js';
import { cannedResponseRoutes } from './canned-responses.js';
import { channelRoutes } from './channels.js';
import type { ApiContext } from './context.js';
import { conversationRoutes } from './conversations.js';
import { customerRoutes } from './customers.js';
import { directoryRoutes } from './directory.js';
import { dispositionCodeRoutes } from './disposition-codes.js';
import { eventRoutes } from './events.js';
import { identityRoutes } from './identity.js';
import { ivrRoutes } from './ivr.js';
import { ivrAudioRoutes } from './ivr-audio.js';
import { mergeRoutes } from './merges.js';
import { queueRoutes } from './queues.js';
import { recordingRoutes } from './recordings.js';
import { routingRoutes } from './routing.js';
import { skillRoutes } from './skills.js';
import { supervisionRoutes } from './supervision.js';
import { teamRoutes } from './teams.js';
import { tenantRoutes } from './tenant.js';
import { timelineRoutes } from './timeline.js';
import { userRoutes } from './users.js';
import { voiceRoutes } from './voice.js';
import { workspaceConversationRoutes } from './workspace-conversation.js';

/** Every /api/v1 route plugin, one line each. Each route declares `config.access`. */
export const routePlugins: ((app: FastifyInstance, opts: { ctx: ApiContext }) => Promise<void>)[] = [
  tenantRoutes,
  userRoutes,
  directoryRoutes,
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
  workspaceConversationRoutes,
  attachmentRoutes,
  cannedResponseRoutes,
  dispositionCodeRoutes,
  businessHoursRoutes,
  supervisionRoutes,
  analyticsRoutes,
  ivrRoutes,
  ivrAudioRoutes,
  voiceRoutes,
  recordingRoutes,
];
