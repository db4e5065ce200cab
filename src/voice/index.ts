// Voice: SIP (UDP, TCP), RTP media with G.711 and RFC 4733 digits, and call control — the calls an IVR
// answers, plays prompts to, collects digits from and bridges. Media sits behind `MediaEngine`.
export { Call, type CallEventMap, type CallParty, type CallState, type EndCause } from './call.js';
export { CallControl, type CallControlEvents, type CallHandler } from './call-control.js';
export type { CollectEnd, CollectOptions, CollectResult } from './digits.js';
export {
  type CallState as LegState,
  type EndCause as LegEndCause,
  Leg,
  type LegEventMap,
  type LegKind,
} from './leg.js';
export {
  type AudioClip,
  clipFromG711,
  createClip,
  type DtmfEvent,
  type MediaEngine,
  type MediaSession,
  type PlayEnd,
  resample,
  SAMPLE_RATE,
  tone,
} from './media/index.js';
export { toMediaCall } from './media-call.js';
export { startVoice, type Voice, type VoiceConfig } from './service.js';
