// Facebook Messenger Platform (Meta), one Facebook Page per channel. Followed:
// developers.facebook.com/docs/messenger-platform webhooks (messages, messaging_postbacks,
// message_deliveries, message_reads, message_echoes), reference/send-api and its error codes.
import type { ChannelAdapter } from '../contract.js';
import {
  API_BASE_URL_FIELD,
  API_VERSION_FIELD,
  APP_SECRET_FIELD,
  apiBaseUrl,
  apiVersion,
  requiredString,
  VERIFY_TOKEN_FIELD,
} from '../meta/config.js';
import { verifyMetaWebhook } from '../meta/verify.js';
import { classifyMessengerFailure } from './errors.js';
import { parseMessenger } from './parse.js';
import { sendMessenger } from './send.js';

export interface MessengerConfig {
  pageAccessToken: string;
  appSecret: string;
  verifyToken: string;
  apiVersion: string;
  apiBaseUrl: string;
}

export const messengerAdapter: ChannelAdapter<MessengerConfig> = {
  type: 'messenger',
  credentials: [
    {
      key: 'pageAccessToken',
      label: { en: 'Page access token', 'zh-CN': '主页访问令牌' },
      type: 'string',
      required: true,
      secret: true,
    },
    APP_SECRET_FIELD,
    VERIFY_TOKEN_FIELD,
    API_VERSION_FIELD,
    API_BASE_URL_FIELD,
  ],
  capabilities: { receipts: true, media: true, quickReplies: true, typing: false },

  validateConfig(raw) {
    return {
      pageAccessToken: requiredString(raw, 'pageAccessToken'),
      appSecret: requiredString(raw, 'appSecret'),
      verifyToken: requiredString(raw, 'verifyToken'),
      apiVersion: apiVersion(raw),
      apiBaseUrl: apiBaseUrl(raw),
    };
  },

  verify: (req, config) => verifyMetaWebhook(req, config),
  parse: (req) => parseMessenger(req),
  send: (msg, config, ctx) => sendMessenger(msg, config, ctx),
  classifyFailure: classifyMessengerFailure,
};
