import type { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { InvalidInput } from '../core/index.js';
import { listAudio, SpeechPromptSchema, saveAudio } from '../voice/ivr/index.js';
import { convertToPrompt, parseWav, pcmOf, pcmWav, WavError } from '../voice/tts/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { firstFilePart } from './multipart.js';
import { Timestamp, Uuid, withProblems } from './schemas.js';
import { perUser } from './workspace-conversation.js';

/**
 * What IVR prompts sound like: a preview of a text prompt as callers will hear it (synthesized and
 * cached like the prompts calls play; 8 kHz G.711 played back as 16-bit WAV), and recordings
 * uploaded to use as prompts (converted to 8 kHz µ-law, stored in the database).
 */
const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
const MAX_RECORDING_MS = 10 * 60_000;
const AUDIO_TYPES = ['audio/wav', 'audio/x-wav', 'audio/wave', 'application/octet-stream'];

function readLimited(stream: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stream.removeAllListeners('data');
        stream.resume();
        reject(new InvalidInput(`a recording is at most ${limit / 1024 / 1024} MB`, 'body'));
        return;
      }
      chunks.push(chunk);
    });
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

export async function ivrAudioRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const db = ctx.storage.db;
  const deps = { db, outbox: ctx.outbox };
  const tags = ['ivr'];

  app.post(
    '/api/v1/ivr/prompts/preview',
    {
      config: { access: 'admin', rateLimit: { max: 30, timeWindow: '1 minute', keyGenerator: perUser } },
      schema: {
        tags,
        summary: 'Hear a prompt as callers will (audio/wav)',
        description:
          'Synthesized by eSpeak NG (Mandarin voice cmn for zh-CN) and cached like the prompts calls play, so the first preview of a text takes a moment and later ones none. The WAV is 16-bit PCM at 8 kHz, decoded from the G.711 µ-law that calls get. Headers: X-Prompt-Source (synthesized, memory, disk), X-Prompt-Duration-Ms.',
        body: SpeechPromptSchema,
        produces: ['audio/wav'],
        response: withProblems({ 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) }),
      },
    },
    async (request, reply) => {
      const spoken = await ctx.prompts.speak(request.body);
      return reply
        .type('audio/wav')
        .header('x-prompt-source', spoken.source)
        .header('x-prompt-duration-ms', String(spoken.durationMs))
        .header('cache-control', 'private, max-age=3600')
        .send(pcmWav(pcmOf(spoken), 8000));
    },
  );

  app.get(
    '/api/v1/ivr/audio',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'Uploaded recordings',
        response: withProblems({
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Uuid,
                name: Type.String(),
                durationMs: Type.Integer(),
                createdAt: Timestamp,
              }),
            ),
          }),
        }),
      },
    },
    async (request) => listAudio(db, actorOf(request)),
  );

  await fastify.register(async (scope) => {
    const upload = scope.withTypeProvider<TypeBoxTypeProvider>();
    upload.removeAllContentTypeParsers();
    upload.addContentTypeParser('*', (request, payload, done) => {
      if (Number(request.headers['content-length']) > MAX_UPLOAD_BYTES + 64 * 1024)
        return done(
          new InvalidInput(`a recording is at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`, 'body'),
          undefined,
        );
      readLimited(payload, MAX_UPLOAD_BYTES + 64 * 1024).then(
        (body) => done(null, body),
        (err: Error) => done(err, undefined),
      );
    });
    upload.post(
      '/api/v1/ivr/audio',
      {
        config: { access: 'admin' },
        schema: {
          tags,
          summary: 'Upload a recording to use as a prompt',
          description: `A WAV file (16-bit PCM, 8 or 16 kHz or up to 48 kHz, mono or stereo; or G.711) as the raw body or as the file part of multipart/form-data, at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB and ${MAX_RECORDING_MS / 60_000} minutes. It is converted to what calls play (8 kHz G.711 µ-law); name it with ?name= (or the file name). Use the answer's id as a prompt: {"audioId": "…"}.`,
          consumes: [...AUDIO_TYPES, 'multipart/form-data'],
          querystring: Type.Object(
            { name: Type.Optional(Type.String({ maxLength: 200 })) },
            { additionalProperties: false },
          ),
          body: Type.Unsafe<Buffer>({ description: 'the WAV file (or a multipart form with it)' }),
          response: withProblems({
            201: Type.Object({
              id: Uuid,
              name: Type.String(),
              durationMs: Type.Integer(),
              createdAt: Timestamp,
            }),
          }),
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        let data = request.body;
        let name = request.query.name;
        if (!Buffer.isBuffer(data) || data.length === 0)
          throw new InvalidInput('send the WAV file as the body or as multipart/form-data', 'body');
        const type = String(request.headers['content-type'] ?? '');
        if (type.toLowerCase().startsWith('multipart/form-data')) {
          const part = await firstFilePart(data, type).catch((err: Error) => {
            throw new InvalidInput(`the multipart body could not be read: ${err.message}`, 'body');
          });
          if (!part) throw new InvalidInput('the multipart body has no file part', 'file');
          data = part.data;
          name ??= part.filename?.replace(/\.[a-z0-9]{1,5}$/i, '');
        }
        const pcm = parseWav(data);
        const audio = await convertToPrompt(pcm.samples, pcm.sampleRate);
        if (audio.durationMs === 0) throw new WavError('the recording is empty');
        if (audio.durationMs > MAX_RECORDING_MS)
          throw new WavError(`a recording is at most ${MAX_RECORDING_MS / 60_000} minutes`);
        const saved = await saveAudio(deps, actor, name ?? 'recording', audio);
        return reply.status(201).send(saved);
      },
    );
  });
}
