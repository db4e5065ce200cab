import { createHmac } from 'node:crypto';
import type { RawRequest } from '../../src/channels/contract.js';
import { rawRequest } from './http-provider.js';

/** Meta's `X-Hub-Signature-256`: `sha256=` + HMAC-SHA256 of the raw body with the app secret. */
export function metaSignature(body: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/** A signed Graph webhook POST (WhatsApp Cloud API, Messenger); `signature` overrides for bad-signature cases. */
export function metaWebhook(url: string, body: unknown, appSecret: string, signature?: string): RawRequest {
  const text = JSON.stringify(body);
  return rawRequest({
    url,
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': signature ?? metaSignature(text, appSecret),
    },
    body: text,
  });
}
