// An agent's browser softphone as a call leg: a werift peer connection for the browser's side, a media
// session on the engine for ours, and the relay between them. It bridges, plays and records like any
// other leg; what is its own is how it comes up (ICE + DTLS), how it notices the browser is gone, hold,
// and mute.
import type { Logger } from 'pino';
import type { RTCDtlsTransport, RTCPeerConnection } from 'werift';
import { type EndCause, Leg } from '../leg.js';
import type { MediaSession } from '../media/index.js';
import type { RtpRelay } from './relay.js';

export interface WebRtcLegDeps {
  pc: RTCPeerConnection;
  /** The audio's DTLS transport: a browser that closes its peer connection says so here (close_notify). */
  dtls: RTCDtlsTransport;
  session: MediaSession;
  relay: RtpRelay;
  now: () => number;
  logger: Logger;
  /** Ends the leg ('failed') when ICE and DTLS are not up by then. */
  connectTimeoutMs: number;
  /** Ends an up leg ('caller-hangup') when the browser has sent no RTP for this long. */
  silenceTimeoutMs: number;
}

/** The browser's audio leg; 'ringing' until ICE and DTLS are up, then 'answered'. */
export class WebRtcLeg extends Leg {
  readonly kind = 'webrtc' as const;
  /** RTP packets from the browser: all of them, and those dropped because the leg was muted. */
  readonly fromBrowser = { packets: 0, dropped: 0 };
  private mutedFlag = false;
  private lastHeard = 0;
  private readonly deps: WebRtcLegDeps;
  private timer: NodeJS.Timeout | undefined;

  constructor(id: string, deps: WebRtcLegDeps) {
    super(id, deps.session, deps.now);
    this.deps = deps;
    const { pc, session, logger } = deps;
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') this.connected();
      else if (state === 'failed' || state === 'closed') this.end('caller-hangup');
    });
    // werift's connection state does not follow a DTLS close alert; the transport's state does.
    deps.dtls.onStateChange.subscribe((state) => {
      if (state === 'closed' || state === 'failed') this.end('caller-hangup');
    });
    session.onReleased(() => {
      if (this.current === 'ended') return;
      logger.warn({ leg: this.id }, 'voice: webrtc leg lost its media session; hanging up');
      this.end('media-failure');
    });
    this.timer = setTimeout(() => {
      logger.warn({ leg: this.id }, 'voice: webrtc leg did not connect in time');
      this.end('failed');
    }, deps.connectTimeoutMs);
    this.timer.unref();
  }

  /** True while the browser's audio is dropped (the agent pressed mute). */
  get muted(): boolean {
    return this.mutedFlag;
  }

  /** Drops (or passes again) what the browser's microphone sends; the agent still hears the call. */
  setMuted(muted: boolean): void {
    this.mutedFlag = muted;
  }

  /** The agent put the call on hold (state 'held'); music for the other side is the caller leg's job. */
  hold(): void {
    this.assertUp('hold');
    this.setHeld(true);
  }

  resume(): void {
    this.assertUp('resume');
    this.setHeld(false);
  }

  hangup(): Promise<void> {
    this.end('hangup');
    return Promise.resolve();
  }

  /** RTP from the browser (werift's track), for the session unless muted. */
  receiveFromBrowser(packet: Buffer): void {
    if (this.current === 'ended') return;
    this.lastHeard = this.clock();
    this.fromBrowser.packets++;
    if (this.mutedFlag) {
      this.fromBrowser.dropped++;
      return;
    }
    this.deps.relay.toSession(packet);
  }

  protected override beforeRelease(cause: EndCause): void {
    this.stopTimer();
    this.deps.relay.close();
    this.deps.pc.close().catch((err: unknown) => {
      this.deps.logger.warn({ err, leg: this.id, cause }, 'voice: closing a webrtc peer connection failed');
    });
  }

  private connected(): void {
    if (this.current !== 'ringing') return;
    this.markAnswered();
    // A browser sends audio all the time, silence included (a muted track sends zeros). A tab that
    // died without closing DTLS goes quiet; as ICE lite we never send checks that would notice it.
    this.lastHeard = this.clock();
    this.stopTimer();
    const every = Math.max(50, Math.min(5000, this.deps.silenceTimeoutMs / 4));
    this.timer = setInterval(() => {
      if (this.clock() - this.lastHeard < this.deps.silenceTimeoutMs) return;
      this.deps.logger.info({ leg: this.id }, 'voice: webrtc leg heard nothing from the browser; ending it');
      this.end('caller-hangup');
    }, every);
    this.timer.unref();
  }

  private assertUp(verb: string): void {
    if (this.current === 'ringing' || this.current === 'ended')
      throw new Error(`cannot ${verb} a leg that is ${this.current}`);
  }

  private stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
