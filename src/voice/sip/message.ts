// Our typed view of the messages the `sip` package parses, and the few ways we build them.
import { randomBytes } from 'node:crypto';
import sip, { type PackageMessage } from 'sip';

export type SipTransport = 'udp' | 'tcp' | 'ws';

/** Where a message came from, or where one goes: the peer and the transport that reaches it. */
export interface Flow {
  transport: SipTransport;
  address: string;
  port: number;
  /** TCP/WS: the connection it arrived on, so the answer goes back the same way. */
  connectionId?: string;
}

export interface Via {
  version: string;
  protocol: string;
  host: string;
  port?: number;
  params: Record<string, string | null>;
}

/** A From, To or Contact value: `"name" <uri>;params`. */
export interface NameAddr {
  name?: string;
  uri: string;
  params: Record<string, string | null>;
}

export interface CSeq {
  seq: number;
  method: string;
}

/** Headers by lower-case long name; repeated generic headers are joined with ", " by the parser. */
export interface SipHeaders {
  via: Via[];
  from: NameAddr;
  to: NameAddr;
  'call-id': string;
  cseq: CSeq;
  contact?: NameAddr[] | '*';
  'record-route'?: NameAddr[];
  route?: NameAddr[];
  'content-type'?: string;
  'content-length'?: number;
  [name: string]: unknown;
}

export interface SipRequest {
  method: string;
  uri: string;
  version: string;
  headers: SipHeaders;
  /** The body as a latin1 string (bytes kept as they are). */
  content: string;
}

export interface SipResponse {
  status: number;
  reason: string;
  version: string;
  headers: SipHeaders;
  content: string;
}

export type SipMessage = SipRequest | SipResponse;

export const isRequest = (m: SipMessage): m is SipRequest => 'method' in m && typeof m.method === 'string';

/** The methods we answer; everything else is 405 (a SIP method we do not take) or 501 (unknown). */
export const ALLOWED_METHODS = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'INFO'] as const;
export const ALLOW = ALLOWED_METHODS.join(', ');

/** Methods defined by RFC 3261 and its extensions that we recognise but do not take: 405. */
export const KNOWN_METHODS = new Set([
  ...ALLOWED_METHODS,
  'REGISTER',
  'PRACK',
  'SUBSCRIBE',
  'NOTIFY',
  'PUBLISH',
  'MESSAGE',
  'REFER',
  'UPDATE',
]);

export const REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  200: 'OK',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'Version Not Supported',
  513: 'Message Too Large',
};

export function reasonFor(status: number): string {
  return REASONS[status] ?? (status < 300 ? 'OK' : 'Error');
}

/** A tag or Call-ID part: 64 random bits, hex. */
export function randomToken(bytes = 8): string {
  return randomBytes(bytes).toString('hex');
}

/** RFC 3261 §8.1.1.7: branch ids start with the magic cookie. */
export function newBranch(): string {
  return `z9hG4bK${randomToken(10)}`;
}

export function makeResponse(
  request: SipRequest,
  status: number,
  reason = reasonFor(status),
  extra: { headers?: Record<string, unknown>; content?: string } = {},
): SipResponse {
  return sip.makeResponse(request as unknown as PackageMessage, status, reason, {
    headers: extra.headers ?? {},
    content: extra.content ?? '',
  }) as unknown as SipResponse;
}

export function stringify(message: SipMessage): string {
  return sip.stringify(message as unknown as PackageMessage);
}

/** `sip:user@host:port;params` → host and port (default 5060); undefined if it is not a SIP URI. */
export function uriHostPort(uri: string): { host: string; port: number; transport?: string } | undefined {
  const m = /^sips?:(?:[^@;>?]*@)?(\[[0-9a-fA-F:.]+\]|[^:;>?]+)(?::(\d{1,5}))?([^?>]*)/i.exec(uri);
  if (!m?.[1]) return undefined;
  const host = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
  const transport = /;transport=([a-zA-Z]+)/i.exec(m[3] ?? '')?.[1]?.toLowerCase();
  return { host, port: m[2] ? Number(m[2]) : 5060, ...(transport ? { transport } : {}) };
}
