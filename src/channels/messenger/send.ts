import type { Media, OutboundMessage, SendContext, SendResult } from '../contract.js';
import { isRecord } from '../meta/graph-errors.js';
import { sendGraphParts } from '../meta/graph-send.js';
import { classifyMessengerFailure } from './errors.js';
import type { MessengerConfig } from './index.js';

/**
 * Send API: POST {base}/{version}/me/messages?access_token=… with `recipient.id` (the PSID) and
 * one `message` per request, either a text or one attachment by URL
 * (developers.facebook.com/docs/messenger-platform/reference/send-api). Quick replies ride on the
 * last request; Messenger shows at most 13.
 */
const MAX_QUICK_REPLIES = 13;
const ATTACHMENT_TYPES: Record<Media['kind'], string> = {
  image: 'image',
  audio: 'audio',
  video: 'video',
  file: 'file',
  // Messenger has no outbound sticker type; a sticker image is sent as an image.
  sticker: 'image',
};

export async function sendMessenger(
  msg: OutboundMessage,
  config: MessengerConfig,
  ctx: SendContext,
): Promise<SendResult> {
  if (msg.to.kind !== 'messenger') {
    return { status: 'final', error: `Messenger cannot reach a ${msg.to.kind} identity` };
  }
  const quickReplies = msg.quickReplies ?? [];
  if (quickReplies.length > MAX_QUICK_REPLIES) {
    return { status: 'final', error: `Messenger allows at most ${MAX_QUICK_REPLIES} quick replies` };
  }
  const messages: Record<string, unknown>[] = [];
  for (const m of msg.media ?? []) {
    // Only a URL works here: a Messenger attachment_id is not something inbound messages give us.
    if (!m.url) return { status: 'final', error: `a ${m.kind} attachment needs a url for Messenger` };
    messages.push({
      attachment: { type: ATTACHMENT_TYPES[m.kind], payload: { url: m.url, is_reusable: true } },
    });
  }
  if (msg.text?.trim()) messages.push({ text: msg.text });
  const last = messages.at(-1);
  if (last && quickReplies.length > 0) {
    last.quick_replies = quickReplies.map((q) => ({
      content_type: 'text',
      title: q.title,
      payload: q.payload,
    }));
  }
  const parts = messages.map((message) => ({
    recipient: { id: msg.to.value },
    messaging_type: 'RESPONSE',
    message,
  }));
  const url = `${config.apiBaseUrl}/${config.apiVersion}/me/messages?access_token=${encodeURIComponent(config.pageAccessToken)}`;
  return sendGraphParts({
    ctx,
    messageId: msg.id,
    parts,
    post: () => ({ url, headers: {} }),
    readId: (json) => (isRecord(json) && typeof json.message_id === 'string' ? json.message_id : undefined),
    classifyFailure: classifyMessengerFailure,
    idPrefix: 'fb:',
  });
}
