// An agent asks a colleague before handing a call over: the caller waits on hold (music) while the two
// agents talk; then the agent completes the transfer (attended), goes back to the caller, or joins all
// three in a conference (a mixer on the media engine), which either agent may leave.
import { type Actor, Conflict, systemActor } from '../../core/index.js';
import { getAgentState, handOverConversation } from '../../routing/index.js';
import { Conference } from '../conference.js';
import type { Leg } from '../leg.js';
import type { ActiveCall } from './model.js';
import { agentDevice, type CallDesk } from './outbound.js';
import { holdMusic } from './treatment.js';

function busy(desk: CallDesk, a: ActiveCall, agentId: string): boolean {
  for (const c of desk.calls())
    if (
      c.tenantId === a.tenantId &&
      c.state !== 'ended' &&
      (c.agentId === agentId || c.consult?.agentId === agentId || c.participants?.includes(agentId))
    )
      return true;
  return false;
}

function agentLegOf(a: ActiveCall): Leg {
  const leg = a.agentLeg;
  if (!leg || leg.state === 'ended') throw new Conflict("the agent's phone is no longer on the call");
  return leg;
}

/** The caller is held with music; the agent's phone is bridged to the colleague's (line, or SIP phone rung). */
export async function consult(
  desk: CallDesk,
  actor: Actor,
  a: ActiveCall,
  colleagueId: string,
): Promise<void> {
  if (a.state !== 'connected' && a.state !== 'held')
    throw new Conflict(`the call is ${a.state}; only a call with an agent can be consulted on`);
  if (a.consult) throw new Conflict('a consultation is already in progress');
  if (colleagueId === a.agentId) throw new Conflict('that is the agent on the call');
  if (busy(desk, a, colleagueId)) throw new Conflict('that colleague is on a call');
  // Completing the transfer (or leaving a conference) gives them the conversation: only an available
  // agent can be given work, so one on a break or offline is refused now rather than then.
  const state = await getAgentState(desk.deps.routing, systemActor(a.tenantId), colleagueId).catch(
    () => undefined,
  );
  if (!state || state.state === 'offline' || state.state === 'break')
    throw new Conflict(
      `that colleague is ${state?.state ?? 'not signed in'}; only an available agent can be consulted`,
    );
  const mine = agentLegOf(a);
  a.caller.unbridge();
  if (a.state !== 'held') void a.caller.play(holdMusic(), { loop: true });
  a.state = 'held';
  a.consult = { agentId: colleagueId, leg: undefined, state: 'ringing' };
  await desk.record(a, 'consulting', { agentId: a.agentId, with: colleagueId, by: actor.userId ?? 'system' });
  let theirs: Leg;
  try {
    theirs = await agentDevice(desk, a.tenantId, colleagueId, a.from);
  } catch (err) {
    a.consult = undefined;
    await desk.record(a, 'consult_canceled', { with: colleagueId, why: 'unreachable' });
    throw err;
  }
  if (a.consult?.agentId !== colleagueId || a.caller.state === 'ended') {
    if (theirs.kind === 'sip-out') void theirs.hangup();
    return;
  }
  mine.bridge(theirs);
  a.consult = { agentId: colleagueId, leg: theirs, state: 'connected' };
  theirs.once('ended', () => {
    // The colleague hung up during the consultation: the agent stays, the caller on hold.
    if (a.consult?.leg === theirs) {
      a.consult = undefined;
      void desk.record(a, 'consult_canceled', { with: colleagueId, why: 'colleague-hangup' });
    }
  });
}

/** Back to the caller; the colleague's phone is let go. */
export async function cancelConsult(desk: CallDesk, actor: Actor, a: ActiveCall): Promise<void> {
  const c = a.consult;
  if (!c) throw new Conflict('no consultation is in progress');
  const mine = agentLegOf(a);
  a.consult = undefined;
  mine.unbridge();
  if (c.leg?.kind === 'sip-out') void c.leg.hangup();
  a.caller.stopPlayback();
  a.caller.bridge(mine);
  a.state = 'connected';
  await desk.record(a, 'consult_canceled', { with: c.agentId, by: actor.userId ?? 'system' });
}

/**
 * Gives the call's conversation (and its task) to a colleague. The call is theirs before the hand-over:
 * its routing event may arrive before the hand-over returns, and must find the call already with them
 * (not connect it to them a second time). A refused hand-over gives it back.
 */
async function handOverTo(desk: CallDesk, a: ActiveCall, agentId: string): Promise<void> {
  const before = a.agentId;
  a.agentId = agentId;
  try {
    await handOverConversation(
      desk.deps.routing,
      systemActor(a.tenantId),
      a.conversationId,
      'assign',
      agentId,
    );
  } catch (err) {
    a.agentId = before;
    throw err;
  }
}

/** Attended transfer: the colleague gets the caller (and the conversation's task); the agent is free. */
export async function completeConsult(desk: CallDesk, actor: Actor, a: ActiveCall): Promise<void> {
  const c = a.consult;
  if (!c?.leg || c.state !== 'connected') throw new Conflict('the colleague is not on the line yet');
  const theirs = c.leg;
  const from = a.agentId;
  await handOverTo(desk, a, c.agentId);
  const mine = a.agentLeg;
  const wasDialled = a.dialled;
  a.consult = undefined;
  a.agentLeg = theirs;
  a.dialled = theirs.kind === 'sip-out';
  mine?.unbridge();
  if (mine && wasDialled) void mine.hangup();
  a.caller.stopPlayback();
  a.caller.bridge(theirs);
  a.state = 'connected';
  a.recording?.setAgent(theirs.media, c.agentId);
  await desk.record(a, 'transferred', {
    from,
    to: `agent:${c.agentId}`,
    attended: true,
    by: actor.userId ?? 'system',
  });
}

/** The caller, the agent and the colleague all hear each other. */
export async function startConference(desk: CallDesk, actor: Actor, a: ActiveCall): Promise<void> {
  const c = a.consult;
  if (!c?.leg || c.state !== 'connected') throw new Conflict('the colleague is not on the line yet');
  const mine = agentLegOf(a);
  const conference = new Conference(desk.deps.media.createMixer());
  a.caller.stopPlayback();
  for (const leg of [a.caller, mine, c.leg]) conference.join(leg);
  a.conference = conference;
  a.participants = [a.agentId!, c.agentId];
  a.consultLegs = new Map([
    [a.agentId!, mine],
    [c.agentId, c.leg],
  ]);
  a.consult = undefined;
  a.state = 'conference';
  await desk.record(a, 'conference', { participants: a.participants, by: actor.userId ?? 'system' });
}

/**
 * An agent leaves the conference; the other stays with the caller (and gets the conversation's task
 * if it was the leaving agent's).
 */
export async function leaveConference(desk: CallDesk, actor: Actor, a: ActiveCall): Promise<void> {
  const conference = a.conference;
  const legs = a.consultLegs;
  const leaving = actor.userId ?? '';
  if (!conference || !legs || !a.participants?.includes(leaving))
    throw new Conflict('you are not in a conference on this call');
  const stays = a.participants.find((p) => p !== leaving)!;
  const stayLeg = legs.get(stays)!;
  const leftLeg = legs.get(leaving)!;
  if (a.agentId === leaving) await handOverTo(desk, a, stays);
  a.conference = undefined;
  a.participants = undefined;
  a.consultLegs = undefined;
  a.agentId = stays;
  a.agentLeg = stayLeg;
  a.dialled = stayLeg.kind === 'sip-out';
  conference.close();
  if (leftLeg.kind === 'sip-out') void leftLeg.hangup();
  if (a.caller.state !== 'ended' && stayLeg.state !== 'ended') a.caller.bridge(stayLeg);
  a.state = 'connected';
  a.recording?.setAgent(stayLeg.media, stays);
  await desk.record(a, 'left', { agentId: leaving, by: leaving });
}

/** The call ended: a conference closes, a colleague's phone rung for it is let go. */
export function endConsultations(a: ActiveCall): void {
  if (a.consult?.leg?.kind === 'sip-out') void a.consult.leg.hangup();
  a.consult = undefined;
  a.conference?.close();
  for (const leg of a.consultLegs?.values() ?? [])
    if (leg.kind === 'sip-out' && leg !== a.agentLeg) void leg.hangup();
  a.conference = undefined;
}
