import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, type Json } from './support/api.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { serviceAvailable } from './support/services.js';
import { waitFor } from './support/wait.js';

const pgUp = await serviceAvailable('postgres');

/**
 * What the agent workspace needs after a reload: the agent's own state and capacity, the open
 * routing task of each conversation, and a transferred conversation gone from the agent's inbox.
 */
for (const kind of ['pglite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !pgUp)(`the workspace's routing on ${kind}`, () => {
    const dataDir = mkdtempSync(path.join('/tmp', 'sb-workspace-routing-'));
    let t: TestApp;
    let owner: string;
    const agents: { id: string; auth: string }[] = [];
    let queueId: string;
    let n = 0;

    const call = caller(() => t);
    const inbound = async (who: string) => {
      const res = await call(owner, 'POST', '/api/v1/messages/inbound', {
        channelType: 'webchat',
        identity: { kind: 'device', value: who },
        text: 'hello',
        idempotencyKey: `workspace-${kind}-${++n}`,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.conversation.id as string;
    };
    const offerFor = (auth: string) =>
      waitFor(async () => {
        const items = (await call(auth, 'GET', '/api/v1/routing/reservations')).body.items as Json[];
        return items[0];
      });
    const conversation = async (id: string) => (await call(owner, 'GET', `/api/v1/conversations/${id}`)).body;
    const listed = async (auth: string, id: string) =>
      ((await call(auth, 'GET', '/api/v1/conversations?mine=true')).body.items as Json[]).find(
        (c) => c.id === id,
      );

    beforeAll(async () => {
      t = await startTestApp(kind, { dataDir });
      owner = await t.login(OWNER.email, OWNER.password);
      for (const [email, name] of [
        ['wang.fang@acme.test', '王芳'],
        ['zhao.lei@acme.test', '赵磊'],
      ] as const) {
        const user = await call(owner, 'POST', '/api/v1/users', {
          email,
          password: 'agent password 1',
          role: 'agent',
          displayName: name,
        });
        expect(user.status, JSON.stringify(user.body)).toBe(201);
        agents.push({ id: user.body.id, auth: await t.login(email, 'agent password 1') });
      }
      queueId = (await call(owner, 'POST', '/api/v1/queues', { name: '售前', reservationTimeoutSeconds: 60 }))
        .body.id;
      const rules = await call(owner, 'PUT', '/api/v1/routing/rules', { steps: [{ id: 'all', queueId }] });
      expect(rules.status, JSON.stringify(rules.body)).toBe(200);
    });
    afterAll(async () => {
      await t.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('an agent reads their own state and capacity, not a colleague’s; a supervisor reads anyone’s', async () => {
      const [a, b] = agents as [{ id: string; auth: string }, { id: string; auth: string }];
      const put = await call(a.auth, 'PUT', `/api/v1/routing/agents/${a.id}/state`, {
        state: 'break',
        reason: 'lunch',
      });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      const own = await call(a.auth, 'GET', `/api/v1/routing/agents/${a.id}/state`);
      expect(own.status).toBe(200);
      expect(own.body).toEqual(put.body);
      expect(own.body).toMatchObject({ agentId: a.id, state: 'break', reason: 'lunch' });
      expect(own.body.capacity.chat).toBeGreaterThan(0);
      expect(own.body.load).toBeTypeOf('object');
      const other = await call(a.auth, 'GET', `/api/v1/routing/agents/${b.id}/state`);
      expect(other.status).toBe(403);
      const sup = await call(owner, 'GET', `/api/v1/routing/agents/${b.id}/state`);
      expect(sup.status).toBe(200);
      expect(sup.body).toMatchObject({ agentId: b.id, state: 'offline' });
      const unknown = await call(owner, 'GET', `/api/v1/routing/agents/${NO_SUCH_AGENT}/state`);
      expect(unknown.status).toBe(404);
    });

    it('a conversation names its open task, and none once it is done', async () => {
      const [a] = agents as [{ id: string; auth: string }];
      await call(a.auth, 'PUT', `/api/v1/routing/agents/${a.id}/state`, { state: 'available' });
      const id = await inbound('visitor-task');
      const offer = await offerFor(a.auth);
      expect((await conversation(id)).taskId).toBe(offer.taskId);
      const accepted = await call(a.auth, 'POST', `/api/v1/routing/reservations/${offer.id}/accept`, {});
      expect(accepted.status).toBe(200);
      expect(await conversation(id)).toMatchObject({ taskId: offer.taskId, assigneeId: a.id });
      expect(await listed(a.auth, id)).toMatchObject({ taskId: offer.taskId });
      const all = (await call(owner, 'GET', '/api/v1/conversations')).body.items as Json[];
      expect(all.every((c) => 'taskId' in c)).toBe(true);
      const done = await call(a.auth, 'POST', `/api/v1/routing/tasks/${offer.taskId}/complete`, {});
      expect(done.status).toBe(200);
      await waitFor(async () => ((await conversation(id)).taskId === null ? true : undefined));
      expect(await listed(a.auth, id)).toMatchObject({ taskId: null });
    });

    it('a transfer to a queue takes the conversation off the agent and offers it to a colleague first', async () => {
      const [a, b] = agents as [{ id: string; auth: string }, { id: string; auth: string }];
      const id = await inbound('visitor-transfer');
      const offer = await offerFor(a.auth);
      await call(a.auth, 'POST', `/api/v1/routing/reservations/${offer.id}/accept`, {});
      expect((await conversation(id)).assigneeId).toBe(a.id);
      await call(b.auth, 'PUT', `/api/v1/routing/agents/${b.id}/state`, { state: 'available' });
      const moved = await call(a.auth, 'POST', `/api/v1/routing/tasks/${offer.taskId}/transfer`, { queueId });
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
      expect(await conversation(id)).toMatchObject({ assigneeId: null, queueId, taskId: offer.taskId });
      expect(await listed(a.auth, id)).toBeUndefined();
      // A still has room, but the colleague is offered it.
      const next = await offerFor(b.auth);
      expect(next.taskId).toBe(offer.taskId);
      expect((await call(a.auth, 'GET', '/api/v1/routing/reservations')).body.items).toEqual([]);
      await call(b.auth, 'POST', `/api/v1/routing/reservations/${next.id}/accept`, {});
      expect(await conversation(id)).toMatchObject({ assigneeId: b.id, taskId: offer.taskId });
      expect(await listed(b.auth, id)).toBeDefined();
    });
  });
}

const NO_SUCH_AGENT = '00000000-0000-4000-8000-000000000000';
