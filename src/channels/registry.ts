import type { IdentityKind } from '../identity/index.js';
import { appAdapter } from './app/index.js';
import type {
  Capabilities,
  ChannelAdapter,
  CredentialField,
  OutboundMessage,
  ParseResult,
  RawRequest,
  SendContext,
  SendResult,
  Verdict,
} from './contract.js';
import { emailAdapter } from './email/index.js';
import { messengerAdapter } from './messenger/index.js';
import { smsAdapter } from './sms/index.js';
import { telegramAdapter } from './telegram/index.js';
import { webchatAdapter } from './webchat/index.js';
import { wechatAdapter } from './wechat/index.js';
import { whatsappAdapter } from './whatsapp/index.js';

/**
 * An adapter with its config type erased, so adapters of different providers share one table.
 * `config` here is always what the adapter's own `validateConfig` returned.
 */
export interface RegisteredAdapter {
  type: string;
  /** The identity kind that addresses a customer on this channel. */
  recipientKind: IdentityKind;
  credentials: CredentialField[];
  capabilities: Capabilities;
  validateConfig(raw: Record<string, unknown>): unknown;
  verify(req: RawRequest, config: unknown): Verdict;
  parse(req: RawRequest, config: unknown): ParseResult | Promise<ParseResult>;
  send(msg: OutboundMessage, config: unknown, ctx: SendContext): Promise<SendResult>;
}

export function register<C, P extends ParseResult | Promise<ParseResult>>(
  adapter: ChannelAdapter<C, P>,
  recipientKind: IdentityKind,
): RegisteredAdapter {
  return {
    type: adapter.type,
    recipientKind,
    credentials: adapter.credentials,
    capabilities: adapter.capabilities,
    validateConfig: (raw) => adapter.validateConfig(raw),
    verify: (req, config) => adapter.verify(req, config as C),
    parse: (req, config) => adapter.parse(req, config as C),
    send: (msg, config, ctx) => adapter.send(msg, config as C, ctx),
  };
}

/** Every provider, one line each: the adapter and the identity kind that addresses a customer there. */
const ENTRIES: RegisteredAdapter[] = [
  register(telegramAdapter, 'telegram'),
  register(whatsappAdapter, 'whatsapp'),
  register(messengerAdapter, 'messenger'),
  register(wechatAdapter, 'wechat_openid'),
  register(smsAdapter, 'phone'),
  register(webchatAdapter, 'device'),
  register(appAdapter, 'app_user'),
  register(emailAdapter, 'email'),
];

const BY_TYPE = new Map<string, RegisteredAdapter>();
for (const entry of ENTRIES) {
  if (BY_TYPE.has(entry.type)) throw new Error(`two adapters for channel type ${entry.type}`);
  BY_TYPE.set(entry.type, entry);
}

export function registeredAdapters(): RegisteredAdapter[] {
  return [...ENTRIES];
}

export function adapterFor(type: string): RegisteredAdapter | undefined {
  return BY_TYPE.get(type);
}
