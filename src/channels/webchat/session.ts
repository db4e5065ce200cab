import { randomBytes } from 'node:crypto';
import { deriveKey, readToken, signToken, type TokenCheck } from './token.js';

/**
 * Web chat visitors are anonymous: a visitor id is a random name the server hands out, and the
 * token signed over it (with a key derived from the channel's `tokenSecret`) is what proves a
 * request comes from that visitor. A returning visitor keeps their id, and with it their history,
 * only by showing a token for it, even an expired one; a bare visitor id proves nothing.
 */
export interface VisitorTokenConfig {
  tokenSecret: string | undefined;
  tokenTtlSeconds: number;
}

export interface VisitorSession {
  visitorId: string;
  token: string;
  expiresAt: string;
}

const PURPOSE = 'switchboard webchat visitor token v1';
/** How long after expiry a token still renews its visitor: a customer coming back after weeks. */
export const RENEW_GRACE_SECONDS = 90 * 24 * 3600;

export const audienceOf = (channelId: string) => `webchat:${channelId}`;

export function newVisitorId(): string {
  return `v_${randomBytes(16).toString('base64url')}`;
}

export function checkVisitorToken(
  config: VisitorTokenConfig,
  channelId: string,
  token: string | undefined,
  nowMs: number,
): TokenCheck {
  if (!config.tokenSecret) return { ok: false, reason: 'the channel has issued no sessions yet' };
  return readToken(deriveKey(config.tokenSecret, PURPOSE), token, audienceOf(channelId), nowMs);
}

/** A fresh token for the visitor the old token names, or a new visitor when it names none. */
export function openSession(
  config: { tokenSecret: string; tokenTtlSeconds: number },
  channelId: string,
  previous: { visitorId?: string | undefined; token?: string | undefined },
  nowMs: number,
  mint: () => string = newVisitorId,
): VisitorSession {
  const key = deriveKey(config.tokenSecret, PURPOSE);
  const old = readToken(key, previous.token, audienceOf(channelId), nowMs, RENEW_GRACE_SECONDS);
  const resumed = old.ok && (!previous.visitorId || previous.visitorId === old.claims.sub);
  const visitorId = resumed ? old.claims.sub : mint();
  const signed = signToken(
    key,
    { sub: visitorId, aud: audienceOf(channelId) },
    nowMs,
    config.tokenTtlSeconds,
  );
  return { visitorId, ...signed };
}
