import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { signalAgentTyping } from '../channels/typing.js';
import { markRead } from '../conversations/index.js';
import { addNote, listNotes, wrapUpConversation } from '../workspace/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { ConversationSchema } from './conversations.js';
import { Body, IdParams, Timestamp, Uuid, withProblems } from './schemas.js';

/**
 * What an agent does around a conversation besides replying: private notes, the wrap-up, read
 * markers and the typing signal. The domain lives in src/workspace and src/conversations.
 */
/** Rate limits count per signed-in user (the auth hook has run by then). */
export const perUser = (request: FastifyRequest) => request.principal?.userId ?? request.ip;

const NoteSchema = Type.Object({
  id: Uuid,
  conversationId: Uuid,
  authorId: Uuid,
  authorName: Type.String(),
  text: Type.String(),
  mentions: Type.Array(Uuid),
  createdAt: Timestamp,
});

export async function workspaceConversationRoutes(
  fastify: FastifyInstance,
  { ctx }: { ctx: ApiContext },
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { db: ctx.storage.db, outbox: ctx.outbox };
  const tags = ['conversations'];

  app.get(
    '/api/v1/conversations/:id/notes',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: "A conversation's private notes, oldest first",
        description:
          'Notes are for staff only: they are never sent to the customer nor shown in their history.',
        params: IdParams,
        response: withProblems({ 200: Type.Object({ items: Type.Array(NoteSchema) }) }),
      },
    },
    async (request) => listNotes(deps, actorOf(request), request.params.id),
  );

  app.post(
    '/api/v1/conversations/:id/notes',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Add a private note, optionally @mentioning colleagues',
        description: 'Every mention must be a user of the tenant (400 otherwise). Emits `note.created`.',
        params: IdParams,
        body: Body({
          text: Type.String({ minLength: 1, maxLength: 10_000 }),
          mentions: Type.Optional(Type.Array(Uuid, { maxItems: 50 })),
        }),
        response: withProblems({ 201: NoteSchema }),
      },
    },
    async (request, reply) => {
      const note = await addNote(deps, actorOf(request), request.params.id, request.body);
      return reply.status(201).send(note);
    },
  );

  app.post(
    '/api/v1/conversations/:id/wrap-up',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Wrap up: record the disposition code and a note, and resolve',
        description:
          'Only the assignee, or a supervisor or above. An unknown or inactive code is a 400 with code UNKNOWN_DISPOSITION. `resolve` (default true) resolves an open or pending conversation the ordinary way, which completes its routing task. Emits `conversation.wrapped_up`.',
        params: IdParams,
        body: Body({
          dispositionCode: Type.String({ minLength: 1, maxLength: 50 }),
          note: Type.Optional(Type.String({ maxLength: 10_000 })),
          resolve: Type.Optional(Type.Boolean({ default: true })),
        }),
        response: withProblems({ 200: ConversationSchema }),
      },
    },
    async (request) => wrapUpConversation(deps, actorOf(request), request.params.id, request.body),
  );

  app.post(
    '/api/v1/conversations/:id/read',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Mark the conversation read by the caller, up to now',
        description:
          'Clears the `unread` count the conversation list shows the caller. Emits `conversation.read` (for the caller’s other tabs).',
        params: IdParams,
        body: Body({}),
        response: withProblems({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await markRead(deps, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/conversations/:id/typing',
    {
      // Per user, not per address: a team behind one NAT would share an address's allowance.
      config: { access: 'agent', rateLimit: { max: 120, timeWindow: '1 minute', keyGenerator: perUser } },
      schema: {
        tags,
        summary: 'Tell the customer the agent is typing (or stopped)',
        description:
          'Ephemeral: publishes `agent.typing` {conversationId, agentId, typing} on /ws without storing it, and shows it in the web chat widget and the app (their sockets get {"type":"typing","typing":…}). Send `true` every few seconds while typing; the widget hides it after 6 s, on `false`, or on the next message.',
        params: IdParams,
        body: Body({ typing: Type.Boolean() }),
        response: withProblems({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const typingDeps = { db: ctx.storage.db, bus: ctx.bus, realtime: ctx.realtime };
      await signalAgentTyping(typingDeps, actorOf(request), request.params.id, request.body.typing);
      return reply.status(204).send(null);
    },
  );
}
