import { createHash, timingSafeEqual } from 'node:crypto';
import type { RawRequest, Verdict } from '../contract.js';

/**
 * WeChat's server check (接入概述, Access_Overview): `signature` = hex SHA-1 of token, timestamp and
 * nonce sorted as strings and concatenated. The same query parameters come with every POST.
 *
 * No replay window here: `verify` has no clock, and in plaintext mode the signature does not cover
 * the body anyway, so a bound on `timestamp` would not stop a replayed signature carrying another
 * body. Redeliveries are absorbed by the gateway's idempotency key; bounding `timestamp` (WeChat
 * sends Unix seconds) belongs to the gateway, which has the clock.
 */
export function wechatSignature(token: string, timestamp: string, nonce: string): string {
  const joined = [token, timestamp, nonce].sort().join('');
  return createHash('sha1').update(joined, 'utf8').digest('hex');
}

function sameHex(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function verifyWechat(req: RawRequest, token: string): Verdict {
  const { signature, timestamp, nonce, echostr } = req.query;
  if (!signature || !timestamp || !nonce) {
    return { ok: false, reason: 'missing signature, timestamp or nonce query parameter' };
  }
  if (!sameHex(wechatSignature(token, timestamp, nonce), signature)) {
    return { ok: false, reason: 'signature does not match the configured token' };
  }
  const method = req.method.toUpperCase();
  if (method === 'GET') {
    if (echostr === undefined) return { ok: false, reason: 'a GET without echostr is not a WeChat request' };
    return { ok: true, handshake: { status: 200, contentType: 'text/plain', body: echostr } };
  }
  if (method !== 'POST') return { ok: false, reason: `WeChat does not send ${method} requests` };
  return { ok: true };
}
