import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Actor, DomainError, InvalidInput, NotFound } from '../core/index.js';
import {
  type ActiveCallView,
  getAgentPhone,
  getVoiceSettings,
  setAgentPhone,
  updateVoiceSettings,
  type VoiceCenter,
} from '../voice/center/index.js';
import { WebRtcOfferInvalid } from '../voice/webrtc/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { piiViewFor } from './pii.js';
import { Body, Timestamp, Uuid, withProblems } from './schemas.js';

/**
 * Calls after the IVR, for the agent on the call and supervisors: the calls in progress, hold and
 * resume, blind transfer to an agent or a queue, hang up; and the SIP phone an agent takes calls on.
 * And the agent's browser softphone line (WebRTC, answered by the server).
 */
export class VoiceOff extends DomainError {
  readonly code = 'VOICE_OFF';
  readonly status = 503;
  constructor() {
    super('voice is off on this server (VOICE_ENABLED=false, or its SIP port was taken at start)');
  }
}

export function voiceOf(ctx: ApiContext): VoiceCenter {
  if (!ctx.voice) throw new VoiceOff();
  return ctx.voice;
}

const ActiveCall = Type.Object({
  direction: Type.Union([Type.Literal('in'), Type.Literal('out')], {
    description: 'in: the customer called; out: the agent called the customer',
  }),
  conversationId: Uuid,
  customerId: Uuid,
  taskId: Uuid,
  callId: Type.String({ description: 'the SIP Call-ID' }),
  from: Type.String({ description: "the caller's number" }),
  to: Type.String({ description: 'the number dialled' }),
  state: Type.Union(
    ['queued', 'callback', 'connecting', 'connected', 'held', 'conference', 'ended'].map((s) =>
      Type.Literal(s),
    ),
    {
      description: 'callback: the caller hung up after asking to be called back; the task keeps their place',
    },
  ),
  agentId: Type.Optional(Uuid),
  device: Type.Optional(
    Type.Union([Type.Literal('webrtc'), Type.Literal('sip')], {
      description: "the agent's browser softphone, or the SIP phone on the agent's profile",
    }),
  ),
  queuedAt: Timestamp,
  connectedAt: Type.Optional(Timestamp),
  consult: Type.Optional(
    Type.Object(
      { agentId: Uuid, state: Type.Union([Type.Literal('ringing'), Type.Literal('connected')]) },
      { description: 'the colleague the agent is consulting while the caller holds' },
    ),
  ),
  participants: Type.Optional(
    Type.Array(Uuid, { description: 'conference: the two agents with the caller' }),
  ),
});

const Line = Type.Object({
  lineId: Uuid,
  state: Type.Union([Type.Literal('connecting'), Type.Literal('up')]),
  muted: Type.Boolean(),
  call: Type.Optional(ActiveCall),
});

const Settings = Type.Object({
  callerId: Type.Union([Type.String(), Type.Null()], {
    description: 'E.164; shown to the customers agents call',
  }),
  trunk: Type.Union([
    Type.Object({
      uri: Type.String(),
      username: Type.Union([Type.String(), Type.Null()]),
      hasPassword: Type.Boolean(),
    }),
    Type.Null(),
  ]),
  callbackOffer: Type.Boolean({
    description: 'queued callers may press 1 to be called back, keeping their place (needs a trunk)',
  }),
});

const CallParams = Type.Object({ conversationId: Uuid }, { additionalProperties: false });
const UserParams = Type.Object({ userId: Uuid }, { additionalProperties: false });
const Phone = Type.Object({ userId: Uuid, uri: Type.Union([Type.String(), Type.Null()]) });

export async function voiceRoutes(fastify: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const db = ctx.storage.db;
  const deps = { db, outbox: ctx.outbox };
  const tags = ['voice'];
  /** The customer's number as this caller may see it (masked for agents, like identities). */
  const shown = async (request: FastifyRequest, call: ActiveCallView) =>
    (await piiViewFor(db, actorOf(request))).call(call);
  const shownLine = async <L extends { call?: ActiveCallView | undefined }>(
    request: FastifyRequest,
    line: L,
  ) => ({
    ...line,
    call: line.call && (await shown(request, line.call)),
  });

  app.get(
    '/api/v1/voice/calls',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Calls in progress after the IVR (queued, ringing an agent, connected, held)',
        description:
          'An agent sees the calls given to them; a supervisor every call of the tenant on this server.',
        response: withProblems({ 200: Type.Object({ items: Type.Array(ActiveCall) }) }),
      },
    },
    async (request) => {
      const pii = await piiViewFor(db, actorOf(request));
      return {
        items: voiceOf(ctx)
          .list(actorOf(request))
          .map((c) => pii.call(c)),
      };
    },
  );

  app.post(
    '/api/v1/voice/calls',
    {
      config: { access: 'agent', rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: 'Call a customer (click-to-call) through the tenant’s trunk',
        description:
          'The agent hears ringback on their softphone line (or, without one, their SIP phone rings first); the customer sees the tenant’s caller id. The call becomes a voice conversation assigned to the agent (it takes their voice capacity) and is in the customer’s timeline. 409 when the tenant has no trunk, the agent has no phone or is already on a call; 400 for a number that is not one.',
        body: Type.Union([
          Body({ number: Type.String({ minLength: 3, maxLength: 32 }), customerId: Type.Optional(Uuid) }),
          Body(
            { identityId: Uuid, customerId: Type.Optional(Uuid) },
            { description: "one of the customer's phone identities (agents see them masked)" },
          ),
        ]),
        response: withProblems({ 201: ActiveCall }),
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await shown(request, await voiceOf(ctx).placeCall(actorOf(request), request.body))),
  );

  app.get(
    '/api/v1/voice/settings',
    {
      config: { access: 'supervisor' },
      schema: {
        tags,
        summary: 'Outbound calling: caller id and SIP trunk (the password is never returned)',
        response: withProblems({ 200: Settings }),
      },
    },
    async (request) => getVoiceSettings(ctx.storage.db, actorOf(request)),
  );

  app.put(
    '/api/v1/voice/settings',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Set the caller id and the SIP trunk agents’ calls leave through',
        description:
          'The trunk URI is a template: `{number}` is the E.164 number, `{digits}` the same without +, e.g. `sip:{digits}@10.0.0.1:5060;transport=tcp`. With a username and password, a 401/407 from the trunk is answered with digest credentials. The password is sealed with the master key; leaving it out keeps the stored one. Audited.',
        body: Body({
          callerId: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()])),
          callbackOffer: Type.Optional(Type.Boolean()),
          trunk: Type.Optional(
            Type.Union([
              Body({
                uri: Type.String({ minLength: 5, maxLength: 500 }),
                username: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
                password: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
              }),
              Type.Null(),
            ]),
          ),
        }),
        response: withProblems({ 200: Settings }),
      },
    },
    async (request) =>
      updateVoiceSettings(
        { db: ctx.storage.db, outbox: ctx.outbox, cipher: ctx.cipher },
        actorOf(request),
        request.body,
      ),
  );

  app.get(
    '/api/v1/voice/calls/:conversationId',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'One call in progress, by its conversation',
        params: CallParams,
        response: withProblems({ 200: ActiveCall }),
      },
    },
    async (request) =>
      shown(request, await voiceOf(ctx).get(actorOf(request), request.params.conversationId)),
  );

  app.post(
    '/api/v1/voice/calls/:conversationId/hold',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Put the caller on hold (they hear music); the agent stays on the line',
        params: CallParams,
        body: Body({}),
        response: withProblems({ 200: ActiveCall }),
      },
    },
    async (request) =>
      shown(request, await voiceOf(ctx).hold(actorOf(request), request.params.conversationId)),
  );

  app.post(
    '/api/v1/voice/calls/:conversationId/resume',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Take the caller off hold',
        params: CallParams,
        body: Body({}),
        response: withProblems({ 200: ActiveCall }),
      },
    },
    async (request) =>
      shown(request, await voiceOf(ctx).resume(actorOf(request), request.params.conversationId)),
  );

  app.post(
    '/api/v1/voice/calls/:conversationId/hangup',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'End the call for the caller',
        description:
          'The conversation stays open for wrap-up; a browser softphone line stays up for the next call.',
        params: CallParams,
        body: Body({}),
        response: withProblems({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await voiceOf(ctx).hangup(actorOf(request), request.params.conversationId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/voice/calls/:conversationId/transfer',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Blind transfer to another agent, a queue or an outside number',
        description:
          'The caller hears music while the ACD offers the call (to that agent, or to the queue’s agents); whoever accepts is connected. A busy agent or unknown queue is refused and the call stays as it was.',
        params: CallParams,
        body: Type.Union([
          Body({ agentId: Uuid }),
          Body({ queueId: Uuid }),
          Body({ number: Type.String({ minLength: 3, maxLength: 32 }) }),
        ]),
        response: withProblems({ 200: ActiveCall }),
      },
    },
    async (request) =>
      shown(
        request,
        await voiceOf(ctx).transfer(actorOf(request), request.params.conversationId, request.body),
      ),
  );

  app.post(
    '/api/v1/voice/calls/:conversationId/consult',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Consult a colleague while the caller holds (music)',
        description:
          "The agent's phone is connected to the colleague's (their softphone line, or their SIP phone rung); then complete the transfer, go back to the caller, or make it a conference. 409 when the colleague is on a call or has no phone.",
        params: CallParams,
        body: Body({ agentId: Uuid }),
        response: withProblems({ 200: ActiveCall }),
      },
    },
    async (request) =>
      shown(
        request,
        await voiceOf(ctx).consult(actorOf(request), request.params.conversationId, request.body.agentId),
      ),
  );

  for (const [path, summary, run] of [
    [
      'consult/complete',
      'Attended transfer: the consulted colleague takes the call (and its conversation)',
      (c: VoiceCenter, a: Actor, id: string) => c.completeConsult(a, id),
    ],
    [
      'consult/cancel',
      'End the consultation and go back to the caller',
      (c: VoiceCenter, a: Actor, id: string) => c.cancelConsult(a, id),
    ],
    [
      'conference',
      'Join the caller, the agent and the consulted colleague in one conversation (three-way mix)',
      (c: VoiceCenter, a: Actor, id: string) => c.conference(a, id),
    ],
    [
      'leave',
      'Leave a conference: the other agent stays with the caller and gets the conversation',
      (c: VoiceCenter, a: Actor, id: string) => c.leave(a, id),
    ],
  ] as const) {
    app.post(
      `/api/v1/voice/calls/:conversationId/${path}`,
      {
        config: { access: 'agent' },
        schema: {
          tags,
          summary,
          params: CallParams,
          body: Body({}),
          response: withProblems({ 200: ActiveCall }),
        },
      },
      async (request) =>
        shown(request, await run(voiceOf(ctx), actorOf(request), request.params.conversationId)),
    );
  }

  app.get(
    '/api/v1/voice/agents/:userId/phone',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'The SIP phone an agent takes calls on (the agent, or a supervisor)',
        params: UserParams,
        response: withProblems({ 200: Phone }),
      },
    },
    async (request) => getAgentPhone(deps, actorOf(request), request.params.userId),
  );

  app.put(
    '/api/v1/voice/agents/:userId/phone',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: 'Set the SIP phone an agent takes calls on (the agent, or an admin); null removes it',
        description:
          'When the agent accepts a call and has no browser softphone up, call control dials this URI (sip:1001@10.0.0.5:5060, `;transport=tcp` for TCP) and connects the caller once it answers. Audited.',
        params: UserParams,
        body: Body({ uri: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]) }),
        response: withProblems({ 200: Phone }),
      },
    },
    async (request) => setAgentPhone(deps, actorOf(request), request.params.userId, request.body.uri),
  );

  app.post(
    '/api/v1/voice/softphone',
    {
      config: { access: 'agent', rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: "Open the agent's browser softphone line (WebRTC offer → answer)",
        description:
          'The browser sends its whole SDP offer (ICE gathering complete, audio, G.711 offered: every browser does); the server answers as ICE lite with its host candidates. The line stays up while the workspace is open: calls the agent accepts are connected to it at once. A new line replaces an older one of the same agent. A bad offer is a 400 saying why.',
        body: Body({ sdp: Type.String({ minLength: 10, maxLength: 20_000 }) }),
        response: withProblems({ 201: Type.Object({ lineId: Uuid, sdp: Type.String() }) }),
      },
    },
    async (request, reply) => {
      try {
        const line = await voiceOf(ctx).openLine(actorOf(request), request.body.sdp);
        return reply.status(201).send(line);
      } catch (err) {
        if (err instanceof WebRtcOfferInvalid) throw new InvalidInput(err.message, 'sdp');
        throw err;
      }
    },
  );

  app.get(
    '/api/v1/voice/softphone',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: "The caller's softphone line and the call on it (404 when no line is open)",
        response: withProblems({ 200: Line }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const line = voiceOf(ctx).line(actor);
      if (!line) throw new NotFound('softphone line of user', actor.userId ?? '');
      return shownLine(request, line);
    },
  );

  app.post(
    '/api/v1/voice/softphone/mute',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: "Mute or unmute the agent's microphone on the line",
        body: Body({ muted: Type.Boolean() }),
        response: withProblems({ 200: Line }),
      },
    },
    async (request) => {
      return shownLine(request, voiceOf(ctx).mute(actorOf(request), request.body.muted));
    },
  );

  app.delete(
    '/api/v1/voice/softphone',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        summary: "Close the agent's softphone line",
        description: 'A call on it goes back to its queue (the caller hears music, not a hang-up).',
        response: withProblems({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      await voiceOf(ctx).closeLine(actorOf(request));
      return reply.status(204).send(null);
    },
  );
}
