import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpFake } from './fakes/smtp-provider.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { waitFor } from './support/wait.js';

const TG = { botToken: '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw', secretToken: 'e2e-secret' };

/**
 * Issue #4: a customer chats in the widget giving their phone number, then writes on Telegram and by
 * e-mail; the agent sees one customer with one timeline, and the explain endpoint names the evidence.
 */
describe('one customer across the widget, Telegram and e-mail', () => {
  let t: TestApp;
  let auth: string;
  let relay: Awaited<ReturnType<typeof startSmtpFake>>;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp('pglite');
    auth = await t.login(OWNER.email, OWNER.password);
    relay = await startSmtpFake();
    const create = async (payload: Record<string, unknown>) => {
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/channels',
        headers: { authorization: auth },
        payload,
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    ids.webchat = await create({ type: 'webchat', name: '官网', config: {} });
    ids.telegram = await create({ type: 'telegram', name: 'TG', config: TG });
    ids.email = await create({
      type: 'email',
      name: 'Support',
      config: {
        address: 'support@acme.test',
        smtpHost: '127.0.0.1',
        smtpPort: Number(new URL(relay.baseUrl).port),
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await relay.close();
  });

  it('links the three by the phone number the customer gave, with the evidence on record', async () => {
    // 1. The widget: a visitor without a name says their phone number.
    const session = (
      await t.inject({ method: 'POST', url: `/webchat/${ids.webchat}/session`, payload: {} })
    ).json() as { token: string };
    const frames: { type: string }[] = [];
    const ws = await t.sb.server.app.injectWS(
      `/webchat/${ids.webchat}/ws?token=${session.token}`,
      {},
      {
        onInit: (s) => s.on('message', (d) => frames.push(JSON.parse(String(d)))),
      },
    );
    ws.send(
      JSON.stringify({
        type: 'message',
        clientId: 'c1',
        text: '你好，我的手机号是 138 0013 8000，订单还没到',
      }),
    );
    await waitFor(async () => (frames.some((f) => f.type === 'ack') ? true : undefined));
    ws.terminate();

    // 2. Telegram: a new chat, with a name, giving the same number in another format.
    const from = { id: 5123456789, is_bot: false, first_name: '张', last_name: '伟' };
    const tg = await t.inject({
      method: 'POST',
      url: `/webhooks/telegram/${ids.telegram}`,
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TG.secretToken },
      payload: JSON.stringify({
        update_id: 880001,
        message: {
          message_id: 1,
          from,
          chat: { ...from, type: 'private' },
          date: 1764000000,
          text: '我是张伟，电话 +86-138-0013-8000',
        },
      }),
    });
    expect(tg.statusCode).toBe(200);

    // 3. E-mail from a work address, the number in the signature.
    const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: t.sb.smtpPort, secure: false });
    await mailer.sendMail({
      from: 'Zhang Wei <zhang.wei@work.example>',
      to: 'support@acme.test',
      subject: '订单 SO20261120-8841',
      text: '请尽快处理。\n\n--\n张伟\n手机 0086 13800138000',
    });
    mailer.close();

    // The agent API: one customer, one timeline of all three, and the evidence.
    const list = (
      await t.inject({ url: '/api/v1/customers?limit=200', headers: { authorization: auth } })
    ).json();
    expect(list.items).toHaveLength(1);
    const customer = list.items[0];
    expect(customer.identities.map((i: { kind: string }) => i.kind).sort()).toEqual([
      'device',
      'email',
      'phone',
      'telegram',
    ]);
    const timeline = (
      await t.inject({ url: `/api/v1/customers/${customer.id}/timeline`, headers: { authorization: auth } })
    ).json();
    const messages = timeline.items.filter((i: { kind: string }) => i.kind === 'message');
    expect(messages.map((i: { channelType: string }) => i.channelType).sort()).toEqual([
      'email',
      'telegram',
      'webchat',
    ]);
    // The two merges that made them one are in the history too.
    expect(timeline.items.filter((i: { kind: string }) => i.kind === 'merge')).toHaveLength(2);
    const explain = (
      await t.inject({ url: `/api/v1/customers/${customer.id}/identity`, headers: { authorization: auth } })
    ).json();
    expect(explain.merges).toHaveLength(2);
    for (const m of explain.merges) {
      expect(m.evidence).toMatchObject({
        source: 'deterministic',
        identifiers: [{ kind: 'phone', value: '+8613800138000' }],
      });
    }
  });

  it('does not merge someone who mentions another person’s number under a different name', async () => {
    const from = { id: 5999999999, is_bot: false, first_name: 'Li', last_name: 'Na' };
    const res = await t.inject({
      method: 'POST',
      url: `/webhooks/telegram/${ids.telegram}`,
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TG.secretToken },
      payload: JSON.stringify({
        update_id: 880002,
        message: {
          message_id: 2,
          from,
          chat: { ...from, type: 'private' },
          date: 1764000100,
          text: '我老公的电话是 13800138000',
        },
      }),
    });
    expect(res.statusCode).toBe(200);
    const list = (
      await t.inject({ url: '/api/v1/customers?limit=200', headers: { authorization: auth } })
    ).json();
    expect(list.items).toHaveLength(2);

    // It is a question for a supervisor instead, with the evidence; rejecting it keeps them apart.
    const queue = (
      await t.inject({ url: '/api/v1/merge-suggestions', headers: { authorization: auth } })
    ).json();
    expect(queue.items).toHaveLength(1);
    expect(queue.items[0].evidence).toMatchObject({
      identifiers: [{ kind: 'phone', value: '+8613800138000' }],
    });
    expect(queue.items[0].evidence.fields[0]).toMatchObject({ field: 'name', level: 'different' });
    const reject = await t.inject({
      method: 'POST',
      url: `/api/v1/merge-suggestions/${queue.items[0].id}/reject`,
      headers: { authorization: auth },
      payload: {},
    });
    expect(reject.statusCode).toBe(204);
    const again = await t.inject({
      method: 'POST',
      url: `/api/v1/merge-suggestions/${queue.items[0].id}/accept`,
      headers: { authorization: auth },
      payload: {},
    });
    expect(again.statusCode).toBe(409);
    expect(
      (await t.inject({ url: '/api/v1/merge-suggestions', headers: { authorization: auth } })).json().items,
    ).toEqual([]);
  });

  it('a supervisor accepting a suggestion merges the two with its evidence', async () => {
    const from = { id: 5888888888, is_bot: false, first_name: 'Wang', last_name: 'Fang' };
    await t.inject({
      method: 'POST',
      url: `/webhooks/telegram/${ids.telegram}`,
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TG.secretToken },
      payload: JSON.stringify({
        update_id: 880003,
        message: {
          message_id: 3,
          from,
          chat: { ...from, type: 'private' },
          date: 1764000200,
          text: 'call 13800138000 please',
        },
      }),
    });
    const queue = (
      await t.inject({ url: '/api/v1/merge-suggestions', headers: { authorization: auth } })
    ).json();
    expect(queue.items).toHaveLength(1);
    const accepted = await t.inject({
      method: 'POST',
      url: `/api/v1/merge-suggestions/${queue.items[0].id}/accept`,
      headers: { authorization: auth },
      payload: {},
    });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().evidence.note).toMatch(/reviewed by user:/);
    const list = (
      await t.inject({ url: '/api/v1/customers?limit=200', headers: { authorization: auth } })
    ).json();
    expect(list.items).toHaveLength(2);
  });
});
