import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { serviceAvailable } from './support/services.js';
import { waitFor } from './support/wait.js';
import { addStaff, caller, type Json } from './support/workspace.js';

const pgUp = await serviceAvailable('postgres');

/**
 * Issue #6: disposition codes (admin CRUD, agents read them) and the wrap-up, which records one on
 * the conversation and resolves it the ordinary way, so the ACD completes the routing task.
 */
for (const kind of ['pglite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !pgUp)(`disposition codes and wrap-up on ${kind}`, () => {
    let t: TestApp;
    let owner: string;
    let admin: { id: string; auth: string };
    let supervisor: { id: string; auth: string };
    let agent: { id: string; auth: string };
    let other: { id: string; auth: string };
    let queueId: string;
    const call = caller(() => t);
    let n = 0;

    const inbound = async (who: string, text = '我要退款') => {
      const res = await call(owner, 'POST', '/api/v1/messages/inbound', {
        channelType: 'webchat',
        identity: { kind: 'device', value: who },
        text,
        idempotencyKey: `wrap-${kind}-${++n}`,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.conversation.id as string;
    };
    /** A conversation the ACD offered to the agent, who accepted it: an assigned routing task. */
    const assignedToAgent = async (who: string) => {
      const conversationId = await inbound(who);
      const offer = await waitFor(async () => {
        const items = (await call(agent.auth, 'GET', '/api/v1/routing/reservations')).body.items as Json[];
        return items[0];
      });
      const accepted = await call(agent.auth, 'POST', `/api/v1/routing/reservations/${offer.id}/accept`, {});
      expect(accepted.body).toMatchObject({ status: 'assigned' });
      return { conversationId, taskId: accepted.body.taskId as string };
    };

    beforeAll(async () => {
      t = await startTestApp(kind);
      owner = await t.login(OWNER.email, OWNER.password);
      admin = await addStaff(t, owner, { email: 'chen.jing@acme.test', role: 'admin', displayName: '陈静' });
      supervisor = await addStaff(t, owner, {
        email: 'liu.yang@acme.test',
        role: 'supervisor',
        displayName: '刘洋',
      });
      agent = await addStaff(t, owner, { email: 'wang.fang@acme.test', role: 'agent', displayName: '王芳' });
      other = await addStaff(t, owner, { email: 'li.qiang@acme.test', role: 'agent', displayName: '李强' });
      queueId = (await call(owner, 'POST', '/api/v1/queues', { name: '售后', reservationTimeoutSeconds: 60 }))
        .body.id;
      expect(
        (await call(owner, 'PUT', '/api/v1/routing/rules', { steps: [{ id: 'all', queueId }] })).status,
      ).toBe(200);
      await call(agent.auth, 'PUT', `/api/v1/routing/agents/${agent.id}/state`, { state: 'available' });
    });
    afterAll(() => t.close());

    it('lets an admin keep disposition codes with labels in both languages; agents only read them', async () => {
      const create = (auth: string, body: Json) => call(auth, 'POST', '/api/v1/disposition-codes', body);
      const refund = await create(admin.auth, {
        code: 'refund_issued',
        labels: { en: 'Refund issued', 'zh-CN': '已退款' },
      });
      expect(refund.status, JSON.stringify(refund.body)).toBe(201);
      expect(refund.body).toMatchObject({
        code: 'refund_issued',
        labels: { en: 'Refund issued', 'zh-CN': '已退款' },
        active: true,
      });
      await create(admin.auth, { code: 'spam', labels: { en: 'Spam', 'zh-CN': '垃圾信息' } });
      await create(admin.auth, { code: 'old', labels: { en: 'Old', 'zh-CN': '旧' }, active: false });
      expect((await create(admin.auth, { code: 'spam', labels: { en: 'x', 'zh-CN': 'x' } })).status).toBe(
        409,
      );
      expect((await create(agent.auth, { code: 'x', labels: { en: 'x', 'zh-CN': 'x' } })).status).toBe(403);
      expect((await create(supervisor.auth, { code: 'x', labels: { en: 'x', 'zh-CN': 'x' } })).status).toBe(
        403,
      );
      expect(
        (await create(admin.auth, { code: 'has space', labels: { en: 'x', 'zh-CN': 'x' } })).status,
      ).toBe(400);

      const all = await call(agent.auth, 'GET', '/api/v1/disposition-codes');
      expect(all.body.items.map((c: Json) => c.code)).toEqual(['old', 'refund_issued', 'spam']);
      const active = await call(agent.auth, 'GET', '/api/v1/disposition-codes?active=true');
      expect(active.body.items.map((c: Json) => c.code)).toEqual(['refund_issued', 'spam']);

      const patched = await call(admin.auth, 'PATCH', `/api/v1/disposition-codes/${refund.body.id}`, {
        labels: { 'zh-CN': '已办理退款' },
      });
      expect(patched.body.labels).toEqual({ en: 'Refund issued', 'zh-CN': '已办理退款' });
      const spamId = all.body.items.find((c: Json) => c.code === 'spam').id;
      expect((await call(admin.auth, 'DELETE', `/api/v1/disposition-codes/${spamId}`)).status).toBe(204);
      expect((await call(admin.auth, 'DELETE', `/api/v1/disposition-codes/${spamId}`)).status).toBe(404);
      const audited = await t.sb.ctx.storage.db
        .selectFrom('audit_log')
        .select('action')
        .where('target_type', '=', 'disposition_code')
        .orderBy('seq')
        .execute();
      expect(audited.map((a) => a.action)).toEqual([
        'disposition_code.created',
        'disposition_code.created',
        'disposition_code.created',
        'disposition_code.updated',
        'disposition_code.deleted',
      ]);
    });

    it("wraps up the assignee's conversation: records code and note, resolves it and completes the routing task", async () => {
      const { conversationId, taskId } = await assignedToAgent('visitor-wrap-1');
      const res = await call(agent.auth, 'POST', `/api/v1/conversations/${conversationId}/wrap-up`, {
        dispositionCode: 'refund_issued',
        note: '  已原路退回 ¥199  ',
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({
        id: conversationId,
        status: 'resolved',
        dispositionCode: 'refund_issued',
        wrapUpNote: '已原路退回 ¥199',
        wrappedUpBy: agent.id,
      });
      expect(Date.parse(res.body.wrappedUpAt)).toBeGreaterThan(Date.now() - 60_000);
      const task = await waitFor(async () => {
        const got = (await call(agent.auth, 'GET', `/api/v1/routing/tasks/${taskId}`)).body;
        return got.status === 'completed' ? got : undefined;
      });
      expect(task.status).toBe('completed');
      await t.sb.ctx.outbox.flush();
      const events = await t.sb.ctx.storage.db
        .selectFrom('events')
        .select(['type', 'payload'])
        .where('aggregate_id', '=', conversationId)
        .where('type', 'in', ['conversation.updated', 'conversation.wrapped_up'])
        .orderBy('seq')
        .execute();
      // The ordinary status change first (the ACD ends the task on it), then the wrap-up.
      expect(events.slice(-2).map((e) => [e.type, (e.payload as Json).status])).toEqual([
        ['conversation.updated', 'resolved'],
        ['conversation.wrapped_up', 'resolved'],
      ]);
      expect(events.at(-1)?.payload).toMatchObject({
        conversationId,
        dispositionCode: 'refund_issued',
        note: '已原路退回 ¥199',
        resolved: true,
        status: 'resolved',
      });
    });

    it('refuses an unknown or inactive code with UNKNOWN_DISPOSITION, and changes nothing', async () => {
      const { conversationId } = await assignedToAgent('visitor-wrap-2');
      for (const dispositionCode of ['no_such_code', 'old']) {
        const res = await call(agent.auth, 'POST', `/api/v1/conversations/${conversationId}/wrap-up`, {
          dispositionCode,
        });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ code: 'UNKNOWN_DISPOSITION', field: 'dispositionCode' });
      }
      const conversation = (await call(agent.auth, 'GET', `/api/v1/conversations/${conversationId}`)).body;
      expect(conversation).toMatchObject({ status: 'open', dispositionCode: null, wrappedUpAt: null });
    });

    it('lets only the assignee or a supervisor wrap up, and keeps it open when asked not to resolve', async () => {
      const { conversationId } = await assignedToAgent('visitor-wrap-3');
      const url = `/api/v1/conversations/${conversationId}/wrap-up`;
      const notMine = await call(other.auth, 'POST', url, { dispositionCode: 'refund_issued' });
      expect(notMine.status).toBe(403);
      const kept = await call(supervisor.auth, 'POST', url, {
        dispositionCode: 'refund_issued',
        resolve: false,
      });
      expect(kept.status).toBe(200);
      expect(kept.body).toMatchObject({
        status: 'open',
        dispositionCode: 'refund_issued',
        wrappedUpBy: supervisor.id,
      });
      // A wrap-up of a resolved conversation records the code again, without another status change.
      expect(
        (await call(agent.auth, 'PATCH', `/api/v1/conversations/${conversationId}`, { status: 'closed' }))
          .status,
      ).toBe(200);
      const again = await call(agent.auth, 'POST', url, {
        dispositionCode: 'refund_issued',
        note: 'late note',
      });
      expect(again.body).toMatchObject({ status: 'closed', wrapUpNote: 'late note', wrappedUpBy: agent.id });
      const gone = await call(agent.auth, 'POST', `/api/v1/conversations/${agent.id}/wrap-up`, {
        dispositionCode: 'refund_issued',
      });
      expect(gone.status).toBe(404);
    });
  });
}
