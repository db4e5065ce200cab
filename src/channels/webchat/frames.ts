import { InvalidInput } from '../../core/index.js';
import { parseRhythmSample } from '../../identity/index.js';
import type { InboundMessage, MediaKind, ParseResult, RawRequest } from '../contract.js';

/**
 * The widget's client frames, as they reach the adapter (the socket hands each one to the gateway
 * as the body of a request; `POST /webhooks/webchat/<id>` takes the same bodies):
 *   {"type":"message","clientId":"c1","text":"你好","rhythm":{"flights":[132,98,…],"dwells":[81,…]}}
 *   {"type":"file","clientId":"c2","file":{"name":"<stored name>","mimeType":"image/png","filename":"a.png","size":123},"text":"caption"}
 *   {"type":"typing"}
 *   {"type":"read","ids":["<our message id>", …]}
 * `clientId` is the widget's id for the message; a resent frame keeps it, which makes it idempotent.
 * `rhythm` (optional, message and file frames) holds typing timings in ms, never keys; malformed
 * timings are dropped, never a reason to refuse the message.
 */
const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** What `POST /webchat/<id>/upload` names a stored file: 128 random bits and an extension. */
export const STORED_FILE_NAME = /^[a-f0-9]{32}\.[a-z0-9]{1,5}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TEXT = 4000;

/** `/webchat/<id>/…` (the socket) and `/webhooks/webchat/<id>` (HTTP) both carry the channel id. */
export function channelIdOf(url: string): string | undefined {
  return /\/webchat\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?=[/?]|$)/i.exec(
    url,
  )?.[1];
}

function bad(message: string, field = 'body'): never {
  throw new InvalidInput(`web chat frame: ${message}`, field);
}

function clientIdOf(frame: Record<string, unknown>): string {
  const id = frame.clientId;
  if (typeof id !== 'string' || !CLIENT_ID.test(id))
    bad('clientId must be 1-64 of A-Z a-z 0-9 _ -', 'clientId');
  return id;
}

function textOf(v: unknown, required: boolean): string | undefined {
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string') return bad('text must be a string', 'text');
  const text = v.trim();
  if (required && !text) bad('text must not be blank', 'text');
  if (text.length > MAX_TEXT) bad(`text is longer than ${MAX_TEXT} characters`, 'text');
  return text || undefined;
}

function mediaKind(mimeType: string): MediaKind {
  const top = mimeType.split('/')[0];
  return top === 'image' || top === 'audio' || top === 'video' ? top : 'file';
}

/** Our public origin, for absolute URLs agents can open; none when the request did not say (no Host). */
function originOf(publicUrl: string): string {
  try {
    const origin = new URL(publicUrl).origin;
    return origin === 'null' ? '' : origin;
  } catch {
    return '';
  }
}

function fileOf(v: unknown, req: RawRequest, channelId: string) {
  if (typeof v !== 'object' || v === null) return bad('file must be an object', 'file');
  const f = v as Record<string, unknown>;
  if (typeof f.name !== 'string' || !STORED_FILE_NAME.test(f.name)) {
    bad('file.name must be the name the upload returned', 'file.name');
  }
  if (typeof f.mimeType !== 'string' || !/^[a-z]+\/[a-z0-9.+-]+$/i.test(f.mimeType)) {
    bad('file.mimeType must be a media type', 'file.mimeType');
  }
  // Only our own upload URL: a visitor must not make agents open arbitrary links as "attachments".
  const origin = originOf(req.publicUrl);
  return {
    kind: mediaKind(f.mimeType),
    url: `${origin}/webchat/${channelId}/files/${f.name}`,
    mimeType: f.mimeType,
    ...(typeof f.filename === 'string' && f.filename && { filename: f.filename.slice(0, 200) }),
    ...(typeof f.size === 'number' && Number.isInteger(f.size) && f.size >= 0 && { sizeBytes: f.size }),
  };
}

/** `visitorId` comes from the verified token, never from the frame. */
export function parseFrame(req: RawRequest, channelId: string, visitorId: string): ParseResult {
  let frame: unknown;
  try {
    frame = JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    bad('not JSON');
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) bad('not a JSON object');
  const f = frame as Record<string, unknown>;
  const from = { identities: [{ kind: 'device' as const, value: visitorId }] };
  const key = (clientId: string) => `wc:${visitorId}:${clientId}`;
  let message: InboundMessage;
  switch (f.type) {
    case 'message': {
      const text = textOf(f.text, true) as string;
      message = { kind: 'text', providerMessageId: key(clientIdOf(f)), from, text };
      break;
    }
    case 'file': {
      const caption = textOf(f.text, false);
      const media = [{ ...fileOf(f.file, req, channelId), ...(caption && { caption }) }];
      message = {
        kind: 'media',
        providerMessageId: key(clientIdOf(f)),
        from,
        media,
        ...(caption && { text: caption }),
      };
      break;
    }
    case 'typing':
      // Never stored, so the key only has to be well-formed.
      message = { kind: 'typing', providerMessageId: `wc:${visitorId}:typing`, from };
      break;
    case 'read': {
      const ids = f.ids;
      if (
        !Array.isArray(ids) ||
        ids.length === 0 ||
        ids.length > 100 ||
        !ids.every((i) => typeof i === 'string' && UUID.test(i))
      ) {
        bad('ids must be 1-100 message ids', 'ids');
      }
      return {
        messages: [],
        receipts: ids.map((id) => ({ providerMessageId: `wc:${id}`, status: 'read' as const })),
      };
    }
    default:
      bad('type must be message, file, typing or read', 'type');
  }
  const rhythm = message.kind === 'typing' ? undefined : parseRhythmSample(f.rhythm);
  return { messages: [rhythm ? { ...message, rhythm } : message], receipts: [] };
}
