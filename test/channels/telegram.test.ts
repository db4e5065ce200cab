import { describe, expect, it } from 'vitest';
import {
  type ChannelFixtures,
  memoryCache,
  runChannelContract,
  sendContext,
} from '../../src/channels/channel-contract.js';
import type { InboundMessage, RawRequest, SendContext } from '../../src/channels/contract.js';
import { type TelegramConfig, telegramAdapter } from '../../src/channels/telegram/index.js';
import { InvalidInput } from '../../src/core/index.js';
import { rawRequest, startHttpFake } from '../fakes/http-provider.js';

const BOT_TOKEN = '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const SECRET = 'sb-telegram_webhook-secret-2024';
const CHAT_ID = 5123456789;
const BOT = {
  id: 7012345678,
  is_bot: true,
  first_name: 'Switchboard Support',
  username: 'switchboard_support_bot',
};
const ZHANG = { id: CHAT_ID, is_bot: false, first_name: '张', last_name: '伟', language_code: 'zh-hans' };
const PRIVATE_CHAT = { id: CHAT_ID, first_name: '张', last_name: '伟', type: 'private' };

/** Shaped like the Update objects of https://core.telegram.org/bots/api#update and the webhook guide's samples. */
function message(fields: Record<string, unknown>, from: Record<string, unknown> = ZHANG) {
  return { message_id: 1365, from, chat: PRIVATE_CHAT, date: 1717236000, ...fields };
}

function update(
  body: unknown,
  headers: Record<string, string> = { 'x-telegram-bot-api-secret-token': SECRET },
) {
  return rawRequest({
    url: '/webhooks/telegram/ch_tg1',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

const textUpdate = { update_id: 864213570, message: message({ text: '你好，我的订单还没到' }) };

const photoUpdate = {
  update_id: 864213571,
  message: message({
    message_id: 1366,
    photo: [
      {
        file_id: 'AgACAgQAAxkBAAIBZ2_small',
        file_unique_id: 'AQADs1',
        file_size: 1290,
        width: 90,
        height: 67,
      },
      {
        file_id: 'AgACAgQAAxkBAAIBZ2_large',
        file_unique_id: 'AQADs3',
        file_size: 98341,
        width: 1280,
        height: 960,
      },
      {
        file_id: 'AgACAgQAAxkBAAIBZ2_medium',
        file_unique_id: 'AQADs2',
        file_size: 17622,
        width: 320,
        height: 240,
      },
    ],
    caption: '包裹破损了',
  }),
};

/** Bot API success answer: `{ok:true, result: Message}` (https://core.telegram.org/bots/api#making-requests). */
function startTelegramFake() {
  let nextId = 2001;
  return startHttpFake((req) => {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.path);
    if (!match || match[1] !== BOT_TOKEN) {
      return { status: 404, body: '{"ok":false,"error_code":404,"description":"Not Found"}' };
    }
    const sent = JSON.parse(req.body) as Record<string, unknown>;
    const result = {
      message_id: nextId++,
      from: BOT,
      chat: PRIVATE_CHAT,
      date: 1717236100,
      ...(typeof sent.text === 'string' ? { text: sent.text } : {}),
    };
    return { status: 200, body: JSON.stringify({ ok: true, result }) };
  });
}

const RATE_LIMITED =
  '{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}';
const CHAT_NOT_FOUND = '{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}';
const BOT_BLOCKED = '{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}';
const BAD_GATEWAY = '{"ok":false,"error_code":502,"description":"Bad Gateway"}';
const NGINX_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n';

const fixtures: ChannelFixtures<TelegramConfig> = {
  startFake: startTelegramFake,
  config: (fake) => ({ botToken: BOT_TOKEN, secretToken: SECRET, apiBaseUrl: fake.baseUrl }),
  inbound: {
    text: update(textUpdate),
    media: update(photoUpdate),
    badSignature: update(textUpdate, { 'x-telegram-bot-api-secret-token': 'not-the-secret' }),
    // A getUpdates answer posted to the webhook: valid Bot API JSON, but not an Update.
    malformed: update({ ok: true, result: [textUpdate] }),
  },
  expected: { text: '你好，我的订单还没到', from: { kind: 'telegram', value: String(CHAT_ID) } },
  outbound: {
    id: 'msg_01J0TG',
    to: { kind: 'telegram', value: String(CHAT_ID) },
    text: '您好，请问您的订单号是多少？',
    quickReplies: [
      { title: '查询订单', payload: 'order_status' },
      { title: '转人工', payload: 'agent' },
    ],
  },
  errors: {
    rateLimited: [429, RATE_LIMITED],
    serverError: [502, BAD_GATEWAY],
    badRequest: [400, CHAT_NOT_FOUND],
  },
};

runChannelContract(telegramAdapter, fixtures);

const config = telegramAdapter.validateConfig({ botToken: BOT_TOKEN, secretToken: SECRET });

function parseOne(req: RawRequest): InboundMessage {
  const { messages } = telegramAdapter.parse(req, config);
  expect(messages).toHaveLength(1);
  return messages[0]!;
}

async function withFake(
  fn: (cfg: TelegramConfig, fake: Awaited<ReturnType<typeof startTelegramFake>>) => Promise<void>,
) {
  const fake = await startTelegramFake();
  try {
    await fn(
      telegramAdapter.validateConfig({ botToken: BOT_TOKEN, secretToken: SECRET, apiBaseUrl: fake.baseUrl }),
      fake,
    );
  } finally {
    await fake.close();
  }
}

describe('telegram inbound', () => {
  it('keys a message by its update_id, so the same update posted twice is one message', () => {
    const first = parseOne(update(textUpdate));
    const again = parseOne(update(JSON.parse(JSON.stringify(textUpdate))));
    expect(first.providerMessageId).toBe('tg:864213570');
    expect(again.providerMessageId).toBe(first.providerMessageId);
  });

  it('refuses an update without the secret token header, or with another secret', () => {
    expect(telegramAdapter.verify(update(textUpdate, {}), config)).toEqual({
      ok: false,
      reason: 'missing secret token header',
    });
    expect(
      telegramAdapter.verify(update(textUpdate, { 'x-telegram-bot-api-secret-token': `${SECRET}x` }), config)
        .ok,
    ).toBe(false);
    expect(telegramAdapter.verify({ ...update(textUpdate), method: 'GET' }, config).ok).toBe(false);
  });

  it('names a Chinese sender without a space and a Latin or Cyrillic one with one', () => {
    const named = (first: string, last?: string) =>
      parseOne(
        update({
          update_id: 1,
          message: message({ text: 'hi' }, { id: 42, is_bot: false, first_name: first, last_name: last }),
        }),
      ).from.displayName;
    expect(parseOne(update(textUpdate)).from.displayName).toBe('张伟');
    expect(named('Ada', 'Lovelace')).toBe('Ada Lovelace');
    expect(named('Иван', 'Петров')).toBe('Иван Петров');
    expect(named('Lin')).toBe('Lin');
  });

  it('takes the largest photo size, with its file_id as the media id', () => {
    const msg = parseOne(update(photoUpdate));
    expect(msg).toMatchObject({
      kind: 'media',
      media: [
        {
          kind: 'image',
          providerMediaId: 'AgACAgQAAxkBAAIBZ2_large',
          sizeBytes: 98341,
          caption: '包裹破损了',
        },
      ],
      occurredAt: '2024-06-01T10:00:00.000Z',
    });
  });

  it.each([
    [
      'document',
      { file_id: 'BQACAgQ_doc', file_name: 'invoice.pdf', mime_type: 'application/pdf', file_size: 52311 },
      'file',
    ],
    ['voice', { file_id: 'AwACAgQ_voice', duration: 4, mime_type: 'audio/ogg', file_size: 8021 }, 'audio'],
    [
      'video',
      { file_id: 'BAACAgQ_video', width: 640, height: 360, duration: 9, mime_type: 'video/mp4' },
      'video',
    ],
    [
      'sticker',
      { file_id: 'CAACAgQ_sticker', width: 512, height: 512, is_animated: false, emoji: '👍' },
      'sticker',
    ],
  ] as const)('parses a %s as media', (field, file, kind) => {
    const msg = parseOne(update({ update_id: 2, message: message({ [field]: file }) }));
    expect(msg).toMatchObject({ kind: 'media', media: [{ kind, providerMediaId: file.file_id }] });
  });

  it('parses a location and a venue', () => {
    const location = { latitude: 31.2304, longitude: 121.4737 };
    expect(parseOne(update({ update_id: 3, message: message({ location }) }))).toMatchObject({
      kind: 'location',
      location: { lat: 31.2304, lng: 121.4737 },
    });
    const venue = { location, title: '上海站', address: '上海市静安区秣陵路303号' };
    expect(parseOne(update({ update_id: 4, message: message({ location, venue }) }))).toMatchObject({
      kind: 'location',
      location: { lat: 31.2304, lng: 121.4737, name: '上海站', address: '上海市静安区秣陵路303号' },
    });
  });

  it('parses a shared contact, and learns the phone of a customer who shares their own', () => {
    const contact = { phone_number: '8613800138000', first_name: '张', last_name: '伟', user_id: CHAT_ID };
    const msg = parseOne(update({ update_id: 5, message: message({ contact }) }));
    expect(msg).toMatchObject({
      kind: 'contact',
      contact: { name: '张伟', phones: ['+8613800138000'], emails: [] },
    });
    expect(msg.from.identities).toContainEqual({ kind: 'phone', value: '+8613800138000' });

    const other = { phone_number: '+44 20 7946 0958', first_name: 'Ada' };
    const forwarded = parseOne(update({ update_id: 6, message: message({ contact: other }) }));
    expect(forwarded).toMatchObject({ kind: 'contact', contact: { phones: ['+442079460958'] } });
    expect(forwarded.from.identities).toEqual([{ kind: 'telegram', value: String(CHAT_ID) }]);
  });

  it('gives an edit its own key and the edited message id, dated at the edit', () => {
    const original = parseOne(update(textUpdate));
    const edit = parseOne(
      update({
        update_id: 864213580,
        edited_message: message({ text: '你好，我的订单 #8812 还没到', edit_date: 1717236060 }),
      }),
    );
    expect(edit).toMatchObject({
      kind: 'text',
      text: '你好，我的订单 #8812 还没到',
      occurredAt: '2024-06-01T10:01:00.000Z',
    });
    expect(edit.providerMessageId).toBe('tg:864213580');
    expect(edit.kind === 'text' && edit.threading?.messageId).toBe('tg-in:5123456789:1365');
    expect(original.kind === 'text' && original.threading?.messageId).toBe('tg-in:5123456789:1365');
  });

  it('points a reply to one of our messages at the id send returned for it', () => {
    const reply = parseOne(
      update({
        update_id: 7,
        message: message({
          message_id: 2003,
          text: '订单号是 8812',
          reply_to_message: message({ message_id: 2002, text: '请问订单号？' }, BOT),
        }),
      }),
    );
    expect(reply.kind === 'text' && reply.threading?.inReplyTo).toBe(`tg-out:${CHAT_ID}:2002`);
  });

  it('turns a pressed inline button into a postback, and answers the callback query', () => {
    const pressed = {
      update_id: 864213590,
      callback_query: {
        id: '4382bfdwdsb323b2d9',
        from: ZHANG,
        message: message(
          {
            message_id: 2001,
            text: '您好，请问您的订单号是多少？',
            reply_markup: {
              inline_keyboard: [
                [{ text: '查询订单', callback_data: 'order_status' }],
                [{ text: '转人工', callback_data: 'agent' }],
              ],
            },
          },
          BOT,
        ),
        chat_instance: '-8130471983203520713',
        data: 'agent',
      },
    };
    const result = telegramAdapter.parse(update(pressed), config);
    expect(result.messages).toEqual([
      {
        providerMessageId: 'tg:864213590',
        from: { identities: [{ kind: 'telegram', value: String(CHAT_ID) }], displayName: '张伟' },
        kind: 'postback',
        postback: { payload: 'agent', title: '转人工' },
      },
    ]);
    expect(result.reply).toEqual({
      status: 200,
      contentType: 'application/json',
      body: '{"method":"answerCallbackQuery","callback_query_id":"4382bfdwdsb323b2d9"}',
    });
  });

  it('ignores group chats and update kinds that are not customer messages', () => {
    const group = { id: -1001234567890, title: '客服群', type: 'supergroup' };
    expect(
      telegramAdapter.parse(update({ update_id: 8, message: message({ text: 'hi', chat: group }) }), config)
        .messages,
    ).toEqual([]);
    const member = {
      update_id: 9,
      my_chat_member: {
        chat: PRIVATE_CHAT,
        from: ZHANG,
        date: 1717236200,
        old_chat_member: { user: BOT, status: 'member' },
        new_chat_member: { user: BOT, status: 'kicked', until_date: 0 },
      },
    };
    expect(telegramAdapter.parse(update(member), config)).toEqual({ messages: [], receipts: [] });
  });

  it('reports content it cannot map as an event rather than dropping it', () => {
    const dice = parseOne(update({ update_id: 10, message: message({ dice: { emoji: '🎲', value: 4 } }) }));
    expect(dice).toMatchObject({ kind: 'event', event: 'unsupported_message', detail: { fields: ['dice'] } });
  });

  it.each([
    ['not JSON', '{"update_id":'],
    ['a message without a chat', JSON.stringify({ update_id: 11, message: { message_id: 1, date: 1 } })],
    [
      'a photo without file_id',
      JSON.stringify({ update_id: 12, message: message({ photo: [{ width: 1, height: 1 }] }) }),
    ],
    ['a callback without id', JSON.stringify({ update_id: 13, callback_query: { from: ZHANG, data: 'x' } })],
  ])('refuses %s with InvalidInput', (_name, body) => {
    const req = rawRequest({
      url: '/webhooks/telegram/ch_tg1',
      headers: { 'x-telegram-bot-api-secret-token': SECRET },
      body,
    });
    expect(() => telegramAdapter.parse(req, config)).toThrow(InvalidInput);
  });
});

describe('telegram outbound', () => {
  it('sends quick replies as an inline keyboard, one button a row', async () => {
    await withFake(async (cfg, fake) => {
      const result = await telegramAdapter.send(fixtures.outbound, cfg, sendContext());
      expect(result).toEqual({ status: 'sent', providerMessageId: `tg-out:${CHAT_ID}:2001` });
      expect(fake.received).toHaveLength(1);
      expect(fake.received[0]?.path).toBe(`/bot${BOT_TOKEN}/sendMessage`);
      expect(JSON.parse(fake.received[0]!.body)).toEqual({
        chat_id: String(CHAT_ID),
        text: '您好，请问您的订单号是多少？',
        reply_markup: {
          inline_keyboard: [
            [{ text: '查询订单', callback_data: 'order_status' }],
            [{ text: '转人工', callback_data: 'agent' }],
          ],
        },
      });
    });
  });

  it('maps a 429 with retry_after 7 to retryable after 7000 ms', async () => {
    await withFake(async (cfg, fake) => {
      fake.failNext(429, RATE_LIMITED);
      const result = await telegramAdapter.send(fixtures.outbound, cfg, sendContext());
      expect(result).toEqual({
        status: 'retryable',
        error: 'telegram 429: Too Many Requests: retry after 7',
        retryAfterMs: 7000,
      });
    });
  });

  it('sends one picture with a short text as a captioned photo by URL', async () => {
    await withFake(async (cfg, fake) => {
      const result = await telegramAdapter.send(
        {
          id: 'msg_01J0TH',
          to: { kind: 'telegram', value: String(CHAT_ID) },
          text: '退货标签',
          media: [{ kind: 'image', url: 'https://cdn.example.com/label.png' }],
        },
        cfg,
        sendContext(),
      );
      expect(result).toEqual({ status: 'sent', providerMessageId: `tg-out:${CHAT_ID}:2001` });
      expect(fake.received.map((r) => r.path)).toEqual([`/bot${BOT_TOKEN}/sendPhoto`]);
      expect(JSON.parse(fake.received[0]!.body)).toEqual({
        chat_id: String(CHAT_ID),
        photo: 'https://cdn.example.com/label.png',
        caption: '退货标签',
      });
    });
  });

  it('on retry after a partial failure, does not send again what already went out', async () => {
    await withFake(async (cfg, fake) => {
      const msg = {
        id: 'msg_01J0TJ',
        to: { kind: 'telegram' as const, value: String(CHAT_ID) },
        text: '请查收附件',
        media: [
          { kind: 'file' as const, url: 'https://cdn.example.com/invoice.pdf', filename: 'invoice.pdf' },
          { kind: 'image' as const, url: 'https://cdn.example.com/receipt.jpg' },
        ],
      };
      const ctx: SendContext = { ...sendContext(), cache: memoryCache() };
      fake.failNext(
        200,
        '{"ok":true,"result":{"message_id":2500,"chat":{"id":1,"type":"private"},"date":1}}',
      );
      fake.failNext(502, NGINX_502);
      expect((await telegramAdapter.send(msg, cfg, ctx)).status).toBe('retryable');
      expect(await telegramAdapter.send(msg, cfg, ctx)).toEqual({
        status: 'sent',
        providerMessageId: `tg-out:${CHAT_ID}:2002`,
      });
      expect(fake.received.map((r) => r.path.split('/').at(-1))).toEqual([
        'sendDocument',
        'sendPhoto',
        'sendPhoto',
        'sendMessage',
      ]);
    });
  });

  it('refuses, without calling Telegram, what Telegram would refuse', async () => {
    await withFake(async (cfg, fake) => {
      const to = { kind: 'telegram' as const, value: String(CHAT_ID) };
      const tooLong = { title: 'x', payload: 'p'.repeat(65) };
      expect(
        await telegramAdapter.send({ id: 'a', to, text: 'hi', quickReplies: [tooLong] }, cfg, sendContext()),
      ).toMatchObject({
        status: 'final',
      });
      expect(
        await telegramAdapter.send(
          { id: 'b', to: { kind: 'phone', value: '+8613800138000' }, text: 'hi' },
          cfg,
          sendContext(),
        ),
      ).toMatchObject({
        status: 'final',
      });
      expect(await telegramAdapter.send({ id: 'c', to }, cfg, sendContext())).toMatchObject({
        status: 'final',
      });
      expect(fake.received).toHaveLength(0);
    });
  });

  it('splits text longer than 4096 characters into several messages', async () => {
    await withFake(async (cfg, fake) => {
      const text = '长'.repeat(5000);
      const result = await telegramAdapter.send(
        { id: 'd', to: { kind: 'telegram', value: String(CHAT_ID) }, text },
        cfg,
        sendContext(),
      );
      expect(result).toEqual({ status: 'sent', providerMessageId: `tg-out:${CHAT_ID}:2002` });
      expect(fake.received.map((r) => (JSON.parse(r.body) as { text: string }).text.length)).toEqual([
        4096, 904,
      ]);
    });
  });
});

describe('telegram classifyFailure', () => {
  it.each([
    [429, RATE_LIMITED, { status: 'retryable', retryAfterMs: 7000 }],
    [502, BAD_GATEWAY, { status: 'retryable' }],
    [502, NGINX_502, { status: 'retryable', error: 'telegram 502: HTTP 502' }],
    [
      500,
      '{"ok":false,"error_code":500,"description":"Internal Server Error: restart"}',
      { status: 'retryable' },
    ],
    [400, CHAT_NOT_FOUND, { status: 'final', error: 'telegram 400: Bad Request: chat not found' }],
    [
      400,
      '{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234567890}}',
      { status: 'final' },
    ],
    [403, BOT_BLOCKED, { status: 'final', error: 'telegram 403: Forbidden: bot was blocked by the user' }],
    [
      403,
      '{"ok":false,"error_code":403,"description":"Forbidden: user is deactivated"}',
      { status: 'final' },
    ],
    [401, '{"ok":false,"error_code":401,"description":"Unauthorized"}', { status: 'final' }],
    [404, '{"ok":false,"error_code":404,"description":"Not Found"}', { status: 'final' }],
  ] as const)('maps %i %s', (status, body, expected) => {
    expect(telegramAdapter.classifyFailure(status, body)).toMatchObject(expected);
  });
});

describe('telegram config', () => {
  it('defaults the API base URL and refuses credentials Telegram would not accept', () => {
    expect(config.apiBaseUrl).toBe('https://api.telegram.org');
    expect(() => telegramAdapter.validateConfig({ botToken: 'not-a-token', secretToken: SECRET })).toThrow(
      InvalidInput,
    );
    expect(() => telegramAdapter.validateConfig({ botToken: BOT_TOKEN, secretToken: 'has spaces!' })).toThrow(
      InvalidInput,
    );
    expect(() =>
      telegramAdapter.validateConfig({ botToken: BOT_TOKEN, secretToken: SECRET, apiBaseUrl: 'ftp://x' }),
    ).toThrow(InvalidInput);
  });
});
