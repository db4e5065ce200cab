import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { signBody } from '../src/channels/webchat/deliver.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { serviceAvailable } from './support/services.js';
import { waitFor } from './support/wait.js';
import { addStaff, caller, type Json, openEvents, openSocket, PNG } from './support/workspace.js';

const pgUp = await serviceAvailable('postgres');
const APP_SECRET = 'app-secret-for-the-live-test-0123456789ab';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

function multipart(filename: string, type: string, data: Buffer) {
  const boundary = '----SwitchboardTest7MA4YWxkTrZu0gW';
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
    ),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * Issue #6 live: typing both ways (the widget's and the app's sockets, and /ws), following one
 * conversation on /ws, and files agents send.
 */
for (const kind of ['pglite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !pgUp)(
    `typing, conversation events and agent files on ${kind}`,
    () => {
      let t: TestApp;
      let owner: string;
      let agent: { id: string; auth: string };
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
          await waitFor(() => socket.frames.find((f) => f.type === 'ack' && f.clientId === clientId));
          const row = await t.sb.ctx.storage.db
            .selectFrom('messages')
            .select('conversation_id')
            .where('idempotency_key', '=', `wc:${session.visitorId}:${clientId}`)
            .executeTakeFirstOrThrow();
          return row.conversation_id;
        };
        return { ...session, ...socket, say };
      };
      const events = async (filter: Record<string, unknown> = {}) => {
        const s = await openEvents(t, agent.auth);
        sockets.push(s.ws);
        await waitFor(() => s.frames.find((f) => f.type === 'ready'));
        s.ws.send(JSON.stringify({ type: 'subscribe', events: [], ...filter }));
        await waitFor(() => s.frames.find((f) => f.type === 'subscribed'));
        // Only what came under the filter: before it, the socket gets every event.
        const since = () => s.frames.slice(s.frames.findIndex((f) => f.type === 'subscribed'));
        return {
          ...s,
          events: () =>
            since()
              .filter((f) => f.type === 'event')
              .map((f) => f.event as Json),
        };
      };
      const upload = (conversationId: string, payload: Buffer, headers: Record<string, string>) =>
        t.inject({
          method: 'POST',
          url: `/api/v1/conversations/${conversationId}/attachments`,
          headers: { authorization: agent.auth, ...headers },
          payload,
        });

      beforeAll(async () => {
        t = await startTestApp(kind);
        owner = await t.login(OWNER.email, OWNER.password);
        agent = await addStaff(t, owner, {
          email: 'wang.fang@acme.test',
          role: 'agent',
          displayName: '王芳',
        });
        webchatId = (
          await call(owner, 'POST', '/api/v1/channels', { type: 'webchat', name: 'Site chat', config: {} })
        ).body.id;
        appId = (
          await call(owner, 'POST', '/api/v1/channels', {
            type: 'app',
            name: 'Android app',
            config: { appSecret: APP_SECRET },
          })
        ).body.id;
      });
      afterAll(async () => {
        for (const s of sockets) s.terminate();
        await t.close();
      });

      it("tells /ws which conversation the customer is typing in, and shows the agent's typing in the widget", async () => {
        const v = await visitor();
        const conversationId = await v.say('你好');
        const live = await events();
        v.ws.send(JSON.stringify({ type: 'typing' }));
        const customerTyping = await waitFor(() => live.events().find((e) => e.type === 'customer.typing'));
        expect(customerTyping.payload).toMatchObject({ conversationId, channelId: webchatId });

        const on = await call(agent.auth, 'POST', `/api/v1/conversations/${conversationId}/typing`, {
          typing: true,
        });
        expect(on.status).toBe(204);
        await waitFor(() => v.frames.find((f) => f.type === 'typing' && f.typing === true));
        const agentTyping = await waitFor(() => live.events().find((e) => e.type === 'agent.typing'));
        expect(agentTyping.payload).toEqual({
          conversationId,
          customerId: expect.any(String),
          agentId: agent.id,
          typing: true,
        });
        await call(agent.auth, 'POST', `/api/v1/conversations/${conversationId}/typing`, { typing: false });
        await waitFor(() => v.frames.find((f) => f.type === 'typing' && f.typing === false));
        // Ephemeral: neither is in the event log.
        await t.sb.ctx.outbox.flush();
        const stored = await t.sb.ctx.storage.db
          .selectFrom('events')
          .select('id')
          .where('type', 'in', ['agent.typing', 'customer.typing'])
          .execute();
        expect(stored).toEqual([]);
        const bad = await call(agent.auth, 'POST', `/api/v1/conversations/${conversationId}/typing`, {});
        expect(bad.status).toBe(400);
        expect(
          (await call(agent.auth, 'POST', `/api/v1/conversations/${agent.id}/typing`, { typing: true }))
            .status,
        ).toBe(404);
      });

      it("pushes the agent's typing to the app user's socket, and to nobody on a channel without sockets", async () => {
        const event = JSON.stringify({ type: 'message', messageId: 'a-1', userId: 'u-42', text: '在吗' });
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
        const body = JSON.stringify({ userId: 'u-42' });
        const { token } = (
          await t.inject({
            method: 'POST',
            url: `/app/${appId}/tokens`,
            headers: {
              'content-type': 'application/json',
              'x-switchboard-signature': signBody(APP_SECRET, body),
            },
            payload: body,
          })
        ).json() as { token: string };
        const user = await openSocket(t, `/app/${appId}/ws?token=${token}`);
        sockets.push(user.ws);
        await waitFor(() => user.frames.find((f) => f.type === 'ready'));
        const conversation = (await call(agent.auth, 'GET', '/api/v1/conversations?channelType=app')).body
          .items[0];
        await call(agent.auth, 'POST', `/api/v1/conversations/${conversation.id}/typing`, { typing: true });
        await waitFor(() => user.frames.find((f) => f.type === 'typing' && f.typing === true));

        const sms = await call(owner, 'POST', '/api/v1/messages/inbound', {
          channelType: 'sms',
          identity: { kind: 'phone', value: '+8613911112222' },
          text: '短信客户',
          idempotencyKey: `live-${kind}-sms`,
        });
        const res = await call(
          agent.auth,
          'POST',
          `/api/v1/conversations/${sms.body.conversation.id}/typing`,
          {
            typing: true,
          },
        );
        expect(res.status).toBe(204);
      });

      it("follows one conversation on /ws: its messages, notes and typing, and nothing of another's", async () => {
        const v = await visitor();
        const followed = await v.say('我要投诉');
        const elsewhere = await (await visitor()).say('别的会话');
        const live = await events({ conversationId: followed });
        expect(live.frames.find((f) => f.type === 'subscribed')).toMatchObject({ conversationId: followed });
        await (async () => {
          v.ws.send(JSON.stringify({ type: 'message', clientId: `c${++n}`, text: '快点处理' }));
        })();
        await call(agent.auth, 'POST', `/api/v1/conversations/${followed}/notes`, { text: '客户情绪激动' });
        await call(agent.auth, 'POST', `/api/v1/conversations/${followed}/messages`, {
          text: '马上为您处理',
        });
        await call(agent.auth, 'POST', `/api/v1/conversations/${followed}/typing`, { typing: true });
        await call(agent.auth, 'POST', `/api/v1/conversations/${elsewhere}/notes`, { text: 'not this one' });
        await call(agent.auth, 'POST', `/api/v1/conversations/${elsewhere}/messages`, { text: 'nor this' });
        await call(agent.auth, 'POST', `/api/v1/conversations/${elsewhere}/typing`, { typing: true });
        await t.sb.ctx.outbox.flush();
        const types = await waitFor(() => {
          const seen = live.events().map((e) => e.type);
          return ['message.received', 'note.created', 'message.created', 'agent.typing'].every((x) =>
            seen.includes(x),
          )
            ? seen
            : undefined;
        });
        expect(types).toEqual(
          expect.arrayContaining(['message.received', 'note.created', 'message.created', 'agent.typing']),
        );
        // Settle, then check nothing of the other conversation arrived.
        const marker = await call(agent.auth, 'POST', `/api/v1/conversations/${followed}/typing`, {
          typing: false,
        });
        expect(marker.status).toBe(204);
        await waitFor(() =>
          live.events().find((e) => e.type === 'agent.typing' && e.payload.typing === false),
        );
        for (const e of live.events()) {
          const about = e.aggregateType === 'conversation' ? e.aggregateId : e.payload.conversationId;
          expect(about, e.type).toBe(followed);
        }
        expect(JSON.stringify(live.events())).not.toContain('not this one');
      });

      it('stores an agent’s file (multipart or raw), serves it, and shows it in the widget and its history', async () => {
        const v = await visitor();
        const conversationId = await v.say('发一下发票');
        const form = multipart('发票 2026.pdf', 'application/pdf', PDF);
        const pdf = await upload(conversationId, form.payload, { 'content-type': form.contentType });
        expect(pdf.statusCode, pdf.body).toBe(201);
        expect(pdf.json()).toMatchObject({
          name: '发票 2026.pdf',
          size: PDF.length,
          contentType: 'application/pdf',
        });
        const served = await t.inject({
          url: new URL(pdf.json().url).pathname + new URL(pdf.json().url).search,
        });
        expect(served.statusCode).toBe(200);
        expect(served.headers['content-type']).toBe('application/pdf');
        expect(served.headers['cross-origin-resource-policy']).toBe('cross-origin');
        expect(String(served.headers['content-disposition'])).toContain(encodeURIComponent('发票 2026.pdf'));
        expect(served.rawPayload.equals(PDF)).toBe(true);

        const png = await upload(conversationId, PNG, {
          'content-type': 'image/png',
          'x-filename': encodeURIComponent('截图.png'),
        });
        expect(png.statusCode, png.body).toBe(201);
        const image = png.json() as Json;
        expect(image).toMatchObject({ name: '截图.png', contentType: 'image/png', size: PNG.length });

        const sent = await call(agent.auth, 'POST', `/api/v1/conversations/${conversationId}/messages`, {
          contentType: 'image',
          payload: image,
        });
        expect(sent.status, JSON.stringify(sent.body)).toBe(201);
        expect(sent.body).toMatchObject({ contentType: 'image', text: '' });
        expect(sent.body.payload.media).toEqual([
          {
            kind: 'image',
            url: image.url,
            mimeType: 'image/png',
            filename: '截图.png',
            sizeBytes: PNG.length,
          },
        ]);
        await t.sb.dispatcher.runOnce();
        const frame = await waitFor(() =>
          v.frames.find((f) => f.type === 'message' && f.message?.id === sent.body.id),
        );
        expect(frame.message.media).toEqual([expect.objectContaining({ kind: 'image', url: image.url })]);
        const withCaption = await call(
          agent.auth,
          'POST',
          `/api/v1/conversations/${conversationId}/messages`,
          {
            contentType: 'file',
            text: '这是您的发票',
            payload: pdf.json(),
          },
        );
        expect(withCaption.status).toBe(201);
        const history = await t.inject({ url: `/webchat/${webchatId}/history?token=${v.token}` });
        const items = history.json().items as Json[];
        expect(items.slice(-2).map((m) => [m.contentType, m.text, m.media?.[0]?.kind])).toEqual([
          ['image', '', 'image'],
          ['file', '这是您的发票', 'file'],
        ]);
      });

      it('sends a file as a link in the text on channels without a file view', async () => {
        const sms = await call(owner, 'POST', '/api/v1/messages/inbound', {
          channelType: 'sms',
          identity: { kind: 'phone', value: '+8613911113333' },
          text: '请把合同发我',
          idempotencyKey: `live-${kind}-link`,
        });
        const conversationId = sms.body.conversation.id as string;
        const up = await upload(conversationId, PDF, {
          'content-type': 'application/pdf',
          'x-filename': 'contract.pdf',
        });
        const file = up.json() as Json;
        const sent = await call(agent.auth, 'POST', `/api/v1/conversations/${conversationId}/messages`, {
          contentType: 'file',
          text: 'Here it is:',
          payload: file,
        });
        expect(sent.status, JSON.stringify(sent.body)).toBe(201);
        expect(sent.body.text).toBe(`Here it is:\ncontract.pdf: ${file.url}`);
        expect(sent.body.payload).toEqual({
          file: { url: file.url, name: 'contract.pdf', size: PDF.length, contentType: 'application/pdf' },
        });
        const image = await call(agent.auth, 'POST', `/api/v1/conversations/${conversationId}/messages`, {
          contentType: 'image',
          payload: file,
        });
        expect(image.status).toBe(400);
      });

      it('refuses files over the limit (413), of other types or with other content (400), and files not uploaded here', async () => {
        const conversationId = (await call(agent.auth, 'GET', '/api/v1/conversations?channelType=webchat'))
          .body.items[0].id as string;
        const big = await upload(conversationId, Buffer.alloc(11 * 1024 * 1024, 1), {
          'content-type': 'text/plain',
        });
        expect(big.statusCode).toBe(413);
        expect(big.json()).toMatchObject({ code: 'FILE_TOO_LARGE', limitBytes: 10 * 1024 * 1024 });
        const zip = await upload(conversationId, Buffer.from('PK\u0003\u0004'), {
          'content-type': 'application/zip',
        });
        expect(zip.statusCode).toBe(400);
        expect(zip.json()).toMatchObject({ code: 'UNSUPPORTED_FILE' });
        expect(zip.json().allowed).toContain('image/png');
        const fake = await upload(conversationId, Buffer.from('<script>alert(1)</script>'), {
          'content-type': 'image/png',
        });
        expect(fake.json()).toMatchObject({ code: 'UNSUPPORTED_FILE' });
        const noFile = multipart('x.txt', 'text/plain', Buffer.from('x'));
        const empty = await upload(
          conversationId,
          Buffer.from(noFile.payload.toString().replace('; filename="x.txt"', '')),
          {
            'content-type': noFile.contentType,
          },
        );
        expect(empty.statusCode).toBe(400);

        const other = await t.addTenant('globex');
        const theirs = await t.inject({
          method: 'POST',
          url: `/api/v1/conversations/${conversationId}/attachments`,
          headers: { authorization: other.auth, 'content-type': 'image/png' },
          payload: PNG,
        });
        expect(theirs.statusCode).toBe(404);
        const mine = (await upload(conversationId, PNG, { 'content-type': 'image/png' })).json() as Json;
        const forged = mine.url.replace(/\/files\/[0-9a-f-]{36}\//, `/files/${other.tenantId}/`);
        for (const payload of [
          { ...mine, url: forged },
          { ...mine, url: 'https://evil.example/x.png' },
          {},
        ]) {
          const res = await call(agent.auth, 'POST', `/api/v1/conversations/${conversationId}/messages`, {
            contentType: 'file',
            payload,
          });
          expect(res.status, JSON.stringify(payload)).toBe(400);
          expect(res.body).toMatchObject({ field: 'payload.url' });
        }
        expect((await t.inject({ url: new URL(forged).pathname })).statusCode).toBe(404);
      });

      // Last: the agent's typing allowance is spent for a minute afterwards.
      it('limits typing signals per user, not per address', async () => {
        const conversationId = (await call(agent.auth, 'GET', '/api/v1/conversations?channelType=webchat'))
          .body.items[0].id as string;
        const colleague = await addStaff(t, owner, {
          email: 'li.qiang@acme.test',
          role: 'agent',
          displayName: '李强',
        });
        const statuses: number[] = [];
        for (let i = 0; i < 121; i++)
          statuses.push(
            (
              await call(agent.auth, 'POST', `/api/v1/conversations/${conversationId}/typing`, {
                typing: true,
              })
            ).status,
          );
        expect(statuses.filter((s) => s === 204).length).toBeLessThanOrEqual(120);
        expect(statuses.at(-1)).toBe(429);
        const other = await call(colleague.auth, 'POST', `/api/v1/conversations/${conversationId}/typing`, {
          typing: true,
        });
        expect(other.status).toBe(204);
      });
    },
  );
}
