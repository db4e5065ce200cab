// WhatsApp Business Cloud API (Meta). Followed: developers.facebook.com/docs/whatsapp/cloud-api
// webhooks/components (messages, statuses), reference/messages (send), support/error-codes, and
// graph-api/webhooks/getting-started (verify handshake, X-Hub-Signature-256).
import type { ChannelAdapter } from '../contract.js';
import {
  API_BASE_URL_FIELD,
  API_VERSION_FIELD,
  APP_SECRET_FIELD,
  apiBaseUrl,
  apiVersion,
  graphId,
  requiredString,
  VERIFY_TOKEN_FIELD,
} from '../meta/config.js';
import { verifyMetaWebhook } from '../meta/verify.js';
import { classifyWhatsAppFailure } from './errors.js';
import { parseWhatsApp } from './parse.js';
import { sendWhatsApp } from './send.js';

export interface WhatsAppConfig {
  accessToken: string;
  appSecret: string;
  verifyToken: string;
  phoneNumberId: string;
  apiVersion: string;
  apiBaseUrl: string;
}

export const whatsappAdapter: ChannelAdapter<WhatsAppConfig> = {
  type: 'whatsapp',
  credentials: [
    {
      key: 'accessToken',
      label: { en: 'Access token (system user)', 'zh-CN': '访问令牌（系统用户）' },
      type: 'string',
      required: true,
      secret: true,
    },
    APP_SECRET_FIELD,
    VERIFY_TOKEN_FIELD,
    {
      key: 'phoneNumberId',
      label: { en: 'Phone number ID', 'zh-CN': '电话号码 ID' },
      type: 'string',
      required: true,
      secret: false,
      placeholder: '106540352242922',
    },
    API_VERSION_FIELD,
    API_BASE_URL_FIELD,
  ],
  capabilities: { receipts: true, media: true, quickReplies: true, typing: false },

  validateConfig(raw) {
    return {
      accessToken: requiredString(raw, 'accessToken'),
      appSecret: requiredString(raw, 'appSecret'),
      verifyToken: requiredString(raw, 'verifyToken'),
      phoneNumberId: graphId(raw, 'phoneNumberId'),
      apiVersion: apiVersion(raw),
      apiBaseUrl: apiBaseUrl(raw),
    };
  },

  verify: (req, config) => verifyMetaWebhook(req, config),
  parse: (req, config) => parseWhatsApp(req, config.phoneNumberId),
  send: (msg, config, ctx) => sendWhatsApp(msg, config, ctx),
  classifyFailure: classifyWhatsAppFailure,
};
