import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { signBody } from '../src/channels/webchat/deliver.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { serviceAvailable } from './support/services.js';
import { waitFor } from './support/wait.js';
import { addStaff, caller, type Json, openSocket } from './support/workspace.js';

const pgUp = await serviceAvailable('postgres');
const APP_SECRET = 'app-secret-for-the-notes-test-0123456789';

/**
 * Issue #6: private notes with @mentions (never reaching the customer), read markers and the
 * conversation list's unread counts and filters.
 */
for (const kind of ['pglite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !pgUp)(`notes, read markers and unread counts on ${kind}`, () => {
    let t: TestApp;
    let owner: string;
    let agent: { id: string; auth: string };
    let colleague: { id: string; auth: string };
    let webchatId: string;
    let appId: string;
    const sockets: WebSocket[] = [];
    const call = caller(() => t);
    let n = 0;

    const visitor = async () => {
      const session = (
        await t.inject({ method: 'POST', url: `/webchat/${webchatId}/session`, payload: {} })
      ).json() as { visitorId: string; token: string };
      const socket = await openSocket(t, `/webchat/${webchatId}/ws?token=${session.token}`);
      sockets.push(socket.ws);
      await waitFor(() => socket.frames.find((f) => f.type === 'ready'));
      const say = async (text: string) => {
        const clientId = `c${++n}`;
        socket.ws.send(JSON.stringify({ type: 'message', clientId, text }));
        return waitFor(() => socket.frames.find((f) => f.type === 'ack' && f.clientId === clientId));
      };
      return { ...session, ...socket, say };
    };
    const conversationOf = async (customerMessage: string) => {
      const row = await t.sb.ctx.storage.db
        .selectFrom('messages')
        .select('conversation_id')
        .where('text', '=', customerMessage)
        .executeTakeFirstOrThrow();
      return row.conversation_id;
    };
    const inbound = (who: string, text: string, occurredAt?: string) =>
      call(owner, 'POST', '/api/v1/messages/inbound', {
        channelType: 'sms',
        identity: { kind: 'phone', value: who },
        text,
        idempotencyKey: `notes-${kind}-${++n}`,
        ...(occurredAt && { occurredAt }),
      });
    const listed = async (auth: string, query = '') =>
      (await call(auth, 'GET', `/api/v1/conversations?limit=200${query}`)).body.items as Json[];

    beforeAll(async () => {
      t = await startTestApp(kind);
      owner = await t.login(OWNER.email, OWNER.password);
      agent = await addStaff(t, owner, { email: 'wang.fang@acme.test', role: 'agent', displayName: '王芳' });
      colleague = await addStaff(t, owner, {
        email: 'li.qiang@acme.test',
        role: 'agent',
        displayName: '李强',
      });
      webchatId = (
        await call(owner, 'POST', '/api/v1/channels', { type: 'webchat', name: 'Site chat', config: {} })
      ).body.id;
      appId = (
        await call(owner, 'POST', '/api/v1/channels', {
          type: 'app',
          name: 'iOS app',
          config: { appSecret: APP_SECRET },
        })
      ).body.id;
    });
    afterAll(async () => {
      for (const s of sockets) s.terminate();
      await t.close();
    });

    it('keeps private notes with @mentions, oldest first, with the author’s name, and emits note.created', async () => {
      const v = await visitor();
      await v.say('我的包裹还没到');
      const conversationId = await conversationOf('我的包裹还没到');
      const first = await call(agent.auth, 'POST', `/api/v1/conversations/${conversationId}/notes`, {
        text: '  客户第二次催单，@李强 请查物流  ',
        mentions: [colleague.id, colleague.id],
      });
      expect(first.status, JSON.stringify(first.body)).toBe(201);
      expect(first.body).toMatchObject({
        conversationId,
        authorId: agent.id,
        authorName: '王芳',
        text: '客户第二次催单，@李强 请查物流',
        mentions: [colleague.id],
      });
      const second = await call(colleague.auth, 'POST', `/api/v1/conversations/${conversationId}/notes`, {
        text: 'Checked: the parcel is at the Pudong depot.',
      });
      expect(second.body.mentions).toEqual([]);
      const list = await call(agent.auth, 'GET', `/api/v1/conversations/${conversationId}/notes`);
      expect(list.body.items.map((x: Json) => [x.authorName, x.text])).toEqual([
        ['王芳', '客户第二次催单，@李强 请查物流'],
        ['李强', 'Checked: the parcel is at the Pudong depot.'],
      ]);
      await t.sb.ctx.outbox.flush();
      const event = await t.sb.ctx.storage.db
        .selectFrom('events')
        .select(['payload', 'aggregate_id'])
        .where('type', '=', 'note.created')
        .where('aggregate_id', '=', conversationId)
        .orderBy('seq')
        .executeTakeFirstOrThrow();
      expect(event.payload).toMatchObject({ id: first.body.id, conversationId, mentions: [colleague.id] });
    });

    it('refuses a mention of someone who is not a user of the tenant, and writes nothing', async () => {
      const v = await visitor();
      await v.say('在吗');
      const conversationId = await conversationOf('在吗');
      const other = await t.addTenant('globex');
      const stranger = (await call(other.auth, 'GET', '/api/v1/auth/me')).body.id as string;
      for (const mentions of [[stranger], ['0190d3a0-0000-7000-8000-000000000000', agent.id]]) {
        const res = await call(agent.auth, 'POST', `/api/v1/conversations/${conversationId}/notes`, {
          text: 'who?',
          mentions,
        });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ code: 'INVALID_INPUT', field: 'mentions' });
        expect(res.body.unknown).not.toContain(agent.id);
      }
      const blank = await call(agent.auth, 'POST', `/api/v1/conversations/${conversationId}/notes`, {
        text: '   ',
      });
      expect(blank.status).toBe(400);
      expect(
        (await call(agent.auth, 'GET', `/api/v1/conversations/${conversationId}/notes`)).body.items,
      ).toEqual([]);
      expect((await call(other.auth, 'GET', `/api/v1/conversations/${conversationId}/notes`)).status).toBe(
        404,
      );
    });

    it('never sends a note to the customer nor shows it in web chat or app history', async () => {
      const v = await visitor();
      await v.say('发票怎么开');
      const conversationId = await conversationOf('发票怎么开');
      await call(agent.auth, 'POST', `/api/v1/conversations/${conversationId}/notes`, {
        text: 'SECRET-NOTE-1',
      });
      const reply = await call(agent.auth, 'POST', `/api/v1/conversations/${conversationId}/messages`, {
        text: '您好，请提供抬头和税号。',
      });
      expect(reply.status).toBe(201);
      await t.sb.dispatcher.runOnce();
      await waitFor(() => v.frames.find((f) => f.type === 'message' && f.message?.direction === 'out'));
      expect(JSON.stringify(v.frames)).not.toContain('SECRET-NOTE');
      const history = await t.inject({ url: `/webchat/${webchatId}/history?token=${v.token}` });
      expect(history.json().items.map((m: Json) => m.text)).toEqual([
        '发票怎么开',
        '您好，请提供抬头和税号。',
      ]);

      // The app user writes through their backend; the agent notes; the app's history has no note.
      const event = JSON.stringify({
        type: 'message',
        messageId: 'n-1',
        userId: 'u-1',
        text: '退款到账了吗',
      });
      const hook = await t.inject({
        method: 'POST',
        url: `/webhooks/app/${appId}`,
        headers: {
          'content-type': 'application/json',
          'x-switchboard-signature': signBody(APP_SECRET, event),
        },
        payload: event,
      });
      expect(hook.statusCode).toBe(200);
      const appConversation = await conversationOf('退款到账了吗');
      await call(agent.auth, 'POST', `/api/v1/conversations/${appConversation}/notes`, {
        text: 'SECRET-NOTE-2',
      });
      const tokenBody = JSON.stringify({ userId: 'u-1' });
      const minted = await t.inject({
        method: 'POST',
        url: `/app/${appId}/tokens`,
        headers: {
          'content-type': 'application/json',
          'x-switchboard-signature': signBody(APP_SECRET, tokenBody),
        },
        payload: tokenBody,
      });
      const appHistory = await t.inject({
        url: `/app/${appId}/history`,
        headers: { authorization: `Bearer ${minted.json().token}` },
      });
      expect(appHistory.json().items.map((m: Json) => m.text)).toEqual(['退款到账了吗']);
      const leaked = await t.sb.ctx.storage.db
        .selectFrom('messages')
        .select('id')
        .where('text', 'like', '%SECRET-NOTE%')
        .execute();
      expect(leaked).toEqual([]);
    });

    it("counts each user's unread customer messages in the list, and a read marker clears them", async () => {
      await inbound('+8613800000001', '第一条');
      await inbound('+8613800000001', '第二条');
      const conversationId = await conversationOf('第一条');
      const unreadOf = async (auth: string) =>
        (await listed(auth)).find((c) => c.id === conversationId)?.unread as number;
      expect(await unreadOf(agent.auth)).toBe(2);
      const read = await t.inject({
        method: 'POST',
        url: `/api/v1/conversations/${conversationId}/read`,
        headers: { authorization: agent.auth },
      });
      expect(read.statusCode).toBe(204);
      expect(await unreadOf(agent.auth)).toBe(0);
      // The agent's own reply is not unread; the customer's next message is, even stamped earlier.
      await call(agent.auth, 'POST', `/api/v1/conversations/${conversationId}/messages`, { text: '好的' });
      await inbound('+8613800000001', '第三条', new Date(Date.now() - 3_600_000).toISOString());
      expect(await unreadOf(agent.auth)).toBe(1);
      // Markers are per user: a colleague has read nothing.
      expect(await unreadOf(colleague.auth)).toBe(3);
      // Marking again moves the marker; the event tells the user's other tabs.
      expect(
        (await call(agent.auth, 'POST', `/api/v1/conversations/${conversationId}/read`, {})).status,
      ).toBe(204);
      expect(await unreadOf(agent.auth)).toBe(0);
      await t.sb.ctx.outbox.flush();
      const events = await t.sb.ctx.storage.db
        .selectFrom('events')
        .select('payload')
        .where('type', '=', 'conversation.read')
        .where('aggregate_id', '=', conversationId)
        .execute();
      expect(events.map((e) => (e.payload as Json).userId)).toEqual([agent.id, agent.id]);
      expect((await call(agent.auth, 'POST', `/api/v1/conversations/${agent.id}/read`, {})).status).toBe(404);
    });

    it('lists only the caller’s conversations with mine=true, and one channel type with channelType', async () => {
      await inbound('+8613800000002', '我的单子');
      const mineId = await conversationOf('我的单子');
      const assigned = await call(owner, 'PATCH', `/api/v1/conversations/${mineId}`, {
        assigneeId: agent.id,
      });
      expect(assigned.status).toBe(200);
      const mine = await listed(agent.auth, '&mine=true');
      expect(mine.map((c) => c.id)).toEqual([mineId]);
      expect(mine[0]).toMatchObject({ assigneeId: agent.id, unread: 1, dispositionCode: null });
      expect(await listed(colleague.auth, '&mine=true')).toEqual([]);
      const apps = await listed(agent.auth, '&channelType=app');
      expect(apps.length).toBe(1);
      expect(apps.every((c) => c.channelType === 'app')).toBe(true);
      const sms = await listed(agent.auth, '&channelType=sms&status=open');
      expect(sms.map((c) => c.id)).toContain(mineId);
      expect(sms.every((c) => c.channelType === 'sms')).toBe(true);
    });
  });
}
