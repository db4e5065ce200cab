import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RawRequest, Verdict } from '../contract.js';

/**
 * Twilio's request signature (Webhooks security): base64 HMAC-SHA1, keyed with the auth token, of
 * the full URL the provider called (query included) followed by every POST parameter sorted by
 * name, each written as name then value with no separators. A name sent twice contributes each of
 * its values, in value order, so repeated fields sign the same whatever order they arrived in.
 */
export function smsSignature(authToken: string, url: string, params: Iterable<[string, string]>): string {
  const sorted = [...params].sort(([ak, av], [bk, bv]) => (ak === bk ? compare(av, bv) : compare(ak, bk)));
  const data = url + sorted.map(([k, v]) => k + v).join('');
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A form-encoded body's fields; `+` is a space, as in any form post. */
export function formFields(body: Buffer): [string, string][] {
  return [...new URLSearchParams(body.toString('utf8'))];
}

/**
 * Checks against `req.publicUrl` exactly as given: a proxy that rewrites scheme, host or port, or
 * re-encodes the query, breaks the signature. JSON-bodied webhooks (signed with `bodySHA256` in the
 * URL) are not part of the SMS wire format and are refused.
 */
export function verifySms(req: RawRequest, authToken: string): Verdict {
  const given = req.headers['x-twilio-signature'];
  if (!given) return { ok: false, reason: 'missing X-Twilio-Signature header' };
  const params = req.method.toUpperCase() === 'POST' ? formFields(req.rawBody) : [];
  const expected = Buffer.from(smsSignature(authToken, req.publicUrl, params), 'utf8');
  const actual = Buffer.from(given, 'utf8');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    return { ok: false, reason: 'X-Twilio-Signature does not match the URL, parameters and auth token' };
  }
  return { ok: true };
}
