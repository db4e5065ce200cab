// One RTP stream on one port: plays clips frame by frame on the shared media tick, reads what arrives
// (audio, RFC 4733 digits), and relays to another session when bridged, or sends a mixer's frames.
import { randomInt } from 'node:crypto';
import type dgram from 'node:dgram';
import {
  type AudioClip,
  type Codec,
  decodeFrame,
  encodedClip,
  encodeFrame,
  FRAME_SAMPLES,
  silenceFrame,
  transcode,
} from './audio.js';
import type { MediaClock } from './clock.js';
import type { MediaSession, Playback, PlayEnd, PlayOptions, SessionStats } from './contract.js';
import { type DtmfEvent, DtmfReceiver } from './dtmf.js';
import type { RtpMixer } from './mixer.js';
import { encodeRtp, parseRtp, type RtpPacket } from './rtp.js';
import type { RemoteMedia } from './sdp.js';

export interface SessionHost {
  clock: MediaClock;
  totals: { sent: number; received: number };
  /** Send silence while nothing plays (keeps NAT bindings and the far end's RTP timeout happy). */
  sendSilence: boolean;
  /** How long after `connect` the session may latch onto another source address (symmetric RTP). */
  latchWindowMs: number;
  released(session: RtpSession): void;
  warn(context: Record<string, unknown>, message: string): void;
}

interface Queued {
  clip: AudioClip;
  codec: Codec;
  bytes: Uint8Array;
  offset: number;
  loop: boolean;
  resolve: (end: PlayEnd) => void;
}

const TS_MASK = 0xffffffff;
/** Scratch for a mixed frame's encoding (`encodeRtp` copies it into the packet). */
const mixedFrame = new Uint8Array(FRAME_SAMPLES);

export class RtpSession implements MediaSession {
  private remote: RemoteMedia | undefined;
  private target: { address: string; port: number } | undefined;
  private connectedAt = 0;
  private latched = false;
  private readonly ssrc = randomInt(2 ** 32 - 1);
  private seq = randomInt(2 ** 16);
  private ts = randomInt(2 ** 32 - 1);
  private marker = true;
  private readonly queue: Queued[] = [];
  private readonly dtmf = new DtmfReceiver();
  private readonly dtmfListeners = new Set<(event: DtmfEvent) => void>();
  private readonly audioListeners = new Set<(pcm: Int16Array) => void>();
  private releasedListeners: (() => void)[] = [];
  private peer: RtpSession | undefined;
  private inMixer: RtpMixer | undefined;
  /** Added to a bridged peer's sequence numbers and timestamps to continue ours. */
  private relayOffsets: { seq: number; ts: number } | undefined;
  private silence: Uint8Array | undefined;
  private readonly counters: SessionStats = {
    packetsSent: 0,
    packetsReceived: 0,
    packetsRejected: 0,
    dtmfReceived: 0,
    framesPlayed: 0,
  };
  released = false;

  constructor(
    readonly id: string,
    readonly localPort: number,
    private readonly socket: dgram.Socket,
    private readonly host: SessionHost,
  ) {
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo.address, rinfo.port));
    host.clock.add(this.tick);
  }

  get bridgedTo(): MediaSession | undefined {
    return this.peer;
  }

  get mixer(): RtpMixer | undefined {
    return this.inMixer;
  }

  connect(remote: RemoteMedia): void {
    if (this.released) return;
    this.remote = remote;
    this.target = { address: remote.address, port: remote.port };
    this.connectedAt = performance.now();
    this.latched = false;
    this.silence = silenceFrame(remote.codec);
    this.marker = true;
  }

  play(clip: AudioClip, options: PlayOptions = {}): Playback {
    let resolve!: (end: PlayEnd) => void;
    const done = new Promise<PlayEnd>((r) => {
      resolve = r;
    });
    if (this.released) {
      resolve('released');
      return { done, stop: () => {} };
    }
    const codec = this.remote?.codec ?? 'PCMU';
    const entry: Queued = {
      clip,
      codec,
      bytes: encodedClip(clip, codec),
      offset: 0,
      loop: options.loop === true,
      resolve,
    };
    this.queue.push(entry);
    return {
      done,
      stop: () => {
        const i = this.queue.indexOf(entry);
        if (i >= 0) {
          this.queue.splice(i, 1);
          entry.resolve('stopped');
          if (i === 0) this.marker = true;
        }
      },
    };
  }

  stopPlayback(): void {
    this.endAll('stopped');
  }

  onDtmf(listener: (event: DtmfEvent) => void): () => void {
    this.dtmfListeners.add(listener);
    return () => this.dtmfListeners.delete(listener);
  }

  onAudio(listener: (pcm: Int16Array) => void): () => void {
    this.audioListeners.add(listener);
    return () => this.audioListeners.delete(listener);
  }

  bridge(other: MediaSession): void {
    if (!(other instanceof RtpSession) || other === this || this.released || other.released)
      throw new Error('can only bridge two live sessions of the same engine');
    this.inMixer?.remove(this);
    other.inMixer?.remove(other);
    this.unbridge();
    other.unbridge();
    this.peer = other;
    other.peer = this;
    this.stopPlayback();
    other.stopPlayback();
  }

  unbridge(): void {
    const peer = this.peer;
    if (!peer) return;
    this.peer = undefined;
    this.relayOffsets = undefined;
    this.marker = true;
    if (peer.peer === this) peer.unbridge();
  }

  async stats(): Promise<SessionStats> {
    return this.snapshot();
  }

  snapshot(): SessionStats {
    return { ...this.counters };
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.unbridge();
    this.inMixer?.remove(this);
    this.endAll('released');
    this.host.clock.remove(this.tick);
    this.dtmfListeners.clear();
    this.audioListeners.clear();
    try {
      this.socket.close(() => this.host.released(this));
    } catch {
      this.host.released(this);
    }
    for (const listener of this.releasedListeners.splice(0)) listener();
  }

  onReleased(listener: () => void): void {
    if (this.released) listener();
    else this.releasedListeners.push(listener);
  }

  private endAll(end: PlayEnd): void {
    const queued = this.queue.splice(0);
    for (const q of queued) q.resolve(end);
    if (queued.length > 0) this.marker = true;
  }

  private get sending(): boolean {
    const r = this.remote;
    return !!r && r.direction !== 'sendonly' && r.direction !== 'inactive' && r.address !== '0.0.0.0';
  }

  /** The shared timer's call: `frames` 20 ms frames are due. */
  private readonly tick = (frames: number, now: number): void => {
    const lost = this.dtmf.flush(now);
    if (lost) this.emitDtmf(lost);
    if (!this.remote || this.peer || this.inMixer) return;
    for (let f = 0; f < frames; f++) {
      const frame = this.nextFrame();
      if (frame && this.sending) this.send(this.remote.payloadType, frame);
      this.ts = (this.ts + FRAME_SAMPLES) & TS_MASK;
    }
  };

  private nextFrame(): Uint8Array | undefined {
    const current = this.queue[0];
    if (!current) return this.host.sendSilence ? this.silence : undefined;
    const codec = this.remote?.codec ?? 'PCMU';
    if (current.codec !== codec) {
      // A re-INVITE changed the codec mid-clip: carry on in the new one.
      current.codec = codec;
      current.bytes = encodedClip(current.clip, codec);
    }
    const { bytes } = current;
    const start = this.advanceClip(current);
    let frame = bytes.subarray(start, start + FRAME_SAMPLES);
    if (frame.length < FRAME_SAMPLES) {
      const padded = new Uint8Array(this.silence ?? silenceFrame('PCMU'));
      padded.set(frame);
      frame = padded;
    }
    return frame;
  }

  /** Moves the clip on by a frame (ending or looping it at its end); returns where that frame starts. */
  private advanceClip(current: Queued): number {
    const start = current.offset;
    const length = current.bytes.length;
    current.offset += FRAME_SAMPLES;
    if (current.offset >= length) {
      if (current.loop && length > 0) current.offset = 0;
      else {
        this.queue.shift();
        current.resolve('finished');
      }
    }
    this.counters.framesPlayed++;
    return start;
  }

  /** For the mixer: `mixer` is now this session's (it leaves its bridge or other mixer; playback stops). */
  joinMixer(mixer: RtpMixer): void {
    this.unbridge();
    this.inMixer?.remove(this);
    this.stopPlayback();
    this.inMixer = mixer;
    this.marker = true;
  }

  /** For the mixer: the session is on its own again. */
  leaveMixer(): void {
    this.inMixer = undefined;
    this.marker = true;
  }

  /** For the mixer: the playing clip's next frame as PCM (up to 160 samples), or undefined. */
  nextPlayedPcm(): Int16Array | undefined {
    const current = this.queue[0];
    if (!current || !this.remote) return undefined;
    const start = this.advanceClip(current);
    return current.clip.samples.subarray(start, start + FRAME_SAMPLES);
  }

  /**
   * For the mixer: one 20 ms frame of this session's stream (our SSRC, sequence and timestamp, our codec);
   * undefined means nobody spoke, which is silence or (without `sendSilence`) nothing.
   */
  sendMixed(pcm: Int16Array | undefined): void {
    const remote = this.remote;
    if (!remote) return;
    if (this.sending) {
      const frame = pcm
        ? encodeFrame(remote.codec, pcm, mixedFrame)
        : this.host.sendSilence
          ? this.silence
          : undefined;
      if (frame) this.send(remote.payloadType, frame);
    }
    this.ts = (this.ts + FRAME_SAMPLES) & TS_MASK;
  }

  private send(payloadType: number, payload: Uint8Array): void {
    const target = this.target;
    if (!target) return;
    const packet = encodeRtp(
      { payloadType, marker: this.marker, sequence: this.seq, timestamp: this.ts, ssrc: this.ssrc },
      payload,
    );
    this.marker = false;
    this.seq = (this.seq + 1) & 0xffff;
    this.transmit(packet, target);
  }

  private transmit(packet: Buffer, target: { address: string; port: number }): void {
    this.counters.packetsSent++;
    this.host.totals.sent++;
    // No callback: a failed send surfaces as the socket's 'error' event, which the engine logs.
    this.socket.send(packet, target.port, target.address);
  }

  private receive(msg: Buffer, address: string, port: number): void {
    this.counters.packetsReceived++;
    this.host.totals.received++;
    const remote = this.remote;
    const packet = remote ? parseRtp(msg) : undefined;
    if (!remote || !packet || !this.acceptFrom(remote, address, port)) {
      this.counters.packetsRejected++;
      return;
    }
    if (packet.payloadType === remote.dtmfPayloadType) {
      for (const event of this.dtmf.push(packet.ssrc, packet.timestamp, packet.payload, performance.now()))
        this.emitDtmf(event);
      this.peer?.relay(packet, 'dtmf', remote);
      return;
    }
    if (packet.payloadType !== remote.payloadType) {
      // Comfort noise (13) and anything not negotiated.
      this.counters.packetsRejected++;
      return;
    }
    if (this.audioListeners.size > 0 || this.inMixer) {
      const pcm = decodeFrame(remote.codec, packet.payload);
      for (const listener of this.audioListeners) listener(pcm);
      this.inMixer?.push(this, pcm);
    }
    this.peer?.relay(packet, 'audio', remote);
  }

  /**
   * Packets from the negotiated address are taken; from another port of the same host, or (within the
   * latch window, once) another host, we latch onto the source and send there (symmetric RTP behind NAT).
   */
  private acceptFrom(remote: RemoteMedia, address: string, port: number): boolean {
    const target = this.target!;
    if (address === target.address && port === target.port) return true;
    const sameHost = address === remote.address;
    if (!this.latched && (sameHost || performance.now() - this.connectedAt < this.host.latchWindowMs)) {
      this.latched = true;
      this.target = { address, port };
      return true;
    }
    return sameHost;
  }

  /** A packet the bridged peer received, re-sent from this session as part of its own stream. */
  private relay(packet: RtpPacket, kind: 'audio' | 'dtmf', from: RemoteMedia): void {
    const remote = this.remote;
    const target = this.target;
    if (!remote || !target || !this.sending) return;
    let payloadType: number;
    let payload: Uint8Array;
    if (kind === 'dtmf') {
      if (remote.dtmfPayloadType === undefined) return;
      payloadType = remote.dtmfPayloadType;
      payload = packet.payload;
    } else {
      payloadType = remote.payloadType;
      payload = transcode(from.codec, remote.codec, packet.payload);
    }
    if (!this.relayOffsets) {
      this.relayOffsets = {
        seq: (this.seq - packet.sequence) & 0xffff,
        ts: (this.ts - packet.timestamp) & TS_MASK,
      };
      this.marker = true;
    }
    const sequence = (packet.sequence + this.relayOffsets.seq) & 0xffff;
    const timestamp = (packet.timestamp + this.relayOffsets.ts) & TS_MASK;
    const out = encodeRtp(
      { payloadType, marker: this.marker || packet.marker, sequence, timestamp, ssrc: this.ssrc },
      payload,
    );
    this.marker = false;
    // Where our own stream continues after an unbridge.
    this.seq = (sequence + 1) & 0xffff;
    if (kind === 'audio') this.ts = (timestamp + payload.length) & TS_MASK;
    this.transmit(out, target);
  }

  private emitDtmf(event: DtmfEvent): void {
    this.counters.dtmfReceived++;
    for (const listener of this.dtmfListeners) {
      try {
        listener(event);
      } catch (err) {
        this.host.warn({ err, session: this.id }, 'media: DTMF listener threw');
      }
    }
  }
}
