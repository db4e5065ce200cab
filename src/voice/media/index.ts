// Media for the voice module: the `MediaEngine` contract call control drives, and the embedded engine
// (RTP over UDP in this process, G.711, RFC 4733 digits, conference mixers, one shared 20 ms timer).
export {
  type AudioClip,
  type Codec,
  clipFromG711,
  createClip,
  encodedClip,
  resample,
  SAMPLE_RATE,
  tone,
} from './audio.js';
export {
  type MediaEngine,
  type MediaEngineStats,
  type MediaSession,
  type Mixer,
  NoMediaPorts,
  type Playback,
  type PlayEnd,
  type PlayOptions,
  type SessionStats,
} from './contract.js';
export type { DtmfEvent } from './dtmf.js';
export { createEmbeddedMediaEngine, type EmbeddedMediaOptions } from './engine.js';
export type { LatenessSummary } from './histogram.js';
export {
  answerOffer,
  createOffer,
  type Direction,
  isHold,
  type LocalMedia,
  type Negotiation,
  type RemoteMedia,
  readAnswer,
} from './sdp.js';
export { createWorkerMediaEngine, type WorkerMediaOptions } from './worker-engine.js';
