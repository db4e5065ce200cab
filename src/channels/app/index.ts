// The mobile app channel: a first-party HTTP + WebSocket API (docs/app-channel.md), no provider.
// The app's backend posts its users' messages to /webhooks/app/<id>, signed with the app secret;
// replies go to the user's socket (/app/<id>/ws), or to the app's push webhook when none is open.
import type { ChannelAdapter, Verdict } from '../contract.js';
import { optionalHttpUrl, optionalSeconds, requiredSecret } from '../webchat/config.js';
import {
  classifyPushFailure,
  deliverFirstParty,
  SIGNATURE_HEADER,
  signatureMatches,
} from '../webchat/deliver.js';
import { parseAppEvent } from './parse.js';

export interface AppConfig {
  /** Signs the app backend's requests to us and ours to its push webhook; derives user-token keys. */
  appSecret: string;
  /** Where replies for users without an open socket go, so the app can send a mobile push. */
  pushUrl: string | undefined;
  tokenTtlSeconds: number;
}

const HOUR = 3600;

export const appAdapter: ChannelAdapter<AppConfig> = {
  type: 'app',
  credentials: [
    {
      key: 'appSecret',
      label: {
        en: 'App secret (shared with your backend, 32+ characters)',
        'zh-CN': '应用密钥（与您的后端共享，至少 32 个字符）',
      },
      type: 'string',
      required: true,
      secret: true,
      placeholder: 'openssl rand -base64 32',
    },
    {
      key: 'pushUrl',
      label: {
        en: 'Push webhook URL (replies to offline users)',
        'zh-CN': '推送 Webhook 地址（发给离线用户的回复）',
      },
      type: 'url',
      required: false,
      secret: false,
      placeholder: 'https://api.example.com/switchboard/push',
    },
    {
      key: 'tokenTtlSeconds',
      label: { en: 'User token lifetime (seconds)', 'zh-CN': '用户令牌有效期（秒）' },
      type: 'number',
      required: false,
      secret: false,
      placeholder: String(24 * HOUR),
    },
  ],
  capabilities: { receipts: true, media: true, quickReplies: true, typing: true },

  validateConfig(raw) {
    return {
      appSecret: requiredSecret(raw, 'appSecret', 32),
      pushUrl: optionalHttpUrl(raw, 'pushUrl'),
      tokenTtlSeconds: optionalSeconds(raw, 'tokenTtlSeconds', 24 * HOUR, [300, 30 * 24 * HOUR]),
    };
  },

  verify(req, config): Verdict {
    if (req.method.toUpperCase() !== 'POST') return { ok: false, reason: 'app events are POSTed' };
    const header = req.headers[SIGNATURE_HEADER];
    if (!header) return { ok: false, reason: 'X-Switchboard-Signature is missing' };
    if (!signatureMatches(config.appSecret, req.rawBody, header)) {
      return { ok: false, reason: 'X-Switchboard-Signature does not match the body and app secret' };
    }
    return { ok: true };
  },

  parse: (req) => parseAppEvent(req),
  send: (msg, config, ctx) =>
    deliverFirstParty(msg, { prefix: 'app', pushUrl: config.pushUrl, secret: config.appSecret }, ctx),
  classifyFailure: classifyPushFailure,
};

export { checkUserToken, issueUserToken } from './tokens.js';
