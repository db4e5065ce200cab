import { InvalidInput } from '../../core/index.js';
import type { IdentityRef } from '../../identity/index.js';
import type { InboundMessage, Media, ParseResult, RawRequest, Threading } from '../contract.js';

/** The parts of the Bot API objects we read (https://core.telegram.org/bots/api#available-types). */
interface TgUser {
  id: number;
  is_bot?: boolean;
  first_name: string;
  last_name?: string;
}

interface TgFile {
  file_id: string;
  file_size?: number;
  mime_type?: string;
  file_name?: string;
}

interface TgPhotoSize extends TgFile {
  width: number;
  height: number;
}

interface TgLocation {
  latitude: number;
  longitude: number;
}

interface TgInlineButton {
  text: string;
  callback_data?: string;
}

interface TgMessage {
  message_id: number;
  from?: TgUser;
  chat: { id: number; type: string };
  date: number;
  edit_date?: number;
  text?: string;
  caption?: string;
  photo?: TgPhotoSize[];
  animation?: TgFile;
  document?: TgFile;
  voice?: TgFile;
  audio?: TgFile;
  video?: TgFile;
  video_note?: TgFile;
  sticker?: TgFile;
  location?: TgLocation;
  venue?: { location: TgLocation; title: string; address: string };
  contact?: { phone_number: string; first_name: string; last_name?: string; user_id?: number };
  reply_to_message?: TgMessage;
  reply_markup?: { inline_keyboard?: TgInlineButton[][] };
}

interface TgCallbackQuery {
  id: string;
  from: TgUser;
  message?: TgMessage;
  data?: string;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

function malformed(what: string): InvalidInput {
  return new InvalidInput(`not a Telegram update: ${what}`, 'body');
}

function checkUser(v: unknown, where: string): TgUser {
  if (!isObj(v) || !isInt(v.id) || typeof v.first_name !== 'string')
    throw malformed(`${where} is not a User`);
  return v as unknown as TgUser;
}

function checkMessage(v: unknown, where: string): TgMessage {
  if (!isObj(v) || !isInt(v.message_id) || !isInt(v.date) || !isObj(v.chat) || !isInt(v.chat.id)) {
    throw malformed(`${where} is not a Message`);
  }
  if (v.from !== undefined) checkUser(v.from, `${where}.from`);
  return v as unknown as TgMessage;
}

function checkFile(v: TgFile, where: string): TgFile {
  if (typeof v.file_id !== 'string' || v.file_id === '') throw malformed(`${where} has no file_id`);
  return v;
}

const NO_SPACE_SCRIPTS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * Telegram splits the name into first_name and last_name. Chinese, Japanese and Korean names are
 * written without a space ("张" + "伟" is "张伟"); every other pair gets one ("Ivan Petrov",
 * "Иван Петров"), which is why the test is on CJK rather than on Latin.
 */
export function displayName(first: string, last?: string): string {
  const a = first.trim();
  const b = last?.trim() ?? '';
  if (!a || !b) return a || b;
  const end = Array.from(a).at(-1) ?? '';
  const start = Array.from(b)[0] ?? '';
  return NO_SPACE_SCRIPTS.test(end) && NO_SPACE_SCRIPTS.test(start) ? a + b : `${a} ${b}`;
}

/** Telegram gives contact numbers in international form, usually without the "+". */
export function toE164(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.length >= 7 && digits.length <= 15 ? `+${digits}` : phone.trim();
}

function sender(user: TgUser): InboundMessage['from'] {
  return {
    identities: [{ kind: 'telegram', value: String(user.id) }],
    displayName: displayName(user.first_name, user.last_name),
  };
}

const iso = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString();

/**
 * Message ids are per chat, and in a private chat the bot's and the customer's messages share one
 * sequence; `tg-out:` matches the providerMessageId `send` returns, so a reply to one of our
 * messages points at it.
 */
function messageRef(chatId: number, m: TgMessage): string {
  return `${m.from?.is_bot ? 'tg-out' : 'tg-in'}:${chatId}:${m.message_id}`;
}

function threadingOf(m: TgMessage): Threading {
  const t: Threading = { messageId: messageRef(m.chat.id, m) };
  if (m.reply_to_message) t.inReplyTo = messageRef(m.chat.id, m.reply_to_message);
  return t;
}

function mediaOf(m: TgMessage): Media | undefined {
  const caption = m.caption ? { caption: m.caption } : {};
  const file = (kind: Media['kind'], f: TgFile, where: string): Media => {
    checkFile(f, where);
    return {
      kind,
      providerMediaId: f.file_id,
      ...(f.mime_type ? { mimeType: f.mime_type } : {}),
      ...(f.file_name ? { filename: f.file_name } : {}),
      ...(isInt(f.file_size) ? { sizeBytes: f.file_size } : {}),
      ...caption,
    };
  };
  if (m.photo) {
    // The sizes are thumbnails of one picture; the documentation does not promise an order.
    const largest = [...m.photo].sort((x, y) => y.width * y.height - x.width * x.height)[0];
    if (!largest) throw malformed('photo has no sizes');
    return file('image', largest, 'photo');
  }
  // An animation message also carries `document` for old clients; the animation is the truth.
  if (m.animation) return file('video', m.animation, 'animation');
  if (m.document) return file('file', m.document, 'document');
  if (m.voice) return file('audio', m.voice, 'voice');
  if (m.audio) return file('audio', m.audio, 'audio');
  if (m.video) return file('video', m.video, 'video');
  if (m.video_note) return file('video', m.video_note, 'video_note');
  if (m.sticker) return file('sticker', m.sticker, 'sticker');
  return undefined;
}

/** Keys every message has; what is left over names the content we could not map. */
const ENVELOPE = new Set(['message_id', 'from', 'chat', 'date', 'edit_date', 'reply_to_message', 'entities']);

function fromMessage(updateId: number, m: TgMessage, edited: boolean): InboundMessage | undefined {
  // Replies go to the customer's private chat; a bot added to a group is not a contact channel.
  if (m.chat.type !== 'private' || !m.from) return undefined;
  const base = {
    providerMessageId: `tg:${updateId}`,
    from: sender(m.from),
    occurredAt: iso(edited && isInt(m.edit_date) ? m.edit_date : m.date),
  };
  if (typeof m.text === 'string') return { ...base, kind: 'text', text: m.text, threading: threadingOf(m) };
  const media = mediaOf(m);
  if (media) return { ...base, kind: 'media', media: [media], threading: threadingOf(m) };
  const place = m.venue ?? (m.location ? { location: m.location } : undefined);
  if (place) {
    return {
      ...base,
      kind: 'location',
      location: {
        lat: place.location.latitude,
        lng: place.location.longitude,
        ...(m.venue ? { name: m.venue.title, address: m.venue.address } : {}),
      },
    };
  }
  if (m.contact) {
    const phone = toE164(m.contact.phone_number);
    // A customer who shares their own contact card has told us their phone number.
    const own = m.contact.user_id === m.from.id;
    const identities: IdentityRef[] = own
      ? [...base.from.identities, { kind: 'phone', value: phone }]
      : base.from.identities;
    return {
      ...base,
      from: { ...base.from, identities },
      kind: 'contact',
      contact: {
        name: displayName(m.contact.first_name, m.contact.last_name),
        phones: [phone],
        emails: [],
      },
    };
  }
  const fields = Object.keys(m).filter((k) => !ENVELOPE.has(k));
  return { ...base, kind: 'event', event: 'unsupported_message', detail: { fields } };
}

function buttonTitle(cq: TgCallbackQuery): string | undefined {
  for (const row of cq.message?.reply_markup?.inline_keyboard ?? []) {
    for (const button of row) if (button.callback_data === cq.data) return button.text;
  }
  return undefined;
}

/**
 * The client shows a spinner on the pressed button until the bot answers the query; the webhook
 * response may itself be a Bot API call (https://core.telegram.org/bots/api#making-requests-when-getting-updates).
 */
function answerCallback(cq: TgCallbackQuery) {
  return {
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify({ method: 'answerCallbackQuery', callback_query_id: cq.id }),
  };
}

/**
 * One update is at most one message. An edited message arrives as a new message (its own
 * update_id) whose `threading.messageId` is the id the original carried, with `occurredAt` the
 * edit time: that shared id is what marks it as an edit. Update kinds we do not handle
 * (channel posts, inline queries, chat member changes, …) are Telegram's and parse to nothing.
 */
export function parseUpdate(req: RawRequest): ParseResult {
  let update: unknown;
  try {
    update = JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    throw malformed('body is not JSON');
  }
  if (!isObj(update) || !isInt(update.update_id)) throw malformed('no update_id');
  const id = update.update_id;
  const none: ParseResult = { messages: [], receipts: [] };

  if (update.message !== undefined || update.edited_message !== undefined) {
    const edited = update.message === undefined;
    const m = checkMessage(
      edited ? update.edited_message : update.message,
      edited ? 'edited_message' : 'message',
    );
    const msg = fromMessage(id, m, edited);
    return msg ? { messages: [msg], receipts: [] } : none;
  }

  if (update.callback_query !== undefined) {
    const raw = update.callback_query;
    if (!isObj(raw) || typeof raw.id !== 'string') throw malformed('callback_query has no id');
    checkUser(raw.from, 'callback_query.from');
    if (raw.message !== undefined) checkMessage(raw.message, 'callback_query.message');
    const cq = raw as unknown as TgCallbackQuery;
    const reply = answerCallback(cq);
    // A game button carries no data; answer it so the spinner stops, store nothing.
    if (typeof cq.data !== 'string') return { ...none, reply };
    const title = buttonTitle(cq);
    const postback: InboundMessage = {
      providerMessageId: `tg:${id}`,
      // A callback query carries no time of its own; the gateway's receive time stands in.
      from: sender(cq.from),
      kind: 'postback',
      postback: { payload: cq.data, ...(title ? { title } : {}) },
    };
    return { messages: [postback], receipts: [], reply };
  }

  return none;
}
