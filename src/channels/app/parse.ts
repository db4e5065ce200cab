import { InvalidInput } from '../../core/index.js';
import { type IdentityRef, parseRhythmSample } from '../../identity/index.js';
import type { InboundMessage, Media, MediaKind, ParseResult, RawRequest } from '../contract.js';

/**
 * An event from the app's backend (docs/app-channel.md), one per request:
 *   {"type":"message","messageId":"m-1","userId":"u-42","deviceId":"ios-7F3A","userName":"王芳",
 *    "text":"…","attachments":[{"url":"https://…","mimeType":"image/jpeg","filename":"a.jpg","size":1}],
 *    "sentAt":"2025-06-01T08:00:00Z","rhythm":{"flights":[…],"dwells":[…]}}   (rhythm: typing timings, ms, optional)
 *   {"type":"typing","messageId":"t-1","userId":"u-42"}
 *   {"type":"read","messageId":"r-1","userId":"u-42","readMessageIds":["<our message id>", …]}
 */
const ID = /^[A-Za-z0-9._:@-]{1,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TEXT = 4000;

function bad(message: string, field: string): never {
  throw new InvalidInput(`app event: ${message}`, field);
}

function idField(body: Record<string, unknown>, key: string, required: true): string;
function idField(body: Record<string, unknown>, key: string, required: false): string | undefined;
function idField(body: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const v = body[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || !ID.test(v)) bad(`${key} must be 1-128 of A-Z a-z 0-9 . _ : @ -`, key);
  return v;
}

function kindOf(mimeType: string | undefined): MediaKind {
  const top = mimeType?.split('/')[0];
  return top === 'image' || top === 'audio' || top === 'video' ? top : 'file';
}

function attachment(v: unknown, i: number): Media {
  const a = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  let url: URL | undefined;
  try {
    url = typeof a.url === 'string' ? new URL(a.url) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    bad(`attachments[${i}].url must be an http(s) URL`, `attachments[${i}].url`);
  }
  const mimeType = typeof a.mimeType === 'string' ? a.mimeType : undefined;
  return {
    kind: kindOf(mimeType),
    url: url.toString(),
    ...(mimeType && { mimeType }),
    ...(typeof a.filename === 'string' && a.filename && { filename: a.filename.slice(0, 200) }),
    ...(typeof a.size === 'number' && Number.isInteger(a.size) && a.size >= 0 && { sizeBytes: a.size }),
  };
}

function sentAt(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  const t = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(t)) bad('sentAt must be an ISO-8601 time', 'sentAt');
  return new Date(t).toISOString();
}

export function parseAppEvent(req: RawRequest): ParseResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    bad('body is not JSON', 'body');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    bad('not a JSON object', 'body');
  const body = parsed as Record<string, unknown>;
  const messageId = idField(body, 'messageId', true);
  const userId = idField(body, 'userId', true);
  const deviceId = idField(body, 'deviceId', false);
  const identities: IdentityRef[] = [{ kind: 'app_user', value: userId }];
  if (deviceId) identities.push({ kind: 'device', value: deviceId });
  const userName =
    typeof body.userName === 'string' && body.userName.trim() ? body.userName.trim() : undefined;
  const base = {
    providerMessageId: `app:${userId}:${messageId}`,
    from: { identities, ...(userName && { displayName: userName.slice(0, 200) }) },
  };
  switch (body.type) {
    case 'message':
      return { messages: [message(body, base)], receipts: [] };
    case 'typing':
      return { messages: [{ ...base, kind: 'typing' }], receipts: [] };
    case 'read': {
      const ids = body.readMessageIds;
      if (
        !Array.isArray(ids) ||
        ids.length === 0 ||
        ids.length > 100 ||
        !ids.every((i) => typeof i === 'string' && UUID.test(i))
      ) {
        bad('readMessageIds must be 1-100 message ids from our frames', 'readMessageIds');
      }
      const occurredAt = sentAt(body.sentAt);
      return {
        messages: [],
        receipts: ids.map((id) => ({
          providerMessageId: `app:${id}`,
          status: 'read' as const,
          ...(occurredAt && { occurredAt }),
        })),
      };
    }
    default:
      return bad('type must be message, typing or read', 'type');
  }
}

function message(
  body: Record<string, unknown>,
  base: Pick<InboundMessage, 'providerMessageId' | 'from'>,
): InboundMessage {
  if (body.text !== undefined && typeof body.text !== 'string') bad('text must be a string', 'text');
  const text = typeof body.text === 'string' ? body.text.trim() : '';
  if (text.length > MAX_TEXT) bad(`text is longer than ${MAX_TEXT} characters`, 'text');
  const raw = body.attachments ?? [];
  if (!Array.isArray(raw) || raw.length > 10) bad('attachments must be a list of at most 10', 'attachments');
  const media = raw.map(attachment);
  const occurredAt = sentAt(body.sentAt);
  const rhythm = parseRhythmSample(body.rhythm);
  const common = { ...base, ...(occurredAt && { occurredAt }), ...(rhythm && { rhythm }) };
  if (media.length) return { ...common, kind: 'media', media, ...(text && { text }) };
  if (!text) bad('a message needs text or attachments', 'text');
  return { ...common, kind: 'text', text };
}
