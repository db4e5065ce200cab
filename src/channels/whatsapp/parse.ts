import { InvalidInput } from '../../core/index.js';
import type { IdentityRef } from '../../identity/index.js';
import type { InboundMessage, Media, MediaKind, ParseResult, RawRequest, Receipt } from '../contract.js';
import { isoFrom, type Json, num, obj, objs, readWebhookEntries, str } from '../meta/webhook-body.js';

/**
 * WhatsApp Cloud API `messages` webhook: `entry[].changes[].value` carries `messages[]` from
 * customers (with `contacts[]` naming them) and `statuses[]` for the messages we sent.
 */
const MEDIA_TYPES: Record<string, MediaKind> = {
  image: 'image',
  audio: 'audio',
  video: 'video',
  document: 'file',
  sticker: 'sticker',
};

const RECEIPT_STATUSES = new Set<Receipt['status']>(['sent', 'delivered', 'read', 'failed']);

export function parseWhatsApp(req: RawRequest, phoneNumberId: string): ParseResult {
  const messages: InboundMessage[] = [];
  const receipts: Receipt[] = [];
  for (const entry of readWebhookEntries(req, 'whatsapp_business_account')) {
    for (const change of objs(entry, 'changes')) {
      // Other fields (account_update, message_template_status_update, …) are not conversations.
      const field = str(change, 'field');
      if (field !== undefined && field !== 'messages') continue;
      const value = obj(change, 'value');
      if (!value) throw new InvalidInput('a messages change has no value', 'entry.changes.value');
      // One Meta app can serve several numbers; the others' events belong to other channels.
      const to = str(obj(value, 'metadata'), 'phone_number_id');
      if (to !== undefined && to !== phoneNumberId) continue;
      const contacts = objs(value, 'contacts');
      for (const m of objs(value, 'messages')) messages.push(...toMessages(m, contacts));
      for (const s of objs(value, 'statuses')) {
        const receipt = toReceipt(s);
        if (receipt) receipts.push(receipt);
      }
    }
  }
  return { messages, receipts };
}

function toMessages(m: Json, contacts: Json[]): InboundMessage[] {
  const id = str(m, 'id');
  const from = str(m, 'from');
  if (!id || !from) throw new InvalidInput('a WhatsApp message needs an id and a from', 'messages');
  const contact = contacts.find((c) => str(c, 'wa_id') === from) ?? contacts[0];
  const waId = str(contact, 'wa_id') ?? from;
  const identities: IdentityRef[] = [
    { kind: 'whatsapp', value: `+${waId}` },
    { kind: 'phone', value: `+${waId}` },
  ];
  const displayName = str(obj(contact, 'profile'), 'name');
  const base = {
    providerMessageId: `wa:${id}`,
    from: displayName ? { identities, displayName } : { identities },
    occurredAt: isoFrom(num(m, 'timestamp'), 's'),
  };
  const type = str(m, 'type') ?? '';
  const replyTo = str(obj(m, 'context'), 'id');
  const threading = replyTo ? { threading: { inReplyTo: `wa:${replyTo}` } } : {};

  if (type === 'text') {
    const text = str(obj(m, 'text'), 'body');
    if (text === undefined) throw new InvalidInput('a text message has no text.body', 'messages.text');
    return [{ ...base, kind: 'text', text, ...threading }];
  }
  const mediaKind = MEDIA_TYPES[type];
  if (mediaKind) {
    const media = toMedia(mediaKind, obj(m, type));
    if (!media) throw new InvalidInput(`a ${type} message has no media id`, `messages.${type}`);
    return [{ ...base, kind: 'media', media: [media], text: media.caption, ...threading }];
  }
  if (type === 'location') {
    const loc = obj(m, 'location');
    const lat = num(loc, 'latitude');
    const lng = num(loc, 'longitude');
    if (lat === undefined || lng === undefined) {
      throw new InvalidInput('a location message needs latitude and longitude', 'messages.location');
    }
    return [
      {
        ...base,
        kind: 'location',
        location: { lat, lng, name: str(loc, 'name'), address: str(loc, 'address') },
      },
    ];
  }
  if (type === 'contacts') {
    // The contract holds one card per message; each further card gets its own key.
    return objs(m, 'contacts').map((card, i) => ({
      ...base,
      providerMessageId: i === 0 ? base.providerMessageId : `${base.providerMessageId}:${i}`,
      kind: 'contact' as const,
      contact: {
        name: str(obj(card, 'name'), 'formatted_name') ?? '',
        phones: objs(card, 'phones').flatMap((p) => {
          const wa = str(p, 'wa_id');
          const phone = wa ? `+${wa}` : str(p, 'phone');
          return phone ? [phone] : [];
        }),
        emails: objs(card, 'emails').flatMap((e) => str(e, 'email') ?? []),
      },
    }));
  }
  if (type === 'interactive') {
    const interactive = obj(m, 'interactive');
    const reply = obj(interactive, 'button_reply') ?? obj(interactive, 'list_reply');
    const payload = str(reply, 'id');
    if (payload !== undefined)
      return [{ ...base, kind: 'postback', postback: { payload, title: str(reply, 'title') } }];
    return [
      {
        ...base,
        kind: 'event',
        event: `interactive.${str(interactive, 'type') ?? 'unknown'}`,
        detail: interactive,
      },
    ];
  }
  if (type === 'button') {
    // A tap on a template's quick-reply button.
    const button = obj(m, 'button');
    const payload = str(button, 'payload') ?? str(button, 'text');
    if (payload === undefined) throw new InvalidInput('a button message has no payload', 'messages.button');
    return [{ ...base, kind: 'postback', postback: { payload, title: str(button, 'text') } }];
  }
  // reaction, order, system, unsupported, …: kept as events so nothing the customer did is lost.
  return [{ ...base, kind: 'event', event: type || 'unknown', detail: obj(m, type) ?? { errors: m.errors } }];
}

function toMedia(kind: MediaKind, o: Json | undefined): Media | undefined {
  const providerMediaId = str(o, 'id');
  if (!providerMediaId) return undefined;
  const media: Media = { kind, providerMediaId };
  const mimeType = str(o, 'mime_type');
  const filename = str(o, 'filename');
  const caption = str(o, 'caption');
  if (mimeType) media.mimeType = mimeType;
  if (filename) media.filename = filename;
  if (caption) media.caption = caption;
  return media;
}

function toReceipt(s: Json): Receipt | undefined {
  const id = str(s, 'id');
  const status = str(s, 'status');
  if (!id || !status) throw new InvalidInput('a WhatsApp status needs an id and a status', 'statuses');
  if (!RECEIPT_STATUSES.has(status as Receipt['status'])) return undefined;
  const receipt: Receipt = {
    providerMessageId: `wa:${id}`,
    status: status as Receipt['status'],
    occurredAt: isoFrom(num(s, 'timestamp'), 's'),
  };
  const errors = objs(s, 'errors');
  if (errors.length > 0) {
    receipt.error = errors
      .map((e) => {
        const details = str(obj(e, 'error_data'), 'details');
        return `#${str(e, 'code') ?? '?'} ${str(e, 'title') ?? str(e, 'message') ?? ''}${details ? ` (${details})` : ''}`;
      })
      .join('; ');
  }
  return receipt;
}
