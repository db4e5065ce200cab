import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IdentityRef } from '../../identity/index.js';
import type { OutboundMessage, SendContext, SendResult } from '../contract.js';

/**
 * Outbound for first-party channels (web chat and the mobile app): the reply goes to the
 * customer's open sockets through the realtime hub. With none open, a configured push webhook is
 * told (so the site or app can notify the customer: e-mail, mobile push); either way the message
 * waits in history for the client's next fetch. Only that webhook can fail like a provider API.
 */
export interface PushTarget {
  /** `wc` or `app`: prefixes the provider message id. */
  prefix: string;
  pushUrl: string | undefined;
  /** Signs the push body: `X-Switchboard-Signature: sha256=<hex HMAC-SHA256(body, secret)>`. */
  secret: string;
}

export const SIGNATURE_HEADER = 'x-switchboard-signature';

export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Constant-time check of an `X-Switchboard-Signature` header against the raw body. */
export function signatureMatches(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const expected = Buffer.from(signBody(secret, body).slice('sha256='.length), 'hex');
  const given = Buffer.from(header.slice('sha256='.length).trim().toLowerCase(), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The `message` of a server frame; history items have the same shape. */
export function outboundFrame(msg: OutboundMessage, nowMs: number) {
  return {
    type: 'message',
    message: {
      id: msg.id,
      direction: 'out',
      text: msg.text ?? '',
      ...(msg.media?.length && { media: msg.media }),
      ...(msg.quickReplies?.length && { quickReplies: msg.quickReplies }),
      createdAt: new Date(nowMs).toISOString(),
    },
  };
}

/** A push receiver answers like any web service: 2xx taken; 408/425/429/5xx later; other 4xx never. */
export function classifyPushFailure(status: number, body: string): Exclude<SendResult, { status: 'sent' }> {
  const error = `push webhook answered ${status}: ${reasonOf(body)}`;
  if (status === 408 || status === 425 || status === 429 || status >= 500) {
    const retryAfter = retryAfterSeconds(body);
    return { status: 'retryable', error, ...(retryAfter && { retryAfterMs: retryAfter * 1000 }) };
  }
  return { status: 'final', error };
}

function reasonOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    for (const key of ['detail', 'message', 'error']) {
      if (typeof parsed[key] === 'string') return parsed[key] as string;
    }
  } catch {
    // Not JSON: the text itself is the best reason there is.
  }
  return body.slice(0, 200) || '(empty body)';
}

function retryAfterSeconds(body: string): number | undefined {
  try {
    const v = (JSON.parse(body) as { retryAfter?: unknown }).retryAfter;
    return typeof v === 'number' && v > 0 ? v : undefined;
  } catch {
    return undefined;
  }
}

export async function deliverFirstParty(
  msg: OutboundMessage,
  target: PushTarget,
  ctx: SendContext,
): Promise<SendResult> {
  const providerMessageId = `${target.prefix}:${msg.id}`;
  const frame = outboundFrame(msg, ctx.now());
  const onSocket =
    ctx.realtime && ctx.channelId ? await ctx.realtime.push(ctx.channelId, msg.to.value, frame) : 'offline';
  if (onSocket === 'delivered') return { status: 'sent', providerMessageId };
  // A full socket buffer drains in moments; a push notification now would be noise.
  if (onSocket === 'busy')
    return { status: 'retryable', error: 'the socket buffer is full', retryAfterMs: 2000 };
  if (!target.pushUrl) return { status: 'sent', providerMessageId };
  const recipient: IdentityRef = msg.to;
  const body = JSON.stringify({
    type: 'message',
    channelId: ctx.channelId ?? null,
    recipient,
    message: frame.message,
  });
  return pushWebhook(target.pushUrl, target.secret, body, ctx, providerMessageId);
}

async function pushWebhook(
  url: string,
  secret: string,
  body: string,
  ctx: SendContext,
  providerMessageId: string,
): Promise<SendResult> {
  let res: Awaited<ReturnType<SendContext['http']['request']>>;
  try {
    res = await ctx.http.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(secret, body) },
      body,
    });
  } catch (err) {
    return { status: 'retryable', error: `push webhook unreachable: ${(err as Error).message}` };
  }
  if (res.status >= 200 && res.status < 300) return { status: 'sent', providerMessageId };
  const failure = classifyPushFailure(res.status, res.body);
  const header = Number(res.headers['retry-after']);
  if (failure.status === 'retryable' && header > 0) return { ...failure, retryAfterMs: header * 1000 };
  return failure;
}
