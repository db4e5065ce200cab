// One leg of a call as call control sees it, whatever carries its signalling: a caller's INVITE
// (Call), a call we placed (an outbound INVITE), an agent's browser over WebRTC. Every leg has a media
// session on the one engine, so any two legs bridge, record and play the same way.
import { EventEmitter } from 'node:events';
import type { Conference } from './conference.js';
import type { AudioClip, MediaSession, PlayEnd, PlayOptions } from './media/index.js';

export type CallState = 'ringing' | 'answered' | 'held' | 'bridged' | 'ended';

export type EndCause =
  /** The far end hung up (BYE; an agent's browser closing its leg). */
  | 'caller-hangup'
  /** The caller gave up while it rang (CANCEL). */
  | 'caller-canceled'
  /** We hung up (`hangup()`), or refused the call while it rang. */
  | 'hangup'
  | 'rejected'
  /** Our 200 OK was never acknowledged. */
  | 'no-ack'
  /** The SDP answer named nothing we offered, or the media engine lost the session. */
  | 'media-failure'
  /** An outbound leg: the far end refused (4xx–6xx) or never answered. */
  | 'busy'
  | 'no-answer'
  | 'failed'
  | 'shutdown';

export type LegKind = 'sip-in' | 'sip-out' | 'webrtc';

/** What a leg emits (CallControl re-emits a Call's as `call.<name>` with the call first). */
export interface LegEventMap {
  answered: [];
  dtmf: [event: import('./media/index.js').DtmfEvent];
  held: [];
  resumed: [];
  bridged: [other: Leg];
  unbridged: [other: Leg];
  ended: [cause: EndCause];
}

/**
 * State and bridging shared by every kind of leg. A subclass moves the state to 'answered' (via
 * `markAnswered`) and to 'ended' (via `end`), and says how to hang up its signalling.
 */
export abstract class Leg extends EventEmitter<LegEventMap> {
  abstract readonly kind: LegKind;
  readonly startedAt: number;
  answeredAt: number | undefined;
  endedAt: number | undefined;
  endCause: EndCause | undefined;
  protected current: CallState = 'ringing';
  private peer: Leg | undefined;
  private inConference: Conference | undefined;

  protected constructor(
    readonly id: string,
    protected readonly session: MediaSession,
    protected readonly clock: () => number,
  ) {
    super();
    this.startedAt = clock();
  }

  get state(): CallState {
    return this.current;
  }

  get media(): MediaSession {
    return this.session;
  }

  get bridgedTo(): Leg | undefined {
    return this.peer;
  }

  /** The conference this leg is in (state 'bridged', `bridgedTo` undefined). */
  get conference(): Conference | undefined {
    return this.inConference;
  }

  /** For `Conference` only: the leg's media went into (or out of) its mixer. */
  setConference(conference: Conference | undefined): void {
    this.inConference = conference;
    if (conference && this.current === 'answered') this.current = 'bridged';
    else if (!conference && this.current === 'bridged' && !this.peer) this.current = 'answered';
  }

  /** Ends the leg from our side. */
  abstract hangup(): Promise<void>;

  play(clip: AudioClip, options?: PlayOptions): Promise<PlayEnd> {
    if (this.current === 'ended') return Promise.resolve('released');
    return this.session.play(clip, options).done;
  }

  stopPlayback(): void {
    this.session.stopPlayback();
  }

  /** Connects the audio of two answered legs (out of any conference); either ending unbridges the other. */
  bridge(other: Leg): void {
    if (other === this) throw new Error('a leg cannot be bridged to itself');
    for (const c of [this, other])
      if (c.current !== 'answered' && c.current !== 'bridged' && c.current !== 'held')
        throw new Error(`cannot bridge a leg that is ${c.current}`);
    this.unbridge();
    other.unbridge();
    this.session.bridge(other.session);
    this.peer = other;
    other.peer = this;
    for (const c of [this, other]) if (c.current === 'answered') c.current = 'bridged';
    this.emit('bridged', other);
    other.emit('bridged', this);
  }

  /** Disconnects the leg's audio from its bridge, or takes it out of its conference. */
  unbridge(): void {
    this.inConference?.leave(this);
    const other = this.peer;
    if (!other) return;
    this.peer = undefined;
    other.peer = undefined;
    this.session.unbridge();
    for (const c of [this, other]) if (c.current === 'bridged') c.current = 'answered';
    this.emit('unbridged', other);
    other.emit('unbridged', this);
  }

  protected markAnswered(): void {
    if (this.current !== 'ringing') return;
    this.answeredAt = this.clock();
    this.current = 'answered';
    this.emit('answered');
  }

  /** The leg is over: unbridged, media released, `ended` emitted once. */
  protected end(cause: EndCause): void {
    if (this.current === 'ended') return;
    this.unbridge();
    this.current = 'ended';
    this.endCause = cause;
    this.endedAt = this.clock();
    this.beforeRelease(cause);
    this.session.release();
    this.emit('ended', cause);
  }

  /** A subclass's own clean-up, after unbridging and before the media is released. */
  protected beforeRelease(_cause: EndCause): void {}

  /** Hold and resume as a state (a re-INVITE with sendonly, an agent's hold button). */
  protected setHeld(held: boolean): void {
    if (this.current === 'ended') return;
    if (held && this.current !== 'held') {
      this.current = 'held';
      this.emit('held');
    } else if (!held && this.current === 'held') {
      this.current = this.peer || this.inConference ? 'bridged' : 'answered';
      this.emit('resumed');
    }
  }
}
