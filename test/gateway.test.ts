import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeRequest, startHttpFake } from './fakes/http-provider.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { serviceAvailable } from './support/services.js';

const pgUp = await serviceAvailable('postgres');

const TG_TOKEN = '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const TG_SECRET = 'sb-telegram_webhook-secret-2024';
const WA = {
  accessToken: 'EAAG-test-token',
  appSecret: 'wa-app-secret',
  verifyToken: 'wa-verify-123',
  phoneNumberId: '106540352242922',
};

function tgUpdate(updateId: number, text: string, chatId = 5123456789) {
  const from = { id: chatId, is_bot: false, first_name: '张', last_name: '伟', language_code: 'zh-hans' };
  return {
    update_id: updateId,
    message: {
      message_id: updateId % 100000,
      from,
      chat: { ...from, type: 'private' },
      date: 1764000000,
      text,
    },
  };
}

for (const kind of ['pglite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !pgUp)(`the channel gateway on ${kind}`, () => {
    let t: TestApp;
    let auth: string;
    let tgFake: Awaited<ReturnType<typeof startHttpFake>>;
    let waFake: Awaited<ReturnType<typeof startHttpFake>>;
    let tgChannel: { id: string; webhookUrl: string };
    let waChannel: { id: string; webhookUrl: string };
    let sent = 0;

    beforeAll(async () => {
      t = await startTestApp(kind);
      auth = await t.login(OWNER.email, OWNER.password);
      tgFake = await startHttpFake((req: FakeRequest) => {
        sent++;
        const body = JSON.parse(req.body || '{}') as { chat_id?: number | string };
        return {
          status: 200,
          body: JSON.stringify({
            ok: true,
            result: { message_id: 9000 + sent, chat: { id: body.chat_id }, date: 1 },
          }),
        };
      });
      waFake = await startHttpFake(() => ({
        status: 200,
        body: JSON.stringify({ messaging_product: 'whatsapp', messages: [{ id: `wamid.OUT${++sent}` }] }),
      }));
      const create = async (payload: Record<string, unknown>) => {
        const res = await t.inject({
          method: 'POST',
          url: '/api/v1/channels',
          headers: { authorization: auth },
          payload,
        });
        expect(res.statusCode, res.body).toBe(201);
        return res.json();
      };
      tgChannel = await create({
        type: 'telegram',
        name: 'TG bot',
        config: { botToken: TG_TOKEN, secretToken: TG_SECRET, apiBaseUrl: tgFake.baseUrl },
      });
      waChannel = await create({
        type: 'whatsapp',
        name: 'WA',
        config: { ...WA, apiBaseUrl: waFake.baseUrl },
      });
    });
    afterAll(async () => {
      await t.close();
      await tgFake.close();
      await waFake.close();
    });

    const postTg = (body: unknown, secret = TG_SECRET) =>
      t.inject({
        method: 'POST',
        url: tgChannel.webhookUrl,
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
        payload: JSON.stringify(body),
      });
    // Events a request wrote; the ACD's `routing.*` events for earlier messages arrive on their own time.
    const count = async (table: 'messages' | 'events' | 'customers') => {
      let q = t.sb.ctx.storage.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n'));
      if (table === 'events') q = q.where('type', 'not like', 'routing.%');
      return Number((await q.executeTakeFirstOrThrow()).n);
    };

    it('lists the eight channel types with their settings form in both languages', async () => {
      const res = await t.inject({ url: '/api/v1/channel-types', headers: { authorization: auth } });
      const types = res.json() as {
        type: string;
        credentials: { key: string; secret: boolean; label: Record<string, string> }[];
      }[];
      expect(types.map((x) => x.type).sort()).toEqual(
        ['app', 'email', 'messenger', 'sms', 'telegram', 'webchat', 'wechat', 'whatsapp'].sort(),
      );
      const tg = types.find((x) => x.type === 'telegram');
      expect(tg?.credentials.find((c) => c.key === 'botToken')).toMatchObject({ secret: true });
      for (const x of types) for (const c of x.credentials) expect(c.label['zh-CN']).toBeTruthy();
    });

    it('never returns a declared secret, and stores it sealed', async () => {
      const res = await t.inject({
        url: `/api/v1/channels/${tgChannel.id}`,
        headers: { authorization: auth },
      });
      expect(res.body).not.toContain(TG_TOKEN);
      expect(res.json().config.botToken).toBe('••••');
      const row = await t.sb.ctx.storage.db
        .selectFrom('channels')
        .selectAll()
        .where('id', '=', tgChannel.id)
        .executeTakeFirstOrThrow();
      expect(JSON.stringify(row)).not.toContain(TG_TOKEN);
    });

    it('a channel created with a config the adapter refuses is a 400 naming the field', async () => {
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/channels',
        headers: { authorization: auth },
        payload: { type: 'telegram', name: 'broken', config: { botToken: TG_TOKEN } },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().detail).toMatch(/secretToken/);
    });

    it('a Telegram update posted twice makes one message', async () => {
      const before = await count('messages');
      const first = await postTg(tgUpdate(700001, '你好，我的订单 SO20261120-8841 还没到'));
      const again = await postTg(tgUpdate(700001, '你好，我的订单 SO20261120-8841 还没到'));
      expect(first.statusCode).toBe(200);
      expect(again.statusCode).toBe(200);
      expect(await count('messages')).toBe(before + 1);
      const conv = (await t.inject({ url: '/api/v1/conversations', headers: { authorization: auth } })).json()
        .items[0];
      expect(conv).toMatchObject({ channelType: 'telegram', channelId: tgChannel.id });
      // The gateway turned the text into structured fields.
      const [msg] = (
        await t.inject({ url: `/api/v1/conversations/${conv.id}/messages`, headers: { authorization: auth } })
      ).json().items;
      expect(msg.payload.extracted.orderNumbers).toEqual(['SO20261120-8841']);
      expect(msg.payload.extracted.intent.category).toBe('delivery');
    });

    it('a wrong secret is a 403 and writes nothing', async () => {
      const before = [await count('messages'), await count('events'), await count('customers')];
      const res = await postTg(tgUpdate(700002, 'forged'), 'not-the-secret');
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect([await count('messages'), await count('events'), await count('customers')]).toEqual(before);
    });

    it('a body the provider would never send is a 400; an unknown channel a 404', async () => {
      expect((await postTg({ not: 'an update' })).statusCode).toBe(400);
      const res = await t.inject({
        method: 'POST',
        url: '/webhooks/telegram/01934b6e-0000-7000-8000-000000000000',
        headers: { 'content-type': 'application/json' },
        payload: '{}',
      });
      expect(res.statusCode).toBe(404);
    });

    it("an agent's reply goes out through the provider API and the message shows it was sent", async () => {
      await postTg(tgUpdate(700003, 'anyone there?', 5200000001));
      const convs = (
        await t.inject({ url: '/api/v1/conversations', headers: { authorization: auth } })
      ).json().items;
      const conv = convs.find(
        (c: { channelType: string; customerId: string }) => c.channelType === 'telegram',
      );
      const reply = await t.inject({
        method: 'POST',
        url: `/api/v1/conversations/${conv.id}/messages`,
        headers: { authorization: auth },
        payload: { text: '您好，正在为您查询。' },
      });
      expect(reply.json().deliveryStatus).toBe('queued');
      await t.sb.dispatcher.runOnce();
      const sentReq = tgFake.received.at(-1);
      expect(sentReq?.path).toBe(`/bot${TG_TOKEN}/sendMessage`);
      expect(JSON.parse(sentReq?.body ?? '{}')).toMatchObject({ text: '您好，正在为您查询。' });
      const messages = (
        await t.inject({ url: `/api/v1/conversations/${conv.id}/messages`, headers: { authorization: auth } })
      ).json().items;
      expect(messages.at(-1)).toMatchObject({
        direction: 'out',
        deliveryStatus: 'sent',
        deliveryError: null,
      });
    });

    it('a provider 429 is retried; a final refusal shows on the message with its reason', async () => {
      const convs = (
        await t.inject({ url: '/api/v1/conversations', headers: { authorization: auth } })
      ).json().items;
      const conv = convs.find((c: { channelType: string }) => c.channelType === 'telegram');
      const send = (text: string) =>
        t.inject({
          method: 'POST',
          url: `/api/v1/conversations/${conv.id}/messages`,
          headers: { authorization: auth },
          payload: { text },
        });
      tgFake.failNext(
        429,
        JSON.stringify({
          ok: false,
          error_code: 429,
          description: 'Too Many Requests: retry after 0',
          parameters: { retry_after: 0 },
        }),
      );
      const retried = (await send('retry me')).json();
      await t.sb.dispatcher.runOnce();
      const db = t.sb.ctx.storage.db;
      const pending = await db
        .selectFrom('deliveries')
        .selectAll()
        .where('message_id', '=', retried.id)
        .executeTakeFirst();
      expect(pending?.last_error).toMatch(/Too Many Requests/);
      await db
        .updateTable('deliveries')
        .set({ next_attempt_at: new Date(0) })
        .where('message_id', '=', retried.id)
        .execute();
      await t.sb.dispatcher.runOnce();
      const after = await db
        .selectFrom('messages')
        .select(['delivery_status'])
        .where('id', '=', retried.id)
        .executeTakeFirstOrThrow();
      expect(after.delivery_status).toBe('sent');

      tgFake.failNext(
        403,
        JSON.stringify({ ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' }),
      );
      const blocked = (await send('you blocked me')).json();
      await t.sb.dispatcher.runOnce();
      const failed = await db
        .selectFrom('messages')
        .select(['delivery_status', 'delivery_error'])
        .where('id', '=', blocked.id)
        .executeTakeFirstOrThrow();
      expect(failed).toMatchObject({ delivery_status: 'failed' });
      expect(failed.delivery_error).toMatch(/blocked/);
      expect(
        await db.selectFrom('deliveries').selectAll().where('message_id', '=', blocked.id).execute(),
      ).toEqual([]);
    });

    it('a WhatsApp verify handshake with the right token echoes the challenge; a wrong token is refused', async () => {
      const ok = await t.inject({
        url: `${waChannel.webhookUrl}?hub.mode=subscribe&hub.verify_token=${WA.verifyToken}&hub.challenge=1158201444`,
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toBe('1158201444');
      const bad = await t.inject({
        url: `${waChannel.webhookUrl}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444`,
      });
      expect(bad.statusCode).toBe(403);
    });

    it('WhatsApp statuses move our message to delivered, then read, never back', async () => {
      const signed = (body: unknown) => {
        const raw = JSON.stringify(body);
        const sig = `sha256=${createHmac('sha256', WA.appSecret).update(raw).digest('hex')}`;
        return t.inject({
          method: 'POST',
          url: waChannel.webhookUrl,
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': sig },
          payload: raw,
        });
      };
      const change = (value: Record<string, unknown>) => ({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: '102290129340398',
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: '15550783881', phone_number_id: WA.phoneNumberId },
                  ...value,
                },
              },
            ],
          },
        ],
      });
      const inbound = await signed(
        change({
          contacts: [{ profile: { name: 'Olivia Brown' }, wa_id: '447700900123' }],
          messages: [
            {
              from: '447700900123',
              id: 'wamid.IN1',
              timestamp: '1764000000',
              type: 'text',
              text: { body: 'Where is my parcel?' },
            },
          ],
        }),
      );
      expect(inbound.statusCode).toBe(200);
      const convs = (
        await t.inject({ url: '/api/v1/conversations', headers: { authorization: auth } })
      ).json().items;
      const conv = convs.find((c: { channelType: string }) => c.channelType === 'whatsapp');
      const reply = (
        await t.inject({
          method: 'POST',
          url: `/api/v1/conversations/${conv.id}/messages`,
          headers: { authorization: auth },
          payload: { text: 'It left our warehouse today.' },
        })
      ).json();
      await t.sb.dispatcher.runOnce();
      const db = t.sb.ctx.storage.db;
      const row = await db
        .selectFrom('messages')
        .selectAll()
        .where('id', '=', reply.id)
        .executeTakeFirstOrThrow();
      expect(row.delivery_status).toBe('sent');
      const wamid = String(row.provider_message_id).replace(/^wa:/, '');
      const status = (s: string) =>
        change({
          statuses: [{ id: wamid, status: s, timestamp: '1764000100', recipient_id: '447700900123' }],
        });
      await signed(status('read'));
      await signed(status('delivered'));
      const after = await db
        .selectFrom('messages')
        .select('delivery_status')
        .where('id', '=', reply.id)
        .executeTakeFirstOrThrow();
      expect(after.delivery_status).toBe('read');
    });

    it('answers 503 (so the provider retries) when the message cannot be stored', async () => {
      const db = t.sb.ctx.storage.db;
      // Make the commit fail: a trigger that refuses new messages, as a full disk or a lost server would.
      const { sql } = await import('kysely');
      await sql`CREATE FUNCTION refuse_messages() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$`.execute(
        db,
      );
      await sql`CREATE TRIGGER refuse BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_messages()`.execute(
        db,
      );
      const before = await count('messages');
      const res = await postTg(tgUpdate(700099, 'will you keep this?'));
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      await sql`DROP TRIGGER refuse ON messages`.execute(db);
      const retry = await postTg(tgUpdate(700099, 'will you keep this?'));
      expect(retry.statusCode).toBe(200);
      expect(await count('messages')).toBe(before + 1);
    });
  });
}
