import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { waitFor } from './support/wait.js';

interface Frame {
  type: string;
  event?: { type: string; tenantId: string; payload: { email?: string } };
  code?: string;
}

function collect(ws: WebSocket): Frame[] {
  const frames: Frame[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(String(d))));
  return frames;
}

describe('the live event WebSocket', () => {
  let t: TestApp;
  let auth: string;
  let tenantId: string;
  beforeAll(async () => {
    t = await startTestApp('pglite');
    auth = await t.login(OWNER.email, OWNER.password);
    tenantId = (await t.inject({ url: '/api/v1/tenant', headers: { authorization: auth } })).json().id;
  });
  afterAll(() => t.close());

  const addUser = (authorization: string, email: string) =>
    t.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization },
      payload: { email, password: 'password 123', role: 'agent' },
    });

  it("delivers the user's own tenant's events, and never another tenant's", async () => {
    const other = await t.addTenant('initech');
    const ws = await t.sb.server.app.injectWS('/ws');
    const frames = collect(ws);
    ws.send(JSON.stringify({ type: 'auth', token: auth.slice('Bearer '.length) }));
    await waitFor(() => frames.some((f) => f.type === 'ready'));

    await addUser(other.auth, 'someone@initech.test');
    await addUser(auth, 'someone@acme.test');
    await waitFor(() => frames.some((f) => f.event?.payload.email === 'someone@acme.test'));
    const events = frames.filter((f) => f.type === 'event');
    expect(events.every((f) => f.event?.tenantId === tenantId)).toBe(true);
    expect(events.some((f) => f.event?.payload.email === 'someone@initech.test')).toBe(false);
    ws.terminate();
  });

  it('filters by event type once subscribed', async () => {
    const ws = await t.sb.server.app.injectWS(`/ws?access_token=${auth.slice('Bearer '.length)}`);
    const frames = collect(ws);
    await waitFor(() => frames.some((f) => f.type === 'ready'));
    ws.send(JSON.stringify({ type: 'subscribe', events: ['tenant.*'] }));
    await waitFor(() => frames.some((f) => f.type === 'subscribed'));
    await addUser(auth, 'filtered@acme.test');
    await t.sb.ctx.outbox.flush();
    ws.send(JSON.stringify({ type: 'ping' }));
    await waitFor(() => frames.some((f) => f.type === 'pong'));
    expect(frames.filter((f) => f.type === 'event')).toEqual([]);
    ws.terminate();
  });

  it('closes a socket whose token is not valid', async () => {
    const ws = await t.sb.server.app.injectWS('/ws');
    const frames = collect(ws);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(JSON.stringify({ type: 'auth', token: 'not-a-token' }));
    expect(await closed).toBe(4401);
    expect(frames[0]).toMatchObject({ type: 'error', code: 'UNAUTHENTICATED' });
  });
});
