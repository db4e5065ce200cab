import type { IdentityRef, RhythmSample } from '../identity/index.js';

/**
 * The one contract every provider implements (`src/channels/<provider>/index.ts`). Adapters are
 * pure translators: they never touch the database, and all I/O they do goes through `HttpClient`.
 * Signature checks, idempotency, rate limits and acknowledgement timing wrap every adapter the same
 * way in the gateway (`gateway.ts`), never inside one.
 */

/** An inbound HTTP request as the provider sent it; `rawBody` is the exact bytes, for signatures. */
export interface RawRequest {
  method: string;
  /** Path and query as received, e.g. `/webhooks/sms/<id>?x=1`. */
  url: string;
  /** The public URL the provider called (some signatures cover it, e.g. Twilio-style SMS). */
  publicUrl: string;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  rawBody: Buffer;
}

/** A reply the gateway sends as is (handshakes, and providers that want a particular body). */
export interface DirectReply {
  status: number;
  contentType: string;
  body: string;
}

export type Verdict =
  | { ok: true }
  /** A verification handshake (WhatsApp/Messenger `hub.challenge`, WeChat `echostr`): answer it, store nothing. */
  | { ok: true; handshake: DirectReply }
  | { ok: false; reason: string };

export type MediaKind = 'image' | 'audio' | 'video' | 'file' | 'sticker';

export interface Media {
  kind: MediaKind;
  /** A URL we can fetch, when the provider gives one. */
  url?: string;
  /** The provider's handle for it (WeChat MediaId, Telegram file_id, WhatsApp media id). */
  providerMediaId?: string;
  mimeType?: string;
  filename?: string;
  caption?: string;
  sizeBytes?: number;
}

/** E-mail (and anything else that threads by message ids). */
export interface Threading {
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  subject?: string;
}

interface InboundBase {
  /**
   * The provider's own id for this event; the idempotency key. Stable across redeliveries:
   * a webhook delivered twice or retried after a timeout yields the same value.
   */
  providerMessageId: string;
  /** Who sent it, as identities (a WeChat message carries openid and, when known, unionid). */
  from: { identities: IdentityRef[]; displayName?: string };
  /** When the customer sent it, ISO-8601, if the provider says. */
  occurredAt?: string;
  /**
   * Typing timings while the customer composed it (web chat, app): key-to-key and key-hold times,
   * never keys. They feed the customer's rhythm profile and are not stored with the message.
   */
  rhythm?: RhythmSample;
}

export type InboundMessage =
  | (InboundBase & { kind: 'text'; text: string; threading?: Threading })
  | (InboundBase & { kind: 'media'; media: Media[]; text?: string; threading?: Threading })
  | (InboundBase & {
      kind: 'location';
      location: { lat: number; lng: number; name?: string; address?: string };
    })
  | (InboundBase & { kind: 'postback'; postback: { payload: string; title?: string } })
  | (InboundBase & { kind: 'contact'; contact: { name: string; phones: string[]; emails: string[] } })
  /** A provider event that is not a message (WeChat subscribe, Messenger opt-in, …). */
  | (InboundBase & { kind: 'event'; event: string; detail?: Record<string, unknown> })
  /** The customer is typing; ephemeral, never stored. */
  | (InboundBase & { kind: 'typing' });

/** Delivery/read status of a message we sent, reported by the provider. */
export interface Receipt {
  /** The provider's id of OUR outbound message, as `send` returned it. */
  providerMessageId: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  occurredAt?: string;
  error?: string;
}

export interface ParseResult {
  messages: InboundMessage[];
  receipts: Receipt[];
  /** What to answer once everything is committed; default 200 with an empty body. */
  reply?: DirectReply;
}

export interface QuickReply {
  title: string;
  payload: string;
}

export interface OutboundMessage {
  /** Our message id; adapters that accept a client id pass it for provider-side de-duplication. */
  id: string;
  /** The customer's identity on this channel (phone, openid, chat id, e-mail address, …). */
  to: IdentityRef;
  text?: string;
  media?: Media[];
  quickReplies?: QuickReply[];
  threading?: Threading;
}

/** `retryable`: try again later (429, 5xx, network); `final`: do not (bad recipient, 4xx, policy). */
export type SendResult =
  | { status: 'sent'; providerMessageId: string; threading?: Threading }
  | { status: 'retryable'; error: string; retryAfterMs?: number }
  | { status: 'final'; error: string };

/** Only the HTTP an adapter needs; tests point `baseUrl` options at a local fake provider. */
export interface HttpClient {
  request(
    url: string,
    init: { method: string; headers?: Record<string, string>; body?: string | Buffer },
  ): Promise<{ status: number; headers: Record<string, string>; body: string }>;
}

/** Per-channel state an adapter keeps between sends (e.g. WeChat's access token and its expiry). */
export interface AdapterCache {
  get(key: string): { value: string; expiresAt: number } | undefined;
  set(key: string, value: string, expiresAt: number): void;
  delete(key: string): void;
}

/**
 * Pushes a frame to a customer connected to this installation by socket (web chat widget, mobile
 * app). First-party channels deliver through it instead of a provider's HTTP API.
 */
export interface RealtimePush {
  /**
   * `delivered`: on an open socket now; `offline`: no socket (the client fetches history when it
   * reconnects); `busy`: the socket's buffer is full, try again later.
   */
  push(
    channelId: string,
    recipient: string,
    frame: Record<string, unknown>,
  ): Promise<'delivered' | 'offline' | 'busy'>;
}

export interface SendContext {
  http: HttpClient;
  cache: AdapterCache;
  now(): number;
  /** The channel being sent on (first-party channels address their sockets by it). */
  channelId?: string;
  realtime?: RealtimePush;
}

/** Drives validation and the admin app's settings form. */
export interface CredentialField {
  key: string;
  label: { en: string; 'zh-CN': string };
  type: 'string' | 'url' | 'number' | 'boolean';
  required: boolean;
  /** Stored encrypted, never returned by the API. */
  secret: boolean;
  /** Example or default shown in the form. */
  placeholder?: string;
}

/** What a provider can do at all; the contract suite and the agent UI read these. */
export interface Capabilities {
  /** The provider reports delivery/read status of our messages (Telegram and WeChat OA do not). */
  receipts: boolean;
  media: boolean;
  quickReplies: boolean;
  typing: boolean;
}

/** `Parsed` is `Promise<ParseResult>` for adapters whose parsing is asynchronous (MIME). */
export interface ChannelAdapter<
  Config = Record<string, unknown>,
  Parsed extends ParseResult | Promise<ParseResult> = ParseResult,
> {
  readonly type: string;
  readonly credentials: CredentialField[];
  readonly capabilities: Capabilities;
  /** Throws InvalidInput naming the field when the config cannot work. Called on create/update and load. */
  validateConfig(config: Record<string, unknown>): Config;
  verify(req: RawRequest, config: Config): Verdict;
  /**
   * Throws InvalidInput for a body that is not what the provider sends (the gateway answers 400).
   * May be async where parsing is (MIME).
   */
  parse(req: RawRequest, config: Config): Parsed;
  send(msg: OutboundMessage, config: Config, ctx: SendContext): Promise<SendResult>;
  /** Maps a provider's HTTP failure to what happens next; one function per adapter, tested on recorded bodies. */
  classifyFailure(status: number, body: string): Exclude<SendResult, { status: 'sent' }>;
}
