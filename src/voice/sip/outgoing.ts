// The UAC side of one call: an INVITE we send, from the first request to the dialog its 2xx creates.
// The `sip` package's INVITE client transaction retransmits it, ACKs non-2xx finals and fires Timer B;
// what RFC 3261 leaves to the UA core is here: the ACK of a 2xx and of its retransmissions (§13.2.2.4),
// CANCEL only after a provisional response (§9.1), a 2xx that crosses our CANCEL (ACK, then BYE), and
// the dialog's state from the 2xx (§12.1.2), and digest authentication when a trunk challenges (§22.2).
import type { PackageClientTransaction, PackageMessage } from 'sip';
import digest, { type DigestContext } from 'sip/digest.js';
import { DialogLeg, type LegHost, T1 } from './call-leg.js';
import type { Dialog } from './dialog.js';
import {
  ALLOW,
  type Flow,
  newBranch,
  randomToken,
  type SipRequest,
  type SipResponse,
  uriHostPort,
  type Via,
} from './message.js';

/** What `SipStack.invite` is given. */
export interface InviteOptions {
  /** `sip:1001@127.0.0.1:5070`, `sip:agent@10.0.0.5;transport=tcp`: an IP literal or `localhost`. */
  target: string;
  /** Caller id: our From. */
  from: { uri: string; displayName?: string };
  /** Our SDP offer. */
  sdp: string;
  /** Extra headers (a header the stack writes itself — Via, From, To, Call-ID, CSeq, Contact — is ignored). */
  headers?: Record<string, string>;
  /** An INVITE not answered within this time is canceled (default 30 s). */
  ringTimeoutMs?: number;
  /** Credentials for a 401/407 challenge (a SIP trunk): the INVITE is sent again, signed. */
  auth?: { username: string; password: string };
}

export type OutgoingState = 'calling' | 'ringing' | 'answered' | 'failed' | 'canceled';

/** An INVITE we sent, until it is answered, refused, canceled or timed out. */
export interface OutgoingInvite {
  readonly callId: string;
  readonly state: OutgoingState;
  /** 180 Ringing, 183 Session Progress (and any other 1xx but 100). */
  onProvisional(listener: (status: number) => void): void;
  /**
   * The dialog, once a 2xx came and we ACKed it (its `remoteSdp` is the answer). Rejects with
   * `InviteFailed` on a 3xx–6xx, the ring timeout, `cancel()`, or a peer we cannot reach.
   */
  readonly answered: Promise<Dialog>;
  /** Gives up while it rings: CANCEL (once a provisional response came); a 2xx that crosses it is ACKed and hung up. */
  cancel(): void;
}

/** Why an INVITE of ours got no dialog. */
export type InviteFailure =
  /** The far end answered 3xx–6xx (`status`). */
  | 'rejected'
  /** Nobody answered in time: our ring timer (CANCEL sent, status 408) or Timer B. */
  | 'timeout'
  /** `cancel()` (status 487). */
  | 'canceled'
  /** The TCP connection could not be opened (status 503). */
  | 'unreachable';

export class InviteFailed extends Error {
  readonly code = 'VOICE_INVITE_FAILED';
  constructor(
    readonly status: number,
    readonly why: InviteFailure,
    reason?: string,
  ) {
    super(`INVITE ${why}: ${status}${reason ? ` ${reason}` : ''}`);
  }
}

/** The target of `invite` is not a SIP URI we can reach without DNS. */
export class BadTarget extends Error {
  readonly code = 'VOICE_BAD_TARGET';
}

/** What an outgoing INVITE needs from the stack beyond what a UAS leg does. */
export interface UacHost extends LegHost {
  readonly port: number;
  localAddressFor(flow: Flow): string;
  outgoing: Set<OutgoingLeg>;
  /** Starts a client transaction; `onConnectError` hears if a TCP connection for it cannot be opened. */
  transact(
    flow: Flow,
    request: SipRequest,
    onResponse: (response: SipResponse) => void,
    onConnectError?: (err: Error) => void,
  ): PackageClientTransaction;
  /** Sends a request outside any transaction (the ACK of a 2xx). */
  sendStateless(flow: Flow, request: SipRequest): void;
}

const DEFAULT_RING_TIMEOUT_MS = 30_000;
const LOCALHOST = /^localhost$/i;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6 = /^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$/;
/** Headers the stack writes; options.headers cannot replace them. */
const OWN_HEADERS = new Set([
  'via',
  'from',
  'to',
  'call-id',
  'cseq',
  'contact',
  'content-length',
  'content-type',
  'max-forwards',
]);

/**
 * Where a SIP URI's requests go without DNS (RFC 3263 is not implemented): the host must be an IP
 * literal or `localhost`, the transport UDP (default) or TCP. Undefined for anything else (a host name,
 * `sips:`, `transport=tls`, a `tel:` URI, a port out of range).
 */
export function targetFlow(uri: string): Flow | undefined {
  if (!/^sip:/i.test(uri)) return undefined;
  const parsed = uriHostPort(uri);
  if (!parsed) return undefined;
  const transport = parsed.transport ?? 'udp';
  if (transport !== 'udp' && transport !== 'tcp') return undefined;
  if (!(parsed.port >= 1 && parsed.port <= 65535)) return undefined;
  let address = parsed.host;
  if (LOCALHOST.test(address)) address = '127.0.0.1';
  else if (!IPV4.test(address) && !(IPV6.test(address) && address.includes(':'))) return undefined;
  return { transport, address, port: parsed.port };
}

/**
 * `"Name"` for a From header, with RFC 3261 §25.1 quoted-pair escapes, as UTF-8 bytes in a latin1
 * string (the transports send one char per byte): "张三" goes out as its six UTF-8 bytes.
 */
export function quoteDisplayName(name: string): string {
  // Control characters cannot be quoted (qdtext excludes them); a caller id never needs them.
  const clean = Array.from(name, (c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c)).join(
    '',
  );
  return Buffer.from(`"${clean.replace(/(["\\])/g, '\\$1')}"`, 'utf8').toString('latin1');
}

export class OutgoingLeg implements OutgoingInvite {
  state: OutgoingState = 'calling';
  readonly callId: string;
  readonly answered: Promise<Dialog>;
  /** The INVITE as last sent (a challenged one is sent again with the next CSeq, signed). */
  request: SipRequest;
  private readonly localTag = randomToken();
  private readonly auth: InviteOptions['auth'];
  private readonly digest: DigestContext = {};
  private challenges = 0;
  private transaction: PackageClientTransaction | undefined;
  private readonly provisionalListeners: ((status: number) => void)[] = [];
  private settle: { resolve: (d: Dialog) => void; reject: (err: Error) => void } | undefined;
  /** A provisional response came, so a CANCEL may be sent (RFC 3261 §9.1). */
  private provisional = false;
  /** We gave up (cancel, timeout, stop) and the CANCEL waits for a provisional response. */
  private cancelWanted = false;
  private canceled = false;
  /** The transaction ended (a final response, Timer B, a transport error). */
  private final = false;
  private dialog: DialogLeg | undefined;
  private ack: SipRequest | undefined;
  private ringTimer: NodeJS.Timeout | undefined;
  private cancelTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly host: UacHost,
    private readonly flow: Flow,
    options: InviteOptions,
  ) {
    this.auth = options.auth;
    const local = host.localAddressFor(flow);
    this.callId = `${randomToken(12)}@${local.includes(':') ? `[${local}]` : local}`;
    const extra: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {}))
      if (!OWN_HEADERS.has(name.toLowerCase())) extra[name.toLowerCase()] = value;
    const via: Via = {
      version: '2.0',
      protocol: flow.transport.toUpperCase(),
      host: local,
      port: host.port,
      // RFC 3581: ask for responses to the address and port we sent from.
      params: { branch: newBranch(), ...(flow.transport === 'udp' ? { rport: null } : {}) },
    };
    this.request = {
      method: 'INVITE',
      uri: options.target,
      version: '2.0',
      headers: {
        via: [via],
        from: {
          ...(options.from.displayName ? { name: quoteDisplayName(options.from.displayName) } : {}),
          uri: options.from.uri,
          params: { tag: this.localTag },
        },
        to: { uri: options.target, params: {} },
        'call-id': this.callId,
        cseq: { seq: 1, method: 'INVITE' },
        contact: [{ uri: host.contactFor(flow), params: {} }],
        'max-forwards': 70,
        allow: ALLOW,
        'user-agent': host.userAgent,
        ...extra,
        'content-type': 'application/sdp',
      },
      content: options.sdp,
    };
    this.answered = new Promise<Dialog>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // Whoever awaits `answered` gets the failure; an unobserved one is not an unhandled rejection.
    this.answered.catch(() => {});
    this.ringTimer = setTimeout(
      () => this.giveUp('failed', new InviteFailed(408, 'timeout', 'Ring Timeout')),
      options.ringTimeoutMs ?? DEFAULT_RING_TIMEOUT_MS,
    );
  }

  /** Sends the INVITE (the stack calls this once, after registering the leg). */
  start(): void {
    this.transaction = this.host.transact(
      this.flow,
      this.request,
      (response) => this.onResponse(response),
      (err) => this.onConnectError(err),
    );
  }

  onProvisional(listener: (status: number) => void): void {
    this.provisionalListeners.push(listener);
  }

  cancel(): void {
    this.giveUp('canceled', new InviteFailed(487, 'canceled', 'Request Terminated'));
  }

  /** The stack is stopping: CANCEL if we may, and no timer left behind (the transactions go with it). */
  shutdown(): void {
    this.giveUp('canceled', new InviteFailed(503, 'canceled', 'Shutting Down'));
    this.finished();
  }

  private onResponse(response: SipResponse): void {
    const { status } = response;
    if (status < 200) {
      this.provisional = true;
      if (this.cancelWanted) this.sendCancel();
      if (status > 100 && (this.state === 'calling' || this.state === 'ringing')) {
        this.state = 'ringing';
        for (const listener of this.provisionalListeners) {
          try {
            listener(status);
          } catch (err) {
            this.host.warn({ err, callId: this.callId }, 'sip: provisional listener threw');
          }
        }
      }
      return;
    }
    if (status < 300) {
      this.on2xx(response);
      return;
    }
    // 3xx–6xx: the transaction has ACKed it. A 487 after our CANCEL is the expected end.
    if ((status === 401 || status === 407) && this.answerChallenge(response)) return;
    this.finished();
    const why: InviteFailure = status === 408 ? 'timeout' : 'rejected';
    this.fail('failed', new InviteFailed(status, why, response.reason));
  }

  /**
   * RFC 3261 §22.2: the same INVITE again (same Call-ID and From tag, next CSeq, a new transaction)
   * with credentials for the challenge. Once per challenge; a second one with a fresh nonce is only
   * answered when it says `stale=true` (wrong credentials are not retried).
   */
  private answerChallenge(response: SipResponse): boolean {
    if (!this.auth || (this.state !== 'calling' && this.state !== 'ringing')) return false;
    const header = response.headers[response.status === 407 ? 'proxy-authenticate' : 'www-authenticate'];
    const stale = Array.isArray(header) && header.some((c) => /^"?true"?$/i.test(String(c?.stale ?? '')));
    if (this.challenges >= 3 || (this.challenges > 0 && !stale)) return false;
    this.challenges++;
    const h = this.request.headers;
    const via = h.via[0]!;
    const next: SipRequest = {
      ...this.request,
      headers: {
        ...h,
        via: [{ ...via, params: { ...via.params, branch: newBranch() } }],
        cseq: { seq: h.cseq.seq + 1, method: 'INVITE' },
      },
    };
    try {
      digest.signRequest(
        this.digest,
        next as unknown as PackageMessage,
        response as unknown as PackageMessage,
        {
          user: this.auth.username,
          password: this.auth.password,
        },
      );
    } catch (err) {
      this.host.warn({ err, callId: this.callId }, 'sip: cannot answer the challenge to our INVITE');
      return false;
    }
    this.request = next;
    this.provisional = false;
    this.canceled = false;
    this.start();
    return true;
  }

  private on2xx(response: SipResponse): void {
    this.finished();
    const tag = String(response.headers.to.params.tag ?? '');
    if (this.dialog && this.ack && tag === this.dialog.remoteTag) {
      // RFC 3261 §13.2.2.4: a retransmitted 2xx gets the same ACK again.
      this.host.sendStateless(this.dialog.flow, this.ack);
      return;
    }
    const dialog = this.dialogFrom(response);
    const ack = this.ackFor(dialog);
    this.host.sendStateless(dialog.flow, ack);
    if (this.dialog) {
      // A second fork answered (RFC 3261 §13.2.2.4): ACK it and hang it up at once.
      void this.host.sendRequest(dialog, 'BYE');
      return;
    }
    this.dialog = dialog;
    this.ack = ack;
    if (this.state !== 'calling' && this.state !== 'ringing') {
      // The 2xx crossed our CANCEL (or came after the ring timeout): the call is up; end it.
      void dialog.hangUp('local-bye');
      return;
    }
    this.state = 'answered';
    this.host.dialogs.set(dialog.key, dialog);
    this.settle?.resolve(dialog);
    this.settle = undefined;
  }

  /** RFC 3261 §12.1.2: the dialog as the UAC sees it from the 2xx. */
  private dialogFrom(response: SipResponse): DialogLeg {
    const h = response.headers;
    const contact = Array.isArray(h.contact) ? h.contact[0]?.uri : undefined;
    const remoteTarget = contact ?? this.request.uri;
    const routeSet = [...(h['record-route'] ?? [])].reverse();
    return new DialogLeg(
      this.host,
      {
        callId: this.callId,
        localTag: this.localTag,
        remoteTag: String(h.to.params.tag ?? ''),
        remote: { ...h.to, params: { ...h.to.params } },
        local: this.request.headers.from,
        remoteTarget,
        routeSet,
        remoteSeq: 0,
        localSeq: this.request.headers.cseq.seq,
        remoteSdp: response.content.length > 0 ? response.content : undefined,
      },
      inDialogFlow(routeSet[0]?.uri ?? remoteTarget, this.flow),
    );
  }

  /** The ACK of a 2xx: its own transaction (new branch), the INVITE's CSeq number (§13.2.2.4). */
  private ackFor(dialog: DialogLeg): SipRequest {
    const via = this.request.headers.via[0]!;
    return {
      method: 'ACK',
      uri: dialog.remoteTarget,
      version: '2.0',
      headers: {
        via: [{ ...via, params: { ...via.params, branch: newBranch() } }],
        from: dialog.local,
        to: dialog.remote,
        'call-id': this.callId,
        cseq: { seq: this.request.headers.cseq.seq, method: 'ACK' },
        route: dialog.routeSet,
        'max-forwards': 70,
        'user-agent': this.host.userAgent,
      },
      content: '',
    };
  }

  private giveUp(state: 'failed' | 'canceled', err: InviteFailed): void {
    if (this.state !== 'calling' && this.state !== 'ringing') return;
    this.fail(state, err);
    if (this.final) return;
    if (this.provisional) this.sendCancel();
    else this.cancelWanted = true;
    // RFC 3261 §9.1: without a final response 64·T1 after giving up, the INVITE is over.
    this.cancelTimer = setTimeout(() => {
      this.transaction?.shutdown();
      this.finished();
    }, 64 * T1);
  }

  /** RFC 3261 §9.1: the INVITE's Request-URI, Call-ID, From, To, CSeq number, Route and top Via. */
  private sendCancel(): void {
    if (this.canceled || this.final) return;
    this.canceled = true;
    this.cancelWanted = false;
    const h = this.request.headers;
    const cancel: SipRequest = {
      method: 'CANCEL',
      uri: this.request.uri,
      version: '2.0',
      headers: {
        via: [{ ...h.via[0]!, params: { ...h.via[0]!.params } }],
        from: h.from,
        to: h.to,
        'call-id': this.callId,
        cseq: { seq: h.cseq.seq, method: 'CANCEL' },
        ...(h.route ? { route: h.route } : {}),
        'max-forwards': 70,
        'user-agent': this.host.userAgent,
      },
      content: '',
    };
    try {
      this.host.transact(this.flow, cancel, () => {});
    } catch (err) {
      this.host.warn({ err, callId: this.callId }, 'sip: could not send CANCEL');
    }
  }

  private onConnectError(err: Error): void {
    if (this.final) return;
    this.host.warn({ err, callId: this.callId }, 'sip: could not connect for an INVITE');
    this.transaction?.shutdown();
    this.finished();
    this.fail('failed', new InviteFailed(503, 'unreachable', err.message));
  }

  private fail(state: 'failed' | 'canceled', err: InviteFailed): void {
    clearTimeout(this.ringTimer);
    if (this.state !== 'calling' && this.state !== 'ringing') return;
    this.state = state;
    this.settle?.reject(err);
    this.settle = undefined;
  }

  /** The INVITE transaction has its final answer: timers off, no longer pending in the stack. */
  private finished(): void {
    this.final = true;
    this.cancelWanted = false;
    clearTimeout(this.ringTimer);
    clearTimeout(this.cancelTimer);
    this.host.outgoing.delete(this);
  }
}

/**
 * Where our in-dialog requests go: the first Route, or else the remote target (RFC 3261 §12.2.1.1,
 * loose routing). A host we cannot resolve without DNS falls back to the flow the INVITE went out on.
 */
function inDialogFlow(uri: string, invite: Flow): Flow {
  const flow = targetFlow(uri);
  if (!flow) return invite;
  const transport = uriHostPort(uri)?.transport ? flow.transport : invite.transport;
  return { transport, address: flow.address, port: flow.port };
}
