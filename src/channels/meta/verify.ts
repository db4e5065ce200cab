import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RawRequest, Verdict } from '../contract.js';

/**
 * Meta's two webhook checks, shared by WhatsApp Cloud API and Messenger
 * (developers.facebook.com/docs/graph-api/webhooks/getting-started): the GET subscription
 * handshake, and the `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(raw body, app secret)>` header
 * on every POST.
 */
export interface MetaWebhookSecrets {
  appSecret: string;
  verifyToken: string;
}

export function verifyMetaWebhook(req: RawRequest, secrets: MetaWebhookSecrets): Verdict {
  const method = req.method.toUpperCase();
  if (method === 'GET') return answerHandshake(req, secrets.verifyToken);
  if (method === 'POST') return checkSignature(req, secrets.appSecret);
  return { ok: false, reason: `method ${req.method} is not a Meta webhook` };
}

function answerHandshake(req: RawRequest, verifyToken: string): Verdict {
  const mode = req.query['hub.mode'];
  const token = req.query['hub.verify_token'];
  const challenge = req.query['hub.challenge'];
  if (mode !== 'subscribe') return { ok: false, reason: 'hub.mode is not subscribe' };
  if (token === undefined || !sameSecret(token, verifyToken)) {
    return { ok: false, reason: 'hub.verify_token does not match' };
  }
  if (!challenge) return { ok: false, reason: 'hub.challenge is missing' };
  return { ok: true, handshake: { status: 200, contentType: 'text/plain', body: challenge } };
}

function checkSignature(req: RawRequest, appSecret: string): Verdict {
  const header = req.headers['x-hub-signature-256'];
  if (!header) return { ok: false, reason: 'X-Hub-Signature-256 is missing' };
  if (!header.startsWith('sha256=')) return { ok: false, reason: 'X-Hub-Signature-256 is not sha256=<hex>' };
  const expected = createHmac('sha256', appSecret).update(req.rawBody).digest('hex');
  // Meta sends lower-case hex; lower-casing the header also accepts a proxy that upper-cased it.
  const given = header.slice('sha256='.length).trim().toLowerCase();
  if (!sameSecret(given, expected))
    return { ok: false, reason: 'X-Hub-Signature-256 does not match the body' };
  return { ok: true };
}

/** Constant-time for equal lengths; a length mismatch is already a refusal and leaks only the length. */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
