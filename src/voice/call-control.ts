// The CTI core: turns INVITEs into Calls with media, hands each to the one handler that drives calls
// (the IVR), and reports what happens to every call as `call.*` events for whoever watches. It also
// places calls (`dial`): an OutboundCall per INVITE we send, reported as `outbound.*`.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { newId } from '../core/index.js';
import { Call, type EndCause } from './call.js';
import type { Leg } from './leg.js';
import type { DtmfEvent, MediaEngine, MediaSession } from './media/index.js';
import { OutboundCall } from './outbound-call.js';
import { BadTarget, type IncomingInvite, type SipStack, targetFlow } from './sip/index.js';

export interface CallControlEvents {
  'call.ringing': [call: Call];
  'call.answered': [call: Call];
  'call.dtmf': [call: Call, event: DtmfEvent];
  'call.held': [call: Call];
  'call.resumed': [call: Call];
  'call.bridged': [call: Call, other: Leg];
  'call.unbridged': [call: Call, other: Leg];
  'call.ended': [call: Call, cause: EndCause];
  /** A call we placed: answered, and over (busy, no-answer, failed, hangup, caller-hangup, …). */
  'outbound.answered': [call: OutboundCall];
  'outbound.ended': [call: OutboundCall, cause: EndCause];
}

export interface DialOptions {
  /** Our From URI (`sip:+4930123@switchboard`) or just the user part (a number, an extension). */
  callerId: string;
  displayName?: string;
  /** Canceled when not answered within this time (default 30 s): ends with `no-answer`. */
  ringTimeoutMs?: number;
  /** Extra SIP headers on the INVITE. */
  headers?: Record<string, string>;
  /** Digest credentials, when the far end (a trunk) answers 401/407. */
  auth?: { username: string; password: string };
}

/** Drives one call from ringing to its end; a throw or rejection hangs the call up. */
export type CallHandler = (call: Call) => void | Promise<void>;

export interface CallControlOptions {
  sip: SipStack;
  media: MediaEngine;
  logger: Logger;
  /** A call nobody answers within this time is refused with 480 (default 60 s). */
  ringTimeoutMs?: number;
  now?: () => number;
}

export class CallControl extends EventEmitter<CallControlEvents> {
  private readonly active = new Map<string, Call>();
  private readonly placed = new Map<string, OutboundCall>();
  private handler: CallHandler | undefined;
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(private readonly options: CallControlOptions) {
    super();
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    options.sip.onInvite((invite) => {
      this.incoming(invite).catch((err: unknown) => {
        this.logger.error({ err, callId: invite.callId }, 'voice: could not set up an incoming call');
        if (invite.state === 'pending') invite.reject(500);
      });
    });
  }

  /** The handler every new call is given to. Without one, calls are refused with 480. */
  onCall(handler: CallHandler): void {
    this.handler = handler;
  }

  /** Calls that came in, ringing or up. */
  get calls(): Call[] {
    return [...this.active.values()];
  }

  /** Calls we placed, ringing or up. */
  get outbound(): OutboundCall[] {
    return [...this.placed.values()];
  }

  /** Every leg, both ways. */
  get legs(): (Call | OutboundCall)[] {
    return [...this.active.values(), ...this.placed.values()];
  }

  get(id: string): Call | undefined {
    return this.active.get(id);
  }

  getOutbound(id: string): OutboundCall | undefined {
    return this.placed.get(id);
  }

  /**
   * Places a call to a SIP URI (`sip:1001@10.0.0.5:5060`, `;transport=tcp`; an IP address or
   * localhost: no DNS). Resolves at once with the leg ringing; it emits `answered`, or `ended` with why
   * not. Rejects with `BadTarget` for a URI we cannot reach, `NoMediaPorts` when no RTP port is free.
   */
  async dial(target: string, options: DialOptions): Promise<OutboundCall> {
    const flow = targetFlow(target);
    if (!flow)
      throw new BadTarget(`cannot place a call to ${target} (an IP address or localhost, UDP or TCP)`);
    const media = await this.options.media.allocate();
    const localAddress = this.options.sip.localAddressFor(flow);
    const fromUri = /^sips?:/i.test(options.callerId)
      ? options.callerId
      : `sip:${escapeUser(options.callerId)}@${localAddress.includes(':') ? `[${localAddress}]` : localAddress}`;
    let call: OutboundCall;
    try {
      call = new OutboundCall(newId(this.now()), {
        invite: (sdp) =>
          this.options.sip.invite({
            target,
            from: { uri: fromUri, ...(options.displayName ? { displayName: options.displayName } : {}) },
            sdp,
            ...(options.headers ? { headers: options.headers } : {}),
            ...(options.ringTimeoutMs !== undefined ? { ringTimeoutMs: options.ringTimeoutMs } : {}),
            ...(options.auth ? { auth: options.auth } : {}),
          }),
        media,
        localAddress,
        target,
        now: this.now,
        warn: (context, message) => this.logger.warn(context, message),
      });
    } catch (err) {
      media.release();
      throw err;
    }
    this.placed.set(call.id, call);
    call.on('answered', () => this.report('outbound.answered', call));
    call.once('ended', (cause) => {
      this.placed.delete(call.id);
      this.report('outbound.ended', call, cause);
    });
    return call;
  }

  /** Hangs up every call, both ways. */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.calls, ...this.outbound].map((c) => c.shutdown()));
  }

  private async incoming(invite: IncomingInvite): Promise<void> {
    if (!this.handler) {
      invite.reject(480);
      return;
    }
    let media: MediaSession;
    try {
      media = await this.options.media.allocate();
    } catch (err) {
      this.logger.warn({ err, callId: invite.callId }, 'voice: no media port for a new call');
      invite.reject(503, 'No Media Port', { 'Retry-After': '5' });
      return;
    }
    if (invite.state !== 'pending') {
      // CANCEL came while we found a port.
      media.release();
      return;
    }
    const call = new Call(newId(this.now()), {
      invite,
      media,
      localAddress: this.options.sip.localAddressFor(invite.flow),
      now: this.now,
      warn: (context, message) => this.logger.warn(context, message),
    });
    const prepared = call.prepare();
    if (!prepared.ok) {
      invite.reject(prepared.status, prepared.reason);
      media.release();
      return;
    }
    this.track(call);
    invite.ring();
    this.report('call.ringing', call);
    const ringTimer = setTimeout(() => {
      if (call.state === 'ringing') call.reject(480);
    }, this.options.ringTimeoutMs ?? 60_000);
    call.once('answered', () => clearTimeout(ringTimer));
    call.once('ended', () => clearTimeout(ringTimer));
    try {
      await this.handler(call);
    } catch (err) {
      this.logger.error({ err, call: call.id }, 'voice: call handler failed; hanging up');
      await call.hangup();
    }
  }

  private track(call: Call): void {
    this.active.set(call.id, call);
    call.on('answered', () => this.report('call.answered', call));
    call.on('dtmf', (event) => this.report('call.dtmf', call, event));
    call.on('held', () => this.report('call.held', call));
    call.on('resumed', () => this.report('call.resumed', call));
    call.on('bridged', (other) => this.report('call.bridged', call, other));
    call.on('unbridged', (other) => this.report('call.unbridged', call, other));
    call.once('ended', (cause) => {
      this.active.delete(call.id);
      this.report('call.ended', call, cause);
    });
  }

  /** Emits to observers; one that throws is logged, not allowed to break the call. */
  private report<K extends keyof CallControlEvents>(event: K, ...args: CallControlEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: CallControlEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.logger.warn({ err, event }, 'voice: a call event listener threw');
    }
  }
}

/** A caller id as the user part of a SIP URI (RFC 3261 §25.1: unreserved and user-unreserved stay as they are). */
function escapeUser(user: string): string {
  return Array.from(new TextEncoder().encode(user), (b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9\-_.!~*'()&=+$,/]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}
