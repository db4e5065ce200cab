import { sql } from 'kysely';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpListener } from '../src/channels/email/listener.js';
import { startSmtpFake } from './fakes/smtp-provider.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { serviceAvailable } from './support/services.js';

const pgUp = await serviceAvailable('postgres');

const SUPPORT = 'support@acme.test';
const CUSTOMER = { name: '李伟', address: 'Li.Wei@example.org' };

interface ApiMessage {
  id: string;
  direction: 'in' | 'out';
  text: string;
  payload: Record<string, unknown>;
  deliveryStatus: string;
  deliveryError: string | null;
}

for (const kind of ['pglite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !pgUp)(`e-mail over SMTP on ${kind}`, () => {
    let t: TestApp;
    let auth: string;
    let relay: Awaited<ReturnType<typeof startSmtpFake>>;
    let customer: ReturnType<typeof nodemailer.createTransport>;
    let conversationId: string;
    let firstReplyId: string;

    beforeAll(async () => {
      t = await startTestApp(kind);
      auth = await t.login(OWNER.email, OWNER.password);
      relay = await startSmtpFake();
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/channels',
        headers: { authorization: auth },
        payload: {
          type: 'email',
          name: 'Support mail',
          config: {
            address: 'Support@Acme.test',
            fromName: 'Acme Support',
            smtpHost: '127.0.0.1',
            smtpPort: Number(new URL(relay.baseUrl).port),
            smtpSecure: false,
          },
        },
      });
      expect(res.statusCode, res.body).toBe(201);
      // The customer's own mail server delivering to our listener.
      customer = nodemailer.createTransport({ host: '127.0.0.1', port: t.sb.smtpPort, secure: false });
    });
    afterAll(async () => {
      customer?.close();
      await t?.close();
      await relay?.close();
    });

    const fromCustomer = (mail: Parameters<typeof customer.sendMail>[0]) =>
      customer.sendMail({ from: CUSTOMER, to: SUPPORT, ...mail });
    const api = async (url: string) => {
      const res = await t.inject({ url, headers: { authorization: auth } });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const messagesOf = async (id: string): Promise<ApiMessage[]> =>
      (await api(`/api/v1/conversations/${id}/messages`)).items;
    const countMessages = async () =>
      Number(
        (
          await t.sb.ctx.storage.db
            .selectFrom('messages')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('a mail sent with an SMTP client becomes a message, without the quoted history', async () => {
      const info = await fromCustomer({
        messageId: '<first-1@example.org>',
        subject: '订单 SO20261120-8841 还没到',
        text: '我的订单还没到，请帮忙查一下。\n\nOn Sun, Nov 23, 2025 at 9:00 AM Acme <support@acme.test> wrote:\n> Your order has shipped.\n',
      });
      expect(info.response).toMatch(/^250 /);
      const conversations = (await api('/api/v1/conversations')).items;
      const conv = conversations.find((c: { channelType: string }) => c.channelType === 'email');
      expect(conv).toMatchObject({ status: 'open' });
      conversationId = conv.id;
      const [msg] = await messagesOf(conversationId);
      expect(msg).toMatchObject({
        direction: 'in',
        text: '我的订单还没到，请帮忙查一下。',
        payload: {
          threading: { messageId: '<first-1@example.org>', subject: '订单 SO20261120-8841 还没到' },
        },
      });
      const customerRow = await t.sb.ctx.storage.db
        .selectFrom('identities')
        .select(['kind', 'value'])
        .where('kind', '=', 'email')
        .executeTakeFirstOrThrow();
      expect(customerRow.value).toBe('li.wei@example.org');
    });

    it("the agent's reply goes out over SMTP in the customer's thread", async () => {
      const res = await t.inject({
        method: 'POST',
        url: `/api/v1/conversations/${conversationId}/messages`,
        headers: { authorization: auth },
        payload: { text: '您好，您的包裹今天已从仓库发出。' },
      });
      expect(res.statusCode, res.body).toBe(201);
      firstReplyId = res.json().id;
      await t.sb.dispatcher.runOnce();
      expect(relay.mails).toHaveLength(1);
      const [out] = relay.mails;
      expect(out).toMatchObject({ mailFrom: SUPPORT, rcptTo: ['li.wei@example.org'] });
      const sent = await simpleParser(out?.raw ?? '');
      expect(sent.messageId).toBe(`<${firstReplyId}@acme.test>`);
      expect(sent.inReplyTo).toBe('<first-1@example.org>');
      expect(sent.references).toBe('<first-1@example.org>');
      expect(sent.subject).toBe('Re: 订单 SO20261120-8841 还没到');
      expect(sent.text?.trim()).toBe('您好，您的包裹今天已从仓库发出。');
      const reply = (await messagesOf(conversationId)).find((m) => m.id === firstReplyId);
      expect(reply).toMatchObject({ direction: 'out', deliveryStatus: 'sent' });
    });

    it("the customer's answer to our mail joins the same conversation, reopening it after it was resolved", async () => {
      const patched = await t.inject({
        method: 'PATCH',
        url: `/api/v1/conversations/${conversationId}`,
        headers: { authorization: auth },
        payload: { status: 'resolved' },
      });
      expect(patched.statusCode, patched.body).toBe(200);
      const ours = await simpleParser(relay.mails[0]?.raw ?? '');
      await fromCustomer({
        messageId: '<second-2@example.org>',
        inReplyTo: ours.messageId,
        references: ['<first-1@example.org>', ours.messageId ?? ''],
        subject: `Re: ${ours.subject}`,
        text: '收到，谢谢！\n\n在 2025年11月24日 17:00，Acme Support <support@acme.test> 写道：\n> 您好，您的包裹今天已从仓库发出。\n',
      });
      const conv = await api(`/api/v1/conversations/${conversationId}`);
      expect(conv.status).toBe('open');
      const messages = await messagesOf(conversationId);
      expect(messages.map((m) => [m.direction, m.text])).toEqual([
        ['in', '我的订单还没到，请帮忙查一下。'],
        ['out', '您好，您的包裹今天已从仓库发出。'],
        ['in', '收到，谢谢！'],
      ]);
      const conversations = (await api('/api/v1/conversations')).items;
      expect(conversations.filter((c: { channelType: string }) => c.channelType === 'email')).toHaveLength(1);
    });

    it('the same mail delivered twice is one message', async () => {
      const before = await countMessages();
      const mail = {
        messageId: '<twice-3@example.org>',
        subject: 'Invoice',
        text: 'Please send the invoice.',
      };
      await fromCustomer(mail);
      await fromCustomer(mail);
      expect(await countMessages()).toBe(before + 1);
    });

    it('mail for an address no channel owns is refused with 550', async () => {
      const err = await fromCustomer({ to: 'nobody@acme.test', subject: 'hello', text: 'anyone?' }).catch(
        (e: unknown) => e as { responseCode?: number; response?: string },
      );
      expect(err).toMatchObject({ responseCode: 550, response: '550 5.1.1 mailbox unavailable' });
    });

    it('an auto-reply is accepted but creates no message', async () => {
      const before = await countMessages();
      const info = await fromCustomer({
        subject: 'Automatic reply: Re: 订单',
        text: 'I am out of the office until Monday.',
        headers: { 'Auto-Submitted': 'auto-replied' },
      });
      expect(info.response).toMatch(/^250 /);
      expect(await countMessages()).toBe(before);
    });

    it('a bounce of our reply marks it failed', async () => {
      const raw = [
        'From: MAILER-DAEMON@mx.example.org (Mail Delivery System)',
        `To: ${SUPPORT}`,
        'Subject: Undelivered Mail Returned to Sender',
        'Message-Id: <20251124170000.0A1B2C3D4E@mx.example.org>',
        'Auto-Submitted: auto-replied',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain',
        '',
        'Your message could not be delivered.',
        '',
        '--b1',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.example.org',
        '',
        'Final-Recipient: rfc822; li.wei@example.org',
        'Action: failed',
        'Status: 5.2.2',
        'Diagnostic-Code: smtp; 552 5.2.2 mailbox full',
        '',
        '--b1',
        'Content-Type: text/rfc822-headers',
        '',
        `Message-ID: <${firstReplyId}@acme.test>`,
        '',
        '--b1--',
        '',
      ].join('\r\n');
      await customer.sendMail({ envelope: { from: '', to: [SUPPORT] }, raw });
      const reply = (await messagesOf(conversationId)).find((m) => m.id === firstReplyId);
      expect(reply).toMatchObject({
        deliveryStatus: 'failed',
        deliveryError: 'smtp; 552 5.2.2 mailbox full',
      });
    });

    it('answers 451 when the message cannot be stored, so the sender retries; the retry is kept', async () => {
      const db = t.sb.ctx.storage.db;
      // As a full disk or a lost database would: every insert into messages fails.
      await sql`CREATE FUNCTION refuse_mail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$`.execute(
        db,
      );
      await sql`CREATE TRIGGER refuse_mail BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_mail()`.execute(
        db,
      );
      const before = await countMessages();
      const mail = { messageId: '<retry-4@example.org>', subject: 'Still there?', text: 'Hello again.' };
      const err = await fromCustomer(mail).catch(
        (e: unknown) => e as { responseCode?: number; response?: string },
      );
      expect(err).toMatchObject({ responseCode: 451 });
      expect((err as { response?: string }).response).toMatch(/^451 4\.3\.0 /);
      await sql`DROP TRIGGER refuse_mail ON messages`.execute(db);
      await fromCustomer(mail);
      expect(await countMessages()).toBe(before + 1);
    });

    it('refuses a message over the size limit with 552', async () => {
      const small = await startSmtpListener(
        { db: t.sb.ctx.storage.db, gateway: t.sb.ctx.gateway, logger: pino({ level: 'silent' }) },
        { host: '127.0.0.1', port: 0, maxBytes: 4096 },
      );
      const client = nodemailer.createTransport({ host: '127.0.0.1', port: small.port, secure: false });
      try {
        const err = await client
          .sendMail({ from: CUSTOMER, to: SUPPORT, subject: 'big', text: 'x'.repeat(10_000) })
          .catch((e: unknown) => e as { responseCode?: number });
        expect(err).toMatchObject({ responseCode: 552 });
      } finally {
        client.close();
        await small.close();
      }
    });

    it("an address two tenants' channels both claim gets 451, never the wrong tenant's inbox", async () => {
      const other = await t.addTenant(`mail${kind}`);
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/channels',
        headers: { authorization: other.auth },
        payload: { type: 'email', name: 'Copycat', config: { address: SUPPORT, smtpHost: '127.0.0.1' } },
      });
      expect(res.statusCode, res.body).toBe(201);
      const before = await countMessages();
      const err = await fromCustomer({ subject: 'who gets this?', text: 'hello' }).catch(
        (e: unknown) => e as { responseCode?: number },
      );
      expect(err).toMatchObject({ responseCode: 451 });
      expect(await countMessages()).toBe(before);
    });
  });
}
