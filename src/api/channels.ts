import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  CHANNEL_TYPES,
  createChannel,
  deleteChannel,
  getChannel,
  listChannels,
  MASK,
  registeredAdapters,
  updateChannel,
} from '../channels/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { Body, IdParams, PageOf, PageQuery, Timestamp, Uuid, withProblems } from './schemas.js';

const ChannelTypeSchema = Type.Union(CHANNEL_TYPES.map((c) => Type.Literal(c)));
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Config = Type.Record(Type.String(), Type.Unknown(), {
  maxProperties: 50,
  description:
    'Provider settings, as GET /api/v1/channel-types describes them for each type; checked by the adapter. ' +
    `Secrets are stored encrypted and returned as "${MASK}"; sending "${MASK}" back keeps the stored value.`,
});

const ChannelSchema = Type.Object({
  id: Uuid,
  tenantId: Uuid,
  type: ChannelTypeSchema,
  name: Type.String(),
  config: Type.Record(Type.String(), Type.Unknown()),
  enabled: Type.Boolean(),
  webhookUrl: Type.String({ description: 'path the provider posts to: /webhooks/<type>/<id>' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export async function channelRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { db: ctx.storage.db, outbox: ctx.outbox, cipher: ctx.cipher };
  const tags = ['channels'];

  const Label = Type.Object({ en: Type.String(), 'zh-CN': Type.String() });
  app.get(
    '/api/v1/channel-types',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary:
          'Every channel type with its settings (the admin form is built from this) and what it can do',
        response: withProblems({
          200: Type.Array(
            Type.Object({
              type: Type.String(),
              recipientKind: Type.String(),
              credentials: Type.Array(
                Type.Object({
                  key: Type.String(),
                  label: Label,
                  type: Type.String(),
                  required: Type.Boolean(),
                  secret: Type.Boolean(),
                  placeholder: Type.Optional(Type.String()),
                }),
              ),
              capabilities: Type.Object({
                receipts: Type.Boolean(),
                media: Type.Boolean(),
                quickReplies: Type.Boolean(),
                typing: Type.Boolean(),
              }),
            }),
          ),
        }),
      },
    },
    async () =>
      registeredAdapters().map((a) => ({
        type: a.type,
        recipientKind: a.recipientKind,
        credentials: a.credentials,
        capabilities: a.capabilities,
      })),
  );

  app.get(
    '/api/v1/channels',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: "List the tenant's channels",
        querystring: Type.Object(
          { ...PageQuery, type: Type.Optional(ChannelTypeSchema) },
          { additionalProperties: false },
        ),
        response: withProblems({ 200: PageOf(ChannelSchema) }),
      },
    },
    async (request) => listChannels(deps, actorOf(request), request.query),
  );

  app.post(
    '/api/v1/channels',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Configure a channel',
        description: 'Channel names are unique within a tenant.',
        body: Body({
          type: ChannelTypeSchema,
          name: Name,
          config: Config,
          enabled: Type.Optional(Type.Boolean({ default: true })),
        }),
        response: withProblems({ 201: ChannelSchema }),
      },
    },
    async (request, reply) => {
      const channel = await createChannel(deps, actorOf(request), request.body);
      return reply.status(201).header('location', `/api/v1/channels/${channel.id}`).send(channel);
    },
  );

  app.get(
    '/api/v1/channels/:id',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'One channel',
        params: IdParams,
        response: withProblems({ 200: ChannelSchema }),
      },
    },
    async (request) => getChannel(deps, actorOf(request), request.params.id),
  );

  app.patch(
    '/api/v1/channels/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Rename, reconfigure, enable or disable a channel',
        description:
          'A `config` replaces the stored one whole. The type cannot change: its webhook URL depends on it.',
        params: IdParams,
        body: Body({
          name: Type.Optional(Name),
          config: Type.Optional(Config),
          enabled: Type.Optional(Type.Boolean()),
        }),
        response: withProblems({ 200: ChannelSchema }),
      },
    },
    async (request) => updateChannel(deps, actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/channels/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Delete a channel',
        description: 'A channel that conversations refer to cannot be deleted (409); disable it instead.',
        params: IdParams,
        response: withProblems({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await deleteChannel(deps, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
