// WeChat Official Account (微信公众号), plaintext message mode: pushes to our URL and
// customer-service messages back. Followed developers.weixin.qq.com/doc/offiaccount: Access_Overview,
// Receiving_standard_messages, Receiving_event_pushes, Service_Center_messages, Get_access_token.
import { InvalidInput } from '../../core/index.js';
import type { ChannelAdapter, CredentialField } from '../contract.js';
import { parseWechat } from './parse.js';
import { classifyWechatFailure, sendWechat } from './send.js';
import { verifyWechat } from './verify.js';

export interface WechatConfig {
  appId: string;
  appSecret: string;
  /** The 令牌 (Token) entered in the OA's server configuration; keys the URL signature. */
  token: string;
  apiBaseUrl: string;
}

const DEFAULT_API = 'https://api.weixin.qq.com';

const credentials: CredentialField[] = [
  {
    key: 'appId',
    label: { en: 'AppID', 'zh-CN': '开发者ID (AppID)' },
    type: 'string',
    required: true,
    secret: false,
    placeholder: 'wx1234567890abcdef',
  },
  {
    key: 'appSecret',
    label: { en: 'AppSecret', 'zh-CN': '开发者密码 (AppSecret)' },
    type: 'string',
    required: true,
    secret: true,
  },
  {
    key: 'token',
    label: { en: 'Server token', 'zh-CN': '令牌 (Token)' },
    type: 'string',
    required: true,
    secret: true,
    placeholder: '3–32 letters or digits, as in 服务器配置',
  },
  {
    key: 'apiBaseUrl',
    label: { en: 'API base URL', 'zh-CN': 'API 地址' },
    type: 'url',
    required: false,
    secret: false,
    placeholder: DEFAULT_API,
  },
];

function stringField(raw: Record<string, unknown>, key: string): string {
  const v = raw[key];
  if (typeof v !== 'string' || !v.trim()) throw new InvalidInput(`WeChat needs ${key}`, key);
  return v.trim();
}

function baseUrl(raw: Record<string, unknown>): string {
  const v = raw.apiBaseUrl;
  if (v === undefined || v === null || v === '') return DEFAULT_API;
  if (typeof v !== 'string' || !/^https?:\/\/[^\s/]+/.test(v)) {
    throw new InvalidInput('apiBaseUrl must be an http(s) URL', 'apiBaseUrl');
  }
  return v.replace(/\/+$/, '');
}

export const wechatAdapter: ChannelAdapter<WechatConfig> = {
  type: 'wechat',
  credentials,
  // No delivery receipts for customer-service messages; no buttons (quick replies become numbered
  // lines); no typing indicator through this API.
  capabilities: { receipts: false, media: true, quickReplies: false, typing: false },

  validateConfig(raw) {
    const appId = stringField(raw, 'appId');
    if (!/^wx[0-9a-f]{16}$/i.test(appId)) {
      throw new InvalidInput('appId is "wx" followed by 16 hexadecimal digits', 'appId');
    }
    const token = stringField(raw, 'token');
    // The OA console accepts only 3–32 letters and digits here.
    if (!/^[A-Za-z0-9]{3,32}$/.test(token)) {
      throw new InvalidInput('token is 3–32 letters or digits, as entered in 服务器配置', 'token');
    }
    return { appId, appSecret: stringField(raw, 'appSecret'), token, apiBaseUrl: baseUrl(raw) };
  },

  verify: (req, config) => verifyWechat(req, config.token),
  parse: (req) => parseWechat(req),
  send: (msg, config, ctx) => sendWechat(msg, config, ctx),
  classifyFailure: classifyWechatFailure,
};
