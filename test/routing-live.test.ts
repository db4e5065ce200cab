import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, type Json } from './support/api.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { serviceAvailable } from './support/services.js';
import { waitFor } from './support/wait.js';

const pgUp = await serviceAvailable('postgres');

/**
 * Issue #5 live: conversations become tasks, agents get offers over the API, accept or reject them,
 * and the ACD's state (waiting tasks, pending offers, agent states) survives a restart.
 */
for (const kind of ['pglite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !pgUp)(`the live ACD on ${kind}`, () => {
    const dataDir = mkdtempSync(path.join('/tmp', 'sb-routing-'));
    let t: TestApp;
    let owner: string;
    let agent: string;
    let agentId: string;
    let queueId: string;
    let n = 0;

    const call = caller(() => t);
    const inbound = async (who: string, text = '我要退款') => {
      const res = await call(owner, 'POST', '/api/v1/messages/inbound', {
        channelType: 'webchat',
        identity: { kind: 'device', value: who },
        text,
        idempotencyKey: `routing-${kind}-${++n}`,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.conversation.id as string;
    };
    const offers = async () =>
      (await call(agent, 'GET', '/api/v1/routing/reservations')).body.items as Json[];

    beforeAll(async () => {
      t = await startTestApp(kind, { dataDir });
      owner = await t.login(OWNER.email, OWNER.password);
      const user = await call(owner, 'POST', '/api/v1/users', {
        email: 'li.na@acme.test',
        password: 'agent password 1',
        role: 'agent',
        displayName: '李娜',
      });
      agentId = user.body.id;
      agent = await t.login('li.na@acme.test', 'agent password 1');
      queueId = (await call(owner, 'POST', '/api/v1/queues', { name: '售后', reservationTimeoutSeconds: 60 }))
        .body.id;
    });
    afterAll(async () => {
      await t.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('refuses a rule with a CEL syntax error, naming where it is, and keeps the rules in force', async () => {
      const bad = await call(owner, 'PUT', '/api/v1/routing/rules', {
        steps: [{ id: 'refunds', filter: "task.category == 'refund' &&", queueId }],
      });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ code: 'RULE_SYNTAX', stepId: 'refunds', field: 'filter' });
      expect(bad.body.position).toBeGreaterThan(20);
      const good = await call(owner, 'PUT', '/api/v1/routing/rules', { steps: [{ id: 'all', queueId }] });
      expect(good.status, JSON.stringify(good.body)).toBe(200);
      expect(good.body.version).toBe(1);
      expect((await call(owner, 'GET', '/api/v1/routing/rules')).body.steps).toEqual([
        { id: 'all', queueId },
      ]);
    });

    it("offers a customer's conversation to the available agent, who accepts it once", async () => {
      expect(
        (await call(agent, 'PUT', `/api/v1/routing/agents/${agentId}/state`, { state: 'available' })).body
          .state,
      ).toBe('available');
      const conversationId = await inbound('visitor-1');
      const [offer] = await waitFor(async () => ((await offers()).length ? offers() : undefined));
      const accepted = await call(agent, 'POST', `/api/v1/routing/reservations/${offer!.id}/accept`, {});
      expect(accepted.body).toMatchObject({ status: 'assigned' });
      const again = await call(agent, 'POST', `/api/v1/routing/reservations/${offer!.id}/accept`, {});
      expect(again.status).toBe(409);
      const conversation = (await call(owner, 'GET', `/api/v1/conversations/${conversationId}`)).body;
      expect(conversation).toMatchObject({ assigneeId: agentId, queueId });
      const task = (await call(agent, 'GET', `/api/v1/routing/tasks/${accepted.body.taskId}`)).body;
      expect(task.attributes).toMatchObject({ channel: 'webchat', language: 'zh', conversationId });
      const stats = (await call(owner, 'GET', '/api/v1/routing/stats')).body;
      expect(stats.queues.find((q: Json) => q.queueId === queueId)).toMatchObject({
        answered: 1,
        waiting: 0,
      });
      expect(stats.agents.find((a: Json) => a.agentId === agentId)).toMatchObject({ state: 'busy' });
      // More messages in the same conversation go to the agent who holds it: no second task.
      await inbound('visitor-1', '还在吗');
      expect(await offers()).toEqual([]);
      expect((await call(agent, 'POST', `/api/v1/routing/tasks/${task.id}/complete`, {})).body.status).toBe(
        'completed',
      );
    });

    it("takes the tenant's own break reason codes and ACD options", async () => {
      const put = await call(owner, 'PUT', '/api/v1/routing/settings', {
        breakReasons: ['lunch', '培训'],
        voiceBlocksOthers: false,
        weights: { rating: 3 },
      });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      expect(put.body).toMatchObject({ voiceBlocksOthers: false, weights: { rating: 3, idle: 1 } });
      expect((await call(agent, 'GET', '/api/v1/routing/break-reasons')).body.items).toEqual([
        'lunch',
        '培训',
      ]);
      const training = await call(agent, 'PUT', `/api/v1/routing/agents/${agentId}/state`, {
        state: 'break',
        reason: '培训',
      });
      expect(training.body).toMatchObject({ state: 'break', reason: '培训' });
      expect(
        (await call(agent, 'PUT', `/api/v1/routing/agents/${agentId}/state`, { state: 'available' })).status,
      ).toBe(200);
    });

    it('needs a reason code for a break, and makes no offers during it', async () => {
      const none = await call(agent, 'PUT', `/api/v1/routing/agents/${agentId}/state`, { state: 'break' });
      expect(none.status).toBe(400);
      expect(none.body.detail).toMatch(/lunch/);
      const lunch = await call(agent, 'PUT', `/api/v1/routing/agents/${agentId}/state`, {
        state: 'break',
        reason: 'lunch',
      });
      expect(lunch.body).toMatchObject({ state: 'break', reason: 'lunch' });
      await inbound('visitor-2');
      const waiting = await waitFor(async () => {
        const items = (await call(owner, 'GET', '/api/v1/routing/tasks')).body.items as Json[];
        return items.length ? items : undefined;
      });
      expect(waiting).toHaveLength(1);
      expect(await offers()).toEqual([]);

      // A supervisor's wallboard gets the live statistics over the WebSocket.
      const ws = await t.sb.server.app.injectWS(`/ws?access_token=${owner.slice('Bearer '.length)}`);
      const frames: Json[] = [];
      ws.on('message', (d) => frames.push(JSON.parse(String(d))));
      await waitFor(() => frames.some((f) => f.type === 'ready'));
      ws.send(JSON.stringify({ type: 'subscribe', events: ['routing.stats'] }));
      const stats = await waitFor(() =>
        frames.find((f) => f.type === 'event' && f.event.type === 'routing.stats'),
      );
      const queue = stats.event.payload.queues.find((q: Json) => q.queueId === queueId);
      expect(queue).toMatchObject({ waiting: 1, availableAgents: 0 });
      expect(queue.longestWaitMs).toBeGreaterThanOrEqual(0);
      expect(stats.event.payload.agents.find((a: Json) => a.agentId === agentId)).toMatchObject({
        state: 'break',
        reason: 'lunch',
      });
      ws.terminate();
    });

    it('keeps waiting work, a pending offer and agent states across a restart; the offer is accepted once', async () => {
      await call(agent, 'PUT', `/api/v1/routing/agents/${agentId}/state`, { state: 'available' });
      const [before] = await waitFor(async () => ((await offers()).length ? offers() : undefined));
      t = await t.restart();
      owner = await t.login(OWNER.email, OWNER.password);
      agent = await t.login('li.na@acme.test', 'agent password 1');
      const [after] = await offers();
      expect(after).toMatchObject({ id: before!.id, taskId: before!.taskId, expiresAt: before!.expiresAt });
      const stats = (await call(owner, 'GET', '/api/v1/routing/stats')).body;
      expect(stats.agents.find((a: Json) => a.agentId === agentId)).toMatchObject({ state: 'busy' });
      const accepted = await call(agent, 'POST', `/api/v1/routing/reservations/${after!.id}/accept`, {});
      expect(accepted.body.status).toBe('assigned');
      expect((await call(agent, 'POST', `/api/v1/routing/reservations/${after!.id}/accept`, {})).status).toBe(
        409,
      );
      const rows = await t.sb.ctx.storage.db
        .selectFrom('routing_reservations')
        .select(['id', 'status'])
        .where('task_id', '=', before!.taskId)
        .execute();
      expect(rows).toEqual([{ id: before!.id, status: 'accepted' }]);
    });

    it('re-offers an offer that expired while the engine was down, and the old one can no longer be accepted', async () => {
      await call(owner, 'PATCH', `/api/v1/queues/${queueId}`, { reservationTimeoutSeconds: 1 });
      await call(agent, 'PUT', `/api/v1/routing/agents/${agentId}/state`, { state: 'offline' });
      // The queue change reaches the engine through the bus; restart to read it for sure.
      t = await t.restart();
      owner = await t.login(OWNER.email, OWNER.password);
      agent = await t.login('li.na@acme.test', 'agent password 1');
      await call(agent, 'PUT', `/api/v1/routing/agents/${agentId}/state`, { state: 'available' });
      await inbound('visitor-3');
      const [first] = await waitFor(async () => ((await offers()).length ? offers() : undefined));
      await t.sb.close();
      await new Promise((r) => setTimeout(r, Math.max(0, first!.expiresAt - Date.now()) + 300));
      t = await t.restart();
      agent = await t.login('li.na@acme.test', 'agent password 1');
      const [second] = await waitFor(async () => ((await offers()).length ? offers() : undefined));
      expect(second!.taskId).toBe(first!.taskId);
      expect(second!.id).not.toBe(first!.id);
      expect((await call(agent, 'POST', `/api/v1/routing/reservations/${first!.id}/accept`, {})).status).toBe(
        409,
      );
      // The new offer lives 1 s too; on a busy machine it may lapse before we answer: take whichever is open.
      let accepted = await call(agent, 'POST', `/api/v1/routing/reservations/${second!.id}/accept`, {});
      while (accepted.status === 409) {
        const [next] = await waitFor(async () => ((await offers()).length ? offers() : undefined));
        accepted = await call(agent, 'POST', `/api/v1/routing/reservations/${next!.id}/accept`, {});
      }
      expect(accepted.body.status).toBe('assigned');
      const statuses = await t.sb.ctx.storage.db
        .selectFrom('routing_reservations')
        .select(['id', 'status'])
        .where('task_id', '=', first!.taskId)
        .orderBy('seq')
        .execute();
      // Every offer but the last timed out; exactly one was accepted.
      expect(statuses.at(-1)?.status).toBe('accepted');
      expect(statuses.slice(0, -1).every((r) => r.status === 'timed_out')).toBe(true);
      expect(statuses.length).toBeGreaterThanOrEqual(2);
    });
  });
}
