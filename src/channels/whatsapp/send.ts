import type { Media, OutboundMessage, SendContext, SendResult } from '../contract.js';
import { isRecord } from '../meta/graph-errors.js';
import { sendGraphParts } from '../meta/graph-send.js';
import { classifyWhatsAppFailure } from './errors.js';
import type { WhatsAppConfig } from './index.js';

/**
 * POST {base}/{version}/{phone-number-id}/messages, one request per piece of content
 * (developers.facebook.com/docs/whatsapp/cloud-api/reference/messages). Quick replies become an
 * interactive reply-button message: WhatsApp allows 3 buttons with titles of at most 20 characters.
 */
const MAX_BUTTONS = 3;
const MAX_BUTTON_TITLE = 20;
const CAPTIONED = new Set(['image', 'video', 'document']);

type Part = Record<string, unknown>;
type Refusal = { status: 'final'; error: string };

export async function sendWhatsApp(
  msg: OutboundMessage,
  config: WhatsAppConfig,
  ctx: SendContext,
): Promise<SendResult> {
  if (msg.to.kind !== 'whatsapp' && msg.to.kind !== 'phone') {
    return { status: 'final', error: `WhatsApp cannot reach a ${msg.to.kind} identity` };
  }
  const to = msg.to.value.replace(/\D/g, '');
  if (!to) return { status: 'final', error: `"${msg.to.value}" is not a phone number` };
  const contents = buildContents(msg);
  if (!Array.isArray(contents)) return contents;
  const replyTo = msg.threading?.inReplyTo?.startsWith('wa:') ? msg.threading.inReplyTo.slice(3) : undefined;
  const parts = contents.map((content, i) => ({
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    ...(i === 0 && replyTo ? { context: { message_id: replyTo } } : {}),
    // Echoed back on every status webhook for this message; ties Meta's records to ours.
    biz_opaque_callback_data: msg.id,
    ...content,
  }));
  const url = `${config.apiBaseUrl}/${config.apiVersion}/${encodeURIComponent(config.phoneNumberId)}/messages`;
  return sendGraphParts({
    ctx,
    messageId: msg.id,
    parts,
    post: () => ({ url, headers: { authorization: `Bearer ${config.accessToken}` } }),
    readId: (json) => {
      const first = isRecord(json) && Array.isArray(json.messages) ? json.messages[0] : undefined;
      return isRecord(first) && typeof first.id === 'string' ? first.id : undefined;
    },
    classifyFailure: classifyWhatsAppFailure,
    idPrefix: 'wa:',
  });
}

/** The type-specific half of each request body, in the order the customer should see them. */
function buildContents(msg: OutboundMessage): Part[] | Refusal {
  const media = msg.media ?? [];
  const quickReplies = msg.quickReplies ?? [];
  const text = msg.text?.trim() ? msg.text : undefined;
  const parts: Part[] = [];

  if (quickReplies.length > 0) {
    if (quickReplies.length > MAX_BUTTONS) {
      return { status: 'final', error: `WhatsApp reply buttons allow at most ${MAX_BUTTONS} quick replies` };
    }
    if (!text) return { status: 'final', error: 'WhatsApp reply buttons need a text to go with them' };
    // One image, video or document can ride along as the button message's header.
    const headerAt = media.length === 1 && CAPTIONED.has(waType(media[0]!)) ? 0 : -1;
    for (const [i, m] of media.entries()) {
      if (i === headerAt) continue;
      const part = mediaContent(m, m.caption);
      if (!part) return noMediaRef(m);
      parts.push(part);
    }
    const header = headerAt === 0 ? mediaContent(media[0]!, undefined) : undefined;
    if (headerAt === 0 && !header) return noMediaRef(media[0]!);
    parts.push({
      type: 'interactive',
      interactive: {
        type: 'button',
        ...(header ? { header } : {}),
        body: { text },
        action: {
          buttons: quickReplies.map((q) => ({
            type: 'reply',
            // WhatsApp refuses longer titles outright; the payload still says which one was meant.
            reply: { id: q.payload, title: Array.from(q.title).slice(0, MAX_BUTTON_TITLE).join('') },
          })),
        },
      },
    });
    return parts;
  }

  // A lone captionable attachment carries the text as its caption: one message, not two.
  const textAsCaption = text !== undefined && media.length === 1 && CAPTIONED.has(waType(media[0]!));
  for (const m of media) {
    const part = mediaContent(m, textAsCaption ? text : m.caption);
    if (!part) return noMediaRef(m);
    parts.push(part);
  }
  if (text && !textAsCaption) {
    parts.push({ type: 'text', text: { body: text, preview_url: /https?:\/\//.test(text) } });
  }
  return parts;
}

function waType(m: Media): string {
  return m.kind === 'file' ? 'document' : m.kind;
}

function noMediaRef(m: Media): Refusal {
  return { status: 'final', error: `a ${m.kind} attachment needs a url or a WhatsApp media id` };
}

/** `{type:'image', image:{link|id, caption?}}`; also the shape of an interactive header. */
function mediaContent(m: Media, caption: string | undefined): Part | undefined {
  const type = waType(m);
  const ref = m.url ? { link: m.url } : m.providerMediaId ? { id: m.providerMediaId } : undefined;
  if (!ref) return undefined;
  const object: Record<string, unknown> = { ...ref };
  if (caption && CAPTIONED.has(type)) object.caption = caption;
  if (type === 'document' && m.filename) object.filename = m.filename;
  return { type, [type]: object };
}
