import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Tokens of first-party channels (web chat visitors, app users): compact JWS with HS256 (RFC 7515,
 * claims per RFC 7519), so any JWT library reads them. Signed and checked here with node:crypto
 * rather than jose because an adapter's `verify` is synchronous.
 */
export interface TokenClaims {
  /** The visitor id or app user id. */
  sub: string;
  /** `webchat:<channelId>` or `app:<channelId>`: a token is good on one channel only. */
  aud: string;
  iat: number;
  exp: number;
  /** The app user's device, when the app's backend named one. */
  did?: string;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: string };

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/** A 32-byte key per purpose, so one channel secret never signs two kinds of thing. */
export function deriveKey(secret: string, purpose: string): Buffer {
  return createHmac('sha256', secret).update(purpose, 'utf8').digest();
}

export function signToken(
  key: Buffer,
  claims: { sub: string; aud: string; did?: string | undefined },
  nowMs: number,
  ttlSeconds: number,
): { token: string; expiresAt: string } {
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + ttlSeconds;
  const body: TokenClaims = {
    sub: claims.sub,
    aud: claims.aud,
    iat,
    exp,
    ...(claims.did && { did: claims.did }),
  };
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  const signature = createHmac('sha256', key).update(`${HEADER}.${payload}`).digest('base64url');
  return { token: `${HEADER}.${payload}.${signature}`, expiresAt: new Date(exp * 1000).toISOString() };
}

/**
 * Checks signature, audience and expiry. `graceSeconds` accepts a token that expired at most that
 * long ago: a returning visitor proves who they were with an old token to get a new one.
 */
export function readToken(
  key: Buffer,
  token: string | undefined,
  aud: string,
  nowMs: number,
  graceSeconds = 0,
): TokenCheck {
  if (!token) return { ok: false, reason: 'no token' };
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'not a compact JWS' };
  const [header, payload, signature] = parts as [string, string, string];
  if (header !== HEADER) return { ok: false, reason: 'only HS256 tokens are issued here' };
  const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'token signature does not match' };
  }
  let claims: Partial<TokenClaims>;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<TokenClaims>;
  } catch {
    return { ok: false, reason: 'token payload is not JSON' };
  }
  if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number' || typeof claims.iat !== 'number') {
    return { ok: false, reason: 'token lacks sub, iat or exp' };
  }
  if (claims.aud !== aud) return { ok: false, reason: 'token is for another channel' };
  if (claims.exp + graceSeconds <= Math.floor(nowMs / 1000))
    return { ok: false, reason: 'token has expired' };
  return { ok: true, claims: claims as TokenClaims };
}
