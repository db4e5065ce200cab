// The call centre's shapes: what call control and recording must offer it, a call as it tracks it, and
// what the API shows; plus the few helpers the centre and its outbound side share.
import type { Logger } from 'pino';
import type { EventBus } from '../../bus/index.js';
import type { Clock } from '../../core/index.js';
import type { RoutingLive } from '../../routing/index.js';
import type { Cipher } from '../../security/index.js';
import type { Db, Outbox } from '../../storage/index.js';
import type { CallControl } from '../call-control.js';
import type { Conference } from '../conference.js';
import type { PromptAudioSource } from '../ivr/index.js';
import type { Leg } from '../leg.js';
import {
  type AudioClip,
  createClip,
  type MediaEngine,
  type MediaSession,
  SAMPLE_RATE,
} from '../media/index.js';
import type { PromptService } from '../tts/index.js';
import type { WebRtcGateway } from '../webrtc/index.js';
import type { QueueTreatment } from './treatment.js';

/** Places a call (call control's outbound side). */
export interface Dialer {
  dial(
    target: string,
    options: {
      callerId: string;
      displayName?: string;
      ringTimeoutMs?: number;
      auth?: { username: string; password: string };
    },
  ): Promise<Leg>;
}

/** Records a call once it reaches an agent (the recording module). */
export interface CallRecorder {
  start(input: {
    tenantId: string;
    conversationId: string;
    customerId: string;
    callId: string;
    queueId: string | undefined;
    customer: MediaSession;
  }): Promise<RecordingHandle | undefined>;
}

export interface RecordingHandle {
  setAgent(media: MediaSession | undefined, agentId: string | undefined): void;
  stop(): Promise<void>;
}

export interface VoiceCenterDeps {
  calls: CallControl;
  /** The media engine (mixers for conferences). */
  media: MediaEngine;
  db: Db;
  outbox: Outbox;
  routing: RoutingLive;
  bus: EventBus;
  audio: PromptAudioSource;
  prompts: PromptService;
  clock: Clock;
  logger: Logger;
  dialer?: Dialer | undefined;
  recorder?: CallRecorder | undefined;
  /** Answers agents' browser softphones (WebRTC); without it agents take calls on SIP phones only. */
  webrtc?: WebRtcGateway | undefined;
  /** Opens the trunk password (outbound calls). */
  cipher?: Cipher | undefined;
  /** Where call metrics go (/metrics). */
  registry?: import('prom-client').Registry | undefined;
  /** Music between queue announcements (default 20 s; tests shorten it). */
  musicMs?: number | undefined;
}

/**
 * queued: waiting for an agent (music); callback: the caller hung up after asking to be called back and
 * the task keeps their place; connecting: an agent's phone or the customer's is ringing; held: the caller
 * hears music (also while the agent consults a colleague); conference: the caller and two agents.
 */
export type ActiveCallState =
  | 'queued'
  | 'callback'
  | 'connecting'
  | 'connected'
  | 'held'
  | 'conference'
  | 'ended';

/** A call after its IVR, as the API shows it. */
export interface ActiveCallView {
  /** in: the customer called; out: the agent called the customer. */
  direction: 'in' | 'out';
  conversationId: string;
  customerId: string;
  taskId: string;
  callId: string;
  from: string;
  to: string;
  state: ActiveCallState;
  agentId: string | undefined;
  device: 'webrtc' | 'sip' | undefined;
  queuedAt: string;
  connectedAt: string | undefined;
  consult?: { agentId: string; state: 'ringing' | 'connected' } | undefined;
  /** In a conference: the two agents with the caller. */
  participants?: string[] | undefined;
}

/** A call after its IVR (or an agent's own call) while it lasts. */
export interface ActiveCall {
  direction: 'in' | 'out';
  tenantId: string;
  conversationId: string;
  customerId: string;
  taskId: string;
  callId: string;
  from: string;
  to: string;
  caller: Leg;
  language: 'zh-CN' | 'en';
  state: ActiveCallState;
  agentId: string | undefined;
  agentLeg: Leg | undefined;
  /** The agent leg is a SIP phone we dialled for this call (hung up with it), not a standing line. */
  dialled: boolean;
  queuedAt: number;
  connectedAt: number | undefined;
  treatment: QueueTreatment | undefined;
  recording: RecordingHandle | undefined;
  /** Bumped whenever the call is handed to someone else, so a late dial result is ignored. */
  generation: number;
  /** Who hung up from our side (an agent, a supervisor), when it was not the caller. */
  endedBy: string | undefined;
  /** The number to call back (the caller's, E.164), once they asked for it. */
  callbackNumber?: string | undefined;
  /** A colleague the agent is consulting (their phone ringing, then bridged to the agent's). */
  consult?: { agentId: string; leg: Leg | undefined; state: 'ringing' | 'connected' } | undefined;
  /** The three-way call, its two agents, and each agent's leg in it. */
  conference?: Conference | undefined;
  participants?: string[] | undefined;
  consultLegs?: Map<string, Leg> | undefined;
}

/** An agent's softphone line as the agent's browser sees it. */
export interface LineView {
  lineId: string;
  state: 'connecting' | 'up';
  muted: boolean;
  call: ActiveCallView | undefined;
}

export type TransferTarget = { agentId: string } | { queueId: string } | { number: string };

export const lineKey = (tenantId: string, agentId: string) => `${tenantId}/${agentId}`;

export function viewOf(a: ActiveCall): ActiveCallView {
  return {
    direction: a.direction,
    conversationId: a.conversationId,
    customerId: a.customerId,
    taskId: a.taskId,
    callId: a.callId,
    from: a.from,
    to: a.to,
    state: a.state,
    agentId: a.agentId,
    device: a.agentLeg ? (a.dialled ? 'sip' : 'webrtc') : undefined,
    queuedAt: new Date(a.queuedAt).toISOString(),
    connectedAt: a.connectedAt === undefined ? undefined : new Date(a.connectedAt).toISOString(),
    ...(a.consult && { consult: { agentId: a.consult.agentId, state: a.consult.state } }),
    ...(a.participants && { participants: [...a.participants] }),
  };
}

/** The agents a call involves: the one it is given to, a colleague consulted, both in a conference. */
export function involves(a: ActiveCall, userId: string | null): boolean {
  return (
    userId !== null &&
    (a.agentId === userId || a.consult?.agentId === userId || (a.participants?.includes(userId) ?? false))
  );
}

/** The call a leg is on (as the agent's, a consulted colleague's, or in a conference). */
export function legIsOn(a: ActiveCall, leg: Leg): boolean {
  return a.agentLeg === leg || a.consult?.leg === leg || [...(a.consultLegs?.values() ?? [])].includes(leg);
}

let ringbackClip: AudioClip | undefined;

/** What the agent hears while the customer's phone rings: 450 Hz, 1 s on, 4 s off (China's ringback). */
export function ringback(): AudioClip {
  if (ringbackClip) return ringbackClip;
  const samples = new Int16Array(5 * SAMPLE_RATE);
  for (let i = 0; i < SAMPLE_RATE; i++)
    samples[i] = Math.round(4000 * Math.sin((2 * Math.PI * 450 * i) / SAMPLE_RATE));
  ringbackClip = createClip(samples);
  return ringbackClip;
}

/** Resolves with the leg once it is answered, or undefined when it ends first. */
export function answeredOrEnded(leg: Leg): Promise<Leg | undefined> {
  if (leg.state === 'answered' || leg.state === 'bridged') return Promise.resolve(leg);
  if (leg.state === 'ended') return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const onAnswered = () => {
      leg.off('ended', onEnded);
      resolve(leg);
    };
    const onEnded = () => {
      leg.off('answered', onAnswered);
      resolve(undefined);
    };
    leg.once('answered', onAnswered);
    leg.once('ended', onEnded);
  });
}
