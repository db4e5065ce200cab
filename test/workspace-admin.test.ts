import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { serviceAvailable } from './support/services.js';
import { addStaff, caller, type Json } from './support/workspace.js';

const pgUp = await serviceAvailable('postgres');

/** Issue #6: canned responses with variables, and business hours (with queues naming them). */
for (const kind of ['pglite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !pgUp)(`canned responses and business hours on ${kind}`, () => {
    let t: TestApp;
    let owner: string;
    let admin: { id: string; auth: string };
    let supervisor: { id: string; auth: string };
    let agent: { id: string; auth: string };
    const call = caller(() => t);

    beforeAll(async () => {
      t = await startTestApp(kind);
      owner = await t.login(OWNER.email, OWNER.password);
      admin = await addStaff(t, owner, { email: 'chen.jing@acme.test', role: 'admin', displayName: '陈静' });
      supervisor = await addStaff(t, owner, {
        email: 'lead@acme.test',
        role: 'supervisor',
        displayName: 'Emma Clarke',
      });
      agent = await addStaff(t, owner, { email: 'wang.fang@acme.test', role: 'agent', displayName: '王芳' });
    });
    afterAll(() => t.close());

    describe('canned responses', () => {
      const add = (auth: string, body: Json) => call(auth, 'POST', '/api/v1/canned-responses', body);

      it('are kept by supervisors, by shortcut unique in the tenant, and found by agents by words and language', async () => {
        const hello = await add(supervisor.auth, {
          title: '问候',
          shortcut: '/Hello',
          body: '{{customer.name}}您好，我是{{tenant.name}}的{{agent.name}}。',
          language: 'zh-CN',
        });
        expect(hello.status, JSON.stringify(hello.body)).toBe(201);
        expect(hello.body).toMatchObject({ shortcut: 'hello', language: 'zh-CN' });
        await add(supervisor.auth, {
          title: 'Refund timeline',
          shortcut: 'refund-en',
          body: 'Hi {{customer.firstName}}, your refund (ref {{conversation.id}}) takes 3–5 days.',
          language: 'en',
        });
        await add(supervisor.auth, { title: '结束语 Closing', shortcut: 'bye', body: 'Thanks! 谢谢！' });
        expect((await add(supervisor.auth, { title: 'x', shortcut: 'HELLO', body: 'x' })).status).toBe(409);
        expect((await add(agent.auth, { title: 'x', shortcut: 'x', body: 'x' })).status).toBe(403);
        expect((await add(supervisor.auth, { title: 'x', shortcut: 'no spaces', body: 'x' })).status).toBe(
          400,
        );

        const list = async (query: string) =>
          (await call(agent.auth, 'GET', `/api/v1/canned-responses${query}`)).body.items.map(
            (c: Json) => c.shortcut,
          );
        expect(await list('')).toEqual(['bye', 'hello', 'refund-en']);
        expect(await list('?language=en')).toEqual(['bye', 'refund-en']);
        expect(await list('?language=zh-CN&limit=200')).toEqual(['bye', 'hello']);
        expect(await list(`?q=${encodeURIComponent('REFUND')}`)).toEqual(['refund-en']);
        expect(await list(`?q=${encodeURIComponent('谢谢')}`)).toEqual(['bye']);
        expect(await list(`?q=${encodeURIComponent('%')}`)).toEqual([]);

        const changed = await call(supervisor.auth, 'PATCH', `/api/v1/canned-responses/${hello.body.id}`, {
          title: '开场问候',
          language: null,
        });
        expect(changed.body).toMatchObject({ title: '开场问候', shortcut: 'hello', language: null });
        expect(await list('?language=en')).toEqual(['bye', 'hello', 'refund-en']);
      });

      it('render with the conversation’s customer, the calling agent and the tenant; unknown variables stay', async () => {
        const customer = await call(owner, 'POST', '/api/v1/customers', { displayName: 'Zhang Wei 张伟' });
        const conversation = await call(owner, 'POST', '/api/v1/conversations', {
          customerId: customer.body.id,
          channelType: 'webchat',
        });
        const items = (await call(agent.auth, 'GET', '/api/v1/canned-responses')).body.items as Json[];
        const byShortcut = (s: string) => items.find((c) => c.shortcut === s)?.id as string;
        const render = (id: string, auth = agent.auth) =>
          call(auth, 'POST', `/api/v1/canned-responses/${id}/render`, {
            conversationId: conversation.body.id,
          });
        const hello = await render(byShortcut('hello'));
        expect(hello.status, JSON.stringify(hello.body)).toBe(200);
        expect(hello.body).toEqual({
          text: 'Zhang Wei 张伟您好，我是Default的王芳。',
          unknown: [],
          missing: [],
        });
        const refund = await render(byShortcut('refund-en'), supervisor.auth);
        expect(refund.body.text).toBe(`Hi Zhang, your refund (ref ${conversation.body.id}) takes 3–5 days.`);

        const odd = await call(supervisor.auth, 'POST', '/api/v1/canned-responses', {
          title: 'Order',
          shortcut: 'order',
          body: '{{customer.name}}: order {{order.id}} for {{ customer.firstName }}',
        });
        const anonymous = await call(owner, 'POST', '/api/v1/customers', {});
        const anonConversation = await call(owner, 'POST', '/api/v1/conversations', {
          customerId: anonymous.body.id,
          channelType: 'sms',
        });
        const rendered = await call(agent.auth, 'POST', `/api/v1/canned-responses/${odd.body.id}/render`, {
          conversationId: anonConversation.body.id,
        });
        expect(rendered.body).toEqual({
          text: ': order {{order.id}} for ',
          unknown: ['order.id'],
          missing: ['customer.name', 'customer.firstName'],
        });
        const other = await t.addTenant('globex');
        expect((await render(byShortcut('hello'), other.auth)).status).toBe(404);
        const missingConversation = await call(
          agent.auth,
          'POST',
          `/api/v1/canned-responses/${odd.body.id}/render`,
          {
            conversationId: odd.body.id,
          },
        );
        expect(missingConversation.status).toBe(404);
        expect(
          (await call(supervisor.auth, 'DELETE', `/api/v1/canned-responses/${odd.body.id}`)).status,
        ).toBe(204);
        expect(
          (await call(supervisor.auth, 'DELETE', `/api/v1/canned-responses/${odd.body.id}`)).status,
        ).toBe(404);
      });
    });

    describe('business hours', () => {
      const shanghai = {
        name: '上海工作时间',
        timezone: 'Asia/Shanghai',
        weekly: [1, 2, 3, 4, 5].map((day) => ({ day, open: '09:00', close: '18:00' })),
        holidays: [{ date: '2026-10-01', name: '国庆节' }],
      };
      let hoursId: string;

      it('are written by admins, read by supervisors, validated in their IANA zone', async () => {
        const created = await call(admin.auth, 'POST', '/api/v1/business-hours', shanghai);
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        hoursId = created.body.id;
        expect(created.body).toMatchObject({
          name: '上海工作时间',
          timezone: 'Asia/Shanghai',
          holidays: shanghai.holidays,
        });
        expect(
          (await call(supervisor.auth, 'POST', '/api/v1/business-hours', { ...shanghai, name: 'x' })).status,
        ).toBe(403);
        expect((await call(agent.auth, 'GET', '/api/v1/business-hours')).status).toBe(403);
        const bad = await call(admin.auth, 'POST', '/api/v1/business-hours', {
          ...shanghai,
          name: 'x',
          timezone: 'China/Beijing',
        });
        expect(bad.status).toBe(400);
        expect(bad.body).toMatchObject({ field: 'timezone' });
        const badRange = await call(admin.auth, 'POST', '/api/v1/business-hours', {
          name: 'y',
          timezone: 'Europe/Berlin',
          weekly: [{ day: 1, open: '25:00', close: '18:00' }],
        });
        expect(badRange.body).toMatchObject({ field: 'weekly.0.open' });
        expect((await call(admin.auth, 'POST', '/api/v1/business-hours', shanghai)).status).toBe(409);
        const list = await call(supervisor.auth, 'GET', '/api/v1/business-hours');
        expect(list.body.items.map((h: Json) => h.name)).toEqual(['上海工作时间']);
        expect(
          (await call(supervisor.auth, 'GET', `/api/v1/business-hours/${hoursId}`)).body.weekly,
        ).toHaveLength(5);
      });

      it('say whether they are open at an instant and when that changes, in their own zone', async () => {
        const status = async (at: string) =>
          (
            await call(
              supervisor.auth,
              'GET',
              `/api/v1/business-hours/${hoursId}/status?at=${encodeURIComponent(at)}`,
            )
          ).body;
        expect(await status('2026-09-16T02:00:00Z')).toEqual({
          open: true,
          reason: 'weekly',
          nextChange: '2026-09-16T10:00:00.000Z',
        });
        expect(await status('2026-09-18T12:00:00Z')).toEqual({
          open: false,
          reason: 'closed',
          nextChange: '2026-09-21T01:00:00.000Z',
        });
        expect(await status('2026-10-01T03:00:00Z')).toMatchObject({ open: false, reason: 'holiday' });
        const now = await call(supervisor.auth, 'GET', `/api/v1/business-hours/${hoursId}/status`);
        expect(typeof now.body.open).toBe('boolean');

        // Moved to Berlin (DST): the same clock times are different instants.
        const moved = await call(admin.auth, 'PATCH', `/api/v1/business-hours/${hoursId}`, {
          timezone: 'Europe/Berlin',
          holidays: [],
        });
        expect(moved.body).toMatchObject({ timezone: 'Europe/Berlin', holidays: [], name: '上海工作时间' });
        expect((await status('2026-03-27T17:30:00Z')).nextChange).toBe('2026-03-30T07:00:00.000Z');
      });

      it('are given to queues on create and update, only the tenant’s own, and cannot be deleted while used', async () => {
        const queue = await call(owner, 'POST', '/api/v1/queues', { name: '综合', businessHoursId: hoursId });
        expect(queue.status, JSON.stringify(queue.body)).toBe(201);
        expect(queue.body.businessHoursId).toBe(hoursId);
        const other = await t.addTenant('initech');
        const foreign = await call(other.auth, 'POST', '/api/v1/queues', {
          name: 'x',
          businessHoursId: hoursId,
        });
        expect(foreign.status).toBe(404);
        expect((await call(admin.auth, 'DELETE', `/api/v1/business-hours/${hoursId}`)).status).toBe(409);
        const cleared = await call(owner, 'PATCH', `/api/v1/queues/${queue.body.id}`, {
          businessHoursId: null,
        });
        expect(cleared.body.businessHoursId).toBeNull();
        expect((await call(owner, 'GET', `/api/v1/queues/${queue.body.id}`)).body.businessHoursId).toBeNull();
        expect((await call(admin.auth, 'DELETE', `/api/v1/business-hours/${hoursId}`)).status).toBe(204);
        expect((await call(supervisor.auth, 'GET', `/api/v1/business-hours/${hoursId}/status`)).status).toBe(
          404,
        );
        const unknown = await call(owner, 'PATCH', `/api/v1/queues/${queue.body.id}`, {
          businessHoursId: hoursId,
        });
        expect(unknown.status).toBe(404);
      });
    });
  });
}
