import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { listRecordings, openRecording, recordingsRoot } from '../voice/recording/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { IdParams, Timestamp, Uuid, withProblems } from './schemas.js';

/**
 * Call recordings: supervisors list them; playback decrypts the file for the roles the tenant allows
 * (settings.recordingPlaybackRoles) and is audited. Keys and file paths never leave the server.
 */
const RecordingSchema = Type.Object({
  id: Uuid,
  conversationId: Uuid,
  callId: Type.String(),
  customerId: Type.Union([Uuid, Type.Null()]),
  agentIds: Type.Array(Type.String()),
  durationMs: Type.Integer(),
  bytes: Type.Integer({ description: 'size of the encrypted file' }),
  startedAt: Timestamp,
  endedAt: Timestamp,
  createdAt: Timestamp,
});

export async function recordingRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['recordings'];
  const deps = {
    db: ctx.storage.db,
    outbox: ctx.outbox,
    cipher: ctx.cipher,
    // The type says string, but an embedded test app started without a data directory has none.
    dir: recordingsRoot(ctx.config.dataDir ?? '.'),
  };

  app.get(
    '/api/v1/recordings',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'Call recordings of a conversation or a customer (newest first, at most 500)',
        querystring: Type.Object(
          { conversationId: Type.Optional(Uuid), customerId: Type.Optional(Uuid) },
          { additionalProperties: false },
        ),
        response: withProblems({ 200: Type.Object({ items: Type.Array(RecordingSchema) }) }),
      },
    },
    async (request) => listRecordings(deps, actorOf(request), request.query),
  );

  app.get(
    '/api/v1/recordings/:id/audio',
    {
      // The tenant decides which roles may listen (recordingPlaybackRoles); agents may be among them.
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Play a call recording (audio/wav; audited)',
        description:
          'Decrypted on the server to a WAV: 16-bit PCM, 8 kHz, stereo — left the customer, right the agent(s). ' +
          'Only roles in the tenant setting recordingPlaybackRoles (default supervisor, admin, owner) may ' +
          'play; others get 403. Every playback is written to the audit log (recording.played).',
        params: IdParams,
        produces: ['audio/wav'],
        response: withProblems({ 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) }),
      },
    },
    async (request, reply) => {
      const { wav, row } = await openRecording(deps, actorOf(request), request.params.id);
      return reply
        .type('audio/wav')
        .header('cache-control', 'no-store')
        .header('content-disposition', `inline; filename="recording-${row.id}.wav"`)
        .send(wav);
    },
  );
}
