// The UAS side of one call: the INVITE as it waits for an answer, and the dialog once answered (the
// dialog class serves calls we place too: outgoing.ts builds it from the 2xx).
// Transactions (retransmitting final responses, absorbing retransmitted requests, timers) are the
// `sip` package's; what RFC 3261 leaves to the UA core is here: To tags, 2xx retransmission until the
// ACK (§13.3.1.4), CANCEL (§9.2) and BYE.
import type { PackageServerTransaction } from 'sip';
import { type Dialog, type DialogEnd, DialogEnded, dialogKey, type ReinviteAnswer } from './dialog.js';
import {
  ALLOW,
  type Flow,
  makeResponse,
  type NameAddr,
  randomToken,
  reasonFor,
  type SipRequest,
  type SipResponse,
} from './message.js';

/** RFC 3261 §17.1.1.1 timer values, in ms. */
export const T1 = 500;
export const T2 = 4000;

/** What a call leg needs from the stack it lives in. */
export interface LegHost {
  /** The Contact URI we put in responses to requests from this flow. */
  contactFor(flow: Flow): string;
  userAgent: string;
  dialogs: Map<string, DialogLeg>;
  pendingInvites: Map<string, IncomingLeg>;
  /** Sends an in-dialog request; resolves with the final status. */
  sendRequest(
    dialog: DialogLeg,
    method: string,
    extra?: { headers?: Record<string, unknown> },
  ): Promise<number>;
  warn(context: Record<string, unknown>, message: string): void;
}

export type InviteState = 'pending' | 'answered' | 'rejected' | 'canceled';

/** An INVITE waiting for us to ring, answer or refuse it. */
export interface IncomingInvite {
  readonly request: SipRequest;
  readonly callId: string;
  readonly from: NameAddr;
  readonly to: NameAddr;
  readonly flow: Flow;
  /** The SDP offer, or undefined for a delayed offer (ours goes in the 200, the answer in the ACK). */
  readonly offer: string | undefined;
  readonly state: InviteState;
  /** 180 Ringing. */
  ring(): void;
  /** 200 OK with our SDP; resolves with the dialog once the ACK arrives, rejects if it never does. */
  answer(sdp: string): Promise<Dialog>;
  reject(status: number, reason?: string, headers?: Record<string, string>): void;
  /** The caller hung up before we answered (CANCEL): the INVITE has been answered 487 already. */
  onCancel(listener: () => void): void;
}

export const inviteKey = (request: SipRequest): string =>
  `${request.headers['call-id']}\n${request.headers.via[0]?.params.branch ?? ''}`;

export class IncomingLeg implements IncomingInvite {
  state: InviteState = 'pending';
  readonly localTag = randomToken();
  private readonly cancelListeners: (() => void)[] = [];

  constructor(
    private readonly host: LegHost,
    readonly request: SipRequest,
    readonly flow: Flow,
    private readonly transaction: PackageServerTransaction,
  ) {}

  get callId(): string {
    return this.request.headers['call-id'];
  }
  get from(): NameAddr {
    return this.request.headers.from;
  }
  get to(): NameAddr {
    return this.request.headers.to;
  }
  get offer(): string | undefined {
    return this.request.content.length > 0 ? this.request.content : undefined;
  }

  ring(): void {
    if (this.state !== 'pending') return;
    this.transaction.send(this.respond(180) as never);
  }

  answer(sdp: string): Promise<Dialog> {
    if (this.state !== 'pending') return Promise.reject(new Error(`INVITE already ${this.state}`));
    this.state = 'answered';
    const dialog = DialogLeg.answering(this.host, this.request, this.flow, this.localTag);
    this.host.dialogs.set(dialog.key, dialog);
    const ok = this.respond(200, undefined, {
      contact: [{ uri: this.host.contactFor(this.flow), params: {} }],
      'content-type': 'application/sdp',
      allow: ALLOW,
      'record-route': this.request.headers['record-route'],
    });
    ok.content = sdp;
    const confirmed = dialog.awaitAck((response) => this.transaction.send(response as never), ok);
    // CANCEL that crosses our 200 has no effect (RFC 3261 §9.2); keep the INVITE findable until the ACK.
    confirmed.then(
      () => this.host.pendingInvites.delete(inviteKey(this.request)),
      () => this.host.pendingInvites.delete(inviteKey(this.request)),
    );
    return confirmed;
  }

  reject(status: number, reason?: string, headers: Record<string, string> = {}): void {
    if (this.state !== 'pending') return;
    this.state = status === 487 ? 'canceled' : 'rejected';
    this.host.pendingInvites.delete(inviteKey(this.request));
    this.transaction.send(this.respond(status, reason, headers) as never);
  }

  onCancel(listener: () => void): void {
    this.cancelListeners.push(listener);
  }

  /** CANCEL arrived: 487 to the INVITE, then tell the call. */
  cancel(): void {
    if (this.state !== 'pending') return;
    this.reject(487);
    for (const listener of this.cancelListeners) {
      try {
        listener();
      } catch (err) {
        this.host.warn({ err, callId: this.callId }, 'sip: cancel listener threw');
      }
    }
  }

  private respond(status: number, reason?: string, headers: Record<string, unknown> = {}): SipResponse {
    const response = makeResponse(this.request, status, reason ?? reasonFor(status), {
      headers: { 'user-agent': this.host.userAgent, ...headers },
    });
    // A copy: the request's To stays as the caller wrote it.
    response.headers.to = { ...this.request.headers.to, params: { ...this.request.headers.to.params } };
    if (status > 100) response.headers.to.params.tag = this.localTag;
    return response;
  }
}

/** What a dialog is made of (RFC 3261 §12.1), whichever side created it. */
export interface DialogState {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** The other party, with its tag: their From when they called, their To when we did. */
  remote: NameAddr;
  /** Us, with our tag. */
  local: NameAddr;
  /** The Request-URI of our requests in the dialog: the peer's Contact. */
  remoteTarget: string;
  /** Route headers of our requests in the dialog, in the order they are put in. */
  routeSet: NameAddr[];
  /** The last CSeq number the peer used (0: none yet). */
  remoteSeq: number;
  /** The CSeq number we used last. */
  localSeq: number;
  remoteSdp: string | undefined;
}

export class DialogLeg implements Dialog {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly remote: NameAddr;
  readonly local: NameAddr;
  readonly remoteTarget: string;
  readonly routeSet: NameAddr[];
  readonly key: string;
  remoteSdp: string | undefined;
  ended: DialogEnd | undefined;
  localSeq: number;
  remoteSeq: number;
  /** Set while a 2xx of ours waits for its ACK. */
  private ackWait:
    | {
        resolve: (body: string) => void;
        reject: (err: Error) => void;
        timer: NodeJS.Timeout;
        give: NodeJS.Timeout;
      }
    | undefined;
  private endedListeners: ((why: DialogEnd) => void)[] = [];
  private infoListeners: ((request: SipRequest) => void)[] = [];
  private reinviteHandler: ((offer: string | undefined) => ReinviteAnswer) | undefined;
  private currentLocalSdp = '';

  constructor(
    private readonly host: LegHost,
    state: DialogState,
    readonly flow: Flow,
  ) {
    this.callId = state.callId;
    this.localTag = state.localTag;
    this.remoteTag = state.remoteTag;
    this.remote = state.remote;
    this.local = state.local;
    this.remoteTarget = state.remoteTarget;
    this.routeSet = state.routeSet;
    this.remoteSeq = state.remoteSeq;
    this.localSeq = state.localSeq;
    this.remoteSdp = state.remoteSdp;
    this.key = dialogKey(this.callId, this.localTag, this.remoteTag);
  }

  /** The UAS side (RFC 3261 §12.1.1): the dialog our 2xx to this INVITE creates. */
  static answering(host: LegHost, invite: SipRequest, flow: Flow, localTag: string): DialogLeg {
    const h = invite.headers;
    return new DialogLeg(
      host,
      {
        callId: h['call-id'],
        localTag,
        remoteTag: String(h.from.params.tag),
        remote: h.from,
        local: { ...h.to, params: { ...h.to.params, tag: localTag } },
        remoteTarget: Array.isArray(h.contact) ? (h.contact[0]?.uri ?? h.from.uri) : h.from.uri,
        routeSet: h['record-route'] ?? [],
        remoteSeq: h.cseq.seq,
        localSeq: 1,
        remoteSdp: invite.content.length > 0 ? invite.content : undefined,
      },
      flow,
    );
  }

  get id(): string {
    return `${this.callId};${this.localTag}`;
  }

  /**
   * Sends `ok` and re-sends it at T1, 2·T1, … (capped at T2) over UDP until the ACK; gives up after
   * 64·T1 and ends the dialog with a BYE (RFC 3261 §13.3.1.4).
   */
  awaitAck(send: (response: SipResponse) => void, ok: SipResponse): Promise<Dialog> {
    this.currentLocalSdp = ok.content;
    send(ok);
    return new Promise<Dialog>((resolve, reject) => {
      let interval = T1;
      const resend = () => {
        send(ok);
        interval = Math.min(interval * 2, T2);
        if (this.ackWait) this.ackWait.timer = setTimeout(resend, interval);
      };
      const timer = setTimeout(resend, this.flow.transport === 'udp' ? T1 : 64 * T1 + 1);
      const give = setTimeout(() => {
        clearTimeout(this.ackWait?.timer);
        this.ackWait = undefined;
        reject(new DialogEnded('ack-timeout'));
        void this.hangUp('ack-timeout');
      }, 64 * T1);
      this.ackWait = {
        resolve: (body) => {
          if (body.length > 0) this.remoteSdp = body;
          resolve(this);
        },
        reject,
        timer,
        give,
      };
    });
  }

  /** The ACK for our 2xx (a new transaction, so the stack routes it here by dialog). */
  acknowledge(request: SipRequest): void {
    const wait = this.ackWait;
    if (!wait) return;
    this.ackWait = undefined;
    clearTimeout(wait.timer);
    clearTimeout(wait.give);
    wait.resolve(request.content);
  }

  bye(): Promise<number> {
    return this.hangUp('local-bye');
  }

  onEnded(listener: (why: DialogEnd) => void): void {
    if (this.ended) listener(this.ended);
    else this.endedListeners.push(listener);
  }

  onInfo(listener: (request: SipRequest) => void): void {
    this.infoListeners.push(listener);
  }

  onReinvite(handler: (offer: string | undefined) => ReinviteAnswer): void {
    this.reinviteHandler = handler;
  }

  /** The peer's BYE (already answered 200 by the stack). */
  remoteBye(): void {
    this.finish('remote-bye');
  }

  info(request: SipRequest): void {
    for (const listener of this.infoListeners) {
      try {
        listener(request);
      } catch (err) {
        this.host.warn({ err, callId: this.callId }, 'sip: INFO listener threw');
      }
    }
  }

  /** A re-INVITE: the handler's answer, sent and re-sent until the ACK like the first 2xx. */
  reinvite(request: SipRequest, transaction: PackageServerTransaction): void {
    if (this.ackWait) {
      transaction.send(makeResponse(request, 491) as never);
      return;
    }
    const offer = request.content.length > 0 ? request.content : undefined;
    const answer = this.reinviteHandler?.(offer) ?? { status: 488 };
    const withTag = (r: SipResponse) => {
      r.headers.to = { ...request.headers.to };
      return r;
    };
    if ('status' in answer) {
      transaction.send(withTag(makeResponse(request, answer.status)) as never);
      return;
    }
    if (offer) this.remoteSdp = offer;
    const ok = withTag(
      makeResponse(request, 200, 'OK', {
        headers: {
          contact: [{ uri: this.host.contactFor(this.flow), params: {} }],
          'content-type': 'application/sdp',
          'user-agent': this.host.userAgent,
        },
        content: answer.sdp,
      }),
    );
    this.awaitAck((r) => transaction.send(r as never), ok).catch(() => {});
  }

  get localSdp(): string {
    return this.currentLocalSdp;
  }

  /** Ends the dialog from our side; BYE unless it already ended. */
  async hangUp(why: DialogEnd): Promise<number> {
    if (this.ended) return 481;
    this.finish(why);
    return this.host.sendRequest(this, 'BYE');
  }

  finish(why: DialogEnd): void {
    if (this.ended) return;
    this.ended = why;
    const wait = this.ackWait;
    if (wait) {
      clearTimeout(wait.timer);
      clearTimeout(wait.give);
      this.ackWait = undefined;
      wait.reject(new DialogEnded(why));
    }
    this.host.dialogs.delete(this.key);
    const listeners = this.endedListeners;
    this.endedListeners = [];
    for (const listener of listeners) {
      try {
        listener(why);
      } catch (err) {
        this.host.warn({ err, callId: this.callId }, 'sip: dialog end listener threw');
      }
    }
  }
}
