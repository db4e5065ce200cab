import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, type Json } from './support/api.js';
import { OWNER, startTestApp, type TestApp } from './support/app.js';
import { serviceAvailable } from './support/services.js';
import { waitFor } from './support/wait.js';

const pgUp = await serviceAvailable('postgres');

/**
 * Issue #6: what the supervisor wallboard and the admin console need from the backend — rule
 * checking and trial, supervisor hand-overs, live statistics and the charts' history.
 */
for (const kind of ['pglite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !pgUp)(`the wallboard and admin backend on ${kind}`, () => {
    let t: TestApp;
    let owner: string;
    let supervisor: string;
    let supervisorId: string;
    let agentA: string;
    let agentAId: string;
    let agentB: string;
    let agentBId: string;
    let general: string;
    let vip: string;
    let chinese: string;
    let n = 0;

    const call = caller(() => t);
    const user = async (email: string, role: string, displayName: string) => {
      const res = await call(owner, 'POST', '/api/v1/users', {
        email,
        password: 'a good password',
        role,
        displayName,
        languages: ['zh', 'en'],
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return { id: res.body.id as string, auth: await t.login(email, 'a good password') };
    };
    const inbound = async (who: string, text: string, channelType = 'webchat') => {
      const res = await call(owner, 'POST', '/api/v1/messages/inbound', {
        channelType,
        identity: { kind: 'device', value: who },
        text,
        idempotencyKey: `wallboard-${kind}-${++n}`,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.conversation.id as string;
    };
    const taskOf = async (conversationId: string) =>
      waitFor(() =>
        t.sb.ctx.storage.db
          .selectFrom('routing_tasks')
          .selectAll()
          .where('conversation_id', '=', conversationId)
          .orderBy('created_at', 'desc')
          .executeTakeFirst(),
      );
    const offersOf = async (auth: string) =>
      (await call(auth, 'GET', '/api/v1/routing/reservations')).body.items as Json[];
    const setState = (auth: string, id: string, state: string, reason?: string) =>
      call(auth, 'PUT', `/api/v1/routing/agents/${id}/state`, { state, ...(reason && { reason }) });
    /** Waits for the conversation's offer to agent A or B, accepts it, and says who has it. */
    const answer = async (conversationId: string) => {
      const task = await taskOf(conversationId);
      const [who, offer] = await waitFor(async () => {
        for (const [id, auth] of [
          [agentAId, agentA],
          [agentBId, agentB],
        ] as const) {
          const mine = (await offersOf(auth)).find((o) => o.taskId === task.id);
          if (mine) return [{ id, auth }, mine] as const;
        }
        return undefined;
      });
      const accepted = await call(who.auth, 'POST', `/api/v1/routing/reservations/${offer.id}/accept`, {});
      expect(accepted.body.status).toBe('assigned');
      return who;
    };
    const loadOf = async (agentId: string) =>
      ((await call(owner, 'GET', '/api/v1/routing/stats')).body.agents.find(
        (a: Json) => a.agentId === agentId,
      ).load.chat ?? 0) as number;

    beforeAll(async () => {
      t = await startTestApp(kind);
      owner = await t.login(OWNER.email, OWNER.password);
      ({ id: supervisorId, auth: supervisor } = await user('wang.fang@acme.test', 'supervisor', '王芳'));
      ({ id: agentAId, auth: agentA } = await user('li.na@acme.test', 'agent', '李娜'));
      ({ id: agentBId, auth: agentB } = await user('zhao.lei@acme.test', 'agent', '赵磊'));
      const queue = async (name: string) =>
        (await call(owner, 'POST', '/api/v1/queues', { name, serviceLevelSeconds: 30 })).body.id as string;
      general = await queue('General');
      vip = await queue('VIP');
      chinese = await queue('售后');
      const rules = await call(owner, 'PUT', '/api/v1/routing/rules', {
        steps: [
          { id: 'vip', filter: 'task.tier >= 2', queueId: vip, priorityBoost: 10 },
          {
            id: 'zh',
            filter: "task.language == 'zh'",
            queueId: chinese,
            agentFilter: "'zh' in agent.languages",
          },
        ],
        defaultQueueId: general,
      });
      expect(rules.status, JSON.stringify(rules.body)).toBe(200);
    });
    afterAll(() => t.close());

    describe('checking a CEL expression as it is typed', () => {
      it('accepts a valid filter and an empty one', async () => {
        for (const expression of ["task.category == 'refund' && task.tier >= 2", '']) {
          const res = await call(owner, 'POST', '/api/v1/routing/rules/validate', {
            expression,
            context: 'task',
          });
          expect(res.status).toBe(200);
          expect(res.body).toEqual({ valid: true });
        }
      });

      it('reports a syntax error with its line, column and offset', async () => {
        const res = await call(owner, 'POST', '/api/v1/routing/rules/validate', {
          expression: 'task.tier >= 2 &&\n  task.category ==',
          context: 'task',
        });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          valid: false,
          error: { kind: 'syntax', position: { line: 2, column: 19, offset: 36 } },
        });
        expect(res.body.error.message).not.toContain('\n');
      });

      it('reports type errors, and a misspelt agent field the engine would silently never match', async () => {
        const type = await call(owner, 'POST', '/api/v1/routing/rules/validate', {
          expression: "1 + 'a' == 2",
          context: 'task',
        });
        expect(type.body).toMatchObject({ valid: false, error: { kind: 'type' } });
        const notACondition = await call(owner, 'POST', '/api/v1/routing/rules/validate', {
          expression: '1 + 2',
          context: 'task',
        });
        expect(notACondition.body.error.message).toMatch(/condition/);
        const field = await call(owner, 'POST', '/api/v1/routing/rules/validate', {
          expression: "'zh' in agent.languages && agent.skil.refund >= 3",
          context: 'agent',
        });
        expect(field.body).toMatchObject({
          valid: false,
          error: { kind: 'agent-type', message: expect.stringMatching(/skil/), position: { offset: 33 } },
        });
        const agentInTaskContext = await call(owner, 'POST', '/api/v1/routing/rules/validate', {
          expression: 'agent.rating >= 4',
          context: 'task',
        });
        expect(agentInTaskContext.body.valid).toBe(false);
        const good = await call(owner, 'POST', '/api/v1/routing/rules/validate', {
          expression:
            "'zh' in agent.languages && agent.skills.refund >= 3 && agent.rating >= 4 && task.tier > 1",
          context: 'agent',
        });
        expect(good.body).toEqual({ valid: true });
      });

      it('is for admins', async () => {
        const res = await call(supervisor, 'POST', '/api/v1/routing/rules/validate', {
          expression: 'true',
          context: 'task',
        });
        expect(res.status).toBe(403);
      });
    });

    describe('trying the rules on a sample task', () => {
      it('predicts the queue a real conversation then lands in, and changes nothing', async () => {
        const tasksBefore = await t.sb.ctx.storage.db
          .selectFrom('routing_tasks')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow();
        const predicted = await call(owner, 'POST', '/api/v1/routing/rules/test', {
          task: { channel: 'webchat', language: 'zh', tier: 0 },
        });
        expect(predicted.status, JSON.stringify(predicted.body)).toBe(200);
        expect(predicted.body).toMatchObject({
          version: 1,
          queueId: chinese,
          queueName: '售后',
          stepId: 'zh',
          priority: 0,
          agentFilter: "'zh' in agent.languages",
          trace: [
            { stepId: 'vip', matched: false, queueFound: true },
            { stepId: 'zh', matched: true, queueFound: true },
          ],
        });
        const tasksAfter = await t.sb.ctx.storage.db
          .selectFrom('routing_tasks')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow();
        expect(Number(tasksAfter.n)).toBe(Number(tasksBefore.n));

        const conversationId = await inbound('trial-visitor', '你好，我的订单还没到');
        const task = await taskOf(conversationId);
        expect(task.queue_id).toBe(predicted.body.queueId);
        expect(task.step_id).toBe(predicted.body.stepId);
      });

      it('agrees with the engine for work queued through the API, priority boost included', async () => {
        const predicted = await call(owner, 'POST', '/api/v1/routing/rules/test', {
          task: { channel: 'email', tier: 3, priority: 5, attributes: { orderId: 'A-1' } },
        });
        expect(predicted.body).toMatchObject({ queueId: vip, stepId: 'vip', priority: 15 });
        const real = await call(owner, 'POST', '/api/v1/routing/tasks', {
          channel: 'email',
          priority: 5,
          attributes: { tier: 3, orderId: 'A-1' },
        });
        expect(real.status, JSON.stringify(real.body)).toBe(201);
        expect(real.body).toMatchObject({ queueId: predicted.body.queueId, stepId: 'vip', priority: 15 });
        await call(owner, 'POST', `/api/v1/routing/tasks/${real.body.id}/cancel`, {});
      });

      it('tries draft steps, tracing a filter that cannot be evaluated and a queue that does not exist', async () => {
        const res = await call(owner, 'POST', '/api/v1/routing/rules/test', {
          steps: [
            { id: 'refunds', filter: "task.category == 'refund'", queueId: vip },
            { id: 'gone', queueId: '01900000-0000-7000-8000-000000000000' },
            { id: 'csat', filter: 'task.csat < 3.0', queueId: chinese, priorityBoost: 2 },
          ],
          task: { channel: 'webchat', intent: 'complaint', csat: 2 },
        });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body).toMatchObject({
          version: null,
          queueId: chinese,
          stepId: 'csat',
          priority: 2,
          task: { channel: 'webchat', category: 'complaint', csat: 2, priority: 0 },
          trace: [
            { stepId: 'refunds', matched: false, queueFound: true },
            { stepId: 'gone', matched: true, queueFound: false },
            { stepId: 'csat', matched: true, queueFound: true },
          ],
        });
        const missing = await call(owner, 'POST', '/api/v1/routing/rules/test', {
          steps: [{ id: 'tier', filter: 'task.tier >= 2', queueId: vip }],
          task: { channel: 'webchat' },
        });
        expect(missing.body).toMatchObject({ queueId: null, stepId: null, queueName: null });
        expect(missing.body.trace[0]).toMatchObject({ matched: false, error: expect.stringMatching(/tier/) });
        const bad = await call(owner, 'POST', '/api/v1/routing/rules/test', {
          steps: [{ id: 'x', filter: 'task.tier >=', queueId: vip }],
          task: { channel: 'webchat' },
        });
        expect(bad.status).toBe(400);
        expect(bad.body).toMatchObject({ code: 'RULE_SYNTAX', stepId: 'x' });
        expect((await call(owner, 'GET', '/api/v1/routing/rules')).body.version).toBe(1);
      });
    });

    describe("a supervisor's hand on agents and conversations", () => {
      it("lets a supervisor set another agent's state, and not an agent", async () => {
        const res = await setState(supervisor, agentAId, 'break', 'meeting');
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body).toMatchObject({ agentId: agentAId, state: 'break', reason: 'meeting' });
        expect((await setState(agentB, agentAId, 'available')).status).toBe(403);
        const audit = await t.sb.ctx.storage.db
          .selectFrom('audit_log')
          .select(['actor_id', 'detail'])
          .where('action', '=', 'agent.presence_changed')
          .where('target_id', '=', agentAId)
          .execute();
        expect(audit.map((a) => a.actor_id)).toContain(supervisorId);
        // Available again, and at once offered the conversation waiting since the last test.
        expect(['available', 'busy']).toContain(
          (await setState(supervisor, agentAId, 'available')).body.state,
        );
      });

      it('gives a conversation an agent holds to another agent at once, and frees the first one', async () => {
        await setState(agentB, agentBId, 'offline');
        // The conversation of an earlier test waits in its queue; agent A takes it and this one.
        await waitFor(async () => {
          for (const o of await offersOf(agentA))
            await call(agentA, 'POST', `/api/v1/routing/reservations/${o.id}/accept`, {});
          const waiting = (await call(owner, 'GET', '/api/v1/routing/tasks')).body.items as Json[];
          return waiting.length === 0 && (await offersOf(agentA)).length === 0;
        });
        const conversationId = await inbound('handover-visitor', 'hello, I need help');
        expect((await answer(conversationId)).id).toBe(agentAId);
        const loadBefore = await loadOf(agentAId);

        expect(
          (
            await call(agentB, 'POST', `/api/v1/conversations/${conversationId}/assign`, {
              agentId: agentBId,
            })
          ).status,
        ).toBe(403);
        const offline = await call(supervisor, 'POST', `/api/v1/conversations/${conversationId}/assign`, {
          agentId: agentBId,
        });
        expect(offline.status).toBe(409);
        expect(offline.body.code).toBe('CONFLICT');

        await setState(agentB, agentBId, 'available');
        const res = await call(supervisor, 'POST', `/api/v1/conversations/${conversationId}/assign`, {
          agentId: agentBId,
        });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body).toMatchObject({
          conversationId,
          assigneeId: agentBId,
          previousAssigneeId: agentAId,
        });
        expect((await call(owner, 'GET', `/api/v1/conversations/${conversationId}`)).body.assigneeId).toBe(
          agentBId,
        );
        expect((await call(owner, 'GET', `/api/v1/routing/tasks/${res.body.taskId}`)).body).toMatchObject({
          status: 'assigned',
          agentId: agentBId,
        });
        expect(await loadOf(agentAId)).toBe(loadBefore - 1);
        expect(await loadOf(agentBId)).toBe(1);
        // No offer was made: the agent has it.
        expect(await offersOf(agentB)).toEqual([]);
        const again = await call(supervisor, 'POST', `/api/v1/conversations/${conversationId}/assign`, {
          agentId: agentBId,
        });
        expect(again.status).toBe(409);
      });

      it('lets a supervisor take a conversation over, freeing the agent, with an event and an audit entry', async () => {
        const conversationId = await inbound('takeover-visitor', 'my parcel is lost');
        const holder = await answer(conversationId);
        const holderLoad = await loadOf(holder.id);

        const res = await t.inject({
          method: 'POST',
          url: `/api/v1/conversations/${conversationId}/take-over`,
          headers: { authorization: supervisor, 'content-type': 'application/json' },
          payload: '{}',
        });
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json()).toMatchObject({ assigneeId: supervisorId, previousAssigneeId: holder.id });
        expect((await call(owner, 'GET', `/api/v1/conversations/${conversationId}`)).body.assigneeId).toBe(
          supervisorId,
        );
        expect(await loadOf(holder.id)).toBe(holderLoad - 1);
        expect(await loadOf(supervisorId)).toBe(1);

        const db = t.sb.ctx.storage.db;
        const event = await waitFor(() =>
          db
            .selectFrom('events')
            .select(['type', 'payload', 'actor'])
            .where('type', '=', 'conversation.taken_over')
            .where('aggregate_id', '=', conversationId)
            .executeTakeFirst(),
        );
        expect(event.payload).toMatchObject({ assigneeId: supervisorId, previousAssigneeId: holder.id });
        expect(event.actor).toBe(`user:${supervisorId}`);
        const audit = await db
          .selectFrom('audit_log')
          .select(['actor_id', 'detail'])
          .where('action', '=', 'conversation.taken_over')
          .where('target_id', '=', conversationId)
          .execute();
        expect(audit).toEqual([
          { actor_id: supervisorId, detail: expect.objectContaining({ previousAssigneeId: holder.id }) },
        ]);
        // Resolving the conversation ends the supervisor's task and frees the slot.
        await call(supervisor, 'PATCH', `/api/v1/conversations/${conversationId}`, { status: 'resolved' });
        await waitFor(async () => (await loadOf(supervisorId)) === 0);
      });

      it('takes over a conversation that was never queued: it gets a task, assigned from the start', async () => {
        const customer = await call(owner, 'POST', '/api/v1/customers', { displayName: 'Walk-in' });
        const conversation = await call(owner, 'POST', '/api/v1/conversations', {
          customerId: customer.body.id,
          channelType: 'email',
        });
        const res = await call(
          supervisor,
          'POST',
          `/api/v1/conversations/${conversation.body.id}/take-over`,
          {},
        );
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body).toMatchObject({
          assigneeId: supervisorId,
          previousAssigneeId: null,
          queueId: general,
        });
        const task = await taskOf(conversation.body.id);
        expect(task).toMatchObject({ status: 'assigned', agent_id: supervisorId, channel: 'email' });
        const resolved = await call(owner, 'PATCH', `/api/v1/conversations/${conversation.body.id}`, {
          status: 'resolved',
        });
        expect(resolved.status).toBe(200);
        expect(
          (await call(supervisor, 'POST', `/api/v1/conversations/${conversation.body.id}/take-over`, {}))
            .status,
        ).toBe(409);
      });
    });

    describe('wallboard figures', () => {
      it('gives per queue the waiting work, service level and agents by state, and per agent state and load', async () => {
        const stats = (await call(supervisor, 'GET', '/api/v1/routing/stats')).body;
        const queue = stats.queues.find((q: Json) => q.queueId === chinese);
        expect(queue).toMatchObject({
          name: '售后',
          waiting: expect.any(Number),
          longestWaitSeconds: expect.any(Number),
          serviceLevel: expect.any(Number),
          serviceLevelSeconds: 30,
          asaSeconds: expect.any(Number),
          abandoned: expect.any(Number),
        });
        // Every user can take work from a queue without required skills: by state, as listed per agent.
        const eligible = stats.agents.filter((a: Json) => a.queueIds.includes(chinese));
        expect(eligible).toHaveLength(4);
        const count = (state: string) => eligible.filter((a: Json) => a.state === state).length;
        expect(queue.agents).toEqual({
          available: count('available'),
          busy: count('busy'),
          wrap_up: count('wrap_up'),
          break: count('break'),
          offline: count('offline'),
        });
        expect(queue.agents.busy).toBeGreaterThan(0);
        const b = stats.agents.find((a: Json) => a.agentId === agentBId);
        expect(b).toMatchObject({ name: '赵磊', state: 'busy', load: { chat: expect.any(Number) } });
        expect(Date.parse(b.stateSince)).toBe(b.sinceMs);
        expect(b.queueIds).toEqual(expect.arrayContaining([general, vip, chinese]));
        expect(stats.agentsByState).toEqual(queue.agents);
      });

      it('counts conversations started per channel and bucket, zero-filled', async () => {
        const before = (await call(supervisor, 'GET', '/api/v1/analytics/volume?hours=2&bucketMinutes=5'))
          .body;
        const first = await inbound('volume-sms-1', 'hi', 'sms');
        const second = await inbound('volume-sms-2', 'hello', 'sms');
        await inbound('volume-sms-1', 'still me', 'sms');
        // Their tasks are queued asynchronously (from the bus): the next test counts them.
        await taskOf(first);
        await taskOf(second);
        const res = await call(supervisor, 'GET', '/api/v1/analytics/volume?hours=2&bucketMinutes=5');
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        const v = res.body;
        expect(v.bucketMinutes).toBe(5);
        expect(v.buckets).toHaveLength(24);
        expect(Date.parse(v.to) - Date.parse(v.from)).toBe(2 * 3600_000);
        expect(v.channels).toEqual(expect.arrayContaining(['sms', 'webchat']));
        const sum = (r: Json, ch: string) =>
          r.buckets.reduce((s: number, b: Json) => s + (b.byChannel[ch] ?? 0), 0);
        expect(sum(v, 'sms') - sum(before, 'sms')).toBe(2);
        expect(sum(v, 'webchat')).toBe(3);
        expect(sum(v, 'email')).toBe(1);
        for (const b of v.buckets) expect(Object.keys(b.byChannel).sort()).toEqual([...v.channels].sort());
        expect(v.buckets[0].byChannel.sms).toBe(0);
        const defaults = (await call(supervisor, 'GET', '/api/v1/analytics/volume')).body;
        expect(defaults).toMatchObject({ bucketMinutes: 15, buckets: expect.any(Array) });
        expect(defaults.buckets).toHaveLength(24);
        const agentTry = await call(agentA, 'GET', '/api/v1/analytics/volume');
        expect(agentTry.status).toBe(403);
        const tooMany = await call(supervisor, 'GET', '/api/v1/analytics/volume?hours=744&bucketMinutes=1');
        expect(tooMany.status).toBe(400);
      });

      it('reports offered, answered, service level and speed of answer per queue from the routing tables', async () => {
        const res = await call(supervisor, 'GET', '/api/v1/analytics/queues?hours=6&bucketMinutes=15');
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        const r = res.body;
        expect(r.buckets).toHaveLength(24);
        expect(r.queues.map((q: Json) => q.name).sort()).toEqual(['General', 'VIP', '售后']);
        expect(r.queues.find((q: Json) => q.queueId === chinese).serviceLevelSeconds).toBe(30);
        const db = t.sb.ctx.storage.db;
        const rows = await db
          .selectFrom('routing_tasks')
          .select(['queue_id', 'status', 'assigned_at'])
          .execute();
        for (const q of [general, vip, chinese]) {
          const mine = rows.filter((x) => x.queue_id === q);
          const total = r.totals[q];
          expect(total.offered, q).toBe(mine.length);
          expect(total.answered, q).toBe(mine.filter((x) => x.assigned_at !== null).length);
          const summed = r.buckets.reduce((s: number, b: Json) => s + b.byQueue[q].offered, 0);
          expect(summed).toBe(total.offered);
        }
        const zh = r.totals[chinese];
        expect(zh.answered).toBeGreaterThan(0);
        expect(zh.serviceLevel).toBeGreaterThan(0);
        expect(zh.asaSeconds).toBeGreaterThanOrEqual(0);
        // The canceled VIP task was never answered: no service level to speak of.
        expect(r.totals[vip]).toMatchObject({
          offered: 1,
          answered: 0,
          abandoned: 0,
          serviceLevel: null,
          asaSeconds: null,
        });
        const empty = r.buckets[0].byQueue[general];
        expect(empty).toEqual({
          offered: 0,
          answered: 0,
          abandoned: 0,
          answeredWithinSl: 0,
          serviceLevel: null,
          asaSeconds: null,
        });
      });

      it('counts a task the customer left as abandoned', async () => {
        await setState(agentA, agentAId, 'offline');
        await setState(agentB, agentBId, 'offline');
        const conversationId = await inbound('abandoning-visitor', 'anyone?', 'sms');
        const task = await taskOf(conversationId);
        // No channel reports a customer leaving yet; the engine's own operation stands in for it.
        await t.sb.ctx.routing.run(task.tenant_id, (engine) => {
          const live = engine.getTask(task.id);
          if (live?.status === 'reserved') for (const r of live.reservations) engine.reject(r.id);
          engine.abandon(task.id);
        });
        const r = (await call(supervisor, 'GET', '/api/v1/analytics/queues?hours=1&bucketMinutes=60')).body;
        expect(r.totals[general].abandoned).toBe(1);
      });
    });
  });
}
