// What call control asks of media. The embedded engine (engine.ts) does it in this process; a
// deployment with rtpengine in front would implement the same interface over rtpengine's ng protocol.
import type { AudioClip } from './audio.js';
import type { DtmfEvent } from './dtmf.js';
import type { LatenessSummary } from './histogram.js';
import type { RemoteMedia } from './sdp.js';

export type PlayEnd = 'finished' | 'stopped' | 'released';

export interface Playback {
  /** Settles when the clip has been sent to the end, or was stopped, or the session released. */
  readonly done: Promise<PlayEnd>;
  stop(): void;
}

export interface PlayOptions {
  /** Start again at the end until stopped (music on hold). */
  loop?: boolean;
}

export interface SessionStats {
  packetsSent: number;
  packetsReceived: number;
  /** Packets from an address other than the negotiated (or latched) one, or not RTP. */
  packetsRejected: number;
  dtmfReceived: number;
  /** Audio frames played from clips (not silence, not relayed). */
  framesPlayed: number;
}

export interface MediaSession {
  readonly id: string;
  /** The RTP port we receive on (what our SDP announces). */
  readonly localPort: number;
  /** Where to send, once SDP has said; may change (re-INVITE). Until then the session only listens. */
  connect(remote: RemoteMedia): void;
  /** Queues a clip after whatever is playing; 20 ms frames on the shared media timer. */
  play(clip: AudioClip, options?: PlayOptions): Playback;
  /** Stops the current clip and everything queued. */
  stopPlayback(): void;
  /** RFC 4733 digits, each once. Returns the unsubscribe function. */
  onDtmf(listener: (event: DtmfEvent) => void): () => void;
  /** Received audio, decoded to 16-bit PCM at 8 kHz, one frame per packet (recording, speech). */
  onAudio(listener: (pcm: Int16Array) => void): () => void;
  /** Relays this session's received RTP to `other` and back; prompts stop on both. Leaves any mixer. */
  bridge(other: MediaSession): void;
  unbridge(): void;
  readonly bridgedTo: MediaSession | undefined;
  /** The mixer this session is in (then `bridgedTo` is undefined: a session is in one or the other). */
  readonly mixer: Mixer | undefined;
  /** Counters so far (after release: the final ones). Asynchronous: the engine may live elsewhere. */
  stats(): Promise<SessionStats>;
  /** Stops sending, closes the socket, frees the port. */
  release(): void;
  /** Called once when the session is released — by `release()`, or by the engine (a worker that died). */
  onReleased(listener: () => void): void;
  readonly released: boolean;
}

/**
 * A conference: on every 20 ms tick each member is sent the sum of the other members' latest audio (a
 * jitter buffer of up to three frames each), in its own codec and stream, so everyone hears everyone but
 * themselves. Digits are reported by the member's `onDtmf`, never relayed; `onAudio` still gives what the
 * member sent. A clip played on a member is heard by that member only, on top of the mix.
 */
export interface Mixer {
  readonly id: string;
  /**
   * Takes the session out of its bridge or other mixer and in; its playback stops (as a bridge stops it).
   * Throws for a released session, another engine's session, or a closed mixer.
   */
  add(session: MediaSession): void;
  /** The session goes back to playing and listening on its own (a no-op if it is not a member). */
  remove(session: MediaSession): void;
  readonly members: readonly MediaSession[];
  /** Removes every member; the mixer sends nothing more and takes no new member. */
  close(): void;
  readonly closed: boolean;
}

export interface MediaEngineStats {
  sessions: number;
  portsFree: number;
  /** How late the shared 20 ms tick ran, in ms, since start (or the last reset). */
  timer: LatenessSummary;
  packetsSent: number;
  packetsReceived: number;
}

export interface MediaEngine {
  readonly kind: string;
  /** A session on a free port of the range; rejects with `NoMediaPorts` when none is free. */
  allocate(): Promise<MediaSession>;
  /** An empty mixer for sessions of this engine (nothing is sent until a member joins). */
  createMixer(): Mixer;
  stats(): Promise<MediaEngineStats>;
  /** Clears the timer histogram (the benchmark measures one phase at a time). */
  resetTimerStats(): Promise<void>;
  /** Releases every session. */
  close(): Promise<void>;
}

export class NoMediaPorts extends Error {
  readonly code = 'VOICE_NO_MEDIA_PORTS';
  constructor() {
    super('no free RTP port in the configured range');
  }
}
