// Web chat: our own embeddable widget (web/widget, served as /widget.js). There is no provider to
// follow; the wire format is ours and documented in docs/webchat.md. Frames from the widget's
// socket reach the gateway like any webhook, signed by the visitor's token (session.ts). The token
// secret is generated on the first session when the admin set none (src/api/webchat.ts), so a
// channel works with no configuration at all.
import { type Clock, InvalidInput, systemClock } from '../../core/index.js';
import type { ChannelAdapter, RawRequest, Verdict } from '../contract.js';
import { optionalHttpUrl, optionalSeconds, optionalSecret, origins, requiredSecret } from './config.js';
import { classifyPushFailure, deliverFirstParty } from './deliver.js';
import { channelIdOf, parseFrame } from './frames.js';
import { checkVisitorToken } from './session.js';

export interface WebchatConfig {
  /** Signs visitor tokens (through a derived key); until it exists no token is good. */
  tokenSecret: string | undefined;
  /** Sites allowed to embed the widget; empty: any. */
  allowedOrigins: string[];
  /** Told about replies to visitors who are not connected, so the site can reach them another way. */
  pushUrl: string | undefined;
  /** Signs push bodies; the site's backend checks it, so it is the admin's, never generated. */
  pushSecret: string | undefined;
  tokenTtlSeconds: number;
}

export const TOKEN_HEADER = 'x-webchat-token';
const DAY = 24 * 3600;

function visitorOf(req: RawRequest, config: WebchatConfig, clock: Clock) {
  const channelId = channelIdOf(req.url);
  if (!channelId) return { ok: false as const, reason: 'the URL names no web chat channel' };
  const check = checkVisitorToken(config, channelId, req.headers[TOKEN_HEADER], clock.now());
  return check.ok ? { ok: true as const, channelId, visitorId: check.claims.sub } : check;
}

/** The clock decides token expiry; tests pass a manual one. */
export function createWebchatAdapter(clock: Clock = systemClock): ChannelAdapter<WebchatConfig> {
  return {
    type: 'webchat',
    credentials: [
      {
        key: 'tokenSecret',
        label: {
          en: 'Visitor token secret (32+ characters; generated when empty)',
          'zh-CN': '访客令牌密钥（至少 32 个字符；留空则自动生成）',
        },
        type: 'string',
        required: false,
        secret: true,
        placeholder: 'openssl rand -base64 32',
      },
      {
        key: 'allowedOrigins',
        label: { en: 'Sites allowed to embed the widget', 'zh-CN': '允许嵌入聊天窗口的网站' },
        type: 'string',
        required: false,
        secret: false,
        placeholder: 'https://shop.example.com, https://www.example.com',
      },
      {
        key: 'pushUrl',
        label: { en: 'Offline reply webhook URL', 'zh-CN': '离线回复通知 Webhook 地址' },
        type: 'url',
        required: false,
        secret: false,
        placeholder: 'https://shop.example.com/switchboard/offline',
      },
      {
        key: 'pushSecret',
        label: { en: 'Offline reply webhook signing secret', 'zh-CN': '离线回复 Webhook 签名密钥' },
        type: 'string',
        required: false,
        secret: true,
        placeholder: 'openssl rand -base64 32',
      },
      {
        key: 'tokenTtlSeconds',
        label: { en: 'Visitor token lifetime (seconds)', 'zh-CN': '访客令牌有效期（秒）' },
        type: 'number',
        required: false,
        secret: false,
        placeholder: String(7 * DAY),
      },
    ],
    // Receipts: the widget reports what the visitor has seen (`read` frames).
    capabilities: { receipts: true, media: true, quickReplies: true, typing: true },

    validateConfig(raw) {
      const pushUrl = optionalHttpUrl(raw, 'pushUrl');
      return {
        tokenSecret: optionalSecret(raw, 'tokenSecret', 32),
        allowedOrigins: origins(raw, 'allowedOrigins'),
        pushUrl,
        // An unsigned push could be forged by anyone who learns the URL.
        pushSecret: pushUrl ? requiredSecret(raw, 'pushSecret', 32) : optionalSecret(raw, 'pushSecret', 32),
        tokenTtlSeconds: optionalSeconds(raw, 'tokenTtlSeconds', 7 * DAY, [300, 30 * DAY]),
      };
    },

    verify(req, config): Verdict {
      if (req.method.toUpperCase() !== 'POST') return { ok: false, reason: 'web chat frames are POSTed' };
      const visitor = visitorOf(req, config, clock);
      return visitor.ok ? { ok: true } : { ok: false, reason: visitor.reason };
    },

    parse(req, config) {
      const visitor = visitorOf(req, config, clock);
      // The gateway verifies first, so this is a caller that skipped verify; nothing to retry.
      if (!visitor.ok) throw new InvalidInput(`web chat: ${visitor.reason}`, 'token');
      return parseFrame(req, visitor.channelId, visitor.visitorId);
    },

    send: (msg, config, ctx) =>
      deliverFirstParty(msg, { prefix: 'wc', pushUrl: config.pushUrl, secret: config.pushSecret ?? '' }, ctx),
    classifyFailure: classifyPushFailure,
  };
}

export const webchatAdapter = createWebchatAdapter();
export { STORED_FILE_NAME } from './frames.js';
export { checkVisitorToken, openSession, type VisitorSession } from './session.js';
