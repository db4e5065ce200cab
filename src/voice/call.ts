// One call as the rest of Switchboard sees it: states, events, and the verbs an IVR or a queue uses
// (answer, play, collect digits, bridge, hang up). SIP and RTP stay below it.
import { type CollectOptions, type CollectResult, DigitCollector } from './digits.js';
import { type EndCause, Leg, type LegEventMap } from './leg.js';
import type { DtmfEvent, MediaSession, RemoteMedia } from './media/index.js';
import { answerOffer, createOffer, isHold, type LocalMedia, readAnswer } from './media/index.js';
import {
  type Dialog,
  type DialogEnd,
  DialogEnded,
  type IncomingInvite,
  type ReinviteAnswer,
} from './sip/index.js';

export type { CallState, EndCause } from './leg.js';

export interface CallParty {
  uri: string;
  /** The user part of the URI (a phone number or extension). */
  user: string | undefined;
  displayName: string | undefined;
}

/** What a call emits (also re-emitted by CallControl as `call.<name>` with the call first). */
export type CallEventMap = LegEventMap;

export interface CallDeps {
  invite: IncomingInvite;
  media: MediaSession;
  /** Our address for SDP (the one the caller can reach). */
  localAddress: string;
  now: () => number;
  warn(context: Record<string, unknown>, message: string): void;
}

/** A call that came in: an INVITE we answer, play to, collect digits from, bridge and hang up. */
export class Call extends Leg {
  readonly kind = 'sip-in' as const;
  readonly sipCallId: string;
  readonly from: CallParty;
  readonly to: CallParty;
  private dialog: Dialog | undefined;
  private remote: RemoteMedia | undefined;
  private readonly local: LocalMedia;
  /** Digits that came while no collection was running (type-ahead), oldest first. */
  private typedAhead = '';
  private collecting:
    | { collector: DigitCollector; timer: NodeJS.Timeout; resolve: (r: CollectResult) => void }
    | undefined;
  private readonly deps: CallDeps;
  private answering: Promise<void> | undefined;

  constructor(id: string, deps: CallDeps) {
    super(id, deps.media, deps.now);
    this.deps = deps;
    const { invite } = deps;
    this.sipCallId = invite.callId;
    this.from = party(invite.from.uri, invite.from.name);
    this.to = party(invite.request.uri, invite.to.name);
    this.local = {
      address: deps.localAddress,
      port: deps.media.localPort,
      sessionId: Date.now(),
      version: 1,
    };
    deps.media.onDtmf((event) => this.digit(event));
    // The engine dropped the session (a media worker that died): a call without audio is hung up.
    deps.media.onReleased(() => {
      if (this.current === 'ended') return;
      deps.warn({ call: this.id }, 'voice: media lost; hanging up');
      const dialog = this.dialog;
      if (this.current === 'ringing' && !dialog) deps.invite.reject(500);
      this.end('media-failure');
      void dialog?.bye();
    });
    invite.onCancel(() => this.end('caller-canceled'));
  }

  /**
   * The negotiated answer to the caller's offer (or refusal status), worked out before we ring so a
   * call we cannot carry is refused with 488 at once.
   */
  prepare(): { ok: true } | { ok: false; status: number; reason: string } {
    const offer = this.deps.invite.offer;
    if (offer === undefined) return { ok: true };
    const n = answerOffer(offer, this.local);
    if (!n.ok) return n;
    this.remote = n.remote;
    return { ok: true };
  }

  /** 200 OK; resolves once the caller acknowledged it (state `answered`). */
  answer(): Promise<void> {
    if (this.answering) return this.answering;
    if (this.current !== 'ringing')
      return Promise.reject(new Error(`cannot answer a call that is ${this.current}`));
    const { invite, media } = this.deps;
    const sdp = invite.offer === undefined ? createOffer(this.local) : answerOffer(invite.offer, this.local);
    const body = typeof sdp === 'string' ? sdp : sdp.ok ? sdp.answer : undefined;
    if (body === undefined) return Promise.reject(new Error('offer no longer acceptable'));
    if (this.remote) media.connect(this.remote);
    this.answering = invite.answer(body).then(
      (dialog) => this.confirmed(dialog),
      (err: unknown) => {
        this.end(err instanceof DialogEnded ? causeOf(err.why) : 'no-ack');
        throw err;
      },
    );
    // The caller of answer() gets the failure; nobody else has to handle it.
    this.answering.catch(() => {});
    return this.answering;
  }

  /** Refuses a ringing call (486 Busy Here by default; 480, 603 …). */
  reject(status = 486): void {
    if (this.current !== 'ringing' || this.answering) return;
    this.deps.invite.reject(status);
    this.end('rejected');
  }

  /**
   * Digits as the caller presses them, starting with any typed ahead since the last collection.
   * A second collection while one runs ends the first with 'canceled'.
   */
  collectDigits(options: CollectOptions): Promise<CollectResult> {
    this.cancelCollect();
    const collector = new DigitCollector(options, this.deps.now());
    if (this.current === 'ended') return Promise.resolve(collector.result('hangup'));
    const ahead = this.typedAhead;
    this.typedAhead = '';
    for (let i = 0; i < ahead.length; i++) {
      const done = collector.push(ahead[i]!, this.deps.now());
      if (done) {
        this.typedAhead = ahead.slice(i + 1);
        return Promise.resolve(done);
      }
    }
    return new Promise<CollectResult>((resolve) => {
      this.collecting = { collector, resolve, timer: this.armCollectTimer(collector) };
    });
  }

  /** Forgets digits typed ahead. */
  clearDigits(): void {
    this.typedAhead = '';
  }

  /** Ends the call from our side: BYE when answered, a refusal while it rings. */
  async hangup(): Promise<void> {
    if (this.current === 'ended') return;
    if (this.current === 'ringing' && !this.dialog) {
      this.deps.invite.reject(480);
      this.end('hangup');
      return;
    }
    const dialog = this.dialog;
    this.end('hangup');
    await dialog?.bye();
  }

  /** Called by CallControl on shutdown. */
  async shutdown(): Promise<void> {
    if (this.current === 'ringing' && !this.dialog) this.deps.invite.reject(503);
    const dialog = this.dialog;
    this.end('shutdown');
    await dialog?.bye();
  }

  private confirmed(dialog: Dialog): void {
    this.dialog = dialog;
    if (this.current === 'ended') {
      void dialog.bye();
      return;
    }
    if (!this.remote) {
      // Delayed offer: the caller's answer came in the ACK.
      const remote = dialog.remoteSdp === undefined ? undefined : readAnswer(dialog.remoteSdp);
      if (!remote) {
        this.end('media-failure');
        void dialog.bye();
        return;
      }
      this.remote = remote;
      this.deps.media.connect(remote);
    }
    dialog.onEnded((why) => this.end(causeOf(why)));
    dialog.onReinvite((offer) => this.reinvite(offer));
    dialog.onInfo((request) => {
      // SIP INFO digits (application/dtmf-relay, "Signal=5"), for phones that do not send RFC 4733.
      const signal = /^Signal\s*=\s*([0-9*#A-D])\s*$/im.exec(request.content)?.[1];
      if (signal) this.digit({ digit: signal, durationMs: 0, timestamp: -1 });
    });
    this.markAnswered();
  }

  private reinvite(offer: string | undefined): ReinviteAnswer {
    this.local.version++;
    if (offer === undefined) return { sdp: createOffer(this.local) };
    const n = answerOffer(offer, this.local);
    if (!n.ok) return { status: 488 };
    this.remote = n.remote;
    this.deps.media.connect(n.remote);
    this.setHeld(isHold(n.remote));
    return { sdp: n.answer };
  }

  private digit(event: DtmfEvent): void {
    if (this.current === 'ended') return;
    this.emit('dtmf', event);
    const c = this.collecting;
    if (!c) {
      this.typedAhead = (this.typedAhead + event.digit).slice(-32);
      return;
    }
    const done = c.collector.push(event.digit, this.deps.now());
    clearTimeout(c.timer);
    if (done) {
      this.collecting = undefined;
      c.resolve(done);
    } else c.timer = this.armCollectTimer(c.collector);
  }

  private armCollectTimer(collector: DigitCollector): NodeJS.Timeout {
    return setTimeout(
      () => {
        const c = this.collecting;
        if (c?.collector !== collector) return;
        this.collecting = undefined;
        c.resolve(collector.result('timeout'));
      },
      Math.max(0, collector.deadline() - this.deps.now()),
    );
  }

  private cancelCollect(reason: 'canceled' | 'hangup' = 'canceled'): void {
    const c = this.collecting;
    if (!c) return;
    this.collecting = undefined;
    clearTimeout(c.timer);
    c.resolve(c.collector.result(reason));
  }

  protected override beforeRelease(): void {
    this.cancelCollect('hangup');
  }
}

function causeOf(why: DialogEnd): EndCause {
  if (why === 'remote-bye') return 'caller-hangup';
  if (why === 'ack-timeout') return 'no-ack';
  if (why === 'shutdown') return 'shutdown';
  return 'hangup';
}

function party(uri: string, displayName: string | undefined): CallParty {
  const user = /^(?:sips?|tel):([^@;>]+)/i.exec(uri)?.[1];
  const name = displayName?.replace(/^"|"$/g, '').trim();
  return {
    uri,
    user: user === undefined ? undefined : decodeURIComponentSafe(user),
    displayName: name || undefined,
  };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
