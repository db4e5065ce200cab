// The contact-centre side of voice: a call that leaves the IVR for a queue waits there with position
// announcements and music, and when the ACD gives its task to an agent it is connected to that agent's
// phone: the browser softphone line the agent holds open, or the SIP phone on the agent's profile,
// which is dialled. Agents and supervisors hold, resume, transfer and hang up through here, and every
// step is recorded as a `call.*` event (the customer's timeline shows them with the call).
import type { Logger } from 'pino';
import type { Subscription } from '../../bus/index.js';
import { CALL_AGGREGATE } from '../../conversations/timeline.js';
import {
  type Actor,
  Conflict,
  type DomainEvent,
  Forbidden,
  NotFound,
  newId,
  roleAtLeast,
  systemActor,
  Unavailable,
} from '../../core/index.js';
import { getTask, transferTask } from '../../routing/index.js';
import type { Call } from '../call.js';
import { handleInboundCall, type IvrSessionDeps } from '../ivr/index.js';
import type { Leg } from '../leg.js';
import { toMediaCall } from '../media-call.js';
import type { WebRtcLeg } from '../webrtc/index.js';
import { cancelConsult, completeConsult, consult, leaveConference, startConference } from './consult.js';
import { callerEnded } from './ending.js';
import { connect, queueInbound, startTreatment, unreachable } from './inbound.js';
import { type CallMetrics, createCallMetrics } from './metrics.js';
import {
  type ActiveCall,
  type ActiveCallView,
  involves,
  type LineView,
  legIsOn,
  lineKey,
  type TransferTarget,
  type VoiceCenterDeps,
  viewOf,
} from './model.js';
import { type CallDesk, type PlaceCall, placeCall, transferToNumber } from './outbound.js';
import { holdMusic } from './treatment.js';

export type {
  ActiveCallState,
  ActiveCallView,
  CallRecorder,
  Dialer,
  LineView,
  RecordingHandle,
  TransferTarget,
  VoiceCenterDeps,
} from './model.js';

export class VoiceCenter {
  private readonly byTask = new Map<string, ActiveCall>();
  private readonly byConversation = new Map<string, ActiveCall>();
  /** Agents' standing softphone lines (the browser's WebRTC leg), by tenant and agent. */
  private readonly lines = new Map<string, Leg>();
  private subscription: Subscription | undefined;
  private readonly logger: Logger;
  private readonly ivr: IvrSessionDeps;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** What the centre's parts (outbound.ts, consult.ts, inbound.ts, ending.ts) reach of it. */
  private readonly desk: CallDesk;
  private readonly metrics: CallMetrics | undefined;

  constructor(private readonly deps: VoiceCenterDeps) {
    this.logger = deps.logger.child({ module: 'voice-center' });
    this.ivr = {
      db: deps.db,
      outbox: deps.outbox,
      routing: deps.routing,
      audio: deps.audio,
      clock: deps.clock,
      logger: this.logger,
    };
    this.metrics = deps.registry && createCallMetrics(deps.registry, () => this.byTask.values());
    this.desk = {
      deps,
      logger: this.logger,
      metrics: this.metrics,
      lineOf: (tenantId, agentId) => this.lineOf(tenantId, agentId),
      calls: () => this.byTask.values(),
      register: (a) => this.register(a),
      forget: (a) => {
        this.byTask.delete(a.taskId);
        this.byConversation.delete(a.conversationId);
      },
      record: (a, type, detail) => this.record(a, type, detail),
      startRecording: (a, leg, agentId) => this.startRecording(a, leg, agentId),
      unreachable: (a, agentId) => unreachable(this.desk, a, agentId),
      track: (p) => this.track(p),
    };
  }

  /** Tracks a call and ends it with its customer's leg (every time that leg is a new one). */
  private register(a: ActiveCall): void {
    this.byTask.set(a.taskId, a);
    this.byConversation.set(a.conversationId, a);
    const leg = a.caller;
    leg.once('ended', (cause) => {
      if (a.caller === leg) this.track(callerEnded(this.desk, a, cause));
    });
  }

  async start(): Promise<void> {
    this.deps.calls.onCall((call) => {
      // Call control hangs the call up if this fails; here it is only waited for on close.
      const handled = this.inbound(call);
      this.watch(handled);
      return handled;
    });
    this.subscription = await this.deps.bus.subscribe({
      pattern: 'sb.*.routing.task.assigned',
      handler: (event) => {
        this.track(this.onAssigned(event));
      },
    });
  }

  async close(): Promise<void> {
    await this.subscription?.unsubscribe();
    for (const a of this.byTask.values()) await a.treatment?.stop();
    await Promise.allSettled([...this.inFlight]);
    for (const a of this.byTask.values()) await a.recording?.stop().catch(() => {});
    await this.deps.webrtc?.close();
  }

  // ---- agents' lines -------------------------------------------------------------------------

  /** The agent's browser softphone is up: calls given to the agent are bridged to it. Replaces an older one. */
  attachLine(tenantId: string, agentId: string, leg: Leg): void {
    const key = lineKey(tenantId, agentId);
    const old = this.lines.get(key);
    this.lines.set(key, leg);
    if (old && old !== leg) void old.hangup();
    leg.once('ended', () => {
      if (this.lines.get(key) === leg) this.lines.delete(key);
      this.lineLost(tenantId, agentId, leg);
    });
    // An accepted call may be waiting for this line (the agent accepted before the softphone was up).
    for (const a of this.byTask.values())
      if (a.tenantId === tenantId && a.agentId === agentId && a.state === 'connecting' && !a.agentLeg)
        this.track(connect(this.desk, a, agentId));
  }

  lineOf(tenantId: string, agentId: string): Leg | undefined {
    return this.lines.get(lineKey(tenantId, agentId));
  }

  /**
   * The agent's browser offers its softphone line (WebRTC, the whole offer with its candidates): we
   * answer, and from then on calls given to the agent are bridged to it. One line per agent; a new one
   * (another tab, a reload) replaces the old.
   */
  async openLine(actor: Actor, offerSdp: string): Promise<{ lineId: string; sdp: string }> {
    if (!this.deps.webrtc) throw new Unavailable('the browser softphone is off on this server');
    const agentId = actor.userId;
    if (!agentId) throw new Forbidden('only a signed-in user has a softphone line');
    const lineId = newId();
    const { leg, answerSdp } = await this.deps.webrtc.answer({ id: lineId, offerSdp });
    this.attachLine(actor.tenantId, agentId, leg);
    return { lineId, sdp: answerSdp };
  }

  /** The caller's own line: its state, whether it is muted, and the call on it. */
  line(actor: Actor): LineView | undefined {
    const leg = actor.userId
      ? (this.lineOf(actor.tenantId, actor.userId) as WebRtcLeg | undefined)
      : undefined;
    if (!leg) return undefined;
    const on = [...this.byConversation.values()].find((a) => legIsOn(a, leg));
    return {
      lineId: leg.id,
      state: leg.state === 'ringing' ? 'connecting' : 'up',
      muted: leg.muted,
      call: on ? this.view(on) : undefined,
    };
  }

  async closeLine(actor: Actor): Promise<void> {
    const leg = actor.userId ? this.lineOf(actor.tenantId, actor.userId) : undefined;
    if (!leg) throw new NotFound('softphone line', actor.userId ?? '');
    await leg.hangup();
  }

  /** Mute: the agent's microphone is not heard (the browser mutes its track too). */
  mute(actor: Actor, muted: boolean): LineView {
    const leg = actor.userId
      ? (this.lineOf(actor.tenantId, actor.userId) as WebRtcLeg | undefined)
      : undefined;
    if (!leg) throw new NotFound('softphone line', actor.userId ?? '');
    leg.setMuted(muted);
    return this.line(actor)!;
  }

  // ---- what the API shows and does ----------------------------------------------------------

  list(actor: Actor): ActiveCallView[] {
    const supervisor = roleAtLeast(actor.role, 'supervisor');
    return [...this.byConversation.values()]
      .filter((a) => a.tenantId === actor.tenantId && (supervisor || involves(a, actor.userId)))
      .map((a) => this.view(a));
  }

  get(actor: Actor, conversationId: string): ActiveCallView {
    return this.view(this.allowed(actor, conversationId));
  }

  /** The caller hears music; the agent's line stays up (and free for a consultation). */
  async hold(actor: Actor, conversationId: string): Promise<ActiveCallView> {
    const a = this.allowed(actor, conversationId);
    if (a.state === 'held') return this.view(a);
    if (a.state !== 'connected')
      throw new Conflict(`the call is ${a.state}; only a connected call can be held`);
    a.caller.unbridge();
    a.state = 'held';
    void a.caller.play(holdMusic(), { loop: true });
    await this.record(a, 'held', { agentId: a.agentId, by: actor.userId ?? 'system' });
    return this.view(a);
  }

  async resume(actor: Actor, conversationId: string): Promise<ActiveCallView> {
    const a = this.allowed(actor, conversationId);
    if (a.state !== 'held') throw new Conflict(`the call is ${a.state}; only a held call can be resumed`);
    const leg = a.agentLeg;
    if (!leg || leg.state === 'ended') throw new Conflict("the agent's phone is no longer connected");
    a.caller.stopPlayback();
    a.caller.bridge(leg);
    a.state = 'connected';
    await this.record(a, 'resumed', { agentId: a.agentId, by: actor.userId ?? 'system' });
    return this.view(a);
  }

  /** The agent (or a supervisor) ends the call for the customer. */
  async hangup(actor: Actor, conversationId: string): Promise<void> {
    const a = this.allowed(actor, conversationId);
    a.endedBy = actor.userId ?? 'system';
    await a.caller.hangup();
  }

  /**
   * Blind transfer: the caller leaves the agent (hearing music) and the task goes to another agent or
   * queue through the ACD; whoever takes it is connected as usual.
   */
  async transfer(actor: Actor, conversationId: string, target: TransferTarget): Promise<ActiveCallView> {
    const a = this.allowed(actor, conversationId);
    if (a.state !== 'connected' && a.state !== 'held')
      throw new Conflict(`the call is ${a.state}; only a call with an agent can be transferred`);
    if ('number' in target) {
      await transferToNumber(this.desk, actor, a, target.number);
      return this.view(a);
    }
    // Routing first: a refused transfer (agent busy, no such queue) changes nothing on the call.
    await transferTask(this.deps.routing, actor, a.taskId, target);
    const from = a.agentId;
    this.releaseAgent(a);
    a.state = 'queued';
    a.generation++;
    await this.record(a, 'transferred', {
      from,
      to: 'agentId' in target ? `agent:${target.agentId}` : `queue:${target.queueId}`,
      by: actor.userId ?? 'system',
    });
    startTreatment(this.desk, a);
    return this.view(a);
  }

  /** Consult a colleague while the caller holds (consult.ts). */
  async consult(actor: Actor, conversationId: string, agentId: string): Promise<ActiveCallView> {
    const a = this.allowed(actor, conversationId);
    await consult(this.desk, actor, a, agentId);
    return this.view(a);
  }

  async cancelConsult(actor: Actor, conversationId: string): Promise<ActiveCallView> {
    const a = this.allowed(actor, conversationId);
    await cancelConsult(this.desk, actor, a);
    return this.view(a);
  }

  /** Attended transfer: the consulted colleague takes the call. */
  async completeConsult(actor: Actor, conversationId: string): Promise<ActiveCallView> {
    const a = this.allowed(actor, conversationId);
    await completeConsult(this.desk, actor, a);
    return this.view(a);
  }

  async conference(actor: Actor, conversationId: string): Promise<ActiveCallView> {
    const a = this.allowed(actor, conversationId);
    await startConference(this.desk, actor, a);
    return this.view(a);
  }

  async leave(actor: Actor, conversationId: string): Promise<ActiveCallView> {
    const a = this.allowed(actor, conversationId);
    await leaveConference(this.desk, actor, a);
    return this.view(a);
  }

  // ---- outbound calls --------------------------------------------------------------------------

  /** Click-to-call (outbound.ts). */
  placeCall(actor: Actor, input: PlaceCall): Promise<ActiveCallView> {
    return placeCall(this.desk, actor, input);
  }

  // ---- inbound calls ---------------------------------------------------------------------------

  /** The IVR answers; a call it queues is this centre's from then on (inbound.ts). */
  private async inbound(call: Call): Promise<void> {
    await queueInbound(this.desk, call, await handleInboundCall(this.ivr, toMediaCall(call)));
  }

  private async onAssigned(event: DomainEvent): Promise<void> {
    const p = event.payload as { taskId?: unknown; agentId?: unknown };
    if (typeof p.taskId !== 'string' || typeof p.agentId !== 'string') return;
    const a = this.byTask.get(p.taskId);
    if (!a || a.tenantId !== event.tenantId || a.state === 'ended') return;
    if (a.agentId === p.agentId && a.state !== 'queued' && a.state !== 'callback') return;
    await connect(this.desk, a, p.agentId);
  }

  private async startRecording(a: ActiveCall, leg: Leg, agentId: string): Promise<void> {
    if (!this.deps.recorder) return;
    try {
      if (!a.recording) {
        const task = await getTask(this.deps.routing, systemActor(a.tenantId), a.taskId).catch(
          () => undefined,
        );
        a.recording = await this.deps.recorder.start({
          tenantId: a.tenantId,
          conversationId: a.conversationId,
          customerId: a.customerId,
          callId: a.callId,
          queueId: task?.queueId,
          customer: a.caller.media,
        });
      }
      a.recording?.setAgent(leg.media, agentId);
    } catch (err) {
      this.logger.error(
        { err, conversationId: a.conversationId },
        'voice: recording could not start; the call goes on',
      );
    }
  }

  /** The agent's line went away (browser closed) mid-call: the caller is queued again, not dropped. */
  private lineLost(tenantId: string, agentId: string, leg: Leg): void {
    for (const a of this.byTask.values()) {
      if (a.tenantId !== tenantId || a.agentLeg !== leg || a.state === 'ended') continue;
      if (a.direction === 'out') {
        // The agent's own call: nobody to queue it for.
        a.endedBy = agentId;
        void a.caller.hangup();
        continue;
      }
      this.track(
        (async () => {
          a.agentLeg = undefined;
          a.generation++;
          await unreachable(this.desk, a, agentId);
        })(),
      );
    }
  }

  private releaseAgent(a: ActiveCall): void {
    const leg = a.agentLeg;
    a.agentLeg = undefined;
    a.agentId = undefined;
    a.recording?.setAgent(undefined, undefined);
    if (!leg) return;
    a.caller.unbridge();
    if (a.dialled) void leg.hangup();
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private allowed(actor: Actor, conversationId: string): ActiveCall {
    const a = this.byConversation.get(conversationId);
    if (!a || a.tenantId !== actor.tenantId) throw new NotFound('call', conversationId);
    if (!involves(a, actor.userId) && !roleAtLeast(actor.role, 'supervisor'))
      throw new Forbidden('only an agent on the call or a supervisor may do this');
    return a;
  }

  private view(a: ActiveCall): ActiveCallView {
    return viewOf(a);
  }

  /** A `call.<type>` event on the call's conversation: in the event log, on the bus, in the timeline. */
  private async record(a: ActiveCall, type: string, detail: Record<string, unknown>): Promise<void> {
    const payload = {
      at: new Date(this.deps.clock.now()).toISOString(),
      ...detail,
      conversationId: a.conversationId,
      customerId: a.customerId,
      taskId: a.taskId,
      callId: a.callId,
    };
    try {
      await this.deps.outbox.emit({
        tenantId: a.tenantId,
        type: `call.${type}`,
        aggregateType: CALL_AGGREGATE,
        aggregateId: a.conversationId,
        payload,
        actor: 'system:voice',
      });
    } catch (err) {
      this.logger.warn(
        { err, type, conversationId: a.conversationId },
        'voice: a call event was not recorded',
      );
    }
  }

  private track(p: Promise<unknown>): void {
    this.watch(p.catch((err: unknown) => this.logger.error({ err }, 'voice: call handling failed')));
  }

  private watch(p: Promise<unknown>): void {
    const settled = p.then(
      () => {},
      () => {},
    );
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
  }
}
