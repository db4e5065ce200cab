// The SIP stack: our transports and validation gate in front, the `sip` package's transaction layer in
// the middle, and call legs (call-leg.ts) on top. Nothing a peer sends can throw out of `receive`.
import os from 'node:os';
import type { Logger } from 'pino';
import sip, {
  type PackageClientTransaction,
  type PackageConnection,
  type PackageMessage,
  type PackageTransactionLayer,
} from 'sip';
import { type DialogLeg, type IncomingInvite, IncomingLeg, inviteKey } from './call-leg.js';
import type { SipStack, SipStackOptions, SipStats } from './contract.js';
import { dialogKey } from './dialog.js';
import { SourceBuckets } from './flood.js';
import { type RawHead, rawErrorResponse } from './framing.js';
import {
  ALLOW,
  ALLOWED_METHODS,
  type Flow,
  KNOWN_METHODS,
  makeResponse,
  newBranch,
  randomToken,
  reasonFor,
  type SipRequest,
  type SipResponse,
  stringify,
} from './message.js';
import {
  BadTarget,
  type InviteOptions,
  type OutgoingInvite,
  OutgoingLeg,
  targetFlow,
  type UacHost,
} from './outgoing.js';
import { openTransports, type SipTransports } from './transport.js';
import { readMessage } from './validate.js';

export type { RateLimit, SipStack, SipStackOptions, SipStats } from './contract.js';

/** Option tags we implement (RFC 3261 §8.2.2.3: a Require naming any other is 420). */
const SUPPORTED_EXTENSIONS = new Set<string>();
const MAX_DROP_REASONS = 64;

export function createSipStack(options: SipStackOptions): SipStack {
  return new Stack(options);
}

class Stack implements SipStack, UacHost {
  readonly dialogs = new Map<string, DialogLeg>();
  readonly pendingInvites = new Map<string, IncomingLeg>();
  readonly outgoing = new Set<OutgoingLeg>();
  readonly userAgent: string;
  readonly stats: SipStats = {
    received: 0,
    requests: 0,
    responses: 0,
    rejected: {},
    dropped: {},
    floodLimited: 0,
    errorLimited: 0,
    keepalives: 0,
    handlerErrors: 0,
  };
  private transports: SipTransports | undefined;
  private readonly transactions: PackageTransactionLayer;
  private readonly invites: SourceBuckets;
  private readonly errors: SourceBuckets;
  private handler: ((invite: IncomingInvite) => void) | undefined;
  private readonly logger: Logger;
  private readonly defaultAddress: string;

  constructor(private readonly options: SipStackOptions) {
    this.logger = options.logger;
    this.userAgent = options.userAgent ?? 'Switchboard';
    const inviteRate = options.inviteRate ?? { perSecond: 100, burst: 200 };
    const errorRate = options.errorRate ?? { perSecond: 200, burst: 400 };
    this.invites = new SourceBuckets({ ratePerSecond: inviteRate.perSecond, burst: inviteRate.burst });
    this.errors = new SourceBuckets({ ratePerSecond: errorRate.perSecond, burst: errorRate.burst });
    // The package's client transactions open connections through this; we always hand them one.
    this.transactions = sip.makeTransactionLayer({}, () => {
      throw new Error('no connection');
    });
    this.defaultAddress = options.publicAddress ?? firstExternalAddress() ?? '127.0.0.1';
  }

  get port(): number {
    return this.transports?.port ?? 0;
  }

  get calls(): number {
    return this.dialogs.size + this.pendingInvites.size + this.outgoing.size;
  }

  async start(): Promise<{ host: string; port: number }> {
    this.transports = await openTransports({
      host: this.options.host,
      port: this.options.port,
      logger: this.logger,
      onMessage: (text, flow) => this.receive(text, flow),
    });
    return { host: this.transports.host, port: this.transports.port };
  }

  async stop(): Promise<void> {
    const byes = [...this.dialogs.values()].map((d) => d.hangUp('shutdown'));
    for (const invite of [...this.pendingInvites.values()]) invite.reject(503, 'Service Unavailable');
    for (const invite of [...this.outgoing]) invite.shutdown();
    // BYEs get a moment for their 200 (a lost one is re-sent by the transaction meanwhile).
    await Promise.race([Promise.allSettled(byes), new Promise((r) => setTimeout(r, 1000).unref())]);
    this.transactions.destroy();
    await this.transports?.close();
    this.transports = undefined;
  }

  onInvite(handler: (invite: IncomingInvite) => void): void {
    this.handler = handler;
  }

  invite(options: InviteOptions): OutgoingInvite {
    const flow = targetFlow(options.target);
    if (!flow)
      throw new BadTarget(
        `cannot place a call to ${options.target} (an IP address or localhost, UDP or TCP)`,
      );
    if (!this.transports) throw new Error('the SIP stack is not started');
    const leg = new OutgoingLeg(this, flow, options);
    this.outgoing.add(leg);
    leg.start();
    return leg;
  }

  transact(
    flow: Flow,
    request: SipRequest,
    onResponse: (response: SipResponse) => void,
    onConnectError?: (err: Error) => void,
  ): PackageClientTransaction {
    return this.transactions.createClientTransaction(
      this.connection(flow, onConnectError),
      request as unknown as PackageMessage,
      (response) => onResponse(response as unknown as SipResponse),
    );
  }

  /** A message outside any transaction: a stateless answer, or the ACK of a 2xx. */
  sendStateless(flow: Flow, message: SipRequest | SipResponse): void {
    try {
      this.transports?.send(flow, stringify(message));
    } catch (err) {
      this.logger.warn({ err, callId: message.headers['call-id'] }, 'sip: send failed');
    }
  }

  localAddressFor(flow: Flow): string {
    if (this.options.publicAddress) return this.options.publicAddress;
    if (flow.address === '127.0.0.1' || flow.address === '::1' || flow.address.startsWith('::ffff:127.'))
      return '127.0.0.1';
    return this.defaultAddress;
  }

  contactFor(flow: Flow): string {
    const transport = flow.transport === 'udp' ? '' : `;transport=${flow.transport}`;
    return `sip:switchboard@${this.localAddressFor(flow)}:${this.port}${transport}`;
  }

  warn(context: Record<string, unknown>, message: string): void {
    this.logger.warn(context, message);
  }

  /** Every message from the network starts here. */
  receive(text: string, flow: Flow): void {
    this.stats.received++;
    try {
      const inbound = readMessage(text, flow.transport);
      switch (inbound.kind) {
        case 'keepalive':
          this.stats.keepalives++;
          return;
        case 'drop':
          this.drop(inbound.reason);
          return;
        case 'reject':
          if (inbound.method === 'ACK') this.drop('malformed ACK');
          else this.rejectRaw(flow, inbound.head, inbound.status, inbound.reason);
          return;
        case 'response':
          this.stats.responses++;
          this.onResponse(inbound.response);
          return;
        case 'request':
          this.stats.requests++;
          this.onRequest(inbound.request, inbound.head, flow);
          return;
      }
    } catch (err) {
      this.stats.handlerErrors++;
      this.logger.error({ err, from: `${flow.address}:${flow.port}` }, 'sip: error handling a message');
    }
  }

  private onResponse(response: SipResponse): void {
    const transaction = this.transactions.getClient(response as unknown as PackageMessage);
    if (transaction) transaction.message(response as unknown as PackageMessage, true);
    else this.drop('response to no transaction');
  }

  private onRequest(request: SipRequest, head: RawHead, flow: Flow): void {
    const message = request as unknown as PackageMessage;
    const existing = this.transactions.getServer(message);
    if (existing) {
      // A retransmission (or the ACK of a non-2xx final): the transaction knows what to do.
      existing.message(message);
      return;
    }
    const { method } = request;
    if (method === 'ACK') {
      this.onAck(request);
      return;
    }
    if (!(ALLOWED_METHODS as readonly string[]).includes(method)) {
      // RFC 3261 §8.2.1: 405 for a method we know and do not take; §21.5.2: 501 for one we do not know.
      this.rejectRaw(flow, head, KNOWN_METHODS.has(method) ? 405 : 501, undefined, { Allow: ALLOW });
      return;
    }
    const unsupported = requiredExtensions(request).filter((tag) => !SUPPORTED_EXTENSIONS.has(tag));
    if (unsupported.length > 0) {
      this.rejectRaw(flow, head, 420, undefined, { Unsupported: unsupported.join(', ') });
      return;
    }
    const toTag = request.headers.to.params.tag;
    if (method === 'INVITE' && !toTag) {
      this.onNewInvite(request, head, flow);
      return;
    }
    if (method === 'OPTIONS' && !toTag) {
      const ok = makeResponse(request, 200, 'OK', {
        headers: { allow: ALLOW, accept: 'application/sdp', 'user-agent': this.userAgent },
      });
      // RFC 3261 §8.2.6.2: a response outside a dialog carries a To tag of ours.
      ok.headers.to = { ...request.headers.to, params: { ...request.headers.to.params, tag: randomToken() } };
      this.sendStateless(flow, ok);
      return;
    }
    if (method === 'CANCEL') {
      this.onCancel(request, head, flow);
      return;
    }
    const dialog = toTag
      ? this.dialogs.get(
          dialogKey(request.headers['call-id'], String(toTag), String(request.headers.from.params.tag)),
        )
      : undefined;
    if (!dialog) {
      this.rejectRaw(flow, head, 481);
      return;
    }
    if (request.headers.cseq.seq < dialog.remoteSeq && method !== 'ACK') {
      // RFC 3261 §12.2.2: an in-dialog request older than the last one is out of order.
      this.rejectRaw(flow, head, 500, 'Out Of Order CSeq');
      return;
    }
    dialog.remoteSeq = request.headers.cseq.seq;
    const transaction = this.transactions.createServerTransaction(message, this.connection(flow));
    if (method === 'BYE') {
      transaction.send(makeResponse(request, 200) as unknown as PackageMessage);
      dialog.remoteBye();
    } else if (method === 'INFO') {
      transaction.send(makeResponse(request, 200) as unknown as PackageMessage);
      dialog.info(request);
    } else if (method === 'INVITE') {
      dialog.reinvite(request, transaction);
    } else {
      transaction.send(
        makeResponse(request, 200, 'OK', { headers: { allow: ALLOW } }) as unknown as PackageMessage,
      );
    }
  }

  private onNewInvite(request: SipRequest, head: RawHead, flow: Flow): void {
    if (!this.invites.take(flow.address)) {
      this.stats.floodLimited++;
      const retry = this.invites.retryAfter(flow.address);
      this.rejectRaw(flow, head, 503, undefined, { 'Retry-After': String(retry) });
      return;
    }
    const key = inviteKey(request);
    if (this.pendingInvites.has(key)) return;
    if (this.calls >= (this.options.maxCalls ?? 10_000)) {
      this.rejectRaw(flow, head, 486);
      return;
    }
    if (request.content.length > 0) {
      const type = String(request.headers['content-type'] ?? '').toLowerCase();
      if (!type.startsWith('application/sdp') || request.headers['content-encoding'] !== undefined) {
        this.rejectRaw(flow, head, 415, undefined, { Accept: 'application/sdp' });
        return;
      }
    }
    if (!this.handler) {
      this.rejectRaw(flow, head, 480);
      return;
    }
    const transaction = this.transactions.createServerTransaction(
      request as unknown as PackageMessage,
      this.connection(flow),
    );
    const leg = new IncomingLeg(this, request, flow, transaction);
    this.pendingInvites.set(key, leg);
    transaction.send(makeResponse(request, 100) as unknown as PackageMessage);
    try {
      this.handler(leg);
    } catch (err) {
      this.stats.handlerErrors++;
      this.logger.error({ err, callId: leg.callId }, 'sip: INVITE handler threw');
      leg.reject(500);
    }
  }

  private onAck(request: SipRequest): void {
    const h = request.headers;
    const toTag = h.to.params.tag;
    const dialog = toTag
      ? this.dialogs.get(dialogKey(h['call-id'], String(toTag), String(h.from.params.tag)))
      : undefined;
    // RFC 3261 §17.2.3: an ACK that matches nothing is absorbed silently.
    if (dialog) dialog.acknowledge(request);
    else this.drop('ACK for no dialog');
  }

  private onCancel(request: SipRequest, head: RawHead, flow: Flow): void {
    const leg = this.pendingInvites.get(inviteKey(request));
    if (!leg) {
      this.rejectRaw(flow, head, 481);
      return;
    }
    const transaction = this.transactions.createServerTransaction(
      request as unknown as PackageMessage,
      this.connection(flow),
    );
    transaction.send(makeResponse(request, 200) as unknown as PackageMessage);
    leg.cancel();
  }

  sendRequest(
    dialog: DialogLeg,
    method: string,
    extra: { headers?: Record<string, unknown> } = {},
  ): Promise<number> {
    const transports = this.transports;
    if (!transports) return Promise.resolve(503);
    const flow = dialog.flow;
    const request = {
      method,
      uri: dialog.remoteTarget,
      version: '2.0',
      headers: {
        via: [
          {
            version: '2.0',
            protocol: flow.transport.toUpperCase(),
            host: this.localAddressFor(flow),
            port: this.port,
            params: { branch: newBranch(), ...(flow.transport === 'udp' ? { rport: null } : {}) },
          },
        ],
        to: { ...dialog.remote },
        from: dialog.local,
        'call-id': dialog.callId,
        cseq: { seq: ++dialog.localSeq, method },
        'max-forwards': 70,
        route: dialog.routeSet,
        'user-agent': this.userAgent,
        ...extra.headers,
      },
      content: '',
    };
    return new Promise<number>((resolve) => {
      try {
        this.transactions.createClientTransaction(
          this.connection(flow),
          request as unknown as PackageMessage,
          (response) => {
            if ((response.status ?? 0) >= 200) resolve(response.status ?? 0);
          },
        );
      } catch (err) {
        this.logger.warn({ err, callId: dialog.callId }, `sip: could not send ${method}`);
        resolve(503);
      }
    });
  }

  private connection(flow: Flow, onConnectError?: (err: Error) => void): PackageConnection {
    const protocol = flow.transport.toUpperCase();
    return {
      protocol,
      send: (message) => {
        try {
          this.transports?.send(flow, stringify(message as never), onConnectError);
        } catch (err) {
          this.logger.warn({ err }, 'sip: send failed');
        }
      },
      release() {},
    };
  }

  /** A stateless error response from the request's raw lines (RFC 3261 §8.2.7), within the source's budget. */
  private rejectRaw(
    flow: Flow,
    head: RawHead,
    status: number,
    reason?: string,
    extra: Record<string, string> = {},
  ): void {
    if (!this.errors.take(flow.address)) {
      this.stats.errorLimited++;
      return;
    }
    this.stats.rejected[status] = (this.stats.rejected[status] ?? 0) + 1;
    const phrase = reason ?? reasonFor(status);
    this.transports?.send(
      flow,
      rawErrorResponse(head, status, phrase, { 'User-Agent': this.userAgent, ...extra }),
    );
  }

  private drop(reason: string): void {
    const key =
      reason in this.stats.dropped || Object.keys(this.stats.dropped).length < MAX_DROP_REASONS
        ? reason
        : 'other';
    this.stats.dropped[key] = (this.stats.dropped[key] ?? 0) + 1;
  }
}

function requiredExtensions(request: SipRequest): string[] {
  const require = request.headers.require;
  if (typeof require !== 'string' || request.method === 'ACK' || request.method === 'CANCEL') return [];
  return require
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t.length > 0);
}

function firstExternalAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const info of list ?? []) if (info.family === 'IPv4' && !info.internal) return info.address;
  }
  return undefined;
}
