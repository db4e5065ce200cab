// SMS/MMS through any provider that speaks Twilio's wire format (Twilio, and compatible APIs).
// Followed twilio.com/docs: messaging/guides/webhook-request, usage/webhooks/webhooks-security,
// messaging/guides/track-outbound-message-status, messaging/api/message-resource, api/errors.
import { InvalidInput } from '../../core/index.js';
import type { ChannelAdapter, CredentialField } from '../contract.js';
import { parseSms } from './parse.js';
import { classifySmsFailure, type SmsApi, sendSms } from './send.js';
import { verifySms } from './verify.js';

export type SmsConfig = SmsApi;

const DEFAULT_API = 'https://api.twilio.com';

const credentials: CredentialField[] = [
  {
    key: 'accountSid',
    label: { en: 'Account SID', 'zh-CN': '账户 SID' },
    type: 'string',
    required: true,
    secret: false,
    placeholder: 'ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  },
  {
    key: 'authToken',
    label: { en: 'Auth token', 'zh-CN': '认证令牌 (Auth Token)' },
    type: 'string',
    required: true,
    secret: true,
  },
  {
    key: 'fromNumber',
    label: { en: 'Sender number', 'zh-CN': '发送号码' },
    type: 'string',
    required: true,
    secret: false,
    placeholder: '+14155550100',
  },
  {
    key: 'apiBaseUrl',
    label: { en: 'API base URL', 'zh-CN': 'API 地址' },
    type: 'url',
    required: false,
    secret: false,
    placeholder: DEFAULT_API,
  },
  {
    key: 'statusCallbackUrl',
    label: {
      en: 'Status callback URL (this channel’s webhook URL)',
      'zh-CN': '状态回调地址（本渠道的 Webhook 地址）',
    },
    type: 'url',
    required: false,
    secret: false,
  },
];

function stringField(raw: Record<string, unknown>, key: string): string {
  const v = raw[key];
  if (typeof v !== 'string' || !v.trim()) throw new InvalidInput(`SMS needs ${key}`, key);
  return v.trim();
}

function urlField(raw: Record<string, unknown>, key: string): string | undefined {
  const v = raw[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || !/^https?:\/\/[^\s/]+/.test(v)) {
    throw new InvalidInput(`${key} must be an http(s) URL`, key);
  }
  return v;
}

/** E.164, a short code, or an alphanumeric sender ID (up to 11 characters, at least one letter). */
const SENDER = /^(\+[1-9]\d{6,14}|\d{3,8}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$/;

export const smsAdapter: ChannelAdapter<SmsConfig> = {
  type: 'sms',
  credentials,
  // Status callbacks report sent/delivered/failed (and read where the carrier supports it). No
  // buttons: quick replies become numbered lines. No typing indicator.
  capabilities: { receipts: true, media: true, quickReplies: false, typing: false },

  validateConfig(raw) {
    const fromNumber = stringField(raw, 'fromNumber');
    if (!SENDER.test(fromNumber)) {
      throw new InvalidInput(
        'fromNumber is an E.164 number (+14155550100), a short code or an alphanumeric sender ID',
        'fromNumber',
      );
    }
    return {
      accountSid: stringField(raw, 'accountSid'),
      authToken: stringField(raw, 'authToken'),
      fromNumber,
      apiBaseUrl: (urlField(raw, 'apiBaseUrl') ?? DEFAULT_API).replace(/\/+$/, ''),
      statusCallbackUrl: urlField(raw, 'statusCallbackUrl'),
    };
  },

  verify: (req, config) => verifySms(req, config.authToken),
  parse: (req) => parseSms(req),
  send: (msg, config, ctx) => sendSms(msg, config, ctx),
  classifyFailure: classifySmsFailure,
};
