// The call centre's outbound side: an agent's click-to-call, the call back a queued caller asked for,
// and a transfer to an outside number. Each goes out through the tenant's trunk with its caller id,
// and the agent is on their softphone line or, without one, their SIP phone rings first.
import type { Logger } from 'pino';
import { recordCall, resolveCaller } from '../../conversations/index.js';
import {
  type Actor,
  Conflict,
  Forbidden,
  InvalidInput,
  NotFound,
  newId,
  systemActor,
} from '../../core/index.js';
import { identifierOptionsOf } from '../../identity/index.js';
import { normalizePhone } from '../../identity/normalize/index.js';
import { completeTask, createTask, getTask } from '../../routing/index.js';
import { findInTenant } from '../../storage/index.js';
import type { Leg } from '../leg.js';
import type { CallMetrics } from './metrics.js';
import {
  type ActiveCall,
  type ActiveCallView,
  answeredOrEnded,
  type Dialer,
  ringback,
  type VoiceCenterDeps,
  viewOf,
} from './model.js';
import { agentPhoneOf } from './phones.js';
import { type Trunk, trunkOf } from './settings.js';
import { holdMusic } from './treatment.js';

/** What the centre's parts (this outbound side, consult.ts, inbound.ts, ending.ts) need of the centre. */
export interface CallDesk {
  readonly deps: VoiceCenterDeps;
  /** The centre's own logger (its lines say module: voice-center). */
  readonly logger: Logger;
  readonly metrics: CallMetrics | undefined;
  lineOf(tenantId: string, agentId: string): Leg | undefined;
  calls(): Iterable<ActiveCall>;
  /** Tracks the call and ends it with its customer leg. */
  register(a: ActiveCall): void;
  /** Stops tracking a call that ended. */
  forget(a: ActiveCall): void;
  record(a: ActiveCall, type: string, detail: Record<string, unknown>): Promise<void>;
  startRecording(a: ActiveCall, leg: Leg, agentId: string): Promise<void>;
  /** The agent accepted a call they cannot take: it goes back to its queue. */
  unreachable(a: ActiveCall, agentId: string): Promise<void>;
  track(p: Promise<unknown>): void;
}

async function outboundTrunk(desk: CallDesk, tenantId: string): Promise<{ dialer: Dialer; trunk: Trunk }> {
  const { dialer, cipher, db } = desk.deps;
  const trunk = cipher && (await trunkOf(db, cipher, tenantId));
  if (!dialer || !trunk)
    throw new Conflict('no outbound trunk is set for this tenant (PUT /api/v1/voice/settings)');
  return { dialer, trunk };
}

async function e164(desk: CallDesk, tenantId: string, number: string): Promise<string> {
  const options = await identifierOptionsOf(desk.deps.db, tenantId);
  const e = normalizePhone(number, options.region);
  if (!e) throw new InvalidInput(`${number} is not a phone number`, 'number');
  return e;
}

function dialTrunk(dialer: Dialer, trunk: Trunk, number: string, callerId?: string): Promise<Leg> {
  return dialer.dial(trunk.target(number), {
    callerId: trunk.callerId ?? callerId ?? 'anonymous',
    ringTimeoutMs: 60_000,
    ...(trunk.auth && { auth: trunk.auth }),
  });
}

/** The agent's softphone line, or their SIP phone rung and answered; a Conflict when neither. */
export async function agentDevice(
  desk: CallDesk,
  tenantId: string,
  agentId: string,
  callerId: string,
): Promise<Leg> {
  const line = desk.lineOf(tenantId, agentId);
  if (line && line.state !== 'ended') {
    if (line.bridgedTo) throw new Conflict('your phone line is on a call');
    const up = await answeredOrEnded(line);
    if (up) return up;
  }
  const { dialer, db } = desk.deps;
  const phone = await agentPhoneOf(db, tenantId, agentId);
  if (!phone || !dialer)
    throw new Conflict('connect your softphone (or set a SIP phone) before placing a call');
  const leg = await answeredOrEnded(await dialer.dial(phone, { callerId, ringTimeoutMs: 30_000 }));
  if (!leg) throw new Conflict('your phone did not answer');
  return leg;
}

/**
 * The customer's phone rings while the agent hears ringback; once it answers the two are bridged and
 * recorded. The agent hanging up their SIP phone ends the call for the customer too.
 */
function ringCustomer(desk: CallDesk, a: ActiveCall, agentLeg: Leg, agentId: string): void {
  const leg = a.caller;
  if (a.dialled)
    agentLeg.once('ended', () => {
      if (a.agentLeg === agentLeg && a.state !== 'ended') {
        a.endedBy = agentId;
        void leg.hangup();
      }
    });
  void agentLeg.play(ringback(), { loop: true });
  desk.track(
    (async () => {
      const up = await answeredOrEnded(leg);
      agentLeg.stopPlayback();
      if (!up || a.state !== 'connecting' || agentLeg.state === 'ended') return;
      leg.bridge(agentLeg);
      a.state = 'connected';
      a.connectedAt = desk.deps.clock.now();
      await desk.startRecording(a, agentLeg, agentId);
      await desk.record(a, 'connected', { agentId, device: a.dialled ? 'sip' : 'webrtc' });
    })(),
  );
}

/** Whom to call: a number, or one of a customer's phone identities (agents see them masked). */
export type PlaceCall =
  | { number: string; customerId?: string | undefined }
  | { identityId: string; customerId?: string | undefined };

async function whom(
  desk: CallDesk,
  actor: Actor,
  input: PlaceCall,
): Promise<{ number: string; customerId: string | undefined }> {
  const { db } = desk.deps;
  if ('identityId' in input) {
    const identity = await db
      .selectFrom('identities')
      .select(['kind', 'value', 'customer_id'])
      .where('tenant_id', '=', actor.tenantId)
      .where('id', '=', input.identityId)
      .executeTakeFirst();
    if (!identity) throw new NotFound('identity', input.identityId);
    if (identity.kind !== 'phone' && identity.kind !== 'whatsapp')
      throw new InvalidInput(`identity ${input.identityId} is not a phone number`, 'identityId');
    if (input.customerId && input.customerId !== identity.customer_id)
      throw new InvalidInput('that identity belongs to another customer', 'identityId');
    return { number: identity.value, customerId: identity.customer_id };
  }
  if (input.customerId)
    await findInTenant(db, 'customers', actor.tenantId, input.customerId, { entity: 'customer' });
  return { number: input.number, customerId: input.customerId };
}

/**
 * Click-to-call: the agent calls a customer. The call is a voice conversation of its own, assigned to
 * the agent (it takes their voice capacity), and behaves like any other call afterwards.
 */
export async function placeCall(desk: CallDesk, actor: Actor, input: PlaceCall): Promise<ActiveCallView> {
  const { deps } = desk;
  const agentId = actor.userId;
  if (!agentId) throw new Forbidden('only a signed-in agent places calls');
  const target = await whom(desk, actor, input);
  const { dialer, trunk } = await outboundTrunk(desk, actor.tenantId);
  const number = await e164(desk, actor.tenantId, target.number);
  for (const a of desk.calls())
    if (a.tenantId === actor.tenantId && a.agentId === agentId)
      throw new Conflict('you are already on a call');
  const agentLeg = await agentDevice(desk, actor.tenantId, agentId, trunk.callerId ?? number);
  const store = { db: deps.db, outbox: deps.outbox };
  const now = deps.clock.now();
  const callId = newId(now);
  let conversationId: string;
  let customerId: string;
  let taskId: string;
  try {
    customerId = target.customerId ?? (await resolveCaller(store, actor, number)).customer.id;
    const recorded = await recordCall(store, actor, {
      customerId,
      callId,
      summary: `Call to ${number}`,
      details: {
        call: {
          id: callId,
          direction: 'out',
          from: trunk.callerId ?? '',
          to: number,
          agentId,
          startedAt: new Date(now).toISOString(),
        },
      },
      status: 'open',
      occurredAt: new Date(now),
      direction: 'out',
      agentId,
    });
    conversationId = recorded.conversation.id;
    const task = await createTask(deps.routing, actor, {
      channel: 'voice',
      conversationId,
      customerId,
      assignTo: agentId,
      attributes: { direction: 'out' },
    });
    taskId = task.id;
  } catch (err) {
    if (agentLeg.kind === 'sip-out') void agentLeg.hangup();
    throw err;
  }
  const a: ActiveCall = {
    direction: 'out',
    tenantId: actor.tenantId,
    conversationId,
    customerId,
    taskId,
    callId,
    from: trunk.callerId ?? '',
    to: number,
    caller: await dialTrunk(dialer, trunk, number),
    language: 'zh-CN',
    state: 'connecting',
    agentId,
    agentLeg,
    dialled: agentLeg.kind === 'sip-out',
    queuedAt: now,
    connectedAt: undefined,
    treatment: undefined,
    recording: undefined,
    generation: 0,
    endedBy: undefined,
  };
  desk.register(a);
  await desk.record(a, 'dialing', { agentId, to: number });
  ringCustomer(desk, a, agentLeg, agentId);
  return viewOf(a);
}

/**
 * The call back a queued caller asked for, now that an agent has accepted its task: the agent's phone,
 * then the caller's number through the trunk.
 */
export async function callBack(desk: CallDesk, a: ActiveCall, agentId: string): Promise<void> {
  const number = a.callbackNumber;
  let agentLeg: Leg | undefined;
  try {
    if (!number) throw new Conflict('no number to call back');
    const { dialer, trunk } = await outboundTrunk(desk, a.tenantId);
    agentLeg = await agentDevice(desk, a.tenantId, agentId, number);
    if (a.state !== 'callback' || a.generation === -1) {
      if (agentLeg.kind === 'sip-out') void agentLeg.hangup();
      return;
    }
    a.caller = await dialTrunk(dialer, trunk, number, a.to);
  } catch (err) {
    desk.deps.logger.warn({ err, taskId: a.taskId }, 'voice: the call back could not be placed');
    if (agentLeg?.kind === 'sip-out') void agentLeg.hangup();
    await desk.unreachable(a, agentId);
    return;
  }
  a.agentId = agentId;
  a.agentLeg = agentLeg;
  a.dialled = agentLeg.kind === 'sip-out';
  a.state = 'connecting';
  desk.register(a);
  await desk.record(a, 'calling_back', { agentId, to: number });
  ringCustomer(desk, a, agentLeg, agentId);
}

/**
 * A transfer to an outside number: the caller hears music while it rings; once it answers the caller is
 * bridged to it and the agent is free (their task goes to wrap-up). A number that does not answer puts
 * the caller back with the agent.
 */
export async function transferToNumber(
  desk: CallDesk,
  actor: Actor,
  a: ActiveCall,
  to: string,
): Promise<void> {
  const { dialer, trunk } = await outboundTrunk(desk, a.tenantId);
  const number = await e164(desk, a.tenantId, to);
  const agentLeg = a.agentLeg;
  a.caller.unbridge();
  void a.caller.play(holdMusic(), { loop: true });
  const outside = await answeredOrEnded(await dialTrunk(dialer, trunk, number, a.from));
  a.caller.stopPlayback();
  if (!outside || a.state === 'ended') {
    if (outside) void outside.hangup();
    if (agentLeg && agentLeg.state !== 'ended' && a.state !== 'ended') a.caller.bridge(agentLeg);
    await desk.record(a, 'transfer_failed', { to: `number:${number}`, by: actor.userId ?? 'system' });
    throw new Conflict(`${number} did not answer; the caller is back with you`);
  }
  const from = a.agentId;
  const wasDialled = a.dialled;
  // The call is the outside number's before the agent's phone is hung up (its end would end the call).
  a.agentLeg = outside;
  a.agentId = undefined;
  a.dialled = true;
  if (agentLeg && wasDialled) void agentLeg.hangup();
  a.caller.bridge(outside);
  a.state = 'connected';
  outside.once('ended', () => {
    if (a.agentLeg === outside && a.state !== 'ended') void a.caller.hangup();
  });
  a.recording?.setAgent(outside.media, undefined);
  await desk.record(a, 'transferred', { from, to: `number:${number}`, by: actor.userId ?? 'system' });
  const task = await getTask(desk.deps.routing, systemActor(a.tenantId), a.taskId).catch(() => undefined);
  if (task?.status === 'assigned')
    await completeTask(desk.deps.routing, systemActor(a.tenantId), a.taskId).catch((err: unknown) =>
      desk.deps.logger.warn(
        { err, taskId: a.taskId },
        'voice: the transferred call’s task could not be completed',
      ),
    );
}
