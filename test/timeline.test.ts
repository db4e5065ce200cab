import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { serviceAvailable } from './support/services.js';
import { waitFor } from './support/wait.js';

const pgUp = await serviceAvailable('postgres');

for (const kind of ['pglite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !pgUp)(`the unified customer timeline on ${kind}`, () => {
    let t: TestApp;
    let auth: string;
    let customerId: string;
    beforeAll(async () => {
      t = await startTestApp(kind);
      auth = await t.login(OWNER.email, OWNER.password);
      const c = await t.inject({
        method: 'POST',
        url: '/api/v1/customers',
        headers: { authorization: auth },
        payload: {
          displayName: '张伟',
          identities: [
            { kind: 'phone', value: '+8613800138000' },
            { kind: 'telegram', value: '5123456789' },
          ],
        },
      });
      customerId = c.json().id;
    });
    afterAll(() => t.close());

    const inbound = (
      channelType: string,
      identity: { kind: string; value: string },
      text: string,
      key: string,
    ) =>
      t.inject({
        method: 'POST',
        url: '/api/v1/messages/inbound',
        headers: { authorization: auth },
        payload: { channelType, identity, text, idempotencyKey: key },
      });
    const timeline = (query = '') =>
      t.inject({ url: `/api/v1/customers/${customerId}/timeline${query}`, headers: { authorization: auth } });

    it('shows one customer the SMS, the Telegram message and the reply, newest first, with the channel change', async () => {
      await inbound('sms', { kind: 'phone', value: '+86 138 0013 8000' }, '我的快递到哪了？', 'sms-1');
      await inbound('telegram', { kind: 'telegram', value: '5123456789' }, '我换到 Telegram 上问', 'tg-1');
      const convId = (await timeline()).json().items[0].conversationId;
      await t.inject({
        method: 'POST',
        url: `/api/v1/conversations/${convId}/messages`,
        headers: { authorization: auth },
        payload: { text: '您好，包裹明天送达。' },
      });
      const items = (await timeline()).json().items as {
        text: string;
        channelType: string;
        direction: string;
        channelChanged: boolean;
        conversationId: string;
      }[];
      expect(items.map((i) => i.text)).toEqual([
        '您好，包裹明天送达。',
        '我换到 Telegram 上问',
        '我的快递到哪了？',
      ]);
      expect(items.map((i) => i.channelType)).toEqual(['telegram', 'telegram', 'sms']);
      expect(items.map((i) => i.channelChanged)).toEqual([false, true, false]);
      expect(new Set(items.map((i) => i.conversationId)).size).toBe(1);
    });

    it('pages by cursor without repeating or skipping an entry', async () => {
      for (let i = 0; i < 5; i++)
        await inbound('sms', { kind: 'phone', value: '+8613800138000' }, `more ${i}`, `more-${i}`);
      const all = (await timeline('?limit=200')).json().items.map((i: { id: string }) => i.id);
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: { id: string }[]; nextCursor: string | null } = (
          await timeline(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
        ).json();
        paged.push(...page.items.map((i: { id: string }) => i.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(paged).toEqual(all);
      expect(all).toHaveLength(8);
    });

    it("feeds new entries live to a socket watching this customer, and not another customer's", async () => {
      const ws = await t.sb.server.app.injectWS(`/ws?access_token=${auth.slice('Bearer '.length)}`);
      const frames: { type: string; event?: { type: string; payload: { text?: string } } }[] = [];
      ws.on('message', (d) => frames.push(JSON.parse(String(d))));
      await waitFor(() => frames.some((f) => f.type === 'ready'));
      ws.send(JSON.stringify({ type: 'subscribe', events: ['message.*'], customerId }));
      await waitFor(() => frames.some((f) => f.type === 'subscribed'));
      await inbound('sms', { kind: 'phone', value: '+8613900000000' }, 'someone else', 'other-1');
      await inbound('sms', { kind: 'phone', value: '+8613800138000' }, 'live one', 'live-1');
      await waitFor(() => frames.some((f) => f.event?.payload.text === 'live one'));
      expect(frames.some((f) => f.event?.payload.text === 'someone else')).toBe(false);
      ws.terminate();
    });
  });
}
