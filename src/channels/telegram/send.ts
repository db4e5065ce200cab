import type { Media, OutboundMessage, SendContext, SendResult } from '../contract.js';

export const DEFAULT_API_BASE_URL = 'https://api.telegram.org';

export interface TelegramConfig {
  botToken: string;
  secretToken: string;
  apiBaseUrl?: string;
}

type Failure = Exclude<SendResult, { status: 'sent' }>;

/** https://core.telegram.org/bots/api#sendmessage and #sendphoto. */
const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;
/** https://core.telegram.org/bots/api#inlinekeyboardbutton: callback_data is 1-64 bytes. */
const CALLBACK_DATA_LIMIT = 64;
/** How long a finished step of a multi-request send is remembered, so a retry does not repeat it. */
const STEP_MEMORY_MS = 24 * 60 * 60 * 1000;

interface Step {
  method: string;
  body: Record<string, unknown>;
}

/**
 * Failed calls answer `{ok:false, error_code, description, parameters?}`
 * (https://core.telegram.org/bots/api#making-requests); error_code mirrors the HTTP status.
 * Telegram's front end answers an outage with an nginx HTML page, so the body may not be JSON.
 */
export function classifyFailure(status: number, body: string): Failure {
  let code: number | undefined;
  let description: string | undefined;
  let retryAfter: number | undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) {
      const p = parsed as {
        error_code?: unknown;
        description?: unknown;
        parameters?: { retry_after?: unknown };
      };
      if (typeof p.error_code === 'number') code = p.error_code;
      if (typeof p.description === 'string') description = p.description;
      if (typeof p.parameters?.retry_after === 'number') retryAfter = p.parameters.retry_after;
    }
  } catch {
    // Not JSON: the status alone decides.
  }
  const effective = status >= 400 ? status : (code ?? status);
  const error = `telegram ${effective}: ${description ?? `HTTP ${status}`}`;
  if (effective === 429) {
    return {
      status: 'retryable',
      error,
      ...(retryAfter !== undefined ? { retryAfterMs: retryAfter * 1000 } : {}),
    };
  }
  if (effective >= 500) return { status: 'retryable', error };
  // 400 (chat not found, bad file, group migrated), 401/404 (bad token), 403 (blocked, deactivated).
  return { status: 'final', error };
}

function keyboardOf(msg: OutboundMessage): Record<string, unknown> | Failure | undefined {
  const replies = msg.quickReplies ?? [];
  if (replies.length === 0) return undefined;
  for (const r of replies) {
    const bytes = Buffer.byteLength(r.payload, 'utf8');
    if (bytes < 1 || bytes > CALLBACK_DATA_LIMIT) {
      return {
        status: 'final',
        error: `quick reply payload must be 1-${CALLBACK_DATA_LIMIT} bytes on Telegram`,
      };
    }
  }
  // One button a row: titles stay readable on a phone however long they are.
  return { inline_keyboard: replies.map((r) => [{ text: r.title, callback_data: r.payload }]) };
}

/** Splits on UTF-16 units, as Telegram counts, without cutting a surrogate pair in half. */
function chunksOf(text: string): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > TEXT_LIMIT) {
    let cut = TEXT_LIMIT;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest) out.push(rest);
  return out;
}

function mediaStep(chatId: string, m: Media, caption: string | undefined): Step | Failure {
  const source = m.url ?? m.providerMediaId;
  if (!source) return { status: 'final', error: 'media needs a url or a Telegram file_id' };
  const method = m.kind === 'image' ? 'sendPhoto' : m.kind === 'sticker' ? 'sendSticker' : 'sendDocument';
  const field = m.kind === 'image' ? 'photo' : m.kind === 'sticker' ? 'sticker' : 'document';
  const body: Record<string, unknown> = { chat_id: chatId, [field]: source };
  if (caption && m.kind !== 'sticker') body.caption = caption;
  return { method, body };
}

const isFailure = (v: unknown): v is Failure =>
  typeof v === 'object' && v !== null && 'status' in v && (v.status === 'final' || v.status === 'retryable');

/**
 * Media first, then the text; the keyboard rides on the last request. One picture with a short
 * text and no caption of its own goes as one sendPhoto with the text as caption.
 */
function plan(chatId: string, msg: OutboundMessage): Step[] | Failure {
  const keyboard = keyboardOf(msg);
  if (isFailure(keyboard)) return keyboard;
  const media = msg.media ?? [];
  const text = msg.text ?? '';
  const steps: Step[] = [];
  const only = media.length === 1 ? media[0] : undefined;
  const merge = only && !only.caption && only.kind !== 'sticker' && text.length <= CAPTION_LIMIT;
  for (const m of media) {
    const step = mediaStep(chatId, m, merge ? text || undefined : m.caption?.slice(0, CAPTION_LIMIT));
    if (isFailure(step)) return step;
    steps.push(step);
  }
  if (!merge)
    for (const chunk of chunksOf(text))
      steps.push({ method: 'sendMessage', body: { chat_id: chatId, text: chunk } });
  const last = steps.at(-1);
  if (!last) return { status: 'final', error: 'an outbound message needs text or media' };
  if (keyboard) last.body.reply_markup = keyboard;
  return steps;
}

async function call(config: TelegramConfig, step: Step, ctx: SendContext): Promise<number | Failure> {
  const base = (config.apiBaseUrl ?? DEFAULT_API_BASE_URL).replace(/\/+$/, '');
  let res: { status: number; body: string };
  try {
    res = await ctx.http.request(`${base}/bot${config.botToken}/${step.method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(step.body),
    });
  } catch (err) {
    // The URL holds the bot token; only the cause's message goes into the error.
    return { status: 'retryable', error: `telegram ${step.method}: ${(err as Error).message}` };
  }
  if (res.status === 200) {
    try {
      const parsed = JSON.parse(res.body) as { ok?: unknown; result?: { message_id?: unknown } };
      if (parsed.ok === true && typeof parsed.result?.message_id === 'number')
        return parsed.result.message_id;
    } catch {
      // Falls through to classifyFailure, which reads what it can.
    }
  }
  return classifyFailure(res.status, res.body);
}

/**
 * A message can take several Bot API calls (pictures, then text). Each finished call is remembered
 * in the cache under our message id, so a retry after a later call failed sends only what is left.
 * The id returned is the last call's, the one carrying the text and keyboard.
 */
export async function sendTelegram(
  msg: OutboundMessage,
  config: TelegramConfig,
  ctx: SendContext,
): Promise<SendResult> {
  if (msg.to.kind !== 'telegram')
    return { status: 'final', error: `Telegram cannot send to a ${msg.to.kind}` };
  const chatId = msg.to.value.trim();
  if (!/^-?\d+$/.test(chatId)) return { status: 'final', error: `"${chatId}" is not a Telegram chat id` };
  const steps = plan(chatId, msg);
  if (isFailure(steps)) return steps;
  let messageId = 0;
  for (const [i, step] of steps.entries()) {
    const key = `telegram:sent:${msg.id}:${i}`;
    const done = ctx.cache.get(key);
    if (done && done.expiresAt > ctx.now()) {
      messageId = Number(done.value);
      continue;
    }
    const result = await call(config, step, ctx);
    if (typeof result !== 'number') return result;
    ctx.cache.set(key, String(result), ctx.now() + STEP_MEMORY_MS);
    messageId = result;
  }
  return { status: 'sent', providerMessageId: `tg-out:${chatId}:${messageId}` };
}
