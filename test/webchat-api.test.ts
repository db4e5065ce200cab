import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { signBody } from '../src/channels/webchat/deliver.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { serviceAvailable } from './support/services.js';
import { waitFor } from './support/wait.js';

const pgUp = await serviceAvailable('postgres');

const SHOP = 'https://shop.example.com';
const APP_SECRET = 'app-secret-for-the-api-test-0123456789abc';
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

interface Frame {
  type: string;
  clientId?: string;
  id?: string;
  code?: string;
  message?: { id: string; direction: string; text: string; clientId?: string };
}

for (const kind of ['pglite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !pgUp)(
    `web chat and app channels through the API on ${kind}`,
    () => {
      let t: TestApp;
      let auth: string;
      let wc: { id: string };
      let app: { id: string };
      const sockets: WebSocket[] = [];

      const open = async (url: string, headers: Record<string, string> = {}) => {
        const frames: Frame[] = [];
        const ws = await t.sb.server.app.injectWS(
          url,
          { headers },
          {
            onInit: (s) => s.on('message', (d) => frames.push(JSON.parse(String(d)))),
          },
        );
        sockets.push(ws);
        return { ws, frames };
      };
      const session = async () =>
        (
          await t.inject({
            method: 'POST',
            url: `/webchat/${wc.id}/session`,
            headers: { origin: SHOP },
            payload: {},
          })
        ).json() as { visitorId: string; token: string };
      const reply = async (text: string, channelType: string) => {
        const convs = (
          await t.inject({ url: '/api/v1/conversations', headers: { authorization: auth } })
        ).json().items;
        const conv = convs.find((c: { channelType: string }) => c.channelType === channelType);
        const res = await t.inject({
          method: 'POST',
          url: `/api/v1/conversations/${conv.id}/messages`,
          headers: { authorization: auth },
          payload: { text },
        });
        expect(res.statusCode).toBe(201);
        await t.sb.dispatcher.runOnce();
        return res.json() as { id: string };
      };

      beforeAll(async () => {
        t = await startTestApp(kind);
        auth = await t.login(OWNER.email, OWNER.password);
        const create = async (payload: Record<string, unknown>) =>
          (
            await t.inject({
              method: 'POST',
              url: '/api/v1/channels',
              headers: { authorization: auth },
              payload,
            })
          ).json();
        wc = await create({
          type: 'webchat',
          name: 'Site chat',
          // No token secret: the first session generates one.
          config: { allowedOrigins: SHOP },
        });
        app = await create({ type: 'app', name: 'iOS app', config: { appSecret: APP_SECRET } });
      });
      afterAll(async () => {
        for (const s of sockets) s.terminate();
        await t.close();
      });

      it('serves the widget script to other sites, with an ETag that answers 304', async () => {
        const res = await t.inject({ url: '/widget.js' });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toMatch(/javascript/);
        expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
        expect(res.headers['cache-control']).toMatch(/max-age=/);
        expect(res.rawPayload.length).toBeLessThan(30 * 1024);
        const again = await t.inject({
          url: '/widget.js',
          headers: { 'if-none-match': String(res.headers.etag) },
        });
        expect(again.statusCode).toBe(304);
      });

      it('answers an allowed site, and refuses one the channel does not list', async () => {
        const preflight = await t.inject({
          method: 'OPTIONS',
          url: `/webchat/${wc.id}/session`,
          headers: { origin: SHOP },
        });
        expect(preflight.statusCode).toBe(204);
        expect(preflight.headers['access-control-allow-origin']).toBe(SHOP);
        const evil = await t.inject({
          method: 'POST',
          url: `/webchat/${wc.id}/session`,
          headers: { origin: 'https://evil.example.net' },
          payload: {},
        });
        expect(evil.statusCode).toBe(403);
      });

      it('generates the token secret on the first session, stored sealed and shown masked', async () => {
        const first = await session();
        const channel = (
          await t.inject({ url: `/api/v1/channels/${wc.id}`, headers: { authorization: auth } })
        ).json();
        expect(channel.config).toEqual({ allowedOrigins: SHOP, tokenSecret: '••••' });
        const again = await t.inject({
          method: 'POST',
          url: `/webchat/${wc.id}/session`,
          payload: { visitorId: first.visitorId, token: first.token },
        });
        expect(again.json().visitorId).toBe(first.visitorId);
      });

      it('acknowledges a message only once stored, and a resent frame stores nothing new', async () => {
        const { visitorId, token } = await session();
        const { ws, frames } = await open(`/webchat/${wc.id}/ws?token=${token}`, { origin: SHOP });
        await waitFor(() => frames.find((f) => f.type === 'ready'));
        const frame = JSON.stringify({ type: 'message', clientId: 'c-1', text: '你好，我想查询订单' });
        ws.send(frame);
        ws.send(frame);
        const acks = await waitFor(() => {
          const a = frames.filter((f) => f.type === 'ack');
          return a.length === 2 ? a : undefined;
        });
        expect(acks[0]?.id).toBe(acks[1]?.id);
        const stored = await t.sb.ctx.storage.db
          .selectFrom('messages')
          .select('id')
          .where('idempotency_key', '=', `wc:${visitorId}:c-1`)
          .execute();
        expect(stored.map((m) => m.id)).toEqual([acks[0]?.id]);

        const sent = await reply('您好，请提供订单号。', 'webchat');
        const pushed = await waitFor(() =>
          frames.find((f) => f.type === 'message' && f.message?.direction === 'out'),
        );
        expect(pushed.message).toMatchObject({ id: sent.id, text: '您好，请提供订单号。' });

        const history = await t.inject({
          url: `/webchat/${wc.id}/history?token=${token}`,
          headers: { origin: SHOP },
        });
        expect(
          history.json().items.map((m: { direction: string; text: string }) => [m.direction, m.text]),
        ).toEqual([
          ['in', '你好，我想查询订单'],
          ['out', '您好，请提供订单号。'],
        ]);
      });

      it('refuses a bad token before the upgrade, and on history', async () => {
        await expect(open(`/webchat/${wc.id}/ws?token=forged`)).rejects.toThrow(/401/);
        expect((await t.inject({ url: `/webchat/${wc.id}/history?token=forged` })).statusCode).toBe(401);
      });

      it('stores an uploaded image, serves it back, and a file frame makes a media message', async () => {
        const { token } = await session();
        const bad = await t.inject({
          method: 'POST',
          url: `/webchat/${wc.id}/upload?token=${token}`,
          headers: { 'content-type': 'image/png' },
          payload: Buffer.from('<script>alert(1)</script>'),
        });
        expect(bad.statusCode).toBe(400);
        const up = await t.inject({
          method: 'POST',
          url: `/webchat/${wc.id}/upload?token=${token}&name=${encodeURIComponent('截图.png')}`,
          headers: { 'content-type': 'image/png' },
          payload: PNG,
        });
        expect(up.statusCode).toBe(201);
        const file = up.json() as { name: string; url: string };
        const served = await t.inject({ url: new URL(file.url).pathname });
        expect(served.headers['content-type']).toBe('image/png');
        expect(served.rawPayload.equals(PNG)).toBe(true);

        const { ws, frames } = await open(`/webchat/${wc.id}/ws?token=${token}`, { host: 'localhost:80' });
        ws.send(
          JSON.stringify({ type: 'file', clientId: 'f-1', file: { name: file.name, mimeType: 'image/png' } }),
        );
        const echoed = await waitFor(() =>
          frames.find((f) => f.type === 'message' && f.message?.clientId === 'f-1'),
        );
        expect(echoed.message).toMatchObject({ direction: 'in', media: [{ kind: 'image', url: file.url }] });
      });

      it('app: the backend posts signed events and mints user tokens; replies reach the user socket', async () => {
        const signed = (url: string, body: unknown) => {
          const json = JSON.stringify(body);
          return t.inject({
            method: 'POST',
            url,
            headers: {
              'content-type': 'application/json',
              'x-switchboard-signature': signBody(APP_SECRET, json),
            },
            payload: json,
          });
        };
        const event = {
          type: 'message',
          messageId: 'm-1',
          userId: 'u-10086',
          deviceId: 'ios-1',
          text: '退款到账了吗？',
        };
        expect((await signed(`/webhooks/app/${app.id}`, event)).statusCode).toBe(200);
        const unsigned = await t.inject({
          method: 'POST',
          url: `/app/${app.id}/tokens`,
          payload: { userId: 'u-10086' },
        });
        expect(unsigned.statusCode).toBe(403);
        const minted = await signed(`/app/${app.id}/tokens`, { userId: 'u-10086', deviceId: 'ios-1' });
        expect(minted.statusCode).toBe(201);
        const { token } = minted.json() as { token: string };

        const { frames } = await open(`/app/${app.id}/ws?token=${token}`);
        await waitFor(() => frames.find((f) => f.type === 'ready'));
        const sent = await reply('已到账，请查收。', 'app');
        const pushed = await waitFor(() => frames.find((f) => f.type === 'message'));
        expect(pushed.message).toMatchObject({ id: sent.id, direction: 'out', text: '已到账，请查收。' });

        const history = await t.inject({
          url: `/app/${app.id}/history`,
          headers: { authorization: `Bearer ${token}` },
        });
        expect(history.json().items.map((m: { text: string }) => m.text)).toEqual([
          '退款到账了吗？',
          '已到账，请查收。',
        ]);
      });
    },
  );
}
