import { InvalidInput } from '../../core/index.js';
import type { InboundMessage, Media, MediaKind, ParseResult, RawRequest, Receipt } from '../contract.js';

/**
 * One form-encoded URL takes both kinds of request: an incoming message (Messaging webhook
 * request: From, To, Body, MessageSid, NumMedia, MediaUrlN, MediaContentTypeN) and a status
 * callback for one we sent (MessageSid, MessageStatus, ErrorCode). The message SID names the
 * message in both, so it is the idempotency key.
 */

/** An empty TwiML document: acknowledges without sending an automatic reply. */
const EMPTY_TWIML = {
  status: 200,
  contentType: 'text/xml',
  body: '<?xml version="1.0" encoding="UTF-8"?><Response></Response>',
} as const;

/** Twilio's limit for one MMS; a larger NumMedia is not something it sends. */
const MAX_MEDIA = 10;

const RECEIPT_STATUS = new Map<string, Receipt['status']>([
  ['sent', 'sent'],
  ['delivered', 'delivered'],
  ['read', 'read'],
  ['undelivered', 'failed'],
  ['failed', 'failed'],
  ['canceled', 'failed'],
]);
/** Status values of incoming messages; with these the request is a message, not a receipt. */
const INCOMING = new Set(['received', 'receiving']);

function mediaKind(contentType: string | undefined): MediaKind {
  const major = contentType?.split('/')[0]?.toLowerCase();
  if (major === 'image') return 'image';
  if (major === 'audio') return 'audio';
  if (major === 'video') return 'video';
  return 'file';
}

function receiptOf(form: URLSearchParams, sid: string, status: string): Receipt[] {
  const mapped = RECEIPT_STATUS.get(status);
  // queued/accepted/scheduled/sending: nothing to tell an agent yet. A state newer than this
  // adapter (Twilio adds them, e.g. partially_delivered) is skipped too: a 400 would only make the
  // provider retry it.
  if (!mapped) return [];
  const code = form.get('ErrorCode');
  const message = form.get('ErrorMessage');
  const error =
    mapped === 'failed' ? [code ? `error ${code}` : status, message].filter(Boolean).join(': ') : undefined;
  return [{ providerMessageId: `sms:${sid}`, status: mapped, ...(error ? { error } : {}) }];
}

function messageOf(form: URLSearchParams, sid: string): InboundMessage {
  const from = form.get('From')?.trim();
  if (!from) throw new InvalidInput('the SMS webhook has no From', 'From');
  const base = {
    providerMessageId: `sms:${sid}`,
    from: { identities: [{ kind: 'phone' as const, value: from }] },
  };
  const body = form.get('Body') ?? '';
  const count = Number(form.get('NumMedia') ?? '0');
  if (!Number.isInteger(count) || count < 0 || count > MAX_MEDIA) {
    throw new InvalidInput('NumMedia is not a count between 0 and 10', 'NumMedia');
  }
  if (count === 0) return { ...base, kind: 'text', text: body };
  const media: Media[] = [];
  for (let i = 0; i < count; i++) {
    const url = form.get(`MediaUrl${i}`);
    if (!url) throw new InvalidInput(`NumMedia says ${count} but MediaUrl${i} is missing`, `MediaUrl${i}`);
    const mimeType = form.get(`MediaContentType${i}`) ?? undefined;
    media.push({ kind: mediaKind(mimeType), url, ...(mimeType ? { mimeType } : {}) });
  }
  return { ...base, kind: 'media', media, ...(body ? { text: body } : {}) };
}

export function parseSms(req: RawRequest): ParseResult {
  const form = new URLSearchParams(req.rawBody.toString('utf8'));
  // SmsSid and SmsStatus are the older names Twilio still sends alongside.
  const sid = (form.get('MessageSid') || form.get('SmsSid'))?.trim();
  if (!sid) throw new InvalidInput('the SMS webhook has no MessageSid', 'MessageSid');
  const status = (form.get('MessageStatus') || form.get('SmsStatus'))?.trim().toLowerCase();
  if (status && !INCOMING.has(status)) {
    return { messages: [], receipts: receiptOf(form, sid, status), reply: EMPTY_TWIML };
  }
  return { messages: [messageOf(form, sid)], receipts: [], reply: EMPTY_TWIML };
}
