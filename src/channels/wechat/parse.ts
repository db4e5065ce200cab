import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { InvalidInput } from '../../core/index.js';
import type { IdentityRef } from '../../identity/index.js';
import type { InboundMessage, ParseResult, RawRequest } from '../contract.js';

/**
 * WeChat pushes one XML document per request (接收普通消息 Receiving_standard_messages, 接收事件推送
 * Receiving_event_pushes). Values are kept as strings: MsgId is a 64-bit integer that a JS number
 * would round, and a Content of "007" must stay "007". DOCTYPE entities are not expanded.
 */
const xmlParser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
});

/** WeChat retries a push 3 times within 15 s unless it gets 200; `success` (or empty) stops that. */
const ACK = { status: 200, contentType: 'text/plain', body: 'success' } as const;

type Fields = Record<string, unknown>;

function text(x: Fields, name: string): string | undefined {
  const v = x[name];
  return typeof v === 'string' ? v : undefined;
}

function required(x: Fields, name: string): string {
  const v = text(x, name)?.trim();
  if (!v) throw new InvalidInput(`the WeChat message has no ${name}`, name);
  return v;
}

function coordinate(x: Fields, name: string): number {
  const n = Number(required(x, name));
  if (!Number.isFinite(n)) throw new InvalidInput(`the WeChat message has a non-numeric ${name}`, name);
  return n;
}

/** Everything WeChat sent beyond the envelope, for events whose fields vary (menus, QR scans, …). */
function detailOf(x: Fields): Record<string, unknown> {
  const envelope = new Set(['ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'Event', '#text']);
  return Object.fromEntries(Object.entries(x).filter(([k]) => !envelope.has(k)));
}

function readXml(body: Buffer): Fields {
  const source = body.toString('utf8');
  if (!source.trim()) throw new InvalidInput('the WeChat push has an empty body', 'body');
  if (XMLValidator.validate(source) !== true) throw new InvalidInput('the WeChat push is not XML', 'body');
  const root = (xmlParser.parse(source) as Fields).xml;
  if (!root || typeof root !== 'object' || Array.isArray(root)) {
    throw new InvalidInput('the WeChat push has no <xml> root element', 'body');
  }
  return root as Fields;
}

const VOICE_MIME = new Map([
  ['amr', 'audio/amr'],
  ['speex', 'audio/speex'],
  ['mp3', 'audio/mpeg'],
]);

function parseMessage(x: Fields, base: Base): InboundMessage {
  const msgType = required(x, 'MsgType');
  const msg = { ...base, providerMessageId: `wx:${required(x, 'MsgId')}` };
  switch (msgType) {
    case 'text': {
      const content = text(x, 'Content');
      if (content === undefined) throw new InvalidInput('the WeChat text message has no Content', 'Content');
      return { ...msg, kind: 'text', text: content };
    }
    case 'image':
      return {
        ...msg,
        kind: 'media',
        media: [{ kind: 'image', url: text(x, 'PicUrl'), providerMediaId: required(x, 'MediaId') }],
      };
    case 'voice': {
      const format = text(x, 'Format')?.trim().toLowerCase();
      const mimeType = format ? (VOICE_MIME.get(format) ?? `audio/${format}`) : undefined;
      // Recognition appears only when the OA has speech recognition switched on.
      const recognition = text(x, 'Recognition')?.trim();
      return {
        ...msg,
        kind: 'media',
        media: [{ kind: 'audio', providerMediaId: required(x, 'MediaId'), mimeType }],
        ...(recognition ? { text: recognition } : {}),
      };
    }
    case 'video':
    case 'shortvideo':
      return { ...msg, kind: 'media', media: [{ kind: 'video', providerMediaId: required(x, 'MediaId') }] };
    case 'location':
      // Location_X is the latitude, Location_Y the longitude; Scale (map zoom) has no place here.
      return {
        ...msg,
        kind: 'location',
        location: {
          lat: coordinate(x, 'Location_X'),
          lng: coordinate(x, 'Location_Y'),
          address: text(x, 'Label')?.trim() || undefined,
        },
      };
    case 'link': {
      const lines = [text(x, 'Title'), text(x, 'Description'), text(x, 'Url')].map((s) => s?.trim());
      return { ...msg, kind: 'text', text: lines.filter(Boolean).join('\n') };
    }
    default:
      // A message type newer than this adapter: keep it visible rather than make WeChat retry.
      return { ...msg, kind: 'event', event: `message.${msgType}`, detail: detailOf(x) };
  }
}

function parseEvent(x: Fields, base: Base): InboundMessage {
  const event = required(x, 'Event');
  // Events carry no MsgId; WeChat's docs de-duplicate them on FromUserName + CreateTime.
  const providerMessageId = `wx:${required(x, 'FromUserName')}:${required(x, 'CreateTime')}:${event}`;
  const msg = { ...base, providerMessageId };
  if (event === 'CLICK') {
    return { ...msg, kind: 'postback', postback: { payload: required(x, 'EventKey') } };
  }
  return { ...msg, kind: 'event', event: event.toLowerCase(), detail: detailOf(x) };
}

interface Base {
  from: { identities: IdentityRef[] };
  occurredAt: string;
}

export function parseWechat(req: RawRequest): ParseResult {
  const x = readXml(req.rawBody);
  if (x.Encrypt !== undefined && x.MsgType === undefined) {
    throw new InvalidInput(
      'this official account sends encrypted pushes (安全模式); encrypted mode is not supported yet: ' +
        'set 消息加解密方式 to plaintext (明文模式) or compatible (兼容模式) in the OA console',
      'Encrypt',
    );
  }
  const identities: IdentityRef[] = [{ kind: 'wechat_openid', value: required(x, 'FromUserName') }];
  const unionid = text(x, 'UnionId')?.trim();
  if (unionid) identities.push({ kind: 'wechat_unionid', value: unionid });
  // CreateTime is Unix seconds.
  const seconds = Number(required(x, 'CreateTime'));
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new InvalidInput('the WeChat CreateTime is not a Unix time', 'CreateTime');
  }
  const base: Base = { from: { identities }, occurredAt: new Date(seconds * 1000).toISOString() };
  const message = required(x, 'MsgType') === 'event' ? parseEvent(x, base) : parseMessage(x, base);
  return { messages: [message], receipts: [], reply: ACK };
}
