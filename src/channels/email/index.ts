// E-mail: customers write to a support address; our SMTP listener (`listener.ts`) receives the
// mail and answers go out through the channel's own SMTP server. Followed RFC 5322 (Message-ID,
// In-Reply-To, References), RFC 3834 (Auto-Submitted), RFC 3464 (delivery status notifications).
import { InvalidInput } from '../../core/index.js';
import type { ChannelAdapter, CredentialField, ParseResult } from '../contract.js';
import { parseEmail } from './parse.js';
import { classifyEmailFailure, type OutboundSmtp, sendEmail } from './send.js';
import { verifyEmail } from './verify.js';

export type EmailConfig = OutboundSmtp;

const credentials: CredentialField[] = [
  {
    key: 'address',
    label: { en: 'Support address', 'zh-CN': '客服邮箱地址' },
    type: 'string',
    required: true,
    secret: false,
    placeholder: 'support@example.com',
  },
  {
    key: 'fromName',
    label: { en: 'Sender name', 'zh-CN': '发件人名称' },
    type: 'string',
    required: false,
    secret: false,
    placeholder: 'Acme Support',
  },
  {
    key: 'smtpHost',
    label: { en: 'Outgoing SMTP server', 'zh-CN': '发信 SMTP 服务器' },
    type: 'string',
    required: true,
    secret: false,
    placeholder: 'smtp.example.com',
  },
  {
    key: 'smtpPort',
    label: { en: 'SMTP port', 'zh-CN': 'SMTP 端口' },
    type: 'number',
    required: false,
    secret: false,
    placeholder: '587',
  },
  {
    key: 'smtpSecure',
    label: { en: 'TLS from the start (port 465)', 'zh-CN': '直接使用 TLS（465 端口）' },
    type: 'boolean',
    required: false,
    secret: false,
  },
  {
    key: 'smtpUser',
    label: { en: 'SMTP user name', 'zh-CN': 'SMTP 用户名' },
    type: 'string',
    required: false,
    secret: false,
  },
  {
    key: 'smtpPassword',
    label: { en: 'SMTP password', 'zh-CN': 'SMTP 密码' },
    type: 'string',
    required: false,
    secret: true,
  },
];

const ADDRESS = /^[^\s@<>"(),;:]+@[^\s@<>"(),;:]+\.[^\s@<>"(),;:]+$/;

function optionalString(raw: Record<string, unknown>, key: string): string | undefined {
  const v = raw[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new InvalidInput(`${key} must be a string`, key);
  return v.trim() || undefined;
}

function requiredString(raw: Record<string, unknown>, key: string): string {
  const v = optionalString(raw, key);
  if (!v) throw new InvalidInput(`e-mail needs ${key}`, key);
  return v;
}

function flag(raw: Record<string, unknown>, key: string): boolean | undefined {
  const v = raw[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new InvalidInput(`${key} must be true or false`, key);
}

function port(raw: Record<string, unknown>, key: string): number | undefined {
  const v = raw[key];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) {
    throw new InvalidInput(`${key} must be a port number (1–65535)`, key);
  }
  return n;
}

export const emailAdapter: ChannelAdapter<EmailConfig, Promise<ParseResult>> = {
  type: 'email',
  credentials,
  // Receipts: bounces (RFC 3464 reports) mark our message failed. No buttons or typing in mail.
  capabilities: { receipts: true, media: true, quickReplies: false, typing: false },

  validateConfig(raw) {
    const address = requiredString(raw, 'address').toLowerCase();
    if (!ADDRESS.test(address)) throw new InvalidInput('address must be an e-mail address', 'address');
    const smtpSecure = flag(raw, 'smtpSecure') ?? false;
    const smtpUser = optionalString(raw, 'smtpUser');
    const smtpPassword = optionalString(raw, 'smtpPassword');
    if (smtpUser && !smtpPassword)
      throw new InvalidInput('smtpPassword is needed with smtpUser', 'smtpPassword');
    return {
      address,
      fromName: optionalString(raw, 'fromName'),
      smtpHost: requiredString(raw, 'smtpHost'),
      // 587 is submission with STARTTLS (RFC 6409); 465 is TLS from the first byte (RFC 8314).
      smtpPort: port(raw, 'smtpPort') ?? (smtpSecure ? 465 : 587),
      smtpSecure,
      smtpUser,
      smtpPassword,
    };
  },

  verify: (req, config) => verifyEmail(req, config.address),
  parse: (req, config) => parseEmail(req, config.address),
  send: (msg, config, ctx) => sendEmail(msg, config, ctx),
  classifyFailure: classifyEmailFailure,
};
