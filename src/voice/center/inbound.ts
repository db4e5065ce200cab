// The call centre's inbound side: a call the IVR queued waits there with announcements and music (and
// may ask to be called back), and is connected to the agent its task is given to: the agent's softphone
// line, or their SIP phone, which is dialled. An agent who cannot be reached gives the task back.
import { systemActor } from '../../core/index.js';
import { normalizePhone } from '../../identity/normalize/index.js';
import { getTask, queuePosition, transferTask } from '../../routing/index.js';
import type { Call } from '../call.js';
import type { CallSession } from '../ivr/index.js';
import type { Leg } from '../leg.js';
import { type AudioClip, clipFromG711 } from '../media/index.js';
import { abandon } from './ending.js';
import { type ActiveCall, answeredOrEnded } from './model.js';
import { type CallDesk, callBack } from './outbound.js';
import { agentPhoneOf } from './phones.js';
import { getVoiceSettings } from './settings.js';
import { QueueTreatment } from './treatment.js';

/**
 * After the IVR: the call waits in its queue, or goes to the agent who already took its task. A call the
 * IVR did not queue (a number nobody owns, a flow that ended the call) is not the centre's.
 */
export async function queueInbound(desk: CallDesk, call: Call, session: CallSession): Promise<void> {
  const { tenantId, taskId, conversationId, customerId } = session;
  if (!tenantId || !taskId || !conversationId || !customerId) return;
  const language = session.result.attributes.language === 'en' ? 'en' : 'zh-CN';
  const a: ActiveCall = {
    direction: 'in',
    tenantId,
    conversationId,
    customerId,
    taskId,
    callId: call.sipCallId,
    from: call.from.user ?? 'anonymous',
    to: call.to.user ?? '',
    caller: call,
    language,
    state: 'queued',
    agentId: undefined,
    agentLeg: undefined,
    dialled: false,
    queuedAt: desk.deps.clock.now(),
    connectedAt: undefined,
    treatment: undefined,
    recording: undefined,
    generation: 0,
    endedBy: undefined,
  };
  if (call.state === 'ended') {
    // The caller hung up as the IVR queued the call.
    await abandon(desk, a, call.endCause ?? 'caller-hangup');
    return;
  }
  desk.register(a);
  a.callbackNumber = await callbackNumberOf(desk, a);
  const standing = await queuePosition(desk.deps.routing, systemActor(tenantId), taskId).catch(
    () => undefined,
  );
  await desk.record(a, 'queued', {
    queueId: standing?.queueId,
    position: standing?.position,
    at: new Date(a.queuedAt).toISOString(),
  });
  // The task may have been accepted while we were getting here.
  const task = await getTask(desk.deps.routing, systemActor(tenantId), taskId).catch(() => undefined);
  if (task?.status === 'assigned' && task.agentId) await connect(desk, a, task.agentId);
  else startTreatment(desk, a);
}

/**
 * A caller may ask for a call back when the tenant offers it (voice settings) and has a trunk to call
 * out through, and the caller's number is one we can dial.
 */
async function callbackNumberOf(desk: CallDesk, a: ActiveCall): Promise<string | undefined> {
  const settings = await getVoiceSettings(desk.deps.db, systemActor(a.tenantId)).catch(() => undefined);
  if (!settings?.callbackOffer || !settings.trunk) return undefined;
  return normalizePhone(a.from) ?? undefined;
}

/** The caller pressed 1 in the queue: confirm, hang up, and keep the task waiting in their place. */
async function callbackRequested(desk: CallDesk, a: ActiveCall): Promise<void> {
  if (a.state !== 'queued') return;
  a.state = 'callback';
  await a.treatment?.stop();
  a.treatment = undefined;
  await desk.record(a, 'callback_requested', { number: a.callbackNumber });
  const text =
    a.language === 'en'
      ? 'Thank you. We will call you back as soon as an agent is free. Goodbye.'
      : '好的，坐席空闲时我们会尽快给您回电，您的排队位置已保留。再见。';
  try {
    await a.caller.play(await speak(desk, text, a.language));
  } catch (err) {
    desk.logger.warn({ err }, 'voice: the call-back confirmation could not be played');
  }
  await a.caller.hangup();
}

/** The caller waits with announcements and music (treatment.ts), offered a call back if they may have one. */
export function startTreatment(desk: CallDesk, a: ActiveCall): void {
  void a.treatment?.stop();
  const actor = systemActor(a.tenantId);
  a.treatment = new QueueTreatment(a.caller, {
    language: a.language,
    musicMs: desk.deps.musicMs,
    offerCallback: a.callbackNumber !== undefined,
    onCallback: () => desk.track(callbackRequested(desk, a)),
    standing: () => queuePosition(desk.deps.routing, actor, a.taskId),
    speak: (text, language) => speak(desk, text, language),
    warn: (context, message) => desk.logger.warn(context, message),
  });
}

async function speak(desk: CallDesk, text: string, language: 'zh-CN' | 'en'): Promise<AudioClip> {
  const spoken = await desk.deps.prompts.speak({ text, language });
  return clipFromG711('PCMU', spoken.pcmu);
}

/** The task is the agent's: bridge the caller to the agent's line, or ring the agent's SIP phone. */
export async function connect(desk: CallDesk, a: ActiveCall, agentId: string): Promise<void> {
  if (a.state === 'callback') {
    ++a.generation;
    await callBack(desk, a, agentId);
    return;
  }
  const generation = ++a.generation;
  a.agentId = agentId;
  a.state = 'connecting';
  const line = desk.lineOf(a.tenantId, agentId);
  let leg: Leg | undefined;
  let device: 'webrtc' | 'sip' | undefined;
  if (line && line.state !== 'ended' && !line.bridgedTo && !line.conference) {
    // A line still coming up (ICE, DTLS) is waited for.
    leg = await answeredOrEnded(line);
    device = 'webrtc';
  } else {
    const phone = await agentPhoneOf(desk.deps.db, a.tenantId, agentId);
    if (phone && desk.deps.dialer) {
      device = 'sip';
      await desk.record(a, 'ringing_agent', { agentId, device });
      try {
        leg = await desk.deps.dialer.dial(phone, { callerId: a.from, ringTimeoutMs: 30_000 });
        leg = await answeredOrEnded(leg);
      } catch (err) {
        desk.logger.warn({ err, agentId }, "voice: the agent's phone could not be dialled");
        leg = undefined;
      }
      if (leg && a.generation !== generation) {
        // Transferred or ended while the phone rang.
        void leg.hangup();
        return;
      }
    }
  }
  // Ended, transferred or given to someone else meanwhile (each bumps the generation).
  if (a.generation !== generation) return;
  if (!leg || leg.state === 'ended') {
    await unreachable(desk, a, agentId);
    return;
  }
  await a.treatment?.stop();
  a.treatment = undefined;
  if (a.caller.state === 'ended') {
    if (device === 'sip') void leg.hangup();
    return;
  }
  a.caller.stopPlayback();
  a.caller.bridge(leg);
  a.agentLeg = leg;
  a.dialled = device === 'sip';
  a.state = 'connected';
  a.connectedAt ??= desk.deps.clock.now();
  if (a.dialled)
    leg.once('ended', () => {
      // The agent hung up their phone: the call is over for the customer too.
      if (a.agentLeg === leg && a.state === 'connected') {
        a.endedBy = agentId;
        void a.caller.hangup();
      }
    });
  await desk.startRecording(a, leg, agentId);
  await desk.record(a, 'connected', { agentId, device });
}

/** The agent accepted but has no phone up: the task goes back to its queue for someone else. */
export async function unreachable(desk: CallDesk, a: ActiveCall, agentId: string): Promise<void> {
  await desk.record(a, 'agent_unreachable', { agentId });
  a.agentId = undefined;
  if (a.state !== 'callback') {
    a.state = 'queued';
    startTreatment(desk, a);
  }
  try {
    const task = await getTask(desk.deps.routing, systemActor(a.tenantId), a.taskId);
    if (task.status === 'assigned' && task.queueId)
      await transferTask(desk.deps.routing, systemActor(a.tenantId), a.taskId, { queueId: task.queueId });
  } catch (err) {
    desk.logger.warn({ err, taskId: a.taskId }, 'voice: could not return the call to its queue');
  }
}
