import { InvalidInput } from '../../core/index.js';
import type { InboundMessage, Media, MediaKind, ParseResult, RawRequest, Receipt } from '../contract.js';
import { isoFrom, type Json, num, obj, objs, readWebhookEntries, str } from '../meta/webhook-body.js';

/**
 * Messenger Platform webhook (`object: "page"`): each `entry[].messaging[]` item is one event
 * from one person (PSID in `sender.id`): `message`, `postback`, `delivery`, `read`, `optin`,
 * `referral`, `reaction`. Our own sends come back as `message.is_echo` and are skipped.
 */
const MEDIA_TYPES: Record<string, MediaKind> = {
  image: 'image',
  audio: 'audio',
  video: 'video',
  file: 'file',
};

export function parseMessenger(req: RawRequest): ParseResult {
  const messages: InboundMessage[] = [];
  const receipts: Receipt[] = [];
  for (const entry of readWebhookEntries(req, 'page')) {
    // `standby` holds events while another app owns the thread (handover protocol); not ours to answer.
    for (const event of objs(entry, 'messaging')) {
      const psid = str(obj(event, 'sender'), 'id');
      // Chat-plugin guests have only a `user_ref`, which is no Messenger identity we can reply to.
      if (!psid) continue;
      const occurredAt = isoFrom(num(event, 'timestamp'), 'ms');
      const base = { from: { identities: [{ kind: 'messenger' as const, value: psid }] }, occurredAt };
      const message = obj(event, 'message');
      const postback = obj(event, 'postback');
      const delivery = obj(event, 'delivery');
      if (message) {
        const parsed = toMessage(message, base);
        if (parsed) messages.push(parsed);
      } else if (postback) {
        const payload = str(postback, 'payload');
        const at = str(event, 'timestamp');
        // The key is built from sender and time, so without a time there is no stable key.
        if (payload === undefined || at === undefined) {
          throw new InvalidInput('a postback needs a payload and a timestamp', 'messaging.postback');
        }
        messages.push({
          ...base,
          providerMessageId: `fb:pb:${psid}:${at}`,
          kind: 'postback',
          postback: { payload, title: str(postback, 'title') },
        });
      } else if (delivery) {
        // `mids` is absent for old clients; only the watermark (a time) is left, which names no message.
        for (const mid of Array.isArray(delivery.mids) ? delivery.mids : []) {
          if (typeof mid === 'string') receipts.push({ providerMessageId: `fb:${mid}`, status: 'delivered' });
        }
      } else {
        // `read` carries only a watermark; see above. The rest are kept as events.
        const at = str(event, 'timestamp');
        for (const name of ['optin', 'referral', 'reaction', 'account_linking']) {
          const detail = obj(event, name);
          if (detail && at !== undefined) {
            messages.push({
              ...base,
              providerMessageId: `fb:${name}:${psid}:${at}`,
              kind: 'event',
              event: name,
              detail,
            });
          }
        }
      }
    }
  }
  return { messages, receipts };
}

type Base = Pick<InboundMessage, 'from' | 'occurredAt'>;

function toMessage(message: Json, base: Base): InboundMessage | undefined {
  if (message.is_echo === true) return undefined;
  const mid = str(message, 'mid');
  if (!mid) throw new InvalidInput('a message has no mid', 'messaging.message.mid');
  const providerMessageId = `fb:${mid}`;
  const text = str(message, 'text');
  const quickReply = str(obj(message, 'quick_reply'), 'payload');
  if (quickReply !== undefined) {
    return { ...base, providerMessageId, kind: 'postback', postback: { payload: quickReply, title: text } };
  }
  const attachments = objs(message, 'attachments');
  const media: Media[] = [];
  for (const a of attachments) {
    const type = str(a, 'type') ?? '';
    const payload = obj(a, 'payload');
    if (type === 'location') {
      const coordinates = obj(payload, 'coordinates');
      const lat = num(coordinates, 'lat');
      const lng = num(coordinates, 'long');
      if (lat !== undefined && lng !== undefined) {
        return {
          ...base,
          providerMessageId,
          kind: 'location',
          location: { lat, lng, name: str(a, 'title') },
        };
      }
    }
    const kind = MEDIA_TYPES[type];
    const url = str(payload, 'url');
    if (!kind || !url) continue;
    // A sticker arrives as an image with a sticker_id (the thumbs-up is one).
    media.push({ kind: payload?.sticker_id === undefined ? kind : 'sticker', url });
  }
  if (media.length > 0) return { ...base, providerMessageId, kind: 'media', media, text };
  if (text !== undefined) {
    const replyTo = str(obj(message, 'reply_to'), 'mid');
    return replyTo
      ? { ...base, providerMessageId, kind: 'text', text, threading: { inReplyTo: `fb:${replyTo}` } }
      : { ...base, providerMessageId, kind: 'text', text };
  }
  // Templates, link shares (`fallback`), reels …: nothing we can show, but the customer did write.
  return {
    ...base,
    providerMessageId,
    kind: 'event',
    event: 'unsupported',
    detail: { attachments: attachments.map((a) => str(a, 'type')) },
  };
}
