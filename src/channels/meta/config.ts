import { InvalidInput } from '../../core/index.js';
import type { CredentialField } from '../contract.js';

/** Config fields both Meta adapters share: the Graph API base URL and version, and the webhook secrets. */
export const DEFAULT_GRAPH_BASE_URL = 'https://graph.facebook.com';
export const DEFAULT_GRAPH_VERSION = 'v21.0';

export function requiredString(raw: Record<string, unknown>, key: string): string {
  const v = raw[key];
  // Graph ids are numeric strings, but a form or a JSON number may carry them as numbers.
  const s = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v;
  if (typeof s !== 'string' || s.trim() === '') throw new InvalidInput(`${key} is required`, key);
  return s.trim();
}

export function graphId(raw: Record<string, unknown>, key: string): string {
  const s = requiredString(raw, key);
  if (!/^\d+$/.test(s)) throw new InvalidInput(`${key} must be a numeric Graph id`, key);
  return s;
}

export function apiVersion(raw: Record<string, unknown>): string {
  const v = raw.apiVersion;
  if (v === undefined || v === null || v === '') return DEFAULT_GRAPH_VERSION;
  if (typeof v !== 'string' || !/^v\d+\.\d+$/.test(v.trim())) {
    throw new InvalidInput('apiVersion must look like v21.0', 'apiVersion');
  }
  return v.trim();
}

export function apiBaseUrl(raw: Record<string, unknown>): string {
  const v = raw.apiBaseUrl;
  if (v === undefined || v === null || v === '') return DEFAULT_GRAPH_BASE_URL;
  if (typeof v !== 'string') throw new InvalidInput('apiBaseUrl must be a URL', 'apiBaseUrl');
  let url: URL;
  try {
    url = new URL(v.trim());
  } catch {
    throw new InvalidInput('apiBaseUrl must be a URL', 'apiBaseUrl');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidInput('apiBaseUrl must be an http(s) URL', 'apiBaseUrl');
  }
  return url.toString().replace(/\/+$/, '');
}

export const APP_SECRET_FIELD: CredentialField = {
  key: 'appSecret',
  label: { en: 'App secret', 'zh-CN': '应用密钥 (App Secret)' },
  type: 'string',
  required: true,
  secret: true,
};

export const VERIFY_TOKEN_FIELD: CredentialField = {
  key: 'verifyToken',
  label: { en: 'Webhook verify token', 'zh-CN': 'Webhook 验证令牌' },
  type: 'string',
  required: true,
  secret: true,
  placeholder: 'any string you also enter in the Meta app dashboard',
};

export const API_VERSION_FIELD: CredentialField = {
  key: 'apiVersion',
  label: { en: 'Graph API version', 'zh-CN': 'Graph API 版本' },
  type: 'string',
  required: false,
  secret: false,
  placeholder: DEFAULT_GRAPH_VERSION,
};

export const API_BASE_URL_FIELD: CredentialField = {
  key: 'apiBaseUrl',
  label: { en: 'Graph API base URL', 'zh-CN': 'Graph API 基础地址' },
  type: 'url',
  required: false,
  secret: false,
  placeholder: DEFAULT_GRAPH_BASE_URL,
};
