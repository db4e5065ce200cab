import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidInput } from '../core/index.js';
import {
  createFlow,
  deleteNumber,
  FlowDefinitionSchema,
  getFlow,
  IvrFlowInvalid,
  listAudio,
  listFlows,
  listNumbers,
  PromptSchema,
  SpeechPromptSchema,
  saveAudio,
  setNumber,
  shapeErrors,
  simulateFlow,
  updateFlow,
} from '../voice/ivr/index.js';
import {
  convertToPrompt,
  createEspeakSynthesizer,
  PromptService,
  parseWav,
  pcmOf,
  pcmWav,
  WavError,
} from '../voice/tts/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { firstFilePart } from './multipart.js';
import { Body, IdParams, Timestamp, Uuid, withProblems } from './schemas.js';
import { perUser } from './workspace-conversation.js';

/**
 * IVR administration: flows (versioned; every save checked and audited), the numbers that reach
 * them, uploaded recordings, the simulator the flow editor runs, and a preview of a prompt as
 * callers will hear it (8 kHz G.711, played back as 16-bit WAV).
 */
const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
const MAX_RECORDING_MS = 10 * 60_000;
const AUDIO_TYPES = ['audio/wav', 'audio/x-wav', 'audio/wave', 'application/octet-stream'];

/** One prompt service per server: its worker thread ends with the server. */
const services = new WeakMap<ApiContext, PromptService>();

function promptsOf(ctx: ApiContext): PromptService {
  let s = services.get(ctx);
  if (!s) {
    const dataDir = ctx.config.dataDir || path.join(os.tmpdir(), 'switchboard');
    s = new PromptService({ dir: path.join(dataDir, 'prompts'), synthesizer: createEspeakSynthesizer() });
    services.set(ctx, s);
  }
  return s;
}

const Problem = Type.Object({
  path: Type.String(),
  nodeId: Type.Optional(Type.String()),
  message: Type.String(),
});

const FlowSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  version: Type.Integer(),
  active: Type.Boolean(),
  definition: FlowDefinitionSchema,
  warnings: Type.Array(Problem),
  numbers: Type.Array(Type.String()),
  updatedAt: Timestamp,
  updatedBy: Type.String(),
});

const FlowSummary = Type.Object({
  id: Uuid,
  name: Type.String(),
  version: Type.Integer(),
  active: Type.Boolean(),
  nodes: Type.Integer(),
  numbers: Type.Array(Type.String()),
  updatedAt: Timestamp,
  updatedBy: Type.String(),
});

const PathStep = Type.Object({
  nodeId: Type.String(),
  type: Type.String(),
  at: Type.Number(),
  ms: Type.Number(),
  digits: Type.Optional(Type.Array(Type.String())),
  result: Type.Optional(Type.String()),
  next: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
});

const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);

const Outcome = Type.Object(
  {
    type: Type.Union(['enqueue', 'transfer', 'hangup', 'abandoned', 'failed'].map((t) => Type.Literal(t))),
    nodeId: Type.String(),
    queueId: Type.Optional(Uuid),
    priority: Type.Optional(Type.Integer()),
    to: Type.Optional(Type.String()),
    cause: Type.Optional(Type.String()),
    error: Type.Optional(Type.String()),
    attributes: Type.Optional(Type.Record(Type.String(), Scalar)),
  },
  {
    description:
      'enqueue (queueId, priority, attributes), transfer (to), hangup (cause), abandoned, failed (error)',
  },
);

const Name = Type.String({ minLength: 1, maxLength: 200 });

const NumberParams = Type.Object(
  { number: Type.String({ pattern: '^\\+[0-9]{7,15}$', description: 'E.164, e.g. +864001234567' }) },
  { additionalProperties: false },
);

/** Shape errors of a flow named by node, before ajv's generic "must match a schema in anyOf". */
async function checkDefinition(request: FastifyRequest): Promise<void> {
  const body = request.body as { definition?: unknown } | undefined;
  if (!body || typeof body !== 'object' || body.definition === undefined) return;
  const problems = shapeErrors(body.definition);
  if (problems.length) throw new IvrFlowInvalid(problems);
}

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

export async function ivrRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = { db: ctx.storage.db, outbox: ctx.outbox };
  const db = ctx.storage.db;
  const tags = ['ivr'];
  fastify.addHook('onClose', async () => {
    await services.get(ctx)?.close();
    services.delete(ctx);
  });

  app.get(
    '/api/v1/ivr/flows',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: "The tenant's IVR flows (newest version of each), by name",
        response: withProblems({ 200: Type.Object({ items: Type.Array(FlowSummary) }) }),
      },
    },
    async (request) => listFlows(db, actorOf(request)),
  );

  app.post(
    '/api/v1/ivr/flows',
    {
      config: { access: 'admin' },
      preValidation: checkDefinition,
      schema: {
        tags,
        summary: 'Add an IVR flow',
        description:
          'The flow is checked before it is stored: each node against its type (400 IVR_FLOW_INVALID with `errors[].path` such as `nodes.menu.maxDigits`), every next naming a node, menu branches that can be typed, CEL conditions, no loop that never waits for the caller, and the queues, business hours and recordings named being the tenant’s. Unreachable nodes and loops a silent caller would go round come back as `warnings`.',
        body: Body({ name: Name, definition: FlowDefinitionSchema, active: Type.Optional(Type.Boolean()) }),
        response: withProblems({ 201: FlowSchema }),
      },
    },
    async (request, reply) => {
      const flow = await createFlow(deps, actorOf(request), request.body);
      return reply.status(201).header('location', `/api/v1/ivr/flows/${flow.id}`).send(flow);
    },
  );

  app.get(
    '/api/v1/ivr/flows/:id',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'One IVR flow: its newest version, or the version asked for',
        params: IdParams,
        querystring: Type.Object(
          { version: Type.Optional(Type.Integer({ minimum: 1 })) },
          { additionalProperties: false },
        ),
        response: withProblems({ 200: FlowSchema }),
      },
    },
    async (request) => getFlow(db, actorOf(request), request.params.id, request.query.version),
  );

  app.put(
    '/api/v1/ivr/flows/:id',
    {
      config: { access: 'admin' },
      preValidation: checkDefinition,
      schema: {
        tags,
        summary: 'Save a new version of an IVR flow',
        description:
          'Checked as on create. With `baseVersion` (the version the editor opened), a save on top of a newer version is refused (409) instead of overwriting it.',
        params: IdParams,
        body: Body({
          name: Name,
          definition: FlowDefinitionSchema,
          active: Type.Optional(Type.Boolean()),
          baseVersion: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
        response: withProblems({ 200: FlowSchema }),
      },
    },
    async (request) => updateFlow(deps, actorOf(request), request.params.id, request.body),
  );

  app.post(
    '/api/v1/ivr/flows/:id/simulate',
    {
      config: { access: 'admin' },
      preValidation: checkDefinition,
      schema: {
        tags,
        summary: 'Run the flow on a scripted call: the path it takes and how it ends',
        description:
          'No call is made and nothing is stored. `digits` is what the caller types at each menu or collect node in turn ("" = silence until the timeout, "hangup" = the caller hangs up there). The caller is one of the tenant’s customers (`customerId`) or a made-up `tier` and `attributes`; `at` sets the time for business hours. `definition` tries a draft instead of the saved flow.',
        params: IdParams,
        body: Body({
          digits: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 100 }),
          caller: Type.Optional(
            Body({
              number: Type.Optional(Type.String({ maxLength: 32 })),
              customerId: Type.Optional(Uuid),
              tier: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
              known: Type.Optional(Type.Boolean()),
              attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
            }),
          ),
          at: Type.Optional(Timestamp),
          version: Type.Optional(Type.Integer({ minimum: 1 })),
          definition: Type.Optional(FlowDefinitionSchema),
        }),
        response: withProblems({
          200: Type.Object({
            flowId: Uuid,
            version: Type.Union([Type.Integer(), Type.Null()]),
            outcome: Outcome,
            path: Type.Array(PathStep),
            attributes: Type.Record(Type.String(), Scalar),
            prompts: Type.Array(PromptSchema),
            durationMs: Type.Number({
              description: 'time the call would spend in the IVR (prompt lengths estimated)',
            }),
            unusedDigits: Type.Integer(),
            warnings: Type.Array(Problem),
          }),
        }),
      },
    },
    async (request) => simulateFlow(db, actorOf(request), request.params.id, request.body, Date.now()),
  );

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
      const spoken = await promptsOf(ctx).speak(request.body);
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

  app.get(
    '/api/v1/ivr/numbers',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'Dialled numbers and the flow each answers with',
        response: withProblems({
          200: Type.Object({
            items: Type.Array(Type.Object({ number: Type.String(), flowId: Uuid, updatedAt: Timestamp })),
          }),
        }),
      },
    },
    async (request) => listNumbers(db, actorOf(request)),
  );

  app.put(
    '/api/v1/ivr/numbers/:number',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Answer a number with a flow',
        description:
          'Adds the number or points it at another flow. A number another account uses is refused (409).',
        params: NumberParams,
        body: Body({ flowId: Uuid }),
        response: withProblems({
          200: Type.Object({ number: Type.String(), flowId: Uuid, updatedAt: Timestamp }),
        }),
      },
    },
    async (request) => setNumber(deps, actorOf(request), request.params.number, request.body.flowId),
  );

  app.delete(
    '/api/v1/ivr/numbers/:number',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Stop answering a number',
        params: NumberParams,
        response: withProblems({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await deleteNumber(deps, actorOf(request), request.params.number);
      return reply.status(204).send(null);
    },
  );

  // Own scope: this parser reads audio bodies as bytes, which must not reach the JSON routes.
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
