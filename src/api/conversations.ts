import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  CONVERSATION_STATUSES,
  createConversation,
  getConversation,
  listConversations,
  listMessages,
  postReply,
  receiveInbound,
  updateConversation,
} from '../conversations/index.js';
import { matchInBackground } from '../identity/index.js';
import { storedAttachment } from './attachments.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { IdentityKindSchema, IdentityValue } from './customers.js';
import { Body, IdParams, PageOf, PageQuery, Timestamp, Uuid, withProblems } from './schemas.js';

const StatusSchema = Type.Union(CONVERSATION_STATUSES.map((s) => Type.Literal(s)));
const ChannelType = Type.String({
  pattern: '^[a-z][a-z0-9_]{1,31}$',
  description: 'e.g. webchat, wechat, email',
});
const Priority = Type.Integer({ minimum: 0, maximum: 100 });
const Subject = Type.String({ maxLength: 500 });
const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 50, uniqueItems: true });
const NullableId = Type.Union([Uuid, Type.Null()]);
const Text = Type.String({ minLength: 1, maxLength: 10_000 });

export const ConversationSchema = Type.Object({
  id: Uuid,
  tenantId: Uuid,
  customerId: Uuid,
  channelId: NullableId,
  channelType: Type.String(),
  status: StatusSchema,
  priority: Type.Integer(),
  subject: Type.String(),
  queueId: NullableId,
  assigneeId: NullableId,
  tags: Type.Array(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  lastMessageAt: Type.Union([Timestamp, Type.Null()]),
  dispositionCode: Type.Union([Type.String(), Type.Null()]),
  wrapUpNote: Type.Union([Type.String(), Type.Null()]),
  wrappedUpAt: Type.Union([Timestamp, Type.Null()]),
  wrappedUpBy: NullableId,
});

const ConversationWithTaskSchema = Type.Object({
  ...ConversationSchema.properties,
  taskId: Type.Union([Uuid, Type.Null()], {
    description: 'the open routing task (waiting, offered, assigned or in wrap-up); null when none is',
  }),
});

const ConversationListItemSchema = Type.Object({
  ...ConversationWithTaskSchema.properties,
  unread: Type.Integer({ minimum: 0, description: "customer messages after the caller's read marker" }),
});

const MessageSchema = Type.Object({
  id: Uuid,
  conversationId: Uuid,
  direction: Type.Union([Type.Literal('in'), Type.Literal('out')]),
  senderType: Type.Union(['customer', 'agent', 'system', 'bot'].map((s) => Type.Literal(s))),
  senderId: Type.Union([Type.String(), Type.Null()]),
  channelType: Type.String(),
  contentType: Type.String(),
  text: Type.String(),
  payload: Type.Record(Type.String(), Type.Unknown()),
  idempotencyKey: Type.Union([Type.String(), Type.Null()]),
  deliveryStatus: Type.String(),
  deliveryError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
});

const ReceivedSchema = Type.Object({
  message: MessageSchema,
  conversation: ConversationSchema,
  duplicate: Type.Boolean(),
});

export async function conversationRoutes(
  fastify: FastifyInstance,
  { ctx }: { ctx: ApiContext },
): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { db: ctx.storage.db, outbox: ctx.outbox };
  const tags = ['conversations'];

  app.get(
    '/api/v1/conversations',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'List conversations, newest first',
        description:
          'Each item counts the customer messages the caller has not read (`unread`; POST …/read clears it). `mine=true`: assigned to the caller.',
        querystring: Type.Object(
          {
            ...PageQuery,
            status: Type.Optional(StatusSchema),
            queueId: Type.Optional(Uuid),
            assigneeId: Type.Optional(Uuid),
            customerId: Type.Optional(Uuid),
            mine: Type.Optional(Type.Boolean()),
            channelType: Type.Optional(ChannelType),
          },
          { additionalProperties: false },
        ),
        response: withProblems({ 200: PageOf(ConversationListItemSchema) }),
      },
    },
    async (request) => listConversations(deps, actorOf(request), request.query),
  );

  app.post(
    '/api/v1/conversations',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Open a conversation with a customer',
        body: Body({
          customerId: Uuid,
          channelType: ChannelType,
          channelId: Type.Optional(Uuid),
          subject: Type.Optional(Subject),
          priority: Type.Optional(Priority),
          queueId: Type.Optional(Uuid),
        }),
        response: withProblems({ 201: ConversationSchema }),
      },
    },
    async (request, reply) => {
      const conversation = await createConversation(deps, actorOf(request), request.body);
      return reply
        .status(201)
        .header('location', `/api/v1/conversations/${conversation.id}`)
        .send(conversation);
    },
  );

  app.get(
    '/api/v1/conversations/:id',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'One conversation, with its open routing task (taskId)',
        params: IdParams,
        response: withProblems({ 200: ConversationWithTaskSchema }),
      },
    },
    async (request) => getConversation(deps, actorOf(request), request.params.id),
  );

  app.patch(
    '/api/v1/conversations/:id',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Change status, priority, queue, assignee, tags or subject',
        description:
          'null for queueId or assigneeId clears it. An unknown queue or user is a 404 and changes nothing.',
        params: IdParams,
        body: Body({
          status: Type.Optional(StatusSchema),
          priority: Type.Optional(Priority),
          queueId: Type.Optional(NullableId),
          assigneeId: Type.Optional(NullableId),
          tags: Type.Optional(Tags),
          subject: Type.Optional(Subject),
        }),
        response: withProblems({ 200: ConversationSchema }),
      },
    },
    async (request) => updateConversation(deps, actorOf(request), request.params.id, request.body),
  );

  app.get(
    '/api/v1/conversations/:id/messages',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: "A conversation's messages, oldest first",
        params: IdParams,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: withProblems({ 200: PageOf(MessageSchema) }),
      },
    },
    async (request) => listMessages(deps, actorOf(request), request.params.id, request.query),
  );

  app.post(
    '/api/v1/conversations/:id/messages',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Reply to the customer as the signed-in agent',
        description:
          'The reply is queued for delivery on the conversation’s channel. A file: upload it with POST …/attachments, then send `contentType: "file"` (or `"image"`) with that answer as `payload` and an optional caption as `text`; web chat and app customers see the file, other channels get a link in the text.',
        params: IdParams,
        body: Body({
          text: Type.Optional(Text),
          contentType: Type.Optional(
            Type.Union([Type.Literal('text'), Type.Literal('file'), Type.Literal('image')]),
          ),
          payload: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        }),
        response: withProblems({ 201: MessageSchema }),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const { contentType, payload } = request.body;
      const file =
        contentType === 'file' || contentType === 'image'
          ? await storedAttachment(ctx, actor.tenantId, payload ?? {})
          : undefined;
      const message = await postReply(deps, actor, request.params.id, { ...request.body, file });
      return reply.status(201).send(message);
    },
  );

  app.post(
    '/api/v1/messages/inbound',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: "Record a customer's message from any channel",
        description:
          'Finds or creates the customer by identity and continues their open or pending conversation, whatever its channel, or opens one. A repeated idempotencyKey returns the original message with 200 and duplicate: true, and writes nothing.',
        body: Body({
          channelType: ChannelType,
          channelId: Type.Optional(Uuid),
          identity: Body({ kind: IdentityKindSchema, value: IdentityValue }),
          alsoKnownAs: Type.Optional(
            Type.Array(Body({ kind: IdentityKindSchema, value: IdentityValue }), {
              maxItems: 10,
              description: 'More identities the message proves (a WeChat unionid, a WhatsApp phone number)',
            }),
          ),
          displayName: Type.Optional(Type.String({ maxLength: 200 })),
          text: Text,
          idempotencyKey: Type.String({ minLength: 1, maxLength: 200 }),
          occurredAt: Type.Optional(Timestamp),
        }),
        response: withProblems({ 200: ReceivedSchema, 201: ReceivedSchema }),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const received = await receiveInbound(deps, actor, request.body);
      // Inline resolution, as for webhooks: after the commit, not waited for, and a failure never loses the message.
      if (received.customerChanged)
        matchInBackground(deps, actor, received.conversation.customerId, received.customer, request.log);
      return reply.status(received.duplicate ? 200 : 201).send(received);
    },
  );
}
