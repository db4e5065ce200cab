import type { InboundMessage as Ingest } from '../conversations/index.js';
import type { Row } from '../storage/index.js';
import type { InboundMessage } from './contract.js';

/**
 * An adapter's normalised message, as the conversation model stores it: a text for the
 * transcript (and search), a content type, and the structured part in the payload.
 * Returns undefined for what is not a message (provider events).
 */
export function toIngest(
  channel: Pick<Row<'channels'>, 'id' | 'type'>,
  msg: InboundMessage,
): Ingest | undefined {
  const [identity, ...alsoKnownAs] = msg.from.identities;
  if (!identity) return undefined;
  const base = {
    channelType: channel.type,
    channelId: channel.id,
    identity,
    alsoKnownAs,
    displayName: msg.from.displayName,
    idempotencyKey: msg.providerMessageId,
    occurredAt: msg.occurredAt,
  };
  switch (msg.kind) {
    case 'text':
      return { ...base, ...threaded(msg.threading), text: msg.text, contentType: 'text' };
    case 'media':
      return {
        ...base,
        ...threaded(msg.threading),
        text:
          msg.text ??
          msg.media
            .map((m) => m.caption ?? '')
            .join(' ')
            .trim(),
        contentType: 'media',
        payload: { media: msg.media, ...(msg.threading && { threading: msg.threading }) },
      };
    case 'location': {
      const { lat, lng, name, address } = msg.location;
      return {
        ...base,
        text: [name, address].filter(Boolean).join(', ') || `${lat},${lng}`,
        contentType: 'location',
        payload: { location: msg.location },
      };
    }
    case 'postback':
      return {
        ...base,
        text: msg.postback.title ?? msg.postback.payload,
        contentType: 'postback',
        payload: { postback: msg.postback },
      };
    case 'contact':
      return { ...base, text: msg.contact.name, contentType: 'contact', payload: { contact: msg.contact } };
    default:
      return undefined;
  }
}

function threaded(
  t: { messageId?: string; inReplyTo?: string; references?: string[]; subject?: string } | undefined,
) {
  if (!t) return {};
  const replyTo = [...(t.inReplyTo ? [t.inReplyTo] : []), ...(t.references ?? [])];
  return {
    ...(t.messageId && { providerMessageId: t.messageId }),
    ...(replyTo.length && { replyTo }),
    payload: { threading: t },
  };
}
