// Conference mixing in the embedded engine: what each member receives goes into a small jitter buffer, and
// on every media tick each member is sent the sum of the others (plus a clip it plays itself), encoded in
// its own codec as part of its own RTP stream.
import { FRAME_SAMPLES } from './audio.js';
import type { MediaClock } from './clock.js';
import type { MediaSession, Mixer } from './contract.js';
import { RtpSession } from './session.js';

/**
 * Up to three 20 ms frames wait per member: a packet up to ~40 ms late still counts, and a sender whose
 * clock runs fast loses its oldest audio instead of adding delay without end.
 */
const JITTER_SAMPLES = 3 * FRAME_SAMPLES;
const INT16_MAX = 32767;
const INT16_MIN = -32768;

/** One member's received PCM, oldest first, in a ring. Packets of any ptime go in; 20 ms frames come out. */
export class JitterBuffer {
  private readonly ring = new Int16Array(JITTER_SAMPLES);
  private start = 0;
  private fill = 0;

  get samples(): number {
    return this.fill;
  }

  push(pcm: Int16Array): void {
    const from = Math.max(0, pcm.length - JITTER_SAMPLES);
    const n = pcm.length - from;
    const over = this.fill + n - JITTER_SAMPLES;
    if (over > 0) {
      this.start = (this.start + over) % JITTER_SAMPLES;
      this.fill -= over;
    }
    let at = (this.start + this.fill) % JITTER_SAMPLES;
    for (let i = from; i < pcm.length; i++) {
      this.ring[at] = pcm[i]!;
      at = at + 1 === JITTER_SAMPLES ? 0 : at + 1;
    }
    this.fill += n;
  }

  /** The oldest frame into `out`; false while less than a frame waits (the member is silent this tick). */
  take(out: Int16Array): boolean {
    if (this.fill < FRAME_SAMPLES) return false;
    let at = this.start;
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      out[i] = this.ring[at]!;
      at = at + 1 === JITTER_SAMPLES ? 0 : at + 1;
    }
    this.start = at;
    this.fill -= FRAME_SAMPLES;
    return true;
  }
}

interface Member {
  readonly session: RtpSession;
  readonly buffer: JitterBuffer;
  /** This tick's frame from the member, valid when `heard`. */
  readonly frame: Int16Array;
  heard: boolean;
}

export class RtpMixer implements Mixer {
  private readonly list: RtpSession[] = [];
  private readonly state = new Map<RtpSession, Member>();
  private readonly sum = new Int32Array(FRAME_SAMPLES);
  private readonly out = new Int16Array(FRAME_SAMPLES);
  closed = false;

  constructor(
    readonly id: string,
    private readonly clock: MediaClock,
    private readonly onClosed: (mixer: RtpMixer) => void,
  ) {}

  get members(): readonly MediaSession[] {
    return this.list;
  }

  add(session: MediaSession): void {
    if (!(session instanceof RtpSession) || session.released || this.closed)
      throw new Error('a mixer takes live sessions of its own engine, until it is closed');
    if (session.mixer === this) return;
    session.joinMixer(this);
    this.list.push(session);
    this.state.set(session, {
      session,
      buffer: new JitterBuffer(),
      frame: new Int16Array(FRAME_SAMPLES),
      heard: false,
    });
    if (this.list.length === 1) this.clock.add(this.tick);
  }

  remove(session: MediaSession): void {
    if (!(session instanceof RtpSession) || !this.state.delete(session)) return;
    this.list.splice(this.list.indexOf(session), 1);
    session.leaveMixer();
    if (this.list.length === 0) this.clock.remove(this.tick);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const session of [...this.list]) this.remove(session);
    this.onClosed(this);
  }

  /** Audio a member received, decoded (called by the member's session for each packet). */
  push(session: RtpSession, pcm: Int16Array): void {
    this.state.get(session)?.buffer.push(pcm);
  }

  private readonly tick = (frames: number): void => {
    for (let f = 0; f < frames; f++) this.mix();
  };

  /**
   * One 20 ms frame for every member. The sum of all members is made once; each member gets it minus its
   * own frame, so the cost grows with the members, not with their pairs.
   */
  private mix(): void {
    const { sum, out } = this;
    sum.fill(0);
    let heard = 0;
    for (const m of this.state.values()) {
      m.heard = m.buffer.take(m.frame);
      if (!m.heard) continue;
      heard++;
      const frame = m.frame;
      for (let i = 0; i < FRAME_SAMPLES; i++) sum[i]! += frame[i]!;
    }
    for (const m of this.state.values()) {
      const played = m.session.nextPlayedPcm();
      const others = heard - (m.heard ? 1 : 0);
      if (others === 0 && !played) {
        m.session.sendMixed(undefined);
        continue;
      }
      const own = m.heard ? m.frame : undefined;
      for (let i = 0; i < FRAME_SAMPLES; i++) {
        let v = sum[i]!;
        if (own) v -= own[i]!;
        if (played && i < played.length) v += played[i]!;
        out[i] = Math.min(INT16_MAX, Math.max(INT16_MIN, v));
      }
      m.session.sendMixed(out);
    }
  }
}
