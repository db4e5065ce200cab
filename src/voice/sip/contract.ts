// What the rest of voice sees of the SIP stack: how it is started, what it counts, what it hands up.
import type { Logger } from 'pino';
import type { IncomingInvite } from './call-leg.js';
import type { Flow } from './message.js';
import type { InviteOptions, OutgoingInvite } from './outgoing.js';

export interface RateLimit {
  perSecond: number;
  burst: number;
}

export interface SipStackOptions {
  /** Address to bind (0.0.0.0 for all). */
  host: string;
  /** UDP and TCP port; 0 picks a free one. */
  port: number;
  /** The address peers reach us at (Contact, Via); by default loopback for loopback peers, else the first non-internal IPv4. */
  publicAddress?: string;
  logger: Logger;
  /** New calls (INVITE outside a dialog) per source address; beyond it 503 + Retry-After. */
  inviteRate?: RateLimit;
  /** Error responses per source address; beyond it we stop answering that source's malformed traffic. */
  errorRate?: RateLimit;
  /** Calls (ringing or answered) at most; beyond it 486 Busy Here. */
  maxCalls?: number;
  userAgent?: string;
}

/** Counters since start (the fuzz test and /metrics read them). */
export interface SipStats {
  received: number;
  requests: number;
  responses: number;
  /** Stateless error responses, by status. */
  rejected: Record<number, number>;
  /** Messages we did not answer, by reason. */
  dropped: Record<string, number>;
  /** INVITEs refused by the per-source rate limit. */
  floodLimited: number;
  /** Error responses not sent because the source is over its error budget. */
  errorLimited: number;
  keepalives: number;
  /** Exceptions caught around handlers (each answered 500 where a transaction existed). */
  handlerErrors: number;
}

export interface SipStack {
  /** Binds UDP and TCP; rejects with `PortInUse` when the port is taken. */
  start(): Promise<{ host: string; port: number }>;
  /** Hangs up every call (BYE), stops the transaction timers and closes the sockets. */
  stop(): Promise<void>;
  /** Who gets new calls. Without a handler INVITEs are answered 480. */
  onInvite(handler: (invite: IncomingInvite) => void): void;
  /**
   * Places a call (UAC): sends the INVITE at once. Throws `BadTarget` for a target we cannot reach
   * without DNS (see `targetFlow`).
   */
  invite(options: InviteOptions): OutgoingInvite;
  /** The address to put in SDP for a call that came from (or goes to) this flow. */
  localAddressFor(flow: Flow): string;
  readonly port: number;
  readonly stats: SipStats;
  /** Calls ringing or answered now, both ways. */
  readonly calls: number;
}
