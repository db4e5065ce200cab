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
const SILENCE = new Int16Array(FRAME_SAMPLES);

/** One member's received PCM, oldest first, in a ring. Packets of any ptime go in; 20 ms frames come out. */
export class JitterBuffer {
  private readonly ring = new Int16Array(JITTER_SAMPLES);
  private start = 0;
  private fill = 0;

  get samples(): number {
    return this.fill;
  }

  push(pcm: Int16Array): void {
    const input = pcm.length > JITTER_SAMPLES ? pcm.subarray(pcm.length - JITTER_SAMPLES) : pcm;
    const n = input.length;
    const over = this.fill + n - JITTER_SAMPLES;
    if (over > 0) {
      this.start = (this.start + over) % JITTER_SAMPLES;
      this.fill -= over;
    }
    const at = (this.start + this.fill) % JITTER_SAMPLES;
    const first = Math.min(n, JITTER_SAMPLES - at);
    this.ring.set(first === n ? input : input.subarray(0, first), at);
    if (first < n) this.ring.set(input.subarray(first), 0);
    this.fill += n;
  }

  /** The oldest frame into `out`; false while less than a frame waits (the member is silent this tick). */
  take(out: Int16Array): boolean {
    if (this.fill < FRAME_SAMPLES) return false;
    const first = Math.min(FRAME_SAMPLES, JITTER_SAMPLES - this.start);
    out.set(this.ring.subarray(this.start, this.start + first));
    if (first < FRAME_SAMPLES) out.set(this.ring.subarray(0, FRAME_SAMPLES - first), first);
    this.start = (this.start + FRAME_SAMPLES) % JITTER_SAMPLES;
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
    private readonly clock: Pick<MediaClock, 'add' | 'remove'>,
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
      const own = m.heard ? m.frame : SILENCE;
      if (played)
        for (let i = 0; i < FRAME_SAMPLES; i++)
          out[i] = Math.min(INT16_MAX, Math.max(INT16_MIN, sum[i]! - own[i]! + (played[i] ?? 0)));
      else
        for (let i = 0; i < FRAME_SAMPLES; i++)
          out[i] = Math.min(INT16_MAX, Math.max(INT16_MIN, sum[i]! - own[i]!));
      m.session.sendMixed(out);
    }
  }
}
