// A call we place: an INVITE to an agent's phone, a click-to-call, a transfer to an outside number.
// It is a Leg like an inbound Call, so it plays, hears digits and bridges the same way; the SIP below
// it is the stack's UAC side (src/voice/sip/outgoing.ts).
import { type EndCause, Leg } from './leg.js';
import type { DtmfEvent, MediaSession, RemoteMedia } from './media/index.js';
import { answerOffer, createOffer, isHold, type LocalMedia, readAnswer } from './media/index.js';
import {
  type Dialog,
  type DialogEnd,
  InviteFailed,
  type OutgoingInvite,
  type ReinviteAnswer,
} from './sip/index.js';

export interface OutboundCallDeps {
  /** Sends the INVITE with our offer (the leg makes the offer, so it knows its own SDP version). */
  invite(offer: string): OutgoingInvite;
  media: MediaSession;
  /** Our address for SDP (the one the far end can reach). */
  localAddress: string;
  /** The SIP URI we call. */
  target: string;
  now: () => number;
  warn(context: Record<string, unknown>, message: string): void;
}

/**
 * A leg we dialled. It starts `ringing`, emits `answered` once the 2xx came and media is connected, and
 * `ended` with `busy` (486, 600), `no-answer` (408, 480, the ring timeout), `failed` (any other refusal,
 * an unreachable peer), `media-failure` (an answer naming nothing we offered), `caller-hangup` (the far
 * end's BYE) or `hangup` (ours: CANCEL while it rings, BYE once answered).
 */
export class OutboundCall extends Leg {
  readonly kind = 'sip-out' as const;
  readonly target: string;
  readonly sipCallId: string;
  /** The last provisional status (180, 183), if any. */
  progress: number | undefined;
  private readonly invite: OutgoingInvite;
  private dialog: Dialog | undefined;
  private remote: RemoteMedia | undefined;
  private readonly local: LocalMedia;
  private readonly deps: OutboundCallDeps;

  constructor(id: string, deps: OutboundCallDeps) {
    super(id, deps.media, deps.now);
    this.deps = deps;
    this.target = deps.target;
    this.local = {
      address: deps.localAddress,
      port: deps.media.localPort,
      sessionId: Date.now(),
      version: 1,
    };
    this.invite = deps.invite(createOffer(this.local));
    this.sipCallId = this.invite.callId;
    this.invite.onProvisional((status) => {
      this.progress = status;
    });
    this.invite.answered.then(
      (dialog) => this.confirmed(dialog),
      (err: unknown) => this.end(failureCause(err)),
    );
    deps.media.onDtmf((event) => this.digit(event));
    deps.media.onReleased(() => {
      if (this.current === 'ended') return;
      deps.warn({ call: this.id }, 'voice: media lost on an outbound call; hanging up');
      const dialog = this.dialog;
      this.invite.cancel();
      this.end('media-failure');
      void dialog?.bye();
    });
  }

  /** CANCEL while it rings, BYE once answered. */
  async hangup(): Promise<void> {
    await this.finish('hangup');
  }

  /** Called by CallControl on shutdown. */
  async shutdown(): Promise<void> {
    await this.finish('shutdown');
  }

  private async finish(cause: EndCause): Promise<void> {
    if (this.current === 'ended') return;
    const dialog = this.dialog;
    if (!dialog) this.invite.cancel();
    this.end(cause);
    await dialog?.bye();
  }

  private confirmed(dialog: Dialog): void {
    this.dialog = dialog;
    if (this.current === 'ended') {
      void dialog.bye();
      return;
    }
    const remote = dialog.remoteSdp === undefined ? undefined : readAnswer(dialog.remoteSdp);
    if (!remote) {
      this.deps.warn({ call: this.id, callId: this.sipCallId }, 'voice: the answer to our offer is unusable');
      this.end('media-failure');
      void dialog.bye();
      return;
    }
    this.remote = remote;
    this.deps.media.connect(remote);
    dialog.onEnded((why) => this.end(dialogCause(why)));
    dialog.onReinvite((offer) => this.reinvite(offer));
    dialog.onInfo((request) => {
      // SIP INFO digits (application/dtmf-relay, "Signal=5"), for phones that do not send RFC 4733.
      const signal = /^Signal\s*=\s*([0-9*#A-D])\s*$/im.exec(request.content)?.[1];
      if (signal) this.digit({ digit: signal, durationMs: 0, timestamp: -1 });
    });
    this.markAnswered();
    if (isHold(remote)) this.setHeld(true);
  }

  /** The far end's re-INVITE: hold, resume, a new address (or no offer: ours again, RFC 3261 §14.2). */
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
  }

  /** The negotiated far end, once answered. */
  get remoteMedia(): RemoteMedia | undefined {
    return this.remote;
  }
}

/** An INVITE that got no dialog, as the leg's end cause. */
export function failureCause(err: unknown): EndCause {
  if (!(err instanceof InviteFailed)) return 'failed';
  if (err.why === 'canceled') return 'hangup';
  if (err.why === 'timeout') return 'no-answer';
  if (err.status === 486 || err.status === 600) return 'busy';
  if (err.status === 408 || err.status === 480) return 'no-answer';
  return 'failed';
}

function dialogCause(why: DialogEnd): EndCause {
  if (why === 'remote-bye') return 'caller-hangup';
  if (why === 'shutdown') return 'shutdown';
  return 'hangup';
}
