// Telegram Bot API: updates arrive as webhook POSTs carrying the secret set with setWebhook
// (https://core.telegram.org/bots/api#setwebhook, #update); replies go out through sendMessage,
// sendPhoto and sendDocument (#available-methods). Bots get no delivery or read receipts.
import { createHash, timingSafeEqual } from 'node:crypto';
import { InvalidInput } from '../../core/index.js';
import type { ChannelAdapter, RawRequest, Verdict } from '../contract.js';
import { parseUpdate } from './parse.js';
import { classifyFailure, DEFAULT_API_BASE_URL, sendTelegram, type TelegramConfig } from './send.js';

export type { TelegramConfig } from './send.js';

const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

function requiredString(raw: Record<string, unknown>, key: string, pattern: RegExp, shape: string): string {
  const v = raw[key];
  if (typeof v !== 'string' || v.trim() === '') throw new InvalidInput(`${key} is required`, key);
  if (!pattern.test(v.trim())) throw new InvalidInput(`${key} must be ${shape}`, key);
  return v.trim();
}

function apiBaseUrl(raw: Record<string, unknown>): string {
  const v = raw.apiBaseUrl;
  if (v === undefined || v === null || v === '') return DEFAULT_API_BASE_URL;
  let url: URL | undefined;
  try {
    url = typeof v === 'string' ? new URL(v.trim()) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new InvalidInput('apiBaseUrl must be an http(s) URL', 'apiBaseUrl');
  }
  return url.toString().replace(/\/+$/, '');
}

/** Hashing first gives equal-length buffers, and does not reveal the secret's length by timing. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export const telegramAdapter: ChannelAdapter<TelegramConfig> = {
  type: 'telegram',
  credentials: [
    {
      key: 'botToken',
      label: { en: 'Bot token (from @BotFather)', 'zh-CN': '机器人令牌（由 @BotFather 提供）' },
      type: 'string',
      required: true,
      secret: true,
      placeholder: '123456789:AAF…',
    },
    {
      key: 'secretToken',
      label: {
        en: 'Webhook secret token (setWebhook secret_token)',
        'zh-CN': 'Webhook 密钥（setWebhook 的 secret_token）',
      },
      type: 'string',
      required: true,
      secret: true,
      placeholder: 'A-Z, a-z, 0-9, _ and -, up to 256 characters',
    },
    {
      key: 'apiBaseUrl',
      label: { en: 'Bot API base URL', 'zh-CN': 'Bot API 基础地址' },
      type: 'url',
      required: false,
      secret: false,
      placeholder: DEFAULT_API_BASE_URL,
    },
  ],
  // Bots cannot see a customer typing, and Telegram reports nothing about delivery to bots.
  capabilities: { receipts: false, media: true, quickReplies: true, typing: false },

  validateConfig(raw) {
    return {
      botToken: requiredString(raw, 'botToken', /^\d+:[A-Za-z0-9_-]+$/, 'a bot token like 123456789:AAF…'),
      // setWebhook accepts 1-256 characters from this set; anything else could never match a header.
      secretToken: requiredString(
        raw,
        'secretToken',
        /^[A-Za-z0-9_-]{1,256}$/,
        '1-256 of A-Z, a-z, 0-9, _ and -',
      ),
      apiBaseUrl: apiBaseUrl(raw),
    };
  },

  verify(req: RawRequest, config: TelegramConfig): Verdict {
    if (req.method !== 'POST') return { ok: false, reason: 'Telegram delivers updates by POST' };
    const given = req.headers[SECRET_HEADER];
    if (given === undefined || given === '') return { ok: false, reason: 'missing secret token header' };
    if (!sameSecret(given, config.secretToken)) return { ok: false, reason: 'secret token does not match' };
    return { ok: true };
  },

  parse: (req) => parseUpdate(req),
  send: (msg, config, ctx) => sendTelegram(msg, config, ctx),
  classifyFailure,
};
